//! The HTML report, opened in headless Chromium (Debian's `chromium`, which `scripts/test.sh`
//! installs) and driven over the DevTools protocol: the page's counts must equal the JSON
//! result's, its filters, sorting and detail view must work, it must make no network request,
//! and strings from findings must stay text. A screenshot of each page is saved under
//! `target/test-artifacts/`. Without Chromium the tests fail, saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// How long any one step in the browser may take before the test gives up.
const TIMEOUT: Duration = Duration::from_secs(90);

const ALL: [&str; 2] = ["--include-passed", "--show-suppressed"];

// --- running garrison ---------------------------------------------------------------------

fn garrison_stdout(args: &[&str]) -> String {
    let output = common::garrison(args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "garrison {args:?} failed: {}",
        common::stderr(&output)
    );
    common::stdout(&output)
}

fn scan(format: &str, extra: &[&str]) -> String {
    let mut args = vec!["scan", "--demo", "--format", format];
    args.extend_from_slice(extra);
    garrison_stdout(&args)
}

fn artifacts() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `target/tmp`; the artifacts go beside it.
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts");
    std::fs::create_dir_all(&directory).unwrap();
    directory
}

// --- a minimal DevTools protocol client -----------------------------------------------------

/// A proxy that answers nothing and records every connection: the browser is pointed at it, so a
/// request that would leave the machine arrives here instead.
struct Trap {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Trap {
    fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen_in, stop_in) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop_in.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_secs(2)))
                            .unwrap();
                        let mut first = String::new();
                        let _ = BufReader::new(stream).read_line(&mut first);
                        seen_in.lock().unwrap().push(first.trim().to_string());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Trap { port, seen, stop }
    }

    fn connections(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Headless Chromium with one page, attached over the DevTools protocol.
struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    events: Vec<Value>,
    trap: Trap,
    _profile: tempfile::TempDir,
}

fn chromium() -> String {
    let name = std::env::var("GARRISON_CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    let found = Command::new(&name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        found,
        "headless Chromium is missing: `{name} --version` did not run. These tests need it: \
         install Debian's package with `apt-get install -y chromium` (scripts/test.sh does), or \
         set GARRISON_CHROMIUM to a Chromium binary"
    );
    name
}

