//! Importing a help point's history of help questions from a page: upload a CSV
//! or Excel file, map the columns, see every row's problems, then store all rows
//! or none (the same core checks as `keten import questions`).

use super::desk_point;
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::{AppError, PageError};
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::help_question_import::{Field, Mapping, RowError, Vocabulary, plan};
use keten_core::spreadsheet::{Table, read_csv, read_table};
use keten_store::categories::{Category, CategoryList};
use keten_store::help_questions::{DeskHelpPoint, Registrar, Source};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/balie/{hp}/inlezen", get(upload_page).post(upload))
        .route("/balie/{hp}/inlezen/opslaan", post(confirm))
}

/// Rows shown with errors; the rest is counted.
const SHOWN_ERRORS: usize = 200;

pub struct FieldChoice {
    pub name: &'static str,
    pub required: bool,
    pub column: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "desk_import.html")]
struct ImportPage {
    shell: Shell,
    point: DeskHelpPoint,
    fields: Vec<FieldChoice>,
    headers: Vec<String>,
    problems: Vec<String>,
    errors: Vec<RowError>,
    more_errors: usize,
    rows: usize,
    /// The file as CSV text, carried to "Alles inlezen" after a clean check.
    content: Option<String>,
}

fn pairs(categories: Vec<Category>) -> Vec<(String, String)> {
    categories.into_iter().map(|c| (c.code, c.label)).collect()
}

async fn coordinated(
    state: &AppState,
    me: &RequireUser,
    hp: &str,
) -> Result<DeskHelpPoint, AppError> {
    let point = desk_point(state, &me.0.actor, hp).await?;
    if state.store.coordinates_desk(&me.0.actor, &point) {
        Ok(point)
    } else {
        Err(AppError::Forbidden)
    }
}

fn page(shell: Shell, point: DeskHelpPoint, overrides: &[(String, String)]) -> ImportPage {
    ImportPage {
        shell,
        point,
        fields: Field::ALL
            .into_iter()
            .map(|f| FieldChoice {
                name: f.name(),
                required: f.required(),
                column: overrides
                    .iter()
                    .find(|(n, _)| n == f.name())
                    .map(|(_, c)| c.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        headers: Vec::new(),
        problems: Vec::new(),
        errors: Vec::new(),
        more_errors: 0,
        rows: 0,
        content: None,
    }
}

async fn upload_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
) -> Result<ImportPage, PageError> {
    let point = coordinated(&state, &me, &hp).await?;
    Ok(page(shell, point, &[]))
}

/// Checks the table; stores it when asked and clean. `Ok(None)` means stored.
async fn check(
    state: &AppState,
    shell: Shell,
    point: DeskHelpPoint,
    table: Table,
    overrides: Vec<(String, String)>,
    store: bool,
) -> Result<Response, AppError> {
    let mut view = page(shell, point.clone(), &overrides);
    view.headers = table.headers.clone();
    view.rows = table.rows.len();
    let mapping = match Mapping::build(&table.headers, &overrides) {
        Ok(m) => m,
        Err(problems) => {
            view.problems = problems;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        }
    };
    let vocabulary = Vocabulary {
        topics: pairs(state.store.topic_categories().await?),
        agencies: pairs(state.store.category_list(CategoryList::Agency).await?),
        kinds: pairs(state.store.category_list(CategoryList::Kind).await?),
    };
    let categories = state.store.question_categories().await?;
    let result = plan(
        &table,
        &mapping,
        &vocabulary,
        &categories,
        state.clock.now(),
        point.region(),
    );
    if !result.is_ok() {
        view.more_errors = result.errors.len().saturating_sub(SHOWN_ERRORS);
        view.errors = result.errors.into_iter().take(SHOWN_ERRORS).collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    if store {
        let visits: Vec<_> = result.visits.into_iter().map(|(_, v)| v).collect();
        let by = Registrar {
            source: Source::Import,
            user_id: None,
            link_id: None,
        };
        let n = state
            .store
            .import_visits(&point, &visits, &by, state.now(), |_| {})
            .await?;
        return Ok(
            Redirect::to(&format!("/balie/{}/overzicht?ingelezen={n}", point.id)).into_response(),
        );
    }
    view.content = Some(to_csv(&table)?);
    Ok(view.into_response())
}

fn to_csv(table: &Table) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>| -> Result<(), csv::Error> {
        out.write_record(&table.headers)?;
        for (_, row) in &table.rows {
            out.write_record(row)?;
        }
        Ok(())
    };
    write(&mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}

fn bad_upload() -> AppError {
    AppError::BadRequest("Het bestand kwam niet goed aan. Probeer het opnieuw.".into())
}

async fn upload(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let point = coordinated(&state, &me, &hp).await?;
    let mut file: Option<Vec<u8>> = None;
    let mut overrides = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| bad_upload())? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| bad_upload())?;
        if name == "bestand" && !bytes.is_empty() {
            file = Some(bytes.to_vec());
        } else if let Some(f) = name.strip_prefix("kolom_") {
            let column = String::from_utf8_lossy(&bytes).trim().to_owned();
            if !column.is_empty() {
                overrides.push((f.to_owned(), column));
            }
        }
    }
    let Some(bytes) = file else {
        let mut view = page(shell, point, &overrides);
        view.problems = vec!["Kies een bestand (CSV of Excel) om te controleren.".into()];
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    };
    let table = match crate::upload::off_worker(move || read_table(&bytes)).await {
        Ok(t) => t,
        Err(problem) => {
            let mut view = page(shell, point, &overrides);
            view.problems = vec![problem];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        }
    };
    Ok(check(&state, shell, point, table, overrides, false).await?)
}

/// "Alles inlezen": the checked content comes back, is checked again and stored.
async fn confirm(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(hp): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let point = coordinated(&state, &me, &hp).await?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut content = String::new();
    let mut overrides = Vec::new();
    for (k, v) in fields {
        if k == "inhoud" {
            content = v;
        } else if let Some(f) = k.strip_prefix("kolom_")
            && !v.trim().is_empty()
        {
            overrides.push((f.to_owned(), v));
        }
    }
    let table = read_csv(&content).map_err(AppError::BadRequest)?;
    Ok(check(&state, shell, point, table, overrides, true).await?)
}
