//! Load on the local stack. Clients hold stream, SSE and WebSocket connections on channel
//! `test` (the default routes.toml's test endpoints), numbered messages are published, and
//! every client must receive every message, in order. Reports the connections held, the
//! messages delivered and lost, publish-to-receive latency, and each process's memory and CPU
//! time. LOAD.md has the figures and how they were made.
//!
//! ```text
//! cargo run --release -p e2e --bin load -- [--connections N] [--publishes N] [--interval-ms N]
//!                                          [--routes FILE] [--app URL --publish URL]
//!                                          [--reconnects PERCENT [--drops N] [--away-ms N]
//!                                           [--seed N]]
//! ```
//!
//! Without `--app` it builds the app from routes.toml (or `--routes`) and starts its own stack
//! on free ports, as `cargo xtask serve` would; with `--app http://127.0.0.1:7676 --publish
//! http://127.0.0.1:5561/publish/` it loads a running `cargo xtask serve` (and then measures
//! the memory of the load client only). Every phase has a deadline; it exits with failure
//! when a connection could not be held or a message was lost or came out of order.
//!
//! With `--reconnects PERCENT` (on a stack of its own, from e2e/load-routes.toml unless
//! `--routes` says otherwise), `/test/sse` is reliable and everything is published through
//! the demo origin's `POST /publish`, which gives each item its id; that share of the SSE
//! clients drops its connection `--drops` times (default 2) at random messages and
//! reconnects with `Last-Event-ID` after up to `--away-ms` (default 1000), and each must
//! still receive every message once, in order, each with the id it was published with.

mod clients;
mod plan;
mod report;
mod system;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::{Endpoints, Publisher};
use fanout_router_stack::{
    Origin, Ports, Publishing, Stack, StackConfig, app_build, demo_origin, paths, setup, signals,
};
use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, sleep};

use clients::{KINDS, Kind, Progress, WARM_UP, client, message};
use plan::Reconnects;
use report::Report;
use system::{Process, machine, processes, raise_open_file_limit, sample};

const USAGE: &str = "usage: load [--connections N] [--publishes N] [--interval-ms N] \
                     [--routes FILE] [--app URL --publish URL] \
                     [--reconnects PERCENT [--drops N] [--away-ms N] [--seed N]]";

/// The routes of a run with `--reconnects`: `/test/sse` reliable.
const RECONNECT_ROUTES: &str = "e2e/load-routes.toml";

/// Connections being opened at once; more only queue up in Viceroy and Pushpin.
const OPENING_AT_ONCE: usize = 50;
const OPEN_DEADLINE: Duration = Duration::from_secs(180);
const WARM_UP_DEADLINE: Duration = Duration::from_secs(60);
const WARM_UP_EVERY: Duration = Duration::from_millis(500);
/// After the last publish: how long deliveries may take, and may stall.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(60);
const STALL: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);
/// After the last publish, how often Fanout is told to check every reliable client against
/// the history (a hint): one that reconnected after the last publish has no later publish
/// to show it is behind.
const HINT_EVERY: Duration = Duration::from_secs(1);

struct Options {
    connections: usize,
    publishes: u32,
    interval: Duration,
    /// The routes file the app is built from, relative to the repository; routes.toml when
    /// `None`.
    routes: Option<String>,
    /// A running stack to load instead of starting one.
    running: Option<Endpoints>,
    reconnects: Option<Reconnects>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        connections: 1000,
        publishes: 100,
        interval: Duration::from_millis(100),
        routes: None,
        running: None,
        reconnects: None,
    };
    let (mut app, mut publish) = (None, None);
    let mut percent = None;
    let mut reconnects = Reconnects {
        percent: 0,
        drops: 2,
        away: Duration::from_millis(1000),
        seed: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    };
    for pair in args.chunks(2) {
        let [flag, value] = pair else {
            return Err(format!("{} needs a value", pair[0]));
        };
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} {value}: not a number"))
        };
        match flag.as_str() {
            "--connections" => options.connections = number()? as usize,
            "--publishes" => options.publishes = number()? as u32,
            "--interval-ms" => options.interval = Duration::from_millis(number()?),
            "--app" => app = Some(value.trim_end_matches('/').to_string()),
            "--publish" => publish = Some(value.clone()),
            "--routes" => options.routes = Some(value.clone()),
            "--reconnects" => match number()? {
                share @ 0..=100 => percent = Some(share as u32),
                _ => return Err(format!("{flag} {value}: a percentage, 0 to 100")),
            },
            "--drops" => reconnects.drops = number()? as u32,
            "--away-ms" => reconnects.away = Duration::from_millis(number()?),
            "--seed" => reconnects.seed = number()?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if let Some(percent) = percent {
        if app.is_some() {
            return Err("--reconnects starts a stack of its own: no --app".into());
        }
        options.reconnects = Some(Reconnects {
            percent,
            ..reconnects
        });
        options
            .routes
            .get_or_insert_with(|| RECONNECT_ROUTES.into());
    }
    options.running = match (app, publish) {
        // A running stack's origin is not needed: the load publishes through Pushpin.
        (Some(app), Some(publish)) => Some(Endpoints {
            app,
            publish,
            origin: String::new(),
        }),
        (None, None) => None,
        _ => return Err("--app and --publish go together".into()),
    };
    Ok(options)
}