impl Browser {
    fn launch() -> Browser {
        let binary = chromium();
        let profile = tempfile::tempdir().unwrap();
        let trap = Trap::start();
        let mut child = Command::new(&binary)
            .args([
                "--headless",
                // Tests run as root in CI, where Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                // Every request, loopback included, goes to the trap.
                &format!("--proxy-server=http://127.0.0.1:{}", trap.port),
                "--proxy-bypass-list=<-loopback>",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        // Chromium prints the browser's WebSocket address on standard error; the rest of its
        // output is drained so that it never blocks on a full pipe.
        let stderr = child.stderr.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            let mut log = Vec::new();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("DevTools listening on ") {
                    let _ = sender.send(Ok(address.trim().to_string()));
                    break;
                }
                log.push(line);
            }
            let _ = sender.send(Err(log.join("\n")));
            for _ in lines {}
        });
        let address = match receiver.recv_timeout(TIMEOUT) {
            Ok(Ok(address)) => address,
            Ok(Err(log)) => panic!("{binary} exited without a DevTools address:\n{log}"),
            Err(_) => panic!("{binary} printed no DevTools address in {TIMEOUT:?}"),
        };
        let host = address
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("unexpected DevTools address {address}"));
        let stream = TcpStream::connect(host).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let (socket, _) = tungstenite::client(address.as_str(), stream)
            .unwrap_or_else(|error| panic!("WebSocket handshake with {address}: {error}"));
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            trap,
            _profile: profile,
        };
        let target = browser.send(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.send(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Network.enable", "Runtime.enable"] {
            browser.call(domain, json!({}));
        }
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false}),
        );
        // Content-Security-Policy violations would mean the page tried to load something.
        browser.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"}),
        );
        browser
    }

    /// Sends a command (to the page's session unless `session` is None for the browser) and
    /// returns its result, keeping the events that arrive meanwhile.
    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|error| panic!("sending {method}: {error}"));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(
                Instant::now() < deadline,
                "{method} had no answer in {TIMEOUT:?}"
            );
            let reply = self.read(method);
            if reply["id"] == id {
                if let Some(error) = reply.get("error") {
                    panic!("{method} failed: {error}");
                }
                return reply["result"].clone();
            }
            if reply.get("method").is_some() {
                self.events.push(reply);
            }
        }
    }

    fn read(&mut self, waiting_for: &str) -> Value {
        loop {
            match self.socket.read() {
                Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).unwrap(),
                Ok(_) => continue,
                Err(error) => {
                    panic!("reading the DevTools socket while waiting for {waiting_for}: {error}")
                }
            }
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params)
    }

    /// Waits for the event `method` of the page, returning it.
    fn wait_for(&mut self, method: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(index) = self
                .events
                .iter()
                .position(|event| event["method"] == method)
            {
                return self.events.remove(index);
            }
            assert!(Instant::now() < deadline, "no {method} in {TIMEOUT:?}");
            let event = self.read(method);
            if event.get("method").is_some() {
                self.events.push(event);
            }
        }
    }

    fn open(&mut self, page: &Path) -> String {
        let url = format!("file://{}", page.display());
        self.events.clear();
        let navigated = self.call("Page.navigate", json!({"url": url}));
        assert!(
            navigated.get("errorText").is_none(),
            "cannot open {url}: {navigated}"
        );
        self.wait_for("Page.loadEventFired");
        assert_eq!(
            self.eval("document.documentElement.dataset.ready"),
            json!("true"),
            "the report's script did not finish drawing {url}"
        );
        url
    }

    /// Evaluates `expression` in the page, returning its value as JSON.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("the page threw evaluating `{expression}`: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// The URLs of every request the page has made since it was opened.
    fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|event| {
                event["method"] == "Network.requestWillBeSent"
                    || event["method"] == "Network.webSocketCreated"
            })
            .map(|event| {
                event["params"]["request"]["url"]
                    .as_str()
                    .or(event["params"]["url"].as_str())
                    .unwrap_or("?")
                    .to_string()
            })
            .collect()
    }

    /// Asserts that the page at `url` loaded itself and nothing else.
    fn assert_no_network(&mut self, url: &str) {
        // Drain what has arrived: a late request would show up as an event.
        self.eval("new Promise(resolve => setTimeout(resolve, 300))");
        assert_eq!(self.requests(), [url.to_string()], "the page made requests");
        assert_eq!(
            self.eval("performance.getEntriesByType('resource').map(entry => entry.name)"),
            json!([]),
            "the page loaded resources"
        );
        assert_eq!(
            self.eval("window.__violations"),
            json!([]),
            "the page tried to load what its Content-Security-Policy forbids"
        );
        // Chromium itself calls home (clock, component updates, accounts) whatever the flags:
        // those requests reach the trap, and never the network. Anything else there would
        // have come from the page.
        let foreign: Vec<String> = self
            .trap
            .connections()
            .into_iter()
            .filter(|request| !is_chromium_service(request))
            .collect();
        assert_eq!(foreign, Vec::<String>::new(), "requests reached the proxy");
    }

    /// Saves a screenshot of the viewport, or of the whole page when `whole`.
    fn screenshot(&mut self, name: &str, whole: bool) -> PathBuf {
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": whole}),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(
            png.len() > 10_000,
            "a {}-byte screenshot is blank",
            png.len()
        );
        let path = artifacts().join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Whether a request line the trap saw (`GET http://host/...` or `CONNECT host:443`) is
/// addressed to one of Google's services that Chromium contacts on its own.
fn is_chromium_service(request: &str) -> bool {
    let target = request.split(' ').nth(1).unwrap_or("");
    let host = target
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"]
        .iter()
        .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.socket.send(Message::text(
            json!({"id": 0, "method": "Browser.close"}).to_string(),
        ));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// --- what the page should show, from the JSON result ------------------------------------------

fn is_counted(finding: &Value) -> bool {
    finding["suppressed"].is_null() && (finding["status"] == "FAIL" || finding["status"] == "WARN")
}

/// Counts of unsuppressed failures and warnings by `key` and severity, every severity present.
fn by_severity(findings: &[Value], key: &str) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for finding in findings.iter().filter(|finding| is_counted(finding)) {
        let row = counts
            .entry(finding[key].as_str().unwrap().to_string())
            .or_insert_with(|| {
                ["critical", "high", "medium", "low", "info"]
                    .iter()
                    .map(|severity| (severity.to_string(), 0))
                    .collect()
            });
        *row.get_mut(finding["severity"].as_str().unwrap()).unwrap() += 1;
    }
    counts
}

