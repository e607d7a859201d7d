//! The front end (loading, normalizing, error locations): valid documents that must be
//! accepted, and invalid ones whose errors must name the precise node.

fn options() -> codegen::Options {
    codegen::Options { spec_path: "spec.yaml".into(), env_prefix: "EXAMPLE".into(), ..Default::default() }
}

fn generate(text: &str) -> Result<codegen::Output, codegen::Error> {
    codegen::generate(text, &options())
}

fn error(text: &str) -> String {
    match generate(text) {
        Ok(_) => panic!("the document generated but should have failed:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_operation_without_responses_is_accepted_in_3_1() {
    let output =
        generate("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n")
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.operations, 1);
    let code = &output.files["src/generated/operations/mod.rs"];
    assert!(code.contains("GetA") || output.files.values().any(|c| c.contains("fn get_a")), "get_a is generated");
}

#[test]
fn errors_under_paths_name_the_failing_node() {
    let text = r#"openapi: 3.0.3
info: {title: x, version: "1"}
paths:
  /a/{id}:
    get:
      operationId: getA
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {x: {type: string, nullable: maybe}}}
"#;
    assert_eq!(
        error(text),
        "spec.yaml#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/properties/x: \
         invalid spec: invalid type: string \"maybe\", expected a boolean"
    );
}

#[test]
fn a_missing_required_member_is_located_at_its_object() {
    let text = r#"openapi: 3.0.3
info: {title: x, version: "1"}
paths:
  /a:
    post:
      operationId: postA
      responses: {'204': {content: {}}}
"#;
    assert_eq!(error(text), "spec.yaml#/paths/~1a/post/responses/204: invalid spec: missing field `description`");
}

#[test]
fn integers_beyond_64_bits_do_not_refuse_the_document() {
    let text = r#"openapi: 3.1.0
info: {title: x, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - {name: n, in: query, schema: {type: integer, minimum: -9223372036854776000, maximum: 99999999999999999999}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: number, example: 123456789012345678901234567890}}}
"#;
    let output = generate(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.operations, 1);
    // Kept as floats, the bounds make no difference to the generated types.
    let code: String = output.files.values().map(String::as_str).collect();
    assert!(code.contains("value: i64"), "{code}");
    assert!(code.contains("<f64>"), "{code}");
}
