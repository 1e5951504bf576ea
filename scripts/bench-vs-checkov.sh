#!/usr/bin/env bash
# bench-vs-checkov.sh — benchmark garrison against checkov side by side, in one run.
#
# Usage:
#   scripts/bench-vs-checkov.sh [CORPUS_DIR]
#
# Environment (all optional):
#   CORPUS            corpus directory (the first argument wins; default ../shared/corpus/real-manifests,
#                     relative to the repo root)
#   RUNS              timed rounds, default 5; each round runs both tools, alternating which goes first
#   WARMUP            untimed warm-up runs of each tool before the timed rounds, default 1
#   GARRISON_REPEAT   garrison runs per round, default 10; the round's garrison figure is their median.
#                     A scan of this corpus takes tens of milliseconds, so one run right after checkov's
#                     half-minute is mostly the idle second core waking up; checkov runs once a round
#   CHECKOV_VERSION   checkov version pinned in .venv-bench/, default 3.3.30
#   CHECKOV_OFFLINE   1 (default) sets BC_SKIP_MAPPING=TRUE and CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE so that
#                     checkov does not spend its time on network calls (platform mappings, PyPI update check)
#                     that fail or stall on an offline machine; 0 leaves checkov's environment as it is
#   SKIP_BUILD        1 skips `cargo build --release -p garrison` (use an already built binary)
#   GARRISON_BIN      garrison binary, default ${CARGO_TARGET_DIR:-target}/release/garrison
#   PYTHON            interpreter used to create .venv-bench/, default python3
#   KEEP_LOGS         1 keeps the per-run stderr logs (their folder is printed)
#
# The script runs from any working directory: it cd's to the repo root (the parent of scripts/).
# Both scanners exit 1 when they find issues: exit codes 0 and 1 count as success, anything else aborts.
# Wall time is taken with `date +%s.%N` around each run; peak RSS with GNU `/usr/bin/time -f %M`
# (installed from Debian's `time` package when missing and running as root; otherwise RSS shows n/a).
set -euo pipefail

