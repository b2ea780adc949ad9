//! Progress: a spinner while fetching and a bar while applying on a terminal (with elapsed
//! time, rate and ETA); plain lines elsewhere (CI).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::output::Printer;
use crate::plan::model::{Action, Change, ObjectKind};

/// The apply bar: done/total, elapsed time, changes per second and the time left.
const BAR_TEMPLATE: &str =
    "{spinner} applying [{bar:30}] {pos}/{len} {elapsed} elapsed, {rate}, ETA {eta} {msg}";

/// Reports each finished change.
pub struct Progress {
    bar: Option<ProgressBar>,
    printer: Printer,
}

impl Progress {
    /// A bar of `total` steps when the printer is interactive, plain lines otherwise.
    pub fn new(printer: &Printer, total: usize) -> Self {
        let bar = printer.interactive.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(BAR_TEMPLATE)
                    .expect("valid template")
                    .with_key(
                        "rate",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.1}/s", state.per_sec());
                        },
                    )
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Self {
            bar,
            printer: *printer,
        }
    }

    /// One change carried out.
    pub fn done(&self, change: &Change, id: &str) {
        let verb = match change.action {
            Action::Create => "created",
            Action::Update => "updated",
            Action::Delete => "deleted",
            Action::Adopt => "adopted",
            Action::Move => "moved",
            Action::Recreate => "recreated",
            Action::Unpublish => "unpublished",
        };
        let line = format!("{verb} {} `{}` (id {id})", change.kind.as_str(), change.key);
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(line);
            }
            None => self.printer.info(&line),
        }
    }

    /// A second-pass link update.
    pub fn link_pass(&self, key: &str) {
        let line = format!("updated links in article `{key}`");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => self.printer.info(&line),
        }
    }

    /// One change failed.
    pub fn failed(&self, kind: ObjectKind, key: &str, message: &str) {
        let line = format!("{} `{key}`: {message}", kind.as_str());
        match &self.bar {
            Some(bar) => bar.suspend(|| self.printer.error(&line)),
            None => self.printer.error(&line),
        }
    }

    /// Ctrl-C was pressed: says that nothing new is sent and the writes in flight settle.
    pub fn interrupted(&self) {
        let line = "interrupted: no new change is sent; waiting for the requests in flight (Ctrl-C again quits at once)";
        match &self.bar {
            Some(bar) => bar.suspend(|| self.printer.warn(line)),
            None => self.printer.warn(line),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A spinner while fetching on a terminal; one plain line elsewhere.
pub fn spinner(printer: &Printer, message: &str) -> Spinner {
    if !printer.interactive {
        printer.info(message);
        return Spinner(None);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
    );
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Spinner(Some(bar))
}

/// See [`spinner`].
pub struct Spinner(Option<ProgressBar>);

impl Spinner {
    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
