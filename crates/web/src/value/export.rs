//! The analysis as an Excel workbook with live formulas: the assumptions as named cells, the outcomes, and every flow, total and the NPV as formulas over them, so a reader changes a value and sees the result move.

use super::AgencyNames;
use keten_core::scba::{Category, Flow, Group, Outcomes, Param, ScbaModel, ScbaResult};
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

/// The formula of one flow over the named cells (the same rule as `keten_core::scba::calculate`); `agencies`
/// holds each agency code's defined name of effective questions.
fn flow_formula(flow: &Flow, agencies: &[(String, String)]) -> String {
    let fixed = match (flow.category, flow.group) {
        (Category::Contacts, _) => {
            let code = flow.agency.as_deref().unwrap_or_default();
            let effective = agencies
                .iter()
                .find(|(c, _)| c == code)
                .map_or("0", |(_, name)| name.as_str());
            let (phone, desk) = Param::contact_costs(code);
            return format!(
                "={effective}*(phone_contacts_avoided*{}+desk_contacts_avoided*{})",
                phone.as_str(),
                desk.as_str()
            );
        }
        (Category::TimeTravel, _) => "=eff_all*(hours_saved*value_of_time+travel_cost_saved)",
        (Category::Objections, _) => "=eff_government*error_share*objection_cost",
        (Category::Penalties, _) => "=eff_government*error_share*penalty_amount",
        (Category::BenefitsTakenUp, _) => "=eff_benefits*take_up_share*benefit_amount",
        (Category::Debt, Group::Municipality) => {
            "=eff_debt*debt_share*debt_cost*debt_municipality_share"
        }
        (Category::Debt, _) => "=eff_debt*debt_share*debt_cost*(1-debt_municipality_share)",
        (Category::Work, _) => "=eff_work*job_share*job_value",
        (Category::Wellbeing, _) => "=eff_all*wellbeing_value",
        (Category::HelpTime, _) => {
            "=minutes_per_year/60*overhead_factor*(1-volunteer_share)*staff_rate"
        }
        (Category::VolunteerTime, _) => {
            "=minutes_per_year/60*overhead_factor*volunteer_share*volunteer_rate"
        }
        (Category::Coordination, _) => "=help_points*coordination_hours*staff_rate",
        (Category::Training, _) => "=help_points*training_cost",
        (Category::Location, _) => "=help_points*location_cost",
        (Category::Materials, _) => "=help_points*materials_cost",
        (Category::ConsultationHours, _) => {
            "=help_points*consultation_hours_per_point*partner_hour_cost"
        }
    };
    fixed.to_owned()
}

/// A defined name for an agency's effective questions: an admin-added code may hold characters a name may not,
/// so everything but letters and digits becomes `_`, numbered when two codes end up alike.
fn agency_names(codes: &[String]) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = Vec::new();
    for code in codes {
        let safe: String = code
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let mut name = format!("eff_agency_{safe}");
        if names.iter().any(|(_, n)| *n == name) {
            name = format!("{name}_{}", names.len() + 1);
        }
        names.push((code.clone(), name));
    }
    names
}

