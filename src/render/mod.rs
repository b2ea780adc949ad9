//! Stage 2: Markdown → the sanitized HTML Intercom accepts, with diagnostics.
