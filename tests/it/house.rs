//! The house's one-way rule: no module imports one above it. Stages, bottom to top: content ←
//! render ← remote ← state ← plan ← apply ← commands; `sandbox`, `preview` and `output` sit
//! beside and never import `commands`; `commands` reads `settings`, never `cli` (which builds
//! the settings from its arguments). A read of `src/` for `crate::<module>` paths.

use std::path::Path;

/// Modules each module must never name (`crate::X`), the stages above it and `commands`.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "content",
        &[
            "render", "remote", "state", "plan", "apply", "commands", "pipeline", "cli",
        ],
    ),
    (
        "render",
        &[
            "remote", "state", "plan", "apply", "commands", "pipeline", "cli",
        ],
    ),
    (
        "remote",
        &["state", "plan", "apply", "commands", "pipeline", "cli"],
    ),
    ("state", &["plan", "apply", "commands", "pipeline", "cli"]),
    ("plan", &["apply", "commands", "pipeline", "cli"]),
    ("apply", &["commands", "cli"]),
    ("pull", &["apply", "commands", "cli"]),
    ("preview", &["apply", "commands", "cli"]),
    (
        "sandbox",
        &["commands", "cli", "state", "plan", "apply", "pipeline"],
    ),
    ("output", &["commands", "cli", "apply"]),
    ("pipeline", &["commands", "cli", "apply"]),
    ("error", &["commands", "cli"]),
    ("settings", &["commands", "cli", "apply", "pipeline"]),
    ("commands", &["cli"]),
];

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (module, forbidden) in FORBIDDEN {
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            sources(&dir, &mut files);
        }
        let file = src.join(format!("{module}.rs"));
        if file.is_file() {
            files.push(file);
        }
        assert!(!files.is_empty(), "no source for module `{module}`");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for above in *forbidden {
                    if line.contains(&format!("crate::{above}::"))
                        || line.contains(&format!("crate::{above};"))
                        || line.contains(&format!("crate::{above}{{"))
                    {
                        violations.push(format!(
                            "{}:{}: `{module}` names `{above}`",
                            file.strip_prefix(&src).unwrap().display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(violations, Vec::<String>::new());
}

/// Callers import an item from where it lives: `commands` re-exports nothing of the stages.
#[test]
fn commands_re_export_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut files = Vec::new();
    sources(&dir, &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("pub use ") {
                found.push(format!("{}:{}: {line}", file.display(), n + 1));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
}
