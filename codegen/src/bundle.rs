//! Stage 2: references resolved into one self-contained document.
//!
//! Every `$ref` the later stages meet afterwards is `#/components/<section>/<key>`, with the key
//! verbatim (not escaped), pointing into the bundled document itself. To get there:
//! - a reference to another file (`./schemas/pet.yaml`, `../common.yaml#/components/schemas/Error`)
//!   is read with the caller's loader, relative to the file the reference is in;
//! - a target that is not a whole component of the entry document (another file, or a pointer
//!   below a component such as `#/components/schemas/Tag/allOf/0`, into `$defs`, or into
//!   `paths`) is hoisted into `components/<section>` under a name derived only from where it
//!   is (see [`Bundler::assign_names`]), and every reference to it, including the place it came
//!   from, becomes a reference to that component; an entry component that is only a `$ref`
//!   (`Pet: {$ref: ./pet.yaml}`) gives its own name to its target;
//! - a reference to something components cannot hold (a path item, an operation) is replaced
//!   by a copy of its target.
//!
//! Pointers are decoded as RFC 6901 (`~1`, `~0`) after percent-decoding (RFC 3986). The
//! [`SourceMap`] turns a location in the bundled document back into the file and pointer the
//! text came from.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{ptr, Ctx, Error, ErrorKind, Location};
use crate::shape::{self, Kind, Schemas};

/// Reads a file named by a reference (a path as the entry file's path was given, joined with the
/// reference's relative path).
pub(crate) type Read<'r> = &'r dyn Fn(&Path) -> std::io::Result<String>;

/// Path items inlined inside path items, deeper than this, are refused.
const MAX_INLINE_DEPTH: usize = 16;

/// Where the parts of a bundled document came from.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    /// Bundled pointer prefix → the file and pointer of its text, longest prefix wins.
    entries: Vec<(String, Location)>,
}

impl SourceMap {
    /// The original place of a pointer into the bundled document (`None`: it is where it says).
    pub(crate) fn origin(&self, pointer: &str) -> Option<Location> {
        let (prefix, origin) = self
            .entries
            .iter()
            .filter(|(prefix, _)| {
                pointer == prefix || pointer.strip_prefix(prefix.as_str()).is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|(prefix, _)| prefix.len())?;
        Some(Location { file: origin.file.clone(), pointer: format!("{}{}", origin.pointer, &pointer[prefix.len()..]) })
    }

    /// Moves an error located in the bundled document to where its text is.
    pub(crate) fn relocate(&self, error: &mut Error, bundled_file: &str) {
        if error.location.file != bundled_file
            || !(error.location.pointer.is_empty() || error.location.pointer.starts_with('/'))
        {
            return;
        }
        if let Some(origin) = self.origin(&error.location.pointer) {
            error.location = origin;
        }
    }
}

/// The entry document with every reference resolved (see the module docs).
pub(crate) fn bundle(ctx: &Ctx, entry: &Path, doc: Value, read: Read<'_>) -> Result<(Value, SourceMap), Error> {
    let entry_name =
        entry.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "openapi.yaml".into());
    let display_dir = Path::new(&ctx.file).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut b = Bundler {
        ctx,
        read,
        entry: entry_name.clone(),
        load_dir: entry.parent().map(Path::to_path_buf).unwrap_or_default(),
        display_dir,
        files: HashMap::from([(entry_name, doc)]),
        targets: BTreeMap::new(),
        holders: HashMap::new(),
        pending: Vec::new(),
        inline_stack: Vec::new(),
        naming: false,
        map: SourceMap::default(),
    };
    // Fast path: a document without references to resolve is returned as it is.
    if !b.needs_bundling()? {
        let doc = b.files.remove(&b.entry).unwrap_or(Value::Null);
        return Ok((doc, SourceMap::default()));
    }
    b.find_holders();
    // Pass 1 finds every target (following them into other files); pass 2, with the names
    // assigned, writes the bundled document.
    let root = b.file(&b.entry.clone()).clone();
    b.emit(&b.entry.clone(), "", Kind::Document, &root, "", true)?;
    while let Some(key) = b.pending.pop() {
        let kind = b.targets[&key].kind;
        let node = b.node(&key.0, &key.1).clone();
        b.emit(&key.0, &key.1, kind, &node, "", true)?;
    }
    b.assign_names()?;
    b.naming = true;
    let mut doc = b.emit(&b.entry.clone(), "", Kind::Document, &root, "", true)?;
    let hoisted: Vec<(TargetKey, Target)> =
        b.targets.iter().filter(|(_, t)| t.holder.is_none()).map(|(k, t)| (k.clone(), t.clone())).collect();
    let mut by_section: BTreeMap<(&str, String), (TargetKey, Kind)> = BTreeMap::new();
    for (key, target) in &hoisted {
        let section = target.kind.section().unwrap_or("schemas");
        by_section.insert((section, target.name.clone().unwrap_or_default()), (key.clone(), target.kind));
    }
    for ((section, name), (key, kind)) in by_section {
        let at = ptr(&ptr("/components", section), &name);
        let node = b.node(&key.0, &key.1).clone();
        let value = b.emit(&key.0, &key.1, kind, &node, &at, true)?;
        b.map.entries.push((at, b.location(&key.0, &key.1)));
        let members = doc
            .as_object_mut()
            .and_then(|root| root.entry("components").or_insert_with(|| Value::Object(Map::new())).as_object_mut())
            .and_then(|components| {
                components.entry(section).or_insert_with(|| Value::Object(Map::new())).as_object_mut()
            });
        match members {
            Some(members) => {
                members.insert(name, value);
            }
            None => return Err(ctx.invalid(&ptr("/components", section), "must be a mapping")),
        }
    }
    Ok((doc, b.map))
}

