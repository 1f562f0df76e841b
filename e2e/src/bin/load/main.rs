//! Load on the local stack. Clients hold stream, SSE and WebSocket connections on channel
//! `test` (the default routes.toml's test endpoints), numbered messages are published, and
//! every client must receive every message, in order. Reports the connections held, the
//! messages delivered and lost, publish-to-receive latency, and each process's memory and CPU
//! time. LOAD.md has the figures and how they were made.
//!
//! ```text
//! cargo run --release -p e2e --bin load -- [--connections N] [--publishes N] [--interval-ms N]
//!                                          [--app URL --publish URL]
//! ```
//!
//! Without `--app` it builds the app from routes.toml and starts its own stack on free ports,
//! as `cargo xtask serve` would; with `--app http://127.0.0.1:7676 --publish
//! http://127.0.0.1:5561/publish/` it loads a running `cargo xtask serve` (and then measures
//! the memory of the load client only). Every phase has a deadline; it exits with failure
//! when a connection could not be held or a message was lost or came out of order.

mod clients;
mod report;
mod system;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use e2e::{Endpoints, Publisher};
use fanout_router_stack::{
    Origin, Ports, Publishing, Stack, StackConfig, app_build, paths, setup, signals,
};
use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, sleep};

use clients::{KINDS, Progress, WARM_UP, client, message};
use report::Report;
use system::{Process, machine, processes, raise_open_file_limit, sample};

const USAGE: &str = "usage: load [--connections N] [--publishes N] [--interval-ms N] \
                     [--app URL --publish URL]";

/// Connections being opened at once; more only queue up in Viceroy and Pushpin.
const OPENING_AT_ONCE: usize = 50;
const OPEN_DEADLINE: Duration = Duration::from_secs(180);
const WARM_UP_DEADLINE: Duration = Duration::from_secs(60);
const WARM_UP_EVERY: Duration = Duration::from_millis(500);
/// After the last publish: how long deliveries may take, and may stall.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(60);
const STALL: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(20);

struct Options {
    connections: usize,
    publishes: u32,
    interval: Duration,
    /// A running stack to load instead of starting one.
    running: Option<Endpoints>,
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
        running: None,
    };
    let (mut app, mut publish) = (None, None);
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
            _ => return Err(format!("unknown flag {flag}")),
        }
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
            let stack = start_stack()?;
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

fn start_stack() -> Result<Stack, String> {
    setup::wasm_target()?;
    setup::pushpin()?;
    let viceroy = setup::viceroy()?;
    println!("load: building the app from routes.toml (release, wasm32-wasip1)");
    let wasm = app_build::build(None, &paths::repo_root().join("target"))?;
    println!("load: starting Pushpin, the demo origin and Viceroy on free ports");
    Stack::start(&StackConfig {
        wasm,
        viceroy,
        ports: Ports::free().map_err(|error| format!("no free ports: {error}"))?,
        origin: Origin::Demo,
        demo_publishing: Publishing::Off,
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
    report.memory.push(("idle".into(), sample(processes)));
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client");
    let progress = Arc::new(Progress::default());
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let (stop, stopped) = watch::channel(false);
    let started = Instant::now();
    let clients: Vec<_> = (0..options.connections)
        .map(|index| {
            tokio::spawn(client(
                KINDS[index % KINDS.len()],
                endpoints.clone(),
                http.clone(),
                opening.clone(),
                progress.clone(),
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
    let publisher = Publisher::new(&http, &endpoints.publish);
    let started = Instant::now();
    let opened = progress.opened.load(Ordering::SeqCst);
    while progress.warmed_up.load(Ordering::SeqCst) < opened && started.elapsed() < WARM_UP_DEADLINE
    {
        publish(&publisher, WARM_UP, &mut report).await;
        let warmed_up = || progress.warmed_up.load(Ordering::SeqCst) >= opened;
        wait_until(WARM_UP_EVERY, None, warmed_up).await;
    }
    report.warm_up_time = started.elapsed();
    report.memory.push(("held".into(), sample(processes)));

    let started = Instant::now();
    for sequence in 0..options.publishes {
        publish(&publisher, &message(sequence), &mut report).await;
        sleep(options.interval).await;
    }
    report.publish_time = started.elapsed();
    let expected = opened * options.publishes as usize;
    let delivered = || progress.delivered.load(Ordering::SeqCst);
    wait_until(DELIVERY_DEADLINE, Some(&delivered), || {
        delivered() >= expected
    })
    .await;
    report.delivery_time = started.elapsed();
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

/// Publishes `content` to the stream, SSE and WebSocket clients of channel `test`.
async fn publish(publisher: &Publisher, content: &str, report: &mut Report) {
    let formats = json!({
        "http-stream": { "content": format!("data: {content}\n\n") },
        "ws-message": { "content": content },
    });
    let started = Instant::now();
    let (status, text) = publisher.try_publish("test", formats).await;
    report.publish_calls.push(started.elapsed());
    if status != 200 {
        report
            .publish_errors
            .push(format!("{status}: {}", text.trim()));
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
