//! API: the caller itself, user accounts and API tokens.

use crate::AppState;
use crate::admin::{UserInput, create_user as create_user_for};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use keten_core::account::Role;
use keten_store::accounts::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipResponse {
    pub organisation_id: String,
    pub organisation_name: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// Absent when the caller is an API token.
    pub user_id: Option<String>,
    pub memberships: Vec<MembershipResponse>,
    /// Municipality codes of the chains the caller belongs to.
    pub chain_municipalities: Vec<String>,
}

/// The caller: memberships and chains.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeResponse), (status = 401, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn me(ApiActor(actor): ApiActor) -> Json<MeResponse> {
    Json(MeResponse {
        user_id: actor.user_id,
        memberships: actor
            .memberships
            .into_iter()
            .map(|m| MembershipResponse {
                organisation_id: m.organisation_id,
                organisation_name: m.organisation_name,
                role: m.role,
            })
            .collect(),
        chain_municipalities: actor.chain_municipalities,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub disabled: bool,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        UserResponse {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            disabled: u.disabled,
        }
    }
}

/// Users the caller may see: everyone for an admin, else colleagues.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, body = [UserResponse]), (status = 401, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<UserResponse>>, ApiError> {
    let users = state.store.users(&actor).await?;
    Ok(Json(users.into_iter().map(UserResponse::from).collect()))
}

/// Creates a user with one membership (admins only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = UserInput,
    responses((status = 201, body = UserResponse), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<(StatusCode, Json<UserResponse>), ApiError> {
    let user = create_user_for(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Disables a user (admins only): no more sign-in, every session ends at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "accounts",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserResponse), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn disable_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<UserResponse>, ApiError> {
    let user = crate::admin::disable_user(&state, &actor, &id).await?;
    Ok(Json(user.into()))
}

/// Removes a user (admins only) with their memberships and sessions; what they registered stays.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "accounts",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn remove_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    crate::admin::remove_user(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApiTokenRequest {
    pub organisation_id: String,
    /// The role the token acts with; the caller must hold it in that organisation.
    pub role: String,
    /// What the token is for, e.g. the name of the system that uses it.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenResponse {
    pub id: String,
    /// Shown once: keten stores only a hash.
    pub token: String,
}

/// Creates an API token for an organisation (its coordinators and admins; never a role above the caller's).
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "accounts", request_body = ApiTokenRequest,
    responses((status = 201, body = ApiTokenResponse), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn create_api_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<ApiTokenRequest>,
) -> Result<(StatusCode, Json<ApiTokenResponse>), ApiError> {
    let (id, token) =
        crate::api_tokens::create(&state, &actor, &req.organisation_id, &req.role, &req.name)
            .await?;
    Ok((StatusCode::CREATED, Json(ApiTokenResponse { id, token })))
}

/// Revokes an API token the caller keeps: coordinators of its organisation and admins, never one of a higher role.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = crate::error::Problem)),
    security(("session" = []), ("token" = [])))]
pub async fn revoke_api_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    crate::api_tokens::revoke(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
