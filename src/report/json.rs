//! JSON export: serialise with sorted keys, validate against the published
//! schema, write atomically (SPEC §7).

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// The JSON Schema (Draft 2020-12) of backtest reports, as shipped.
pub const SCHEMA: &str = include_str!("../../schemas/backtest.schema.json");

/// A report as a JSON value. serde_json's map is ordered by key, so every
/// level comes out sorted; floats print in shortest round-trip form.
pub fn to_value<T: serde::Serialize>(report: &T) -> Result<Value> {
    serde_json::to_value(report)
        .map_err(|e| Error::Internal(format!("cannot serialise report: {e}")))
}

/// Pretty-printed JSON text with a final newline.
pub fn to_text(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

fn validator() -> Result<jsonschema::Validator> {
    let schema: Value = serde_json::from_str(SCHEMA)
        .map_err(|e| Error::Internal(format!("shipped schema is not JSON: {e}")))?;
    jsonschema::draft202012::new(&schema)
        .map_err(|e| Error::Internal(format!("shipped schema is invalid: {e}")))
}

/// Check a JSON value against the schema; the error names the first failing
/// JSON pointer (`/precision_at_k`) and what is wrong there.
pub fn validate(value: &Value, file: &str) -> Result<()> {
    let v = validator()?;
    let mut errors: Vec<(String, String)> = v
        .iter_errors(value)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect();
    errors.sort();
    match errors.into_iter().next() {
        None => Ok(()),
        Some((pointer, message)) => Err(Error::Schema {
            file: file.to_string(),
            pointer: if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            },
            message,
        }),
    }
}

/// Check a JSON file on disk (`gemscan validate FILE`).
pub fn validate_file(path: &Path) -> Result<()> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: name.clone(),
        source: e,
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Schema {
        file: name.clone(),
        pointer: "/".into(),
        message: format!("not valid JSON: {e}"),
    })?;
    validate(&value, &name)
}

/// Write `text` to `path` atomically: a temporary file in the same directory,
/// flushed and synced, then renamed over the target. A failure leaves no file.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        source: e,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile's error names its random temporary path; report the
    // directory and the OS reason instead.
    let mut tmp = tempfile::Builder::new()
        .prefix(".gemscan-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            let reason = match e.kind() {
                std::io::ErrorKind::NotFound => "no such directory".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                k => k.to_string(),
            };
            io(std::io::Error::new(
                e.kind(),
                format!(
                    "cannot create a file in directory {}: {reason}",
                    dir.display()
                ),
            ))
        })?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
