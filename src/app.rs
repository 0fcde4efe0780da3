//! Turns parsed command-line options into library calls and routes output.
//! Kept apart from `main.rs` so tests can drive whole commands in-process.

use crate::periods::SliceBy;
use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;

use crate::progress::Progress;

use crate::backtest::{self, BacktestOptions};
use crate::cli::{BacktestArgs, Command, InputArgs, OutputFormat, ScoreArgs, ScoreFormatArg};
use crate::error::{Error, Result};
use crate::report::{json, text};
use crate::score::Weights;
use crate::score_table::{self, ScoreFormat, ScoreOptions};
use crate::snapshot::ReadOptions;

/// Run one command; returns the exit status.
pub fn run(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    match command {
        Command::Backtest(a) => backtest_cmd(a, out, err),
        Command::Score(a) => score_cmd(a, out, err),
        Command::Models(a) => Ok(crate::registry::run(a, out, err)?),
        Command::Schema => {
            out.write_all(json::SCHEMA.as_bytes()).map_err(stdout_err)?;
            if !json::SCHEMA.ends_with('\n') {
                out.write_all(b"\n").map_err(stdout_err)?;
            }
            Ok(0)
        }
        Command::Validate { file } => {
            json::validate_file(file)?;
            let shown = if file.as_os_str() == "-" {
                "<stdin>".to_string()
            } else {
                file.display().to_string()
            };
            writeln!(
                out,
                "{shown}: valid gemscan backtest report (schema {})",
                backtest::SCHEMA_VERSION
            )
            .map_err(stdout_err)?;
            Ok(0)
        }
    }
}

fn stdout_err(e: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source: e,
    }
}

fn open(data: &str) -> Result<Box<dyn Read + Send>> {
    if data == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let f = File::open(data).map_err(|e| Error::Io {
        path: data.to_string(),
        source: e,
    })?;
    if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Error::Io {
            path: data.to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a directory, not a CSV file",
            ),
        });
    }
    // Unbuffered: the reader reads straight into its chunk buffers (std's
    // `read_to_end` on a `Take`: 8 KB first, doubling up to what the chunk
    // still needs); a BufReader would copy every byte once more.
    Ok(Box::new(f))
}

/// A progress line on stderr for long reads: only when stderr is a terminal
/// and `show` (stdout does not carry JSON). Silent in pipes, files, CI.
fn progress_for(data: &str, show: bool) -> Option<Arc<Progress>> {
    if !show || !std::io::stderr().is_terminal() {
        return None;
    }
    let total = if data == "-" {
        None
    } else {
        std::fs::metadata(data).ok().map(|m| m.len())
    };
    let label = if data == "-" { "<stdin>" } else { data };
    Some(Arc::new(Progress::new(
        label,
        total,
        Box::new(std::io::stderr()),
    )))
}

fn hook(p: &Option<Arc<Progress>>) -> Option<Arc<crate::progress::ProgressFn>> {
    p.clone().map(|p| {
        let f: Arc<crate::progress::ProgressFn> = Arc::new(move |bytes| p.update(bytes));
        f
    })
}

/// Usage checks of `--json-output PATH` before any work: not empty, not
/// combined with `--format json` (a PATH keeps the text report on stdout),
/// and never the input file itself.
fn check_json_path(path: &str, data: &str, format: OutputFormat) -> Result<()> {
    if path.is_empty() {
        return Err(Error::Usage(
            "--json-output needs a file path, or `-` (or no value) for JSON on stdout".into(),
        ));
    }
    if format == OutputFormat::Json {
        return Err(Error::Usage(format!(
            "--format json conflicts with --json-output {path}: a PATH keeps the text report on stdout; \
             use --json-output - (or --format json alone) for JSON on stdout"
        )));
    }
    if data != "-" {
        if let (Ok(a), Ok(b)) = (std::fs::canonicalize(path), std::fs::canonicalize(data)) {
            if a == b {
                return Err(Error::Usage(format!(
                    "--json-output {path} is the input file {data}: refusing to overwrite it"
                )));
            }
        }
    }
    Ok(())
}

