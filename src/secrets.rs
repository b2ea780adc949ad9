//! What looks like a secret in text the user wrote (`helpcenter.toml`, content), so that
//! diagnostics never print it: used by the config checks (a token pasted under a wrong key or
//! into `token_env`) and by the source snippets of every diagnostic.
//!
//! The rule (documented in `docs/config.md`): a *word* is a run of ASCII letters, digits and
//! `+ / = _ -`. A word looks like an access token when it starts with `dG9rO` (Intercom's
//! tokens are base64 of `tok:…`) and has at least 20 characters, or when it has at least 24
//! characters and mixes upper-case letters, lower-case letters and digits (an environment
//! variable name is upper-case; a path or URL segment is rarely all three at that length).

use std::borrow::Cow;

/// What replaces a secret-looking word.
pub const REDACTED: &str = "[redacted]";

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-')
}

/// Whether one word looks like an access token (see the module docs).
pub fn looks_like_token(word: &str) -> bool {
    if !word.chars().all(is_word_char) {
        return false;
    }
    if word.starts_with("dG9rO") && word.len() >= 20 {
        return true;
    }
    word.len() >= 24
        && word.bytes().any(|b| b.is_ascii_uppercase())
        && word.bytes().any(|b| b.is_ascii_lowercase())
        && word.bytes().any(|b| b.is_ascii_digit())
}

/// Whether `text` holds a word that looks like an access token.
pub fn contains_token(text: &str) -> bool {
    text.split(|c: char| !is_word_char(c)).any(looks_like_token)
}

/// `text` with every token-looking word replaced by `[redacted]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !contains_token(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut word_start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let in_word = i < text.len() && is_word_char(c);
        match (word_start, in_word) {
            (None, true) => word_start = Some(i),
            (Some(start), false) => {
                let word = &text[start..i];
                out.push_str(if looks_like_token(word) {
                    REDACTED
                } else {
                    word
                });
                word_start = None;
                if i < text.len() {
                    out.push(c);
                }
            }
            (None, false) => {
                if i < text.len() {
                    out.push(c);
                }
            }
            (Some(_), true) => {}
        }
    }
    Cow::Owned(out)
}

/// Whether a configuration key's name says it holds a secret (`Token`, `access_token`,
/// `api_key`, `password`, …).
pub fn secret_key_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["token", "secret", "passw", "credential", "key", "bearer"]
        .iter()
        .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_recognised_and_ordinary_words_are_not() {
        for token in [
            "dG9rOmNhZmViYWJlXzEyMzRfNTY3OA==",
            "dG9rOmFiY2RlZmdoaWprbG1u",
            "tok_SECRET_c0ffee_never_print_me",
            "sk_live_51HqLyjWDarjtT1zdp7dc",
        ] {
            assert!(looks_like_token(token), "{token}");
        }
        for word in [
            "INTERCOM_TOKEN",
            "INTERCOM_TOKEN_PRODUCTION_2024",
            "raw.githubusercontent.com",
            "getting-started/install-and-configure",
            "h_e324f0a1dd",
            "dG9rO",
            "https://raw.githubusercontent.com/acme/help/main/",
        ] {
            assert!(!contains_token(word), "{word}");
        }
    }

    #[test]
    fn redact_replaces_only_token_words() {
        assert_eq!(
            redact("token = \"dG9rOmNhZmViYWJlXzEyMzRfNTY3OA==\" # mine"),
            "token = \"[redacted]\" # mine"
        );
        assert_eq!(redact("kind = \"intercom\""), "kind = \"intercom\"");
        assert_eq!(redact("a dG9rOmFiY2RlZmdoaWprbG1u"), "a [redacted]");
    }

    #[test]
    fn secret_key_names() {
        for name in [
            "Token",
            "access_token",
            "api_key",
            "apiKey",
            "PASSWORD",
            "client_secret",
        ] {
            assert!(secret_key_name(name), "{name}");
        }
        for name in ["kind", "region", "help_centre", "colour", "authors"] {
            assert!(!secret_key_name(name), "{name}");
        }
    }
}
