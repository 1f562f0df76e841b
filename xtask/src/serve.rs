//! `cargo xtask serve`: the app behind a local Fanout (Pushpin), with the demo origin as
//! backend `origin`, on the Fastly CLI's ports unless flags say otherwise, until Ctrl-C.

use std::thread::sleep;
use std::time::Duration;

use fanout_router_stack::{
    Origin, Ports, Publishing, Stack, StackConfig, app_build, paths, setup, signals,
};

pub const USAGE: &str = "  serve [--demo-publish] [--port N] [--origin-port N] [--proxy-port N] [--publish-port N] [--zmq-ports N]
                      build the app and serve it on 127.0.0.1 behind Pushpin with a demo
                      origin (defaults: 7676, 8000, 7677, 5561, 5562-5564) until Ctrl-C;
                      --demo-publish lets the demo page's form publish through the demo
                      origin (POST /publish, loopback clients only)";

pub fn run(args: &[&str]) -> Result<(), String> {
    let (demo_publishing, args) = parse_publishing(args);
    let ports = parse_ports(&args)?;
    signals::stop_children_on_signal();
    setup::wasm_target()?;
    setup::pushpin()?;
    let viceroy = setup::viceroy()?;
    println!("serve: building the app (release, wasm32-wasip1)");
    let wasm = app_build::build(None, &paths::repo_root().join("target"))?;
    println!("serve: starting Pushpin, the demo origin and Viceroy");
    let mut stack = Stack::start(&StackConfig {
        wasm,
        viceroy,
        ports,
        origin: Origin::Demo,
        demo_publishing,
        run_dir: paths::run_dir("serve"),
    })?;
    let app = stack.app_url();
    let publish = stack.publish_url();
    println!("logs and configuration: {}", stack.run_dir.display());
    println!("try: curl -N {app}/test/stream   (also /test/sse, /test/long-poll, /test/websocket)");
    println!(
        "ready: app {app} · publish endpoint {publish} · publish to channel test: \
         curl -d '{{\"items\":[{{\"channel\":\"test\",\"formats\":{{\"http-stream\":{{\"content\":\"hello\\n\"}},\"http-response\":{{\"body\":\"hello\\n\"}},\"ws-message\":{{\"content\":\"hello\"}}}}}}]}}' {publish}"
    );
    match demo_publishing {
        Publishing::Loopback => println!(
            "demo page: {app}/ (its form publishes through the demo origin, for loopback clients)"
        ),
        Publishing::Off => println!(
            "demo page: {app}/ (its form is refused: restart with --demo-publish to let it publish)"
        ),
    }
    println!("press Ctrl-C to stop");
    loop {
        sleep(Duration::from_millis(200));
        stack.check()?;
    }
}

/// `--demo-publish`, wherever it is, and the other arguments.
fn parse_publishing<'a>(args: &[&'a str]) -> (Publishing, Vec<&'a str>) {
    let rest: Vec<&str> = args
        .iter()
        .copied()
        .filter(|&arg| arg != "--demo-publish")
        .collect();
    let publishing = if rest.len() < args.len() {
        Publishing::Loopback
    } else {
        Publishing::Off
    };
    (publishing, rest)
}

fn parse_ports(args: &[&str]) -> Result<Ports, String> {
    let mut ports = Ports::default();
    for pair in args.chunks(2) {
        let [flag, value] = pair else {
            return Err(format!("{} needs a port number", pair[0]));
        };
        let port: u16 = value
            .parse()
            .map_err(|_| format!("{flag} {value}: not a port number"))?;
        match *flag {
            "--port" => ports.app = port,
            "--origin-port" => ports.origin = port,
            "--proxy-port" => ports.proxy = port,
            "--publish-port" => ports.publish = port,
            "--zmq-ports" => {
                let last = port
                    .checked_add(2)
                    .ok_or("--zmq-ports: three ports from N")?;
                ports.zmq = [port, port + 1, last];
            }
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(ports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_fastly_cli_ports() {
        assert_eq!(parse_ports(&[]).unwrap(), Ports::default());
    }

    #[test]
    fn flags_change_ports() {
        let ports = parse_ports(&["--port", "9000", "--zmq-ports", "6000"]).unwrap();
        assert_eq!((ports.app, ports.zmq), (9000, [6000, 6001, 6002]));
    }

    #[test]
    fn the_demo_origin_publishes_only_when_asked() {
        assert_eq!(
            parse_publishing(&["--port", "1"]),
            (Publishing::Off, vec!["--port", "1"])
        );
        assert_eq!(
            parse_publishing(&["--port", "1", "--demo-publish"]),
            (Publishing::Loopback, vec!["--port", "1"])
        );
    }

    #[test]
    fn bad_flags_are_errors() {
        assert_eq!(
            parse_ports(&["--port"]).unwrap_err(),
            "--port needs a port number"
        );
        assert_eq!(
            parse_ports(&["--port", "x"]).unwrap_err(),
            "--port x: not a port number"
        );
        assert_eq!(
            parse_ports(&["--nope", "1"]).unwrap_err(),
            "unknown flag --nope"
        );
    }
}
