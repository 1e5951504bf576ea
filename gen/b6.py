import sys; sys.path.insert(0,'gen')
from gen import check, USES
ADDONS='EKS documentation: Amazon EKS add-ons'
VERS='EKS documentation: Understand the Kubernetes version lifecycle on EKS'

check('managed','version_out_of_standard_support','EKS-MGD-001','version-out-of-standard-support',
 'Kubernetes version is past standard support','High','Cluster','ManagedComponents',
 '''Looks the cluster's `version` up in `eks/describe-cluster-versions.json` (the API's own
 lifecycle data, not a hard-coded baseline that drifts): PASS in `STANDARD_SUPPORT`, FAIL in
 `EXTENDED_SUPPORT` (naming the end date and the paid extended-support policy) or
 `UNSUPPORTED`. UNKNOWN when the versions document was not collected.''',
 '''Versions past standard support get security fixes only at extra cost (extended support) or
 not at all, and EKS upgrades them automatically at the end of extended support.''',
 '''Upgrade the control plane one minor version at a time, then the node groups and add-ons;
 cluster insights list the deprecated APIs to fix first.''',
 [VERS, 'AWS Security Hub control EKS.2'],
 '''
 use garrison_core::aws::eks::DescribeClusterVersions;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let Some(version) = cluster.version.clone() else {
             return vec![result(resource, Status::Unknown, "/cluster", "describe-cluster has no version")];
         };
         with_document::<DescribeClusterVersions>(snapshot, "eks/describe-cluster-versions.json", resource, |versions| {
             let entry = versions.cluster_versions.iter().find(|v| v.cluster_version.as_deref() == Some(version.as_str()));
             let Some(entry) = entry else {
                 return vec![result(resource, Status::Fail, "/cluster/version", format!("Kubernetes {version} is not among the versions EKS supports"))];
             };
             let end = entry.end_of_standard_support_date.as_deref().unwrap_or("?");
             vec![match entry.version_status.as_deref() {
                 Some("STANDARD_SUPPORT") => result(resource, Status::Pass, "/cluster/version", format!("Kubernetes {version} is in standard support until {end}")),
                 Some("EXTENDED_SUPPORT") => result(resource, Status::Fail, "/cluster/version", format!("Kubernetes {version} left standard support on {end} and runs on paid extended support")),
                 Some(status) => result(resource, Status::Fail, "/cluster/version", format!("Kubernetes {version} is {status}")),
                 None => result(resource, Status::Unknown, "/cluster/version", format!("describe-cluster-versions gives no status for {version}")),
             }]
         })
     })
 }
 ''', sh='EKS.2', remediation='Upgrade to a Kubernetes version in standard support.', uses=USES)

