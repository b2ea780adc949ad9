//! Article front matter: the YAML block between `---` lines at the top of a Markdown file.
//!
//! In: the text of one article file. Out: [`FrontMatter`] (fields as written, not yet resolved
//! against the config defaults) and the body, or every error found with its location.

use std::path::Path;

use saphyr::{MarkedYaml, Scalar, YamlData};

use crate::content::model::{ArticleState, AuthorRef};
use crate::content::yaml::{Pos, Source, as_str, backticked, type_name};
use crate::diagnostics::Diagnostic;

/// The fields a front matter block may hold.
pub const FIELDS: [&str; 7] = [
    "title",
    "description",
    "state",
    "author",
    "key",
    "fin_agent",
    "fin_copilot",
];

/// A parsed front matter block and the body after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter<'t> {
    pub title: String,
    /// Where the title's value starts (for warnings about it).
    pub title_pos: Pos,
    pub description: Option<String>,
    pub state: Option<ArticleState>,
    pub author: Option<AuthorRef>,
    /// Where the `author` value starts (an unknown author is reported there).
    pub author_pos: Option<Pos>,
    /// The `key` field and the position of its value.
    pub key: Option<(String, Pos)>,
    /// `fin_agent` / `fin_copilot` (Fin external pages): as written, `None` when absent.
    pub fin_agent: Option<bool>,
    pub fin_copilot: Option<bool>,
    /// The Markdown after the closing `---` line.
    pub body: &'t str,
    /// 1-based file line of the first body line.
    pub body_line: usize,
}

/// Splits `text` into front matter and body, and maps the YAML to [`FrontMatter`].
pub fn parse<'t>(text: &'t str, path: &Path) -> Result<FrontMatter<'t>, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (yaml, body, body_line) = split(text, path).map_err(|d| vec![d])?;
    let source = Source {
        path,
        line_offset: 1,
    };
    let missing_title = || {
        Diagnostic::error(
            "front-matter-missing-title",
            path,
            1,
            1,
            "missing `title` in front matter",
        )
        .with_hint("add a line `title: ...` between the `---` lines")
    };
    let Some(doc) = source.parse(yaml).map_err(|d| vec![d])? else {
        return Err(vec![missing_title()]);
    };
    let entries = source.mapping(&doc, "front matter").map_err(|d| vec![d])?;

    let mut errors = Vec::new();
    let mut fm = FrontMatter {
        title: String::new(),
        title_pos: Pos { line: 1, column: 1 },
        description: None,
        state: None,
        author: None,
        author_pos: None,
        key: None,
        fin_agent: None,
        fin_copilot: None,
        body,
        body_line,
    };
    let mut has_title = false;
    for (key_node, value) in entries {
        let name = match source.key(key_node) {
            Ok(name) => name,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        has_title |= name == "title";
        let outcome = match name {
            "title" => source.string(name, value).and_then(|v| match v {
                Some(title) if title.trim().contains(['\n', '\r']) => Err(source
                    .error("title-line-break", value, "`title` holds a line break")
                    .with_hint("write the title on one line (Intercom shows it as one)")),
                Some(title) if !title.trim().is_empty() => {
                    title.trim().clone_into(&mut fm.title);
                    fm.title_pos = source.pos(value);
                    Ok(())
                }
                _ => Err(source
                    .error("front-matter-missing-title", value, "`title` is empty")
                    .with_hint("give the article a title: `title: ...`")),
            }),
            "description" => source.string(name, value).map(|v| {
                fm.description = v.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
            }),
            "state" => parse_state(&source, value).map(|s| fm.state = s),
            "author" => parse_author(&source, value).map(|a| {
                fm.author_pos = a.as_ref().map(|_| source.pos(value));
                fm.author = a;
            }),
            "key" => parse_key(&source, value).map(|k| fm.key = k),
            "fin_agent" => parse_bool(&source, name, value).map(|b| fm.fin_agent = b),
            "fin_copilot" => parse_bool(&source, name, value).map(|b| fm.fin_copilot = b),
            other => Err(source.unknown_field(
                "front-matter-unknown-field",
                key_node,
                other,
                "front matter",
                &FIELDS,
            )),
        };
        if let Err(d) = outcome {
            errors.push(d);
        }
    }
    // A mistyped `title` (`titel:`) is one mistake: its did-you-mean error says it all.
    let title_misspelt = errors.iter().any(|d| {
        d.code == "front-matter-unknown-field" && d.hint.as_deref() == Some("did you mean `title`?")
    });
    if !has_title && !title_misspelt {
        let pos = source.pos(&doc);
        errors.push(Diagnostic {
            line: pos.line,
            column: pos.column,
            ..missing_title()
        });
    }
    if errors.is_empty() {
        Ok(fm)
    } else {
        Err(errors)
    }
}

/// Returns the YAML text, the body and the body's first line.
fn split<'t>(text: &'t str, path: &Path) -> Result<(&'t str, &'t str, usize), Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err(Diagnostic::error(
            "front-matter-missing",
            path,
            1,
            1,
            "missing front matter: an article starts with a `---` block holding its `title`",
        )
        .with_hint("start the file with `---`, `title: ...`, `---` on three lines"));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (index, line) in lines.enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + line.len();
            // Line 1 is the opening `---`, the closing one is line `index + 2`.
            return Ok((&text[yaml_start..offset], &text[body_start..], index + 3));
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        "front-matter-unclosed",
        path,
        1,
        1,
        "front matter is never closed",
    )
    .with_hint("end the front matter with a `---` line"))
}

