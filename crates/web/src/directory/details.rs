//! Pages where coordinators keep a help point's details: partners' hours, exceptions, served municipalities, coordinates, stops.

use super::{TopicBox, require_coordinator};
use crate::AppState;
use crate::auth::RequireUser;
use crate::error::PageError;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use keten_core::ValidationError;
use keten_core::directory_details::{
    ConsultationHourDraft, ConsultationHourInput, EXCEPTION_KINDS, ExceptionInput, StopDraft,
    StopInput, exception_kind_code, parse_coordinates, parse_exception, parse_municipalities,
};
use keten_core::geo::{Precision, resolve_place};
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::opening_hours::{ExceptionKind, Region, format_recurring};
use keten_core::reference::{Country, municipality};
use keten_store::help_points::HelpPoint;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/beheer/hulppunten/{id}/spreekuren",
            get(hours_page).post(add_hour),
        )
        .route(
            "/beheer/hulppunten/{id}/spreekuren/{hour}",
            get(hour_page).post(save_hour),
        )
        .route(
            "/beheer/hulppunten/{id}/spreekuren/{hour}/verwijderen",
            post(delete_hour),
        )
        .route(
            "/beheer/hulppunten/{id}/uitzonderingen",
            get(exceptions_page).post(add_exception),
        )
        .route(
            "/beheer/hulppunten/{id}/uitzonderingen/{n}/verwijderen",
            post(delete_exception),
        )
        .route(
            "/beheer/hulppunten/{id}/gemeenten",
            get(municipalities_page).post(save_municipalities),
        )
        .route(
            "/beheer/hulppunten/{id}/locatie",
            get(location_page).post(save_location),
        )
        .route(
            "/beheer/hulppunten/{id}/haltes",
            get(stops_page).post(add_stop),
        )
        .route(
            "/beheer/hulppunten/{id}/haltes/{stop}",
            get(stop_page).post(save_stop),
        )
        .route(
            "/beheer/hulppunten/{id}/haltes/{stop}/verwijderen",
            post(delete_stop),
        )
}

/// The urlencoded form as pairs (topics come as repeated fields).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn known_topics() -> Vec<&'static str> {
    DEFAULT_TOPICS.iter().map(|t| t.code).collect()
}

fn topic_boxes(checked: &[String]) -> Vec<TopicBox> {
    DEFAULT_TOPICS
        .iter()
        .map(|t| TopicBox {
            code: t.code,
            label: t.label,
            checked: checked.iter().any(|c| c == t.code),
        })
        .collect()
}

fn region_of(hp: &HelpPoint) -> Region {
    match municipality(&hp.municipality_code).map(|m| m.country) {
        Some(Country::Be) => Region::Be,
        _ => Region::Nl,
    }
}

fn topic_label(code: &str) -> &str {
    DEFAULT_TOPICS
        .iter()
        .find(|t| t.code == code)
        .map_or(code, |t| t.label)
}

fn invalid<T: IntoResponse>(page: T) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

// ---------------------------------------------------------------------------------------------------------------
// Consultation hours
// ---------------------------------------------------------------------------------------------------------------

pub struct HourLine {
    pub id: String,
    pub title: String,
    pub partner: String,
    pub when: String,
    pub topics: String,
    pub appointment_needed: bool,
}

pub struct PartnerOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory_hours.html")]
struct HoursPage {
    shell: Shell,
    id: String,
    name: String,
    lines: Vec<HourLine>,
    /// The hour being edited; `None` on the page that adds one.
    editing: Option<String>,
    input: ConsultationHourInput,
    partners: Vec<PartnerOption>,
    topics: Vec<TopicBox>,
    errors: Vec<ValidationError>,
}

impl HoursPage {
    fn action(&self) -> String {
        match &self.editing {
            Some(hour) => format!("/beheer/hulppunten/{}/spreekuren/{hour}", self.id),
            None => format!("/beheer/hulppunten/{}/spreekuren", self.id),
        }
    }
}