check('managed','core_component_self_managed','EKS-MGD-002','core-component-self-managed',
 'Core component runs without its EKS managed add-on','Medium','Cluster','ManagedComponents',
 '''One result per core component found in the cluster (DaemonSets `aws-node`, `kube-proxy`,
 `eks-pod-identity-agent`, Deployments `coredns`, `ebs-csi-controller` in kube-system, and
 `amazon-guardduty/aws-guardduty-agent`): PASS when `eks/list-addons.json` lists the matching
 add-on, FAIL when the component is self-managed. NOT_APPLICABLE on Auto Mode clusters, where
 these run as part of EKS.''',
 '''Self-managed copies of these components are patched only when someone remembers; managed
 add-ons get security fixes, compatibility checks on upgrade and health reporting.''',
 '''`aws eks create-addon --addon-name <name> --resolve-conflicts OVERWRITE` adopts the running
 component.''',
 [ADDONS, 'EKS Best Practices Guide, Cluster upgrades (use EKS add-ons)'],
 '''
 use garrison_core::aws::eks::ListAddons;

 const COMPONENTS: [(&str, &str, &str, &str); 6] = [
     ("vpc-cni", "DaemonSet", "kube-system", "aws-node"),
     ("kube-proxy", "DaemonSet", "kube-system", "kube-proxy"),
     ("coredns", "Deployment", "kube-system", "coredns"),
     ("eks-pod-identity-agent", "DaemonSet", "kube-system", "eks-pod-identity-agent"),
     ("aws-ebs-csi-driver", "Deployment", "kube-system", "ebs-csi-controller"),
     ("aws-guardduty-agent", "DaemonSet", "amazon-guardduty", "aws-guardduty-agent"),
 ];

 pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         if cluster.auto_mode() == Some(true) {
             return vec![not_applicable(resource, "Auto Mode runs the core components itself")];
         }
         with_document::<ListAddons>(snapshot, "eks/list-addons.json", resource, |addons| {
             let mut results = Vec::new();
             for (addon, kind, namespace, name) in COMPONENTS {
                 let running = context.inventory.objects.iter().any(|o| o.kind == kind && o.name == name && o.in_namespace(namespace));
                 if !running {
                     continue;
                 }
                 let component = crate::engine::Resource::new("Addon", addon, "aws/eks/list-addons.json");
                 results.push(if addons.addons.iter().any(|a| a == addon) {
                     result(&component, Status::Pass, "/addons", format!("{namespace}/{name} is the managed add-on {addon}"))
                 } else {
                     result(&component, Status::Fail, "/addons", format!("{kind} {namespace}/{name} runs, but the managed add-on {addon} is not installed"))
                 });
             }
             results
         })
     })
 }
 ''', kinds='&["DaemonSet", "Deployment"]', remediation='Install core components as EKS managed add-ons.', uses=USES)

check('managed','addon_version_outdated','EKS-MGD-003','addon-version-outdated',
 'Managed add-on is older than the default version for the cluster','Medium','Cluster','ManagedComponents',
 '''One result per described add-on (`eks/addons/<name>.json`): compares `addonVersion` with the
 version `eks/describe-addon-versions.json` marks `defaultVersion` for the cluster's Kubernetes
 version. FAIL when older, PASS when equal or newer; FAIL when the installed version is not listed
 as compatible with the cluster version at all.''',
 '''Add-ons such as vpc-cni and kube-proxy run privileged on every node; old versions carry known
 vulnerabilities and may not support the cluster's version.''',
 '''`aws eks update-addon --addon-name <name> --addon-version <default>`.''',
 [ADDONS, 'EKS documentation: Update an Amazon EKS add-on'],
 '''
 use garrison_core::aws::eks::{DescribeAddon, DescribeAddonVersions};

 /// `v1.20.4-eksbuild.2` → `[1, 20, 4, 2]`, for ordering.
 fn numbers(version: &str) -> Vec<u64> {
     version.split(|c: char| !c.is_ascii_digit()).filter(|part| !part.is_empty()).filter_map(|part| part.parse().ok()).collect()
 }

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, cluster_resource| {
         let cluster_version = cluster.version.clone().unwrap_or_default();
         with_document::<DescribeAddonVersions>(snapshot, "eks/describe-addon-versions.json", cluster_resource, |catalogue| {
             let mut results = Vec::new();
             let Some(addons) = each_document::<DescribeAddon>(snapshot, "eks/addons/", "Addon", &mut results) else {
                 return vec![unknown(cluster_resource, "eks/addons/", &garrison_core::snapshot::Missing::NotCollected)];
             };
             for (document, resource) in addons {
                 let addon = document.addon;
                 let resource = resource.with_arn(addon.addon_arn.as_deref());
                 let name = addon.addon_name.clone().unwrap_or_default();
                 let installed = addon.addon_version.clone().unwrap_or_default();
                 let Some(info) = catalogue.addons.iter().find(|a| a.addon_name.as_deref() == Some(name.as_str())) else {
                     results.push(result(&resource, Status::Unknown, "/addon/addonVersion", format!("describe-addon-versions has nothing on {name}")));
                     continue;
                 };
                 let compatible = |v: &&garrison_core::aws::eks::AddonVersion| v.compatibilities.iter().any(|c| c.cluster_version.as_deref() == Some(cluster_version.as_str()));
                 let default = info.addon_versions.iter().filter(compatible).find(|v| v.compatibilities.iter().any(|c| c.cluster_version.as_deref() == Some(cluster_version.as_str()) && c.default_version == Some(true)));
                 let listed = info.addon_versions.iter().filter(compatible).any(|v| v.addon_version.as_deref() == Some(installed.as_str()));
                 let Some(default) = default.and_then(|v| v.addon_version.clone()) else {
                     results.push(result(&resource, Status::Unknown, "/addon/addonVersion", format!("no default {name} version for Kubernetes {cluster_version}")));
                     continue;
                 };
                 results.push(if numbers(&installed) < numbers(&default) {
                     result(&resource, Status::Fail, "/addon/addonVersion", format!("{name} {installed} is older than the default {default} for Kubernetes {cluster_version}"))
                 } else if !listed {
                     result(&resource, Status::Fail, "/addon/addonVersion", format!("{name} {installed} is not listed as compatible with Kubernetes {cluster_version}"))
                 } else {
                     result(&resource, Status::Pass, "/addon/addonVersion", format!("{name} {installed} is current (default {default})"))
                 });
             }
             results
         })
     })
 }
 ''', remediation='Update managed add-ons to the default version for the cluster.', uses=USES)

