//! `helpcenter.toml`: the project configuration, loaded with strict validation.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::content::front_matter::parse_author_text;
use crate::content::locales;
use crate::content::model::{ArticleState, AuthorRef};
use crate::content::yaml::{backticked, did_you_mean, pos_at};
use crate::diagnostics::Diagnostic;

/// The parsed and validated `helpcenter.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub default_locale: String,
    /// All locales, the default one included.
    pub locales: Vec<String>,
    pub default_target: Option<String>,
    /// Globs relative to the root.
    pub exclude: Vec<String>,
    pub defaults: Defaults,
    pub assets: Assets,
    pub targets: BTreeMap<String, Target>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Defaults {
    pub state: Option<ArticleState>,
    pub author: Option<AuthorRef>,
    /// Line and column of the `author` value in `helpcenter.toml`.
    pub author_at: Option<(usize, usize)>,
    /// Default of front matter `fin_agent` (true when unset).
    pub fin_agent: Option<bool>,
    /// Default of front matter `fin_copilot` (true when unset).
    pub fin_copilot: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assets {
    /// Public URL of the content root, ending in `/`.
    pub base_url: Option<String>,
}

/// Where a target lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// The embedded emulator; data in `.helpcenter/<target>.sandbox.db` (SQLite).
    Sandbox,
    /// A real Intercom workspace.
    Intercom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    Us,
    Eu,
    Au,
}

impl Region {
    /// The API base URL of the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Us => "https://api.intercom.io",
            Self::Eu => "https://api.eu.intercom.io",
            Self::Au => "https://api.au.intercom.io",
        }
    }
}

/// What to do when a remote object was edited since the last apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OnDrift {
    #[default]
    Fail,
    Skip,
    Overwrite,
}

/// Whether a target takes lists inside lists (`nested_lists`; unverified on Intercom, see
/// `docs/config.md`). `check` and `plan` report nested lists as errors for a target that
/// rejects them and as warnings for one that accepts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NestedLists {
    /// Accepted (the default for both kinds of target).
    #[default]
    Accept,
    /// Refused with a 400.
    Reject,
}

/// One `[targets.NAME]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub kind: TargetKind,
    pub region: Region,
    /// Help center identifier or id.
    pub help_center: Option<String>,
    /// Name of the env var holding the token (default `INTERCOM_TOKEN` for intercom targets).
    pub token_env: Option<String>,
    pub prune: bool,
    pub on_drift: OnDrift,
    /// API base URL override (http only for loopback).
    pub base_url: Option<String>,
    /// Lists inside lists: what the target does with them (for a sandbox target, what its
    /// embedded emulator is set to do).
    pub nested_lists: NestedLists,
    /// The notation of callout colours in the bodies sent to this target.
    pub callout_colors: CalloutColors,
    /// Deleting or unpublishing an article with at least this many views needs
    /// `--force-prune` (0: off).
    pub protect_views: u64,
    /// Teammates of a sandbox target's embedded emulator (`admins`, emails): the authors it
    /// accepts, as a real workspace accepts only its admins. Empty: `[defaults] author`.
    pub admins: Vec<String>,
    /// What the target publishes: help-center articles, or Fin external pages.
    pub publish: Publish,
    /// Which articles the target publishes (`include`/`exclude` of the target).
    pub scope: TargetScope,
}

/// What a target publishes (`publish`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Publish {
    /// Collections and articles of a help center (the default, `"articles"`).
    #[default]
    Articles,
    /// Fin AI Content external pages (`"external_pages"`).
    ExternalPages(FinPages),
}

/// The settings of a `publish = "external_pages"` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinPages {
    /// The URL of the target's Content Import Source (found by it, or created).
    pub source_url: String,
    /// Each page's URL, `{key}` replaced by the article key.
    pub page_url: String,
    /// Where `publish = "external_pages"` is written (for diagnostics about the target).
    pub line: usize,
    pub column: usize,
}

/// The placeholder of `page_url`.
pub const PAGE_URL_KEY: &str = "{key}";

impl FinPages {
    /// The URL of the page of article `key`.
    pub fn url_of(&self, key: &str) -> String {
        self.page_url.replace(PAGE_URL_KEY, key)
    }
}

impl Target {
    /// The Fin settings when the target publishes external pages.
    pub fn fin_pages(&self) -> Option<&FinPages> {
        match &self.publish {
            Publish::ExternalPages(fin) => Some(fin),
            Publish::Articles => None,
        }
    }
}

/// A target's `include` and `exclude` globs, matched against each article's default-locale
/// path from the root (`internal/runbook.md`); translations follow their article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetScope {
    /// Empty: every article.
    pub include: Vec<ScopeGlob>,
    pub exclude: Vec<ScopeGlob>,
}

/// One glob of a target's scope, with where it is written in `helpcenter.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeGlob {
    pub glob: String,
    pub line: usize,
    pub column: usize,
}

