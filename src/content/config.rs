//! `helpcenter.toml`: the project configuration, loaded with strict validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::content::model::{ArticleState, AuthorRef};

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
    /// The embedded emulator; data in `.helpcenter/<target>.sandbox.json`.
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
}
