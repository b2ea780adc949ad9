//! Wire types of Intercom API 2.12 for help centers, collections, articles and admins.
//!
//! Responses are parsed leniently (ids and numbers may arrive as strings or integers);
//! requests are written with the exact types the API wants (see `API-NOTES.md`).

use std::collections::BTreeMap;

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// An id that Intercom sends as a string (`"7"`) but some fields send as an integer.
pub type Id = String;

/// Deserializes a string or an integer into a `String`.
pub fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(i64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::N(n) => n.to_string(),
    })
}

/// Like [`lenient_id`] for optional fields (`null` or absent → `None`).
pub fn lenient_opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(i64),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        None => None,
        Some(Raw::S(s)) if s.is_empty() => None,
        Some(Raw::S(s)) => Some(s),
        Some(Raw::N(n)) => Some(n.to_string()),
    })
}

/// Deserializes an integer sent as a number or a numeric string.
pub fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(u64),
    }
    match Raw::deserialize(d)? {
        Raw::N(n) => Ok(n),
        Raw::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// Like [`lenient_u64`] for optional fields.
pub fn lenient_opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(u64),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::N(n)) => Ok(Some(n)),
        Some(Raw::S(s)) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// `GET /help_center/help_centers` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpCenter {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// An admin (teammate), for author resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admin {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Per-locale name/description of a collection (`group_content`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupContent {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A collection as Intercom returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_id")]
    pub parent_id: Option<Id>,
    #[serde(default, deserialize_with = "lenient_opt_id")]
    pub help_center_id: Option<Id>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub updated_at: Option<u64>,
    #[serde(default)]
    pub default_locale: Option<String>,
    /// Locale → content; the `type` key and `null` values are dropped while parsing.
    #[serde(default, deserialize_with = "translated_map")]
    pub translated_content: BTreeMap<String, GroupContent>,
}

/// Per-locale content of an article (`article_content`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArticleContent {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub author_id: Option<u64>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub updated_at: Option<u64>,
    #[serde(default)]
    pub url: Option<String>,
}

impl ArticleContent {
    /// Intercom sends empty stubs for enabled locales without content: those are no translation.
    pub fn is_empty(&self) -> bool {
        self.title.as_deref().unwrap_or("").is_empty()
            && self.body.as_deref().unwrap_or("").is_empty()
    }
}

/// An article as Intercom returns it (list item, retrieve, create or update response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub author_id: Option<u64>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_id")]
    pub parent_id: Option<Id>,
    #[serde(default)]
    pub parent_type: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub created_at: Option<u64>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub updated_at: Option<u64>,
    #[serde(default)]
    pub default_locale: Option<String>,
    /// Locale → content; the `type` key, `null` values and empty stubs are dropped while parsing.
    #[serde(default, deserialize_with = "translated_map")]
    pub translated_content: BTreeMap<String, ArticleContent>,
    /// Sent by retrieve/create/update, not by lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<ArticleStatistics>,
}

/// `article_statistics`: how much an article is read. The 2.12 schema names the second
/// count `conversions` while its examples (and the live API) send `conversations`: both read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArticleStatistics {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub views: u64,
    #[serde(default, alias = "conversions", deserialize_with = "lenient_u64")]
    pub conversations: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub reactions: u64,
}

/// Parses a `translated_content` object: drops `type`, `null` values and non-objects. Each
/// locale is parsed straight from the input (a listing holds 250 articles × every locale: no
/// intermediate `serde_json::Value`).
fn translated_map<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_option(TranslatedMap(PhantomData))
}

/// The visitor of [`translated_map`]: `null` → empty, an object → its locales.
struct TranslatedMap<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for TranslatedMap<T> {
    type Value = BTreeMap<String, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of locales")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        d.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(locale) = map.next_key::<String>()? {
            if locale == "type" {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if let Some(content) = map.next_value_seed(ObjectOrSkip(PhantomData))? {
                out.insert(locale, content);
            } else {
                // A later non-object value for the same locale drops it, as before.
                out.remove(&locale);
            }
        }
        Ok(out)
    }
}

