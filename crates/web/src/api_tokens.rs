//! An organisation's API tokens: who keeps them (one rule for the page and the API), and the page where its coordinators (and admins) create, list and revoke them.

use crate::AppState;
use crate::auth::RequireUser;
use crate::context::{random_token, token_hash};
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use keten_core::ValidationError;
use keten_core::account::{Role, api_token_roles};
use keten_store::Actor;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organisaties/{id}/api-sleutels",
            get(tokens_page).post(create_token),
        )
        .route(
            "/organisaties/{id}/api-sleutels/{token}/intrekken",
            post(revoke_token),
        )
}

/// The roles of the tokens the actor keeps for this organisation: the one rule for the page and the API
/// ([`keten_core::account::api_token_roles`]: coordinators there and admins, never above their own role).
pub(crate) fn roles_for(actor: &Actor, organisation_id: &str) -> Vec<Role> {
    let held: Vec<Role> = actor
        .memberships
        .iter()
        .filter(|m| m.organisation_id == organisation_id)
        .map(|m| m.role)
        .collect();
    api_token_roles(actor.is_admin(), &held)
}

/// Makes a token for an organisation: page and API. A token cannot make tokens (a leaked one must not mint
/// more); another chain's organisation is not found; who keeps no tokens there is refused; a role above the
/// caller's is a field error.
pub(crate) async fn create(
    state: &AppState,
    actor: &Actor,
    organisation_id: &str,
    role: &str,
    name: &str,
) -> Result<(String, String), AppError> {
    if actor.user_id.is_none() {
        return Err(AppError::Forbidden);
    }
    let organisation = state.store.organisation(actor, organisation_id).await?;
    let roles = roles_for(actor, &organisation.id);
    if roles.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(ValidationError::new(
            "name",
            "Geef de sleutel een naam, zoals de naam van het systeem dat hem gebruikt (hoogstens 100 tekens).",
        ));
    }
    let role = roles.iter().copied().find(|r| r.as_str() == role);
    if role.is_none() {
        errors.push(ValidationError::new(
            "role",
            "Kies een rol die u zelf in deze organisatie heeft.",
        ));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let token = random_token();
    let id = state
        .store
        .create_api_token(
            &organisation.id,
            role,
            name,
            &token_hash(&token),
            state.now(),
        )
        .await?;
    Ok((id, token))
}

/// Revokes a token: page and API. A token of an organisation outside the caller's chains is not found; one the
/// caller does not keep (another organisation's, or of a higher role) is refused.
pub(crate) async fn revoke(
    state: &AppState,
    actor: &Actor,
    token_id: &str,
) -> Result<String, AppError> {
    let token = state.store.api_token(actor, token_id).await?;
    let role: Role = token.role.parse()?;
    if token.revoked_at.is_some() {
        return Err(AppError::NotFound);
    }
    if !roles_for(actor, &token.organisation_id).contains(&role) {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .revoke_api_token(actor, token_id, state.now())
        .await?;
    Ok(token.organisation_id)
}

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created: String,
    pub revoked: Option<String>,
    /// The viewer keeps tokens of this role and may revoke it.
    pub can_revoke: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    shell: Shell,
    id: String,
    organisation: String,
    tokens: Vec<TokenLine>,
    roles: Vec<Role>,
    name: String,
    role: String,
    /// The new token, shown this once.
    created: Option<String>,
    errors: Vec<ValidationError>,
}

fn day(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| {
            keten_core::opening_hours::date_nl(
                t.to_zoned(keten_core::opening_hours::Region::Nl.time_zone().clone())
                    .date(),
            )
        })
        .unwrap_or_default()
}

async fn view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
) -> Result<TokensPage, AppError> {
    let organisation = state.store.organisation(actor, id).await?;
    let roles = roles_for(actor, id);
    if roles.is_empty() {
        return Err(AppError::Forbidden);
    }
    let tokens = state
        .store
        .api_tokens_of(actor, id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            can_revoke: t.role.parse::<Role>().is_ok_and(|r| roles.contains(&r)),
            role: t
                .role
                .parse::<Role>()
                .map(|r| r.label().to_owned())
                .unwrap_or(t.role),
            created: day(t.created_at),
            revoked: t.revoked_at.map(day),
            id: t.id,
            name: t.name,
        })
        .collect();
    Ok(TokensPage {
        shell,
        id: id.to_owned(),
        organisation: organisation.name,
        tokens,
        role: roles
            .first()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        roles,
        name: String::new(),
        created: None,
        errors: Vec::new(),
    })
}

async fn tokens_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<TokensPage, PageError> {
    Ok(view(&state, shell, &me.0.actor, &id).await?)
}

#[derive(Debug, Default, Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

async fn create_token(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    let mut page = view(&state, shell, actor, &id).await?;
    let token = match create(&state, actor, &id, &form.role, &form.name).await {
        Ok((_, token)) => token,
        Err(AppError::Validation(errors)) => {
            page.errors = errors;
            page.name = form.name;
            page.role = form.role;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let mut page = view(&state, page.shell, actor, &id).await?;
    page.created = Some(token);
    // The token is on this page once: no cache may keep it.
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    me: RequireUser,
    Path((id, token)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    let actor = &me.0.actor;
    // Another chain's organisation is not found; one of the chain needs a keeper of its tokens.
    state.store.organisation(actor, &id).await?;
    if roles_for(actor, &id).is_empty() {
        return Err(AppError::Forbidden.into());
    }
    // Only a token of this very organisation, on this organisation's page.
    let of = state.store.api_token(actor, &token).await?.organisation_id;
    if of != id {
        return Err(AppError::NotFound.into());
    }
    revoke(&state, actor, &token).await?;
    Ok(Redirect::to(&format!("/organisaties/{id}/api-sleutels")))
}
