//! Optional arrays and maps are plain collections where absent and empty mean the same on the
//! wire, and stay `Option` where they differ (update bodies, documented defaults, nullable).

use codegen::ir::{TypeDef, TypeKind};

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /things/{id}:
    patch:
      operationId: patchThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/ThingPatch'}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
        tags: {type: array, items: {type: string}}
        labels: {type: object, additionalProperties: {type: string}}
        modes: {type: array, items: {type: string}, default: [fast]}
        no_default: {type: array, items: {type: string}, default: []}
        maybe: {type: array, items: {type: string}, nullable: true}
        required_list: {type: array, items: {type: string}}
    ThingPatch:
      type: object
      properties:
        tags: {type: array, items: {type: string}}
        inner: {$ref: '#/components/schemas/PatchInner'}
    PatchInner:
      type: object
      properties:
        values: {type: array, items: {type: integer}}
"#;

fn plain(types: &[TypeDef], ty: &str, field: &str) -> bool {
    let def = types.iter().find(|t| t.name == ty).unwrap_or_else(|| panic!("no type {ty}"));
    let TypeKind::Struct(s) = &def.kind else { panic!("{ty} is not a struct") };
    s.fields.iter().find(|f| f.wire == field).unwrap_or_else(|| panic!("no field {field}")).plain_collection
}

#[test]
fn absent_equals_empty_only_where_the_spec_allows_it() {
    let options = codegen::Options { spec_path: "things.yaml".into(), ..Default::default() };
    let (api, _) = codegen::parse(SPEC, &options).unwrap_or_else(|e| panic!("{e}"));
    let t = &api.types;
    assert!(plain(t, "Thing", "tags"), "an optional array");
    assert!(plain(t, "Thing", "labels"), "an optional map");
    assert!(plain(t, "Thing", "no_default"), "a default of [] is the same as empty");
    assert!(!plain(t, "Thing", "modes"), "a non-empty default: absent means [fast]");
    assert!(!plain(t, "Thing", "maybe"), "nullable");
    assert!(!plain(t, "Thing", "id"), "not a collection");
    assert!(!plain(t, "ThingPatch", "tags"), "a PATCH body: [] clears, absent leaves unchanged");
    assert!(!plain(t, "PatchInner", "values"), "inside a PATCH body");

    let code = codegen::generate(SPEC, &options).unwrap_or_else(|e| panic!("{e}"));
    let text = code.files.iter().find(|(path, _)| path.ends_with("models.rs")).expect("models.rs").1;
    assert!(text.contains("pub tags: Vec<String>"), "{text}");
    assert!(text.contains("pub tags: Option<Vec<String>>"), "{text}");
    assert!(text.contains("pub modes: Option<Vec<String>>"), "{text}");
}
