//! The HTTP API of docs/sync.md: sessions, users, tokens, push, pull, snapshot, events.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use deadpool_postgres::Pool;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::auth::{self, Principal, Role};
use crate::config::Config;
use crate::engines::{self, Engines};
use crate::error::{json_body, ApiError};
use crate::events::Heads;
use crate::ratelimit::LoginLimiter;
use crate::streams::{OpenStreams, StreamSlot, PER_ACCOUNT};

/// Most commands in one push, and most bytes in one request body.
pub const MAX_PUSH_COMMANDS: usize = 1000;
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// Pull page sizes.
const PULL_DEFAULT: i64 = 1000;
const PULL_MAX: i64 = 10_000;

const HEAD_SQL: &str = "SELECT coalesce(max(seq), 0) FROM journal WHERE space_id = $1";

/// Everything a request handler shares.
pub struct App {
    pub config: Config,
    pub pool: Pool,
    pub engines: Engines,
    pub heads: Arc<Heads>,
    pub limiter: LoginLimiter,
    /// Open event streams by account, each bounded (`streams::PER_ACCOUNT`).
    pub streams: OpenStreams,
    /// Flips to true at shutdown, ending open event streams.
    pub shutdown: watch::Receiver<bool>,
}

pub type Shared = Arc<App>;
type Answer = Result<Response, ApiError>;

fn ok_json(value: Value) -> Answer {
    Ok(json_body(value.to_string()))
}

/// Most bytes in the body of a sign-in, sign-out, new user or new token: an email and a
/// password of at most 1,024 bytes fit many times over, and an unauthenticated client
/// can't make the server hold 4 MiB per request.
const MAX_SMALL_BODY: usize = 64 * 1024;

/// Checks a state-changing request: its `Origin` (when sent) must be allowed and its
/// body must be declared JSON. The body is not read yet: the caller checks the session
/// and role first (`read_body`), so a refused request's body is never held.
fn check_post(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origin_allowed(&app.config, headers, origin) {
            return Err(ApiError::bad_origin(origin));
        }
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::media_type());
    }
    Ok(())
}

/// How much of a refused request's body is read (and dropped) before the connection is
/// closed instead: enough for any push the server would take, so its client gets the
/// answer (401, 403) rather than a reset connection.
const MAX_DRAIN: usize = 2 * MAX_BODY;

/// The principal of a state-changing request, when its role is at least `needed`, and
/// the body, still unread. A refused request's body is read chunk by chunk and dropped,
/// never held, so no client without the role makes the server keep its bytes.
async fn authorize_post(
    app: &App,
    headers: &HeaderMap,
    body: Body,
    allowed: impl Fn(&Principal) -> Result<(), ApiError>,
) -> Result<(Principal, Body), ApiError> {
    check_post(app, headers)?;
    let refused = match principal(app, headers).await {
        Ok(p) => match allowed(&p) {
            Ok(()) => return Ok((p, body)),
            Err(e) => e,
        },
        Err(e) => e,
    };
    let mut chunks = body.into_data_stream();
    let mut seen = 0;
    while let Some(Ok(chunk)) = chunks.next().await {
        seen += chunk.len();
        if seen > MAX_DRAIN {
            break;
        }
    }
    Err(refused)
}

/// Reads at most `limit` bytes of a request's body.
async fn read_body(body: Body, limit: usize) -> Result<bytes::Bytes, ApiError> {
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        ApiError::too_large(if limit == MAX_BODY {
            "the request body is over 4 MiB".to_string()
        } else {
            format!("the request body is over {} KiB", limit / 1024)
        })
    })?;
    Ok(bytes)
}

/// With no configured list, the server's own origin: `Origin` equal to `http://` (or
/// `https://` behind TLS) plus the `Host` the request was sent to.
fn origin_allowed(config: &Config, headers: &HeaderMap, origin: &str) -> bool {
    if !config.allowed_origins.is_empty() {
        return config.allowed_origins.iter().any(|o| o == origin);
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::invalid(format!("body: {e}")))
}

