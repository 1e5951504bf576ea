import sys; sys.path.insert(0,'gen')
from gen import check, USES
EKS_CAM='EKS documentation: Associate access policies with access entries'
BPG_IAM='EKS Best Practices Guide, Security: Identity and Access Management'

check('access','cluster_admin_policy','EKS-CAM-004','cluster-admin-access-policy',
 'Access entry holds cluster-scoped AmazonEKSClusterAdminPolicy','High','Cluster','ClusterAccessManagement',
 '''One result per standard access entry: FAIL when it is associated with
 `AmazonEKSClusterAdminPolicy` at cluster scope, PASS otherwise. Node entries (EC2_LINUX,
 EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX) are skipped: they are not people. An entry whose
 policies could not be read is UNKNOWN.''',
 '''`AmazonEKSClusterAdminPolicy` is the access-entry form of `cluster-admin`: full control of every
 object in the cluster, including Secrets and RBAC. Each principal that holds it is a path to the
 whole cluster and should be a deliberate, reviewed break-glass role.''',
 '''Keep cluster-scoped cluster-admin to one or two break-glass roles; give everyone else
 `AmazonEKSAdminPolicy`/`EditPolicy`/`ViewPolicy` scoped to namespaces, or RBAC groups.''',
 [EKS_CAM,BPG_IAM],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let mut results = Vec::new();
     let Some(entries) = access_entries(snapshot, &mut results) else {
         return vec![unknown(&cluster_resource(snapshot, None), "eks/access-entries/", &garrison_core::snapshot::Missing::NotCollected)];
     };
     for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
         if let Some(missing) = &entry.policies_missing {
             results.push(unknown(&entry.resource, "eks/access-entries/<principal>.policies.json", missing));
             continue;
         }
         let admin = entry.policies.iter().enumerate().find(|(_, policy)| {
             policy_name(policy.policy_arn.as_deref()) == "AmazonEKSClusterAdminPolicy"
                 && policy.access_scope.as_ref().and_then(|scope| scope.scope_type.as_deref()) == Some("cluster")
         });
         results.push(match admin {
             Some((index, _)) => result(&entry.resource, Status::Fail, &format!("/associatedAccessPolicies/{index}"), "AmazonEKSClusterAdminPolicy is associated at cluster scope: full control of the cluster"),
             None => result(&entry.resource, Status::Pass, "/associatedAccessPolicies", "no cluster-scoped AmazonEKSClusterAdminPolicy"),
         });
     }
     results
 }
 ''', remediation='Limit cluster-scoped AmazonEKSClusterAdminPolicy to break-glass roles.', uses=USES)

check('access','iam_user_access_entry','EKS-CAM-005','iam-user-access-entry',
 'Cluster access granted to an IAM user rather than a role','Medium','Cluster','ClusterAccessManagement',
 '''One result per access entry (node entries skipped): FAIL when the principal ARN is an IAM
 user (`:user/`), PASS for roles. Reads `eks/access-entries/<p>.describe.json`.''',
 '''IAM users carry long-lived access keys that leak through laptops, CI variables and logs, and
 are not tied to a person's session. Roles are assumed with short-lived credentials and can be
 shared by a team without sharing secrets.''',
 '''Grant the access to an IAM role (an SSO permission set or an OIDC-federated CI role), then
 delete the user's access entry and its access keys.''',
 [BPG_IAM+' (use IAM roles when multiple users need identical access)', EKS_CAM],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let mut results = Vec::new();
     let Some(entries) = access_entries(snapshot, &mut results) else {
         return vec![unknown(&cluster_resource(snapshot, None), "eks/access-entries/", &garrison_core::snapshot::Missing::NotCollected)];
     };
     for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
         let arn = entry.entry.principal_arn.as_deref().unwrap_or_default();
         results.push(if arn.contains(":user/") {
             result(&entry.resource, Status::Fail, "/accessEntry/principalArn", format!("{arn} is an IAM user: long-lived keys reach the cluster"))
         } else {
             result(&entry.resource, Status::Pass, "/accessEntry/principalArn", format!("{arn} is not an IAM user"))
         });
     }
     results
 }
 ''', remediation='Grant cluster access to IAM roles, not IAM users.', uses=USES)

check('access','broad_access_policy_scope','EKS-CAM-006','broad-access-policy-scope',
 'Admin or Edit access policy granted at cluster scope','Medium','Cluster','ClusterAccessManagement',
 '''One result per access-policy association of a standard access entry: FAIL when
 `AmazonEKSAdminPolicy` or `AmazonEKSEditPolicy` applies at `cluster` scope, PASS when it is
 namespace-scoped or the policy is narrower.''',
 '''At cluster scope these policies reach every namespace, present and future, including
 `kube-system`; most teams need them only in their own namespaces.''',
 '''Re-associate the policy with `--access-scope type=namespace,namespaces=…`.''',
 [EKS_CAM,BPG_IAM],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let mut results = Vec::new();
     let Some(entries) = access_entries(snapshot, &mut results) else {
         return vec![unknown(&cluster_resource(snapshot, None), "eks/access-entries/", &garrison_core::snapshot::Missing::NotCollected)];
     };
     for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
         for (index, policy) in entry.policies.iter().enumerate() {
             let name = policy_name(policy.policy_arn.as_deref());
             let scope = policy.access_scope.as_ref().and_then(|scope| scope.scope_type.as_deref()).unwrap_or("?");
             let pointer = format!("/associatedAccessPolicies/{index}/accessScope");
             let broad = matches!(name, "AmazonEKSAdminPolicy" | "AmazonEKSEditPolicy") && scope == "cluster";
             results.push(if broad {
                 result(&entry.resource, Status::Fail, &pointer, format!("{name} applies to every namespace (cluster scope)"))
             } else {
                 result(&entry.resource, Status::Pass, &pointer, format!("{name} at {scope} scope"))
             });
         }
     }
     results
 }
 ''', remediation='Scope Admin and Edit access policies to namespaces.', uses=USES)

