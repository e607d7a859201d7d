//! `$ref`s: pointers below components and into `$defs` or `paths`, RFC 6901 / RFC 3986
//! decoding, documents split over several files (read through a reader, here an in-memory map),
//! and the located errors for references that cannot be followed.

use std::collections::HashMap;
use std::path::Path;

fn options(spec_path: &str) -> codegen::Options {
    codegen::Options { spec_path: spec_path.into(), env_prefix: "EXAMPLE".into(), ..Default::default() }
}

/// Generates `entry` from an in-memory set of files (paths as the reader is asked for them).
fn generate_files(entry: &str, files: &[(&str, &str)]) -> Result<codegen::Output, codegen::Error> {
    let files: HashMap<String, String> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
    let read = |path: &Path| {
        let key = path.to_string_lossy().replace('\\', "/");
        files
            .get(&key)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("no file {key}")))
    };
    codegen::generate_with_reader(Path::new(entry), &read, &options(entry))
}

fn models(output: &codegen::Output) -> &str {
    &output.files["src/generated/models.rs"]
}

fn operations(output: &codegen::Output) -> String {
    output.files.iter().filter(|(p, _)| p.starts_with("src/generated/operations/")).map(|(_, c)| c.as_str()).collect()
}

fn ok(result: Result<codegen::Output, codegen::Error>) -> codegen::Output {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn err(result: Result<codegen::Output, codegen::Error>) -> String {
    match result {
        Ok(_) => panic!("generated but should have failed"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: x, version: '1'}\n";

#[test]
fn a_reference_below_a_component_gets_a_component_of_its_own() {
    let text = format!(
        "{HEAD}paths:
  /tags:
    get:
      operationId: getTagBase
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Tag/allOf/0'}}
components:
  schemas:
    Tag:
      allOf:
        - {{type: object, required: [id], properties: {{id: {{type: string}}}}}}
        - {{type: object, properties: {{label: {{type: string}}}}}}
"
    );
    let output = ok(codegen::generate(&text, &options("spec.yaml")));
    let models = models(&output);
    // The hoisted part is one named type, used by the operation; the name comes from the pointer.
    assert!(models.contains("pub struct TagAllOf0 {"), "{models}");
    assert!(
        models.contains("Schema: `/components/schemas/Tag/allOf/0`"),
        "its origin is where it was written: {models}"
    );
    assert!(operations(&output).contains("models::TagAllOf0"), "{}", operations(&output));
    // Tag still has both parts' fields.
    let tag = &models[models.find("pub struct Tag {").expect("Tag")..];
    let tag = &tag[..tag.find('}').expect("end of Tag")];
    assert!(tag.contains("pub id: String") && tag.contains("pub label: Option<String>"), "{tag}");
}

#[test]
fn references_into_defs_and_paths_resolve() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{type: object, properties: {{n: {{type: integer, format: int32}}}}}}
  /b:
    get:
      operationId: getB
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/paths/~1a/get/responses/200/content/application~1json/schema'}}
  /c:
    get:
      operationId: getC
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Box/$defs/Inner'}}
components:
  schemas:
    Box:
      type: object
      properties:
        inner: {{$ref: '#/components/schemas/Box/$defs/Inner'}}
      $defs:
        Inner: {{type: object, properties: {{s: {{type: string}}}}}}
"
    );
    let output = ok(codegen::generate(&text, &options("spec.yaml")));
    let models = models(&output);
    assert!(models.contains("pub struct PathsAGetResponses200ContentApplicationJsonSchema {"), "{models}");
    assert!(models.contains("pub struct BoxDefsInner {"), "{models}");
    assert!(models.contains("pub inner: Option<BoxDefsInner>"), "{models}");
    let ops = operations(&output);
    // /a and /b return the same type: the schema was moved into components and both refer to it
    // (no second struct with its field is left where it was written).
    assert!(ops.matches("models::PathsAGetResponses200ContentApplicationJsonSchema").count() >= 2, "{ops}");
    assert_eq!(models.matches("pub n: Option<i32>").count(), 1, "{models}");
    assert_eq!(models.matches("pub s: Option<String>").count(), 1, "{models}");
    assert!(ops.contains("models::BoxDefsInner"), "{ops}");
}

#[test]
fn reference_pointers_are_percent_and_tilde_decoded() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      parameters:
        - {{name: q, in: query, schema: {{$ref: '#/components/schemas/My%20Name'}}}}
        - {{name: r, in: query, schema: {{$ref: '#/components/schemas/x~0y'}}}}
        - {{name: s, in: query, schema: {{$ref: '#/components/schemas/Holder/properties/a~1b'}}}}
      responses:
        '204': {{description: ok}}
