//! `helpcenter sandbox serve`: the emulator as a standalone HTTP server on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::Args;

use super::options::{AdminSeed, Faults, HelpCenterSeed, RateLimit, SandboxOptions, Switches};
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::Printer;

/// Flags of `sandbox serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
    /// Persist the emulator's data in this SQLite file (a `.json` path: migrated to `.db` beside it)
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// Accept only this bearer token (default: any non-empty token)
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// Add this many milliseconds before answering each request
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests answered 500/502/503 without being applied (0.0–1.0)
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of writes applied but left without a response (0.0–1.0)
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub lost_rate: f64,
    /// Allow N requests per window, then answer 429 (default: Intercom's 1667 per 10 s)
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// No rate limit and no `X-RateLimit-*` headers
    #[arg(long, conflicts_with = "rate_limit")]
    pub no_rate_limit: bool,
    /// Length of the rate-limit window in seconds
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    pub rate_window_secs: f64,
    /// Seed of the fault generator
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Serve a single-language help center (no `translated_content`)
    #[arg(long)]
    pub single_language: bool,
    /// Enabled locales, comma-separated (default: all 37)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub locales: Vec<String>,
    /// The help center's default locale
    #[arg(long, value_name = "LOCALE", default_value = "en")]
    pub default_locale: String,
    /// A teammate's email (repeatable; default: docs@example.com)
    #[arg(long = "admin", value_name = "EMAIL")]
    pub admins: Vec<String>,
    /// Number of help centers in the workspace
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub help_centers: u16,
    /// Choose an unverified behaviour, e.g. `headings=flatten_to_h2` (repeatable)
    #[arg(long = "switch", value_name = "NAME=VALUE")]
    pub switches: Vec<String>,
}

impl ServeArgs {
    /// The emulator options these flags describe.
    pub fn options(&self) -> Result<SandboxOptions, CommandError> {
        let mut switches = Switches::default();
        for assignment in &self.switches {
            switches
                .apply(assignment)
                .map_err(|e| CommandError::invalid(format!("--switch: {e}")))?;
        }
        for (flag, rate) in [
            ("--error-rate", self.error_rate),
            ("--lost-rate", self.lost_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(CommandError::invalid(format!(
                    "{flag} must be between 0 and 1, not {rate}"
                )));
            }
        }
        if !(self.rate_window_secs > 0.0 && self.rate_window_secs.is_finite()) {
            return Err(CommandError::invalid("--rate-window-secs must be positive"));
        }
        let mut options = SandboxOptions {
            token: self.token.clone(),
            multilingual: !self.single_language,
            default_locale: self.default_locale.clone(),
            switches,
            rate_limit: (!self.no_rate_limit).then(|| RateLimit {
                limit: self.rate_limit.unwrap_or(RateLimit::INTERCOM.limit),
                window: Duration::from_secs_f64(self.rate_window_secs),
            }),
            faults: Faults {
                latency: Duration::from_millis(self.latency_ms),
                server_error_rate: self.error_rate,
                lost_response_rate: self.lost_rate,
                seed: self.seed,
            },
            state_file: self.state.clone(),
            ..SandboxOptions::default()
        };
        if !self.locales.is_empty() {
            for locale in &self.locales {
                if !super::LOCALES.contains(&locale.as_str()) {
                    return Err(CommandError::invalid(format!(
                        "--locales: unknown locale `{locale}`"
                    ))
                    .with_hint(format!("known locales: {}", super::LOCALES.join(", "))));
                }
            }
            options.locales.clone_from(&self.locales);
        }
        if !options.locales.contains(&options.default_locale) {
            return Err(CommandError::invalid(format!(
                "the default locale `{}` is not among the enabled locales",
                options.default_locale
            )));
        }
        if !self.admins.is_empty() {
            options.admins = self
                .admins
                .iter()
                .zip(991_266_200_u64..)
                .map(|(email, id)| AdminSeed {
                    id: id.to_string(),
                    name: email.split('@').next().unwrap_or(email).to_owned(),
                    email: email.clone(),
                })
                .collect();
        }
        options.help_centers = (1..=self.help_centers.max(1))
            .map(|n| HelpCenterSeed {
                id: n.to_string(),
                identifier: if n == 1 {
                    "sandbox".to_owned()
                } else {
                    format!("sandbox-{n}")
                },
                display_name: format!("Sandbox Help Center {n}"),
            })
            .collect();
        Ok(options)
    }
}

/// Runs the emulator until Ctrl-C or SIGTERM (every write is saved as it happens).
pub fn serve(args: &ServeArgs, printer: &Printer) -> CommandResult {
    let options = args.options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CommandError::system(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let handle = super::start(options, addr)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied => {
                    CommandError::system(format!("cannot serve on {addr}: {e}"))
                        .with_hint("pick another port with `--port`, or `--port 0` for a free one")
                }
                _ => CommandError::system(format!("cannot start the sandbox: {e}")),
            })?;
        if let (Some(from), Some(state)) = (handle.migrated_from(), &args.state) {
            let (db, _) = super::persist::locate(state);
            printer.info(&format!(
                "migrated `{}` into `{}` (the JSON file is kept as `{}{}`)",
                from.display(),
                db.display(),
                from.display(),
                super::persist::MIGRATED_SUFFIX
            ));
        }
        printer.data(&format!("listening {}\n", handle.base_url()));
        wait_for_stop().await;
        handle.shutdown().await;
        Ok(Outcome::Success)
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::sandbox::{Headings, LOCALES};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn options(args: &[&str]) -> Result<SandboxOptions, CommandError> {
        let cli = Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .expect("flags parse");
        cli.serve.options()
    }

    #[test]
    fn flags_become_options() {
        let o = options(&[
            "--token",
            "t",
            "--latency-ms",
            "5",
            "--error-rate",
            "0.1",
            "--lost-rate",
            "0.2",
            "--rate-limit",
            "1667",
            "--seed",
            "9",
            "--single-language",
            "--locales",
            "en,fr",
            "--admin",
            "a@x.io",
            "--admin",
            "b@x.io",
            "--help-centers",
            "2",
            "--switch",
            "headings=promote_relative",
        ])
        .unwrap();
        assert_eq!(o.token.as_deref(), Some("t"));
        assert_eq!(o.faults.latency, Duration::from_millis(5));
        assert!((o.faults.server_error_rate - 0.1).abs() < f64::EPSILON);
        assert_eq!(o.faults.seed, 9);
        assert_eq!(
            o.rate_limit,
            Some(RateLimit {
                limit: 1667,
                window: Duration::from_secs(10)
            })
        );
        assert!(!o.multilingual);
        assert_eq!(o.locales, ["en", "fr"]);
        assert_eq!(o.admins[1].email, "b@x.io");
        assert_eq!(o.admins[1].id, "991266201");
        assert_eq!(o.help_centers[1].identifier, "sandbox-2");
        assert_eq!(o.switches.headings, Headings::PromoteRelative);

        let defaults = options(&[]).unwrap();
        assert_eq!(defaults.locales.len(), LOCALES.len());
        assert_eq!(defaults.rate_limit, Some(RateLimit::INTERCOM));
        assert_eq!(options(&["--no-rate-limit"]).unwrap().rate_limit, None);
        assert_eq!(defaults.admins[0].email, "docs@example.com");
    }

    #[test]
    fn bad_flags_are_errors() {
        for args in [
            &["--switch", "nope=1"][..],
            &["--error-rate", "2"],
            &["--locales", "xx"],
            &["--locales", "fr"],
            &["--rate-window-secs", "0"],
        ] {
            assert!(options(args).is_err(), "{args:?}");
        }
    }
}
