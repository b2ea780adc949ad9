//! GFM alerts ↔ Intercom callouts. Intercom's editor has five callout colours (API-NOTES 6.2);
//! each alert kind maps to its own colour so `pull` can map a callout back to its alert.

use pulldown_cmark::BlockQuoteKind;

/// The class of an Intercom callout `<div>`.
pub const CLASS: &str = "intercom-interblocks-callout";

/// One callout colour: the alert marker, its Intercom colour name and the background/border
/// pair Intercom writes in the `style` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Callout {
    /// The GFM alert marker without brackets, e.g. `NOTE`.
    pub alert: &'static str,
    /// Intercom's name for the colour.
    pub color: &'static str,
    pub background: &'static str,
    pub border: &'static str,
}

/// All five colours. NOTE→blue, TIP→green, IMPORTANT→gray, WARNING→yellow, CAUTION→red.
pub const CALLOUTS: [Callout; 5] = [
    Callout {
        alert: "NOTE",
        color: "blue",
        background: "#e3e7fa80",
        border: "#334bfa33",
    },
    Callout {
        alert: "TIP",
        color: "green",
        background: "#d7efdc80",
        border: "#1bb15733",
    },
    Callout {
        alert: "IMPORTANT",
        color: "gray",
        background: "#e8e8e880",
        border: "#73737633",
    },
    Callout {
        alert: "WARNING",
        color: "yellow",
        background: "#feedaf80",
        border: "#fbc91633",
    },
    Callout {
        alert: "CAUTION",
        color: "red",
        background: "#fed9db80",
        border: "#fd3a5733",
    },
];

impl Callout {
    /// The callout for a GFM alert kind.
    pub fn for_kind(kind: BlockQuoteKind) -> Self {
        let index = match kind {
            BlockQuoteKind::Note => 0,
            BlockQuoteKind::Tip => 1,
            BlockQuoteKind::Important => 2,
            BlockQuoteKind::Warning => 3,
            BlockQuoteKind::Caution => 4,
        };
        CALLOUTS[index]
    }

    /// The canonical `style` attribute value, exactly as Intercom writes it.
    pub fn style(&self) -> String {
        format!(
            "background-color: {}; border-color: {};",
            self.background, self.border
        )
    }

    /// The opening `<div>` of this callout.
    pub fn open_tag(&self) -> String {
        format!("<div class=\"{CLASS}\" style=\"{}\">", self.style())
    }

    /// Recognises a callout `style` attribute (any spacing, case or order); `None` when the
    /// colours are not one of the five pairs.
    pub fn from_style(style: &str) -> Option<Self> {
        let mut background = None;
        let mut border = None;
        for decl in style.split(';') {
            let Some((prop, value)) = decl.split_once(':') else {
                continue;
            };
            let value = value.trim().to_ascii_lowercase();
            match prop.trim().to_ascii_lowercase().as_str() {
                "background-color" => background = Some(value),
                "border-color" => border = Some(value),
                _ => return None,
            }
        }
        let (background, border) = (background?, border?);
        CALLOUTS
            .into_iter()
            .find(|c| c.background == background && c.border == border)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_round_trips_and_tolerates_spacing() {
        for c in CALLOUTS {
            assert_eq!(Callout::from_style(&c.style()), Some(c));
        }
        assert_eq!(
            Callout::from_style("BORDER-COLOR:#FD3A5733;background-color :#fed9db80"),
            Some(CALLOUTS[4])
        );
        assert_eq!(
            Callout::from_style("background-color: red; border-color: #fd3a5733"),
            None
        );
        assert_eq!(
            Callout::from_style(
                "background-color: #fed9db80; border-color: #fd3a5733; position: fixed"
            ),
            None
        );
    }
}
