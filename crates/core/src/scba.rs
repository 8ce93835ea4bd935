//! Social cost-benefit analysis (MKBA) of help points: the versioned parameter set and the pure calculation from registered outcomes to benefits, costs, net present value, sensitivity, tornado and personas.
//!
//! # The calculation
//!
//! Inputs are registered outcomes over a period of `days` ([`Outcomes`]: questions and minutes per topic, agency
//! and outcome, and the number of help points). Flows are scaled to a year (`× 365 / days`) and taken as constant
//! over the horizon.
//!
//! *Effective solved questions* weigh how a question ended: solved 1, partly solved [`Param::PartlySolvedWeight`],
//! referred [`Param::ReferredWeight`], not solved 0. Each benefit is effective solved questions of the questions it
//! applies to, times a share where the effect is not certain, times a unit value ([`Category`] lists which
//! questions and parameters). Benefits and allowances taken up and penalties avoided are **transfers** (one party's
//! gain is another's loss): shown apart, never counted in the welfare balance, as MKBA practice requires.
//!
//! Contacts avoided are valued at each agency's own costs: the effective solved questions registered for an
//! agency × ([`Param::PhoneContactsAvoided`] × that agency's phone cost + [`Param::DeskContactsAvoided`] × its desk
//! cost), one flow per agency ([`Param::contact_costs`]). `other` and agencies an admin added share the fallback
//! pair (`*_contact_cost_other`); questions without an agency avoid no contact; the municipality's own phone and
//! desk are the municipality's gain. A model saved before the split had one `phone_contact_cost` and one
//! `desk_contact_cost`: it loads with that value at every agency ([`ModelInput::upgrade`]), which keeps its
//! results, and a client still sending those names is told what replaced them ([`ModelInput::strict`]).
//!
//! Costs per year: the help time (registered minutes × an overhead factor, valued at the staff rate or, for the
//! volunteers' share, the volunteer rate: volunteer time has a social value too) and, per help point, coordination
//! hours, training, location, materials and partners' consultation hours.
//!
//! Net present value over `H` years at rate `r`, flows at the end of each year:
//! `NPV = (B − C) · (1 − (1 + r)^−H) / r` (and `(B − C) · H` when `r = 0`). The standard real rate is the Dutch
//! one since 2021: risk-free −1% plus a 3.25% risk premium = 2.25%. The risk-free rate alone applies only to
//! flows shown to be risk-free; none of these are, so all flows use the standard rate, and a sensitivity run uses
//! [`Param::SensitivityRate`]. The benefit/cost ratio is `B / C` (the same for present values, the flows being
//! constant).
//!
//! Sensitivity: every uncertain parameter has a low and a high value. The tornado moves one parameter at a time
//! to its low and to its high value, and leaves out the parameters where both give the same NPV (an agency
//! without questions, a range of one value: [`tornado_without_effect`]); the pessimistic and optimistic
//! scenarios set every parameter at once to the end that lowers (raises) the NPV. All flows are products of
//! non-negative factors, so each parameter moves the NPV one way whatever the others are, and these scenarios are
//! the true extremes of the ranges.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::codes::code_list;
use crate::help_question::Agency;

code_list! {
    /// The unit a parameter is expressed in.
    pub enum Unit ("unit") {
        Euro = "euro", "euro";
        EuroPerHour = "euro_per_hour", "euro per uur";
        Hours = "hours", "uur";
        Count = "count", "aantal";
        Share = "share", "aandeel (0 tot 1)";
        Factor = "factor", "factor";
        Rate = "rate", "rente per jaar (0,0225 = 2,25%)";
        Years = "years", "jaar";
    }
}

code_list! {
    /// Who gains or bears a flow.
    pub enum Group ("group") {
        Residents = "residents", "Inwoners";
        Agencies = "agencies", "Instanties";
        Municipality = "municipality", "Gemeente";
        Society = "society", "Samenleving";
        Volunteers = "volunteers", "Vrijwilligers";
        Partners = "partners", "Partners";
    }
}

code_list! {
    /// Benefit and cost categories.
    pub enum Category ("category") {
        TimeTravel = "time_travel", "Tijd en reiskosten van inwoners bespaard";
        Contacts = "contacts", "Contacten bij instanties voorkomen";
        Objections = "objections", "Fouten en bezwaren voorkomen";
        Penalties = "penalties", "Boetes en naheffingen voorkomen (overdracht)";
        BenefitsTakenUp = "benefits_taken_up", "Toeslagen en uitkeringen benut (overdracht)";
        Debt = "debt", "Minder ernstige schulden";
        Work = "work", "Werk gevonden";
        Wellbeing = "wellbeing", "Gezondheid en welzijn";
        HelpTime = "help_time", "Tijd van medewerkers";
        VolunteerTime = "volunteer_time", "Tijd van vrijwilligers";
        Coordination = "coordination", "Coördinatie";
        Training = "training", "Training";
        Location = "location", "Locatie";
        Materials = "materials", "Materialen";
        ConsultationHours = "consultation_hours", "Spreekuren van partners";
    }
}

impl Category {
    /// A transfer: shown apart, not a welfare gain.
    #[must_use]
    pub fn is_transfer(self) -> bool {
        matches!(self, Self::Penalties | Self::BenefitsTakenUp)
    }

    /// A cost category.
    #[must_use]
    pub fn is_cost(self) -> bool {
        matches!(
            self,
            Self::HelpTime
                | Self::VolunteerTime
                | Self::Coordination
                | Self::Training
                | Self::Location
                | Self::Materials
                | Self::ConsultationHours
        )
    }
}

code_list! {
    /// The parameters of the model. Discount settings are parameters too, so that they carry a source.
    pub enum Param ("param") {
        PartlySolvedWeight = "partly_solved_weight", "Gewicht van een deels opgeloste vraag";
        ReferredWeight = "referred_weight", "Gewicht van een doorverwezen vraag";
        HoursSaved = "hours_saved", "Tijd die een inwoner bespaart per opgeloste vraag";
        ValueOfTime = "value_of_time", "Waarde van een uur van een inwoner";
        TravelCostSaved = "travel_cost_saved", "Reiskosten bespaard per opgeloste vraag";
        PhoneContactsAvoided = "phone_contacts_avoided", "Telefoontjes naar de instantie voorkomen per opgeloste vraag";
        DeskContactsAvoided = "desk_contacts_avoided", "Baliebezoeken voorkomen per opgeloste vraag";
        PhoneContactCostBelastingdienst = "phone_contact_cost_belastingdienst", "Kosten van een telefonisch contact bij de Belastingdienst";
        DeskContactCostBelastingdienst = "desk_contact_cost_belastingdienst", "Kosten van een baliecontact bij de Belastingdienst";
        PhoneContactCostToeslagen = "phone_contact_cost_toeslagen", "Kosten van een telefonisch contact bij Dienst Toeslagen";
        DeskContactCostToeslagen = "desk_contact_cost_toeslagen", "Kosten van een baliecontact bij Dienst Toeslagen";
        PhoneContactCostUwv = "phone_contact_cost_uwv", "Kosten van een telefonisch contact bij het UWV";
        DeskContactCostUwv = "desk_contact_cost_uwv", "Kosten van een baliecontact bij het UWV";
        PhoneContactCostSvb = "phone_contact_cost_svb", "Kosten van een telefonisch contact bij de SVB";
        DeskContactCostSvb = "desk_contact_cost_svb", "Kosten van een baliecontact bij de SVB";
        PhoneContactCostDuo = "phone_contact_cost_duo", "Kosten van een telefonisch contact bij DUO";
        DeskContactCostDuo = "desk_contact_cost_duo", "Kosten van een baliecontact bij DUO";
        PhoneContactCostCak = "phone_contact_cost_cak", "Kosten van een telefonisch contact bij het CAK";
        DeskContactCostCak = "desk_contact_cost_cak", "Kosten van een baliecontact bij het CAK";
        PhoneContactCostCbr = "phone_contact_cost_cbr", "Kosten van een telefonisch contact bij het CBR";
        DeskContactCostCbr = "desk_contact_cost_cbr", "Kosten van een baliecontact bij het CBR";
        PhoneContactCostCiz = "phone_contact_cost_ciz", "Kosten van een telefonisch contact bij het CIZ";
        DeskContactCostCiz = "desk_contact_cost_ciz", "Kosten van een baliecontact bij het CIZ";
        PhoneContactCostCjib = "phone_contact_cost_cjib", "Kosten van een telefonisch contact bij het CJIB";
        DeskContactCostCjib = "desk_contact_cost_cjib", "Kosten van een baliecontact bij het CJIB";
        PhoneContactCostRdw = "phone_contact_cost_rdw", "Kosten van een telefonisch contact bij de RDW";
        DeskContactCostRdw = "desk_contact_cost_rdw", "Kosten van een baliecontact bij de RDW";
        PhoneContactCostLogius = "phone_contact_cost_logius", "Kosten van een telefonisch contact bij DigiD (Logius)";
        DeskContactCostLogius = "desk_contact_cost_logius", "Kosten van een baliecontact bij DigiD (Logius)";
        PhoneContactCostMunicipality = "phone_contact_cost_municipality", "Kosten van een telefonisch contact bij de gemeente";
        DeskContactCostMunicipality = "desk_contact_cost_municipality", "Kosten van een baliecontact bij de gemeente";
        PhoneContactCostBank = "phone_contact_cost_bank", "Kosten van een telefonisch contact bij een bank";
        DeskContactCostBank = "desk_contact_cost_bank", "Kosten van een baliecontact bij een bank";
        PhoneContactCostInsurer = "phone_contact_cost_insurer", "Kosten van een telefonisch contact bij een zorgverzekeraar";
        DeskContactCostInsurer = "desk_contact_cost_insurer", "Kosten van een baliecontact bij een zorgverzekeraar";
        PhoneContactCostTelecom = "phone_contact_cost_telecom", "Kosten van een telefonisch contact bij een telecomaanbieder";
        DeskContactCostTelecom = "desk_contact_cost_telecom", "Kosten van een baliecontact bij een telecomaanbieder";
        PhoneContactCostOther = "phone_contact_cost_other", "Kosten van een telefonisch contact bij een andere instantie";
        DeskContactCostOther = "desk_contact_cost_other", "Kosten van een baliecontact bij een andere instantie";
        ErrorShare = "error_share", "Deel van de overheidsvragen waarbij een fout of bezwaar wordt voorkomen";
        ObjectionCost = "objection_cost", "Kosten voor de instantie van een fout of bezwaar";
        PenaltyAmount = "penalty_amount", "Boete of naheffing die een inwoner ontloopt";
        TakeUpShare = "take_up_share", "Deel van de vragen over toeslagen en uitkeringen dat tot een gemist recht leidt";
        BenefitAmount = "benefit_amount", "Bedrag van een benut recht per jaar";
        DebtShare = "debt_share", "Deel van de vragen over rondkomen en schulden dat een ernstige schuld voorkomt";
        DebtCost = "debt_cost", "Maatschappelijke kosten van een ernstige schuld";
        DebtMunicipalityShare = "debt_municipality_share", "Deel van die kosten dat de gemeente draagt";
        JobShare = "job_share", "Deel van de vragen over werk en uitkering dat tot werk leidt";
        JobValue = "job_value", "Maatschappelijke opbrengst van werk, eerste jaar";
        WellbeingValue = "wellbeing_value", "Waarde voor welzijn per opgeloste vraag";
        StaffRate = "staff_rate", "Kosten van een uur van een medewerker";
        VolunteerRate = "volunteer_rate", "Waarde van een uur vrijwilligerswerk";
        VolunteerShare = "volunteer_share", "Deel van de hulptijd door vrijwilligers";
        OverheadFactor = "overhead_factor", "Toeslag op hulptijd voor voorbereiding en administratie";
        CoordinationHours = "coordination_hours", "Uren coördinatie per hulppunt per jaar";
        TrainingCost = "training_cost", "Training per hulppunt per jaar";
        LocationCost = "location_cost", "Locatie per hulppunt per jaar";
        MaterialsCost = "materials_cost", "Materialen per hulppunt per jaar";
        ConsultationHoursPerPoint = "consultation_hours_per_point", "Spreekuururen van partners per hulppunt per jaar";
        PartnerHourCost = "partner_hour_cost", "Kosten van een uur van een partner";
        HorizonYears = "horizon_years", "Looptijd van de analyse";
        RiskFreeRate = "risk_free_rate", "Risicovrije reële discontovoet";
        RiskPremium = "risk_premium", "Risico-opslag";
        SensitivityRate = "sensitivity_rate", "Discontovoet voor de gevoeligheidsanalyse";
    }
}

