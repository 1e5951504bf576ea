//! The kubelet's live configuration: `GET /api/v1/nodes/<node>/proxy/configz`, stored as
//! `k8s/nodes/<node>.configz.json` (`{"kubeletconfig": {…}}`, camelCase).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::list;

#[derive(Clone, Debug, Deserialize)]
pub struct Configz {
    pub kubeletconfig: KubeletConfig,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeletConfig {
    pub authentication: Option<Authentication>,
    pub authorization: Option<Authorization>,
    pub read_only_port: Option<i64>,
    /// A Go duration: `4h0m0s`; `0s` disables the timeout.
    pub streaming_connection_idle_timeout: Option<String>,
    #[serde(rename = "makeIPTablesUtilChains")]
    pub make_ip_tables_util_chains: Option<bool>,
    #[serde(rename = "eventRecordQPS")]
    pub event_record_qps: Option<i64>,
    pub rotate_certificates: Option<bool>,
    #[serde(rename = "serverTLSBootstrap")]
    pub server_tls_bootstrap: Option<bool>,
    #[serde(default)]
    pub feature_gates: BTreeMap<String, bool>,
    pub protect_kernel_defaults: Option<bool>,
    #[serde(default, deserialize_with = "list")]
    pub tls_cipher_suites: Vec<String>,
    pub tls_min_version: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Authentication {
    pub anonymous: Option<Toggle>,
    pub webhook: Option<Toggle>,
    pub x509: Option<X509>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Toggle {
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct X509 {
    #[serde(rename = "clientCAFile")]
    pub client_ca_file: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Authorization {
    pub mode: Option<String>,
}

/// `true` when a Go duration such as `0s`, `0`, `0h0m0s` is zero.
pub fn duration_is_zero(text: &str) -> bool {
    text.chars()
        .filter(char::is_ascii_digit)
        .all(|digit| digit == '0')
}
