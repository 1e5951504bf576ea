//! Helpers shared by the cluster-level checks: reading the snapshot's AWS documents and turning
//! a missing or failed one into an UNKNOWN result that says why.

use garrison_core::aws::eks::{Cluster, DescribeCluster};
use garrison_core::snapshot::Missing;
use garrison_core::{Snapshot, Status};
use serde::de::DeserializeOwned;

use crate::engine::{Outcome, Resource, ResourceOutcome};

pub const DESCRIBE_CLUSTER: &str = "eks/describe-cluster.json";

/// The cluster as a resource of a finding.
pub fn cluster_resource(snapshot: &Snapshot, cluster: Option<&Cluster>) -> Resource {
    let name = cluster
        .and_then(|cluster| cluster.name.clone())
        .or_else(|| {
            snapshot
                .manifest
                .as_ref()
                .and_then(|manifest| manifest.get("cluster"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "cluster".to_string());
    let arn = cluster
        .and_then(|cluster| cluster.arn.as_deref())
        .or_else(|| snapshot.cluster_arn());
    Resource::new("EKSCluster", name, format!("aws/{DESCRIBE_CLUSTER}")).with_arn(arn)
}

/// An UNKNOWN result: the data the check needs is not available.
pub fn unknown(resource: &Resource, key: &str, missing: &Missing) -> ResourceOutcome {
    ResourceOutcome::new(
        resource,
        Outcome::with_status(Status::Unknown, None, missing.reason(key)),
    )
}

/// A result with a pointer into the resource's document.
pub fn result(
    resource: &Resource,
    status: Status,
    pointer: &str,
    message: impl Into<String>,
) -> ResourceOutcome {
    ResourceOutcome::new(
        resource,
        Outcome::with_status(status, Some(pointer.to_string()), message),
    )
}

/// A NOT_APPLICABLE result.
pub fn not_applicable(resource: &Resource, message: impl Into<String>) -> ResourceOutcome {
    ResourceOutcome::new(
        resource,
        Outcome::with_status(Status::NotApplicable, None, message),
    )
}

/// Runs `judge` over the snapshot's cluster description, or reports UNKNOWN when there is none.
pub fn with_cluster(
    snapshot: &Snapshot,
    judge: impl FnOnce(&Cluster, &Resource) -> Vec<ResourceOutcome>,
) -> Vec<ResourceOutcome> {
    match snapshot.document::<DescribeCluster>(DESCRIBE_CLUSTER) {
        Ok(document) => {
            let resource = cluster_resource(snapshot, Some(&document.cluster));
            judge(&document.cluster, &resource)
        }
        Err(missing) => vec![unknown(
            &cluster_resource(snapshot, None),
            DESCRIBE_CLUSTER,
            &missing,
        )],
    }
}

/// Runs `judge` over a document the check needs besides the cluster, or reports UNKNOWN about
/// `resource` when it is missing, failed or unreadable.
pub fn with_document<T: DeserializeOwned>(
    snapshot: &Snapshot,
    key: &str,
    resource: &Resource,
    judge: impl FnOnce(T) -> Vec<ResourceOutcome>,
) -> Vec<ResourceOutcome> {
    match snapshot.document::<T>(key) {
        Ok(document) => judge(document),
        Err(missing) => vec![unknown(resource, key, &missing)],
    }
}

/// Every document below a directory such as `eks/nodegroups/`, each with a resource named after
/// its file; unreadable and failed ones become UNKNOWN results through `unknown_kind`. `None`
/// when nothing below the directory was collected at all.
pub fn each_document<T: DeserializeOwned>(
    snapshot: &Snapshot,
    prefix: &str,
    kind: &'static str,
    results: &mut Vec<ResourceOutcome>,
) -> Option<Vec<(T, Resource)>> {
    if !snapshot.collected_under(prefix) {
        return None;
    }
    let mut documents = Vec::new();
    for (key, document) in snapshot.documents::<T>(prefix) {
        let name = key
            .strip_prefix(prefix)
            .unwrap_or(&key)
            .trim_end_matches(".json")
            .to_string();
        let resource = Resource::new(kind, name, format!("aws/{key}"));
        match document {
            Ok(document) => documents.push((document, resource)),
            Err(missing) => results.push(unknown(&resource, &key, &missing)),
        }
    }
    Some(documents)
}

/// [`each_document`], with one UNKNOWN result about the cluster when nothing was collected.
pub fn each_or_unknown<T: DeserializeOwned>(
    snapshot: &Snapshot,
    prefix: &str,
    kind: &'static str,
    results: &mut Vec<ResourceOutcome>,
) -> Vec<(T, Resource)> {
    match each_document(snapshot, prefix, kind, results) {
        Some(documents) => documents,
        None => {
            results.push(unknown(
                &cluster_resource(snapshot, None),
                prefix,
                &Missing::NotCollected,
            ));
            Vec::new()
        }
    }
}

/// The vpc-cni add-on's configuration, or why it cannot be read.
pub fn cni_configuration(
    snapshot: &Snapshot,
) -> Result<
    (
        garrison_core::aws::eks::Addon,
        garrison_core::aws::eks::CniConfiguration,
    ),
    (String, Missing),
> {
    const KEY: &str = "eks/addons/vpc-cni.json";
    let addon = snapshot
        .document::<garrison_core::aws::eks::DescribeAddon>(KEY)
        .map_err(|missing| (KEY.to_string(), missing))?
        .addon;
    let configuration =
        garrison_core::aws::eks::CniConfiguration::parse(addon.configuration_values.as_deref())
            .map_err(|error| (KEY.to_string(), Missing::Invalid(error)))?;
    Ok((addon, configuration))
}

/// The IAM role documents of a role ARN: `iam/roles/<name>.role.json` and `.attached.json`.
pub fn role_keys(role_arn: &str) -> (String, String) {
    let name = garrison_core::aws::arn_name(role_arn);
    (
        format!("iam/roles/{name}.role.json"),
        format!("iam/roles/{name}.attached.json"),
    )
}

/// An access entry with its associated access policies.
pub struct Entry {
    pub entry: garrison_core::aws::eks::AccessEntry,
    pub policies: Vec<garrison_core::aws::eks::AssociatedAccessPolicy>,
    pub resource: Resource,
    /// Key of the policies document, for UNKNOWN reasons.
    pub policies_missing: Option<Missing>,
}

/// The snapshot's access entries (`eks/access-entries/<p>.describe.json` and
/// `<p>.policies.json`); `None` when access entries were not collected.
pub fn access_entries(
    snapshot: &Snapshot,
    results: &mut Vec<ResourceOutcome>,
) -> Option<Vec<Entry>> {
    use garrison_core::aws::eks::{AssociatedAccessPolicies, DescribeAccessEntry};
    const PREFIX: &str = "eks/access-entries/";
    if !snapshot.collected_under(PREFIX) && snapshot.aws("eks/list-access-entries.json").is_err() {
        return None;
    }
    let mut entries = Vec::new();
    for (key, document) in snapshot.documents::<serde_json::Value>(PREFIX) {
        let Some(stem) = key.strip_suffix(".describe.json") else {
            continue;
        };
        let file = format!("aws/{key}");
        let described = document.and_then(|_| snapshot.document::<DescribeAccessEntry>(&key));
        let entry = match described {
            Ok(described) => described.access_entry,
            Err(missing) => {
                let name = stem.strip_prefix(PREFIX).unwrap_or(stem);
                results.push(unknown(
                    &Resource::new("AccessEntry", name, file),
                    &key,
                    &missing,
                ));
                continue;
            }
        };
        let name = entry
            .principal_arn
            .clone()
            .unwrap_or_else(|| stem.strip_prefix(PREFIX).unwrap_or(stem).to_string());
        let resource =
            Resource::new("AccessEntry", name, file).with_arn(entry.access_entry_arn.as_deref());
        let policies_key = format!("{stem}.policies.json");
        let (policies, policies_missing) =
            match snapshot.document::<AssociatedAccessPolicies>(&policies_key) {
                Ok(policies) => (policies.associated_access_policies, None),
                Err(missing) => (Vec::new(), Some(missing)),
            };
        entries.push(Entry {
            entry,
            policies,
            resource,
            policies_missing,
        });
    }
    // A principal that list-access-entries names but that was not described is not known to be
    // harmless: UNKNOWN, rather than left out.
    if let Ok(listed) = snapshot.document::<serde_json::Value>("eks/list-access-entries.json") {
        let principals = listed
            .get("accessEntries")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str);
        for principal in principals {
            if entries
                .iter()
                .any(|entry| entry.entry.principal_arn.as_deref() == Some(principal))
            {
                continue;
            }
            let key = format!(
                "{PREFIX}{}.describe.json",
                principal.replace([':', '/'], "_")
            );
            if snapshot.aws.contains_key(&key) {
                // Described but unreadable: already reported above.
                continue;
            }
            let missing = match snapshot.aws(&key) {
                Err(missing) => missing,
                Ok(_) => Missing::NotCollected,
            };
            results.push(unknown(
                &Resource::new("AccessEntry", principal, format!("aws/{key}")),
                &key,
                &missing,
            ));
        }
    }
    Some(entries)
}

/// The short name of an EKS access policy ARN.
pub fn policy_name(arn: Option<&str>) -> &str {
    arn.map(garrison_core::aws::arn_name).unwrap_or("?")
}

/// The EC2 instance id of a Kubernetes Node, from `spec.providerID`
/// (`aws:///us-east-1a/i-0123…`). Fargate nodes have none.
pub fn instance_id(node: &garrison_core::Object) -> Option<&str> {
    node.value
        .pointer("/spec/providerID")
        .and_then(serde_json::Value::as_str)?
        .rsplit('/')
        .next()
        .filter(|id| id.starts_with("i-"))
}

/// The EC2 instances of the snapshot that back the inventory's Nodes (all of them when the
/// inventory has no Nodes), with their position in `describe-instances`.
pub fn node_instances<'a>(
    context: &crate::engine::Context<'_>,
    instances: &'a garrison_core::aws::ec2::DescribeInstances,
) -> Vec<(String, &'a garrison_core::aws::ec2::Instance)> {
    let node_ids: Vec<&str> = context
        .inventory
        .objects
        .iter()
        .filter(|object| object.kind == "Node")
        .filter_map(instance_id)
        .collect();
    let mut found = Vec::new();
    for (r, reservation) in instances.reservations.iter().enumerate() {
        for (i, instance) in reservation.instances.iter().enumerate() {
            let id = instance.instance_id.as_deref().unwrap_or_default();
            if node_ids.is_empty() || node_ids.contains(&id) {
                found.push((format!("/Reservations/{r}/Instances/{i}"), instance));
            }
        }
    }
    found
}

/// An IAM role that pods can use, and how they get it.
#[derive(Clone, Debug)]
pub struct WorkloadRole {
    pub role_arn: String,
    /// `IRSA payments/payments-api`, `Pod Identity payments/payments-worker`, `add-on vpc-cni`.
    pub via: String,
    /// The service account, when the role is bound to one.
    pub service_account: Option<(String, String)>,
}

/// Every role reachable by pods: IRSA annotations of ServiceAccounts, Pod Identity associations
/// (described), and add-on `serviceAccountRoleArn`s.
pub fn workload_roles(
    context: &crate::engine::Context<'_>,
    snapshot: &Snapshot,
) -> Vec<WorkloadRole> {
    use garrison_core::aws::eks::{DescribeAddon, DescribePodIdentityAssociation};
    let mut roles = Vec::new();
    for account in context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "ServiceAccount")
    {
        if let Some(arn) = account.annotation("eks.amazonaws.com/role-arn") {
            let namespace = account.namespace.clone().unwrap_or_default();
            roles.push(WorkloadRole {
                role_arn: arn.to_string(),
                via: format!("IRSA {namespace}/{}", account.name),
                service_account: Some((namespace, account.name.clone())),
            });
        }
    }
    for (_, association) in
        snapshot.documents::<DescribePodIdentityAssociation>("eks/pod-identity/")
    {
        let Ok(association) = association else {
            continue;
        };
        let association = association.association;
        if let Some(arn) = association.role_arn {
            let namespace = association.namespace.unwrap_or_default();
            let account = association.service_account.unwrap_or_default();
            roles.push(WorkloadRole {
                role_arn: arn,
                via: format!("Pod Identity {namespace}/{account}"),
                service_account: Some((namespace, account)),
            });
        }
    }
    for (_, addon) in snapshot.documents::<DescribeAddon>("eks/addons/") {
        let Ok(addon) = addon else { continue };
        if let Some(arn) = addon.addon.service_account_role_arn {
            let name = addon.addon.addon_name.unwrap_or_default();
            if !roles.iter().any(|role: &WorkloadRole| role.role_arn == arn) {
                roles.push(WorkloadRole {
                    role_arn: arn,
                    via: format!("add-on {name}"),
                    service_account: None,
                });
            }
        }
    }
    roles
}

