//! The generator documents every public item it emits, even from a spec without a single
//! description: the generated modules no longer allow `missing_docs`.

use std::collections::BTreeMap;

/// Every construct that gives public items, and not one description or summary.
const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Bare, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /pets:
    get:
      operationId: ListPets
      tags: [pets]
      parameters:
        - {name: "page[number]", in: query, schema: {type: integer}}
        - {name: kind, in: query, schema: {type: string, enum: [cat, dog]}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        '200':
          description: ''
          content: {application/json: {schema: {$ref: '#/components/schemas/PetList'}}}
        '404':
          description: ''
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
        '5XX': {description: ''}
    post:
      operationId: CreatePet
      tags: [pets]
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/NewPet'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/NewPet'}}
      responses:
        '201':
          description: ''
          content: {application/json: {schema: {$ref: '#/components/schemas/PetEnvelope'}}}
        '302': {description: ''}
        default:
          description: ''
          content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}
  /pets/{id}/photo:
    put:
      operationId: UploadPhoto
      tags: [photos]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
                caption: {type: string}
      responses:
        '204': {description: ''}
components:
  schemas:
    Pet:
      type: object
      required: [id, name, kind, age]
      properties:
        id: {type: string}
        name: {type: string}
        kind: {type: string, enum: [cat, dog]}
        age: {type: integer}
        tags: {type: array, items: {type: string}}
        scores: {type: object, additionalProperties: {type: number}}
        owner: {$ref: '#/components/schemas/Owner'}
        note: {type: string, nullable: true}
        extra: {}
        secret_token: {type: string, format: password}
    Owner:
      type: object
      properties:
        handle: {oneOf: [{type: string}, {$ref: '#/components/schemas/Pet'}, {type: array, items: {type: integer}}]}
      additionalProperties: {type: boolean}
    NewPet:
      type: object
      properties:
        name: {type: string}
        kind: {type: string, enum: [cat, dog]}
    PetList:
      type: object
      properties:
        data: {type: array, items: {$ref: '#/components/schemas/Pet'}}
        meta: {$ref: '#/components/schemas/PaginationMeta'}
    PaginationMeta:
      type: object
      properties:
        page_number: {type: integer}
        total_pages: {type: integer}
    PetEnvelope:
      type: object
      properties:
        data: {$ref: '#/components/schemas/Pet'}
    Problem:
      type: object
      properties:
        detail: {type: string}
    Names: {type: array, items: {type: string}}
    Choice:
      oneOf: [{$ref: '#/components/schemas/Pet'}, {$ref: '#/components/schemas/Owner'}]
      discriminator: {propertyName: kind}
"##;

