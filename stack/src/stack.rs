//! The whole local stack: Pushpin as Fanout, the demo origin (or the user's own) as backend
//! `origin`, and Viceroy serving the app with handoff to that Pushpin. Dropping a `Stack`
//! stops all of it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::demo_origin::{DemoOrigin, Publishing};
use crate::manifest::Manifest;
use crate::paths::repo_root;
use crate::ports::Ports;
use crate::pushpin_config;
use crate::supervisor::{Supervisor, listening, log_has_line};

pub struct StackConfig {
    /// The app, as built by `app_build::build`.
    pub wasm: PathBuf,
    pub viceroy: PathBuf,
    pub ports: Ports,
    pub origin: Origin,
    /// Whether the demo origin's `POST /publish` publishes (for loopback clients); off by
    /// default, since the app's catch-all route makes it reachable by any client of the app.
    pub demo_publishing: Publishing,
    /// Configuration, logs and run files; emptied first. Keep it under `target/`.
    pub run_dir: PathBuf,
}

/// What serves backend `origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The demo origin, on the origin port.
    Demo,
    /// Nothing, on the origin port: for seeing what clients get when the origin is down.
    Down,
    /// The user's own: every backend where the manifest says, the stack starting none.
    Own,
}

/// A process of the stack that can be stopped and started again, to see how the rest copes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Pushpin,
    Viceroy,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Pushpin => "pushpin",
            Service::Viceroy => "viceroy",
        }
    }
}

pub struct Stack {
    // Field order is drop order: the processes stop before the origin does.
    supervisor: Supervisor,
    _demo_origin: Option<DemoOrigin>,
    pub ports: Ports,
    pub run_dir: PathBuf,
    origin: Origin,
    wasm: PathBuf,
    viceroy: PathBuf,
    manifest: PathBuf,
    pushpin_conf: PathBuf,
}

impl Stack {
    /// Starts the stack with the repository's fastly.toml.
    pub fn start(config: &StackConfig) -> Result<Stack, String> {
        Stack::start_with(config, Manifest::read(&repo_root().join("fastly.toml"))?)
    }

    /// Starts the stack with `manifest` as the app's fastly.toml.
    pub fn start_with(config: &StackConfig, manifest: Manifest) -> Result<Stack, String> {
        let StackConfig {
            wasm,
            viceroy,
            ports,
            origin,
            demo_publishing,
            run_dir,
        } = config;
        if let Some((_, busy)) = ports.busy(*origin) {
            return Err(format!(
                "port {busy} on 127.0.0.1 is in use (is another stack running?): choose other ports"
            ));
        }
        let _ = fs::remove_dir_all(run_dir);
        fs::create_dir_all(run_dir)
            .map_err(|error| format!("creating {}: {error}", run_dir.display()))?;

        let manifest_path = run_dir.join("fastly.toml");
        let pushpin_conf = write_backends(&manifest, *origin, ports, run_dir)?;

        let demo_origin = match origin {
            Origin::Demo => Some(DemoOrigin::start(ports, *demo_publishing).map_err(|error| {
                format!(
                    "demo origin cannot listen on 127.0.0.1:{}: {error}",
                    ports.origin
                )
            })?),
            Origin::Down | Origin::Own => None,
        };

        let mut stack = Stack {
            supervisor: Supervisor::default(),
            _demo_origin: demo_origin,
            ports: *ports,
            run_dir: run_dir.clone(),
            origin: *origin,
            wasm: wasm.clone(),
            viceroy: viceroy.clone(),
            manifest: manifest_path,
            pushpin_conf,
        };
        // Dropping the stack on an error stops what has started.
        stack.start_service(Service::Pushpin)?;
        stack.start_service(Service::Viceroy)?;
        Ok(stack)
    }

    /// Stops `service` and everything it started (SIGTERM, then SIGKILL after a grace
    /// period), as a crash would; the rest of the stack keeps running.
    pub fn stop_service(&mut self, service: Service) {
        self.supervisor.stop(service.name());
    }

    /// Starts `service` (again, after `stop_service`) with the stack's configuration and ports,
    /// and waits until it listens. Pushpin's services may still be connecting to each other
    /// for a moment after that: a request then can fail or get no answer.
    pub fn start_service(&mut self, service: Service) -> Result<(), String> {
        let ports = self.ports;
        match service {
            Service::Pushpin => {
                let log = self.run_dir.join("pushpin.log");
                self.supervisor.start(
                    service.name(),
                    Command::new("pushpin")
                        .arg("--merge-output")
                        .arg("--config")
                        .arg(&self.pushpin_conf),
                    &log,
                    Duration::from_secs(30),
                    || {
                        // The runner's own `[INFO] <date> <time> started`, not a service's
                        // `... [handler] started`.
                        log_has_line(&log, |line| line.split_whitespace().skip(3).eq(["started"]))
                            && listening(ports.proxy)
                            && listening(ports.publish)
                    },
                )
            }
            Service::Viceroy => self.supervisor.start(
                service.name(),
                Command::new(&self.viceroy)
                    .arg("serve")
                    .arg("--addr")
                    .arg(format!("127.0.0.1:{}", ports.app))
                    .arg("--local-pushpin-proxy-port")
                    .arg(ports.proxy.to_string())
                    .arg("-C")
                    .arg(&self.manifest)
                    .arg(&self.wasm),
                &self.run_dir.join("viceroy.log"),
                Duration::from_secs(60),
                || listening(ports.app),
            ),
        }
    }

    /// Serves `wasm` with `manifest` as the app's fastly.toml from now on: restarts Viceroy
    /// only, while Pushpin, which reads its routes file again when it changes, and the
    /// origin keep running.
    pub fn restart_app(&mut self, wasm: PathBuf, manifest: &Manifest) -> Result<(), String> {
        self.stop_service(Service::Viceroy);
        write_backends(manifest, self.origin, &self.ports, &self.run_dir)?;
        self.wasm = wasm;
        self.start_service(Service::Viceroy)
    }

    /// Where clients reach the app.
    pub fn app_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.app)
    }

    /// The demo origin (backend `origin`, unless the origin is the user's own).
    pub fn origin_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.origin)
    }

    /// Pushpin's publish endpoint (the trailing slash is required).
    pub fn publish_url(&self) -> String {
        format!("http://127.0.0.1:{}/publish/", self.ports.publish)
    }

    /// Fails, naming the process and showing its log, when a process of the stack has died.
    pub fn check(&mut self) -> Result<(), String> {
        self.supervisor.check()
    }

    /// Each running service's name and process ids: its own, then those of what it started
    /// (Pushpin's runner starts condure, zurl, pushpin-proxy and pushpin-handler).
    pub fn processes(&self) -> Vec<(&str, Vec<i32>)> {
        self.supervisor.processes()
    }
}

/// Writes the run directory's copy of `manifest`, which Viceroy reads backend addresses
/// from, with `self` at the app's port and, unless the origin is the user's own, `origin`
/// at the origin port; and Pushpin's configuration with a route to each of those backends.
/// Returns Pushpin's configuration file.
fn write_backends(
    manifest: &Manifest,
    origin: Origin,
    ports: &Ports,
    run_dir: &Path,
) -> Result<PathBuf, String> {
    let mut manifest = manifest.clone();
    manifest.point_backend_at("self", ports.app)?;
    if origin != Origin::Own {
        manifest.point_backend_at("origin", ports.origin)?;
    }
    manifest.write(&run_dir.join("fastly.toml"))?;
    pushpin_config::write(
        &run_dir.join("pushpin"),
        pushpin_config::installed_version()?,
        ports,
        &manifest.local_backends()?,
    )
}
