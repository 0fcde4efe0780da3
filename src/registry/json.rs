//! A small JSON tree with sorted keys and exact decimal numbers.
//!
//! serde_json's `Value` cannot hold a decimal without its crate-wide
//! `arbitrary_precision` feature, which we must not enable. So reports are
//! built as a [`Json`] tree (objects are `BTreeMap`s: keys sorted at every
//! level) and written by [`write_pretty`]; strings and floats are still
//! formatted by serde_json.

use std::collections::BTreeMap;
use std::io::{self, Write};

use rust_decimal::Decimal;

use super::money::{money_digits, pct_digits, plain_digits};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (token counts, windows, rate limits).
    UInt(u128),
    /// A float in shortest round-trip form; non-finite is `null`.
    Float(f64),
    /// A number written with exactly these digits (money, percentages).
    Decimal(String),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys sorted.
    Object(BTreeMap<String, Json>),
}

impl Json {
    /// Money: exact digits, at least 2 decimals (`0.0105`, `2.00`).
    pub fn money(d: Decimal) -> Json {
        Json::Decimal(money_digits(d))
    }

    /// A percentage cut to 2 decimals (`82`, `94.99`).
    pub fn pct(d: Decimal) -> Json {
        Json::Decimal(pct_digits(d))
    }

    /// Any other exact decimal, trailing zeros trimmed.
    pub fn decimal(d: Decimal) -> Json {
        Json::Decimal(plain_digits(d))
    }

    /// A string.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// An optional string (`null` when absent).
    pub fn opt_str(s: Option<&str>) -> Json {
        s.map_or(Json::Null, Json::str)
    }

    /// An array of strings.
    pub fn strs<S: AsRef<str>>(items: &[S]) -> Json {
        Json::Array(items.iter().map(|s| Json::str(s.as_ref())).collect())
    }

    /// Converts a serde_json value (for the sections shown as loaded).
    pub fn from_value(v: &serde_json::Value) -> Json {
        match v {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => match (n.as_u64(), n.as_f64()) {
                (Some(u), _) => Json::UInt(u128::from(u)),
                (None, Some(f)) => Json::Float(f),
                (None, None) => Json::Null,
            },
            serde_json::Value::String(s) => Json::str(s.as_str()),
            serde_json::Value::Array(a) => Json::Array(a.iter().map(Json::from_value).collect()),
            serde_json::Value::Object(o) => Json::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Json::from_value(v)))
                    .collect(),
            ),
        }
    }
}

/// Builds an object from `(key, value)` pairs.
pub fn object<const N: usize>(pairs: [(&str, Json); N]) -> Json {
    Json::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn indent(out: &mut dyn Write, level: usize) -> io::Result<()> {
    for _ in 0..level {
        out.write_all(b"  ")?;
    }
    Ok(())
}

fn write_value(out: &mut dyn Write, value: &Json, level: usize) -> io::Result<()> {
    match value {
        Json::Null => out.write_all(b"null"),
        Json::Bool(b) => write!(out, "{b}"),
        Json::UInt(u) => write!(out, "{u}"),
        Json::Float(f) => out.write_all(serde_json::to_string(f)?.as_bytes()),
        Json::Decimal(d) => out.write_all(d.as_bytes()),
        Json::Str(s) => out.write_all(serde_json::to_string(s)?.as_bytes()),
        Json::Array(items) => {
            if items.is_empty() {
                return out.write_all(b"[]");
            }
            out.write_all(b"[\n")?;
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1)?;
                write_value(out, item, level + 1)?;
                out.write_all(if i + 1 < items.len() { b",\n" } else { b"\n" })?;
            }
            indent(out, level)?;
            out.write_all(b"]")
        }
        Json::Object(map) => {
            if map.is_empty() {
                return out.write_all(b"{}");
            }
            out.write_all(b"{\n")?;
            for (i, (key, item)) in map.iter().enumerate() {
                indent(out, level + 1)?;
                out.write_all(serde_json::to_string(key)?.as_bytes())?;
                out.write_all(b": ")?;
                write_value(out, item, level + 1)?;
                out.write_all(if i + 1 < map.len() { b",\n" } else { b"\n" })?;
            }
            indent(out, level)?;
            out.write_all(b"}")
        }
    }
}

/// Writes `value` indented by two spaces, keys sorted, with a final newline.
pub fn write_pretty(out: &mut dyn Write, value: &Json) -> io::Result<()> {
    write_value(out, value, 0)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn writes_sorted_keys_and_exact_money() {
        let v = object([
            ("zeta", Json::money(Decimal::from_str("0.010500").unwrap())),
            ("alpha", Json::Array(vec![Json::Float(0.1), Json::Null])),
            ("name", Json::str("a\"b")),
        ]);
        let mut buf = Vec::new();
        write_pretty(&mut buf, &v).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "{\n  \"alpha\": [\n    0.1,\n    null\n  ],\n  \"name\": \"a\\\"b\",\n  \"zeta\": 0.0105\n}\n"
        );
        // and it is valid JSON with the same number
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["zeta"].to_string(), "0.0105");
    }
}