fn has_doc(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// The public items in `items` that carry no doc, as `file: item` lines.
fn undocumented(path: &str, items: &[syn::Item], files: &BTreeMap<String, String>, out: &mut Vec<String>) {
    let missing = |out: &mut Vec<String>, what: String| out.push(format!("{path}: {what}"));
    for item in items {
        match item {
            syn::Item::Struct(s) if is_pub(&s.vis) => {
                if !has_doc(&s.attrs) {
                    missing(out, format!("struct {}", s.ident));
                }
                for f in s.fields.iter().filter(|f| is_pub(&f.vis)) {
                    if !has_doc(&f.attrs) {
                        missing(
                            out,
                            format!("field {}::{}", s.ident, f.ident.as_ref().map_or("0".into(), |i| i.to_string())),
                        );
                    }
                }
            }
            syn::Item::Enum(e) if is_pub(&e.vis) => {
                if !has_doc(&e.attrs) {
                    missing(out, format!("enum {}", e.ident));
                }
                for v in &e.variants {
                    if !has_doc(&v.attrs) {
                        missing(out, format!("variant {}::{}", e.ident, v.ident));
                    }
                    for f in &v.fields {
                        if f.ident.is_some() && !has_doc(&f.attrs) {
                            missing(out, format!("field of {}::{}", e.ident, v.ident));
                        }
                    }
                }
            }
            syn::Item::Type(t) if is_pub(&t.vis) && !has_doc(&t.attrs) => missing(out, format!("type {}", t.ident)),
            syn::Item::Fn(f) if is_pub(&f.vis) && !has_doc(&f.attrs) => missing(out, format!("fn {}", f.sig.ident)),
            syn::Item::Static(s) if is_pub(&s.vis) && !has_doc(&s.attrs) => missing(out, format!("static {}", s.ident)),
            syn::Item::Const(c) if is_pub(&c.vis) && !has_doc(&c.attrs) => missing(out, format!("const {}", c.ident)),
            // Inherent impls: their public methods (trait impls take the trait's docs).
            syn::Item::Impl(i) if i.trait_.is_none() => {
                for m in &i.items {
                    if let syn::ImplItem::Fn(f) = m {
                        if is_pub(&f.vis) && !has_doc(&f.attrs) {
                            missing(out, format!("method {}", f.sig.ident));
                        }
                    }
                }
            }
            syn::Item::Mod(m) if is_pub(&m.vis) => match &m.content {
                Some((_, inner)) => {
                    if !has_doc(&m.attrs) {
                        missing(out, format!("mod {}", m.ident));
                    }
                    undocumented(path, inner, files, out);
                }
                None => {
                    // An out-of-line module is documented by its declaration or by its file's
                    // inner docs; the runtime is hand-written (and built with `missing_docs`).
                    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                    let file = [format!("{dir}/{}.rs", m.ident), format!("{dir}/{}/mod.rs", m.ident)]
                        .into_iter()
                        .find_map(|p| files.get(&p));
                    let inner_doc = file.is_some_and(|code| has_doc(&syn::parse_file(code).expect("parses").attrs));
                    if !has_doc(&m.attrs) && !inner_doc && m.ident != "runtime" {
                        missing(out, format!("mod {}", m.ident));
                    }
                }
            },
            _ => {}
        }
    }
}

#[test]
fn every_public_item_is_documented_without_a_single_description() {
    let options =
        codegen::Options { spec_path: "bare.yaml".into(), standalone_crate: Some("bare".into()), ..Default::default() };
    let output = codegen::generate(SPEC, &options).unwrap_or_else(|e| panic!("{e}"));
    let mut missing = Vec::new();
    let mut fields = 0;
    for (path, code) in output.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        let file = syn::parse_file(code).unwrap_or_else(|e| panic!("{path}: {e}"));
        undocumented(path, &file.items, &output.files, &mut missing);
        fields += code.matches("    pub ").count();
    }
    assert!(fields > 30, "the spec gives public items ({fields})");
    assert!(missing.is_empty(), "undocumented public items:\n{}", missing.join("\n"));
    // And no module allows what it no longer needs to; the crate warns about missing docs.
    for (path, code) in output.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        assert!(!code.contains("missing_docs"), "{path} allows missing docs");
    }
    assert!(output.files["Cargo.toml"].contains("[lints.rust]\nmissing_docs = \"warn\"\n"));
}

#[test]
fn undescribed_fields_and_branches_say_what_they_hold() {
    let options = codegen::Options { spec_path: "bare.yaml".into(), ..Default::default() };
    let output = codegen::generate(SPEC, &options).unwrap_or_else(|e| panic!("{e}"));
    let models = &output.files["src/generated/models.rs"];
    for line in [
        "/// The value of `meta`, of type [`PaginationMeta`].",
        "/// The value of `tags`, a list of strings.",
        "/// The value of `scores`, a map from names to numbers.",
        "/// One of the shapes the value may take: [`Pet`].",
        "/// One of the shapes the value may take: a list of integers.",
    ] {
        assert!(models.contains(line), "{line}\n{models}");
    }
}

#[test]
fn docs_are_ir_facts_set_in_lowering() {
    let options = codegen::Options { spec_path: "bare.yaml".into(), ..Default::default() };
    let (api, _) = codegen::parse(SPEC, &options).unwrap_or_else(|e| panic!("{e}"));
    for def in &api.types {
        match &def.kind {
            codegen::ir::TypeKind::Struct(s) => {
                assert!(s.fields.iter().all(|f| f.doc.as_deref().is_some_and(|d| !d.is_empty())), "{}", def.name)
            }
            codegen::ir::TypeKind::Untagged(vs) => assert!(vs.iter().all(|v| !v.doc.is_empty()), "{}", def.name),
            _ => {}
        }
    }
    for op in &api.operations {
        assert!(op.doc.contains(&format!("(operation `{}`)", op.id)), "{}", op.doc);
        assert!(op.params.iter().all(|p| p.doc.as_deref().is_some_and(|d| d.contains("Sent as"))), "{}", op.id);
        assert!(op.body.iter().all(|b| b.doc.is_some()), "{}", op.id);
        assert!(op.responses.iter().all(|r| r.doc.as_deref().is_some_and(|d| d.starts_with('`'))), "{}", op.id);
        assert!(op.errors.iter().all(|e| e.doc.as_deref().is_some_and(|d| d.starts_with('`'))), "{}", op.id);
    }
    let list = api.operations.iter().find(|op| op.id == "ListPets").expect("ListPets");
    assert_eq!(
        list.errors.iter().filter_map(|e| e.doc.as_deref()).collect::<Vec<_>>(),
        ["`404`", "`5XX` (any other status from 500 to 599)"]
    );
}
