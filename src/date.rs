//! Dates of snapshot rows (SPEC §1, §10): parsing, the UTC instant, printing.
//!
//! Accepted spellings: `YYYY-MM-DD`, or date + (`T` or space) +
//! `HH:MM:SS[.fraction]`, optionally followed by `Z` or `±HH:MM`. Values
//! without an offset are UTC. Leap second 60, offsets without a colon and
//! out-of-range fields are errors. Fractions finer than a nanosecond are
//! truncated.

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
/// Nanoseconds in one day.
pub const NANOS_PER_DAY: i64 = SECS_PER_DAY * NANOS_PER_SEC;

/// A row's date: the UTC instant and whether the input spelled a date only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub nanos: i64,
    /// The input was `YYYY-MM-DD` (printed back the same way).
    pub date_only: bool,
}

impl Stamp {
    /// The UTC calendar day, as days since 1970-01-01.
    pub fn day(&self) -> i64 {
        self.nanos.div_euclid(NANOS_PER_DAY)
    }
}

/// Why a date did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not of the accepted shape.
    Format,
    /// A field is out of its range (month 13, second 60, Feb 30...).
    Range,
    /// A valid date whose instant does not fit i64 nanoseconds since 1970.
    Span,
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Format => f.write_str(
                "is not a date (expected YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[.f] or RFC 3339)",
            ),
            DateError::Range => f.write_str("is not a valid date/time (a field is out of range)"),
            DateError::Span => f.write_str(
                "is outside the supported span 1677-09-21T00:12:44Z..2262-04-11T23:47:16Z",
            ),
        }
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        b.iter()
            .fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0')),
    )
}

/// Whether `y` is a Gregorian leap year.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1..=12) of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Parse a date cell (already trimmed).
pub fn parse(s: &[u8]) -> Result<Stamp, DateError> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return Err(DateError::Format);
    }
    let y = digits(&s[0..4]).ok_or(DateError::Format)?;
    let m = digits(&s[5..7]).ok_or(DateError::Format)?;
    let d = digits(&s[8..10]).ok_or(DateError::Format)?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(DateError::Range);
    }
    let day = days_from_civil(y, m, d);
    if s.len() == 10 {
        // Instants are i64 nanoseconds (SPEC §5): 1677-09-21 .. 2262-04-11.
        let nanos = day.checked_mul(NANOS_PER_DAY).ok_or(DateError::Span)?;
        return Ok(Stamp {
            nanos,
            date_only: true,
        });
    }
    let t = &s[10..];
    if t.len() < 9 || !(t[0] == b'T' || t[0] == b' ') || t[3] != b':' || t[6] != b':' {
        return Err(DateError::Format);
    }
    let hh = digits(&t[1..3]).ok_or(DateError::Format)?;
    let mi = digits(&t[4..6]).ok_or(DateError::Format)?;
    let ss = digits(&t[7..9]).ok_or(DateError::Format)?;
    if hh > 23 || mi > 59 || ss > 59 {
        return Err(DateError::Range);
    }
    let mut rest = &t[9..];
    let mut frac_nanos = 0i64;
    if let Some((&b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return Err(DateError::Format);
        }
        for (i, &b) in after[..n].iter().enumerate() {
            if i < 9 {
                frac_nanos += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
            }
        }
        rest = &after[n..];
    }
    let offset_secs = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2]).ok_or(DateError::Format)?;
            let om = digits(&[*m1, *m2]).ok_or(DateError::Format)?;
            if oh > 23 || om > 59 {
                return Err(DateError::Range);
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return Err(DateError::Format),
    };
    let secs = day * SECS_PER_DAY + hh * 3600 + mi * 60 + ss - offset_secs;
    let nanos = secs
        .checked_mul(NANOS_PER_SEC)
        .and_then(|n| n.checked_add(frac_nanos))
        .ok_or(DateError::Span)?;
    Ok(Stamp {
        nanos,
        date_only: false,
    })
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A row's date as printed: `YYYY-MM-DD` for date-only input, else RFC 3339
/// UTC (`2024-03-31T21:30:00Z`, with a fraction only when non-zero).
pub fn format_stamp(stamp: Stamp) -> String {
    let day = stamp.day();
    if stamp.date_only {
        return format_day(day);
    }
    let in_day = stamp.nanos - day * NANOS_PER_DAY;
    let secs = in_day / NANOS_PER_SEC;
    let frac = in_day % NANOS_PER_SEC;
    let mut out = format!(
        "{}T{:02}:{:02}:{:02}",
        format_day(day),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        let f = format!("{frac:09}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Stamp, DateError> {
        parse(s.as_bytes())
    }

    #[test]
    fn date_only_and_epoch() {
        assert_eq!(
            p("1970-01-01").unwrap(),
            Stamp {
                nanos: 0,
                date_only: true
            }
        );
        // 2024-01-01 is 19723 days after 1970-01-01 (hand: 54 years, 13 leap days: 54*365+13).
        assert_eq!(p("2024-01-01").unwrap().day(), 19_723);
        assert_eq!(p("1969-12-31").unwrap().day(), -1);
    }

    #[test]
    fn datetimes_and_offsets() {
        let a = p("2024-03-31T21:30:00Z").unwrap();
        let b = p("2024-04-01 00:30:00+03:00").unwrap();
        let c = p("2024-03-31T21:30:00").unwrap();
        assert_eq!(a.nanos, b.nanos);
        assert_eq!(a.nanos, c.nanos);
        assert!(!a.date_only);
        // An offset that moves the UTC date back a day.
        assert_eq!(
            p("2024-01-01T01:00:00+02:00").unwrap().day(),
            p("2023-12-31").unwrap().day()
        );
        assert_eq!(
            p("2024-01-01T00:00:00.5Z").unwrap().nanos % NANOS_PER_SEC,
            500_000_000
        );
        assert_eq!(
            format_stamp(p("2024-04-01 00:30:00.250+03:00").unwrap()),
            "2024-03-31T21:30:00.25Z"
        );
        assert_eq!(format_stamp(p("2024-02-29").unwrap()), "2024-02-29");
    }

    #[test]
    fn rejects() {
        for bad in [
            "2024-1-01",
            "2024/01/01",
            "20240101",
            "2024-01-01T",
            "2024-01-01T10:00",
            "2024-01-01T10:00:00+0200",
            "2024-01-01T10:00:00.Z",
            "2024-01-01t10:00:00Z",
            "2024-01-01Z",
            "abc",
            "",
        ] {
            assert_eq!(p(bad), Err(DateError::Format), "{bad}");
        }
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-01-01T24:00:00",
            "2024-01-01T23:60:00",
            "2016-12-31T23:59:60Z",
            "2024-01-01T10:00:00+24:00",
        ] {
            assert_eq!(p(bad), Err(DateError::Range), "{bad}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for day in -800_000..800_000i64 {
            if day % 997 != 0 {
                continue;
            }
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