impl Param {
    /// Discount settings: rules, not uncertain estimates; left out of the tornado and scenarios.
    #[must_use]
    pub fn is_setting(self) -> bool {
        matches!(
            self,
            Self::HorizonYears | Self::RiskFreeRate | Self::RiskPremium | Self::SensitivityRate
        )
    }

    /// The parameter's unit (fixed: the calculation depends on it).
    #[must_use]
    pub fn unit(self) -> Unit {
        use Param::*;
        match self {
            PartlySolvedWeight
            | ReferredWeight
            | ErrorShare
            | TakeUpShare
            | DebtShare
            | DebtMunicipalityShare
            | JobShare
            | VolunteerShare => Unit::Share,
            HoursSaved | CoordinationHours | ConsultationHoursPerPoint => Unit::Hours,
            ValueOfTime | StaffRate | VolunteerRate | PartnerHourCost => Unit::EuroPerHour,
            PhoneContactsAvoided | DeskContactsAvoided => Unit::Count,
            OverheadFactor => Unit::Factor,
            HorizonYears => Unit::Years,
            RiskFreeRate | RiskPremium | SensitivityRate => Unit::Rate,
            TravelCostSaved | ObjectionCost | PenaltyAmount | BenefitAmount | DebtCost
            | JobValue | WellbeingValue | TrainingCost | LocationCost | MaterialsCost => Unit::Euro,
            PhoneContactCostBelastingdienst
            | DeskContactCostBelastingdienst
            | PhoneContactCostToeslagen
            | DeskContactCostToeslagen
            | PhoneContactCostUwv
            | DeskContactCostUwv
            | PhoneContactCostSvb
            | DeskContactCostSvb
            | PhoneContactCostDuo
            | DeskContactCostDuo
            | PhoneContactCostCak
            | DeskContactCostCak
            | PhoneContactCostCbr
            | DeskContactCostCbr
            | PhoneContactCostCiz
            | DeskContactCostCiz
            | PhoneContactCostCjib
            | DeskContactCostCjib
            | PhoneContactCostRdw
            | DeskContactCostRdw
            | PhoneContactCostLogius
            | DeskContactCostLogius
            | PhoneContactCostMunicipality
            | DeskContactCostMunicipality
            | PhoneContactCostBank
            | DeskContactCostBank
            | PhoneContactCostInsurer
            | DeskContactCostInsurer
            | PhoneContactCostTelecom
            | DeskContactCostTelecom
            | PhoneContactCostOther
            | DeskContactCostOther => Unit::Euro,
        }
    }

    /// The phone and desk contact cost parameters of an agency code: `other`, and agencies an admin added (whose
    /// codes keten does not know), share the fallback pair.
    #[must_use]
    pub fn contact_costs(agency: &str) -> (Param, Param) {
        use Param::*;
        match agency.parse::<Agency>().unwrap_or(Agency::Other) {
            Agency::Belastingdienst => (
                PhoneContactCostBelastingdienst,
                DeskContactCostBelastingdienst,
            ),
            Agency::Toeslagen => (PhoneContactCostToeslagen, DeskContactCostToeslagen),
            Agency::Uwv => (PhoneContactCostUwv, DeskContactCostUwv),
            Agency::Svb => (PhoneContactCostSvb, DeskContactCostSvb),
            Agency::Duo => (PhoneContactCostDuo, DeskContactCostDuo),
            Agency::Cak => (PhoneContactCostCak, DeskContactCostCak),
            Agency::Cbr => (PhoneContactCostCbr, DeskContactCostCbr),
            Agency::Ciz => (PhoneContactCostCiz, DeskContactCostCiz),
            Agency::Cjib => (PhoneContactCostCjib, DeskContactCostCjib),
            Agency::Rdw => (PhoneContactCostRdw, DeskContactCostRdw),
            Agency::Logius => (PhoneContactCostLogius, DeskContactCostLogius),
            Agency::Municipality => (PhoneContactCostMunicipality, DeskContactCostMunicipality),
            Agency::Bank => (PhoneContactCostBank, DeskContactCostBank),
            Agency::Insurer => (PhoneContactCostInsurer, DeskContactCostInsurer),
            Agency::Telecom => (PhoneContactCostTelecom, DeskContactCostTelecom),
            Agency::Other => (PhoneContactCostOther, DeskContactCostOther),
        }
    }

    /// The agency a contact cost parameter belongs to.
    #[must_use]
    pub fn contact_cost_agency(self) -> Option<Agency> {
        Agency::ALL.iter().copied().find(|a| {
            let (phone, desk) = Param::contact_costs(a.as_str());
            self == phone || self == desk
        })
    }

    /// Bounds a value of this parameter must respect.
    fn bounds(self) -> (f64, f64) {
        match self.unit() {
            Unit::Share => (0.0, 1.0),
            Unit::Rate => (-0.05, 0.2),
            Unit::Years => (1.0, 100.0),
            Unit::Factor => (1.0, 10.0),
            _ => (0.0, 1e9),
        }
    }
}

/// One parameter's value with its range and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Parameter {
    pub param: Param,
    pub low: f64,
    /// The value the result uses.
    pub base: f64,
    pub high: f64,
    /// Why this value, in one line.
    pub rationale: String,
    /// A published source, or "Aanname" where none exists.
    pub source: String,
}

/// A versioned parameter set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScbaModel {
    pub name: String,
    /// 1 for a new model; every saved change adds one.
    pub version: u32,
    /// One per [`Param::ALL`] entry, in that order.
    pub parameters: Vec<Parameter>,
}

/// The source text of a value without a published source.
pub const ASSUMPTION: &str = "Aanname";

