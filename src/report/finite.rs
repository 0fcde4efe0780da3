//! Finds the first number in a report that is not finite.
//!
//! Every figure of a report is a finite double or `null` (SPEC §7). A value
//! can still overflow: returns near `1e308` are finite cells, yet their sum
//! is infinite, and a NaN or an infinity would print as `inf` in the text
//! report or silently become `null` in JSON (serde_json writes non-finite
//! floats as `null`). So `backtest::run` runs this check on the finished
//! report, before either exporter sees it, and fails with the JSON pointer
//! of the figure instead of printing `inf` or a misleading schema error.
//!
//! It is a [`serde::Serializer`] that writes nothing: it walks the report
//! with the JSON exporter's field names, in serialisation order (the order
//! of the struct fields, not the sorted keys of the written JSON), and stops
//! at the first non-finite `f32`/`f64`.

use serde::ser::{self, Serialize};

/// The JSON pointer (`/extended_metrics/risk/sharpe`) of the first
/// non-finite number in `value`, in serialisation order; `Ok(None)` when
/// every number is finite. `Err` when a `Serialize` impl itself fails (for
/// example serde's default refusal of `i128`): the walk could not look at
/// everything, so the caller must not take the value as checked.
pub fn first_non_finite<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, String> {
    let mut walker = Walker { path: Vec::new() };
    match value.serialize(&mut walker) {
        Ok(()) => Ok(None),
        Err(Stop::NonFinite(pointer)) => Ok(Some(pointer)),
        Err(Stop::Other(message)) => Err(message),
    }
}

struct Walker {
    path: Vec<String>,
}

impl Walker {
    fn pointer(&self) -> String {
        if self.path.is_empty() {
            return "/".to_string();
        }
        self.path.iter().fold(String::new(), |mut s, p| {
            s.push('/');
            // RFC 6901 escapes.
            s.push_str(&p.replace('~', "~0").replace('/', "~1"));
            s
        })
    }

    fn number(&self, x: f64) -> Result<(), Stop> {
        if x.is_finite() {
            Ok(())
        } else {
            Err(Stop::NonFinite(self.pointer()))
        }
    }

    fn nested<T: Serialize + ?Sized>(&mut self, name: String, value: &T) -> Result<(), Stop> {
        self.path.push(name);
        let r = value.serialize(&mut *self);
        self.path.pop();
        r
    }
}

#[derive(Debug)]
enum Stop {
    NonFinite(String),
    Other(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::NonFinite(p) => write!(f, "non-finite number at {p}"),
            Stop::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Stop::Other(msg.to_string())
    }
}

/// The name a map key has in JSON (keys of the report are strings).
fn key_name<K: Serialize + ?Sized>(key: &K) -> String {
    match serde_json::to_value(key) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => "?".to_string(),
    }
}

impl<'a> ser::Serializer for &'a mut Walker {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_f64(self, v: f64) -> Result<(), Stop> {
        self.number(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Stop> {
        self.number(f64::from(v))
    }
    fn serialize_bool(self, _: bool) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        self.nested(variant.to_string(), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Stop> {
        Ok(Seq {
            walker: self,
            index: 0,
            variant: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Stop> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, Stop> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, Stop> {
        self.path.push(variant.to_string());
        Ok(Seq {
            walker: self,
            index: 0,
            variant: true,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a>, Stop> {
        Ok(Map {
            walker: self,
            key: String::new(),
        })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        self.path.push(variant.to_string());
        Ok(self)
    }
}

/// A sequence (or tuple) being walked; `variant`: a tuple variant whose
/// name is on the path.
struct Seq<'a> {
    walker: &'a mut Walker,
    index: usize,
    variant: bool,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let i = self.index;
        self.index += 1;
        self.walker.nested(i.to_string(), value)
    }
    fn done(self) -> Result<(), Stop> {
        if self.variant {
            self.walker.path.pop();
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        self.done()
    }
}

impl ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        self.done()
    }
}

impl ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        self.done()
    }
}

impl ser::SerializeTupleVariant for Seq<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        self.element(value)
    }
    fn end(self) -> Result<(), Stop> {
        self.done()
    }
}

/// A map being walked: the last key's JSON name.
struct Map<'a> {
    walker: &'a mut Walker,
    key: String,
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        self.key = key_name(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let key = std::mem::take(&mut self.key);
        self.walker.nested(key, value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        self.nested(key.to_string(), value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Walker {
    type Ok = ();
    type Error = Stop;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        self.nested(key.to_string(), value)
    }
    fn end(self) -> Result<(), Stop> {
        self.path.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::first_non_finite;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Inner {
        ok: f64,
        maybe: Option<f64>,
    }

    #[derive(serde::Serialize)]
    struct Outer {
        name: String,
        #[serde(rename = "renamed")]
        inner: Inner,
        list: Vec<f64>,
        by_name: BTreeMap<String, Inner>,
    }

    fn outer() -> Outer {
        Outer {
            name: "x".into(),
            inner: Inner {
                ok: 1.0,
                maybe: None,
            },
            list: vec![0.5, -2.0],
            by_name: BTreeMap::from([(
                "a/b~c".to_string(),
                Inner {
                    ok: 0.0,
                    maybe: Some(3.0),
                },
            )]),
        }
    }

    #[test]
    fn finite_report_passes() {
        assert_eq!(first_non_finite(&outer()), Ok(None));
    }

    /// A value the walk cannot serialise is an error, never "all finite".
    #[test]
    fn a_failing_serialize_impl_is_an_error() {
        struct Refuses;
        impl serde::Serialize for Refuses {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("refused"))
            }
        }
        assert_eq!(
            first_non_finite(&(Refuses, f64::NAN)),
            Err("refused".to_string())
        );
    }

    #[test]
    fn names_the_first_non_finite_number_by_json_pointer() {
        let mut o = outer();
        o.inner.maybe = Some(f64::INFINITY);
        let at = |o: &Outer| first_non_finite(o).unwrap();
        assert_eq!(at(&o).as_deref(), Some("/renamed/maybe"));

        let mut o = outer();
        o.list[1] = f64::NAN;
        assert_eq!(at(&o).as_deref(), Some("/list/1"));

        // Map keys are escaped per RFC 6901.
        let mut o = outer();
        o.by_name.get_mut("a/b~c").unwrap().ok = f64::NEG_INFINITY;
        assert_eq!(at(&o).as_deref(), Some("/by_name/a~1b~0c/ok"));

        // Serialisation order: the earlier field wins.
        let mut o = outer();
        o.inner.ok = f64::NAN;
        o.list[0] = f64::NAN;
        assert_eq!(at(&o).as_deref(), Some("/renamed/ok"));

        assert_eq!(first_non_finite(&f64::NAN), Ok(Some("/".to_string())));
    }
}
