//! Standalone crates gate each type behind the tag features of the operations that use it; a
//! type named only by an operation's error enum must be compiled with that operation's tag too.

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: gates, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      tags: [alpha]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
  /b:
    get:
      operationId: getB
      tags: [beta]
      responses:
        "204": {description: ok}
        "404": {description: missing, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
components:
  schemas:
    Problem: {type: object, properties: {detail: {type: string}}}
"#;

fn models(spec: &str) -> String {
    let options = codegen::Options { standalone_crate: Some("gates".into()), ..Default::default() };
    let output = codegen::generate(spec, &options).unwrap_or_else(|e| panic!("{e}"));
    output.files["src/generated/models.rs"].clone()
}

#[test]
fn a_type_named_by_an_error_enum_is_compiled_with_that_operation_s_tag() {
    // `Problem` is alpha's success body and beta's 404 body: it must not be alpha-only.
    let code = models(SPEC);
    assert!(code.contains("pub struct Problem"), "{code}");
    assert!(!code.contains("feature = \"alpha\""), "Problem is gated to alpha alone:\n{code}");
    // Without the 404 on beta it is alpha's alone, and gated so (the check above can fail).
    let alpha_only = SPEC.replace(
        "        \"404\": {description: missing, \
         content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}\n",
        "",
    );
    assert!(models(&alpha_only).contains("feature = \"alpha\""));
}
