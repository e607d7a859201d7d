#!/usr/bin/env python3
"""Lowers an OpenAPI 3.1 document to the OpenAPI 3.0 subset progenitor accepts.

usage: python3 benches/lower_for_progenitor.py IN.yaml OUT.yaml

The exact transformation (also listed in BENCHMARKS.md):
 1. `openapi: 3.1.x` -> `openapi: 3.0.3`; top-level `webhooks` and `jsonSchemaDialect` removed.
 2. In every schema, `type: [X, 'null']` -> `type: X` + `nullable: true`; a list with more than
    one non-null type loses its `type` (any value).
 3. `const: V` -> `enum: [V]`.
 4. A list-valued `examples` inside a schema -> `example: <first item>`.
 5. Numeric `exclusiveMinimum: N` / `exclusiveMaximum: N` -> `minimum: N` / `maximum: N` with
    `exclusiveMinimum: true` / `exclusiveMaximum: true`.
 6. A `$ref` keeps no sibling keywords (3.0 ignores them anyway).
 7. A request body keeps only its `application/json` content when it has other media types
    too (progenitor accepts one request body type per operation); likewise each response keeps
    only `application/json` when it has several.
Nothing else changes: paths, operation ids, parameters and schemas stay as they are.
"""
import sys

import yaml

SCHEMA_KEYS = {"type", "properties", "items", "allOf", "oneOf", "anyOf", "enum", "const", "$ref"}


def lower(node, in_schema=False):
    if isinstance(node, list):
        return [lower(v, in_schema) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out = {}
    for key, value in node.items():
        if key == "type" and isinstance(value, list):
            non_null = [t for t in value if t != "null"]
            if len(non_null) == 1:
                out["type"] = non_null[0]
            if "null" in value:
                out["nullable"] = True
        elif key == "const" and in_schema:
            out["enum"] = [value]
        elif key == "examples" and isinstance(value, list):
            if value:
                out["example"] = value[0]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            out[key] = True
        elif key == "content" and isinstance(value, dict) and len(value) > 1 and "application/json" in value:
            out[key] = {"application/json": lower(value["application/json"])}
        elif key == "schema" or key == "items" or key == "additionalProperties" or key == "not":
            out[key] = lower(value, True)
        elif key in ("properties", "schemas"):
            out[key] = {k: lower(v, True) for k, v in value.items()} if isinstance(value, dict) else value
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [lower(v, True) for v in value]
        else:
            out[key] = lower(value, in_schema and key not in SCHEMA_KEYS)
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        doc = yaml.safe_load(f)
    doc["openapi"] = "3.0.3"
    doc.pop("webhooks", None)
    doc.pop("jsonSchemaDialect", None)
    doc = lower(doc)
    with open(dst, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True)


if __name__ == "__main__":
    main()