fn namespace_of(finding: &Value) -> String {
    let object = &finding["object"];
    match object["namespace"].as_str() {
        Some(namespace) => namespace.to_string(),
        None if object["arn"].is_string() => "(AWS resource)".to_string(),
        None => "(cluster-scoped)".to_string(),
    }
}

/// The most frequent value of `key` among `findings`.
fn most_common(findings: &[Value], key: impl Fn(&Value) -> String) -> (String, usize) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for finding in findings {
        *counts.entry(key(finding)).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, count)| *count).unwrap()
}

/// What the page reads back after the filters are set: (matching count, rows drawn, the
/// distinct values of the rows' `data-attribute`).
const READ_ROWS: &str = "(() => {
    const count = document.getElementById('findings-count');
    const rows = [...document.querySelectorAll('#findings-table tbody tr.finding')];
    return {
        shown: Number(count.dataset.shown),
        total: Number(count.dataset.total),
        drawn: rows.length,
        severities: [...new Set(rows.map(row => row.dataset.severity))].sort(),
        checks: [...new Set(rows.map(row => row.dataset.check))].sort(),
        namespaces: [...new Set(rows.map(row => row.children[4].textContent))].sort(),
        indexes: rows.map(row => Number(row.dataset.index)),
    };
})()";

fn set_filter(browser: &mut Browser, id: &str, value: &str) -> Value {
    let event = if id == "search" { "input" } else { "change" };
    browser.eval(&format!(
        "(() => {{ const input = document.getElementById({id}); input.value = {value}; \
         input.dispatchEvent(new Event({event:?})); return input.value; }})()",
        id = json!(id),
        value = json!(value),
    ));
    browser.eval(READ_ROWS)
}

// --- the tests -----------------------------------------------------------------------------

