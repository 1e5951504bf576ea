import sys; sys.path.insert(0,'gen')
from gen import check, USES
LOGDOC='EKS documentation: Send control plane logs to CloudWatch Logs'
BPG_DET='EKS Best Practices Guide, Security: Detective controls'

def log_type_check(stem, id, name, title, sev, log_type, why, cis=None, sh=None, refs=None):
    check('logging', stem, id, name, title, sev, 'Cluster', 'AuditLoggingAndMonitoring',
     f'''Takes the union of `logging.clusterLogging[].types` over the entries with `enabled: true`
 (EKS returns one entry for enabled and one for disabled types, so reading only the first entry
 is wrong) and fails when `{log_type}` is not in it.''',
     why,
     f'''`aws eks update-cluster-config --name <cluster> --logging
 '{{"clusterLogging":[{{"types":["{log_type}"],"enabled":true}}]}}'`.''',
     [LOGDOC, BPG_DET] + (refs or []),
     f'''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {{
     with_cluster(snapshot, |cluster, resource| {{
         let Some(logging) = &cluster.logging else {{
             return vec![result(resource, Status::Unknown, "/cluster", "describe-cluster has no logging member")];
         }};
         let enabled = logging.enabled_types().contains(&"{log_type}");
         vec![if enabled {{
             result(resource, Status::Pass, "/cluster/logging/clusterLogging", "the {log_type} log is sent to CloudWatch Logs")
         }} else {{
             result(resource, Status::Fail, "/cluster/logging/clusterLogging", "the {log_type} log is not enabled")
         }}]
     }})
 }}
 ''', cis=cis, sh=sh, remediation=f'Enable the {log_type} control-plane log.', uses=USES)

log_type_check('audit_log_disabled','EKS-LOG-001','audit-log-disabled','Control-plane audit log is not enabled','High','audit',
 '''The audit log is the only record of who did what through the Kubernetes API: without it an
 incident cannot be investigated and GuardDuty-style detections have nothing to read.''', cis='2.1.1', sh='EKS.8',
 refs=['CIS Amazon EKS Benchmark v1.8.0, 2.1.1','AWS Security Hub control EKS.8'])
log_type_check('authenticator_log_disabled','EKS-LOG-002','authenticator-log-disabled','Control-plane authenticator log is not enabled','Medium','authenticator',
 '''The authenticator log maps Kubernetes usernames back to the IAM principals (and role sessions)
 that authenticated; without it, an audit event names an access-entry username, not a person.''')

