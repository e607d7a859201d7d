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

# Lines in code that other work of the same session owns (the generator's emitters, its render
# and lowering, the send path), left to be wrapped there: (path, the line's text, stripped).
# Each entry matches one exact line, so a new long line or an edited one is still reported.
# Remove an entry once its line is wrapped; an entry that matches nothing fails the check.
PENDING = {
    ('codegen/src/emit/operations.rs', '"The error statuses {} documents, each with its documented body; what `send_typed` returns in [`rt::OperationError::Documented`].",'),
    ('generated-client/src/runtime/send.rs', 'tracing::info!(attempt, elapsed_ms, error = %error, delay_ms = delay.as_millis() as u64, "retrying after error");'),
    ('generated-client/src/runtime/macros.rs', "pub fn pages(self) -> ::futures::stream::BoxStream<'static, crate::runtime::Result<crate::runtime::Page<Self>>> {"),
}


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
    seen_pending = set()
    for path in files:
        if path.startswith(GENERATED):
            continue
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if len(line) <= width:
                    continue
                if (path, line.strip()) in PENDING:
                    seen_pending.add((path, line.strip()))
                    continue
                over.append(f"{path}:{number}: {len(line)} columns (max {width})")
    stale = sorted(PENDING - seen_pending)
    for path, text in stale:
        over.append(f"{path}: pending entry matches no line over {width} columns, remove it: {text[:60]}...")
    if over:
        print(f"{len(over)} hand-written line(s) wider than max_width = {width} (rustfmt.toml):")
        print("\n".join(over))
        return 1
    print(f"every hand-written .rs line is at most {width} columns ({len(files)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
