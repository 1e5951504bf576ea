use std::collections::HashMap;

use garrison_authz::rbac::{PrincipalKind, Request};
use garrison_core::{Level, Object, SeedControl, Severity, Workload};
use serde_json::Value;

use crate::checks::rbac::index;
use crate::engine::{Context, Outcome};

declare_check! {
    /// ## What it does
    /// Reports workloads whose pods mount the token of a service account that holds a
    /// cluster-takeover permission through RBAC: any verb on any resource cluster-wide, reading
    /// Secrets in every namespace, creating ClusterRoleBindings, binding or escalating
    /// ClusterRoles, or impersonating users. The permissions are evaluated with the Kubernetes
    /// RBAC rules (aggregated ClusterRoles resolved) over the inventory's roles and bindings;
    /// pods that do not mount a token (`automountServiceAccountToken: false` on the pod or the
    /// service account) pass.
    ///
    /// ## Why it matters
    /// A mounted token is in every container's filesystem. Whoever gets code execution in any of
    /// the pod's containers (a vulnerable dependency, an SSRF that reads files) holds the service
    /// account's permissions, so a token that can take over the cluster makes every bug in the
    /// workload a cluster compromise. Controllers that need such rights should run few,
    /// hardened, dedicated pods.
    ///
    /// ## How to fix
    /// Narrow the service account's roles to what the workload uses (namespace-scoped Roles,
    /// `resourceNames`), split controller and data-plane components onto different service
    /// accounts, and set `automountServiceAccountToken: false` on pods that do not call the API.
    ///
    /// ## References
    /// - EKS Best Practices Guide, Identity and Access Management: least-privileged RBAC for service accounts
    /// - CIS Amazon EKS Benchmark 4.1.6: service account tokens mounted only where necessary
    pub static META = CheckMeta {
        id: "EKS-IAM-018",
        name: "powerful-token-mounted",
        title: "Pod mounts a token that can take over the cluster",
        severity: Severity::High,
        level: Level::Application,
        control: SeedControl::WorkloadIdentity,
        cis: Some("4.1.6"),
        security_hub: None,
        pss: None,
        remediation: "Narrow the service account's RBAC or stop mounting its token.",
    };
}

/// Requests that amount to control of the cluster, with how to say them. All are cluster-wide,
/// so only ClusterRoleBindings grant them.
fn dangerous() -> [(Request, &'static str); 5] {
    [
        (
            Request::resource("*", "*", "*"),
            "do anything to any resource",
        ),
        (
            Request::resource("list", "", "secrets"),
            "read Secrets in every namespace",
        ),
        (
            Request::resource("create", "rbac.authorization.k8s.io", "clusterrolebindings"),
            "create ClusterRoleBindings",
        ),
        (
            Request::resource("escalate", "rbac.authorization.k8s.io", "clusterroles"),
            "escalate ClusterRoles",
        ),
        (
            Request::resource("impersonate", "", "users"),
            "impersonate users",
        ),
    ]
}

/// The service accounts that hold one of the [`dangerous`] permissions, with what they can do
/// and through which binding: by account, by namespace (the `system:serviceaccounts:<ns>`
/// group), or every account (`system:serviceaccounts`, `system:authenticated`). Built once per
/// scan from `who-can` over the ClusterRoleBindings, rather than asking per workload.
#[derive(Debug, Default)]
pub struct PowerfulAccounts {
    accounts: HashMap<(String, String), String>,
    namespaces: HashMap<String, String>,
    everyone: Option<String>,
}

impl PowerfulAccounts {
    fn build(authorizer: &garrison_authz::rbac::Authorizer) -> PowerfulAccounts {
        let mut powerful = PowerfulAccounts::default();
        // Reverse order, so that the first (broadest) permission's reason is the one kept.
        for (request, what) in dangerous().into_iter().rev() {
            for grant in authorizer.who_can(&request) {
                let reason = format!("{what} through {} ({})", grant.binding, grant.role);
                let subject = &grant.subject;
                match subject.kind {
                    PrincipalKind::ServiceAccount => {
                        if let Some(namespace) = &subject.namespace {
                            powerful
                                .accounts
                                .insert((namespace.clone(), subject.name.clone()), reason);
                        }
                    }
                    PrincipalKind::User => {
                        let account = subject
                            .name
                            .strip_prefix("system:serviceaccount:")
                            .and_then(|rest| rest.split_once(':'));
                        if let Some((namespace, name)) = account {
                            powerful
                                .accounts
                                .insert((namespace.to_string(), name.to_string()), reason);
                        }
                    }
                    PrincipalKind::Group => match subject.name.as_str() {
                        "system:serviceaccounts" | "system:authenticated" => {
                            powerful.everyone = Some(reason);
                        }
                        group => {
                            if let Some(namespace) = group.strip_prefix("system:serviceaccounts:") {
                                powerful.namespaces.insert(namespace.to_string(), reason);
                            }
                        }
                    },
                }
            }
        }
        powerful
    }

    /// What service account `name` of `namespace` can do that takes over the cluster, if anything.
    fn reason(&self, namespace: &str, name: &str) -> Option<&str> {
        self.accounts
            .get(&(namespace.to_string(), name.to_string()))
            .or_else(|| self.namespaces.get(namespace))
            .or(self.everyone.as_ref())
            .map(String::as_str)
    }
}

pub fn evaluate(context: &Context<'_>, workload: &Workload, object: &Object) -> Vec<Outcome> {
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let account = workload.service_account();
    let powerful = context
        .shared
        .powerful_accounts
        .get_or_init(|| PowerfulAccounts::build(&index(context).authorizer));
    let Some(reason) = powerful.reason(namespace, account) else {
        return Vec::new();
    };
    let account_setting = context
        .inventory
        .service_account(namespace, account)
        .and_then(|service_account| service_account.value.get("automountServiceAccountToken"))
        .and_then(Value::as_bool);
    let mounted = workload
        .spec
        .automount_service_account_token
        .or(account_setting)
        .unwrap_or(true);
    if !mounted {
        return Vec::new();
    }
    vec![Outcome::fail(
        workload.pointer("serviceAccountName"),
        format!("the pods mount a token of service account {account}, which can {reason}"),
    )]
}
