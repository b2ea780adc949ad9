//! The emulator's data: articles and collections with their per-locale content, Fin's content
//! import sources and external pages, id counters and a monotonic clock. Serde types, so the
//! whole store is the persisted state file.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::options::{LOCALES, SandboxOptions, TranslationNull, UnknownLocale};

/// The `workspace_id` of every object.
pub const WORKSPACE_ID: &str = "sandbox0";
/// Public host of the emulated help centers.
pub const HELP_CENTER_HOST: &str = "http://help-center.test";

/// Everything the emulator stores.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Store {
    /// Last timestamp handed out (unix seconds); only ever grows.
    pub clock: i64,
    /// When the workspace was created (help centers report it).
    pub created_at: i64,
    pub next_article_id: u64,
    pub next_collection_id: u64,
    pub articles: BTreeMap<u64, Article>,
    pub collections: BTreeMap<u64, Collection>,
    /// Fin AI Content (`/ai/*`); absent from state files written before it existed.
    #[serde(default = "first_source_id")]
    pub next_source_id: u64,
    #[serde(default = "first_page_id")]
    pub next_page_id: u64,
    #[serde(default)]
    pub sources: BTreeMap<u64, ContentImportSource>,
    #[serde(default)]
    pub pages: BTreeMap<u64, ExternalPage>,
}

/// First content import source id (distinct from the article and collection ranges).
pub fn first_source_id() -> u64 {
    4_000_001
}

/// First external page id.
pub fn first_page_id() -> u64 {
    8_000_001
}

impl Default for Store {
    fn default() -> Self {
        let now = unix_now();
        Self {
            clock: now,
            created_at: now,
            next_article_id: 7_000_001,
            next_collection_id: 3_000_001,
            articles: BTreeMap::new(),
            collections: BTreeMap::new(),
            next_source_id: first_source_id(),
            next_page_id: first_page_id(),
            sources: BTreeMap::new(),
            pages: BTreeMap::new(),
        }
    }
}

/// An article: placement plus one content entry per locale (the default locale always present).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Article {
    pub id: u64,
    pub parent_id: Option<u64>,
    pub parent_type: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub contents: BTreeMap<String, ArticleContent>,
}

/// One locale of an article.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArticleContent {
    pub title: String,
    pub description: String,
    /// Rewritten HTML, images without their signed query string.
    pub body: String,
    pub author_id: u64,
    pub published: bool,
    /// Whether this locale was ever published (a never-published draft has `url: null`).
    pub ever_published: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A collection (sections are collections since 2.10).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Collection {
    pub id: u64,
    pub help_center_id: u64,
    pub parent_id: Option<u64>,
    pub order: u32,
    pub created_at: i64,
    pub updated_at: i64,
    pub contents: BTreeMap<String, GroupContent>,
}

/// One locale of a collection.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupContent {
    pub name: String,
    pub description: Option<String>,
}

/// A Fin content import source (`content_import_source`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContentImportSource {
    pub id: u64,
    pub url: String,
    /// `api` for every source made through the API; `automatic`/`manual` only seeded.
    pub sync_behavior: String,
    /// `active` or `deactivated`.
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_synced_at: i64,
}

/// A Fin external page (`external_page`), English only; `html` is stored as sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExternalPage {
    pub id: u64,
    pub source_id: u64,
    pub external_id: String,
    pub title: String,
    pub html: String,
    pub url: Option<String>,
    pub ai_agent_availability: bool,
    pub ai_copilot_availability: bool,
    pub ai_sales_agent_availability: bool,
    pub locale: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_ingested_at: i64,
}

/// Current unix time in seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Store {
    /// A timestamp for a write: now, but always later than the previous one.
    pub fn tick(&mut self) -> i64 {
        self.clock = unix_now().max(self.clock + 1);
        self.clock
    }

    /// Depth of a collection: 1 for top level.
    pub fn depth(&self, id: u64) -> usize {
        let mut depth = 0;
        let mut cursor = Some(id);
        while let Some(c) = cursor.and_then(|c| self.collections.get(&c)) {
            depth += 1;
            cursor = c.parent_id;
            if depth > self.collections.len() {
                break;
            }
        }
        depth
    }

    /// Levels below `id` (0 without sub-collections).
    pub fn height(&self, id: u64) -> usize {
        self.collections
            .values()
            .filter(|c| c.parent_id == Some(id))
            .map(|c| 1 + self.height(c.id))
            .max()
            .unwrap_or(0)
    }

    /// Whether `ancestor` is `id` or one of its parents.
    pub fn is_ancestor(&self, ancestor: u64, id: u64) -> bool {
        let mut cursor = Some(id);
        let mut steps = 0;
        while let Some(c) = cursor {
            if c == ancestor {
                return true;
            }
            cursor = self.collections.get(&c).and_then(|c| c.parent_id);
            steps += 1;
            if steps > self.collections.len() {
                break;
            }
        }
        false
    }
}

/// Whether a locale may be used in `translated_content`.
pub fn locale_enabled(options: &SandboxOptions, locale: &str) -> bool {
    LOCALES.contains(&locale) && options.locales.iter().any(|l| l == locale)
}

/// A lower-case URL slug of a title.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// What the request says about one locale of `translated_content`.
#[derive(Debug, Clone)]
pub enum LocaleChange {
    /// Merge these fields.
    Set(Map<String, Value>),
    /// Remove the translation (`translation_null = delete`).
    Delete,
}