#[test]
fn the_demo_report_agrees_with_the_json_result_filters_and_fetches_nothing() {
    let json: Value = serde_json::from_str(&scan("json", &ALL)).unwrap();
    let findings = json["findings"].as_array().unwrap().clone();
    assert!(
        findings.len() > 200,
        "the demo should list more than a page of findings"
    );
    let directory = tempfile::tempdir().unwrap();
    let page = directory.path().join("demo.html");
    std::fs::write(&page, scan("html", &ALL)).unwrap();

    let mut browser = Browser::launch();
    let url = browser.open(&page);

    // Summary cards: the JSON summary, status by status and severity by severity.
    let cards = browser.eval(
        "Object.fromEntries([...document.querySelectorAll('#summary .card')]
            .map(card => [card.dataset.key, Number(card.querySelector('.count').textContent)]))",
    );
    for (key, count) in json["summary"].as_object().unwrap() {
        assert_eq!(&cards[key], count, "summary card {key}");
    }
    assert_eq!(cards.as_object().unwrap().len(), 11);

    // The level and seed-control tables: failures and warnings counted from the JSON findings.
    let table = |browser: &mut Browser, id: &str| -> Value {
        browser.eval(&format!(
            "Object.fromEntries([...document.querySelectorAll('#{id} tbody tr[data-key]')].map(row =>
                [row.dataset.key, Object.fromEntries([...row.querySelectorAll('td[data-severity]')]
                    .map(cell => [cell.dataset.severity, Number(cell.textContent)]))]))"
        ))
    };
    let mut levels = by_severity(&findings, "level");
    for level in ["cluster", "infrastructure", "application"] {
        levels.entry(level.to_string()).or_insert_with(|| {
            ["critical", "high", "medium", "low", "info"]
                .iter()
                .map(|severity| (severity.to_string(), 0))
                .collect()
        });
    }
    assert_eq!(table(&mut browser, "by-level"), json!(levels));
    assert_eq!(
        table(&mut browser, "by-control"),
        json!(by_severity(&findings, "control"))
    );

    // Charts: a bar per severity with the summary's count, and the namespace and check charts
    // led by the most frequent ones.
    let bars = browser.eval(
        "Object.fromEntries(['chart-severity', 'chart-namespace', 'chart-checks'].map(id =>
            [id, [...document.querySelectorAll('#' + id + ' svg g')]
                .map(g => [g.dataset.label, Number(g.dataset.value)])]))",
    );
    for bar in bars["chart-severity"].as_array().unwrap() {
        assert_eq!(bar[1], json["summary"][bar[0].as_str().unwrap()]);
    }
    let counted: Vec<Value> = findings.iter().filter(|f| is_counted(f)).cloned().collect();
    let (namespace, count) = most_common(&counted, namespace_of);
    assert_eq!(bars["chart-namespace"][0][1], json!(count), "{namespace}");
    let (_, count) = most_common(&counted, |finding| {
        finding["check"].as_str().unwrap().to_string()
    });
    assert_eq!(bars["chart-checks"][0][1], json!(count));

    // The table lists every finding, the first page drawn.
    let rows = browser.eval(READ_ROWS);
    assert_eq!(rows["shown"], json!(findings.len()));
    assert_eq!(rows["total"], json!(findings.len()));
    assert_eq!(rows["drawn"], json!(200));

    // Filters, one at a time and together, match what the JSON findings say.
    for severity in ["critical", "high", "medium", "low", "info"] {
        let expected = findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .count();
        if expected == 0 {
            // The filter offers only severities some finding has.
            continue;
        }
        let rows = set_filter(&mut browser, "filter-severity", severity);
        assert_eq!(rows["shown"], json!(expected), "severity {severity}");
        assert_eq!(rows["drawn"], json!(expected.min(200)));
        assert_eq!(rows["severities"], json!([severity]));
    }
    set_filter(&mut browser, "filter-severity", "");
    let (namespace, expected) = most_common(&findings, namespace_of);
    let rows = set_filter(&mut browser, "filter-namespace", &namespace);
    assert_eq!(rows["shown"], json!(expected), "namespace {namespace}");
    assert_eq!(rows["namespaces"], json!([namespace]));
    let both = findings
        .iter()
        .filter(|f| namespace_of(f) == namespace && f["severity"] == "high")
        .count();
    let rows = set_filter(&mut browser, "filter-severity", "high");
    assert_eq!(rows["shown"], json!(both), "namespace {namespace} and high");
    browser.eval("document.getElementById('filter-reset').click()");
    let (check, expected) = most_common(&findings, |f| f["check"].as_str().unwrap().to_string());
    let rows = set_filter(&mut browser, "filter-check", &check);
    assert_eq!(rows["shown"], json!(expected), "check {check}");
    assert_eq!(rows["checks"], json!([check]));
    let level_expected = findings.iter().filter(|f| f["level"] == "cluster").count();
    browser.eval("document.getElementById('filter-reset').click()");
    let rows = set_filter(&mut browser, "filter-level", "cluster");
    assert_eq!(rows["shown"], json!(level_expected), "level cluster");
    browser.eval("document.getElementById('filter-reset').click()");

    // Search: every word must occur in the finding's text; one object's name finds its findings.
    let name = findings
        .iter()
        .find(|f| f["object"]["kind"] == "Deployment")
        .map(|f| f["object"]["name"].as_str().unwrap().to_string())
        .unwrap();
    let rows = set_filter(&mut browser, "search", &name);
    let shown = rows["shown"].as_u64().unwrap() as usize;
    let of_object = findings
        .iter()
        .filter(|f| f["object"]["name"] == name.as_str())
        .count();
    assert!(shown >= of_object && of_object > 0, "search {name}: {rows}");
    let rows = set_filter(&mut browser, "search", "no-such-thing-anywhere-0xdeadbeef");
    assert_eq!(rows["shown"], json!(0));
    let rows = set_filter(&mut browser, "search", "");
    assert_eq!(rows["shown"], json!(findings.len()));

    // Sorting: by severity first (most severe on top), reversed on a second click; by check.
    let rank = |severity: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|s| *s == severity)
            .unwrap()
    };
    let severities_drawn = |browser: &mut Browser| -> Vec<usize> {
        browser
            .eval("[...document.querySelectorAll('#findings-table tbody tr.finding')].map(row => row.dataset.severity)")
            .as_array()
            .unwrap()
            .iter()
            .map(|severity| rank(severity.as_str().unwrap()))
            .collect()
    };
    let drawn = severities_drawn(&mut browser);
    assert!(drawn.windows(2).all(|pair| pair[0] <= pair[1]), "{drawn:?}");
    assert_eq!(drawn[0], 0, "a critical finding comes first");
    browser.eval("document.querySelector('th[data-sort=severity] button').click()");
    let drawn = severities_drawn(&mut browser);
    assert!(drawn.windows(2).all(|pair| pair[0] >= pair[1]), "{drawn:?}");
    browser.eval("document.querySelector('th[data-sort=check] button').click()");
    let checks = browser.eval(
        "[...document.querySelectorAll('#findings-table tbody tr.finding')].map(row => row.dataset.check)",
    );
    let checks: Vec<&str> = checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(checks.windows(2).all(|pair| pair[0] <= pair[1]));

    // The detail view of a finding with a field and a line shows them, the fix and references.
    let index = findings
        .iter()
        .position(|f| f["pointer"].is_string() && f["object"]["line"].is_number())
        .unwrap();
    let finding = &findings[index];
    browser.eval(&format!(
        "(() => {{ document.getElementById('search').value = ''; \
           document.getElementById('filter-check').value = {check}; \
           document.getElementById('filter-check').dispatchEvent(new Event('change')); \
           const more = document.getElementById('show-more'); \
           while (!document.querySelector('tr.finding[data-index=\"{index}\"]') && !more.hidden) more.click(); \
           document.querySelector('tr.finding[data-index=\"{index}\"]').click(); }})()",
        check = json!(finding["check"]),
    ));
    let detail = browser.eval(&format!(
        "(() => {{ const detail = document.querySelector('tr.detail[data-index=\"{index}\"]');
            const field = name => {{ const node = detail.querySelector('[data-field=' + name + ']'); return node ? node.textContent : null; }};
            return {{ pointer: field('pointer'), location: field('location'), remediation: field('remediation'),
                      references: detail.querySelectorAll('[data-field=references] li').length,
                      text: detail.textContent }}; }})()"
    ));
    assert_eq!(detail["pointer"], finding["pointer"]);
    assert_eq!(
        detail["location"],
        json!(format!(
            "{}:{}",
            finding["object"]["source"].as_str().unwrap(),
            finding["object"]["line"]
        ))
    );
    assert_eq!(detail["remediation"], finding["remediation"]);
    assert!(detail["references"].as_u64().unwrap() > 0, "{detail}");
    assert!(
        detail["text"]
            .as_str()
            .unwrap()
            .contains(finding["message"].as_str().unwrap())
    );
    browser.screenshot("html-report-detail.png", true);
    browser.eval("document.getElementById('filter-reset').click()");

    // The theme toggle switches the page's colours.
    let background = "getComputedStyle(document.body).backgroundColor";
    let before = browser.eval(background);
    browser.eval("document.getElementById('theme-toggle').click()");
    assert_ne!(browser.eval(background), before);
    browser.screenshot("html-report-dark.png", false);
    browser.eval("document.getElementById('theme-toggle').click()");
    assert_eq!(browser.eval(background), before);

    // Printed, the page drops its controls and lists every matching finding, not one page.
    browser.call("Emulation.setEmulatedMedia", json!({"media": "print"}));
    assert_eq!(
        browser.eval("getComputedStyle(document.getElementById('filters')).display"),
        json!("none")
    );
    browser.call("Emulation.setEmulatedMedia", json!({"media": ""}));
    let pdf = browser.call("Page.printToPDF", json!({"printBackground": true}));
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(pdf["data"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "printing gave no PDF");
    std::fs::write(artifacts().join("html-report.pdf"), &pdf).unwrap();
    assert_eq!(
        browser.eval("document.querySelectorAll('#findings-table tbody tr.finding').length"),
        json!(findings.len()),
        "printing draws every finding"
    );

    browser.assert_no_network(&url);
    // Back to the first page of findings for the screenshot.
    browser.eval("document.getElementById('filter-reset').click()");
    let path = browser.screenshot("html-report.png", true);
    eprintln!("screenshot: {}", path.display());
}

