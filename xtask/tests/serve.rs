//! `cargo xtask serve` end to end, as a user runs it: the command itself on free ports, its
//! output read as it comes. One test edits the routes file under `--watch` and sees the new
//! route answer while Pushpin keeps running; one puts an origin of the test's own behind
//! backend `origin` and holds a WebSocket through Fanout that the origin answers in
//! WebSocket-over-HTTP, published to with `cargo xtask publish`.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use fanout_router_stack::{Ports, paths};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");
/// A release build of the app, a stack's start, or a rebuild and restart.
const STEP_TIMEOUT: Duration = Duration::from_secs(300);

/// A running `cargo xtask serve` and everything it has printed so far.
struct Serve {
    child: Child,
    output: Arc<Mutex<String>>,
    ports: Ports,
}

impl Serve {
    fn start(args: &[&str]) -> Serve {
        let ports = free_ports();
        let mut command = Command::new(XTASK);
        command.arg("serve").args(args);
        for (flag, port) in [
            ("--port", ports.app),
            ("--proxy-port", ports.proxy),
            ("--publish-port", ports.publish),
            ("--zmq-ports", ports.zmq[0]),
        ] {
            command.args([flag, &port.to_string()]);
        }
        if !args.contains(&"--origin") {
            command.args(["--origin-port", &ports.origin.to_string()]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("xtask starts");
        let output = Arc::new(Mutex::new(String::new()));
        let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().unwrap());
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().unwrap());
        for stream in [stdout, stderr] {
            let output = output.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut output = output.lock().unwrap();
                    output.push_str(&line);
                    output.push('\n');
                }
            });
        }
        let serve = Serve {
            child,
            output,
            ports,
        };
        serve.wait_for("press Ctrl-C to stop", 1);
        serve
    }

    /// Waits until `line` has been printed `count` times.
    fn wait_for(&self, line: &str, count: usize) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        while self.printed(line) < count {
            assert!(
                Instant::now() < deadline,
                "serve did not print {line:?} {count} times:\n{}",
                self.output()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn printed(&self, line: &str) -> usize {
        self.output().lines().filter(|l| l.trim() == line).count()
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports.app)
    }

    /// The process ids of serve's children that run `program`.
    fn children_running(&self, program: &str) -> Vec<i32> {
        let serve = self.child.id().to_string();
        fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|entry| {
                let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
                let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
                let (name, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
                let parent = rest.split_whitespace().nth(1)?;
                (name == program && parent == serve).then_some(pid)
            })
            .collect()
    }

    /// Ctrl-C, as a terminal sends it; returns whether serve exited successfully.
    fn interrupt(&mut self) -> bool {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.interrupt();
        }
    }
}

/// Free ports for the stack, the three ZMQ ones in a row as `--zmq-ports` takes them.
fn free_ports() -> Ports {
    let mut ports = Ports::free().unwrap();
    loop {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = first.local_addr().unwrap().port();
        let rest: Vec<_> = (1..3)
            .filter_map(|offset| base.checked_add(offset))
            .filter_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
            .collect();
        let others = [ports.app, ports.origin, ports.proxy, ports.publish];
        if rest.len() == 2 && (base..base + 3).all(|port| !others.contains(&port)) {
            ports.zmq = [base, base + 1, base + 2];
            return ports;
        }
    }
}