impl TargetScope {
    /// Whether the scope selects everything (no `include`, no `exclude`).
    pub fn is_everything(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// The compiled matcher.
    pub fn matcher(&self) -> ScopeMatcher {
        let set = |globs: &[ScopeGlob]| {
            let mut builder = globset::GlobSetBuilder::new();
            for g in globs {
                // Validated when the config was parsed.
                if let Ok(glob) = globset::Glob::new(&g.glob) {
                    builder.add(glob);
                }
            }
            builder
                .build()
                .unwrap_or_else(|_| globset::GlobSet::empty())
        };
        ScopeMatcher {
            all: self.include.is_empty(),
            include: set(&self.include),
            exclude: set(&self.exclude),
        }
    }
}

/// A compiled [`TargetScope`].
#[derive(Debug, Clone)]
pub struct ScopeMatcher {
    all: bool,
    include: globset::GlobSet,
    exclude: globset::GlobSet,
}

impl ScopeMatcher {
    /// Whether the article whose default-locale file is `path` (`/`-separated) is in scope.
    pub fn selects(&self, path: &str) -> bool {
        (self.all || self.include.is_match(path)) && !self.exclude.is_match(path)
    }
}

/// `protect_views` when the target does not set it.
pub const DEFAULT_PROTECT_VIEWS: u64 = 100;

/// How callout colours are written in the bodies sent (`callout_colors`): the hex notation
/// of the API notes, or `rgba()`, which one publisher sends "for compatibility with Intercom's
/// API" (unverified, API-NOTES §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CalloutColors {
    #[default]
    Hex,
    Rgba,
}

/// The configuration file name, at the content root.
pub const FILE_NAME: &str = "helpcenter.toml";

/// Env var read for the token of an intercom target without `token_env`.
pub const DEFAULT_TOKEN_ENV: &str = "INTERCOM_TOKEN";

/// Loads `<root>/helpcenter.toml`; `Err` holds the errors when there is any.
pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
    let (config, diagnostics) = load_with_warnings(root);
    match config {
        Some(config) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(config),
        _ => Err(diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()),
    }
}

/// Loads `<root>/helpcenter.toml` with every error and warning. The config is `None` only when
/// the file is missing, unreadable or not TOML; otherwise it is a best-effort value (bad
/// entries replaced by defaults) next to the errors.
pub fn load_with_warnings(root: &Path) -> (Option<Config>, Vec<Diagnostic>) {
    let path = root.join(FILE_NAME);
    match super::read::bounded(&path, super::read::CONFIG_LIMIT) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse(&text),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(&err.as_bytes()[..valid]).into_owned();
                let pos = pos_at(&text, valid);
                (
                    None,
                    vec![
                        Diagnostic::error(
                            "invalid-utf8",
                            FILE_NAME,
                            pos.line,
                            pos.column,
                            "file is not valid UTF-8",
                        )
                        .with_hint("save the file as UTF-8"),
                    ],
                )
            }
        },
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => (
            None,
            vec![
                Diagnostic::error(
                    "config-missing",
                    FILE_NAME,
                    0,
                    0,
                    format!("no `{FILE_NAME}` in `{}`", root.display()),
                )
                .with_hint(
                    "run `helpcenter init` to write one, or pass the content root with `--dir`",
                ),
            ],
        ),
        Err(err) => (
            None,
            vec![Diagnostic::error(
                "io",
                FILE_NAME,
                0,
                0,
                format!("cannot read `{FILE_NAME}`: {err}"),
            )],
        ),
    }
}

/// Parses and validates the text of a `helpcenter.toml` (see [`load_with_warnings`]).
pub fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(err) => {
            let pos = pos_at(text, err.span().map_or(0, |s| s.start));
            let message = crate::secrets::redact(err.message().trim_end()).into_owned();
            return (
                None,
                vec![Diagnostic::error(
                    "config-syntax",
                    FILE_NAME,
                    pos.line,
                    pos.column,
                    format!("invalid TOML: {message}"),
                )],
            );
        }
    };
    let mut parser = Parser {
        text,
        diagnostics: Vec::new(),
    };
    let config = parser.document(doc.get_ref());
    let mut diagnostics = parser.diagnostics;
    for diag in &mut diagnostics {
        // Values are quoted in some messages (`default_target`, `base_url`): never a token.
        redact_in_place(&mut diag.message);
        if let Some(hint) = &mut diag.hint {
            redact_in_place(hint);
        }
    }
    (Some(config), diagnostics)
}

type Value<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<Cow<'i, str>>;

const TOP_KEYS: [&str; 7] = [
    "default_locale",
    "locales",
    "default_target",
    "exclude",
    "defaults",
    "assets",
    "targets",
];
const DEFAULTS_KEYS: [&str; 4] = ["state", "author", "fin_agent", "fin_copilot"];
const ASSETS_KEYS: [&str; 1] = ["base_url"];
const TARGET_KEYS: [&str; 17] = [
    "publish",
    "source_url",
    "page_url",
    "include",
    "exclude",
    "kind",
    "region",
    "help_center",
    "token_env",
    "token",
    "prune",
    "on_drift",
    "base_url",
    "nested_lists",
    "callout_colors",
    "protect_views",
    "admins",
];

