//! Against a real PostgreSQL (scripts/test-server.sh starts one and sets
//! TALLY_TEST_DATABASE_URL): migrations apply once, and twice is harmless. The HTTP
//! behaviour is tested from outside, in tests/server/*.test.mjs.

use std::process::Command;

fn admin_url() -> String {
    std::env::var("TALLY_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "TALLY_TEST_DATABASE_URL is not set: the server's tests need PostgreSQL. Run \
             `bash scripts/test-server.sh` (or `npm test`), which starts it through scripts/pg.sh."
        )
    })
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn migrate(url: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tally-server"))
        .arg("migrate")
        .env("TALLY_DATABASE_URL", url)
        .output()
        .expect("tally-server runs");
    assert!(
        out.status.success(),
        "migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn migrations_apply_once() {
    let admin = admin_url();
    let name = format!("tally_migrate_{}", std::process::id());
    psql(&admin, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(&admin, &format!("CREATE DATABASE {name}"));
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("database URL without a database name: {admin}"),
    };
    assert!(migrate(&url).contains("migrations applied: [1, 2, 3]"));
    assert!(!migrate(&url).contains("migrations applied"));
    assert_eq!(
        psql(
            &url,
            "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"
        ),
        "1,2,3"
    );
    let tables = psql(
        &url,
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
    );
    assert_eq!(
        tables,
        "api_tokens,journal,schema_migrations,sessions,snapshots,spaces,users"
    );
    psql(&admin, &format!("DROP DATABASE {name}"));
}
