//! The execution half of the resource seam ([`crate::plan::resource`]): the write calls of
//! one kind of remote object, and the steps every kind shares: a delete (journaled as a
//! forget once Intercom confirms it, or says the object is already gone) and the forgetting
//! of records whose object vanished.

use std::future::Future;

use crate::plan::resource::{Articles, Collections, Resource};
use crate::remote::{Client, RemoteError};

/// The calls apply makes for one kind of remote object.
pub trait Execute: Resource {
    /// Deletes the object `id`.
    fn delete(client: &Client, id: &str) -> impl Future<Output = Result<(), RemoteError>> + Send;
}

impl Execute for Collections {
    fn delete(client: &Client, id: &str) -> impl Future<Output = Result<(), RemoteError>> + Send {
        client.delete_collection(id)
    }
}

impl Execute for Articles {
    fn delete(client: &Client, id: &str) -> impl Future<Output = Result<(), RemoteError>> + Send {
        client.delete_article(id)
    }
}
