//! Sign-in throttling, per account and per client address, in this process's memory
//! (each server process counts on its own; the limits are in docs/sync.md).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins an account may have in a window before it is refused until the
/// window ends.
const ACCOUNT_FAILURES: u32 = 5;
const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Sign-in attempts (failed or not) one address may make in a window, by default.
pub const ADDRESS_ATTEMPTS: u32 = 30;
const ADDRESS_WINDOW: Duration = Duration::from_secs(60);
/// Entries kept before expired ones are swept, which bounds memory under a flood.
const SWEEP_AT: usize = 10_000;

pub struct LoginLimiter {
    address_attempts: u32,
    accounts: Mutex<HashMap<String, Window>>,
    addresses: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

impl LoginLimiter {
    /// A limiter allowing `address_attempts` sign-ins per address per minute.
    pub fn new(address_attempts: u32) -> LoginLimiter {
        LoginLimiter {
            address_attempts,
            accounts: Mutex::default(),
            addresses: Mutex::default(),
        }
    }

    /// Counts an attempt from `address` for `account`; `Err(seconds)` when either is over
    /// its limit, with the time until it may try again.
    pub fn attempt(&self, address: IpAddr, account: &str) -> Result<(), u64> {
        let now = Instant::now();
        let over_address = bump(
            &self.addresses,
            client(address),
            now,
            ADDRESS_WINDOW,
            self.address_attempts,
        );
        let over_account = {
            let map = lock(&self.accounts);
            map.get(account)
                .filter(|w| {
                    now.duration_since(w.start) < ACCOUNT_WINDOW && w.count >= ACCOUNT_FAILURES
                })
                .map(|w| ACCOUNT_WINDOW.saturating_sub(now.duration_since(w.start)))
        };
        match over_address.or(over_account) {
            Some(wait) => Err(wait.as_secs().max(1)),
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in against the account.
    pub fn failed(&self, account: &str) {
        bump(
            &self.accounts,
            account.to_string(),
            Instant::now(),
            ACCOUNT_WINDOW,
            u32::MAX,
        );
    }

    /// A successful sign-in clears the account's failures.
    pub fn succeeded(&self, account: &str) {
        lock(&self.accounts).remove(account);
    }
}

/// The address a client is counted under: an IPv4 address as it is (also when it
/// arrives IPv4-mapped on a dual-stack socket), an IPv6 address by its /64, the block
/// one subscriber gets: counted one by one, the addresses of a /64 would give one client
/// 2^64 budgets.
fn client(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut bits = v6.octets();
                bits[8..].fill(0);
                IpAddr::from(bits)
            }
        },
    }
}

/// Adds one to the key's window (starting a new one when the old has passed); returns
/// how long until the window ends when the count is over `limit`.
fn bump<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Window>>,
    key: K,
    now: Instant,
    window: Duration,
    limit: u32,
) -> Option<Duration> {
    let mut map = lock(map);
    if map.len() >= SWEEP_AT {
        map.retain(|_, w| now.duration_since(w.start) < window);
    }
    let entry = map.entry(key).or_insert(Window {
        start: now,
        count: 0,
    });
    if now.duration_since(entry.start) >= window {
        *entry = Window {
            start: now,
            count: 0,
        };
    }
    entry.count = entry.count.saturating_add(1);
    (entry.count > limit).then(|| window.saturating_sub(now.duration_since(entry.start)))
}

/// A poisoned lock only means another request panicked mid-count: the counts are
/// still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_refused_after_its_failures_and_cleared_by_success() {
        let limiter = LoginLimiter::new(ADDRESS_ATTEMPTS);
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..ACCOUNT_FAILURES {
            assert!(limiter.attempt(ip, "a@x").is_ok());
            limiter.failed("a@x");
        }
        assert!(limiter.attempt(ip, "a@x").is_err());
        assert!(limiter.attempt(ip, "b@x").is_ok());
        limiter.succeeded("a@x");
        assert!(limiter.attempt(ip, "a@x").is_ok());
    }

    #[test]
    fn an_address_is_refused_after_its_attempts() {
        let limiter = LoginLimiter::new(ADDRESS_ATTEMPTS);
        let ip: IpAddr = [127, 0, 0, 2].into();
        let results: Vec<bool> = (0..=ADDRESS_ATTEMPTS)
            .map(|i| limiter.attempt(ip, &format!("u{i}@x")).is_ok())
            .collect();
        assert!(results[..ADDRESS_ATTEMPTS as usize].iter().all(|ok| *ok));
        assert!(!results[ADDRESS_ATTEMPTS as usize]);
        assert!(limiter.attempt([127, 0, 0, 3].into(), "u@x").is_ok());
    }

    #[test]
    fn the_addresses_of_one_ipv6_slash_64_share_a_budget_and_mapped_ipv4_counts_as_ipv4() {
        let limiter = LoginLimiter::new(3);
        let in_block = |last: u16| -> IpAddr {
            std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, last, last, last, last).into()
        };
        let results: Vec<bool> = (1..=4)
            .map(|i| limiter.attempt(in_block(i), "v6@x").is_ok())
            .collect();
        assert_eq!(results, [true, true, true, false]);
        // The next /64 has its own budget.
        let next: IpAddr = std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1).into();
        assert!(limiter.attempt(next, "v6@x").is_ok());
        // IPv4 clients seen IPv4-mapped on a dual-stack socket are each their own client
        // (all of them lie in one /64), and the same as when seen as IPv4.
        let mapped = |d: u8| -> IpAddr {
            std::net::Ipv4Addr::new(192, 0, 2, d)
                .to_ipv6_mapped()
                .into()
        };
        for _ in 0..3 {
            assert!(limiter.attempt(mapped(1), "v4@x").is_ok());
        }
        assert!(limiter.attempt(mapped(2), "v4@x").is_ok());
        assert!(limiter.attempt([192, 0, 2, 1].into(), "v4@x").is_err());
    }
}
