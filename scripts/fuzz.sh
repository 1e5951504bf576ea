#!/usr/bin/env bash
# fuzz.sh — a cargo-fuzz (libFuzzer) campaign over every parser of garrison.
#
# Usage:
#   scripts/fuzz.sh [SECONDS_PER_TARGET]        # default 600
#   JOBS=3 scripts/fuzz.sh 600                  # three targets at a time
#
# Targets (fuzz/fuzz_targets/, bodies in fuzz/src/<module>.rs; dictionary):
#   pss_pod                text → loader → Pod Security Standards verdicts (baseline and restricted,
#                          at `latest` and at v1.0..v1.40 picked by the first byte) → messages  (yaml.dict)
#   manifest_loader        text as a YAML file and as a JSON file → loader → inventory → every check (yaml.dict)
#   aws_snapshot           `==> path` sections as the files of a cluster snapshot → snapshot loader →
#                          every check over the typed AWS model (EKS, EC2, IAM, ECR, Inspector,
#                          GuardDuty, ...) and its text parsers                                  (aws.dict)
#   admission_review       an AdmissionReview body → the admission webhook's decision (Pod Security
#                          admission, Cedar admission policies, image rules), no network         (json.dict)
#   subject_access_review  a SubjectAccessReview → Cedar request → decision under a small policy set;
#                          the same text as an audit log replayed under those policies           (json.dict)
#   cedar_policy           a Cedar policy file validated against garrison's schema; a Cedar schema;
#                          discovery + OpenAPI JSON → generated schema                           (cedar.dict)
#   audit_events           audit JSON lines / EventList / CloudWatch export / CloudTrail (gzip too) →
#                          streaming reader → every detector                                     (json.dict)
#   netpol                 manifests → NetworkPolicy model → connection list in every format,
#                          exposure, networks, coverage                                          (yaml.dict)
#   flow_logs              VPC flow logs (default or header-line format, gzip, CloudWatch Logs
#                          export or JSON) → reader → attribution, verdicts → flows report  (flows.dict)
#   config_files           garrison.toml; the admission webhook's --config and --namespaces      (config.dict)
#
# What it does:
#   1. installs cargo-fuzz (`cargo install cargo-fuzz --locked`) if `cargo fuzz` is missing;
#   2. builds the targets with `cargo fuzz build`, on the stable toolchain through
#      RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only -Z flags: -Zsanitizer, sancov options),
#      with AddressSanitizer and debug assertions (so integer overflow panics); if the ASan build
#      fails it falls back to `--sanitizer none`;
#   3. builds each target's scratch corpus fuzz/corpus/<target>/ (git-ignored) from the small
#      committed seeds in fuzz/seeds/<target>/ plus, when shared/ lies beside the checkout, the
#      conformance data and the repository's fixtures (each source is listed in build_corpus
#      below; files over 64 KB are left out); a corpus left by an earlier run is kept and grows;
#   4. runs each target for SECONDS_PER_TARGET (-max_total_time, -timeout=10, -rss_limit_mb=2048,
#      its dictionary), JOBS targets at a time (default 1), logging to fuzz/logs/<target>.log;
#   5. prints executions, exec/s and crashes per target (crashes = files libFuzzer wrote to
#      fuzz/artifacts/<target>/ during this run: crash-, timeout-, oom-, leak-), then a table.
#
# A crash must become a regression test: minimise it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> <artifact>
# (run from the workspace root; add the same --sanitizer as the build used), fix the bug, and copy
# the minimised input to crates/<crate>/tests/fuzz_regressions/ of the crate whose module holds
# the target (checks: garrison-checks, server: garrison-server, cedar: garrison-cedar, audit:
# garrison-audit, netpol: garrison-netpol), which `cargo test -p <crate> --test fuzz_regressions`
# replays through every target body of that module.
#
# Exit status: 0 no crash, 1 at least one crash/timeout/OOM, 2 error (build, usage, a run that
# failed without leaving an artifact).
#
# Environment (all optional):
#   JOBS             targets fuzzed at the same time (default 1; each is one libFuzzer process)
#   FUZZ_SANITIZER   address (default; falls back to none if it cannot build) or none
#   FUZZ_TARGETS     space-separated targets, default all of the above
#   FUZZ_ARGS        extra libFuzzer flags for every run (e.g. "-max_len=65536")
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
all_targets="pss_pod manifest_loader aws_snapshot admission_review subject_access_review cedar_policy audit_events netpol flow_logs config_files"
read -r -a targets <<<"${FUZZ_TARGETS:-$all_targets}"
jobs="${JOBS:-1}"
if ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then
    echo "JOBS must be a positive integer, got $jobs" >&2
    exit 2
