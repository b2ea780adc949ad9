//! Configuration of the emulator: seeds (help centers, admins, locales), the switches that
//! pick one behaviour for every `[UNVERIFIED]` point of `API-NOTES.md`, rate limit and faults.

use std::path::PathBuf;
use std::time::Duration;

/// The 37 locale keys of `translated_content` in API 2.12 (`locales-2.12.json`).
pub const LOCALES: [&str; 37] = [
    "ar", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr", "hu",
    "id", "it", "ja", "ko", "lt", "lv", "mn", "nb", "nl", "pl", "pt", "ro", "ru", "sl", "sr", "sv",
    "tr", "vi", "pt-BR", "zh-CN", "zh-TW",
];

/// Everything the emulator is started with.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The only accepted bearer token; `None` accepts any non-empty token.
    pub token: Option<String>,
    /// Help centers of the workspace; the first is the default one.
    pub help_centers: Vec<HelpCenterSeed>,
    /// Teammates (`GET /admins`); the first is `GET /me`.
    pub admins: Vec<AdminSeed>,
    /// Whether the help centers are multilingual (`default_locale`/`translated_content` emitted).
    pub multilingual: bool,
    /// The help center's default locale.
    pub default_locale: String,
    /// Locales enabled on the help center (default: all 37).
    pub locales: Vec<String>,
    /// Choices for the unverified behaviours.
    pub switches: Switches,
    /// Requests allowed per window; `None` disables rate limiting. Default: Intercom's
    /// per-app limit, [`RateLimit::INTERCOM`].
    pub rate_limit: Option<RateLimit>,
    /// Injected latency, server errors and lost responses.
    pub faults: Faults,
    /// Load the data from this JSON file at start and save it after every write.
    pub state_file: Option<PathBuf>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            token: None,
            help_centers: vec![HelpCenterSeed::default()],
            admins: vec![AdminSeed::default()],
            multilingual: true,
            default_locale: "en".to_owned(),
            locales: LOCALES.iter().map(|l| (*l).to_owned()).collect(),
            switches: Switches::default(),
            rate_limit: Some(RateLimit::INTERCOM),
            faults: Faults::default(),
            state_file: None,
        }
    }
}

/// One help center of the workspace (`GET /help_center/help_centers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpCenterSeed {
    /// Digits, e.g. `"1"`.
    pub id: String,
    /// URL slug, used in article and collection URLs.
    pub identifier: String,
    /// Name shown to teammates.
    pub display_name: String,
}

impl Default for HelpCenterSeed {
    fn default() -> Self {
        Self {
            id: "1".to_owned(),
            identifier: "sandbox".to_owned(),
            display_name: "Sandbox Help Center".to_owned(),
        }
    }
}

/// One teammate (`GET /admins`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSeed {
    /// Digits, e.g. `"991266200"`.
    pub id: String,
    pub name: String,
    pub email: String,
}

impl Default for AdminSeed {
    fn default() -> Self {
        Self {
            id: "991266200".to_owned(),
            name: "Docs Team".to_owned(),
            email: "docs@example.com".to_owned(),
        }
    }
}

/// A fixed-window rate limit (Intercom enforces limits in 10-second windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub window: Duration,
}

impl RateLimit {
    /// Intercom's per-app limit: 10,000 per minute, enforced as 1,667 per 10-second window
    /// (`API-NOTES.md` §5.2), with `X-RateLimit-*` headers on every authenticated response.
    pub const INTERCOM: RateLimit = RateLimit {
        limit: 1667,
        window: Duration::from_secs(10),
    };
}

/// Injected faults; deterministic for a given `seed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Added before every request is handled.
    pub latency: Duration,
    /// Share of requests answered 500/502/503 without being applied.
    pub server_error_rate: f64,
    /// Share of writes applied and then left without a response (connection dropped).
    pub lost_response_rate: f64,
    /// Seed of the fault generator.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            server_error_rate: 0.0,
            lost_response_rate: 0.0,
            seed: 1,
        }
    }
}

/// What a locale outside the enabled ones does in `translated_content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownLocale {
    /// 400 `parameter_invalid`.
    #[default]
    Reject,
    /// Dropped silently.
    Ignore,
}