#[test]
fn strings_from_findings_stay_text() {
    const HOSTILE: &str = "</script><script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"><!-- & -->";
    let mut saved: Value = serde_json::from_str(&scan("json", &[])).unwrap();
    let finding = &mut saved["findings"][0];
    finding["message"] = json!(HOSTILE);
    finding["object"]["name"] = json!(HOSTILE);
    finding["object"]["namespace"] = json!(HOSTILE);
    finding["object"]["arn"] = Value::Null;
    finding["object"]["source"] = json!(HOSTILE);
    finding["pointer"] = json!(HOSTILE);
    let directory = tempfile::tempdir().unwrap();
    let input = directory.path().join("hostile.json");
    std::fs::write(&input, saved.to_string()).unwrap();
    let page = directory.path().join("hostile.html");
    let output = common::garrison(&[
        "report",
        input.to_str().unwrap(),
        "--format",
        "html",
        "--output",
        page.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));

    let mut browser = Browser::launch();
    let url = browser.open(&page);
    assert_eq!(browser.eval("typeof window.__pwned"), json!("undefined"));
    assert_eq!(
        browser.eval("document.querySelectorAll('img, iframe, object, embed, body script').length"),
        json!(2),
        "only the report's own two script elements"
    );
    let rows = set_filter(&mut browser, "search", "__pwned");
    assert_eq!(rows["indexes"], json!([0]), "{rows}");
    let row = browser.eval(
        "(() => { const row = document.querySelector('tr.finding[data-index=\"0\"]');
            row.click();
            const detail = document.querySelector('tr.detail[data-index=\"0\"]');
            return { message: row.children[6].textContent, namespace: row.children[4].textContent,
                     pointer: detail.querySelector('[data-field=pointer]').textContent }; })()",
    );
    assert_eq!(row["message"], HOSTILE);
    assert_eq!(row["namespace"], HOSTILE);
    assert_eq!(row["pointer"], HOSTILE);
    let options = browser.eval(
        "[...document.querySelectorAll('#filter-namespace option')].map(option => option.value)",
    );
    assert!(options.as_array().unwrap().contains(&json!(HOSTILE)));
    browser.assert_no_network(&url);
}

