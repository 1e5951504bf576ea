use garrison_core::{Level, SeedControl, Severity, Snapshot, Status};

use crate::checks::aws::*;
use crate::engine::{Context, ResourceOutcome};

declare_check! {
    /// ## What it does
    /// One result per EC2 instance behind a Kubernetes Node: PASS when
    /// `ssm/describe-instance-information.json` lists it with `PingStatus: Online`, FAIL otherwise.
    /// Fargate nodes (no instance) are not reported.
    ///
    /// ## Why it matters
    /// Without SSM, the only way onto a node in an incident is SSH, which needs keys and open ports;
    /// SSM sessions are authorised by IAM and can be logged.
    ///
    /// ## How to fix
    /// Attach `AmazonSSMManagedInstanceCore` to the node role and make sure the SSM agent can reach
    /// the SSM endpoints (`ssm`, `ssmmessages`, `ec2messages`).
    ///
    /// ## References
    /// - AWS Systems Manager documentation: Session Manager
    /// - EKS Best Practices Guide, Security: Infrastructure security
    pub static META = CheckMeta {
        id: "EKS-NODE-004",
        name: "node-not-ssm-managed",
        title: "Node instance is not reachable through SSM Session Manager",
        severity: Severity::Low,
        level: Level::Infrastructure,
        control: SeedControl::SsmInsteadOfSsh,
        cis: None,
        security_hub: None,
        pss: None,
        remediation: "Make nodes SSM-managed (AmazonSSMManagedInstanceCore).",
    };
}

use garrison_core::aws::services::InstanceInformation;

pub fn evaluate(context: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
    let nodes: Vec<(&garrison_core::Object, &str)> = context
        .inventory
        .objects
        .iter()
        .filter(|o| o.kind == "Node")
        .filter_map(|o| instance_id(o).map(|id| (o, id)))
        .collect();
    if nodes.is_empty() {
        return Vec::new();
    }
    let cluster = cluster_resource(snapshot, None);
    with_document::<InstanceInformation>(
        snapshot,
        "ssm/describe-instance-information.json",
        &cluster,
        |information| {
            nodes
                .into_iter()
                .map(|(node, id)| {
                    let resource = crate::engine::Resource::new(
                        "EC2Instance",
                        id,
                        "aws/ssm/describe-instance-information.json",
                    );
                    let managed = information
                        .instance_information_list
                        .iter()
                        .position(|i| i.instance_id.as_deref() == Some(id));
                    match managed {
                        Some(index)
                            if information.instance_information_list[index]
                                .ping_status
                                .as_deref()
                                == Some("Online") =>
                        {
                            result(
                                &resource,
                                Status::Pass,
                                &format!("/InstanceInformationList/{index}"),
                                format!("node {} is online in SSM", node.name),
                            )
                        }
                        Some(index) => result(
                            &resource,
                            Status::Fail,
                            &format!("/InstanceInformationList/{index}/PingStatus"),
                            format!(
                                "node {}'s SSM agent is {}",
                                node.name,
                                information.instance_information_list[index]
                                    .ping_status
                                    .as_deref()
                                    .unwrap_or("?")
                            ),
                        ),
                        None => result(
                            &resource,
                            Status::Fail,
                            "/InstanceInformationList",
                            format!("node {} is not managed by SSM", node.name),
                        ),
                    }
                })
                .collect()
        },
    )
}
