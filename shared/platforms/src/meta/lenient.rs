//! Lenient readers for webhook JSON: a field of an unexpected type reads as absent instead
//! of failing the whole change, and text is borrowed from the body where it has no escapes.
//!
//! The typed, borrowing parse replaced a parse into `serde_json::Value` trees, which spent
//! most of the hot path in allocation (see bench/results.md).

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A JSON string or integer; anything else (float, bool, null, object, array) is `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    UInt(u64),
    Other,
}

impl<'a> Scalar<'a> {
    /// The text of a string; `None` for everything else.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a string, owned; `None` for everything else.
    pub(crate) fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s.into_owned()),
            _ => None,
        }
    }

    /// An id: Meta sends ids as strings, but test tools and some payloads send numbers.
    /// The value as a Meta id: digits and underscores only (`1029384756_777`), at most 64
    /// characters. Anything else is not an id of Meta's, and is refused here, so ids that
    /// end up in storage keys and Graph URLs can hold nothing else.
    pub(crate) fn to_id(&self) -> Option<String> {
        let id = match self {
            Scalar::Str(s) => s.as_ref().to_owned(),
            Scalar::UInt(n) => n.to_string(),
            Scalar::Int(n) if *n >= 0 => n.to_string(),
            _ => return None,
        };
        is_meta_id(&id).then_some(id)
    }
}

/// A struct read from webhook JSON, borrowing from the body, whose every field is optional
/// and lenient: those listed in `scalars` are [`Scalar`]s, the others of the type given.
macro_rules! lenient_struct {
    (
        $(#[$attr:meta])*
        struct $name:ident<$lt:lifetime> {
            scalars: [$($scalar:ident),* $(,)?],
            $($field:ident: $ty:ty,)*
        }
    ) => {
        $(#[$attr])*
        #[derive(serde::Deserialize)]
        struct $name<$lt> {
            $(
                #[serde(borrow)]
                $scalar: Option<$crate::meta::lenient::Scalar<$lt>>,
            )*
            $(
                #[serde(borrow)]
                $field: Option<$ty>,
            )*
        }
    };
}
pub(crate) use lenient_struct;

/// Drains whatever a visitor was handed that it does not want, so parsing goes on.
macro_rules! read_other_types_as {
    ($other:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

macro_rules! drain_seq_as {
    ($other:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

macro_rules! drain_map_as {
    ($other:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($other)
        }
    };
}

/// `Deserialize` for the lenient container `$name<T>`, which reads any JSON value: the
/// visitor methods given read what it holds; any other value reads as `$name(None)`.
macro_rules! read_any_json_value {
    ($name:ident<$de:lifetime>, $($visit:tt)*) => {
        impl<$de, T: Deserialize<$de>> Deserialize<$de> for $name<T> {
            fn deserialize<D: Deserializer<$de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V<T>(PhantomData<T>);
                impl<$de, T: Deserialize<$de>> Visitor<$de> for V<T> {
                    type Value = $name<T>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("any JSON value")
                    }
                    $($visit)*
                    read_other_types_as!($name(None));
                }
                deserializer.deserialize_any(V(PhantomData))
            }
        }
    };
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(s)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(n))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
                Ok(Scalar::UInt(n))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Scalar::Other)
            }
            drain_seq_as!(Scalar::Other);
            drain_map_as!(Scalar::Other);
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// A JSON object read as `T`; any other value reads as `None`.
#[derive(Debug)]
pub(crate) struct Obj<T>(pub(crate) Option<T>);

impl<T> Obj<T> {
    pub(crate) fn into_inner(self) -> Option<T> {
        self.0
    }
}

read_any_json_value!(Obj<'de>,
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }
    drain_seq_as!(Obj(None));
);

/// A JSON array read as a list of `T`; any other value reads as `None`.
#[derive(Debug)]
pub(crate) struct List<T>(pub(crate) Option<Vec<T>>);

read_any_json_value!(List<'de>,
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List(Some(items)))
    }
    drain_map_as!(List(None));
);

/// Digits and underscores, 1 to 64 of them.
pub(crate) fn is_meta_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    lenient_struct! {
        struct Sample<'a> {
            scalars: [a],
            b: Obj<Inner<'a>>,
            c: List<&'a RawValue>,
        }
    }

    lenient_struct! {
        struct Inner<'a> {
            scalars: [id],
        }
    }

    fn sample(json: &str) -> Sample<'_> {
        match serde_json::from_str(json) {
            Ok(s) => s,
            Err(e) => panic!("{json}: {e}"),
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_with_escapes_decoded() {
        let plain = sample(r#"{"a":"plain"}"#);
        assert!(matches!(plain.a, Some(Scalar::Str(Cow::Borrowed("plain")))));
        let escaped = sample(r#"{"a":"d\u00e9\u00e7ue"}"#);
        assert_eq!(
            escaped.a.and_then(Scalar::into_string).as_deref(),
            Some("déçue")
        );
    }

    #[test]
    fn every_other_json_type_reads_as_other_and_parsing_goes_on() {
        for value in ["1.5", "true", r#"{"x":[1,{"y":2}]}"#, r#"[1,"two",[3]]"#] {
            let json = format!(r#"{{"a":{value},"b":{{"id":"12_34"}}}}"#);
            let s = sample(&json);
            assert_eq!(s.a, Some(Scalar::Other), "{value}");
            let id = s.b.and_then(Obj::into_inner).and_then(|i| i.id);
            assert_eq!(id.and_then(|i| i.to_id()).as_deref(), Some("12_34"));
        }
        assert!(sample(r#"{"a":null}"#).a.is_none());
    }

    #[test]
    fn ids_may_be_strings_or_non_negative_integers() {
        let id = |json: &str| sample(json).a.and_then(|a| a.to_id());
        assert_eq!(id(r#"{"a":"17841"}"#).as_deref(), Some("17841"));
        assert_eq!(id(r#"{"a":17841}"#).as_deref(), Some("17841"));
        assert_eq!(id(r#"{"a":""}"#), None);
        assert_eq!(id(r#"{"a":-1}"#), None);
        assert_eq!(id(r#"{"a":1.0}"#), None);
    }

    #[test]
    fn an_object_or_list_of_the_wrong_type_reads_as_none() {
        let s = sample(r#"{"b":"not an object","c":{"not":"a list"}}"#);
        assert!(s.b.is_some_and(|b| b.0.is_none()));
        assert!(s.c.is_some_and(|c| c.0.is_none()));
        let s = sample(r#"{"b":[1,2],"c":7}"#);
        assert!(s.b.is_some_and(|b| b.0.is_none()));
        assert!(s.c.is_some_and(|c| c.0.is_none()));
    }

    #[test]
    fn a_list_keeps_each_element_verbatim() {
        let s = sample(r#"{"c":[{"k": "v"}, 2 ,"three"]}"#);
        let raw: Vec<&str> =
            s.c.and_then(|c| c.0)
                .unwrap_or_default()
                .iter()
                .map(|r| r.get())
                .collect();
        assert_eq!(raw, [r#"{"k": "v"}"#, "2", r#""three""#]);
    }
}
