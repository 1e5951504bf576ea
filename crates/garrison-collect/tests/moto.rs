//! The AWS side against moto's server (PyPI `moto[server]`, installed by `scripts/test.sh`),
//! started here on a free loopback port. `tests/moto/create.py` creates a cluster with node
//! groups, a launch template, a VPC endpoint, security groups, ECR repositories, IAM roles, a
//! GuardDuty detector, a log group and a KMS key through boto3, and writes the reference
//! snapshot of the same account as the AWS CLI would. `garrison collect` then collects the
//! account, and both snapshots must give the same findings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use garrison_collect::{Options, Progress, Recorder, aws};

const CLUSTER: &str = "prod-eks";

/// moto's server, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        // AWS managed policies (AmazonEKSWorkerNodePolicy …) are attached to the node role.
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| {
            panic!("cannot start moto_server ({error}): run scripts/test.sh, which installs moto[server] with pip")
        });
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "moto_server did not listen on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// The Pods of the cluster, written to both snapshots: one runs a scanned image of
/// `checkout/cart`, one an image of `checkout/orders` that was never pushed, one an image of
/// another region's registry.
fn pods() -> serde_json::Value {
    let pod = |name: &str, image: &str| {
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"containers": [{"name": "app", "image": image}]},
        })
    };
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            pod("cart", "123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout/cart:v1"),
            pod("orders", "123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout/orders"),
            pod("replica", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout/cart:v2"),
        ],
    })
}

fn write_pods(root: &Path) {
    std::fs::create_dir_all(root.join("k8s")).unwrap();
    std::fs::write(
        root.join("k8s/pods.json"),
        serde_json::to_vec_pretty(&pods()).unwrap(),
    )
    .unwrap();
}

fn create_resources(endpoint: &str, reference: &Path) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto/create.py");
    let output = Command::new("python3")
        .args([script, endpoint, &reference.display().to_string(), CLUSTER])
        .output()
        .unwrap_or_else(|error| panic!("cannot run python3 {script}: {error}"));
    assert!(
        output.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn collect(endpoint: &str, out: &Path) {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(aws::http_client())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_eks::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .endpoint_url(endpoint)
        .load()
        .await;
    let mut options = Options::new(CLUSTER, out);
    options.kube = false;
    let recorder = Recorder::new(out, Progress::new(false)).unwrap();
    // The role a ServiceAccount would name in eks.amazonaws.com/role-arn.
    let kube = garrison_collect::kubernetes::Collected {
        service_account_roles: vec!["arn:aws:iam::123456789012:role/prod-eks-payments".to_string()],
        images: {
            let mut images = std::collections::BTreeSet::new();
            garrison_collect::kubernetes::container_images(&pods(), &mut images);
            images
        },
        listed: true,
    };
    let arn = aws::collect_with(&config, &options, &recorder, &kube).await;
    recorder
        .finish(CLUSTER, arn.as_deref(), Some("us-east-1"))
        .unwrap();
}

#[test]
fn collect_from_moto_then_scan_matches_the_cli_snapshot() {
    // The Security Hub SDK reads a finding's resource (hundreds of optional members) in one
    // stack frame that overflows a test thread's 2 MiB in a debug build (the CLI runs the
    // collection on its main thread, 8 MiB): the test runs on a thread with room for it.
    let scenario = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
                .block_on(collect_then_scan())
        })
        .unwrap();
    if let Err(panic) = scenario.join() {
        std::panic::resume_unwind(panic);
    }
}

