//! Warm referrals: the lifecycle state machine, consent, the resident's contact data and what is checked on input.
//!
//! A referral moves `sent -> received -> accepted | declined -> contacted -> completed | not_reached`, and may be
//! `withdrawn` (the resident withdrew consent: the referral ends and the contact data is erased). A declined
//! referral goes back to the sender, who may route it again (`declined -> sent`, with consent for the new
//! organisation). [`transition`] is the only way to change a status: a forbidden step is an error, never a silent
//! change. [`deadline`] computes when a referral becomes overdue, [`routing`] proposes where it goes.

pub mod deadline;
pub mod demo;
pub mod routing;
pub mod upkeep;

use crate::ValidationError;
use crate::account::Email;
use crate::codes::code_list;
use crate::help_question::{Agency, Outcome};

code_list! {
    /// Where a referral stands.
    pub enum ReferralStatus ("status") {
        Sent = "sent", "Verstuurd";
        Received = "received", "Geopend";
        Accepted = "accepted", "Aangenomen";
        Declined = "declined", "Afgewezen";
        Contacted = "contacted", "Contact gehad";
        Completed = "completed", "Afgerond";
        NotReached = "not_reached", "Niet bereikt";
        Withdrawn = "withdrawn", "Ingetrokken";
    }
}

impl ReferralStatus {
    /// Closed: no further step except a new route after a decline. The purge clock starts here.
    #[must_use]
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Self::Declined | Self::Completed | Self::NotReached | Self::Withdrawn
        )
    }

    /// Whether the sender sees this status. Without the resident's yes to following progress it sees none, except
    /// a decline: a declined referral comes back to the sender, which must be able to route it elsewhere.
    #[must_use]
    pub fn shown_to_sender(self, sender_sees_progress: bool) -> bool {
        sender_sees_progress || self == Self::Declined
    }

    /// Still waiting for the receiving organisation to accept: the deadline applies.
    #[must_use]
    pub fn awaits_acceptance(self) -> bool {
        matches!(self, Self::Sent | Self::Received)
    }
}

code_list! {
    /// Why a referral was declined; feeds reporting, so a closed list, no free text.
    pub enum DeclineReason ("decline_reason") {
        ResidentDeclined = "resident_declined", "De inwoner wil geen hulp meer";
        ResidentHelpedElsewhere = "resident_helped_elsewhere", "De inwoner is al ergens anders geholpen";
        NotOurTopic = "not_our_topic", "Dit onderwerp doen wij niet";
        NoCapacity = "no_capacity", "Wij hebben nu geen plek";
        OutsideArea = "outside_area", "De inwoner woont buiten ons gebied";
        Duplicate = "duplicate", "Dubbele doorverwijzing";
        Other = "other", "Een andere reden";
    }
}

impl DeclineReason {
    /// Declined by the resident rather than by the organisation.
    #[must_use]
    pub fn by_resident(self) -> bool {
        matches!(self, Self::ResidentDeclined | Self::ResidentHelpedElsewhere)
    }
}

code_list! {
    /// How the resident gave consent.
    pub enum ConsentMethod ("consent_method") {
        Spoken = "spoken", "Mondeling";
        Written = "written", "Schriftelijk";
        Digital = "digital", "Digitaal";
    }
}

code_list! {
    /// What the consent covers. Consent is recorded per receiving organisation and purpose.
    pub enum ConsentPurpose ("purpose") {
        Referral = "referral", "Doorverwijzen zodat de organisatie contact opneemt";
    }
}

code_list! {
    /// When the resident prefers to be contacted.
    pub enum PreferredMoment ("preferred_moment") {
        Morning = "morning", "Ochtend";
        Afternoon = "afternoon", "Middag";
        Evening = "evening", "Avond";
        Any = "any", "Maakt niet uit";
    }
}

code_list! {
    /// Who started the referral.
    pub enum ReferralSource ("source") {
        Organisation = "organisation", "Een organisatie";
        Resident = "resident", "De inwoner zelf";
        Api = "api", "Een koppeling";
    }
}

code_list! {
    /// How often a user gets referral e-mail.
    pub enum DigestChoice ("digest") {
        Each = "each", "Bij elke doorverwijzing";
        Daily = "daily", "Eén keer per dag";
        Weekly = "weekly", "Eén keer per week";
    }
}

/// Version of [`CONSENT_TEXT`]. Stored with every consent, so that a changed text never rewrites history.
pub const CONSENT_TEXT_VERSION: &str = "2026-1";