die() { printf 'bench-vs-checkov: error: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
cd "$REPO_ROOT"

RUNS="${RUNS:-5}"
GARRISON_REPEAT="${GARRISON_REPEAT:-10}"
WARMUP="${WARMUP:-1}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
CHECKOV_OFFLINE="${CHECKOV_OFFLINE:-1}"
SKIP_BUILD="${SKIP_BUILD:-0}"
PYTHON="${PYTHON:-python3}"
KEEP_LOGS="${KEEP_LOGS:-0}"
VENV_DIR="$REPO_ROOT/.venv-bench"
GARRISON_BIN="${GARRISON_BIN:-${CARGO_TARGET_DIR:-target}/release/garrison}"
CORPUS="${1:-${CORPUS:-../shared/corpus/real-manifests}}"

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer (got '$WARMUP')"

# --- corpus -------------------------------------------------------------------------------------------
[[ -d "$CORPUS" ]] || die "corpus directory not found: $CORPUS (resolved from $REPO_ROOT; pass a directory as the first argument or set CORPUS)"
CORPUS="$(cd -- "$CORPUS" && pwd -P)"
n_files="$(find "$CORPUS" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)"
[[ "$n_files" -gt 0 ]] || die "corpus directory has no .yaml/.yml/.json files: $CORPUS"

# --- checkov in .venv-bench/ ----------------------------------------------------------------------------
CHECKOV="$VENV_DIR/bin/checkov"
checkov_ok() { [[ -x "$CHECKOV" ]] && [[ "$("$CHECKOV" --version 2>/dev/null | tail -n1)" == "$CHECKOV_VERSION" ]]; }
if ! checkov_ok; then
    if [[ ! -x "$VENV_DIR/bin/python" ]] || ! "$VENV_DIR/bin/python" -c 'import sys' >/dev/null 2>&1; then
        command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: needed to create $VENV_DIR"
        log "creating venv $VENV_DIR"
        "$PYTHON" -m venv --clear "$VENV_DIR" || die "could not create the venv $VENV_DIR"
    fi
    log "installing checkov==$CHECKOV_VERSION into $VENV_DIR"
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" \
        || die "pip install checkov==$CHECKOV_VERSION failed"
    checkov_ok || die "checkov --version does not report $CHECKOV_VERSION after install"
fi
if [[ "$CHECKOV_OFFLINE" == 1 ]]; then
    export BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE
fi

# --- garrison -----------------------------------------------------------------------------------------------
if [[ "$SKIP_BUILD" != 1 ]]; then
    command -v cargo >/dev/null 2>&1 || die "cargo not found: cannot build garrison (set SKIP_BUILD=1 to use an existing binary)"
    log "building garrison (cargo build --release -p garrison)"
    cargo build --release -p garrison >&2 || die "cargo build --release -p garrison failed; see the compiler output above"
fi
[[ -x "$GARRISON_BIN" ]] || die "garrison binary not found or not executable: $GARRISON_BIN"

# --- peak-RSS tool --------------------------------------------------------------------------------------------
TIME_BIN=/usr/bin/time
if [[ ! -x "$TIME_BIN" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "installing Debian package 'time' for /usr/bin/time"
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q time \
            || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }; } >&2 \
            || log "could not install 'time': peak RSS will be reported as n/a"
    else
        log "/usr/bin/time missing and not root: peak RSS will be reported as n/a"
    fi
fi
HAVE_TIME=0
if [[ -x "$TIME_BIN" ]] && "$TIME_BIN" -f %M -o /dev/null true >/dev/null 2>&1; then HAVE_TIME=1; fi

# --- running -------------------------------------------------------------------------------------------------
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-checkov.XXXXXX")"
cleanup() { if [[ "$KEEP_LOGS" == 1 ]]; then log "logs kept in $LOG_DIR"; else rm -rf -- "$LOG_DIR"; fi; }
trap cleanup EXIT

CHECKOV_CMD=("$CHECKOV" -d "$CORPUS" --framework kubernetes --quiet -o json)
GARRISON_CMD=("$GARRISON_BIN" scan "$CORPUS" --format json)

# measure TOOL TAG [OUT]: runs the tool once with stdout to OUT (default /dev/null);
# sets LAST_WALL (s) and LAST_RSS (KB or n/a).
measure() {
    local tool="$1" tag="$2" out="${3:-/dev/null}" err="$LOG_DIR/$1-$2.err" rssf="$LOG_DIR/$1-$2.rss" rc=0 t0 t1
    local -a cmd
    if [[ "$tool" == checkov ]]; then cmd=("${CHECKOV_CMD[@]}"); else cmd=("${GARRISON_CMD[@]}"); fi
    t0="$(date +%s.%N)"
    if [[ "$HAVE_TIME" == 1 ]]; then
        "$TIME_BIN" -f %M -o "$rssf" "${cmd[@]}" >"$out" 2>"$err" || rc=$?
    else
        "${cmd[@]}" >"$out" 2>"$err" || rc=$?
    fi
    t1="$(date +%s.%N)"
    if [[ "$rc" -ne 0 && "$rc" -ne 1 ]]; then
        printf 'bench-vs-checkov: %s (%s) exited with status %s; last lines of its stderr:\n' "$tool" "$tag" "$rc" >&2
        tail -n 20 "$err" >&2 || true
        die "$tool failed (exit $rc), aborting"
    fi
    LAST_WALL="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')"
    LAST_RSS="n/a"
    # GNU time writes "Command exited with non-zero status N" before the figure when the exit code is not 0.
    if [[ "$HAVE_TIME" == 1 && -s "$rssf" ]]; then
        LAST_RSS="$(tail -n 1 "$rssf")"
        [[ "$LAST_RSS" =~ ^[0-9]+$ ]] || LAST_RSS="n/a"
    fi
}

median() { # numbers on stdin (n/a ignored) -> median, or n/a
    grep -E '^[0-9.]+$' | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "n/a"; exit }
        if (NR % 2) printf "%.4f\n", v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
mb() { if [[ "$1" == n/a ]]; then echo n/a; else awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; fi; }

checkov_version="$("$CHECKOV" --version 2>/dev/null | tail -n1)"
garrison_version="$("$GARRISON_BIN" --version 2>/dev/null | head -n1 || true)"
[[ -n "$garrison_version" ]] || garrison_version="unknown (--version printed nothing)"

log "corpus: $CORPUS ($n_files files)"
# The first warm-up keeps both outputs, to check that each tool really produced a report: a garrison that
# prints nothing would make the ratio meaningless. Timed rounds send stdout to /dev/null.
for ((w = 1; w <= WARMUP; w++)); do
    ck_out=/dev/null ga_out=/dev/null
    if ((w == 1)); then ck_out="$LOG_DIR/checkov.out" ga_out="$LOG_DIR/garrison.out"; fi
    log "warm-up $w/$WARMUP: checkov"; measure checkov "warmup$w" "$ck_out"
    log "warm-up $w/$WARMUP: garrison"; measure garrison "warmup$w" "$ga_out"
done
output_check="not done (WARMUP=0)"
if ((WARMUP >= 1)); then
    output_check="$("$VENV_DIR/bin/python" - "$LOG_DIR/checkov.out" "$LOG_DIR/garrison.out" <<'PY'
import json, sys
parts = []
for name, path in (("checkov", sys.argv[1]), ("garrison", sys.argv[2])):
    try:
        data = open(path, "rb").read()
    except OSError as e:
        parts.append(f"{name}: unreadable ({e})"); continue
    if not data.strip():
        parts.append(f"{name}: EMPTY OUTPUT"); continue
    try:
        doc = json.loads(data)
    except ValueError:
        parts.append(f"{name}: {len(data)} bytes, NOT JSON"); continue
    extra = ""
    docs = doc if isinstance(doc, list) else [doc]
    counts = [d.get("summary", {}).get("resource_count") for d in docs if isinstance(d, dict)]
    counts = [c for c in counts if isinstance(c, int)]
    if counts:
        extra = f", resource_count {sum(counts)}"
    parts.append(f"{name}: {len(data)} bytes of JSON{extra}")
print("; ".join(parts))
PY
)" || output_check="check failed to run"
    case "$output_check" in
        *EMPTY*|*"NOT JSON"*|*unreadable*) log "WARNING: a tool did not produce a JSON report ($output_check): the ratio compares unlike work" ;;
    esac