components:
  schemas:
    My Name: {{type: string, enum: [one, two]}}
    x~y: {{type: integer, format: int32}}
    Holder: {{type: object, properties: {{a/b: {{type: string, enum: [p, q]}}}}}}
"
    );
    let output = ok(codegen::generate(&text, &options("spec.yaml")));
    let ops = operations(&output);
    assert!(ops.contains("value: models::MyName"), "{ops}");
    assert!(ops.contains("value: models::XY"), "{ops}");
    assert!(ops.contains("value: models::HolderPropertiesAB"), "{ops}");
}

#[test]
fn a_deep_reference_that_does_not_resolve_is_located() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Tag/properties/nope'}}
components:
  schemas:
    Tag: {{type: object}}
"
    );
    assert_eq!(
        err(codegen::generate(&text, &options("spec.yaml"))),
        "spec.yaml#/paths/~1a/get/responses/200/content/application~1json/schema: invalid spec: \
         reference `#/components/schemas/Tag/properties/nope` does not resolve: \
         spec.yaml has no `#/components/schemas/Tag/properties/nope`"
    );
}

const ENTRY: &str = "openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /pets:
    $ref: paths/pets.yaml
components:
  schemas:
    Pet: {$ref: './schemas/pet.yaml'}
";

const PETS: &str = "get:
  operationId: listPets
  responses:
    '200':
      description: ok
      content:
        application/json:
          schema: {type: array, items: {$ref: '../schemas/pet.yaml'}}
    '400':
      description: bad
      content:
        application/json:
          schema: {$ref: '../common.yaml#/components/schemas/Error'}
";

const PET: &str = "type: object
required: [name]
properties:
  name: {type: string}
  kind: {$ref: 'kinds/kind.yaml'}
  friend: {$ref: './pet.yaml'}
";

const KIND: &str = "type: string\nenum: [cat, dog]\n";

const COMMON: &str = "components:\n  schemas:\n    Error: {type: object, properties: {message: {type: string}}}\n";

#[test]
fn a_document_in_several_files_generates() {
    let output = ok(generate_files(
        "api/openapi.yaml",
        &[
            ("api/openapi.yaml", ENTRY),
            ("api/paths/pets.yaml", PETS),
            ("api/schemas/pet.yaml", PET),
            ("api/schemas/kinds/kind.yaml", KIND),
            ("api/common.yaml", COMMON),
        ],
    ));
    let models = models(&output);
    assert!(models.contains("pub struct Pet {"), "{models}");
    assert!(models.contains("pub kind: Option<Kind>"), "a file is named after itself: {models}");
    assert!(models.contains("pub friend: Option<Box<Pet>>"), "a file referring to itself is the same type: {models}");
    assert!(models.contains("pub struct Error {"), "another file's component keeps its name: {models}");
    assert!(models.contains("Schema: `api/common.yaml#/components/schemas/Error`"), "{models}");
    let ops = operations(&output);
    assert!(ops.contains("Vec<models::Pet>"), "{ops}");
}

#[test]
fn errors_in_another_file_name_that_file() {
    let broken_pet = "type: object\nproperties:\n  name: {type: string, nullable: maybe}\n";
    let error = err(generate_files(
        "api/openapi.yaml",
        &[
            ("api/openapi.yaml", ENTRY),
            ("api/paths/pets.yaml", PETS),
            ("api/schemas/pet.yaml", broken_pet),
            ("api/common.yaml", COMMON),
        ],
    ));
    assert_eq!(
        error,
        "api/schemas/pet.yaml#/properties/name: invalid spec: invalid type: string \"maybe\", expected a boolean"
    );
}

#[test]
fn a_reference_to_a_missing_file_is_located() {
    let error = err(generate_files("api/openapi.yaml", &[("api/openapi.yaml", ENTRY), ("api/paths/pets.yaml", PETS)]));
    assert_eq!(
        error,
        "api/paths/pets.yaml#/get/responses/200/content/application~1json/schema/items: invalid spec: \
         reference `../schemas/pet.yaml` names a file that cannot be read (api/schemas/pet.yaml): \
         no file api/schemas/pet.yaml"
    );
    let error = err(generate_files(
        "api/openapi.yaml",
        &[
            ("api/openapi.yaml", ENTRY),
            ("api/paths/pets.yaml", PETS),
            ("api/schemas/pet.yaml", PET),
            ("api/common.yaml", COMMON),
        ],
    ));
    assert_eq!(
        error,
        "api/schemas/pet.yaml#/properties/kind: invalid spec: reference `kinds/kind.yaml` names a file \
         that cannot be read (api/schemas/kinds/kind.yaml): no file api/schemas/kinds/kind.yaml"
    );
}

