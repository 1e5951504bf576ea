//! Full reachability (every workload pair and every external block) over a generated cluster:
//! 100 namespaces × 50 pods = 5,000 pods, 10 NetworkPolicies per namespace = 1,000 policies.
//! Loading the manifests is outside the measurement; building the analyzer and computing every
//! pair's connections is inside.

use criterion::{Criterion, criterion_group, criterion_main};
use garrison_core::Inventory;
use garrison_core::loader::load_text;
use garrison_netpol::{Analyzer, Cluster};

const NAMESPACES: usize = 100;
const PODS_PER_NAMESPACE: usize = 50;
const APPS: usize = 10;

fn generate() -> String {
    let mut text = String::new();
    for n in 0..NAMESPACES {
        let team = n % 5;
        text.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels: {{team: t{team}}}\n---\n"
        ));
        for p in 0..PODS_PER_NAMESPACE {
            let app = p % APPS;
            text.push_str(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{p}\n  namespace: ns-{n}\n  labels: {{app: app-{app}, tier: t{}}}\nspec:\n  containers:\n  - name: c\n    image: app:1\n    ports: [{{name: http, containerPort: 8080}}, {{name: dns, containerPort: 53, protocol: UDP}}]\n---\n",
                p % 3
            ));
        }
        let policies = [
            // Default deny both ways.
            "spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n".to_string(),
            // DNS egress for everyone.
            "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n".to_string(),
        ];
        let mut index = 0;
        for body in policies {
            text.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{index}\n  namespace: ns-{n}\n{body}---\n"
            ));
            index += 1;
        }
        for app in 0..8 {
            let next = (app + 1) % APPS;
            let body = match app % 4 {
                0 => format!(
                    "spec:\n  podSelector: {{matchLabels: {{app: app-{app}}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: app-{next}}}}}}}]\n    ports: [{{port: http}}]\n  egress:\n  - to: [{{podSelector: {{matchLabels: {{app: app-{next}}}}}}}]\n    ports: [{{port: 8080}}]\n"
                ),
                1 => format!(
                    "spec:\n  podSelector: {{matchLabels: {{app: app-{app}}}}}\n  ingress:\n  - from: [{{namespaceSelector: {{matchLabels: {{team: t{team}}}}}, podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [t0, t1]}}]}}}}]\n    ports: [{{port: 8080, endPort: 8090}}]\n"
                ),
                2 => format!(
                    "spec:\n  podSelector: {{matchLabels: {{app: app-{app}}}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{ipBlock: {{cidr: 10.{n}.0.0/16, except: [10.{n}.1.0/24]}}}}]\n"
                ),
                _ => format!(
                    "spec:\n  podSelector: {{matchLabels: {{app: app-{app}}}}}\n  ingress:\n  - from: [{{namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: ns-{}}}}}}}]\n",
                    (n + 1) % NAMESPACES
                ),
            };
            text.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{index}\n  namespace: ns-{n}\n{body}---\n"
            ));
            index += 1;
        }
    }
    text
}

fn reachability(c: &mut Criterion) {
    let inventory = Inventory::new(load_text("generated.yaml", &generate()));
    let cluster = Cluster::from_inventory(&inventory);
    assert_eq!(cluster.pods.len(), NAMESPACES * PODS_PER_NAMESPACE);
    assert_eq!(cluster.policies.len(), NAMESPACES * 10);
    assert!(cluster.warnings.is_empty(), "{:?}", cluster.warnings);
    let mut group = c.benchmark_group("reachability");
    group.sample_size(10);
    group.bench_function("5000 pods, 1000 policies: all pairs", |b| {
        b.iter(|| {
            let analyzer = Analyzer::new(&cluster);
            let connections = analyzer.connections();
            std::hint::black_box(connections.len())
        })
    });
    group.finish();
}

criterion_group!(benches, reachability);
criterion_main!(benches);
