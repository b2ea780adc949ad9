//! Near-miss translation file names: `invoices-fr.md`, `invoices_fr.md`, `invoices.french.md`
//! each load as a second default-locale article; this spots them for a did-you-mean warning.
//! In: a file's path without `.md` and the configured locales. Out: the name it should have.

use crate::content::locales::locale_name;

/// The file name `stem` (e.g. `billing/invoices-fr`, no `.md`) most likely meant, as
/// (locale, intended path without `.md`), when it reads like a translation of a configured
/// non-default locale but does not use the `NAME.LOCALE.md` form. `has_file(path)` says
/// whether `path.md` exists: a `-fr`/`_fr` suffix is only suspicious next to `NAME.md`.
pub fn intended_translation(
    stem: &str,
    locales: &[String],
    default_locale: &str,
    has_file: impl Fn(&str) -> bool,
) -> Option<(String, String)> {
    let others = || locales.iter().filter(|l| *l != default_locale);
    let (dir, name) = match stem.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), stem),
    };
    // `invoices.french`: a language name where the code belongs.
    if let Some((base, word)) = name.rsplit_once('.') {
        for l in others() {
            let language = locale_name(l).map(|n| n.split(" (").next().unwrap_or(n));
            if language.is_some_and(|n| n.eq_ignore_ascii_case(word)) {
                return Some((l.clone(), format!("{dir}{base}.{l}")));
            }
        }
    }
    // `invoices-fr`, `invoices_fr`, `invoices-pt-BR`.
    for l in others() {
        for sep in ['-', '_'] {
            let suffix = format!("{sep}{l}");
            let cut = name.len().checked_sub(suffix.len())?;
            if cut == 0 || !name.is_char_boundary(cut) {
                continue;
            }
            let (base, tail) = name.split_at(cut);
            if tail.eq_ignore_ascii_case(&suffix) && has_file(&format!("{dir}{base}")) {
                return Some((l.clone(), format!("{dir}{base}.{l}")));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locales() -> Vec<String> {
        ["en", "fr", "pt-BR"].map(str::to_owned).to_vec()
    }

    fn guess(stem: &str) -> Option<(String, String)> {
        intended_translation(stem, &locales(), "en", |p| {
            p == "billing/invoices" || p == "setup"
        })
    }

    #[test]
    fn suffixes_and_language_names_are_caught() {
        let fr = |p: &str| Some(("fr".to_owned(), p.to_owned()));
        assert_eq!(guess("billing/invoices-fr"), fr("billing/invoices.fr"));
        assert_eq!(guess("billing/invoices_fr"), fr("billing/invoices.fr"));
        assert_eq!(guess("billing/invoices_FR"), fr("billing/invoices.fr"));
        assert_eq!(guess("billing/invoices.french"), fr("billing/invoices.fr"));
        assert_eq!(
            guess("setup-pt-BR"),
            Some(("pt-BR".to_owned(), "setup.pt-BR".to_owned()))
        );
    }

    #[test]
    fn ordinary_names_are_left_alone() {
        assert_eq!(
            guess("billing/refunds-fr"),
            None,
            "no `refunds.md` beside it"
        );
        assert_eq!(guess("billing/invoices-en"), None, "the default locale");
        assert_eq!(guess("guides/v1.2"), None);
        assert_eq!(guess("fr"), None);
    }
}
