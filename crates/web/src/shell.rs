//! The page shell every template extends: who is signed in, the CSRF token, the language.

use crate::context::RequestContext;
use crate::i18n::{self, Lang};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

#[derive(Debug, Clone)]
pub struct ShellUser {
    pub display_name: String,
    pub is_admin: bool,
    /// Keeps help points up to date (staff, coordinator, steering or admin).
    pub is_coordinator: bool,
    /// Registers help questions at a help point's desk (staff or coordinator).
    pub at_desk: bool,
    /// Sends and receives referrals (partner or staff).
    pub refers: bool,
    /// Keeps the routing rules (steering).
    pub steers: bool,
    /// Reads the help-question figures at `/regie` (steering, programme manager, admin).
    pub reads_figures: bool,
    /// Runs programmes or applies to them (programme manager, steering, coordinator, admin).
    pub programmes: bool,
}

/// What base.html needs; every page struct has a `shell` field.
///
/// Pages are Dutch unless their handler calls [`Shell::public`]: residents' pages follow the reader's
/// language and show the switch; staff pages stay Dutch (docs/languages-and-accessibility.md).
#[derive(Debug, Clone)]
pub struct Shell {
    /// The language this page is written in.
    pub lang: Lang,
    /// The reader's language (switch, cookie, `Accept-Language`), used by public pages.
    pub preferred: Lang,
    /// The language chosen in this very address (`?lang=en`), kept in forms and links.
    pub lang_param: Option<Lang>,
    /// Whether this page follows the reader's language (and shows the switch).
    pub localised: bool,
    /// Path and query of this page, for the switch's links.
    pub page_path: String,
    pub csrf_token: String,
    pub user: Option<ShellUser>,
}

/// One link of the language switch.
pub struct LangLink {
    pub href: String,
    pub code: &'static str,
    /// The language's own name: "English", "Nederlands".
    pub name: String,
}

impl Shell {
    /// This page follows the reader's language.
    pub fn public(mut self) -> Self {
        self.lang = self.preferred;
        self.localised = true;
        self
    }

    /// The switch's links point at `path` (for pages answering a form post).
    pub fn at(mut self, path: String) -> Self {
        self.page_path = path;
        self
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn t1(&self, key: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.lang.t1(key, name, value)
    }

    /// `?lang=en` when this address chose the language, for links that must keep it
    /// (an embedded finder may not keep cookies); else empty.
    pub fn lang_query(&self) -> String {
        self.lang_param
            .map(|l| format!("?{}={}", i18n::PARAM, l.code()))
            .unwrap_or_default()
    }

    /// The other languages, each a link to this page in that language.
    pub fn switch_links(&self) -> Vec<LangLink> {
        if !self.localised {
            return Vec::new();
        }
        let (path, query) = self
            .page_path
            .split_once('?')
            .unwrap_or((self.page_path.as_str(), ""));
        let kept: Vec<(String, String)> =
            serde_urlencoded::from_str::<Vec<(String, String)>>(query)
                .unwrap_or_default()
                .into_iter()
                .filter(|(k, _)| k != i18n::PARAM)
                .collect();
        Lang::all()
            .filter(|l| *l != self.lang)
            .map(|l| {
                let mut pairs = kept.clone();
                pairs.push((i18n::PARAM.to_owned(), l.code().to_owned()));
                let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
                LangLink {
                    href: format!("{path}?{query}"),
                    code: l.code(),
                    name: l.t("language-name"),
                }
            })
            .collect()
    }

    pub fn from_context(ctx: &RequestContext) -> Self {
        Shell {
            lang: Lang::dutch(),
            preferred: ctx.lang,
            lang_param: ctx.lang_param,
            localised: false,
            page_path: ctx.page_path.clone(),
            csrf_token: ctx.csrf_token.clone(),
            user: ctx.signed_in.as_ref().map(|s| ShellUser {
                display_name: s.user.display_name.clone(),
                is_admin: s.actor.is_admin(),
                at_desk: s.actor.has_any_role(&[
                    keten_core::account::Role::Staff,
                    keten_core::account::Role::Coordinator,
                ]),
                is_coordinator: s.actor.has_any_role(&[
                    keten_core::account::Role::Staff,
                    keten_core::account::Role::Coordinator,
                    keten_core::account::Role::Steering,
                    keten_core::account::Role::Admin,
                ]),
                refers: s.actor.has_any_role(&[
                    keten_core::account::Role::Partner,
                    keten_core::account::Role::Staff,
                    keten_core::account::Role::Coordinator,
                ]),
                steers: s.actor.has_role(keten_core::account::Role::Steering),
                reads_figures: s.actor.has_any_role(&[
                    keten_core::account::Role::Steering,
                    keten_core::account::Role::ProgrammeManager,
                    keten_core::account::Role::Admin,
                ]),
                programmes: s.actor.has_any_role(&[
                    keten_core::account::Role::ProgrammeManager,
                    keten_core::account::Role::Steering,
                    keten_core::account::Role::Coordinator,
                    keten_core::account::Role::Admin,
                ]),
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
                lang: Lang::dutch(),
                preferred: Lang::dutch(),
                lang_param: None,
                localised: false,
                page_path: "/".into(),
                csrf_token: String::new(),
                user: None,
            }))
    }
}
