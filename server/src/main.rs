//! `tally-server`: Tally's sync server. The engine runs natively over a PostgreSQL
//! journal; browsers push commands, pull the journal and follow live heads (docs/sync.md).
//!
//!   tally-server [serve]            migrate, create the first owner if asked, serve
//!   tally-server migrate            apply pending migrations and exit
//!   tally-server add-user SPACE EMAIL ROLE   (password from TALLY_PASSWORD; creates the space)
//!   tally-server workload CUSTOMERS COMMANDS [SEED]   print a generated space as JSON lines

mod api;
mod auth;
mod config;
mod db;
mod engines;
mod error;
mod events;
mod ratelimit;
mod resident;
mod snapshots;
mod static_files;
mod streams;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use deadpool_postgres::Pool;
use tokio::sync::watch;

use crate::api::{App, Shared};
use crate::auth::Role;
use crate::config::{var, Config};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tally-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => runtime.block_on(serve()),
        Some("migrate") => runtime.block_on(migrate_only()),
        Some("add-user") if args.len() == 4 => runtime.block_on(add_user(&args[1], &args[2], &args[3])),
        Some("workload") if (3..=4).contains(&args.len()) => workload(&args[1..]),
        _ => Err("usage: tally-server [serve | migrate | add-user SPACE EMAIL ROLE | workload CUSTOMERS COMMANDS [SEED]]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tally-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn connect() -> Result<(Config, Pool), String> {
    let config = Config::from_env()?;
    let pool = db::pool(&config.database_url, config.pool_size)?;
    let applied = db::migrate(&pool).await?;
    if !applied.is_empty() {
        eprintln!("migrations applied: {applied:?}");
    }
    Ok((config, pool))
}

async fn migrate_only() -> Result<(), String> {
    connect().await.map(|_| ())
}

/// The space's id, creating it when missing.
async fn ensure_space(pool: &Pool, name: &str) -> Result<i64, String> {
    let db = pool.get().await.map_err(|e| format!("database: {e}"))?;
    let inserted = db
        .query_opt(
            "INSERT INTO spaces (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
            &[&name],
        )
        .await
        .map_err(|e| format!("database: {e}"))?;
    if let Some(row) = inserted {
        return Ok(row.get(0));
    }
    // A second statement: when another server inserted the row while this one's insert
    // waited on it, a SELECT in the same statement reads the statement's older snapshot
    // and finds nothing (two servers starting together failed on it).
    let row = db
        .query_one("SELECT id FROM spaces WHERE name = $1", &[&name])
        .await
        .map_err(|e| format!("database: {e}"))?;
    Ok(row.get(0))
}

async fn add_user(space: &str, email: &str, role: &str) -> Result<(), String> {
    let role = Role::parse(role).ok_or("ROLE: one of owner, finance, viewer")?;
    let password = var("TALLY_PASSWORD").ok_or("TALLY_PASSWORD is not set")?;
    let (_, pool) = connect().await?;
    let space_id = ensure_space(&pool, space).await?;
    let db = pool.get().await.map_err(|e| format!("database: {e}"))?;
    auth::create_user(&db, space_id, email, &password, role)
        .await
        .map_err(|e| format!("{e:?}"))?;
    eprintln!("user {email} ({}) added to space '{space}'", role.as_str());
    Ok(())
}

/// Creates the configured space, and its first owner when it has none.
async fn bootstrap(config: &Config, pool: &Pool) -> Result<(), String> {
    let space_id = ensure_space(pool, &config.space_name).await?;
    let db = pool.get().await.map_err(|e| format!("database: {e}"))?;
    let owners: i64 = db
        .query_one(
            "SELECT count(*) FROM users WHERE space_id = $1 AND role = 'owner'",
            &[&space_id],
        )
        .await
        .map_err(|e| format!("database: {e}"))?
        .get(0);
    let Some((email, password)) = &config.owner else {
        if owners == 0 {
            eprintln!(
                "space '{}' has no owner yet: start with TALLY_OWNER_EMAIL and TALLY_OWNER_PASSWORD set",
                config.space_name
            );
        }
        return Ok(());
    };
    if owners == 0 {
        match auth::create_user(&db, space_id, email, password, Role::Owner).await {
            Ok(_) => eprintln!(
                "first owner {email} created for space '{}'",
                config.space_name
            ),
            // Another server starting at the same moment created the same first owner.
            Err(_) if is_owner(&db, space_id, email).await? => {}
            Err(e) => return Err(format!("first owner {email}: {e:?}")),
        }
    }
    Ok(())
}

