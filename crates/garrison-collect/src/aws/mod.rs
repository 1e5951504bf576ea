//! The AWS half: the calls of the snapshot layout (research note §6.1) through the AWS SDK for
//! Rust, written in the CLI's JSON shape.
//!
//! Lists are paginated, calls go at most `--concurrency` at a time, throttling and transient
//! errors are retried by the SDK's standard retry strategy with backoff, and every failure is
//! recorded in the manifest without ending the collection.

mod account;
pub mod convert;
mod ec2;
mod eks;
mod iam;
pub mod images;
mod services;

use std::collections::BTreeSet;
use std::future::Future;

use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig};
use aws_sdk_eks::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::kubernetes::Collected;
use crate::{CollectError, Options, Recorder};

/// The SDK configuration: default credential chain and region chain, `--profile`,
/// `--region`, `--endpoint-url`, standard retries, and a rustls (ring) HTTPS client.
pub async fn load_config(options: &Options) -> Result<SdkConfig, CollectError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .retry_config(RetryConfig::standard().with_max_attempts(6));
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(CollectError::NoRegion);
    }
    Ok(config)
}

/// HTTPS (and plain HTTP, for a local endpoint) through rustls with ring, as the rest of
/// garrison: the SDK's default client would bring aws-lc, a second crypto library to build.
pub fn http_client() -> aws_sdk_eks::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// What every AWS task shares.
#[derive(Debug)]
pub struct Context<'a> {
    pub config: &'a SdkConfig,
    pub cluster: &'a str,
    pub recorder: &'a Recorder,
    pub(crate) permits: Semaphore,
    pub concurrency: usize,
}

impl Context<'_> {
    /// Makes one call (holding a concurrency permit) and records it: its converted output
    /// written to `file`, or its error. Returns the output for follow-up calls.
    pub async fn fetch<T, E>(
        &self,
        call: &str,
        file: &str,
        request: impl Future<Output = Result<T, E>>,
        convert: impl FnOnce(&T) -> Value,
    ) -> Option<T>
    where
        E: ErrorText,
    {
        let result = {
            let _permit = self.permits.acquire().await;
            request.await
        };
        match result {
            Ok(output) => {
                self.recorder.write(call, file, &convert(&output));
                Some(output)
            }
            Err(error) => {
                self.recorder.fail(call, file, &error.text());
                None
            }
        }
    }

    /// Runs `task` for each item, `concurrency` at a time (each call inside still takes a
    /// permit).
    pub async fn each<T, F, Fut>(&self, items: impl IntoIterator<Item = T>, task: F)
    where
        F: Fn(T) -> Fut,
        Fut: Future<Output = ()>,
    {
        use futures::StreamExt;
        futures::stream::iter(items)
            .for_each_concurrent(self.concurrency.max(1), task)
            .await;
    }

    /// Runs `task` for each item as [`Context::each`] does, and keeps what the tasks give (in
    /// the order they finish).
    pub async fn collect_each<T, R, F, Fut>(
        &self,
        items: impl IntoIterator<Item = T>,
        task: F,
    ) -> Vec<R>
    where
        F: Fn(T) -> Fut,
        Fut: Future<Output = Option<R>>,
    {
        use futures::StreamExt;
        futures::stream::iter(items)
            .map(task)
            .buffer_unordered(self.concurrency.max(1))
            .filter_map(std::future::ready)
            .collect()
            .await
    }
}

/// An error as the manifest records it: `Code: message` as the CLI prints it.
pub trait ErrorText {
    fn text(&self) -> String;
}

impl<E> ErrorText for SdkError<E, aws_sdk_eks::config::http::HttpResponse>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    fn text(&self) -> String {
        match (self.code(), self.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.to_string(),
            // An answer without the API's error shape (an HTML 404 from an endpoint that
            // does not implement the call, a proxy's error page): its HTTP status says more
            // than the parser's complaint, and the raw response is not worth keeping.
            _ => match self.raw_response() {
                Some(response) => format!(
                    "HTTP {}: not an answer of this API (the endpoint may not implement the call)",
                    response.status().as_u16()
                ),
                None => DisplayErrorContext(self).to_string(),
            },
        }
    }
}

/// Collects the AWS documents of `options.cluster`; returns the cluster ARN when
/// `describe-cluster` answered.
pub async fn collect(config: &SdkConfig, options: &Options, recorder: &Recorder) -> Option<String> {
    collect_with(config, options, recorder, &Collected::default()).await
}

/// [`collect`], also reading what the cluster's objects name: the IAM roles of its
/// ServiceAccounts (`eks.amazonaws.com/role-arn`) and the scan results of the ECR images its
/// workloads run.
pub async fn collect_with(
    config: &SdkConfig,
    options: &Options,
    recorder: &Recorder,
    kube: &Collected,
) -> Option<String> {
    let context = Context {
        config,
        cluster: &options.cluster,
        recorder,
        permits: Semaphore::new(options.concurrency.max(1)),
        concurrency: options.concurrency.max(1),
    };
    let images: BTreeSet<images::EcrImage> = kube
        .images
        .iter()
        .filter_map(|image| images::EcrImage::parse(image))
        .collect();
    let region = config.region().map(|region| region.as_ref().to_string());
    let cluster = eks::describe_cluster(&context).await;
    let cluster_arn = cluster.as_ref().and_then(|cluster| cluster.arn.clone());
    // Each service's future is boxed: joined in place they make one future too large for a
    // thread's stack in a debug build.
    let (referenced, repositories, (), ()) = tokio::join!(
        Box::pin(eks::collect(
            &context,
            cluster
                .as_ref()
                .and_then(|cluster| cluster.version.as_deref())
        )),
        Box::pin(services::collect(&context, cluster.as_ref())),
        Box::pin(ec2::collect(&context, cluster.as_ref())),
        Box::pin(account::collect(
            &context,
            cluster_arn.as_deref(),
            &images,
            kube.listed
        )),
    );
    // Roles named by the cluster, its node groups, add-ons, pod identity associations and
    // Fargate profiles.
    let mut roles = kube.service_account_roles.clone();
    roles.extend(referenced.roles);
    if let Some(cluster) = &cluster {
        roles.extend(cluster.role_arn.clone());
        if let Some(compute) = &cluster.compute_config {
            roles.extend(compute.node_role_arn.clone());
        }
    }
    let templates = async {
        // A node group that names no launch template launches from one EKS made, which its
        // Auto Scaling group names.
        let mut templates = referenced.templates;
        templates.extend(ec2::auto_scaling_groups(&context, referenced.auto_scaling_groups).await);
        let mut seen = Vec::new();
        templates.retain(|template| {
            let key = (
                template.id.clone(),
                template.name.clone(),
                template.version.clone(),
            );
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        ec2::launch_templates(&context, templates).await;
    };
    tokio::join!(
        Box::pin(iam::collect(&context, roles)),
        Box::pin(templates),
        Box::pin(images::collect(
            &context,
            region.as_deref(),
            &images,
            &repositories,
            kube.listed
        )),
    );
    cluster_arn
}
