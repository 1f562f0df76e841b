//! `cargo xtask publish`: one message to a channel in the format of every mode at once, to
//! the local stack's Pushpin or, with `--fastly`, to the Fastly service's publish endpoint.
//! curl sends it: it is there wherever the README's examples run, and it speaks TLS to
//! Fastly without a TLS library compiled in here.

use std::io::Write;
use std::process::{Command, Stdio};

use fanout_router_stack::Ports;
use serde_json::{Map, Value, json};

pub const USAGE: &str =
    "  publish [--sse] [--event NAME] [--id ID] [--publish-port N | --fastly] CHANNEL MESSAGE
                      publish MESSAGE to CHANNEL for every mode at once: stream (MESSAGE and
                      a newline, or with --sse, --event or --id an SSE event), long-poll (a
                      200 response), ws-echo (a text message); --id also gives the item its
                      id; to the local stack's Pushpin (default port 5561) or, with --fastly,
                      to Fastly's publish endpoint for service FASTLY_SERVICE_ID with the API
                      token FASTLY_API_TOKEN (FASTLY_API_ENDPOINT overrides the API's URL)";

/// Fastly's API, where `--fastly` publishes unless `FASTLY_API_ENDPOINT` says otherwise.
const FASTLY_API: &str = "https://api.fastly.com";

#[derive(Debug, PartialEq)]
struct Message<'a> {
    channel: &'a str,
    text: &'a str,
    /// Whether the stream format is an SSE event.
    sse: bool,
    event: Option<&'a str>,
    id: Option<&'a str>,
}

#[derive(Debug, PartialEq)]
enum Target {
    Local { port: u16 },
    Fastly,
}

/// An HTTP request for curl.
#[derive(Debug, PartialEq)]
struct Request {
    url: String,
    headers: Vec<(&'static str, String)>,
    body: String,
}

pub fn run(args: &[&str]) -> Result<(), String> {
    run_with(args, &|name| std::env::var(name).ok())
}

/// `run`, with the environment variables read from `env`.
fn run_with(args: &[&str], env: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    let (message, target) = parse(args)?;
    let request = request(&message, &target, env)?;
    let (status, answer) = send(&request)?;
    let answer = answer.trim();
    if !(200..300).contains(&status) {
        return Err(format!("{} answered {status}: {answer}", request.url));
    }
    let stream = if message.sse { "SSE event" } else { "stream" };
    println!(
        "published to {}: {stream}, long-poll response and WebSocket message; {} answered \
         {status} {answer}",
        message.channel, request.url
    );
    if let Target::Local { .. } = target {
        // Pushpin 1.36 counts subscribers only on its ZMQ stats socket.
        println!("(Pushpin's publish endpoint does not say how many subscribers it reached)");
    }
    Ok(())
}

fn parse<'a>(args: &[&'a str]) -> Result<(Message<'a>, Target), String> {
    let (mut sse, mut event, mut id) = (false, None, None);
    let mut port = None;
    let mut fastly = false;
    let mut words = Vec::new();
    let mut args = args.iter().copied();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg {
            "--sse" => sse = true,
            "--event" => event = Some(value()?),
            "--id" => id = Some(value()?),
            "--fastly" => fastly = true,
            "--publish-port" => {
                let text = value()?;
                port = Some(
                    text.parse::<u16>()
                        .map_err(|_| format!("--publish-port {text}: not a port number"))?,
                );
            }
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            word => words.push(word),
        }
    }
    let [channel, text] = words[..] else {
        return Err("publish takes a CHANNEL and a MESSAGE".into());
    };
    let target = match (fastly, port) {
        (true, Some(_)) => {
            return Err("--publish-port is the local stack's; --fastly publishes to Fastly".into());
        }
        (true, None) => Target::Fastly,
        (false, port) => Target::Local {
            port: port.unwrap_or(Ports::default().publish),
        },
    };
    let message = Message {
        channel,
        text,
        sse: sse || event.is_some() || id.is_some(),
        event,
        id,
    };
    Ok((message, target))
}

