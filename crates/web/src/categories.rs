//! Admin page for the categories of help questions: topics, agencies and kinds,
//! each with the national IDO monitor category it counts under.

use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use keten_core::ValidationError;
use keten_store::StoreError;
use keten_store::categories::{Category, CategoryList};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer/categorieen", get(page).post(add))
        .route("/beheer/categorieen/monitor", post(set_monitor))
}

fn require_admin(me: &RequireUser) -> Result<(), AppError> {
    if me.0.actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewCategory {
    #[serde(default)]
    list: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    monitor_code: String,
    #[serde(default)]
    parent: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "categories.html")]
struct CategoriesPage {
    shell: Shell,
    topics: Vec<Category>,
    agencies: Vec<Category>,
    kinds: Vec<Category>,
    input: NewCategory,
    errors: Vec<ValidationError>,
}

impl CategoriesPage {
    /// (heading, list code, categories) for the three tables.
    fn sections(&self) -> [(&'static str, &'static str, &[Category]); 3] {
        [
            ("Onderwerpen", "topic", &self.topics),
            ("Instanties", "agency", &self.agencies),
            ("Soorten vragen", "kind", &self.kinds),
        ]
    }
}

async fn view(
    state: &AppState,
    shell: Shell,
    input: NewCategory,
) -> Result<CategoriesPage, AppError> {
    Ok(CategoriesPage {
        shell,
        topics: state.store.topic_categories().await?,
        agencies: state.store.category_list(CategoryList::Agency).await?,
        kinds: state.store.category_list(CategoryList::Kind).await?,
        input,
        errors: Vec::new(),
    })
}

async fn page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
) -> Result<CategoriesPage, PageError> {
    require_admin(&me)?;
    Ok(view(&state, shell, NewCategory::default()).await?)
}

fn list_of(code: &str) -> Result<Option<CategoryList>, ValidationError> {
    match code {
        "topic" => Ok(None),
        "agency" => Ok(Some(CategoryList::Agency)),
        "kind" => Ok(Some(CategoryList::Kind)),
        _ => Err(ValidationError::new(
            "list",
            "Kies onderwerp, instantie of soort vraag.",
        )),
    }
}

async fn add(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Form(input): Form<NewCategory>,
) -> Result<Response, PageError> {
    require_admin(&me)?;
    let mut errors = Vec::new();
    if input.label.trim().is_empty() || input.label.chars().count() > 100 {
        errors.push(ValidationError::new(
            "label",
            "Vul een naam in van hooguit 100 tekens.",
        ));
    }
    if input.monitor_code.trim().is_empty() {
        errors.push(ValidationError::new(
            "monitor_code",
            "Vul de categorie van de IDO-monitor in waaronder dit telt, bijvoorbeeld 'overig'.",
        ));
    }
    let list = list_of(&input.list)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let result = if !errors.is_empty() {
        Err(StoreError::Invalid(errors))
    } else {
        let category = Category {
            code: input.code.trim().to_owned(),
            label: input.label.trim().to_owned(),
            monitor_code: input.monitor_code.trim().to_owned(),
        };
        match (input.list.as_str(), list) {
            ("topic", _) => {
                let parent = Some(input.parent.trim()).filter(|p| !p.is_empty());
                state.store.add_topic(&category, parent).await
            }
            (_, Some(list)) => state.store.add_category(list, &category).await,
            _ => Err(StoreError::NotFound),
        }
    };
    let errors = match result {
        Ok(()) => return Ok(Redirect::to("/beheer/categorieen").into_response()),
        Err(StoreError::Invalid(errors)) => errors,
        Err(StoreError::Conflict(_)) => vec![ValidationError::new("code", "Deze code bestaat al.")],
        Err(StoreError::Database(e))
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation()) =>
        {
            vec![ValidationError::new(
                "parent",
                "Dit bovenliggende onderwerp bestaat niet.",
            )]
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    let mut page = view(&state, shell, input).await?;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Deserialize)]
struct MonitorChange {
    list: String,
    code: String,
    monitor_code: String,
}

async fn set_monitor(
    State(state): State<AppState>,
    me: RequireUser,
    Form(input): Form<MonitorChange>,
) -> Result<Redirect, PageError> {
    require_admin(&me)?;
    let list = list_of(&input.list)?;
    if input.monitor_code.trim().is_empty() {
        return Err(AppError::from(ValidationError::new(
            "monitor_code",
            "Vul een categorie van de IDO-monitor in.",
        ))
        .into());
    }
    state
        .store
        .set_monitor_code(list, &input.code, &input.monitor_code)
        .await?;
    Ok(Redirect::to("/beheer/categorieen"))
}
