import sys; sys.path.insert(0,'gen')
from gen import check, USES
ENCDOC='EKS documentation: Encrypt Kubernetes secrets with KMS on existing clusters'
DEFENC='EKS documentation: Default envelope encryption for all Kubernetes API data'
BPG_DATA='EKS Best Practices Guide, Security: Data encryption and secrets management'
KEYFN='''
/// The customer key encrypting Secrets, if any.
fn secrets_key(cluster: &garrison_core::aws::eks::Cluster) -> Option<(usize, String)> {
    cluster.encryption_config.iter().enumerate().find_map(|(index, config)| {
        (config.resources.iter().any(|r| r == "secrets"))
            .then(|| config.provider.as_ref().and_then(|p| p.key_arn.clone()))
            .flatten()
            .map(|arn| (index, arn))
    })
}
'''

check('encryption','secrets_without_cmk','EKS-ENC-001','secrets-without-cmk',
 'Kubernetes Secrets are not envelope-encrypted with a customer-managed KMS key','Medium','Cluster','Encryption',
 '''Reads `encryptionConfig`: PASS when an entry covers `secrets` with a KMS key ARN. Version-aware:
 from Kubernetes 1.28 EKS envelope-encrypts all API data with an AWS-owned key by default, so a
 missing configuration there is reported as "no customer-managed key" (FAIL at this check's
 Medium severity), not as unencrypted; below 1.28 the message says Secrets are only encrypted at
 the volume level. An `encryptionConfig` whose `resources` lacks `secrets` fails.''',
 '''With a customer-managed key you control who can decrypt Secrets (the key policy), can audit
 every decryption in CloudTrail, and can revoke access by disabling the key.''',
 '''`aws eks associate-encryption-config --encryption-config
 '[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:…"}}]'`. It cannot be removed once
 set.''',
 [ENCDOC, DEFENC, 'CIS Amazon EKS Benchmark v1.8.0, 5.3.1', 'AWS Security Hub control EKS.3'],
 KEYFN + '''
 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         if let Some((index, key)) = secrets_key(cluster) {
             return vec![result(resource, Status::Pass, &format!("/cluster/encryptionConfig/{index}"), format!("Secrets are envelope-encrypted with {key}"))];
         }
         if !cluster.encryption_config.is_empty() {
             return vec![result(resource, Status::Fail, "/cluster/encryptionConfig", "encryptionConfig does not cover secrets")];
         }
         let message = match cluster.version() {
             Some(version) if version >= (1, 28) => "no customer-managed key: Secrets are envelope-encrypted only with the AWS-owned default key (Kubernetes 1.28+)",
             Some(_) => "no envelope encryption of Secrets: before Kubernetes 1.28 they are protected only by volume encryption",
             None => "no customer-managed key for Secrets",
         };
         vec![result(resource, Status::Fail, "/cluster", message)]
     })
 }
 ''', cis='5.3.1', sh='EKS.3', remediation='Associate a customer-managed KMS key for secrets with the cluster.', uses=USES)

check('encryption','kms_key_unusable','EKS-ENC-002','kms-key-unusable',
 'Secrets KMS key is disabled, pending deletion or unreachable','Critical','Cluster','Encryption',
 '''For a cluster with a Secrets key: FAIL when `cluster.health.issues` has a KMS code
 (`KmsKeyDisabled`, `KmsKeyMarkedForDeletion`, `KmsKeyNotFound`, `KmsGrantRevoked`) or
 `kms/<key id>.describe.json` shows a `KeyState` other than `Enabled`; PASS when the key is
 enabled; UNKNOWN when the key was not described and EKS reports no issue.''',
 '''EKS cannot read any Secret without the key: a key scheduled for deletion makes the cluster
 unrecoverable when the deletion happens.''',
 '''Cancel the deletion (`aws kms cancel-key-deletion`), re-enable the key, or restore the grant
 EKS uses; alarm on key state changes.''',
 [ENCDOC, 'AWS KMS documentation: Key states'],
 KEYFN + '''
 use garrison_core::aws::services::DescribeKey;

 const KMS_CODES: [&str; 4] = ["KmsKeyDisabled", "KmsKeyMarkedForDeletion", "KmsKeyNotFound", "KmsGrantRevoked"];

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let Some((_, key)) = secrets_key(cluster) else {
             return vec![not_applicable(resource, "no customer-managed key encrypts Secrets")];
         };
         let issues = cluster.health.as_ref().map(|h| h.issues.as_slice()).unwrap_or_default();
         if let Some((index, issue)) = issues.iter().enumerate().find(|(_, i)| i.code.as_deref().is_some_and(|c| KMS_CODES.contains(&c))) {
             return vec![result(resource, Status::Fail, &format!("/cluster/health/issues/{index}"), format!("EKS reports {}: {}", issue.code.as_deref().unwrap_or("?"), issue.message.as_deref().unwrap_or("")))];
         }
         let id = key.rsplit('/').next().unwrap_or(&key);
         let file = format!("kms/{id}.describe.json");
         let key_resource = crate::engine::Resource::new("KMSKey", id, format!("aws/{file}")).with_arn(Some(&key));
         match snapshot.document::<DescribeKey>(&file) {
             Ok(described) => {
                 let state = described.key_metadata.key_state.unwrap_or_default();
                 vec![if state == "Enabled" {
                     result(&key_resource, Status::Pass, "/KeyMetadata/KeyState", "the Secrets key is enabled")
                 } else {
                     result(&key_resource, Status::Fail, "/KeyMetadata/KeyState", format!("the Secrets key is {state}{}", described.key_metadata.deletion_date.map(|d| format!(" (deletion on {d})")).unwrap_or_default()))
                 }]
             }
             Err(missing) => vec![unknown(&key_resource, &file, &missing)],
         }
     })
 }
 ''', remediation='Keep the Secrets KMS key enabled; cancel any scheduled deletion.', uses=USES)

