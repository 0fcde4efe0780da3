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
pub const CHUNK_BYTES: usize = 1 << 20;

/// The largest chunk target honoured (`--chunk-bytes` above it is clamped).
const MAX_CHUNK_BYTES: usize = 256 << 20;

/// Size of the first chunk; each next one is twice as large, up to the
/// target ([`ReadOptions::chunk_bytes`]).
const FIRST_CHUNK_BYTES: usize = 256 << 10;

/// How to read a snapshot file.
#[derive(Clone)]
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
    /// Compute the SHA-256 of the input ([`ReadOutput::sha256`]). It costs
    /// about a tenth of a run's CPU, so only a report that shows it (JSON)
    /// asks for it.
    pub hash: bool,
    /// Called by the reader with the number of input bytes read so far
    /// (after each chunk); for a progress line. `None`: silent.
    pub progress: Option<std::sync::Arc<crate::progress::ProgressFn>>,
}

impl std::fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOptions")
            .field("delimiter", &(self.delimiter as char))
            .field("return_col", &self.return_col)
            .field("require_return", &self.require_return)
            .field("strict", &self.strict)
            .field("chunk_bytes", &self.chunk_bytes)
            .field("hash", &self.hash)
            .field("progress", &self.progress.is_some())
            .finish()
    }
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
    /// Hex SHA-256 of the input bytes, when [`ReadOptions::hash`] asked.
    pub sha256: Option<String>,
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

/// Powers of ten exactly representable as f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parse a trimmed numeric cell: `Ok(None)` for a missing marker.
///
/// Hot path ([`scan_simple`]) for the shape of nearly every market-data
/// cell, `[+-]digits[.digits]` with an optional short exponent: one loop
/// gathers the digits; when there are at most 19 of them, the mantissa is
/// at most 2^53 and the decimal exponent within +-22, mantissa and the power
/// of ten are exact doubles and one IEEE multiplication or division is
/// correctly rounded (Clinger's fast path): the same bits as std's parser.
/// Every other cell goes to [`parse_number_general`].
#[inline]
pub fn parse_number(s: &[u8]) -> std::result::Result<Option<f64>, NumError> {
    if s.is_empty() {
        return Ok(None);
    }
    match scan_simple(s) {
        (Some(v), used) if used == s.len() => Ok(Some(v)),
        _ => parse_number_general(s),
    }
}

/// The hot-path grammar of [`parse_number`] on a prefix of `s`: the value if
/// the prefix `[+-]digits[.digits][e[+-]ddd]` qualifies for Clinger's fast
/// path (mantissa <= 2^53, decimal exponent within +-22: one correctly
/// rounded IEEE operation on exact doubles), and where the prefix ends.
#[inline(always)]
fn scan_simple(s: &[u8]) -> (Option<f64>, usize) {
    let n = s.len();
    let Some(&first) = s.first() else {
        return (None, 0);
    };
    let neg = first == b'-';
    let mut i = usize::from(neg || first == b'+');
    let mut mant = 0u64;
    let mut digits = 0usize;
    let mut dot = usize::MAX;
    while i < n {
        let d = s[i].wrapping_sub(b'0');
        if d < 10 {
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
            digits += 1;
        } else if s[i] == b'.' && dot == usize::MAX {
            dot = digits;
        } else {
            break;
        }
        i += 1;
    }
    // The value is mant * 10^e10.
    let mut e10 = if dot == usize::MAX {
        0
    } else {
        -((digits - dot) as i64)
    };
    if i < n && (s[i] | 0x20) == b'e' {
        // An exponent of 1 to 3 digits (`7.85923e+07`); others go general.
        let mut j = i + 1;
        let eneg = s.get(j) == Some(&b'-');
        j += usize::from(eneg || s.get(j) == Some(&b'+'));
        let start = j;
        let mut ev = 0i64;
        while j < n && j - start < 3 && s[j].is_ascii_digit() {
            ev = ev * 10 + i64::from(s[j] - b'0');
            j += 1;
        }
        if j == start || s.get(j).is_some_and(u8::is_ascii_digit) {
            return (None, j);
        }
        e10 += if eneg { -ev } else { ev };
        i = j;
    }
    if digits == 0 || digits > 19 || mant > (1u64 << 53) || !(-22..=22).contains(&e10) {
        return (None, i);
    }
    let m = mant as f64;
    let v = if e10 < 0 {
        m / POW10[e10.unsigned_abs() as usize]
    } else {
        m * POW10[e10 as usize]
    };
    (Some(if neg { -v } else { v }), i)
}