check('logging','control_plane_log_types','EKS-LOG-003','control-plane-log-types',
 'Control-plane api, controllerManager or scheduler log is off','Low','Cluster','AuditLoggingAndMonitoring',
 '''One result per log type among `api`, `controllerManager` and `scheduler`, from the union of
 enabled `logging.clusterLogging` entries. Graded apart from audit and authenticator so that
 their gaps are not diluted.''',
 '''These logs explain control-plane behaviour during an incident (admission errors, controller
 actions, scheduling decisions).''',
 '''Enable the missing types with `aws eks update-cluster-config --logging`.''',
 [LOGDOC, BPG_DET],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let Some(logging) = &cluster.logging else {
             return vec![result(resource, Status::Unknown, "/cluster", "describe-cluster has no logging member")];
         };
         let enabled = logging.enabled_types();
         ["api", "controllerManager", "scheduler"].into_iter().map(|kind| {
             if enabled.contains(&kind) {
                 result(resource, Status::Pass, "/cluster/logging/clusterLogging", format!("the {kind} log is enabled"))
             } else {
                 result(resource, Status::Fail, "/cluster/logging/clusterLogging", format!("the {kind} log is not enabled"))
             }
         }).collect()
     })
 }
 ''', remediation='Enable the api, controllerManager and scheduler logs.', uses=USES)

check('logging','log_group_retention','EKS-LOG-004','log-group-retention',
 'Control-plane log group lacks retention or KMS encryption','Medium','Cluster','AuditLoggingAndMonitoring',
 '''Finds `/aws/eks/<cluster>/cluster` in `logs/describe-log-groups` and reports two results:
 retention (FAIL when `retentionInDays` is absent, i.e. kept forever unmanaged, or below 90 days)
 and encryption (FAIL without `kmsKeyId`). UNKNOWN when the group is missing while logging is on.''',
 '''Audit logs are evidence: they must be kept long enough for investigations and regulation, and
 protected with a key whose use is itself logged and restricted.''',
 '''`aws logs put-retention-policy --retention-in-days 365` and `aws logs associate-kms-key` on the
 log group.''',
 [LOGDOC, 'CIS Amazon EKS Benchmark v1.8.0, 2.1.2', BPG_DET],
 '''
 use garrison_core::aws::services::DescribeLogGroups;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, cluster_resource| {
         let wanted = format!("/aws/eks/{}/cluster", cluster.name());
         with_document::<DescribeLogGroups>(snapshot, "logs/describe-log-groups.json", cluster_resource, |groups| {
             let Some((index, group)) = groups.log_groups.iter().enumerate().find(|(_, g)| g.log_group_name.as_deref() == Some(wanted.as_str())) else {
                 return vec![result(cluster_resource, Status::Unknown, "/logGroups", format!("log group {wanted} is not in describe-log-groups"))];
             };
             let resource = crate::engine::Resource::new("LogGroup", wanted.clone(), "aws/logs/describe-log-groups.json").with_arn(group.arn.as_deref());
             let retention = match group.retention_in_days {
                 None => result(&resource, Status::Fail, &format!("/logGroups/{index}"), "no retention policy: logs are kept without a managed lifetime"),
                 Some(days) if days < 90 => result(&resource, Status::Fail, &format!("/logGroups/{index}/retentionInDays"), format!("logs are kept only {days} days")),
                 Some(days) => result(&resource, Status::Pass, &format!("/logGroups/{index}/retentionInDays"), format!("logs are kept {days} days")),
             };
             let encryption = match &group.kms_key_id {
                 Some(key) => result(&resource, Status::Pass, &format!("/logGroups/{index}/kmsKeyId"), format!("encrypted with {key}")),
                 None => result(&resource, Status::Fail, &format!("/logGroups/{index}"), "the log group is not encrypted with a KMS key"),
             };
             vec![retention, encryption]
         })
     })
 }
 ''', cis='2.1.2', remediation='Set a retention of at least 90 days and a KMS key on the control-plane log group.', uses=USES)

check('logging','vpc_flow_logs','EKS-LOG-005','vpc-flow-logs',
 'Cluster VPC has no active flow log','Medium','Infrastructure','AuditLoggingAndMonitoring',
 '''Reads `ec2/describe-flow-logs` for the cluster VPC (`resourcesVpcConfig.vpcId`): one result
 per flow log (FAIL when not `ACTIVE` or delivery `FAILED`), or a FAIL when the VPC has none.
 Unlike checks that accept any flow log, a failed one does not pass.''',
 '''Flow logs are the network record of an incident: which pod IPs talked to which addresses.''',
 '''Create a flow log for the VPC to CloudWatch Logs or S3 and watch its delivery status.''',
 ['Amazon VPC documentation: VPC Flow Logs', 'EKS Best Practices Guide, Security: Network security (log network traffic metadata)'],
 '''
 use garrison_core::aws::ec2::DescribeFlowLogs;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, cluster_resource| {
         let Some(vpc_id) = cluster.resources_vpc_config.as_ref().and_then(|vpc| vpc.vpc_id.clone()) else {
             return vec![result(cluster_resource, Status::Unknown, "/cluster/resourcesVpcConfig", "describe-cluster names no VPC")];
         };
         with_document::<DescribeFlowLogs>(snapshot, "ec2/describe-flow-logs.json", cluster_resource, |logs| {
             let resource = crate::engine::Resource::new("VPC", vpc_id.clone(), "aws/ec2/describe-flow-logs.json");
             let mine: Vec<_> = logs.flow_logs.iter().enumerate().filter(|(_, log)| log.resource_id.as_deref() == Some(vpc_id.as_str())).collect();
             if mine.is_empty() {
                 return vec![result(&resource, Status::Fail, "/FlowLogs", format!("{vpc_id} has no flow log"))];
             }
             mine.into_iter().map(|(index, log)| {
                 let id = log.flow_log_id.as_deref().unwrap_or("flow log");
                 let active = log.flow_log_status.as_deref() == Some("ACTIVE");
                 let delivering = log.deliver_logs_status.as_deref() != Some("FAILED");
                 if active && delivering {
                     result(&resource, Status::Pass, &format!("/FlowLogs/{index}"), format!("{id} is active"))
                 } else {
                     result(&resource, Status::Fail, &format!("/FlowLogs/{index}"), format!("{id} is not delivering (status {}, delivery {})", log.flow_log_status.as_deref().unwrap_or("?"), log.deliver_logs_status.as_deref().unwrap_or("?")))
                 }
             }).collect()
         })
     })
 }
 ''', remediation='Create an active VPC flow log for the cluster VPC.', uses=USES)

check('logging','cloudtrail_multi_region','EKS-LOG-006','cloudtrail-multi-region',
 'No multi-region CloudTrail trail records EKS API activity','Medium','Cluster','AuditLoggingAndMonitoring',
 '''One result per trail of `cloudtrail/describe-trails`: PASS for a multi-region trail that is
 logging (`IsLogging`, when the collector merged `get-trail-status`), FAIL for a single-region or
 stopped one, and a FAIL when there is no trail at all.''',
 '''EKS API calls (UpdateClusterConfig, CreateAccessEntry, AssociateAccessPolicy) change who can
 reach the cluster; CloudTrail is their only record, and a single-region trail misses calls made
 elsewhere.''',
 '''Create an organisation or multi-region trail and keep it logging.''',
 ['AWS CloudTrail documentation: Creating a trail for all regions', BPG_DET],
 '''
 use garrison_core::aws::services::DescribeTrails;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let cluster = cluster_resource(snapshot, None);
     with_document::<DescribeTrails>(snapshot, "cloudtrail/describe-trails.json", &cluster, |trails| {
         if trails.trails.is_empty() {
             return vec![result(&cluster, Status::Fail, "/trailList", "no CloudTrail trail exists")];
         }
         trails.trails.iter().enumerate().map(|(index, trail)| {
             let name = trail.name.clone().unwrap_or_else(|| format!("trail {index}"));
             let resource = crate::engine::Resource::new("Trail", name.clone(), "aws/cloudtrail/describe-trails.json").with_arn(trail.trail_arn.as_deref());
             let pointer = format!("/trailList/{index}");
             match (trail.is_multi_region_trail, trail.is_logging) {
                 (Some(true), Some(false)) => result(&resource, Status::Fail, &pointer, format!("{name} is multi-region but not logging")),
                 (Some(true), _) => result(&resource, Status::Pass, &pointer, format!("{name} records every region")),
                 _ => result(&resource, Status::Fail, &pointer, format!("{name} records one region only")),
             }
         }).collect()
     })
 }
 ''', remediation='Keep a logging multi-region CloudTrail trail.', uses=USES)

check('logging','network_policy_event_logs','EKS-LOG-007','network-policy-event-logs',
 'Network policy decision logs are off','Low','Infrastructure','AuditLoggingAndMonitoring',
 '''Parses the vpc-cni add-on's `configurationValues` (JSON or YAML text) and reads
 `nodeAgent.enablePolicyEventLogs`: PASS when true, FAIL otherwise. NOT_APPLICABLE when the
 add-on does not enforce network policies.''',
 '''Without decision logs, a denied or allowed flow leaves no trace, so policies cannot be tuned
 and violations cannot be investigated.''',
 '''Set `{"nodeAgent": {"enablePolicyEventLogs": "true"}}` in the vpc-cni add-on configuration.''',
 ['EKS documentation: Configure network policy logs', 'EKS Best Practices Guide, Security: Network security (monitoring network policy enforcement)'],
 '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let cluster = cluster_resource(snapshot, None);
     let (addon, configuration) = match cni_configuration(snapshot) {
         Ok(found) => found,
         Err((key, missing)) => return vec![unknown(&cluster, &key, &missing)],
     };
     let resource = crate::engine::Resource::new("Addon", "vpc-cni", "aws/eks/addons/vpc-cni.json").with_arn(addon.addon_arn.as_deref());
     if !configuration.is_true("/enableNetworkPolicy") {
         return vec![not_applicable(&resource, "vpc-cni does not enforce network policies")];
     }
     vec![if configuration.is_true("/nodeAgent/enablePolicyEventLogs") {
         result(&resource, Status::Pass, "/addon/configurationValues", "network policy decisions are logged")
     } else {
         result(&resource, Status::Fail, "/addon/configurationValues", "nodeAgent.enablePolicyEventLogs is not true: policy decisions are not logged")
     }]
 }
 ''', remediation='Enable nodeAgent.enablePolicyEventLogs in the vpc-cni add-on.', uses=USES)