/// keten's default cost of one contact per agency: phone low/base/high, desk low/base/high, and why. No published
/// study gives these per agency, so all are assumptions, ordered by how long and how complex contacts there
/// usually are. `other` also stands for agencies an admin added; many "other" questions (e-mail, a device) avoid
/// no contact at all, so its values are kept low.
type ContactCost = (Agency, [f64; 3], [f64; 3], &'static str, &'static str);
const CONTACT_COSTS: &[ContactCost] = &[
    (
        Agency::Belastingdienst,
        [6.0, 10.0, 18.0],
        [20.0, 40.0, 80.0],
        "Gesprekken met de BelastingTelefoon over aangifte en post zijn vaak lang.",
        "Een balieafspraak bij de Belastingdienst vraagt voorbereiding; er zijn weinig balies.",
    ),
    (
        Agency::Toeslagen,
        [6.0, 10.0, 18.0],
        [20.0, 40.0, 80.0],
        "Vragen over toeslagen en terugvorderingen kosten lange gesprekken.",
        "Een balieafspraak over toeslagen vraagt voorbereiding; er zijn weinig balies.",
    ),
    (
        Agency::Uwv,
        [5.0, 9.0, 15.0],
        [20.0, 35.0, 70.0],
        "Telefoongesprek over een uitkering of werkmap.",
        "Gesprek op een UWV-kantoor met voorbereiding.",
    ),
    (
        Agency::Svb,
        [5.0, 8.0, 15.0],
        [20.0, 35.0, 60.0],
        "Telefoongesprek over AOW of kinderbijslag.",
        "Gesprek op een SVB-kantoor.",
    ),
    (
        Agency::Duo,
        [4.0, 7.0, 12.0],
        [15.0, 30.0, 60.0],
        "Telefoongesprek over studiefinanciering of een studieschuld.",
        "Gesprek aan een DUO-balie.",
    ),
    (
        Agency::Cak,
        [4.0, 7.0, 12.0],
        [15.0, 25.0, 50.0],
        "Korte vragen over de eigen bijdrage.",
        "Het CAK heeft vrijwel geen balie; een baliecontact is zeldzaam.",
    ),
    (
        Agency::Cbr,
        [4.0, 7.0, 12.0],
        [15.0, 25.0, 50.0],
        "Vragen over een rijbewijskeuring of examen.",
        "Contact aan de balie van een examencentrum.",
    ),
    (
        Agency::Ciz,
        [5.0, 9.0, 15.0],
        [20.0, 35.0, 60.0],
        "Vragen over een indicatie voor zorg duren lang.",
        "Een gesprek over een indicatie vraagt voorbereiding.",
    ),
    (
        Agency::Cjib,
        [4.0, 8.0, 14.0],
        [15.0, 30.0, 60.0],
        "Vragen over een boete of betalingsregeling.",
        "Het CJIB heeft weinig balies; een baliecontact is zeldzaam.",
    ),
    (
        Agency::Rdw,
        [4.0, 7.0, 12.0],
        [15.0, 25.0, 50.0],
        "Vragen over kenteken, keuring of voertuigpapieren.",
        "Contact aan een RDW-balie.",
    ),
    (
        Agency::Logius,
        [3.0, 6.0, 10.0],
        [10.0, 20.0, 40.0],
        "Korte gesprekken met de DigiD-helpdesk.",
        "DigiD aanvragen of activeren aan een balie.",
    ),
    (
        Agency::Municipality,
        [4.0, 7.0, 12.0],
        [15.0, 30.0, 60.0],
        "Gesprek met het klantcontactcentrum van de gemeente.",
        "Bezoek aan de balie van het gemeentehuis.",
    ),
    (
        Agency::Bank,
        [3.0, 6.0, 12.0],
        [15.0, 30.0, 60.0],
        "Gesprek met de klantenservice van een bank.",
        "Gesprek in een bankkantoor; er zijn steeds minder kantoren.",
    ),
    (
        Agency::Insurer,
        [3.0, 6.0, 12.0],
        [10.0, 25.0, 50.0],
        "Gesprek met de klantenservice van een zorgverzekeraar.",
        "Bezoek aan een winkel of kantoor van een zorgverzekeraar.",
    ),
    (
        Agency::Telecom,
        [3.0, 6.0, 12.0],
        [10.0, 20.0, 40.0],
        "Gesprek met de klantenservice van een telecomaanbieder.",
        "Bezoek aan een winkel van een telecomaanbieder.",
    ),
    (
        Agency::Other,
        [0.0, 2.0, 8.0],
        [0.0, 5.0, 30.0],
        "Andere en door de beheerder toegevoegde instanties; veel van deze vragen (e-mail, een apparaat) voorkomen geen contact, dus laag.",
        "Andere en door de beheerder toegevoegde instanties; een baliebezoek is hier zelden voorkomen, dus laag.",
    ),
];

impl ScbaModel {
    /// keten's documented default: indicative values, most of them assumptions (labelled so).
    #[must_use]
    pub fn default_model() -> Self {
        use Param::*;
        let werkgroep = "Rapport Werkgroep discontovoet 2020; kabinetsreactie november 2020";
        let p = |param, low, base, high, rationale: &str, source: &str| Parameter {
            param,
            low,
            base,
            high,
            rationale: rationale.to_owned(),
            source: source.to_owned(),
        };
        let a = ASSUMPTION;
        let parameters = vec![
            p(
                PartlySolvedWeight,
                0.25,
                0.5,
                0.75,
                "Een deels opgeloste vraag levert een deel van de baten op.",
                a,
            ),
            p(
                ReferredWeight,
                0.1,
                0.25,
                0.5,
                "Na een doorverwijzing lost een ander de vraag op; een deel van de baten telt hier.",
                a,
            ),
            p(
                HoursSaved,
                0.5,
                1.5,
                3.0,
                "Zonder hulp zoekt een inwoner langer, belt vaker en komt terug.",
                a,
            ),
            p(
                ValueOfTime,
                7.0,
                10.0,
                13.0,
                "Orde van grootte van de waardering van reistijd voor overige motieven.",
                "Aanname, in lijn met KiM, Reistijdwaardering (overige reismotieven)",
            ),
            p(
                TravelCostSaved,
                0.0,
                3.0,
                8.0,
                "Een deel van de inwoners hoeft niet naar een kantoor te reizen.",
                a,
            ),
            p(
                PhoneContactsAvoided,
                0.3,
                1.0,
                2.0,
                "Een opgeloste vraag voorkomt vaak een telefoontje naar de instantie.",
                a,
            ),
            p(
                DeskContactsAvoided,
                0.0,
                0.1,
                0.3,
                "Soms voorkomt hulp een bezoek aan een balie.",
                a,
            ),
            p(
                ErrorShare,
                0.01,
                0.05,
                0.1,
                "Een deel van de aangiften en aanvragen zou zonder hulp fout gaan.",
                a,
            ),
            p(
                ObjectionCost,
                50.0,
                150.0,
                400.0,
                "Behandeling van een bezwaar of herstel van een fout.",
                a,
            ),
            p(
                PenaltyAmount,
                25.0,
                100.0,
                300.0,
                "Boete, naheffing of rente die een inwoner ontloopt.",
                a,
            ),
            p(
                TakeUpShare,
                0.01,
                0.03,
                0.08,
                "Een deel van de inwoners had zonder hulp een toeslag of uitkering gemist.",
                a,
            ),
            p(
                BenefitAmount,
                600.0,
                1_200.0,
                2_500.0,
                "Gemiddeld bedrag van een toeslag per jaar.",
                a,
            ),
            p(
                DebtShare,
                0.005,
                0.02,
                0.05,
                "Hulp bij rondkomen voorkomt soms dat een schuld ernstig wordt.",
                a,
            ),
            p(
                DebtCost,
                3_000.0,
                10_000.0,
                30_000.0,
                "Kosten van een ernstige schuld voor gemeente en samenleving (schuldhulp, zorg, uitval).",
                a,
            ),
            p(
                DebtMunicipalityShare,
                0.1,
                0.3,
                0.5,
                "De gemeente draagt de schuldhulpverlening.",
                a,
            ),
            p(
                JobShare,
                0.001,
                0.005,
                0.01,
                "Hulp bij online solliciteren leidt soms tot werk.",
                a,
            ),
            p(
                JobValue,
                5_000.0,
                15_000.0,
                30_000.0,
                "Opbrengst van een baan in het eerste jaar, na aftrek van wat werk kost.",
                a,
            ),
            p(
                WellbeingValue,
                0.0,
                10.0,
                30.0,
                "Minder stress en meer grip op zaken na hulp.",
                a,
            ),
            p(
                StaffRate,
                40.0,
                50.0,
                65.0,
                "Integrale kosten van een uur van een medewerker.",
                a,
            ),
            p(
                VolunteerRate,
                0.0,
                14.0,
                25.0,
                "Vrijwilligerstijd heeft waarde; gewaardeerd rond het minimumuurloon.",
                "Aanname, rond het wettelijk minimumuurloon 2025",
            ),
            p(
                VolunteerShare,
                0.25,
                0.5,
                0.75,
                "Veel hulppunten draaien op vrijwilligers.",
                a,
            ),
            p(
                OverheadFactor,
                1.1,
                1.25,
                1.5,
                "Voorbereiding, registratie en overleg naast de hulp zelf.",
                a,
            ),
            p(
                CoordinationHours,
                50.0,
                150.0,
                300.0,
                "Coördinatie van het hulppunt en van de keten.",
                a,
            ),
            p(
                TrainingCost,
                500.0,
                1_500.0,
                3_000.0,
                "Training van medewerkers en vrijwilligers.",
                a,
            ),
            p(
                LocationCost,
                0.0,
                2_000.0,
                6_000.0,
                "Ruimte en computers; vaak in een bibliotheek die er al is.",
                a,
            ),
            p(
                MaterialsCost,
                200.0,
                500.0,
                1_500.0,
                "Folders, posters en kleine materialen.",
                a,
            ),
            p(
                ConsultationHoursPerPoint,
                0.0,
                40.0,
                100.0,
                "Spreekuren van banken, woningcorporaties en andere partners.",
                a,
            ),
            p(
                PartnerHourCost,
                40.0,
                60.0,
                80.0,
                "Kosten van een uur van een medewerker van een partner.",
                a,
            ),
            p(
                HorizonYears,
                3.0,
                5.0,
                10.0,
                "Looptijd van een gemeentelijk beleidsprogramma.",
                a,
            ),
            p(
                RiskFreeRate,
                -0.01,
                -0.01,
                -0.01,
                "Risicovrije reële voet, alleen voor stromen die aantoonbaar zonder risico zijn.",
                werkgroep,
            ),
            p(
                RiskPremium,
                0.0325,
                0.0325,
                0.0325,
                "Standaard risico-opslag; samen met de risicovrije voet 2,25%.",
                werkgroep,
            ),
            p(
                SensitivityRate,
                0.04,
                0.04,
                0.04,
                "Een hogere voet laat zien hoe gevoelig de uitkomst is voor het disconteren.",
                a,
            ),
        ];
        let mut parameters = parameters;
        for &(agency, phone, desk, why_phone, why_desk) in CONTACT_COSTS {
            let (phone_param, desk_param) = Param::contact_costs(agency.as_str());
            parameters.push(p(phone_param, phone[0], phone[1], phone[2], why_phone, a));
            parameters.push(p(desk_param, desk[0], desk[1], desk[2], why_desk, a));
        }
        // In the order of `Param::ALL`, which is the order of the form and the workbook.
        parameters.sort_by_key(|p| p.param);
        Self {
            name: "keten standaardmodel".to_owned(),
            version: 1,
            parameters,
        }
    }