check('managed','health_issues','EKS-MGD-004','health-issues',
 'Cluster, add-on or node group reports health issues','Medium','Cluster','ManagedComponents',
 '''One result for the cluster (`cluster.health.issues`), each described add-on (`status` and
 `health.issues`) and each node group (`health.issues`): FAIL naming the issue codes, PASS when
 there are none.''',
 '''Health issues such as `AccessDenied`, `IamRoleNotFound` or a degraded add-on mean a part of
 the cluster's security machinery (networking, identity, encryption) is not doing its job.''',
 '''Follow the issue code's guidance in the EKS documentation; most come from changed IAM roles,
 deleted security groups or subnets running out of addresses.''',
 ['EKS documentation: Cluster health', ADDONS],
 '''
 use garrison_core::aws::eks::{DescribeAddon, DescribeNodegroup, Health};

 fn judge(resource: &crate::engine::Resource, health: Option<&Health>, status: Option<&str>, pointer: &str) -> ResourceOutcome {
     let codes: Vec<&str> = health.map(|h| h.issues.iter().map(|i| i.code.as_deref().unwrap_or("?")).collect()).unwrap_or_default();
     match status {
         Some(status @ ("DEGRADED" | "CREATE_FAILED" | "UPDATE_FAILED" | "DELETE_FAILED")) => result(resource, Status::Fail, pointer, format!("status {status}; issues: [{}]", codes.join(", "))),
         _ if !codes.is_empty() => result(resource, Status::Fail, pointer, format!("health issues: {}", codes.join(", "))),
         _ => result(resource, Status::Pass, pointer, "no health issues"),
     }
 }

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let mut results = vec![judge(resource, cluster.health.as_ref(), None, "/cluster/health")];
         if let Some(addons) = each_document::<DescribeAddon>(snapshot, "eks/addons/", "Addon", &mut results) {
             for (document, addon_resource) in addons {
                 let addon = document.addon;
                 results.push(judge(&addon_resource.with_arn(addon.addon_arn.as_deref()), addon.health.as_ref(), addon.status.as_deref(), "/addon/health"));
             }
         }
         if let Some(groups) = each_document::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results) {
             for (document, group_resource) in groups {
                 let group = document.nodegroup;
                 results.push(judge(&group_resource.with_arn(group.nodegroup_arn.as_deref()), group.health.as_ref(), None, "/nodegroup/health"));
             }
         }
         results
     })
 }
 ''', remediation='Resolve the reported EKS health issues.', uses=USES)