/// One locale's value: an object is parsed as `T`; anything else (`null`, a string, a
/// number, a list) is skipped.
struct ObjectOrSkip<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ObjectOrSkip<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrSkip<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a locale's content")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Per-locale content in a create/update request (`article_content`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArticleContentRequest {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `POST /articles` body. `parent_id` is an integer here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CreateArticle {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub author_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_type: Option<String>,
    /// Non-default locales only. Serialized with `"type": "article_translated_content"`.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "ser_article_translations"
    )]
    pub translated_content: BTreeMap<String, ArticleContentRequest>,
}

/// `PUT /articles/{id}` body: every field optional. `parent_id` is a string here.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct UpdateArticle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_type: Option<String>,
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "ser_article_translations"
    )]
    pub translated_content: BTreeMap<String, ArticleContentRequest>,
}

fn ser_article_translations<S: serde::Serializer>(
    map: &BTreeMap<String, ArticleContentRequest>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(map.len() + 1))?;
    m.serialize_entry("type", "article_translated_content")?;
    for (k, v) in map {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// Per-locale content in a collection request (`group_content`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct GroupContentRequest {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `POST /help_center/collections` body (`parent_id` string, `help_center_id` integer).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CreateCollection {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_center_id: Option<u64>,
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "ser_group_translations"
    )]
    pub translated_content: BTreeMap<String, GroupContentRequest>,
}

/// `PUT /help_center/collections/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct UpdateCollection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "ser_group_translations"
    )]
    pub translated_content: BTreeMap<String, GroupContentRequest>,
}

fn ser_group_translations<S: serde::Serializer>(
    map: &BTreeMap<String, GroupContentRequest>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(map.len() + 1))?;
    m.serialize_entry("type", "group_translated_content")?;
    for (k, v) in map {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// `{"id": "...", "object": "article", "deleted": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Deleted {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub deleted: bool,
}

/// The `error.list` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorList {
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorItem {
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(translated: &str) -> Article {
        let json = format!(r#"{{"id": 7, "title": "T", "translated_content": {translated}}}"#);
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn translated_content_keeps_objects_and_drops_type_nulls_and_other_values() {
        let a = article(
            r#"{"type": "article_translated_content",
                "fr": {"type": "article_content", "title": "Bonjour", "author_id": "12", "body": "<p>b</p>"},
                "de": null, "es": "text", "it": 3, "nl": [1, {"x": 2}], "pt": true, "ja": 1.5,
                "ko": {}}"#,
        );
        let locales: Vec<&str> = a.translated_content.keys().map(String::as_str).collect();
        assert_eq!(locales, ["fr", "ko"]);
        let fr = &a.translated_content["fr"];
        assert_eq!(fr.title.as_deref(), Some("Bonjour"));
        assert_eq!(fr.author_id, Some(12));
        assert_eq!(fr.body.as_deref(), Some("<p>b</p>"));
        assert!(a.translated_content["ko"].is_empty());
    }

    #[test]
    fn translated_content_null_or_absent_is_empty_and_a_later_duplicate_wins() {
        assert!(article("null").translated_content.is_empty());
        let absent: Article = serde_json::from_str(r#"{"id": "7"}"#).unwrap();
        assert!(absent.translated_content.is_empty());
        let twice = article(r#"{"fr": {"title": "a"}, "fr": {"title": "b"}}"#);
        assert_eq!(twice.translated_content["fr"].title.as_deref(), Some("b"));
        let dropped = article(r#"{"fr": {"title": "a"}, "fr": null}"#);
        assert!(dropped.translated_content.is_empty());
    }

    #[test]
    fn a_translated_content_that_is_not_an_object_is_an_error() {
        let json = r#"{"id": 7, "translated_content": "fr"}"#;
        assert!(serde_json::from_str::<Article>(json).is_err());
    }

    #[test]
    fn collections_read_group_content_alike() {
        let c: Collection = serde_json::from_str(
            r#"{"id": 3, "name": "N", "translated_content": {"type": "group_translated_content", "fr": {"type": "group_content", "name": "Début"}, "de": null}}"#,
        )
        .unwrap();
        assert_eq!(c.translated_content.len(), 1);
        assert_eq!(c.translated_content["fr"].name.as_deref(), Some("Début"));
    }
}
