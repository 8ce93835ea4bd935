//! The page `/regie/waarde`: the analysis in plain Dutch, every figure with the assumptions that drive it, a tornado chart with its numbers, personas and the workbook.

use crate::AppState;
use crate::auth::RequireUser;
use crate::charts::{Chart, Kind, Series};
use crate::error::PageError;
use crate::shell::Shell;
use crate::steering::tables::StatsQuery;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use keten_core::scba::{
    Category, Param, Parameter, ScbaModel, calculate, personas, scenarios, tornado,
    tornado_without_effect,
};
use keten_core::steering::thousands;

/// Whole euros, Dutch style ("€ 12.345", "−€ 1.200").
fn euro(v: f64) -> String {
    let n = v.round() as i64;
    if n < 0 {
        format!("−€ {}", thousands(-n))
    } else {
        format!("€ {}", thousands(n))
    }
}

/// As many decimals as the value has, up to 4: a rate of 0,0225 must not read as 0,02 beside the figure it drives.
fn number(v: f64) -> String {
    let places = (0..4)
        .find(|p| {
            let scaled = v * 10f64.powi(*p);
            (scaled - scaled.round()).abs() < 1e-9 * scaled.abs().max(1.0)
        })
        .unwrap_or(4);
    crate::numbers::decimal(v, usize::try_from(places).unwrap_or(4))
}

pub struct FlowRow {
    pub label: String,
    pub group: String,
    pub yearly: String,
    /// "Waarde van een uur van een inwoner: 10 euro per uur (Aanname)", one per driver.
    pub assumptions: Vec<String>,
}

pub struct AssumptionRow {
    pub label: String,
    pub unit: String,
    pub low: String,
    pub base: String,
    pub high: String,
    pub rationale: String,
    pub source: String,
}

/// Contacts avoided at one agency per year.
pub struct ContactRow {
    pub agency: String,
    pub phone: String,
    pub desk: String,
    pub yearly: String,
    /// The agency has no parameters of its own and uses those of "other".
    pub fallback: bool,
}

pub struct Line {
    pub label: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "value.html")]
