//! The public help finder: the search page, help point pages and the nearest-help API.

mod access;
mod icons;
mod index;
mod search;

pub use index::Finder;

use crate::AppState;
use crate::error::{ApiError, AppError, PageError};
use crate::i18n::Lang;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use index::{Snapshot, region_of, topic_set};
use keten_core::geo::Point;
use keten_core::help_question::{DEFAULT_TOPICS, topic_offered_in};
use keten_core::opening_hours::{
    OpeningHours, describe_monthly_nl, monthly_table, weekly_table_nl,
};
use keten_core::reference::Country;
use keten_store::finder_directory::PublicHelpPoint;
use keten_store::help_point_details::Stop;
use search::{SearchQuery, When, search};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(finder_page))
        .route("/hulppunten/{id}", get(help_point_page))
        .route("/inbedden", get(embed_page))
        .route("/inbedden/code", get(embed_code_page))
        .route("/laptop-of-internet", get(access::access_page))
        .route(
            "/hulppunten/{id}/melding",
            axum::routing::post(report_wrong_information),
        )
}

impl AppState {
    /// The finder's snapshot, refreshed first when the directory may have changed.
    pub(crate) async fn finder_snapshot(&self) -> Arc<Snapshot> {
        self.finder
            .current(&self.store, self.config.finder_refresh_seconds)
            .await
    }
}

/// A topic for the chooser: code, plain label in the reader's language, and whether it is a group heading.
pub struct TopicChoice {
    pub code: &'static str,
    pub label: String,
    pub group: bool,
    /// Inner SVG markup of its pictogram (made in `icons`, never user input).
    pub icon: &'static str,
}

