//! "Laptop of internet nodig?": the device bank's help points and the data offers for a resident's place, each with how to get it through the chain.

use crate::AppState;
use crate::i18n::Lang;
use crate::shell::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use keten_core::geo::{Point, ResolveError, distance_km, resolve_place, walking_distance_km};
use keten_core::programme::EuroCents;
use keten_core::reference::Country;
use keten_store::data_offers::{DataOffer, DevicePoint};
use serde::Deserialize;

/// At most this many help points of the device bank are listed: the nearest.
const MAX_DEVICE_POINTS: usize = 5;

#[derive(Debug, Default, Deserialize)]
pub(super) struct AccessForm {
    /// `None`: the form was not sent yet; `Some("")`: sent without a place.
    #[serde(default)]
    plaats: Option<String>,
}

/// A help point of the device bank as listed.
pub struct DevicePointView {
    pub href: String,
    pub name: String,
    pub address: String,
    pub distance: String,
    pub organisation: String,
    /// "Er zijn nu apparaten klaar om uit te lenen." or that there are none right now.
    pub ready: String,
    /// Loan length and deposit in words.
    pub terms: String,
}

/// A data offer as listed.
pub struct OfferView {
    pub kind: String,
    pub provider: String,
    /// "10 GB per maand", "Onbeperkt internet".
    pub data: String,
    /// "6 maanden", "Zolang u er recht op heeft".
    pub duration: String,
    /// "Gratis", "€ 10 per maand".
    pub price: String,
    /// As the organisation typed it (Dutch).
    pub conditions: String,
    /// As the organisation typed it (Dutch).
    pub how_to_get: String,
    /// Where to ask: the help point with its address, or the organisation.
    pub place: String,
    /// The help point's page, when the offer is at one.
    pub href: Option<String>,
    pub distance: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "access.html")]
struct AccessPage {
    shell: Shell,
    plaats: String,
    searched: bool,
    error: Option<String>,
    suggestions: Vec<String>,
    place_label: String,
    municipality: String,
    devices: Vec<DevicePointView>,
    offers: Vec<OfferView>,
    /// The finder's list for the same place: every help point can ask for a device.
    finder_href: String,
}

fn distance_text(lang: Lang, from: Point, to: Point) -> String {
    let km = walking_distance_km(from, to);
    if km < 0.1 {
        lang.t("finder-walking-near")
    } else {
        lang.t1("finder-distance", "km", lang.km(km))
    }
}

/// "1 maand", "36 maanden" (the catalogues get text arguments, so the plural is chosen here).
fn months_text(lang: Lang, months: i64) -> String {
    if months == 1 {
        lang.t("access-month-one")
    } else {
        lang.t1("access-months", "months", months)
    }
}

fn device_view(lang: Lang, from: Point, p: &DevicePoint) -> DevicePointView {
    let months = months_text(lang, p.loan_months);
    let terms = if p.loan_deposit_cents > 0 {
        lang.t2(
            "access-loan-deposit",
            "months",
            months,
            "deposit",
            EuroCents(p.loan_deposit_cents).display(),
        )
    } else {
        lang.t1("access-loan-free", "months", months)
    };
    DevicePointView {
        href: format!("/hulppunten/{}", p.help_point_id),
        name: p.help_point_name.clone(),
        address: format!("{}, {} {}", p.street_address, p.postcode, p.city),
        distance: distance_text(
            lang,
            from,
            Point {
                lat: p.lat,
                lon: p.lon,
            },
        ),
        organisation: p.organisation_name.clone(),
        ready: if p.ready > 0 {
            lang.t("access-ready-now")
        } else {
            lang.t("access-ready-none")
        },
        terms,
    }
}