async fn collect_then_scan() {
    let moto = start_moto();
    let directory = tempfile::tempdir().unwrap();
    let reference = directory.path().join("reference");
    let out = directory.path().join("collected");
    create_resources(&moto.endpoint, &reference);
    collect(&moto.endpoint, &out).await;
    write_pods(&reference);
    write_pods(&out);

    // What moto implements was collected; every document of the reference is there.
    for file in [
        "aws/eks/describe-cluster.json",
        "aws/eks/nodegroups/general.json",
        "aws/eks/nodegroups/legacy.json",
        "aws/ec2/describe-security-groups.json",
        "aws/ec2/describe-vpc-endpoints.json",
        "aws/ec2/describe-launch-templates.json",
        "aws/ecr/describe-repositories.json",
        "aws/iam/roles/prod-eks-node.role.json",
        "aws/iam/roles/prod-eks-node.attached.json",
        "aws/iam/roles/prod-eks-node.inline.json",
        "aws/iam/roles/prod-eks-cluster.role.json",
        "aws/iam/roles/prod-eks-payments.role.json",
        "aws/guardduty/get-detector.json",
        "aws/logs/describe-log-groups.json",
        "aws/autoscaling/describe-auto-scaling-groups.json",
        "aws/ec2/describe-vpcs.json",
        "aws/ec2/describe-network-interfaces.json",
        "aws/ecr/image-scan-findings/checkout/cart/v1.json",
        "aws/ecr/lifecycle-policies/checkout/orders.json",
        "aws/ecr/repository-policies/checkout/cart.json",
        "aws/cloudtrail/describe-trails.json",
        "aws/securityhub/describe-hub.json",
        "aws/securityhub/get-findings.json",
        "aws/inspector2/batch-get-account-status.json",
        "aws/inspector2/list-findings.json",
        "aws/ssm/get-document/SSM-SessionManagerRunShell.json",
    ] {
        assert!(out.join(file).is_file(), "{file} was not collected");
        assert!(
            reference.join(file).is_file(),
            "{file} is not in the reference"
        );
    }
    let templates = std::fs::read_dir(out.join("aws/ec2/describe-launch-template-versions"))
        .unwrap()
        .count();
    assert_eq!(
        templates, 2,
        "the general group's template and the one the legacy group's Auto Scaling group names"
    );
    let keys = std::fs::read_dir(out.join("aws/kms")).unwrap().count();
    assert_eq!(keys, 2, "the Secrets key's describe and rotation documents");

    // What moto lacks is recorded as failed, with the error, and not fatal.
    let failed = common::failed(&out);
    for file in [
        "aws/eks/list-access-entries.json",
        "aws/eks/list-addons.json",
        "aws/eks/list-pod-identity-associations.json",
        "aws/eks/list-insights.json",
        "aws/eks/describe-cluster-versions.json",
        "aws/guardduty/list-findings.json",
        "aws/guardduty/get-findings.json",
        "aws/guardduty/list-coverage.json",
        "aws/ecr/get-signing-configuration.json",
        "aws/eks/identity-provider-configs/",
        "aws/ecr/image-scan-findings/checkout/orders/latest.json",
        "aws/ecr/lifecycle-policies/checkout/cart.json",
        "aws/ecr/repository-policies/checkout/orders.json",
        "aws/securityhub/get-enabled-standards.json",
        "aws/securityhub/batch-get-security-controls.json",
        "aws/ssm/describe-instance-information.json",
    ] {
        assert!(
            failed
                .iter()
                .any(|(failed, error)| failed == file && !error.is_empty()),
            "{file} not recorded as failed: {failed:?}"
        );
    }

    // Every AWS call made is allowed by the read-only policy the README points to.
    let policy: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/collect-iam-policy.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let allowed: Vec<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action.as_str().unwrap())
        .collect();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let calls = manifest["calls"].as_array().unwrap();
    assert!(calls.len() > 50, "{calls:?}");
    for call in calls {
        let call = call["call"].as_str().unwrap();
        assert!(
            allowed.contains(&call),
            "{call} is not in docs/collect-iam-policy.json"
        );
    }

    assert!(
        failed.contains(&(
            "aws/ecr/image-scan-findings/checkout/cart/v2.json".to_string(),
            "not asked: the image's registry is in eu-west-1, the collection reads us-east-1"
                .to_string()
        )),
        "{failed:?}"
    );

    let collected = common::scan(&out);
    let expected = common::scan(&reference);
    let fails = expected.iter().filter(|seen| seen.status == "Fail").count();
    assert!(
        fails >= 5,
        "the moto account should fail several checks: {expected:#?}"
    );
    common::assert_same(&collected, &expected);
    // The documents added for the image, trail, Security Hub, SSM and Auto Scaling checks are
    // judged, not reported missing.
    for (check, status, object) in [
        ("EKS-IMG-003", "Fail", "shop/Pod/cart"),
        ("EKS-IMG-005", "Fail", "shop/Pod/cart"),
        ("EKS-IMG-005", "Pass", "shop/Pod/orders"),
        ("EKS-IMG-006", "Fail", "shop/Pod/cart"),
        ("EKS-IMG-006", "Pass", "shop/Pod/orders"),
        ("EKS-LOG-006", "Fail", "/Trail/management"),
        ("EKS-SHUB-001", "Pass", "/SecurityHub/hub"),
        ("EKS-SHUB-003", "Fail", "/SecurityHubFinding/EKS.2"),
        (
            "EKS-NODE-005",
            "Pass",
            "/SSMDocument/SSM-SessionManagerRunShell",
        ),
        // The legacy group's template is found through its Auto Scaling group.
        ("EKS-IAM-004", "Pass", "/Nodegroup/legacy"),
    ] {
        assert!(
            collected
                .iter()
                .any(|seen| seen.check == check && seen.status == status && seen.object == object),
            "no {status} of {check} for {object}"
        );
    }
    // The image never pushed has no scan result: UNKNOWN, not PASS.
    assert!(collected.iter().any(|seen| seen.check == "EKS-IMG-003"
        && seen.status == "Unknown"
        && seen.object == "shop/Pod/orders"));

    // The checks that need the failed calls say UNKNOWN, naming the call's failure.
    let messages: Vec<String> = {
        let loaded = garrison_core::load_paths(
            &[out.display().to_string()],
            &garrison_core::LoadOptions::default(),
        );
        let inventory = garrison_core::Inventory::new(loaded);
        garrison_checks::run_checks(
            &inventory,
            &garrison_core::Config::default(),
            &garrison_checks::CHECKS.iter().collect::<Vec<_>>(),
        )
        .into_iter()
        .filter(|finding| finding.status == garrison_core::Status::Unknown)
        .map(|finding| finding.message)
        .collect()
    };
    for reason in [
        "aws/eks/list-addons.json could not be collected: HTTP 404",
        "aws/eks/list-pod-identity-associations.json could not be collected: HTTP 404",
        "aws/eks/list-insights.json could not be collected",
        "aws/eks/describe-cluster-versions.json could not be collected",
        "aws/guardduty/get-findings.json could not be collected",
        "aws/guardduty/list-coverage.json could not be collected",
        // The access entry checks name the directory of the entries they could not read.
        "aws/eks/access-entries/ was not collected",
        "aws/eks/identity-provider-configs/ could not be collected",
        "aws/securityhub/batch-get-security-controls.json could not be collected",
    ] {
        assert!(
            messages.iter().any(|message| message.contains(reason)),
            "no UNKNOWN finding says {reason:?}: {messages:#?}"
        );
    }
}