/// A referenced node: the file (its path relative to the entry file's folder, `/`-separated)
/// and the JSON pointer in it.
type TargetKey = (String, String);

#[derive(Debug, Clone)]
struct Target {
    kind: Kind,
    /// The component name, once assigned.
    name: Option<String>,
    /// The entry component that is only a `$ref` to this target and gives it its name.
    holder: Option<String>,
}

struct Bundler<'a, 'r> {
    ctx: &'a Ctx,
    read: Read<'r>,
    /// The entry file's name (its key in `files`).
    entry: String,
    /// The folder files are read from (the entry path's parent).
    load_dir: PathBuf,
    /// The folder errors name files in (the parent of [`Ctx::file`]).
    display_dir: PathBuf,
    files: HashMap<String, Value>,
    targets: BTreeMap<TargetKey, Target>,
    /// Entry component pointer → the target it is only a `$ref` to.
    holders: HashMap<String, TargetKey>,
    /// Targets found in pass 1 whose content is still to be walked.
    pending: Vec<TargetKey>,
    inline_stack: Vec<TargetKey>,
    /// Pass 2: references are written with their components' names.
    naming: bool,
    map: SourceMap,
}

impl Bundler<'_, '_> {
    /// Whether any `$ref` in the entry document is not already `#/components/<section>/<name>`
    /// of a section matching its place.
    fn needs_bundling(&self) -> Result<bool, Error> {
        fn simple(reference: &str, kind: Kind) -> bool {
            kind.section().is_some_and(|section| {
                reference
                    .strip_prefix("#/components/")
                    .and_then(|rest| rest.strip_prefix(section))
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|name| {
                        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    })
            })
        }
        fn visit(node: &Value, kind: Kind) -> bool {
            if let Some(reference) = shape::reference(node) {
                if !simple(reference, kind) {
                    return true;
                }
                // Only a schema's keywords next to `$ref` are read (3.1).
                if kind != Kind::Schema {
                    return false;
                }
            }
            if kind == Kind::Schema {
                if let Some(Value::Object(mapping)) = node.pointer("/discriminator/mapping") {
                    let target =
                        |v: &Value| v.as_str().filter(|t| looks_like_reference(t)).map(|t| !simple(t, Kind::Schema));
                    if mapping.values().any(|v| target(v) == Some(true)) {
                        return true;
                    }
                }
            }
            if kind == Kind::Schema {
                return shape::any_subschema(node, &mut |child| visit(child, Kind::Schema));
            }
            shape::any_child(kind, node, Schemas::All, &mut |child| visit(child.value, child.kind))
        }
        Ok(visit(self.file(&self.entry), Kind::Document))
    }

    /// Entry components that are only a `$ref` to something the bundle hoists: the target takes
    /// the component's name (the first such component in document order, if several).
    fn find_holders(&mut self) {
        let entry = self.entry.clone();
        let Some(Value::Object(sections)) = self.file(&entry).get("components").cloned() else { return };
        for (section, members) in &sections {
            let (Some(kind), Value::Object(members)) = (Kind::of_section(section), members) else { continue };
            if kind.section() != Some(section.as_str()) {
                continue;
            }
            for (name, node) in members {
                let (Some(reference), Some(1)) = (shape::reference(node), node.as_object().map(Map::len)) else {
                    continue;
                };
                let at = ptr(&ptr("/components", section), name);
                let Ok(Resolved::Hoist(key)) = self.resolve(&entry, &at, reference, kind) else { continue };
                if key.0 == entry && key.1 == at || self.targets.contains_key(&key) || name.contains('/') {
                    continue;
                }
                if self.try_node(&key.0, &key.1).is_none() {
                    continue;
                }
                self.targets.insert(key.clone(), Target { kind, name: Some(name.clone()), holder: Some(at.clone()) });
                self.pending.push(key.clone());
                self.holders.insert(at, key);
            }
        }
    }

    /// Rewrites `node` (a `kind` found at `at` in `file`, written to `out_at` in the bundle).
    fn emit(
        &mut self,
        file: &str,
        at: &str,
        kind: Kind,
        node: &Value,
        out_at: &str,
        root: bool,
    ) -> Result<Value, Error> {
        if !root {
            if file == self.entry {
                if let Some(key) = self.holders.get(at).cloned() {
                    let target = self.node(&key.0, &key.1).clone();
                    if self.naming {
                        self.map.entries.push((out_at.to_owned(), self.location(&key.0, &key.1)));
                    }
                    return self.emit(&key.0, &key.1, kind, &target, out_at, true);
                }
            }
            if let Some(target) = self.targets.get(&(file.to_owned(), at.to_owned())) {
                if target.kind == kind {
                    return Ok(self.reference_to(&(file.to_owned(), at.to_owned())));
                }
            }
        }
        let Value::Object(map) = node else { return Ok(node.clone()) };
        let mut out = Map::with_capacity(map.len());
        if let Some(reference) = shape::reference(node) {
            let new = match self.resolve(file, at, reference, kind)? {
                Resolved::Component(canonical) => Value::String(canonical),
                Resolved::Hoist(key) => {
                    if !self.targets.contains_key(&key) {
                        self.check_target(file, at, reference, &key)?;
                        self.targets.insert(key.clone(), Target { kind, name: None, holder: None });
                        self.pending.push(key.clone());
                    }
                    self.reference_to(&key).get("$ref").cloned().unwrap_or(Value::Null)
                }
                Resolved::Inline(key) => {
                    self.check_target(file, at, reference, &key)?;
                    if self.inline_stack.contains(&key) {
                        return Err(self.error(
                            file,
                            at,
                            ErrorKind::Invalid,
                            format!("reference `{reference}` is part of a cycle of references"),
                        ));
                    }
                    if self.inline_stack.len() >= MAX_INLINE_DEPTH {
                        return Err(self.error(
                            file,
                            at,
                            ErrorKind::Invalid,
                            format!("references nested deeper than {MAX_INLINE_DEPTH} levels"),
                        ));
                    }
                    let target = self.node(&key.0, &key.1).clone();
                    if self.naming {
                        self.map.entries.push((out_at.to_owned(), self.location(&key.0, &key.1)));
                    }
                    self.inline_stack.push(key.clone());
                    let inlined = self.emit(&key.0, &key.1, kind, &target, out_at, true);
                    self.inline_stack.pop();
                    return inlined;
                }
            };
            out.insert("$ref".into(), new);
            // 3.1 schemas may have keywords next to `$ref`; elsewhere siblings are ignored.
            if kind != Kind::Schema {
                return Ok(Value::Object(out));
            }
        }
        let mut children: HashMap<&str, (Kind, bool)> = HashMap::new();
        let listed = shape::children(kind, node, Schemas::All);
        for (path, child_kind) in &listed {
            children.insert(path[0].as_str(), (*child_kind, path.len() > 1));
        }
        for (key, value) in map {
            if key == "$ref" && out.contains_key("$ref") {
                continue;
            }
            let child_at = ptr(at, key);
            let child_out = ptr(out_at, key);
            let new = match (children.get(key.as_str()), value) {
                (Some((child_kind, false)), _) => self.emit(file, &child_at, *child_kind, value, &child_out, false)?,
                (Some((child_kind, true)), Value::Object(members)) => {
                    let mut rewritten = Map::with_capacity(members.len());
                    for (name, member) in members {
                        let member_out = ptr(&child_out, name);
                        rewritten.insert(
                            name.clone(),
                            self.emit(file, &ptr(&child_at, name), *child_kind, member, &member_out, false)?,
                        );
                    }
                    Value::Object(rewritten)
                }
                (Some((child_kind, true)), Value::Array(items)) => {
                    let mut rewritten = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        let index = i.to_string();
                        rewritten.push(self.emit(
                            file,
                            &ptr(&child_at, &index),
                            *child_kind,
                            item,
                            &ptr(&child_out, &index),
                            false,
                        )?);
                    }
                    Value::Array(rewritten)
                }
                (None, Value::Object(discriminator)) if kind == Kind::Schema && key == "discriminator" => {
                    let mut discriminator = discriminator.clone();
                    if let Some(Value::Object(mapping)) = discriminator.get_mut("mapping") {
                        for (value, target) in mapping.iter_mut() {
                            let Some(reference) = target.as_str().filter(|t| looks_like_reference(t)) else { continue };
                            let mapping_at = ptr(&ptr(&child_at, "mapping"), value);
                            let rewritten = match self.resolve(file, &mapping_at, reference, Kind::Schema) {
                                Ok(Resolved::Component(canonical)) => Value::String(canonical),
                                Ok(Resolved::Hoist(key)) if self.try_node(&key.0, &key.1).is_some() => {
                                    if !self.targets.contains_key(&key) {
                                        self.targets.insert(
                                            key.clone(),
                                            Target { kind: Kind::Schema, name: None, holder: None },
                                        );
                                        self.pending.push(key.clone());
                                    }
                                    self.reference_to(&key).get("$ref").cloned().unwrap_or(Value::Null)
                                }
                                // A mapping that leads nowhere is ignored, as before bundling.
                                _ => continue,
                            };
                            *target = rewritten;
                        }
                    }
                    Value::Object(discriminator)
                }
                _ => value.clone(),
            };
            out.insert(key.clone(), new);
        }
        Ok(Value::Object(out))
    }

    /// `{"$ref": "#/components/<section>/<name>"}` for a hoisted target (`null` in pass 1).
    fn reference_to(&self, key: &TargetKey) -> Value {
        let target = &self.targets[key];
        match (&target.name, self.naming) {
            (Some(name), true) => {
                let section = target.kind.section().unwrap_or("schemas");
                serde_json::json!({ "$ref": format!("#/components/{section}/{name}") })
            }
            _ => serde_json::json!({ "$ref": Value::Null }),
        }
    }

    /// Refuses a target that is missing or cannot be a component (a whole document or section).
    fn check_target(&mut self, file: &str, at: &str, reference: &str, key: &TargetKey) -> Result<(), Error> {
        let is_entry = key.0 == self.entry;
        let node = self.load(file, at, reference, &key.0)?;
        let Some(target) = node.pointer(&key.1) else {
            let shown = self.display(&key.0);
            return Err(self.error(
                file,
                at,
                ErrorKind::Invalid,
                format!("reference `{reference}` does not resolve: {shown} has no `#{}`", key.1),
            ));
        };
        let whole_section =
            key.1 == "/components" || (key.1.starts_with("/components/") && key.1.matches('/').count() == 2);
        if whole_section || (is_entry && key.1.is_empty()) || !(target.is_object() || target.is_boolean()) {
            return Err(self.error(
                file,
                at,
                ErrorKind::Invalid,
                format!("reference `{reference}` does not point at an OpenAPI object"),
            ));
        }
        Ok(())
    }

    /// Assigns each hoisted target its component name, derived only from where it is: a whole
    /// component of another file keeps its name, and a whole file is named after the file (both
    /// unless two targets, or an entry component, want the same name); anything else gets its
    /// file's path and its pointer joined by spaces (`Tag allOf 0`, `schemas pet properties
    /// owner`), which no valid component name (`^[a-zA-Z0-9.\-_]+$`) contains.
    fn assign_names(&mut self) -> Result<(), Error> {
        let entry = self.entry.clone();
        let mut taken: HashSet<(&'static str, String)> = HashSet::new();
        if let Some(Value::Object(sections)) = self.file(&entry).get("components") {
            for (section, members) in sections {
                let (Some(kind), Value::Object(members)) = (Kind::of_section(section), members) else { continue };
                if let Some(section) = kind.section() {
                    taken.extend(members.keys().map(|k| (section, k.clone())));
                }
            }
        }
        let mut wanted: HashMap<(&'static str, String), usize> = HashMap::new();
        let mut plans: Vec<(TargetKey, &'static str, Option<String>, String)> = Vec::new();
        for (key, target) in &self.targets {
            if target.holder.is_some() {
                continue;
            }
            let section = target.kind.section().unwrap_or("schemas");
            let (file, pointer) = key;
            let tokens: Vec<String> = decode_pointer(pointer).unwrap_or_default();
            let short = if *file == entry {
                None
            } else if tokens.len() == 3 && tokens[0] == "components" && tokens[1] == section {
                Some(sanitize(&tokens[2]))
            } else if tokens.is_empty() {
                Some(sanitize(&file_stem(file)))
            } else {
                None
            };
            let mut parts: Vec<String> = Vec::new();
            if *file != entry {
                let without_extension = file
                    .rsplit_once('.')
                    .filter(|(stem, _)| !stem.ends_with('/'))
                    .map_or(file.as_str(), |(stem, _)| stem);
                parts.extend(
                    without_extension.split('/').filter(|p| !p.is_empty() && *p != "." && *p != "..").map(sanitize),
                );
            }
            let skip = if tokens.len() > 2 && tokens[0] == "components" { 2 } else { 0 };
            parts.extend(tokens.iter().skip(skip).map(|t| sanitize(t)));
            let long = parts.join(" ");
            if let Some(short) = &short {
                *wanted.entry((section, short.clone())).or_default() += 1;
            }
            plans.push((key.clone(), section, short, long));
        }
        let mut used: HashMap<(&'static str, String), TargetKey> = HashMap::new();
        for (key, section, short, long) in plans {
            let name = match short {
                Some(short) if wanted[&(section, short.clone())] == 1 && !taken.contains(&(section, short.clone())) => {
                    short
                }
                _ => long,
            };
            if name.is_empty()
                || taken.contains(&(section, name.clone()))
                || used.contains_key(&(section, name.clone()))
            {
                let other = used.get(&(section, name.clone())).map_or_else(
                    || format!("the component `#/components/{section}/{name}`"),
                    |k| format!("{}#{}", self.display(&k.0), k.1),
                );
                let shown = format!("{}#{}", self.display(&key.0), key.1);
                return Err(self.error(
                    &key.0,
                    &key.1,
                    ErrorKind::Invalid,
                    format!("the name `{name}` given to {shown} is already used by {other}"),
                ));
            }
            used.insert((section, name.clone()), key.clone());
            if let Some(target) = self.targets.get_mut(&key) {
                target.name = Some(name);
            }
        }
        Ok(())
    }

    /// What a `$ref` found at `at` in `file`, in a place holding a `kind`, stands for.
    fn resolve(&mut self, file: &str, at: &str, reference: &str, kind: Kind) -> Result<Resolved, Error> {
        let parsed =
            parse_reference(reference).map_err(|(error_kind, message)| self.error(file, at, error_kind, message))?;
        let target_file = match &parsed.path {
            None => file.to_owned(),
            Some(path) if path.starts_with('/') || path.starts_with('\\') => {
                return Err(self.error(
                    file,
                    at,
                    ErrorKind::Unsupported,
                    format!(
                        "reference `{reference}` names a file by an absolute path; \
                         use a path relative to the referring file"
                    ),
                ));
            }
            Some(path) => {
                let joined = join(file, path);
                // Relative to the entry's folder; above an absolute root there is nothing.
                let load_dir = self.load_dir.to_string_lossy().replace('\\', "/");
                let escapes = self.load_dir.is_absolute() && join_lexically(&format!("{load_dir}/{joined}")).is_none();
                if escapes {
                    return Err(self.error(
                        file,
                        at,
                        ErrorKind::Invalid,
                        format!("reference `{reference}` leads above the root of the file system"),
                    ));
                }
                joined
            }
        };
        let pointer = encode_pointer(&parsed.tokens);
        if let [components, target_section, _] = parsed.tokens.as_slice() {
            let target_kind = Kind::of_section(target_section);
            if components == "components" && target_kind.is_some() && target_kind != Some(kind) {
                let expected = kind.section().map_or_else(|| format!("{kind:?}").to_lowercase(), |s| format!("`{s}`"));
                return Err(self.error(
                    file,
                    at,
                    ErrorKind::Invalid,
                    format!("reference `{reference}` names one of `{target_section}` where one of {expected} belongs"),
                ));
            }
        }
        if target_file == self.entry {
            if let (Some(section), [components, target_section, name]) = (kind.section(), parsed.tokens.as_slice()) {
                if components == "components" && target_section == section {
                    if name.contains('/') {
                        return Err(self.error(
                            file,
                            at,
                            ErrorKind::Unsupported,
                            format!("reference `{reference}`: component names containing `/` are not supported"),
                        ));
                    }
                    return Ok(Resolved::Component(format!("#/components/{section}/{name}")));
                }
            }
        }
        Ok(if kind.section().is_some() {
            Resolved::Hoist((target_file, pointer))
        } else {
            Resolved::Inline((target_file, pointer))
        })
    }

    /// The parsed file `target` (relative to the entry's folder), read on first use; a file that
    /// cannot be read is an error at the reference.
    fn load(&mut self, file: &str, at: &str, reference: &str, target: &str) -> Result<&Value, Error> {
        if !self.files.contains_key(target) {
            let path = self.load_dir.join(target);
            let text = (self.read)(&path).map_err(|e| {
                let shown = self.display(target);
                self.error(
                    file,
                    at,
                    ErrorKind::Invalid,
                    format!("reference `{reference}` names a file that cannot be read ({shown}): {e}"),
                )
            })?;
            let ctx = Ctx { file: self.display(target) };
            let value = crate::load::load(&ctx, &text)?;
            self.files.insert(target.to_owned(), value);
        }
        Ok(&self.files[target])
    }

    fn try_node(&mut self, file: &str, pointer: &str) -> Option<&Value> {
        self.load(file, "", "", file).ok()?;
        self.files.get(file)?.pointer(pointer)
    }

    /// A node that [`Self::check_target`] found.
    fn node(&self, file: &str, pointer: &str) -> &Value {
        self.files.get(file).and_then(|f| f.pointer(pointer)).unwrap_or(&Value::Null)
    }

    fn file(&self, file: &str) -> &Value {
        self.files.get(file).unwrap_or(&Value::Null)
    }

    /// How errors name a file: [`Ctx::file`]'s folder joined with the file's relative path.
    fn display(&self, file: &str) -> String {
        if file == self.entry {
            return self.ctx.file.clone();
        }
        let dir = self.display_dir.to_string_lossy().replace('\\', "/");
        let joined = if dir.is_empty() { file.to_owned() } else { format!("{dir}/{file}") };
        join_lexically(&joined).unwrap_or(joined)
    }

    fn location(&self, file: &str, pointer: &str) -> Location {
        Location { file: self.display(file), pointer: pointer.to_owned() }
    }

    fn error(&self, file: &str, at: &str, kind: ErrorKind, message: String) -> Error {
        Error { kind, location: self.location(file, at), message }
    }
}

enum Resolved {
    /// A whole component of the entry document: the reference as later stages read it.
    Component(String),
    /// Hoisted into `components`.
    Hoist(TargetKey),
    /// Copied in place.
    Inline(TargetKey),
}

struct Reference {
    /// The file part, percent-decoded (`None`: the same file).
    path: Option<String>,
    /// The fragment's JSON pointer, decoded.
    tokens: Vec<String>,
}

/// Splits and decodes a `$ref` (`../common.yaml#/components/schemas/Error`).
fn parse_reference(reference: &str) -> Result<Reference, (ErrorKind, String)> {
    let scheme = reference.split_once(':').map(|(s, _)| s).filter(|s| {
        s.len() > 1
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if let Some(scheme) = scheme {
        let lower = scheme.to_ascii_lowercase();
        let message = if lower == "http" || lower == "https" {
            format!(
                "remote reference `{reference}` is not fetched; download the file and refer to it by a relative path"
            )
        } else {
            format!("reference `{reference}`: `{scheme}:` references are not supported")
        };
        return Err((ErrorKind::Unsupported, message));
    }
    if reference.starts_with("//") {
        return Err((
            ErrorKind::Unsupported,
            format!(
                "remote reference `{reference}` is not fetched; download the file and refer to it by a relative path"
            ),
        ));
    }
    let (path, fragment) = match reference.split_once('#') {
        Some((path, fragment)) => (path, fragment),
        None => (reference, ""),
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|d| d.into_owned())
            .map_err(|_| (ErrorKind::Invalid, format!("reference `{reference}` is not UTF-8 once percent-decoded")))
    };
    let path = if path.is_empty() { None } else { Some(decode(path)?) };
    let fragment = decode(fragment)?;
    if !fragment.is_empty() && !fragment.starts_with('/') {
        return Err((
            ErrorKind::Unsupported,
            format!("reference `{reference}`: plain-name fragments (`$anchor`) are not supported, only JSON pointers"),
        ));
    }
    let tokens = decode_pointer(&fragment).ok_or_else(|| {
        (
            ErrorKind::Invalid,
            format!("reference `{reference}` is not a valid JSON pointer (`~` must be followed by 0 or 1)"),
        )
    })?;
    Ok(Reference { path, tokens })
}

/// RFC 6901: `/a~1b/c~0d` → `["a/b", "c~d"]` (`None` for a `~` not followed by `0` or `1`).
fn decode_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .map(|token| {
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                match (c, c == '~') {
                    (_, true) => match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => return None,
                    },
                    (c, false) => out.push(c),
                }
            }
            Some(out)
        })
        .collect()
}

fn encode_pointer(tokens: &[String]) -> String {
    tokens.iter().fold(String::new(), |at, token| ptr(&at, token))
}

/// `path` (relative to the file `from`, both `/`-separated and relative to the entry's folder),
/// normalized.
fn join(from: &str, path: &str) -> String {
    let dir = from.rsplit_once('/').map_or("", |(dir, _)| dir);
    let joined = if dir.is_empty() { path.to_owned() } else { format!("{dir}/{path}") };
    join_lexically(&joined).unwrap_or(joined)
}

/// Removes `.` and `name/..` from a `/`-separated path; leading `..` stay in a relative path and
/// are refused (`None`) in an absolute one.
fn join_lexically(path: &str) -> Option<String> {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => return None,
                _ => parts.push(".."),
            },
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(if absolute { format!("/{joined}") } else { joined })
}

fn file_stem(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split_once('.').map_or(name, |(stem, _)| stem).to_owned()
}

/// A piece of a component name: characters outside `[A-Za-z0-9._-]` become `_`.
fn sanitize(token: &str) -> String {
    token.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect()
}

/// A discriminator mapping value that is a reference rather than a schema name.
fn looks_like_reference(value: &str) -> bool {
    value.contains('#') || value.contains('/') || [".yaml", ".yml", ".json"].iter().any(|e| value.ends_with(e))
}