    /// The parameter's entry.
    #[must_use]
    pub fn parameter(&self, param: Param) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.param == param)
    }

    /// The base value of a parameter (0 when missing; [`ScbaModel::validate`] rejects such models).
    #[must_use]
    pub fn value(&self, param: Param) -> f64 {
        self.parameter(param).map_or(0.0, |p| p.base)
    }

    /// Replace a parameter's values, checked.
    pub fn set(&mut self, parameter: Parameter) -> Result<(), ValidationError> {
        check(&parameter)?;
        match self
            .parameters
            .iter_mut()
            .find(|p| p.param == parameter.param)
        {
            Some(p) => *p = parameter,
            None => self.parameters.push(parameter),
        }
        Ok(())
    }

    /// Every parameter present once, every value within its unit's bounds and `low <= base <= high`.
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors: Vec<ValidationError> = self
            .parameters
            .iter()
            .filter_map(|p| check(p).err())
            .collect();
        for param in Param::ALL {
            let n = self.parameters.iter().filter(|p| p.param == *param).count();
            if n != 1 {
                errors.push(ValidationError::new(
                    "param",
                    format!(
                        "Parameter {} ontbreekt of staat er dubbel in.",
                        param.as_str()
                    ),
                ));
            }
        }
        if self.name.trim().is_empty() {
            errors.push(ValidationError::new("name", "Geef het model een naam."));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A copy with one parameter at another value (for sensitivity).
    #[must_use]
    fn with(&self, param: Param, value: f64) -> Self {
        let mut m = self.clone();
        if let Some(p) = m.parameters.iter_mut().find(|p| p.param == param) {
            p.base = value;
        }
        m
    }
}

/// Parameters of earlier versions of keten that one parameter per agency replaced: the old code and whether it
/// was the phone (true) or the desk cost.
const REPLACED: &[(&str, bool)] = &[("phone_contact_cost", true), ("desk_contact_cost", false)];

/// A model as stored or as sent, before its parameter codes are read: stored versions may use codes that no
/// longer exist.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelInput {
    pub name: String,
    #[serde(default)]
    pub version: u32,
    pub parameters: Vec<ParameterInput>,
}

/// [`Parameter`] with its code as text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ParameterInput {
    pub param: String,
    pub low: f64,
    pub base: f64,
    pub high: f64,
    pub rationale: String,
    pub source: String,
}

impl ParameterInput {
    fn with_param(&self, param: Param) -> Parameter {
        Parameter {
            param,
            low: self.low,
            base: self.base,
            high: self.high,
            rationale: self.rationale.clone(),
            source: self.source.clone(),
        }
    }
}

impl ModelInput {
    /// A stored model as today's keten reads it. The old single phone or desk contact cost meant the cost at any
    /// agency, so it becomes the cost at every agency (the fallback included), which keeps the model's results;
    /// a parameter the model lacks takes keten's default; a code keten no longer knows is dropped.
    #[must_use]
    pub fn upgrade(self) -> ScbaModel {
        let mut parameters: Vec<Parameter> = self
            .parameters
            .iter()
            .filter_map(|p| {
                p.param
                    .parse::<Param>()
                    .ok()
                    .map(|param| p.with_param(param))
            })
            .collect();
        for p in &self.parameters {
            let Some(&(_, phone)) = REPLACED.iter().find(|(code, _)| *code == p.param) else {
                continue;
            };
            for agency in Agency::ALL {
                let (phone_param, desk_param) = Param::contact_costs(agency.as_str());
                let param = if phone { phone_param } else { desk_param };
                // A model that already names the agency's own cost keeps it.
                if !parameters.iter().any(|x| x.param == param) {
                    parameters.push(p.with_param(param));
                }
            }
        }
        for default in ScbaModel::default_model().parameters {
            if !parameters.iter().any(|x| x.param == default.param) {
                parameters.push(default);
            }
        }
        parameters.sort_by_key(|p| p.param);
        ScbaModel {
            name: self.name,
            version: self.version,
            parameters,
        }
    }

    /// A model sent by a client: a replaced or unknown parameter code is refused, naming what replaces it.
    pub fn strict(self) -> Result<ScbaModel, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut parameters = Vec::new();
        for p in &self.parameters {
            match p.param.parse::<Param>() {
                Ok(param) => parameters.push(p.with_param(param)),
                Err(_) => match REPLACED.iter().find(|(code, _)| *code == p.param) {
                    Some(&(code, phone)) => {
                        let prefix = if phone { "phone" } else { "desk" };
                        errors.push(ValidationError::new(
                            code,
                            format!(
                                "De parameter {code} bestaat niet meer: elke instantie heeft nu een eigen \
                                 parameter, van {prefix}_contact_cost_belastingdienst tot en met \
                                 {prefix}_contact_cost_other (voor andere en toegevoegde instanties). Stuur die in \
                                 plaats van {code}."
                            ),
                        ));
                    }
                    None => errors.push(ValidationError::new(
                        "param",
                        format!("Onbekende parameter '{}'.", p.param),
                    )),
                },
            }
        }
        if errors.is_empty() {
            Ok(ScbaModel {
                name: self.name,
                version: self.version,
                parameters,
            })
        } else {
            Err(errors)
        }
    }
}

fn check(p: &Parameter) -> Result<(), ValidationError> {
    let (min, max) = p.param.bounds();
    let field = p.param.as_str();
    if [p.low, p.base, p.high]
        .iter()
        .any(|v| !v.is_finite() || *v < min || *v > max)
    {
        return Err(ValidationError::new(
            field_name(field),
            format!(
                "{}: kies waarden tussen {} en {}.",
                p.param.label(),
                plain(min),
                plain(max)
            ),
        ));
    }
    if !(p.low <= p.base && p.base <= p.high) {
        return Err(ValidationError::new(
            field_name(field),
            format!(
                "{}: de lage waarde mag niet boven de basiswaarde liggen, en de hoge niet eronder.",
                p.param.label()
            ),
        ));
    }
    if p.source.trim().is_empty() {
        return Err(ValidationError::new(
            field_name(field),
            format!(
                "{}: noem een bron, of schrijf \"{ASSUMPTION}\".",
                p.param.label()
            ),
        ));
    }
    Ok(())
}

/// `ValidationError::field` is `&'static str`: the parameter's code, found again in the static list.
fn field_name(code: &str) -> &'static str {
    Param::ALL
        .iter()
        .map(|p| p.as_str())
        .find(|c| *c == code)
        .unwrap_or("param")
}

fn plain(v: f64) -> String {
    let s = format!("{v}");
    s.replace('.', ",")
}

/// Reads a number typed the Dutch way: "12,50", "1.250,75", "0,0225", "-0,01"; a decimal point is taken too
/// ("0.0225"), except in a group of thousands ("2.500" is two thousand five hundred, as a Dutch reader means).
/// `None` for anything that is not a finite number.
#[must_use]
pub fn parse_decimal(text: &str) -> Option<f64> {
    let t: String = text.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.replace('\u{2212}', "-");
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.as_str()),
    };
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // Thousands groups: a first group of 1 to 3 digits, then groups of exactly 3 after each full stop.
    let grouped = |s: &str| {
        let mut parts = s.split('.');
        let first = parts.next().unwrap_or_default();
        (1..=3).contains(&first.len()) && parts.clone().count() > 0 && parts.all(|g| g.len() == 3)
    };
    let plain = if let Some((whole, fraction)) = digits.split_once(',') {
        if fraction.contains(',') || fraction.contains('.') || fraction.is_empty() {
            return None;
        }
        if whole.contains('.') && !grouped(whole) {
            return None;
        }
        format!("{}.{fraction}", whole.replace('.', ""))
    } else if digits.contains('.') && grouped(digits) && !digits.starts_with('0') {
        digits.replace('.', "")
    } else {
        digits.to_owned()
    };
    if plain.starts_with('.') || plain.matches('.').count() > 1 {
        return None;
    }
    format!("{sign}{plain}")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Registered questions and minutes for one topic, agency and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutcomeCount {
    pub topic: String,
    pub agency: String,
    /// `solved`, `partly_solved`, `referred`, `not_solved` (or '' when not recorded).
    pub outcome: String,
    pub questions: u64,
    pub minutes: u64,
}

