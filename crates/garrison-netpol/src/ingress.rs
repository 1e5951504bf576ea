//! What Ingresses and OpenShift Routes open: connections from the cluster's ingress controller,
//! whose pod is not in the input and stands as `{ingress-controller}` (a pod without labels in a
//! namespace of its own), to the workloads their backend Services select, on the ports those
//! Services lead to.

use std::collections::BTreeMap;

use garrison_core::{Inventory, Object};
use serde_json::Value;

use crate::conn::{ConnSet, Protocol};
use crate::model::{Cluster, Pod};
use crate::selector::Labels;

pub const CONTROLLER_NAME: &str = "ingress-controller";
pub const CONTROLLER_NAMESPACE: &str = "ingress-controller-ns";

/// A port of a backend reference: a number, a name, or none (every port of the Service).
#[derive(Clone, Debug, PartialEq, Eq)]
enum PortRef {
    Any,
    Number(i64),
    Name(String),
}

fn port_ref(value: Option<&Value>) -> PortRef {
    match value {
        Some(Value::Number(number)) => number.as_i64().map_or(PortRef::Any, PortRef::Number),
        Some(Value::String(text)) if !text.is_empty() => match text.parse::<i64>() {
            Ok(number) => PortRef::Number(number),
            Err(_) => PortRef::Name(text.clone()),
        },
        _ => PortRef::Any,
    }
}

struct Service<'a> {
    selector: Labels,
    ports: Vec<&'a Value>,
}

/// The targets of every Ingress and Route: (pod index, the TCP connections they lead to).
pub fn targets(inventory: &Inventory, cluster: &Cluster) -> Vec<(usize, ConnSet)> {
    let mut services: BTreeMap<(String, String), Service<'_>> = BTreeMap::new();
    for object in inventory.objects_of_kind("Service") {
        let Some(selector) = object
            .value
            .pointer("/spec/selector")
            .and_then(Value::as_object)
        else {
            continue;
        };
        let selector: Labels = selector
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        let ports = object
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .map(|ports| ports.iter().collect())
            .unwrap_or_default();
        services.insert(
            (namespace(object), object.name.clone()),
            Service { selector, ports },
        );
    }
    // (namespace, service name, port) of every backend.
    let mut backends: Vec<(String, String, PortRef)> = Vec::new();
    for object in &inventory.objects {
        let namespace = namespace(object);
        match (object.group(), object.kind.as_str()) {
            ("networking.k8s.io" | "extensions", "Ingress") => {
                let mut refs: Vec<&Value> = Vec::new();
                if let Some(service) = object.value.pointer("/spec/defaultBackend/service") {
                    refs.push(service);
                }
                for rule in object
                    .value
                    .pointer("/spec/rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    for path in rule
                        .pointer("/http/paths")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(service) = path.pointer("/backend/service") {
                            refs.push(service);
                        }
                    }
                }
                for service in refs {
                    let Some(name) = service.get("name").and_then(Value::as_str) else {
                        continue;
                    };
                    let port = match service.pointer("/port/name").and_then(Value::as_str) {
                        Some(port) if !port.is_empty() => PortRef::Name(port.to_string()),
                        _ => port_ref(service.pointer("/port/number")),
                    };
                    backends.push((namespace.clone(), name.to_string(), port));
                }
            }
            ("route.openshift.io", "Route") => {
                let port = port_ref(object.value.pointer("/spec/port/targetPort"));
                let to = object.value.pointer("/spec/to").into_iter();
                let alternates = object
                    .value
                    .pointer("/spec/alternateBackends")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten();
                for target in to.chain(alternates) {
                    let kind = target
                        .get("kind")
                        .and_then(Value::as_str)
                        .unwrap_or("Service");
                    if !kind.is_empty() && kind != "Service" {
                        continue;
                    }
                    if let Some(name) = target.get("name").and_then(Value::as_str) {
                        backends.push((namespace.clone(), name.to_string(), port.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    let mut result: BTreeMap<usize, ConnSet> = BTreeMap::new();
    for (namespace, name, port) in backends {
        let Some(service) = services.get(&(namespace.clone(), name)) else {
            continue;
        };
        if service.selector.is_empty() {
            continue;
        }
        let access = access_ports(&service.ports, &port);
        for (index, pod) in cluster.pods.iter().enumerate() {
            if pod.namespace != namespace
                || !service
                    .selector
                    .iter()
                    .all(|(k, v)| pod.labels.get(k) == Some(v))
            {
                continue;
            }
            let mut conns = ConnSet::none();
            for access in &access {
                let number = match access {
                    PortRef::Number(number) => u32::try_from(*number).ok(),
                    PortRef::Name(name) => pod
                        .resolve_named(name, Some(Protocol::Tcp))
                        .map(|(_, number)| number),
                    PortRef::Any => None,
                };
                if let Some(number) = number.filter(|n| exposes_tcp(pod, *n)) {
                    conns.union_with(&ConnSet::ports(Protocol::Tcp, number, number));
                }
            }
            result.entry(index).or_default().union_with(&conns);
        }
    }
    result.into_iter().collect()
}

/// The pod ports a backend port leads to through the Service's ports.
fn access_ports(ports: &[&Value], wanted: &PortRef) -> Vec<PortRef> {
    let mut out = Vec::new();
    for port in ports {
        let target = port_ref(port.get("targetPort"));
        let number = port.get("port").and_then(Value::as_i64);
        let access = match &target {
            PortRef::Any => number.map_or(PortRef::Any, PortRef::Number),
            other => other.clone(),
        };
        let matches = match wanted {
            PortRef::Any => true,
            PortRef::Name(name) => {
                port.get("name").and_then(Value::as_str) == Some(name.as_str()) || target == *wanted
            }
            PortRef::Number(wanted_number) => number == Some(*wanted_number) || target == *wanted,
        };
        if matches {
            out.push(access);
            if *wanted != PortRef::Any {
                break;
            }
        }
    }
    out
}

/// Whether the workload serves TCP `number`: a container declares it, or the workload is a
/// KubeVirt VirtualMachine, whose ports are the guest's and declared nowhere (netpol-analyzer
/// takes the Service's word for them).
fn exposes_tcp(pod: &Pod, number: u32) -> bool {
    pod.kind == "VirtualMachine"
        || pod
            .container_ports
            .iter()
            .any(|(protocol, port)| *protocol == Protocol::Tcp && *port == number)
}

fn namespace(object: &Object) -> String {
    object
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_string())
}