/// The role a finding about an IAM role names, from its `.role.json`.
pub fn role_resource(role_arn: &str) -> Resource {
    let (role_key, _) = role_keys(role_arn);
    Resource::new(
        "IAMRole",
        garrison_core::aws::arn_name(role_arn),
        format!("aws/{role_key}"),
    )
    .with_arn(Some(role_arn))
}

/// The pod spec of `kube-system/aws-node`, decoded (workload bodies are kept as pod-spec text,
/// not as JSON); `None` when there is no such DaemonSet or its spec does not decode.
pub fn aws_node_spec(
    context: &crate::engine::Context<'_>,
) -> Option<k8s_openapi::api::core::v1::PodSpec> {
    let inventory = context.inventory;
    let entry = inventory.workloads.iter().find(|entry| {
        let object = inventory.entry_object(entry);
        object.kind == "DaemonSet"
            && object.name == "aws-node"
            && object.in_namespace("kube-system")
    })?;
    inventory.decode(entry).ok().map(|workload| workload.spec)
}

/// Whether the network policy agent in aws-node runs with `--enable-network-policy=true`.
fn agent_flag(context: &crate::engine::Context<'_>) -> Option<bool> {
    let spec = aws_node_spec(context)?;
    Some(spec.containers.iter().any(|container| {
        container
            .args
            .iter()
            .flatten()
            .any(|arg| arg == "--enable-network-policy=true")
    }))
}

