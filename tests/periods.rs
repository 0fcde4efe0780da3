//! Period bucketing on UTC day numbers (SPEC §4.2): Monday..Sunday weeks
//! (pandas `W-SUN`), calendar months, calendar quarters.

use gemscan::periods::{
    civil_from_days, days_from_civil, format_day, period_key, period_of, weekday_from_monday,
    SliceBy,
};

fn day(y: i32, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d)
}

fn label(y: i32, m: u32, d: u32, by: SliceBy) -> String {
    period_of(day(y, m, d), by).label
}

#[test]
fn known_day_numbers() {
    assert_eq!(day(1970, 1, 1), 0);
    assert_eq!(day(1969, 12, 31), -1);
    assert_eq!(day(2024, 1, 1), 19723);
    assert_eq!(day(2000, 3, 1), 11017);
    assert_eq!(day(1900, 1, 1), -25567);
    assert_eq!(civil_from_days(19723), (2024, 1, 1));
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    assert_eq!(civil_from_days(-719_468), (0, 3, 1));
    assert_eq!(format_day(19723), "2024-01-01");
    assert_eq!(format_day(day(2024, 2, 29)), "2024-02-29");
    assert_eq!(format_day(-25567), "1900-01-01");
}

#[test]
fn weekday_anchors() {
    assert_eq!(weekday_from_monday(0), 3); // 1970-01-01 was a Thursday
    assert_eq!(weekday_from_monday(day(2024, 1, 1)), 0); // Monday
    assert_eq!(weekday_from_monday(day(2024, 12, 29)), 6); // Sunday
    assert_eq!(weekday_from_monday(-4), 6); // 1969-12-28, Sunday
}

#[test]
fn civil_round_trip_and_successor_over_wide_range() {
    // Every day from 1600-01-01 to 2400-12-31: round trip, and the next day
    // number is the next calendar day (Gregorian leap rules checked naively).
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let len = |y: i32, m: u32| match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let start = day(1600, 1, 1);
    let end = day(2400, 12, 31);
    let (mut y, mut m, mut d) = (1600, 1u32, 1u32);
    for z in start..=end {
        assert_eq!(civil_from_days(z), (y, m, d), "day {z}");
        assert_eq!(days_from_civil(y, m, d), z);
        d += 1;
        if d > len(y, m) {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
}

#[test]
fn weeks_run_monday_to_sunday_across_year_end() {
    // The example: 2024-12-30 is in 2024-12-30/2025-01-05, not with 2024-01-01.
    assert_eq!(label(2024, 12, 30, SliceBy::Week), "2024-12-30/2025-01-05");
    assert_eq!(label(2025, 1, 5, SliceBy::Week), "2024-12-30/2025-01-05");
    assert_eq!(label(2025, 1, 1, SliceBy::Week), "2024-12-30/2025-01-05");
    assert_eq!(label(2024, 1, 1, SliceBy::Week), "2024-01-01/2024-01-07");
    // Sunday/Monday boundary.
    assert_eq!(label(2024, 12, 29, SliceBy::Week), "2024-12-23/2024-12-29");
    assert_eq!(label(2025, 1, 6, SliceBy::Week), "2025-01-06/2025-01-12");
    assert_ne!(
        period_of(day(2024, 12, 29), SliceBy::Week).key,
        period_of(day(2024, 12, 30), SliceBy::Week).key
    );
    // Before 1970 (negative day numbers).
    assert_eq!(period_of(0, SliceBy::Week).label, "1969-12-29/1970-01-04");
    assert_eq!(period_of(-4, SliceBy::Week).label, "1969-12-22/1969-12-28");
    assert_eq!(period_of(-3, SliceBy::Week).label, "1969-12-29/1970-01-04");
    let p = period_of(day(2024, 12, 31), SliceBy::Week);
    assert_eq!(
        (p.first_day, p.last_day),
        (day(2024, 12, 30), day(2025, 1, 5))
    );
}

#[test]
fn months_and_quarters() {
    assert_eq!(label(2024, 1, 31, SliceBy::Month), "2024-01");
    assert_eq!(label(2024, 2, 1, SliceBy::Month), "2024-02");
    assert_eq!(label(2024, 12, 31, SliceBy::Month), "2024-12");
    assert_eq!(label(2025, 1, 1, SliceBy::Month), "2025-01");
    assert_eq!(label(1969, 12, 31, SliceBy::Month), "1969-12");
    let feb = period_of(day(2024, 2, 10), SliceBy::Month);
    assert_eq!(
        (feb.first_day, feb.last_day),
        (day(2024, 2, 1), day(2024, 2, 29))
    );
    let feb23 = period_of(day(2023, 2, 10), SliceBy::Month);
    assert_eq!(feb23.last_day, day(2023, 2, 28));

    // Quarter edges.
    assert_eq!(label(2024, 1, 1, SliceBy::Quarter), "2024Q1");
    assert_eq!(label(2024, 3, 31, SliceBy::Quarter), "2024Q1");
    assert_eq!(label(2024, 4, 1, SliceBy::Quarter), "2024Q2");
    assert_eq!(label(2024, 6, 30, SliceBy::Quarter), "2024Q2");
    assert_eq!(label(2024, 7, 1, SliceBy::Quarter), "2024Q3");
    assert_eq!(label(2024, 9, 30, SliceBy::Quarter), "2024Q3");
    assert_eq!(label(2024, 10, 1, SliceBy::Quarter), "2024Q4");
    assert_eq!(label(2024, 12, 31, SliceBy::Quarter), "2024Q4");
    assert_eq!(label(2025, 1, 1, SliceBy::Quarter), "2025Q1");
    assert_eq!(label(1969, 12, 31, SliceBy::Quarter), "1969Q4");
    let q4 = period_of(day(2024, 11, 15), SliceBy::Quarter);
    assert_eq!(
        (q4.first_day, q4.last_day),
        (day(2024, 10, 1), day(2024, 12, 31))
    );
}

#[test]
fn keys_increase_with_time_and_match_labels() {
    for by in [SliceBy::Week, SliceBy::Month, SliceBy::Quarter] {
        let mut prev = period_of(-800, by);
        for z in -799..20_000 {
            let p = period_of(z, by);
            assert_eq!(period_key(z, by), p.key);
            assert!(p.key >= prev.key, "{by} {z}");
            assert_eq!(p.key == prev.key, p.label == prev.label, "{by} {z}");
            assert!(p.first_day <= z && z <= p.last_day, "{by} {z}");
            if p.key != prev.key {
                assert_eq!(p.first_day, z, "{by}: a new period starts on its first day");
                assert_eq!(prev.last_day, z - 1);
            }
            prev = p;
        }
    }
}

#[test]
fn slice_by_parses_and_serialises_lowercase() {
    assert_eq!("week".parse::<SliceBy>(), Ok(SliceBy::Week));
    assert_eq!("month".parse::<SliceBy>(), Ok(SliceBy::Month));
    assert_eq!("quarter".parse::<SliceBy>(), Ok(SliceBy::Quarter));
    assert!("Month".parse::<SliceBy>().is_err());
    assert!("year".parse::<SliceBy>().is_err());
    assert_eq!(SliceBy::default(), SliceBy::Month);
    assert_eq!(SliceBy::Quarter.to_string(), "quarter");
    assert_eq!(
        serde_json::to_string(&SliceBy::Week).ok().as_deref(),
        Some("\"week\"")
    );
    assert_eq!(SliceBy::Week.periods_per_year(), 52.0);
    assert_eq!(SliceBy::Month.periods_per_year(), 12.0);
    assert_eq!(SliceBy::Quarter.periods_per_year(), 4.0);
}
