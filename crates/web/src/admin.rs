//! Administration: organisations and user accounts (pages), shared with the JSON API.

use crate::AppState;
use crate::auth::RequireUser;
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
use keten_core::account::{Role, UserDraft, hash_password};
use keten_core::organisation::{
    OrganisationDraft, OrganisationIdentifiers, OrganisationKind, Sector, format_kbo,
};
use keten_store::Actor;
use keten_store::accounts::User;
use keten_store::organisations::Organisation;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(admin_overview))
        .route("/beheer/organisaties", post(create_organisation_form))
        .route("/beheer/gebruikers", get(users_page).post(create_user_form))
        .route(
            "/beheer/gebruikers/{id}/uitschakelen",
            post(disable_user_form),
        )
        .route(
            "/beheer/gebruikers/{id}/verwijderen",
            post(remove_user_form),
        )
        .route(
            "/beheer/gebruikers/{id}/tweede-stap-wissen",
            post(reset_second_factor_form),
        )
        .route("/organisaties/{id}", get(organisation_page))
        .route("/organisaties/{id}/nummers", post(save_identifiers))
}

/// Fields of the organisation form and API body, as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrganisationInput {
    #[serde(default)]
    pub name: String,
    /// municipality, library, community, partner or national_body
    #[serde(default)]
    pub kind: String,
    /// public, civil, private, knowledge or citizens
    #[serde(default)]
    pub sector: String,
    /// Home municipality: CBS code (GM0599) or NIS code (44021)
    #[serde(default)]
    pub municipality_code: String,
    /// Further municipalities it is active in (comma separated in the form)
    #[serde(default)]
    pub active_in: Vec<String>,
    /// KvK number (8 digits), optional
    #[serde(default)]
    pub kvk_number: String,
    /// KBO/enterprise number (10 digits, Belgium), optional
    #[serde(default)]
    pub kbo_number: String,
}

/// Fields of the user form and API body, as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    /// staff, partner, steering, programme_manager or admin
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organisation_id: String,
}

pub(crate) fn require_admin(actor: &Actor) -> Result<(), AppError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Creates an organisation on behalf of an admin.
pub(crate) async fn create_organisation(
    state: &AppState,
    actor: &Actor,
    input: &OrganisationInput,
) -> Result<Organisation, AppError> {
    require_admin(actor)?;
    let draft = OrganisationDraft::parse(
        &input.name,
        &input.kind,
        &input.sector,
        &input.municipality_code,
        &input.active_in,
    );
    let identifiers = OrganisationIdentifiers::parse(&input.kvk_number, &input.kbo_number);
    // Every problem of the form at once.
    let draft = match (draft, identifiers) {
        (Ok(mut draft), Ok(identifiers)) => {
            draft.identifiers = identifiers;
            draft
        }
        (draft, identifiers) => {
            let mut errors = draft.err().unwrap_or_default();
            errors.extend(identifiers.err().unwrap_or_default());
            return Err(AppError::Validation(errors));
        }
    };
    Ok(state.store.create_organisation(&draft, state.now()).await?)
}

/// Creates a user with one membership on behalf of an admin.
pub(crate) async fn create_user(
    state: &AppState,
    actor: &Actor,
    input: &UserInput,
) -> Result<User, AppError> {
    require_admin(actor)?;
    let draft = UserDraft::parse(
        &input.email,
        &input.display_name,
        &input.password,
        &input.role,
        &input.organisation_id,
    )
    .map_err(AppError::Validation)?;
    let organisation = state
        .store
        .organisation(actor, &draft.organisation_id)
        .await
        .map_err(|_| {
            AppError::Validation(vec![ValidationError::new(
                "organisation_id",
                "Deze organisatie bestaat niet.",
            )])
        })?;
    let password = draft.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let user = state
        .store
        .create_user(&draft.email, &draft.display_name, &hash, state.now())
        .await?;
    state
        .store
        .add_membership(&user.id, &organisation.id, draft.role)
        .await?;
    Ok(user)
}

/// An admin's own account is not theirs to switch off: the last admin would lock everyone out.
fn not_oneself(actor: &Actor, user_id: &str) -> Result<(), AppError> {
    if actor.user_id.as_deref() == Some(user_id) {
        return Err(AppError::Conflict(
            "U kunt uw eigen account niet uitschakelen of verwijderen.".into(),
        ));
    }
    Ok(())
}