#[test]
fn references_above_the_root_absolute_paths_and_remote_ones_are_refused() {
    let with_ref = |reference: &str| {
        format!(
            "{HEAD}paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\
             \n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '{reference}'}}}}}}}}\n"
        )
    };
    let at = "#/paths/~1a/get/responses/200/content/application~1json/schema";
    let error = err(generate_files("/spec/openapi.yaml", &[("/spec/openapi.yaml", &with_ref("../../x.yaml"))]));
    assert_eq!(
        error,
        format!(
            "/spec/openapi.yaml{at}: invalid spec: reference `../../x.yaml` leads above the root of the file system"
        )
    );
    let error = err(generate_files("/spec/openapi.yaml", &[("/spec/openapi.yaml", &with_ref("/etc/x.yaml"))]));
    assert_eq!(
        error,
        format!(
            "/spec/openapi.yaml{at}: unsupported: reference `/etc/x.yaml` names a file by an absolute path; \
             use a path relative to the referring file"
        )
    );
    let error = err(generate_files(
        "/spec/openapi.yaml",
        &[("/spec/openapi.yaml", &with_ref("https://example.com/x.yaml#/A"))],
    ));
    assert_eq!(
        error,
        format!(
            "/spec/openapi.yaml{at}: unsupported: remote reference `https://example.com/x.yaml#/A` is not fetched; \
             download the file and refer to it by a relative path"
        )
    );
}

#[test]
fn a_folder_fixture_on_disk_generates_from_its_path() {
    let entry = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multi_file/openapi.yaml");
    let output = ok(codegen::generate_from_path(&entry, &options("multi_file/openapi.yaml")));
    assert_eq!(output.operations, 3);
    let ops = operations(&output);
    assert!(ops.contains("pub fn create_pet(&self, body: models::SchemasPetPropertiesOwner)"), "{ops}");
    assert!(
        models(&output).contains("pub owner: Option<SchemasPetPropertiesOwner>"),
        "the hoisted schema is also used where it was written"
    );
}

#[test]
fn discriminator_mappings_to_other_files_select_their_branches() {
    let entry = "openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /pet:
    get:
      operationId: getPet
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                oneOf: [{$ref: './cat.yaml'}, {$ref: './dog.yaml#/components/schemas/Dog'}]
                discriminator:
                  propertyName: kind
                  mapping: {feline: './cat.yaml', canine: './dog.yaml#/components/schemas/Dog'}
";
    let cat = "type: object\nrequired: [kind]\nproperties: {kind: {type: string}, purrs: {type: boolean}}\n";
    let dog = "components:\n  schemas:\n    Dog:\
               \n      {type: object, required: [kind], properties: {kind: {type: string}, barks: {type: boolean}}}\n";
    let output = ok(generate_files("openapi.yaml", &[("openapi.yaml", entry), ("cat.yaml", cat), ("dog.yaml", dog)]));
    let models = models(&output);
    // The discriminator's match arms (`Some("tag") => ..`); `"Dog"` alone is also the struct's
    // name in its serde impl.
    assert!(
        models.contains("Some(\"feline\")") && models.contains("Some(\"canine\")"),
        "the mapping's values tag the branches: {models}"
    );
    assert!(!models.contains("Some(\"cat\")") && !models.contains("Some(\"Dog\")"), "not the default names: {models}");
}

#[test]
fn a_component_that_is_only_a_deep_reference_gives_its_target_its_name() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Owner'}}}}}}}}
components:
  schemas:
    Owner: {{$ref: '#/components/schemas/Pet/properties/owner'}}
    Pet:
      type: object
      properties:
        owner: {{type: object, properties: {{name: {{type: string}}}}}}
"
    );
    let output = ok(codegen::generate(&text, &options("spec.yaml")));
    let models = models(&output);
    assert!(models.contains("pub struct Owner {"), "{models}");
    assert!(models.contains("pub owner: Option<Owner>"), "Pet's field is the same type: {models}");
    assert_eq!(models.matches("pub name: Option<String>").count(), 1, "one type, not a copy: {models}");
    assert!(!models.contains("pub type Owner"), "not an alias: {models}");
}

