#!/usr/bin/env bash
# Reproduces every figure in BENCHMARKS.md.
#
# usage: benches/run.sh [gen|stages|rss|cli|build|client|throughput|features|all]...   (default: all)
#
# Needs: hyperfine and GNU time (`apt-get install hyperfine time`), python3 with PyYAML (for the
# progenitor comparison), and cargo-progenitor in $PROGENITOR_ROOT/bin (default /tmp/progenitor):
#   CARGO_INSTALL_ROOT=/tmp/progenitor cargo install cargo-progenitor --locked
# The full Telnyx document is optional: $TELNYX_FULL_SPEC, default ../shared/reference/telnyx-full.openapi.yaml
# next to the workspace root; parts that need it are skipped with a message when it is absent.
# Scratch output goes to $BENCH_TMP (default /tmp/bench); nothing in the repository is written
# except cargo's target/.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SPEC="spec/telnyx-oauth.openapi.yaml"
FULL="${TELNYX_FULL_SPEC:-$ROOT/../shared/reference/telnyx-full.openapi.yaml}"
TMP="${BENCH_TMP:-/tmp/bench}"
PROGENITOR="${PROGENITOR_ROOT:-/tmp/progenitor}/bin/cargo-progenitor"
mkdir -p "$TMP"

have_full() {
    if [[ -f "$FULL" ]]; then return 0; fi
    echo "skipping: full Telnyx document not found at $FULL (set TELNYX_FULL_SPEC)"
    return 1
}

xtask() {
    cargo build --quiet --release -p xtask
    echo "$ROOT/target/release/xtask"
}

section() { printf '\n===== %s (%s) =====\n' "$1" "$(date -u +%Y-%m-%dT%H:%MZ)"; }

gen() {
    section "1. generation stages (criterion)"
    cargo bench -p codegen --bench generate
}

rss() {
    section "6. peak RSS"
    have_full || return 0
    cargo bench -p codegen --bench peak_rss --no-run --quiet
    for stage in read floor parse generate; do
        cargo bench --quiet -p codegen --bench peak_rss -- "$stage" "$FULL"
    done
    local x; x="$(xtask)"
    rm -rf "$TMP/full-crate"
    /usr/bin/time -v "$x" generate --spec "$FULL" --out "$TMP/full-crate" --skip-unsupported 2> "$TMP/time-v.txt" | tail -1
    grep -E "Maximum resident set size|Elapsed \(wall" "$TMP/time-v.txt"
}

# Each stage of the full document in its own process, back to back in one hyperfine run
# (`peak_rss` runs one stage and exits): the wall and user-time ratios to the floor. With
# $STAGES_BEFORE (another build's peak_rss binary) its parse and generate run beside ours.
stages() {
    section "1b. generation stages of the full document as processes (hyperfine)"
    have_full || return 0
    cargo bench -p codegen --bench peak_rss --no-run --quiet 2>/dev/null
    local bin; bin=$(ls -t target/release/deps/peak_rss-* | grep -v '\.d$' | head -1)
    local before=()
    if [[ -n "${STAGES_BEFORE:-}" ]]; then
        before=(-n "parse (before)" "$STAGES_BEFORE parse $FULL" -n "generate (before)" "$STAGES_BEFORE generate $FULL")
    fi
    hyperfine -N --warmup 1 --runs "${STAGES_RUNS:-8}" --export-json "$TMP/stages.json" \
        -n floor "$bin floor $FULL" -n parse "$bin parse $FULL" -n generate "$bin generate $FULL" "${before[@]}"
    python3 -c 'import json,sys; [print("%-20s wall %7.1f ms  user %7.1f ms" % (r["command"], r["mean"]*1e3, r["user"]*1e3)) for r in json.load(open(sys.argv[1]))["results"]]' "$TMP/stages.json"
}

lowered() {
    python3 benches/lower_for_progenitor.py "$SPEC" "$TMP/oauth-3.0.yaml"
}

cli() {
    section "2. CLI: ours vs cargo-progenitor (hyperfine)"
    [[ -x "$PROGENITOR" ]] || { echo "skipping: $PROGENITOR not installed"; return 0; }
    local x; x="$(xtask)"
    lowered
    local before=()
    if [[ -n "${CLI_BEFORE:-}" ]]; then # another build's xtask binary, in the same run
        before=(-n "before (lowered 3.0 doc)" "$CLI_BEFORE generate --spec $TMP/oauth-3.0.yaml --out $TMP/before-lowered")
    fi
    hyperfine -N --warmup 3 --min-runs 40 --export-markdown "$TMP/cli.md" --export-json "$TMP/cli.json" \
        -n "ours (lowered 3.0 doc)" "$x generate --spec $TMP/oauth-3.0.yaml --out $TMP/ours-lowered" \
        "${before[@]}" \
        -n "ours (original 3.1 spec)" "$x generate --spec $SPEC --out $TMP/ours-orig" \
        -n "progenitor (lowered 3.0 doc)" "$PROGENITOR progenitor -i $TMP/oauth-3.0.yaml -o $TMP/prog-crate -n telnyx-oauth-progenitor -v 0.1.0 --interface builder"
    python3 -c 'import json,sys; [print("%-30s wall %6.1f ms  user %6.1f ms" % (r["command"], r["mean"]*1e3, r["user"]*1e3)) for r in json.load(open(sys.argv[1]))["results"]]' "$TMP/cli.json"
    # hyperfine runs each command's rounds together, so a load change between them moves the
    # ratio; the same commands in CLI_ROUNDS interleaved rounds (0 skips them).
    local rounds="${CLI_ROUNDS:-40}"
    if ((rounds > 0)); then
        local interleaved=(ours="$x generate --spec $TMP/oauth-3.0.yaml --out $TMP/ours-lowered")
        if [[ -n "${CLI_BEFORE:-}" ]]; then
            interleaved+=(before="$CLI_BEFORE generate --spec $TMP/oauth-3.0.yaml --out $TMP/before-lowered")
        fi
        interleaved+=(progenitor="$PROGENITOR progenitor -i $TMP/oauth-3.0.yaml -o $TMP/prog-crate -n telnyx-oauth-progenitor -v 0.1.0 --interface builder")
        python3 benches/interleaved.py "$rounds" "${interleaved[@]}"
    fi
}

