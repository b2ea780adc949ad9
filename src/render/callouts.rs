//! GFM alerts ↔ Intercom callouts. Intercom's editor has five callout colours (API-NOTES 6.2);
//! each alert kind maps to its own colour so `pull` can map a callout back to its alert.

use pulldown_cmark::BlockQuoteKind;

use crate::content::config::CalloutColors;

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

    /// The same colours written as `rgba()`, the notation one publisher sends "for
    /// compatibility with Intercom's API" (API-NOTES §11).
    pub fn rgba_style(&self) -> String {
        let rgba = |hex: &str| {
            let [r, g, b, a] = parse_color(hex).unwrap_or_default();
            let alpha = format!("{:.2}", f64::from(a) / 255.0);
            let alpha = alpha.trim_end_matches('0').trim_end_matches('.');
            format!("rgba({r}, {g}, {b}, {alpha})")
        };
        format!(
            "background-color: {}; border-color: {};",
            rgba(self.background),
            rgba(self.border)
        )
    }

    /// Recognises a callout `style` attribute (any spacing, case or order, colours as
    /// `#rrggbbaa`, `#rgba`, `rgba(…)` or `rgb(… / a)`); `None` when the colours are not one of
    /// the five pairs, or another property is set.
    pub fn from_style(style: &str) -> Option<Self> {
        let mut background = None;
        let mut border = None;
        for decl in style.split(';') {
            let Some((prop, value)) = decl.split_once(':') else {
                if decl.trim().is_empty() {
                    continue;
                }
                return None;
            };
            let value = parse_color(value)?;
            match prop.trim().to_ascii_lowercase().as_str() {
                "background-color" => background = Some(value),
                "border-color" => border = Some(value),
                _ => return None,
            }
        }
        let (background, border) = (background?, border?);
        CALLOUTS.into_iter().find(|c| {
            same_color(parse_color(c.background), background)
                && same_color(parse_color(c.border), border)
        })
    }
}

/// A rendered body with its callout colours in `notation` (the renderer writes them in hex;
/// a target with `callout_colors = "rgba"` gets them as `rgba()` on the wire).
pub fn with_notation(body: &str, notation: CalloutColors) -> String {
    if notation == CalloutColors::Hex || !body.contains(CLASS) {
        return body.to_owned();
    }
    let mut out = body.to_owned();
    for c in CALLOUTS {
        out = out.replace(
            &format!("style=\"{}\"", c.style()),
            &format!("style=\"{}\"", c.rgba_style()),
        );
    }
    out
}

/// Two colours are the same when their channels match and their alphas differ by at most one
/// step of 255 (`0.5` is 127.5: `#…80` and `rgba(…, 0.5)` are the same colour).
fn same_color(a: Option<[u8; 4]>, b: [u8; 4]) -> bool {
    a.is_some_and(|a| a[..3] == b[..3] && a[3].abs_diff(b[3]) <= 1)
}

/// Parses a CSS colour in hex (`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`) or functional
/// (`rgb()`/`rgba()`, commas or spaces, `/` before alpha, alpha as a number or percentage)
/// notation into RGBA bytes.
fn parse_color(value: &str) -> Option<[u8; 4]> {
    let value = value.trim().to_ascii_lowercase();
    if let Some(hex) = value.strip_prefix('#') {
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize, width: usize| u8::from_str_radix(&hex[i..i + width], 16).ok();
        let mut out = [255; 4];
        match hex.len() {
            3 | 4 => {
                for (i, slot) in out.iter_mut().enumerate().take(hex.len()) {
                    *slot = digit(i, 1)? * 17;
                }
            }
            6 | 8 => {
                for (i, slot) in out.iter_mut().enumerate().take(hex.len() / 2) {
                    *slot = digit(i * 2, 2)?;
                }
            }
            _ => return None,
        }
        return Some(out);
    }
    let inner = value
        .strip_prefix("rgba(")
        .or_else(|| value.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let parts: Vec<&str> = inner
        .split([',', ' ', '/'])
        .filter(|p| !p.is_empty())
        .collect();
    let number = |p: &str, scale: f64| -> Option<f64> {
        match p.strip_suffix('%') {
            Some(pct) => Some(pct.parse::<f64>().ok()? * scale / 100.0),
            None => p.parse().ok(),
        }
    };
    let channel = |p: &str| {
        number(p, 255.0)
            .filter(|v| (0.0..=255.0).contains(v))
            .map(to_byte)
    };
    let alpha = |p: &str| {
        number(p, 1.0)
            .filter(|v| (0.0..=1.0).contains(v))
            .map(|v| to_byte(v * 255.0))
    };
    match parts.as_slice() {
        [r, g, b] => Some([channel(r)?, channel(g)?, channel(b)?, 255]),
        [r, g, b, a] => Some([channel(r)?, channel(g)?, channel(b)?, alpha(a)?]),
        _ => None,
    }
}

/// A value already checked to be within 0..=255, rounded to a byte.
fn to_byte(v: f64) -> u8 {
    // The callers check the range (NaN fails it), so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let byte = v.round() as u8;
    byte
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

    #[test]
    fn bodies_take_the_target_notation() {
        let body = format!("<p>x</p>{}<p>t</p></div>", CALLOUTS[3].open_tag());
        assert_eq!(with_notation(&body, CalloutColors::Hex), body);
        let rgba = with_notation(&body, CalloutColors::Rgba);
        assert_eq!(
            rgba,
            format!(
                "<p>x</p><div class=\"{CLASS}\" style=\"{}\"><p>t</p></div>",
                CALLOUTS[3].rgba_style()
            )
        );
        assert_eq!(
            Callout::from_style(&CALLOUTS[3].rgba_style()),
            Some(CALLOUTS[3])
        );
    }

    #[test]
    fn other_colour_notations_map_to_the_same_callout() {
        assert_eq!(
            Callout::from_style(
                "background-color: rgba(215, 239, 220, 0.5); border-color: rgba(27, 177, 87, 0.2);"
            ),
            Some(CALLOUTS[1])
        );
        assert_eq!(
            Callout::from_style(
                "background-color: rgb(215 239 220 / 50%); border-color: RGBA(27,177,87,.2)"
            ),
            Some(CALLOUTS[1])
        );
        for c in CALLOUTS {
            assert_eq!(Callout::from_style(&c.rgba_style()), Some(c), "{}", c.color);
            assert_eq!(
                Callout::from_style(&c.style().to_ascii_uppercase()),
                Some(c)
            );
        }
        assert_eq!(
            CALLOUTS[1].rgba_style(),
            "background-color: rgba(215, 239, 220, 0.5); border-color: rgba(27, 177, 87, 0.2);"
        );
        // Opaque green is another colour; so is a wrong channel.
        assert_eq!(
            Callout::from_style("background-color: rgb(215, 239, 220); border-color: #1bb15733"),
            None
        );
        assert_eq!(
            Callout::from_style(
                "background-color: rgba(216, 239, 220, 0.5); border-color: #1bb15733"
            ),
            None
        );
        for junk in [
            "background-color: rgba(1,2,3,4,5)",
            "background-color: #12",
            "background-color: #ééé",
            "background-color: rgba(300, 0, 0, 0.5); border-color: #1bb15733",
            "background-color: rgba(1, 2, 3, 2); border-color: #1bb15733",
            "background-color: rgba(nan, 2, 3, 0.5); border-color: #1bb15733",
            "garbage",
        ] {
            assert_eq!(Callout::from_style(junk), None, "{junk}");
        }
    }
}
