//! The core layer's one error type: input that breaks a domain rule.

/// A domain rule was broken. `field` names the input at fault so that
/// forms can show the message beside it; `message` is Dutch, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
