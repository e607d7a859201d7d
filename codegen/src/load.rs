//! Stage 1: spec text (YAML or JSON) to a JSON value.

use serde_json::{Map, Number, Value};

use crate::error::{Ctx, Error, ErrorKind};

/// Deeper nesting than this is refused rather than risking the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// Parses YAML (which includes JSON) into a JSON value, stringifying scalar mapping keys
/// (`200:` becomes `"200"`) and refusing absurd nesting.
pub(crate) fn load(ctx: &Ctx, text: &str) -> Result<Value, Error> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        // Plain JSON: serde_json reports line and column and limits recursion itself.
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ctx.err(ErrorKind::Syntax, &format!("{}:{}", e.line(), e.column()), e.to_string()))?;
        check_depth(ctx, &value, "", 0)?;
        return Ok(value);
    }
    // Fast path: straight into a JSON value, with scalar keys (an unquoted `200:`) as strings and
    // integers beyond 64 bits (`minimum: -9223372036854776000` in OpenAI's document) as the
    // nearest float. It fails on tags and syntax errors, and then the document goes through
    // `serde_yaml::Value`, which reports syntax errors with their line and column.
    if let Ok(Wide(value)) = serde_yaml::from_str::<Wide>(text) {
        check_depth(ctx, &value, "", 0)?;
        return Ok(value);
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let at = e.location().map(|l| format!("{}:{}", l.line(), l.column())).unwrap_or_default();
        let message = e.to_string();
        // serde_yaml appends " at line L column C"; the location already says it.
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        ctx.err(ErrorKind::Syntax, &at, message)
    })?;
    convert(ctx, yaml, "", 0)
}

fn convert(ctx: &Ctx, value: serde_yaml::Value, at: &str, depth: usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(ctx.invalid(at, format!("nesting deeper than {MAX_DEPTH} levels")));
    }
    Ok(match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64().and_then(Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| convert(ctx, v, &crate::error::ptr(at, &i.to_string()), depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        serde_yaml::Value::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Null => "null".to_owned(),
                    _ => return Err(ctx.invalid(at, "mapping key is not a scalar")),
                };
                let child = crate::error::ptr(at, &key);
                let v = convert(ctx, v, &child, depth + 1)?;
                out.insert(key, v);
            }
            Value::Object(out)
        }
        serde_yaml::Value::Tagged(tagged) => convert(ctx, tagged.value, at, depth)?,
    })
}

fn check_depth(ctx: &Ctx, value: &Value, at: &str, depth: usize) -> Result<(), Error> {
    // The pointer is only spelled out for the node that is too deep: building one per node
    // cost an allocation for every member of the document.
    match too_deep(value, depth) {
        None => Ok(()),
        Some(mut path) => {
            path.reverse();
            let pointer = path.iter().fold(at.to_owned(), |p, token| crate::error::ptr(&p, token));
            Err(ctx.invalid(&pointer, format!("nesting deeper than {MAX_DEPTH} levels")))
        }
    }
}

/// The path (innermost token first) to a node nested deeper than [`MAX_DEPTH`], if any.
fn too_deep(value: &Value, depth: usize) -> Option<Vec<String>> {
    if depth > MAX_DEPTH {
        return Some(Vec::new());
    }
    match value {
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            too_deep(v, depth + 1).map(|mut path| {
                path.push(i.to_string());
                path
            })
        }),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            too_deep(v, depth + 1).map(|mut path| {
                path.push(k.clone());
                path
            })
        }),
        _ => None,
    }
}

/// A JSON value read from YAML that also accepts integers wider than 64 bits (as floats).
struct Wide(Value);

impl<'de> serde::Deserialize<'de> for Wide {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WideVisitor).map(Wide)
    }
}

struct WideVisitor;

impl<'de> serde::de::Visitor<'de> for WideVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::from).unwrap_or_else(|_| float(v as f64)))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map(Value::from).unwrap_or_else(|_| float(v as f64)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Wide(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some((Wide(key), Wide(value))) = map.next_entry()? {
            let key = match key {
                Value::String(s) => s,
                Value::Null => "null".to_owned(),
                Value::Bool(_) | Value::Number(_) => key.to_string(),
                _ => return Err(serde::de::Error::custom("mapping key is not a scalar")),
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// A float as a JSON number (`null` for infinities and NaN, which JSON cannot hold).
fn float(v: f64) -> Value {
    Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null)
}
