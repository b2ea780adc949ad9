//! The text of pulled files: article front matter + Markdown, and `_collection.yml`. YAML is
//! written by hand (plain scalars where they read back unchanged, JSON-style double quotes
//! otherwise), so what the content loader reads is exactly what Intercom holds.

use std::collections::BTreeMap;

use crate::content::model::{ArticleState, AuthorRef};

/// The front matter fields of one article file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    pub title: String,
    pub description: String,
    pub state: ArticleState,
    pub author: Option<AuthorRef>,
    /// Written only when the key differs from the one the path gives.
    pub key: Option<String>,
    pub markdown: String,
}

/// The content of a `_collection.yml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionText {
    pub name: String,
    pub description: String,
    /// Locale → (name, description).
    pub translations: BTreeMap<String, (String, String)>,
    pub key: Option<String>,
}

/// The whole text of an article file.
pub fn article_file(a: &ArticleText) -> String {
    let mut out = String::from("---\n");
    field(&mut out, "", "title", &a.title);
    if !a.description.trim().is_empty() {
        field(&mut out, "", "description", &a.description);
    }
    field(&mut out, "", "state", a.state.as_str());
    match &a.author {
        Some(AuthorRef::Email(email)) => field(&mut out, "", "author", email),
        Some(AuthorRef::Id(id)) => {
            out.push_str("author: ");
            out.push_str(&id.to_string());
            out.push('\n');
        }
        None => {}
    }
    if let Some(key) = &a.key {
        field(&mut out, "", "key", key);
    }
    out.push_str("---\n");
    if !a.markdown.is_empty() {
        out.push('\n');
        out.push_str(&a.markdown);
        if !a.markdown.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The whole text of a `_collection.yml`.
pub fn collection_file(c: &CollectionText) -> String {
    let mut out = String::new();
    field(&mut out, "", "name", &c.name);
    if !c.description.trim().is_empty() {
        field(&mut out, "", "description", &c.description);
    }
    if let Some(key) = &c.key {
        field(&mut out, "", "key", key);
    }
    if !c.translations.is_empty() {
        out.push_str("translations:\n");
        for (locale, (name, description)) in &c.translations {
            out.push_str("  ");
            out.push_str(&scalar(locale));
            out.push_str(":\n");
            field(&mut out, "    ", "name", name);
            if !description.trim().is_empty() {
                field(&mut out, "    ", "description", description);
            }
        }
    }
    out
}

fn field(out: &mut String, indent: &str, name: &str, value: &str) {
    out.push_str(indent);
    out.push_str(name);
    out.push_str(": ");
    out.push_str(&scalar(value.trim()));
    out.push('\n');
}

/// A YAML scalar that reads back as the string `s`.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let lower = s.to_ascii_lowercase();
    let special_word = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    );
    first.is_alphabetic()
        && !special_word
        && s.trim() == s
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s
            .chars()
            .any(|c| c.is_control() || c == '\u{feff}' || c == '\\')
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::content::front_matter;

    #[test]
    fn front_matter_reads_back_exactly() {
        for title in [
            "Install the app",
            "Why: a reason",
            "C# #1 tips",
            "yes",
            "2024 pricing",
            "\"Quoted\" and 'single'",
            "- dash first",
            "Tab\there",
            "Ünïcødé — ok",
            "ends with colon:",
            "[bracket] {brace} & star*",
            "back\\slash",
        ] {
            let text = article_file(&ArticleText {
                title: title.to_owned(),
                description: format!("About {title}"),
                state: ArticleState::Draft,
                author: Some(AuthorRef::Email("a@b.co".into())),
                key: Some("a/b".into()),
                markdown: "Body\n".into(),
            });
            let fm = front_matter::parse(&text, Path::new("x.md")).unwrap();
            assert_eq!(fm.title, title, "{text}");
            assert_eq!(
                fm.description.as_deref(),
                Some(format!("About {title}").as_str())
            );
            assert_eq!(fm.state, Some(ArticleState::Draft));
            assert_eq!(fm.key.map(|k| k.0).as_deref(), Some("a/b"));
            assert_eq!(fm.body, "\nBody\n");
        }
    }

    #[test]
    fn numeric_author_is_an_id() {
        let text = article_file(&ArticleText {
            title: "T".into(),
            description: String::new(),
            state: ArticleState::Published,
            author: Some(AuthorRef::Id(42)),
            key: None,
            markdown: String::new(),
        });
        assert_eq!(text, "---\ntitle: T\nstate: published\nauthor: 42\n---\n");
        let fm = front_matter::parse(&text, Path::new("x.md")).unwrap();
        assert_eq!(fm.author, Some(AuthorRef::Id(42)));
    }

    #[test]
    fn collection_file_shape() {
        let mut translations = BTreeMap::new();
        translations.insert("fr".to_owned(), ("Facturation".to_owned(), String::new()));
        let text = collection_file(&CollectionText {
            name: "Billing: all".into(),
            description: "Money".into(),
            translations,
            key: None,
        });
        assert_eq!(
            text,
            "name: \"Billing: all\"\ndescription: Money\ntranslations:\n  fr:\n    name: Facturation\n"
        );
    }
}
