//! The IR records how the operations use the named types (`Api::uses`), and the model emitter
//! prints from it: a `QueryValue` impl for exactly the types in parameters that are sent as
//! query-like pairs, `multipart_parts()` for exactly the types sent as multipart bodies.

use std::collections::BTreeSet;

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Uses, version: "1"}
servers: [{url: "https://example.com"}]
components:
  schemas:
    InQuery:
      type: object
      properties:
        nested: {$ref: "#/components/schemas/Nested"}
        extra: {type: object, additionalProperties: {$ref: "#/components/schemas/MapValue"}}
    Nested: {type: object, properties: {n: {type: integer}}}
    MapValue: {type: object, properties: {v: {type: string}}}
    InHeader: {type: object, properties: {h: {type: string}}}
    InCookie: {type: object, properties: {c: {type: string}}}
    SimplePath: {type: string, enum: [a, b]}
    LabelPath: {type: string, enum: [c, d]}
    JsonPath: {type: object, properties: {j: {type: string}}}
    JsonBody: {type: object, properties: {b: {$ref: "#/components/schemas/Nested2"}}}
    Nested2: {type: object, properties: {n: {type: integer}}}
    PartA:
      type: object
      properties:
        file: {type: string, format: binary}
        inner: {$ref: "#/components/schemas/Inner"}
    PartB: {type: object, properties: {label: {type: string}}}
    Inner: {type: object, properties: {i: {type: string}}}
    Upload: {oneOf: [{$ref: "#/components/schemas/PartA"}, {$ref: "#/components/schemas/PartB"}]}
    UploadAlias: {$ref: "#/components/schemas/Upload"}
paths:
  /things/{simple}/{label}/{json}:
    post:
      operationId: PostThing
      parameters:
        - {name: simple, in: path, required: true, schema: {$ref: "#/components/schemas/SimplePath"}}
        - {name: label, in: path, required: true, style: label, schema: {$ref: "#/components/schemas/LabelPath"}}
        - name: json
          in: path
          required: true
          content: {application/json: {schema: {$ref: "#/components/schemas/JsonPath"}}}
        - {name: q, in: query, style: deepObject, schema: {$ref: "#/components/schemas/InQuery"}}
        - {name: X-H, in: header, schema: {$ref: "#/components/schemas/InHeader"}}
        - {name: c, in: cookie, schema: {$ref: "#/components/schemas/InCookie"}}
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/JsonBody"}}}
      responses:
        '204': {description: done}
  /uploads:
    post:
      operationId: Upload
      requestBody:
        content: {multipart/form-data: {schema: {$ref: "#/components/schemas/UploadAlias"}}}
      responses:
        '204': {description: done}
"##;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn options() -> codegen::Options {
    codegen::Options { spec_path: "uses.yaml".into(), ..Default::default() }
}

#[test]
fn the_ir_records_query_and_multipart_uses() {
    let (api, notes) = codegen::parse(SPEC, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(notes.is_empty(), "{notes:?}");
    // Query, header and cookie parameters, path parameters in the label style, and what their
    // types hold (fields, additional properties); not a simple scalar path parameter, not a
    // JSON `content` parameter, not a body.
    assert_eq!(api.uses.query, set(&["InQuery", "Nested", "MapValue", "InHeader", "InCookie", "LabelPath"]));
    // The multipart body's type, through the alias, and the branches of its oneOf; not what
    // their fields hold.
    assert_eq!(api.uses.multipart, set(&["UploadAlias", "Upload", "PartA", "PartB"]));
}

#[test]
fn the_model_emitter_prints_query_and_multipart_impls_from_the_ir() {
    let output = codegen::generate(SPEC, &options()).unwrap_or_else(|e| panic!("{e}"));
    let models = &output.files["src/generated/models.rs"];
    let (api, _) = codegen::parse(SPEC, &options()).unwrap_or_else(|e| panic!("{e}"));
    // String enums get theirs from the runtime's `string_enum!`; structs and oneOfs from the
    // emitter, exactly when the IR lists them.
    let composite = api
        .types
        .iter()
        .filter(|t| matches!(t.kind, codegen::ir::TypeKind::Struct(_) | codegen::ir::TypeKind::Untagged(_)));
    for def in composite {
        let query_impl = format!("impl crate::runtime::QueryValue for {} {{", def.name);
        assert_eq!(models.contains(&query_impl), api.uses.query.contains(&def.name), "QueryValue for {}", def.name);
    }
    // Aliases have no impl of their own; the structs and the oneOf do.
    for name in ["Upload", "PartA", "PartB"] {
        let parts = format!("impl {name} {{\n    /// The body as `multipart/form-data` parts.");
        assert!(models.contains(&parts), "multipart_parts for {name}:\n{models}");
    }
    assert_eq!(models.matches("fn multipart_parts(&self)").count(), 3, "{models}");
}
