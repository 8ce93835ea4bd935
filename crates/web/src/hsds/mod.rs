//! Open Referral HSDS 3.0, read-only, at `/hsds`: the public directory (help points, consultation hours, topics) as
//! organizations, services, locations, service_at_locations, one taxonomy and its terms.
//!
//! Built per request from `Store::directory()` (public data only: no tenant-scoped organisation rows). Lists take
//! `page` (from 1), `per_page` (1..=1000, default 50), `search` and the filters of the HSDS OpenAPI document, and
//! answer with its paging envelope in a stable order (name, then id; nearest first when `postcode` is given).
//! Errors are RFC 9457 problem documents.

pub mod import;
pub mod model;
pub mod tabular;

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::extract::ApiQuery;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use keten_core::ValidationError;
use keten_core::geo::{ResolveError, distance_km, resolve_place};
use keten_core::reference::Country;
use model::{Dataset, SalRef, Service, TAXONOMY_NAME, taxonomy_id, taxonomy_json};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// The HSDS version served.
pub const HSDS_VERSION: &str = "3.0";
const DEFAULT_PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hsds", get(api_info))
        .route("/hsds/", get(api_info))
        .route("/hsds/services", get(list_services))
        .route("/hsds/services/{id}", get(get_service))
        .route("/hsds/organizations", get(list_organizations))
        .route("/hsds/organizations/{id}", get(get_organization))
        .route("/hsds/service_at_locations", get(list_sals))
        .route("/hsds/service_at_locations/{id}", get(get_sal))
        .route("/hsds/taxonomies", get(list_taxonomies))
        .route("/hsds/taxonomies/{id}", get(get_taxonomy))
        .route("/hsds/taxonomy_terms", get(list_terms))
        .route("/hsds/taxonomy_terms/{id}", get(get_term))
}

type ApiResult = Result<Json<Value>, ApiError>;

/// The `/hsds` endpoints in keten's OpenAPI document (tag "hsds"). Their request parameters and response objects
/// are those of the official HSDS 3.0 OpenAPI document (`shared/hsds/schema/openapi.json`), which this refers to
/// rather than copies.
pub fn document(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::Required;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
    use utoipa::openapi::response::Response;
    let list = "page, per_page, search, taxonomy_term_id, taxonomy_id, organization_id, modified_after \
                (service_at_locations also postcode and proximity); answers with the HSDS paging envelope";
    let endpoints: [(&str, &str, bool); 11] = [
        ("/hsds", "API information (HSDS version, profile)", false),
        (
            "/hsds/services",
            "Services: the digital help of each help point and the partners' consultation hours",
            false,
        ),
        ("/hsds/services/{id}", "One service, fully nested", true),
        (
            "/hsds/organizations",
            "Organizations that run help points or hold consultation hours",
            false,
        ),
        (
            "/hsds/organizations/{id}",
            "One organization with its services and locations",
            true,
        ),
        (
            "/hsds/service_at_locations",
            "Services at help points (nearest first with postcode)",
            false,
        ),
        (
            "/hsds/service_at_locations/{id}",
            "One service at a location, fully nested",
            true,
        ),
        ("/hsds/taxonomies", "The taxonomy of keten's topics", false),
        ("/hsds/taxonomies/{id}", "One taxonomy", true),
        ("/hsds/taxonomy_terms", "Topics as taxonomy terms", false),
        ("/hsds/taxonomy_terms/{id}", "One taxonomy term", true),
    ];
    for (path, summary, by_id) in endpoints {
        let mut op = OperationBuilder::new()
            .tag("hsds")
            .summary(Some(summary))
            .description(Some(if by_id || path == "/hsds" {
                "Open Referral HSDS 3.0. Carries a weak ETag (the directory revision); If-None-Match gives 304."
                    .to_owned()
            } else {
                format!("Open Referral HSDS 3.0 list: {list}. Carries a weak ETag; If-None-Match gives 304.")
            }))
            .response("200", Response::new("HSDS 3.0 JSON as in the official HSDS OpenAPI document"))
            .response("304", Response::new("Not modified since the ETag in If-None-Match"));
        if by_id {
            op = op
                .parameter(
                    ParameterBuilder::new()
                        .name("id")
                        .parameter_in(ParameterIn::Path)
                        .required(Required::True)
                        .description(Some("The object's id (HSDS ids are UUIDs)"))
                        // A parameter without a schema is invalid OpenAPI 3.1 for most tools (issue 18).
                        .schema(Some(
                            utoipa::openapi::ObjectBuilder::new()
                                .schema_type(utoipa::openapi::schema::Type::String),
                        )),
                )
                .response("404", Response::new("No such object (problem+json)"));
        } else if path != "/hsds" {
            op = op.response("400", Response::new("A bad query parameter (problem+json)"));
        }
        openapi
            .paths
            .add_path_operation(path, vec![HttpMethod::Get], op.build());
    }
}