async fn principal(app: &App, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let db = app.pool.get().await?;
    auth::authenticate(&db, headers, app.config.secure_cookies).await
}

fn user_json(p: &Principal) -> Value {
    json!({
        "ok": true,
        "user": { "id": p.user_id, "email": p.name, "role": p.role.as_str() },
        "space": { "id": p.space_id, "name": p.space_name },
    })
}

pub async fn health(State(app): State<Shared>) -> Answer {
    let db = app.pool.get().await?;
    db.query_one("SELECT 1", &[]).await?;
    ok_json(json!({ "ok": true }))
}

#[derive(Deserialize)]
struct Login {
    email: String,
    password: String,
}

pub async fn login(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    check_post(&app, &headers)?;
    let bytes = read_body(body, MAX_SMALL_BODY).await?;
    let Login { email, password } = parse(&bytes)?;
    let email = auth::normalize_email(&email);
    app.limiter
        .attempt(peer.ip(), &email)
        .map_err(ApiError::rate_limited)?;
    // No account has an implausible email (one with a NUL, which PostgreSQL refuses in
    // text, or over 254 bytes): it is not looked up, nor counted as an account's failure,
    // and is answered like any unknown email (the dummy hash is still checked).
    let plausible = auth::check_email(&email).is_ok();
    let db = app.pool.get().await?;
    let row = if plausible {
        db.query_opt(
            "SELECT u.id, u.password_hash, u.role, s.id, s.name FROM users u
             JOIN spaces s ON s.id = u.space_id WHERE u.email = $1",
            &[&email],
        )
        .await?
    } else {
        None
    };
    let stored: Option<String> = row.as_ref().map(|r| r.get(1));
    let matches = auth::password_work(move || {
        password.len() <= 1024 && auth::verify_password(&password, stored.as_deref())
    })
    .await
    .unwrap_or(false);
    let Some(row) = row.filter(|_| matches) else {
        if plausible {
            app.limiter.failed(&email);
        }
        return Err(ApiError::unauthorized("wrong email or password"));
    };
    app.limiter.succeeded(&email);
    let (token, hash) = auth::new_token("");
    let user_id: i64 = row.get(0);
    let seconds = f64::from(u32::try_from(app.config.session_seconds).unwrap_or(u32::MAX));
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))",
        &[&hash, &user_id, &seconds],
    )
    .await?;
    // Expired sessions are swept now and then, here rather than by a timer.
    db.execute(
        "DELETE FROM sessions WHERE expires_at < now() - interval '1 day'",
        &[],
    )
    .await?;
    let principal = Principal {
        user_id: Some(user_id),
        name: email,
        role: Role::parse(row.get(2)).unwrap_or(Role::Viewer),
        space_id: row.get(3),
        space_name: row.get(4),
    };
    let mut response = json_body(user_json(&principal).to_string());
    let cookie = format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        auth::cookie_name(app.config.secure_cookies),
        app.config.session_seconds,
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    set_cookie(&mut response, &cookie)?;
    Ok(response)
}

fn set_cookie(response: &mut Response, cookie: &str) -> Result<(), ApiError> {
    let value = HeaderValue::from_str(cookie).map_err(|_| ApiError::internal("bad cookie"))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(())
}