/// Whether the cluster enforces NetworkPolicies, and the evidence: the VPC CNI's network policy
/// agent (add-on `enableNetworkPolicy`, or the `aws-network-policy-agent` container's
/// `--enable-network-policy=true`), the Auto Mode controller switch
/// (`kube-system/amazon-vpc-cni` `enable-network-policy-controller`), or a Calico/Cilium
/// DaemonSet. `Err` when nothing can be read to decide.
pub fn network_policy_enforcement(
    context: &crate::engine::Context<'_>,
    snapshot: &Snapshot,
) -> Result<(bool, String), String> {
    let objects = &context.inventory.objects;
    if let Some(engine) = objects.iter().find(|o| {
        o.kind == "DaemonSet"
            && matches!(o.name.as_str(), "calico-node" | "cilium" | "cilium-agent")
    }) {
        return Ok((
            true,
            format!("DaemonSet {} enforces NetworkPolicies", engine.name),
        ));
    }
    let auto_mode = snapshot
        .document::<garrison_core::aws::eks::DescribeCluster>(DESCRIBE_CLUSTER)
        .ok()
        .and_then(|d| d.cluster.auto_mode())
        == Some(true);
    if auto_mode {
        let switch = objects
            .iter()
            .find(|o| {
                o.kind == "ConfigMap" && o.name == "amazon-vpc-cni" && o.in_namespace("kube-system")
            })
            .and_then(|o| o.value.pointer("/data/enable-network-policy-controller"))
            .and_then(serde_json::Value::as_str);
        return Ok(match switch {
            Some("true") => (true, "Auto Mode network policy controller is on (amazon-vpc-cni enable-network-policy-controller)".to_string()),
            _ => (false, "Auto Mode ignores NetworkPolicies: kube-system/amazon-vpc-cni does not set enable-network-policy-controller to \"true\"".to_string()),
        });
    }
    match cni_configuration(snapshot) {
        Ok((_, configuration)) => {
            if configuration.is_true("/enableNetworkPolicy") {
                return Ok((true, "vpc-cni enableNetworkPolicy is true".to_string()));
            }
        }
        Err((key, missing)) => {
            return match agent_flag(context) {
                Some(true) => Ok((
                    true,
                    "aws-network-policy-agent runs with --enable-network-policy=true".to_string(),
                )),
                Some(false) => Ok((
                    false,
                    "aws-node runs without --enable-network-policy=true".to_string(),
                )),
                None => Err(missing.reason(&key)),
            };
        }
    }
    if agent_flag(context) == Some(true) {
        return Ok((
            true,
            "aws-network-policy-agent runs with --enable-network-policy=true".to_string(),
        ));
    }
    Ok((
        false,
        "vpc-cni enableNetworkPolicy is not true and no Calico or Cilium DaemonSet runs"
            .to_string(),
    ))
}

