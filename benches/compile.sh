#!/usr/bin/env bash
# Compile time of the generated full Telnyx crate alone (dependencies warm, every tag on):
# `cargo check` and debug `cargo build`, this working tree's generator against the generator of
# git revision REV, in interleaved rounds (the order flips every round), same machine, same run.
#
# usage: benches/compile.sh [REV]          (default REV: main)
#   COMPILE_ROUNDS=N   rounds per measurement (default 3)
#   COMPILE_ONLY=check|build   only that measurement (default: both)
#   TELNYX_FULL_SPEC   the document (default ../shared/reference/telnyx-full.openapi.yaml next to
#                      the workspace root); skipped with a message when absent.
#
# Each crate is generated into target/compile-bench/{ours,rev} with `xtask generate
# --skip-unsupported` (the document has a duplicate operationId), gets the lock file of the
# workspace it was generated from (same dependency versions as that revision's tests), and has a
# target dir of its own, warmed with one full build first. A measurement is then `touch
# src/lib.rs` followed by the timed cargo command, which recompiles the generated crate only.
# The standalone OAuth crate's clean build against progenitor's is `benches/run.sh build`.
#
# Incremental compilation is off (CARGO_INCREMENTAL=0): a crate used as a dependency is always
# compiled from scratch, and with it on, `touch` + rebuild would reuse most of the previous
# compilation's results and measure mostly parsing and macro expansion.
set -euo pipefail
export CARGO_INCREMENTAL=0

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
REV="${1:-main}"
ROUNDS="${COMPILE_ROUNDS:-3}"
FULL="${TELNYX_FULL_SPEC:-$ROOT/../shared/reference/telnyx-full.openapi.yaml}"
OUT="$ROOT/target/compile-bench"
NAME=telnyx-full

if [[ ! -f "$FULL" ]]; then
    echo "skipping: full Telnyx document not found at $FULL (set TELNYX_FULL_SPEC)"
    exit 0
fi
git rev-parse --verify --quiet "$REV^{commit}" >/dev/null || { echo "unknown revision: $REV" >&2; exit 2; }

echo "machine: $(nproc) cores, $(uname -srm), $(cargo --version); load: $(uptime | sed 's/.*load/load/')"
echo "ours: working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- codegen xtask generated-client/src/runtime || echo ' + uncommitted changes'); rev: $REV = $(git rev-parse --short "$REV")"

mkdir -p "$OUT"
# The revision's sources (its generator, runtime and lock file), outside the repository.
rm -rf "$OUT/rev-src" && mkdir -p "$OUT/rev-src"
git archive "$REV" | tar -x -C "$OUT/rev-src"

generate() { # workspace-dir xtask-target-dir crate-dir
    local ws="$1" xt="$2" dir="$3"
    (cd "$ws" && CARGO_TARGET_DIR="$xt" cargo build --quiet --release -p xtask)
    rm -rf "$dir/src" "$dir/Cargo.toml"
    # The document's known problems are warnings (duplicate operationId, clashing names): kept
    # in a file next to the crate, counted here.
    "$xt/release/xtask" generate --spec "$FULL" --out "$dir" --crate-name "$NAME" --skip-unsupported \
        2> "$dir.warnings.txt" | tail -1
    echo "($(grep -c '^warning' "$dir.warnings.txt" || true) generator warnings in $dir.warnings.txt)"
    cp "$ws/Cargo.lock" "$dir/Cargo.lock"
    (cd "$dir" && cargo fetch --quiet)
}
generate "$ROOT" "${CARGO_TARGET_DIR:-$ROOT/target}" "$OUT/ours"
generate "$OUT/rev-src" "$OUT/rev-xtask" "$OUT/rev"
for side in ours rev; do
    printf '%s: %s lines of Rust in src/generated\n' "$side" "$(cat "$OUT/$side"/src/generated/*.rs "$OUT/$side"/src/generated/*/*.rs 2>/dev/null | wc -l)"
done

# Seconds for one `cargo CMD` of the crate alone in DIR.
timed() { # dir cmd
    local dir="$1" cmd="$2" start end
    touch "$dir/src/lib.rs"
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo "$cmd" --quiet)
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

measure() { # cmd
    local cmd="$1" round o r
    local -a ratios=() ours=() revs=()
    # Warm: dependencies and one build of each crate.
    (cd "$OUT/ours" && CARGO_TARGET_DIR="$OUT/ours/target" cargo "$cmd" --quiet)
    (cd "$OUT/rev" && CARGO_TARGET_DIR="$OUT/rev/target" cargo "$cmd" --quiet)
    for ((round = 0; round < ROUNDS; round++)); do
        if ((round % 2 == 0)); then
            o=$(timed "$OUT/ours" "$cmd"); r=$(timed "$OUT/rev" "$cmd")
        else
            r=$(timed "$OUT/rev" "$cmd"); o=$(timed "$OUT/ours" "$cmd")
        fi
        ours+=("$o"); revs+=("$r"); ratios+=("$(echo "scale=3; $o / $r" | bc)")
        printf 'cargo %s, round %d: ours %.1f s, %s %.1f s, ours/rev %.3f\n' "$cmd" "$((round + 1))" "$o" "$REV" "$r" "${ratios[-1]}"
    done
    local median; median=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(((ROUNDS + 1) / 2))p")
    printf '=> cargo %s of the full crate alone: ours/%s median %.3f over %d rounds (ours: %s s; %s: %s s)\n' \
        "$cmd" "$REV" "$median" "$ROUNDS" "${ours[*]}" "$REV" "${revs[*]}"
}

case "${COMPILE_ONLY:-}" in
    check) measure check ;;
    build) measure build ;;
    "") measure check; measure build ;;
    *) echo "COMPILE_ONLY must be check or build" >&2; exit 2 ;;
esac
