//! Just enough of the W3C WebDriver protocol, spoken over HTTP to ChromeDriver, to drive
//! headless Chromium: load a page, type, click, run a script and take a screenshot. Also
//! the ChromeDriver the browser tests start.

use std::fmt::Debug;
use std::future::Future;
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fanout_router_stack::setup::{self, CHROMEDRIVER, CHROMIUM};
use fanout_router_stack::supervisor::{Supervisor, listening};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::time::{Instant, sleep};

/// The key under which WebDriver returns an element's id.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A ChromeDriver on a free loopback port, installed first when missing; stopped when dropped.
pub struct ChromeDriver {
    _process: Supervisor,
    url: String,
}

impl ChromeDriver {
    /// Starts ChromeDriver with its output in `log`, and waits until it listens.
    pub fn start(log: &Path) -> Result<ChromeDriver, String> {
        setup::chromium()?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| format!("no free port: {error}"))?
            .port();
        let mut process = Supervisor::default();
        process.start(
            "chromedriver",
            Command::new(CHROMEDRIVER).arg(format!("--port={port}")),
            log,
            Duration::from_secs(30),
            || listening(port),
        )?;
        Ok(ChromeDriver {
            _process: process,
            url: format!("http://127.0.0.1:{port}"),
        })
    }

    /// A headless Chromium with a fresh profile in `profile` and a window of `size` pixels.
    pub async fn browser(&self, profile: &Path, size: (u32, u32)) -> Result<Browser, String> {
        Browser::start(&self.url, CHROMIUM, profile, size).await
    }
}

pub struct Browser {
    client: reqwest::Client,
    /// `http://<chromedriver>/session/<id>`
    session: String,
}

impl Browser {
    /// Opens a headless Chromium (`binary`) through the ChromeDriver at `driver_url`, with a
    /// fresh profile in `profile` and a window of `width` x `height` pixels.
    pub async fn start(
        driver_url: &str,
        binary: &str,
        profile: &Path,
        (width, height): (u32, u32),
    ) -> Result<Browser, String> {
        let args = [
            "--headless",
            // As root, and in containers, Chromium's sandbox cannot start.
            "--no-sandbox",
            "--disable-gpu",
            // No connections of its own: the machine may have no network beyond loopback.
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            // Repaints whole tiles: without it, the edges of rounded corners that were
            // repainted come out a shade different from run to run, and so would the screenshot.
            "--disable-partial-raster",
            &format!("--window-size={width},{height}"),
            &format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": binary, "args": args },
            // Keeps what the page's console shows, for `console_log`.
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|error| error.to_string())?;
        let url = format!("{driver_url}/session");
        let session = request(&client, Method::POST, &url, capabilities).await?;
        let id = session["sessionId"]
            .as_str()
            .ok_or_else(|| format!("ChromeDriver gave no session id: {session}"))?;
        Ok(Browser {
            client,
            session: format!("{url}/{id}"),
        })
    }

    async fn command(&self, method: Method, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.session);
        request(&self.client, method, &url, body).await
    }

    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.command(Method::POST, "/url", json!({ "url": url }))
            .await
            .map(drop)
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub async fn execute(&self, script: &str) -> Result<Value, String> {
        let body = json!({ "script": script, "args": [] });
        self.command(Method::POST, "/execute/sync", body).await
    }

    async fn element(&self, css: &str) -> Result<String, String> {
        let body = json!({ "using": "css selector", "value": css });
        let element = self.command(Method::POST, "/element", body).await?;
        element[ELEMENT]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no element id for {css}: {element}"))
    }

    /// Clears the input `css` and types `text` into it, key by key.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let element = format!("/element/{}", self.element(css).await?);
        self.command(Method::POST, &format!("{element}/clear"), json!({}))
            .await?;
        let keys = json!({ "text": text });
        self.command(Method::POST, &format!("{element}/value"), keys)
            .await
            .map(drop)
    }

    pub async fn click(&self, css: &str) -> Result<(), String> {
        let path = format!("/element/{}/click", self.element(css).await?);
        self.command(Method::POST, &path, json!({})).await.map(drop)
    }

    /// The messages of the browser's console since the last call: the page's own and the
    /// browser's (a request blocked by CORS, a WebSocket handshake refused), each as
    /// `LEVEL message`.
    pub async fn console_log(&self) -> Result<Vec<String>, String> {
        let entries = self
            .command(Method::POST, "/se/log", json!({ "type": "browser" }))
            .await?;
        let entries = entries
            .as_array()
            .ok_or_else(|| format!("not a list of log entries: {entries}"))?;
        Ok(entries
            .iter()
            .map(|entry| {
                let level = entry["level"].as_str().unwrap_or_default();
                let message = entry["message"].as_str().unwrap_or_default();
                format!("{level} {message}")
            })
            .collect())
    }

    /// The visible part of the page, as PNG.
    pub async fn screenshot(&self) -> Result<Vec<u8>, String> {
        let png = self
            .command(Method::GET, "/screenshot", Value::Null)
            .await?;
        let png = png.as_str().ok_or("the screenshot is not a string")?;
        STANDARD
            .decode(png)
            .map_err(|error| format!("the screenshot is not base64: {error}"))
    }

    /// Closes the browser. (ChromeDriver stopping closes it too.)
    pub async fn quit(self) -> Result<(), String> {
        self.command(Method::DELETE, "", Value::Null)
            .await
            .map(drop)
    }
}

/// Reads what a page shows with `read`, every 100 ms, until `done` holds; fails, with the last
/// reading, after `deadline`.
pub async fn wait_until<T: Debug, F: Future<Output = Result<T, String>>>(
    what: &str,
    deadline: Duration,
    mut read: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> Result<(), String> {
    let give_up = Instant::now() + deadline;
    loop {
        let shown = read().await?;
        if done(&shown) {
            return Ok(());
        }
        if Instant::now() > give_up {
            return Err(format!(
                "waited {deadline:?} for {what}; the page shows {shown:?}"
            ));
        }
        sleep(Duration::from_millis(100)).await;
    }
}

/// Sends one WebDriver command and returns its `value`, or the error WebDriver describes.
async fn request(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    body: Value,
) -> Result<Value, String> {
    let mut request = client.request(method.clone(), url);
    if !body.is_null() {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request
        .send()
        .await
        .map_err(|error| format!("{method} {url}: {error}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|error| format!("{method} {url}: {error}"))?;
    let mut answer: Value = serde_json::from_str(&text)
        .map_err(|_| format!("{method} {url}: {status}, not JSON: {text}"))?;
    let value = answer["value"].take();
    if status.is_success() {
        Ok(value)
    } else {
        Err(format!(
            "{method} {url}: {status}: {} {}",
            value["error"], value["message"]
        ))
    }
}
