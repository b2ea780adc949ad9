use std::process::ExitCode;

fn main() -> ExitCode {
    helpcenter::run(std::env::args_os())
}
