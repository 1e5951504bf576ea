#!/usr/bin/env bash
# Load test of both webhooks over TLS on loopback, with the load generator (oha) as a separate
# process: `garrison admission serve` and `garrison authz serve` (release build) are started with
# generated certificates and fixture policies and namespaces, oha sends POST requests at a fixed
# rate over keep-alive connections, and the script prints p50/p90/p99, the error count and the
# server's CPU time per request (from /proc, user + system), then stops the server.
#
#   scripts/bench-webhooks.sh [admission|authz|both]      (default: both)
#
# Environment: RATE (requests/s, default 5000), DURATION (default 60s), CONNECTIONS (default 16),
# CALLGRIND=1 to count the server's instructions per request instead (valgrind, 2,000 requests
# at 200/s; independent of machine load, slow), SKIP_BUILD=1 to use an already built binary,
# GARRISON_BIN (default target/release/garrison).
#
# Latency is oha's with --latency-correction: measured from when each request was due by the
# fixed rate, not from when it was sent, so a stall of the server counts against every request
# queued behind it (no coordinated omission).
#
# Fixtures (as in the criterion bench and the load examples):
# - admission: 100 namespaces labelled enforce/warn restricted, 100 Cedar forbids scoped to those
#   namespaces, image rules; the body is a ~3 KB AdmissionReview of a compliant Pod, which every
#   rule evaluates and admits;
# - authz: 990 team-scoped permits and 10 forbids, client certificates required; the body is a
#   SubjectAccessReview a permit allows.
#
# Exits 1 when any request failed or got a status other than 200, or the rate was not reached.
# Needs oha (`cargo install oha --locked`), openssl, curl and python3; traffic stays on loopback.
set -euo pipefail

which="${1:-both}"
case "$which" in
admission | authz | both) ;;
*)
    echo "usage: $0 [admission|authz|both]" >&2
    exit 2
    ;;
esac
RATE="${RATE:-5000}"
DURATION="${DURATION:-60s}"
CONNECTIONS="${CONNECTIONS:-16}"
CALLGRIND="${CALLGRIND:-0}"

root="$(cd "$(dirname "$0")/.." && pwd)"
OHA="${OHA:-$(command -v oha || echo "$HOME/.cargo/bin/oha")}"
for tool in "$OHA" openssl curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing: $tool (oha: cargo install oha --locked)" >&2
        exit 1
    fi
done
if [ "$CALLGRIND" = 1 ] && ! command -v valgrind >/dev/null 2>&1; then
    echo "missing: valgrind (CALLGRIND=1)" >&2
    exit 1
fi

garrison="${GARRISON_BIN:-$root/target/release/garrison}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building garrison (release)..." >&2
    (cd "$root" && cargo build --release --locked -q -p garrison)
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Certificates: a server CA and leaf for 127.0.0.1, a client CA and an API-server client leaf.
certificates() {
    local dir="$work/tls"
    mkdir -p "$dir"
    cd "$dir"
    for ca in server-ca client-ca; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=bench $ca" -keyout "$ca.key" -out "$ca.pem" 2>/dev/null
    done
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
        -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA server-ca.pem -CAkey server-ca.key -CAcreateserial \
        -days 2 -extfile server.ext -out server.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=kube-apiserver" -keyout client.key -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA client-ca.pem -CAkey client-ca.key -CAcreateserial \
        -days 2 -extfile client.ext -out client.pem 2>/dev/null
    cd - >/dev/null
}

fixtures() {
    python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
os.makedirs(f"{work}/authz-policies")
os.makedirs(f"{work}/admission-policies")
with open(f"{work}/authz-policies/teams.cedar", "w") as out:
    for team in range(990):
        condition = [
            f'resource has namespace && resource.namespace == "team-{team}"',
            f'resource has namespace && resource.namespace == "team-{team}" && !(resource has subresource)',
            f'resource has namespace && resource.namespace == "team-{team}" && resource has labelSelector && resource.labelSelector.contains({{key: "team", operator: "In", values: ["{team}"]}})',
        ][team % 3]
        out.write(f'@id("team-{team}")\npermit(principal in k8s::Group::"team-{team}", action in [k8s::Action::"get", k8s::Action::"list", k8s::Action::"watch"], resource is k8s::Resource)\n  when {{ {condition} }};\n')
    for forbid in range(10):
        out.write(f'@id("forbid-{forbid}")\n@reason("protected resource {forbid}")\nforbid(principal, action, resource is k8s::Resource)\n  when {{ resource.resource == "protected-{forbid}" }};\n')
with open(f"{work}/admission-policies/teams.cedar", "w") as out:
    for team in range(100):
        out.write(f'forbid(principal, action == k8s::admission::Action::"create", resource is k8s::admission::Object)\n  when {{ resource in k8s::admission::Namespace::"team-{team}" && resource has podSpec && resource.podSpec.hostNetwork }};\n')
with open(f"{work}/namespaces.json", "w") as out:
    items = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{team}", "labels": {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "baseline"}}} for team in range(100)]
    json.dump({"apiVersion": "v1", "kind": "List", "items": items}, out)
with open(f"{work}/admission.yaml", "w") as out:
    out.write('apiVersion: garrison.dev/v1alpha1\nkind: ImagePolicy\nallowedRegistries: ["registry.k8s.io", "public.ecr.aws"]\n')
with open(f"{work}/sar.json", "w") as out:
    json.dump({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": {
        "user": "alice@example.com", "uid": "6f1c7a3e",
        "groups": ["team-500", "team-501", "system:authenticated"],
        "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=abc"]},
        "resourceAttributes": {"verb": "get", "version": "v1", "resource": "pods", "namespace": "team-501", "name": "web-0"}}}, out)