check('managed','insights_failing','EKS-MGD-005','insights-failing',
 'EKS cluster insight reports a warning or error','Medium','Cluster','ManagedComponents',
 '''One result per insight of `eks/list-insights.json`: FAIL for `ERROR` and `WARNING`
 (deprecated APIs in use, add-on or kubelet version skew, …), PASS for `PASSING`, UNKNOWN for
 `UNKNOWN`. Uses AWS's own upgrade-readiness and misconfiguration engine.''',
 '''Insights flag what will break the next upgrade; clusters that cannot be upgraded fall out of
 standard support and stop getting security fixes.''',
 '''`aws eks describe-insight --id <id>` shows the affected resources and the recommendation.''',
 ['EKS documentation: Prepare for Kubernetes version upgrades with cluster insights', VERS],
 '''
 use garrison_core::aws::eks::ListInsights;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let cluster = cluster_resource(snapshot, None);
     with_document::<ListInsights>(snapshot, "eks/list-insights.json", &cluster, |insights| {
         insights.insights.iter().enumerate().map(|(index, insight)| {
             let name = insight.name.clone().unwrap_or_else(|| format!("insight {index}"));
             let resource = crate::engine::Resource::new("Insight", name.clone(), "aws/eks/list-insights.json").with_arn(insight.id.as_deref());
             let pointer = format!("/insights/{index}/insightStatus");
             let status = insight.insight_status.as_ref().and_then(|s| s.status.as_deref()).unwrap_or("UNKNOWN");
             let reason = insight.insight_status.as_ref().and_then(|s| s.reason.clone()).unwrap_or_default();
             match status {
                 "PASSING" => result(&resource, Status::Pass, &pointer, format!("{name}: passing")),
                 "ERROR" | "WARNING" => result(&resource, Status::Fail, &pointer, format!("{name}: {status}: {reason}")),
                 _ => result(&resource, Status::Unknown, &pointer, format!("{name}: status {status}")),
             }
         }).collect()
     })
 }
 ''', remediation='Fix what failing cluster insights report.', uses=USES)

check('managed','unmanaged_nodes','EKS-MGD-006','unmanaged-nodes',
 'Node is not managed by a node group, Karpenter, Auto Mode or Fargate','Low','Infrastructure','ManagedComponents',
 '''One result per Kubernetes Node: PASS when a label shows it is managed
 (`eks.amazonaws.com/nodegroup`, `karpenter.sh/nodepool`, `eks.amazonaws.com/compute-type` for
 Fargate and Auto Mode), FAIL otherwise. Fargate nodes pass, unlike tools that flag them.''',
 '''Self-managed nodes are patched, drained and replaced by hand; they drift from the current AMI
 and keep old kernels and kubelets.''',
 '''Move the workloads to managed node groups, Karpenter NodePools or Auto Mode.''',
 ['EKS documentation: Simplify node lifecycle with managed node groups', 'EKS Best Practices Guide, Security: Infrastructure security'],
 '''
 pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let _ = snapshot;
     context.inventory.objects.iter().filter(|o| o.kind == "Node").map(|node| {
         let labels = node.value.pointer("/metadata/labels");
         let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(serde_json::Value::as_str);
         let resource = crate::engine::Resource::new("Node", node.name.clone(), node.origin.file.name.to_string());
         let manager = label("eks.amazonaws.com/nodegroup").map(|g| format!("managed node group {g}"))
             .or_else(|| label("karpenter.sh/nodepool").map(|p| format!("Karpenter NodePool {p}")))
             .or_else(|| label("eks.amazonaws.com/compute-type").map(|t| format!("EKS compute type {t}")));
         match manager {
             Some(manager) => result(&resource, Status::Pass, "/metadata/labels", format!("managed by {manager}")),
             None => result(&resource, Status::Fail, "/metadata/labels", "no label shows a node group, NodePool, Auto Mode or Fargate: a self-managed node"),
         }
     }).collect()
 }
 ''', kinds='&["Node"]', remediation='Run nodes in managed node groups, Karpenter or Auto Mode.', uses=USES)

