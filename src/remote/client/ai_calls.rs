//! The client's AI Content calls (`/ai/content_import_sources`, `/ai/external_pages`), through
//! the same pacing, retries and page-numbered listing as the article calls.
//!
//! Lists ask for the 50 items a page the 2.12 examples show. `POST /ai/external_pages` upserts
//! by `(source_id, external_id)`, so it is retried after a lost response or a `5xx` like a
//! `PUT`; `POST /ai/content_import_sources` creates and, like every create, is never sent twice
//! (a lost response is `OutcomeUnknown`: list the sources by URL to find out).

use reqwest::Method;

use super::{Client, Listed, not_found_as_none, object_path};
use crate::remote::ai_content::{
    ContentImportSource, CreateContentImportSource, ExternalPage, UpdateContentImportSource,
    UpdateExternalPage, UpsertExternalPage,
};
use crate::remote::error::{ErrorKind, RemoteError};

const SOURCES: &str = "/ai/content_import_sources";
const PAGES: &str = "/ai/external_pages";
/// Items asked for per page (what the 2.12 examples show the API sends).
const AI_PER_PAGE: u32 = 50;

impl Listed for ContentImportSource {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for ExternalPage {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Client {
    /// `GET /ai/content_import_sources`, all pages.
    pub async fn list_content_import_sources(
        &self,
    ) -> Result<Vec<ContentImportSource>, RemoteError> {
        self.list_all_by(SOURCES, AI_PER_PAGE).await
    }

    /// `GET /ai/content_import_sources/{id}`; `None` when it does not exist.
    pub async fn get_content_import_source(
        &self,
        id: &str,
    ) -> Result<Option<ContentImportSource>, RemoteError> {
        let path = object_path(&Method::GET, SOURCES, "content import source", id)?;
        not_found_as_none(self.get_json(&path).await)
    }

    /// `POST /ai/content_import_sources`; returns the source as created. A lost response is
    /// [`ErrorKind::OutcomeUnknown`]: the request is never sent twice.
    pub async fn create_content_import_source(
        &self,
        req: &CreateContentImportSource,
    ) -> Result<ContentImportSource, RemoteError> {
        self.write_json(Method::POST, SOURCES.to_owned(), req).await
    }

    /// `PUT /ai/content_import_sources/{id}`; returns the source as updated.
    pub async fn update_content_import_source(
        &self,
        id: &str,
        req: &UpdateContentImportSource,
    ) -> Result<ContentImportSource, RemoteError> {
        let path = object_path(&Method::PUT, SOURCES, "content import source", id)?;
        self.write_json(Method::PUT, path, req).await
    }

    /// `DELETE /ai/content_import_sources/{id}` (204); Intercom deletes its pages with it.
    pub async fn delete_content_import_source(&self, id: &str) -> Result<(), RemoteError> {
        let path = object_path(&Method::DELETE, SOURCES, "content import source", id)?;
        self.delete(path).await
    }

    /// `GET /ai/external_pages`, all pages, every source.
    pub async fn list_external_pages(&self) -> Result<Vec<ExternalPage>, RemoteError> {
        self.list_all_by(PAGES, AI_PER_PAGE).await
    }

    /// `GET /ai/external_pages/{id}`; `None` when it does not exist.
    pub async fn get_external_page(&self, id: &str) -> Result<Option<ExternalPage>, RemoteError> {
        let path = object_path(&Method::GET, PAGES, "external page", id)?;
        not_found_as_none(self.get_json(&path).await)
    }

    /// `POST /ai/external_pages`: creates the page or updates the one with the same
    /// `(source_id, external_id)`; returns it. Sent again after a lost response or a `5xx`
    /// (the same upsert twice is the same page), within the retry limit.
    pub async fn upsert_external_page(
        &self,
        req: &UpsertExternalPage,
    ) -> Result<ExternalPage, RemoteError> {
        let bytes = encode(&Method::POST, PAGES, req)?;
        let reply = self.call_as(Method::POST, PAGES, Some(bytes), true).await?;
        self.decode(&Method::POST, PAGES, &reply.body)
    }

    /// `PUT /ai/external_pages/{id}`; returns the page as updated.
    pub async fn update_external_page(
        &self,
        id: &str,
        req: &UpdateExternalPage,
    ) -> Result<ExternalPage, RemoteError> {
        let path = object_path(&Method::PUT, PAGES, "external page", id)?;
        self.write_json(Method::PUT, path, req).await
    }

    /// `DELETE /ai/external_pages/{id}` (200 with the page). A `404` after an earlier attempt
    /// of the same call lost its response is a success.
    pub async fn delete_external_page(&self, id: &str) -> Result<(), RemoteError> {
        let path = object_path(&Method::DELETE, PAGES, "external page", id)?;
        let reply = self.call(Method::DELETE, &path, None).await?;
        if reply.status == 404 || reply.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let page: ExternalPage = self.decode(&Method::DELETE, &path, &reply.body)?;
        if page.id == id {
            Ok(())
        } else {
            Err(RemoteError::new(
                "DELETE",
                &path,
                ErrorKind::Decode(format!(
                    "the response names page `{}`, not the one deleted",
                    page.id
                )),
            ))
        }
    }
}

fn encode<B: serde::Serialize>(
    method: &Method,
    path: &str,
    body: &B,
) -> Result<Vec<u8>, RemoteError> {
    serde_json::to_vec(body).map_err(|e| {
        RemoteError::new(
            super::method_name(method),
            path,
            ErrorKind::Config(format!("cannot encode the request: {e}")),
        )
    })
}
