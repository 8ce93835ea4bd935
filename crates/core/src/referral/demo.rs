//! The demo chain's routing rules and a few hundred referrals in every state, made from a seed.

use super::{Action, DeclineReason};
use crate::help_question::{Agency, Outcome};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A routing rule of the demo chain, by demo keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRule {
    pub municipality_code: &'static str,
    pub topic: &'static str,
    pub agency: Option<Agency>,
    pub priority: i64,
    pub organisation_key: &'static str,
    pub help_point_key: Option<&'static str>,
}

/// Rotterdam's agreements: banks and telecom answer their own customers, government questions go to the
/// Vraagwijzer, debts to social work, housing to the housing association; the library is second choice.
#[must_use]
pub fn demo_routing_rules() -> Vec<DemoRule> {
    let rule = |topic, agency, priority, organisation_key, help_point_key| DemoRule {
        municipality_code: "GM0599",
        topic,
        agency,
        priority,
        organisation_key,
        help_point_key,
    };
    vec![
        rule("bankzaken", Some(Agency::Bank), 1, "maasbank", None),
        rule("bankzaken", None, 2, "bibliotheek-rotterdam", None),
        rule(
            "telefoon-tablet",
            Some(Agency::Telecom),
            1,
            "havenstad-telecom",
            None,
        ),
        rule("apparaten", None, 2, "bibliotheek-rotterdam", None),
        rule(
            "overheid",
            None,
            1,
            "gemeente-rotterdam",
            Some("vraagwijzer-stadhuis"),
        ),
        rule("overheid", None, 2, "bibliotheek-rotterdam", None),
        rule(
            "uitkering-pensioen",
            Some(Agency::Svb),
            1,
            "svb-rotterdam",
            None,
        ),
        rule("geldzaken-schulden", None, 1, "welzijn-maasstad", None),
        rule("wonen", None, 1, "woonstichting-maashaven", None),
        rule("zorg", Some(Agency::Insurer), 1, "rijnmond-zorg", None),
    ]
}

/// One demo referral: who sends it, about what, and the steps it went through (hours after the previous one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReferral {
    pub sender_key: &'static str,
    pub topic: &'static str,
    pub agency: Option<Agency>,
    pub pc4: &'static str,
    pub name: String,
    pub phone: String,
    pub sender_sees_progress: bool,
    /// Seconds before "now" it was sent.
    pub sent_seconds_ago: i64,
    /// Each step with the hours since the step before; `Withdraw` is taken by the sender.
    pub steps: Vec<(Action, i64)>,
}

const SENDERS: &[&str] = &[
    "maasbank",
    "havenstad-telecom",
    "welzijn-maasstad",
    "woonstichting-maashaven",
    "buurtwerk-oude-noorden",
    "moskee-spangen",
    "bibliotheek-rotterdam",
    "gemeente-rotterdam",
];

const TOPICS: &[(&str, Option<Agency>)] = &[
    ("digid", Some(Agency::Logius)),
    ("belastingen-toeslagen", Some(Agency::Toeslagen)),
    ("bankzaken", Some(Agency::Bank)),
    ("telefoon-tablet", Some(Agency::Telecom)),
    ("geldzaken-schulden", None),
    ("uitkering-pensioen", Some(Agency::Svb)),
    ("zorg", Some(Agency::Insurer)),
    ("wonen", None),
    ("email-internet", None),
];

const PC4: &[&str] = &[
    "3011", "3012", "3021", "3022", "3024", "3025", "3026", "3027", "3031", "3032", "3061", "3071",
    "3072", "3073", "3074", "3081", "3082", "3083", "3191",
];

const FIRST: &[&str] = &[
    "Fatima", "Jan", "Ayse", "Kees", "Mohamed", "Ria", "Sanne", "Ahmed", "Wilma", "Priya", "Henk",
    "Naima",
];
const LAST: &[&str] = &[
    "de Vries",
    "Yilmaz",
    "Jansen",
    "El Amrani",
    "Bakker",
    "Pinas",
    "van Dijk",
    "Öztürk",
    "Visser",
    "Ramdin",
];