pod_spec = {
    "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
    "serviceAccountName": "web",
    "containers": [{
        "name": "web", "image": "registry.k8s.io/e2e-test-images/agnhost:2.53",
        "args": ["netexec", "--http-port=8080"],
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "MODE", "value": "production"}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}],
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
    "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}, {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}],
    "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
    "terminationGracePeriodSeconds": 30,
    "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
}
kind = {"group": "", "version": "v1", "kind": "Pod"}
resource = {"group": "", "version": "v1", "resource": "pods"}
with open(f"{work}/review.json", "w") as out:
    json.dump({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "kind": kind, "resource": resource,
        "requestKind": kind, "requestResource": resource, "name": "web-7", "namespace": "team-7",
        "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller", "uid": "6f1c7a3e",
                     "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-7", "namespace": "team-7", "labels": {"app": "web"}}, "spec": pod_spec},
        "oldObject": None, "dryRun": False,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}}, out)
PY
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# CPU ticks (user + system) of a process.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# run NAME PATH BODY [oha TLS options...] -- SERVER COMMAND...
run() {
    local name="$1" path="$2" body="$3"
    shift 3
    local client=()
    while [ "$1" != "--" ]; do
        client+=("$1")
        shift
    done
    shift
    local port metrics
    port="$(free_port)"
    metrics="$(free_port)"
    local server=("$@" --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics")
    if [ "$CALLGRIND" = 1 ]; then
        valgrind --tool=callgrind --callgrind-out-file="${CALLGRIND_OUT:-$work}/callgrind.$name" \
            "${server[@]}" 2>"$work/$name.log" &
    else
        "${server[@]}" 2>"$work/$name.log" &
    fi
    server_pid=$!
    local ready=0
    for _ in $(seq 1 600); do
        if curl -fsS "http://127.0.0.1:$metrics/readyz" >/dev/null 2>&1; then
            ready=1
            break
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    if [ "$ready" != 1 ]; then
        echo "$name: the server did not become ready:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
    local load=(-q "$RATE" -z "$DURATION" -c "$CONNECTIONS" --latency-correction)
    if [ "$CALLGRIND" = 1 ]; then
        load=(-q 200 -n 2000 -c 4)
        callgrind_control -z "$server_pid" >/dev/null
    fi
    local before after
    before="$(cpu_ticks "$server_pid")"
    "$OHA" "${load[@]}" --no-tui --output-format json \
        -m POST -T application/json -D "$body" --cacert "$work/tls/server-ca.pem" \
        "${client[@]}" "https://127.0.0.1:$port$path" >"$work/$name.oha.json"
    after="$(cpu_ticks "$server_pid")"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    local instructions=""
    if [ "$CALLGRIND" = 1 ]; then
        # Written at exit: the counts since the zeroing, the load and a graceful shutdown.
        instructions="$(awk '/^summary:/ { print $2 }' "${CALLGRIND_OUT:-$work}/callgrind.$name")"
    fi
    python3 - "$name" "$work/$name.oha.json" "$((after - before))" "$(getconf CLK_TCK)" \
        "$RATE" "$CALLGRIND" "$instructions" <<'PY'
import json, sys
name, path, ticks, hz, rate, callgrind, instructions = sys.argv[1:]
report = json.load(open(path))
summary = report["summary"]
codes = {str(k): v for k, v in report.get("statusCodeDistribution", {}).items()}
errors = report.get("errorDistribution", {})
# oha cancels the requests still in flight when -z runs out; those are the load generator's, not
# the server's, and are reported apart.
cut = errors.pop("aborted due to deadline", 0)
ok = codes.get("200", 0)
total = sum(codes.values()) + sum(errors.values())
bad = total - ok
seconds = summary["total"]
percentiles = report["latencyPercentiles"]
ms = lambda key: percentiles[key] * 1000
print(f"{name}: {total} requests in {seconds:.1f} s ({total / seconds:,.0f}/s), "
      f"{bad} errors or non-200 answers{(' ' + json.dumps(errors)) if errors else ''}"
      f"{f', {cut} cut off in flight by the end of the run' if cut else ''}")
print(f"{name}: latency p50 {ms('p50'):.2f} ms, p90 {ms('p90'):.2f} ms, p99 {ms('p99'):.2f} ms, "
      f"p99.9 {ms('p99.9'):.2f} ms, max {summary['slowest'] * 1000:.2f} ms")
cpu = int(ticks) / int(hz)
if total:
    print(f"{name}: server CPU {cpu:.2f} s = {cpu / total * 1e6:.0f} µs per request (user + system)")
if callgrind == "1" and instructions:
    print(f"{name}: {int(instructions) / max(total, 1):,.0f} instructions per request (callgrind, TLS and HTTP included)")
failed = bad > 0 or total == 0
if callgrind != "1" and total / seconds < 0.98 * float(rate):
    print(f"{name}: the rate {rate}/s was not reached")
    failed = True
sys.exit(1 if failed else 0)
PY
}

certificates
fixtures
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); rate ${RATE}/s for ${DURATION}, ${CONNECTIONS} connections" >&2
status=0
if [ "$which" != authz ]; then
    run admission /validate "$work/review.json" -- \
        "$garrison" admission serve --tls-cert "$work/tls/server.pem" \
        --tls-key "$work/tls/server.key" --config "$work/admission.yaml" \
        --namespaces "$work/namespaces.json" --policies "$work/admission-policies" ||
        status=1
fi
if [ "$which" != admission ]; then
    run authz /authorize "$work/sar.json" --cert "$work/tls/client.pem" --key "$work/tls/client.key" -- \
        "$garrison" authz serve --tls-cert "$work/tls/server.pem" \
        --tls-key "$work/tls/server.key" --client-ca "$work/tls/client-ca.pem" \
        --policies "$work/authz-policies" ||
        status=1
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit "$status"