check('access','access_entry_group_admin','EKS-CAM-007','access-entry-group-admin',
 'Access-entry Kubernetes groups resolve to cluster-admin RBAC','High','Cluster','ClusterAccessManagement',
 '''Joins the AWS and Kubernetes planes: for each standard access entry with `kubernetesGroups`,
 asks garrison's RBAC evaluator whether a user in those groups may do every verb on every
 resource cluster-wide (`*` `*`), which is what `cluster-admin` grants. FAIL names the binding and
 role that grant it; PASS otherwise. Entries without groups are not reported.''',
 '''A group name in an access entry looks harmless in the AWS console, while a ClusterRoleBinding
 in the cluster silently turns it into cluster-admin. Neither side alone shows the grant, and
 no other tool joins them.''',
 '''Bind the group to a narrower role, or use an access policy scoped to namespaces; keep
 cluster-admin grants on named break-glass principals.''',
 [EKS_CAM,'Kubernetes documentation: Using RBAC Authorization'],
 '''
 pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     use garrison_authz::rbac::{Request, UserInfo};
     let mut results = Vec::new();
     let Some(entries) = access_entries(snapshot, &mut results) else {
         return vec![unknown(&cluster_resource(snapshot, None), "eks/access-entries/", &garrison_core::snapshot::Missing::NotCollected)];
     };
     let index = crate::checks::rbac::index(context);
     let request = Request::resource("*", "*", "*");
     for entry in entries.iter().filter(|entry| !entry.entry.is_node()) {
         if entry.entry.kubernetes_groups.is_empty() {
             continue;
         }
         // A name no binding mentions: only the groups can grant anything.
         let user = UserInfo::impersonated("garrison:access-entry-probe", &entry.entry.kubernetes_groups);
         let groups = entry.entry.kubernetes_groups.join(", ");
         results.push(match index.authorizer.can_i(&user, &request) {
             Some(grant) => result(&entry.resource, Status::Fail, "/accessEntry/kubernetesGroups", format!("groups [{groups}] can do anything in the cluster through {} {}", grant.binding_description(), grant.role.describe_kind())),
             None => result(&entry.resource, Status::Pass, "/accessEntry/kubernetesGroups", format!("groups [{groups}] do not amount to cluster-admin")),
         });
     }
     results
 }
 ''', kinds='&["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]', remediation='Bind access-entry groups to narrower roles.', uses=USES)
