//! Calendar arithmetic on UTC day numbers and time-slice bucketing
//! (SPEC §4.2): Monday..Sunday weeks (pandas `W-SUN`), calendar months and
//! calendar quarters.
//!
//! A *day number* is the count of days since 1970-01-01 (UTC), negative
//! before 1970. Conversions use the proleptic Gregorian calendar (Howard
//! Hinnant's `days_from_civil` / `civil_from_days` algorithms), exact for
//! every year representable as `i32`.

use serde::Serialize;

use crate::date;
use std::fmt;
use std::str::FromStr;

/// Length of a time slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SliceBy {
    /// Monday..Sunday (pandas `W-SUN`), label `2024-01-01/2024-01-07`.
    Week,
    /// Calendar month, label `2024-01`.
    #[default]
    Month,
    /// Calendar quarter, label `2024Q1`.
    Quarter,
}

impl SliceBy {
    /// Lower-case name as used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SliceBy::Week => "week",
            SliceBy::Month => "month",
            SliceBy::Quarter => "quarter",
        }
    }

    /// Default `--periods-per-year` for a time-sliced risk series
    /// (SPEC §6): 52 per week, 12 per month, 4 per quarter.
    pub fn periods_per_year(self) -> f64 {
        match self {
            SliceBy::Week => 52.0,
            SliceBy::Month => 12.0,
            SliceBy::Quarter => 4.0,
        }
    }
}

impl fmt::Display for SliceBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of [`SliceBy::from_str`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseSliceByError(pub String);

impl fmt::Display for ParseSliceByError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid slice length {:?}: expected one of week, month, quarter",
            self.0
        )
    }
}

impl std::error::Error for ParseSliceByError {}

impl FromStr for SliceBy {
    type Err = ParseSliceByError;

    /// Parses `week`, `month` or `quarter` (exact, lower case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "week" => Ok(SliceBy::Week),
            "month" => Ok(SliceBy::Month),
            "quarter" => Ok(SliceBy::Quarter),
            other => Err(ParseSliceByError(other.to_string())),
        }
    }
}

/// The period a day falls in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Sort key, strictly increasing with time for a given [`SliceBy`]:
    /// week = day number of its Monday; month = `year * 12 + month - 1`;
    /// quarter = `year * 4 + quarter - 1`.
    pub key: i64,
    /// `2024-01-01/2024-01-07` (week), `2024-01` (month), `2024Q1` (quarter).
    pub label: String,
    /// First calendar day of the period (day number). Not the first row date.
    pub first_day: i64,
    /// Last calendar day of the period (day number). Not the last row date.
    pub last_day: i64,
}

/// Day number (days since 1970-01-01) of the civil date `y-m-d`
/// (proleptic Gregorian; `m` in 1..=12, `d` in 1..=31, not validated).
/// Typed wrapper of [`crate::date::days_from_civil`].
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    date::days_from_civil(i64::from(y), i64::from(m), i64::from(d))
}

/// Civil date `(year, month 1..=12, day 1..=31)` of a day number.
/// Years outside `i32` wrap (day numbers that large do not come from dates).
/// Typed wrapper of [`crate::date::civil_from_days`].
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let (y, m, d) = date::civil_from_days(z);
    (y as i32, m as u32, d as u32)
}

/// Day of the week, 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday_from_monday(day: i64) -> u32 {
    (day + 3).rem_euclid(7) as u32
}

fn format_year(y: i32) -> String {
    if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        // ISO 8601 expanded year: explicit sign.
        format!("{y:+05}")
    }
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{}-{m:02}-{d:02}", format_year(y))
}

/// Number of days in month `m` of year `y`.
fn days_in_month(y: i32, m: u32) -> i64 {
    date::days_in_month(i64::from(y), i64::from(m))
}

/// The period of `by` that contains the UTC day `day`.
///
/// Weeks run Monday..Sunday, so 2024-12-30 (a Monday) is in
/// `2024-12-30/2025-01-05` and 2024-12-29 (a Sunday) in
/// `2024-12-23/2024-12-29`.
pub fn period_of(day: i64, by: SliceBy) -> Period {
    match by {
        SliceBy::Week => {
            let monday = day - i64::from(weekday_from_monday(day));
            let sunday = monday + 6;
            Period {
                key: monday,
                label: format!("{}/{}", format_day(monday), format_day(sunday)),
                first_day: monday,
                last_day: sunday,
            }
        }
        SliceBy::Month => {
            let (y, m, _) = civil_from_days(day);
            let first = days_from_civil(y, m, 1);
            Period {
                key: i64::from(y) * 12 + i64::from(m) - 1,
                label: format!("{}-{m:02}", format_year(y)),
                first_day: first,
                last_day: first + days_in_month(y, m) - 1,
            }
        }
        SliceBy::Quarter => {
            let (y, m, _) = civil_from_days(day);
            let q = (m - 1) / 3; // 0..=3
            let first_month = q * 3 + 1;
            let first = days_from_civil(y, first_month, 1);
            let next = if q == 3 {
                days_from_civil(y.wrapping_add(1), 1, 1)
            } else {
                days_from_civil(y, first_month + 3, 1)
            };
            Period {
                key: i64::from(y) * 4 + i64::from(q),
                label: format!("{}Q{}", format_year(y), q + 1),
                first_day: first,
                last_day: next - 1,
            }
        }
    }
}

/// Sort key of the period containing `day`, without building the label
/// (cheap; use it to group rows, then [`period_of`] once per period).
pub fn period_key(day: i64, by: SliceBy) -> i64 {
    match by {
        SliceBy::Week => day - i64::from(weekday_from_monday(day)),
        SliceBy::Month => {
            let (y, m, _) = civil_from_days(day);
            i64::from(y) * 12 + i64::from(m) - 1
        }
        SliceBy::Quarter => {
            let (y, m, _) = civil_from_days(day);
            i64::from(y) * 4 + i64::from((m - 1) / 3)
        }
    }
}
