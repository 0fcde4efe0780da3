//! Deterministic synthetic snapshot files, for benchmarks and scale tests.
//!
//! [`generate`] writes `token,date,f_<8 gem features>,f_Recency,
//! f_DataCompleteness,f_MarketCap,f_PriceChange7d,future_return_7d`, sorted
//! by date then token like real snapshot exports (`tokens` per date, dates
//! from 2020-01-01). Feature values carry 3 decimals, so exact score ties
//! occur as in real scoring data; about 0.5 % of feature cells are missing
//! (empty, `NaN` or `NA`) and about 0.2 % of returns. The same arguments
//! always give the same bytes: the random numbers come from SplitMix64,
//! written out here so that no crate version can change the output.
//! `examples/gen_snapshots.rs` is its command-line front end.

use std::io::Write;

use crate::date::civil_from_days;
use crate::score::{CONFIDENCE_FEATURES, DEFAULT_ORDER};

/// The gem-score features in table order, then the confidence inputs.
fn features() -> impl Iterator<Item = &'static str> {
    DEFAULT_ORDER.into_iter().chain(CONFIDENCE_FEATURES)
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, fully specified; the
/// state is the tuple field (any seed). Also the tests' and benches' source
/// of deterministic random numbers.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1), 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Write `rows` data rows (plus the header) for `tokens` tokens per date.
pub fn generate(w: &mut impl Write, rows: u64, seed: u64, tokens: u64) -> std::io::Result<()> {
    let tokens = tokens.max(1);
    write!(w, "token,date")?;
    for f in features() {
        write!(w, ",f_{f}")?;
    }
    writeln!(w, ",f_MarketCap,f_PriceChange7d,future_return_7d")?;
    let mut rng = SplitMix64(seed);
    let start_day: i64 = 18_262; // 2020-01-01
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        let (day, tok) = ((i / tokens) as i64, i % tokens);
        let (y, m, d) = civil_from_days(start_day + day);
        line.clear();
        use std::fmt::Write as _;
        let _ = write!(line, "TK{tok:05},{y:04}-{m:02}-{d:02}");
        for j in 0..features().count() {
            let r = rng.below(1000);
            match r {
                0..=1 => line.push(','),
                2 => line.push_str(",NaN"),
                3 if j % 2 == 0 => line.push_str(",NA"),
                _ => {
                    // Skew upwards a little so that some rows pass the flag rule.
                    let v = rng.below(1001);
                    let v = if j >= 8 { 1000 - v / 10 } else { v };
                    let _ = write!(line, ",{}.{:03}", v / 1000, v % 1000);
                }
            }
        }
        // Market cap: log-uniform-ish, two decimals; momentum in [-0.5, 0.5].
        let cap = (rng.below(1_000_000) + 1) * (rng.below(10_000) + 1);
        let _ = write!(line, ",{}.{:02}", cap, rng.below(100));
        let mom = rng.below(100_001) as i64 - 50_000;
        let _ = write!(line, ",{}", mom as f64 / 100_000.0);
        if rng.below(1000) < 2 {
            line.push(',');
        } else {
            let ret = rng.below(40_001) as i64 - 19_500;
            let _ = write!(line, ",{}", ret as f64 / 100_000.0);
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// The whole file as bytes (for in-memory benchmarks).
pub fn generate_vec(rows: u64, seed: u64, tokens: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(rows as usize * 110 + 256);
    // Writing to a Vec cannot fail.
    let _ = generate(&mut v, rows, seed, tokens);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_well_formed() {
        let a = generate_vec(500, 3, 40);
        assert_eq!(a, generate_vec(500, 3, 40), "same arguments, same bytes");
        assert_ne!(a, generate_vec(500, 4, 40), "the seed matters");
        let text = String::from_utf8(a).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 501);
        assert!(lines[0].starts_with("token,date,f_SentimentScore,"));
        let fields = lines[0].split(',').count();
        assert!(lines.iter().all(|l| l.split(',').count() == fields));
        // 40 tokens per date: rows 0..40 on 2020-01-01, row 40 on 2020-01-02.
        assert!(lines[1].starts_with("TK00000,2020-01-01,"));
        assert!(lines[41].starts_with("TK00000,2020-01-02,"));
    }
}
