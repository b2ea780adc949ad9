//! The 37 locale codes Intercom 2.12 accepts (from `locales-2.12.json`), embedded.

/// Every Intercom locale code with its English name, in the order Intercom lists them.
pub const INTERCOM_LOCALES: [(&str, &str); 37] = [
    ("ar", "Arabic"),
    ("bg", "Bulgarian"),
    ("bs", "Bosnian"),
    ("ca", "Catalan"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("es", "Spanish"),
    ("et", "Estonian"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("he", "Hebrew"),
    ("hr", "Croatian"),
    ("hu", "Hungarian"),
    ("id", "Indonesian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("lt", "Lithuanian"),
    ("lv", "Latvian"),
    ("mn", "Mongolian"),
    ("nb", "Norwegian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("pt", "Portuguese (Portugal)"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sl", "Slovenian"),
    ("sr", "Serbian"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("vi", "Vietnamese"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("zh-CN", "Chinese (China)"),
    ("zh-TW", "Chinese (Taiwan)"),
];

/// Whether `code` is one of Intercom's locale codes (exact, case-sensitive: `pt-BR`, not `pt-br`).
pub fn is_intercom_locale(code: &str) -> bool {
    INTERCOM_LOCALES.iter().any(|(c, _)| *c == code)
}

/// The English name of an Intercom locale code.
pub fn locale_name(code: &str) -> Option<&'static str> {
    INTERCOM_LOCALES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// The Intercom locale code closest to `code` (case-insensitive match first), for hints.
pub fn suggest_locale(code: &str) -> Option<&'static str> {
    if let Some((c, _)) = INTERCOM_LOCALES.iter().find(|(c, _)| {
        c.eq_ignore_ascii_case(code) || c.replace('-', "_").eq_ignore_ascii_case(code)
    }) {
        return Some(c);
    }
    crate::content::yaml::did_you_mean(code, INTERCOM_LOCALES.iter().map(|(c, _)| *c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_37_codes() {
        assert_eq!(INTERCOM_LOCALES.len(), 37);
        assert!(is_intercom_locale("pt-BR"));
        assert!(!is_intercom_locale("pt-br"));
        assert!(!is_intercom_locale("xx"));
        assert_eq!(locale_name("fr"), Some("French"));
    }

    #[test]
    fn suggests_the_right_case() {
        assert_eq!(suggest_locale("pt-br"), Some("pt-BR"));
        assert_eq!(suggest_locale("zh_CN"), Some("zh-CN"));
        assert_eq!(suggest_locale("FR"), Some("fr"));
    }
}