/// Registered outcomes over a period, for a help point, a municipality or the nation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcomes {
    /// Length of the period in days (at least 1).
    pub days: u32,
    /// Help points with registrations in the period (per-help-point costs count these).
    pub help_points: u32,
    pub rows: Vec<OutcomeCount>,
}

/// Which rows a class of questions holds.
type Keep = dyn Fn(&OutcomeCount) -> bool;

/// Topics whose solved questions concern the government (errors and objections avoided).
const GOVERNMENT_TOPICS: &[&str] = &[
    "overheid",
    "belastingen-toeslagen",
    "digid",
    "uitkering-pensioen",
    "zorg",
    "studie",
    "vervoer",
    "gemeente-zaken",
    "itsme",
    "tax-on-web",
    "myminfin",
    "e-loket",
];
/// Topics where a missed benefit or allowance can be taken up.
const BENEFIT_TOPICS: &[&str] = &["belastingen-toeslagen", "uitkering-pensioen", "zorg"];
/// Topics where a severe debt problem can be avoided.
const DEBT_TOPICS: &[&str] = &["geldzaken-schulden"];

impl Outcomes {
    fn effective(&self, model: &ScbaModel, keep: impl Fn(&OutcomeCount) -> bool) -> f64 {
        let partly = model.value(Param::PartlySolvedWeight);
        let referred = model.value(Param::ReferredWeight);
        self.rows
            .iter()
            .filter(|r| keep(r))
            .map(|r| {
                let n = r.questions as f64;
                n * match r.outcome.as_str() {
                    "solved" => 1.0,
                    "partly_solved" => partly,
                    "referred" => referred,
                    _ => 0.0,
                }
            })
            .sum()
    }

    /// Per class of questions the benefits apply to (`all`, `government`, `benefits`, `debt`, `work`): solved,
    /// partly solved and referred questions per year. Spreadsheets rebuild the effective counts from these with
    /// the weights as live formulas.
    #[must_use]
    pub fn annual_classes(&self) -> Vec<(&'static str, [f64; 3])> {
        let classes: [(&'static str, &Keep); 5] = [
            ("all", &|_| true),
            ("government", &|r| {
                GOVERNMENT_TOPICS.contains(&r.topic.as_str())
            }),
            ("benefits", &|r| BENEFIT_TOPICS.contains(&r.topic.as_str())),
            ("debt", &|r| DEBT_TOPICS.contains(&r.topic.as_str())),
            ("work", &Outcomes::is_work),
        ];
        classes
            .iter()
            .map(|(name, keep)| (*name, self.annual_counts(*keep)))
            .collect()
    }

    /// The same counts per agency, for [`Outcomes::agencies`].
    #[must_use]
    pub fn annual_by_agency(&self) -> Vec<(String, [f64; 3])> {
        self.agencies()
            .into_iter()
            .map(|code| {
                let counts = self.annual_counts(&|r: &OutcomeCount| r.agency == code);
                (code, counts)
            })
            .collect()
    }

    fn annual_counts(&self, keep: &dyn Fn(&OutcomeCount) -> bool) -> [f64; 3] {
        let year = 365.0 / f64::from(self.days.max(1));
        let count = |outcome: &str| {
            self.rows
                .iter()
                .filter(|r| r.outcome == outcome && keep(r))
                .map(|r| r.questions as f64)
                .sum::<f64>()
                * year
        };
        [count("solved"), count("partly_solved"), count("referred")]
    }

    /// The agencies questions were registered for ('' left out), keten's own in their usual order, then the
    /// ones an admin added by code.
    #[must_use]
    pub fn agencies(&self) -> Vec<String> {
        let mut codes: Vec<&str> = self
            .rows
            .iter()
            .map(|r| r.agency.as_str())
            .filter(|a| !a.is_empty())
            .collect();
        let rank = |code: &str| {
            Agency::ALL
                .iter()
                .position(|a| a.as_str() == code)
                .unwrap_or(Agency::ALL.len())
        };
        codes.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
        codes.dedup();
        codes.into_iter().map(str::to_owned).collect()
    }

    /// Registered questions.
    #[must_use]
    pub fn questions(&self) -> u64 {
        self.rows.iter().map(|r| r.questions).sum()
    }

    /// Registered minutes.
    #[must_use]
    pub fn minutes(&self) -> u64 {
        self.rows.iter().map(|r| r.minutes).sum()
    }

    /// Questions that ended with this outcome.
    #[must_use]
    pub fn with_outcome(&self, outcome: &str) -> u64 {
        self.rows
            .iter()
            .filter(|r| r.outcome == outcome)
            .map(|r| r.questions)
            .sum()
    }

    /// The work topic counts questions about work and benefits at the UWV.
    fn is_work(r: &OutcomeCount) -> bool {
        r.agency == "uwv"
    }
}

/// One yearly flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Flow {
    pub category: Category,
    pub group: Group,
    /// Euro per year (positive for benefits and costs alike).
    pub yearly: f64,
    /// The quantity behind it (effective questions, hours, help points), per year.
    pub quantity: f64,
    /// The parameters that drive it.
    pub drivers: Vec<Param>,
    /// The agency code of a contact flow (one flow per agency with registered questions).
    pub agency: Option<String>,
}

/// The result of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScbaResult {
    /// Scaling of the period to a year (365 / days).
    pub annualisation: f64,
    /// Effective solved questions per year.
    pub effective_solved: f64,
    /// Welfare benefits, transfers and costs, per year.
    pub flows: Vec<Flow>,
    pub yearly_benefits: f64,
    pub yearly_costs: f64,
    pub yearly_transfers: f64,
    /// Benefits per group per year (transfers left out).
    pub benefits_by_group: Vec<(Group, f64)>,
    pub costs_by_group: Vec<(Group, f64)>,
    pub horizon_years: f64,
    /// Standard rate: risk-free plus premium.
    pub discount_rate: f64,
    /// `Σ (1 + r)^−t` over the horizon.
    pub annuity_factor: f64,
    pub present_benefits: f64,
    pub present_costs: f64,
    pub npv: f64,
    /// `None` when there are no costs.
    pub benefit_cost_ratio: Option<f64>,
    pub sensitivity_rate: f64,
    pub npv_at_sensitivity_rate: f64,
}

/// The present value of 1 a year for `years` whole years (a fraction is dropped) at `rate`, paid at the end of each
/// year: `(1 − (1 + rate)^−years) / rate`, or `years` when the rate is 0.
#[must_use]
pub fn annuity_factor(rate: f64, years: f64) -> f64 {
    let whole = years.floor().clamp(0.0, 1_000.0) as i32;
    if rate.abs() < 1e-12 {
        return f64::from(whole);
    }
    (1.0 - (1.0 + rate).powi(-whole)) / rate
}

