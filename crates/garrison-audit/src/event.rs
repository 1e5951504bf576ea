//! The records detectors read: a Kubernetes audit `Event` (`audit.k8s.io/v1` and `v1beta1`) and
//! a CloudTrail record of the EKS API. Both borrow from the text they were parsed from: strings
//! without escapes are not copied, and the request and response bodies stay raw JSON until a
//! detector asks for the part it needs.

use std::borrow::Cow;
use std::cell::OnceCell;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::scan;

/// `authenticationv1.UserInfo` as the audit log records it.
#[derive(Clone, Debug, Default)]
pub struct UserInfo<'a> {
    pub username: Cow<'a, str>,
    /// `groups[]`, kept as JSON text (`None` when absent or `null`): few detectors read it.
    pub groups: Option<&'a str>,
}

/// `objectRef`: what the request was about. Absent for non-resource requests.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef<'a> {
    #[serde(default, borrow)]
    pub resource: Cow<'a, str>,
    #[serde(default, borrow)]
    pub namespace: Cow<'a, str>,
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub api_group: Cow<'a, str>,
    #[serde(default, borrow)]
    pub subresource: Cow<'a, str>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ResponseStatus {
    #[serde(default)]
    pub code: u16,
}

/// The annotations detectors read; the others are skipped without being kept.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Annotations<'a> {
    #[serde(default, borrow, rename = "authorization.k8s.io/decision")]
    pub decision: Option<Cow<'a, str>>,
}

/// Reads the members of a nested object with `each`, which gets each key unescaped and must
/// read its value from the [`scan::Members`]. A key `each` reads twice is refused, as serde
/// refuses a duplicate field: `each` returns a bit of its own for each key it reads.
fn read_object<'a>(
    members: &mut scan::Members<'a>,
    mut each: impl FnMut(&str, &mut scan::Members<'a>) -> Result<u32, String>,
) -> Result<(), String> {
    let mut inner = members.object().map_err(|e| e.to_string())?;
    let mut seen = 0u32;
    while let Some(key) = inner.next_key().map_err(|e| e.to_string())? {
        let key: Cow<'_, str> = if key.contains('\\') {
            Cow::Owned(
                serde_json::from_str::<String>(&format!("\"{key}\"")).map_err(|e| e.to_string())?,
            )
        } else {
            Cow::Borrowed(key)
        };
        let bit = each(&key, &mut inner)?;
        if seen & bit != 0 {
            return Err(format!("duplicate field `{key}`"));
        }
        seen |= bit;
    }
    members.close(inner).map_err(|e| e.to_string())
}

/// A string value, borrowed unless it has escapes.
fn read_string<'a>(members: &mut scan::Members<'a>) -> Result<Cow<'a, str>, String> {
    let value = members.value().map_err(|e| e.to_string())?;
    scan::string(value)
}

/// A value kept as JSON text; `None` for `null`.
fn raw<'a>(members: &mut scan::Members<'a>) -> Result<Option<&'a str>, String> {
    let value = members.value().map_err(|e| e.to_string())?;
    Ok((value != "null").then_some(value))
}

/// Any other value: stepped over.
fn skip(members: &mut scan::Members<'_>) -> Result<u32, String> {
    members.value().map_err(|e| e.to_string())?;
    Ok(0)
}

