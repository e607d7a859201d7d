#!/usr/bin/env python3
"""Opt-in fact checker for spec/telnyx-oauth.openapi.yaml.

Compares our OpenAPI document with Telnyx's published one, ignoring prose:
`description` and `summary` wherever they are prose, OAuth scope descriptions
(values of a `scopes` map; the scope names are still compared), and
info.title / info.description / info.contact. Everything else (paths, methods,
parameters, request bodies, responses, schemas, security, servers, examples,
extensions) must be identical.

A second check fails if any description, summary or scope description in our
document is character-for-character the reference's text at the same JSON
pointer, i.e. prose that was not rewritten.

Usage: python3 spec/check_facts.py [REFERENCE_PATH]
Default reference: <repo root>/../shared/reference/telnyx-oauth.openapi.yaml
Exits 0 when everything matches (or when PyYAML / the reference is missing,
printing "skipped"), 1 otherwise.
"""

import os
import sys

try:
    import yaml
except ImportError:
    print("PyYAML is not installed (pip install pyyaml): skipped")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
OURS = os.path.join(HERE, "telnyx-oauth.openapi.yaml")
DEFAULT_REF = os.path.join(REPO_ROOT, "..", "shared", "reference", "telnyx-oauth.openapi.yaml")

PROSE_KEYS = ("description", "summary")
# Maps whose keys are names chosen by the API (property names, status codes,
# media types, ...) rather than OpenAPI keywords. A key literally called
# `description` inside one of these is a name, not prose.
NAME_MAPS = {
    "paths", "properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
    "schemas", "responses", "parameters", "requestBodies", "headers", "securitySchemes",
    "links", "callbacks", "content", "encoding", "variables", "pathItems", "webhooks",
    "examples", "flows",
}
# Values that are API data (examples, defaults, enums...): compared verbatim,
# never searched for prose.
DATA_KEYS = {"example", "default", "enum", "const", "value"}
INFO_PROSE = ("title", "description", "contact")


def esc(key):
    return str(key).replace("~", "~0").replace("/", "~1")


def strip(node, ptr, prose, kind="obj"):
    """Return a copy of `node` without prose; record removed prose in `prose`.

    kind: "obj" (OpenAPI object or schema), "names" (map of name -> obj),
    "scopes" (map of scope name -> prose), "data" (opaque API data).
    """
    if kind == "data":
        return node
    if isinstance(node, list):
        return [strip(v, f"{ptr}/{i}", prose, "obj") for i, v in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, val in node.items():
        p = f"{ptr}/{esc(key)}"
        if kind == "names":
            out[key] = strip(val, p, prose, "obj")
        elif kind == "scopes":
            prose[p] = val
            out[key] = None  # the scope name is a fact, its description is prose
        elif ptr == "/info" and key in INFO_PROSE:
            if isinstance(val, str):
                prose[p] = val
        elif key in PROSE_KEYS and isinstance(val, str):
            prose[p] = val
        elif key in DATA_KEYS or str(key).startswith("x-"):
            out[key] = val
        elif key == "examples" and isinstance(val, list):
            out[key] = val  # JSON Schema `examples`: a list of data
        elif key == "scopes" and isinstance(val, dict):
            out[key] = strip(val, p, prose, "scopes")
        elif key in NAME_MAPS and isinstance(val, dict):
            out[key] = strip(val, p, prose, "names")
        else:
            out[key] = strip(val, p, prose, "obj")
    return out


def compare(a, b, ptr, diffs):
    """a = ours, b = reference."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in b:
            if k not in a:
                diffs.append(f"{ptr}/{esc(k)}: missing in our spec (reference: {b[k]!r})")
        for k in a:
            if k not in b:
                diffs.append(f"{ptr}/{esc(k)}: not in the reference (ours: {a[k]!r})")
            else:
                compare(a[k], b[k], f"{ptr}/{esc(k)}", diffs)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{ptr or '/'}: list length {len(a)} != reference {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{ptr}/{i}", diffs)
    elif type(a) is not type(b) or a != b:
        diffs.append(f"{ptr or '/'}: ours {a!r} != reference {b!r}")


def norm(text):
    return " ".join(str(text).split()).casefold()


def count_operations(doc):
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return sum(
        1
        for item in (doc.get("paths") or {}).values()
        for m in (item or {})
        if m in methods
    )


def main(argv):
    ref_path = os.path.abspath(argv[1]) if len(argv) > 1 else os.path.normpath(DEFAULT_REF)
    if not os.path.exists(ref_path):
        print(f"reference not found at {ref_path}: skipped")
        return 0
    with open(OURS, encoding="utf-8") as f:
        ours = yaml.safe_load(f)
    with open(ref_path, encoding="utf-8") as f:
        ref = yaml.safe_load(f)

    our_prose, ref_prose = {}, {}
    ours_facts = strip(ours, "", our_prose)
    ref_facts = strip(ref, "", ref_prose)

    diffs = []
    compare(ours_facts, ref_facts, "", diffs)

    copied = [
        (p, text) for p, text in sorted(our_prose.items())
        if p in ref_prose and norm(text) == norm(ref_prose[p])
    ]

    failed = False
    if diffs:
        failed = True
        print(f"FACT DIFFERENCES ({len(diffs)}):")
        for d in diffs:
            print(f"  {d}")
    if copied:
        failed = True
        print(f"PROSE NOT REWRITTEN ({len(copied)}): identical to the reference text")
        for p, text in copied:
            print(f"  {p}: {text!r}")
    if failed:
        return 1

    n_ops = count_operations(ours)
    n_schemas = len((ours.get("components") or {}).get("schemas") or {})
    print(f"spec facts match the reference ({n_ops} operations, {n_schemas} schemas)")
    print(f"prose: {len(our_prose)} texts in our spec, none identical to the reference's "
          f"{len(ref_prose)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
