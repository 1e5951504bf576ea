//! `aws guardduty …` documents. The CLI and SDKs print PascalCase; the REST wire format (and
//! tools that store raw responses) use camelCase. Every member accepts both.

use serde::Deserialize;

use super::list;

/// `list-detectors.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListDetectors {
    #[serde(
        rename = "DetectorIds",
        alias = "detectorIds",
        default,
        deserialize_with = "list"
    )]
    pub detector_ids: Vec<String>,
}

/// `get-detector.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Detector {
    #[serde(rename = "Status", alias = "status")]
    pub status: Option<String>,
    #[serde(rename = "DataSources", alias = "dataSources")]
    pub data_sources: Option<DataSources>,
    #[serde(
        rename = "Features",
        alias = "features",
        default,
        deserialize_with = "list"
    )]
    pub features: Vec<Feature>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DataSources {
    #[serde(rename = "Kubernetes", alias = "kubernetes")]
    pub kubernetes: Option<KubernetesDataSource>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct KubernetesDataSource {
    #[serde(rename = "AuditLogs", alias = "auditLogs")]
    pub audit_logs: Option<StatusOnly>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct StatusOnly {
    #[serde(rename = "Status", alias = "status")]
    pub status: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Feature {
    #[serde(rename = "Name", alias = "name")]
    pub name: Option<String>,
    #[serde(rename = "Status", alias = "status")]
    pub status: Option<String>,
    #[serde(
        rename = "AdditionalConfiguration",
        alias = "additionalConfiguration",
        default,
        deserialize_with = "list"
    )]
    pub additional_configuration: Vec<AdditionalConfiguration>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AdditionalConfiguration {
    #[serde(rename = "Name", alias = "name")]
    pub name: Option<String>,
    #[serde(rename = "Status", alias = "status")]
    pub status: Option<String>,
}

impl Detector {
    pub fn enabled(&self) -> bool {
        self.status.as_deref() == Some("ENABLED")
    }

    /// The first feature with one of `names`, in the order given (prefer the newer name).
    pub fn feature(&self, names: &[&str]) -> Option<(usize, &Feature)> {
        names.iter().find_map(|name| {
            self.features
                .iter()
                .enumerate()
                .find(|(_, feature)| feature.name.as_deref() == Some(name))
        })
    }

    /// Whether any of `names` is ENABLED.
    pub fn feature_enabled(&self, names: &[&str]) -> Option<(usize, &Feature)> {
        self.features.iter().enumerate().find(|(_, feature)| {
            feature.status.as_deref() == Some("ENABLED")
                && feature
                    .name
                    .as_deref()
                    .is_some_and(|name| names.contains(&name))
        })
    }
}

/// `list-coverage.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListCoverage {
    #[serde(
        rename = "Resources",
        alias = "resources",
        default,
        deserialize_with = "list"
    )]
    pub resources: Vec<CoverageResource>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CoverageResource {
    #[serde(rename = "ResourceId", alias = "resourceId")]
    pub resource_id: Option<String>,
    /// `HEALTHY` or `UNHEALTHY`.
    #[serde(rename = "CoverageStatus", alias = "coverageStatus")]
    pub coverage_status: Option<String>,
    #[serde(rename = "Issue", alias = "issue")]
    pub issue: Option<String>,
    #[serde(rename = "ResourceDetails", alias = "resourceDetails")]
    pub resource_details: Option<CoverageDetails>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CoverageDetails {
    #[serde(rename = "ResourceType", alias = "resourceType")]
    pub resource_type: Option<String>,
    #[serde(rename = "EksClusterDetails", alias = "eksClusterDetails")]
    pub eks_cluster_details: Option<EksCoverage>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EksCoverage {
    #[serde(rename = "ClusterName", alias = "clusterName")]
    pub cluster_name: Option<String>,
    #[serde(rename = "CoveredNodes", alias = "coveredNodes")]
    pub covered_nodes: Option<i64>,
    #[serde(rename = "CompatibleNodes", alias = "compatibleNodes")]
    pub compatible_nodes: Option<i64>,
    #[serde(rename = "ManagementType", alias = "managementType")]
    pub management_type: Option<String>,
}

/// `get-findings.json`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct GetFindings {
    #[serde(
        rename = "Findings",
        alias = "findings",
        default,
        deserialize_with = "list"
    )]
    pub findings: Vec<GuardDutyFinding>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct GuardDutyFinding {
    #[serde(rename = "Id", alias = "id")]
    pub id: Option<String>,
    #[serde(rename = "Type", alias = "type")]
    pub finding_type: Option<String>,
    #[serde(rename = "Severity", alias = "severity")]
    pub severity: Option<f64>,
    #[serde(rename = "Title", alias = "title")]
    pub title: Option<String>,
    #[serde(rename = "Resource", alias = "resource")]
    pub resource: Option<serde_json::Value>,
    #[serde(rename = "Service", alias = "service")]
    pub service: Option<serde_json::Value>,
}

impl GuardDutyFinding {
    /// The EKS cluster a finding is about, in either casing.
    pub fn cluster_name(&self) -> Option<&str> {
        let resource = self.resource.as_ref()?;
        let details = resource
            .get("EksClusterDetails")
            .or_else(|| resource.get("eksClusterDetails"))?;
        details
            .get("Name")
            .or_else(|| details.get("name"))?
            .as_str()
    }

    /// Whether the finding was archived by the user.
    pub fn archived(&self) -> bool {
        self.service
            .as_ref()
            .and_then(|service| service.get("Archived").or_else(|| service.get("archived")))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }
}
