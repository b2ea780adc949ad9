//! The body normaliser of API-NOTES 6.4: a canonical form of article HTML that is the same for
//! what we send and for what Intercom gives back after rewriting it, plus a short fingerprint of
//! it and a readable plain-text form for showing diffs to people.
//!
//! What is normalised away: heading ids; the classes `no-margin`, `intercom-align-left`,
//! `intercom-content-link` (other alignments become an `align` attribute); the wrappers
//! `div.intercom-container`, `div.intercom-interblocks-table-container`,
//! `div.intercom-h2b-video`, `tbody`/`thead`/`tfoot`; `role`; a single `<p>` directly inside
//! `li`/`td`; `strong`/`em` (→ `b`/`i`), `th` (→ `td`); `target`/`rel` on links; iframe
//! attributes other than `src` (without its query); image `src` entirely (Intercom re-hosts
//! images under changing URLs, so images compare by position and `alt` only); empty
//! paragraphs; whitespace runs and entity spelling; bare inline content at the top level and
//! in callouts (wrapped in `<p>`, as Intercom does).
//!
//! Heading levels: `h3`–`h6` are compared as `h2` and `h1` stays `h1`. Intercom's handling of
//! levels below h2 is unverified (it may keep them, or flatten them to h2), so a level change
//! below h2 is invisible to the fingerprint; local edits are still caught by the hash of what
//! was sent. Replacing an image in the Intercom UI by one with the same alt text is not seen as
//! drift either: the price of comparing sent and re-hosted image URLs.
//!
//! Files: `canonical.rs` parses HTML into the canonical tree (what is kept, renamed, unwrapped),
//! `serialize.rs` writes that tree compactly (the text that is hashed), `readable.rs` turns it
//! into the readable text shown in diffs; this file holds the entry points and the hash.

use sha2::{Digest, Sha256};

mod canonical;
mod readable;
mod serialize;
#[cfg(test)]
mod tests;

use canonical::canonical;
use readable::blocks_text;
use serialize::Serializer;

/// Hex digits in a fingerprint.
pub const FINGERPRINT_LEN: usize = 16;

/// The canonical form of an article body (see the module docs for what is normalised).
pub fn normalize(html: &str) -> String {
    let nodes = canonical(html);
    let mut out = Serializer::default();
    out.nodes(&nodes, false);
    out.out
}

/// A short hex SHA-256 of [`normalize`]`(html)`.
pub fn fingerprint(html: &str) -> String {
    let digest = Sha256::digest(normalize(html).as_bytes());
    let mut hex = hex::encode(digest);
    hex.truncate(FINGERPRINT_LEN);
    hex
}

/// A readable, Markdown-like text of an article body for diffs: one block per line (or lines),
/// headings as `#`/`##`, list items as `- `/`1. `, links as `text (url)`, images as `[image]`,
/// callouts as `> [!NOTE]` quotes. Built from the canonical form, so only differences the
/// fingerprint sees show up.
pub fn readable_text(html: &str) -> String {
    let nodes = canonical(html);
    let mut lines: Vec<String> = Vec::new();
    blocks_text(&nodes, &mut lines, "");
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}