pub async fn logout(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Answer {
    check_post(&app, &headers)?;
    read_body(body, MAX_SMALL_BODY).await?;
    if let Some(token) = auth::session_cookie(&headers, app.config.secure_cookies) {
        let db = app.pool.get().await?;
        db.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            &[&auth::token_hash(token)],
        )
        .await?;
    }
    let mut response = json_body(json!({ "ok": true }).to_string());
    let cookie = format!(
        "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        auth::cookie_name(app.config.secure_cookies),
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    set_cookie(&mut response, &cookie)?;
    Ok(response)
}

pub async fn me(State(app): State<Shared>, headers: HeaderMap) -> Answer {
    let p = principal(&app, &headers).await?;
    ok_json(user_json(&p))
}

pub async fn list_users(State(app): State<Shared>, headers: HeaderMap) -> Answer {
    let p = principal(&app, &headers).await?;
    p.require_owner_in_person("manage users")?;
    let db = app.pool.get().await?;
    let users: Vec<Value> = db
        .query(
            "SELECT id, email, role FROM users WHERE space_id = $1 ORDER BY id",
            &[&p.space_id],
        )
        .await?
        .iter()
        .map(|r| {
            let (id, email, role): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
            json!({ "id": id, "email": email, "role": role })
        })
        .collect();
    ok_json(json!({ "ok": true, "users": users }))
}

#[derive(Deserialize)]
struct NewUser {
    email: String,
    password: String,
    role: String,
}

pub async fn create_user(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Answer {
    let (p, body) = authorize_post(&app, &headers, body, |p| {
        p.require_owner_in_person("manage users")
    })
    .await?;
    let bytes = read_body(body, MAX_SMALL_BODY).await?;
    let new: NewUser = parse(&bytes)?;
    let role = role_field(&new.role)?;
    let db = app.pool.get().await?;
    let id = auth::create_user(&db, p.space_id, &new.email, &new.password, role).await?;
    ok_json(json!({
        "ok": true,
        "user": { "id": id, "email": auth::normalize_email(&new.email), "role": role.as_str() },
    }))
}

fn role_field(text: &str) -> Result<Role, ApiError> {
    Role::parse(text).ok_or_else(|| ApiError::invalid("role: one of owner, finance, viewer"))
}

/// A record id from the path, read here rather than by axum's `Path<i64>`, whose refusal
/// is plain text, not the API's error shape.
fn path_id(text: &str, what: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| {
        let shown: String = text.chars().take(40).collect();
        ApiError::invalid(format!(
            "{what} id: '{shown}' is not a number (the ids are in GET /api/users and /api/tokens)"
        ))
    })
}

/// A `DELETE` of people or tokens: checked as a `POST` is, by an owner in person; its
/// (small) body read and dropped; the record id from the path.
async fn authorize_delete(
    app: &App,
    headers: &HeaderMap,
    body: Body,
    doing: &str,
    id: &str,
    what: &str,
) -> Result<(Principal, i64), ApiError> {
    let (p, body) =
        authorize_post(app, headers, body, |p| p.require_owner_in_person(doing)).await?;
    read_body(body, MAX_SMALL_BODY).await?;
    Ok((p, path_id(id, what)?))
}

/// A user of the space, read with all the space's users locked (`FOR UPDATE`) so that two
/// owners changing each other at once can't leave the space without an owner.
struct LockedUser {
    email: String,
    role: Role,
    /// The space's owners, this user included when an owner.
    owners: usize,
}

/// `by`, the owner asking, is checked again under the lock: an owner demoted (or removed)
/// by another while their request waited is refused, as their next request would be.
async fn lock_user(
    tx: &deadpool_postgres::Transaction<'_>,
    by: &Principal,
    id: i64,
) -> Result<LockedUser, ApiError> {
    let users = tx
        .query(
            "SELECT id, email, role FROM users WHERE space_id = $1 ORDER BY id FOR UPDATE",
            &[&by.space_id],
        )
        .await?;
    let still_owner = users.iter().any(|r| {
        Some(r.get::<_, i64>(0)) == by.user_id && r.get::<_, &str>(2) == Role::Owner.as_str()
    });
    if !still_owner {
        return Err(ApiError::forbidden(
            "you are no longer an owner of this space: another owner changed it meanwhile",
        ));
    }
    let owners = users
        .iter()
        .filter(|r| r.get::<_, &str>(2) == Role::Owner.as_str())
        .count();
    let row = users
        .iter()
        .find(|r| r.get::<_, i64>(0) == id)
        .ok_or_else(|| ApiError::not_found(format!("no user {id} in this space")))?;
    Ok(LockedUser {
        email: row.get(1),
        role: auth::role_of(row.get(2))?,
        owners,
    })
}

/// The refusal when the space's last owner would stop being one.
fn last_owner(id: i64, doing: &str) -> ApiError {
    ApiError::conflict(format!(
        "user {id} is the space's last owner: make another user an owner before {doing}"
    ))
}

/// `DELETE /api/users/{id}`: an owner removes a user of the space (someone who left).
/// The account and its sessions go (its open event streams end at their next check);
/// what it entered stays in the journal under its e-mail. The space's last owner can't
/// be removed: no one would be left to manage it.
pub async fn delete_user(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (p, id) = authorize_delete(&app, &headers, body, "manage users", &id, "user").await?;
    let mut db = app.pool.get().await?;
    let tx = db.transaction().await?;
    let user = lock_user(&tx, &p, id).await?;
    if user.role == Role::Owner && user.owners <= 1 {
        return Err(last_owner(id, "removing this one"));
    }
    tx.execute("DELETE FROM users WHERE id = $1", &[&id])
        .await?;
    tx.commit().await?;
    ok_json(json!({ "ok": true, "deleted": { "user": id } }))
}

#[derive(Deserialize)]
struct RoleChange {
    role: String,
}

/// `POST /api/users/{id}/role` `{ "role" }`: an owner, signed in, gives a user of the
/// space another role. The role is read from the database on every request, so it holds
/// on that user's open sessions from their next request. The space keeps an owner: its
/// last one can't become finance or viewer (409).
pub async fn set_role(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (p, body) = authorize_post(&app, &headers, body, |p| {
        p.require_owner_in_person("manage users")
    })
    .await?;
    let bytes = read_body(body, MAX_SMALL_BODY).await?;
    let id = path_id(&id, "user")?;
    let change: RoleChange = parse(&bytes)?;
    let role = role_field(&change.role)?;
    let mut db = app.pool.get().await?;
    let tx = db.transaction().await?;
    let user = lock_user(&tx, &p, id).await?;
    if user.role == Role::Owner && role != Role::Owner && user.owners <= 1 {
        return Err(last_owner(
            id,
            &format!("making this one {}", role.as_str()),
        ));
    }
    if user.role != role {
        tx.execute(
            "UPDATE users SET role = $2 WHERE id = $1",
            &[&id, &role.as_str()],
        )
        .await?;
    }
    tx.commit().await?;
    ok_json(json!({
        "ok": true,
        "user": { "id": id, "email": user.email, "role": role.as_str() },
    }))
}

#[derive(Deserialize)]
struct PasswordReset {
    password: String,
}

/// `POST /api/users/{id}/password` `{ "password" }`: an owner, signed in, sets the
/// password of another user of the space (one who forgot theirs), and every session of
/// that user ends. Not one's own: that takes the current password (`/api/me/password`).
pub async fn reset_password(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (p, body) = authorize_post(&app, &headers, body, |p| {
        p.require_owner_in_person("manage users")
    })
    .await?;
    let bytes = read_body(body, MAX_SMALL_BODY).await?;
    let id = path_id(&id, "user")?;
    let reset: PasswordReset = parse(&bytes)?;
    if p.user_id == Some(id) {
        return Err(ApiError::invalid(
            "user: this is you: change your own password with your current one (POST /api/me/password)",
        ));
    }
    auth::check_password(&reset.password)?;
    let mut db = app.pool.get().await?;
    // Not hashed for a user the space hasn't got.
    let known = db
        .query_opt(
            "SELECT 1 FROM users WHERE id = $1 AND space_id = $2",
            &[&id, &p.space_id],
        )
        .await?;
    if known.is_none() {
        return Err(ApiError::not_found(format!("no user {id} in this space")));
    }
    let phc = auth::hash_new_password(reset.password).await?;
    let tx = db.transaction().await?;
    let row = tx
        .query_opt(
            "UPDATE users SET password_hash = $3 WHERE id = $1 AND space_id = $2
             RETURNING email, role",
            &[&id, &p.space_id, &phc],
        )
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no user {id} in this space")))?;
    let ended = tx
        .execute("DELETE FROM sessions WHERE user_id = $1", &[&id])
        .await?;
    tx.commit().await?;
    let (email, role): (String, String) = (row.get(0), row.get(1));
    ok_json(json!({
        "ok": true,
        "user": { "id": id, "email": email, "role": role },
        "sessions_ended": ended,
    }))
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `POST /api/me/password` `{ "current_password", "new_password" }`: a person, signed in,
/// changes their own password. Every other session of theirs ends (a stolen one must not
/// outlive the change); this one stays. A wrong current password is a 400 naming
/// `current_password`, not a 401, which means "no valid session" (the browser would sign
/// out), and counts against the account's sign-in limits, so a stolen session can't
/// guess the password faster than a sign-in could. API tokens can't: they have no password.
pub async fn change_password(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (p, body) = authorize_post(&app, &headers, body, |p| {
        p.require_person("change a password")
    })
    .await?;
    let bytes = read_body(body, MAX_SMALL_BODY).await?;
    let change: PasswordChange = parse(&bytes)?;
    auth::check_password_field(&change.new_password, "new_password")?;
    let (Some(user_id), Some(session)) = (
        p.user_id,
        auth::session_cookie(&headers, app.config.secure_cookies).map(auth::token_hash),
    ) else {
        return Err(ApiError::unauthorized("sign in first"));
    };
    app.limiter
        .attempt(peer.ip(), &p.name)
        .map_err(ApiError::password_attempts_limited)?;
    let mut db = app.pool.get().await?;
    let stored: String = db
        .query_opt("SELECT password_hash FROM users WHERE id = $1", &[&user_id])
        .await?
        .ok_or_else(|| ApiError::unauthorized("your session has ended: sign in again"))?
        .get(0);
    let (current, phc) = (change.current_password, stored.clone());
    let matches = auth::password_work(move || {
        current.len() <= 1024 && auth::verify_password(&current, Some(&phc))
    })
    .await
    .unwrap_or(false);
    if !matches {
        app.limiter.failed(&p.name);
        return Err(ApiError::invalid(
            "current_password: not your current password",
        ));
    }
    app.limiter.succeeded(&p.name);
    let phc = auth::hash_new_password(change.new_password).await?;
    let tx = db.transaction().await?;
    // Only over the hash just checked: a change made meanwhile (another session, an
    // owner's reset) is not overwritten by one that checked the old password.
    let changed = tx
        .execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3",
            &[&user_id, &phc, &stored],
        )
        .await?;
    if changed == 0 {
        return Err(ApiError::conflict(
            "current_password: your password was changed meanwhile: sign in again with the new one",
        ));
    }
    let ended = tx
        .execute(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
            &[&user_id, &session],
        )
        .await?;
    tx.commit().await?;
    ok_json(json!({ "ok": true, "sessions_ended": ended }))
}

/// `DELETE /api/tokens/{id}`: an owner revokes an API token of the space at once.
pub async fn delete_token(
    State(app): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let (p, id) =
        authorize_delete(&app, &headers, body, "manage API tokens", &id, "API token").await?;
    let db = app.pool.get().await?;
    let deleted = db
        .execute(
            "DELETE FROM api_tokens WHERE id = $1 AND space_id = $2",
            &[&id, &p.space_id],
        )
        .await?;
    if deleted == 0 {
        return Err(ApiError::not_found(format!(
            "no API token {id} in this space"
        )));
    }
    ok_json(json!({ "ok": true, "deleted": { "token": id } }))
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    role: String,
}

pub async fn create_token(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Answer {
    let (p, body) = authorize_post(&app, &headers, body, |p| {
        p.require_owner_in_person("manage API tokens")
    })
    .await?;
    let bytes = read_body(body, MAX_SMALL_BODY).await?;
    let new: NewToken = parse(&bytes)?;
    let role = role_field(&new.role)?;
    // An owner's token could do nothing a finance token can't (owners manage in person).
    if role == Role::Owner {
        return Err(ApiError::invalid(
            "role: a token is finance or viewer; people and tokens are managed by an owner signed in",
        ));
    }
    let name = new.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ApiError::invalid("name: 1 to 100 bytes"));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name: no control characters"));
    }
    let (token, hash) = auth::new_token("tly_");
    let db = app.pool.get().await?;
    let row = db
        .query_one(
            "INSERT INTO api_tokens (space_id, token_hash, name, role, created_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&p.space_id, &hash, &name, &role.as_str(), &p.user_id],
        )
        .await?;
    let id: i64 = row.get(0);
    ok_json(json!({ "ok": true, "id": id, "name": name, "role": role.as_str(), "token": token }))
}

