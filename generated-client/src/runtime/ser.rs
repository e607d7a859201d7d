//! `Serialize` for generated models, written once: a model's impl is `serialize_struct` with one
//! line per field, and these helpers leave out what `skip_serializing_if` left out (an absent
//! optional field, an empty collection where absent and empty mean the same). See
//! [`de`](super::de) for why the derive is not used.
//!
//! Plumbing for generated code: public so that generated crates can use it, hidden from the docs.

use std::collections::BTreeMap;

use serde::ser::SerializeStruct;
use serde::Serialize;

/// A collection that is left out when empty.
pub trait Collection {
    /// Whether there is nothing in it.
    fn is_empty(&self) -> bool;
}

impl<T> Collection for Vec<T> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

impl<K, V> Collection for BTreeMap<K, V> {
    fn is_empty(&self) -> bool {
        BTreeMap::is_empty(self)
    }
}

/// How many of `present` are true: the number of a model's optional fields written this time
/// (one `bool` per optional field, in field order), for `serialize_struct`'s length.
pub fn count(present: &[bool]) -> usize {
    present.iter().filter(|p| **p).count()
}

/// Writes an optional field when it is `Some` (for an `Option<Option<T>>`, `Some(None)` is
/// written as `null`).
pub fn optional<S: SerializeStruct, T: Serialize>(
    s: &mut S,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(_) => s.serialize_field(name, value),
        None => s.skip_field(name),
    }
}

/// Writes a collection unless it is empty.
pub fn collection<S: SerializeStruct, T: Serialize + Collection>(
    s: &mut S,
    name: &'static str,
    value: &T,
) -> Result<(), S::Error> {
    if value.is_empty() {
        s.skip_field(name)
    } else {
        s.serialize_field(name, value)
    }
}
