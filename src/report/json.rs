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
    validate_with(&validator()?, value, file)
}

/// The schema validator, built on a thread of its own from the start of a
/// run: the first build in a process costs ~3 ms (the crate's one-time
/// set-up), as much as 5 % of a run on the real file, and need not wait
/// for the data.
pub struct SchemaCheck(std::thread::JoinHandle<Result<jsonschema::Validator>>);

impl SchemaCheck {
    /// Start building the validator.
    pub fn start() -> SchemaCheck {
        SchemaCheck(std::thread::spawn(validator))
    }

    /// [`validate`] with the validator built in the background.
    pub fn validate(self, value: &Value, file: &str) -> Result<()> {
        let v = match self.0.join() {
            Ok(v) => v?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        validate_with(&v, value, file)
    }
}

fn validate_with(v: &jsonschema::Validator, value: &Value, file: &str) -> Result<()> {
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
/// `-` reads standard input.
pub fn validate_file(path: &Path) -> Result<()> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        source: e,
    };
    let text = if stdin {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t).map_err(io)?;
        t
    } else {
        std::fs::read_to_string(path).map_err(io)?
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Schema {
        file: name.clone(),
        pointer: "/".into(),
        message: format!("not valid JSON: {e}"),
    })?;
    validate(&value, &name)
}

/// Write `text` to `path` atomically: a temporary file in the target's
/// directory, flushed and synced, then renamed over the target. A failure
/// leaves no file (and an existing target untouched).
///
/// - A symbolic link is followed: its target is replaced, the link stays.
/// - A path that exists but is not a regular file (a FIFO, a device such as
///   `/dev/stdout`) cannot be replaced by a rename: it is opened and written
///   in place, never swapped for a regular file.
/// - The new file gets the permissions an ordinary `open` would give
///   (0666 less the umask), or the existing target's permissions.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| Error::Io {
        path: name.clone(),
        source: e,
    };
    let existing = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory (give a file path for the JSON report)",
            )));
        }
        if !m.is_file() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            return f.flush().map_err(io);
        }
    }
    let target = resolve_link(path).map_err(io)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let stem = target
        .file_name()
        .map_or_else(|| "report".into(), |f| f.to_string_lossy().into_owned());
    let (tmp_path, file) = create_temp(&dir, &stem).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound if !dir.is_dir() => "no such directory".to_string(),
            // The directory is there, yet new files cannot be made (`/proc`).
            std::io::ErrorKind::NotFound => {
                format!("the directory takes no new files ({e}); the report is written to a temporary file there first")
            }
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        io(std::io::Error::new(
            e.kind(),
            format!(
                "cannot create a file in directory {}: {reason}",
                dir.display()
            ),
        ))
    })?;
    // Removes the temporary file unless it was renamed into place.
    struct Cleanup<'a>(&'a Path, bool);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            if !self.1 {
                let _ = std::fs::remove_file(self.0);
            }
        }
    }
    let mut guard = Cleanup(&tmp_path, false);
    let mut file = file;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    if let Some(m) = &existing {
        std::fs::set_permissions(&tmp_path, m.permissions()).map_err(io)?;
    }
    std::fs::rename(&tmp_path, &target).map_err(io)?;
    guard.1 = true;
    Ok(())
}

/// The file a path names after following symbolic links (a dangling link's
/// target too, so writing through it creates the target).
fn resolve_link(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// A new, exclusively created temporary file `.<stem>.gemscan-<pid>-<n>.tmp`
/// in `dir`, with the default permissions of `open` (0666 less the umask).
fn create_temp(dir: &Path, stem: &str) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..1000 {
        let p = dir.join(format!(".{stem}.gemscan-{pid}-{n}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary file name")))
}
