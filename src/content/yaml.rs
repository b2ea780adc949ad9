//! Shared helpers for the YAML files of the content tree (front matter, `_collection.yml`):
//! parse with saphyr into marked nodes, then map them by hand so every error carries the exact
//! `file:line:col` of the offending key or value. Also positions and "did you mean" hints.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use saphyr_parser::Event;

use crate::diagnostics::Diagnostic;

/// The deepest YAML nesting read (front matter and `_collection.yml` need three levels).
pub const MAX_YAML_DEPTH: usize = 32;

/// A 1-based line and column (in characters) in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// The position of byte `offset` in `text` (clamped to the text).
pub fn pos_at(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// A YAML document taken from a file: where it comes from and on which file line it starts.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Path relative to the content root.
    pub path: &'a Path,
    /// Number of file lines before the YAML text (1 for front matter after `---`).
    pub line_offset: usize,
}

impl Source<'_> {
    /// The file position of a node.
    pub fn pos(&self, node: &MarkedYaml<'_>) -> Pos {
        Pos {
            line: node.span.start.line() + self.line_offset,
            column: node.span.start.col() + 1,
        }
    }

    /// An error located at `node`.
    pub fn error(
        &self,
        code: &'static str,
        node: &MarkedYaml<'_>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let pos = self.pos(node);
        Diagnostic::error(code, self.path, pos.line, pos.column, message)
    }

    /// Parses `text` as one YAML document. `Ok(None)` when the text holds no document.
    /// Nesting deeper than [`MAX_YAML_DEPTH`] is an error found before the tree is built (the
    /// loader and every walk over its tree recurse).
    pub fn parse<'t>(&self, text: &'t str) -> Result<Option<MarkedYaml<'t>>, Diagnostic> {
        if let Some(doc) = flat_mapping(text) {
            return Ok(Some(doc));
        }
        self.check_depth(text)?;
        let docs = MarkedYaml::load_from_str(text).map_err(|err| {
            let marker = err.marker();
            let hint = if err.info().contains("duplicated key") {
                "a field may appear only once: remove one of them"
            } else {
                "check the indentation and quote values that contain `: ` or start with a special character"
            };
            Diagnostic::error(
                "yaml-syntax",
                self.path,
                marker.line() + self.line_offset,
                marker.col() + 1,
                format!("invalid YAML: {}", err.info()),
            )
            .with_hint(hint)
        })?;
        let mut docs = docs.into_iter();
        let first = docs.next();
        if let Some(second) = docs.next() {
            return Err(self
                .error("yaml-syntax", &second, "more than one YAML document")
                .with_hint("remove the extra `---` line"));
        }
        Ok(first.filter(|doc| !matches!(doc.data, YamlData::Value(Scalar::Null))))
    }

    /// Streams the parser's events (iterative) and fails at the first collection that opens
    /// deeper than [`MAX_YAML_DEPTH`]. Syntax errors are left to the loader, which words them.
    fn check_depth(&self, text: &str) -> Result<(), Diagnostic> {
        if !may_nest_deeper_than(text, MAX_YAML_DEPTH) {
            return Ok(());
        }
        let mut depth = 0usize;
        for event in saphyr_parser::Parser::new_from_str(text) {
            let Ok((event, span)) = event else {
                return Ok(());
            };
            match event {
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    depth += 1;
                    if depth > MAX_YAML_DEPTH {
                        return Err(Diagnostic::error(
                            "yaml-too-deep",
                            self.path,
                            span.start.line() + self.line_offset,
                            span.start.col() + 1,
                            format!("YAML nested more than {MAX_YAML_DEPTH} levels deep"),
                        )
                        .with_hint(
                            "these fields are flat `key: value` lines: remove the nesting",
                        ));
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }

    /// The entries of a mapping node, or an error naming what was found instead.
    pub fn mapping<'n, 't>(
        &self,
        node: &'n MarkedYaml<'t>,
        what: &str,
    ) -> Result<Vec<(&'n MarkedYaml<'t>, &'n MarkedYaml<'t>)>, Diagnostic> {
        match &node.data {
            YamlData::Mapping(map) => Ok(map.iter().collect()),
            _ => Err(self.error(
                "yaml-type",
                node,
                format!(
                    "{what} must be a mapping of `key: value` lines, found {}",
                    type_name(node)
                ),
            )),
        }
    }

    /// The key of a mapping entry as a string, or an error.
    pub fn key<'n>(&self, node: &'n MarkedYaml<'_>) -> Result<&'n str, Diagnostic> {
        as_str(node).ok_or_else(|| {
            self.error(
                "yaml-type",
                node,
                format!("keys must be strings, found {}", type_name(node)),
            )
        })
    }

    /// A string value; `Ok(None)` for null. Other types are an error with a quoting hint.
    pub fn string(&self, field: &str, node: &MarkedYaml<'_>) -> Result<Option<String>, Diagnostic> {
        if is_null(node) {
            return Ok(None);
        }
        match as_str(node) {
            Some(s) => Ok(Some(s.to_owned())),
            None => Err(self
                .error(
                    "yaml-type",
                    node,
                    format!("`{field}` must be a string, found {}", type_name(node)),
                )
                .with_hint(format!("quote the value: `{field}: \"...\"`"))),
        }
    }

    /// An error for a field that is not among `known`, with a "did you mean" hint.
    pub fn unknown_field(
        &self,
        code: &'static str,
        node: &MarkedYaml<'_>,
        name: &str,
        where_: &str,
        known: &[&str],
    ) -> Diagnostic {
        let diag = self.error(code, node, format!("unknown field `{name}` in {where_}"));
        match did_you_mean(name, known.iter().copied()) {
            Some(best) => diag.with_hint(format!("did you mean `{best}`?")),
            None => diag.with_hint(format!("known fields: {}", backticked(known))),
        }
    }
}

/// The string of a string scalar node.
pub fn as_str<'n>(node: &'n MarkedYaml<'_>) -> Option<&'n str> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s),
        YamlData::Tagged(_, inner) => as_str(inner),
        _ => None,
    }
}

