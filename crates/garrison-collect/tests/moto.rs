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
    let service_account_roles =
        vec!["arn:aws:iam::123456789012:role/prod-eks-payments".to_string()];
    let arn = aws::collect_with_roles(&config, &options, &recorder, service_account_roles).await;
    recorder
        .finish(CLUSTER, arn.as_deref(), Some("us-east-1"))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_from_moto_then_scan_matches_the_cli_snapshot() {
    let moto = start_moto();
    let directory = tempfile::tempdir().unwrap();
    let reference = directory.path().join("reference");
    let out = directory.path().join("collected");
    create_resources(&moto.endpoint, &reference);
    collect(&moto.endpoint, &out).await;

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
    assert_eq!(templates, 1);
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
    ] {
        assert!(
            failed
                .iter()
                .any(|(failed, error)| failed == file && !error.is_empty()),
            "{file} not recorded as failed: {failed:?}"
        );
    }

    let collected = common::scan(&out);
    let expected = common::scan(&reference);
    let fails = expected.iter().filter(|seen| seen.status == "Fail").count();
    assert!(
        fails >= 5,
        "the moto account should fail several checks: {expected:#?}"
    );
    common::assert_same(&collected, &expected);

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
    ] {
        assert!(
            messages.iter().any(|message| message.contains(reason)),
            "no UNKNOWN finding says {reason:?}: {messages:#?}"
        );
    }
}