pub async fn list_tokens(State(app): State<Shared>, headers: HeaderMap) -> Answer {
    let p = principal(&app, &headers).await?;
    p.require_owner_in_person("manage API tokens")?;
    let db = app.pool.get().await?;
    let tokens: Vec<Value> = db
        .query(
            "SELECT id, name, role FROM api_tokens WHERE space_id = $1 ORDER BY id",
            &[&p.space_id],
        )
        .await?
        .iter()
        .map(|r| {
            let (id, name, role): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
            json!({ "id": id, "name": name, "role": role })
        })
        .collect();
    ok_json(json!({ "ok": true, "tokens": tokens }))
}

#[derive(Deserialize)]
struct Push {
    #[serde(default)]
    client: Option<String>,
    commands: Commands,
}

/// A push's commands: at most `MAX_PUSH_COMMANDS` are built as values; past that, the
/// rest are only counted (`Err(count)`). Parsed into values whole, 4 MiB of `0,` made
/// two million of them, some 90 MB, before the count was checked.
struct Commands(Result<Vec<Value>, usize>);

impl<'de> Deserialize<'de> for Commands {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Commands, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Commands;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of commands")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Commands, A::Error> {
                let mut commands = Vec::new();
                while commands.len() < MAX_PUSH_COMMANDS {
                    match seq.next_element::<Value>()? {
                        Some(command) => commands.push(command),
                        None => return Ok(Commands(Ok(commands))),
                    }
                }
                let mut count = commands.len();
                if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                    return Ok(Commands(Ok(commands)));
                }
                drop(commands);
                count += 1;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(Commands(Err(count)))
            }
        }
        deserializer.deserialize_seq(Visit)
    }
}