/// Runs the analysis (module documentation: the procedure).
#[must_use]
pub fn calculate(model: &ScbaModel, outcomes: &Outcomes) -> ScbaResult {
    use Param::*;
    let v = |p| model.value(p);
    let year = 365.0 / f64::from(outcomes.days.max(1));
    let all = outcomes.effective(model, |_| true) * year;
    let in_topics = |topics: &'static [&'static str]| {
        outcomes.effective(model, move |r| topics.contains(&r.topic.as_str())) * year
    };
    let government = in_topics(GOVERNMENT_TOPICS);
    let benefits = in_topics(BENEFIT_TOPICS);
    let debt = in_topics(DEBT_TOPICS);
    let work = outcomes.effective(model, Outcomes::is_work) * year;
    let points = f64::from(outcomes.help_points);
    let help_hours = outcomes.minutes() as f64 / 60.0 * year * v(OverheadFactor);
    let volunteer_hours = help_hours * v(VolunteerShare);
    let staff_hours = help_hours - volunteer_hours;

    let flow = |category, group, quantity: f64, unit_value: f64, drivers: Vec<Param>| Flow {
        category,
        group,
        yearly: quantity * unit_value,
        quantity,
        drivers,
        agency: None,
    };
    let mut flows = vec![
        flow(
            Category::TimeTravel,
            Group::Residents,
            all,
            v(HoursSaved) * v(ValueOfTime) + v(TravelCostSaved),
            vec![HoursSaved, ValueOfTime, TravelCostSaved],
        ),
        flow(
            Category::Objections,
            Group::Agencies,
            government,
            v(ErrorShare) * v(ObjectionCost),
            vec![ErrorShare, ObjectionCost],
        ),
        flow(
            Category::Penalties,
            Group::Residents,
            government,
            v(ErrorShare) * v(PenaltyAmount),
            vec![ErrorShare, PenaltyAmount],
        ),
        flow(
            Category::BenefitsTakenUp,
            Group::Residents,
            benefits,
            v(TakeUpShare) * v(BenefitAmount),
            vec![TakeUpShare, BenefitAmount],
        ),
        flow(
            Category::Debt,
            Group::Municipality,
            debt,
            v(DebtShare) * v(DebtCost) * v(DebtMunicipalityShare),
            vec![DebtShare, DebtCost, DebtMunicipalityShare],
        ),
        flow(
            Category::Debt,
            Group::Society,
            debt,
            v(DebtShare) * v(DebtCost) * (1.0 - v(DebtMunicipalityShare)),
            vec![DebtShare, DebtCost, DebtMunicipalityShare],
        ),
        flow(
            Category::Work,
            Group::Society,
            work,
            v(JobShare) * v(JobValue),
            vec![JobShare, JobValue],
        ),
        flow(
            Category::Wellbeing,
            Group::Residents,
            all,
            v(WellbeingValue),
            vec![WellbeingValue],
        ),
        flow(
            Category::HelpTime,
            Group::Municipality,
            staff_hours,
            v(StaffRate),
            vec![StaffRate, VolunteerShare, OverheadFactor],
        ),
        flow(
            Category::VolunteerTime,
            Group::Volunteers,
            volunteer_hours,
            v(VolunteerRate),
            vec![VolunteerRate, VolunteerShare, OverheadFactor],
        ),
        flow(
            Category::Coordination,
            Group::Municipality,
            points * v(CoordinationHours),
            v(StaffRate),
            vec![CoordinationHours, StaffRate],
        ),
        flow(
            Category::Training,
            Group::Municipality,
            points,
            v(TrainingCost),
            vec![TrainingCost],
        ),
        flow(
            Category::Location,
            Group::Municipality,
            points,
            v(LocationCost),
            vec![LocationCost],
        ),
        flow(
            Category::Materials,
            Group::Municipality,
            points,
            v(MaterialsCost),
            vec![MaterialsCost],
        ),
        flow(
            Category::ConsultationHours,
            Group::Partners,
            points * v(ConsultationHoursPerPoint),
            v(PartnerHourCost),
            vec![ConsultationHoursPerPoint, PartnerHourCost],
        ),
    ];
    // Contacts avoided, per agency at that agency's costs; the municipality's own desk and phone are the
    // municipality's gain.
    let contacts = outcomes.agencies().into_iter().map(|code| {
        let (phone, desk) = Param::contact_costs(&code);
        let quantity = outcomes.effective(model, |r| r.agency == code) * year;
        Flow {
            category: Category::Contacts,
            group: if code == Agency::Municipality.as_str() {
                Group::Municipality
            } else {
                Group::Agencies
            },
            yearly: quantity
                * (v(PhoneContactsAvoided) * v(phone) + v(DeskContactsAvoided) * v(desk)),
            quantity,
            drivers: vec![PhoneContactsAvoided, phone, DeskContactsAvoided, desk],
            agency: Some(code),
        }
    });
    flows.splice(1..1, contacts);
    let sum = |keep: &dyn Fn(&Flow) -> bool| {
        flows
            .iter()
            .filter(|f| keep(f))
            .map(|f| f.yearly)
            .sum::<f64>()
    };
    let yearly_benefits = sum(&|f| !f.category.is_cost() && !f.category.is_transfer());
    let yearly_costs = sum(&|f| f.category.is_cost());
    let yearly_transfers = sum(&|f| f.category.is_transfer());
    let by_group = |costs: bool| {
        let mut groups: BTreeMap<Group, f64> = BTreeMap::new();
        for f in flows
            .iter()
            .filter(|f| f.category.is_cost() == costs && !f.category.is_transfer())
        {
            *groups.entry(f.group).or_default() += f.yearly;
        }
        groups.into_iter().collect::<Vec<_>>()
    };
    let horizon = v(HorizonYears);
    let rate = v(RiskFreeRate) + v(RiskPremium);
    let factor = annuity_factor(rate, horizon);
    let sensitivity_rate = v(SensitivityRate);
    ScbaResult {
        annualisation: year,
        effective_solved: all,
        benefits_by_group: by_group(false),
        costs_by_group: by_group(true),
        flows: flows.clone(),
        yearly_benefits,
        yearly_costs,
        yearly_transfers,
        horizon_years: horizon,
        discount_rate: rate,
        annuity_factor: factor,
        present_benefits: yearly_benefits * factor,
        present_costs: yearly_costs * factor,
        npv: (yearly_benefits - yearly_costs) * factor,
        benefit_cost_ratio: (yearly_costs > 0.0).then(|| yearly_benefits / yearly_costs),
        sensitivity_rate,
        npv_at_sensitivity_rate: (yearly_benefits - yearly_costs)
            * annuity_factor(sensitivity_rate, horizon),
    }
}

/// One bar of the tornado: the NPV with one parameter at its low and at its high value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TornadoBar {
    pub param: Param,
    pub npv_low: f64,
    pub npv_high: f64,
}

impl TornadoBar {
    /// The width of the bar.
    #[must_use]
    pub fn swing(&self) -> f64 {
        (self.npv_high - self.npv_low).abs()
    }
}

/// Every uncertain parameter (settings left out) at its low and at its high value.
fn all_bars(model: &ScbaModel, outcomes: &Outcomes) -> Vec<TornadoBar> {
    model
        .parameters
        .iter()
        .filter(|p| !p.param.is_setting())
        .map(|p| {
            let (npv_low, npv_high) = if p.low < p.high {
                (
                    calculate(&model.with(p.param, p.low), outcomes).npv,
                    calculate(&model.with(p.param, p.high), outcomes).npv,
                )
            } else {
                let npv = calculate(model, outcomes).npv;
                (npv, npv)
            };
            TornadoBar {
                param: p.param,
                npv_low,
                npv_high,
            }
        })
        .collect()
}

/// No change: the swing is lost in rounding (a relative 1e-9 of the NPV, at least a billionth of a euro).
fn has_effect(bar: &TornadoBar) -> bool {
    let scale = bar.npv_low.abs().max(bar.npv_high.abs()).max(1.0);
    bar.swing() > 1e-9 * scale
}

/// One-at-a-time sensitivity of the NPV, widest swing first; parameters whose low and high give the same NPV
/// (no range, or contact costs of an agency without questions) are left out: [`tornado_without_effect`] lists
/// them.
#[must_use]
pub fn tornado(model: &ScbaModel, outcomes: &Outcomes) -> Vec<TornadoBar> {
    let mut bars: Vec<TornadoBar> = all_bars(model, outcomes)
        .into_iter()
        .filter(has_effect)
        .collect();
    bars.sort_by(|a, b| b.swing().total_cmp(&a.swing()).then(a.param.cmp(&b.param)));
    bars
}

/// The uncertain parameters the tornado leaves out because their low and high value give the same NPV, in the
/// model's order.
#[must_use]
pub fn tornado_without_effect(model: &ScbaModel, outcomes: &Outcomes) -> Vec<Param> {
    all_bars(model, outcomes)
        .into_iter()
        .filter(|b| !has_effect(b))
        .map(|b| b.param)
        .collect()
}

/// The NPV with every parameter at the end that lowers it (pessimistic), at base, and at the end that raises it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scenarios {
    pub pessimistic: f64,
    pub base: f64,
    pub optimistic: f64,
}

/// The pessimistic, base and optimistic NPV (the extremes of the ranges; see the module documentation).
#[must_use]
pub fn scenarios(model: &ScbaModel, outcomes: &Outcomes) -> Scenarios {
    let mut low = model.clone();
    let mut high = model.clone();
    for bar in tornado(model, outcomes) {
        let Some(p) = model.parameter(bar.param) else {
            continue;
        };
        let (worse, better) = if bar.npv_low <= bar.npv_high {
            (p.low, p.high)
        } else {
            (p.high, p.low)
        };
        low = low.with(bar.param, worse);
        high = high.with(bar.param, better);
    }
    Scenarios {
        pessimistic: calculate(&low, outcomes).npv,
        base: calculate(model, outcomes).npv,
        optimistic: calculate(&high, outcomes).npv,
    }
}

code_list! {
    /// The example residents whose story the totals stand for.
    pub enum Persona ("persona") {
        Pensioner = "pensioner", "Een gepensioneerde die zonder hulp geen huurtoeslag had aangevraagd";
        JobSeeker = "job_seeker", "Een werkzoekende die met hulp online solliciteert en werk vindt";
        Arrears = "arrears", "Een gezin met een betalingsachterstand dat een ernstige schuld voorkomt";
    }
}

/// What one persona's help is worth, with the effect certain (no shares).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonaResult {
    pub persona: Persona,
    /// Welfare benefits in the first year.
    pub first_year: f64,
    /// Transfers to the persona per year (an allowance taken up), not welfare.
    pub transfer_per_year: f64,
    /// Transfers over the horizon, discounted.
    pub transfer_present: f64,
}