impl<'a> UserInfo<'a> {
    /// Reads `user` / `impersonatedUser` as serde would, in the event scan.
    fn read(members: &mut scan::Members<'a>) -> Result<UserInfo<'a>, String> {
        let mut user = UserInfo::default();
        read_object(members, |key, members| {
            Ok(match key {
                "username" => {
                    user.username = read_string(members)?;
                    1
                }
                "groups" => {
                    user.groups = raw(members)?;
                    2
                }
                _ => skip(members)?,
            })
        })?;
        Ok(user)
    }
}

impl<'a> ObjectRef<'a> {
    /// Reads `objectRef` as serde would, in the event scan.
    fn read(members: &mut scan::Members<'a>) -> Result<ObjectRef<'a>, String> {
        let mut object = ObjectRef::default();
        read_object(members, |key, members| {
            let (slot, bit) = match key {
                "resource" => (&mut object.resource, 1),
                "namespace" => (&mut object.namespace, 2),
                "name" => (&mut object.name, 4),
                "apiGroup" => (&mut object.api_group, 8),
                "subresource" => (&mut object.subresource, 16),
                _ => return skip(members),
            };
            *slot = read_string(members)?;
            Ok(bit)
        })?;
        Ok(object)
    }
}

impl ResponseStatus {
    /// Reads `responseStatus` as serde would, in the event scan.
    fn read(members: &mut scan::Members<'_>) -> Result<ResponseStatus, String> {
        let mut status = ResponseStatus::default();
        read_object(members, |key, members| {
            if key != "code" {
                return skip(members);
            }
            let value = members.value().map_err(|e| e.to_string())?;
            // Plain digits without a leading zero are read here; anything else as serde does.
            let bytes = value.as_bytes();
            let plain = !bytes.is_empty()
                && bytes.iter().all(u8::is_ascii_digit)
                && (bytes.len() == 1 || bytes[0] != b'0');
            status.code = match value.parse::<u16>() {
                Ok(code) if plain => code,
                _ => serde_json::from_str(value).map_err(|e| e.to_string())?,
            };
            Ok(1)
        })?;
        Ok(status)
    }
}

impl<'a> Annotations<'a> {
    /// Reads `annotations` as serde would, in the event scan.
    fn read(members: &mut scan::Members<'a>) -> Result<Annotations<'a>, String> {
        let mut annotations = Annotations::default();
        read_object(members, |key, members| {
            if key != "authorization.k8s.io/decision" {
                return skip(members);
            }
            annotations.decision = if members.null().map_err(|e| e.to_string())? {
                None
            } else {
                Some(read_string(members)?)
            };
            Ok(1)
        })?;
        Ok(annotations)
    }
}

/// One stage of one request of the Kubernetes API server's audit log.
#[derive(Clone, Debug, Default)]
pub struct AuditEvent<'a> {
    pub kind: Cow<'a, str>,
    pub audit_id: Cow<'a, str>,
    pub stage: Cow<'a, str>,
    pub request_uri: Cow<'a, str>,
    pub verb: Cow<'a, str>,
    pub user: UserInfo<'a>,
    pub impersonated_user: Option<UserInfo<'a>>,
    /// `sourceIPs[]` as JSON text (`None` when absent or `null`).
    pub source_ips: Option<&'a str>,
    pub user_agent: Cow<'a, str>,
    pub object_ref: Option<ObjectRef<'a>>,
    pub response_status: ResponseStatus,
    /// The request body's JSON text, parsed only when a detector asks ([`EventView::body`]).
    pub request_object: Option<&'a str>,
    pub stage_timestamp: Cow<'a, str>,
    pub annotations: Annotations<'a>,
    /// The text the event was parsed from, for user rules that read any field.
    pub raw: &'a str,
}

/// An `objectRef` with every field empty, for requests without one.
static NO_OBJECT: ObjectRef<'static> = ObjectRef {
    resource: Cow::Borrowed(""),
    namespace: Cow::Borrowed(""),
    name: Cow::Borrowed(""),
    api_group: Cow::Borrowed(""),
    subresource: Cow::Borrowed(""),
};

impl<'a> AuditEvent<'a> {
    /// Parses one event; `Err` says why the text is not one. The fields detectors read are
    /// parsed (strings without escapes borrowed); the others, the request and response bodies
    /// above all, are only stepped over (see [`crate::scan`]).
    pub fn parse(text: &'a str) -> Result<AuditEvent<'a>, String> {
        let mut event = AuditEvent {
            raw: text,
            ..AuditEvent::default()
        };
        let mut kind = None;
        let mut members = scan::Members::new(text).map_err(|e| e.to_string())?;
        while let Some(key) = members.next_key().map_err(|e| e.to_string())? {
            let context = |e: String| format!("{key}: {e}");
            let string = |members: &mut scan::Members<'a>| read_string(members).map_err(context);
            match key {
                "kind" => kind = Some(string(&mut members)?),
                "auditID" => event.audit_id = string(&mut members)?,
                "stage" => event.stage = string(&mut members)?,
                "requestURI" => event.request_uri = string(&mut members)?,
                "verb" => event.verb = string(&mut members)?,
                "userAgent" => event.user_agent = string(&mut members)?,
                "stageTimestamp" => event.stage_timestamp = string(&mut members)?,
                "user" => event.user = UserInfo::read(&mut members).map_err(context)?,
                "impersonatedUser" => {
                    event.impersonated_user =
                        if members.null().map_err(|e| context(e.to_string()))? {
                            None
                        } else {
                            Some(UserInfo::read(&mut members).map_err(context)?)
                        };
                }
                "sourceIPs" => event.source_ips = raw(&mut members).map_err(context)?,
                "objectRef" => {
                    event.object_ref = if members.null().map_err(|e| context(e.to_string()))? {
                        None
                    } else {
                        Some(ObjectRef::read(&mut members).map_err(context)?)
                    };
                }
                "responseStatus" => {
                    event.response_status = ResponseStatus::read(&mut members).map_err(context)?;
                }
                "annotations" => {
                    event.annotations = Annotations::read(&mut members).map_err(context)?;
                }
                "requestObject" => {
                    let value = members.value().map_err(|e| e.to_string())?;
                    event.request_object = (value != "null").then_some(value);
                }
                _ => {
                    members.value().map_err(|e| e.to_string())?;
                }
            }
        }
        event.kind = kind.ok_or("missing field `kind`")?;
        if event.kind != "Event" {
            return Err(format!("kind {:?} is not an audit Event", event.kind));
        }
        Ok(event)
    }

    pub fn object(&self) -> &ObjectRef<'a> {
        self.object_ref.as_ref().unwrap_or(&NO_OBJECT)
    }

