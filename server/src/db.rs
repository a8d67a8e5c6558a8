//! PostgreSQL: the connection pool and the versioned migrations embedded in the binary.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

/// Migrations in order; each runs once, recorded in `schema_migrations`. Never edit one that has shipped: add the next.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_snapshot_storage.sql")),
    (3, include_str!("../migrations/0003_snapshot_gzip.sql")),
];

/// Any fixed number: the advisory lock that makes two servers starting at once migrate
/// one after the other.
const MIGRATION_LOCK: i64 = 0x7a11_7000;

/// A pool of `size` connections. No TLS: the server talks to PostgreSQL on loopback or a
/// private network (docs/sync.md says how to deploy otherwise).
pub fn pool(url: &str, size: usize) -> Result<Pool, String> {
    let mut config: tokio_postgres::Config =
        url.parse().map_err(|e| format!("database URL: {e}"))?;
    // A push holds its space's lock for its transaction: should a server process hang
    // mid-push, PostgreSQL ends the transaction and the space's other writers go on.
    let timeout = "-c idle_in_transaction_session_timeout=60s";
    let options = match config.get_options() {
        Some(given) => format!("{given} {timeout}"),
        None => timeout.to_string(),
    };
    config.options(&options);
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| format!("database pool: {e}"))
}

/// Applies the migrations not yet applied, all in one transaction (a failing one leaves
/// the schema as it was). Returns the versions applied now.
pub async fn migrate(pool: &Pool) -> Result<Vec<i32>, String> {
    let mut client = pool.get().await.map_err(|e| format!("database: {e}"))?;
    let tx = client.transaction().await.map_err(sql)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(sql)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(sql)?;
    let done: Vec<i32> = tx
        .query("SELECT version FROM schema_migrations", &[])
        .await
        .map_err(sql)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut applied = Vec::new();
    for (version, text) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(text)
            .await
            .map_err(|e| format!("migration {version}: {e}"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[version],
        )
        .await
        .map_err(sql)?;
        applied.push(*version);
    }
    tx.commit().await.map_err(sql)?;
    Ok(applied)
}

fn sql(e: tokio_postgres::Error) -> String {
    format!("database: {e}")
}
