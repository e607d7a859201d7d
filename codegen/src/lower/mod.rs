//! Stage 4 (of the list in `lib.rs`): validate the parsed document and turn it into the IR.
//!
//! [`lower`] is the entry point and [`Lowerer`] holds the state of one run. The work is split
//! by concern:
//! - [`names`]: type names (natural names, overrides, reserved names, collisions);
//! - [`refs`]: `#/components/...` references to what they stand for;
//! - [`schemas`]: schemas to named types and type references; [`merge`]: `allOf` merging;
//!   [`enums`]: string enums;
//! - [`operations`]: operations and parameters; [`auth`]: security requirements;
//!   [`bodies`]: request bodies and responses; [`pagination`]: pagination detection;
//! - then passes over the finished IR: [`cycles`] (boxing members that would make a type contain
//!   itself), then one walk of the type graph ([`passes`]) that the remaining passes read:
//!   directional `required`, tri-state fields, plain collections ([`collections`]), and the
//!   facts the emitters print (how the operations use the types: [`TypeUses`]; the tag features
//!   that gate each type: [`TypeDef::features`]; which modules use deprecated items); last,
//!   [`docs`]: a doc for every field and `oneOf` branch the spec leaves undescribed.
//!
//! The stage ends after [`lower`]: [`aliases`](crate::aliases) refuses type aliases that name
//! themselves.

mod auth;
mod bodies;
mod collections;
mod cycles;
mod docs;
mod enums;
mod errors;
mod merge;
mod names;
mod operations;
mod pagination;
mod passes;
mod refs;
mod schemas;

use std::collections::{BTreeMap, HashMap, HashSet};

use openapiv3::OpenAPI;

use crate::error::{Ctx, Error};
use crate::ir::*;

use bodies::multipart_components;
use cycles::box_cycles;
use names::Holder;
use operations::server_url;
use passes::{mark_tri_state, record_uses, relax_directional_required, walk_uses};

pub(crate) use schemas::is_secret;

/// An operation that was left out, with where and why.
pub type Skipped = Vec<Error>;

struct Lowerer<'a> {
    ctx: &'a Ctx,
    spec: &'a OpenAPI,
    types: Vec<TypeDef>,
    /// Inline string enums, emitted after the other types.
    enums: Vec<TypeDef>,
    /// Every type name given out, with what holds it.
    names: HashMap<String, Holder>,
    components: HashMap<String, String>,
    /// Names chosen by the maintainer: JSON pointer → Rust name.
    renames: &'a BTreeMap<String, String>,
    /// Pointers of `renames` that named something.
    renames_used: HashSet<String>,
    /// Hand-written types by JSON pointer of the component schema they replace.
    replacements: &'a BTreeMap<String, String>,
    /// Resolve name collisions with a suffix and a warning instead of failing.
    lenient: bool,
    /// Problems worked around (name collisions in lenient mode).
    warnings: Vec<Error>,
    depth: usize,
    /// While lowering a multipart body: `format: binary` properties are bytes (file parts).
    binary_as_bytes: bool,
    /// Component schemas sent as multipart bodies (their binary properties are bytes).
    multipart_components: HashSet<String>,
}

const MAX_SCHEMA_DEPTH: usize = 48;

/// Turns a parsed document into the IR. Operations that use an unsupported construct are
/// left out and listed in the returned `Skipped`.
pub(crate) fn lower(
    ctx: &Ctx,
    spec: &OpenAPI,
    skip_unsupported: bool,
    renames: &crate::Renames,
    replacements: &crate::Replacements,
) -> Result<(Api, Skipped), Error> {
    let mut l = Lowerer {
        ctx,
        spec,
        types: Vec::new(),
        enums: Vec::new(),
        names: HashMap::new(),
        components: HashMap::new(),
        renames: &renames.names,
        renames_used: HashSet::new(),
        replacements: &replacements.types,
        lenient: skip_unsupported,
        warnings: Vec::new(),
        depth: 0,
        binary_as_bytes: false,
        multipart_components: multipart_components(spec),
    };
    let default_server = spec.servers.first().map(server_url).unwrap_or_else(|| "http://localhost".to_owned());
    let default_server =
        if default_server.starts_with('/') { format!("http://localhost{default_server}") } else { default_server };

    l.name_components()?;
    l.define_components()?;
    let mut skipped = Vec::new();
    let operations = l.operations(&default_server, skip_unsupported, &mut skipped)?;
    let mut api = Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        default_server,
        types: Vec::new(),
        operations,
        uses: TypeUses::default(),
    };
    api.types = std::mem::take(&mut l.types);
    api.types.append(&mut l.enums);
    for pointer in renames.names.keys().filter(|p| !l.renames_used.contains(*p)) {
        let error = Error {
            kind: crate::ErrorKind::Invalid,
            location: crate::Location { file: renames.path.clone(), pointer: pointer.clone() },
            message: format!("renames entry `{pointer}` does not name a schema or operation of {}", ctx.file),
        };
        if !skip_unsupported {
            return Err(error);
        }
        l.warnings.push(error);
    }
    let defined: HashSet<&str> = api.types.iter().map(|t| t.origin.as_str()).collect();
    if let Some(pointer) = replacements.types.keys().find(|p| !defined.contains(p.as_str())) {
        // Not lenient: the entry names a type the hand-written code stands for.
        return Err(Error {
            kind: crate::ErrorKind::Invalid,
            location: crate::Location { file: replacements.path.clone(), pointer: pointer.clone() },
            message: format!(
                "replacements entry `{pointer}` does not name a component schema or parameter enum of {}",
                ctx.file
            ),
        });
    }
    skipped.append(&mut l.warnings);
    box_cycles(&mut api);
    // One walk of the type graph; the passes below change fields' flags, never its edges.
    let reach = walk_uses(&api);
    relax_directional_required(&mut api, &reach);
    mark_tri_state(&mut api, &reach);
    collections::mark_plain_collections(&mut api, spec, &reach);
    record_uses(&mut api, &reach);
    docs::fill_docs(&mut api);
    Ok((api, skipped))
}