check('encryption','kms_key_rotation','EKS-ENC-003','kms-key-rotation',
 'Secrets KMS key rotation is off','Low','Cluster','Encryption',
 '''For the customer-managed key of `encryptionConfig`, reads `kms/<key id>.rotation.json`
 (`get-key-rotation-status`): PASS when `KeyRotationEnabled`, FAIL otherwise.''',
 '''Automatic rotation limits how much data one key version protects and is required by most
 compliance regimes; it is free and transparent to EKS.''',
 '''`aws kms enable-key-rotation --key-id <key>`.''',
 ['AWS KMS documentation: Rotating AWS KMS keys', BPG_DATA],
 KEYFN + '''
 use garrison_core::aws::services::KeyRotationStatus;

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     with_cluster(snapshot, |cluster, resource| {
         let Some((_, key)) = secrets_key(cluster) else {
             return vec![not_applicable(resource, "no customer-managed key encrypts Secrets")];
         };
         let id = key.rsplit('/').next().unwrap_or(&key);
         let file = format!("kms/{id}.rotation.json");
         let key_resource = crate::engine::Resource::new("KMSKey", id, format!("aws/{file}")).with_arn(Some(&key));
         with_document::<KeyRotationStatus>(snapshot, &file, &key_resource, |status| {
             vec![match status.key_rotation_enabled {
                 Some(true) => result(&key_resource, Status::Pass, "/KeyRotationEnabled", "automatic rotation is on"),
                 Some(false) => result(&key_resource, Status::Fail, "/KeyRotationEnabled", "automatic rotation is off"),
                 None => result(&key_resource, Status::Unknown, "", "get-key-rotation-status has no KeyRotationEnabled"),
             }]
         })
     })
 }
 ''', remediation='Enable automatic rotation of the Secrets KMS key.', uses=USES)

check('encryption','node_volume_unencrypted','EKS-ENC-005','node-volume-unencrypted',
 'Node launch template leaves EBS volumes unencrypted','Medium','Infrastructure','Encryption',
 '''One result per EBS block device of each collected node launch template version: PASS when
 `Ebs.Encrypted` is true or the account encrypts new volumes by default
 (`ec2/get-ebs-encryption-by-default.json`); FAIL otherwise.''',
 '''Node root and data volumes hold container images, emptyDir data and sometimes Secrets
 written to disk; unencrypted snapshots of them can be shared or copied out of the account.''',
 '''Set `Encrypted: true` (optionally `KmsKeyId`) on the block device mappings, or turn on EBS
 encryption by default for the region.''',
 ['Amazon EC2 documentation: Amazon EBS encryption', BPG_DATA],
 '''
 use garrison_core::aws::ec2::{DescribeLaunchTemplateVersions, EbsEncryptionByDefault};

 pub fn evaluate(_: &Context<'_>, snapshot: &Snapshot) -> Vec<ResourceOutcome> {
     let mut results = Vec::new();
     let Some(templates) = each_document::<DescribeLaunchTemplateVersions>(snapshot, "ec2/describe-launch-template-versions/", "LaunchTemplate", &mut results) else {
         return results;
     };
     let by_default = snapshot
         .document::<EbsEncryptionByDefault>("ec2/get-ebs-encryption-by-default.json")
         .ok()
         .and_then(|d| d.ebs_encryption_by_default)
         .unwrap_or(false);
     for (document, resource) in templates {
         for (v, version) in document.launch_template_versions.iter().enumerate() {
             let devices = version.launch_template_data.as_ref().map(|d| d.block_device_mappings.as_slice()).unwrap_or_default();
             for (d, device) in devices.iter().enumerate() {
                 let Some(ebs) = &device.ebs else { continue };
                 let name = device.device_name.as_deref().unwrap_or("volume");
                 let pointer = format!("/LaunchTemplateVersions/{v}/LaunchTemplateData/BlockDeviceMappings/{d}/Ebs");
                 results.push(match (ebs.encrypted, by_default) {
                     (Some(true), _) => result(&resource, Status::Pass, &pointer, format!("{name} is encrypted")),
                     (_, true) => result(&resource, Status::Pass, &pointer, format!("{name} is encrypted by the account's EBS default")),
                     _ => result(&resource, Status::Fail, &pointer, format!("{name} is not encrypted")),
                 });
             }
         }
     }
     results
 }
 ''', remediation='Encrypt node EBS volumes (launch template or account default).', uses=USES)