/// A routes file of the test's own under `target/`.
fn routes_file(name: &str, text: &str) -> PathBuf {
    let dir = paths::repo_root().join("target/serve-tests");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// The first `want.len()` bytes of the body at `url`, which a held stream sends at once.
fn stream_start(url: &str, want: &str) -> Result<String, String> {
    let mut response = ureq::get(url).call().map_err(|error| error.to_string())?;
    let mut start = vec![0; want.len()];
    response
        .body_mut()
        .as_reader()
        .read_exact(&mut start)
        .map_err(|error| error.to_string())?;
    Ok(String::from_utf8_lossy(&start).into_owned())
}

const ONE_ROUTE: &str = r#"
[[route]]
path = "/before"
answer = "stream"
initial_body = "before\n"
channels = ["before"]
"#;

const TWO_ROUTES: &str = r#"
[[route]]
path = "/before"
answer = "stream"
initial_body = "before\n"
channels = ["before"]

[[route]]
path = "/after"
answer = "stream"
initial_body = "after\n"
channels = ["after"]
"#;

#[test]
fn watch_rebuilds_on_a_routes_change_and_keeps_pushpin() {
    let routes = routes_file("watch.toml", ONE_ROUTE);
    let mut serve = Serve::start(&["--watch", "--routes", routes.to_str().unwrap()]);
    assert_eq!(
        stream_start(&serve.url("/before"), "before\n").unwrap(),
        "before\n"
    );
    assert!(stream_start(&serve.url("/after"), "after\n").is_err());
    let pushpin = serve.children_running("pushpin");
    let viceroy = serve.children_running("viceroy");
    assert_eq!((pushpin.len(), viceroy.len()), (1, 1), "{}", serve.output());

    // An error is shown, and the last good build keeps serving.
    fs::write(&routes, TWO_ROUTES.replace("channels = [\"after\"]", "")).unwrap();
    serve.wait_for(
        "serve: still serving the last good build; fix it and save again",
        1,
    );
    assert!(
        serve
            .output()
            .contains("error: an answer route needs `channels`"),
        "{}",
        serve.output()
    );
    assert_eq!(
        stream_start(&serve.url("/before"), "before\n").unwrap(),
        "before\n"
    );

    fs::write(&routes, TWO_ROUTES).unwrap();
    serve.wait_for(
        "serve: restarted the app; Pushpin and the origin kept running",
        1,
    );
    assert!(
        serve.output().contains("  /after: stream on after\n"),
        "{}",
        serve.output()
    );
    assert_eq!(
        stream_start(&serve.url("/after"), "after\n").unwrap(),
        "after\n"
    );
    assert_eq!(serve.children_running("pushpin"), pushpin);
    assert_ne!(serve.children_running("viceroy"), viceroy);

    assert!(serve.interrupt(), "{}", serve.output());
    let output = serve.output();
    assert!(
        output.ends_with("serve: stopping\nserve: stopped (SIGINT)\n"),
        "{output}"
    );
    assert!(!output.contains(" exited ("), "{output}");
    assert!(serve.children_running("pushpin").is_empty());
}

/// An origin that speaks GRIP: it accepts each WebSocket that Fanout opens to it in
/// WebSocket-over-HTTP and subscribes it to `channel`.
fn start_grip_origin(channel: &str) -> u16 {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let subscribe = format!(r#"c:{{"type":"subscribe","channel":"{channel}"}}"#);
    thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let events = if body.starts_with("OPEN\r\n") {
                format!("OPEN\r\nTEXT {:x}\r\n{subscribe}\r\n", subscribe.len())
            } else {
                String::new()
            };
            let header = |name: &str, value: &str| {
                tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
            };
            let response = tiny_http::Response::from_string(events)
                .with_header(header("Content-Type", "application/websocket-events"))
                .with_header(header("Sec-WebSocket-Extensions", "grip"));
            let _ = request.respond(response);
        }
    });
    port
}

#[test]
fn origin_puts_a_grip_origin_behind_fanout() {
    let origin = start_grip_origin("room:lobby");
    let routes = routes_file(
        "origin.toml",
        "[[route]]\nprefix = \"/\"\nfanout = \"origin\"\n",
    );
    let origin_url = format!("http://127.0.0.1:{origin}/");
    let serve = Serve::start(&[
        "--routes",
        routes.to_str().unwrap(),
        "--origin",
        &origin_url,
    ]);
    assert!(
        serve
            .output()
            .contains(&format!("origin: your origin at {origin_url}")),
        "{}",
        serve.output()
    );

    let stream = TcpStream::connect(("127.0.0.1", serve.ports.app)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let url = format!("ws://127.0.0.1:{}/rooms/lobby", serve.ports.app);
    let (mut socket, _) = tungstenite::client(url.as_str(), stream).expect("the WebSocket opens");
    let publish_port = serve.ports.publish.to_string();
    let publish = || {
        let output = Command::new(XTASK)
            .args([
                "publish",
                "--publish-port",
                &publish_port,
                "room:lobby",
                "hello",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    // The subscription takes effect a moment after the socket opens: publish until it lands.
    let deadline = Instant::now() + Duration::from_secs(20);
    let printed = loop {
        let printed = publish();
        match socket.read() {
            Ok(tungstenite::Message::Text(text)) => {
                assert_eq!(text.as_str(), "hello");
                break printed;
            }
            Ok(other) => panic!("unexpected message {other:?}"),
            Err(tungstenite::Error::Io(error))
                if error.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {}
            Err(error) => panic!("no message: {error}\n{}", serve.output()),
        }
    };
    assert!(
        printed.starts_with(
            "published to room:lobby: stream, long-poll response and WebSocket message; "
        ),
        "{printed}"
    );
}
