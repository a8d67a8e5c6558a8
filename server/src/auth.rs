//! Who is asking: passwords (Argon2id), opaque session and API tokens (only their
//! hashes are stored), and the principal a request acts as.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::{header, HeaderMap};
use blake2::{Blake2b512, Digest};
use deadpool_postgres::GenericClient;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// What a role may do. Owners manage users and tokens; finance runs commands; viewers
/// read (pull, snapshot, events).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Finance,
    Owner,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "owner" => Some(Role::Owner),
            "finance" => Some(Role::Finance),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Finance => "finance",
            Role::Viewer => "viewer",
        }
    }
}

/// The signed-in user (or machine token) a request acts for, and its space.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The user's id; `None` for an API token.
    pub user_id: Option<i64>,
    /// What goes into a command's `by`: the user's email, or `token:<name>`.
    pub name: String,
    pub role: Role,
    pub space_id: i64,
    pub space_name: String,
}

impl Principal {
    /// Refuses unless this is an owner signed in as a person: people and API tokens are
    /// managed by people, never by a token, so a leaked integration token can't make
    /// itself an account or a new token that outlives its revocation.
    pub fn require_owner_in_person(&self, doing: &str) -> Result<(), ApiError> {
        self.require(Role::Owner, doing)?;
        if self.user_id.is_none() {
            return Err(ApiError::forbidden(format!(
                "an API token can't {doing}: an owner signs in to do it"
            )));
        }
        Ok(())
    }

    /// Refuses an API token: what only a person does (their own password), whatever the
    /// token's role. A token is not a person and has no password.
    pub fn require_person(&self, doing: &str) -> Result<(), ApiError> {
        if self.user_id.is_none() {
            return Err(ApiError::forbidden(format!(
                "an API token can't {doing}: a token is not a person; sign in to do it"
            )));
        }
        Ok(())
    }

    /// Refuses unless the role is at least `needed`.
    pub fn require(&self, needed: Role, doing: &str) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "a {} can't {doing}: it takes the {} role",
                self.role.as_str(),
                needed.as_str()
            )))
        }
    }
}

/// The session cookie's name: `__Host-` prefixed when cookies are `Secure` (HTTPS), so a
/// sibling subdomain can't set one the server would read (a browser refuses a `__Host-`
/// cookie with a `Domain`, a `Path` other than `/`, or without `Secure`): "cookie
/// tossing" would otherwise sign a victim's browser into the tosser's session. Plain
/// HTTP (local use) can't carry the prefix.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-tally_session"
    } else {
        "tally_session"
    }
}

/// Argon2id with OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a password, with a fresh random salt. Slow on purpose: call it
/// from a blocking thread.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the PHC string. With no stored hash (unknown email), a
/// dummy hash is checked anyway so both cases take the same time.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
    let phc = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && stored.is_some()
}

/// Password hashings (or checks) run at once, at most: each holds 19 MiB and a core
/// for tens of milliseconds. Without a bound, concurrent sign-ins (from many addresses,
/// or through a proxy) each took one of tokio's 512 blocking threads and its 19 MiB:
/// gigabytes. Beyond it, sign-ins wait their turn without a thread.
pub fn password_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 16))
}

/// Runs password work (`hash_password`, `verify_password`) on a blocking thread, at most
/// `password_slots()` at once. The slot is held by the work itself, so a client hanging
/// up doesn't free it while its hash still runs. `None` if the work panicked.
pub async fn password_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| Arc::new(Semaphore::new(password_slots())));
    let slot = slots.clone().acquire_owned().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .ok()
}

/// A new opaque token (256 random bits, hex) and the hash stored for it.
pub fn new_token(prefix: &str) -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{prefix}{}", hex(&bytes));
    let hash = token_hash(&token);
    (token, hash)
}