/// Whether the node is an explicit or implicit null (`key:` with nothing after it).
pub fn is_null(node: &MarkedYaml<'_>) -> bool {
    matches!(node.data, YamlData::Value(Scalar::Null))
}

/// The document saphyr builds for `text`, when `text` is nothing but `key: value` lines (and
/// empty lines) whose keys are words and whose values are one-line plain scalars that cannot
/// mean anything else: no indicator first, no `: `, ` #`, tab, control character, trailing
/// space or final `:`, no repeated key. `None` for anything else, which saphyr reads. Most
/// front matter is two such lines, and saphyr's scanner was 13 % of `check`; the nodes, their
/// types (`Scalar::parse_from_cow`, as saphyr resolves plain scalars) and their positions are
/// saphyr's (the test `flat_mappings_are_what_saphyr_builds` compares them on generated text).
fn flat_mapping(text: &str) -> Option<MarkedYaml<'_>> {
    use saphyr_parser::{Marker, Span};
    let mut mapping = saphyr::AnnotatedMapping::new();
    let (mut index, mut first) = (0, None);
    for (n, line) in text.split('\n').enumerate() {
        let line_no = n + 1;
        let chars = line.chars().count();
        if line.is_empty() {
            index += 1;
            continue;
        }
        let (key, value) = line.split_once(": ")?;
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if key.is_empty()
            || key.len() > 64
            || !key.as_bytes()[0].is_ascii_alphabetic()
            || !key.bytes().all(word)
        {
            return None;
        }
        let plain = value.chars().all(|c| {
            !c.is_control()
                && !matches!(
                    c,
                    '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
                )
        });
        let starts_plain = value
            .bytes()
            .next()
            .is_some_and(|b| !b" -?:,[]{}#&*!|>'\"%@`".contains(&b));
        if !plain
            || !starts_plain
            || value.contains(": ")
            || value.contains(" #")
            || value.ends_with([' ', ':'])
        {
            return None;
        }
        let key_start = Marker::new(index, line_no, 0);
        let value_col = key.len() + 2;
        let value_start = Marker::new(index + value_col, line_no, value_col);
        let end = Marker::new(index + chars, line_no, chars);
        let key_node = MarkedYaml {
            span: Span::new(
                key_start,
                Marker::new(index + key.len(), line_no, key.len()),
            ),
            data: YamlData::Value(Scalar::parse_from_cow(key.into())),
        };
        let value_node = MarkedYaml {
            span: Span::new(value_start, end),
            data: YamlData::Value(Scalar::parse_from_cow(value.into())),
        };
        if mapping.insert(key_node, value_node).is_some() {
            return None;
        }
        first.get_or_insert(key_start);
        index += chars + 1;
    }
    let start = first?;
    let end = Marker::new(index.saturating_sub(1), text.split('\n').count(), 0);
    Some(MarkedYaml {
        span: Span::new(start, end),
        data: YamlData::Mapping(mapping),
    })
}