/// `count` referrals spread over the last 150 days, in every state; closed ones older than 90 days will be
/// purged after loading, as in production.
#[must_use]
pub fn demo_referrals(count: usize, seed: u64) -> Vec<DemoReferral> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let (topic, agency) = TOPICS[rng.random_range(0..TOPICS.len())];
        let recent = i % 10 < 3;
        // Open referrals are recent (some overdue); closed ones spread back in time.
        let days_ago: i64 = if recent {
            rng.random_range(0..6)
        } else {
            rng.random_range(6..150)
        };
        let kind = if recent {
            rng.random_range(0..3)
        } else {
            rng.random_range(3..100)
        };
        let mut h = || rng.random_range(1..30_i64);
        let steps: Vec<(Action, i64)> = match kind {
            0 => vec![],
            1 => vec![(Action::Open, h())],
            2 => vec![(Action::Open, h()), (Action::Accept, h())],
            3..=12 => vec![
                (Action::Open, h()),
                (
                    Action::Decline(DeclineReason::ALL[i % DeclineReason::ALL.len()]),
                    h(),
                ),
            ],
            13..=20 => vec![
                (Action::Open, h()),
                (Action::Accept, h()),
                (Action::ContactAttempt { reached: true }, h()),
            ],
            21..=28 => vec![
                (Action::Open, h()),
                (Action::Accept, h()),
                (Action::ContactAttempt { reached: false }, h()),
                (Action::ContactAttempt { reached: false }, h()),
                (Action::ContactAttempt { reached: false }, h()),
                (Action::MarkNotReached, h()),
            ],
            29..=34 => vec![
                (Action::Open, h()),
                (Action::Accept, h()),
                (Action::Withdraw, h()),
            ],
            _ => {
                let outcome = Outcome::ALL[i % Outcome::ALL.len()];
                let mut s = vec![(Action::Open, h()), (Action::Accept, h())];
                if i % 3 == 0 {
                    s.push((Action::ContactAttempt { reached: false }, h()));
                }
                s.push((Action::ContactAttempt { reached: true }, h()));
                s.push((Action::Complete(outcome), h()));
                s
            }
        };
        out.push(DemoReferral {
            sender_key: SENDERS[rng.random_range(0..SENDERS.len())],
            topic,
            agency,
            pc4: PC4[rng.random_range(0..PC4.len())],
            name: format!(
                "{} {}",
                FIRST[rng.random_range(0..FIRST.len())],
                LAST[rng.random_range(0..LAST.len())]
            ),
            phone: format!("06{:08}", rng.random_range(10_000_000..99_999_999_u32)),
            sender_sees_progress: rng.random_range(0..10) > 0,
            sent_seconds_ago: days_ago * 86_400 + rng.random_range(0..8 * 3600),
            steps,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::referral::{Lifecycle, Party, ReferralStatus, transition};

    #[test]
    fn every_state_is_reached_and_every_script_is_allowed() {
        let mut reached = std::collections::HashSet::new();
        for r in demo_referrals(400, 7) {
            let mut state = Lifecycle::new();
            for (action, hours) in &r.steps {
                assert!(*hours > 0);
                let party = if *action == Action::Withdraw {
                    Party::Sender
                } else {
                    Party::Receiver
                };
                state = transition(state, party, action, 3).unwrap().lifecycle;
            }
            reached.insert(state.status);
        }
        assert_eq!(reached.len(), ReferralStatus::ALL.len(), "{reached:?}");
        assert_eq!(
            demo_referrals(50, 7),
            demo_referrals(50, 7),
            "same seed, same referrals"
        );
    }

    #[test]
    fn rules_use_known_topics() {
        for rule in demo_routing_rules() {
            assert!(
                crate::help_question::DEFAULT_TOPICS
                    .iter()
                    .any(|t| t.code == rule.topic),
                "{}",
                rule.topic
            );
        }
    }
}