fi
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

# Builds $@ (targets; none means every target, in one cargo invocation that links in parallel).
build() {
    local log=/tmp/garrison-fuzz-build.log
    echo "==> cargo fuzz build --sanitizer $sanitizer --debug-assertions ${*:-(every target)}"
    if cargo fuzz build --sanitizer "$sanitizer" --debug-assertions "$@" >"$log" 2>&1; then
        return 0
    fi
    tail -n 40 "$log" >&2
    if [[ "$sanitizer" == none ]]; then
        exit 2
    fi
    echo "warning: the $sanitizer build failed; falling back to --sanitizer none" >&2
    sanitizer=none
    cargo fuzz build --sanitizer none --debug-assertions "$@" >"$log" 2>&1 \
        || { tail -n 40 "$log" >&2; exit 2; }
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    if [[ "${targets[*]}" == "$all_targets" ]]; then
        build
    else
        for target in "${targets[@]}"; do
            build "$target"
        done
    fi
fi

# Copies $1 (a file) into corpus dir $2 under a name derived from its path, unless present.
seed() {
    local name
    name="$(printf '%s' "${1#"$3"/}" | tr '/' '_')"
    [[ -e "$2/$name" ]] || cp "$1" "$2/$name"
}

# Writes text from stdin as corpus file $2/$1 (a name), unless present.
seed_text() {
    [[ -e "$2/$1" ]] || cat >"$2/$1"
}

# Every regular file ≤ 64 KB below $1, sorted, optionally only names matching $2 (a find -name).
small_files() {
    [[ -d "$1" ]] || return 0
    find "$1" -type f -name "${2:-*}" -size -65537c -print0 | LC_ALL=C sort -z | tr '\0' '\n'
}

warn_missing() {
    echo "warning: $1 not found; $2 starts without it" >&2
}

build_corpus() {
    local target="$1" corpus="$fuzz/corpus/$1"
    mkdir -p "$corpus"
    if [[ -d "$fuzz/seeds/$target" ]]; then
        find "$fuzz/seeds/$target" -type f -print0 | while IFS= read -r -d '' file; do
            seed "$file" "$corpus" "$fuzz/seeds"
        done
    fi
    local demo="$root/examples/demo-snapshot"
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
            warn_missing "$fixtures" "$target"
        fi
        ;;
    manifest_loader)
        local manifests="$shared/corpus/real-manifests"
        if [[ -d "$manifests" ]]; then
            small_files "$manifests" | head -n 150 \
                | while IFS= read -r file; do seed "$file" "$corpus" "$manifests"; done
        else
            warn_missing "$manifests" "$target"
        fi
        find "$demo/k8s" -maxdepth 1 -type f -name '*.json' -size -65537c \
            | LC_ALL=C sort | while IFS= read -r file; do seed "$file" "$corpus" "$root/examples"; done
        ;;
    aws_snapshot)
        # One snapshot file per input, under its `==> path` header: the demo snapshot's and the
        # cluster-check fixtures' AWS documents, kube-bench reports and kubelet configz.
        local base="$root/crates/garrison-checks/tests/fixtures/cluster-checks/base" snapshot file relative
        for snapshot in "$demo" "$base"; do
            [[ -d "$snapshot" ]] || continue
            { small_files "$snapshot/aws"; small_files "$snapshot/kube-bench"; \
              small_files "$snapshot/k8s/nodes" '*.configz.json'; small_files "$snapshot" manifest.json; } \
                | while IFS= read -r file; do
                    relative="${file#"$snapshot"/}"
                    { printf '==> %s\n' "$relative"; cat "$file"; } \
                        | seed_text "$(basename "$snapshot")_$(printf '%s' "$relative" | tr '/' '_')" "$corpus"
                done
        done
        ;;
    admission_review)
        # The demo snapshot's workloads, each as an AdmissionReview creating it.
        local kind uid=0
        for kind in pods deployments daemonsets statefulsets cronjobs jobs; do
            [[ -f "$demo/k8s/$kind.json" ]] || continue
            jq -c '.items[]' "$demo/k8s/$kind.json" | head -n 40 | while IFS= read -r object; do
                uid=$((uid + 1))
                jq -c --arg uid "$kind-$uid" --arg resource "$kind" '
                    (.apiVersion | split("/")) as $gv
                    | ($gv | if length > 1 then .[0] else "" end) as $group
                    | {apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
                    request: {uid: $uid, kind: {group: $group, version: $gv[-1], kind: .kind},
                        resource: {group: $group, version: $gv[-1], resource: $resource},
                        name: .metadata.name, namespace: (.metadata.namespace // "default"),
                        operation: "CREATE", userInfo: {username: "alice", groups: ["system:authenticated"]},
                        object: .}}' <<<"$object" | seed_text "demo-$kind-$uid.json" "$corpus"
            done
        done
        ;;
    subject_access_review)
        local cases="$root/crates/garrison-cedar/tests/cases" file index
        small_files "$cases" '*.json' | while IFS= read -r file; do
            index=0
            jq -c '.requests[]?.sar // empty' "$file" | while IFS= read -r sar; do
                index=$((index + 1))
                printf '%s\n' "$sar" | seed_text "case-$(basename "$file" .json)-$index.json" "$corpus"
            done
        done
        small_files "$root/crates/garrison/tests/data" '*.jsonl' \
            | while IFS= read -r file; do seed "$file" "$corpus" "$root/crates"; done
        ;;
    cedar_policy)
        local cases="$root/crates/garrison-cedar/tests/cases" snapshot="$root/crates/garrison-cedar/tests/schema-snapshot/k8s" file
        small_files "$cases" '*.json' | while IFS= read -r file; do
            jq -r '(.policies // []) | join("\n")' "$file" | seed_text "case-$(basename "$file" .json).cedar" "$corpus"
        done
        { small_files "$root/crates" '*.cedar'; small_files "$root/crates/garrison-cedar/schema" '*.cedarschema'; } \
            | while IFS= read -r file; do seed "$file" "$corpus" "$root/crates"; done
        # A discovery list merged with the OpenAPI document of the same group version.
        small_files "$snapshot/discovery" '*.json' | while IFS= read -r file; do
            local openapi
            openapi="$snapshot/openapi/v3/$(basename "$file" .json)_openapi.json"
            [[ -f "$openapi" ]] || continue
            jq -s '.[0] * .[1]' "$file" "$openapi" | seed_text "schema-$(basename "$file")" "$corpus"
        done
        ;;
    audit_events)
        local traces="$shared/conformance/falco-k8saudit/trace_files"
        if [[ -d "$traces" ]]; then
            small_files "$traces" '*.json' | while IFS= read -r file; do seed "$file" "$corpus" "$traces"; done
        else
            warn_missing "$traces" "$target"
        fi
        small_files "$root/crates/garrison/tests/data" '*.jsonl' \
            | while IFS= read -r file; do seed "$file" "$corpus" "$root/crates"; done
        ;;
    netpol)
        # Each netpol-analyzer test directory as one multi-document YAML input.
        local tests="$shared/conformance/netpol-analyzer/tests" directory name
        if [[ -d "$tests" ]]; then
            find "$tests" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort | while IFS= read -r directory; do
                name="$(basename "$directory").yaml"
                [[ -e "$corpus/$name" ]] && continue
                find "$directory" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 \
                    | LC_ALL=C sort -z | xargs -0 -r awk 'FNR == 1 && NR > 1 { print "---" } { print }' \
                    >"$corpus/$name"
                if [[ ! -s "$corpus/$name" || "$(wc -c <"$corpus/$name")" -gt 65536 ]]; then
                    rm -f "$corpus/$name"
                fi
            done
        else
            warn_missing "$tests" "$target"
        fi
        ;;
    flow_logs)
        # The committed seeds: each record format, gzip, CloudWatch Logs, malformed lines.
        ;;
    config_files)
        # garrison.toml examples are the README's; the committed seeds cover the admission files.
        ;;
    esac
    find "$corpus" -type f | wc -l
}