async fn hours_view(
    state: &AppState,
    shell: Shell,
    me: &RequireUser,
    id: &str,
    editing: Option<String>,
    input: Option<ConsultationHourInput>,
) -> Result<HoursPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, id).await?;
    let hours = state.store.consultation_hours_at(&me.0.actor, id).await?;
    let input = match (&editing, input) {
        (_, Some(input)) => input,
        (Some(hour), None) => {
            let h = hours
                .iter()
                .find(|h| &h.id == hour)
                .ok_or(crate::error::AppError::NotFound)?;
            ConsultationHourInput {
                organisation_id: h.organisation_id.clone(),
                title: h.title.clone(),
                topics: h.topics.clone(),
                hours: format_recurring(&h.hours.weekly, &h.hours.monthly),
                appointment_needed: h.appointment_needed,
            }
        }
        (None, None) => ConsultationHourInput::default(),
    };
    let partners = state
        .store
        .partners_in(&hp.municipality_code)
        .await?
        .into_iter()
        .map(|p| PartnerOption {
            selected: p.id == input.organisation_id,
            id: p.id,
            name: p.name,
        })
        .collect();
    let lines = hours
        .into_iter()
        .map(|h| HourLine {
            when: format_recurring(&h.hours.weekly, &h.hours.monthly),
            topics: h
                .topics
                .iter()
                .map(|t| topic_label(t))
                .collect::<Vec<_>>()
                .join(", "),
            id: h.id,
            title: h.title,
            partner: h.organisation_name,
            appointment_needed: h.appointment_needed,
        })
        .collect();
    Ok(HoursPage {
        shell,
        id: id.to_owned(),
        name: hp.name,
        lines,
        editing,
        topics: topic_boxes(&input.topics),
        input,
        partners,
        errors: Vec::new(),
    })
}

fn hour_input(body: &[u8]) -> ConsultationHourInput {
    let pairs = form_pairs(body);
    ConsultationHourInput {
        organisation_id: field(&pairs, "organisation_id"),
        title: field(&pairs, "title"),
        topics: pairs
            .iter()
            .filter(|(k, _)| k == "topics")
            .map(|(_, v)| v.clone())
            .collect(),
        hours: field(&pairs, "hours"),
        appointment_needed: pairs.iter().any(|(k, _)| k == "appointment_needed"),
    }
}

/// Checks the typed hour against the partners of the point's municipality.
async fn hour_draft(
    state: &AppState,
    hp: &HelpPoint,
    input: &ConsultationHourInput,
) -> Result<Result<ConsultationHourDraft, Vec<ValidationError>>, PageError> {
    let partners = state.store.partners_in(&hp.municipality_code).await?;
    let ids: Vec<&str> = partners.iter().map(|p| p.id.as_str()).collect();
    Ok(ConsultationHourDraft::parse(
        input,
        &known_topics(),
        &ids,
        region_of(hp),
    ))
}

async fn hours_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<HoursPage, PageError> {
    hours_view(&state, shell, &me, &id, None, None).await
}

async fn hour_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path((id, hour)): Path<(String, String)>,
) -> Result<HoursPage, PageError> {
    hours_view(&state, shell, &me, &id, Some(hour), None).await
}

async fn add_hour(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let input = hour_input(&body);
    match hour_draft(&state, &hp, &input).await? {
        Ok(draft) => {
            state
                .store
                .add_consultation_hour(&me.0.actor, &id, &draft, state.now())
                .await?;
            Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/spreekuren")).into_response())
        }
        Err(errors) => {
            let mut page = hours_view(&state, shell, &me, &id, None, Some(input)).await?;
            page.errors = errors;
            Ok(invalid(page))
        }
    }
}