pub struct ValuePage {
    shell: Shell,
    scope_name: String,
    period_text: String,
    origin: String,
    /// The parameter form, for those who may edit the model in use here.
    edit: Option<String>,
    summary: String,
    totals: Vec<Line>,
    /// Benefits, transfers and costs: a heading and its rows.
    sections: Vec<(&'static str, Vec<FlowRow>)>,
    tornado_chart: String,
    tornado: Vec<(String, String, String)>,
    /// Parameters left out of the tornado because they change nothing.
    no_effect: Vec<String>,
    contacts: Vec<ContactRow>,
    personas: Vec<Line>,
    assumptions: Vec<AssumptionRow>,
    download: String,
}

fn described(p: &Parameter) -> String {
    format!(
        "{}: {} {} (bron: {})",
        p.param.label(),
        number(p.base),
        p.param.unit().label(),
        p.source
    )
}

pub async fn value_page(
    State(state): State<AppState>,
    shell: Shell,
    RequireUser(me): RequireUser,
    Query(q): Query<StatsQuery>,
) -> Result<ValuePage, PageError> {
    let super::Inputs {
        resolved: r,
        model,
        origin,
        outcomes,
        agencies,
    } = super::inputs(&state, &me.actor, &q).await?;
    let result = calculate(&model, &outcomes);
    let scope_name = match (&r.scope.help_point, &r.scope.municipality_code) {
        (Some(p), _) => p.name.clone(),
        (None, Some(code)) => keten_core::reference::municipality(code)
            .map_or_else(|| code.clone(), |m| m.name.clone()),
        (None, None) => "alle gemeenten".to_owned(),
    };
    let (from, to) = r.period.range.dates();
    let rows = |keep: &dyn Fn(&keten_core::scba::Category) -> bool| -> Vec<FlowRow> {
        result
            .flows
            .iter()
            .filter(|f| keep(&f.category))
            .map(|f| FlowRow {
                label: match &f.agency {
                    Some(code) => format!("{}: {}", f.category.label(), agencies.name(code)),
                    None => f.category.label().to_owned(),
                },
                group: f.group.label().to_owned(),
                yearly: euro(f.yearly),
                assumptions: f
                    .drivers
                    .iter()
                    .filter_map(|d| model.parameter(*d))
                    .map(described)
                    .collect(),
            })
            .collect()
    };
    let phone_avoided = model.value(Param::PhoneContactsAvoided);
    let desk_avoided = model.value(Param::DeskContactsAvoided);
    let contacts = result
        .flows
        .iter()
        .filter(|f| f.category == Category::Contacts)
        .filter_map(|f| {
            let code = f.agency.as_deref()?;
            Some(ContactRow {
                agency: agencies.name(code),
                phone: crate::numbers::decimal(f.quantity * phone_avoided, 0),
                desk: crate::numbers::decimal(f.quantity * desk_avoided, 0),
                yearly: euro(f.yearly),
                fallback: Param::contact_costs(code).0.contact_cost_agency() != code.parse().ok(),
            })
        })
        .collect();
    let no_effect = tornado_without_effect(&model, &outcomes)
        .into_iter()
        .map(|p| p.label().to_owned())
        .collect();
    let bars = tornado(&model, &outcomes);
    let top: Vec<_> = bars.iter().take(10).collect();
    let tornado_chart = Chart::new(
        Kind::Bars,
        "tornado",
        "Welke aannames tellen het zwaarst",
        "Hoeveel de netto contante waarde verschuift als één aanname van haar lage naar haar hoge waarde gaat (in euro).",
    )
    .categories("Aanname", top.iter().map(|b| b.param.label().to_owned()))
    .series(Series::new("Verschil in netto contante waarde (euro)", top.iter().map(|b| Some(b.swing().round())).collect()))
    .render();
    let s = scenarios(&model, &outcomes);
    let ratio = result.benefit_cost_ratio.map_or_else(
        || "niet te berekenen (geen kosten)".to_owned(),
        |x| crate::numbers::decimal(x, 2),
    );
    let summary = format!(
        "Over {} jaar leveren de hulppunten naar schatting {} op en kosten ze {}: per euro kosten {} euro aan baten. Dat is een schatting op basis van aannames; de meeste waarden komen niet uit onderzoek.",
        number(result.horizon_years),
        euro(result.present_benefits),
        euro(result.present_costs),
        ratio,
    );
    let totals = vec![
        Line {
            label: "Opgeloste vragen per jaar (gewogen)".into(),
            text: crate::numbers::decimal(result.effective_solved, 0),
        },
        Line {
            label: "Baten per jaar".into(),
            text: euro(result.yearly_benefits),
        },
        Line {
            label: "Kosten per jaar".into(),
            text: euro(result.yearly_costs),
        },
        Line {
            label: "Overdrachten per jaar (niet meegeteld)".into(),
            text: euro(result.yearly_transfers),
        },
        Line {
            label: format!(
                "Netto contante waarde bij {}% discontovoet",
                crate::numbers::decimal(result.discount_rate * 100.0, 2)
            ),
            text: euro(result.npv),
        },
        Line {
            label: format!(
                "Netto contante waarde bij {}%",
                crate::numbers::decimal(result.sensitivity_rate * 100.0, 2)
            ),
            text: euro(result.npv_at_sensitivity_rate),
        },
        Line {
            label: "Pessimistisch (alle aannames ongunstig)".into(),
            text: euro(s.pessimistic),
        },
        Line {
            label: "Optimistisch (alle aannames gunstig)".into(),
            text: euro(s.optimistic),
        },
    ];
    let personas = personas(&model)
        .into_iter()
        .map(|p| Line {
            label: p.persona.label().to_owned(),
            text: if p.transfer_per_year > 0.0 {
                format!(
                    "{} in het eerste jaar, plus {} per jaar aan toeslag (een overdracht)",
                    euro(p.first_year),
                    euro(p.transfer_per_year)
                )
            } else {
                format!("{} in het eerste jaar", euro(p.first_year))
            },
        })
        .collect();
    let download = format!("/regie/waarde/mkba.xlsx?{}", q.to_query_string());
    Ok(ValuePage {
        shell,
        scope_name,
        period_text: format!("{from} tot en met {to}"),
        origin: format!(
            "{}, versie {}",
            match origin {
                keten_store::scba::ModelOrigin::Default => "het standaardmodel van keten",
                keten_store::scba::ModelOrigin::National => "het landelijke model",
                keten_store::scba::ModelOrigin::Municipality => "het eigen model van de gemeente",
            },
            model.version
        ),
        edit: edit_link(&me.actor, r.scope.municipality_code.as_deref()),
        summary,
        totals,
        sections: vec![
            (
                "Baten per jaar",
                rows(&|c| !c.is_cost() && !c.is_transfer()),
            ),
            (
                "Overdrachten per jaar (niet in het saldo: wat de een krijgt, betaalt een ander)",
                rows(&|c| c.is_transfer()),
            ),
            ("Kosten per jaar", rows(&|c| c.is_cost())),
        ],
        tornado_chart,
        tornado: top
            .iter()
            .map(|b| {
                (
                    b.param.label().to_owned(),
                    euro(b.npv_low),
                    euro(b.npv_high),
                )
            })
            .collect(),
        no_effect,
        contacts,
        personas,
        assumptions: assumption_rows(&model),
        download,
    })
}

fn assumption_rows(model: &ScbaModel) -> Vec<AssumptionRow> {
    model
        .parameters
        .iter()
        .map(|p| AssumptionRow {
            label: p.param.label().to_owned(),
            unit: p.param.unit().label().to_owned(),
            low: number(p.low),
            base: number(p.base),
            high: number(p.high),
            rationale: p.rationale.clone(),
            source: p.source.clone(),
        })
        .collect()
}

/// Where the actor edits the model of this scope: steering its own municipality's copy, programme managers and
/// admins the national default (from the all-municipalities view).
fn edit_link(actor: &keten_store::Actor, municipality: Option<&str>) -> Option<String> {
    use keten_core::account::Role;
    match municipality {
        Some(code) if actor.steering_municipalities.iter().any(|m| m == code) => {
            Some(format!("/regie/waarde/parameters?municipality={code}"))
        }
        None if actor.has_any_role(&[Role::ProgrammeManager, Role::Admin]) => {
            Some("/regie/waarde/parameters".to_owned())
        }
        _ => None,
    }
}