    pub fn resource(&self) -> &str {
        &self.object().resource
    }

    pub fn subresource(&self) -> &str {
        &self.object().subresource
    }

    pub fn namespace(&self) -> &str {
        &self.object().namespace
    }

    pub fn name(&self) -> &str {
        &self.object().name
    }

    pub fn username(&self) -> &str {
        &self.user.username
    }

    pub fn complete(&self) -> bool {
        self.stage == "ResponseComplete"
    }

    /// `responseStatus.code` is 2xx.
    pub fn successful(&self) -> bool {
        (200..300).contains(&self.response_status.code)
    }

    /// The request URI without its query.
    pub fn path(&self) -> &str {
        self.request_uri
            .split_once('?')
            .map_or(&*self.request_uri, |(path, _)| path)
    }

    /// The first source IP (the client as the API server saw it, unless a proxy added others).
    pub fn source_ip(&self) -> Cow<'_, str> {
        let Some(raw) = self.source_ips else {
            return Cow::Borrowed("");
        };
        // `["203.0.113.7", ...]`: the first string, borrowed unless it has escapes.
        let text = raw.trim_start_matches(['[', ' ', '\n', '\r', '\t']);
        if let Some(rest) = text.strip_prefix('"')
            && let Some(end) = rest.find(['"', '\\'])
            && rest.as_bytes()[end] == b'"'
        {
            return Cow::Borrowed(&rest[..end]);
        }
        serde_json::from_str::<Vec<Cow<'_, str>>>(raw)
            .ok()
            .and_then(|ips| ips.into_iter().next())
            .map_or(Cow::Borrowed(""), |ip| Cow::Owned(ip.into_owned()))
    }

