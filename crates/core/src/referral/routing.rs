//! Where a referral goes: the municipality's routing rules (verwijsafspraken) applied to candidate help points.
//!
//! Rules for the asked topic come before rules for its parent topic; within those, lower priority numbers first,
//! and a rule naming the asked agency before a rule for any agency. A rule names an organisation, a help point or a
//! partner's consultation hour. Help points that are full or temporarily closed are skipped. Without a usable rule
//! the nearest open candidate offering the topic is proposed, and a partner answering its own customers' topic
//! (a bank's hour for banking) wins over a general help point such as the library.

use crate::directory::HelpPointStatus;
use crate::help_question::Agency;

/// What a rule sends referrals to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleTarget {
    /// The organisation, at its nearest usable help point or consultation hour (or directly when it has none).
    Organisation(String),
    HelpPoint(String),
    ConsultationHour(String),
}

/// A routing rule as the router needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub municipality_code: String,
    pub topic_code: String,
    /// `None`: any agency.
    pub agency: Option<Agency>,
    /// Lower first.
    pub priority: i64,
    /// The organisation that receives the referral.
    pub organisation_id: String,
    pub target: RuleTarget,
}

/// A place a referral could go: a help point, or a partner's consultation hour at a help point.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub help_point_id: String,
    /// The receiving organisation: the help point's operator, or the partner holding the consultation hour.
    pub organisation_id: String,
    pub consultation_hour_id: Option<String>,
    pub topics: Vec<String>,
    pub distance_km: f64,
    pub status: HelpPointStatus,
    /// Marked full: takes no new referrals for now.
    pub full: bool,
    /// The receiving organisation is a partner answering its own customers (bank, telecom, insurer).
    pub partner: bool,
}

impl Candidate {
    /// Open and not full.
    #[must_use]
    pub fn takes_referrals(&self) -> bool {
        self.status == HelpPointStatus::Open && !self.full
    }
}

/// What is being routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRequest<'a> {
    pub municipality_code: &'a str,
    pub topic: &'a str,
    /// The topic's parent in the taxonomy, so that a rule for "geld" also covers "bankzaken".
    pub parent_topic: Option<&'a str>,
    pub agency: Option<Agency>,
}

/// The proposed destination and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub organisation_id: String,
    pub help_point_id: Option<String>,
    pub consultation_hour_id: Option<String>,
    pub rule_id: Option<String>,
    /// Short Dutch explanation for the sender.
    pub why: &'static str,
}

fn rule_applies(rule: &Rule, req: &RouteRequest<'_>) -> Option<(u8, i64, u8)> {
    if rule.municipality_code != req.municipality_code {
        return None;
    }
    let topic_rank = if rule.topic_code == req.topic {
        0
    } else if Some(rule.topic_code.as_str()) == req.parent_topic {
        1
    } else {
        return None;
    };
    let agency_rank = match rule.agency {
        None => 1,
        Some(a) if Some(a) == req.agency => 0,
        Some(_) => return None,
    };
    Some((topic_rank, rule.priority, agency_rank))
}

fn nearest<'c>(candidates: impl Iterator<Item = &'c Candidate>) -> Option<&'c Candidate> {
    candidates
        .filter(|c| c.takes_referrals())
        .min_by(|a, b| a.distance_km.total_cmp(&b.distance_km))
}

fn at(c: &Candidate, rule: Option<&Rule>, why: &'static str) -> Proposal {
    Proposal {
        organisation_id: c.organisation_id.clone(),
        help_point_id: Some(c.help_point_id.clone()),
        consultation_hour_id: c.consultation_hour_id.clone(),
        rule_id: rule.map(|r| r.id.clone()),
        why,
    }
}