fi

declare -a CK_T CK_R GA_T GA_R
for ((i = 1; i <= RUNS; i++)); do
    if ((i % 2)); then order=(checkov garrison); else order=(garrison checkov); fi
    for tool in "${order[@]}"; do
        log "round $i/$RUNS: $tool"
        if [[ "$tool" == checkov ]]; then
            measure "$tool" "run$i"
            CK_T[i]="$LAST_WALL"; CK_R[i]="$LAST_RSS"
        else
            walls=(); rsss=()
            for ((r = 1; r <= GARRISON_REPEAT; r++)); do
                measure "$tool" "run$i-$r"
                walls+=("$LAST_WALL"); rsss+=("$LAST_RSS")
            done
            GA_T[i]="$(printf '%s\n' "${walls[@]}" | median)"
            GA_R[i]="$(printf '%s\n' "${rsss[@]}" | median)"
        fi
    done
done

# --- report ----------------------------------------------------------------------------------------------------
ck_med="$(printf '%s\n' "${CK_T[@]}" | median)"
ga_med="$(printf '%s\n' "${GA_T[@]}" | median)"
ck_rss_med="$(printf '%s\n' "${CK_R[@]}" | median)"
ga_rss_med="$(printf '%s\n' "${GA_R[@]}" | median)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "n/a" || b == "n/a" || b + 0 <= 0) { print "n/a"; exit }
    r = a / b; if (r >= 10) printf "%.0fx\n", r; else printf "%.2fx\n", r }'; }

echo
echo "garrison vs checkov — corpus $CORPUS ($n_files files), $RUNS rounds, $WARMUP warm-up; garrison figure per round = median of $GARRISON_REPEAT runs"
echo "checkov:  $checkov_version ($CHECKOV -d DIR --framework kubernetes --quiet -o json)"
echo "garrison: $garrison_version ($GARRISON_BIN scan DIR --format json)"
if [[ "$CHECKOV_OFFLINE" == 1 ]]; then echo "checkov env: BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE"; fi
echo "output check (warm-up): $output_check"
echo
printf '%-7s %12s %14s %12s %14s\n' round "checkov s" "checkov MB" "garrison s" "garrison MB"
for ((i = 1; i <= RUNS; i++)); do
    printf '%-7s %12s %14s %12s %14s\n' "$i" "${CK_T[i]}" "$(mb "${CK_R[i]}")" "${GA_T[i]}" "$(mb "${GA_R[i]}")"
done
ck_rss_mb="$(mb "$ck_rss_med")"
ga_rss_mb="$(mb "$ga_rss_med")"
printf '%-7s %12s %14s %12s %14s\n' median "$ck_med" "$ck_rss_mb" "$ga_med" "$ga_rss_mb"
echo
echo "median wall: checkov ${ck_med} s, garrison ${ga_med} s"
echo "median peak RSS: checkov ${ck_rss_mb} MB, garrison ${ga_rss_mb} MB (RSS ratio: $(ratio "$ck_rss_med" "$ga_rss_med"))"
echo "ratio: $(ratio "$ck_med" "$ga_med")"
