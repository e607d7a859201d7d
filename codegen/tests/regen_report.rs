//! Regenerating after realistic spec changes: names of untouched items stay, and the change
//! report lists exactly what changed, classified (issue 11, part 2).

use codegen::manifest::{changelog_with, diff, Change, Class};

const BEFORE: &str = r#"
openapi: 3.0.3
info: {title: Things, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      summary: Fetch a thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, schema: {type: boolean}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
        name: {type: string}
        kind: {type: string, enum: [small, large, huge]}
        size: {type: object, properties: {width: {type: integer}}}
"#;

/// The same API after: a schema with its own `kind` enum, a new operation, `name` required,
/// `huge` gone from `kind`, and the path parameter renamed.
const AFTER: &str = r#"
openapi: 3.0.3
info: {title: Things, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      summary: List things
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}
  /things/{thing_id}:
    get:
      operationId: getThing
      summary: Fetch a thing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, schema: {type: boolean}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Other:
      type: object
      properties:
        kind: {type: string, enum: [red, blue]}
    Thing:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string}
        kind: {type: string, enum: [small, large]}
        size: {type: object, properties: {width: {type: integer}}}
"#;

fn generate(spec: &str) -> (codegen::ir::Api, String) {
    let options = codegen::Options { spec_path: "things.yaml".into(), ..Default::default() };
    let (api, _) = codegen::parse(spec, &options).unwrap_or_else(|e| panic!("{e}"));
    let output = codegen::generate(spec, &options).unwrap_or_else(|e| panic!("{e}"));
    (api, output.manifest)
}

fn change(class: Class, text: &str) -> Change {
    Change { class, text: text.to_owned() }
}

#[test]
fn a_regen_reports_exactly_what_changed_and_renames_nothing_else() {
    let (old_api, old_manifest) = generate(BEFORE);
    let (new_api, new_manifest) = generate(AFTER);

    // Every type that still exists keeps its name, whatever was added around it.
    for old in &old_api.types {
        let new = new_api.types.iter().find(|t| t.origin == old.origin).expect("the schema is still there");
        assert_eq!(new.name, old.name, "the type for {}", old.origin);
    }
    let fns: Vec<&str> = new_api.operations.iter().map(|o| o.fn_name.as_str()).collect();
    assert!(fns.contains(&"get_thing"), "{fns:?}");

    assert_eq!(
        diff(&old_manifest, &new_manifest),
        vec![
            change(Class::Breaking, "field `Thing.name` became required"),
            change(Class::Breaking, "enum `ThingKind` lost variant `Huge`"),
            change(Class::Additive, "operation `list_things`"),
            change(Class::Additive, "type `Other`"),
            change(Class::Additive, "type `OtherKind`"),
            change(
                Class::DocsOnly,
                "operation `get_thing` sends `GET /things/{thing_id}` instead of `GET /things/{id}`"
            ),
            change(Class::DocsOnly, "operation `get_thing`: argument `id` renamed `thing_id` (same position and type)"),
        ]
    );
    assert!(diff(&new_manifest, &new_manifest).is_empty(), "no change, no report");
}

#[test]
fn the_report_names_the_kind_of_break() {
    let (_, old) = generate(BEFORE);
    let cases = [
        // A required parameter is a new positional argument.
        (
            BEFORE.replace("{name: verbose, in: query,", "{name: verbose, in: query, required: true,"),
            vec!["breaking: operation `get_thing`: parameter `verbose` became required"],
        ),
        (
            BEFORE.replace(
                "        - {name: verbose,",
                "        - {name: X-Trace, in: header, required: true, schema: {type: string}}\
                 \n        - {name: verbose,",
            ),
            vec!["breaking: operation `get_thing`: required parameter `x_trace` added"],
        ),
        (
            BEFORE.replace("operationId: getThing", "operationId: fetchThing"),
            vec!["breaking: operation `get_thing` removed", "additive: operation `fetch_thing`"],
        ),
        (BEFORE.replace("        name: {type: string}\n", ""), vec!["breaking: field `Thing.name` removed"]),
        (BEFORE.replace("required: [id]", "required: []"), vec!["breaking: field `Thing.id` became optional"]),
        (
            BEFORE.replace("width: {type: integer}", "width: {type: string}"),
            vec!["breaking: field `ThingSize.width` is `Option<String>, optional` instead of `Option<i64>, optional`"],
        ),
        (
            BEFORE.replace("[small, large, huge]", "[small, large, huge, tiny]"),
            vec!["additive: enum `ThingKind` variant `Tiny` added"],
        ),
        (
            BEFORE.replace("[small, large, huge]", "[small, large, Huge]"),
            vec!["breaking: enum `ThingKind` variant `Huge` is `\"Huge\"` instead of `\"huge\"`"],
        ),
        (
            BEFORE.replace("summary: Fetch a thing", "summary: Fetch one thing"),
            vec!["docs-only: operation `get_thing`: documentation changed"],
        ),
    ];
    for (spec, expected) in cases {
        let (_, new) = generate(&spec);
        let report: Vec<String> = diff(&old, &new).iter().map(ToString::to_string).collect();
        assert_eq!(report, expected);
    }
}

#[test]
fn documented_error_statuses_are_part_of_the_api() {
    let body = "content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}";
    let ok = format!("        '200': {{description: ok, {body}}}\n");
    let not_found = format!("        '404': {{description: gone, {body}}}\n");
    let with_404 = BEFORE.replacen(&ok, &format!("{ok}{not_found}"), 1);
    assert_ne!(with_404, BEFORE, "the fixture has the 200 line");
    let (_, old) = generate(BEFORE);
    let (_, new) = generate(&with_404);
    let report = |a: &str, b: &str| diff(a, b).iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(report(&old, &new), ["additive: error `get_thing.NotFound` added"]);
    assert_eq!(report(&new, &old), ["breaking: error `get_thing.NotFound` removed"]);
    let changed = with_404.replace(
        "'404': {description: gone, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}",
        "'404': {description: gone}",
    );
    assert_eq!(
        report(&new, &generate(&changed).1),
        ["breaking: error `get_thing.NotFound` is `() (404)` instead of `Thing (404)`"]
    );
}

#[test]
fn the_changelog_gets_each_change_once() {
    let changes = vec![change(Class::Breaking, "operation `x` removed"), change(Class::Additive, "type `Y`")];
    let start = "# Changelog\n\nIntro.\n\n## Unreleased\n\n- breaking: operation `x` removed\n\n## 0.1.0\n\n- first\n";
    let once = changelog_with(start, &changes);
    assert_eq!(
        once,
        "# Changelog\n\nIntro.\n\n## Unreleased\n\n- breaking: operation `x` removed\n- additive: type `Y`\n\n\
         ## 0.1.0\n\n- first\n"
    );
    assert_eq!(changelog_with(&once, &changes), once, "a second regen adds nothing");
    assert_eq!(
        changelog_with("# Changelog\n", &changes[1..]),
        "# Changelog\n\n## Unreleased\n\n- additive: type `Y`\n"
    );
}
