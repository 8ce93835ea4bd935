//! Where a sender may send a referral: an organisation, one of its help points or a partner's consultation hour.

use super::DestinationInput;
use super::pages::Choice;
use crate::AppState;
use crate::error::AppError;
use keten_core::ValidationError;
use keten_core::directory::HelpPointStatus;
use keten_core::referral::routing::Proposal;
use keten_store::Actor;
use keten_store::help_points::Directory;
use keten_store::referrals::Destination;

/// One option of the destination list, written in the form as `organisatie:ID`, `hulppunt:ID` or `spreekuur:ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pick {
    Organisation(String),
    HelpPoint(String),
    ConsultationHour(String),
}

impl Pick {
    /// Empty means "let keten choose"; a bare id is an organisation (older forms and links).
    pub fn parse(value: &str) -> Option<Pick> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        Some(match value.split_once(':') {
            Some(("hulppunt", id)) => Pick::HelpPoint(id.to_owned()),
            Some(("spreekuur", id)) => Pick::ConsultationHour(id.to_owned()),
            Some(("organisatie", id)) => Pick::Organisation(id.to_owned()),
            _ => Pick::Organisation(value.to_owned()),
        })
    }

    pub fn value(&self) -> String {
        match self {
            Pick::Organisation(id) => format!("organisatie:{id}"),
            Pick::HelpPoint(id) => format!("hulppunt:{id}"),
            Pick::ConsultationHour(id) => format!("spreekuur:{id}"),
        }
    }

    /// The most precise pick for keten's proposal.
    pub fn of_proposal(p: &Proposal) -> Pick {
        match (&p.consultation_hour_id, &p.help_point_id) {
            (Some(hour), _) => Pick::ConsultationHour(hour.clone()),
            (None, Some(point)) => Pick::HelpPoint(point.clone()),
            (None, None) => Pick::Organisation(p.organisation_id.clone()),
        }
    }

    /// The destination this option stands for; a place keten does not know is a form error.
    pub fn to_input(&self, directory: &Directory) -> Result<DestinationInput, AppError> {
        let unknown = || {
            AppError::Validation(vec![ValidationError::new(
                "destination",
                "Deze plek kennen wij niet. Kies een plek uit de lijst.",
            )])
        };
        Ok(match self {
            Pick::Organisation(id) => DestinationInput {
                organisation_id: id.clone(),
                help_point_id: None,
                consultation_hour_id: None,
            },
            Pick::HelpPoint(id) => {
                let hp = directory
                    .help_points
                    .iter()
                    .find(|h| &h.id == id)
                    .ok_or_else(unknown)?;
                DestinationInput {
                    organisation_id: hp.organisation_id.clone(),
                    help_point_id: Some(hp.id.clone()),
                    consultation_hour_id: None,
                }
            }
            Pick::ConsultationHour(id) => {
                let hour = directory
                    .consultation_hours
                    .iter()
                    .find(|c| &c.id == id)
                    .ok_or_else(unknown)?;
                DestinationInput {
                    organisation_id: hour.organisation_id.clone(),
                    help_point_id: Some(hour.help_point_id.clone()),
                    consultation_hour_id: Some(hour.id.clone()),
                }
            }
        })
    }
}

/// The name of the organisation a destination option goes to, for the consent text; `None` when none is chosen
/// or the option is unknown (the form then names no organisation).
pub(crate) async fn receiver_name(
    state: &AppState,
    option: &str,
) -> Result<Option<String>, AppError> {
    let Some(pick) = Pick::parse(option) else {
        return Ok(None);
    };
    match pick.to_input(&state.store.directory().await?) {
        Ok(chosen) => Ok(state
            .store
            .organisation_name(&chosen.organisation_id)
            .await?),
        Err(_) => Ok(None),
    }
}