/// What is stored for a token: a plain hash suffices, as the token is 256 random bits
/// (no dictionary to guess from, so no slow KDF needed).
pub fn token_hash(token: &str) -> Vec<u8> {
    Blake2b512::digest(token.as_bytes())[..32].to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The session token from the `Cookie` header, if any (the cookie named by
/// [`cookie_name`]).
pub fn session_cookie(headers: &HeaderMap, secure: bool) -> Option<&str> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The principal of a request: its bearer token, else its session cookie. No valid
/// credential (unknown, expired, deleted) is 401.
pub async fn authenticate(
    db: &impl GenericClient,
    headers: &HeaderMap,
    secure_cookies: bool,
) -> Result<Principal, ApiError> {
    if let Some(token) = bearer(headers) {
        let statement = db
            .prepare_cached(
                "SELECT t.name, t.role, s.id, s.name FROM api_tokens t
                 JOIN spaces s ON s.id = t.space_id WHERE t.token_hash = $1",
            )
            .await?;
        let row = db
            .query_opt(&statement, &[&token_hash(token)])
            .await?
            .ok_or_else(|| ApiError::unauthorized("this API token is not valid"))?;
        let name: String = row.get(0);
        return Ok(Principal {
            user_id: None,
            name: format!("token:{name}"),
            role: role_of(row.get(1))?,
            space_id: row.get(2),
            space_name: row.get(3),
        });
    }
    let token = session_cookie(headers, secure_cookies)
        .ok_or_else(|| ApiError::unauthorized("sign in first"))?;
    let statement = db
        .prepare_cached(
            "SELECT u.id, u.email, u.role, s.id, s.name FROM sessions x
             JOIN users u ON u.id = x.user_id JOIN spaces s ON s.id = u.space_id
             WHERE x.token_hash = $1 AND x.expires_at > now()",
        )
        .await?;
    let row = db
        .query_opt(&statement, &[&token_hash(token)])
        .await?
        .ok_or_else(|| ApiError::unauthorized("your session has ended: sign in again"))?;
    Ok(Principal {
        user_id: Some(row.get(0)),
        name: row.get(1),
        role: role_of(row.get(2))?,
        space_id: row.get(3),
        space_name: row.get(4),
    })
}

pub fn role_of(text: &str) -> Result<Role, ApiError> {
    Role::parse(text).ok_or_else(|| ApiError::internal("a stored role is unknown"))
}

/// Emails are compared lower-cased and trimmed.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible address: something@something, no spaces or control characters (a NUL
/// can't even be stored), at most 254 bytes.
pub fn check_email(email: &str) -> Result<(), ApiError> {
    let plausible = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if plausible {
        Ok(())
    } else {
        Err(ApiError::invalid("email: not an email address"))
    }
}

/// At least 8 characters (OWASP's floor), at most 1,024 bytes (bounds the hashing work).
pub fn check_password(password: &str) -> Result<(), ApiError> {
    check_password_field(password, "password")
}

/// [`check_password`] for a body whose password field has another name (`new_password`),
/// which the refusal names.
pub fn check_password_field(password: &str, field: &str) -> Result<(), ApiError> {
    if password.chars().count() < 8 {
        return Err(ApiError::invalid(format!("{field}: at least 8 characters")));
    }
    if password.len() > 1024 {
        return Err(ApiError::invalid(format!("{field}: at most 1,024 bytes")));
    }
    Ok(())
}

/// The PHC string of a checked password, hashed on a blocking thread ([`password_work`]).
pub async fn hash_new_password(password: String) -> Result<String, ApiError> {
    password_work(move || hash_password(&password))
        .await
        .ok_or_else(|| ApiError::internal("password hashing failed"))?
}

/// Creates a user in a space (hashing on a blocking thread). A taken email is 409.
pub async fn create_user(
    db: &impl GenericClient,
    space_id: i64,
    email: &str,
    password: &str,
    role: Role,
) -> Result<i64, ApiError> {
    let email = normalize_email(email);
    check_email(&email)?;
    check_password(password)?;
    let phc = hash_new_password(password.to_string()).await?;
    let row = db
        .query_opt(
            "INSERT INTO users (space_id, email, password_hash, role) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO NOTHING RETURNING id",
            &[&space_id, &email, &phc, &role.as_str()],
        )
        .await?;
    row.map(|r| r.get(0))
        .ok_or_else(|| ApiError::conflict(format!("{email} already has an account")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn cookies(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, value.parse().unwrap());
        headers
    }

    #[test]
    fn over_https_only_the_host_prefixed_session_cookie_is_read() {
        // A sibling subdomain can toss `tally_session` (Domain=.example.com), sent first;
        // it can't set a `__Host-` cookie, so over HTTPS that name is the only one read.
        let tossed = cookies("tally_session=tossed; __Host-tally_session=mine");
        assert_eq!(session_cookie(&tossed, true), Some("mine"));
        assert_eq!(session_cookie(&cookies("tally_session=tossed"), true), None);
        // Plain HTTP (local use) can't carry the prefix: the plain name is the cookie.
        assert_eq!(session_cookie(&tossed, false), Some("tossed"));
        assert_eq!(
            session_cookie(&cookies("__Host-tally_session=mine"), false),
            None
        );
        assert_eq!(cookie_name(true), "__Host-tally_session");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn password_work_runs_a_bounded_number_at_once() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (running, peak) = (running.clone(), peak.clone());
                tokio::spawn(password_work(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    // Long enough for the others to start, were they not held back.
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                    now
                }))
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap().is_some());
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            (1..=password_slots()).contains(&peak),
            "{peak} ran at once, more than {}",
            password_slots()
        );
    }
}
