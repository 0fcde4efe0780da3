//! Streaming reader of market snapshot CSV (SPEC §1, §10).
//!
//! The input is read in chunks of whole records. A chunk ends at the last
//! record terminator found by a quote-aware scan (a `\n` outside quotes), so
//! chunks can be parsed in parallel; each chunk's first physical line number
//! is known before it is parsed, so line numbers in errors and tie-breaks are
//! exact. Each chunk feeds its own [`RowSink`]; sinks are merged in file
//! order, so results never depend on the thread count.
//!
//! Memory: a few chunk buffers, the sinks, and one 8-byte fingerprint per row
//! for duplicate detection (16 bytes with `--strict`, to name the line).

use std::io::Read;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::date::{self, Stamp};
use crate::error::{Error, Result};

/// Default target size of one chunk of records.
pub const CHUNK_BYTES: usize = 4 << 20;

/// How to read a snapshot file.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Field delimiter (one byte).
    pub delimiter: u8,
    /// Name of the return column.
    pub return_col: String,
    /// Whether the return column must exist (`backtest`: yes; `score`: no).
    pub require_return: bool,
    /// Turn warnings into errors.
    pub strict: bool,
    /// Target chunk size in bytes ([`CHUNK_BYTES`]; tests use tiny chunks to
    /// prove results do not depend on chunking).
    pub chunk_bytes: usize,
}

/// The resolved header of a snapshot file.
#[derive(Clone, Debug)]
pub struct Header {
    /// The file's name as shown in messages (`<stdin>` for `-`).
    pub file: String,
    /// Feature names (`f_` stripped) in column order.
    pub features: Vec<String>,
    /// Whether the file has the return column.
    pub has_return: bool,
    n_fields: usize,
    actions: Vec<Action>,
    column_names: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    Ignore,
    Token,
    Date,
    Value {
        feature: Option<usize>,
        is_return: bool,
    },
}

/// One parsed row, borrowed from the reader's buffers.
#[derive(Debug)]
pub struct RowRef<'a> {
    /// Trimmed token.
    pub token: &'a str,
    /// The row's date.
    pub stamp: Stamp,
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// Feature values in column order; NaN = missing.
    pub features: &'a [f64],
    /// The return, `None` when missing (or when the file has no return column).
    pub ret: Option<f64>,
    /// SipHash-2-4 of (token, instant) under the run's seed: the random
    /// baseline's key and the duplicate fingerprint.
    pub key: u64,
}

/// What consumes rows: one sink per chunk, merged in file order.
pub trait RowSink: Send + Sized {
    /// Take one row.
    fn push(&mut self, row: &RowRef<'_>);
    /// Absorb the sink of the chunk that follows this one in the file.
    fn merge(&mut self, later: Self);
}

/// Data-quality counters (SPEC §7 `data_quality`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quality {
    pub rows_read: u64,
    pub rows_missing_return: u64,
    pub duplicate_rows: u64,
    /// Per feature column (header order).
    pub missing_feature_cells: Vec<u64>,
    first_missing_return_line: Option<u64>,
}

impl Quality {
    fn merge(&mut self, later: Quality) {
        self.rows_read += later.rows_read;
        self.rows_missing_return += later.rows_missing_return;
        self.duplicate_rows += later.duplicate_rows;
        for (a, b) in self
            .missing_feature_cells
            .iter_mut()
            .zip(later.missing_feature_cells)
        {
            *a += b;
        }
        self.first_missing_return_line = self
            .first_missing_return_line
            .or(later.first_missing_return_line);
    }

    /// Rows with a return (the universe U).
    pub fn rows_evaluated(&self) -> u64 {
        self.rows_read - self.rows_missing_return
    }
}

/// Everything a read produces.
pub struct ReadOutput<S> {
    pub header: Header,
    pub sink: S,
    pub quality: Quality,
    /// Hex SHA-256 of the input bytes.
    pub sha256: String,
    /// Summarised warnings (already checked against `--strict`).
    pub warnings: Vec<String>,
}

/// The SipHash-2-4 row key of SPEC §5: keys k0 = seed, k1 = 0, over
/// `token ‖ 0x00 ‖ i64 LE nanoseconds since the epoch`.
pub fn row_key(seed: u64, token: &[u8], nanos: i64) -> u64 {
    use std::hash::Hasher;
    let mut h = siphasher::sip::SipHasher24::new_with_keys(seed, 0);
    h.write(token);
    h.write(&[0u8]);
    h.write(&nanos.to_le_bytes());
    h.finish()
}

