//! Wire types of Intercom API 2.12 AI Content (`API-NOTES.md` §8): content import sources and
//! the external pages Fin answers from.
//!
//! Ids are held as strings like every other id of this client: a source id arrives as an
//! integer and a page id as a string, and `source_id` goes out as the integer the API wants.
//! Responses are parsed leniently; requests carry exactly the fields of the 2.12 schemas.

use serde::{Deserialize, Serialize, Serializer};

use super::models::{Id, lenient_id, lenient_opt_u64};

/// A content import source (`content_import_source`): where a set of external pages comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentImportSource {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub url: String,
    /// `api` for a source the tool can write pages into; `automatic`/`manual` are made in the UI.
    #[serde(default)]
    pub sync_behavior: String,
    /// `active` or `deactivated`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub created_at: Option<u64>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub updated_at: Option<u64>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub last_synced_at: Option<u64>,
}

impl ContentImportSource {
    /// Whether pages can be written into it through the API (`sync_behavior: "api"`).
    pub fn is_api(&self) -> bool {
        self.sync_behavior == "api"
    }
}

/// An external page (`external_page`) as Intercom returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalPage {
    #[serde(deserialize_with = "lenient_id")]
    pub id: Id,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub html: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub ai_agent_availability: bool,
    #[serde(default)]
    pub ai_copilot_availability: bool,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(deserialize_with = "lenient_id")]
    pub source_id: Id,
    #[serde(deserialize_with = "lenient_id")]
    pub external_id: String,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub created_at: Option<u64>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub updated_at: Option<u64>,
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub last_ingested_at: Option<u64>,
}

/// `POST /ai/content_import_sources` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateContentImportSource {
    /// Always `api`: the only value the API accepts on create.
    pub sync_behavior: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl CreateContentImportSource {
    /// An `api` source for `url` (status left to the API's default, `active`).
    pub fn api(url: impl Into<String>) -> Self {
        Self {
            sync_behavior: "api".to_owned(),
            url: url.into(),
            status: None,
        }
    }
}

/// `PUT /ai/content_import_sources/{id}` body: both `sync_behavior` (which cannot change to
/// or from `api`) and `url` are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateContentImportSource {
    pub sync_behavior: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `POST /ai/external_pages` body: creates the page, or updates the one with the same
/// `(source_id, external_id)`. Availabilities left out keep their value on an existing page
/// (and take the API's default on a new one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpsertExternalPage {
    pub title: String,
    pub html: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_agent_availability: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_copilot_availability: Option<bool>,
    /// Always `en` in 2.12.
    pub locale: String,
    /// The source's id (digits), sent as an integer.
    #[serde(serialize_with = "id_as_integer")]
    pub source_id: Id,
    pub external_id: String,
}

impl UpsertExternalPage {
    /// An English page of `source_id` keyed by `external_id`, without URL or availabilities.
    pub fn new(
        source_id: impl Into<Id>,
        external_id: impl Into<String>,
        title: impl Into<String>,
        html: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            html: html.into(),
            url: None,
            ai_agent_availability: None,
            ai_copilot_availability: None,
            locale: "en".to_owned(),
            source_id: source_id.into(),
            external_id: external_id.into(),
        }
    }
}

/// `PUT /ai/external_pages/{id}` body: `title`, `html`, `url`, `locale` and `source_id` are
/// required. The 2.12 schema has no `ai_*_availability` here (use [`UpsertExternalPage`] to
/// change them); `fin_availability` is its deprecated single switch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateExternalPage {
    pub title: String,
    pub html: String,
    pub url: String,
    pub locale: String,
    #[serde(serialize_with = "id_as_integer")]
    pub source_id: Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fin_availability: Option<bool>,
}

/// Writes an id of digits as a JSON integer; anything else cannot be encoded.
fn id_as_integer<S: Serializer>(id: &Id, s: S) -> Result<S::Ok, S::Error> {
    match id.parse::<u64>() {
        Ok(n) if id.bytes().all(|b| b.is_ascii_digit()) => s.serialize_u64(n),
        _ => Err(serde::ser::Error::custom(format!(
            "source_id `{id}` is not an Intercom id (digits)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_have_the_schema_types() {
        let mut page = UpsertExternalPage::new("4000001", "guides/a", "A", "<p>a</p>");
        page.url = Some("https://docs.example/guides/a".into());
        page.ai_agent_availability = Some(true);
        assert_eq!(
            serde_json::to_value(&page).unwrap(),
            json!({"title": "A", "html": "<p>a</p>", "url": "https://docs.example/guides/a",
                   "ai_agent_availability": true, "locale": "en", "source_id": 4_000_001,
                   "external_id": "guides/a"})
        );
        page.source_id = "x1".into();
        assert!(serde_json::to_value(&page).is_err());
        assert_eq!(
            serde_json::to_value(CreateContentImportSource::api("https://d.example/")).unwrap(),
            json!({"sync_behavior": "api", "url": "https://d.example/"})
        );
    }

    #[test]
    fn responses_parse_leniently() {
        let source: ContentImportSource = serde_json::from_value(json!({"id": 4, "type":
            "content_import_source", "url": "https://www.example.com", "sync_behavior": "api",
            "status": "active", "created_at": 1, "updated_at": 2, "last_synced_at": 1}))
        .unwrap();
        assert_eq!(source.id, "4");
        assert!(source.is_api());
        let page: ExternalPage = serde_json::from_value(json!({"id": "5", "title": "Test",
            "html": "<p>t</p>", "url": null, "ai_agent_availability": true,
            "ai_copilot_availability": false, "locale": "en", "source_id": 12,
            "external_id": 3, "created_at": "1", "updated_at": 2, "last_ingested_at": 2}))
        .unwrap();
        assert_eq!(page.source_id, "12");
        assert_eq!(page.external_id, "3");
        assert_eq!(page.url, None);
        assert_eq!(page.created_at, Some(1));
    }
}