/// What `translated_content.<locale>: null` (or `{}`) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TranslationNull {
    /// Nothing changes.
    #[default]
    Ignore,
    /// 400 `parameter_invalid`.
    Reject,
    /// The translation is removed.
    Delete,
}

/// What deleting a collection that still has articles or sub-collections does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeleteCollectionWithChildren {
    /// Children move up: articles lose their parent, sub-collections become top level.
    #[default]
    Detach,
    /// 400 `parameter_invalid`.
    Reject,
    /// Sub-collections and their articles are deleted too.
    Cascade,
}

/// How heading levels are normalised on save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Headings {
    /// Levels kept (a 3P capture of API output shows `h3`/`h4`).
    #[default]
    Preserve,
    /// `h3`–`h6` become `h2` (dev guide, 2.4 docs).
    FlattenToH2,
    /// Without an `h1`, all headings move up so the top level is `h1` (newest help article).
    PromoteRelative,
}

/// How `pages.next` looks on the last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LastPageNext {
    /// The key is absent (spec examples).
    #[default]
    Absent,
    /// `"next": null`.
    Null,
}

/// Whether lists inside lists are accepted.
///
/// The default accepts (with `check` warning): a first run on real content must survive, and
/// only the 2.4 docs say Intercom refuses them (see `docs/sandbox.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NestedLists {
    /// 400, as the 2.4 "Unsupported HTML" table says.
    Reject,
    /// Kept.
    #[default]
    Accept,
}

/// Whether a collection may be created four levels deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FourthLevelCollection {
    /// 400 (docs: "up to three levels").
    #[default]
    Reject,
    /// Allowed.
    Accept,
}

/// What an Intercom CDN image URL (`downloads.intercomcdn.com/…`) sent in a body does when it
/// lacks a valid `expires`/`signature`/`req` query (API-NOTES §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CdnImages {
    /// Accepted: the image is kept by its path.
    #[default]
    AcceptUnsigned,
    /// Intercom re-fetches the image, fails, and drops it from the body.
    DropUnsigned,
}

/// What `<details>`/`<summary>` (Intercom's collapsible sections) do on save (§6.2, §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Details {
    /// Kept, as the editor's own collapsible sections come back in API output.
    #[default]
    Keep,
    /// Unwrapped into plain headings and paragraphs.
    Flatten,
}

/// How a callout's colours come back (§6.2, §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CalloutColors {
    /// As sent.
    #[default]
    AsSent,
    /// Rewritten as `rgba(r, g, b, a)`, as one publisher writes them.
    Rgba,
}

/// One choice per `[UNVERIFIED]` behaviour of `API-NOTES.md`; `Default` is the most likely one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    /// The default locale also appears inside `translated_content` (§2.6).
    pub mirror_default_locale_in_translated_content: bool,
    /// Enabled locales without content appear in `translated_content` as empty entries (§2.6).
    pub empty_stubs_for_enabled_locales: bool,
    /// Locales not enabled in `translated_content` (§2, §10.6).
    pub unknown_locale: UnknownLocale,
    /// `translated_content.<locale>: null` (§2.4).
    pub translation_null: TranslationNull,
    /// Deleting a non-empty collection (§3.2).
    pub delete_collection_with_children: DeleteCollectionWithChildren,
    /// Heading-level normalisation (§6.1).
    pub headings: Headings,
    /// `pages.next` on the last page (§1.5).
    pub last_page_next: LastPageNext,
    /// `pages.page`/`pages.per_page` come back as strings when sent in the request (§1.5).
    pub numbers_as_strings: bool,
    /// Lists inside lists (§6.1).
    pub nested_lists: NestedLists,
    /// A fourth collection level (§3.2).
    pub fourth_level_collection: FourthLevelCollection,
    /// A `Retry-After` header on 429 (§5.2).
    pub retry_after_header: bool,
    /// Links also get `rel="nofollow noopener noreferrer"` (§6.1, seen in one capture).
    pub link_rel: bool,
    /// Nested collections report `help_center_id: null` (2.12 list example).
    pub nested_help_center_id_null: bool,
    /// A missing `Accept` header, or one that excludes JSON, gets 406 (2.17 HTTP docs).
    pub accept_406: bool,
    /// Unsigned Intercom CDN image URLs in a body (§11).
    pub cdn_images: CdnImages,
    /// `<details>` collapsible sections in a body (§11).
    pub details: Details,
    /// The notation of callout colours in bodies sent back (§11).
    pub callout_colors: CalloutColors,
    /// §8: `ai_agent_availability`/`ai_copilot_availability` of an external page created
    /// without them: `false` (the 2.12 schema's `default`) or `true` (what its create example
    /// answers to a request that sends neither).
    pub external_page_availability_default: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Self {
            mirror_default_locale_in_translated_content: true,
            empty_stubs_for_enabled_locales: false,
            unknown_locale: UnknownLocale::Reject,
            translation_null: TranslationNull::Ignore,
            delete_collection_with_children: DeleteCollectionWithChildren::Detach,
            headings: Headings::Preserve,
            last_page_next: LastPageNext::Absent,
            numbers_as_strings: false,
            nested_lists: NestedLists::Accept,
            fourth_level_collection: FourthLevelCollection::Reject,
            retry_after_header: false,
            link_rel: false,
            nested_help_center_id_null: true,
            accept_406: true,
            cdn_images: CdnImages::AcceptUnsigned,
            details: Details::Keep,
            callout_colors: CalloutColors::AsSent,
            external_page_availability_default: false,
        }
    }
}