/// Runs the load and prints the report; `Ok(false)` when a client missed something.
fn run(options: &Options) -> Result<bool, String> {
    let limit = raise_open_file_limit(4 * options.connections as u64 + 1024)?;
    println!("machine: {}", machine());
    println!("open files allowed: {limit} (the stack's processes inherit it)");
    signals::stop_children_on_signal();
    let (stack, endpoints) = match &options.running {
        Some(endpoints) => (None, endpoints.clone()),
        None => {
            let stack = start_stack(options)?;
            let endpoints = Endpoints::of(&stack);
            (Some(stack), endpoints)
        }
    };
    println!(
        "app {} · publish endpoint {}",
        endpoints.app, endpoints.publish
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    let processes = processes(stack.as_ref());
    let report = runtime.block_on(load(options, &endpoints, &processes));
    println!("{report}");
    Ok(report.passed())
}

fn start_stack(options: &Options) -> Result<Stack, String> {
    setup::wasm_target()?;
    setup::pushpin()?;
    let viceroy = setup::viceroy()?;
    let routes = options.routes.as_deref();
    println!(
        "load: building the app from {} (release, wasm32-wasip1)",
        routes.unwrap_or("routes.toml")
    );
    // Each routes file its own target directory, so that the builds keep each other's.
    let target = match routes {
        None => paths::repo_root().join("target"),
        Some(file) => paths::repo_root()
            .join("target/routes")
            .join(file.trim_end_matches(".toml").replace(['/', '.'], "-")),
    };
    let wasm = app_build::build(routes, &target)?;
    println!("load: starting Pushpin, the demo origin and Viceroy on free ports");
    Stack::start(&StackConfig {
        wasm,
        viceroy,
        ports: Ports::free().map_err(|error| format!("no free ports: {error}"))?,
        origin: Origin::Demo,
        // The demo origin publishes, with ids, only for a run with reconnects.
        demo_publishing: match options.reconnects {
            Some(_) => Publishing::Loopback,
            None => Publishing::Off,
        },
        run_dir: paths::run_dir("load"),
    })
}

async fn load(options: &Options, endpoints: &Endpoints, processes: &[Process]) -> Report {
    let mut report = Report {
        options: format!(
            "{} connections, {} publishes, one every {:?}",
            options.connections, options.publishes, options.interval
        ),
        processes: processes
            .iter()
            .map(|process| format!("{} ({})", process.name, process.pid))
            .collect(),
        ..Report::default()
    };
    let kinds: Vec<Kind> = (0..options.connections)
        .map(|index| KINDS[index % KINDS.len()])
        .collect();
    let mut plans = vec![Vec::new(); options.connections];
    if let Some(reconnects) = &options.reconnects {
        let sse: Vec<usize> = (0..kinds.len())
            .filter(|&i| kinds[i] == Kind::Sse)
            .collect();
        plans = plan::drops(reconnects, kinds.len(), &sse, options.publishes);
        report.options += &format!(
            "; {}% of the SSE clients drop {} times each and reconnect after up to {:?} \
             (seed {})",
            reconnects.percent, reconnects.drops, reconnects.away, reconnects.seed
        );
    }
    report.planned_reconnects = plans.iter().map(Vec::len).sum();
    report.memory.push(("idle".into(), sample(processes)));
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let progress = Arc::new(Progress::default());
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let (stop, stopped) = watch::channel(false);
    let started = Instant::now();
    let clients: Vec<_> = kinds
        .iter()
        .zip(plans)
        .map(|(&kind, plan)| {
            tokio::spawn(client(
                kind,
                endpoints.clone(),
                http.clone(),
                opening.clone(),
                progress.clone(),
                plan,
                stopped.clone(),
            ))
        })
        .collect();

    let all_tried = || {
        progress.opened.load(Ordering::SeqCst) + progress.failed_to_open.load(Ordering::SeqCst)
            == options.connections
    };
    wait_until(OPEN_DEADLINE, None, all_tried).await;
    report.open_time = started.elapsed();

    // Subscribed clients see the warm-up message; until all have, publish it again.
    let channel = TestChannel::new(&http, endpoints, options.reconnects.is_some());
    let started = Instant::now();
    let opened = progress.opened.load(Ordering::SeqCst);
    while progress.warmed_up.load(Ordering::SeqCst) < opened && started.elapsed() < WARM_UP_DEADLINE
    {
        channel.publish(WARM_UP, &mut report).await;
        let warmed_up = || progress.warmed_up.load(Ordering::SeqCst) >= opened;
        wait_until(WARM_UP_EVERY, None, warmed_up).await;
    }
    report.warm_up_time = started.elapsed();
    report.memory.push(("held".into(), sample(processes)));

    let started = Instant::now();
    for sequence in 0..options.publishes {
        if let Some(id) = channel.publish(&message(sequence), &mut report).await {
            report.ids.push(id);
        }
        progress.published.store(sequence + 1, Ordering::SeqCst);
        sleep(options.interval).await;
    }
    report.publish_time = started.elapsed();
    let hints = Arc::new(AtomicUsize::new(0));
    let hinting = options
        .reconnects
        .map(|_| tokio::spawn(channel.clone().hint_every(HINT_EVERY, hints.clone())));
    // Every message delivered, and every reconnection made (a client may drop after the
    // last message).
    let expected = opened * options.publishes as usize;
    let delivered = || progress.delivered.load(Ordering::SeqCst);
    let reconnected = || progress.reconnected.load(Ordering::SeqCst);
    let moving = || delivered() + reconnected();
    wait_until(DELIVERY_DEADLINE, Some(&moving), || {
        delivered() >= expected && reconnected() >= report.planned_reconnects
    })
    .await;
    report.delivery_time = started.elapsed();
    if let Some(hinting) = hinting {
        hinting.abort();
    }
    report.hints = hints.load(Ordering::SeqCst);
    report.memory.push(("end".into(), sample(processes)));

    let _ = stop.send(true);
    for client in clients {
        match client.await {
            Ok(record) => report.records.push(record),
            Err(error) => report.panics.push(error.to_string()),
        }
    }
    report.publishes = options.publishes;
    report
}

/// Where the load publishes to channel `test`: Pushpin's publish endpoint, or, in a run
/// with reconnects, the demo origin's `POST /publish`, which numbers each item and
/// publishes it with `id` and `prev-id` in every format.
#[derive(Clone)]
struct TestChannel {
    pushpin: Publisher,
    http: reqwest::Client,
    /// The demo origin's `POST /publish`, when it is the way.
    origin: Option<String>,
}

impl TestChannel {
    fn new(http: &reqwest::Client, endpoints: &Endpoints, through_origin: bool) -> TestChannel {
        TestChannel {
            pushpin: Publisher::new(http, &endpoints.publish),
            http: http.clone(),
            origin: through_origin.then(|| format!("{}/publish", endpoints.origin)),
        }
    }

    /// Publishes `content` to the stream, SSE and WebSocket clients of channel `test`, and
    /// returns the id the demo origin gave it, if it did.
    async fn publish(&self, content: &str, report: &mut Report) -> Option<String> {
        let started = Instant::now();
        let answer = match &self.origin {
            Some(url) => self.through_origin(url, content).await,
            None => self.to_pushpin(content).await,
        };
        report.publish_calls.push(started.elapsed());
        answer
            .map_err(|error| report.publish_errors.push(error))
            .ok()
            .flatten()
    }

    async fn to_pushpin(&self, content: &str) -> Result<Option<String>, String> {
        let formats = json!({
            "http-stream": { "content": format!("data: {content}\n\n") },
            "ws-message": { "content": content },
        });
        match self.pushpin.try_publish("test", formats).await {
            (200, _) => Ok(None),
            (status, text) => Err(format!("{status}: {}", text.trim())),
        }
    }

    /// The demo origin's answer names the id it gave the item.
    async fn through_origin(&self, url: &str, content: &str) -> Result<Option<String>, String> {
        let body = json!({ "channel": "test", "message": content });
        let response = self
            .http
            .post(url)
            .body(body.to_string())
            .send()
            .await
            .map_err(|error| format!("the demo origin: {error}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        match (status, demo_origin::published_id(&text, "test")) {
            (200, Some(id)) => Ok(Some(id.to_string())),
            _ => Err(format!(
                "the demo origin answered {status}: {}",
                text.trim()
            )),
        }
    }

    /// Publishes a hint to channel `test` every `every`, counting them in `hints`, until
    /// aborted.
    async fn hint_every(self, every: Duration, hints: Arc<AtomicUsize>) {
        let hint = json!({ "http-stream": { "action": "hint" } });
        loop {
            sleep(every).await;
            self.pushpin.try_publish("test", hint.clone()).await;
            hints.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Waits until `done` holds or `deadline` has passed; with `progress`, gives up early when
/// that count has not moved for `STALL`.
async fn wait_until(
    deadline: Duration,
    progress: Option<&dyn Fn() -> usize>,
    done: impl Fn() -> bool,
) {
    let started = Instant::now();
    let (mut last, mut moved) = (progress.map(|count| count()), Instant::now());
    while !done() && started.elapsed() < deadline {
        sleep(POLL).await;
        let now = progress.map(|count| count());
        if now != last {
            (last, moved) = (now, Instant::now());
        } else if progress.is_some() && moved.elapsed() > STALL {
            return;
        }
    }
}