/// Any other cell: missing markers, then the full grammar of [`is_number`]
/// checked and std's correctly rounded parser; `1e999` is
/// [`NumError::Overflow`].
#[cold]
fn parse_number_general(s: &[u8]) -> std::result::Result<Option<f64>, NumError> {
    if is_missing(s) {
        return Ok(None);
    }
    if !is_number(s) {
        return Err(NumError::NotNumber);
    }
    // The grammar is ASCII, and a subset of what std accepts.
    let x: f64 = std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or(NumError::NotNumber)?;
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
        if opts.return_col == "token" || opts.return_col == "date" {
            return Err(herr(format!(
                "--return-col {:?} names a key column; give the return column's name",
                opts.return_col
            )));
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
        // A near miss (`Token`, ` DATE`) gets a hint: names are case-sensitive.
        let missing = |want: &str| {
            let near = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(want))
                .map(|n| format!(" (found {n:?}: column names are case-sensitive)"));
            let delim_hint = if names.len() == 1 && names[0].len() > want.len() {
                format!(
                    " (the header has a single column: is the delimiter {:?} right? see --delimiter)",
                    opts.delimiter as char
                )
            } else {
                String::new()
            };
            herr(format!(
                "missing required column {want:?}{}{delim_hint}",
                near.unwrap_or_default()
            ))
        };
        if token.is_none() {
            return Err(missing("token"));
        }
        if dcol.is_none() {
            return Err(missing("date"));
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

/// Index one past the last record terminator in `buf`, if any: the last
/// `\n` outside quotes (quote state starts closed: `buf` starts at a record).
/// `may_quote: false` promises that `buf` holds no `"`.
fn last_boundary(buf: &[u8], may_quote: bool) -> Option<usize> {
    if !may_quote || memchr::memchr(b'"', buf).is_none() {
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

/// Freshly read bytes are scanned in blocks of this size, one pass per
/// block for both scans (a chunk of up to ~1 MB is read first).
const SCAN_BLOCK: usize = 256 << 10;

/// What a scan of some bytes found: the `\n` count, and whether a `"` or a
/// `\r` occurs (if neither does, the plain splitter applies as is).
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    newlines: u64,
    special: bool,
}

impl Scan {
    fn of(b: &[u8]) -> Scan {
        Scan {
            newlines: memchr::memchr_iter(b'\n', b).count() as u64,
            special: memchr::memchr2(b'"', b'\r', b).is_some(),
        }
    }

    fn add(&mut self, o: Scan) {
        self.newlines += o.newlines;
        self.special |= o.special;
    }
}

/// Pulls chunks of whole records out of a byte stream. It hashes what it
/// consumes itself (BOM, header); the pipeline hashes the chunks.
struct Chunker<R> {
    input: R,
    /// Bytes read but not handed out yet (they start at a record boundary).
    pending: Vec<u8>,
    /// The scan of `pending`.
    pending_scan: Scan,
    eof: bool,
    hasher: Sha256,
    file: String,
}

impl<R: Read> Chunker<R> {
    fn io_err(&self, e: std::io::Error) -> Error {
        Error::Io {
            path: self.file.clone(),
            source: e,
        }
    }

    /// Read into `buf` until it holds `want` bytes or the input ends; add
    /// the scan of the new bytes to `scan`, block by block.
    fn read_into(&mut self, buf: &mut Vec<u8>, want: usize, scan: &mut Scan) -> Result<()> {
        let start = buf.len();
        while !self.eof && buf.len() < want {
            let need = (want - buf.len()) as u64;
            // `read_to_end` on a `Take` fills spare capacity without zeroing
            // it and retries interrupted reads; fewer bytes than asked = EOF.
            let got = (&mut self.input)
                .take(need)
                .read_to_end(buf)
                .map_err(|e| self.io_err(e))?;
            if (got as u64) < need {
                self.eof = true;
            }
        }
        for block in buf[start..].chunks(SCAN_BLOCK) {
            scan.add(Scan::of(block));
        }
        Ok(())
    }

    /// Make `pending` hold at least `want` bytes (or all that is left).
    fn fill(&mut self, want: usize) -> Result<()> {
        let mut buf = std::mem::take(&mut self.pending);
        let mut scan = self.pending_scan;
        let r = self.read_into(&mut buf, want, &mut scan);
        self.pending = buf;
        self.pending_scan = scan;
        r
    }

    /// Hash and drop the first `n` bytes of `pending` (the BOM, the header).
    fn consume(&mut self, n: usize) {
        self.hasher.update(&self.pending[..n]);
        self.pending.drain(..n);
        self.pending_scan = Scan::of(&self.pending);
    }

    /// The next chunk of whole records, in `buf` (reused: its capacity is
    /// kept), with its scan; `None` at the end of input.
    fn next_chunk(&mut self, target: usize, mut buf: Vec<u8>) -> Result<Option<(Vec<u8>, Scan)>> {
        buf.clear();
        buf.append(&mut self.pending);
        let mut scan = std::mem::take(&mut self.pending_scan);
        let mut want = target;
        loop {
            self.read_into(&mut buf, want, &mut scan)?;
            if buf.is_empty() {
                return Ok(None);
            }
            let cut = if self.eof {
                Some(buf.len())
            } else {
                last_boundary(&buf, scan.special)
            };
            if let Some(cut) = cut {
                let tail = Scan::of(&buf[cut..]);
                self.pending.extend_from_slice(&buf[cut..]);
                self.pending_scan = tail;
                buf.truncate(cut);
                // `special` stays as it was: at worst a needless full check.
                scan.newlines -= tail.newlines;
                return Ok(Some((buf, scan)));
            }
            // One record longer than the target: read on until it ends.
            want = buf.len() * 2;
        }
    }
}

/// What parsing one chunk produces.
struct ChunkResult<S> {
    sink: S,
    quality: Quality,
    /// Row keys in row order (duplicate detection).
    fingerprints: Vec<u64>,
    /// Line of each row (only with `--strict`, to name a duplicate's line).
    lines: Vec<u64>,
}

/// The last date cell parsed and its value: rows of one snapshot date come
/// together, so most date cells repeat the previous one.
#[derive(Default)]
struct DateCache {
    text: Vec<u8>,
    stamp: Option<Stamp>,
}

impl DateCache {
    /// Parse a trimmed date cell, from the cache when it repeats.
    fn parse(&mut self, d: &[u8]) -> std::result::Result<Stamp, date::DateError> {
        match self.stamp {
            Some(s) if self.text == d => Ok(s),
            _ => {
                let s = date::parse(d)?;
                self.text.clear();
                self.text.extend_from_slice(d);
                self.stamp = Some(s);
                Ok(s)
            }
        }
    }

    /// The cached date and its length, if `rest` starts with its text.
    fn prefix_of(&self, rest: &[u8]) -> Option<(Stamp, usize)> {
        let s = self.stamp?;
        rest.starts_with(&self.text).then_some((s, self.text.len()))
    }
}

/// The per-chunk state while its rows are parsed.
struct ChunkState<S> {
    out: ChunkResult<S>,
    /// Feature values of the current row (NaN = missing).
    values: Vec<f64>,
    dates: DateCache,
    /// Features missing in the row [`ChunkParser::fast_record`] decodes.
    missing: Vec<usize>,
}

struct ChunkParser<'h> {
    header: &'h Header,
    opts: &'h ReadOptions,
    seed: u64,
}

/// The line of the quote that opens a field never closed before the end of
/// `chunk` (which starts at a record boundary, outside quotes), if any.
fn unclosed_quote_line(chunk: &[u8], first_line: u64) -> Option<u64> {
    let mut open_at = None;
    for i in memchr::memchr_iter(b'"', chunk) {
        open_at = match open_at {
            None => Some(i),
            Some(_) => None,
        };
    }
    open_at.map(|i| first_line + memchr::memchr_iter(b'\n', &chunk[..i]).count() as u64)
}

/// The input line an error names, if it names one.
fn error_line(e: &Error) -> Option<u64> {
    match e {
        Error::Cell { line, .. } | Error::FieldCount { line, .. } | Error::Csv { line, .. } => {
            Some(*line)
        }
        _ => None,
    }
}

/// Whether the plain splitter reads `chunk` exactly as the csv crate does:
/// no quotes, and every `\r` is part of a `\r\n` line end.
fn is_plain(chunk: &[u8]) -> bool {
    memchr::memchr(b'"', chunk).is_none()
        && memchr::memchr_iter(b'\r', chunk).all(|i| chunk.get(i + 1) == Some(&b'\n'))
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

    /// Parse one chunk of whole records starting at physical line
    /// `first_line`. Quote-free chunks (ordinary market data) go through a
    /// plain splitter; anything else through the csv crate. Both give the
    /// same fields and line numbers.
    /// `special: false` promises that `chunk` holds no `"` and no `\r`.
    fn parse<S: RowSink>(
        &self,
        chunk: &[u8],
        first_line: u64,
        special: bool,
        sink: S,
    ) -> Result<ChunkResult<S>> {
        let nf = self.header.features.len();
        let mut st = ChunkState {
            out: ChunkResult {
                sink,
                quality: Quality {
                    missing_feature_cells: vec![0; nf],
                    ..Quality::default()
                },
                fingerprints: Vec::new(),
                lines: Vec::new(),
            },
            values: vec![f64::NAN; nf],
            dates: DateCache::default(),
            missing: Vec::new(),
        };
        if !special || is_plain(chunk) {
            self.parse_plain(chunk, first_line, &mut st)?;
        } else if let Some(open_line) = unclosed_quote_line(chunk, first_line) {
            // Only the last chunk can end inside quotes. The csv crate would
            // read the rest of the file as one field and report a field
            // count; say what is wrong instead, unless an earlier row fails.
            let unclosed = Error::Csv {
                file: self.header.file.clone(),
                line: open_line,
                message: "malformed CSV: a quoted field opened on this line is never closed".into(),
            };
            match self.parse_csv(chunk, first_line, &mut st) {
                Err(e) if error_line(&e).is_some_and(|l| l < open_line) => return Err(e),
                _ => return Err(unclosed),
            }
        } else {
            self.parse_csv(chunk, first_line, &mut st)?;
        }
        Ok(st.out)
    }

    /// Read a quote-free chunk (every `\r` in a `\r\n`): each record goes
    /// through [`Self::fast_record`]; a record it declines is split on the
    /// delimiter (its line's `\r` dropped) and read by [`Self::record`].
    /// Blank lines are skipped, as the csv crate skips them.
    fn parse_plain<S: RowSink>(
        &self,
        chunk: &[u8],
        first_line: u64,
        st: &mut ChunkState<S>,
    ) -> Result<()> {
        let delim = self.opts.delimiter;
        let mut fields: Vec<&[u8]> = Vec::with_capacity(self.header.n_fields);
        let mut line = first_line;
        let mut pos = 0;
        while pos < chunk.len() {
            if let Some(next) = self.fast_record(chunk, pos, line, st) {
                pos = next;
                line += 1;
                continue;
            }
            let eol = memchr::memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
            let text = &chunk[pos..eol];
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if !text.is_empty() {
                fields.clear();
                let mut start = 0;
                for j in memchr::memchr_iter(delim, text) {
                    fields.push(&text[start..j]);
                    start = j + 1;
                }
                fields.push(&text[start..]);
                self.record(st, fields.iter().copied(), fields.len(), line)?;
            }
            line += 1;
            pos = eol + 1;
        }
        Ok(())
    }

    /// Parse a chunk with the csv crate (quoted fields, lone `\r` line ends).
    fn parse_csv<S: RowSink>(
        &self,
        chunk: &[u8],
        first_line: u64,
        st: &mut ChunkState<S>,
    ) -> Result<()> {
        let h = self.header;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.opts.delimiter)
            .from_reader(chunk);
        let mut rec = csv::ByteRecord::new();
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
                return Ok(());
            }
            // csv reports the position after the previous record; skip blank lines.
            let (mut line, mut at) = rec
                .position()
                .map_or((1, 0), |p| (p.line(), p.byte() as usize));
            while at < chunk.len() && (chunk[at] == b'\n' || chunk[at] == b'\r') {
                line += u64::from(chunk[at] == b'\n');
                at += 1;
            }
            self.record(st, rec.iter(), rec.len(), first_line + line - 1)?;
        }
    }

    /// Validate and take one record (SPEC §10: every read column on every
    /// row, left to right; the first bad cell is the error).
    #[inline]
    fn record<'r, S: RowSink>(
        &self,
        st: &mut ChunkState<S>,
        fields: impl Iterator<Item = &'r [u8]>,
        n_fields: usize,
        line: u64,
    ) -> Result<()> {
        let h = self.header;
        if n_fields != h.n_fields {
            return Err(Error::FieldCount {
                file: h.file.clone(),
                line,
                expected: h.n_fields,
                found: n_fields,
            });
        }
        let strict = self.opts.strict;
        let q = &mut st.out.quality;
        let mut token: &str = "";
        let mut stamp = Stamp {
            nanos: 0,
            date_only: true,
        };
        let mut ret = None;
        let mut ret_raw: (usize, &[u8]) = (0, b"");
        for (col, (raw, action)) in fields.zip(&h.actions).enumerate() {
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
                    stamp = st
                        .dates
                        .parse(raw.trim_ascii())
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
                        st.values[j] = x.unwrap_or(f64::NAN);
                        if x.is_none() {
                            if strict {
                                return Err(self.cell_err(line, col, raw, "is missing (--strict)"));
                            }
                            q.missing_feature_cells[j] += 1;
                        }
                    }
                    if is_return {
                        ret = x;
                        ret_raw = (col, raw);
                    }
                }
            }
        }
        if ret.is_none() && h.has_return && strict && self.opts.require_return {
            let (col, raw) = ret_raw;
            return Err(self.cell_err(line, col, raw, "is missing (--strict)"));
        }
        self.finish_row(st, token, stamp, ret, line);
        Ok(())
    }

    /// Count and take a row whose cells are decoded (`st.values` holds its
    /// features).
    #[inline]
    fn finish_row<S: RowSink>(
        &self,
        st: &mut ChunkState<S>,
        token: &str,
        stamp: Stamp,
        ret: Option<f64>,
        line: u64,
    ) {
        let q = &mut st.out.quality;
        q.rows_read += 1;
        if ret.is_none() && self.header.has_return {
            q.rows_missing_return += 1;
            q.first_missing_return_line.get_or_insert(line);
        }
        let key = row_key(self.seed, token.as_bytes(), stamp.nanos);
        st.out.fingerprints.push(key);
        if self.opts.strict {
            st.out.lines.push(line);
        }
        st.out.sink.push(&RowRef {
            token,
            stamp,
            line,
            features: &st.values,
            ret,
            key,
        });
    }

    /// Where the field starting at `p` ends (the index of its terminator,
    /// or `chunk.len()`), if it ends as column `last` or not says it must:
    /// at a delimiter for every column but the last, at a line end for the
    /// last. Also returns the field's bytes (a `\r` before `\n` dropped).
    #[inline(always)]
    fn field_at<'c>(&self, chunk: &'c [u8], p: usize, last: bool) -> Option<(&'c [u8], usize)> {
        let delim = self.opts.delimiter;
        match memchr::memchr2(delim, b'\n', &chunk[p..]) {
            Some(i) if !last && chunk[p + i] == delim => Some((&chunk[p..p + i], p + i)),
            Some(i) if last && chunk[p + i] == b'\n' => {
                let raw = &chunk[p..p + i];
                Some((raw.strip_suffix(b"\r").unwrap_or(raw), p + i))
            }
            None if last => {
                let raw = &chunk[p..];
                Some((raw.strip_suffix(b"\r").unwrap_or(raw), chunk.len()))
            }
            _ => None,
        }
    }

    /// Whether a field of column `last`-or-not may end at `e` (see
    /// [`Self::field_at`]); the chunk holds no `\r` outside `\r\n`.
    #[inline(always)]
    fn ends_at(&self, chunk: &[u8], e: usize, last: bool) -> bool {
        match chunk.get(e) {
            None => last,
            Some(&b) if !last => b == self.opts.delimiter,
            Some(&b) => b == b'\n' || (b == b'\r' && chunk.get(e + 1) == Some(&b'\n')),
        }
    }

    /// The one-pass path of the plain splitter for the record at `pos`:
    /// fields are found while they are decoded, numbers parsed in place.
    /// On success the row is taken and the position after its line end is
    /// returned. `None` (nothing taken or counted) for anything unusual — a
    /// blank line, a field count, a bad cell, a `--strict` finding — which
    /// the caller then reads through [`Self::record`], so errors and odd
    /// cells are handled by exactly one piece of code.
    #[inline]
    fn fast_record<S: RowSink>(
        &self,
        chunk: &[u8],
        pos: usize,
        line: u64,
        st: &mut ChunkState<S>,
    ) -> Option<usize> {
        let h = self.header;
        let strict = self.opts.strict;
        let last_col = h.n_fields.checked_sub(1)?;
        let mut p = pos;
        let mut token: &str = "";
        let mut stamp = Stamp {
            nanos: 0,
            date_only: true,
        };
        let mut ret = None;
        st.missing.clear();
        for (col, action) in h.actions.iter().enumerate() {
            let last = col == last_col;
            let end = match *action {
                Action::Value { feature, is_return } => {
                    let (v, used) = scan_simple(&chunk[p..]);
                    let (x, end) = match v {
                        Some(v) if self.ends_at(chunk, p + used, last) => (Some(v), p + used),
                        _ => {
                            let (raw, end) = self.field_at(chunk, p, last)?;
                            (parse_number(raw.trim_ascii()).ok()?, end)
                        }
                    };
                    if let Some(j) = feature {
                        st.values[j] = x.unwrap_or(f64::NAN);
                        if x.is_none() {
                            if strict {
                                return None;
                            }
                            st.missing.push(j);
                        }
                    }
                    if is_return {
                        ret = x;
                    }
                    end
                }
                Action::Date => {
                    let cached = st
                        .dates
                        .prefix_of(&chunk[p..])
                        .filter(|&(_, n)| self.ends_at(chunk, p + n, last));
                    match cached {
                        Some((s, n)) => {
                            stamp = s;
                            p + n
                        }
                        None => {
                            let (raw, end) = self.field_at(chunk, p, last)?;
                            stamp = st.dates.parse(raw.trim_ascii()).ok()?;
                            end
                        }
                    }
                }
                Action::Token => {
                    let (raw, end) = self.field_at(chunk, p, last)?;
                    token = std::str::from_utf8(raw).ok()?.trim();
                    if token.is_empty() {
                        return None;
                    }
                    end
                }
                Action::Ignore => self.field_at(chunk, p, last)?.1,
            };
            p = if !last {
                end + 1
            } else if end == chunk.len() {
                end
            } else if chunk[end] == b'\r' {
                end + 2
            } else {
                end + 1
            };
        }
        if ret.is_none() && h.has_return && strict && self.opts.require_return {
            return None;
        }
        let q = &mut st.out.quality;
        for &j in &st.missing {
            q.missing_feature_cells[j] += 1;
        }
        self.finish_row(st, token, stamp, ret, line);
        Some(p)
    }
}

