#!/usr/bin/env bash
# fuzz.sh — a cargo-fuzz (libFuzzer) campaign over garrison's parsers and checks.
#
# Usage:
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        # default 600
#
# Targets (fuzz/fuzz_targets/, bodies in fuzz/src/lib.rs):
#   pss_pod          text → loader → Pod Security Standards verdicts (baseline and restricted, at
#                    `latest` and at v1.0..v1.40 picked by the first byte) → admission messages
#   manifest_loader  text as a YAML file and as a JSON file → loader → inventory → every check
#
# What it does:
#   1. installs cargo-fuzz (`cargo install cargo-fuzz --locked`) if `cargo fuzz` is missing;
#   2. builds both targets with `cargo fuzz build`, on the stable toolchain through
#      RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only -Z flags: -Zsanitizer, sancov options),
#      with AddressSanitizer and debug assertions (so integer overflow panics); if the ASan build
#      fails it falls back to `--sanitizer none`;
#   3. builds each target's scratch corpus fuzz/corpus/<target>/ (git-ignored) from the small
#      committed seeds in fuzz/seeds/<target>/ plus, when shared/ lies beside the checkout:
#        pss_pod          ≤ 300 fixtures sampled evenly from shared/conformance/psa/test/testdata
#        manifest_loader  ≤ 150 files ≤ 64 KB of shared/corpus/real-manifests, and the kubectl List
#                         JSON files ≤ 64 KB of examples/demo-snapshot/k8s/
#      (a corpus left by an earlier run is kept and grows);
#   4. runs each target for SECONDS_PER_TARGET (-max_total_time, -timeout=10, -rss_limit_mb=2048,
#      the dictionary fuzz/yaml.dict), one after the other, logging to fuzz/logs/<target>.log;
#   5. prints executions, exec/s and crashes per target (crashes = files libFuzzer wrote to
#      fuzz/artifacts/<target>/ during this run: crash-, timeout-, oom-, leak-), then a table.
#
# A crash must become a regression test: minimise it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> <artifact>
# (run from the workspace root; add the same --sanitizer as the build used), fix the bug, and copy
# the minimised input to crates/garrison-checks/tests/fuzz_regressions/, which
# `cargo test -p garrison-checks --test fuzz_regressions` replays through every target body.
#
# Exit status: 0 no crash, 1 at least one crash/timeout/OOM, 2 error (build, usage, a run that
# failed without leaving an artifact).
#
# Environment (all optional):
#   FUZZ_SANITIZER   address (default; falls back to none if it cannot build) or none
#   FUZZ_TARGETS     space-separated targets, default "pss_pod manifest_loader"
#   FUZZ_ARGS        extra libFuzzer flags for every run (e.g. "-jobs=2 -workers=2")
#   GARRISON_SHARED  the shared/ directory, default ../shared beside the checkout
#   SKIP_BUILD       1 skips the build (uses the binaries already built)
set -euo pipefail

seconds="${1:-600}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS_PER_TARGET]   (a positive integer, default 600)" >&2
    exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/fuzz"
shared="${GARRISON_SHARED:-$root/../shared}"
read -r -a targets <<<"${FUZZ_TARGETS:-pss_pod manifest_loader}"
sanitizer="${FUZZ_SANITIZER:-address}"
# cargo-fuzz drives rustc with -Z flags; this lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
# rayon: one worker, so the fuzzer does not fight the checks' own threads for the 2 cores.
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}"
cd "$root"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked || { echo "error: cannot install cargo-fuzz" >&2; exit 2; }
fi
echo "==> $(cargo fuzz --version), $(rustc --version), RUSTC_BOOTSTRAP=1"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    for target in "${targets[@]}"; do
        echo "==> cargo fuzz build --sanitizer $sanitizer --debug-assertions $target"
        if ! cargo fuzz build --sanitizer "$sanitizer" --debug-assertions "$target" \
            >"/tmp/garrison-fuzz-build-$target.log" 2>&1; then
            if [[ "$sanitizer" != none ]]; then
                tail -n 20 "/tmp/garrison-fuzz-build-$target.log" >&2
                echo "warning: the $sanitizer build failed; falling back to --sanitizer none" >&2
                sanitizer=none
                cargo fuzz build --sanitizer none --debug-assertions "$target" \
                    >"/tmp/garrison-fuzz-build-$target.log" 2>&1 \
                    || { tail -n 40 "/tmp/garrison-fuzz-build-$target.log" >&2; exit 2; }
            else
                tail -n 40 "/tmp/garrison-fuzz-build-$target.log" >&2
                exit 2
            fi
        fi
    done
fi

