//! Lists: bulleted and numbered, nested, with their items' blocks indented.

use super::{Converter, Handle, children, element_name};

impl Converter<'_> {
    pub(super) fn list(&mut self, node: &Handle, ordered: bool, alternate: bool) -> String {
        let mut items: Vec<String> = Vec::new();
        let mut loose = false;
        for li in children(node) {
            if element_name(&li).as_deref() != Some("li") {
                continue;
            }
            let blocks = self.blocks(&li);
            let mut text = String::new();
            for (i, b) in blocks
                .iter()
                .filter(|b| !b.text.trim().is_empty())
                .enumerate()
            {
                if i > 0 {
                    if b.list.is_some() {
                        text.push('\n');
                    } else {
                        text.push_str("\n\n");
                        loose = true;
                    }
                }
                text.push_str(&b.text);
            }
            if !text.trim().is_empty() {
                items.push(text);
            }
        }
        let mut out = String::new();
        for (i, item) in items.iter().enumerate() {
            let marker = match (ordered, alternate) {
                (false, false) => "- ".to_owned(),
                (false, true) => "* ".to_owned(),
                (true, false) => format!("{}. ", i + 1),
                (true, true) => format!("{}) ", i + 1),
            };
            if i > 0 {
                out.push_str(if loose { "\n\n" } else { "\n" });
            }
            let pad = " ".repeat(marker.len());
            for (j, line) in item.split('\n').enumerate() {
                if j == 0 {
                    out.push_str(&marker);
                    out.push_str(line);
                } else {
                    out.push('\n');
                    if !line.is_empty() {
                        out.push_str(&pad);
                        out.push_str(line);
                    }
                }
            }
        }
        out
    }
}
