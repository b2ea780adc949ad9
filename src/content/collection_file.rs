//! `_collection.yml`: the file that makes a directory a collection.
//!
//! In: its text and the config (for locale codes). Out: [`CollectionFile`], or every error
//! found with its location.

use std::collections::BTreeMap;
use std::path::Path;

use saphyr::MarkedYaml;

use crate::content::config::Config;
use crate::content::front_matter::check_key;
use crate::content::locales;
use crate::content::model::CollectionText;
use crate::content::yaml::{Pos, Source};
use crate::diagnostics::Diagnostic;

/// The file name that marks a collection directory.
pub const FILE_NAME: &str = "_collection.yml";

/// The fields of `_collection.yml`.
pub const FIELDS: [&str; 4] = ["name", "description", "translations", "key"];

/// The fields of one entry under `translations`.
const TEXT_FIELDS: [&str; 2] = ["name", "description"];

/// A parsed `_collection.yml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionFile {
    pub name: String,
    pub description: Option<String>,
    /// Locale code → name and description, locales checked against the config.
    pub translations: BTreeMap<String, CollectionText>,
    /// The `key` field and the position of its value.
    pub key: Option<(String, Pos)>,
}

/// Parses and validates the text of a `_collection.yml` at `path` (relative to the root).
pub fn parse(text: &str, path: &Path, config: &Config) -> Result<CollectionFile, Vec<Diagnostic>> {
    let source = Source {
        path,
        line_offset: 0,
    };
    let missing_name = |line, column| {
        Diagnostic::error(
            "collection-missing-name",
            path,
            line,
            column,
            "missing `name` in `_collection.yml`",
        )
        .with_hint("add a line `name: ...` with the collection's title")
    };
    let Some(doc) = source.parse(text).map_err(|d| vec![d])? else {
        return Err(vec![missing_name(1, 1)]);
    };
    let entries = source
        .mapping(&doc, "`_collection.yml`")
        .map_err(|d| vec![d])?;
    let mut errors = Vec::new();
    let mut file = CollectionFile {
        name: String::new(),
        description: None,
        translations: BTreeMap::new(),
        key: None,
    };
    let mut has_name = false;
    for (key_node, value) in entries {
        let name = match source.key(key_node) {
            Ok(name) => name,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        match name {
            "name" => {
                has_name = true;
                match text_value(&source, "name", value) {
                    Ok(Some(n)) => file.name = n,
                    Ok(None) => errors.push(
                        source
                            .error("collection-missing-name", value, "`name` is empty")
                            .with_hint("give the collection a name: `name: ...`"),
                    ),
                    Err(d) => errors.push(d),
                }
            }
            "description" => match text_value(&source, "description", value) {
                Ok(d) => file.description = d,
                Err(d) => errors.push(d),
            },
            "key" => match source.string("key", value) {
                Ok(Some(key)) => match check_key(&key) {
                    Ok(()) => file.key = Some((key, source.pos(value))),
                    Err(why) => errors.push(
                        source
                            .error("bad-key", value, format!("invalid key `{key}`: {why}"))
                            .with_hint("use letters, digits, `-`, `_`, `.` and `/`"),
                    ),
                },
                Ok(None) => {}
                Err(d) => errors.push(d),
            },
            "translations" => {
                parse_translations(&source, value, config, &mut file.translations, &mut errors);
            }
            other => errors.push(source.unknown_field(
                "collection-unknown-field",
                key_node,
                other,
                "`_collection.yml`",
                &FIELDS,
            )),
        }
    }
    if !has_name {
        let pos = source.pos(&doc);
        errors.push(missing_name(pos.line, pos.column));
    }
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

/// A trimmed string value; `None` when null or blank.
fn text_value(
    source: &Source<'_>,
    field: &str,
    node: &MarkedYaml<'_>,
) -> Result<Option<String>, Diagnostic> {
    Ok(source
        .string(field, node)?
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty()))
}

fn parse_translations(
    source: &Source<'_>,
    node: &MarkedYaml<'_>,
    config: &Config,
    out: &mut BTreeMap<String, CollectionText>,
    errors: &mut Vec<Diagnostic>,
) {
    if crate::content::yaml::is_null(node) {
        return;
    }
    let entries = match source.mapping(node, "`translations`") {
        Ok(entries) => entries,
        Err(d) => {
            errors.push(
                d.with_hint("write one entry per locale: `fr: {name: ..., description: ...}`"),
            );
            return;
        }
    };
    for (locale_node, text_node) in entries {
        let locale = match source.key(locale_node) {
            Ok(locale) => locale,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        if let Err(d) = check_translation_locale(source, locale_node, locale, config) {
            errors.push(d);
            continue;
        }
        let fields = match source.mapping(text_node, &format!("translation `{locale}`")) {
            Ok(fields) => fields,
            Err(d) => {
                errors.push(
                    d.with_hint(format!("write `{locale}: {{name: ..., description: ...}}`")),
                );
                continue;
            }
        };
        let mut name = None;
        let mut description = None;
        for (field_node, value) in fields {
            match source.key(field_node) {
                Ok("name") => match text_value(source, "name", value) {
                    Ok(n) => name = n,
                    Err(d) => errors.push(d),
                },
                Ok("description") => match text_value(source, "description", value) {
                    Ok(d) => description = d,
                    Err(d) => errors.push(d),
                },
                Ok(other) => errors.push(source.unknown_field(
                    "collection-unknown-field",
                    field_node,
                    other,
                    &format!("translation `{locale}`"),
                    &TEXT_FIELDS,
                )),
                Err(d) => errors.push(d),
            }
        }
        match name {
            Some(name) => {
                out.insert(locale.to_owned(), CollectionText { name, description });
            }
            None => errors.push(
                source
                    .error(
                        "collection-missing-name",
                        text_node,
                        format!("missing `name` in translation `{locale}`"),
                    )
                    .with_hint(format!("add `name: ...` under `{locale}:`")),
            ),
        }
    }
}

fn check_translation_locale(
    source: &Source<'_>,
    node: &MarkedYaml<'_>,
    locale: &str,
    config: &Config,
) -> Result<(), Diagnostic> {
    if locale == config.default_locale {
        return Err(source
            .error(
                "collection-default-locale-translation",
                node,
                format!("`{locale}` is the default locale, not a translation"),
            )
            .with_hint("put the default-locale text in the top-level `name` and `description`"));
    }
    if config.locales.iter().any(|l| l == locale) {
        return Ok(());
    }
    if locales::is_intercom_locale(locale) {
        Err(source
            .error(
                "locale-not-configured",
                node,
                format!("locale `{locale}` is not in `locales` of `helpcenter.toml`"),
            )
            .with_hint(format!(
                "add \"{locale}\" to `locales`, or remove this translation"
            )))
    } else {
        let diag = source.error("unknown-locale", node, format!("unknown locale `{locale}`"));
        Err(match locales::suggest_locale(locale) {
            Some(s) => diag.with_hint(format!("did you mean `{s}`?")),
            None => diag.with_hint("use one of Intercom's locale codes, e.g. `fr`, `de`, `pt-BR`"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::config::{Assets, Defaults};

    fn config() -> Config {
        Config {
            default_locale: "en".to_owned(),
            locales: vec!["en".to_owned(), "fr".to_owned()],
            default_target: None,
            exclude: Vec::new(),
            defaults: Defaults::default(),
            assets: Assets::default(),
            targets: BTreeMap::new(),
        }
    }

    #[test]
    fn parses_names_translations_and_key() {
        let text = "name: Guides\ndescription: How to\nkey: g\ntranslations:\n  fr:\n    name: Guides FR\n";
        let file = parse(text, Path::new("g/_collection.yml"), &config()).unwrap();
        assert_eq!(file.name, "Guides");
        assert_eq!(file.key.unwrap().1, Pos { line: 3, column: 6 });
        assert_eq!(file.translations["fr"].name, "Guides FR");
    }

    #[test]
    fn reports_locales_and_unknown_fields() {
        let text = "name: G\ntranslations:\n  de: {name: D}\n  xx: {name: X}\n  fr: {nom: F}\n";
        let errs = parse(text, Path::new("c.yml"), &config()).unwrap_err();
        let got: Vec<_> = errs.iter().map(|d| (d.line, d.column, d.code)).collect();
        assert_eq!(
            got,
            vec![
                (3, 3, "locale-not-configured"),
                (4, 3, "unknown-locale"),
                (5, 8, "collection-unknown-field"),
                (5, 7, "collection-missing-name"),
            ]
        );
    }
}