/// Conditional GETs for systems that sync: every `/hsds` answer depends only on the directory and the URL, so the
/// directory revision makes a valid (weak) ETag for each URL. A matching `If-None-Match` gets 304 without building
/// the dataset; successful answers carry the ETag and may be cached briefly by anyone (the data is public).
pub async fn cache(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    let Ok(version) = state.store.directory_version().await else {
        // Without the revision, answer uncached rather than fail.
        return next.run(request).await;
    };
    // Data offers start and end on calendar days without a write, so the day is part of the tag.
    let etag = format!(
        "W/\"hsds-{}-{}\"",
        version.revision,
        crate::devices::api::today(&state)
    );
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let cache_control = HeaderValue::from_static("public, max-age=60");
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return next.run(request).await;
    };
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag_value),
                (header::CACHE_CONTROL, cache_control),
            ],
        )
            .into_response();
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::OK {
        let headers = response.headers_mut();
        headers.insert(header::ETAG, etag_value);
        headers.insert(header::CACHE_CONTROL, cache_control);
    }
    response
}

/// Query parameters of the list endpoints, all read as text so that bad values become validation problems.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    search: Option<String>,
    format: Option<String>,
    taxonomy_term_id: Option<String>,
    taxonomy_id: Option<String>,
    organization_id: Option<String>,
    modified_after: Option<String>,
    postcode: Option<String>,
    proximity: Option<String>,
    parent_id: Option<String>,
    top_only: Option<String>,
    minimal: Option<String>,
    full: Option<String>,
    full_service: Option<String>,
}

/// Non-empty, trimmed.
fn given(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

struct Paging {
    page: usize,
    per_page: usize,
}

impl ListQuery {
    fn paging(&self) -> Result<Paging, AppError> {
        let page = match given(self.page.as_ref()) {
            None => 1,
            Some(p) => p.parse::<usize>().ok().filter(|&p| p >= 1).ok_or_else(|| {
                ValidationError::new("page", "page moet een heel getal van 1 of meer zijn.")
            })?,
        };
        let per_page = match given(self.per_page.as_ref()) {
            None => DEFAULT_PER_PAGE,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                .ok_or_else(|| {
                    ValidationError::new(
                        "per_page",
                        format!(
                            "per_page moet een heel getal van 1 tot en met {MAX_PER_PAGE} zijn."
                        ),
                    )
                })?,
        };
        if let Some(f) = given(self.format.as_ref())
            && !f.eq_ignore_ascii_case("json")
        {
            return Err(
                ValidationError::new("format", "Alleen format=json wordt ondersteund.").into(),
            );
        }
        Ok(Paging { page, per_page })
    }

    /// `modified_after` as unix seconds: an RFC 3339 time, or a date (midnight UTC).
    /// A boolean parameter of the HSDS OpenAPI document (`minimal`, `full`, `full_service`).
    fn flag(name: &'static str, value: Option<&String>) -> Result<bool, AppError> {
        match given(value).map(str::to_lowercase).as_deref() {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(_) => {
                Err(ValidationError::new(name, format!("{name} moet true of false zijn.")).into())
            }
        }
    }

    fn modified_after(&self) -> Result<Option<i64>, AppError> {
        let Some(text) = given(self.modified_after.as_ref()) else {
            return Ok(None);
        };
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Ok(Some(ts.as_second()));
        }
        if let Ok(date) = text.parse::<jiff::civil::Date>()
            && let Ok(zoned) = date.to_zoned(jiff::tz::TimeZone::UTC)
        {
            return Ok(Some(zoned.timestamp().as_second()));
        }
        Err(ValidationError::new(
            "modified_after",
            "modified_after moet een tijdstip zijn zoals 2026-03-01T00:00:00Z of een datum zoals 2026-03-01.",
        )
        .into())
    }

    fn search(&self) -> Option<String> {
        given(self.search.as_ref()).map(str::to_lowercase)
    }
}

