//! Calendar dates (`YYYY-MM-DD`) as days since 1970-01-01.
//!
//! Hand-written rather than taken from `time` or `chrono`: the engine needs only strict
//! parsing, printing, ordering and day differences (aging), and this is about 60 lines
//! against tens of kilobytes of wasm for a general date library.

#![warn(missing_docs)]

use std::fmt;

use crate::error::{err, Result};

/// A calendar day. Ordered, copyable, four bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// Parses `YYYY-MM-DD` with a real calendar check (no 2026-02-30, no 2026-13-01).
    pub fn parse(field: &str, text: &str) -> Result<Date> {
        let shown = crate::error::clip(text);
        let bad = || {
            err!(
                InvalidDate,
                "{field}: '{shown}' is not a date in the form YYYY-MM-DD"
            )
            .at(field)
            .rule("not_a_date")
            .with("value", shown.as_ref())
            .word("expected", "YYYY-MM-DD")
        };
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |s: &[u8]| -> Option<u32> {
            s.iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let (Some(y), Some(m), Some(d)) = (num(&b[0..4]), num(&b[5..7]), num(&b[8..10])) else {
            return Err(bad());
        };
        if y == 0 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err(err!(
                InvalidDate,
                "{field}: '{shown}' is not a day of the calendar"
            )
            .at(field)
            .rule("not_a_day")
            .with("value", shown)
            .word("expected", "YYYY-MM-DD"));
        }
        Ok(Date::from_ymd(y as i32, m, d))
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    fn from_ymd(y: i32, m: u32, d: u32) -> Date {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    /// Year, month, day (Hinnant's `civil_from_days`).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    /// Days since 1970-01-01 (snapshots store dates so).
    pub fn day_number(self) -> i32 {
        self.0
    }

    /// The day `days` after 1970-01-01, if it is in years 1–9999 like every parsed date
    /// (a damaged snapshot can't bring in a day whose arithmetic would overflow).
    pub fn from_day_number(days: i32) -> Option<Date> {
        (-719_162..=2_932_896).contains(&days).then_some(Date(days))
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i32 {
        later.0 - self.0
    }

    /// The day `days` after this one.
    pub fn plus_days(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// A key that orders dates as they order, for [`crate::sort`].
    pub(crate) fn sort_key(self) -> u64 {
        u64::from((self.0 as u32) ^ 0x8000_0000)
    }
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// `YYYY-MM-DD` in JSON; a day number in binary formats (snapshots), which is smaller and
/// needs no parsing on restore.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_i32(self.0)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Date::parse("date", &text).map_err(serde::de::Error::custom)
        } else {
            // Only days of years 1–9999, like `parse`: a hand-edited snapshot can't smuggle
            // in a day number whose arithmetic would overflow.
            let days = i32::deserialize(d)?;
            if !(-719_162..=2_932_896).contains(&days) {
                return Err(serde::de::Error::custom("day number outside years 1-9999"));
            }
            Ok(Date(days))
        }
    }
}

/// Checks an RFC 3339 timestamp (`2026-01-05T09:30:00Z`, `...+01:00`, fractions allowed).
/// The engine never reads a clock; `at` is kept verbatim for the audit trail.
pub fn check_timestamp(field: &str, text: &str) -> Result<()> {
    let shown = crate::error::clip(text);
    let bad = || {
        err!(
            InvalidDate,
            "{field}: '{shown}' is not an RFC 3339 timestamp such as 2026-01-05T09:30:00Z"
        )
        .at(field)
        .rule("not_a_timestamp")
        .with("value", shown.as_ref())
        .word("expected", "RFC 3339")
    };
    // `get`, not `[..10]`: no panic path (and its formatting) in the module.
    let day = match text.get(..10) {
        Some(day) if text.len() >= 20 => day,
        _ => return Err(bad()),
    };
    Date::parse(field, day).map_err(|_| bad())?;
    let rest = &text.as_bytes()[10..];
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let time_ok = matches!(rest[0], b'T' | b't' | b' ')
        && digits(&rest[1..3])
        && rest[3] == b':'
        && digits(&rest[4..6])
        && rest[6] == b':'
        && digits(&rest[7..9]);
    if !time_ok {
        return Err(bad());
    }
    let (h, mi, s) = (
        (rest[1] - b'0') * 10 + rest[2] - b'0',
        (rest[4] - b'0') * 10 + rest[5] - b'0',
        (rest[7] - b'0') * 10 + rest[8] - b'0',
    );
    if h > 23 || mi > 59 || s > 60 {
        return Err(bad());
    }
    let mut tail = &rest[9..];
    if let Some(frac) = tail.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(bad());
        }
        tail = &frac[n..];
    }
    let zone_ok = match tail {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            digits(&[*h1, *h2, *m1, *m2])
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    };
    if zone_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_for_centuries() {
        let start = Date::parse("d", "1900-01-01").unwrap();
        for i in 0..200 * 366 {
            let d = start.plus_days(i);
            assert_eq!(Date::parse("d", &d.to_string()).unwrap(), d);
        }
        assert_eq!(Date::parse("d", "1970-01-01").unwrap(), Date(0));
    }

    #[test]
    fn calendar_is_checked() {
        assert!(Date::parse("d", "2024-02-29").is_ok());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-01-01",
            "2026/01/01",
            "2026-1-01",
            "0000-01-01",
            "2026-01-01T",
        ] {
            assert!(Date::parse("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_differences() {
        let a = Date::parse("d", "2026-01-31").unwrap();
        let b = Date::parse("d", "2026-03-01").unwrap();
        assert_eq!(a.days_until(b), 29);
    }

    #[test]
    fn timestamps() {
        for ok in [
            "2026-01-05T09:30:00Z",
            "2026-01-05T09:30:00.123+01:00",
            "2026-01-05 09:30:00-05:00",
        ] {
            assert!(check_timestamp("at", ok).is_ok(), "{ok}");
        }
        for bad in [
            "2026-01-05",
            "2026-01-05T25:00:00Z",
            "2026-01-05T09:30:00",
            "2026-01-05T09:30:00+1",
            "yesterday éé",
        ] {
            assert!(check_timestamp("at", bad).is_err(), "{bad}");
        }
    }
}