/// Checks a chosen destination: the help point or consultation hour exists, belongs to the organisation and
/// takes referrals now. Whether the organisation is in the sender's chains is the store's tenant rule.
pub(crate) async fn check(
    state: &AppState,
    chosen: &DestinationInput,
) -> Result<Destination, AppError> {
    let field =
        |message: &str| AppError::Validation(vec![ValidationError::new("destination", message)]);
    let organisation_id = chosen.organisation_id.trim().to_owned();
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let mut help_point_id = blank(&chosen.help_point_id);
    let consultation_hour_id = blank(&chosen.consultation_hour_id);
    if help_point_id.is_none() && consultation_hour_id.is_none() {
        return Ok(Destination {
            organisation_id,
            help_point_id: None,
            consultation_hour_id: None,
            routing_rule_id: None,
        });
    }
    let directory = state.store.directory().await?;
    if let Some(hour_id) = &consultation_hour_id {
        let hour = directory
            .consultation_hours
            .iter()
            .find(|c| &c.id == hour_id)
            .ok_or_else(|| field("Dit spreekuur kennen wij niet."))?;
        if hour.organisation_id != organisation_id
            || help_point_id
                .as_ref()
                .is_some_and(|h| *h != hour.help_point_id)
        {
            return Err(field("Dit spreekuur hoort niet bij deze organisatie."));
        }
        help_point_id = Some(hour.help_point_id.clone());
    }
    if let Some(point_id) = &help_point_id {
        let point = directory
            .help_points
            .iter()
            .find(|h| &h.id == point_id)
            .ok_or_else(|| field("Dit hulppunt kennen wij niet."))?;
        if consultation_hour_id.is_none() && point.organisation_id != organisation_id {
            return Err(field("Dit hulppunt hoort niet bij deze organisatie."));
        }
        let full = state.store.full_help_points().await?;
        if point.status != HelpPointStatus::Open || full.contains(&point.id) {
            return Err(field(
                "Deze plek neemt nu geen nieuwe doorverwijzingen aan. Kies een andere plek.",
            ));
        }
    }
    Ok(Destination {
        organisation_id,
        help_point_id,
        consultation_hour_id,
        routing_rule_id: None,
    })
}

/// The options of the destination list, grouped: organisations, help points, partners' consultation hours.
/// Only the sender's chains, and only places that take referrals now.
pub struct DestinationChoices {
    pub organisations: Vec<Choice>,
    pub help_points: Vec<Choice>,
    pub consultation_hours: Vec<Choice>,
}

pub(crate) async fn choices(
    state: &AppState,
    actor: &Actor,
    selected: &str,
    leave_out: &[String],
) -> Result<DestinationChoices, AppError> {
    let selected = Pick::parse(selected).map(|p| p.value());
    let organisations = state.store.organisations(actor).await?;
    let directory = state.store.directory().await?;
    let full = state.store.full_help_points().await?;
    let visible = |org: &str| {
        organisations.iter().any(|o| o.id == org) && !leave_out.iter().any(|l| l == org)
    };
    let open = |point: &str| {
        !full.iter().any(|f| f == point)
            && directory
                .help_points
                .iter()
                .any(|h| h.id == point && h.status == HelpPointStatus::Open)
    };
    let choice = |pick: Pick, label: String| {
        let value = pick.value();
        Choice {
            selected: selected.as_ref() == Some(&value),
            value,
            label,
        }
    };
    Ok(DestinationChoices {
        organisations: organisations
            .iter()
            .filter(|o| visible(&o.id))
            .map(|o| choice(Pick::Organisation(o.id.clone()), o.name.clone()))
            .collect(),
        help_points: directory
            .help_points
            .iter()
            .filter(|h| visible(&h.organisation_id) && open(&h.id))
            .map(|h| {
                choice(
                    Pick::HelpPoint(h.id.clone()),
                    format!("{} ({}, {})", h.name, h.organisation_name, h.city),
                )
            })
            .collect(),
        consultation_hours: directory
            .consultation_hours
            .iter()
            .filter(|c| visible(&c.organisation_id) && open(&c.help_point_id))
            .map(|c| {
                let place = directory
                    .help_points
                    .iter()
                    .find(|h| h.id == c.help_point_id)
                    .map_or("", |h| h.name.as_str());
                choice(
                    Pick::ConsultationHour(c.id.clone()),
                    format!("{}: {} ({place})", c.organisation_name, c.title),
                )
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_round_trip_and_bare_ids_are_organisations() {
        for p in [
            Pick::Organisation("o1".into()),
            Pick::HelpPoint("h1".into()),
            Pick::ConsultationHour("c1".into()),
        ] {
            assert_eq!(Pick::parse(&p.value()), Some(p));
        }
        assert_eq!(
            Pick::parse("abc-123"),
            Some(Pick::Organisation("abc-123".into()))
        );
        assert_eq!(Pick::parse("  "), None);
    }
}