/// Read a snapshot stream, feeding every row to sinks made by `make_sink`.
///
/// `seed` keys the per-row SipHash ([`row_key`]). Rows are validated per
/// SPEC §10; the first error in file order is returned.
pub fn read<R: Read + Send, S: RowSink>(
    input: R,
    file: &str,
    opts: &ReadOptions,
    seed: u64,
    make_sink: impl Fn(&Header) -> S + Sync,
) -> Result<ReadOutput<S>> {
    let mut chunker = Chunker {
        input,
        pending: Vec::new(),
        pending_scan: Scan::default(),
        eof: false,
        hasher: Sha256::new(),
        file: file.to_string(),
    };
    let empty = || Error::Empty {
        file: file.to_string(),
    };
    chunker.fill(64 * 1024)?;
    if chunker.pending.starts_with(b"\xEF\xBB\xBF") {
        chunker.consume(3);
    }
    // The header is the first record after any blank lines; make sure it is
    // whole in `pending` before parsing it.
    loop {
        let start = chunker
            .pending
            .iter()
            .position(|b| !matches!(b, b'\n' | b'\r'));
        match start {
            Some(s)
                if chunker.eof || last_boundary(&chunker.pending, true).is_some_and(|b| b > s) =>
            {
                break
            }
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
    chunker.consume(end);
    run_chunks(chunker, header, 1 + header_lines, opts, seed, make_sink)
}

/// A chunk on its way to a parser: (index in the file, first line, whether
/// a `"` or `\r` may occur in it, bytes shared with the hasher).
type Job = (usize, u64, bool, std::sync::Arc<Vec<u8>>);

/// What comes back: a parsed chunk, a chunk skipped after an error, or a
/// read error that ends the input at this index.
enum Done<S> {
    Parsed(usize, Result<ChunkResult<S>>),
    Skipped(usize),
    ReadFailed(usize, Error),
}

/// Parse the chunks after the header in a pipeline: this thread's reader
/// (read, hash, find record boundaries, count lines) feeds parser threads
/// (`rayon::current_num_threads()` of them, so `RAYON_NUM_THREADS` applies);
/// their results are merged strictly in file order, so nothing depends on
/// the thread count or on which parser finishes first. Chunk buffers are
/// recycled and bounded in number, so memory does not grow with the file.
fn run_chunks<R: Read + Send, S: RowSink>(
    mut chunker: Chunker<R>,
    header: Header,
    first_line: u64,
    opts: &ReadOptions,
    seed: u64,
    make_sink: impl Fn(&Header) -> S + Sync,
) -> Result<ReadOutput<S>> {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    use std::sync::{mpsc, Mutex};

    let parser = ChunkParser {
        header: &header,
        opts,
        seed,
    };
    let workers = rayon::current_num_threads().max(1);
    // Results never depend on chunking, so an absurd `--chunk-bytes` (a
    // testing aid) is clamped rather than allowed to exhaust memory.
    let target = opts.chunk_bytes.clamp(1, MAX_CHUNK_BYTES);
    let max_buffers = 2 * workers + 2;
    let cancel = AtomicBool::new(false);

    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(workers);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done<S>>();
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let (merged, hasher) = std::thread::scope(|scope| {
        for _ in 0..workers {
            let (done_tx, free_tx) = (done_tx.clone(), free_tx.clone());
            let (job_rx, parser, cancel, make_sink) = (&job_rx, &parser, &cancel, &make_sink);
            scope.spawn(move || loop {
                let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((idx, line, special, chunk)) = job else {
                    break;
                };
                let done = if cancel.load(Relaxed) {
                    Done::Skipped(idx)
                } else {
                    Done::Parsed(
                        idx,
                        parser.parse(&chunk, line, special, make_sink(parser.header)),
                    )
                };
                // The hasher or the parser, whichever is done last, recycles.
                if let Some(buf) = std::sync::Arc::into_inner(chunk) {
                    let _ = free_tx.send(buf);
                }
                // Keep draining jobs even if the merger is gone, so the
                // reader never blocks on a full queue.
                let _ = done_tx.send(done);
            });
        }
        // SHA-256 is sequential: its own thread hashes the chunks in file
        // order, so the reader only reads and scans. Not started unless
        // asked: then the parser alone holds (and recycles) each chunk.
        let (hash_tx, hashing) = if opts.hash {
            let (hash_tx, hash_rx) = mpsc::channel::<std::sync::Arc<Vec<u8>>>();
            let mut hasher = std::mem::take(&mut chunker.hasher);
            let hash_free = free_tx.clone();
            let hashing = scope.spawn(move || {
                for chunk in hash_rx {
                    hasher.update(&chunk[..]);
                    if let Some(buf) = std::sync::Arc::into_inner(chunk) {
                        let _ = hash_free.send(buf);
                    }
                }
                hasher
            });
            (Some(hash_tx), Some(hashing))
        } else {
            (None, None)
        };
        drop(free_tx);
        let reader_done = done_tx;
        let cancel_reader = &cancel;
        let reader = scope.spawn(move || {
            let mut chunker = chunker;
            let (mut idx, mut line, mut allocated) = (0usize, first_line, 0usize);
            let mut read_bytes = 0u64;
            while !cancel_reader.load(Relaxed) {
                let buf = match free_rx.try_recv() {
                    Ok(b) => b,
                    Err(_) if allocated < max_buffers => {
                        allocated += 1;
                        Vec::with_capacity(target + target / 8)
                    }
                    Err(_) => match free_rx.recv() {
                        Ok(b) => b,
                        Err(_) => break,
                    },
                };
                // Small first chunks start the parsers early; sizes double
                // up to the target (results never depend on chunking).
                let want = target.min(FIRST_CHUNK_BYTES.saturating_mul(1 << idx.min(16)));
                match chunker.next_chunk(want, buf) {
                    Ok(Some((chunk, scan))) => {
                        read_bytes += chunk.len() as u64;
                        if let Some(p) = &opts.progress {
                            p(read_bytes);
                        }
                        let lines = scan.newlines;
                        let chunk = std::sync::Arc::new(chunk);
                        let hashed = hash_tx
                            .as_ref()
                            .is_none_or(|h| h.send(chunk.clone()).is_ok());
                        if !hashed || job_tx.send((idx, line, scan.special, chunk)).is_err() {
                            break;
                        }
                        idx += 1;
                        line += lines;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = reader_done.send(Done::ReadFailed(idx, e));
                        break;
                    }
                }
            }
            drop(job_tx);
        });

        // Merge in file order; stop at the first error in file order.
        let mut waiting: std::collections::BTreeMap<usize, Done<S>> = Default::default();
        let mut next = 0usize;
        let mut total: Option<ChunkResult<S>> = None;
        let mut failed: Option<Error> = None;
        'merge: for done in done_rx.iter() {
            let idx = match &done {
                Done::Parsed(i, _) | Done::Skipped(i) | Done::ReadFailed(i, _) => *i,
            };
            waiting.insert(idx, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                let r = match done {
                    Done::Parsed(_, Ok(r)) => r,
                    Done::Parsed(_, Err(e)) | Done::ReadFailed(_, e) => {
                        failed = Some(e);
                        cancel.store(true, Relaxed);
                        break 'merge;
                    }
                    // Only after an error, which ended the merge already.
                    Done::Skipped(_) => continue,
                };
                match total.as_mut() {
                    None => total = Some(r),
                    Some(t) => {
                        t.sink.merge(r.sink);
                        t.quality.merge(r.quality);
                        t.fingerprints.extend_from_slice(&r.fingerprints);
                        t.lines.extend_from_slice(&r.lines);
                    }
                }
            }
        }
        if let Err(panic) = reader.join() {
            std::panic::resume_unwind(panic);
        }
        let hasher = hashing.map(|h| match h.join() {
            Ok(h) => h,
            Err(panic) => std::panic::resume_unwind(panic),
        });
        (failed.map_or(Ok(total), Err), hasher)
    });
    let merged = merged?;
    let sha256 = hasher.map(|h| hex(&h.finalize()));
    let (sink, mut quality, fingerprints, lines) = match merged {
        Some(t) => (t.sink, t.quality, t.fingerprints, t.lines),
        None => (
            make_sink(&header),
            Quality {
                missing_feature_cells: vec![0; header.features.len()],
                ..Quality::default()
            },
            Vec::new(),
            Vec::new(),
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
            return Err(Error::StrictRow {
                file,
                line,
                message: format!("duplicate row: same token and date as line {orig}"),
            });
        }
    } else {
        let mut fingerprints = fingerprints;
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

    /// The reference meaning of a numeric cell: the grammar, then std's
    /// correctly rounded parser.
    fn reference(s: &[u8]) -> std::result::Result<Option<f64>, NumError> {
        if is_missing(s) {
            return Ok(None);
        }
        if !is_number(s) {
            return Err(NumError::NotNumber);
        }
        let x: f64 = std::str::from_utf8(s).unwrap().parse().unwrap();
        if x.is_finite() {
            Ok(Some(x))
        } else {
            Err(NumError::Overflow)
        }
    }

    fn same(
        a: &std::result::Result<Option<f64>, NumError>,
        b: &std::result::Result<Option<f64>, NumError>,
    ) -> bool {
        match (a, b) {
            (Ok(Some(x)), Ok(Some(y))) => x.to_bits() == y.to_bits(),
            _ => a == b,
        }
    }

    #[test]
    fn fast_number_path_edges_match_std() {
        for s in [
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0",
            "0.1",
            "0.3",
            "123456789012345678",
            "1234567890123456789",
            "12345678901234567890",
            "1e22",
            "1e23",
            "1e-22",
            "1e-23",
            "-0",
            "-0.0",
            "+0.000",
            "0e999",
            "0.0e-999",
            "00000000000000000000001.5",
            "1.00000000000000000000000000001",
            "4.9e-324",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "-.5e-3",
            "123.456e-5",
            "7.",
            "1e+0",
            "1E-0",
            "7.85923e+07",
            "5.55452e-05",
            "9007199254740993e1",
            "0.0000000000000000000001e22",
            "1e-999",
            "1.5e",
            "1e+",
            "1e0005",
            "1e5.3",
            "1e5e5",
        ] {
            assert!(
                same(&parse_number(s.as_bytes()), &reference(s.as_bytes())),
                "{s}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// The fast parser agrees bit for bit with grammar + std on
        /// number-like strings (and on what is not a number).
        #[test]
        fn fast_number_path_matches_std(s in "[+-]?[0-9]{0,22}(\\.[0-9]{0,22})?([eE][+-]?[0-9]{0,4})?|[-+.eE0-9aN ln]{0,6}") {
            proptest::prop_assert!(same(&parse_number(s.as_bytes()), &reference(s.as_bytes())), "{:?}", s);
        }

        /// Quote-free chunks read the same through the plain splitter (its
        /// one-pass record path and the fallback it declines to) and the csv
        /// crate: same rows, lines, values, counts, errors, strict or not.
        #[test]
        fn plain_splitter_matches_csv(
            rows in proptest::collection::vec(
                (
                    0u8..6,
                    proptest::collection::vec(
                        "[0-9.]{0,4}|[+-]?[0-9]{1,3}(\\.[0-9]{0,3})?|NA|x| 1\\.5|2 |1e3|-|",
                        4,
                    ),
                    0u8..7,
                ),
                0..12,
            ),
            strict in proptest::bool::ANY,
        ) {
            let mut chunk = String::new();
            for (tok, cells, shape) in &rows {
                match shape {
                    0 => chunk.push('\n'),
                    1 => chunk.push_str("\r\n"),
                    _ => {
                        // Tokens 4 and 5: empty, padded; dates: valid, padded, bad.
                        let token = match tok {
                            4 => String::new(),
                            5 => " T5 ".into(),
                            t => format!("T{t}"),
                        };
                        let date = match tok {
                            3 => " 2024-01-04".to_string(),
                            5 => "2024-13-01".to_string(),
                            t => format!("2024-01-0{}", 1 + t),
                        };
                        chunk.push_str(&format!("{token},{date}"));
                        let n = match shape {
                            5 => 2,
                            6 => 4,
                            _ => 3,
                        };
                        for c in &cells[..n] {
                            chunk.push(',');
                            chunk.push_str(c);
                        }
                        chunk.push_str(if *shape == 3 { "\r\n" } else { "\n" });
                    }
                }
            }
            if rows.len() % 2 == 1 {
                // Last record without a line end.
                while chunk.ends_with('\n') || chunk.ends_with('\r') {
                    chunk.pop();
                }
            }
            let opts = ReadOptions {
                delimiter: b',',
                return_col: "f_c".into(),
                require_return: true,
                strict,
                chunk_bytes: CHUNK_BYTES,
                hash: false,
                progress: None,
            };
            let rec = csv::ByteRecord::from(vec!["token", "date", "f_a", "f_b", "f_c"]);
            let header = Header::parse("t.csv", &rec, &opts).unwrap();
            let parser = ChunkParser { header: &header, opts: &opts, seed: 1 };
            let run = |plain: bool| {
                let nf = header.features.len();
                let mut st = ChunkState {
                    out: ChunkResult {
                        sink: Rows::default(),
                        quality: Quality { missing_feature_cells: vec![0; nf], ..Quality::default() },
                        fingerprints: Vec::new(),
                        lines: Vec::new(),
                    },
                    values: vec![f64::NAN; nf],
                    dates: DateCache::default(),
                    missing: Vec::new(),
                };
                let r = if plain {
                    parser.parse_plain(chunk.as_bytes(), 7, &mut st)
                } else {
                    parser.parse_csv(chunk.as_bytes(), 7, &mut st)
                };
                (r.map_err(|e| e.to_string()), st.out.sink.0, st.out.quality)
            };
            let (a, b) = (run(true), run(false));
            proptest::prop_assert_eq!(&a.0, &b.0);
            proptest::prop_assert_eq!(&a.1, &b.1);
            proptest::prop_assert_eq!(&a.2, &b.2);
        }
    }

    /// Every row as (token, nanos, line, feature bits, return bits).
    type RowBits = (String, i64, u64, Vec<u64>, Option<u64>);
    #[derive(Default)]
    struct Rows(Vec<RowBits>);

    impl RowSink for Rows {
        fn push(&mut self, row: &RowRef<'_>) {
            self.0.push((
                row.token.to_string(),
                row.stamp.nanos,
                row.line,
                row.features.iter().map(|x| x.to_bits()).collect(),
                row.ret.map(f64::to_bits),
            ));
        }
        fn merge(&mut self, later: Self) {
            self.0.extend(later.0);
        }
    }
}