async fn save_hour(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path((id, hour)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let input = hour_input(&body);
    match hour_draft(&state, &hp, &input).await? {
        Ok(draft) => {
            state
                .store
                .update_consultation_hour(&me.0.actor, &id, &hour, &draft, state.now())
                .await?;
            Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/spreekuren")).into_response())
        }
        Err(errors) => {
            let mut page = hours_view(&state, shell, &me, &id, Some(hour), Some(input)).await?;
            page.errors = errors;
            Ok(invalid(page))
        }
    }
}

async fn delete_hour(
    State(state): State<AppState>,
    me: RequireUser,
    Path((id, hour)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    require_coordinator(&me.0.actor)?;
    state
        .store
        .delete_consultation_hour(&me.0.actor, &id, &hour, state.now())
        .await?;
    Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/spreekuren")))
}

// ---------------------------------------------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------------------------------------------

pub struct ExceptionLine {
    pub index: usize,
    pub dates: String,
    pub kind: &'static str,
    pub times: String,
    pub reason: String,
}

pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory_exceptions.html")]
struct ExceptionsPage {
    shell: Shell,
    id: String,
    name: String,
    lines: Vec<ExceptionLine>,
    input: ExceptionInput,
    kinds: Vec<KindOption>,
    errors: Vec<ValidationError>,
}

fn kind_label(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Closed => "Dicht",
        ExceptionKind::Extra => "Extra open (naast de gewone tijden)",
        ExceptionKind::OpenOnly => "Alleen open op andere tijden",
    }
}

async fn exceptions_view(
    state: &AppState,
    shell: Shell,
    me: &RequireUser,
    id: &str,
    input: ExceptionInput,
) -> Result<ExceptionsPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, id).await?;
    let lines = hp
        .hours
        .exceptions
        .iter()
        .enumerate()
        .map(|(index, e)| ExceptionLine {
            index,
            dates: if e.from == e.to {
                keten_core::opening_hours::date_nl(e.from)
            } else {
                format!(
                    "{} tot en met {}",
                    keten_core::opening_hours::date_nl(e.from),
                    keten_core::opening_hours::date_nl(e.to)
                )
            },
            kind: kind_label(e.kind),
            times: ExceptionInput::from_exception(e).times,
            reason: e.reason.clone(),
        })
        .collect();
    Ok(ExceptionsPage {
        shell,
        id: id.to_owned(),
        name: hp.name,
        lines,
        input,
        kinds: EXCEPTION_KINDS
            .iter()
            .map(|k| KindOption {
                code: exception_kind_code(*k),
                label: kind_label(*k),
            })
            .collect(),
        errors: Vec::new(),
    })
}

async fn exceptions_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<ExceptionsPage, PageError> {
    let input = ExceptionInput {
        kind: "closed".into(),
        ..Default::default()
    };
    exceptions_view(&state, shell, &me, &id, input).await
}

async fn add_exception(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let pairs = form_pairs(&body);
    let input = ExceptionInput {
        from: field(&pairs, "from"),
        to: field(&pairs, "to"),
        kind: field(&pairs, "kind"),
        times: field(&pairs, "times"),
        reason: field(&pairs, "reason"),
    };
    match parse_exception(&input) {
        Ok(exception) => {
            let mut exceptions = hp.hours.exceptions;
            exceptions.push(exception);
            exceptions.sort_by_key(|e| (e.from, e.to));
            state
                .store
                .set_help_point_exceptions(&me.0.actor, &id, exceptions, state.now())
                .await?;
            Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/uitzonderingen")).into_response())
        }
        Err(errors) => {
            let mut page = exceptions_view(&state, shell, &me, &id, input).await?;
            page.errors = errors;
            Ok(invalid(page))
        }
    }
}

async fn delete_exception(
    State(state): State<AppState>,
    me: RequireUser,
    Path((id, n)): Path<(String, usize)>,
) -> Result<Redirect, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let mut exceptions = hp.hours.exceptions;
    if n >= exceptions.len() {
        return Err(crate::error::AppError::NotFound.into());
    }
    exceptions.remove(n);
    state
        .store
        .set_help_point_exceptions(&me.0.actor, &id, exceptions, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/beheer/hulppunten/{id}/uitzonderingen"
    )))
}

// ---------------------------------------------------------------------------------------------------------------
// Municipalities served
// ---------------------------------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "directory_municipalities.html")]
struct MunicipalitiesPage {
    shell: Shell,
    id: String,
    name: String,
    own: String,
    /// "Schiedam (GM0606)" for each municipality served now.
    served: Vec<String>,
    input: String,
    errors: Vec<ValidationError>,
    saved: bool,
}

fn municipality_name(code: &str) -> String {
    municipality(code).map_or_else(|| code.to_owned(), |m| m.name.clone())
}