/// Whether `text` holds enough collection indicators to nest more than `max` levels. Every
/// collection the parser opens starts at an indicator of its own: `[`, `{`, the `-` of its
/// first block-sequence entry, or the `:` / `?` of its first mapping entry (an implicit
/// mapping in a flow sequence included). So a text with at most `max` of these bytes cannot
/// open more than `max` nested collections, and the event pre-pass is skipped: it was a third
/// of the cost of a front matter block of plain `key: value` lines.
fn may_nest_deeper_than(text: &str, max: usize) -> bool {
    text.bytes()
        .filter(|b| matches!(b, b'[' | b'{' | b'-' | b':' | b'?'))
        .nth(max)
        .is_some()
}

/// "a string", "a number", ... for messages.
pub fn type_name(node: &MarkedYaml<'_>) -> &'static str {
    match &node.data {
        YamlData::Value(Scalar::Null) => "nothing (null)",
        YamlData::Value(Scalar::Boolean(_)) => "a boolean",
        YamlData::Value(Scalar::Integer(_) | Scalar::FloatingPoint(_)) => "a number",
        YamlData::Value(Scalar::String(_)) | YamlData::Representation(..) => "a string",
        YamlData::Sequence(_) => "a list",
        YamlData::Mapping(_) => "a mapping",
        YamlData::Tagged(_, inner) => type_name(inner),
        YamlData::Alias(_) => "an alias",
        YamlData::BadValue => "an invalid value",
    }
}

/// The candidate closest to `word`, when close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `` `a`, `b`, `c` ``.
pub fn backticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_from_one() {
        let text = "ab\ncé d";
        assert_eq!(pos_at(text, 0), Pos { line: 1, column: 1 });
        assert_eq!(pos_at(text, 3), Pos { line: 2, column: 1 });
        assert_eq!(pos_at(text, 7), Pos { line: 2, column: 4 });
        assert_eq!(pos_at(text, 99), Pos { line: 2, column: 5 });
    }

    #[test]
    fn suggests_close_names_only() {
        let known = ["title", "description", "state"];
        assert_eq!(did_you_mean("titel", known), Some("title"));
        assert_eq!(did_you_mean("desciption", known), Some("description"));
        assert_eq!(did_you_mean("zzz", known), None);
    }

    fn depth_error(text: &str) -> Option<Pos> {
        let src = Source {
            path: Path::new("a.md"),
            line_offset: 0,
        };
        src.parse(text)
            .err()
            .filter(|d| d.code == "yaml-too-deep")
            .map(|d| Pos {
                line: d.line,
                column: d.column,
            })
    }

    #[test]
    fn nesting_bound_holds_with_and_without_the_pre_pass() {
        let flow = |n: usize| format!("k: {}1{}\n", "[".repeat(n), "]".repeat(n));
        // 32 lists under the mapping: 33 levels, 33 indicators: the pre-pass runs and refuses.
        assert!(may_nest_deeper_than(&flow(32), MAX_YAML_DEPTH));
        assert_eq!(
            depth_error(&flow(32)),
            Some(Pos {
                line: 1,
                column: 35
            })
        );
        // 31 lists: 32 levels, the most allowed (and 32 indicators: no pre-pass needed).
        assert_eq!(depth_error(&flow(31)), None);
        // Block sequences on one line (`- - - x`) and nested block mappings count too.
        let dashes = format!("{}x\n", "- ".repeat(33));
        assert!(depth_error(&dashes).is_some());
        let mut nested = String::new();
        for i in 0..33 {
            nested.push_str(&" ".repeat(i));
            nested.push('k');
            nested.push_str(&i.to_string());
            nested.push_str(":\n");
        }
        nested.push_str(&" ".repeat(33));
        nested.push_str("v: 1\n");
        assert!(depth_error(&nested).is_some());
        // Few indicators: skipped, and nothing that deep can be written with so few.
        assert!(!may_nest_deeper_than(
            "title: a\ndescription: b\n",
            MAX_YAML_DEPTH
        ));
        assert!(!may_nest_deeper_than(&"-".repeat(32), 32));
        assert!(may_nest_deeper_than(&"-".repeat(33), 32));
    }

    #[test]
    fn node_positions_are_file_positions() {
        let src = Source {
            path: Path::new("a.md"),
            line_offset: 1,
        };
        let doc = src.parse("title: x\n  bad: [").unwrap_err();
        assert_eq!(doc.code, "yaml-syntax");
        let doc = src.parse("title: x\nstate: draft\n").unwrap().unwrap();
        let entries = src.mapping(&doc, "front matter").unwrap();
        assert_eq!(src.pos(entries[1].0), Pos { line: 3, column: 1 });
        assert_eq!(src.pos(entries[1].1), Pos { line: 3, column: 8 });
    }

    /// saphyr's own document for `text` (the fast path bypassed).
    fn saphyr_doc(text: &str) -> Option<MarkedYaml<'_>> {
        let mut docs = MarkedYaml::load_from_str(text).ok()?;
        (docs.len() == 1).then(|| docs.remove(0))
    }

    /// Same data, same entry order, same start positions (line, column and index) for the
    /// document and every key and value.
    fn assert_same(text: &str, fast: &MarkedYaml<'_>, slow: &MarkedYaml<'_>) {
        let at = |node: &MarkedYaml<'_>| {
            let m = node.span.start;
            (m.line(), m.col(), m.index())
        };
        assert_eq!(fast.data, slow.data, "{text:?}");
        assert_eq!(at(fast), at(slow), "document start in {text:?}");
        let (YamlData::Mapping(f), YamlData::Mapping(s)) = (&fast.data, &slow.data) else {
            panic!("not mappings: {text:?}");
        };
        let f: Vec<_> = f.iter().collect();
        let s: Vec<_> = s.iter().collect();
        assert_eq!(f.len(), s.len(), "{text:?}");
        for ((fk, fv), (sk, sv)) in f.into_iter().zip(s) {
            assert_eq!((&fk.data, &fv.data), (&sk.data, &sv.data), "{text:?}");
            assert_eq!(at(fk), at(sk), "key position in {text:?}");
            assert_eq!(at(fv), at(sv), "value position in {text:?}");
        }
    }

    #[test]
    fn flat_mappings_are_what_saphyr_builds() {
        // Taken by the fast path: typed as saphyr types plain scalars.
        for text in [
            "title: Article 91 in area-05 (fr)\ndescription: export account\n",
            "title: Don't panic, it's C# and http://x.y/z?a=b\n\nstate: draft\nkey: 12\n",
            "title: café \u{a0}naïve\u{a0}\nfin_agent: false\nfin_copilot: true\nauthor: 42",
            "title: null\nx1: 1.5\nnull: ~\ntrue: 0x1F\ndescription: .inf",
            "title: a*b &c !d |e >f 'g\" %h @i `j -k ?l [m] {n}",
        ] {
            let fast = flat_mapping(text).unwrap_or_else(|| panic!("not taken: {text:?}"));
            let slow = saphyr_doc(text).expect("saphyr reads it");
            assert_same(text, &fast, &slow);
        }
        // Left to saphyr: anything whose meaning could differ.
        for text in [
            "",
            "\n\n",
            "title:",
            "title: ",
            "title:  two spaces",
            "title: a\n  continued",
            "title: a # comment",
            "# comment\ntitle: a",
            "title: a: b",
            "title: ends with colon:",
            "title: trailing space ",
            "title: tab\there",
            "title: \"quoted\"",
            "title: 'quoted'",
            "title: - dash",
            "title: [flow]",
            "title: &anchor a",
            "title: *alias",
            "title: !tag a",
            "title: |",
            "title: a\r\nstate: draft",
            "title: a\ntitle: b",
            "Title : a",
            "9lives: a",
            "key-name: a",
            "---\ntitle: a",
            "title: bom\u{feff}",
            "title: nel\u{85}",
        ] {
            assert!(flat_mapping(text).is_none(), "taken: {text:?}");
        }
    }

    /// 20,000 generated texts of `key: value` lines, mostly plain words with tricky characters
    /// and separators mixed in: whatever the fast path takes, saphyr reads the same way; and
    /// both outcomes are common (the comparison is not vacuous).
    #[test]
    fn generated_flat_mappings_are_what_saphyr_builds() {
        const KEYS: [&str; 10] = [
            "title",
            "description",
            "state",
            "key",
            "null",
            "true",
            "x",
            "a_b",
            "k9",
            "Title",
        ];
        const SEPARATORS: [&str; 5] = [":", " : ", ":  ", ": \t", ":\t"];
        const WORDS: [&str; 13] = [
            "a", "Word", "12", "null", "true", "0x1f", ".5", "1e3", "é", "http://x", "😀", "C#",
            "don't",
        ];
        const TRICKY: [&str; 29] = [
            "-", "#", " ", ":", ": ", " #", "'", "\"", ",", "[", "]", "{", "}", "&", "*", "!", "|",
            ">", "%", "@", "`", "?", "~", "\u{a0}", "\u{3000}", "\t", "\r", "\u{85}", "\u{2028}",
        ];
        let mut rng = fastrand::Rng::with_seed(13);
        let (mut taken, mut left) = (0, 0);
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..rng.usize(1..5) {
                text.push_str(KEYS[rng.usize(..KEYS.len())]);
                text.push_str(if rng.u8(..10) < 8 {
                    ": "
                } else {
                    SEPARATORS[rng.usize(..SEPARATORS.len())]
                });
                for _ in 0..rng.usize(0..6) {
                    text.push_str(if rng.u8(..10) < 8 {
                        WORDS[rng.usize(..WORDS.len())]
                    } else {
                        TRICKY[rng.usize(..TRICKY.len())]
                    });
                }
                text.push('\n');
                if rng.u8(..10) < 2 {
                    text.push('\n');
                }
            }
            match flat_mapping(&text) {
                Some(fast) => {
                    taken += 1;
                    let slow =
                        saphyr_doc(&text).unwrap_or_else(|| panic!("saphyr refuses {text:?}"));
                    assert_same(&text, &fast, &slow);
                }
                None => left += 1,
            }
        }
        assert!(taken > 2_000 && left > 2_000, "taken {taken}, left {left}");
    }
}