    pub fn groups(&self) -> Vec<String> {
        self.user
            .groups
            .and_then(|raw| serde_json::from_str::<Vec<String>>(raw).ok())
            .unwrap_or_default()
    }

    /// `stageTimestamp` in microseconds since the Unix epoch, `None` when it is not RFC 3339.
    pub fn time_micros(&self) -> Option<i64> {
        rfc3339_micros(&self.stage_timestamp)
    }

    /// Who made the request, for per-principal state: the impersonated user when there is one
    /// (the identity the request ran as), else the user.
    pub fn principal(&self) -> &str {
        match &self.impersonated_user {
            Some(impersonated) if !impersonated.username.is_empty() => &impersonated.username,
            _ => &self.user.username,
        }
    }

    /// A query parameter of the request URI (all values joined with a space), e.g. exec's `command`.
    pub fn query_param(&self, key: &str) -> Option<String> {
        let (_, query) = self.request_uri.split_once('?')?;
        let values: Vec<&str> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .collect();
        (!values.is_empty()).then(|| values.join(" "))
    }
}

/// An RFC 3339 time (`2026-11-29T10:00:00.123456Z`, or with a `+01:00` offset) in
/// microseconds since the Unix epoch. Written out because the audit time is read per event on
/// the hot path of the stateful detectors and a general date library is not needed for one
/// format.
pub fn rfc3339_micros(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0i64, |value, digit| {
            digit
                .is_ascii_digit()
                .then(|| value * 10 + i64::from(digit - b'0'))
        })
    };
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut micros = 0i64;
    if bytes[at] == b'.' {
        at += 1;
        let start = at;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            if at - start < 6 {
                micros = micros * 10 + i64::from(bytes[at] - b'0');
            }
            at += 1;
        }
        let digits = (at - start).min(6);
        if digits == 0 {
            return None;
        }
        micros *= 10i64.pow(u32::try_from(6 - digits).ok()?);
    }
    let offset = match bytes.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = number(at + 1..at + 3)? * 60 + number(at + 4..at + 6)?;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
    Some(seconds * 1_000_000 + micros)
}

/// A container of a pod in a request body, with the fields detectors read.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container<'a> {
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub image: Cow<'a, str>,
    #[serde(default)]
    pub security_context: Option<SecurityContext>,
    #[serde(default, borrow)]
    pub volume_mounts: Vec<VolumeMount<'a>>,
    #[serde(default, borrow)]
    pub command: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub args: Vec<Cow<'a, str>>,
}

impl Container<'_> {
    pub fn privileged(&self) -> bool {
        self.security_context
            .as_ref()
            .and_then(|context| context.privileged)
            .unwrap_or(false)
    }

    /// The image without its tag or digest, as Falco's `image.repository`.
    pub fn repository(&self) -> &str {
        image_repository(&self.image)
    }
}

