//! Author resolution: front matter names an author by admin email or numeric id; the API wants
//! the admin's integer id. Built once from `GET /admins`, then queried synchronously.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::models::Admin;
use crate::content::model::AuthorRef;

/// Why an author could not be resolved. `Display` names the closest admin when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorError {
    /// No admin has this email.
    #[error("no admin with email `{email}` in this workspace{}", suggestion_text(.suggestion.as_deref()))]
    UnknownEmail {
        email: String,
        suggestion: Option<String>,
    },
    /// No admin has this id.
    #[error("no admin with id `{id}` in this workspace{}", suggestion_text(.suggestion.as_deref()))]
    UnknownId { id: u64, suggestion: Option<String> },
}

fn suggestion_text(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
}

/// The admins of a workspace, indexed by lowercase email and by id.
#[derive(Debug, Clone, Default)]
pub struct AuthorDirectory {
    by_email: HashMap<String, u64>,
    /// Original-case emails, for suggestions, sorted for determinism.
    emails: Vec<String>,
    ids: Vec<u64>,
}

/// Least normalized similarity for an email to be suggested.
const MIN_SIMILARITY: f64 = 0.75;

impl AuthorDirectory {
    /// Indexes admins; admins whose id is not an integer are skipped (they cannot author).
    pub fn new(admins: Vec<Admin>) -> Self {
        let mut dir = Self::default();
        for admin in admins {
            let Ok(id) = admin.id.trim().parse::<u64>() else {
                continue;
            };
            dir.ids.push(id);
            if let Some(email) = admin.email.filter(|e| !e.trim().is_empty()) {
                let email = email.trim().to_owned();
                // Emails are unique in Intercom; should two differ only by case, the first wins.
                if let Entry::Vacant(slot) = dir.by_email.entry(email.to_lowercase()) {
                    slot.insert(id);
                    dir.emails.push(email);
                }
            }
        }
        dir.emails.sort();
        dir.ids.sort_unstable();
        dir.ids.dedup();
        dir
    }

    /// The admin id of an author: emails match case-insensitively; ids must exist.
    pub fn resolve(&self, author: &AuthorRef) -> Result<u64, AuthorError> {
        match author {
            AuthorRef::Id(id) => self.resolve_id(*id),
            AuthorRef::Email(text) => {
                let text = text.trim();
                // YAML may give a quoted number: treat it as an id.
                if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(id) = text.parse() {
                        return self.resolve_id(id);
                    }
                }
                self.by_email
                    .get(&text.to_lowercase())
                    .copied()
                    .ok_or_else(|| AuthorError::UnknownEmail {
                        email: text.to_owned(),
                        suggestion: self.closest_email(text),
                    })
            }
        }
    }

    /// Number of admins that can author.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the workspace has no usable admin.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn resolve_id(&self, id: u64) -> Result<u64, AuthorError> {
        if self.ids.binary_search(&id).is_ok() {
            Ok(id)
        } else {
            Err(AuthorError::UnknownId {
                id,
                suggestion: self.closest_id(id),
            })
        }
    }

    fn closest_email(&self, email: &str) -> Option<String> {
        let wanted = email.to_lowercase();
        self.emails
            .iter()
            .map(|e| {
                (
                    strsim::normalized_damerau_levenshtein(&wanted, &e.to_lowercase()),
                    e,
                )
            })
            .filter(|(score, _)| *score >= MIN_SIMILARITY)
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, e)| e.clone())
    }

    /// An id one or two typos away (same length, digits swapped or changed).
    fn closest_id(&self, id: u64) -> Option<String> {
        let wanted = id.to_string();
        self.ids
            .iter()
            .map(u64::to_string)
            .filter(|candidate| candidate.len() == wanted.len())
            .map(|candidate| (strsim::damerau_levenshtein(&wanted, &candidate), candidate))
            .filter(|(distance, _)| *distance <= 1 || (*distance <= 2 && wanted.len() >= 6))
            .min()
            .map(|(_, candidate)| candidate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(id: &str, email: Option<&str>) -> Admin {
        Admin {
            id: id.to_owned(),
            name: None,
            email: email.map(str::to_owned),
        }
    }

    fn directory() -> AuthorDirectory {
        AuthorDirectory::new(vec![
            admin("991266252", Some("docs@example.com")),
            admin("991266253", Some("Jane.Doe@Example.com")),
            admin("991266254", None),
            admin("not-a-number", Some("bot@example.com")),
            admin("12", Some("ops@example.org")),
        ])
    }

    #[test]
    fn emails_match_case_insensitively() {
        let dir = directory();
        let email = |s: &str| AuthorRef::Email(s.to_owned());
        assert_eq!(dir.resolve(&email("docs@example.com")), Ok(991_266_252));
        assert_eq!(dir.resolve(&email("DOCS@example.COM")), Ok(991_266_252));
        assert_eq!(
            dir.resolve(&email(" jane.doe@example.com ")),
            Ok(991_266_253)
        );
        assert_eq!(dir.len(), 4);
    }

    #[test]
    fn ids_must_exist() {
        let dir = directory();
        assert_eq!(dir.resolve(&AuthorRef::Id(991_266_254)), Ok(991_266_254));
        assert_eq!(dir.resolve(&AuthorRef::Id(12)), Ok(12));
        assert_eq!(dir.resolve(&AuthorRef::Email("12".into())), Ok(12));
        assert_eq!(
            dir.resolve(&AuthorRef::Id(7)).unwrap_err().to_string(),
            "no admin with id `7` in this workspace"
        );
    }

    #[test]
    fn unknown_email_suggests_the_closest() {
        let dir = directory();
        let err = dir
            .resolve(&AuthorRef::Email("dcs@example.com".into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no admin with email `dcs@example.com` in this workspace; did you mean `docs@example.com`?"
        );
        let err = dir
            .resolve(&AuthorRef::Email("jane.doe@exmaple.com".into()))
            .unwrap_err();
        assert_eq!(
            err,
            AuthorError::UnknownEmail {
                email: "jane.doe@exmaple.com".into(),
                suggestion: Some("Jane.Doe@Example.com".into()),
            }
        );
    }

    #[test]
    fn far_emails_get_no_suggestion() {
        let dir = directory();
        let err = dir
            .resolve(&AuthorRef::Email("someone@elsewhere.net".into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no admin with email `someone@elsewhere.net` in this workspace"
        );
        // The admin with a non-numeric id cannot be an author.
        assert!(
            dir.resolve(&AuthorRef::Email("bot@example.com".into()))
                .is_err()
        );
    }

    #[test]
    fn mistyped_id_suggests_the_closest() {
        let dir = directory();
        let err = dir.resolve(&AuthorRef::Id(991_266_225)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no admin with id `991266225` in this workspace; did you mean `991266252`?"
        );
    }

    #[test]
    fn empty_directory() {
        let dir = AuthorDirectory::new(Vec::new());
        assert!(dir.is_empty());
        assert!(dir.resolve(&AuthorRef::Email("a@b.c".into())).is_err());
    }
}