# Copies $1 (a file) into corpus dir $2 under a name derived from its path, unless present.
seed() {
    local name
    name="$(printf '%s' "${1#"$3"/}" | tr '/' '_')"
    [[ -e "$2/$name" ]] || cp "$1" "$2/$name"
}

build_corpus() {
    local target="$1" corpus="$fuzz/corpus/$1"
    mkdir -p "$corpus"
    if [[ -d "$fuzz/seeds/$target" ]]; then
        find "$fuzz/seeds/$target" -type f -print0 | while IFS= read -r -d '' file; do
            seed "$file" "$corpus" "$fuzz/seeds"
        done
    fi
    case "$target" in
    pss_pod)
        local fixtures="$shared/conformance/psa/test/testdata"
        if [[ -d "$fixtures" ]]; then
            local total step
            total="$(find "$fixtures" -type f -name '*.yaml' | wc -l)"
            step=$(((total + 299) / 300))
            find "$fixtures" -type f -name '*.yaml' | LC_ALL=C sort | awk -v step="$step" 'NR % step == 1' \
                | head -n 300 | while IFS= read -r file; do seed "$file" "$corpus" "$fixtures"; done
        else
            echo "warning: $fixtures not found; pss_pod starts from fuzz/seeds only" >&2
        fi
        ;;
    manifest_loader)
        local manifests="$shared/corpus/real-manifests"
        if [[ -d "$manifests" ]]; then
            find "$manifests" -type f -size -65537c | LC_ALL=C sort | head -n 150 \
                | while IFS= read -r file; do seed "$file" "$corpus" "$manifests"; done
        else
            echo "warning: $manifests not found; manifest_loader starts without real manifests" >&2
        fi
        find "$root/examples/demo-snapshot/k8s" -maxdepth 1 -type f -name '*.json' -size -65537c \
            | LC_ALL=C sort | while IFS= read -r file; do seed "$file" "$corpus" "$root/examples"; done
        ;;
    esac
    find "$corpus" -type f | wc -l
}

mkdir -p "$fuzz/logs"
declare -A execs rate crashes status
any_crash=0
errors=0
for target in "${targets[@]}"; do
    corpus="$fuzz/corpus/$target"
    artifacts="$fuzz/artifacts/$target"
    log="$fuzz/logs/$target.log"
    mkdir -p "$artifacts"
    count="$(build_corpus "$target")"
    echo "==> $target: ${seconds}s, corpus $corpus ($count inputs), sanitizer $sanitizer"
    stamp="$(mktemp)"
    set +e
    # shellcheck disable=SC2086  # FUZZ_ARGS is split into flags on purpose
    cargo fuzz run --sanitizer "$sanitizer" --debug-assertions "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$fuzz/yaml.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
        ${FUZZ_ARGS:-} >"$log" 2>&1
    code=$?
    set -e
    new_artifacts="$(find "$artifacts" -maxdepth 1 -type f -newer "$stamp" \
        \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | LC_ALL=C sort)"
    n_crashes="$(printf '%s' "$new_artifacts" | grep -c . || true)"
    rm -f "$stamp"
    n_execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    n_rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    if [[ -z "$n_execs" ]]; then
        # No final stats (a run killed from outside): the last status line, `#N ... exec/s: R`.
        n_execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')"
        n_rate="$(grep -oE 'exec/s: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+')"
    fi
    execs[$target]="${n_execs:-?}"
    rate[$target]="${n_rate:-?}"
    crashes[$target]="$n_crashes"
    if ((n_crashes > 0)); then
        status[$target]="CRASH"
        any_crash=1
        echo "    artifacts:"
        printf '%s\n' "$new_artifacts" | sed 's/^/      /'
        grep -m 5 -E 'panicked at|ERROR: (libFuzzer|AddressSanitizer)' "$log" | sed 's/^/    /' || true
        echo "    minimise: RUSTC_BOOTSTRAP=1 cargo fuzz tmin --sanitizer $sanitizer --debug-assertions $target <artifact>"
    elif ((code != 0)); then
        status[$target]="ERROR($code)"
        errors=1
        tail -n 20 "$log" | sed 's/^/    /'
    else
        status[$target]="ok"
    fi
    echo "    executions ${execs[$target]}, exec/s ${rate[$target]}, crashes ${crashes[$target]} (log $log)"
done

echo
printf '%-18s %12s %10s %8s  %s\n' target executions exec/s crashes status
for target in "${targets[@]}"; do
    printf '%-18s %12s %10s %8s  %s\n' "$target" "${execs[$target]}" "${rate[$target]}" \
        "${crashes[$target]}" "${status[$target]}"
done
printf 'seconds per target: %s, sanitizer: %s, RUSTC_BOOTSTRAP=1 on %s\n' "$seconds" "$sanitizer" \
    "$(rustc --version)"
if ((any_crash)); then
    exit 1
fi
exit $((errors ? 2 : 0))