/// `nginx:1.25` → `nginx`, `registry:5000/app@sha256:…` → `registry:5000/app`.
pub fn image_repository(image: &str) -> &str {
    let image = image.split_once('@').map_or(image, |(name, _)| name);
    let last = image.rfind('/').map_or(0, |slash| slash + 1);
    match image[last..].find(':') {
        Some(colon) => &image[..last + colon],
        None => image,
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    #[serde(default)]
    pub privileged: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount<'a> {
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub mount_path: Cow<'a, str>,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostPath<'a> {
    #[serde(default, borrow)]
    pub path: Cow<'a, str>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume<'a> {
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub host_path: Option<HostPath<'a>>,
}

/// A `spec` as pods, services and ingresses have it (the fields detectors read, all optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec<'a> {
    #[serde(default, borrow)]
    pub containers: Vec<Container<'a>>,
    #[serde(default, borrow)]
    pub init_containers: Vec<Container<'a>>,
    #[serde(default, borrow)]
    pub ephemeral_containers: Vec<Container<'a>>,
    #[serde(default, borrow)]
    pub volumes: Vec<Volume<'a>>,
    #[serde(default)]
    pub host_network: bool,
    /// A Service's `type`.
    #[serde(default, borrow, rename = "type")]
    pub service_type: Cow<'a, str>,
    #[serde(default, borrow)]
    pub selector: Option<&'a RawValue>,
    /// An Ingress's `tls`.
    #[serde(default, borrow)]
    pub tls: Option<&'a RawValue>,
    /// A workload's pod template (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job).
    #[serde(default, borrow)]
    pub template: Option<Box<PodTemplate<'a>>>,
    #[serde(default, rename = "hostPID")]
    pub host_pid: bool,
    #[serde(default, rename = "hostIPC")]
    pub host_ipc: bool,
}

impl<'a> PodSpec<'a> {
    /// Init, regular and ephemeral containers.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container<'a>> {
        self.init_containers
            .iter()
            .chain(&self.containers)
            .chain(&self.ephemeral_containers)
    }

    /// Falco's `ka.req.pod.containers.image.repository in (LIST)`: `in` on a field with several
    /// values holds when every value is in the list, so one untrusted container is enough to
    /// leave a pod unexcused.
    pub fn all_images_in(&self, list: &[String]) -> bool {
        !self.containers.is_empty()
            && self
                .containers
                .iter()
                .all(|container| list.iter().any(|item| item == container.repository()))
    }

    pub fn host_paths(&self) -> impl Iterator<Item = &str> {
        self.volumes
            .iter()
            .filter_map(|volume| volume.host_path.as_ref().map(|path| &*path.path))
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PodTemplate<'a> {
    #[serde(default, borrow)]
    pub spec: Option<PodSpec<'a>>,
}

/// The elements of an array, each read by `each`.
fn read_array<'a, T>(
    members: &mut scan::Members<'a>,
    mut each: impl FnMut(&mut scan::Members<'a>) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut inner = members.array().map_err(|e| e.to_string())?;
    let mut items = Vec::new();
    while inner.next_element().map_err(|e| e.to_string())? {
        items.push(each(&mut inner)?);
    }
    members.close(inner).map_err(|e| e.to_string())?;
    Ok(items)
}

fn read_bool(members: &mut scan::Members<'_>) -> Result<bool, String> {
    match members.value().map_err(|e| e.to_string())? {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("invalid type: {other}, expected a boolean")),
    }
}

/// `None` for `null`, else what `read` makes of the value (as serde reads an `Option`).
fn read_option<'a, T>(
    members: &mut scan::Members<'a>,
    read: impl FnOnce(&mut scan::Members<'a>) -> Result<T, String>,
) -> Result<Option<T>, String> {
    if members.null().map_err(|e| e.to_string())? {
        Ok(None)
    } else {
        read(members).map(Some)
    }
}

impl<'a> PodSpec<'a> {
    /// Reads a `spec` in the body scan, as serde reads [`PodSpec`] (the members detectors do
    /// not read stepped over).
    fn read(members: &mut scan::Members<'a>) -> Result<PodSpec<'a>, String> {
        let mut spec = PodSpec::default();
        read_object(members, |key, members| {
            Ok(match key {
                "containers" => {
                    spec.containers = read_array(members, Container::read)?;
                    1
                }
                "initContainers" => {
                    spec.init_containers = read_array(members, Container::read)?;
                    2
                }
                "ephemeralContainers" => {
                    spec.ephemeral_containers = read_array(members, Container::read)?;
                    4
                }
                "volumes" => {
                    spec.volumes = read_array(members, Volume::read)?;
                    8
                }
                "hostNetwork" => {
                    spec.host_network = read_bool(members)?;
                    16
                }
                "type" => {
                    spec.service_type = read_string(members)?;
                    32
                }
                "selector" => {
                    spec.selector = members.deserialize()?;
                    64
                }
                "tls" => {
                    spec.tls = members.deserialize()?;
                    128
                }
                "template" => {
                    spec.template =
                        read_option(members, |members| PodTemplate::read(members).map(Box::new))?;
                    256
                }
                "hostPID" => {
                    spec.host_pid = read_bool(members)?;
                    512
                }
                "hostIPC" => {
                    spec.host_ipc = read_bool(members)?;
                    1024
                }
                _ => skip(members)?,
            })
        })?;
        Ok(spec)
    }
}

impl<'a> PodTemplate<'a> {
    fn read(members: &mut scan::Members<'a>) -> Result<PodTemplate<'a>, String> {
        let mut template = PodTemplate::default();
        read_object(members, |key, members| {
            if key != "spec" {
                return skip(members);
            }
            template.spec = read_option(members, PodSpec::read)?;
            Ok(1)
        })?;
        Ok(template)
    }
}

impl<'a> Container<'a> {
    fn read(members: &mut scan::Members<'a>) -> Result<Container<'a>, String> {
        let mut container = Container::default();
        read_object(members, |key, members| {
            Ok(match key {
                "name" => {
                    container.name = read_string(members)?;
                    1
                }
                "image" => {
                    container.image = read_string(members)?;
                    2
                }
                "securityContext" => {
                    container.security_context = read_option(members, SecurityContext::read)?;
                    4
                }
                "volumeMounts" => {
                    container.volume_mounts = read_array(members, VolumeMount::read)?;
                    8
                }
                "command" => {
                    container.command = read_array(members, read_string)?;
                    16
                }
                "args" => {
                    container.args = read_array(members, read_string)?;
                    32
                }
                _ => skip(members)?,
            })
        })?;
        Ok(container)
    }
}

impl SecurityContext {
    fn read(members: &mut scan::Members<'_>) -> Result<SecurityContext, String> {
        let mut context = SecurityContext::default();
        read_object(members, |key, members| {
            if key != "privileged" {
                return skip(members);
            }
            context.privileged = read_option(members, read_bool)?;
            Ok(1)
        })?;
        Ok(context)
    }
}

impl<'a> VolumeMount<'a> {
    fn read(members: &mut scan::Members<'a>) -> Result<VolumeMount<'a>, String> {
        let mut mount = VolumeMount::default();
        read_object(members, |key, members| {
            Ok(match key {
                "name" => {
                    mount.name = read_string(members)?;
                    1
                }
                "mountPath" => {
                    mount.mount_path = read_string(members)?;
                    2
                }
                "readOnly" => {
                    mount.read_only = read_bool(members)?;
                    4
                }
                _ => skip(members)?,
            })
        })?;
        Ok(mount)
    }
}

impl<'a> Volume<'a> {
    fn read(members: &mut scan::Members<'a>) -> Result<Volume<'a>, String> {
        let mut volume = Volume::default();
        read_object(members, |key, members| {
            Ok(match key {
                "name" => {
                    volume.name = read_string(members)?;
                    1
                }
                "hostPath" => {
                    volume.host_path = read_option(members, |members| {
                        let mut host_path = HostPath::default();
                        read_object(members, |key, members| {
                            if key != "path" {
                                return skip(members);
                            }
                            host_path.path = read_string(members)?;
                            Ok(1)
                        })?;
                        Ok(host_path)
                    })?;
                    2
                }
                _ => skip(members)?,
            })
        })?;
        Ok(volume)
    }
}

/// The parts of request bodies detectors read: pods, workload templates, roles, bindings,
/// services. Unknown fields are skipped.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestBody<'a> {
    #[serde(default, borrow)]
    pub spec: Option<PodSpec<'a>>,
    #[serde(default, borrow)]
    pub rules: Vec<PolicyRule<'a>>,
    #[serde(default, borrow)]
    pub role_ref: Option<RoleRef<'a>>,
    #[serde(default, borrow)]
    pub subjects: Vec<Subject<'a>>,
    #[serde(default, borrow)]
    pub data: Option<&'a RawValue>,
}

impl<'a> RequestBody<'a> {
    /// Reads a request body as serde would, in one pass, except that the members detectors do
    /// not read (`metadata`, whose annotations may hold the whole last-applied object, `status`,
    /// `kind`, ...) are stepped over by the event scan instead of being parsed. A body that is
    /// not an object (a JSON patch) is refused.
    pub fn scan(raw: &'a str) -> Result<RequestBody<'a>, String> {
        let mut body = RequestBody::default();
        let mut members = scan::Members::new(raw).map_err(|e| e.to_string())?;
        let mut seen = 0u32;
        while let Some(key) = members.next_key().map_err(|e| e.to_string())? {
            let context = |e: String| format!("{key}: {e}");
            let bit = match key {
                "spec" => {
                    body.spec = read_option(&mut members, PodSpec::read).map_err(context)?;
                    1
                }
                "rules" => {
                    body.rules = members.deserialize().map_err(context)?;
                    2
                }
                "roleRef" => {
                    body.role_ref = members.deserialize().map_err(context)?;
                    4
                }
                "subjects" => {
                    body.subjects = members.deserialize().map_err(context)?;
                    8
                }
                "data" => {
                    body.data = members.deserialize().map_err(context)?;
                    16
                }
                _ => {
                    members.value().map_err(|e| e.to_string())?;
                    0
                }
            };
            if seen & bit != 0 {
                return Err(format!("duplicate field `{key}`"));
            }
            seen |= bit;
        }
        Ok(body)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule<'a> {
    #[serde(default, borrow)]
    pub verbs: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub resources: Vec<Cow<'a, str>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RoleRef<'a> {
    #[serde(default, borrow)]
    pub kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Subject<'a> {
    #[serde(default, borrow)]
    pub kind: Cow<'a, str>,
    #[serde(default, borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub namespace: Cow<'a, str>,
}

/// An audit event and its request body, parsed on first use and shared by every detector.
#[derive(Debug)]
pub struct EventView<'e, 'a> {
    pub event: &'e AuditEvent<'a>,
    body: OnceCell<Option<RequestBody<'a>>>,
}

impl<'e, 'a> EventView<'e, 'a> {
    pub fn new(event: &'e AuditEvent<'a>) -> Self {
        EventView {
            event,
            body: OnceCell::new(),
        }
    }

    /// The request body's fields detectors read; `None` without a body (Metadata level) or
    /// when it is not an object (a JSON patch).
    pub fn body(&self) -> Option<&RequestBody<'a>> {
        self.body
            .get_or_init(|| {
                let raw = self.event.request_object?;
                RequestBody::scan(raw).ok()
            })
            .as_ref()
    }

    /// The pod spec of a pod request.
    pub fn pod_spec(&self) -> Option<&PodSpec<'a>> {
        self.body()?.spec.as_ref()
    }

    /// The pod spec of a pod, or the pod template of a workload, in the request body.
    pub fn workload_spec(&self) -> Option<&PodSpec<'a>> {
        match self.event.resource() {
            "pods" if self.event.subresource().is_empty() => self.pod_spec(),
            "deployments"
            | "daemonsets"
            | "statefulsets"
            | "replicasets"
            | "jobs"
            | "replicationcontrollers" => self.pod_spec()?.template.as_ref()?.spec.as_ref(),
            _ => None,
        }
    }
}

/// A CloudTrail record (the fields detectors read).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudTrailRecord<'a> {
    #[serde(default, borrow)]
    pub event_source: Cow<'a, str>,
    #[serde(borrow)]
    pub event_name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub event_time: Cow<'a, str>,
    #[serde(default, borrow, rename = "eventID")]
    pub event_id: Cow<'a, str>,
    #[serde(default, borrow)]
    pub aws_region: Cow<'a, str>,
    #[serde(default, borrow, rename = "sourceIPAddress")]
    pub source_ip_address: Cow<'a, str>,
    #[serde(default, borrow)]
    pub user_agent: Cow<'a, str>,
    #[serde(default, borrow)]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub user_identity: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub request_parameters: Option<&'a RawValue>,
}

impl CloudTrailRecord<'_> {
    pub fn is_eks(&self) -> bool {
        self.event_source == "eks.amazonaws.com"
    }

    /// The call succeeded (CloudTrail records failures with an `errorCode`).
    pub fn succeeded(&self) -> bool {
        self.error_code.is_none()
    }

    /// `requestParameters` as a JSON value (`Null` when absent).
    pub fn parameters(&self) -> serde_json::Value {
        self.request_parameters
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// `userIdentity.arn`, the caller.
    pub fn caller(&self) -> String {
        self.user_identity
            .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw.get()).ok())
            .and_then(|identity| {
                identity
                    .get("arn")
                    .and_then(|arn| arn.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default()
    }

    /// The cluster the call was about (`requestParameters.name` or `.clusterName`).
    pub fn cluster(&self) -> String {
        let parameters = self.parameters();
        ["name", "clusterName"]
            .iter()
            .find_map(|key| parameters.get(key).and_then(|v| v.as_str()))
            .unwrap_or_default()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn image_repository_strips_tag_and_digest() {
        assert_eq!(image_repository("nginx"), "nginx");
        assert_eq!(image_repository("nginx:1.25"), "nginx");
        assert_eq!(
            image_repository("registry:5000/team/app:v1"),
            "registry:5000/team/app"
        );
        assert_eq!(image_repository("quay.io/a/b@sha256:abc"), "quay.io/a/b");
    }

    #[test]
    fn allow_lists_excuse_a_pod_only_when_every_container_is_on_them() {
        let spec: PodSpec<'_> = serde_json::from_str(
            r#"{"containers": [{"name": "a", "image": "nginx:1.27"}, {"name": "b", "image": "evil/miner"}]}"#,
        )
        .unwrap();
        let nginx = vec!["nginx".to_string()];
        assert!(!spec.all_images_in(&nginx));
        let both = vec!["nginx".to_string(), "evil/miner".to_string()];
        assert!(spec.all_images_in(&both));
        assert!(!PodSpec::default().all_images_in(&both));
    }

    #[test]
    fn rfc3339_times_in_microseconds() {
        assert_eq!(rfc3339_micros("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_micros("2026-11-29T10:00:00.5Z"),
            Some(1_795_946_400_500_000)
        );
        assert_eq!(
            rfc3339_micros("2026-11-29T11:00:00.000001+01:00"),
            Some(1_795_946_400_000_001)
        );
        assert_eq!(
            rfc3339_micros("2018-10-25T13:58:49.730588Z"),
            Some(1_540_475_929_730_588)
        );
        assert_eq!(rfc3339_micros("2026-13-01T00:00:00Z"), None);
        assert_eq!(rfc3339_micros("yesterday"), None);
        assert_eq!(rfc3339_micros("2026-11-29T10:00:00"), None);
    }

    #[test]
    fn events_borrow_and_reject_other_kinds() {
        let text = r#"{"kind":"Event","verb":"get","user":{"username":"u"},"requestURI":"/api/v1/pods?limit=5&watch=1"}"#;
        let event = AuditEvent::parse(text).unwrap();
        assert!(matches!(event.verb, Cow::Borrowed(_)));
        assert_eq!(event.path(), "/api/v1/pods");
        assert_eq!(event.query_param("limit").as_deref(), Some("5"));
        assert!(AuditEvent::parse(r#"{"kind": 0}"#).is_err());
        assert!(AuditEvent::parse(r#"{"kind": "EventList", "items": []}"#).is_err());
    }
}