/// Reads `translated_content`: enabled locales only (per switch), `null`/`{}` per switch.
/// On a single-language help center only the default locale is kept; the rest is ignored.
pub fn translated_content(
    options: &SandboxOptions,
    body: &Map<String, Value>,
) -> Result<Vec<(String, LocaleChange)>, ApiError> {
    let mut out = Vec::new();
    let Some(tc) = body.get("translated_content") else {
        return Ok(out);
    };
    let tc = match tc {
        Value::Null => return Ok(out),
        Value::Object(tc) => tc,
        _ => {
            return Err(ApiError::invalid(
                "translated_content",
                "translated_content must be an object",
            ));
        }
    };
    for (locale, value) in tc {
        if locale == "type" {
            continue;
        }
        if !options.multilingual && *locale != options.default_locale {
            continue;
        }
        if !locale_enabled(options, locale) {
            match options.switches.unknown_locale {
                UnknownLocale::Ignore => continue,
                UnknownLocale::Reject => {
                    return Err(ApiError::invalid(
                        &format!("translated_content.{locale}"),
                        format!("Locale {locale} is not enabled for this help center"),
                    ));
                }
            }
        }
        let fields = match value {
            Value::Null => None,
            Value::Object(map) if map.keys().all(|k| k == "type") => None,
            Value::Object(map) => Some(map.clone()),
            _ => {
                return Err(ApiError::invalid(
                    &format!("translated_content.{locale}"),
                    format!("translated_content.{locale} must be an object"),
                ));
            }
        };
        match fields {
            Some(map) => out.push((locale.clone(), LocaleChange::Set(map))),
            None => match options.switches.translation_null {
                TranslationNull::Ignore => {}
                TranslationNull::Reject => {
                    return Err(ApiError::invalid(
                        &format!("translated_content.{locale}"),
                        format!("translated_content.{locale} cannot be empty"),
                    ));
                }
                TranslationNull::Delete => {
                    if *locale == options.default_locale {
                        return Err(ApiError::invalid(
                            &format!("translated_content.{locale}"),
                            "The default locale's content cannot be removed",
                        ));
                    }
                    out.push((locale.clone(), LocaleChange::Delete));
                }
            },
        }
    }
    Ok(out)
}

/// An optional string field (`null` counts as absent).
pub fn opt_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(key, format!("{key} must be a string"))),
    }
}

/// An optional id field: an integer or a string of digits (`null` counts as absent).
pub fn opt_id(map: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(key, format!("{key} must be an integer"))),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid(key, format!("{key} must be an integer"))),
        Some(_) => Err(ApiError::invalid(key, format!("{key} must be an integer"))),
    }
}

/// An id path segment: digits only, else 404.
pub fn path_id(segment: &str) -> Result<u64, ApiError> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::not_found());
    }
    segment.parse().map_err(|_| ApiError::not_found())
}

/// What a handler needs besides the store: the options, randomness and the request's base URL.
pub struct Env<'a> {
    pub options: &'a SandboxOptions,
    pub rng: &'a mut fastrand::Rng,
    /// `http://host:port` as the client addressed us (for `pages.next`).
    pub base_url: &'a str,
    /// Seeded article statistics (not persisted; absent ids read as zeros).
    pub statistics: &'a BTreeMap<u64, ArticleStats>,
}

/// An article's seeded `statistics` (`PUT /_sandbox/statistics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArticleStats {
    pub views: u64,
    pub conversations: u64,
    pub reactions: u64,
}

impl Env<'_> {
    /// The help center with this id, if seeded.
    pub fn help_center(&self, id: u64) -> Option<&super::options::HelpCenterSeed> {
        self.options
            .help_centers
            .iter()
            .find(|h| h.id.parse::<u64>().ok() == Some(id))
    }

    /// The default help center's id.
    pub fn default_help_center_id(&self) -> u64 {
        self.options
            .help_centers
            .first()
            .and_then(|h| h.id.parse().ok())
            .unwrap_or(1)
    }

    /// URL slug of a help center (`sandbox`).
    pub fn help_center_identifier(&self, id: u64) -> String {
        self.help_center(id)
            .map_or_else(|| "sandbox".to_owned(), |h| h.identifier.clone())
    }

    /// Whether `id` is a seeded admin.
    pub fn is_admin(&self, id: u64) -> bool {
        self.options
            .admins
            .iter()
            .any(|a| a.id.parse::<u64>().ok() == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_monotonic() {
        let mut store = Store::default();
        let a = store.tick();
        let b = store.tick();
        assert!(b > a);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Thanks for everything"), "thanks-for-everything");
        assert_eq!(slug("Christmas is here!"), "christmas-is-here");
        assert_eq!(slug("  Ça va?  Oui "), "ça-va-oui");
    }

    #[test]
    fn ids() {
        assert_eq!(path_id("12").unwrap(), 12);
        assert_eq!(path_id("abc").unwrap_err().status, 404);
        assert_eq!(path_id("99999999999999999999999").unwrap_err().status, 404);
        let map: Map<String, Value> = serde_json::from_str(r#"{"a":"18","b":3,"c":"x"}"#).unwrap();
        assert_eq!(opt_id(&map, "a").unwrap(), Some(18));
        assert_eq!(opt_id(&map, "b").unwrap(), Some(3));
        assert!(opt_id(&map, "c").is_err());
        assert_eq!(opt_id(&map, "d").unwrap(), None);
    }
}
