#!/usr/bin/env python3
"""Fails when a dependency of a shipped crate needs a newer Rust than the workspace claims.

Reads `cargo metadata` (the locked graph), walks the normal (non-dev, non-build) dependencies of the
shipped workspace crates, and compares each package's declared `rust-version` with the workspace's.
Build dependencies count too: a user compiles them. Usage: python3 tools/check-msrv.py
"""
import json
import subprocess
import sys

SHIPPED = {"telnyx-oauth", "codegen"}


def version_tuple(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    members = [packages[i] for i in meta["workspace_members"]]
    claimed = {p["rust_version"] for p in members if p["name"] in SHIPPED}
    if len(claimed) != 1 or None in claimed:
        sys.exit(f"check-msrv: shipped crates must share one rust-version, found {sorted(map(str, claimed))}")
    claim = claimed.pop()
    roots = [p["id"] for p in members if p["name"] in SHIPPED]
    missing = SHIPPED - {packages[i]["name"] for i in roots}
    if missing:
        sys.exit(f"check-msrv: shipped crates not in the workspace: {sorted(missing)}")

    seen, stack = set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                stack.append(dep["pkg"])

    too_new = sorted(
        (packages[pid]["name"], packages[pid]["version"], packages[pid]["rust_version"])
        for pid in seen
        if packages[pid]["rust_version"]
        and version_tuple(packages[pid]["rust_version"]) > version_tuple(claim)
    )
    if too_new:
        print(f"check-msrv: the workspace claims rust-version {claim}, but these dependencies need more:")
        for name, version, rv in too_new:
            print(f"  {name} {version} requires {rv}")
        sys.exit(1)
    print(f"check-msrv: {len(seen)} packages in the shipped crates' graph, none needs more than Rust {claim}")


if __name__ == "__main__":
    main()