/// The paging envelope of the HSDS OpenAPI document around one page of `items`.
fn page_of(items: Vec<Value>, paging: &Paging) -> Value {
    let total = items.len();
    let total_pages = total.div_ceil(paging.per_page);
    let contents: Vec<Value> = items
        .into_iter()
        .skip((paging.page - 1).saturating_mul(paging.per_page))
        .take(paging.per_page)
        .collect();
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": contents.len(),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

async fn dataset(state: &AppState) -> Result<Dataset, AppError> {
    Ok(Dataset::build(
        state.store.directory().await?,
        &state.store.organisation_identifiers().await?,
        access(&state.store, crate::devices::api::today(state)).await?,
    ))
}

/// The device bank's help points and the data offers running on `today`, for the HSDS services.
pub async fn access(
    store: &keten_store::Store,
    today: jiff::civil::Date,
) -> Result<model::Access, AppError> {
    Ok(model::Access {
        device_points: store.device_points().await?,
        offers: store.public_data_offers(today).await?,
    })
}

async fn api_info() -> Json<Value> {
    Json(json!({
        "version": HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/latest/hsds/",
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    }))
}

// ---------------------------------------------------------------------------------------------------------------
// Services and service_at_locations
// ---------------------------------------------------------------------------------------------------------------

/// The services that pass the common filters, in the dataset's order.
fn filter_services<'a>(data: &'a Dataset, q: &ListQuery) -> Result<Vec<&'a Service>, AppError> {
    let modified_after = q.modified_after()?;
    let search = q.search();
    let term_codes: Option<HashSet<String>> =
        given(q.taxonomy_term_id.as_ref()).map(|id| data.term_and_descendants(id));
    if let Some(id) = given(q.taxonomy_id.as_ref())
        && id != taxonomy_id()
    {
        return Ok(Vec::new());
    }
    let organization = given(q.organization_id.as_ref());

    let out: Vec<&Service> = data
        .services
        .iter()
        .filter(|s| modified_after.is_none_or(|t| s.updated_at >= t))
        .filter(|s| organization.is_none_or(|o| s.organization_id == o))
        .filter(|s| {
            term_codes
                .as_ref()
                .is_none_or(|codes| s.topics.iter().any(|c| codes.contains(c)))
        })
        .filter(|s| {
            search
                .as_deref()
                .is_none_or(|needle| matches_search(data, s, needle))
        })
        .collect();
    Ok(out)
}

/// The services' places that pass the place filters: with `postcode`, nearest first, within `proximity` metres of
/// the place itself (a stop's own point, not its help point's) or, without it, whose help point serves the
/// postcode's municipality.
fn filter_places<'a>(
    data: &'a Dataset,
    q: &ListQuery,
    services: Vec<&'a Service>,
) -> Result<Vec<SalRef<'a>>, AppError> {
    let sals: Vec<SalRef<'a>> = services.into_iter().flat_map(|s| data.sals_of(s)).collect();
    let proximity_m = match given(q.proximity.as_ref()) {
        None => None,
        Some(p) => Some(
            p.parse::<f64>()
                .ok()
                .filter(|m| m.is_finite() && *m >= 0.0)
                .ok_or_else(|| {
                    ValidationError::new(
                        "proximity",
                        "proximity is een afstand in meters, zoals 2000.",
                    )
                })?,
        ),
    };
    let Some(postcode) = given(q.postcode.as_ref()) else {
        if proximity_m.is_some() {
            return Err(
                ValidationError::new("proximity", "Geef bij proximity ook een postcode.").into(),
            );
        }
        return Ok(sals);
    };
    let place = resolve_place(postcode, Country::Nl).map_err(|e| {
        ValidationError::new(
            "postcode",
            match e {
                ResolveError::Empty => "Vul een postcode in.".to_owned(),
                other => other.to_string(),
            },
        )
    })?;
    let mut with_distance: Vec<(f64, String, SalRef<'a>)> = sals
        .into_iter()
        .map(|r| {
            (
                distance_km(place.point, data.sal_point(r)),
                data.sal_id(r),
                r,
            )
        })
        .filter(|(km, _, r)| match proximity_m {
            Some(m) => km * 1000.0 <= m,
            // Without proximity: the service area, i.e. the municipalities the help point serves.
            None => {
                let hp = data.sal_help_point(*r);
                hp.municipality_code == place.municipality.code
                    || hp.municipalities_served.contains(&place.municipality.code)
            }
        })
        .collect();
    with_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(with_distance.into_iter().map(|(_, _, r)| r).collect())
}

fn matches_search(data: &Dataset, s: &Service, needle: &str) -> bool {
    let org = data.org(&s.organization_id).map_or("", |o| o.name.as_str());
    let place = data.help_point(s).map_or([""; 4], |hp| {
        [
            hp.name.as_str(),
            hp.city.as_str(),
            hp.postcode.as_str(),
            hp.street_address.as_str(),
        ]
    });
    [s.name.as_str(), org]
        .iter()
        .chain(place.iter())
        .any(|h| h.to_lowercase().contains(needle))
        || s.topics.iter().any(|c| {
            c.contains(needle)
                || data
                    .term(c)
                    .is_some_and(|t| t.name.to_lowercase().contains(needle))
        })
}

async fn list_services(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult {
    let paging = q.paging()?;
    let minimal = ListQuery::flag("minimal", q.minimal.as_ref())?;
    let full = ListQuery::flag("full", q.full.as_ref())?;
    let data = dataset(&state).await?;
    let items = filter_services(&data, &q)?
        .into_iter()
        .map(|s| {
            if minimal {
                json!({"id": s.id, "modified_date": rfc3339(s.updated_at)})
            } else if full {
                data.service_full(s)
            } else {
                data.service_brief(s)
            }
        })
        .collect();
    Ok(Json(page_of(items, &paging)))
}

async fn get_service(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let data = dataset(&state).await?;
    let s = data
        .services
        .iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(data.service_full(s)))
}

