//! The `gemscan` binary: parse arguments, call the library, map errors to
//! exit codes (SPEC §7). All logic lives in the library.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use gemscan::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut err = std::io::stderr();
    let result = gemscan::app::run(&cli.command, &mut out, &mut err);
    let flushed = out.flush();
    match result {
        Ok(code) => {
            if let Err(e) = flushed {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    let _ = writeln!(err, "error: <stdout>: {e}");
                    return ExitCode::from(1);
                }
            }
            ExitCode::from(code as u8)
        }
        // A closed pipe (`gemscan ... | head`) is a clean stop, not a failure.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
