//! `cargo xtask serve`: the app built from a routes file, behind a local Fanout (Pushpin),
//! with the demo origin or the user's own as backend `origin`, on the Fastly CLI's ports
//! unless flags say otherwise, until Ctrl-C; with `--watch`, rebuilt and restarted on each
//! change while Pushpin and the origin stay up.

mod offers;
mod watch;

use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use fanout_router_codegen::model::Table;
use fanout_router_stack::manifest::Manifest;
use fanout_router_stack::signals::StopRequests;
use fanout_router_stack::{
    Origin, Port, Ports, Publishing, Stack, StackConfig, app_build, paths, setup,
};

use crate::routes;
use offers::Local;
use watch::Watch;

pub const USAGE: &str =
    "  serve [--routes FILE] [--origin URL | --own-backends] [--watch] [--demo-publish]
        [--port N] [--origin-port N] [--proxy-port N] [--publish-port N] [--zmq-ports N]
                      build the app from FILE (default routes.toml) and serve it on
                      127.0.0.1 behind Pushpin until Ctrl-C, printing how to try each route;
                      backend `origin` is a demo origin unless --origin puts yours there, or
                      --own-backends takes fastly.toml's [local_server.backends] as written;
                      --watch rebuilds and restarts the app on each change of FILE,
                      fastly.toml or the app's sources; --demo-publish lets the demo page's
                      form publish through the demo origin (POST /publish, loopback clients
                      only); ports default to 7676, 8000, 7677, 5561 and 5562-5564";

/// The routes file the app is built from unless `--routes` names another.
const DEFAULT_ROUTES: &str = "routes.toml";
const POLL: Duration = Duration::from_millis(250);
/// How long the files must stay unchanged before a rebuild: an editor's save can touch
/// several.
const SETTLE: Duration = Duration::from_millis(300);

#[derive(Debug, PartialEq)]
struct Options {
    /// As given, relative to the current directory; `None` for the repository's routes.toml.
    routes: Option<String>,
    origin: OriginChoice,
    watch: bool,
    demo_publishing: Publishing,
    ports: Ports,
}

#[derive(Debug, PartialEq)]
enum OriginChoice {
    Demo,
    /// fastly.toml's backends, with `origin` at this URL when one is given.
    Own {
        url: Option<String>,
    },
}

/// Each port flag and the port it moves.
const PORT_FLAGS: [(&str, Port); 5] = [
    ("--port", Port::App),
    ("--origin-port", Port::Origin),
    ("--proxy-port", Port::Proxy),
    ("--publish-port", Port::Publish),
    ("--zmq-ports", Port::Zmq),
];

pub fn run(args: &[&str]) -> Result<(), String> {
    let options = parse(args)?;
    let mut stop = StopRequests::new()?;
    let result = serve(&options, &mut stop);
    // A stop signal during the build or the start ends those with an error of its own.
    match stop.received() {
        Some(signal) => {
            println!("serve: stopped ({signal})");
            Ok(())
        }
        None => result,
    }
}

fn serve(options: &Options, stop: &mut StopRequests) -> Result<(), String> {
    let app = App::of(options)?;
    setup::wasm_target()?;
    setup::pushpin()?;
    let viceroy = setup::viceroy()?;
    let (table, wasm) = app.build()?;
    let manifest = app.manifest()?;
    let origin = match options.origin {
        OriginChoice::Demo => Origin::Demo,
        OriginChoice::Own { .. } => Origin::Own,
    };
    if let Some((port, number)) = options.ports.busy(origin) {
        return Err(format!(
            "port {number} on 127.0.0.1 is in use (is another stack running?): move it with {} N",
            flag_of(port)
        ));
    }
    println!("serve: starting Pushpin, {} and Viceroy", app.origin_name());
    let mut stack = Stack::start_with(
        &StackConfig {
            wasm,
            viceroy,
            ports: options.ports,
            origin,
            demo_publishing: options.demo_publishing,
            // One per app port, so that stacks on other ports do not share run files.
            run_dir: paths::run_dir(&format!("serve-{}", options.ports.app)),
        },
        manifest,
    )?;
    app.print_routes(&table, &stack);
    app.print_ready(&stack);
    let mut watch = options.watch.then(|| Watch::new(app.watched()));
    loop {
        sleep(POLL);
        if stop.received().is_some() {
            println!("serve: stopping");
            return Ok(()); // dropping the stack stops it
        }
        stack.check()?;
        let Some(watch) = &mut watch else { continue };
        let mut changed = watch.changes();
        if changed.is_empty() {
            continue;
        }
        sleep(SETTLE);
        changed.extend(watch.changes());
        app.rebuild(&mut stack, &changed)?;
    }
}

/// What serve builds and runs, from the options.
struct App<'a> {
    options: &'a Options,
    /// The routes file, absolute, for the build.
    routes: PathBuf,
    /// The routes file as errors name it.
    routes_name: String,
    target_dir: PathBuf,
}