async fn list_sals(State(state): State<AppState>, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult {
    let paging = q.paging()?;
    let full = ListQuery::flag("full", q.full.as_ref())?;
    let data = dataset(&state).await?;
    let services = filter_services(&data, &q)?;
    let items = filter_places(&data, &q, services)?
        .into_iter()
        .map(|r| {
            if full {
                data.sal_full(r)
            } else {
                data.sal_brief(r)
            }
        })
        .collect();
    Ok(Json(page_of(items, &paging)))
}

async fn get_sal(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let data = dataset(&state).await?;
    let r = data
        .sals()
        .find(|r| data.sal_id(*r) == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(data.sal_full(r)))
}

// ---------------------------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------------------------

async fn list_organizations(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult {
    let paging = q.paging()?;
    let modified_after = q.modified_after()?;
    let full = ListQuery::flag("full", q.full.as_ref())?;
    let full_service = ListQuery::flag("full_service", q.full_service.as_ref())?;
    let search = q.search();
    let data = dataset(&state).await?;
    let items = data
        .organizations
        .iter()
        .filter(|o| modified_after.is_none_or(|t| o.updated_at >= t))
        .filter(|o| {
            search
                .as_deref()
                .is_none_or(|n| o.name.to_lowercase().contains(n))
        })
        .map(|o| match (full_service, full) {
            (true, _) => data.org_with_full_services(o),
            (false, true) => data.org_full(o),
            (false, false) => data.org_brief(o),
        })
        .collect();
    Ok(Json(page_of(items, &paging)))
}

#[derive(Debug, Default, Deserialize)]
struct OrganizationQuery {
    full_service: Option<String>,
}

async fn get_organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<OrganizationQuery>,
) -> ApiResult {
    let full_service = ListQuery::flag("full_service", q.full_service.as_ref())?;
    let data = dataset(&state).await?;
    let o = data.org(&id).ok_or(AppError::NotFound)?;
    Ok(Json(if full_service {
        data.org_with_full_services(o)
    } else {
        data.org_full(o)
    }))
}

/// A unix time as HSDS writes times (RFC 3339, UTC).
fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------------------
// Taxonomies and terms
// ---------------------------------------------------------------------------------------------------------------

async fn list_taxonomies(ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult {
    let paging = q.paging()?;
    let search = q.search();
    let items = [taxonomy_json()]
        .into_iter()
        .filter(|_| {
            search
                .as_deref()
                .is_none_or(|n| TAXONOMY_NAME.contains(n) || "onderwerpen".contains(n))
        })
        .collect();
    Ok(Json(page_of(items, &paging)))
}

async fn get_taxonomy(Path(id): Path<String>) -> ApiResult {
    if id != taxonomy_id() {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(taxonomy_json()))
}

async fn list_terms(State(state): State<AppState>, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult {
    let paging = q.paging()?;
    let search = q.search();
    let data = dataset(&state).await?;
    if let Some(id) = given(q.taxonomy_id.as_ref())
        && id != taxonomy_id()
    {
        return Ok(Json(page_of(Vec::new(), &paging)));
    }
    let parent = given(q.parent_id.as_ref());
    let top_only = given(q.top_only.as_ref()).is_some_and(|v| v == "true" || v == "1");
    let has_children: HashMap<&str, bool> = data
        .terms
        .iter()
        .filter_map(|t| t.parent_id.as_deref().map(|p| (p, true)))
        .collect();
    let mut terms: Vec<&model::Term> = data
        .terms
        .iter()
        .filter(|t| parent.is_none_or(|p| t.parent_id.as_deref() == Some(p)))
        // "Only retrieve taxonomy terms that have no child terms" (HSDS OpenAPI).
        .filter(|t| !top_only || !has_children.contains_key(t.id.as_str()))
        .filter(|t| {
            search
                .as_deref()
                .is_none_or(|n| t.name.to_lowercase().contains(n) || t.code.contains(n))
        })
        .collect();
    terms.sort_by(|a, b| a.code.cmp(&b.code).then_with(|| a.id.cmp(&b.id)));
    let items = terms.into_iter().map(|t| data.term_json(t)).collect();
    Ok(Json(page_of(items, &paging)))
}

async fn get_term(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let data = dataset(&state).await?;
    let t = data
        .terms
        .iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)?;
    let mut v = data.term_json(t);
    if let Value::Object(map) = &mut v {
        map.insert("taxonomy_detail".into(), taxonomy_json());
    }
    Ok(Json(v))
}
