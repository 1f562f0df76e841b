//! `cargo xtask <command>`: the project's developer commands.

mod codegen;
mod fastly;
mod publish;
mod routes;
mod serve;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   rewrite generated/routes.rs from routes.toml (--check: fail if stale)";

/// Every command's usage, as `cargo xtask` with no command prints it.
fn usage() -> String {
    [
        USAGE,
        routes::USAGE,
        serve::USAGE,
        publish::USAGE,
        fastly::USAGE,
        test::USAGE,
    ]
    .join("\n")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["routes", args @ ..] => routes::run(args),
        ["serve", flags @ ..] => serve::run(flags),
        ["publish", args @ ..] => publish::run(args),
        ["fastly", args @ ..] => fastly::run(args),
        ["test"] => test::run(),
        _ => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README documents every flag of every command.
    #[test]
    fn every_flag_is_in_the_readme() {
        let readme = include_str!("../../README.md");
        let usage = usage();
        let mut flags: Vec<&str> = usage
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|word| word.starts_with("--") && word.len() > 2)
            .collect();
        flags.sort();
        flags.dedup();
        assert!(flags.contains(&"--watch"), "{flags:?}");
        let missing: Vec<&&str> = flags
            .iter()
            .filter(|flag| !readme.contains(&format!("`{flag}")))
            .collect();
        assert!(
            missing.is_empty(),
            "README.md does not document {missing:?}"
        );
    }
}