impl<'a> App<'a> {
    fn of(options: &'a Options) -> Result<App<'a>, String> {
        let root = paths::repo_root();
        let (routes, routes_name, target_dir) = match &options.routes {
            None => (
                root.join(DEFAULT_ROUTES),
                DEFAULT_ROUTES.to_owned(),
                root.join("target"),
            ),
            // Its own target directory, so that the default build is not invalidated.
            Some(file) => (
                std::path::absolute(file).map_err(|error| format!("--routes {file}: {error}"))?,
                file.clone(),
                root.join("target/serve"),
            ),
        };
        if !routes.is_file() {
            return Err(format!("{routes_name}: no such file"));
        }
        Ok(App {
            options,
            routes,
            routes_name,
            target_dir,
        })
    }

    /// The routes validated (their errors printed as rustc prints its own) and the app
    /// built from them.
    fn build(&self) -> Result<(Table, PathBuf), String> {
        let read = |path: &Path| {
            std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))
        };
        let fastly = read(&paths::repo_root().join("fastly.toml"))?;
        let table = routes::validated(&self.routes_name, &read(&self.routes)?, &fastly)?;
        println!(
            "serve: building the app from {} (release, wasm32-wasip1)",
            self.routes_name
        );
        // routes.toml is the build's default: naming it would make the build differ from
        // `cargo xtask test`'s in the same target directory, and rebuild each in turn.
        let routes = self.routes.to_string_lossy();
        let routes = self.options.routes.is_some().then_some(&*routes);
        let wasm = app_build::build(routes, &self.target_dir)?;
        Ok((table, wasm))
    }

    /// The repository's fastly.toml, with backend `origin` at the URL given.
    fn manifest(&self) -> Result<Manifest, String> {
        let mut manifest = Manifest::read(&paths::repo_root().join("fastly.toml"))?;
        if let OriginChoice::Own { url: Some(url) } = &self.options.origin {
            manifest.set_backend_url("origin", url)?;
        }
        Ok(manifest)
    }

    fn origin_name(&self) -> String {
        match &self.options.origin {
            OriginChoice::Demo => "the demo origin".into(),
            OriginChoice::Own { url: Some(url) } => format!("your origin at {url}"),
            OriginChoice::Own { url: None } => "fastly.toml's backends".into(),
        }
    }

    /// The files whose change makes `--watch` rebuild.
    fn watched(&self) -> Vec<PathBuf> {
        let root = paths::repo_root();
        let mut watched = vec![self.routes.clone()];
        let app = ["fastly.toml", "Cargo.toml", "Cargo.lock", "build.rs", "src"];
        watched.extend(
            app.iter()
                .chain(&["core", "p256-fixed", "codegen"])
                .map(|p| root.join(p)),
        );
        watched
    }

    /// After `changed`: the app rebuilt and Viceroy restarted on it, or the error shown
    /// while the last good build keeps serving.
    fn rebuild(&self, stack: &mut Stack, changed: &[PathBuf]) -> Result<(), String> {
        let root = paths::repo_root();
        let names: Vec<String> = changed
            .iter()
            .map(|path| {
                path.strip_prefix(&root)
                    .unwrap_or(path)
                    .display()
                    .to_string()
            })
            .collect();
        println!("\nserve: {} changed: rebuilding", names.join(", "));
        let built = self
            .build()
            .and_then(|(table, wasm)| Ok((table, wasm, self.manifest()?)));
        match built {
            Ok((table, wasm, manifest)) => {
                stack.restart_app(wasm, &manifest)?;
                self.print_routes(&table, stack);
                println!("serve: restarted the app; Pushpin and the origin kept running");
            }
            Err(error) => println!(
                "serve: {error}\nserve: still serving the last good build; fix it and save again"
            ),
        }
        Ok(())
    }

    fn print_routes(&self, table: &Table, stack: &Stack) {
        let default_port = stack.ports.publish == Ports::default().publish;
        let publish = if default_port {
            "cargo xtask publish".to_owned()
        } else {
            format!("cargo xtask publish --publish-port {}", stack.ports.publish)
        };
        let local = Local {
            app: &stack.app_url(),
            publish: &publish,
            websocat: on_path("websocat"),
        };
        println!(
            "\nroutes of {}, in precedence order, and how to try them:\n{}",
            self.routes_name,
            offers::describe(table, &local)
        );
    }

    fn print_ready(&self, stack: &Stack) {
        let app = stack.app_url();
        println!("logs and configuration: {}", stack.run_dir.display());
        if self.options.origin == OriginChoice::Demo {
            match self.options.demo_publishing {
                Publishing::Loopback => println!(
                    "demo page: {app}/ (its form publishes through the demo origin, for \
                     loopback clients)"
                ),
                Publishing::Off => println!(
                    "demo page: {app}/ (its form is refused: restart with --demo-publish to \
                     let it publish)"
                ),
            }
        }
        println!(
            "ready: app {app} · origin: {} · publish endpoint {}",
            self.origin_name(),
            stack.publish_url()
        );
        if self.options.watch {
            println!(
                "watching {}, fastly.toml and the app's sources",
                self.routes_name
            );
        }
        println!("press Ctrl-C to stop");
    }
}