pub async fn push(State(app): State<Shared>, headers: HeaderMap, body: Body) -> Answer {
    let (p, body) = authorize_post(&app, &headers, body, |p| {
        p.require(Role::Finance, "enter commands")
    })
    .await?;
    let bytes = read_body(body, MAX_BODY).await?;
    let Push { client, commands } = parse(&bytes)?;
    if client.as_ref().is_some_and(|c| c.len() > 200) {
        return Err(ApiError::invalid("client: at most 200 bytes"));
    }
    let commands = commands.0.map_err(|count| {
        ApiError::too_large(format!(
            "commands: {count} in one push, at most {MAX_PUSH_COMMANDS}"
        ))
    })?;
    // Its own task: a client that hangs up mid-push can't cancel it between the
    // engine's change and the commit.
    let task = {
        let app = app.clone();
        tokio::spawn(async move {
            app.engines
                .push(&app.pool, p.space_id, &p.name, commands)
                .await
                .map(|pushed| (p.space_id, pushed))
        })
    };
    let (space, pushed) = task
        .await
        .map_err(|_| ApiError::internal("the push failed"))??;
    if pushed.stored > 0 {
        app.heads.publish(space, pushed.head);
    }
    let text = format!(
        "{{\"ok\":true,\"answers\":[{}],\"head\":{}}}",
        pushed.answers.join(","),
        pushed.head
    );
    Ok(json_body(text))
}