/// Walks the TOML tables by hand so every problem gets the span of its key or value.
struct Parser<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: String,
        hint: Option<String>,
    ) {
        let pos = pos_at(self.text, span.start);
        let mut diag = Diagnostic::error(code, FILE_NAME, pos.line, pos.column, message);
        diag.hint = hint;
        self.diagnostics.push(diag);
    }

    fn warning(&mut self, code: &'static str, span: Range<usize>, message: String, hint: String) {
        let pos = pos_at(self.text, span.start);
        self.diagnostics.push(
            Diagnostic::warning(code, FILE_NAME, pos.line, pos.column, message).with_hint(hint),
        );
    }

    fn unknown_key(&mut self, key: &Key<'_>, table: &str, known: &[&str]) {
        let hint = match did_you_mean(key.get_ref(), known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("known keys: {}", backticked(known)),
        };
        self.error(
            "config-unknown-key",
            key.span(),
            format!("unknown key `{}` in {table}", key.get_ref()),
            Some(hint),
        );
    }

    /// An unknown key; when its name or value suggests a secret, the error says so and its
    /// line is never shown (see `docs/config.md`, "Secrets").
    fn unknown_entry(&mut self, key: &Key<'_>, value: &Value<'_>, table: &str, known: &[&str]) {
        let value_text = self.text.get(value.span()).unwrap_or_default();
        if crate::secrets::secret_key_name(key.get_ref())
            || crate::secrets::contains_token(value_text)
        {
            self.error(
                "config-token-in-file",
                key.span(),
                format!(
                    "unknown key `{}` in {table} looks like it holds a secret: tokens are never read from files",
                    key.get_ref()
                ),
                Some(format!(
                    "remove it, set `token_env = \"{DEFAULT_TOKEN_ENV}\"` on the target and export the token in that variable; if this file was committed, revoke the token"
                )),
            );
        } else {
            self.unknown_key(key, table, known);
        }
    }

    fn wrong_type(&mut self, name: &str, value: &Value<'_>, expected: &str) {
        self.error(
            "config-type",
            value.span(),
            format!(
                "`{name}` must be {expected}, found {}",
                value.get_ref().type_str()
            ),
            None,
        );
    }

    fn string<'v>(&mut self, name: &str, value: &'v Value<'_>) -> Option<&'v str> {
        let s = value.get_ref().as_str();
        if s.is_none() {
            self.wrong_type(name, value, "a string");
        }
        s
    }

    fn table<'v, 'i>(&mut self, name: &str, value: &'v Value<'i>) -> Option<&'v DeTable<'i>> {
        let t = value.get_ref().as_table();
        if t.is_none() {
            self.wrong_type(name, value, "a table");
        }
        t
    }

    fn strings(&mut self, name: &str, value: &Value<'_>) -> Vec<(String, Range<usize>)> {
        let Some(items) = value.get_ref().as_array() else {
            self.wrong_type(name, value, "an array of strings");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                self.string(&format!("{name}[]"), item)
                    .map(|s| (s.to_owned(), item.span()))
            })
            .collect()
    }

    /// A locale code that must be one of Intercom's.
    fn locale(&mut self, code: &str, span: Range<usize>) -> bool {
        if locales::is_intercom_locale(code) {
            return true;
        }
        let hint = match locales::suggest_locale(code) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use one of Intercom's locale codes, e.g. \"en\", \"fr\", \"pt-BR\"".to_owned(),
        };
        self.error(
            "unknown-locale",
            span,
            format!("unknown locale `{code}`"),
            Some(hint),
        );
        false
    }

    fn document(&mut self, doc: &DeTable<'_>) -> Config {
        let mut config = Config {
            default_locale: String::new(),
            locales: Vec::new(),
            default_target: None,
            exclude: Vec::new(),
            defaults: Defaults::default(),
            assets: Assets::default(),
            targets: BTreeMap::new(),
        };
        let mut default_locale_span = None;
        let mut locales_given = false;
        let mut default_target = None;
        for (key, value) in doc {
            match key.get_ref().as_ref() {
                "default_locale" => {
                    if let Some(code) = self.string("default_locale", value) {
                        if self.locale(code, value.span()) {
                            code.clone_into(&mut config.default_locale);
                        }
                        default_locale_span = Some(value.span());
                    }
                }
                "locales" => {
                    locales_given = true;
                    for (code, span) in self.strings("locales", value) {
                        if config.locales.contains(&code) {
                            self.error(
                                "config-duplicate-locale",
                                span,
                                format!("locale `{code}` is listed twice"),
                                Some("remove the duplicate".to_owned()),
                            );
                        } else if self.locale(&code, span) {
                            config.locales.push(code);
                        }
                    }
                }
                "default_target" => {
                    if let Some(name) = self.string("default_target", value) {
                        default_target = Some((name.to_owned(), value.span()));
                    }
                }
                "exclude" => {
                    for (glob, span) in self.strings("exclude", value) {
                        match globset::Glob::new(&glob) {
                            Ok(_) => config.exclude.push(glob),
                            Err(err) => self.error(
                                "config-bad-glob",
                                span,
                                format!("invalid glob `{glob}`: {}", err.kind()),
                                None,
                            ),
                        }
                    }
                }
                "defaults" => {
                    if let Some(table) = self.table("defaults", value) {
                        config.defaults = self.defaults(table);
                    }
                }
                "assets" => {
                    if let Some(table) = self.table("assets", value) {
                        config.assets = self.assets(table);
                    }
                }
                "targets" => {
                    if let Some(table) = self.table("targets", value) {
                        for (name, value) in table {
                            if let Some(target) = self.target(name, value) {
                                config.targets.insert(target.name.clone(), target);
                            }
                        }
                    }
                }
                _ => self.unknown_entry(key, value, "`helpcenter.toml`", &TOP_KEYS),
            }
        }

        match default_locale_span.clone() {
            None if config.default_locale.is_empty() => {
                self.error(
                    "config-missing-key",
                    0..0,
                    "missing `default_locale`".to_owned(),
                    Some(
                        "add `default_locale = \"en\"` (the help center's default language)"
                            .to_owned(),
                    ),
                );
            }
            Some(span)
                if locales_given
                    && !config.default_locale.is_empty()
                    && !config.locales.contains(&config.default_locale) =>
            {
                self.error(
                    "config-default-locale",
                    span,
                    format!(
                        "`default_locale` `{}` is not in `locales`",
                        config.default_locale
                    ),
                    Some(format!("add \"{}\" to `locales`", config.default_locale)),
                );
            }
            _ => {}
        }
        if config.default_locale.is_empty() {
            "en".clone_into(&mut config.default_locale);
        }
        if let Some(index) = config
            .locales
            .iter()
            .position(|l| *l == config.default_locale)
        {
            config.locales.remove(index);
        }
        config.locales.insert(0, config.default_locale.clone());

        if let Some(span) = default_locale_span.filter(|_| config.default_locale != "en") {
            for target in config.targets.values().filter(|t| t.fin_pages().is_some()) {
                self.error(
                    "config-fin-locale",
                    span.clone(),
                    format!(
                        "target `{}` publishes Fin external pages, which are English only, but `default_locale` is `{}`",
                        target.name, config.default_locale
                    ),
                    Some(format!(
                        "write the content in English with `default_locale = \"en\"`, or remove `publish = \"external_pages\"` from `[targets.{}]`",
                        target.name
                    )),
                );
            }
        }
        if let Some((name, span)) = default_target {
            if config.targets.contains_key(&name) {
                config.default_target = Some(name);
            } else {
                let names: Vec<&str> = config.targets.keys().map(String::as_str).collect();
                let hint = match did_you_mean(&name, names.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None if names.is_empty() => {
                        format!(
                            "add a `[targets.{name}]` table with `kind = \"sandbox\"` or `kind = \"intercom\"`"
                        )
                    }
                    None => format!("targets: {}", backticked(&names)),
                };
                self.error(
                    "config-unknown-target",
                    span,
                    format!("`default_target` names an unknown target `{name}`"),
                    Some(hint),
                );
            }
        }
        config
    }

    fn defaults(&mut self, table: &DeTable<'_>) -> Defaults {
        let mut defaults = Defaults::default();
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "state" => match value.get_ref().as_str() {
                    Some("published") => defaults.state = Some(ArticleState::Published),
                    Some("draft") => defaults.state = Some(ArticleState::Draft),
                    Some(other) => self.error(
                        "config-bad-value",
                        value.span(),
                        format!("unknown state `{other}`"),
                        Some("use \"published\" or \"draft\"".to_owned()),
                    ),
                    None => self.wrong_type("defaults.state", value, "a string"),
                },
                "author" => {
                    let author = match value.get_ref() {
                        DeValue::Integer(i) => {
                            i.as_str().replace('_', "").parse().ok().map(AuthorRef::Id)
                        }
                        DeValue::String(s) => parse_author_text(s),
                        _ => None,
                    };
                    if author.is_none() {
                        self.error(
                            "config-bad-value",
                            value.span(),
                            "`defaults.author` must be an admin email or a numeric admin id"
                                .to_owned(),
                            Some(
                                "write `author = \"docs@example.com\"` or `author = 123456`"
                                    .to_owned(),
                            ),
                        );
                    }
                    let pos = pos_at(self.text, value.span().start);
                    defaults.author_at = author.as_ref().map(|_| (pos.line, pos.column));
                    defaults.author = author;
                }
                "fin_agent" | "fin_copilot" => match value.get_ref().as_bool() {
                    Some(b) if key.get_ref() == "fin_agent" => defaults.fin_agent = Some(b),
                    Some(b) => defaults.fin_copilot = Some(b),
                    None => self.wrong_type(
                        &format!("defaults.{}", key.get_ref()),
                        value,
                        "true or false",
                    ),
                },
                _ => self.unknown_entry(key, value, "`[defaults]`", &DEFAULTS_KEYS),
            }
        }
        defaults
    }

    fn assets(&mut self, table: &DeTable<'_>) -> Assets {
        let mut assets = Assets::default();
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "base_url" => {
                    let Some(url) = self.string("assets.base_url", value) else {
                        continue;
                    };
                    match url::Url::parse(url) {
                        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {
                            let mut url = url.to_owned();
                            if !url.ends_with('/') {
                                url.push('/');
                            }
                            assets.base_url = Some(url);
                        }
                        _ => self.error(
                            "config-bad-url",
                            value.span(),
                            format!("`assets.base_url` must be an absolute https URL, found `{url}`"),
                            Some("the public URL of the content root, e.g. \"https://raw.githubusercontent.com/acme/help/main/\"".to_owned()),
                        ),
                    }
                }
                _ => self.unknown_entry(key, value, "`[assets]`", &ASSETS_KEYS),
            }
        }
        assets
    }

    fn target(&mut self, name: &Key<'_>, value: &Value<'_>) -> Option<Target> {
        let label = format!("targets.{}", name.get_ref());
        let table = self.table(&label, value)?;
        if name.get_ref().is_empty()
            || !name
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.error(
                "config-bad-target-name",
                name.span(),
                format!("invalid target name `{}`", name.get_ref()),
                Some(
                    "target names are used in file names: use letters, digits, `-` and `_`"
                        .to_owned(),
                ),
            );
        }
        let mut target = Target {
            name: name.get_ref().to_string(),
            kind: TargetKind::Sandbox,
            region: Region::Us,
            help_center: None,
            token_env: None,
            prune: false,
            on_drift: OnDrift::Fail,
            base_url: None,
            nested_lists: NestedLists::default(),
            callout_colors: CalloutColors::Hex,
            protect_views: DEFAULT_PROTECT_VIEWS,
            admins: Vec::new(),
            publish: Publish::Articles,
            scope: TargetScope::default(),
        };
        let mut kind_seen = false;
        let mut admins_span = None;
        let mut publish_pages: Option<Range<usize>> = None;
        let mut source_url: Option<(String, Range<usize>)> = None;
        let mut page_url: Option<(String, Range<usize>)> = None;
        let mut sandbox_only_warnings = Vec::new();
        for (key, value) in table {
            let field = key.get_ref().as_ref();
            match field {
                "kind" => {
                    kind_seen = true;
                    match value.get_ref().as_str() {
                        Some("sandbox") => target.kind = TargetKind::Sandbox,
                        Some("intercom") => target.kind = TargetKind::Intercom,
                        Some(other) => self.error(
                            "config-bad-kind",
                            value.span(),
                            format!("unknown target kind `{other}`"),
                            Some("use \"sandbox\" (the embedded emulator) or \"intercom\" (a real workspace)".to_owned()),
                        ),
                        None => self.wrong_type(&format!("{label}.kind"), value, "a string"),
                    }
                }
                "region" => {
                    sandbox_only_warnings.push((field, key.span()));
                    match value.get_ref().as_str() {
                        Some("us") => target.region = Region::Us,
                        Some("eu") => target.region = Region::Eu,
                        Some("au") => target.region = Region::Au,
                        Some(other) => self.error(
                            "config-bad-value",
                            value.span(),
                            format!("unknown region `{other}`"),
                            Some("use \"us\", \"eu\" or \"au\"".to_owned()),
                        ),
                        None => self.wrong_type(&format!("{label}.region"), value, "a string"),
                    }
                }
                "help_center" => match value.get_ref() {
                    DeValue::String(s) if !s.is_empty() => target.help_center = Some(s.to_string()),
                    DeValue::Integer(i) => {
                        target.help_center = Some(i.as_str().replace('_', ""));
                    }
                    _ => self.wrong_type(&format!("{label}.help_center"), value, "a help center identifier or id"),
                },
                "token_env" => {
                    sandbox_only_warnings.push((field, key.span()));
                    if let Some(var) = self.string(&format!("{label}.token_env"), value) {
                        if crate::secrets::looks_like_token(var) {
                            // Never echo the value: it is most likely the token itself.
                            self.error(
                                "config-bad-token-env",
                                value.span(),
                                "`token_env` holds what looks like an access token, not the name of an environment variable".to_owned(),
                                Some(format!("export the token in a variable (e.g. `export {DEFAULT_TOKEN_ENV}=…`), write `token_env = \"{DEFAULT_TOKEN_ENV}\"`; if this file was committed, revoke the token")),
                            );
                        } else if is_env_var_name(var) {
                            target.token_env = Some(var.to_owned());
                        } else {
                            // Never echo the value: it may be the token itself.
                            self.error(
                                "config-bad-token-env",
                                value.span(),
                                "`token_env` must be the name of an environment variable".to_owned(),
                                Some(format!("write `token_env = \"{DEFAULT_TOKEN_ENV}\"` and export the token in that variable")),
                            );
                        }
                    }
                }
                "token" => self.error(
                    "config-token-in-file",
                    key.span(),
                    format!("`{label}` has a `token`: tokens are never read from files"),
                    Some(format!("remove it, set `token_env = \"{DEFAULT_TOKEN_ENV}\"` and export the token in that variable; if this file was committed, revoke the token")),
                ),
                "admins" => {
                    admins_span = Some(key.span());
                    for (email, span) in self.strings(&format!("{label}.admins"), value) {
                        match parse_author_text(&email) {
                            Some(AuthorRef::Email(email)) => target.admins.push(email),
                            _ => self.error(
                                "config-bad-value",
                                span,
                                format!("`{label}.admins` holds `{email}`, which is not an email"),
                                Some("list the teammates' emails: `admins = [\"docs@example.com\"]`".to_owned()),
                            ),
                        }
                    }
                }
                "prune" => match value.get_ref().as_bool() {
                    Some(b) => target.prune = b,
                    None => self.wrong_type(&format!("{label}.prune"), value, "true or false"),
                },
                "protect_views" => match value.get_ref().as_integer() {
                    Some(i) => {
                        match u64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                            Ok(n) => target.protect_views = n,
                            Err(_) => self.error(
                                "config-bad-value",
                                value.span(),
                                format!("`{label}.protect_views` must be 0 or more"),
                                Some(format!(
                                    "a number of views (default {DEFAULT_PROTECT_VIEWS}); 0 turns the guard off"
                                )),
                            ),
                        }
                    }
                    None => self.wrong_type(
                        &format!("{label}.protect_views"),
                        value,
                        "a number of views (0 turns the guard off)",
                    ),
                },
                "callout_colors" => match value.get_ref().as_str() {
                    Some("hex") => target.callout_colors = CalloutColors::Hex,
                    Some("rgba") => target.callout_colors = CalloutColors::Rgba,
                    Some(other) => self.error(
                        "config-bad-value",
                        value.span(),
                        format!("unknown `callout_colors` value `{other}`"),
                        Some("use \"hex\" (the default) or \"rgba\"".to_owned()),
                    ),
                    None => {
                        self.wrong_type(&format!("{label}.callout_colors"), value, "a string");
                    }
                },
                "on_drift" => match value.get_ref().as_str() {
                    Some("fail") => target.on_drift = OnDrift::Fail,
                    Some("skip") => target.on_drift = OnDrift::Skip,
                    Some("overwrite") => target.on_drift = OnDrift::Overwrite,
                    Some(other) => self.error(
                        "config-bad-value",
                        value.span(),
                        format!("unknown `on_drift` value `{other}`"),
                        Some("use \"fail\", \"skip\" or \"overwrite\"".to_owned()),
                    ),
                    None => self.wrong_type(&format!("{label}.on_drift"), value, "a string"),
                },
                "nested_lists" => match value.get_ref().as_str() {
                    Some("accept") => target.nested_lists = NestedLists::Accept,
                    Some("reject") => target.nested_lists = NestedLists::Reject,
                    Some(other) => self.error(
                        "config-bad-value",
                        value.span(),
                        format!("unknown `nested_lists` value `{other}`"),
                        Some("use \"accept\" or \"reject\"".to_owned()),
                    ),
                    None => self.wrong_type(&format!("{label}.nested_lists"), value, "a string"),
                },
                "base_url" => {
                    sandbox_only_warnings.push((field, key.span()));
                    if let Some(url) = self.string(&format!("{label}.base_url"), value) {
                        match check_api_url(url) {
                            Ok(()) => target.base_url = Some(url.trim_end_matches('/').to_owned()),
                            Err((message, hint)) => {
                                self.error("config-bad-url", value.span(), message, Some(hint.to_owned()));
                            }
                        }
                    }
                }
                "publish" => match value.get_ref().as_str() {
                    Some("articles") => {}
                    Some("external_pages") => publish_pages = Some(value.span()),
                    Some(other) => self.error(
                        "config-bad-value",
                        value.span(),
                        format!("unknown `publish` value `{other}`"),
                        Some("use \"articles\" (the help center, the default) or \"external_pages\" (Fin AI Content)".to_owned()),
                    ),
                    None => self.wrong_type(&format!("{label}.publish"), value, "a string"),
                },
                "source_url" | "page_url" => {
                    let Some(url) = self.string(&format!("{label}.{field}"), value) else {
                        continue;
                    };
                    // Kept even when invalid (the error below blocks its use), so it is
                    // not also reported as missing.
                    let slot = Some((url.to_owned(), key.span()));
                    if let Err((message, hint)) = check_page_url(field, url) {
                        self.error("config-bad-url", value.span(), message, Some(hint));
                    }
                    if field == "source_url" {
                        source_url = slot;
                    } else {
                        page_url = slot;
                    }
                }
                "include" | "exclude" => {
                    for (glob, span) in self.strings(&format!("{label}.{field}"), value) {
                        match globset::Glob::new(&glob) {
                            Ok(_) => {
                                let pos = pos_at(self.text, span.start);
                                let entry = ScopeGlob {
                                    glob,
                                    line: pos.line,
                                    column: pos.column,
                                };
                                if field == "include" {
                                    target.scope.include.push(entry);
                                } else {
                                    target.scope.exclude.push(entry);
                                }
                            }
                            Err(err) => self.error(
                                "config-bad-glob",
                                span,
                                format!("invalid glob `{glob}`: {}", err.kind()),
                                None,
                            ),
                        }
                    }
                }
                _ => self.unknown_entry(key, value, &format!("`[{label}]`"), &TARGET_KEYS),
            }
        }
        match (publish_pages, source_url, page_url) {
            (Some(span), Some((source_url, _)), Some((page_url, _))) => {
                let pos = pos_at(self.text, span.start);
                target.publish = Publish::ExternalPages(FinPages {
                    source_url,
                    page_url,
                    line: pos.line,
                    column: pos.column,
                });
            }
            (Some(span), source_url, page_url) => {
                // Still a Fin target (for the checks that depend on it); the errors below
                // keep it from being used.
                let pos = pos_at(self.text, span.start);
                target.publish = Publish::ExternalPages(FinPages {
                    source_url: source_url.clone().map(|s| s.0).unwrap_or_default(),
                    page_url: page_url.clone().map(|s| s.0).unwrap_or_default(),
                    line: pos.line,
                    column: pos.column,
                });
                let missing = [
                    source_url
                        .is_none()
                        .then_some(("source_url", "source_url = \"https://docs.example.com/\"")),
                    page_url
                        .is_none()
                        .then_some(("page_url", "page_url = \"https://docs.example.com/{key}\"")),
                ];
                for (name, example) in missing.into_iter().flatten() {
                    self.error(
                        "config-missing-key",
                        span.clone(),
                        format!("`[{label}]` publishes external pages but has no `{name}`"),
                        Some(format!("add `{example}` to `[{label}]`")),
                    );
                }
            }
            (None, source_url, page_url) => {
                for (name, span) in [
                    source_url.map(|(_, s)| ("source_url", s)),
                    page_url.map(|(_, s)| ("page_url", s)),
                ]
                .into_iter()
                .flatten()
                {
                    self.warning(
                        "config-ignored-key",
                        span,
                        format!("`{name}` has no effect on a target that publishes articles"),
                        format!("remove it, or set `publish = \"external_pages\"` on `[{label}]`"),
                    );
                }
            }
        }
        if !kind_seen {
            self.error(
                "config-missing-key",
                name.span(),
                format!("`[{label}]` has no `kind`"),
                Some("add `kind = \"sandbox\"` or `kind = \"intercom\"`".to_owned()),
            );
        }
        match target.kind {
            TargetKind::Intercom => {
                if target.token_env.is_none() {
                    target.token_env = Some(DEFAULT_TOKEN_ENV.to_owned());
                }
                if let Some(span) = admins_span {
                    self.warning(
                        "config-ignored-key",
                        span,
                        "`admins` has no effect on an intercom target: its teammates are read from the workspace".to_owned(),
                        format!("remove it, or set `kind = \"sandbox\"` on `[{label}]`"),
                    );
                }
            }
            TargetKind::Sandbox => {
                for (field, span) in sandbox_only_warnings {
                    self.warning(
                        "config-ignored-key",
                        span,
                        format!("`{field}` has no effect on a sandbox target"),
                        format!("remove it, or set `kind = \"intercom\"` on `[{label}]`"),
                    );
                }
            }
        }
        Some(target)
    }
}

