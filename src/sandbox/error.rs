//! Intercom's error envelope (`error.list`) as returned by every emulator endpoint.

use serde_json::{Value, json};

/// One error response: HTTP status plus the single `errors[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    /// The request body as a JSON object, or 400 `parameter_invalid`.
    pub fn body_object(body: &Value) -> Result<&serde_json::Map<String, Value>, Self> {
        body.as_object().ok_or_else(|| {
            Self::new(
                400,
                "parameter_invalid",
                "Request body must be a JSON object",
            )
        })
    }

    /// An error without a `field`.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 404 `not_found` "Resource Not Found".
    pub fn not_found() -> Self {
        Self::new(404, "not_found", "Resource Not Found")
    }

    /// 401 `unauthorized` "Access Token Invalid".
    pub fn unauthorized() -> Self {
        Self::new(401, "unauthorized", "Access Token Invalid")
    }

    /// 400 `parameter_invalid` naming `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(400, "parameter_invalid", message)
        }
    }

    /// 400 `parameter_not_found`.
    pub fn missing(message: impl Into<String>) -> Self {
        Self::new(400, "parameter_not_found", message)
    }

    /// The JSON body, with `request_id`.
    pub fn body(&self, request_id: &str) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(field) = &self.field {
            error["field"] = json!(field);
        }
        json!({"type": "error.list", "request_id": request_id, "errors": [error]})
    }
}
