//! The plan as data: changes per object and locale, with a summary. Formats live in `output`.

use serde::{Deserialize, Serialize};

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Adopt,
    Move,
    Recreate,
    Unpublish,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Adopt => "adopt",
            Self::Move => "move",
            Self::Recreate => "recreate",
            Self::Unpublish => "unpublish",
        }
    }
}

/// Collection, article, or Fin external page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Collection,
    Article,
    ExternalPage,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collection => "collection",
            Self::Article => "article",
            Self::ExternalPage => "external_page",
        }
    }
}

/// One changed field, for display: `before` is what Intercom holds now (readable text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `None` for fields that are not per locale (parent).
    pub locale: Option<String>,
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The remote value changed since the last apply (an edit made in Intercom).
    pub drift: bool,
    /// What changed when the readable text did not (e.g. "image `a/x.png` changed").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One object with an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub action: Action,
    pub kind: ObjectKind,
    pub key: String,
    /// The Intercom id (a string, as Intercom sends it); `None` for creates.
    pub id: Option<String>,
    /// Human name: title or collection name.
    pub title: String,
    /// Locales written (update/create) or unpublished.
    pub locales: Vec<String>,
    pub drift: bool,
    pub needs_prune: bool,
    /// For a move recognised from state: the key it had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_key: Option<String>,
    /// The parent collection changes.
    #[serde(default)]
    pub parent_changed: bool,
    #[serde(default)]
    pub fields: Vec<FieldChange>,
    /// `updated_at` of the remote object when planned (stale-plan check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_updated_at: Option<u64>,
}

/// Counts per action; `drift` counts objects with drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub adopt: usize,
    #[serde(rename = "move")]
    pub moves: usize,
    pub recreate: usize,
    pub unpublish: usize,
    pub unchanged: usize,
    pub drift: usize,
    /// Deletes listed but not made without `--prune` (not counted in `delete`).
    #[serde(default)]
    pub needs_prune: usize,
}

impl Summary {
    /// Whether `apply` with the same flags would change anything (deletes that need
    /// `--prune` are not changes of this run).
    pub fn has_changes(&self) -> bool {
        self.create
            + self.update
            + self.delete
            + self.adopt
            + self.moves
            + self.recreate
            + self.unpublish
            + self.drift
            > 0
    }
}

/// The whole plan for one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    pub target: String,
    pub help_center_id: Option<String>,
    /// Hash of the desired state the plan was made from (stale-plan check).
    pub content_hash: String,
    pub summary: Summary,
    pub changes: Vec<Change>,
    /// Things the user should know that do not block (e.g. a link falls back to English).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Problems that block apply (e.g. moving an article to the root).
    #[serde(default)]
    pub errors: Vec<PlanProblem>,
    /// Article key → Intercom's statistics, for the articles this plan deletes, unpublishes
    /// or renames (see `plan::impact`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub impact: std::collections::BTreeMap<String, Impact>,
}

/// How much an article the plan deletes, unpublishes or renames is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Impact {
    pub views: u64,
    pub conversations: u64,
    pub reactions: u64,
    /// A delete or unpublish of an article with at least `protect_views` views, without
    /// `--force-prune`: apply refuses it.
    #[serde(default)]
    pub needs_force_prune: bool,
}

/// A plan-time error with a hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanProblem {
    pub message: String,
    pub hint: Option<String>,
}

impl Plan {
    /// Recounts the summary from the changes (plus `unchanged`).
    pub fn summarize(&mut self, unchanged: usize) {
        let mut s = Summary {
            unchanged,
            ..Summary::default()
        };
        for c in &self.changes {
            if c.needs_prune {
                s.needs_prune += 1;
                continue;
            }
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Delete => s.delete += 1,
                Action::Adopt => s.adopt += 1,
                Action::Move => s.moves += 1,
                Action::Recreate => s.recreate += 1,
                Action::Unpublish => s.unpublish += 1,
            }
            if c.drift {
                s.drift += 1;
            }
        }
        self.summary = s;
    }

    pub fn drifted(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.drift)
    }
}
