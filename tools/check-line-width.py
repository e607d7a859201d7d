#!/usr/bin/env python3
"""Fails when a hand-written Rust line is wider than rustfmt's `max_width`.

`cargo fmt` wraps code but cannot break a long string literal or comment, and rustfmt's
`error_on_line_overflow` is nightly-only; this check covers what it leaves. It reads `max_width`
from rustfmt.toml and looks at every tracked `.rs` file except the generated module
(generated-client/src/generated/, rendered by the generator and guarded by `cargo xtask check`).
Width is counted in characters, as rustfmt does for the text it emits. Usage:
python3 tools/check-line-width.py
"""
import re
import subprocess
import sys

GENERATED = "generated-client/src/generated/"


def max_width():
    with open("rustfmt.toml", encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*max_width\s*=\s*(\d+)", line)
            if m:
                return int(m.group(1))
    return 100  # rustfmt's default


def main():
    width = max_width()
    files = subprocess.run(["git", "ls-files", "*.rs"], check=True, capture_output=True, text=True).stdout.split()
    over = []
    for path in files:
        if path.startswith(GENERATED):
            continue
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if len(line) <= width:
                    continue
                over.append(f"{path}:{number}: {len(line)} columns (max {width})")
    if over:
        print(f"{len(over)} hand-written line(s) wider than max_width = {width} (rustfmt.toml):")
        print("\n".join(over))
        return 1
    print(f"every hand-written .rs line is at most {width} columns ({len(files)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
