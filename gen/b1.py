import sys; sys.path.insert(0,'gen')
from gen import check, USES
EKS_CAM='EKS documentation: Grant IAM users access to Kubernetes with EKS access entries'
BPG_IAM='EKS Best Practices Guide, Security: Identity and Access Management'

check('access','authentication_mode_config_map','EKS-CAM-001','authentication-mode-config-map',
 'Cluster authenticates only through the aws-auth ConfigMap','Medium','Cluster','ClusterAccessManagement',
 '''Reads `cluster.accessConfig.authenticationMode` from `describe-cluster` and fails when it is
 `CONFIG_MAP`, i.e. EKS access entries are not enabled. A missing `accessConfig` is UNKNOWN.''',
 '''With `CONFIG_MAP` every IAM mapping lives in one editable ConfigMap: a typo locks everyone out,
 anyone who can edit `kube-system/aws-auth` can grant themselves access, and AWS cannot audit or
 restrict the mappings through IAM.''',
 '''Switch the cluster to `API_AND_CONFIG_MAP` (`aws eks update-cluster-config --access-config
 authenticationMode=API_AND_CONFIG_MAP`), migrate the mappings to access entries, then to `API`.
 The change is one-way: CONFIG_MAP → API_AND_CONFIG_MAP → API.''',
 [EKS_CAM,'CIS Amazon EKS Benchmark v1.8.0, 4.1.7',BPG_IAM],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         const POINTER: &str = "/cluster/accessConfig/authenticationMode";
         let mode = cluster
             .access_config
             .as_ref()
             .and_then(|access| access.authentication_mode.as_deref());
         vec![match mode {
             None => result(resource, Status::Unknown, POINTER, "describe-cluster has no accessConfig.authenticationMode"),
             Some("CONFIG_MAP") => result(resource, Status::Fail, POINTER, "authentication mode is CONFIG_MAP: access entries are off and aws-auth is the only source of access"),
             Some(mode) => result(resource, Status::Pass, POINTER, format!("authentication mode is {mode}: EKS access entries are enabled")),
         }]
     })
 }
 ''', cis='4.1.7', remediation='Enable EKS access entries (authenticationMode API_AND_CONFIG_MAP, then API).', uses=USES)

check('access','authentication_mode_not_api','EKS-CAM-002','authentication-mode-not-api',
 'Cluster still honours the aws-auth ConfigMap','Low','Cluster','ClusterAccessManagement',
 '''Fails unless `accessConfig.authenticationMode` is `API`, and reports a present `aws-auth`
 ConfigMap with mappings on an `API` cluster as WARN: EKS ignores it, but reviewers may not know.
 Auto Mode clusters require `API`.''',
 '''While aws-auth is honoured, two sources grant access and a review of access entries alone is
 incomplete. Dead aws-auth mappings on an API-only cluster mislead whoever reads them.''',
 '''Once every mapping has an access entry, set `authenticationMode=API` and delete
 `kube-system/aws-auth`.''',
 [EKS_CAM,'CIS Amazon EKS Benchmark v1.8.0, 4.1.7'],
 '''
 pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         const POINTER: &str = "/cluster/accessConfig/authenticationMode";
         let mode = cluster
             .access_config
             .as_ref()
             .and_then(|access| access.authentication_mode.as_deref());
         let aws_auth_mappings = context.inventory.objects.iter().any(|object| {
             object.kind == "ConfigMap"
                 && object.name == "aws-auth"
                 && object.in_namespace("kube-system")
                 && ["mapRoles", "mapUsers", "mapAccounts"].iter().any(|key| {
                     object
                         .value
                         .pointer(&format!("/data/{key}"))
                         .and_then(serde_json::Value::as_str)
                         .is_some_and(|text| !text.trim().is_empty() && text.trim() != "[]")
                 })
         });
         vec![match mode {
             None => result(resource, Status::Unknown, POINTER, "describe-cluster has no accessConfig.authenticationMode"),
             Some("API") if aws_auth_mappings => result(resource, Status::Warn, POINTER, "authentication mode is API, but kube-system/aws-auth still holds mappings that EKS ignores"),
             Some("API") => result(resource, Status::Pass, POINTER, "authentication mode is API: access comes from access entries only"),
             Some(mode) => result(resource, Status::Fail, POINTER, format!("authentication mode is {mode}: the aws-auth ConfigMap still grants access")),
         }]
     })
 }
 ''', cis='4.1.7', kinds='&["ConfigMap"]', remediation='Move every mapping to access entries and set authenticationMode to API.', uses=USES)

check('access','creator_admin_retained','EKS-CAM-003','creator-admin-retained',
 'Cluster creator keeps permanent cluster-admin','Medium','Cluster','ClusterAccessManagement',
 '''Reads `accessConfig.bootstrapClusterCreatorAdminPermissions`. When it is true, the creator's
 access entry was given `AmazonEKSClusterAdminPolicy` at creation: the check fails unless the
 snapshot's access entries show that no standard entry holds that policy any more besides
 principals the user chose deliberately (which the check cannot tell apart, so it fails).''',
 '''The principal that created the cluster (often a CI role or a person's SSO role) becomes a
 cluster administrator that nobody granted on purpose, and that access is easy to forget.''',
 '''Create clusters with `bootstrapClusterCreatorAdminPermissions=false` and grant
 administrators explicitly, or disassociate `AmazonEKSClusterAdminPolicy` from the creator's
 access entry.''',
 [BPG_IAM+' (remove cluster-admin permissions from the cluster creator)', EKS_CAM],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         const POINTER: &str = "/cluster/accessConfig/bootstrapClusterCreatorAdminPermissions";
         let flag = cluster
             .access_config
             .as_ref()
             .and_then(|access| access.bootstrap_cluster_creator_admin_permissions);
         vec![match flag {
             None => result(resource, Status::Unknown, POINTER, "describe-cluster does not say whether the creator was made an administrator"),
             Some(true) => result(resource, Status::Fail, POINTER, "the cluster creator was granted AmazonEKSClusterAdminPolicy at creation and keeps it until it is disassociated"),
             Some(false) => result(resource, Status::Pass, POINTER, "the cluster creator was not made a permanent administrator"),
         }]
     })
 }
 ''', remediation='Disassociate AmazonEKSClusterAdminPolicy from the creator; create clusters with bootstrapClusterCreatorAdminPermissions=false.', uses=USES)
