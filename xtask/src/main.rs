//! `cargo xtask <command>`: the project's developer commands.

mod codegen;
mod routes;
mod serve;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check]   rewrite generated/routes.rs from routes.toml (--check: fail if stale)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["routes", args @ ..] => routes::run(args),
        ["serve", flags @ ..] => serve::run(flags),
        ["test"] => test::run(),
        _ => {
            eprintln!(
                "{USAGE}\n{}\n{}\n{}",
                routes::USAGE,
                serve::USAGE,
                test::USAGE
            );
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