/// The consent text the sender reads out or shows to the resident (version [`CONSENT_TEXT_VERSION`]).
pub const CONSENT_TEXT: &str = "Ik geef toestemming dat {zender} mijn naam, mijn telefoonnummer of e-mailadres, \
mijn voorkeur voor een moment en mijn vraag doorgeeft aan {ontvanger}. {ontvanger} neemt dan contact met mij op \
om mij te helpen. Mijn gegevens worden alleen daarvoor gebruikt en uiterlijk 90 dagen na afloop gewist. \
Ik kan mijn toestemming altijd intrekken.";

/// The same consent in the words of the resident's own request ("Ik wil hulp"), same version.
pub const RESIDENT_CONSENT_TEXT: &str = "Ja, het hulppunt mag mijn naam, telefoonnummer of e-mailadres en mijn \
vraag gebruiken om mij te helpen. Niemand anders krijgt mijn gegevens. Na 90 dagen wissen ze mijn gegevens. \
Ik kan altijd zeggen dat ik het niet meer wil.";

/// The consent text with the organisations filled in.
#[must_use]
pub fn consent_text(sender: &str, receiver: &str) -> String {
    CONSENT_TEXT
        .replace("{zender}", sender)
        .replace("{ontvanger}", receiver)
}

/// Who acts on a referral, relative to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The sending organisation.
    Sender,
    /// The receiving (destination) organisation.
    Receiver,
}

impl Party {
    pub const ALL: &'static [Party] = &[Party::Sender, Party::Receiver];

    /// "verzendende" or "ontvangende", as in "de ontvangende organisatie".
    #[must_use]
    pub fn adjective(&self) -> &'static str {
        match self {
            Party::Sender => "verzendende",
            Party::Receiver => "ontvangende",
        }
    }
}

/// Something a party does to a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The receiver opened it.
    Open,
    Accept,
    Decline(DeclineReason),
    /// A call or message; `reached` when the resident answered.
    ContactAttempt {
        reached: bool,
    },
    /// Gave up after enough unanswered attempts.
    MarkNotReached,
    Complete(Outcome),
    /// The resident withdrew consent: ends the referral and erases the contact data.
    Withdraw,
    /// The sender sends a declined referral to another organisation.
    Reroute,
}

impl Action {
    /// The stable code of the action, as stored in the timeline and used in the API.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Action::Open => "open",
            Action::Accept => "accept",
            Action::Decline(_) => "decline",
            Action::ContactAttempt { .. } => "contact_attempt",
            Action::MarkNotReached => "mark_not_reached",
            Action::Complete(_) => "complete",
            Action::Withdraw => "withdraw",
            Action::Reroute => "reroute",
        }
    }

    /// Dutch label for timelines and buttons.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Action::Open => "Geopend",
            Action::Accept => "Aangenomen",
            Action::Decline(_) => "Afgewezen",
            Action::ContactAttempt { reached: true } => "Contact gehad",
            Action::ContactAttempt { reached: false } => "Niet bereikt bij poging",
            Action::MarkNotReached => "Niet bereikt, gestopt",
            Action::Complete(_) => "Afgerond",
            Action::Withdraw => "Toestemming ingetrokken",
            Action::Reroute => "Opnieuw verstuurd",
        }
    }

    /// The party that may take this action.
    #[must_use]
    pub fn allowed_parties(&self) -> &'static [Party] {
        match self {
            Action::Reroute => &[Party::Sender],
            // Consent may be withdrawn via whoever the resident tells.
            Action::Withdraw => &[Party::Sender, Party::Receiver],
            _ => &[Party::Receiver],
        }
    }

    /// One instance of every kind of action, for exhaustive tests and documentation.
    #[must_use]
    pub fn examples() -> Vec<Action> {
        let mut all = vec![
            Action::Open,
            Action::Accept,
            Action::ContactAttempt { reached: true },
            Action::ContactAttempt { reached: false },
            Action::MarkNotReached,
            Action::Withdraw,
            Action::Reroute,
        ];
        all.extend(DeclineReason::ALL.iter().map(|r| Action::Decline(*r)));
        all.extend(Outcome::ALL.iter().map(|o| Action::Complete(*o)));
        all
    }
}

/// The parts of a referral the state machine looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: ReferralStatus,
    /// Unanswered contact attempts so far.
    pub failed_attempts: u32,
}

impl Lifecycle {
    #[must_use]
    pub fn new() -> Self {
        Self {
            status: ReferralStatus::Sent,
            failed_attempts: 0,
        }
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::new()
    }
}

/// Default number of unanswered attempts before "not reached" may be recorded.
pub const DEFAULT_NOT_REACHED_AFTER: u32 = 3;