/// `after` and `limit` from the query string; anything else is ignored.
fn pull_params(query: Option<&str>) -> Result<(i64, i64), ApiError> {
    let (mut after, mut limit) = (0, PULL_DEFAULT);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number = || {
            value
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::invalid(format!("{key}: not a whole number")))
        };
        match key {
            "after" => after = number()?,
            "limit" => limit = number()?.clamp(1, PULL_MAX),
            _ => {}
        }
    }
    Ok((after, limit))
}

pub async fn pull(State(app): State<Shared>, headers: HeaderMap, RawQuery(q): RawQuery) -> Answer {
    let (after, limit) = pull_params(q.as_deref())?;
    let p = principal(&app, &headers).await?;
    let mut db = app.pool.get().await?;
    // One snapshot of the table for the head and the page, so they agree.
    let tx = db
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let head_sql = tx.prepare_cached(HEAD_SQL).await?;
    let head: i64 = tx.query_one(&head_sql, &[&p.space_id]).await?.get(0);
    let page_sql = tx
        .prepare_cached(
            "SELECT seq, command FROM journal WHERE space_id = $1 AND seq > $2
             ORDER BY seq LIMIT $3",
        )
        .await?;
    let rows = tx.query(&page_sql, &[&p.space_id, &after, &limit]).await?;
    tx.commit().await?;
    let mut text = String::with_capacity(rows.iter().map(|r| r.get::<_, &str>(1).len() + 32).sum());
    text.push_str("{\"ok\":true,\"entries\":[");
    let mut last = after;
    for (i, row) in rows.iter().enumerate() {
        let seq: i64 = row.get(0);
        if i > 0 {
            text.push(',');
        }
        // The stored text is the command's JSON, embedded as it is.
        text.push_str(&format!(
            "{{\"seq\":{seq},\"command\":{}}}",
            row.get::<_, &str>(1)
        ));
        last = seq;
    }
    text.push_str(&format!("],\"head\":{head},\"more\":{}}}", last < head));
    Ok(json_body(text))
}

