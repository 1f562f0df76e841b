//! The demo page in headless Chromium, driven through ChromeDriver, on the stack that
//! `cargo xtask serve --demo-publish` runs: the app built from the default routes.toml, whose `prefix = "/"`
//! route sends the page through Fanout to the demo origin. The page's four panels connect,
//! a message published with its form reaches all four, and the WebSocket echoes what is
//! typed into it. The screenshot of the result is docs/demo.png.
//!
//! `cargo test -p e2e` runs it with the other end-to-end tests; `--test browser` runs it alone.

use std::time::Duration;

use e2e::webdriver::{Browser, ChromeDriver, wait_until};
use fanout_router_stack::{
    Origin, Ports, Publishing, Stack, StackConfig, app_build, demo_origin, paths, setup, signals,
};
use serde_json::Value;
use tokio::time::{Instant, sleep};

/// The page's panels and the state each shows once its connection is held open.
const CONNECTED: [(&str, &str); 4] = [
    ("stream", "open"),
    ("sse", "open"),
    ("long-poll", "waiting"),
    ("websocket", "open"),
];
const MESSAGE: &str = "hello from headless Chromium";
const ECHO: &str = "echo this, please";
/// How long the page has for each thing it should do.
const DEADLINE: Duration = Duration::from_secs(20);
/// A publish can reach a panel before Pushpin has subscribed it; the form is submitted
/// again when the message has not arrived everywhere within this.
const REPUBLISH_AFTER: Duration = Duration::from_secs(3);
const WINDOW: (u32, u32) = (1280, 920);

#[tokio::test]
async fn demo_page_shows_a_publish_in_every_panel_and_echoes_over_websocket() {
    signals::stop_children_on_signal();
    let (stack, chromedriver) = start_stack_and_chromedriver()
        .unwrap_or_else(|error| panic!("the stack or ChromeDriver did not start: {error}"));
    let profile = stack.run_dir.join("chromium-profile");
    let browser = chromedriver
        .browser(&profile, WINDOW)
        .await
        .unwrap_or_else(|error| panic!("Chromium did not start: {error}"));
    if let Err(error) = use_the_page(&browser, &stack.app_url()).await {
        panic!("{error}");
    }
    let png = browser.screenshot().await.expect("a screenshot");
    let path = paths::repo_root().join("docs/demo.png");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
    browser.quit().await.expect("Chromium closes");
}

/// The stack with the app built from the default routes.toml (as `cargo xtask serve` builds
/// it) on free ports, and a ChromeDriver; both stop when dropped.
fn start_stack_and_chromedriver() -> Result<(Stack, ChromeDriver), String> {
    setup::wasm_target()?;
    setup::pushpin()?;
    let viceroy = setup::viceroy()?;
    println!("browser: building the app from routes.toml into target/");
    let wasm = app_build::build(None, &paths::repo_root().join("target"))?;
    let stack = Stack::start(&StackConfig {
        wasm,
        viceroy,
        ports: Ports::free().map_err(|error| format!("no free ports: {error}"))?,
        origin: Origin::Demo,
        // As `cargo xtask serve --demo-publish` does: the form publishes through the origin.
        demo_publishing: Publishing::Loopback,
        run_dir: paths::run_dir("browser"),
    })?;
    let chromedriver = ChromeDriver::start(&stack.run_dir.join("chromedriver.log"))?;
    Ok((stack, chromedriver))
}

async fn use_the_page(browser: &Browser, app: &str) -> Result<(), String> {
    browser.goto(&format!("{app}/")).await?;
    wait_for(browser, "every panel to connect", |panels| {
        CONNECTED
            .iter()
            .all(|&(id, state)| panels.iter().any(|p| p.id == id && p.state == state))
    })
    .await?;

    browser.type_into("#websocket input", ECHO).await?;
    browser.click("#websocket button").await?;
    wait_for(browser, "the WebSocket echo", |panels| {
        received(panels, "websocket").contains(&ECHO.to_string())
    })
    .await?;

    browser
        .type_into("#publish [name=message]", MESSAGE)
        .await?;
    let everywhere = |panels: &[Panel]| {
        // The plain stream shows the SSE event that it shares with /test/sse as it is.
        let stream_line = format!("data: {MESSAGE}");
        [
            ("stream", stream_line.as_str()),
            ("sse", MESSAGE),
            ("long-poll", MESSAGE),
            ("websocket", MESSAGE),
        ]
        .iter()
        .all(|&(id, line)| received(panels, id).iter().any(|text| text == line))
    };
    let deadline = Instant::now() + DEADLINE;
    loop {
        browser.click("#publish button").await?;
        let republish = Instant::now() + REPUBLISH_AFTER;
        while Instant::now() < republish {
            if everywhere(&panels(browser).await?) {
                return expect_publish_status(browser).await;
            }
            sleep(Duration::from_millis(100)).await;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{MESSAGE:?} did not reach every panel within {DEADLINE:?}; the page shows {:?}",
                panels(browser).await?
            ));
        }
    }
}

async fn expect_publish_status(browser: &Browser) -> Result<(), String> {
    let status = browser
        .execute("return document.getElementById('publish-status').textContent")
        .await?;
    // The form may have been submitted more than once: the demo origin numbers each publish.
    let published = status
        .as_str()
        .and_then(|text| demo_origin::published_id(text, "test"));
    if published.is_some() {
        Ok(())
    } else {
        Err(format!("the form says {status}"))
    }
}

/// What a panel of the page shows.
#[derive(Debug)]
struct Panel {
    id: String,
    state: String,
    received: Vec<String>,
}

async fn panels(browser: &Browser) -> Result<Vec<Panel>, String> {
    let panels = browser
        .execute(
            "return [...document.querySelectorAll('section')].map(section => ({
                id: section.id,
                state: section.dataset.state,
                received: [...section.querySelectorAll('.log .received')].map(li => li.textContent),
            }))",
        )
        .await?;
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    Ok(panels
        .as_array()
        .ok_or_else(|| format!("not a list of panels: {panels}"))?
        .iter()
        .map(|panel| Panel {
            id: text(&panel["id"]),
            state: text(&panel["state"]),
            received: panel["received"]
                .as_array()
                .map(|lines| lines.iter().map(text).collect())
                .unwrap_or_default(),
        })
        .collect())
}

fn received<'a>(panels: &'a [Panel], id: &str) -> &'a [String] {
    panels
        .iter()
        .find(|panel| panel.id == id)
        .map_or(&[], |panel| &panel.received)
}

/// Polls the page until `done` holds, for at most `DEADLINE`.
async fn wait_for(
    browser: &Browser,
    what: &str,
    done: impl Fn(&[Panel]) -> bool,
) -> Result<(), String> {
    wait_until(
        what,
        DEADLINE,
        || panels(browser),
        |shown: &Vec<Panel>| done(shown),
    )
    .await
}