check('managed','version_skew','EKS-MGD-008','version-skew',
 'Node Kubernetes version lags the control plane','Medium','Infrastructure','ManagedComponents',
 '''One result per node group (`nodegroup.version`) and per Node (`status.nodeInfo.kubeletVersion`)
 compared with the cluster's `version`: PASS when equal, WARN one minor behind, FAIL two or more
 behind or newer than the control plane.''',
 '''Lagging kubelets miss security fixes and block the next control-plane upgrade (the kubelet may
 be at most three minors older), which pushes the cluster into extended support.''',
 '''Update node groups after each control-plane upgrade (`aws eks update-nodegroup-version`).''',
 [VERS, 'Kubernetes documentation: Version skew policy'],
 '''
 use garrison_core::aws::eks::{DescribeNodegroup, parse_version};

 fn judge(resource: &crate::engine::Resource, pointer: &str, what: &str, node: &str, cluster: (u32, u32)) -> ResourceOutcome {
     let Some(version) = parse_version(node) else {
         return result(resource, Status::Unknown, pointer, format!("cannot read the version {node}"));
     };
     let behind = i64::from(cluster.1) - i64::from(version.1);
     if version.0 != cluster.0 || behind < 0 || behind >= 2 {
         result(resource, Status::Fail, pointer, format!("{what} runs {}.{} with a {}.{} control plane", version.0, version.1, cluster.0, cluster.1))
     } else if behind == 1 {
         result(resource, Status::Warn, pointer, format!("{what} is one minor version behind the control plane"))
     } else {
         result(resource, Status::Pass, pointer, format!("{what} matches the control plane"))
     }
 }

 pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let Some(cluster_version) = cluster.version() else {
             return vec![result(resource, Status::Unknown, "/cluster", "describe-cluster has no version")];
         };
         let mut results = Vec::new();
         if let Some(groups) = each_document::<DescribeNodegroup>(snapshot, "eks/nodegroups/", "Nodegroup", &mut results) {
             for (document, group) in groups {
                 let version = document.nodegroup.version.clone().unwrap_or_default();
                 results.push(judge(&group.with_arn(document.nodegroup.nodegroup_arn.as_deref()), "/nodegroup/version", "the node group", &version, cluster_version));
             }
         }
         for node in context.inventory.objects.iter().filter(|o| o.kind == "Node") {
             let Some(version) = node.value.pointer("/status/nodeInfo/kubeletVersion").and_then(serde_json::Value::as_str) else { continue };
             let node_resource = crate::engine::Resource::new("Node", node.name.clone(), node.origin.file.name.to_string());
             results.push(judge(&node_resource, "/status/nodeInfo/kubeletVersion", "the kubelet", version, cluster_version));
         }
         results
     })
 }
 ''', kinds='&["Node"]', remediation='Upgrade node groups to the control-plane version.', uses=USES)

check('managed','deletion_protection_off','EKS-MGD-009','deletion-protection-off',
 'Cluster deletion protection is off','Low','Cluster','ManagedComponents',
 '''Reads `cluster.deletionProtection`: PASS when true, FAIL when false, UNKNOWN when the member
 is absent (older API responses), rather than guessing.''',
 '''A single mistaken `DeleteCluster` call (or a compromised automation role) destroys the control
 plane and all its state.''',
 '''`aws eks update-cluster-config --deletion-protection`.''',
 ['EKS documentation: Protect clusters from accidental deletion'],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         vec![match cluster.deletion_protection {
             Some(true) => result(resource, Status::Pass, "/cluster/deletionProtection", "deletion protection is on"),
             Some(false) => result(resource, Status::Fail, "/cluster/deletionProtection", "deletion protection is off"),
             None => result(resource, Status::Unknown, "/cluster", "describe-cluster has no deletionProtection member (older API response)"),
         }]
     })
 }
 ''', remediation='Turn on cluster deletion protection.', uses=USES)