/// Persona results from the model's unit values.
#[must_use]
pub fn personas(model: &ScbaModel) -> Vec<PersonaResult> {
    use Param::*;
    let v = |p| model.value(p);
    let question = v(HoursSaved) * v(ValueOfTime) + v(TravelCostSaved) + v(WellbeingValue);
    let contact = |agency: Agency| {
        let (phone, desk) = Param::contact_costs(agency.as_str());
        v(PhoneContactsAvoided) * v(phone) + v(DeskContactsAvoided) * v(desk)
    };
    let factor = annuity_factor(v(RiskFreeRate) + v(RiskPremium), v(HorizonYears));
    Persona::ALL
        .iter()
        .map(|&persona| {
            let (first_year, transfer_per_year) = match persona {
                Persona::Pensioner => (question + contact(Agency::Toeslagen), v(BenefitAmount)),
                Persona::JobSeeker => (question + contact(Agency::Uwv) + v(JobValue), 0.0),
                Persona::Arrears => (question + contact(Agency::Municipality) + v(DebtCost), 0.0),
            };
            PersonaResult {
                persona,
                first_year,
                transfer_per_year,
                transfer_present: transfer_per_year * factor,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn dutch_decimals_are_read_as_a_dutch_reader_means_them() {
        assert_eq!(parse_decimal("12,50"), Some(12.5));
        assert_eq!(parse_decimal(" 0,0225 "), Some(0.0225));
        assert_eq!(parse_decimal("1.250,75"), Some(1250.75));
        assert_eq!(parse_decimal("2.500"), Some(2500.0));
        assert_eq!(parse_decimal("12.000.000"), Some(12_000_000.0));
        assert_eq!(parse_decimal("0.0225"), Some(0.0225));
        assert_eq!(parse_decimal("12.5"), Some(12.5));
        assert_eq!(parse_decimal("40"), Some(40.0));
        assert_eq!(parse_decimal("-0,01"), Some(-0.01));
        assert_eq!(parse_decimal("\u{2212}0,01"), Some(-0.01));
        assert_eq!(parse_decimal("1 250,75"), Some(1250.75));
        for bad in [
            "", "-", "abc", "12,5,0", "1,2.3", "12,", ",5", "1.2.3", "12.34,5", "NaN", "inf",
            "1e5", "€ 12",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }
    use super::*;

    fn row(topic: &str, agency: &str, outcome: &str, questions: u64, minutes: u64) -> OutcomeCount {
        OutcomeCount {
            topic: topic.to_owned(),
            agency: agency.to_owned(),
            outcome: outcome.to_owned(),
            questions,
            minutes,
        }
    }

    /// A model with every parameter at 0 except the ones given (as base, low and high alike).
    fn only(values: &[(Param, f64)]) -> ScbaModel {
        let mut m = ScbaModel::default_model();
        for p in &mut m.parameters {
            let v = values
                .iter()
                .find(|(k, _)| *k == p.param)
                .map_or(0.0, |(_, v)| *v);
            // A zero horizon or overhead factor is outside the bounds: 1 is the neutral value there.
            let neutral_one = matches!(p.param, Param::HorizonYears | Param::OverheadFactor);
            let v = if neutral_one && v == 0.0 { 1.0 } else { v };
            p.low = v;
            p.base = v;
            p.high = v;
        }
        m
    }

    fn flow(r: &ScbaResult, c: Category, g: Group) -> f64 {
        r.flows
            .iter()
            .filter(|f| f.category == c && f.group == g)
            .map(|f| f.yearly)
            .sum()
    }

    #[test]
    fn default_model_is_valid_and_labels_guesses_as_assumptions() {
        let m = ScbaModel::default_model();
        assert_eq!(m.validate(), Ok(()));
        assert_eq!(m.parameters.len(), Param::ALL.len());
        for p in &m.parameters {
            assert!(!p.rationale.is_empty() && !p.source.is_empty(), "{p:?}");
        }
        // The Dutch standard rate: −1% + 3.25% = 2.25%.
        let rate = m.value(Param::RiskFreeRate) + m.value(Param::RiskPremium);
        assert!((rate - 0.0225).abs() < 1e-12);
    }

    /// By hand: 73 days (a fifth of a year) with 20 solved, 10 partly solved and 4 referred questions on
    /// allowances at the Toeslagen, 600 minutes, 2 help points.
    #[test]
    fn hand_computed_example() {
        let m = only(&[
            (Param::PartlySolvedWeight, 0.5),
            (Param::ReferredWeight, 0.25),
            (Param::HoursSaved, 2.0),
            (Param::ValueOfTime, 10.0),
            (Param::PhoneContactsAvoided, 1.0),
            (Param::PhoneContactCostToeslagen, 8.0),
            (Param::TakeUpShare, 0.1),
            (Param::BenefitAmount, 1_000.0),
            (Param::StaffRate, 50.0),
            (Param::VolunteerShare, 0.5),
            (Param::VolunteerRate, 14.0),
            (Param::OverheadFactor, 1.0),
            (Param::LocationCost, 1_000.0),
            (Param::HorizonYears, 5.0),
            (Param::RiskFreeRate, -0.01),
            (Param::RiskPremium, 0.0325),
            (Param::SensitivityRate, 0.0),
        ]);
        let outcomes = Outcomes {
            days: 73,
            help_points: 2,
            rows: vec![
                row("belastingen-toeslagen", "toeslagen", "solved", 20, 400),
                row(
                    "belastingen-toeslagen",
                    "toeslagen",
                    "partly_solved",
                    10,
                    150,
                ),
                row("belastingen-toeslagen", "toeslagen", "referred", 4, 50),
                row("belastingen-toeslagen", "toeslagen", "not_solved", 6, 0),
            ],
        };
        let r = calculate(&m, &outcomes);
        // Effective: 20 + 5 + 1 = 26 in 73 days, ×5 = 130 a year.
        assert!((r.effective_solved - 130.0).abs() < 1e-9);
        assert!((flow(&r, Category::TimeTravel, Group::Residents) - 2_600.0).abs() < 1e-9); // 130 × 2 h × €10
        assert!((flow(&r, Category::Contacts, Group::Agencies) - 1_040.0).abs() < 1e-9); // 130 × 1 × €8
        assert!((r.yearly_transfers - 13_000.0).abs() < 1e-9); // 130 × 0.1 × €1,000, not a benefit
        assert!((r.yearly_benefits - 3_640.0).abs() < 1e-9);
        // 600 min = 10 h, ×5 = 50 h a year: 25 staff h × €50 + 25 volunteer h × €14; location 2 × €1,000.
        assert!((flow(&r, Category::HelpTime, Group::Municipality) - 1_250.0).abs() < 1e-9);
        assert!((flow(&r, Category::VolunteerTime, Group::Volunteers) - 350.0).abs() < 1e-9);
        assert!((r.yearly_costs - 3_600.0).abs() < 1e-9);
        // 40 a year over 5 years at 2.25%, and undiscounted in the sensitivity run.
        let factor = (1.0 - 1.0225f64.powi(-5)) / 0.0225;
        assert!((r.npv - 40.0 * factor).abs() < 1e-9);
        assert!((r.npv_at_sensitivity_rate - 200.0).abs() < 1e-9);
        assert!((r.benefit_cost_ratio.unwrap() - 3_640.0 / 3_600.0).abs() < 1e-12);
        assert_eq!(
            r.benefits_by_group,
            vec![
                (Group::Residents, 2_600.0),
                (Group::Agencies, 1_040.0),
                (Group::Municipality, 0.0),
                (Group::Society, 0.0)
            ]
        );
    }

    #[test]
    fn discounting_matches_the_closed_form() {
        for (rate, years) in [(0.0225, 5.0), (0.04, 30.0), (-0.01, 10.0), (0.0, 7.0)] {
            let mut sum = 0.0;
            for t in 1..=years as i32 {
                sum += (1.0f64 + rate).powi(-t);
            }
            assert!(
                (annuity_factor(rate, years) - sum).abs() < 1e-9,
                "{rate} {years}"
            );
        }
        assert!((annuity_factor(0.0225, 1.0) - 1.0 / 1.0225).abs() < 1e-12);
    }

    #[test]
    fn more_solved_questions_never_lower_benefits() {
        let m = ScbaModel::default_model();
        let topics = [
            "belastingen-toeslagen",
            "geldzaken-schulden",
            "digid",
            "email-internet",
            "wonen",
        ];
        let agencies = ["uwv", "municipality", "other", "toeslagen"];
        let mut base = Outcomes {
            days: 365,
            help_points: 3,
            rows: Vec::new(),
        };
        for (i, t) in topics.iter().enumerate() {
            for (j, a) in agencies.iter().enumerate() {
                base.rows
                    .push(row(t, a, "solved", (i * 7 + j * 3) as u64, 20));
                base.rows
                    .push(row(t, a, "partly_solved", (i + j) as u64, 20));
            }
        }
        let before = calculate(&m, &base);
        for k in 0..base.rows.len() {
            let mut more = base.clone();
            more.rows[k].questions += 5;
            let after = calculate(&m, &more);
            assert!(after.yearly_benefits >= before.yearly_benefits, "row {k}");
            assert!(after.yearly_transfers >= before.yearly_transfers, "row {k}");
            for g in &before.benefits_by_group {
                let a = after
                    .benefits_by_group
                    .iter()
                    .find(|x| x.0 == g.0)
                    .map_or(0.0, |x| x.1);
                assert!(a >= g.1, "row {k} group {:?}", g.0);
            }
        }
    }

    #[test]
    fn tornado_and_scenarios_bracket_the_base() {
        let m = ScbaModel::default_model();
        let outcomes = Outcomes {
            days: 365,
            help_points: 2,
            rows: vec![
                row("digid", "logius", "solved", 1_000, 20_000),
                row("geldzaken-schulden", "bank", "solved", 200, 6_000),
            ],
        };
        let base = calculate(&m, &outcomes).npv;
        let bars = tornado(&m, &outcomes);
        assert!(bars.windows(2).all(|w| w[0].swing() >= w[1].swing()));
        assert!(bars.iter().all(|b| !b.param.is_setting()));
        let s = scenarios(&m, &outcomes);
        assert!((s.base - base).abs() < 1e-9);
        for b in &bars {
            assert!(s.pessimistic <= b.npv_low.min(b.npv_high) + 1e-6);
            assert!(s.optimistic >= b.npv_low.max(b.npv_high) - 1e-6);
        }
        // A cost parameter: a higher staff rate lowers the NPV.
        let staff = bars.iter().find(|b| b.param == Param::StaffRate).unwrap();
        assert!(staff.npv_high < staff.npv_low);
    }

    #[test]
    fn validation_keeps_ranges_ordered_and_sources_named() {
        let mut m = ScbaModel::default_model();
        let mut p = m.parameter(Param::ErrorShare).unwrap().clone();
        p.base = 1.5;
        assert_eq!(m.set(p.clone()).unwrap_err().field, "error_share");
        p.base = 0.2;
        p.high = 0.1;
        assert!(
            m.set(p.clone())
                .unwrap_err()
                .message
                .contains("lage waarde")
        );
        p.high = 0.3;
        p.source = " ".into();
        assert!(m.set(p.clone()).unwrap_err().message.contains("Aanname"));
        p.source = ASSUMPTION.into();
        assert_eq!(m.set(p), Ok(()));
        assert!((m.value(Param::ErrorShare) - 0.2).abs() < 1e-12);
        m.parameters.pop();
        assert!(m.validate().is_err());
    }

    /// By hand: a year with questions at the UWV, the municipality, "other", an agency an admin added and one
    /// without an agency; 1 phone call and half a desk visit avoided per solved question.
    #[test]
    fn contacts_are_valued_at_each_agency_s_own_costs() {
        let m = only(&[
            (Param::ReferredWeight, 0.25),
            (Param::PhoneContactsAvoided, 1.0),
            (Param::DeskContactsAvoided, 0.5),
            (Param::PhoneContactCostUwv, 9.0),
            (Param::DeskContactCostUwv, 30.0),
            (Param::PhoneContactCostMunicipality, 7.0),
            (Param::DeskContactCostMunicipality, 20.0),
            (Param::PhoneContactCostOther, 2.0),
            (Param::DeskContactCostOther, 4.0),
            (Param::PhoneContactCostDuo, 50.0),
        ]);
        let outcomes = Outcomes {
            days: 365,
            help_points: 1,
            rows: vec![
                row(
                    "woningcorporatie-zaken",
                    "woningcorporatie",
                    "solved",
                    3,
                    30,
                ),
                row("wonen", "municipality", "solved", 4, 40),
                row("wonen", "municipality", "referred", 4, 40),
                row("uitkering-pensioen", "uwv", "solved", 10, 100),
                row("uitkering-pensioen", "uwv", "not_solved", 7, 70),
                row("email-internet", "other", "solved", 2, 20),
                row("email-internet", "", "solved", 5, 50),
            ],
        };
        let r = calculate(&m, &outcomes);
        let contacts: Vec<(&str, Group, f64, f64)> = r
            .flows
            .iter()
            .filter(|f| f.category == Category::Contacts)
            .map(|f| (f.agency.as_deref().unwrap(), f.group, f.quantity, f.yearly))
            .collect();
        // keten's agencies in their usual order, then the added one; none for the question without an agency,
        // none for the DUO (no questions there, whatever its cost).
        assert_eq!(
            contacts,
            vec![
                ("uwv", Group::Agencies, 10.0, 240.0), // 10 × (€9 + 0.5 × €30)
                ("municipality", Group::Municipality, 5.0, 85.0), // (4 + 4 × 0.25) × (€7 + 0.5 × €20)
                ("other", Group::Agencies, 2.0, 8.0),             // 2 × (€2 + 0.5 × €4)
                ("woningcorporatie", Group::Agencies, 3.0, 12.0), // the fallback: 3 × (€2 + 0.5 × €4)
            ]
        );
        let added = r
            .flows
            .iter()
            .find(|f| f.agency.as_deref() == Some("woningcorporatie"))
            .unwrap();
        assert!(added.drivers.contains(&Param::PhoneContactCostOther));
        assert!((r.yearly_benefits - 345.0).abs() < 1e-9);
        assert_eq!(
            Param::contact_costs("municipality"),
            (
                Param::PhoneContactCostMunicipality,
                Param::DeskContactCostMunicipality
            )
        );
        assert_eq!(
            Param::DeskContactCostCjib.contact_cost_agency(),
            Some(Agency::Cjib)
        );
        assert_eq!(Param::HoursSaved.contact_cost_agency(), None);
        // Every agency of the registration's list has its own pair.
        let mut pairs: Vec<_> = Agency::ALL
            .iter()
            .map(|a| Param::contact_costs(a.as_str()))
            .collect();
        pairs.dedup();
        assert_eq!(pairs.len(), Agency::ALL.len());
    }

    #[test]
    fn the_tornado_leaves_out_parameters_that_change_nothing() {
        let m = ScbaModel::default_model();
        let outcomes = Outcomes {
            days: 365,
            help_points: 1,
            rows: vec![row("uitkering-pensioen", "uwv", "solved", 100, 2_000)],
        };
        let bars = tornado(&m, &outcomes);
        let left_out = tornado_without_effect(&m, &outcomes);
        let in_bars = |p: Param| bars.iter().any(|b| b.param == p);
        assert!(in_bars(Param::PhoneContactCostUwv) && in_bars(Param::DeskContactCostUwv));
        // No questions at the DUO or about debts: their parameters move nothing.
        for p in [
            Param::PhoneContactCostDuo,
            Param::DeskContactCostOther,
            Param::DebtCost,
        ] {
            assert!(!in_bars(p) && left_out.contains(&p), "{p:?}");
        }
        assert!(bars.iter().all(|b| b.swing() > 0.0));
        // Together they are every uncertain parameter, once.
        let uncertain = Param::ALL.iter().filter(|p| !p.is_setting()).count();
        assert_eq!(bars.len() + left_out.len(), uncertain);
        assert!(left_out.iter().all(|p| !in_bars(*p)));
    }

    /// A model saved before the split: one phone and one desk cost for every agency.
    fn old_model_json() -> serde_json::Value {
        let mut json = serde_json::to_value(ScbaModel::default_model()).unwrap();
        let parameters = json["parameters"].as_array_mut().unwrap();
        parameters.retain(|p| {
            let code = p["param"].as_str().unwrap();
            !code.starts_with("phone_contact_cost_")
                && !code.starts_with("desk_contact_cost_")
                && code != "wellbeing_value"
        });
        let old = |code: &str, low: f64, base: f64, high: f64| {
            serde_json::json!({"param": code, "low": low, "base": base, "high": high,
                "rationale": "Eén bedrag voor alle instanties.", "source": "Eigen onderzoek 2025"})
        };
        parameters.push(old("phone_contact_cost", 5.0, 11.0, 20.0));
        parameters.push(old("desk_contact_cost", 20.0, 33.0, 70.0));
        parameters.push(old("retired_parameter", 1.0, 1.0, 1.0));
        json["version"] = serde_json::json!(7);
        json
    }

    #[test]
    fn a_stored_model_with_the_old_contact_costs_loads_with_them_at_every_agency() {
        let input: ModelInput = serde_json::from_value(old_model_json()).unwrap();
        let m = input.clone().upgrade();
        assert_eq!(m.validate(), Ok(()));
        assert_eq!(m.version, 7);
        let order: Vec<Param> = m.parameters.iter().map(|p| p.param).collect();
        assert_eq!(order, Param::ALL.to_vec());
        for agency in Agency::ALL {
            let (phone, desk) = Param::contact_costs(agency.as_str());
            let phone = m.parameter(phone).unwrap();
            assert_eq!((phone.low, phone.base, phone.high), (5.0, 11.0, 20.0));
            assert_eq!(phone.source, "Eigen onderzoek 2025");
            assert!((m.value(desk) - 33.0).abs() < 1e-12);
        }
        // A parameter the old model lacked takes keten's default.
        assert!((m.value(Param::WellbeingValue) - 10.0).abs() < 1e-12);
        // Its results are what the old single cost gave: 10 questions at the UWV, 1 × €11 + 0.1 × €33 each.
        let outcomes = Outcomes {
            days: 365,
            help_points: 1,
            rows: vec![row("uitkering-pensioen", "uwv", "solved", 10, 100)],
        };
        let contacts = calculate(&m, &outcomes)
            .flows
            .into_iter()
            .find(|f| f.category == Category::Contacts)
            .unwrap();
        assert!((contacts.yearly - 143.0).abs() < 1e-9);
        // A client sending the old names is told what replaced them.
        let errors = input.strict().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["phone_contact_cost", "desk_contact_cost", "param"]);
        assert!(errors[0].message.contains("phone_contact_cost_other"));
        assert!(
            errors[1]
                .message
                .contains("desk_contact_cost_belastingdienst")
        );
        assert!(errors[2].message.contains("retired_parameter"));
        // Today's names pass.
        let today: ModelInput =
            serde_json::from_value(serde_json::to_value(ScbaModel::default_model()).unwrap())
                .unwrap();
        assert_eq!(today.strict(), Ok(ScbaModel::default_model()));
    }

    #[test]
    fn personas_use_the_unit_values() {
        let m = ScbaModel::default_model();
        let ps = personas(&m);
        let pensioner = ps.iter().find(|p| p.persona == Persona::Pensioner).unwrap();
        // 1.5 h × €10 + €3 + €10 well-being + at the Toeslagen 1 × €10 + 0.1 × €40 = €42; €1,200 a year in rent
        // benefit.
        assert!((pensioner.first_year - 42.0).abs() < 1e-9);
        // The job seeker's contact is at the UWV: 1 × €9 + 0.1 × €35.
        let job = ps.iter().find(|p| p.persona == Persona::JobSeeker).unwrap();
        assert!((job.first_year - (15.0 + 3.0 + 10.0 + 12.5 + 15_000.0)).abs() < 1e-9);
        assert!((pensioner.transfer_per_year - 1_200.0).abs() < 1e-9);
        assert!((pensioner.transfer_present - 1_200.0 * annuity_factor(0.0225, 5.0)).abs() < 1e-9);
    }
}
