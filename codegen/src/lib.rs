//! Compiles routes.toml into the route lookup of fanout-router.
//!
//! `build.rs` runs a [`Config`]; tools read the files themselves and call [`Input::table`]
//! to validate them, then [`generate`] for the code. Everything here runs on the host at
//! build time.

mod channel;
mod config;
mod diagnostic;
mod generate;
mod hold;
pub mod model;
mod pattern;
mod policy;
pub mod precedence;
mod selective;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};
use std::{fs, io};

pub use diagnostic::{Diagnostic, Location, Severity, Source, closest};
pub use generate::{HEADER, generate};

/// The two files a route table is read from.
pub struct Input<'a> {
    pub routes: Source<'a>,
    pub fastly: Source<'a>,
}

impl<'a> Input<'a> {
    /// Validates routes.toml against fastly.toml: the route table (with its warnings), or
    /// every error found.
    pub fn table(&self) -> Result<model::Table, Vec<Diagnostic>> {
        validate::validate(&self.routes, &self.fastly)
    }

    /// Both files, which the diagnostics' locations name, for [`Diagnostic::render`].
    pub fn sources(&self) -> [&Source<'a>; 2] {
        [&self.routes, &self.fastly]
    }
}

/// What a build script compiles: routes.toml and fastly.toml, named relative to the
/// package root as errors show them, and where the generated lookup goes.
#[derive(Clone, Debug)]
pub struct Config {
    package_root: Option<PathBuf>,
    routes: String,
    fastly: String,
    out_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}

impl Config {
    /// `routes.toml` and `fastly.toml` of the package whose build script runs, into
    /// `$OUT_DIR/routes.rs`.
    pub fn new() -> Config {
        Config {
            package_root: None,
            routes: "routes.toml".to_owned(),
            fastly: "fastly.toml".to_owned(),
            out_file: None,
        }
    }

    /// The routes file, relative to the package root.
    pub fn routes(&mut self, name: impl Into<String>) -> &mut Config {
        self.routes = name.into();
        self
    }

    /// The fastly.toml whose backends the routes name, relative to the package root.
    pub fn fastly(&mut self, name: impl Into<String>) -> &mut Config {
        self.fastly = name.into();
        self
    }

    /// The directory the file names are relative to; `CARGO_MANIFEST_DIR` by default.
    pub fn package_root(&mut self, path: impl Into<PathBuf>) -> &mut Config {
        self.package_root = Some(path.into());
        self
    }

    /// Where the lookup is written; `$OUT_DIR/routes.rs` by default.
    pub fn out_file(&mut self, path: impl Into<PathBuf>) -> &mut Config {
        self.out_file = Some(path.into());
        self
    }

    /// Reads and validates both files and writes the lookup when its text changed, so
    /// that an unchanged lookup does not make cargo rebuild the app. Tells cargo to run the
    /// build script again when either file changes (after a failure it runs again anyway),
    /// and shows the warnings (a policy no route uses) as `cargo::warning=` lines.
    pub fn compile(&self) -> Result<(), Error> {
        let root = match &self.package_root {
            Some(root) => root.clone(),
            None => env_path("CARGO_MANIFEST_DIR")?,
        };
        let out = match &self.out_file {
            Some(out) => out.clone(),
            None => env_path("OUT_DIR")?.join("routes.rs"),
        };
        let read = |name: &str| {
            fs::read_to_string(root.join(name))
                .map_err(|e| Error::one(format!("cannot read {name}: {e}")))
        };
        let (routes, fastly) = (read(&self.routes)?, read(&self.fastly)?);
        let input = Input {
            routes: Source::new(&self.routes, &routes),
            fastly: Source::new(&self.fastly, &fastly),
        };
        let table = input.table().map_err(|diagnostics| {
            let sources = input.sources();
            Error {
                errors: diagnostics.iter().map(|d| d.render(&sources)).collect(),
            }
        })?;
        println!("cargo::rerun-if-changed={}", self.routes);
        println!("cargo::rerun-if-changed={}", self.fastly);
        let sources = input.sources();
        let warnings: Vec<String> = table
            .warnings
            .iter()
            .map(|d| d.render_for_cargo(&sources))
            .collect();
        print!("{}", cargo_lines("warning", &warnings));
        write_if_changed(&out, &generate(&table))
            .map_err(|e| Error::one(format!("cannot write {}: {e}", out.display())))
    }
}

fn env_path(name: &str) -> Result<PathBuf, Error> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .ok_or_else(|| Error::one(format!("{name} is not set: run from a build script")))
}

/// Why [`Config::compile`] generated nothing: each error as rustc would show it.
#[derive(Debug)]
pub struct Error {
    errors: Vec<String>,
}

impl Error {
    fn one(message: String) -> Error {
        Error {
            errors: vec![format!("error: {message}")],
        }
    }

    /// Fails the build script with the errors on stderr, which cargo shows below its own
    /// heading as one block. (`cargo::error=` lines would each begin with the package's
    /// name, cutting every line of a rendered error in two.)
    pub fn fail_build(&self) -> ! {
        eprintln!("{self}");
        std::process::exit(1)
    }
}

/// `messages` as `cargo::DIRECTIVE=` lines: line by line, as cargo prints each such line
/// as a message of its own, with a blank one between messages.
fn cargo_lines(directive: &str, messages: &[String]) -> String {
    let mut out = String::new();
    for (i, message) in messages.iter().enumerate() {
        if i > 0 {
            out.push_str(&format!("cargo::{directive}=\n"));
        }
        for line in message.lines() {
            out.push_str(&format!("cargo::{directive}={line}\n"));
        }
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.errors.join("\n\n"))
    }
}

impl std::error::Error for Error {}

/// Leaves the file untouched when the text is the same, so its timestamp does not make
/// cargo rebuild the app.
pub fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_reach_cargo_line_by_line() {
        let warnings = [
            "auth policy `a` is named by no route\n --> routes.toml:1:7".to_owned(),
            "cors policy `b` is named by no route".to_owned(),
        ];
        assert_eq!(
            cargo_lines("warning", &warnings),
            "cargo::warning=auth policy `a` is named by no route\n\
             cargo::warning= --> routes.toml:1:7\n\
             cargo::warning=\n\
             cargo::warning=cors policy `b` is named by no route\n"
        );
    }
}
