//! File and directory names for pulled objects: slugs of titles, unique among siblings, the
//! same on every pull (collisions go to the higher id, which gets `-<id>` appended).

use std::collections::BTreeSet;

/// The longest slug kept (in characters).
const MAX_LEN: usize = 80;

/// A file-name slug of `title`: lowercase letters and digits (accents folded) joined by `-`;
/// empty when nothing usable is left.
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut dash = false;
    for c in title.chars() {
        let folded = fold(c);
        let mut pushed = false;
        for f in folded.chars() {
            for l in f.to_lowercase() {
                if l.is_alphanumeric() {
                    if dash && !out.is_empty() {
                        out.push('-');
                    }
                    dash = false;
                    out.push(l);
                    pushed = true;
                }
            }
        }
        if !pushed && !matches!(c, '\'' | '’') {
            dash = true;
        }
    }
    if out.chars().count() > MAX_LEN {
        out = out.chars().take(MAX_LEN).collect();
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// Latin letters with diacritics → ASCII (enough for the 37 Intercom locales' Latin scripts).
fn fold(c: char) -> String {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => {
            "i"
        }
        'ł' | 'ľ' | 'ĺ' | 'Ł' | 'Ľ' | 'Ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'ŕ' | 'Ř' | 'Ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű'
        | 'Ų' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        'þ' | 'Þ' => "th",
        _ => return c.to_string(),
    };
    s.to_owned()
}

/// Hands out unique names within one directory.
#[derive(Debug, Default)]
pub struct Siblings {
    taken: BTreeSet<String>,
}

impl Siblings {
    /// Marks `name` as used (an existing file, or a name chosen elsewhere).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_lowercase());
    }

    /// Whether `name` is free.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(&name.to_lowercase())
    }

    /// A free name for the object `id` titled `title`: its slug, else `<slug>-<id>`.
    /// `fallback` is the stem used when the title has no usable characters (e.g. `article`).
    /// `usable` rejects names that cannot be used (reserved or excluded).
    pub fn name(
        &mut self,
        title: &str,
        id: &str,
        fallback: &str,
        usable: impl Fn(&str) -> bool,
    ) -> String {
        let slug = slugify(title);
        let base = if slug.is_empty() || slug == "readme" {
            format!("{fallback}-{id}")
        } else {
            slug
        };
        let mut candidate = base.clone();
        let mut n = 1;
        while !self.is_free(&candidate) || !usable(&candidate) {
            candidate = if n == 1 {
                format!("{base}-{id}")
            } else {
                format!("{base}-{id}-{n}")
            };
            n += 1;
        }
        self.reserve(&candidate);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable() {
        assert_eq!(slugify("Install the app"), "install-the-app");
        assert_eq!(
            slugify("  Démarrer — l'essentiel!  "),
            "demarrer-lessentiel"
        );
        assert_eq!(slugify("C# & .NET: FAQ"), "c-net-faq");
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("日本語のガイド"), "日本語のガイド");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("a.fr"), "a-fr");
    }

    #[test]
    fn collisions_get_the_id_and_are_stable() {
        let mut s = Siblings::default();
        assert_eq!(s.name("FAQ", "10", "article", |_| true), "faq");
        assert_eq!(s.name("faq", "12", "article", |_| true), "faq-12");
        assert_eq!(s.name("???", "13", "article", |_| true), "article-13");
        assert_eq!(s.name("README", "14", "article", |_| true), "article-14");
        assert_eq!(
            s.name("Drafts", "15", "article", |n| n != "drafts"),
            "drafts-15"
        );
    }
}
