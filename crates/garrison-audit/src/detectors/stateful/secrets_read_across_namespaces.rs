//! garrison detector "Secrets read across many namespaces".

use super::micros;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// Secrets of many namespaces read by one principal within a short time.
    ///
    /// ## What it does
    ///
    /// Counts, per principal (the impersonated user when there is one), the namespaces in which
    /// it successfully got, listed or watched Secrets. When the count reaches
    /// `secrets_namespaces` (default 5) within `secrets_window_seconds` (default 600) it
    /// reports once, naming the namespaces, and starts counting again. A successful list or
    /// watch of Secrets across all namespaces (no namespace in the request) reads every
    /// namespace at once and is reported on its own. State is kept for at most
    /// `max_principals` principals (default 10,000); the least recently seen are forgotten.
    ///
    /// ## Why it matters
    ///
    /// Applications read the Secrets of their own namespace. One identity sweeping through the
    /// Secrets of many namespaces is what credential harvesting after a token theft looks like
    /// (MITRE ATT&CK T1552.007, Container API); it is the pattern behind GuardDuty's
    /// `CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed`.
    ///
    /// ## How to fix
    ///
    /// Find out whether the principal is a tool expected to read Secrets cluster-wide (a
    /// backup or secrets-sync controller). If not, revoke its credentials, rotate the Secrets it
    /// read and remove `get`/`list`/`watch` on `secrets` from its cluster-wide roles.
    ///
    /// ## References
    ///
    /// - Kubernetes documentation, Good practices for Kubernetes Secrets: https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    /// - Amazon GuardDuty User Guide, "EKS audit log finding types": https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html
    /// - MITRE ATT&CK T1552.007, Unsecured Credentials: Container API: https://attack.mitre.org/techniques/T1552/007/
    pub static DETECTOR = {
        id: "EKS-AUDIT-001",
        name: "secrets-read-across-namespaces",
        title: "Secrets read across many namespaces",
        severity: High,
        family: Stateful,
        remediation: "Check whether the principal should read Secrets cluster-wide; if not, revoke it and rotate the Secrets.",
        run: Audit(run),
    };
}

fn run(state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !(event.complete()
        && event.resource() == "secrets"
        && matches!(&*event.verb, "get" | "list" | "watch")
        && event.successful())
    {
        return None;
    }
    let principal = event.principal();
    let namespace = event.namespace();
    if namespace.is_empty() {
        return (event.verb != "get")
            .then(|| format!("{principal} {} Secrets of every namespace", event.verb));
    }
    let now = state.time(event);
    let window = micros(config.secrets_window_seconds);
    let seen = state
        .secret_namespaces
        .entry(principal, now, config.max_principals)?;
    seen.retain(|_, at| now.saturating_sub(*at) <= window);
    match seen.get_mut(namespace) {
        Some(at) => *at = (*at).max(now),
        None => {
            seen.insert(namespace.to_string(), now);
        }
    }
    if seen.len() < config.secrets_namespaces {
        return None;
    }
    let mut namespaces: Vec<String> = seen.drain().map(|(namespace, _)| namespace).collect();
    namespaces.sort();
    Some(format!(
        "{principal} read Secrets in {} namespaces within {} s: {}",
        namespaces.len(),
        config.secrets_window_seconds,
        namespaces.join(", ")
    ))
}
