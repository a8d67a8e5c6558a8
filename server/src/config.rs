//! The server's settings, read from environment variables (documented in docs/sync.md).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything `serve` needs to know; see `Config::from_env` for the variables.
#[derive(Clone, Debug)]
pub struct Config {
    /// PostgreSQL connection string (`postgres://user@host:port/db` or key=value form).
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port (printed at start).
    pub listen: SocketAddr,
    /// Origins allowed on state-changing requests; empty means "the server's own"
    /// (`Origin` equal to `http://` + `Host`).
    pub allowed_origins: Vec<String>,
    /// The panel's static files.
    pub www_dir: PathBuf,
    /// The space that `TALLY_OWNER_EMAIL` / `TALLY_OWNER_PASSWORD` create an owner for.
    pub space_name: String,
    /// First owner, created when the space has no owner yet.
    pub owner: Option<(String, String)>,
    /// A snapshot is written once this many commands were accepted since the last one.
    pub snapshot_every: u64,
    /// A first sync gets a snapshot taken at the head when the newest stored one is more
    /// than this many commands (or a 500th of the space, when more) behind.
    pub snapshot_fresh_gap: u64,
    /// Spaces whose engines stay in memory; the least recently used beyond it are
    /// unloaded (and rebuilt from PostgreSQL on their next use).
    pub max_loaded_spaces: usize,
    /// Database connections in the pool.
    pub pool_size: usize,
    /// Session lifetime in seconds.
    pub session_seconds: u64,
    /// How often an open event stream checks that its session is still valid.
    pub session_recheck_seconds: u64,
    /// Sign-in attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Whether cookies get `Secure` (the panel is served over HTTPS by a proxy).
    pub secure_cookies: bool,
}

impl Config {
    /// Reads the settings; a missing database URL or an unreadable value is an error
    /// naming the variable.
    pub fn from_env() -> Result<Config, String> {
        let database_url = var("TALLY_DATABASE_URL")
            .or_else(|| var("DATABASE_URL"))
            .ok_or("TALLY_DATABASE_URL is not set (e.g. postgres://tally@127.0.0.1:5432/tally)")?;
        let listen = match var("TALLY_LISTEN") {
            Some(text) => text.parse().map_err(|_| {
                format!("TALLY_LISTEN: '{text}' is not an address like 127.0.0.1:8080")
            })?,
            None => {
                let port = number("PORT", 8080)?;
                let port =
                    u16::try_from(port).map_err(|_| "PORT: not a port number".to_string())?;
                SocketAddr::from(([127, 0, 0, 1], port))
            }
        };
        let allowed_origins: Vec<String> = var("TALLY_ALLOWED_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let secure_cookies = match var("TALLY_SECURE_COOKIES") {
            Some(v) => v == "1" || v == "true",
            None => allowed_origins.iter().any(|o| o.starts_with("https://")),
        };
        let owner = match (var("TALLY_OWNER_EMAIL"), var("TALLY_OWNER_PASSWORD")) {
            (Some(email), Some(password)) => Some((email, password)),
            (None, None) => None,
            _ => return Err("TALLY_OWNER_EMAIL and TALLY_OWNER_PASSWORD go together".into()),
        };
        Ok(Config {
            database_url,
            listen,
            allowed_origins,
            www_dir: PathBuf::from(var("TALLY_WWW_DIR").unwrap_or_else(|| "www".into())),
            space_name: var("TALLY_SPACE").unwrap_or_else(|| "Tally".into()),
            owner,
            snapshot_every: number("TALLY_SNAPSHOT_EVERY", 50_000)?.max(1),
            snapshot_fresh_gap: number("TALLY_SNAPSHOT_FRESH_GAP", 2_000)?,
            max_loaded_spaces: usize::try_from(number("TALLY_MAX_LOADED_SPACES", 32)?.max(1))
                .unwrap_or(usize::MAX),
            pool_size: usize::try_from(number("TALLY_DB_POOL", 16)?.clamp(2, 256)).unwrap_or(16),
            session_seconds: number("TALLY_SESSION_HOURS", 12)?.clamp(1, 24 * 90) * 3600,
            session_recheck_seconds: number("TALLY_SESSION_RECHECK_SECONDS", 60)?.clamp(1, 3600),
            login_attempts_per_minute: u32::try_from(
                number(
                    "TALLY_LOGIN_PER_MINUTE",
                    u64::from(crate::ratelimit::ADDRESS_ATTEMPTS),
                )?
                .max(1),
            )
            .unwrap_or(u32::MAX),
            secure_cookies,
        })
    }
}

/// A variable's value, unless unset or empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number(name: &str, default: u64) -> Result<u64, String> {
    match var(name) {
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name}: '{text}' is not a whole number")),
        None => Ok(default),
    }
}
