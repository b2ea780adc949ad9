//! The one output gateway: data to stdout, messages to stderr, colour and verbosity decided
//! once. Nothing else in the crate prints.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// How chatty to be on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Writes data to stdout and messages to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub verbosity: Verbosity,
    /// Whether stderr gets ANSI colour.
    pub color_stderr: bool,
    /// Whether stdout gets ANSI colour (plan text).
    pub color_stdout: bool,
    /// Whether stderr is an interactive terminal (progress bars).
    pub interactive: bool,
}

impl Printer {
    /// Decides colour and interactivity once, from `--color`, `NO_COLOR`, `CI` and the terminals.
    pub fn new(color: ColorChoice, verbosity: Verbosity) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let stderr_tty = std::io::stderr().is_terminal();
        let in_ci = std::env::var_os("CI").is_some();
        Self {
            verbosity,
            color_stderr: decide(stderr_tty),
            color_stdout: decide(std::io::stdout().is_terminal()),
            interactive: stderr_tty && !in_ci && verbosity != Verbosity::Quiet,
        }
    }

    /// A printer for tests and library use: no colour, normal verbosity.
    pub fn plain() -> Self {
        Self {
            verbosity: Verbosity::Normal,
            color_stderr: false,
            color_stdout: false,
            interactive: false,
        }
    }

    /// Data (plans, JSON, HTML) to stdout, exactly as given.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Raw text to stderr (already formatted diagnostics).
    pub fn stderr(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// `error: message` on stderr, always shown.
    pub fn error(&self, message: &str) {
        self.tagged("error", AnsiColor::Red, message);
    }

    /// `warning: message` on stderr unless quiet.
    pub fn warn(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            self.tagged("warning", AnsiColor::Yellow, message);
        }
    }

    /// `hint: message` on stderr unless quiet.
    pub fn hint(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            self.tagged("hint", AnsiColor::Cyan, message);
        }
    }

    /// A plain status line on stderr unless quiet.
    pub fn info(&self, message: &str) {
        if self.verbosity > Verbosity::Quiet {
            eprintln!("{message}");
        }
    }

    /// A detail line on stderr with `-v` only.
    pub fn debug(&self, message: &str) {
        if self.verbosity >= Verbosity::Verbose {
            eprintln!("{message}");
        }
    }

    /// Paints `text` for stderr when colour is on.
    pub fn paint(&self, style: Style, text: &str) -> String {
        paint(self.color_stderr, style, text)
    }

    fn tagged(&self, tag: &str, color: AnsiColor, message: &str) {
        let style = Style::new().bold().fg_color(Some(color.into()));
        eprintln!("{}: {message}", self.paint(style, tag));
    }
}

/// Paints `text` with `style` when `on`.
pub fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}