/// Whether `s` (trimmed) is one of the exact missing markers.
#[inline]
pub fn is_missing(s: &[u8]) -> bool {
    matches!(s, b"" | b"NaN" | b"nan" | b"NA" | b"null")
}

/// Number grammar of SPEC §10:
/// `[+-]?(digits[.digits] | digits. | .digits)([eE][+-]?digits)?`.
#[inline]
pub fn is_number(s: &[u8]) -> bool {
    let mut i = 0;
    let n = s.len();
    if i < n && (s[i] == b'+' || s[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < n && s[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < n && s[i] == b'.' {
        i += 1;
        let f = i;
        while i < n && s[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - f;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < n && (s[i] == b'e' || s[i] == b'E') {
        i += 1;
        if i < n && (s[i] == b'+' || s[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < n && s[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == n
}

/// Why a numeric cell was rejected.
#[derive(Debug, PartialEq)]
pub enum NumError {
    NotNumber,
    Overflow,
}

/// Parse a trimmed numeric cell: `Ok(None)` for a missing marker.
#[inline]
pub fn parse_number(s: &[u8]) -> std::result::Result<Option<f64>, NumError> {
    if is_missing(s) {
        return Ok(None);
    }
    if !is_number(s) {
        return Err(NumError::NotNumber);
    }
    // The grammar is ASCII, so this is valid UTF-8 and std's parser accepts it.
    let text = std::str::from_utf8(s).map_err(|_| NumError::NotNumber)?;
    let x: f64 = text.parse().map_err(|_| NumError::NotNumber)?;
    if x.is_finite() {
        Ok(Some(x))
    } else {
        Err(NumError::Overflow)
    }
}

fn display_value(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let s: String = s.chars().flat_map(char::escape_default).collect();
    if s.len() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

impl Header {
    fn parse(file: &str, rec: &csv::ByteRecord, opts: &ReadOptions) -> Result<Header> {
        let herr = |message: String| Error::Header {
            file: file.to_string(),
            message,
        };
        let mut names = Vec::with_capacity(rec.len());
        for (i, raw) in rec.iter().enumerate() {
            let mut raw = raw;
            if i == 0 {
                raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
            }
            let name = std::str::from_utf8(raw)
                .map_err(|_| herr(format!("column {} has a name that is not UTF-8", i + 1)))?
                .trim()
                .to_string();
            names.push(name);
        }
        let mut actions = vec![Action::Ignore; names.len()];
        let mut features = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let (mut token, mut dcol, mut rcol) = (None, None, None);
        for (i, name) in names.iter().enumerate() {
            let is_ret = *name == opts.return_col;
            let feature = name.strip_prefix("f_");
            let read = name == "token" || name == "date" || is_ret || feature.is_some();
            if !read {
                continue;
            }
            if seen.contains(&name.as_str()) {
                return Err(herr(format!("duplicate column {name:?}")));
            }
            seen.push(name);
            if name == "token" {
                actions[i] = Action::Token;
                token = Some(i);
            } else if name == "date" {
                actions[i] = Action::Date;
                dcol = Some(i);
            } else {
                let f = feature.map(|f| {
                    features.push(f.to_string());
                    features.len() - 1
                });
                actions[i] = Action::Value {
                    feature: f,
                    is_return: is_ret,
                };
                if is_ret {
                    rcol = Some(i);
                }
            }
        }
        if token.is_none() {
            return Err(herr("missing required column \"token\"".into()));
        }
        if dcol.is_none() {
            return Err(herr("missing required column \"date\"".into()));
        }
        if rcol.is_none() && opts.require_return {
            return Err(herr(format!(
                "missing return column {:?} (choose another with --return-col NAME)",
                opts.return_col
            )));
        }
        Ok(Header {
            file: file.to_string(),
            features,
            has_return: rcol.is_some(),
            n_fields: names.len(),
            actions,
            column_names: names,
        })
    }
}

/// Pulls chunks of whole records out of a byte stream.
struct Chunker<R> {
    input: R,
    pending: Vec<u8>,
    eof: bool,
    hasher: Sha256,
    file: String,
}

impl<R: Read> Chunker<R> {
    fn fill(&mut self, want: usize) -> Result<()> {
        while !self.eof && self.pending.len() < want {
            let old = self.pending.len();
            self.pending.resize(want.max(old + 64 * 1024), 0);
            let got = loop {
                match self.input.read(&mut self.pending[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(Error::Io {
                            path: self.file.clone(),
                            source: e,
                        })
                    }
                }
            };
            self.pending.truncate(old + got);
            if got == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// Index one past the last record terminator in `pending`, if any.
    fn last_boundary(&self) -> Option<usize> {
        let buf = &self.pending;
        if memchr::memchr(b'"', buf).is_none() {
            return memchr::memrchr(b'\n', buf).map(|i| i + 1);
        }
        let mut in_quotes = false;
        let mut last = None;
        for i in memchr::memchr2_iter(b'"', b'\n', buf) {
            if buf[i] == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                last = Some(i + 1);
            }
        }
        last
    }

    /// The next chunk of whole records (`None` at the end of input).
    fn next_chunk(&mut self, target: usize) -> Result<Option<Vec<u8>>> {
        let mut want = target;
        loop {
            self.fill(want)?;
            if self.pending.is_empty() {
                return Ok(None);
            }
            let cut = if self.eof {
                Some(self.pending.len())
            } else {
                self.last_boundary()
            };
            if let Some(cut) = cut {
                let rest = self.pending.split_off(cut);
                let mut chunk = std::mem::replace(&mut self.pending, rest);
                self.hasher.update(&chunk);
                chunk.shrink_to_fit();
                return Ok(Some(chunk));
            }
            want = self.pending.len() * 2;
        }
    }
}

struct ChunkResult<S> {
    sink: S,
    quality: Quality,
    fingerprints: Vec<u64>,
    lines: Vec<u64>,
}

struct ChunkParser<'h> {
    header: &'h Header,
    opts: &'h ReadOptions,
    seed: u64,
}

impl ChunkParser<'_> {
    fn cell_err(&self, line: u64, col: usize, raw: &[u8], reason: &str) -> Error {
        Error::Cell {
            file: self.header.file.clone(),
            line,
            column: self.header.column_names[col].clone(),
            value: display_value(raw),
            reason: reason.to_string(),
        }
    }

    fn parse<S: RowSink>(
        &self,
        chunk: &[u8],
        first_line: u64,
        mut sink: S,
    ) -> Result<ChunkResult<S>> {
        let h = self.header;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.opts.delimiter)
            .from_reader(chunk);
        let mut rec = csv::ByteRecord::new();
        let nf = h.features.len();
        let mut values = vec![f64::NAN; nf];
        let mut q = Quality {
            missing_feature_cells: vec![0; nf],
            ..Quality::default()
        };
        let mut fingerprints = Vec::new();
        let mut lines = Vec::new();
        let strict = self.opts.strict;
        loop {
            let more = rdr.read_byte_record(&mut rec).map_err(|e| {
                let line = e
                    .position()
                    .map_or(first_line, |p| first_line + p.line() - 1);
                Error::Csv {
                    file: h.file.clone(),
                    line,
                    message: format!("malformed CSV: {e}"),
                }
            })?;
            if !more {
                break;
            }
            // csv reports the position after the previous record; skip blank lines.
            let (mut line, mut at) = rec
                .position()
                .map_or((1, 0), |p| (p.line(), p.byte() as usize));
            while at < chunk.len() && (chunk[at] == b'\n' || chunk[at] == b'\r') {
                line += u64::from(chunk[at] == b'\n');
                at += 1;
            }
            let line = first_line + line - 1;
            if rec.len() != h.n_fields {
                return Err(Error::FieldCount {
                    file: h.file.clone(),
                    line,
                    expected: h.n_fields,
                    found: rec.len(),
                });
            }
            let mut token: &str = "";
            let mut stamp = Stamp {
                nanos: 0,
                date_only: true,
            };
            let mut ret = None;
            for (col, (raw, action)) in rec.iter().zip(&h.actions).enumerate() {
                match *action {
                    Action::Ignore => {}
                    Action::Token => {
                        let t = std::str::from_utf8(raw)
                            .map_err(|_| self.cell_err(line, col, raw, "is not UTF-8"))?;
                        token = t.trim();
                        if token.is_empty() {
                            return Err(self.cell_err(
                                line,
                                col,
                                raw,
                                "is empty: every row needs a token",
                            ));
                        }
                    }
                    Action::Date => {
                        stamp = date::parse(raw.trim_ascii())
                            .map_err(|e| self.cell_err(line, col, raw, &e.to_string()))?;
                    }
                    Action::Value { feature, is_return } => {
                        let x = parse_number(raw.trim_ascii()).map_err(|e| {
                            let why = match e {
                                NumError::NotNumber => "is not a number",
                                NumError::Overflow => "is not a finite number (out of range)",
                            };
                            self.cell_err(line, col, raw, why)
                        })?;
                        if let Some(j) = feature {
                            values[j] = x.unwrap_or(f64::NAN);
                            if x.is_none() {
                                if strict {
                                    return Err(self.cell_err(
                                        line,
                                        col,
                                        raw,
                                        "is missing (--strict)",
                                    ));
                                }
                                q.missing_feature_cells[j] += 1;
                            }
                        }
                        if is_return {
                            ret = x;
                        }
                    }
                }
            }
            q.rows_read += 1;
            if ret.is_none() && h.has_return {
                if strict && self.opts.require_return {
                    let col = h.actions.iter().position(|a| {
                        matches!(
                            a,
                            Action::Value {
                                is_return: true,
                                ..
                            }
                        )
                    });
                    let col = col.unwrap_or(0);
                    return Err(self.cell_err(
                        line,
                        col,
                        rec.get(col).unwrap_or(b""),
                        "is missing (--strict)",
                    ));
                }
                q.rows_missing_return += 1;
                q.first_missing_return_line.get_or_insert(line);
            }
            let key = row_key(self.seed, token.as_bytes(), stamp.nanos);
            fingerprints.push(key);
            if strict {
                lines.push(line);
            }
            sink.push(&RowRef {
                token,
                stamp,
                line,
                features: &values,
                ret,
                key,
            });
        }
        Ok(ChunkResult {
            sink,
            quality: q,
            fingerprints,
            lines,
        })
    }
}

/// Read a snapshot stream, feeding every row to sinks made by `make_sink`.
///
/// `seed` keys the per-row SipHash ([`row_key`]). Rows are validated per
/// SPEC §10; the first error in file order is returned.
pub fn read<R: Read, S: RowSink>(
    input: R,
    file: &str,
    opts: &ReadOptions,
    seed: u64,
    make_sink: impl Fn(&Header) -> S + Sync,
) -> Result<ReadOutput<S>> {
    let mut chunker = Chunker {
        input,
        pending: Vec::new(),
        eof: false,
        hasher: Sha256::new(),
        file: file.to_string(),
    };
    let empty = || Error::Empty {
        file: file.to_string(),
    };
    chunker.fill(64 * 1024)?;
    if chunker.pending.starts_with(b"\xEF\xBB\xBF") {
        chunker.hasher.update(&chunker.pending[..3]);
        chunker.pending.drain(..3);
    }
    // The header is the first record after any blank lines; make sure it is
    // whole in `pending` before parsing it.
    loop {
        let start = chunker
            .pending
            .iter()
            .position(|b| !matches!(b, b'\n' | b'\r'));
        match start {
            Some(s) if chunker.eof || chunker.last_boundary().is_some_and(|b| b > s) => break,
            None if chunker.eof => return Err(empty()),
            _ => {
                let want = chunker.pending.len() * 2 + 64 * 1024;
                chunker.fill(want)?;
            }
        }
    }
    let (header, end) = {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(opts.delimiter)
            .from_reader(&chunker.pending[..]);
        let mut rec = csv::ByteRecord::new();
        let ok = rdr.read_byte_record(&mut rec).map_err(|e| Error::Csv {
            file: file.to_string(),
            line: 1,
            message: format!("malformed CSV header: {e}"),
        })?;
        if !ok {
            return Err(empty());
        }
        (
            Header::parse(file, &rec, opts)?,
            rdr.position().byte() as usize,
        )
    };
    let header_lines = memchr::memchr_iter(b'\n', &chunker.pending[..end]).count() as u64;
    chunker.hasher.update(&chunker.pending[..end]);
    chunker.pending.drain(..end);
    run_chunks(chunker, header, 1 + header_lines, opts, seed, make_sink)
}

fn run_chunks<R: Read, S: RowSink>(
    mut chunker: Chunker<R>,
    header: Header,
    mut next_line: u64,
    opts: &ReadOptions,
    seed: u64,
    make_sink: impl Fn(&Header) -> S + Sync,
) -> Result<ReadOutput<S>> {
    let parser = ChunkParser {
        header: &header,
        opts,
        seed,
    };
    let batch_len = 2 * rayon::current_num_threads().max(1);
    let mut total: Option<(S, Quality)> = None;
    let mut fingerprints: Vec<u64> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    loop {
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(batch_len);
        while batch.len() < batch_len {
            match chunker.next_chunk(opts.chunk_bytes.max(1))? {
                Some(c) => batch.push(c),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        let counts: Vec<u64> = batch
            .par_iter()
            .map(|c| memchr::memchr_iter(b'\n', c).count() as u64)
            .collect();
        let mut starts = Vec::with_capacity(batch.len());
        for n in &counts {
            starts.push(next_line);
            next_line += n;
        }
        let results: Vec<Result<ChunkResult<S>>> = batch
            .par_iter()
            .zip(starts.par_iter())
            .map(|(c, &start)| parser.parse(c, start, make_sink(&header)))
            .collect();
        for r in results {
            let r = r?;
            fingerprints.extend_from_slice(&r.fingerprints);
            lines.extend_from_slice(&r.lines);
            match total.as_mut() {
                None => total = Some((r.sink, r.quality)),
                Some((s, q)) => {
                    s.merge(r.sink);
                    q.merge(r.quality);
                }
            }
        }
    }
    let sha256 = hex(&chunker.hasher.finalize());
    let (sink, mut quality) = match total {
        Some(t) => t,
        None => (
            make_sink(&header),
            Quality {
                missing_feature_cells: vec![0; header.features.len()],
                ..Quality::default()
            },
        ),
    };
    // Duplicates: rows read minus distinct (token, instant) fingerprints.
    let file = header.file.clone();
    if opts.strict {
        let mut pairs: Vec<(u64, u64)> = fingerprints.into_iter().zip(lines).collect();
        pairs.par_sort_unstable();
        let mut first_dup: Option<(u64, u64)> = None;
        for w in pairs.windows(2) {
            if w[0].0 == w[1].0 && first_dup.is_none_or(|(l, _)| w[1].1 < l) {
                first_dup = Some((w[1].1, w[0].1));
            }
        }
        if let Some((line, orig)) = first_dup {
            // Find the earliest line holding this key.
            let key = pairs.iter().find(|p| p.1 == line).map(|p| p.0);
            let orig = key
                .and_then(|k| pairs.iter().find(|p| p.0 == k).map(|p| p.1))
                .unwrap_or(orig);
            return Err(Error::Strict {
                file,
                message: format!("line {line}: duplicate row: same token and date as line {orig}"),
            });
        }
    } else {
        fingerprints.par_sort_unstable();
        quality.duplicate_rows = fingerprints.windows(2).filter(|w| w[0] == w[1]).count() as u64;
    }
    let warnings = warnings(&header, &quality, opts)?;
    Ok(ReadOutput {
        header,
        sink,
        quality,
        sha256,
        warnings,
    })
}

fn warnings(header: &Header, q: &Quality, opts: &ReadOptions) -> Result<Vec<String>> {
    let mut w = Vec::new();
    let missing: Vec<String> = header
        .features
        .iter()
        .zip(&q.missing_feature_cells)
        .filter(|(_, &n)| n > 0)
        .map(|(f, n)| format!("f_{f}: {n}"))
        .collect();
    if !missing.is_empty() {
        let total: u64 = q.missing_feature_cells.iter().sum();
        w.push(format!(
            "{total} missing feature cells counted as 0 ({})",
            missing.join(", ")
        ));
    }
    if q.rows_missing_return > 0 && opts.require_return {
        w.push(format!(
            "{} rows without a value in {} skipped as not evaluable (first at line {})",
            q.rows_missing_return,
            opts.return_col,
            q.first_missing_return_line.unwrap_or(0)
        ));
    }
    if q.duplicate_rows > 0 {
        w.push(format!(
            "{} duplicate rows (same token and date) kept and counted",
            q.duplicate_rows
        ));
    }
    let _ = header;
    Ok(w)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siphash_test_vectors() {
        // SPEC §5 test vectors.
        let d = |s: &str| date::parse(s.as_bytes()).unwrap().nanos;
        assert_eq!(
            row_key(42, b"BTC", d("2024-01-01T00:00:00Z")),
            16070534159614859097
        );
        assert_eq!(
            row_key(7, b"ETH", d("2024-03-31T21:30:00Z")),
            4207453006704575614
        );
        assert_eq!(
            row_key(42, b"", d("1970-01-01T00:00:00Z")),
            1553702353985752124
        );
    }

    #[test]
    fn number_grammar() {
        for ok in [
            "1", "-1", "+1.5", "1.", ".5", "1e5", "1E-5", "-.5e+3", "0.0",
        ] {
            assert!(is_number(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", ".", "e5", "1e", "1,5", "5%", "inf", "-inf", "NaN", "1.2.3", "--1", "0x10", "1_0",
            " 1",
        ] {
            assert!(!is_number(bad.as_bytes()), "{bad}");
        }
        assert_eq!(parse_number(b"1e999"), Err(NumError::Overflow));
        assert_eq!(parse_number(b"1e-999"), Ok(Some(0.0)));
        assert_eq!(parse_number(b"NA"), Ok(None));
        assert_eq!(parse_number(b"NAN"), Err(NumError::NotNumber));
        assert_eq!(parse_number(b"N/A"), Err(NumError::NotNumber));
        assert_eq!(parse_number(b".5"), Ok(Some(0.5)));
        assert_eq!(parse_number(b"7."), Ok(Some(7.0)));
    }
}
