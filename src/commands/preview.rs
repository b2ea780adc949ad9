//! `helpcenter preview`: bind 127.0.0.1, print the URL, serve until stopped.

use std::net::{Ipv4Addr, SocketAddr};

use crate::error::FileAction;
use crate::error::{CommandError, CommandResult, Outcome};
use crate::output::Printer;
use crate::preview::PreviewOptions;
use crate::settings::{self, Global};

/// Runs the preview server until Ctrl-C.
pub fn run(global: &Global, settings: &settings::Preview, printer: &Printer) -> CommandResult {
    let root = std::path::absolute(&global.dir)
        .map_err(|e| CommandError::file(FileAction::Resolve, &global.dir, e))?;
    if let Some(out) = &settings.export {
        return export(&root, global, out, printer);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::system(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, settings.port)))
                .await
                .map_err(|e| {
                    CommandError::system(format!(
                        "cannot listen on 127.0.0.1:{}: {e}",
                        settings.port
                    ))
                    .with_hint("pass `--port 0` to pick a free port")
                })?;
        let port = listener
            .local_addr()
            .map_err(|e| CommandError::system(format!("cannot read the bound address: {e}")))?
            .port();
        printer.data(&format!("preview http://127.0.0.1:{port}\n"));
        printer.info("serving the preview; press Ctrl-C to stop");
        let options = PreviewOptions {
            root,
            target: global.target.clone(),
        };
        crate::preview::serve(listener, options, |w| printer.warn(w))
            .await
            .map_err(|e| CommandError::system(format!("the preview server failed: {e}")))
    })?;
    Ok(Outcome::Success)
}

/// `--export DIR`: the same pages as static files, then exit.
fn export(
    root: &std::path::Path,
    global: &Global,
    out: &std::path::Path,
    printer: &Printer,
) -> CommandResult {
    let report = crate::preview::export::export(root, global.target.as_deref(), out)?;
    let planned = report.planned.as_deref().map_or_else(
        || "the Changes page says why no plan was made".to_owned(),
        |t| format!("changes against target `{t}`"),
    );
    printer.info(&format!(
        "exported the preview to `{}`: {} page(s), {} image(s), {planned}; open `index.html`",
        out.display(),
        report.pages,
        report.files
    ));
    Ok(Outcome::Success)
}