/// The publish body: one item that every mode reads its format of.
fn body(message: &Message) -> String {
    let stream = if message.sse {
        let mut event = String::new();
        if let Some(name) = message.event {
            event.push_str(&format!("event: {name}\n"));
        }
        if let Some(id) = message.id {
            event.push_str(&format!("id: {id}\n"));
        }
        for line in message.text.lines() {
            event.push_str(&format!("data: {line}\n"));
        }
        event + "\n"
    } else {
        format!("{}\n", message.text)
    };
    let mut item = Map::new();
    item.insert("channel".into(), message.channel.into());
    if let Some(id) = message.id {
        item.insert("id".into(), id.into());
    }
    item.insert(
        "formats".into(),
        json!({
            "http-stream": { "content": stream },
            "http-response": { "code": 200, "body": format!("{}\n", message.text) },
            "ws-message": { "content": message.text },
        }),
    );
    json!({ "items": [Value::Object(item)] }).to_string()
}

fn request(
    message: &Message,
    target: &Target,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Request, String> {
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    let url = match target {
        Target::Local { port } => format!("http://127.0.0.1:{port}/publish/"),
        Target::Fastly => {
            let wanted = ["FASTLY_API_TOKEN", "FASTLY_SERVICE_ID"];
            let [token, service] = wanted.map(|name| env(name).filter(|v| !v.is_empty()));
            let (Some(token), Some(service)) = (token, service) else {
                let missing: Vec<&str> = wanted
                    .into_iter()
                    .filter(|name| env(name).is_none_or(|v| v.is_empty()))
                    .collect();
                return Err(format!(
                    "--fastly needs {} in the environment (FASTLY_API_TOKEN: a Fastly API \
                     token; FASTLY_SERVICE_ID: the service's id, which `cargo xtask fastly \
                     service list` shows)",
                    missing.join(" and ")
                ));
            };
            headers.push(("Fastly-Key", token));
            let api = env("FASTLY_API_ENDPOINT").unwrap_or_else(|| FASTLY_API.into());
            format!("{}/service/{service}/publish/", api.trim_end_matches('/'))
        }
    };
    Ok(Request {
        url,
        headers,
        body: body(message),
    })
}

/// Sends `request` with curl and returns the status and body of the answer. The headers go
/// through curl's configuration on stdin, so that the API token is not on a command line
/// that other users can read.
fn send(request: &Request) -> Result<(u16, String), String> {
    let config: String = request
        .headers
        .iter()
        .map(|(name, value)| {
            let header = format!("{name}: {value}")
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            format!("header = \"{header}\"\n")
        })
        .collect();
    let mut curl = Command::new("curl")
        .args(["--silent", "--show-error", "--config", "-"])
        .args([
            "--data-binary",
            &request.body,
            "--write-out",
            "\n%{http_code}",
        ])
        .arg(&request.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("could not start curl, which publish runs: {error}"))?;
    curl.stdin
        .take()
        .expect("stdin is piped")
        .write_all(config.as_bytes())
        .map_err(|error| format!("writing to curl: {error}"))?;
    let output = curl
        .wait_with_output()
        .map_err(|error| format!("waiting for curl: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "could not publish to {}: {}",
            request.url,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let printed = String::from_utf8_lossy(&output.stdout);
    let (answer, status) = printed.rsplit_once('\n').unwrap_or(("", &printed));
    let status = status
        .parse()
        .map_err(|_| format!("curl printed no status: {printed:?}"))?;
    Ok((status, answer.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn env_of(vars: &[(&'static str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let vars = vars.to_vec();
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn items(message: &Message) -> Value {
        serde_json::from_str::<Value>(&body(message)).unwrap()["items"].clone()
    }

    #[test]
    fn one_item_carries_every_format() {
        let args = ["room:1", "hi"];

        let (message, target) = parse(&args).unwrap();
        assert_eq!(target, Target::Local { port: 5561 });
        assert_eq!(
            items(&message),
            json!([{
                "channel": "room:1",
                "formats": {
                    "http-stream": { "content": "hi\n" },
                    "http-response": { "code": 200, "body": "hi\n" },
                    "ws-message": { "content": "hi" },
                },
            }])
        );
    }

    #[test]
    fn an_event_name_or_id_makes_the_stream_an_sse_event() {
        let args = ["--event", "chat", "--id", "7", "c", "a\nb"];

        let (message, _) = parse(&args).unwrap();
        let items = items(&message);
        assert_eq!(items[0]["id"], "7");
        assert_eq!(
            items[0]["formats"]["http-stream"]["content"],
            "event: chat\nid: 7\ndata: a\ndata: b\n\n"
        );
        let args = ["--sse", "c", "hi"];

        let (message, _) = parse(&args).unwrap();
        assert_eq!(
            self::items(&message)[0]["formats"]["http-stream"]["content"],
            "data: hi\n\n"
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        let error = |args: &[&str]| parse(args).unwrap_err();
        assert_eq!(error(&["c"]), "publish takes a CHANNEL and a MESSAGE");
        assert_eq!(error(&["c", "m", "--event"]), "--event needs a value");
        assert_eq!(error(&["--nope", "c", "m"]), "unknown flag --nope");
        assert_eq!(
            error(&["--publish-port", "x", "c", "m"]),
            "--publish-port x: not a port number"
        );
        assert_eq!(
            error(&["--fastly", "--publish-port", "1", "c", "m"]),
            "--publish-port is the local stack's; --fastly publishes to Fastly"
        );
    }

    #[test]
    fn fastly_needs_a_token_and_a_service_id() {
        let args = ["--fastly", "c", "m"];

        let (message, target) = parse(&args).unwrap();
        let env = env_of(&[("FASTLY_SERVICE_ID", "svc".into())]);
        let error = request(&message, &target, &env).unwrap_err();
        assert!(
            error.starts_with("--fastly needs FASTLY_API_TOKEN in the environment"),
            "{error}"
        );
        let error = request(&message, &target, &env_of(&[])).unwrap_err();
        assert!(
            error.starts_with("--fastly needs FASTLY_API_TOKEN and FASTLY_SERVICE_ID in"),
            "{error}"
        );
        let env = env_of(&[
            ("FASTLY_SERVICE_ID", "svc".into()),
            ("FASTLY_API_TOKEN", "tok".into()),
        ]);
        let request = request(&message, &target, &env).unwrap();
        assert_eq!(request.url, "https://api.fastly.com/service/svc/publish/");
        assert!(request.headers.contains(&("Fastly-Key", "tok".into())));
    }

    /// The request reaches a server that stands in for Fastly's API as Fastly takes it:
    /// the service's publish path, the token in `Fastly-Key`, the item as the body.
    #[test]
    fn publishes_to_the_fastly_endpoint_with_the_token() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let address = server.server_addr().to_ip().unwrap();
        let received = thread::spawn(move || {
            let mut request = server.recv().unwrap();
            let mut body = String::new();
            request.as_reader().read_to_string(&mut body).unwrap();
            let header = |name: &'static str| {
                request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.to_string())
            };
            let seen = (
                request.method().to_string(),
                request.url().to_owned(),
                header("Fastly-Key"),
                header("Content-Type"),
                body,
            );
            request
                .respond(tiny_http::Response::from_string("Published\n"))
                .unwrap();
            seen
        });
        let env = env_of(&[
            ("FASTLY_SERVICE_ID", "SVC123".into()),
            ("FASTLY_API_TOKEN", "secret\"token".into()),
            ("FASTLY_API_ENDPOINT", format!("http://{address}/")),
        ]);
        run_with(&["--fastly", "test", "hello"], &env).unwrap();
        let (method, url, key, content_type, body) = received.join().unwrap();
        assert_eq!(
            (method.as_str(), url.as_str()),
            ("POST", "/service/SVC123/publish/")
        );
        assert_eq!(key.as_deref(), Some("secret\"token"));
        assert_eq!(content_type.as_deref(), Some("application/json"));
        let args = ["test", "hello"];

        let (message, _) = parse(&args).unwrap();
        assert_eq!(body, super::body(&message));
    }

    #[test]
    fn a_refused_publish_is_an_error_naming_the_answer() {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let answered = thread::spawn(move || {
            let request = server.recv().unwrap();
            let response = tiny_http::Response::from_string("Bad format.").with_status_code(400);
            request.respond(response).unwrap();
        });
        let error = run_with(
            &["--publish-port", &port.to_string(), "c", "m"],
            &env_of(&[]),
        )
        .unwrap_err();
        answered.join().unwrap();
        assert_eq!(
            error,
            format!("http://127.0.0.1:{port}/publish/ answered 400: Bad format.")
        );
    }
}