/// Why a step is refused. The Dutch text says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("Dit kan niet: de doorverwijzing is {}, en '{}' kan dan niet.", .from.label().to_lowercase(), .action)]
    NotAllowed {
        from: ReferralStatus,
        action: &'static str,
    },
    #[error("Alleen de {} organisatie mag '{}' doen.", .needed.adjective(), .action)]
    WrongParty { action: &'static str, needed: Party },
    #[error(
        "Probeer eerst {needed} keer contact op te nemen (nu {made} keer) voordat u 'niet bereikt' kiest."
    )]
    NotEnoughAttempts { made: u32, needed: u32 },
    /// [`TransitionError::NotAllowed`] for a sender that may not see the status, so the message does not say it.
    #[error("Dit kan nu niet bij deze doorverwijzing ('{}').", .action)]
    NotNow { action: &'static str },
}

impl TransitionError {
    /// The same refusal without the status in it, for a party that may not see the status.
    #[must_use]
    pub fn without_status(self) -> Self {
        match self {
            Self::NotAllowed { action, .. } => Self::NotNow { action },
            other => other,
        }
    }
}

/// What a step does besides the new status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ReferralStatus,
    pub to: ReferralStatus,
    pub lifecycle: Lifecycle,
    /// The resident's contact data must be erased now (consent withdrawn).
    pub erase_contact: bool,
}

/// The one rule of the lifecycle: may `party` take `action` in `state`, and where does it lead?
/// `not_reached_after` is the number of unanswered attempts needed before [`Action::MarkNotReached`].
pub fn transition(
    state: Lifecycle,
    party: Party,
    action: &Action,
    not_reached_after: u32,
) -> Result<Transition, TransitionError> {
    use ReferralStatus as S;
    let not_allowed = || TransitionError::NotAllowed {
        from: state.status,
        action: action.label(),
    };
    let mut next = state;
    let to = match (state.status, action) {
        (S::Sent, Action::Open) => S::Received,
        (S::Sent | S::Received, Action::Accept) => S::Accepted,
        (S::Sent | S::Received | S::Accepted, Action::Decline(_)) => S::Declined,
        (S::Accepted, Action::ContactAttempt { reached: true }) => S::Contacted,
        (S::Accepted, Action::ContactAttempt { reached: false }) => {
            next.failed_attempts = state.failed_attempts.saturating_add(1);
            S::Accepted
        }
        // Follow-up calls after the first contact change nothing but the timeline.
        (S::Contacted, Action::ContactAttempt { .. }) => S::Contacted,
        (S::Accepted, Action::MarkNotReached) => {
            if state.failed_attempts < not_reached_after {
                return Err(TransitionError::NotEnoughAttempts {
                    made: state.failed_attempts,
                    needed: not_reached_after,
                });
            }
            S::NotReached
        }
        (S::Contacted, Action::Complete(_)) => S::Completed,
        (S::Sent | S::Received | S::Accepted | S::Declined | S::Contacted, Action::Withdraw) => {
            S::Withdrawn
        }
        (S::Declined, Action::Reroute) => {
            next.failed_attempts = 0;
            S::Sent
        }
        _ => return Err(not_allowed()),
    };
    // The status check comes first: "already completed" says more than "not yours".
    if !action.allowed_parties().contains(&party) {
        return Err(TransitionError::WrongParty {
            action: action.label(),
            needed: action.allowed_parties()[0],
        });
    }
    next.status = to;
    Ok(Transition {
        from: state.status,
        to,
        lifecycle: next,
        erase_contact: matches!(action, Action::Withdraw),
    })
}

/// The actions `party` can take now, for showing only the buttons that work.
#[must_use]
pub fn available_actions(state: Lifecycle, party: Party, not_reached_after: u32) -> Vec<Action> {
    Action::examples()
        .into_iter()
        .filter(|a| transition(state, party, a, not_reached_after).is_ok())
        .collect()
}

/// One way to reach the resident: exactly one channel is kept (data minimisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChannel {
    Phone(String),
    Email(Email),
}

/// The resident's personal data on a referral; erased by the purge or on withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentContact {
    pub name: String,
    pub channel: ContactChannel,
    pub preferred_moment: PreferredMoment,
}

/// A consent as the sender records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentDraft {
    pub method: ConsentMethod,
    pub purpose: ConsentPurpose,
    pub text_version: &'static str,
    /// The resident allows the sender to follow the referral's progress.
    pub sender_sees_progress: bool,
}