/// Replaces token-looking words of `text` with `[redacted]`.
fn redact_in_place(text: &mut String) {
    if let std::borrow::Cow::Owned(clean) = crate::secrets::redact(text) {
        *text = clean;
    }
}

/// Whether `name` looks like an environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
fn is_env_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `source_url` or `page_url` of an external pages target: an absolute http(s) URL; a
/// `page_url` holds `{key}` (each page needs its own URL).
fn check_page_url(field: &str, url: &str) -> Result<(), (String, String)> {
    let example = if field == "page_url" {
        "\"https://docs.example.com/{key}\""
    } else {
        "\"https://docs.example.com/\""
    };
    if field == "page_url" && !url.contains(PAGE_URL_KEY) {
        return Err((
            format!(
                "`page_url` `{url}` has no `{PAGE_URL_KEY}`: every page would get the same URL"
            ),
            format!("put `{PAGE_URL_KEY}` where the article key goes, e.g. {example}"),
        ));
    }
    match url::Url::parse(&url.replace(PAGE_URL_KEY, "key")) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => Ok(()),
        _ => Err((
            format!("`{field}` must be an absolute http or https URL, found `{url}`"),
            format!("write e.g. `{field} = {example}`"),
        )),
    }
}

/// An API base URL: https anywhere, plain http only on loopback.
fn check_api_url(url: &str) -> Result<(), (String, &'static str)> {
    let parsed = url::Url::parse(url).map_err(|err| {
        (
            format!("invalid `base_url` `{url}`: {err}"),
            "write an absolute URL, e.g. \"http://127.0.0.1:4010\"",
        )
    })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err((
                    format!("`base_url` `{url}` uses plain http to a host that is not loopback"),
                    "use https, or http only with 127.0.0.1, ::1 or localhost",
                ))
            }
        }
        other => Err((
            format!("`base_url` has an unsupported scheme `{other}`"),
            "use https, or http only with 127.0.0.1, ::1 or localhost",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<(usize, usize, &'static str, String)> {
        let (_, mut diags) = parse(text);
        diags.sort_by_key(|d| (d.line, d.column));
        diags
            .into_iter()
            .map(|d| (d.line, d.column, d.code, d.message))
            .collect()
    }

    #[test]
    fn parses_the_documented_example() {
        let text = r#"
default_locale = "en"
locales = ["en", "fr"]
default_target = "local"
exclude = ["drafts/**"]

[defaults]
state = "published"
author = "docs@example.com"

[assets]
base_url = "https://raw.githubusercontent.com/acme/help/main"

[targets.local]
kind = "sandbox"

[targets.production]
kind = "intercom"
region = "eu"
help_center = "acme"
prune = true
on_drift = "skip"
base_url = "http://127.0.0.1:4010"
"#;
        let (config, diags) = parse(text);
        assert_eq!(diags, Vec::new());
        let config = config.unwrap();
        assert_eq!(config.locales, ["en", "fr"]);
        assert_eq!(config.default_target.as_deref(), Some("local"));
        assert_eq!(
            config.assets.base_url.as_deref(),
            Some("https://raw.githubusercontent.com/acme/help/main/")
        );
        let prod = &config.targets["production"];
        assert_eq!(prod.kind, TargetKind::Intercom);
        assert_eq!(prod.region, Region::Eu);
        assert_eq!(prod.token_env.as_deref(), Some("INTERCOM_TOKEN"));
        assert_eq!(prod.on_drift, OnDrift::Skip);
        assert!(prod.prune);
        assert_eq!(config.targets["local"].token_env, None);
        assert_eq!(
            config.defaults.author,
            Some(AuthorRef::Email("docs@example.com".to_owned()))
        );
    }

    #[test]
    fn locales_default_to_the_default_locale_first() {
        let (config, diags) = parse("default_locale = \"fr\"\nlocales = [\"de\", \"fr\"]\n");
        assert!(diags.is_empty());
        assert_eq!(config.unwrap().locales, ["fr", "de"]);
        let (config, _) = parse("default_locale = \"fr\"\n");
        assert_eq!(config.unwrap().locales, ["fr"]);
    }

    #[test]
    fn reports_each_problem_at_its_span() {
        let text = "default_locale = \"en\"\nlocales = [\"en\", \"xx\"]\ndefault_target = \"prod\"\ncolour = 1\n\n[targets.local]\nkind = \"cloud\"\ntoken = \"s3cret\"\nbase_url = \"http://example.com\"\n";
        let got = errors(text);
        assert_eq!(
            got,
            vec![
                (2, 18, "unknown-locale", "unknown locale `xx`".to_owned()),
                (
                    3,
                    18,
                    "config-unknown-target",
                    "`default_target` names an unknown target `prod`".to_owned()
                ),
                (4, 1, "config-unknown-key", "unknown key `colour` in `helpcenter.toml`".to_owned()),
                (7, 8, "config-bad-kind", "unknown target kind `cloud`".to_owned()),
                (
                    8,
                    1,
                    "config-token-in-file",
                    "`targets.local` has a `token`: tokens are never read from files".to_owned()
                ),
                (9, 1, "config-ignored-key", "`base_url` has no effect on a sandbox target".to_owned()),
                (
                    9,
                    12,
                    "config-bad-url",
                    "`base_url` `http://example.com` uses plain http to a host that is not loopback"
                        .to_owned()
                ),
            ]
        );
        assert!(!format!("{:?}", parse(text).1).contains("s3cret"));
    }

    #[test]
    fn default_locale_must_be_listed_and_known() {
        let got = errors("default_locale = \"en\"\nlocales = [\"fr\"]\n");
        assert_eq!(got[0].2, "config-default-locale");
        assert_eq!((got[0].0, got[0].1), (1, 18));
        let got = errors("locales = [\"fr\"]\n");
        assert_eq!(got[0].2, "config-missing-key");
        let got = errors("default_locale = \"EN\"\n");
        assert_eq!(got[0].3, "unknown locale `EN`");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let (config, diags) = parse("default_locale = \"en\"\nlocales = [\"en\"\n");
        assert!(config.is_none());
        assert_eq!(diags[0].code, "config-syntax");
        assert_eq!(diags[0].line, 2);
    }

    #[test]
    fn api_urls_allow_http_on_loopback_only() {
        assert!(check_api_url("http://127.0.0.1:4010").is_ok());
        assert!(check_api_url("http://localhost:4010").is_ok());
        assert!(check_api_url("http://[::1]:4010").is_ok());
        assert!(check_api_url("https://api.intercom.io").is_ok());
        assert!(check_api_url("http://10.0.0.1").is_err());
        assert!(check_api_url("ftp://127.0.0.1").is_err());
    }

    #[test]
    fn external_pages_targets_are_parsed_and_checked() {
        let text = "default_locale = \"en\"\n\n[defaults]\nfin_copilot = false\n\n[targets.fin]\nkind = \"sandbox\"\npublish = \"external_pages\"\nsource_url = \"https://docs.acme.com/\"\npage_url = \"https://docs.acme.com/{key}\"\ninclude = [\"internal/**\"]\nexclude = [\"internal/old/**\"]\n";
        let (config, diags) = parse(text);
        assert_eq!(diags, Vec::new());
        let config = config.unwrap();
        let fin = &config.targets["fin"];
        let pages = fin.fin_pages().unwrap();
        assert_eq!(
            pages.url_of("internal/runbook"),
            "https://docs.acme.com/internal/runbook"
        );
        assert_eq!((pages.line, pages.column), (8, 11));
        assert_eq!(config.defaults.fin_copilot, Some(false));
        assert_eq!(config.defaults.fin_agent, None);
        let scope = fin.scope.matcher();
        assert!(scope.selects("internal/runbook.md"));
        assert!(!scope.selects("internal/old/a.md"));
        assert!(!scope.selects("guides/a.md"));
        assert_eq!(
            (fin.scope.include[0].line, fin.scope.include[0].column),
            (11, 12)
        );
    }

    #[test]
    fn external_pages_need_english_and_both_urls() {
        let got = errors(
            "default_locale = \"fr\"\n[targets.fin]\nkind = \"sandbox\"\npublish = \"external_pages\"\npage_url = \"https://docs.acme.com/page\"\n",
        );
        assert_eq!(
            got,
            vec![
                (1, 18, "config-fin-locale", "target `fin` publishes Fin external pages, which are English only, but `default_locale` is `fr`".to_owned()),
                (4, 11, "config-missing-key", "`[targets.fin]` publishes external pages but has no `source_url`".to_owned()),
                (5, 12, "config-bad-url", "`page_url` `https://docs.acme.com/page` has no `{key}`: every page would get the same URL".to_owned()),
            ]
        );
        let got = errors(
            "default_locale = \"en\"\n[targets.a]\nkind = \"sandbox\"\npublish = \"pages\"\nsource_url = \"docs\"\n",
        );
        assert_eq!(
            got,
            vec![
                (
                    4,
                    11,
                    "config-bad-value",
                    "unknown `publish` value `pages`".to_owned()
                ),
                (
                    5,
                    1,
                    "config-ignored-key",
                    "`source_url` has no effect on a target that publishes articles".to_owned()
                ),
                (
                    5,
                    14,
                    "config-bad-url",
                    "`source_url` must be an absolute http or https URL, found `docs`".to_owned()
                ),
            ]
        );
    }
}
