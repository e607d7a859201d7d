//! `Deserialize` for generated models, written once.
//!
//! `#[derive(Deserialize)]` expands, for every struct, a field-name enum with its own
//! `Deserialize` impl and visitor, a sequence visitor, a map visitor with a duplicate check per
//! field and a wrapper type per `deserialize_with` field; across an API of thousands of models
//! that expansion is most of the crate's compile time. Here the generic part is written once:
//! a model only says which wire names it has ([`Fields::FIELDS`]), how to read the value of the
//! field at an index into its slot ([`Fields::field`], one match arm per field using the helpers
//! below) and how to build itself from the slots ([`Fields::finish`]). The behaviour is the
//! derive's for the attributes the generator used: unknown members ignored (or refused with
//! `deny_unknown_fields`), `duplicate field`, `missing field` and `unknown field` errors naming
//! the member, `null` read as an empty collection where absent and empty mean the same, and
//! `Option<Option<T>>` fields that tell an absent member (`None`) from `null` (`Some(None)`).
//! Unlike the derive, a model is not read from a JSON array of its field values.
//!
//! Plumbing for generated code: public so that generated crates can use it, hidden from the docs.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;

/// serde's, named here so that generated impls spell them `de::MapAccess`, `de::Error`.
pub use serde::de::{Error, MapAccess};

/// The fields of one generated model while it is decoded: one `Option` slot per field.
pub trait Fields<'de>: Default {
    /// The model.
    type Output;
    /// The model's name, for "expected struct NAME" errors.
    const NAME: &'static str;
    /// The wire names, in field order; a member's index in this list is what [`Fields::field`] gets.
    const FIELDS: &'static [&'static str];
    /// Whether members not in [`Fields::FIELDS`] are an error (`additionalProperties: false`).
    const DENY_UNKNOWN: bool = false;

    /// Reads the value of the member named `FIELDS[index]` into its slot.
    fn field<A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;

    /// The model from the slots, or the first missing required field as an error.
    fn finish<E: de::Error>(self) -> Result<Self::Output, E>;
}

/// `Deserialize::deserialize` of a model whose slots are `F`.
pub fn deserialize<'de, F: Fields<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<F::Output, D::Error> {
    deserializer.deserialize_struct(F::NAME, F::FIELDS, StructVisitor::<F>(PhantomData))
}

struct StructVisitor<F>(PhantomData<F>);

impl<'de, F: Fields<'de>> Visitor<'de> for StructVisitor<F> {
    type Value = F::Output;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", F::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<F::Output, A::Error> {
        let mut slots = F::default();
        let key = Key { fields: F::FIELDS, deny_unknown: F::DENY_UNKNOWN };
        while let Some(found) = map.next_key_seed(key)? {
            match found {
                Some(index) => slots.field(index, &mut map)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        slots.finish()
    }
}

/// A member name read as the index of a field (`None`: not a field of the model), without
/// allocating.
#[derive(Clone, Copy)]
struct Key {
    fields: &'static [&'static str],
    deny_unknown: bool,
}

impl Key {
    fn index<E: de::Error>(self, name: &str) -> Result<Option<usize>, E> {
        match self.fields.iter().position(|f| *f == name) {
            Some(index) => Ok(Some(index)),
            None if self.deny_unknown => Err(E::unknown_field(name, self.fields)),
            None => Ok(None),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.index(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        self.index(&String::from_utf8_lossy(v))
    }
}

/// Reads a member into its slot; a second occurrence is a `duplicate field` error.
pub fn slot<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    vacant(slot, name)?;
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Like [`slot`] for a collection where absent and empty mean the same: `null` is empty.
pub fn slot_or_empty<'de, T: Deserialize<'de> + Default, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    vacant(slot, name)?;
    *slot = Some(map.next_value::<Option<T>>()?.unwrap_or_default());
    Ok(())
}

/// Like [`slot`] for an `Option<Option<T>>` field: a present member is `Some`, even `null`
/// (`Some(None)`), so that an absent one stays `None`.
pub fn slot_present<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<Option<Option<T>>>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    vacant(slot, name)?;
    *slot = Some(Some(map.next_value()?));
    Ok(())
}

/// `Ok` for a slot not filled yet; a member's second occurrence is a `duplicate field` error.
fn vacant<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
    match slot {
        Some(_) => Err(E::duplicate_field(name)),
        None => Ok(()),
    }
}

/// The value of a required field, or a `missing field` error naming it.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}
