//! The plan as stable JSON (`--format json`), documented in docs/plan.md.

use serde::Serialize;

use crate::plan::model::{Action, ObjectKind, Plan, Summary};

#[derive(Serialize)]
struct JsonPlan<'a> {
    version: u32,
    target: &'a str,
    summary: &'a Summary,
    changes: Vec<JsonChange<'a>>,
    warnings: &'a [String],
    errors: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    action: Action,
    kind: ObjectKind,
    key: &'a str,
    id: Option<&'a str>,
    title: &'a str,
    locales: &'a [String],
    drift: bool,
    needs_prune: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_key: Option<&'a str>,
    fields: Vec<String>,
    /// Intercom's statistics for deletes, unpublishes and renames of articles; else null.
    statistics: Option<JsonStatistics>,
    /// A delete or unpublish of an article with at least `protect_views` views.
    needs_force_prune: bool,
}

#[derive(Serialize)]
struct JsonStatistics {
    views: u64,
    conversations: u64,
    reactions: u64,
}

/// Renders the plan in the documented JSON shape (one object, trailing newline).
pub fn render(plan: &Plan) -> String {
    let doc = JsonPlan {
        version: 1,
        target: &plan.target,
        summary: &plan.summary,
        changes: plan
            .changes
            .iter()
            .map(|c| JsonChange {
                action: c.action,
                kind: c.kind,
                key: &c.key,
                id: c.id.as_deref(),
                title: &c.title,
                locales: &c.locales,
                drift: c.drift,
                needs_prune: c.needs_prune,
                previous_key: c.previous_key.as_deref(),
                fields: c
                    .fields
                    .iter()
                    .map(|f| match &f.locale {
                        Some(l) => format!("{}[{l}]", f.field),
                        None => f.field.clone(),
                    })
                    .collect(),
                statistics: plan
                    .impact
                    .get(&c.key)
                    .filter(|_| c.kind == ObjectKind::Article)
                    .map(|i| JsonStatistics {
                        views: i.views,
                        conversations: i.conversations,
                        reactions: i.reactions,
                    }),
                needs_force_prune: plan
                    .impact
                    .get(&c.key)
                    .is_some_and(|i| i.needs_force_prune && c.kind == ObjectKind::Article),
            })
            .collect(),
        warnings: &plan.warnings,
        errors: plan.errors.iter().map(|e| e.message.as_str()).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("plan serializes");
    s.push('\n');
    s
}