/// A checked new referral (the destination is chosen separately, see [`routing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralDraft {
    pub topics: Vec<String>,
    pub agency: Option<Agency>,
    pub reason: String,
    pub contact: ResidentContact,
    /// Four digits (NL PC4 or Belgian postcode); kept after the purge for reporting.
    pub pc4: String,
    pub consent: ConsentDraft,
}

/// Referral form or API input as typed, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub struct ReferralInput {
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub resident_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub preferred_moment: Option<String>,
    #[serde(default)]
    pub pc4: String,
    /// The resident gave consent for this referral (the consent text was shown or read out).
    #[serde(default)]
    pub consent_given: bool,
    /// `spoken`, `written` or `digital`.
    #[serde(default)]
    pub consent_method: Option<String>,
    /// The version of the consent text that was shown; must be the current one.
    #[serde(default)]
    pub consent_text_version: Option<String>,
    #[serde(default)]
    pub sender_sees_progress: bool,
}

/// Longest reason accepted: a short note, not a file.
pub const MAX_REASON_CHARS: usize = 500;

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A phone number: digits with an optional leading `+`, 10 to 15 digits; spaces and dashes are dropped.
pub fn parse_phone(input: &str) -> Result<String, ValidationError> {
    let cleaned: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let digits = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    if digits.chars().all(|c| c.is_ascii_digit()) && (9..=15).contains(&digits.len()) {
        Ok(cleaned)
    } else {
        Err(ValidationError::new(
            "phone",
            "Vul een telefoonnummer in met 10 cijfers, bijvoorbeeld 06 12345678.",
        ))
    }
}

impl ReferralInput {
    /// Checks everything and reports every problem at once, so a form can show them all.
    pub fn parse(&self) -> Result<ReferralDraft, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let topics: Vec<String> = self
            .topics
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        if topics.is_empty() {
            errors.push(ValidationError::new(
                "topics",
                "Kies minstens één onderwerp.",
            ));
        }
        let agency = match blank(&self.agency) {
            None => None,
            Some(a) => match a.parse::<Agency>() {
                Ok(a) => Some(a),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let reason = self.reason.trim().to_owned();
        if reason.chars().count() > MAX_REASON_CHARS {
            errors.push(ValidationError::new(
                "reason",
                format!("Houd de reden kort: hoogstens {MAX_REASON_CHARS} tekens."),
            ));
        }
        let name = self.resident_name.trim().to_owned();
        if name.is_empty() {
            errors.push(ValidationError::new(
                "resident_name",
                "Vul de naam van de inwoner in.",
            ));
        } else if name.chars().count() > 100 {
            errors.push(ValidationError::new(
                "resident_name",
                "Vul een naam in van hoogstens 100 tekens.",
            ));
        }
        let channel = match (blank(&self.phone), blank(&self.email)) {
            (Some(_), Some(_)) => {
                errors.push(ValidationError::new(
                    "contact",
                    "Vul één manier van contact in: een telefoonnummer óf een e-mailadres, niet allebei.",
                ));
                None
            }
            (None, None) => {
                errors.push(ValidationError::new(
                    "contact",
                    "Vul een telefoonnummer of een e-mailadres in.",
                ));
                None
            }
            (Some(p), None) => parse_phone(p)
                .map(ContactChannel::Phone)
                .map_err(|e| errors.push(e))
                .ok(),
            (None, Some(e)) => Email::parse(e)
                .map(ContactChannel::Email)
                .map_err(|e| errors.push(e))
                .ok(),
        };
        let preferred_moment = match blank(&self.preferred_moment) {
            None => PreferredMoment::Any,
            Some(m) => m.parse().unwrap_or_else(|e| {
                errors.push(e);
                PreferredMoment::Any
            }),
        };
        let pc4 = self.pc4.trim().to_owned();
        if !(pc4.len() == 4 && pc4.chars().all(|c| c.is_ascii_digit()) && !pc4.starts_with('0')) {
            errors.push(ValidationError::new(
                "pc4",
                "Vul de vier cijfers van de postcode in, bijvoorbeeld 3011.",
            ));
        }
        let consent = upkeep::ConsentInput {
            consent_given: self.consent_given,
            consent_method: self.consent_method.clone(),
            consent_text_version: self.consent_text_version.clone(),
            sender_sees_progress: self.sender_sees_progress,
        }
        .check(&mut errors);
        match (channel, consent) {
            (Some(channel), Some(consent)) if errors.is_empty() => Ok(ReferralDraft {
                topics,
                agency,
                reason,
                contact: ResidentContact {
                    name,
                    channel,
                    preferred_moment,
                },
                pc4,
                consent,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