fn read_options(a: &InputArgs, require_return: bool) -> Result<(Weights, ReadOptions)> {
    let weights = match &a.weights {
        Some(p) => Weights::from_file(p)?,
        None => Weights::default_table(),
    };
    Ok((
        weights,
        ReadOptions {
            delimiter: a.delimiter,
            return_col: a.return_col.trim().to_string(),
            require_return,
            strict: a.strict,
            chunk_bytes: a.chunk_bytes,
            hash: false,
            progress: None,
        },
    ))
}

fn print_warnings(err: &mut dyn Write, file: &str, warnings: &[String]) {
    let file = if file == "-" { "<stdin>" } else { file };
    for w in warnings {
        let _ = writeln!(err, "warning: {file}: {w}");
    }
}

fn backtest_cmd(a: &BacktestArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let (weights, read) = read_options(&a.input, true)?;
    let top_k =
        usize::try_from(a.top_k).map_err(|_| Error::Usage("--top-k is too large".into()))?;
    let opts = BacktestOptions {
        data_path: a.input.data.clone(),
        top_k,
        seed: a.seed,
        compare_baselines: a.compare_baselines,
        extended_metrics: a.extended_metrics,
        slice_by: match a.slice_by.as_deref() {
            Some(s) => Some(
                s.parse::<SliceBy>()
                    .map_err(|e| Error::Usage(e.to_string()))?,
            ),
            None => a.time_sliced.then_some(SliceBy::Month),
        },
        periods_per_year: a.periods_per_year,
        risk_free_rate: a.risk_free_rate,
        weights,
        read,
    };
    if let Some(path) = a.json_output.as_deref().filter(|p| *p != "-") {
        check_json_path(path, &a.input.data, a.format)?;
    }
    let json_on_stdout = match a.json_output.as_deref() {
        Some("-") => true,
        _ => a.format == OutputFormat::Json,
    };
    // Only the JSON report carries `data_sha256` and is schema-checked; a
    // text-only run skips both (together about a sixth of its CPU time).
    let json_wanted = json_on_stdout || a.json_output.is_some();
    let progress = progress_for(&a.input.data, !json_on_stdout);
    let mut opts = opts;
    opts.read.progress = hook(&progress);
    opts.read.hash = json_wanted;
    let input = open(&a.input.data)?;
    let schema = json_wanted.then(json::SchemaCheck::start);
    let result = backtest::run(input, &opts);
    if let Some(p) = &progress {
        p.finish();
    }
    let (report, warnings) = result?;
    print_warnings(err, &a.input.data, &warnings);
    if let Some(schema) = schema {
        let value = json::to_value(&report)?;
        schema.validate(&value, "<report>")?;
        let json_text = json::to_text(&value);
        match a.json_output.as_deref() {
            Some(path) if path != "-" => json::write_atomic(Path::new(path), &json_text)?,
            _ => {}
        }
        if json_on_stdout {
            out.write_all(json_text.as_bytes()).map_err(stdout_err)?;
        }
    }
    if !json_on_stdout {
        out.write_all(text::render(&report).as_bytes())
            .map_err(stdout_err)?;
    }
    out.flush().map_err(stdout_err)?;
    if let Some(path) = a.json_output.as_deref().filter(|p| *p != "-") {
        let _ = writeln!(err, "wrote {path}");
    }
    Ok(0)
}

fn score_cmd(a: &ScoreArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let (weights, read) = read_options(&a.input, false)?;
    let opts = ScoreOptions {
        data_path: a.input.data.clone(),
        weights,
        read,
        limit: a.limit,
        format: match a.format {
            ScoreFormatArg::Csv => ScoreFormat::Csv,
            ScoreFormatArg::Json => ScoreFormat::Json,
        },
    };
    let progress = progress_for(&a.input.data, a.format != ScoreFormatArg::Json);
    let mut opts = opts;
    opts.read.progress = hook(&progress);
    let input = open(&a.input.data)?;
    // Buffer the table so a late error never leaves half a table on stdout.
    let mut buf = Vec::new();
    let result = score_table::run(input, &opts, &mut buf);
    if let Some(p) = &progress {
        p.finish();
    }
    let warnings = result?;
    print_warnings(err, &a.input.data, &warnings);
    out.write_all(&buf).map_err(stdout_err)?;
    out.flush().map_err(stdout_err)?;
    Ok(0)
}
