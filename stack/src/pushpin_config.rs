//! Pushpin's configuration for the local stack: a config file for the installed Pushpin
//! version, and a routes file with one route per fastly.toml backend, so that Viceroy's
//! `Pushpin-Route: <backend>` header picks the target.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command::output;
use crate::manifest::Backend;
use crate::ports::Ports;

/// The key and issuer the Fastly CLI's local Pushpin signs with; the app accepts them locally.
pub use fanout_router_core::grip_sig::{LOCAL_ISSUER as DEV_SIG_ISS, LOCAL_SIG_KEY as DEV_SIG_KEY};

/// Each client connection's buffers in Pushpin's connection manager, `[runner]
/// client_buffer_size`, which the runner passes to condure (connmgr from 1.39 on) as
/// `--buffer-size`. A request head must fit in one: past it the connection is reset, and
/// Viceroy answers the handoff with `502 Handoff request failed`. With Pushpin's default of
/// 8192, heads of about 8 KiB failed so, and WebSocket messages to the client from about
/// 32.5 KB on waited in condure until the client sent something (a publish in between was
/// lost). 72 KiB holds a request header of 69 KB (Compute's documented limit) with the rest of
/// a head, and 64 KB messages (Fanout's). Condure allocates two per connection.
pub const CLIENT_BUFFER_BYTES: usize = 72 * 1024;

/// The installed Pushpin's `(major, minor)`, from `pushpin --version`.
pub fn installed_version() -> Result<(u32, u32), String> {
    let printed = output(Command::new("pushpin").arg("--version"))?;
    parse_version(&printed).ok_or_else(|| format!("cannot read Pushpin's version from {printed:?}"))
}

fn parse_version(printed: &str) -> Option<(u32, u32)> {
    let version = printed.split_whitespace().last()?;
    let mut numbers = version.split('.').map(str::parse::<u32>);
    Some((numbers.next()?.ok()?, numbers.next()?.ok()?))
}

/// Writes `pushpin.conf` and `routes` into `dir` (run files and logs go below it) and
/// returns the config file's path.
pub fn write(
    dir: &Path,
    version: (u32, u32),
    ports: &Ports,
    backends: &[Backend],
) -> Result<PathBuf, String> {
    for sub_dir in ["run", "log"] {
        fs::create_dir_all(dir.join(sub_dir))
            .map_err(|error| format!("creating {}: {error}", dir.join(sub_dir).display()))?;
    }
    let config = dir.join("pushpin.conf");
    let files = [
        (config.clone(), config_text(dir, version, ports)),
        (dir.join("routes"), routes_text(backends)),
    ];
    for (path, text) in files {
        fs::write(&path, text).map_err(|error| format!("writing {}: {error}", path.display()))?;
    }
    Ok(config)
}

fn config_text(dir: &Path, version: (u32, u32), ports: &Ports) -> String {
    // Pushpin 1.39 renamed its services, and its connection manager makes the outgoing
    // requests itself. Before that, Debian's internal.conf points outgoing requests at a
    // system-wide zurl that is not running, so the runner starts its own and the proxy is
    // pointed at it.
    let (services, outgoing) = if version >= (1, 39) {
        ("connmgr,proxy,handler", "")
    } else {
        (
            "condure,zurl,pushpin-proxy,pushpin-handler",
            "zurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in\n\
             zurl_out_stream_specs=ipc://{rundir}/{ipc_prefix}zurl-in-stream\n\
             zurl_in_specs=ipc://{rundir}/{ipc_prefix}zurl-out\n",
        )
    };
    let dir = dir.display();
    let Ports {
        proxy,
        publish,
        zmq: [push_in, push_in_sub, command],
        ..
    } = ports;
    format!(
        "# Written by the local stack (fanout-router-stack); rewritten on every start.
[global]
include={{libdir}}/internal.conf
rundir={dir}/run
ipc_prefix=pushpin-
port_offset=0

[runner]
services={services}
http_port=127.0.0.1:{proxy}
logdir={dir}/log
log_level=2
client_buffer_size={CLIENT_BUFFER_BYTES}

[proxy]
routesfile=routes
{outgoing}accept_pushpin_route=true
sig_iss={DEV_SIG_ISS}
sig_key={DEV_SIG_KEY}
updates_check=off

[handler]
push_in_http_addr=127.0.0.1
push_in_http_port={publish}
push_in_spec=tcp://127.0.0.1:{push_in}
push_in_sub_specs=tcp://127.0.0.1:{push_in_sub}
command_spec=tcp://127.0.0.1:{command}
# Fanout's own limits. Until fastly/pushpin#48084 was fixed (December 2024; Debian's 1.36
# has the bug) the body limit was read as push_in_max_body_size: both names are set.
push_in_http_max_body_size=65536
push_in_max_body_size=65536
connection_subscription_max=20
"
    )
}

