//! The page shell every template extends: who is signed in, the CSRF token, the language.

use crate::context::RequestContext;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

#[derive(Debug, Clone)]
pub struct ShellUser {
    pub display_name: String,
    pub is_admin: bool,
    /// Keeps help points up to date (staff, steering or admin).
    pub is_coordinator: bool,
    /// Sends and receives referrals (partner or staff).
    pub refers: bool,
    /// Keeps the routing rules (steering).
    pub steers: bool,
}

/// What base.html needs; every page struct has a `shell` field.
#[derive(Debug, Clone)]
pub struct Shell {
    pub lang: &'static str,
    pub csrf_token: String,
    pub user: Option<ShellUser>,
}

impl Shell {
    pub fn from_context(ctx: &RequestContext) -> Self {
        Shell {
            lang: "nl",
            csrf_token: ctx.csrf_token.clone(),
            user: ctx.signed_in.as_ref().map(|s| ShellUser {
                display_name: s.user.display_name.clone(),
                is_admin: s.actor.is_admin(),
                is_coordinator: s.actor.has_any_role(&[
                    keten_core::account::Role::Staff,
                    keten_core::account::Role::Steering,
                    keten_core::account::Role::Admin,
                ]),
                refers: s.actor.has_any_role(&[
                    keten_core::account::Role::Partner,
                    keten_core::account::Role::Staff,
                ]),
                steers: s.actor.has_role(keten_core::account::Role::Steering),
            }),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Shell {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestContext>()
            .map(Shell::from_context)
            .unwrap_or(Shell {
                lang: "nl",
                csrf_token: String::new(),
                user: None,
            }))
    }
}