/// The chooser's topics; with a country, only those its residents can get help with (no DigiD in Gent).
fn topic_choices(lang: Lang, country: Option<Country>) -> Vec<TopicChoice> {
    let offered = |code: &str| country.is_none_or(|c| topic_offered_in(code, c));
    let mut out = Vec::new();
    for parent in DEFAULT_TOPICS.iter().filter(|t| t.parent.is_none()) {
        out.push(TopicChoice {
            code: parent.code,
            label: lang.topic(parent.code, parent.label),
            group: true,
            icon: icons::topic_icon(parent.code),
        });
        for child in DEFAULT_TOPICS
            .iter()
            .filter(|t| t.parent == Some(parent.code) && offered(t.code))
        {
            out.push(TopicChoice {
                code: child.code,
                label: lang.topic(child.code, child.label),
                group: false,
                icon: icons::topic_icon(child.code),
            });
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
struct FinderForm {
    /// `None`: the form was not sent yet; `Some("")`: it was sent without a place.
    #[serde(default)]
    plaats: Option<String>,
    #[serde(default)]
    onderwerp: String,
    #[serde(default)]
    wanneer: String,
    #[serde(default)]
    drempelvrij: Option<String>,
    #[serde(default)]
    taal: String,
}

impl FinderForm {
    fn query(&self) -> SearchQuery {
        SearchQuery {
            place: self.plaats.clone().unwrap_or_default(),
            topic: Some(self.onderwerp.clone()).filter(|t| !t.is_empty()),
            when: match self.wanneer.as_str() {
                "vandaag" => When::Today,
                "week" => When::ThisWeek,
                _ => When::Any,
            },
            step_free: self.drempelvrij.is_some(),
            language: Some(self.taal.clone()).filter(|t| !t.is_empty()),
            municipality: None,
            limit: 10,
            max_km: search::MAX_RESULT_KM,
        }
    }
}

/// One result as the page shows it.
pub struct ResultView {
    /// The help point's page, carrying the language, topic and PC4 on to its "Ik wil hulp" link.
    pub href: String,
    pub name: String,
    pub address: String,
    /// "Ongeveer 0,4 km lopen"; `None` in a list without a place.
    pub walking: Option<String>,
    pub topics: Vec<String>,
    /// With a chosen topic: whether this point names it or only its group.
    pub topic_match: Option<TopicMatch>,
    pub next_open: String,
    pub partner_hours: Vec<PartnerHourView>,
    /// OpenStreetMap at the place the result stands for (a mobile help point's stop, not its depot).
    pub map_url: String,
    /// Set while the help point is temporarily closed: shown instead of the next opening.
    pub closure: Option<ClosureView>,
}

/// "Tijdelijk dicht: Verbouwing. Weer open vanaf dinsdag 1 september 2026."
pub struct ClosureView {
    /// As the coordinator typed it (Dutch).
    pub reason: Option<String>,
    /// The reopening date in words, if known.
    pub reopens: Option<String>,
}

fn closure_view(
    lang: Lang,
    closure: &keten_store::finder_directory::TemporaryClosure,
) -> ClosureView {
    ClosureView {
        reason: closure.reason.clone(),
        reopens: closure.reopens_on.map(|d| lang.date(d, true)),
    }
}

pub struct PartnerHourView {
    pub organisation: String,
    pub title: String,
    pub hours: String,
    pub appointment_needed: bool,
}

/// Regular hours in Dutch words for the API and the stops list: "dinsdag 10:00 - 12:00; donderdag 14:00 - 16:00;
/// Elke eerste vrijdag van de maand, 10:00-12:00".
fn format_recurring_nl(hours: &OpeningHours) -> String {
    weekly_table_nl(&hours.weekly)
        .into_iter()
        .filter(|(_, hours)| hours != "gesloten")
        .map(|(day, hours)| format!("{day} {hours}"))
        .chain(
            monthly_table(&hours.monthly)
                .into_iter()
                .map(|(week, day, slots)| describe_monthly_nl(week, day, &slots)),
        )
        .collect::<Vec<_>>()
        .join("; ")
}

/// A link to OpenStreetMap centred on a point, with a marker.
fn osm_url(p: Point) -> String {
    format!(
        "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}",
        lat = p.lat,
        lon = p.lon
    )
}

/// A partner's hour as listed: from the finder's snapshot or, on a help point's page, from the database.
fn partner_hour_view(
    lang: Lang,
    organisation: &str,
    title: &str,
    hours: &OpeningHours,
    appointment_needed: bool,
) -> PartnerHourView {
    PartnerHourView {
        organisation: organisation.to_owned(),
        title: title.to_owned(),
        hours: lang.recurring_line(hours),
        appointment_needed,
    }
}

fn topic_labels(lang: Lang, codes: &[String]) -> Vec<String> {
    DEFAULT_TOPICS
        .iter()
        .filter(|t| codes.iter().any(|c| c == t.code))
        .map(|t| lang.topic(t.code, t.label))
        .collect()
}

/// Above this distance (km) a result says "Ongeveer 5,8 km", not "Ongeveer 5,8 km lopen": few people walk that far.
const MAX_WALKING_KM: f64 = 2.0;

/// How a result answers the chosen topic, in the reader's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMatch {
    /// The help point (or a partner's hour there) names the topic, or parts of a chosen group. `false`: it names
    /// only the group the topic belongs to, so it may help but does not say so.
    pub named: bool,
    /// "Helpt met DigiD." or "Helpt met Overheid en regelingen. Vraag of zij ook helpen met DigiD."
    pub text: String,
}

/// How the help point `hp` of the snapshot answers `topic` (a code of the taxonomy); `None` without a topic.
fn topic_match(
    lang: Lang,
    snapshot: &Snapshot,
    hp: usize,
    at_home: bool,
    topic: &str,
) -> Option<TopicMatch> {
    let point = &snapshot.help_points[hp];
    let hour_codes = snapshot.hours_at[hp]
        .iter()
        .filter(|_| at_home)
        .flat_map(|&ci| snapshot.consultation_hours[ci].topics.iter());
    let codes: Vec<&str> = point
        .topics
        .iter()
        .chain(hour_codes)
        .map(String::as_str)
        .collect();
    let seed = DEFAULT_TOPICS.iter().find(|t| t.code == topic)?;
    // The topic itself, or (for a chosen group) the parts of it that are named.
    let named: Vec<String> = DEFAULT_TOPICS
        .iter()
        .filter(|t| t.code == topic || t.parent == Some(topic))
        .filter(|t| codes.contains(&t.code))
        .map(|t| lang.topic(t.code, t.label))
        .collect();
    if !named.is_empty() {
        return Some(TopicMatch {
            named: true,
            text: lang.t1("finder-helps-with-chosen", "topics", named.join(", ")),
        });
    }
    let parent = DEFAULT_TOPICS
        .iter()
        .find(|t| Some(t.code) == seed.parent && codes.contains(&t.code))?;
    Some(TopicMatch {
        named: false,
        text: lang.t2(
            "finder-helps-with-group",
            "group",
            lang.topic(parent.code, parent.label),
            "topic",
            lang.topic(seed.code, seed.label),
        ),
    })
}

/// The results as the page shows them. `from_place`: distances were measured from a place the resident gave (an
/// embed's list of one municipality has none).
fn result_views(
    lang: Lang,
    snapshot: &Snapshot,
    found: &[search::Found],
    topic: Option<&str>,
    now: jiff::Timestamp,
    from_place: bool,
) -> Vec<ResultView> {
    let wanted = topic_set(&topic.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
    let mut views = found
        .iter()
        .map(|f| {
            let hp = &snapshot.help_points[f.help_point];
            // Partners' hours are held at the help point's own address: a mobile stop does not have them.
            let at_home = f.stop.is_none();
            let partner_hours = snapshot.hours_at[f.help_point]
                .iter()
                .filter(|_| at_home)
                .map(|&ci| &snapshot.consultation_hours[ci])
                .filter(|c| wanted.is_empty() || topic_set(&c.topics).intersects(wanted))
                .map(|c| {
                    partner_hour_view(
                        lang,
                        &c.organisation_name,
                        &c.title,
                        &c.hours,
                        c.appointment_needed,
                    )
                })
                .collect();
            let stop = f.stop.map(|si| &snapshot.stops[si]);
            ResultView {
                href: format!("/hulppunten/{}", hp.id()),
                name: hp.name().to_string(),
                map_url: osm_url(stop.map_or(hp.location, |s| s.location)),
                address: match stop {
                    // A mobile help point: where it stands at the time shown below.
                    Some(stop) => format!(
                        "{}: {}, {}",
                        stop.place_name, stop.street_address, stop.postcode
                    ),
                    None => format!("{}, {} {}", hp.street_address(), hp.postcode(), hp.city),
                },
                walking: from_place.then(|| {
                    // Under 100 m, "0,0 km lopen" would read as a mistake; over 2 km few people walk.
                    if f.walking_km < 0.1 {
                        lang.t("finder-walking-near")
                    } else if f.walking_km > MAX_WALKING_KM {
                        lang.t1("finder-distance", "km", lang.km(f.walking_km))
                    } else {
                        lang.t1("finder-walking", "km", lang.km(f.walking_km))
                    }
                }),
                topics: topic_labels(lang, &hp.topics),
                topic_match: topic
                    .and_then(|t| topic_match(lang, snapshot, f.help_point, at_home, t)),
                next_open: f
                    .next_open
                    .as_ref()
                    .map(|p| lang.opening(p.when(now, region_of(&hp.municipality_code))))
                    .unwrap_or_else(|| lang.t("hours-unknown")),
                partner_hours,
                closure: snapshot
                    .closed_now(f.help_point, now)
                    .map(|c| closure_view(lang, c)),
            }
        })
        .collect::<Vec<_>>();
    // Points that name the chosen topic come before those that only name its group; nearest first within each
    // (the sort is stable). A list without a place stays in name order.
    if from_place {
        views.sort_by_key(|v| v.topic_match.as_ref().is_some_and(|m| !m.named));
    }
    views
}

/// Everything the finder form and result list show; shared by the finder
/// page and the embeddable finder.
struct FinderView {
    form: FinderFormView,
    /// The pictogram for "everything".
    all_icon: &'static str,
    topics: Vec<TopicChoice>,
    /// Languages help can be given in: code and name in the reader's language.
    languages: Vec<(&'static str, String)>,
    searched: bool,
    place_label: String,
    /// Heading of a list without a place ("Hulppunten voor inwoners van Rotterdam"); else the place heading.
    list_heading: Option<String>,
    /// A notice above the form that does not stop the search (an unknown municipality in an embed's address).
    notice: Option<String>,
    results: Vec<ResultView>,
    /// No result within [`search::MAX_RESULT_KM`], though there are matching help points further away.
    nothing_near: bool,
    /// The search radius in the reader's words ("25").
    radius_km: String,
    error: Option<String>,
    suggestions: Vec<String>,
    /// The address of this very result list, to share or send.
    share_path: String,
    /// Where the form sends the search: `/` or `/inbedden`.
    form_action: &'static str,
    /// Only help points serving this municipality (embeds).
    municipality_code: Option<String>,
    map_tiles: String,
    /// JSON for the progressive map: name, lat, lon, url per result.
    map_markers: String,
}

#[derive(Serialize)]
struct MapMarker {
    name: String,
    lat: f64,
    lon: f64,
    url: String,
}

/// A marker per place: a help point (id, name, its own point) with, for a mobile one, the stop it stands at.
fn map_markers<'a>(
    places: impl Iterator<Item = (&'a str, &'a str, Point, Option<&'a Stop>)>,
) -> String {
    let markers: Vec<MapMarker> = places
        .map(|(id, name, point, stop)| {
            let location = stop.map_or(point, |s| s.location);
            MapMarker {
                name: match stop {
                    Some(s) => format!("{name}: {}", s.place_name),
                    None => name.to_owned(),
                },
                lat: location.lat,
                lon: location.lon,
                url: format!("/hulppunten/{id}"),
            }
        })
        .collect();
    if markers.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&markers).unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "finder.html")]
struct FinderPage {
    shell: Shell,
    v: FinderView,
}

#[derive(Template, WebTemplate)]
#[template(path = "embed.html")]
struct EmbedPage {
    shell: Shell,
    v: FinderView,
    municipality_name: Option<String>,
}

/// What the resident typed, echoed back into the form.
#[derive(Default)]
struct FinderFormView {
    plaats: String,
    onderwerp: String,
    wanneer: String,
    drempelvrij: bool,
    taal: String,
}

/// The address people reach keten on, for share links and embed code: the configured public address
/// (`KETEN_PUBLIC_URL`) when there is one, and then never the request's `Host` header, which any client can forge.
/// Without one, the request's own address: a link to `http://localhost:8080` helps nobody, and a forged `Host`
/// only changes the page of whoever forged it (pages are `no-store`, so no cache passes it on).
fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.mailer.configured_public_url {
        return url.clone();
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    // A reverse proxy says what the resident typed; only believed when the proxy is trusted.
    let proxied = |name: &str| header(name).filter(|_| state.config.trust_forwarded_for);
    let host = proxied("x-forwarded-host")
        .or_else(|| header("host"))
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    let Some(host) = host else {
        return state.mailer.public_url.clone();
    };
    let scheme = match proxied("x-forwarded-proto") {
        Some("https") => "https",
        Some("http") => "http",
        _ if state.config.secure_cookies => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// The address of the current page, for the "share this list" line (see [`public_base`]).
fn share_path(state: &AppState, headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> String {
    format!(
        "{}{}",
        public_base(state, headers),
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    )
}

/// The four digits of a postcode the resident typed ("3011 AB", "NL-3011", "9000"), if it is one.
fn pc4_of(place: &str) -> Option<&str> {
    let rest = place
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-' || c == ' ');
    let digits = rest.get(..4)?;
    let more_digits = rest[4..].starts_with(|c: char| c.is_ascii_digit());
    (digits.bytes().all(|b| b.is_ascii_digit()) && !more_digits).then_some(digits)
}

/// Runs the search the form asks for, if any, and fills the view; each result's link carries the language, the
/// topic and the PC4 on, so that "Ik wil hulp" on the help point's page need not ask for them again.
async fn finder_view(
    lang: Lang,
    lang_param: Option<Lang>,
    state: &AppState,
    form: &FinderForm,
    share_path: String,
    form_action: &'static str,
    municipality_code: Option<String>,
) -> FinderView {
    let mut view = search_view(
        lang,
        state,
        form,
        share_path,
        form_action,
        municipality_code,
    )
    .await;
    let mut carried: Vec<(&str, &str)> = Vec::new();
    if !view.form.onderwerp.is_empty() {
        carried.push(("onderwerp", &view.form.onderwerp));
    }
    if let Some(pc4) = pc4_of(&view.form.plaats) {
        carried.push(("pc4", pc4));
    }
    if let Some(l) = lang_param {
        carried.push((crate::i18n::PARAM, l.code()));
    }
    if !carried.is_empty() {
        let query = serde_urlencoded::to_string(&carried).unwrap_or_default();
        for r in &mut view.results {
            r.href = format!("{}?{query}", r.href);
        }
    }
    view
}

async fn search_view(
    lang: Lang,
    state: &AppState,
    form: &FinderForm,
    share_path: String,
    form_action: &'static str,
    municipality_code: Option<String>,
) -> FinderView {
    let mut view = FinderView {
        all_icon: icons::topic_icon(""),
        form: FinderFormView {
            plaats: form.plaats.clone().unwrap_or_default(),
            onderwerp: form.onderwerp.clone(),
            wanneer: form.wanneer.clone(),
            drempelvrij: form.drempelvrij.is_some(),
            taal: form.taal.clone(),
        },
        topics: topic_choices(
            lang,
            municipality_code
                .as_deref()
                .and_then(keten_core::reference::municipality)
                .map(|m| m.country),
        ),
        languages: keten_core::directory::LANGUAGES
            .iter()
            .map(|(code, _)| (*code, lang.spoken_language(code)))
            .collect(),
        searched: false,
        place_label: String::new(),
        list_heading: None,
        notice: None,
        results: Vec::new(),
        nothing_near: false,
        radius_km: format!("{}", search::MAX_RESULT_KM),
        error: None,
        suggestions: Vec::new(),
        share_path,
        form_action,
        municipality_code: municipality_code.clone(),
        map_tiles: state.config.map_tiles.clone(),
        map_markers: String::new(),
    };
    let place = form.plaats.as_deref().unwrap_or_default();
    if place.trim().is_empty() {
        // An embed opened for one municipality (and maybe a topic): its help points by name.
        if let Some(m) = municipality_code
            .as_deref()
            .and_then(keten_core::reference::municipality)
        {
            let topic = Some(form.onderwerp.as_str()).filter(|t| search::known_topic(t));
            let snapshot = state.finder_snapshot().await;
            let now = state.clock.now();
            let found = search::in_municipality(&snapshot, &m.code, topic, now);
            view.searched = true;
            view.list_heading = Some(lang.t1("embed-list-heading", "municipality", &m.name));
            view.results = result_views(lang, &snapshot, &found, topic, now, false);
            view.map_markers = map_markers(found.iter().map(|f| {
                let hp = &snapshot.help_points[f.help_point];
                (hp.id(), hp.name(), hp.location, None)
            }));
        } else if form.plaats.is_some() {
            // The form was sent without a place: say what to fill in instead of showing the same page again.
            view.searched = true;
            view.error = Some(lang.t("place-empty"));
        }
        return view;
    }
    view.searched = true;
    let snapshot = state.finder_snapshot().await;
    let now = state.clock.now();
    let mut query = form.query();
    query.municipality = municipality_code;
    // An unknown topic (an old or mistyped link) is not the place's fault: search all topics and say so.
    if query
        .topic
        .as_deref()
        .is_some_and(|t| !search::known_topic(t))
    {
        query.topic = None;
        view.form.onderwerp.clear();
        view.notice = Some(lang.t("topic-unknown-ignored"));
    }
    // Another country's service (DigiD in Gent): its group instead, and the chooser shows the place's own topics.
    if let Ok(place) = keten_core::geo::resolve_place(&query.place, Country::Nl) {
        view.topics = topic_choices(lang, Some(place.country));
        if let Some(seed) = query
            .topic
            .as_deref()
            .and_then(|t| DEFAULT_TOPICS.iter().find(|s| s.code == t))
            .filter(|s| !topic_offered_in(s.code, place.country))
        {
            let group = DEFAULT_TOPICS.iter().find(|g| Some(g.code) == seed.parent);
            view.notice = Some(lang.t_args(
                "topic-other-country",
                &[
                    ("topic", lang.topic(seed.code, seed.label)),
                    ("country", lang.t(&format!("country-{}", place.country))),
                    (
                        "group",
                        group.map_or_else(
                            || lang.t("finder-topic-all"),
                            |g| lang.topic(g.code, g.label),
                        ),
                    ),
                ],
            ));
            query.topic = group.map(|g| g.code.to_owned());
            view.form.onderwerp = query.topic.clone().unwrap_or_default();
        }
    }
    match search(&snapshot, &query, now) {
        Ok(outcome) => {
            view.place_label = lang.t2(
                "place-with-municipality",
                "place",
                &outcome.place.label,
                "municipality",
                &outcome.place.municipality.name,
            );
            view.results = result_views(
                lang,
                &snapshot,
                &outcome.found,
                query.topic.as_deref(),
                now,
                true,
            );
            if view.results.is_empty() {
                // Is anything matching at all, only too far away? Then the advice is a different one.
                let anywhere = SearchQuery {
                    max_km: f64::INFINITY,
                    limit: 1,
                    ..query.clone()
                };
                view.nothing_near =
                    search(&snapshot, &anywhere, now).is_ok_and(|o| !o.found.is_empty());
            }
            view.map_markers = map_markers(outcome.found.iter().map(|f| {
                let hp = &snapshot.help_points[f.help_point];
                (
                    hp.id(),
                    hp.name(),
                    hp.location,
                    f.stop.map(|si| &snapshot.stops[si]),
                )
            }));
        }
        Err(AppError::UnknownPlace { suggestions, .. }) => {
            // One sentence here; the template adds either the suggestions as links or one piece of advice.
            view.error = Some(lang.t("place-unknown"));
            view.suggestions = suggestions;
        }
        Err(AppError::Validation(_)) if query.topic.is_some() => {
            view.error = Some(lang.t("topic-unknown"));
        }
        Err(e) => view.error = Some(e.detail()),
    }
    view
}

async fn finder_page(
    State(state): State<AppState>,
    shell: Shell,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    Query(form): Query<FinderForm>,
) -> FinderPage {
    let share = share_path(&state, &headers, &uri);
    let shell = shell.public();
    FinderPage {
        v: finder_view(
            shell.lang,
            shell.lang_param,
            &state,
            &form,
            share,
            "/",
            None,
        )
        .await,
        shell,
    }
}

#[derive(Debug, Default, Deserialize)]
struct EmbedQuery {
    #[serde(default)]
    gemeente: String,
    #[serde(flatten)]
    form: FinderForm,
}

/// The finder for other websites: no site header, may be framed, limited to
/// one municipality's help points and opened with a topic chosen.
async fn embed_page(
    State(state): State<AppState>,
    shell: Shell,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    Query(q): Query<EmbedQuery>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let municipality = keten_core::reference::municipality_by_code_or_name(&q.gemeente);
    let share = share_path(&state, &headers, &uri);
    let shell = shell.public();
    let mut v = finder_view(
        shell.lang,
        shell.lang_param,
        &state,
        &q.form,
        share,
        "/inbedden",
        municipality.map(|m| m.code.clone()),
    )
    .await;
    if municipality.is_none() && !q.gemeente.trim().is_empty() {
        // Say so instead of quietly showing every municipality's help points.
        v.notice = Some(shell.lang.t("embed-municipality-not-found"));
    }
    let page = EmbedPage {
        v,
        municipality_name: municipality.map(|m| m.name.clone()),
        shell,
    };
    let mut response = page.into_response();
    // Any website may show the embed; every other page refuses to be framed.
    let csp = crate::security::content_security_policy(&state.config.map_tiles, "*");
    response.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_str(&csp).unwrap_or(axum::http::HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors *",
        )),
    );
    response
}

#[derive(Debug, Default, Deserialize)]
struct EmbedCodeQuery {
    #[serde(default)]
    gemeente: String,
    #[serde(default)]
    onderwerp: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "embed_code.html")]
struct EmbedCodePage {
    shell: Shell,
    topics: Vec<TopicChoice>,
    /// The pictogram for "everything".
    all_icon: &'static str,
    municipality_input: String,
    topic: String,
    error: Option<String>,
    snippet: Option<String>,
    embed_path: String,
}

/// Where a municipality or library gets the copy-paste code for its website.
async fn embed_code_page(
    State(state): State<AppState>,
    shell: Shell,
    headers: axum::http::HeaderMap,
    Query(q): Query<EmbedCodeQuery>,
) -> EmbedCodePage {
    let shell = shell.public();
    let lang = shell.lang;
    let mut page = EmbedCodePage {
        shell,
        topics: topic_choices(lang, None),
        all_icon: icons::topic_icon(""),
        municipality_input: q.gemeente.clone(),
        topic: q.onderwerp.clone(),
        error: None,
        snippet: None,
        embed_path: String::new(),
    };
    if q.gemeente.trim().is_empty() {
        return page;
    }
    let Some(municipality) = keten_core::reference::municipality_by_code_or_name(&q.gemeente)
    else {
        page.error = Some(lang.t("embed-municipality-unknown"));
        return page;
    };
    if !q.onderwerp.is_empty() && !search::known_topic(&q.onderwerp) {
        page.error = Some(lang.t("embed-topic-unknown"));
        return page;
    }
    let query = serde_urlencoded::to_string([
        ("gemeente", municipality.code.as_str()),
        ("onderwerp", q.onderwerp.as_str()),
    ])
    .unwrap_or_default();
    let url = format!("{}/inbedden?{query}", public_base(&state, &headers));
    page.snippet = Some(format!(
        "<iframe src=\"{url}\" title=\"{title}\" width=\"100%\" height=\"900\" style=\"border:0\"></iframe>\n<p><a href=\"{url}\">{link}</a></p>",
        title = lang.t1("embed-snippet-title", "municipality", &municipality.name),
        link = lang.t1("embed-snippet-link", "municipality", &municipality.name),
    ));
    page.embed_path = format!("/inbedden?{query}");
    page
}

#[derive(Template, WebTemplate)]
#[template(path = "help_point.html")]
struct HelpPointPage {
    shell: Shell,
    hp: keten_store::help_points::HelpPoint,
    topics: Vec<String>,
    languages: Vec<String>,
    access: Vec<String>,
    week: Vec<(String, String)>,
    /// The next opening; for a help point that only stands at its stops, the soonest stop's, with its place.
    next_open: String,
    /// False for a bus or pop-up without hours of its own: no week of "closed", its stops come first.
    at_home: bool,
    /// Set while the help point is temporarily closed: shown instead of the next opening.
    closure: Option<ClosureView>,
    partner_hours: Vec<PartnerHourView>,
    /// Where a mobile or pop-up help point stands when.
    stops: Vec<StopView>,
    /// Coming days with other hours: closing weeks, extra hours.
    exceptions: Vec<String>,
    /// `None` for a mobile help point that is only found at its stops.
    map_url: Option<String>,
    last_checked: Option<String>,
    report: ReportForm,
    report_error: Option<String>,
    report_sent: bool,
    /// While an update runs, a report could not be sent: the form is left out (see `updating`).
    report_paused: bool,
    map_tiles: String,
    map_markers: String,
    /// The topic and PC4 the resident already gave in the finder, carried on to "Ik wil hulp" (checked values only).
    want_topic: Option<String>,
    want_pc4: Option<String>,
}

/// What a result link carries on to a help point's page (see `finder_view`).
#[derive(Debug, Default, Deserialize)]
struct CarriedQuery {
    #[serde(default)]
    onderwerp: String,
    #[serde(default)]
    pc4: String,
}

pub struct StopView {
    pub place_name: String,
    pub address: String,
    pub when: String,
    pub map_url: String,
}

/// "maandag 2 maart tot en met vrijdag 6 maart: dicht (Voorjaarsvakantie)".
fn exception_text(e: &keten_core::opening_hours::Exception) -> String {
    let dates = if e.from == e.to {
        keten_core::opening_hours::date_nl(e.from)
    } else {
        format!(
            "{} tot en met {}",
            keten_core::opening_hours::date_nl(e.from),
            keten_core::opening_hours::date_nl(e.to)
        )
    };
    let times = e
        .slots
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" en ");
    let what = match e.kind {
        keten_core::opening_hours::ExceptionKind::Closed => "dicht".to_owned(),
        keten_core::opening_hours::ExceptionKind::Extra => format!("extra open {times}"),
        keten_core::opening_hours::ExceptionKind::OpenOnly => format!("alleen open {times}"),
    };
    if e.reason.is_empty() {
        format!("{dates}: {what}")
    } else {
        format!("{dates}: {what} ({})", e.reason)
    }
}

#[derive(Debug, Default, Deserialize)]
struct ReportForm {
    #[serde(default)]
    message: String,
}

/// Longest report a resident can send; enough to say what is wrong.
const MAX_REPORT_CHARS: usize = 1000;

async fn help_point_page(
    State(state): State<AppState>,
    shell: Shell,
    Path(id): Path<String>,
    Query(carried): Query<CarriedQuery>,
) -> Result<HelpPointPage, PageError> {
    let mut page = help_point_view(&state, shell, &id).await?;
    page.want_topic = Some(carried.onderwerp).filter(|t| search::known_topic(t));
    let pc4 = carried.pc4.trim();
    page.want_pc4 = (pc4_of(pc4) == Some(pc4)).then(|| pc4.to_owned());
    Ok(page)
}

/// "Report wrong information": reaches the point's coordinators; the page
/// keeps the text when it is refused.
async fn report_wrong_information(
    State(state): State<AppState>,
    shell: Shell,
    axum::Extension(ctx): axum::Extension<crate::context::RequestContext>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReportForm>,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    // The switch on the answer leads back to the help point page, not to this form's address.
    let shell = shell.at(format!("/hulppunten/{id}"));
    // A flood guard like "Ik wil hulp"'s: every report is a row and an e-mail to the coordinators (issue 18).
    if let Err(seconds) = state.report_limit.check(&ctx.client_ip) {
        return Ok(crate::referrals::resident::wait_page(
            shell.public(),
            seconds,
        ));
    }
    let mut page = help_point_view(&state, shell, &id).await?;
    let message = form.message.trim();
    if message.is_empty() || message.chars().count() > MAX_REPORT_CHARS {
        page.report_error = Some(page.shell.t1("report-too-long", "max", MAX_REPORT_CHARS));
        page.report = form;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .store
        .report_wrong_information(&page.hp.id, message, state.now())
        .await?;
    // The report is stored; a mail that cannot be sent is logged, not shown to the resident.
    if let Err(e) = crate::directory::send_information_report_mail(&state, &page.hp).await {
        tracing::warn!(error = %e.detail(), "cannot tell the coordinators about a report");
    }
    page.report_sent = true;
    Ok(page.into_response())
}

async fn help_point_view(
    state: &AppState,
    shell: Shell,
    id: &str,
) -> Result<HelpPointPage, PageError> {
    let PublicHelpPoint {
        help_point: hp,
        consultation_hours,
        stops,
    } = state.store.public_help_point(id).await?;
    let at_home = stops.is_empty() || !hp.hours.is_empty();
    let markers = map_markers(
        at_home
            .then_some((hp.id.as_str(), hp.name.as_str(), hp.location, None))
            .into_iter()
            .chain(
                stops
                    .iter()
                    .map(|s| (hp.id.as_str(), hp.name.as_str(), hp.location, Some(s))),
            ),
    );
    let now = state.clock.now();
    let region = region_of(&hp.municipality_code);
    let shell = shell.public();
    let lang = shell.lang;
    let today = now.to_zoned(region.time_zone().clone()).date();
    // Each stop with its next opening (closed on the help point's closing days too), soonest first: a resident
    // reads first where the bus stands next.
    let mut stops: Vec<_> = stops
        .iter()
        .map(|stop| {
            let hours = stop.hours.with_closures_of(&hp.hours);
            let next = hours.next_open(now);
            (stop, hours, next)
        })
        .collect();
    stops.sort_by_key(|(_, _, next)| next.as_ref().map_or(i64::MAX, |p| p.start.as_second()));
    let closure = keten_store::finder_directory::TemporaryClosure::of(
        hp.status,
        hp.status_reason.as_deref(),
        hp.reopens_on.as_deref(),
    )
    .filter(|c| c.closed_on(today));
    Ok(HelpPointPage {
        closure: closure.as_ref().map(|c| closure_view(lang, c)),
        topics: topic_labels(lang, &hp.topics),
        languages: hp
            .languages
            .iter()
            .map(|l| lang.spoken_language(l))
            .collect(),
        access: hp
            .accessibility
            .feature_codes()
            .into_iter()
            .map(|code| lang.access_feature(code))
            .collect(),
        week: lang.weekly_table(&hp.hours.weekly),
        next_open: if at_home {
            hp.hours
                .next_open(now)
                .filter(|_| closure.is_none())
                .map(|p| lang.opening(p.when(now, region)))
        } else {
            // Not open at its home address: the soonest stop, with its place.
            stops.first().and_then(|(stop, _, next)| {
                next.as_ref().map(|p| {
                    lang.t2(
                        "hp-next-stop",
                        "when",
                        lang.opening(p.when(now, region)),
                        "place",
                        &stop.place_name,
                    )
                })
            })
        }
        .unwrap_or_else(|| lang.t("hours-unknown")),
        at_home,
        partner_hours: consultation_hours
            .iter()
            .map(|c| {
                partner_hour_view(
                    lang,
                    &c.organisation_name,
                    &c.title,
                    &c.hours,
                    c.appointment_needed,
                )
            })
            .collect(),
        stops: stops
            .iter()
            .map(|(stop, hours, _)| {
                let mut when: Vec<String> = Vec::new();
                let regular = format_recurring_nl(hours);
                if !regular.is_empty() {
                    when.push(regular);
                }
                when.extend(
                    hours
                        .exceptions
                        .iter()
                        .filter(|e| e.to >= today)
                        .map(exception_text),
                );
                StopView {
                    place_name: stop.place_name.clone(),
                    address: format!("{}, {}", stop.street_address, stop.postcode),
                    when: when.join("; "),
                    map_url: osm_url(stop.location),
                }
            })
            .collect(),
        exceptions: hp
            .hours
            .exceptions
            .iter()
            .filter(|e| e.to >= today)
            .map(exception_text)
            .collect(),
        // A bus or pop-up without hours of its own is not at its home address: the map shows its stops.
        map_url: at_home.then(|| osm_url(hp.location)),
        last_checked: hp
            .last_checked_at
            .and_then(|t| jiff::Timestamp::from_second(t).ok())
            .map(|t| lang.date(t.to_zoned(region.time_zone().clone()).date(), true)),
        hp,
        shell,
        report: ReportForm::default(),
        report_error: None,
        report_sent: false,
        report_paused: state.updating.is_closed(),
        map_tiles: state.config.map_tiles.clone(),
        map_markers: markers,
        want_topic: None,
        want_pc4: None,
    })
}

// --- API ---

#[derive(Debug, Deserialize, IntoParams)]
pub struct NearestQuery {
    /// Postcode or place: "3011AB", "Rotterdam", "9000", "Gent".
    pub place: String,
    /// Topic code from the taxonomy, e.g. "bankzaken" or the group "geld".
    pub topic: Option<String>,
    /// "today" or "week": only places open then.
    pub open: Option<String>,
    pub step_free: Option<bool>,
    /// Language code, e.g. "ar".
    pub language: Option<String>,
    /// Only help points serving this municipality (CBS or NIS code).
    pub municipality: Option<String>,
    /// At most 50; default 10.
    pub limit: Option<usize>,
    /// Only help points at most this many km away (great-circle distance). Default 25, at most 1000.
    /// When none is that near, `results` is empty.
    pub max_km: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearestResponse {
    pub place: String,
    pub municipality_code: String,
    pub results: Vec<NearestHelpPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearestHelpPoint {
    pub id: String,
    pub name: String,
    /// For a mobile or pop-up help point: the place where it stands (address, position and hours are the stop's).
    pub stop: Option<String>,
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub lat: f64,
    pub lon: f64,
    /// Great-circle distance.
    pub distance_km: f64,
    /// Estimated walking distance.
    pub walking_km: f64,
    pub topics: Vec<String>,
    /// Start of the current or next opening (RFC 3339), if any.
    pub next_open_start: Option<String>,
    pub next_open_end: Option<String>,
    pub next_open_text: Option<String>,
    /// "open" or "temporarily_closed". A temporarily closed help point has no next opening until it reopens.
    pub status: String,
    /// Why it is temporarily closed (Dutch, as the coordinator wrote it).
    pub status_reason: Option<String>,
    /// Expected reopening (YYYY-MM-DD) of a temporarily closed help point; from then on its hours apply again.
    pub reopens_on: Option<String>,
    pub consultation_hours: Vec<NearestConsultationHour>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearestConsultationHour {
    pub organisation: String,
    pub title: String,
    pub hours: String,
    pub appointment_needed: bool,
}

/// The nearest help points for a place, with distances and next opening.
#[utoipa::path(get, path = "/api/v1/help-points/nearest", tag = "finder", params(NearestQuery),
    responses((status = 200, body = NearestResponse), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn nearest_help_points(
    State(state): State<AppState>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<NearestQuery>,
) -> Result<Json<NearestResponse>, ApiError> {
    let when = match q.open.as_deref() {
        None | Some("") | Some("any") => When::Any,
        Some("today") => When::Today,
        Some("week") => When::ThisWeek,
        Some(other) => {
            return Err(AppError::Validation(vec![keten_core::ValidationError::new(
                "open",
                format!("Onbekende waarde '{other}'. Kies uit: today, week."),
            )])
            .into());
        }
    };
    let max_km = q.max_km.unwrap_or(search::MAX_RESULT_KM);
    if !(max_km > 0.0 && max_km <= 1000.0) {
        return Err(AppError::Validation(vec![keten_core::ValidationError::new(
            "max_km",
            "Kies een afstand groter dan 0 en hoogstens 1000 km.",
        )])
        .into());
    }
    let query = SearchQuery {
        place: q.place,
        topic: q.topic.filter(|t| !t.is_empty()),
        when,
        step_free: q.step_free.unwrap_or(false),
        language: q.language.filter(|l| !l.is_empty()),
        municipality: q
            .municipality
            .as_deref()
            .and_then(keten_core::reference::municipality)
            .map(|m| m.code.clone()),
        limit: q.limit.unwrap_or(10),
        max_km,
    };
    let snapshot = state.finder_snapshot().await;
    let now = state.clock.now();
    let outcome = search(&snapshot, &query, now)?;
    let wanted = topic_set(&query.topic.iter().cloned().collect::<Vec<_>>());
    let results = outcome
        .found
        .iter()
        .map(|f| {
            let hp = &snapshot.help_points[f.help_point];
            let region = region_of(&hp.municipality_code);
            let stop = f.stop.map(|si| &snapshot.stops[si]);
            let location = stop.map_or(hp.location, |s| s.location);
            let closure = snapshot.closed_now(f.help_point, now);
            NearestHelpPoint {
                status: if closure.is_some() {
                    keten_core::directory::HelpPointStatus::TemporarilyClosed
                } else {
                    keten_core::directory::HelpPointStatus::Open
                }
                .as_str()
                .to_owned(),
                status_reason: closure.and_then(|c| c.reason.clone()),
                reopens_on: closure.and_then(|c| c.reopens_on).map(|d| d.to_string()),
                id: hp.id().to_string(),
                name: hp.name().to_string(),
                stop: stop.map(|s| s.place_name.clone()),
                address: stop.map_or_else(
                    || hp.street_address().to_string(),
                    |s| s.street_address.clone(),
                ),
                postcode: stop.map_or_else(|| hp.postcode().to_string(), |s| s.postcode.clone()),
                city: hp.city.to_string(),
                lat: location.lat,
                lon: location.lon,
                distance_km: (f.distance_km * 1000.0).round() / 1000.0,
                walking_km: (f.walking_km * 10.0).round() / 10.0,
                topics: hp.topics.to_vec(),
                next_open_start: f.next_open.as_ref().map(|p| p.start.to_string()),
                next_open_end: f.next_open.as_ref().map(|p| p.end.to_string()),
                next_open_text: f.next_open.as_ref().map(|p| p.describe_nl(now, region)),
                // Held at the help point's own address, not at a mobile stop.
                consultation_hours: snapshot.hours_at[f.help_point]
                    .iter()
                    .filter(|_| stop.is_none())
                    .map(|&ci| &snapshot.consultation_hours[ci])
                    .filter(|c| wanted.is_empty() || topic_set(&c.topics).intersects(wanted))
                    .map(|c| NearestConsultationHour {
                        organisation: c.organisation_name.to_string(),
                        title: c.title.to_string(),
                        hours: format_recurring_nl(&c.hours),
                        appointment_needed: c.appointment_needed,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(NearestResponse {
        place: outcome.place.label.clone(),
        municipality_code: outcome.place.municipality.code.clone(),
        results,
    }))
}