/// One route per backend, chosen by Viceroy's `Pushpin-Route` header. `over_http` turns
/// WebSocket connections into WebSocket-over-HTTP requests, which is what Fanout does.
fn routes_text(backends: &[Backend]) -> String {
    backends
        .iter()
        .map(|backend| {
            let mut line = format!("id={} {},over_http", backend.name, backend.address);
            if backend.tls {
                line.push_str(",ssl");
            }
            if let Some(host) = &backend.override_host {
                line.push_str(&format!(",host={host}"));
            }
            line + "\n"
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(name: &str, address: &str, tls: bool, host: Option<&str>) -> Backend {
        Backend {
            name: name.into(),
            address: address.into(),
            tls,
            override_host: host.map(Into::into),
        }
    }

    #[test]
    fn reads_the_version_pushpin_prints() {
        assert_eq!(parse_version("pushpin 1.36.0\n"), Some((1, 36)));
        assert_eq!(parse_version("pushpin 1.41.0-rc1"), Some((1, 41)));
        assert_eq!(parse_version("nonsense"), None);
    }

    #[test]
    fn one_route_per_backend() {
        let backends = [
            backend("origin", "127.0.0.1:8000", false, None),
            backend("self", "127.0.0.1:7676", false, Some("127.0.0.1:7676")),
            backend("api", "api.example.com:443", true, None),
        ];
        assert_eq!(
            routes_text(&backends),
            "id=origin 127.0.0.1:8000,over_http\n\
             id=self 127.0.0.1:7676,over_http,host=127.0.0.1:7676\n\
             id=api api.example.com:443,over_http,ssl\n"
        );
    }

    #[test]
    fn debian_pushpin_gets_the_old_service_names_and_its_own_zurl() {
        let text = config_text(Path::new("/r"), (1, 36), &Ports::default());
        assert!(text.contains("services=condure,zurl,pushpin-proxy,pushpin-handler\n"));
        assert!(text.contains("zurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in\n"));
        assert!(text.contains("rundir=/r/run\n"));
    }

    #[test]
    fn publishes_are_limited_to_64_kb_under_either_name_of_the_setting() {
        for version in [(1, 36), (1, 39)] {
            let text = config_text(Path::new("/r"), version, &Ports::default());
            assert!(text.contains("\npush_in_http_max_body_size=65536\n"));
            assert!(text.contains("\npush_in_max_body_size=65536\n"));
        }
    }

    #[test]
    fn connection_buffers_hold_a_69_kb_header_and_a_64_kb_message() {
        for version in [(1, 36), (1, 39)] {
            let text = config_text(Path::new("/r"), version, &Ports::default());
            let runner = text.split("[proxy]").next().unwrap();
            assert!(runner.contains("\nclient_buffer_size=73728\n"), "{runner}");
        }
    }

    #[test]
    fn newer_pushpin_gets_the_new_service_names() {
        let text = config_text(Path::new("/r"), (1, 39), &Ports::default());
        assert!(text.contains("services=connmgr,proxy,handler\n"));
        assert!(!text.contains("zurl"));
    }

    #[test]
    fn everything_listens_on_loopback_on_the_given_ports() {
        let ports = Ports {
            proxy: 1,
            publish: 2,
            zmq: [3, 4, 5],
            ..Ports::default()
        };
        let text = config_text(Path::new("/r"), (1, 36), &ports);
        for line in [
            "http_port=127.0.0.1:1",
            "push_in_http_addr=127.0.0.1",
            "push_in_http_port=2",
            "push_in_spec=tcp://127.0.0.1:3",
            "push_in_sub_specs=tcp://127.0.0.1:4",
            "command_spec=tcp://127.0.0.1:5",
            "sig_key=viceroy_dev_signing_key_dont_use_in_production",
        ] {
            assert!(text.contains(&format!("{line}\n")), "missing {line}");
        }
    }
}