/// A `--switch NAME=VALUE` that does not name a switch or a value of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwitchError {
    #[error("unknown switch `{0}` (known: {known})", known = Switches::NAMES.join(", "))]
    UnknownName(String),
    #[error("switch `{name}` takes one of {values}, not `{value}`", values = .allowed.join(", "))]
    BadValue {
        name: String,
        value: String,
        allowed: Vec<&'static str>,
    },
    #[error("expected NAME=VALUE, got `{0}`")]
    Syntax(String),
}

const BOOL: [&str; 2] = ["true", "false"];

impl Switches {
    /// Names accepted by [`Switches::set`].
    pub const NAMES: [&'static str; 18] = [
        "mirror_default_locale_in_translated_content",
        "empty_stubs_for_enabled_locales",
        "unknown_locale",
        "translation_null",
        "delete_collection_with_children",
        "headings",
        "last_page_next",
        "numbers_as_strings",
        "nested_lists",
        "fourth_level_collection",
        "retry_after_header",
        "link_rel",
        "nested_help_center_id_null",
        "accept_406",
        "cdn_images",
        "details",
        "callout_colors",
        "external_page_availability_default",
    ];

    /// The values one switch accepts.
    pub fn values(name: &str) -> Option<&'static [&'static str]> {
        Some(match name {
            "unknown_locale" => &["reject", "ignore"],
            "translation_null" => &["ignore", "reject", "delete"],
            "delete_collection_with_children" => &["detach", "reject", "cascade"],
            "headings" => &["preserve", "flatten_to_h2", "promote_relative"],
            "last_page_next" => &["absent", "null"],
            "nested_lists" | "fourth_level_collection" => &["reject", "accept"],
            "cdn_images" => &["accept_unsigned", "drop_unsigned"],
            "details" => &["keep", "flatten"],
            "callout_colors" => &["as_sent", "rgba"],
            n if Self::NAMES.contains(&n) => &BOOL,
            _ => return None,
        })
    }

    /// Sets one switch from its name and value (`headings`, `flatten_to_h2`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SwitchError> {
        let allowed =
            Self::values(name).ok_or_else(|| SwitchError::UnknownName(name.to_owned()))?;
        if !allowed.contains(&value) {
            return Err(SwitchError::BadValue {
                name: name.to_owned(),
                value: value.to_owned(),
                allowed: allowed.to_vec(),
            });
        }
        let on = value == "true";
        match (name, value) {
            ("mirror_default_locale_in_translated_content", _) => {
                self.mirror_default_locale_in_translated_content = on;
            }
            ("empty_stubs_for_enabled_locales", _) => self.empty_stubs_for_enabled_locales = on,
            ("numbers_as_strings", _) => self.numbers_as_strings = on,
            ("retry_after_header", _) => self.retry_after_header = on,
            ("link_rel", _) => self.link_rel = on,
            ("nested_help_center_id_null", _) => self.nested_help_center_id_null = on,
            ("accept_406", _) => self.accept_406 = on,
            ("external_page_availability_default", _) => {
                self.external_page_availability_default = on;
            }
            ("unknown_locale", v) => {
                self.unknown_locale = if v == "reject" {
                    UnknownLocale::Reject
                } else {
                    UnknownLocale::Ignore
                };
            }
            ("translation_null", v) => {
                self.translation_null = match v {
                    "reject" => TranslationNull::Reject,
                    "delete" => TranslationNull::Delete,
                    _ => TranslationNull::Ignore,
                };
            }
            ("delete_collection_with_children", v) => {
                self.delete_collection_with_children = match v {
                    "reject" => DeleteCollectionWithChildren::Reject,
                    "cascade" => DeleteCollectionWithChildren::Cascade,
                    _ => DeleteCollectionWithChildren::Detach,
                };
            }
            ("headings", v) => {
                self.headings = match v {
                    "flatten_to_h2" => Headings::FlattenToH2,
                    "promote_relative" => Headings::PromoteRelative,
                    _ => Headings::Preserve,
                };
            }
            ("last_page_next", v) => {
                self.last_page_next = if v == "null" {
                    LastPageNext::Null
                } else {
                    LastPageNext::Absent
                };
            }
            ("nested_lists", v) => {
                self.nested_lists = if v == "accept" {
                    NestedLists::Accept
                } else {
                    NestedLists::Reject
                };
            }
            ("fourth_level_collection", v) => {
                self.fourth_level_collection = if v == "accept" {
                    FourthLevelCollection::Accept
                } else {
                    FourthLevelCollection::Reject
                };
            }
            ("cdn_images", v) => {
                self.cdn_images = if v == "drop_unsigned" {
                    CdnImages::DropUnsigned
                } else {
                    CdnImages::AcceptUnsigned
                };
            }
            ("details", v) => {
                self.details = if v == "flatten" {
                    Details::Flatten
                } else {
                    Details::Keep
                };
            }
            ("callout_colors", v) => {
                self.callout_colors = if v == "rgba" {
                    CalloutColors::Rgba
                } else {
                    CalloutColors::AsSent
                };
            }
            _ => return Err(SwitchError::UnknownName(name.to_owned())),
        }
        Ok(())
    }

    /// Parses `NAME=VALUE` and sets that switch.
    pub fn apply(&mut self, assignment: &str) -> Result<(), SwitchError> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| SwitchError::Syntax(assignment.to_owned()))?;
        self.set(name.trim(), value.trim())
    }

    /// `"default"` plus every setting of every switch (`"headings=flatten_to_h2"`), each
    /// applied to the defaults, so tests can loop over all of them.
    pub fn all_variants() -> Vec<(String, Switches)> {
        let mut out = vec![("default".to_owned(), Switches::default())];
        for name in Self::NAMES {
            for value in Self::values(name).unwrap_or_default() {
                let mut switches = Switches::default();
                if switches.set(name, value).is_ok() {
                    out.push((format!("{name}={value}"), switches));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_sets_its_switch() {
        let variants = Switches::all_variants();
        // 1 default + 8 booleans × 2 + 2+3+3+3+2+2+2 + 2+2+2.
        assert_eq!(variants.len(), 1 + 8 * 2 + 17 + 6);
        let mut s = Switches::default();
        s.apply("headings=flatten_to_h2").unwrap();
        assert_eq!(s.headings, Headings::FlattenToH2);
        s.apply("link_rel=true").unwrap();
        assert!(s.link_rel);
        assert!(matches!(
            s.apply("nope=1"),
            Err(SwitchError::UnknownName(_))
        ));
        assert!(matches!(
            s.apply("headings=h9"),
            Err(SwitchError::BadValue { .. })
        ));
        assert!(matches!(s.apply("headings"), Err(SwitchError::Syntax(_))));
    }
}