/// Bytes per chunk of a snapshot's answer: the body is written slice by slice from the
/// bytes kept in memory, never copied whole.
const SNAPSHOT_CHUNK: usize = 1 << 20;

/// `GET /api/snapshot`: the space's newest stored snapshot, as stored. Gzip (RFC 1952) is
/// sent as `application/gzip` for the browser to decompress (and keep compressed); an old
/// uncompressed row as `application/octet-stream`. `X-Tally-Seq` is its seq,
/// `X-Tally-Snapshot-Length` the length of the engine's bytes, and `Server-Timing` says
/// whether it came from this process's memory or from PostgreSQL, and how long that took.
pub async fn snapshot(State(app): State<Shared>, headers: HeaderMap) -> Answer {
    let p = principal(&app, &headers).await?;
    let started = std::time::Instant::now();
    let fresh = app.config.snapshot_fresh_gap;
    // Should taking one fail, the newest stored still serves (a longer tail, not no sync).
    if let Err(e) = app
        .engines
        .fresh_snapshot(&app.pool, p.space_id, |head| fresh.max(head / 500))
        .await
    {
        eprintln!(
            "space {}: no snapshot taken for a first sync: {e:?}",
            p.space_id
        );
    }
    let db = app.pool.get().await?;
    let newest_seq = engines::newest_seq(&db, p.space_id).await?;
    // PostgreSQL is the record: the kept bytes are served unless it holds a newer
    // snapshot (another process took it). Kept bytes newer than its newest are a
    // snapshot taken for a first sync whose write is under way.
    let (stored, source) = match app.engines.newest.get(p.space_id) {
        Some(kept) if kept.seq >= newest_seq => (kept, "memory"),
        _ => {
            let stored = engines::newest_stored(&db, p.space_id)
                .await?
                .ok_or_else(|| {
                    ApiError::not_found("this space has no snapshot yet: pull from 0")
                })?;
            app.engines.newest.offer(p.space_id, stored.clone());
            (Arc::new(stored), "db")
        }
    };
    drop(db);
    let took = started.elapsed().as_secs_f64() * 1000.0;
    let content_type = if stored.is_gzip() {
        "application/gzip"
    } else {
        "application/octet-stream"
    };
    let bytes = stored.bytes.clone();
    let length = bytes.len();
    let chunks =
        futures_util::stream::iter((0..length).step_by(SNAPSHOT_CHUNK).map(move |at| {
            Ok::<_, Infallible>(bytes.slice(at..(at + SNAPSHOT_CHUNK).min(length)))
        }));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_LENGTH, length.to_string()),
            (
                header::HeaderName::from_static("x-tally-seq"),
                stored.seq.to_string(),
            ),
            (
                header::HeaderName::from_static("x-tally-snapshot-length"),
                stored.raw_length.to_string(),
            ),
            (
                header::HeaderName::from_static("server-timing"),
                format!("{source};dur={took:.1}"),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

pub async fn events(
    State(app): State<Shared>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let p = principal(&app, &headers).await?;
    let account = match p.user_id {
        Some(user) => format!("{}:user {user}", p.space_id),
        None => format!("{}:{}", p.space_id, p.name),
    };
    let slot = app
        .streams
        .open(account, PER_ACCOUNT)
        .ok_or_else(|| ApiError::too_many_streams(PER_ACCOUNT))?;
    let db = app.pool.get().await?;
    let head_sql = db.prepare_cached(HEAD_SQL).await?;
    let head: i64 = db.query_one(&head_sql, &[&p.space_id]).await?.get(0);
    drop(db);
    let heads = app
        .heads
        .subscribe(p.space_id, u64::try_from(head).unwrap_or(0));
    let every = Duration::from_secs(app.config.session_recheck_seconds);
    let follow = Follow {
        heads,
        shutdown: app.shutdown.clone(),
        recheck: tokio::time::interval_at(tokio::time::Instant::now() + every, every),
        app: app.clone(),
        headers,
        first: true,
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(follow, |mut f| async move {
        if !f.first {
            loop {
                tokio::select! {
                    changed = f.heads.changed() => { changed.ok()?; break; }
                    _ = stopping(&mut f.shutdown) => return None,
                    _ = f.recheck.tick() => {
                        // A session that ended (logout, expiry, user removed) ends its
                        // stream; a database hiccup does not.
                        if let Err(e) = principal(&f.app, &f.headers).await {
                            if e.is_unauthorized() {
                                return None;
                            }
                        }
                    }
                }
            }
        }
        f.first = false;
        let head = *f.heads.borrow_and_update();
        let event = Event::default()
            .event("head")
            .data(format!("{{\"head\":{head}}}"));
        Some((Ok(event), f))
    });
    Ok(Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("ping"),
    ))
}

/// Resolves once the server is shutting down.
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// An open event stream's state: the space's head it follows, and what ends it.
struct Follow {
    heads: watch::Receiver<u64>,
    /// Counts this stream against its account until the stream is dropped.
    _slot: StreamSlot,
    shutdown: watch::Receiver<bool>,
    recheck: tokio::time::Interval,
    app: Shared,
    headers: HeaderMap,
    first: bool,
}

pub async fn api_not_found() -> ApiError {
    ApiError::not_found("no such API endpoint")
}

/// A known path with another method: 405 in the error shape (axum's own has no body).
pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(n: usize) -> Result<Result<usize, usize>, String> {
        let text = format!(
            "{{\"commands\":[{}]}}",
            vec!["{\"type\":\"x\"}"; n].join(",")
        );
        serde_json::from_str::<Push>(&text)
            .map(|p| p.commands.0.map(|c| c.len()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_push_keeps_up_to_its_limit_of_commands_and_only_counts_past_it() {
        assert_eq!(commands(0), Ok(Ok(0)));
        assert_eq!(commands(1), Ok(Ok(1)));
        assert_eq!(commands(MAX_PUSH_COMMANDS), Ok(Ok(MAX_PUSH_COMMANDS)));
        assert_eq!(
            commands(MAX_PUSH_COMMANDS + 1),
            Ok(Err(MAX_PUSH_COMMANDS + 1))
        );
        assert_eq!(commands(5000), Ok(Err(5000)));
        // Past the limit, the rest must still be JSON.
        let broken = format!(
            "{{\"commands\":[{}1,]}}",
            "0,".repeat(MAX_PUSH_COMMANDS + 5)
        );
        assert!(serde_json::from_str::<Push>(&broken).is_err());
        assert!(serde_json::from_str::<Push>("{\"commands\":\"x\"}").is_err());
        let kept = serde_json::from_str::<Push>("{\"commands\":[{\"a\":1},2]}").unwrap();
        assert_eq!(kept.commands.0.unwrap(), vec![json!({"a": 1}), json!(2)]);
    }
}
