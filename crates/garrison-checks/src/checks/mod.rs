//! One file per check, grouped by area. Helpers shared by several checks live here.

pub mod access;
pub mod identity;
pub mod images;
pub mod pod_security;

use garrison_core::{ContainerRef, Workload};

/// `runAsUser` for a container, with the pointer of the field that set it.
pub(crate) fn run_as_user(
    workload: &Workload,
    container: &ContainerRef<'_>,
) -> Option<(i64, String)> {
    if let Some(user) = container
        .security_context
        .and_then(|context| context.run_as_user)
    {
        return Some((user, container.field("securityContext/runAsUser")));
    }
    let pod = workload.spec.security_context.as_ref()?.run_as_user?;
    Some((pod, workload.pointer("securityContext/runAsUser")))
}