# Pins progenitor's crate to TLS on with the same crypto as ours (rustls + ring).
progenitor_tls() {
    python3 - "$1/Cargo.toml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'reqwest = \{[^}]*\}',
           'reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream", "http2", "rustls-no-provider"] }\n'
           'rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12", "logging"] }', s)
open(p, "w").write(s)
PY
}

deps_of() { # name dir
    local name="$1" dir="$2"
    local deps; deps=$(cd "$dir" && cargo tree -e normal --prefix none --format '{p}' | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l)
    local raw; raw=$(cd "$dir" && cargo tree --prefix none | sort -u | wc -l)
    echo "deps $name: $deps distinct packages (cargo tree -e normal, dedup); raw 'cargo tree --prefix none | sort -u | wc -l' = $raw"
}

# Seconds for one clean debug build of the crate in DIR.
clean_build() { # dir
    local dir="$1" start end
    rm -rf "$dir/target"
    start=$(date +%s.%N)
    (cd "$dir" && cargo build --quiet)
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

build() {
    section "3. clean debug build + dependency count"
    [[ -x "$PROGENITOR" ]] || { echo "skipping: $PROGENITOR not installed"; return 0; }
    local x; x="$(xtask)"
    lowered
    rm -rf "$TMP/ours-crate" "$TMP/prog-crate"
    "$x" generate --spec "$SPEC" --out "$TMP/ours-crate" --crate-name telnyx-oauth >/dev/null
    "$PROGENITOR" progenitor -i "$TMP/oauth-3.0.yaml" -o "$TMP/prog-crate" -n telnyx-oauth-progenitor -v 0.1.0 --interface builder >/dev/null
    progenitor_tls "$TMP/prog-crate"
    local dir
    for dir in "$TMP/ours-crate" "$TMP/prog-crate"; do
        (cd "$dir" && cargo generate-lockfile --quiet && cargo fetch --quiet)
    done
    deps_of ours "$TMP/ours-crate"
    deps_of progenitor "$TMP/prog-crate"
    # BUILD_ROUNDS rounds (default 3), the order flipping every round so that load changes hit
    # both sides alike; one clean build of each per round.
    local round o p
    for ((round = 1; round <= ${BUILD_ROUNDS:-3}; round++)); do
        if ((round % 2)); then
            o=$(clean_build "$TMP/ours-crate"); p=$(clean_build "$TMP/prog-crate")
        else
            p=$(clean_build "$TMP/prog-crate"); o=$(clean_build "$TMP/ours-crate")
        fi
        printf 'round %d: ours %.1f s, progenitor %.1f s, ours/progenitor %.3f (load %s)\n' \
            "$round" "$o" "$p" "$(echo "$o / $p" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    done
}

client() {
    section "4+5. per-request overhead and pagination (criterion)"
    cargo bench -p telnyx-oauth --bench client
}

throughput() {
    section "4b. throughput: 10,000 GETs, 256 in flight, ours vs bare reqwest (paired rounds)"
    BENCH_ONLY=throughput cargo bench -p telnyx-oauth --bench client
}

# Dependency count and clean debug build of the telnyx-oauth library per feature set, each in a
# fresh target dir of its own ($TMP/features-target). $FEATURES_BEFORE (a git revision, default
# none) adds the same build of that revision's crate (its default features), from `git archive`.
FEATURE_SETS=(
    "--no-default-features"
    "--no-default-features --features rustls-webpki-roots"
    "--features default"
    "--features jwt"
    "--all-features"
)
feature_build_one() { # label dir flags...
    local label="$1" dir="$2"; shift 2
    local deps; deps=$(cd "$dir" && cargo tree -p telnyx-oauth -e normal --prefix none --format '{p}' "$@" \
        | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u | wc -l)
    rm -rf "$TMP/features-target"
    local start end; start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$TMP/features-target" cargo build --quiet -p telnyx-oauth --lib "$@")
    end=$(date +%s.%N)
    printf '| %s | %s | %.1f s |\n' "$label" "$deps" "$(echo "$end - $start" | bc)"
}

features() {
    section "3b. telnyx-oauth per feature set: dependency count, clean debug build (one run each)"
    cargo fetch --quiet
    echo "| feature set | packages (normal deps, incl. the crate) | clean debug build |"
    echo "|---|---|---|"
    if [[ -n "${FEATURES_BEFORE:-}" ]]; then
        rm -rf "$TMP/features-before" && mkdir -p "$TMP/features-before"
        git archive "$FEATURES_BEFORE" | tar -x -C "$TMP/features-before"
        (cd "$TMP/features-before" && cargo fetch --quiet)
        feature_build_one "before ($FEATURES_BEFORE, everything)" "$TMP/features-before"
    fi
    local flags
    for flags in "${FEATURE_SETS[@]}"; do
        # shellcheck disable=SC2086
        feature_build_one "$flags" "$ROOT" $flags
    done
}

targets=("$@")
[[ ${#targets[@]} -eq 0 || "${targets[0]}" == all ]] && targets=(gen stages rss cli build client throughput features)
echo "machine: $(nproc) cores, $(uname -srm), $(cargo --version)"
for t in "${targets[@]}"; do "$t"; done