/// Proposes a destination, or `None` when nothing usable exists.
#[must_use]
pub fn propose(
    req: &RouteRequest<'_>,
    rules: &[Rule],
    candidates: &[Candidate],
) -> Option<Proposal> {
    let mut applicable: Vec<(&Rule, (u8, i64, u8))> = rules
        .iter()
        .filter_map(|r| rule_applies(r, req).map(|rank| (r, rank)))
        .collect();
    applicable.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
    for (rule, _) in applicable {
        let found = match &rule.target {
            RuleTarget::HelpPoint(id) => nearest(candidates.iter().filter(|c| {
                &c.help_point_id == id
                    && c.consultation_hour_id.is_none()
                    && c.organisation_id == rule.organisation_id
            }))
            .map(|c| at(c, Some(rule), "Volgens de verwijsafspraak van de gemeente.")),
            RuleTarget::ConsultationHour(id) => nearest(
                candidates
                    .iter()
                    .filter(|c| c.consultation_hour_id.as_ref() == Some(id)),
            )
            .map(|c| {
                at(
                    c,
                    Some(rule),
                    "Volgens de verwijsafspraak: het spreekuur van de partner.",
                )
            }),
            RuleTarget::Organisation(org) => {
                let own = candidates.iter().filter(|c| &c.organisation_id == org);
                let any_place = candidates.iter().any(|c| &c.organisation_id == org);
                match nearest(own) {
                    Some(c) => Some(at(
                        c,
                        Some(rule),
                        "Volgens de verwijsafspraak, op de dichtstbijzijnde plek van die organisatie.",
                    )),
                    // An organisation without places of its own (a bank's customer service) takes it directly;
                    // one whose places are all full or closed is skipped.
                    None if !any_place => Some(Proposal {
                        organisation_id: org.clone(),
                        help_point_id: None,
                        consultation_hour_id: None,
                        rule_id: Some(rule.id.clone()),
                        why: "Volgens de verwijsafspraak van de gemeente.",
                    }),
                    None => None,
                }
            }
        };
        if found.is_some() {
            return found;
        }
    }
    let offers = |c: &&Candidate| {
        c.topics
            .iter()
            .any(|t| t == req.topic || Some(t.as_str()) == req.parent_topic)
    };
    let partner = nearest(candidates.iter().filter(offers).filter(|c| c.partner));
    if let Some(c) = partner {
        return Some(at(
            c,
            None,
            "Deze partner helpt zijn eigen klanten met dit onderwerp.",
        ));
    }
    nearest(candidates.iter().filter(offers))
        .map(|c| at(c, None, "Het dichtstbijzijnde hulppunt voor dit onderwerp."))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GM: &str = "GM0599";

    fn cand(point: &str, org: &str, hour: Option<&str>, topics: &[&str], km: f64) -> Candidate {
        Candidate {
            help_point_id: point.into(),
            organisation_id: org.into(),
            consultation_hour_id: hour.map(Into::into),
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
            distance_km: km,
            status: HelpPointStatus::Open,
            full: false,
            partner: hour.is_some(),
        }
    }

    fn rule(
        id: &str,
        topic: &str,
        agency: Option<Agency>,
        prio: i64,
        org: &str,
        target: RuleTarget,
    ) -> Rule {
        Rule {
            id: id.into(),
            municipality_code: GM.into(),
            topic_code: topic.into(),
            agency,
            priority: prio,
            organisation_id: org.into(),
            target,
        }
    }

    fn req<'a>(
        topic: &'a str,
        parent: Option<&'a str>,
        agency: Option<Agency>,
    ) -> RouteRequest<'a> {
        RouteRequest {
            municipality_code: GM,
            topic,
            parent_topic: parent,
            agency,
        }
    }

    fn chain() -> Vec<Candidate> {
        vec![
            cand(
                "bieb-centrale",
                "bieb",
                None,
                &["digid", "bankzaken", "telefoon-tablet"],
                1.0,
            ),
            cand(
                "bieb-delfshaven",
                "bieb",
                None,
                &["digid", "bankzaken"],
                3.0,
            ),
            cand(
                "bieb-centrale",
                "bank",
                Some("bank-hour"),
                &["bankzaken"],
                1.0,
            ),
            cand("buurthuis", "buurtwerk", None, &["digid"], 0.5),
        ]
    }

    #[test]
    fn without_rules_a_partner_answering_its_own_topic_wins_over_the_library() {
        let p = propose(&req("bankzaken", Some("geld"), None), &[], &chain()).unwrap();
        assert_eq!(p.organisation_id, "bank");
        assert_eq!(p.consultation_hour_id.as_deref(), Some("bank-hour"));
        // For DigiD the nearest help point wins.
        let p = propose(&req("digid", Some("overheid"), None), &[], &chain()).unwrap();
        assert_eq!(p.help_point_id.as_deref(), Some("buurthuis"));
        assert!(p.rule_id.is_none());
        // Nobody offers housing.
        assert!(propose(&req("wonen", None, None), &[], &chain()).is_none());
    }

    #[test]
    fn rules_win_in_priority_order_and_skip_full_or_closed_points() {
        let rules = vec![
            rule(
                "r2",
                "digid",
                None,
                2,
                "bieb",
                RuleTarget::Organisation("bieb".into()),
            ),
            rule(
                "r1",
                "digid",
                None,
                1,
                "bieb",
                RuleTarget::HelpPoint("bieb-delfshaven".into()),
            ),
        ];
        let p = propose(&req("digid", None, None), &rules, &chain()).unwrap();
        assert_eq!(
            (p.help_point_id.as_deref(), p.rule_id.as_deref()),
            (Some("bieb-delfshaven"), Some("r1"))
        );
        let mut full = chain();
        full[1].full = true;
        let p = propose(&req("digid", None, None), &rules, &full).unwrap();
        assert_eq!(
            (p.help_point_id.as_deref(), p.rule_id.as_deref()),
            (Some("bieb-centrale"), Some("r2"))
        );
        let mut closed = full.clone();
        closed[0].status = HelpPointStatus::TemporarilyClosed;
        // Every library point unusable: fall back to the nearest point offering DigiD.
        let p = propose(&req("digid", None, None), &rules, &closed).unwrap();
        assert_eq!(p.help_point_id.as_deref(), Some("buurthuis"));
        assert!(p.rule_id.is_none());
    }

    #[test]
    fn agency_specific_and_exact_topic_rules_come_first() {
        let rules = vec![
            rule(
                "any",
                "geld",
                None,
                1,
                "bieb",
                RuleTarget::Organisation("bieb".into()),
            ),
            rule(
                "bank",
                "geld",
                Some(Agency::Bank),
                1,
                "bank",
                RuleTarget::ConsultationHour("bank-hour".into()),
            ),
            rule(
                "exact",
                "bankzaken",
                None,
                9,
                "bieb",
                RuleTarget::HelpPoint("bieb-delfshaven".into()),
            ),
        ];
        let p = propose(
            &req("bankzaken", Some("geld"), Some(Agency::Bank)),
            &rules,
            &chain(),
        )
        .unwrap();
        assert_eq!(p.rule_id.as_deref(), Some("exact"));
        let p = propose(
            &req("geldzaken-schulden", Some("geld"), Some(Agency::Bank)),
            &rules,
            &chain(),
        )
        .unwrap();
        assert_eq!(p.rule_id.as_deref(), Some("bank"));
        assert_eq!(p.organisation_id, "bank");
        let p = propose(
            &req("geldzaken-schulden", Some("geld"), Some(Agency::Uwv)),
            &rules,
            &chain(),
        )
        .unwrap();
        assert_eq!(p.rule_id.as_deref(), Some("any"));
        // Another municipality's rules never apply.
        let other = RouteRequest {
            municipality_code: "GM0606",
            ..req("bankzaken", Some("geld"), None)
        };
        assert!(propose(&other, &rules, &chain()).unwrap().rule_id.is_none());
    }

    #[test]
    fn an_organisation_without_places_takes_the_referral_directly() {
        let rules = vec![rule(
            "tel",
            "telefoon-tablet",
            None,
            1,
            "telecom",
            RuleTarget::Organisation("telecom".into()),
        )];
        let p = propose(
            &req("telefoon-tablet", Some("apparaten"), None),
            &rules,
            &chain(),
        )
        .unwrap();
        assert_eq!(p.organisation_id, "telecom");
        assert_eq!(p.help_point_id, None);
        assert_eq!(p.rule_id.as_deref(), Some("tel"));
    }
}
