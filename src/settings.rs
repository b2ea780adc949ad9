//! Settings: flags, `helpcenter.toml` and the environment resolved once into one value per
//! command, which the command reads and nothing re-derives (uv's `settings.rs`). `cli` turns
//! parsed arguments into these (with `HELPCENTER_DIR` and root discovery already applied);
//! commands never see clap's argument types. What depends on the chosen target (prune,
//! drift, concurrency) is resolved once the config is loaded, by [`RunFlags::resolve`], the
//! one place that combines `--prune`/`--force-prune` with the target's `prune`.

use std::path::PathBuf;
use std::time::Duration;

use crate::content::config::{OnDrift, Target};
use crate::output::report::DiagnosticFormat;
use crate::plan::compute::PlanOptions;

/// Settings every command reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Global {
    /// The content root (`--dir`, `HELPCENTER_DIR`, or found upward from the working directory).
    pub dir: PathBuf,
    /// `--target`; `None` means `default_target`, else the only target.
    pub target: Option<String>,
    /// How long to wait for another command that holds the target's lock (`--lock-timeout`).
    pub lock_timeout: Duration,
}

/// `helpcenter check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub format: DiagnosticFormat,
    /// Warnings fail too.
    pub strict: bool,
}

/// `helpcenter render FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Render {
    pub file: PathBuf,
}

/// Output format of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlanFormat {
    #[default]
    Text,
    Json,
    Markdown,
}

/// `helpcenter plan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `--out FILE`: save the plan for `apply FILE`.
    pub out: Option<PathBuf>,
    pub format: PlanFormat,
    /// Exit 2 when any change or drift is present.
    pub detailed_exitcode: bool,
    pub run: RunFlags,
}

/// `helpcenter apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apply {
    /// A plan saved by `plan --out`.
    pub plan_file: Option<PathBuf>,
    /// `--yes`: do not ask.
    pub yes: bool,
    pub run: RunFlags,
}

/// `helpcenter pull`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    /// Only these keys; empty means everything.
    pub keys: Vec<String>,
    pub force: bool,
}

/// `helpcenter preview`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub port: u16,
    /// `--export DIR`: write the preview as static files there instead of serving it.
    pub export: Option<PathBuf>,
}

/// The flags of `plan` and `apply` that the target's config completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunFlags {
    /// `--prune`.
    pub prune: bool,
    /// `--force-prune` (`apply` only; implies `--prune`).
    pub force_prune: bool,
    /// `--on-drift` (`apply` only); `None` means the target's `on_drift`.
    pub on_drift: Option<OnDrift>,
    /// `--concurrency` (`apply`; `plan` uses the default).
    pub concurrency: usize,
}

impl RunFlags {
    /// The default `--concurrency`.
    pub const DEFAULT_CONCURRENCY: usize = 8;

    /// The flags of a `plan` run: `--prune` only.
    pub fn plan(prune: bool) -> Self {
        Self {
            prune,
            force_prune: false,
            on_drift: None,
            concurrency: Self::DEFAULT_CONCURRENCY,
        }
    }

    /// These flags completed by `target`'s config: the settings the plan is computed with.
    pub fn resolve(self, target: &Target) -> RunSettings {
        RunSettings {
            plan: PlanOptions {
                prune: self.prune || self.force_prune || target.prune,
                force_prune: self.force_prune,
            },
            on_drift: self.on_drift.unwrap_or(target.on_drift),
            concurrency: self.concurrency,
        }
    }
}

/// What `plan` and `apply` run with against one target, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings {
    /// Prune (flag or config) and force-prune: the plan is computed with these, once.
    pub plan: PlanOptions,
    /// What to do with objects edited in Intercom since the last apply.
    pub on_drift: OnDrift,
    /// Concurrent requests within a phase (the client refuses 0).
    pub concurrency: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::config::{CalloutColors, NestedLists, Region, TargetKind};

    fn target(prune: bool, on_drift: OnDrift) -> Target {
        Target {
            name: "t".into(),
            kind: TargetKind::Sandbox,
            region: Region::Us,
            help_center: None,
            token_env: None,
            prune,
            on_drift,
            base_url: None,
            nested_lists: NestedLists::Accept,
            callout_colors: CalloutColors::Hex,
            protect_views: crate::content::config::DEFAULT_PROTECT_VIEWS,
            admins: Vec::new(),
            publish: crate::content::config::Publish::Articles,
            scope: crate::content::config::TargetScope::default(),
        }
    }

    #[test]
    fn prune_comes_from_the_flag_force_prune_or_the_config() {
        let prune = |flags: RunFlags, config: bool| {
            let options = flags.resolve(&target(config, OnDrift::Fail)).plan;
            (options.prune, options.force_prune)
        };
        assert_eq!(prune(RunFlags::plan(false), false), (false, false));
        assert_eq!(prune(RunFlags::plan(true), false), (true, false));
        assert_eq!(prune(RunFlags::plan(false), true), (true, false));
        let forced = RunFlags {
            force_prune: true,
            ..RunFlags::plan(false)
        };
        assert_eq!(prune(forced, false), (true, true));
    }

    #[test]
    fn on_drift_and_concurrency_default_from_the_config() {
        let flags = RunFlags {
            concurrency: 3,
            ..RunFlags::plan(false)
        };
        let run = flags.resolve(&target(false, OnDrift::Skip));
        assert_eq!((run.on_drift, run.concurrency), (OnDrift::Skip, 3));
        let flags = RunFlags {
            on_drift: Some(OnDrift::Overwrite),
            ..flags
        };
        let run = flags.resolve(&target(false, OnDrift::Skip));
        assert_eq!(run.on_drift, OnDrift::Overwrite);
    }
}