fn row(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn header(sheet: &mut Worksheet, names: &[&str]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (col, name) in (0u16..).zip(names) {
        sheet.write_string_with_format(0, col, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook's bytes.
pub fn workbook(
    model: &ScbaModel,
    outcomes: &Outcomes,
    result: &ScbaResult,
    labels: &AgencyNames,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();

    let sheet = book.add_worksheet();
    sheet.set_name("Aannames")?;
    header(
        sheet,
        &[
            "Code",
            "Parameter",
            "Eenheid",
            "Laag",
            "Basis",
            "Hoog",
            "Waarom",
            "Bron",
        ],
    )?;
    let mut names = Vec::new();
    for (i, p) in model.parameters.iter().enumerate() {
        let r = row(i + 1);
        sheet.write_string(r, 0, p.param.as_str())?;
        sheet.write_string(r, 1, p.param.label())?;
        sheet.write_string(r, 2, p.param.unit().label())?;
        sheet.write_number(r, 3, p.low)?;
        sheet.write_number(r, 4, p.base)?;
        sheet.write_number(r, 5, p.high)?;
        sheet.write_string(r, 6, &p.rationale)?;
        sheet.write_string(r, 7, &p.source)?;
        names.push((
            p.param.as_str().to_owned(),
            format!("=Aannames!$E${}", r + 1),
        ));
    }
    sheet.autofit();

    let sheet = book.add_worksheet();
    sheet.set_name("Uitkomsten")?;
    header(
        sheet,
        &[
            "Vragen",
            "Opgelost per jaar",
            "Deels opgelost per jaar",
            "Doorverwezen per jaar",
            "Effectief opgelost per jaar",
        ],
    )?;
    let by_agency = outcomes.annual_by_agency();
    let codes: Vec<String> = by_agency.iter().map(|(code, _)| code.clone()).collect();
    let agencies = agency_names(&codes);
    let mut classes: Vec<(String, String, [f64; 3])> = outcomes
        .annual_classes()
        .into_iter()
        .map(|(class, counts)| (class.to_owned(), format!("eff_{class}"), counts))
        .collect();
    for ((code, counts), (_, name)) in by_agency.iter().zip(&agencies) {
        classes.push((
            format!("instantie: {}", labels.name(code)),
            name.clone(),
            *counts,
        ));
    }
    for (i, (class, name, [solved, partly, referred])) in classes.iter().enumerate() {
        let r = row(i + 1);
        let excel = r + 1;
        sheet.write_string(r, 0, class)?;
        sheet.write_number(r, 1, *solved)?;
        sheet.write_number(r, 2, *partly)?;
        sheet.write_number(r, 3, *referred)?;
        let effective = solved
            + partly * model.value(Param::PartlySolvedWeight)
            + referred * model.value(Param::ReferredWeight);
        sheet.write_formula(
            r,
            4,
            Formula::new(format!(
                "=B{excel}+C{excel}*partly_solved_weight+D{excel}*referred_weight"
            ))
            .set_result(effective.to_string()),
        )?;
        names.push((name.clone(), format!("=Uitkomsten!$E${excel}")));
    }
    let r = row(classes.len() + 1);
    sheet.write_string(r, 0, "Minuten hulp per jaar")?;
    sheet.write_number(r, 4, outcomes.minutes() as f64 * result.annualisation)?;
    names.push((
        "minutes_per_year".to_owned(),
        format!("=Uitkomsten!$E${}", r + 1),
    ));
    sheet.write_string(r + 1, 0, "Hulppunten")?;
    sheet.write_number(r + 1, 4, f64::from(outcomes.help_points))?;
    names.push((
        "help_points".to_owned(),
        format!("=Uitkomsten!$E${}", r + 2),
    ));
    sheet.autofit();

    let sheet = book.add_worksheet();
    sheet.set_name("Resultaat")?;
    header(sheet, &["Post", "Wie", "Euro per jaar", "Soort"])?;
    for (i, f) in result.flows.iter().enumerate() {
        let r = row(i + 1);
        let kind = if f.category.is_cost() {
            "kosten"
        } else if f.category.is_transfer() {
            "overdracht"
        } else {
            "baten"
        };
        match &f.agency {
            Some(code) => sheet.write_string(
                r,
                0,
                format!("{}: {}", f.category.label(), labels.name(code)),
            )?,
            None => sheet.write_string(r, 0, f.category.label())?,
        };
        sheet.write_string(r, 1, f.group.label())?;
        sheet.write_formula(
            r,
            2,
            Formula::new(flow_formula(f, &agencies)).set_result(f.yearly.to_string()),
        )?;
        sheet.write_string(r, 3, kind)?;
    }
    let last = result.flows.len() + 1;
    let totals: [(&str, &str, String, f64); 9] = [
        ("Baten per jaar", "benefits", format!("=SUMIF($D$2:$D${last},\"baten\",$C$2:$C${last})"), result.yearly_benefits),
        ("Kosten per jaar", "costs", format!("=SUMIF($D$2:$D${last},\"kosten\",$C$2:$C${last})"), result.yearly_costs),
        ("Overdrachten per jaar (niet in het saldo)", "transfers", format!("=SUMIF($D$2:$D${last},\"overdracht\",$C$2:$C${last})"), result.yearly_transfers),
        ("Discontovoet", "standard_rate", "=risk_free_rate+risk_premium".to_owned(), result.discount_rate),
        ("Contante-waardefactor", "annuity", "=IF(standard_rate=0,INT(horizon_years),(1-(1+standard_rate)^-INT(horizon_years))/standard_rate)".to_owned(), result.annuity_factor),
        ("Netto contante waarde", "npv", "=(benefits-costs)*annuity".to_owned(), result.npv),
        ("Baten/kostenverhouding", "ratio", "=IF(costs>0,benefits/costs,0)".to_owned(), result.benefit_cost_ratio.unwrap_or(0.0)),
        ("Factor bij de gevoeligheidsvoet", "sensitivity_annuity", "=IF(sensitivity_rate=0,INT(horizon_years),(1-(1+sensitivity_rate)^-INT(horizon_years))/sensitivity_rate)".to_owned(), annuity(result)),
        ("Netto contante waarde bij de gevoeligheidsvoet", "sensitivity_npv", "=(benefits-costs)*sensitivity_annuity".to_owned(), result.npv_at_sensitivity_rate),
    ];
    let bold = Format::new().set_bold();
    for (i, (label, name, formula, value)) in totals.iter().enumerate() {
        let r = row(last + 1 + i);
        sheet.write_string_with_format(r, 0, *label, &bold)?;
        sheet.write_formula(
            r,
            2,
            Formula::new(formula.as_str()).set_result(value.to_string()),
        )?;
        names.push(((*name).to_owned(), format!("=Resultaat!$C${}", r + 1)));
    }
    sheet.autofit();

    contacts_sheet(&mut book, model, result, &agencies, labels)?;

    for (name, target) in &names {
        book.define_name(name, target)?;
    }
    book.save_to_buffer()
}

fn annuity(result: &ScbaResult) -> f64 {
    keten_core::scba::annuity_factor(result.sensitivity_rate, result.horizon_years)
}

/// Contacts avoided per agency, as live formulas over the named cells: a reader changes an agency's cost on
/// "Aannames" and sees its row move.
fn contacts_sheet(
    book: &mut Workbook,
    model: &ScbaModel,
    result: &ScbaResult,
    agencies: &[(String, String)],
    labels: &AgencyNames,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name("Contacten")?;
    header(
        sheet,
        &[
            "Instantie",
            "Effectief opgelost per jaar",
            "Telefoontjes voorkomen per jaar",
            "Baliebezoeken voorkomen per jaar",
            "Euro per jaar",
            "Kosten telefonisch contact",
            "Kosten baliecontact",
        ],
    )?;
    let contacts = result
        .flows
        .iter()
        .filter(|f| f.category == Category::Contacts);
    for (i, f) in contacts.enumerate() {
        let r = row(i + 1);
        let excel = r + 1;
        let code = f.agency.as_deref().unwrap_or_default();
        let effective = agencies
            .iter()
            .find(|(c, _)| c == code)
            .map_or("0", |(_, name)| name.as_str());
        let (phone, desk) = Param::contact_costs(code);
        let phone_avoided = model.value(Param::PhoneContactsAvoided);
        let desk_avoided = model.value(Param::DeskContactsAvoided);
        sheet.write_string(r, 0, labels.name(code))?;
        sheet.write_formula(
            r,
            1,
            Formula::new(format!("={effective}")).set_result(f.quantity.to_string()),
        )?;
        sheet.write_formula(
            r,
            2,
            Formula::new(format!("=B{excel}*phone_contacts_avoided"))
                .set_result((f.quantity * phone_avoided).to_string()),
        )?;
        sheet.write_formula(
            r,
            3,
            Formula::new(format!("=B{excel}*desk_contacts_avoided"))
                .set_result((f.quantity * desk_avoided).to_string()),
        )?;
        sheet.write_formula(
            r,
            4,
            Formula::new(format!(
                "=C{excel}*{}+D{excel}*{}",
                phone.as_str(),
                desk.as_str()
            ))
            .set_result(f.yearly.to_string()),
        )?;
        sheet.write_formula(
            r,
            5,
            Formula::new(format!("={}", phone.as_str())).set_result(model.value(phone).to_string()),
        )?;
        sheet.write_formula(
            r,
            6,
            Formula::new(format!("={}", desk.as_str())).set_result(model.value(desk).to_string()),
        )?;
    }
    sheet.autofit();
    Ok(())
}
