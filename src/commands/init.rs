//! `helpcenter init`: write a starter `helpcenter.toml` (sandbox target by default) and the
//! `.gitignore` line that keeps sandbox data out of Git.

use std::path::Path;

use crate::content::config::FILE_NAME;
use crate::error::FileAction;
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::Printer;
use crate::settings::Global;

/// The lines added to `.gitignore`: sandbox data and lock files are local, state files are
/// committed.
pub const GITIGNORE_LINES: [&str; 2] = [".helpcenter/*.sandbox.*", ".helpcenter/*.lock"];

/// The starter configuration `init` writes.
pub const STARTER_CONFIG: &str = r#"# helpcenter configuration: see docs/config.md for every key.

# The help center's default language (must match Intercom's) and all locales you publish.
default_locale = "en"
locales = ["en"]

# Target used when `--target` is not given.
default_target = "local"

# Globs relative to this folder that are not content (README.md is always ignored).
exclude = []

[defaults]
state = "published"
# author = "docs@example.com"   # admin email or numeric id used when front matter has none

[assets]
# Public URL of this folder, where Intercom fetches images from.
# base_url = "https://raw.githubusercontent.com/OWNER/REPO/main/"

# The embedded Intercom emulator: no network, no token. Data in .helpcenter/local.sandbox.db.
[targets.local]
kind = "sandbox"

# A real workspace. The token is read from the environment variable named by token_env,
# never from this file.
# [targets.production]
# kind = "intercom"
# region = "us"                # us | eu | au
# help_center = "acme"         # identifier or id; required when the workspace has several
# token_env = "INTERCOM_TOKEN"
# prune = false
# on_drift = "fail"            # fail | skip | overwrite
"#;

/// Writes the starter files in `--dir`; refuses to overwrite an existing `helpcenter.toml`.
pub fn run(global: &Global, printer: &Printer) -> CommandResult {
    let dir = global.dir.as_path();
    let config_path = dir.join(FILE_NAME);
    if config_path.exists() {
        return Err(
            CommandError::refused(format!("`{}` already exists", config_path.display()))
                .with_hint("edit it, or remove it to start over"),
        );
    }
    std::fs::create_dir_all(dir).map_err(|err| CommandError::file(FileAction::Create, dir, err))?;
    write_new(&config_path, STARTER_CONFIG)?;
    printer.info(&format!("wrote `{}`", config_path.display()));
    for line in add_gitignore_lines(dir)? {
        printer.info(&format!(
            "added `{line}` to `{}`",
            dir.join(".gitignore").display()
        ));
    }
    printer.hint(
        "add a folder with `_collection.yml` and Markdown articles, then run `helpcenter check`",
    );
    Ok(Outcome::Success)
}

/// Creates `path` with `text`, failing if it appeared in the meantime.
fn write_new(path: &Path, text: &str) -> Result<(), CommandError> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|err| CommandError::file(FileAction::Write, path, err))?;
    file.write_all(text.as_bytes())
        .map_err(|err| CommandError::file(FileAction::Write, path, err))
}

/// Appends each of [`GITIGNORE_LINES`] missing from `dir/.gitignore`; returns those added.
fn add_gitignore_lines(dir: &Path) -> Result<Vec<&'static str>, CommandError> {
    let path = dir.join(".gitignore");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(err) => {
            return Err(CommandError::file(FileAction::Read, &path, err));
        }
    };
    let missing: Vec<&'static str> = GITIGNORE_LINES
        .into_iter()
        .filter(|wanted| !existing.lines().any(|line| line.trim() == *wanted))
        .collect();
    if missing.is_empty() {
        return Ok(missing);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for line in &missing {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|err| CommandError::file(FileAction::Write, &path, err))?;
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_config_is_valid() {
        let (config, diagnostics) = crate::content::config::parse(STARTER_CONFIG);
        assert_eq!(diagnostics, Vec::new());
        let config = config.unwrap();
        assert_eq!(config.default_target.as_deref(), Some("local"));
    }

    #[test]
    fn gitignore_lines_are_added_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target\n.helpcenter/*.lock").unwrap();
        assert_eq!(
            add_gitignore_lines(dir.path()).unwrap(),
            [".helpcenter/*.sandbox.*"]
        );
        assert_eq!(add_gitignore_lines(dir.path()).unwrap(), Vec::<&str>::new());
        let text = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
        assert_eq!(
            text,
            "target\n.helpcenter/*.lock\n.helpcenter/*.sandbox.*\n"
        );
    }
}
