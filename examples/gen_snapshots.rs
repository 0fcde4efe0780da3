//! Deterministic generator of large snapshot files for benchmarks
//! (see `gemscan::synth` for the layout).
//!
//! ```sh
//! cargo run --release --example gen_snapshots -- --rows 10000000 --seed 1 > big.csv
//! ```

use std::io::{BufWriter, Write};

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
            "--tokens" => tokens = val(),
            _ => usage(),
        }
    }
    if rows == 0 {
        usage();
    }
    let out = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    gemscan::synth::generate(&mut w, rows, seed, tokens)?;
    w.flush()
}