/// Whether `email` is an owner of the space.
async fn is_owner(
    db: &deadpool_postgres::Object,
    space_id: i64,
    email: &str,
) -> Result<bool, String> {
    let owners: i64 = db
        .query_one(
            "SELECT count(*) FROM users WHERE space_id = $1 AND role = 'owner' AND email = $2",
            &[&space_id, &auth::normalize_email(email)],
        )
        .await
        .map_err(|e| format!("database: {e}"))?
        .get(0);
    Ok(owners > 0)
}

async fn serve() -> Result<(), String> {
    let (config, pool) = connect().await?;
    bootstrap(&config, &pool).await?;
    let heads = Arc::new(events::Heads::default());
    events::spawn_listener(config.database_url.clone(), pool.clone(), heads.clone());
    let (stop, shutdown) = watch::channel(false);
    let app: Shared = Arc::new(App {
        engines: engines::Engines::new(config.snapshot_every, config.max_loaded_spaces),
        limiter: ratelimit::LoginLimiter::new(config.login_attempts_per_minute),
        streams: Default::default(),
        heads,
        shutdown,
        pool: pool.clone(),
        config: config.clone(),
    });
    if var("TALLY_PRELOAD").as_deref() != Some("0") {
        let db = pool.get().await.map_err(|e| format!("database: {e}"))?;
        // As many as may stay loaded, those written most recently; the others load on
        // first use. Loaded the latest last, so it counts as the most recently used.
        let limit = i64::try_from(config.max_loaded_spaces).unwrap_or(i64::MAX);
        let spaces = db
            .query(
                "SELECT id FROM spaces
                 ORDER BY (SELECT at FROM journal WHERE space_id = spaces.id
                           ORDER BY seq DESC LIMIT 1) DESC NULLS LAST, id
                 LIMIT $1",
                &[&limit],
            )
            .await
            .map_err(|e| format!("database: {e}"))?;
        drop(db);
        for row in spaces.iter().rev() {
            app.engines
                .preload(&pool, row.get(0))
                .await
                .map_err(|e| format!("loading space {}: {e:?}", row.get::<_, i64>(0)))?;
        }
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // Tests and scripts read this line for the port.
    println!("tally-server listening on http://{address}/");
    let router = router(app);
    let signal = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .await
    .map_err(|e| format!("server: {e}"))
}

fn router(app: Shared) -> Router {
    let www = app.config.www_dir.clone();
    Router::new()
        .route("/health", get(api::health))
        .route("/api/login", post(api::login))
        .route("/api/logout", post(api::logout))
        .route("/api/me", get(api::me))
        .route("/api/me/password", post(api::change_password))
        .route("/api/users", get(api::list_users).post(api::create_user))
        .route("/api/tokens", get(api::list_tokens).post(api::create_token))
        .route("/api/users/{id}", delete(api::delete_user))
        .route("/api/users/{id}/role", post(api::set_role))
        .route("/api/users/{id}/password", post(api::reset_password))
        .route("/api/tokens/{id}", delete(api::delete_token))
        .route("/api/push", post(api::push))
        .route("/api/pull", get(api::pull))
        .route("/api/snapshot", get(api::snapshot))
        .route("/api/events", get(api::events))
        .route("/api/{*rest}", axum::routing::any(api::api_not_found))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(move |req: Request| {
            let www = www.clone();
            async move { static_files::serve(&www, req.method(), req.uri()).await }
        })
        .layer(middleware::from_fn_with_state(
            app.clone(),
            security_headers,
        ))
        .with_state(app)
}

/// Headers on every answer: no MIME sniffing, no referrer, nothing cached (answers are
/// per user and change with every commit), and no framing.
async fn security_headers(State(_app): State<Shared>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}

/// Prints a generated space (the engine's benchmark workload) as JSON lines.
fn workload(args: &[String]) -> Result<(), String> {
    use std::io::Write;
    let number = |i: usize, name: &str| -> Result<usize, String> {
        args.get(i).map_or(Ok(1), |t| {
            t.parse().map_err(|_| format!("{name}: not a whole number"))
        })
    };
    let (customers, commands, seed) = (
        number(0, "CUSTOMERS")?,
        number(1, "COMMANDS")?,
        number(2, "SEED")?,
    );
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for command in
        tally::workload::Workload::new(customers, seed as u64).take(commands.max(customers))
    {
        writeln!(out, "{command}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
