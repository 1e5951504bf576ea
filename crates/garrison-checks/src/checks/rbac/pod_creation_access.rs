use garrison_core::{Level, Object, SeedControl, Severity};

use super::{Permission, judge};
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports each subject of a RoleBinding or ClusterRoleBinding that can create pods, or the
    /// controllers that create pods for it: Deployments, ReplicaSets, StatefulSets, DaemonSets,
    /// Jobs, CronJobs and ReplicationControllers. The bound role is evaluated as the API server
    /// evaluates it (wildcards and aggregated ClusterRoles included).
    ///
    /// ## Why it matters
    /// Whoever creates a pod chooses what runs in it: any image, any service account of the
    /// namespace (and so its RBAC and IAM permissions), any Secret or ConfigMap of the namespace
    /// mounted, and, unless Pod Security admission stops it, privileged containers and host
    /// mounts that reach the node.
    ///
    /// ## How to fix
    /// Grant workload creation to the deployment pipeline's identity only, in the namespaces it
    /// deploys to. Enforce Pod Security Standards (`restricted` where possible) in those
    /// namespaces so that the pods it can create cannot escape to the node.
    ///
    /// ## References
    /// - CIS Amazon EKS Benchmark 4.1.4: minimize access to create pods
    /// - Kubernetes documentation: RBAC good practices, workload creation
    pub static META = CheckMeta {
        id: "EKS-CIS-4.1.4",
        name: "pod-creation-access",
        title: "Subject can create pods or pod controllers",
        severity: Severity::Medium,
        level: Level::Cluster,
        control: SeedControl::CisBenchmark,
        cis: Some("4.1.4"),
        security_hub: None,
        pss: None,
        remediation: "Limit pod and workload creation to deployment identities, and enforce Pod Security Standards.",
    };
}

const PERMISSIONS: &[Permission] = &[
    Permission::namespaced("create", "", "pods"),
    Permission::namespaced("create", "apps", "deployments"),
    Permission::namespaced("create", "apps", "replicasets"),
    Permission::namespaced("create", "apps", "statefulsets"),
    Permission::namespaced("create", "apps", "daemonsets"),
    Permission::namespaced("create", "batch", "jobs"),
    Permission::namespaced("create", "batch", "cronjobs"),
    Permission::namespaced("create", "", "replicationcontrollers"),
];

pub fn evaluate(context: &Context<'_>, object: &Object) -> Option<Vec<Outcome>> {
    judge(context, object, PERMISSIONS)
}
