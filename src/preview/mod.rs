//! `helpcenter preview`: a local web page showing the help center as it would look (each
//! article rendered from exactly the HTML `apply` sends) and the pending changes against a
//! target. Beside the pipeline: it reads `content`, `render` and `plan`, and writes nothing.
//!
//! [`site`] is one loaded and rendered tree, [`outline`] its collection tree indexed for the
//! pages, [`index`] keeps it in memory and current (file-system notifications), [`pages`] and
//! [`changes`] build HTML, [`server`] serves it, [`export`] writes
//! it as static files.

mod assets;
pub mod changes;
pub mod export;
pub mod index;
pub mod outline;
pub mod pages;
pub mod server;
pub mod site;

pub use server::{PreviewOptions, serve};