dictionary() {
    case "$1" in
    pss_pod | manifest_loader | netpol) echo "$fuzz/yaml.dict" ;;
    aws_snapshot) echo "$fuzz/aws.dict" ;;
    admission_review | subject_access_review | audit_events) echo "$fuzz/json.dict" ;;
    cedar_policy) echo "$fuzz/cedar.dict" ;;
    config_files) echo "$fuzz/config.dict" ;;
    flow_logs) echo "$fuzz/flows.dict" ;;
    *) echo "error: no dictionary for target $1" >&2; return 1 ;;
    esac
}

# Fuzzes one target and writes `executions exec/s crashes status` to fuzz/logs/<target>.result.
run_target() {
    local target="$1" corpus="$fuzz/corpus/$1" artifacts="$fuzz/artifacts/$1"
    local log="$fuzz/logs/$1.log" result="$fuzz/logs/$1.result" stamp code dict
    local new_artifacts n_crashes n_execs n_rate status
    dict="$(dictionary "$target")" || { echo "? ? 0 ERROR(dictionary)" >"$result"; return; }
    stamp="$(mktemp)"
    set +e
    # shellcheck disable=SC2086  # FUZZ_ARGS is split into flags on purpose
    cargo fuzz run --sanitizer "$sanitizer" --debug-assertions "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
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
    if ((n_crashes > 0)); then
        status=CRASH
    elif ((code != 0)); then
        status="ERROR($code)"
    else
        status=ok
    fi
    {
        echo "    $target: executions ${n_execs:-?}, exec/s ${n_rate:-?}, crashes $n_crashes, $status (log $log)"
        if ((n_crashes > 0)); then
            echo "    artifacts:"
            printf '%s\n' "$new_artifacts" | sed 's/^/      /'
            grep -m 5 -E 'panicked at|ERROR: (libFuzzer|AddressSanitizer)' "$log" | sed 's/^/    /' || true
            echo "    minimise: RUSTC_BOOTSTRAP=1 cargo fuzz tmin --sanitizer $sanitizer --debug-assertions $target <artifact>"
        elif [[ "$status" != ok ]]; then
            tail -n 20 "$log" | sed 's/^/    /'
        fi
    } >"$result.details"
    echo "${n_execs:-?} ${n_rate:-?} $n_crashes $status" >"$result"
}

