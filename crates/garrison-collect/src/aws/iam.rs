//! `aws iam …` (PascalCase): each role the cluster names (`roles/<name>.role.json`,
//! `.attached.json`, `.inline.json`) and the account's OIDC providers.
//!
//! Policy documents stay URL-encoded as the API returns them; the snapshot model decodes both
//! that and the CLI's decoded object.

use std::collections::BTreeSet;

use aws_sdk_iam::Client;
use aws_sdk_iam::types::{AttachedPolicy, Role, Tag};

use super::Context;
use super::convert::{ToJson, cli, to_json};
use crate::safe_file_name;

to_json! {
    Role => |r| cli! {
        "Path" => r.path, "RoleName" => r.role_name, "RoleId" => r.role_id, "Arn" => r.arn,
        "AssumeRolePolicyDocument" => r.assume_role_policy_document,
        "Description" => r.description, "Tags" => r.tags,
    };
    Tag => |t| cli! { "Key" => t.key, "Value" => t.value };
    AttachedPolicy => |p| cli! { "PolicyName" => p.policy_name, "PolicyArn" => p.policy_arn };
}

pub async fn collect(context: &Context<'_>, role_arns: Vec<String>) {
    let client = Client::new(context.config);
    let names: BTreeSet<String> = role_arns
        .iter()
        .map(|arn| garrison_role_name(arn).to_string())
        .filter(|name| !name.is_empty())
        .collect();
    let providers = context.fetch(
        "iam:ListOpenIDConnectProviders",
        "aws/iam/list-open-id-connect-providers.json",
        client.list_open_id_connect_providers().send(),
        |output| {
            cli! {
                "OpenIDConnectProviderList" => output
                    .open_id_connect_provider_list
                    .as_ref()
                    .map(|list| list.iter().map(|p| cli! { "Arn" => p.arn }).collect::<Vec<_>>()),
            }
        },
    );
    let roles = context.each(names, |name| {
        let client = &client;
        async move { role(context, client, &name).await }
    });
    tokio::join!(providers, roles);
}

/// The role name of a role ARN (`arn:aws:iam::1:role/path/name` → `name`), as the snapshot
/// model keys it.
fn garrison_role_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

async fn role(context: &Context<'_>, client: &Client, name: &str) {
    let stem = format!("aws/iam/roles/{}", safe_file_name(name));
    let (role_file, attached_file) = (format!("{stem}.role.json"), format!("{stem}.attached.json"));
    let got = context.fetch(
        "iam:GetRole",
        &role_file,
        client.get_role().role_name(name).send(),
        |output| cli! { "Role" => output.role },
    );
    let attached = context.fetch(
        "iam:ListAttachedRolePolicies",
        &attached_file,
        client
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        |policies| cli! { "AttachedPolicies" => policies },
    );
    let inline = async {
        let file = format!("{stem}.inline.json");
        let listed = {
            let _permit = context.permits.acquire().await;
            client
                .list_role_policies()
                .role_name(name)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
        };
        let names = match listed {
            Ok(names) => names,
            Err(error) => {
                let text = super::ErrorText::text(&error);
                context.recorder.fail("iam:ListRolePolicies", &file, &text);
                return;
            }
        };
        let mut policies = Vec::new();
        for policy in names {
            let _permit = context.permits.acquire().await;
            match client
                .get_role_policy()
                .role_name(name)
                .policy_name(&policy)
                .send()
                .await
            {
                Ok(output) => policies.push(cli! {
                    "RoleName" => output.role_name,
                    "PolicyName" => output.policy_name,
                    "PolicyDocument" => output.policy_document,
                }),
                Err(error) => {
                    let text = super::ErrorText::text(&error);
                    context.recorder.fail("iam:GetRolePolicy", &file, &text);
                    return;
                }
            }
        }
        context
            .recorder
            .write("iam:GetRolePolicy", &file, &policies.to_json());
    };
    tokio::join!(got, attached, inline);
}