fn parse_state(
    source: &Source<'_>,
    node: &MarkedYaml<'_>,
) -> Result<Option<ArticleState>, Diagnostic> {
    match as_str(node) {
        Some("published") => Ok(Some(ArticleState::Published)),
        Some("draft") => Ok(Some(ArticleState::Draft)),
        _ if crate::content::yaml::is_null(node) => Ok(None),
        Some(other) => Err(source
            .error(
                "front-matter-bad-state",
                node,
                format!("unknown state `{other}`"),
            )
            .with_hint(format!(
                "use one of {}",
                backticked(&["published", "draft"])
            ))),
        None => Err(source
            .error(
                "front-matter-bad-state",
                node,
                format!("`state` must be a string, found {}", type_name(node)),
            )
            .with_hint(format!(
                "use one of {}",
                backticked(&["published", "draft"])
            ))),
    }
}

fn parse_author(
    source: &Source<'_>,
    node: &MarkedYaml<'_>,
) -> Result<Option<AuthorRef>, Diagnostic> {
    let bad = |found: &str| {
        source
            .error(
                "front-matter-bad-author",
                node,
                format!("`author` must be an admin email or a numeric admin id, found {found}"),
            )
            .with_hint("write `author: jane@example.com` or `author: 123456`")
    };
    match &node.data {
        YamlData::Value(Scalar::Null) => Ok(None),
        YamlData::Value(Scalar::Integer(id)) => u64::try_from(*id)
            .map(|id| Some(AuthorRef::Id(id)))
            .map_err(|_| bad("a negative number")),
        _ => match as_str(node) {
            Some(text) => parse_author_text(text)
                .map(Some)
                .ok_or_else(|| bad(&format!("`{text}`"))),
            None => Err(bad(type_name(node))),
        },
    }
}

/// An author written as text: digits are an id, `local@domain.tld` an email.
pub fn parse_author_text(text: &str) -> Option<AuthorRef> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().map(AuthorRef::Id);
    }
    let (local, domain) = text.split_once('@')?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace);
    valid.then(|| AuthorRef::Email(text.to_owned()))
}

/// A boolean field (`true`/`false`; empty is absent).
fn parse_bool(
    source: &Source<'_>,
    field: &str,
    node: &MarkedYaml<'_>,
) -> Result<Option<bool>, Diagnostic> {
    match &node.data {
        YamlData::Value(Scalar::Boolean(b)) => Ok(Some(*b)),
        _ if crate::content::yaml::is_null(node) => Ok(None),
        _ => Err(source
            .error(
                "front-matter-bad-value",
                node,
                format!("`{field}` must be true or false, found {}", type_name(node)),
            )
            .with_hint(format!("write `{field}: true` or `{field}: false`"))),
    }
}

fn parse_key(
    source: &Source<'_>,
    node: &MarkedYaml<'_>,
) -> Result<Option<(String, Pos)>, Diagnostic> {
    let Some(key) = source.string("key", node)? else {
        return Ok(None);
    };
    check_key(&key).map_err(|why| {
        source
            .error("bad-key", node, format!("invalid key `{key}`: {why}"))
            .with_hint("use letters, digits, `-`, `_`, `.` and `/`, e.g. `key: billing/refunds`")
    })?;
    Ok(Some((key, source.pos(node))))
}

/// Why an explicit key is not usable, if it is not.
pub fn check_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        Err("it is empty")
    } else if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("it contains whitespace")
    } else if key.contains(['"', '\'', '<', '>', '#', '\\']) {
        Err("it contains a quote, `<`, `>`, `#` or `\\`")
    } else if key.starts_with('/') || key.ends_with('/') {
        Err("it starts or ends with `/`")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<(usize, usize, String)> {
        parse(text, Path::new("a.md"))
            .unwrap_err()
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn parses_all_fields_and_the_body_line() {
        let text = "---\ntitle:  Install \ndescription: How\nstate: draft\nauthor: 42\nkey: a/b\n---\n# Body\n";
        let fm = parse(text, Path::new("a.md")).unwrap();
        assert_eq!(fm.title, "Install");
        assert_eq!(fm.description.as_deref(), Some("How"));
        assert_eq!(fm.state, Some(ArticleState::Draft));
        assert_eq!(fm.author, Some(AuthorRef::Id(42)));
        assert_eq!(fm.key, Some(("a/b".to_owned(), Pos { line: 6, column: 6 })));
        assert_eq!(fm.body, "# Body\n");
        assert_eq!(fm.body_line, 8);
    }

    #[test]
    fn reports_every_bad_field_with_its_position() {
        let text = "---\ntitel: x\nstate: gone\nauthor: nobody\n---\n";
        assert_eq!(
            errors(text),
            vec![
                (2, 1, "unknown field `titel` in front matter".to_owned()),
                (3, 8, "unknown state `gone`".to_owned()),
                (
                    4,
                    9,
                    "`author` must be an admin email or a numeric admin id, found `nobody`"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn wrong_types_and_missing_blocks() {
        assert_eq!(
            errors("---\ntitle: [a]\n---\n"),
            vec![(2, 8, "`title` must be a string, found a list".to_owned())]
        );
        assert_eq!(
            errors("# no front matter\n")[0].2,
            "missing front matter: an article starts with a `---` block holding its `title`"
        );
        assert_eq!(
            errors("---\ntitle: x\n")[0].2,
            "front matter is never closed"
        );
        assert_eq!(
            errors("---\n---\nbody")[0].2,
            "missing `title` in front matter"
        );
    }

    #[test]
    fn authors_are_emails_or_ids() {
        assert_eq!(parse_author_text("7"), Some(AuthorRef::Id(7)));
        assert_eq!(
            parse_author_text("a@b.co"),
            Some(AuthorRef::Email("a@b.co".to_owned()))
        );
        assert_eq!(parse_author_text("a@b"), None);
        assert_eq!(parse_author_text("a b@c.d"), None);
    }
}