/// Disables a user on behalf of an admin (page and API): no more sign-in, every session ends.
pub(crate) async fn disable_user(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<User, AppError> {
    require_admin(actor)?;
    not_oneself(actor, user_id)?;
    Ok(state.store.disable_user(user_id, state.now()).await?)
}

/// Removes a user on behalf of an admin (page and API), ending their sessions.
pub(crate) async fn remove_user(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<(), AppError> {
    require_admin(actor)?;
    not_oneself(actor, user_id)?;
    Ok(state.store.remove_user(user_id).await?)
}

/// Removes a user's second factor on behalf of an admin (a lost phone): their sessions end and their next
/// sign-in sets up a new one.
pub(crate) async fn reset_second_factor(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<(), AppError> {
    require_admin(actor)?;
    if actor.user_id.as_deref() == Some(user_id) {
        return Err(AppError::Conflict(
            "Uw eigen tweede stap stelt een andere beheerder opnieuw in (of iemand met toegang tot de server: \
             keten user reset-second-factor)."
                .into(),
        ));
    }
    Ok(state.store.remove_second_factor(user_id).await?)
}

async fn reset_second_factor_form(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let outcome = reset_second_factor(&state, &me.0.actor, &id)
        .await
        .map(|()| "tweede-stap-gewist");
    after_user_action(&state, shell, &me.0.actor, outcome).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
struct UsersPage {
    shell: Shell,
    users: Vec<User>,
    /// The admin's own id: no buttons on their own row.
    me: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct UsersQuery {
    gedaan: Option<String>,
}

async fn users_view(state: &AppState, shell: Shell, actor: &Actor) -> Result<UsersPage, AppError> {
    require_admin(actor)?;
    Ok(UsersPage {
        shell,
        users: state.store.users(actor).await?,
        me: actor.user_id.clone().unwrap_or_default(),
        notice: None,
        error: None,
    })
}

async fn users_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    axum::extract::Query(q): axum::extract::Query<UsersQuery>,
) -> Result<UsersPage, PageError> {
    let mut page = users_view(&state, shell, &me.0.actor).await?;
    page.notice = match q.gedaan.as_deref() {
        Some("uitgeschakeld") => {
            Some("Het account is uitgeschakeld; de persoon is overal afgemeld.".into())
        }
        Some("verwijderd") => Some("Het account is verwijderd.".into()),
        Some("tweede-stap-gewist") => Some(
            "De tweede stap is gewist; de persoon is overal afgemeld en stelt bij de volgende keer inloggen een \
             nieuwe in."
                .into(),
        ),
        _ => None,
    };
    Ok(page)
}

/// After a disable or remove: back to the list with what happened, or the list with the reason it did not.
async fn after_user_action(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    outcome: Result<&'static str, AppError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("/beheer/gebruikers?gedaan={done}")).into_response()),
        Err(AppError::Conflict(message)) => {
            let mut page = users_view(state, shell, actor).await?;
            page.error = Some(message);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn disable_user_form(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let outcome = disable_user(&state, &me.0.actor, &id)
        .await
        .map(|_| "uitgeschakeld");
    after_user_action(&state, shell, &me.0.actor, outcome).await
}

async fn remove_user_form(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let outcome = remove_user(&state, &me.0.actor, &id)
        .await
        .map(|()| "verwijderd");
    after_user_action(&state, shell, &me.0.actor, outcome).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
struct AdminPage {
    shell: Shell,
    organisations: Vec<Organisation>,
    users: Vec<User>,
    kinds: &'static [OrganisationKind],
    sectors: &'static [Sector],
    roles: &'static [Role],
    organisation_form: OrganisationForm,
    user_form: UserForm,
    organisation_errors: Vec<ValidationError>,
    user_errors: Vec<ValidationError>,
    notice: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    active_in: String,
    #[serde(default)]
    kvk_number: String,
    #[serde(default)]
    kbo_number: String,
}

impl OrganisationForm {
    fn input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            sector: self.sector.clone(),
            municipality_code: self.municipality_code.clone(),
            active_in: self
                .active_in
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            kvk_number: self.kvk_number.clone(),
            kbo_number: self.kbo_number.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

impl UserForm {
    fn input(&self) -> UserInput {
        UserInput {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            password: self.password.clone(),
            role: self.role.clone(),
            organisation_id: self.organisation_id.clone(),
        }
    }
}

async fn admin_page(state: &AppState, shell: Shell, actor: &Actor) -> Result<AdminPage, AppError> {
    Ok(AdminPage {
        shell,
        organisations: state.store.organisations(actor).await?,
        users: state.store.users(actor).await?,
        kinds: OrganisationKind::ALL,
        sectors: Sector::ALL,
        roles: Role::ALL,
        organisation_form: OrganisationForm::default(),
        user_form: UserForm::default(),
        organisation_errors: Vec::new(),
        user_errors: Vec::new(),
        notice: None,
    })
}

async fn admin_overview(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<AdminPage, PageError> {
    require_admin(&me.0.actor)?;
    Ok(admin_page(&state, shell, &me.0.actor).await?)
}

/// Shows the admin page again with the form's errors and the input kept.
fn with_errors(
    mut page: AdminPage,
    error: AppError,
    user_form: bool,
) -> Result<Response, PageError> {
    let errors = match error {
        AppError::Validation(errors) => errors,
        AppError::Conflict(message) => vec![ValidationError::new("email", message)],
        other => return Err(PageError(other)),
    };
    if user_form {
        page.user_errors = errors;
    } else {
        page.organisation_errors = errors;
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn create_organisation_form(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, PageError> {
    require_admin(&me.0.actor)?;
    match create_organisation(&state, &me.0.actor, &form.input()).await {
        Ok(org) => Ok(Redirect::to(&format!("/organisaties/{}", org.id)).into_response()),
        Err(e) => {
            let mut page = admin_page(&state, shell, &me.0.actor).await?;
            page.organisation_form = form;
            with_errors(page, e, false)
        }
    }
}

async fn create_user_form(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    require_admin(&me.0.actor)?;
    match create_user(&state, &me.0.actor, &form.input()).await {
        Ok(user) => {
            let mut page = admin_page(&state, shell, &me.0.actor).await?;
            page.notice = Some(format!("Account voor {} is aangemaakt.", user.email));
            Ok(page.into_response())
        }
        Err(e) => {
            let mut page = admin_page(&state, shell, &me.0.actor).await?;
            // Never send a password back to the browser.
            page.user_form = UserForm {
                password: String::new(),
                ..form
            };
            with_errors(page, e, true)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    shell: Shell,
    organisation: Organisation,
    municipalities: Vec<String>,
    kbo: Option<String>,
    /// Admins and the organisation's own staff, coordinators or steering members keep its numbers.
    may_edit: bool,
    kvk_input: String,
    kbo_input: String,
    errors: Vec<ValidationError>,
    saved: bool,
}

/// The store's rule ([`Actor::keeps_identifiers_of`]); coordinators were refused while their staff were allowed,
/// as the authorization matrix showed.
fn may_edit_identifiers(actor: &Actor, organisation_id: &str) -> bool {
    actor.keeps_identifiers_of(organisation_id)
}

async fn organisation_view(
    state: &AppState,
    shell: Shell,
    actor: &Actor,
    id: &str,
) -> Result<OrganisationPage, AppError> {
    let organisation = state.store.organisation(actor, id).await?;
    let municipalities = organisation
        .active_in
        .iter()
        .map(|code| {
            keten_core::reference::municipality(code)
                .map(|m| format!("{} ({code})", m.name))
                .unwrap_or_else(|| code.clone())
        })
        .collect();
    Ok(OrganisationPage {
        shell,
        may_edit: may_edit_identifiers(actor, &organisation.id),
        kbo: organisation
            .identifiers
            .kbo_number
            .as_deref()
            .map(format_kbo),
        kvk_input: organisation
            .identifiers
            .kvk_number
            .clone()
            .unwrap_or_default(),
        kbo_input: organisation
            .identifiers
            .kbo_number
            .as_deref()
            .map(format_kbo)
            .unwrap_or_default(),
        organisation,
        municipalities,
        errors: Vec::new(),
        saved: false,
    })
}

async fn organisation_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<OrganisationPage, PageError> {
    Ok(organisation_view(&state, shell, &me.0.actor, &id).await?)
}

#[derive(Debug, Default, Deserialize)]
struct IdentifiersForm {
    #[serde(default)]
    kvk_number: String,
    #[serde(default)]
    kbo_number: String,
}

async fn save_identifiers(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    Form(form): Form<IdentifiersForm>,
) -> Result<Response, PageError> {
    let actor = &me.0.actor;
    let mut page = organisation_view(&state, shell, actor, &id).await?;
    if !page.may_edit {
        return Err(AppError::Forbidden.into());
    }
    match OrganisationIdentifiers::parse(&form.kvk_number, &form.kbo_number) {
        Ok(identifiers) => {
            state
                .store
                .set_organisation_identifiers(actor, &id, &identifiers, state.now())
                .await?;
            let shell = page.shell;
            let mut page = organisation_view(&state, shell, actor, &id).await?;
            page.saved = true;
            Ok(page.into_response())
        }
        Err(errors) => {
            page.errors = errors;
            page.kvk_input = form.kvk_number;
            page.kbo_input = form.kbo_number;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
