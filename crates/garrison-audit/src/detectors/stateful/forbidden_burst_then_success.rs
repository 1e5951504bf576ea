//! garrison detector "Forbidden burst followed by success".

use super::micros;
use crate::engine::{Config, State};
use crate::event::EventView;

detector! {
    /// A burst of forbidden requests by one principal, then a request that succeeds.
    ///
    /// ## What it does
    ///
    /// Remembers, per principal (the impersonated user when there is one), the times of its
    /// requests the API server answered 403 Forbidden. When a request by that principal then
    /// succeeds (2xx) and at least `forbidden_burst` (default 5) forbidden requests fall within
    /// the `forbidden_window_seconds` (default 300) before it, it reports once, with the count
    /// and the request that succeeded, and forgets the burst. State is kept for at most
    /// `max_principals` principals (default 10,000); the least recently seen are forgotten.
    ///
    /// ## Why it matters
    ///
    /// Someone holding stolen credentials does not know what they allow, so they try: many
    /// requests are refused, then one works. The refusals alone are noise from misconfigured
    /// clients; refusals followed by a success mark the moment the probing found something,
    /// and the request that succeeded says what.
    ///
    /// ## How to fix
    ///
    /// Look at the forbidden requests and the successful one. If the principal is not a client
    /// being set up, treat its credentials as compromised: revoke them and review what the
    /// successful request did.
    ///
    /// ## References
    ///
    /// - Kubernetes documentation, Auditing: https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
    /// - MITRE ATT&CK T1613, Container and Resource Discovery: https://attack.mitre.org/techniques/T1613/
    pub static DETECTOR = {
        id: "EKS-AUDIT-002",
        name: "forbidden-burst-then-success",
        title: "Forbidden burst followed by success",
        severity: Medium,
        family: Stateful,
        remediation: "Review the refused requests and the one that succeeded; revoke the credentials if they were not expected.",
        run: Audit(run),
    };
}

fn run(state: &mut State, config: &Config, view: &EventView<'_, '_>) -> Option<String> {
    let event = view.event;
    if !event.complete() {
        return None;
    }
    let code = event.response_status.code;
    if code == 403 {
        let now = state.time(event);
        let window = micros(config.forbidden_window_seconds);
        let burst = state
            .forbidden
            .entry(event.principal(), now, config.max_principals)?;
        burst.push_back(now);
        // Only the latest `forbidden_burst` matter; older ones also fall out of the window.
        while burst.len() > config.forbidden_burst
            || burst
                .front()
                .is_some_and(|first| now.saturating_sub(*first) > window)
        {
            burst.pop_front();
        }
        return None;
    }
    if !event.successful() || state.forbidden.is_empty() {
        return None;
    }
    let principal = event.principal();
    if !state.forbidden.contains(principal) {
        return None;
    }
    let now = state.time(event);
    let window = micros(config.forbidden_window_seconds);
    let burst = state.forbidden.get_mut(principal)?;
    burst.retain(|at| now.saturating_sub(*at) <= window);
    let count = burst.len();
    if count < config.forbidden_burst {
        if count == 0 {
            state.forbidden.remove(principal);
        }
        return None;
    }
    state.forbidden.remove(principal);
    Some(format!(
        "{principal} had {count} requests forbidden within {} s, then {} {} succeeded (code {code})",
        config.forbidden_window_seconds, event.verb, event.request_uri
    ))
}