fn offer_view(lang: Lang, from: Point, o: DataOffer) -> OfferView {
    let point = o.lat.zip(o.lon).map(|(lat, lon)| Point { lat, lon });
    OfferView {
        kind: lang.t(&format!("access-kind-{}", o.kind().as_str())),
        data: match o.gb() {
            Some(gb) => lang.t1("access-gb", "gb", gb),
            None => lang.t("access-gb-unlimited"),
        },
        duration: match o.month_count() {
            Some(m) => months_text(lang, i64::from(m)),
            None => lang.t("access-months-open"),
        },
        price: if o.price_cents == 0 {
            lang.t("access-price-free")
        } else {
            lang.t1("access-price", "price", EuroCents(o.price_cents).display())
        },
        place: match (&o.help_point_name, &o.street_address, &o.postcode, &o.city) {
            (Some(name), Some(street), Some(postcode), Some(city)) => {
                format!("{name}, {street}, {postcode} {city}")
            }
            _ => o.organisation_name.clone(),
        },
        href: o
            .help_point_id
            .as_ref()
            .map(|id| format!("/hulppunten/{id}")),
        distance: point.map(|p| distance_text(lang, from, p)),
        provider: o.provider,
        conditions: o.conditions,
        how_to_get: o.how_to_get,
    }
}

/// `/laptop-of-internet`: without a place the question; with one, the device bank's help points of the place's
/// municipality (nearest first) and its data offers (those at a help point nearest first, then those of an
/// organisation). A bank serves its own municipality's residents, so another municipality's bank is not listed.
pub(super) async fn access_page(
    State(state): State<AppState>,
    shell: Shell,
    Query(form): Query<AccessForm>,
) -> Result<Response, crate::error::PageError> {
    let shell = shell.public();
    let lang = shell.lang;
    let mut page = AccessPage {
        plaats: form.plaats.clone().unwrap_or_default(),
        searched: form.plaats.is_some(),
        error: None,
        suggestions: Vec::new(),
        place_label: String::new(),
        municipality: String::new(),
        devices: Vec::new(),
        offers: Vec::new(),
        finder_href: String::new(),
        shell,
    };
    let Some(place) = form.plaats.as_deref() else {
        return Ok(page.into_response());
    };
    let resolved = match resolve_place(place, Country::Nl) {
        Ok(r) => r,
        Err(ResolveError::Empty) => {
            page.error = Some(lang.t("place-empty"));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(ResolveError::NotFound { suggestions, .. }) => {
            page.error = Some(lang.t("place-unknown"));
            page.suggestions = suggestions;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let from = resolved.point;
    let code = resolved.municipality.code.clone();
    let mut points: Vec<DevicePoint> = state
        .store
        .device_points()
        .await
        .map_err(crate::error::AppError::from)?
        .into_iter()
        .filter(|p| p.municipality_code == code)
        .collect();
    let km = |p: &DevicePoint| {
        distance_km(
            from,
            Point {
                lat: p.lat,
                lon: p.lon,
            },
        )
    };
    points.sort_by(|a, b| km(a).total_cmp(&km(b)));
    page.devices = points
        .iter()
        .take(MAX_DEVICE_POINTS)
        .map(|p| device_view(lang, from, p))
        .collect();
    let today = crate::devices::api::today(&state);
    let mut offers: Vec<DataOffer> = state
        .store
        .public_data_offers(today)
        .await
        .map_err(crate::error::AppError::from)?
        .into_iter()
        .filter(|o| o.municipality_code == code)
        .collect();
    // At a help point nearest first, then an organisation's own offers by provider (the store's order).
    let offer_km = |o: &DataOffer| {
        o.lat.zip(o.lon).map_or(f64::INFINITY, |(lat, lon)| {
            distance_km(from, Point { lat, lon })
        })
    };
    offers.sort_by(|a, b| offer_km(a).total_cmp(&offer_km(b)));
    page.offers = offers
        .into_iter()
        .map(|o| offer_view(lang, from, o))
        .collect();
    let mut query: Vec<(&str, &str)> = vec![("plaats", place.trim())];
    if let Some(l) = page.shell.lang_param {
        query.push((crate::i18n::PARAM, l.code()));
    }
    page.finder_href = format!(
        "/?{}#resultaten",
        serde_urlencoded::to_string(&query).unwrap_or_default()
    );
    page.place_label = lang.t2(
        "place-with-municipality",
        "place",
        &resolved.label,
        "municipality",
        &resolved.municipality.name,
    );
    page.municipality = resolved.municipality.name.clone();
    Ok(page.into_response())
}