mkdir -p "$fuzz/logs"
for target in "${targets[@]}"; do
    mkdir -p "$fuzz/artifacts/$target"
    rm -f "$fuzz/logs/$target.result" "$fuzz/logs/$target.result.details"
    count="$(build_corpus "$target")"
    echo "==> $target: corpus $fuzz/corpus/$target ($count inputs)"
done
echo "==> fuzzing ${#targets[@]} target(s), ${seconds}s each, $jobs at a time, sanitizer $sanitizer"
started="$(date +%s)"
running=0
for target in "${targets[@]}"; do
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
    echo "    $(date -u +%H:%M:%S) start $target"
    run_target "$target" &
    running=$((running + 1))
done
wait || true
elapsed=$(($(date +%s) - started))

declare -A execs rate crashes status
any_crash=0
errors=0
for target in "${targets[@]}"; do
    result="$fuzz/logs/$target.result"
    if [[ -f "$result" ]]; then
        read -r n_execs n_rate n_crashes n_status <"$result"
        execs[$target]="$n_execs" rate[$target]="$n_rate" crashes[$target]="$n_crashes" status[$target]="$n_status"
        cat "$result.details"
    else
        execs[$target]="?" rate[$target]="?" crashes[$target]="?" status[$target]="ERROR(no result)"
    fi
    case "${status[$target]}" in
    ok) ;;
    CRASH) any_crash=1 ;;
    *) errors=1 ;;
    esac
done

echo
printf '%-22s %12s %10s %8s  %s\n' target executions exec/s crashes status
for target in "${targets[@]}"; do
    printf '%-22s %12s %10s %8s  %s\n' "$target" "${execs[$target]}" "${rate[$target]}" \
        "${crashes[$target]}" "${status[$target]}"
done
printf 'seconds per target: %s, %s at a time, wall %ss, load average at the end: %s\n' "$seconds" "$jobs" \
    "$elapsed" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'sanitizer: %s, RUSTC_BOOTSTRAP=1 on %s, %s cores\n' "$sanitizer" "$(rustc --version)" "$(nproc)"
if ((any_crash)); then
    exit 1
fi
exit $((errors ? 2 : 0))
