//! Type names depend only on a schema's own place in the spec (issue 11, part 1).

use codegen::ir::Api;

fn parse(spec: &str, renames: &str) -> Result<Api, codegen::Error> {
    let options = codegen::Options {
        spec_path: "spec.yaml".into(),
        renames: codegen::Renames::parse(renames, "renames.yaml")?,
        ..Default::default()
    };
    codegen::parse(spec, &options).map(|(api, _)| api)
}

/// The Rust name of the type generated for the schema at `origin`.
fn name_at(api: &Api, origin: &str) -> String {
    match api.types.iter().find(|t| t.origin == origin) {
        Some(t) => t.name.clone(),
        None => panic!(
            "no type for {origin}; types: {:?}",
            api.types.iter().map(|t| (&t.name, &t.origin)).collect::<Vec<_>>()
        ),
    }
}

const A_ONLY: &str = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    A:
      type: object
      properties:
        kind: {type: string, enum: [x, y]}
        inner: {type: object, properties: {b: {type: string}}}
"#;

#[test]
fn adding_an_unrelated_schema_renames_nothing() {
    let before = parse(A_ONLY, "").expect("valid");
    // B comes first and wants the same property names, with other values.
    let with_b = A_ONLY.replace(
        "  schemas:\n",
        "  schemas:\n    B:\n      type: object\n      properties:\
         \n        kind: {type: string, enum: [p, q]}\
         \n        inner: {type: object, properties: {c: {type: integer}}}\n",
    );
    let after = parse(&with_b, "").expect("valid");
    for origin in ["/components/schemas/A/properties/kind", "/components/schemas/A/properties/inner"] {
        assert_eq!(name_at(&before, origin), name_at(&after, origin), "{origin}");
    }
    assert_eq!(name_at(&before, "/components/schemas/A/properties/kind"), "AKind");
    assert_eq!(name_at(&after, "/components/schemas/B/properties/kind"), "BKind");
}

#[test]
fn overrides_name_types_and_operations_and_same_named_enums_are_one_type() {
    let spec = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      x-rust-name: fetch_a
      parameters:
        - {name: kind, in: query, schema: {type: string, enum: [y, x]}}
      responses: {'204': {description: ok}}
components:
  schemas:
    A:
      type: object
      properties:
        kind: {type: string, enum: [x, y], x-rust-name: Kind}
"#;
    let api = parse(spec, "/paths/~1a/get/parameters/0/schema: Kind\n").expect("valid");
    assert_eq!(name_at(&api, "/components/schemas/A/properties/kind"), "Kind");
    assert_eq!(api.types.iter().filter(|t| t.name == "Kind").count(), 1, "one type for both places");
    assert_eq!(api.operations[0].params[0].ty, codegen::ir::TypeRef::Named("Kind".into()));
    assert_eq!(api.operations[0].fn_name, "fetch_a");
    assert_eq!(api.operations[0].builder, "FetchA");

    // The same name for different values is a located collision, not a silent `Kind2`.
    let clash = spec.replace("enum: [y, x]", "enum: [x, z]");
    let error = parse(&clash, "/paths/~1a/get/parameters/0/schema: Kind\n").expect_err("a collision");
    assert_eq!(error.location.pointer, "/paths/~1a/get/parameters/0/schema");
    assert!(
        error.message.contains("`Kind` is already taken")
            && error.message.contains("/components/schemas/A/properties/kind"),
        "{error}"
    );

    // A renames entry that names nothing is an error, so a stale file cannot go unnoticed.
    let error = parse(spec, "/components/schemas/Gone: Gone\n").expect_err("a stale entry");
    assert_eq!(
        (error.location.file.as_str(), error.location.pointer.as_str()),
        ("renames.yaml", "/components/schemas/Gone")
    );
}

#[test]
fn lenient_mode_reports_a_collision_it_works_around() {
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\
                \n    Pet: {type: object, properties: {a: {type: string}}}\
                \n    pet: {type: object, properties: {b: {type: string}}}\n";
    let options = codegen::Options { skip_unsupported: true, ..Default::default() };
    let (api, notes) = codegen::parse(spec, &options).expect("lenient");
    assert_eq!(name_at(&api, "/components/schemas/pet"), "Pet2");
    assert!(
        notes.iter().any(|n| n.location.pointer == "/components/schemas/pet" && n.message.contains("x-rust-name")),
        "{notes:?}"
    );
}

#[test]
fn a_property_inherited_through_all_of_keeps_its_owners_type() {
    let spec = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Derived:
      allOf:
        - $ref: '#/components/schemas/Base'
        - {type: object, properties: {extra: {type: object, properties: {a: {type: string}}}}}
    Base:
      type: object
      properties:
        kind: {type: string, enum: [x, y]}
"#;
    let api = parse(spec, "").expect("valid");
    let field_type = |owner: &str, field: &str| {
        let def = api.types.iter().find(|t| t.name == owner).expect("the type");
        let codegen::ir::TypeKind::Struct(s) = &def.kind else { panic!("{owner} is a struct") };
        s.fields.iter().find(|f| f.wire == field).expect("the field").ty.clone()
    };
    assert_eq!(field_type("Derived", "kind"), codegen::ir::TypeRef::Named("BaseKind".into()));
    assert_eq!(field_type("Base", "kind"), codegen::ir::TypeRef::Named("BaseKind".into()));
    assert_eq!(field_type("Derived", "extra"), codegen::ir::TypeRef::Named("DerivedExtra".into()));
    assert_eq!(api.types.iter().filter(|t| t.origin == "/components/schemas/Base/properties/kind").count(), 1);
}

#[test]
fn a_component_lowered_as_an_inline_type_is_not_an_alias_of_itself() {
    let spec = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Event:
      type: object
      oneOf:
        - {$ref: '#/components/schemas/A'}
        - {$ref: '#/components/schemas/B'}
    A: {type: object, properties: {a: {type: string}}}
    B: {type: object, properties: {b: {type: string}}}
"#;
    let api = parse(spec, "").expect("valid");
    let event = api.types.iter().find(|t| t.name == "Event").expect("Event");
    let codegen::ir::TypeKind::Alias(target) = &event.kind else { panic!("Event is an alias: {:?}", event.kind) };
    assert_eq!(*target, codegen::ir::TypeRef::Named("Event2".into()), "not `type Event = Event;`");
    assert!(api.types.iter().any(|t| t.name == "Event2" && matches!(t.kind, codegen::ir::TypeKind::Untagged(_))));
}

#[test]
fn error_enums_never_rename_an_operation() {
    let spec = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: GetThing
      responses:
        '200': {description: ok}
        '404': {description: gone}
  /b:
    get:
      operationId: GetThingError
      responses:
        '200': {description: ok}
        '404': {description: gone}
"#;
    let options = codegen::Options { spec_path: "t.yaml".into(), ..Default::default() };
    let (api, _) = codegen::parse(spec, &options).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<(&str, Option<&str>)> =
        api.operations.iter().map(|o| (o.builder.as_str(), o.error_enum.as_deref())).collect();
    assert_eq!(names, [("GetThing", Some("GetThingError2")), ("GetThingError", Some("GetThingErrorError"))]);
}