#[test]
fn another_files_component_whose_name_is_taken_is_named_after_its_file() {
    let entry = "openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        '400':
          description: bad
          content:
            application/json:
              schema: {$ref: 'lib/common.yaml#/components/schemas/Error'}
components:
  schemas:
    Error: {type: object, properties: {code: {type: integer}}}
";
    let output = ok(generate_files("openapi.yaml", &[("openapi.yaml", entry), ("lib/common.yaml", COMMON)]));
    let models = models(&output);
    assert!(models.contains("pub struct Error {") && models.contains("pub struct LibCommonError {"), "{models}");
}

#[test]
fn path_items_that_refer_to_each_other_are_a_located_error() {
    let entry = "openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /a: {$ref: 'a.yaml'}
";
    let a = "get:\n  operationId: getA\n  callbacks:\n    cb:\n      '{$request.body#/url}': {$ref: 'a.yaml'}\n";
    let error = err(generate_files("openapi.yaml", &[("openapi.yaml", entry), ("a.yaml", a)]));
    assert_eq!(
        error,
        "a.yaml#/get/callbacks/cb/{$request.body#~1url}: invalid spec: \
         reference `a.yaml` is part of a cycle of references"
    );
}

#[test]
fn an_operation_kept_in_its_own_file_is_copied_in_place() {
    // Not allowed by OpenAPI, but how large multi-file documents (DigitalOcean) are written.
    let entry = "openapi: 3.1.0
info: {title: x, version: '1'}
paths:
  /droplets:
    get: {$ref: 'resources/droplets/list.yaml'}
";
    let list = "operationId: listDroplets
responses:
  '200':
    description: ok
    content:
      application/json:
        schema: {$ref: '../../models/droplet.yaml'}
";
    let droplet = "type: object\nproperties: {id: {type: integer, format: int64}}\n";
    let output = ok(generate_files(
        "openapi.yaml",
        &[("openapi.yaml", entry), ("resources/droplets/list.yaml", list), ("models/droplet.yaml", droplet)],
    ));
    assert_eq!(output.operations, 1);
    assert!(models(&output).contains("pub struct Droplet {"), "{}", models(&output));
    assert!(operations(&output).contains("models::Droplet"), "{}", operations(&output));
}

#[test]
fn errors_found_after_bundling_name_the_file_and_pointer_of_the_text() {
    let kind = "type: object\nproperties:\n  legs: {type: nmber}\n";
    let error = err(generate_files(
        "api/openapi.yaml",
        &[
            ("api/openapi.yaml", ENTRY),
            ("api/paths/pets.yaml", PETS),
            ("api/schemas/pet.yaml", PET),
            ("api/schemas/kinds/kind.yaml", kind),
            ("api/common.yaml", COMMON),
        ],
    ));
    assert_eq!(error, "api/schemas/kinds/kind.yaml#/properties/legs/type: invalid spec: unknown type `nmber`");
    // The same for a schema hoisted from below a component of the entry document.
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Tag/allOf/0'}}
components:
  schemas:
    Tag:
      allOf:
        - {{type: object, properties: {{id: {{type: strng}}}}}}
"
    );
    assert_eq!(
        err(codegen::generate(&text, &options("spec.yaml"))),
        "spec.yaml#/components/schemas/Tag/allOf/0/properties/id/type: invalid spec: unknown type `strng`"
    );
}

#[test]
fn a_reference_to_the_wrong_section_is_located() {
    let text = format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getA
      parameters:
        - $ref: '#/components/schemas/Id'
      responses:
        '204': {{description: ok}}
components:
  schemas:
    Id: {{type: string}}
"
    );
    assert_eq!(
        err(codegen::generate(&text, &options("spec.yaml"))),
        "spec.yaml#/paths/~1a/get/parameters/0: invalid spec: reference `#/components/schemas/Id` \
         names one of `schemas` where one of `parameters` belongs"
    );
}

#[test]
fn references_to_devices_and_folders_fail_instead_of_hanging() {
    let dir = std::env::temp_dir().join(format!("codegen-refs-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("folder")).expect("temp dir");
    let dir = std::fs::canonicalize(&dir).expect("canonical temp dir");
    let up = "../".repeat(dir.components().count() - 1);
    for (reference, problem) in
        [(format!("{up}dev/zero"), "not a regular file"), ("folder".to_owned(), "not a regular file")]
    {
        let spec = dir.join("openapi.yaml");
        std::fs::write(
            &spec,
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\
                 \n    Z: {{type: object, properties: {{z: {{$ref: '{reference}'}}}}}}\n"
            ),
        )
        .expect("spec written");
        let error = err(codegen::generate_from_path(&spec, &options("openapi.yaml")));
        assert!(
            error.starts_with("openapi.yaml#/components/schemas/Z/properties/z: invalid spec: reference"),
            "{error}"
        );
        assert!(error.ends_with(problem), "{error}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
