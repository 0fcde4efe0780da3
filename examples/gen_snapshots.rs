//! Deterministic generator of large snapshot files for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_snapshots -- --rows 10000000 --seed 1 > big.csv
//! ```
//!
//! Writes `token,date,f_<8 gem features>,f_Recency,f_DataCompleteness,
//! f_MarketCap,f_PriceChange7d,future_return_7d`, sorted by date then token
//! like real snapshot exports (2,000 tokens per date). Feature values carry
//! 3 decimals, so exact score ties occur as in real scoring data; about 0.5 %
//! of feature cells are missing (empty, `NaN` or `NA`) and about 0.2 % of
//! returns. The same `--rows` and `--seed` always give the same bytes: the
//! random numbers come from SplitMix64, written out here so that no crate
//! version can change the output.

use std::io::{BufWriter, Write};

const FEATURES: [&str; 10] = [
    "SentimentScore",
    "AccumulationScore",
    "OnchainActivity",
    "LiquidityDepth",
    "TokenomicsRisk",
    "ContractSafety",
    "NarrativeMomentum",
    "CommunityGrowth",
    "Recency",
    "DataCompleteness",
];

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn usage() -> ! {
    eprintln!("usage: gen_snapshots --rows N [--seed S] [--tokens T]   (CSV on stdout)");
    std::process::exit(2);
}

fn main() -> std::io::Result<()> {
    let mut rows: u64 = 0;
    let mut seed: u64 = 1;
    let mut tokens: u64 = 2000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| usage())
        };
        match a.as_str() {
            "--rows" => rows = val(),
            "--seed" => seed = val(),
            "--tokens" => tokens = val().max(1),
            _ => usage(),
        }
    }
    if rows == 0 {
        usage();
    }
    let mut rng = SplitMix64(seed);
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    write!(w, "token,date")?;
    for f in FEATURES {
        write!(w, ",f_{f}")?;
    }
    writeln!(w, ",f_MarketCap,f_PriceChange7d,future_return_7d")?;
    let start_day: i64 = 18_262; // 2020-01-01
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        let (day, tok) = ((i / tokens) as i64, i % tokens);
        let (y, m, d) = civil(start_day + day);
        line.clear();
        use std::fmt::Write as _;
        let _ = write!(line, "TK{tok:05},{y:04}-{m:02}-{d:02}");
        for (j, _) in FEATURES.iter().enumerate() {
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
    w.flush()
}