#[test]
fn the_cis_profile_shows_every_control_with_the_json_status() {
    let json: Value = serde_json::from_str(&scan("json", &["--profile", "cis-eks"])).unwrap();
    let controls = json["controls"].as_array().unwrap();
    let directory = tempfile::tempdir().unwrap();
    let page = directory.path().join("cis.html");
    std::fs::write(&page, scan("html", &["--profile", "cis-eks"])).unwrap();

    let mut browser = Browser::launch();
    let url = browser.open(&page);
    let shown = browser.eval(
        "({ hidden: document.getElementById('benchmark').hidden,
            rows: [...document.querySelectorAll('#benchmark-table tbody tr')]
                .map(row => [row.dataset.control, row.dataset.status]),
            cards: Object.fromEntries([...document.querySelectorAll('#benchmark-summary .card')]
                .map(card => [card.dataset.key, Number(card.querySelector('.count').textContent)])) })",
    );
    assert_eq!(shown["hidden"], json!(false));
    let expected: Vec<Value> = controls
        .iter()
        .map(|control| json!([control["id"], control["status"]]))
        .collect();
    assert_eq!(shown["rows"], json!(expected));
    for status in [
        "FAIL",
        "WARN",
        "UNKNOWN",
        "PASS",
        "NOT_APPLICABLE",
        "MANUAL",
    ] {
        let count = controls.iter().filter(|c| c["status"] == status).count();
        assert_eq!(shown["cards"][status], json!(count), "{status}");
    }
    // A control's check filters the findings to it.
    let failing = controls
        .iter()
        .find(|control| control["status"] == "FAIL")
        .unwrap();
    let id = failing["id"].as_str().unwrap();
    let clicked = browser.eval(&format!(
        "(() => {{ const listed = new Set([...document.querySelectorAll('#filter-check option')].map(option => option.value));
            const link = [...document.querySelectorAll('#benchmark-table tr[data-control=\"{id}\"] .check-link')]
                .find(link => listed.has(link.textContent));
            link.click();
            return link.textContent; }})()"
    ));
    let rows = browser.eval(READ_ROWS);
    assert_eq!(rows["checks"], json!([clicked]), "{rows}");
    let expected = json_findings_of_check(clicked.as_str().unwrap()).len();
    assert_eq!(rows["shown"], json!(expected), "check {clicked}");
    browser.screenshot("html-report-cis.png", true);
    browser.assert_no_network(&url);

    // Without the profile there is no benchmark section.
    let plain = directory.path().join("plain.html");
    std::fs::write(&plain, scan("html", &[])).unwrap();
    browser.open(&plain);
    assert_eq!(
        browser.eval("document.getElementById('benchmark').hidden"),
        json!(true)
    );
}

fn json_findings_of_check(check: &str) -> Vec<Value> {
    let json: Value = serde_json::from_str(&scan("json", &[])).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["check"] == check)
        .cloned()
        .collect()
}

#[test]
fn the_page_is_one_file_and_the_same_for_the_same_scan() {
    let first = scan("html", &[]);
    assert_eq!(first, scan("html", &[]));
    assert!(first.starts_with("<!DOCTYPE html>"));
    for outside in [" src=", "<link", "@import", "url(", "<iframe", "<img"] {
        assert!(
            !first.contains(outside),
            "the page refers outside itself: {outside:?}"
        );
    }
}