/// The launch template version a managed node group launches from, as
/// `ec2/describe-launch-template-versions/<id>-<version>` key: its own `launchTemplate`, or else
/// the hidden EKS-created one found through its Auto Scaling group; `$Default` and `$Latest`
/// resolved with `ec2/describe-launch-templates.json`. `Err` says what is missing.
pub fn nodegroup_template_key(
    snapshot: &Snapshot,
    group: &garrison_core::aws::eks::Nodegroup,
) -> Result<String, String> {
    use garrison_core::aws::ec2::{DescribeAutoScalingGroups, DescribeLaunchTemplates};
    let (id, name, version) = match &group.launch_template {
        Some(template) => (
            template.id.clone(),
            template.name.clone(),
            template.version.clone(),
        ),
        None => {
            const KEY: &str = "autoscaling/describe-auto-scaling-groups.json";
            let groups = snapshot
                .document::<DescribeAutoScalingGroups>(KEY)
                .map_err(|missing| missing.reason(KEY))?;
            let names: Vec<&str> = group
                .resources
                .iter()
                .flat_map(|r| r.auto_scaling_groups.iter())
                .filter_map(|g| g.name.as_deref())
                .collect();
            let template = groups
                .auto_scaling_groups
                .iter()
                .filter(|g| {
                    g.auto_scaling_group_name
                        .as_deref()
                        .is_some_and(|n| names.contains(&n))
                })
                .find_map(|g| g.launch_template())
                .ok_or_else(|| {
                    format!(
                        "no Auto Scaling group of {} names a launch template",
                        group.name()
                    )
                })?;
            (
                template.launch_template_id.clone(),
                template.launch_template_name.clone(),
                template.version.clone(),
            )
        }
    };
    let version = version.unwrap_or_else(|| "$Default".to_string());
    let numbered = if version.starts_with('$') {
        const KEY: &str = "ec2/describe-launch-templates.json";
        let templates = snapshot
            .document::<DescribeLaunchTemplates>(KEY)
            .map_err(|missing| missing.reason(KEY))?;
        let template = templates
            .launch_templates
            .iter()
            .find(|t| {
                (id.is_some() && t.launch_template_id == id)
                    || (name.is_some() && t.launch_template_name == name)
            })
            .ok_or_else(|| format!("{KEY} does not list the node group's launch template"))?;
        let number = if version == "$Latest" {
            template.latest_version_number
        } else {
            template.default_version_number
        };
        number
            .ok_or_else(|| format!("{KEY} gives no number for {version}"))?
            .to_string()
    } else {
        version
    };
    let id = id
        .or_else(|| {
            // A template named rather than identified: find its id.
            snapshot
                .document::<DescribeLaunchTemplates>("ec2/describe-launch-templates.json")
                .ok()?
                .launch_templates
                .into_iter()
                .find(|t| t.launch_template_name == name)?
                .launch_template_id
        })
        .ok_or_else(|| "the node group's launch template has no id".to_string())?;
    Ok(format!(
        "ec2/describe-launch-template-versions/{id}-{numbered}.json"
    ))
}