fn flag_of(port: Port) -> &'static str {
    PORT_FLAGS
        .iter()
        .find(|(_, p)| *p == port)
        .map_or("a port flag", |(flag, _)| flag)
}

/// Whether an executable called `name` is in a directory of `$PATH`.
fn on_path(name: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(name).is_file())
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options {
        routes: None,
        origin: OriginChoice::Demo,
        watch: false,
        demo_publishing: Publishing::Off,
        ports: Ports::default(),
    };
    let mut origin_port = false;
    let mut args = args.iter().copied();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag {
            "--routes" => options.routes = Some(value()?.to_owned()),
            "--origin" => {
                let url = value()?;
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(format!("--origin {url}: give an http:// or https:// URL"));
                }
                options.origin = OriginChoice::Own {
                    url: Some(url.to_owned()),
                };
            }
            "--own-backends" => {
                if options.origin == OriginChoice::Demo {
                    options.origin = OriginChoice::Own { url: None };
                }
            }
            "--watch" => options.watch = true,
            "--demo-publish" => options.demo_publishing = Publishing::Loopback,
            _ => {
                let Some(&(_, port)) = PORT_FLAGS.iter().find(|(name, _)| *name == flag) else {
                    return Err(format!("unknown flag {flag}"));
                };
                let text = value()?;
                let number: u16 = text
                    .parse()
                    .map_err(|_| format!("{flag} {text}: not a port number"))?;
                let ports = &mut options.ports;
                match port {
                    Port::App => ports.app = number,
                    Port::Origin => (ports.origin, origin_port) = (number, true),
                    Port::Proxy => ports.proxy = number,
                    Port::Publish => ports.publish = number,
                    Port::Zmq => {
                        let last = number
                            .checked_add(2)
                            .ok_or("--zmq-ports: three ports from N")?;
                        ports.zmq = [number, number + 1, last];
                    }
                }
            }
        }
    }
    if let OriginChoice::Own { .. } = options.origin {
        if origin_port {
            return Err("--origin-port is the demo origin's, and your origin replaces it".into());
        }
        if options.demo_publishing == Publishing::Loopback {
            return Err("--demo-publish is the demo origin's, and your origin replaces it".into());
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_routes_toml_the_demo_origin_and_the_fastly_cli_ports() {
        let options = parse(&[]).unwrap();
        assert_eq!(
            options,
            Options {
                routes: None,
                origin: OriginChoice::Demo,
                watch: false,
                demo_publishing: Publishing::Off,
                ports: Ports::default(),
            }
        );
    }

    #[test]
    fn flags_change_the_routes_the_origin_and_the_ports() {
        let options = parse(&[
            "--watch",
            "--routes",
            "chat.toml",
            "--origin",
            "http://127.0.0.1:3000/",
            "--port",
            "9000",
            "--zmq-ports",
            "6000",
        ])
        .unwrap();
        assert_eq!(options.routes.as_deref(), Some("chat.toml"));
        assert_eq!(
            options.origin,
            OriginChoice::Own {
                url: Some("http://127.0.0.1:3000/".into())
            }
        );
        assert!(options.watch);
        assert_eq!(
            (options.ports.app, options.ports.zmq),
            (9000, [6000, 6001, 6002])
        );
        let own = parse(&["--own-backends"]).unwrap().origin;
        assert_eq!(own, OriginChoice::Own { url: None });
        let publishing = parse(&["--demo-publish"]).unwrap().demo_publishing;
        assert_eq!(publishing, Publishing::Loopback);
    }

    #[test]
    fn bad_flags_are_errors_that_say_why() {
        let error = |args: &[&str]| parse(args).unwrap_err();
        assert_eq!(error(&["--port"]), "--port needs a value");
        assert_eq!(error(&["--port", "x"]), "--port x: not a port number");
        assert_eq!(error(&["--nope", "1"]), "unknown flag --nope");
        assert_eq!(
            error(&["--origin", "localhost:3000"]),
            "--origin localhost:3000: give an http:// or https:// URL"
        );
        assert_eq!(
            error(&["--origin", "http://a/", "--origin-port", "1"]),
            "--origin-port is the demo origin's, and your origin replaces it"
        );
        assert_eq!(
            error(&["--own-backends", "--demo-publish"]),
            "--demo-publish is the demo origin's, and your origin replaces it"
        );
    }

    #[test]
    fn every_port_has_its_flag() {
        for port in [
            Port::App,
            Port::Origin,
            Port::Proxy,
            Port::Publish,
            Port::Zmq,
        ] {
            let flag = flag_of(port);
            assert!(USAGE.contains(flag), "{flag}");
            assert!(parse(&[flag, "6000"]).is_ok(), "{flag}");
        }
    }
}