async fn municipalities_view(
    state: &AppState,
    shell: Shell,
    me: &RequireUser,
    id: &str,
    input: Option<String>,
) -> Result<MunicipalitiesPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, id).await?;
    let others: Vec<&String> = hp
        .municipalities_served
        .iter()
        .filter(|c| **c != hp.municipality_code)
        .collect();
    Ok(MunicipalitiesPage {
        shell,
        id: id.to_owned(),
        own: format!(
            "{} ({})",
            municipality_name(&hp.municipality_code),
            hp.municipality_code
        ),
        served: hp
            .municipalities_served
            .iter()
            .map(|c| format!("{} ({c})", municipality_name(c)))
            .collect(),
        input: input.unwrap_or_else(|| {
            others
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }),
        name: hp.name,
        errors: Vec::new(),
        saved: false,
    })
}

async fn municipalities_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<MunicipalitiesPage, PageError> {
    municipalities_view(&state, shell, &me, &id, None).await
}

async fn save_municipalities(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let input = field(&form_pairs(&body), "municipalities");
    match parse_municipalities(&input) {
        Ok(codes) => {
            state
                .store
                .set_municipalities_served(&me.0.actor, &id, &codes, state.now())
                .await?;
            let mut page = municipalities_view(&state, shell, &me, &id, None).await?;
            page.saved = true;
            Ok(page.into_response())
        }
        Err(error) => {
            let mut page = municipalities_view(&state, shell, &me, &id, Some(input)).await?;
            page.errors = vec![error];
            Ok(invalid(page))
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Coordinates
// ---------------------------------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "directory_location.html")]
struct LocationPage {
    shell: Shell,
    id: String,
    name: String,
    postcode: String,
    lat: String,
    lon: String,
    errors: Vec<ValidationError>,
    saved: bool,
}

async fn location_view(
    state: &AppState,
    shell: Shell,
    me: &RequireUser,
    id: &str,
    typed: Option<(String, String)>,
) -> Result<LocationPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, id).await?;
    let (lat, lon) = typed.unwrap_or_else(|| {
        (
            format!("{:.6}", hp.location.lat),
            format!("{:.6}", hp.location.lon),
        )
    });
    Ok(LocationPage {
        shell,
        id: id.to_owned(),
        name: hp.name,
        postcode: hp.postcode,
        lat,
        lon,
        errors: Vec::new(),
        saved: false,
    })
}

async fn location_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<LocationPage, PageError> {
    location_view(&state, shell, &me, &id, None).await
}

async fn save_location(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let pairs = form_pairs(&body);
    let point = if pairs.iter().any(|(k, _)| k == "from_postcode") {
        // Back to the centre of the postcode area.
        match resolve_place(&hp.postcode, Country::Nl) {
            Ok(p) if matches!(p.precision, Precision::Postcode4 | Precision::Postcode6) => {
                Ok(p.point)
            }
            _ => Err(vec![ValidationError::new(
                "lat",
                "De postcode van het hulppunt is onbekend. Vul de coördinaten zelf in.",
            )]),
        }
    } else {
        parse_coordinates(&field(&pairs, "lat"), &field(&pairs, "lon"))
    };
    match point {
        Ok(point) => {
            state
                .store
                .set_help_point_location(&me.0.actor, &id, point, state.now())
                .await?;
            let mut page = location_view(&state, shell, &me, &id, None).await?;
            page.saved = true;
            Ok(page.into_response())
        }
        Err(errors) => {
            let typed = (field(&pairs, "lat"), field(&pairs, "lon"));
            let mut page = location_view(&state, shell, &me, &id, Some(typed)).await?;
            page.errors = errors;
            Ok(invalid(page))
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Stops of mobile and pop-up help points
// ---------------------------------------------------------------------------------------------------------------

pub struct StopLine {
    pub id: String,
    pub place_name: String,
    pub address: String,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "directory_stops.html")]
struct StopsPage {
    shell: Shell,
    id: String,
    name: String,
    lines: Vec<StopLine>,
    editing: Option<String>,
    input: StopInput,
    errors: Vec<ValidationError>,
}

impl StopsPage {
    fn action(&self) -> String {
        match &self.editing {
            Some(stop) => format!("/beheer/hulppunten/{}/haltes/{stop}", self.id),
            None => format!("/beheer/hulppunten/{}/haltes", self.id),
        }
    }
}

/// "di 10:00-12:00" or "dinsdag 10 maart 10:00-12:00" for a one-date stop.
pub fn stop_when(hours: &keten_core::opening_hours::OpeningHours) -> String {
    let mut parts = Vec::new();
    let regular = format_recurring(&hours.weekly, &hours.monthly);
    if !regular.is_empty() {
        parts.push(regular);
    }
    for e in &hours.exceptions {
        let times = ExceptionInput::from_exception(e).times;
        parts.push(format!(
            "{} {times}",
            keten_core::opening_hours::date_nl(e.from)
        ));
    }
    parts.join("; ")
}

async fn stops_view(
    state: &AppState,
    shell: Shell,
    me: &RequireUser,
    id: &str,
    editing: Option<String>,
    input: Option<StopInput>,
) -> Result<StopsPage, PageError> {
    require_coordinator(&me.0.actor)?;
    let hp = state.store.coordinated_help_point(&me.0.actor, id).await?;
    let stops = state.store.stops_of(id).await?;
    let input = match (&editing, input) {
        (_, Some(input)) => input,
        (Some(stop), None) => {
            let s = stops
                .iter()
                .find(|s| &s.id == stop)
                .ok_or(crate::error::AppError::NotFound)?;
            StopInput::from_stop(
                &s.place_name,
                &s.street_address,
                &s.postcode,
                s.location,
                &s.hours,
            )
        }
        (None, None) => StopInput::default(),
    };
    let lines = stops
        .into_iter()
        .map(|s| StopLine {
            address: format!("{}, {}", s.street_address, s.postcode),
            when: stop_when(&s.hours),
            id: s.id,
            place_name: s.place_name,
        })
        .collect();
    Ok(StopsPage {
        shell,
        id: id.to_owned(),
        name: hp.name,
        lines,
        editing,
        input,
        errors: Vec::new(),
    })
}

fn stop_input(body: &[u8]) -> StopInput {
    let pairs = form_pairs(body);
    StopInput {
        place_name: field(&pairs, "place_name"),
        street_address: field(&pairs, "street_address"),
        postcode: field(&pairs, "postcode"),
        hours: field(&pairs, "hours"),
        date: field(&pairs, "date"),
        times: field(&pairs, "times"),
        lat: field(&pairs, "lat"),
        lon: field(&pairs, "lon"),
    }
}

async fn stops_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
) -> Result<StopsPage, PageError> {
    stops_view(&state, shell, &me, &id, None, None).await
}

async fn stop_page(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path((id, stop)): Path<(String, String)>,
) -> Result<StopsPage, PageError> {
    stops_view(&state, shell, &me, &id, Some(stop), None).await
}

async fn add_stop(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let input = stop_input(&body);
    match StopDraft::parse(&input) {
        Ok(draft) => {
            state
                .store
                .add_stop(&me.0.actor, &id, &draft, state.now())
                .await?;
            Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/haltes")).into_response())
        }
        Err(errors) => {
            let mut page = stops_view(&state, shell, &me, &id, None, Some(input)).await?;
            page.errors = errors;
            Ok(invalid(page))
        }
    }
}

async fn save_stop(
    State(state): State<AppState>,
    shell: Shell,
    me: RequireUser,
    Path((id, stop)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    require_coordinator(&me.0.actor)?;
    state.store.coordinated_help_point(&me.0.actor, &id).await?;
    let input = stop_input(&body);
    match StopDraft::parse(&input) {
        Ok(draft) => {
            state
                .store
                .update_stop(&me.0.actor, &id, &stop, &draft, state.now())
                .await?;
            Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/haltes")).into_response())
        }
        Err(errors) => {
            let mut page = stops_view(&state, shell, &me, &id, Some(stop), Some(input)).await?;
            page.errors = errors;
            Ok(invalid(page))
        }
    }
}

async fn delete_stop(
    State(state): State<AppState>,
    me: RequireUser,
    Path((id, stop)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    require_coordinator(&me.0.actor)?;
    state
        .store
        .delete_stop(&me.0.actor, &id, &stop, state.now())
        .await?;
    Ok(Redirect::to(&format!("/beheer/hulppunten/{id}/haltes")))
}
