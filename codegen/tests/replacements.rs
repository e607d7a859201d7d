//! Component schemas replaced by hand-written types (`spec/replacements.yaml`, issue 9: one type
//! per concept).

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /token:
    post:
      operationId: createToken
      parameters:
        - {name: method, in: query, schema: {type: string, enum: [S256, plain]}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/TokenResponse"}
components:
  schemas:
    TokenResponse:
      description: Successful answer from the token endpoint.
      type: object
      required: [access_token]
      properties:
        access_token: {type: string}
    Session:
      type: object
      properties:
        tokens: {$ref: "#/components/schemas/TokenResponse"}
"##;

fn generate(replacements: &str) -> Result<codegen::Output, codegen::Error> {
    let options = codegen::Options {
        spec_path: "spec.yaml".into(),
        replacements: codegen::Replacements::parse(replacements, "replacements.yaml")?,
        ..Default::default()
    };
    codegen::generate(SPEC, &options)
}

#[test]
fn a_replaced_schema_is_the_hand_written_type_under_the_schema_name() {
    let output = generate("/components/schemas/TokenResponse: crate::oauth::TokenResponse\n").expect("valid");
    let models = &output.files["src/generated/models.rs"];
    assert!(models.contains("pub use crate::oauth::TokenResponse;"), "{models}");
    assert!(!models.contains("pub struct TokenResponse"), "{models}");
    // Other types and operations keep referring to it by its name.
    assert!(models.contains("pub struct Session"), "{models}");
    assert!(models.contains("Option<TokenResponse>"), "{models}");
    // The manifest records what the name stands for.
    assert!(
        output.manifest.contains("type TokenResponse: alias of crate::oauth::TokenResponse"),
        "{}",
        output.manifest
    );
    // A parameter's string enum.
    let pkce = generate("/paths/~1token/post/parameters/0/schema: crate::oauth::PkceMethod\n").expect("valid");
    assert!(pkce.files["src/generated/models.rs"].contains("pub use crate::oauth::PkceMethod as CreateTokenMethod;"));
    assert!(!pkce.files["src/generated/models.rs"].contains("pub enum CreateTokenMethod"));
    // Under another name.
    let renamed = generate("/components/schemas/TokenResponse: crate::oauth::Tokens\n").expect("valid");
    assert!(renamed.files["src/generated/models.rs"].contains("pub use crate::oauth::Tokens as TokenResponse;"));
    // Without the entry the schema is a generated struct again.
    let plain = generate("").expect("valid");
    assert!(plain.files["src/generated/models.rs"].contains("pub struct TokenResponse"));
}

#[test]
fn a_path_that_is_not_a_plain_rust_path_is_a_located_error() {
    for path in [
        "crate::oauth::TokenResponse; fn evil() {}",
        "TokenResponse",
        "crate::oauth::",
        "crate::fn::TokenResponse",
        "crate::oauth::Token<T>",
        "::crate::oauth::TokenResponse",
        "crate::oauth::9Token",
    ] {
        let text = format!("/components/schemas/TokenResponse: {path:?}\n");
        let error = generate(&text).expect_err(path);
        assert_eq!(error.location.file, "replacements.yaml", "{path}");
        assert_eq!(error.location.pointer, "/components/schemas/TokenResponse", "{path}");
        assert!(error.to_string().contains("not a plain Rust path"), "{error}");
    }
}

#[test]
fn a_key_that_is_not_a_component_schema_or_parameter_enum_is_a_located_error() {
    let error = generate("/components/schemas/TokenResponse/properties/access_token: crate::oauth::Secret\n")
        .expect_err("nested");
    assert_eq!(error.location.file, "replacements.yaml");
    assert_eq!(error.location.pointer, "/components/schemas/TokenResponse/properties/access_token");
    assert!(error.to_string().contains("JSON pointer of a component schema"), "{error}");
    // A parameter schema that is not a string enum names no type to replace.
    let error = generate("/paths/~1token/post/responses/200/content/application~1json/schema: crate::oauth::X\n")
        .expect_err("response");
    assert_eq!(error.location.pointer, "/paths/~1token/post/responses/200/content/application~1json/schema");
}

#[test]
fn a_replacement_for_a_schema_the_spec_does_not_have_is_an_error() {
    let error = generate("/components/schemas/Missing: crate::oauth::Missing\n").expect_err("no such schema");
    assert_eq!(error.location.file, "replacements.yaml");
    assert_eq!(error.location.pointer, "/components/schemas/Missing");
    assert!(error.to_string().contains("does not name a component schema or parameter enum of spec.yaml"), "{error}");
}
