//! Command-line parsing (clap) and dispatch to `commands`. Usage errors exit 1, never 2.

pub mod discovery;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands;
use crate::content::config::OnDrift;
use crate::output::printer::{ColorChoice, Printer, Verbosity};
use crate::output::report::DiagnosticFormat;
use crate::settings::{self, PlanFormat, RunFlags};

/// Keep an Intercom Help Center in sync with a folder of Markdown.
#[derive(Debug, Parser)]
#[command(name = "helpcenter", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The content root: the folder that holds `helpcenter.toml` (default: `HELPCENTER_DIR`,
    /// else the nearest folder upward that holds one)
    #[arg(
        long,
        global = true,
        env = "HELPCENTER_DIR",
        default_value = ".",
        hide_default_value = true,
        hide_env_values = true,
        value_name = "DIR"
    )]
    pub dir: PathBuf,
    /// Target from `helpcenter.toml` (default: `default_target`)
    #[arg(long, global = true, value_name = "NAME")]
    pub target: Option<String>,
    /// Only print errors and data
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (requests, timings)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colour (`NO_COLOR` is honoured in `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Seconds to wait for another command that holds the target's lock
    #[arg(long, global = true, default_value_t = 60, value_name = "SECS")]
    pub lock_timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter `helpcenter.toml` (and `.gitignore` lines for sandbox data)
    Init,
    /// Validate the content offline
    Check(CheckArgs),
    /// Print the sanitized HTML body of one article file
    Render(RenderArgs),
    /// Fetch the target, diff it against the content and print the plan
    Plan(PlanArgs),
    /// Execute a plan (computed now, or loaded from a saved plan file)
    Apply(ApplyArgs),
    /// Write the target's collections and articles as Markdown
    Pull(PullArgs),
    /// Serve a local preview of the help center and its pending changes
    Preview(PreviewArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
    /// The Intercom emulator
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Output format of the diagnostics
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// The article file (e.g. `getting-started/install.fr.md`)
    pub file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Save the plan to FILE for `apply FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format of the plan (on stdout)
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 2 when any change or drift is present
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan deletes of managed objects whose files are gone
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// A plan saved by `plan --out`
    pub plan_file: Option<PathBuf>,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Delete managed objects whose files are gone
    #[arg(long)]
    pub prune: bool,
    /// Allow deleting more than half of the managed objects (implies `--prune`)
    #[arg(long)]
    pub force_prune: bool,
    /// What to do with objects edited in Intercom since the last apply
    #[arg(long, value_enum, value_name = "MODE")]
    pub on_drift: Option<OnDrift>,
    /// Concurrent requests within a phase
    #[arg(long, default_value_t = RunFlags::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
}

#[derive(Debug, Clone, Args)]
pub struct PullArgs {
    /// Only these keys (accepts edits made in the Intercom UI)
    pub keys: Vec<String>,
    /// Overwrite existing local files
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PreviewArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 4000)]
    pub port: u16,
    /// Write the preview as static files into DIR (for a pull-request artifact) and exit
    #[arg(long, value_name = "DIR")]
    pub export: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the emulator as an Intercom-compatible HTTP API on 127.0.0.1
    Serve(crate::sandbox::cli::ServeArgs),
}

/// Parses `args`, runs the command and maps the outcome to an exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(err) => {
            let code = crate::error::usage_exit_code(&err);
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let verbosity = if cli.global.quiet {
        Verbosity::Quiet
    } else if cli.global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let printer = Printer::new(cli.global.color, verbosity);
    if reads_config(&cli.command) {
        let source = match matches.value_source("dir") {
            Some(ValueSource::CommandLine) => discovery::DirSource::Flag,
            Some(ValueSource::EnvVariable) => discovery::DirSource::Env,
            _ => discovery::DirSource::Discover,
        };
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        match discovery::content_root(&cli.global.dir, source, &cwd) {
            Ok(root) => cli.global.dir = root,
            Err(err) => return fail(&printer, &err),
        }
    }
    let global = settings::Global::from(&cli.global);
    let outcome = match &cli.command {
        Command::Init => commands::init::run(&global, &printer),
        Command::Check(args) => commands::check::run(&global, &args.into(), &printer),
        Command::Render(args) => commands::render::run(&global, &args.into(), &printer),
        Command::Plan(args) => commands::plan::run(&global, &args.into(), &printer),
        Command::Apply(args) => commands::apply::run(&global, &args.into(), &printer),
        Command::Pull(args) => commands::pull::run(&global, &args.into(), &printer),
        Command::Preview(args) => commands::preview::run(&global, &args.into(), &printer),
        Command::Completions(args) => Ok(completions(args.shell, &printer)),
        Command::Sandbox(SandboxCommand::Serve(args)) => crate::sandbox::cli::serve(args, &printer),
    };
    match outcome {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(err) => fail(&printer, &err),
    }
}

impl From<&GlobalArgs> for settings::Global {
    fn from(args: &GlobalArgs) -> Self {
        Self {
            dir: args.dir.clone(),
            target: args.target.clone(),
            lock_timeout: std::time::Duration::from_secs(args.lock_timeout),
        }
    }
}

impl From<&CheckArgs> for settings::Check {
    fn from(args: &CheckArgs) -> Self {
        Self {
            format: args.format,
            strict: args.strict,
        }
    }
}

impl From<&RenderArgs> for settings::Render {
    fn from(args: &RenderArgs) -> Self {
        Self {
            file: args.file.clone(),
        }
    }
}

impl From<&PlanArgs> for settings::Plan {
    fn from(args: &PlanArgs) -> Self {
        Self {
            out: args.out.clone(),
            format: args.format,
            detailed_exitcode: args.detailed_exitcode,
            run: RunFlags::plan(args.prune),
        }
    }
}

impl From<&ApplyArgs> for settings::Apply {
    fn from(args: &ApplyArgs) -> Self {
        Self {
            plan_file: args.plan_file.clone(),
            yes: args.yes,
            run: RunFlags {
                prune: args.prune,
                force_prune: args.force_prune,
                on_drift: args.on_drift,
                concurrency: args.concurrency,
            },
        }
    }
}

impl From<&PullArgs> for settings::Pull {
    fn from(args: &PullArgs) -> Self {
        Self {
            keys: args.keys.clone(),
            force: args.force,
        }
    }
}

impl From<&PreviewArgs> for settings::Preview {
    fn from(args: &PreviewArgs) -> Self {
        Self {
            port: args.port,
            export: args.export.clone(),
        }
    }
}

/// Commands that work on a content root (`init` writes one in `--dir`, default `.`).
fn reads_config(command: &Command) -> bool {
    !matches!(
        command,
        Command::Init | Command::Completions(_) | Command::Sandbox(_)
    )
}

fn fail(printer: &Printer, err: &crate::error::CommandError) -> ExitCode {
    printer.command_error(err);
    ExitCode::from(err.exit_code())
}

/// `helpcenter completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell, printer: &Printer) -> crate::error::Outcome {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "helpcenter", &mut script);
    printer.data(&String::from_utf8_lossy(&script));
    crate::error::Outcome::Success
}
