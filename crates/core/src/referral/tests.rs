//! Exhaustive tests of the lifecycle: every status x every action x every party, and the input checks.

use super::*;
use ReferralStatus as S;

const N: u32 = DEFAULT_NOT_REACHED_AFTER;

/// The whole allowed table, written out independently of `transition`: (from, action code, to).
fn expected(from: S, action: &Action, attempts: u32) -> Option<S> {
    let code = action.code();
    let to = match (from, code) {
        (S::Sent, "open") => S::Received,
        (S::Sent | S::Received, "accept") => S::Accepted,
        (S::Sent | S::Received | S::Accepted, "decline") => S::Declined,
        (S::Accepted, "contact_attempt") => {
            if *action == (Action::ContactAttempt { reached: true }) {
                S::Contacted
            } else {
                S::Accepted
            }
        }
        (S::Contacted, "contact_attempt") => S::Contacted,
        (S::Accepted, "mark_not_reached") if attempts >= N => S::NotReached,
        (S::Contacted, "complete") => S::Completed,
        (S::Sent | S::Received | S::Accepted | S::Declined | S::Contacted, "withdraw") => {
            S::Withdrawn
        }
        (S::Declined, "reroute") => S::Sent,
        _ => return None,
    };
    Some(to)
}

#[test]
fn every_status_action_and_party_is_allowed_or_refused_as_the_table_says() {
    let mut allowed = 0;
    let mut refused = 0;
    for from in S::ALL {
        for attempts in [0, N - 1, N, N + 5] {
            let state = Lifecycle {
                status: *from,
                failed_attempts: attempts,
            };
            for action in Action::examples() {
                for party in Party::ALL {
                    let result = transition(state, *party, &action, N);
                    let party_ok = action.allowed_parties().contains(party);
                    match (expected(*from, &action, attempts), party_ok) {
                        (Some(to), true) => {
                            let t = result.unwrap_or_else(|e| {
                                panic!("{from} {action:?} {party:?} {attempts}: {e}")
                            });
                            assert_eq!(t.to, to);
                            assert_eq!(t.lifecycle.status, to);
                            assert_eq!(t.from, *from);
                            assert_eq!(t.erase_contact, action == Action::Withdraw);
                            allowed += 1;
                        }
                        (Some(_), false) => {
                            assert!(
                                matches!(result, Err(TransitionError::WrongParty { .. })),
                                "{from} {action:?} {party:?}: {result:?}"
                            );
                            refused += 1;
                        }
                        (None, _) => {
                            let err = result.expect_err("forbidden step must be refused");
                            // A clear Dutch message, never an empty one.
                            assert!(!err.to_string().is_empty());
                            if *from == S::Accepted
                                && action == Action::MarkNotReached
                                && attempts < N
                            {
                                assert_eq!(
                                    err,
                                    TransitionError::NotEnoughAttempts {
                                        made: attempts,
                                        needed: N
                                    }
                                );
                            } else {
                                assert!(
                                    matches!(err, TransitionError::NotAllowed { from: f, .. } if f == *from),
                                    "{from} {action:?}: {err:?}"
                                );
                            }
                            refused += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(
        allowed > 50 && refused > 500,
        "{allowed} allowed, {refused} refused"
    );
}

#[test]
fn closed_referrals_accept_nothing_but_a_reroute_after_a_decline() {
    for status in [S::Completed, S::NotReached, S::Withdrawn] {
        let state = Lifecycle {
            status,
            failed_attempts: 9,
        };
        for party in Party::ALL {
            assert!(available_actions(state, *party, N).is_empty(), "{status}");
        }
    }
    let declined = Lifecycle {
        status: S::Declined,
        failed_attempts: 2,
    };
    assert_eq!(
        available_actions(declined, Party::Sender, N),
        vec![Action::Withdraw, Action::Reroute]
    );
    let rerouted = transition(declined, Party::Sender, &Action::Reroute, N).unwrap();
    assert_eq!(rerouted.lifecycle, Lifecycle::new(), "attempts start again");
}

#[test]
fn attempts_count_up_to_not_reached() {
    let mut state = transition(Lifecycle::new(), Party::Receiver, &Action::Accept, N)
        .unwrap()
        .lifecycle;
    for made in 0..N {
        let err = transition(state, Party::Receiver, &Action::MarkNotReached, N).unwrap_err();
        assert_eq!(err, TransitionError::NotEnoughAttempts { made, needed: N });
        assert!(err.to_string().contains("Probeer eerst 3 keer"));
        state = transition(
            state,
            Party::Receiver,
            &Action::ContactAttempt { reached: false },
            N,
        )
        .unwrap()
        .lifecycle;
    }
    assert_eq!(state.failed_attempts, N);
    let t = transition(state, Party::Receiver, &Action::MarkNotReached, N).unwrap();
    assert_eq!(t.to, S::NotReached);
    assert!(t.to.is_closed());
}

#[test]
fn messages_name_the_status_and_the_party() {
    let done = Lifecycle {
        status: S::Completed,
        failed_attempts: 0,
    };
    let e = transition(done, Party::Receiver, &Action::Accept, N).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Dit kan niet: de doorverwijzing is afgerond, en 'Aangenomen' kan dan niet."
    );
    let e = transition(Lifecycle::new(), Party::Sender, &Action::Accept, N).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Alleen de ontvangende organisatie mag 'Aangenomen' doen."
    );
    let withdraw = transition(done, Party::Sender, &Action::Withdraw, N).unwrap_err();
    assert_eq!(
        withdraw.without_status().to_string(),
        "Dit kan nu niet bij deze doorverwijzing ('Toestemming ingetrokken')."
    );
}

#[test]
fn a_sender_without_progress_consent_sees_only_a_decline() {
    for status in S::ALL {
        assert!(status.shown_to_sender(true));
        assert_eq!(
            status.shown_to_sender(false),
            *status == S::Declined,
            "{status}"
        );
    }
}

fn valid_input() -> ReferralInput {
    ReferralInput {
        topics: vec!["bankzaken".into()],
        agency: Some("bank".into()),
        reason: "Kan niet inloggen in de bankapp".into(),
        resident_name: "Fatima de Vries".into(),
        phone: Some("06-1234 5678".into()),
        email: None,
        preferred_moment: Some("morning".into()),
        pc4: "3011".into(),
        consent_given: true,
        consent_method: Some("spoken".into()),
        consent_text_version: Some(CONSENT_TEXT_VERSION.into()),
        sender_sees_progress: true,
    }
}

#[test]
fn a_valid_referral_parses() {
    let d = valid_input().parse().unwrap();
    assert_eq!(
        d.contact.channel,
        ContactChannel::Phone("0612345678".into())
    );
    assert_eq!(d.consent.method, ConsentMethod::Spoken);
    assert_eq!(d.consent.text_version, CONSENT_TEXT_VERSION);
    assert_eq!(d.agency, Some(Agency::Bank));
    assert_eq!(d.contact.preferred_moment, PreferredMoment::Morning);
}

#[test]
fn without_consent_nothing_is_sent() {
    let input = ReferralInput {
        consent_given: false,
        ..valid_input()
    };
    let errors = input.parse().unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "consent");
    assert!(errors[0].message.contains("hulpzoeker"));
    let no_method = ReferralInput {
        consent_method: None,
        ..valid_input()
    };
    assert_eq!(no_method.parse().unwrap_err()[0].field, "consent_method");
    let old_text = ReferralInput {
        consent_text_version: Some("2020-1".into()),
        ..valid_input()
    };
    assert_eq!(
        old_text.parse().unwrap_err()[0].field,
        "consent_text_version"
    );
}

#[test]
fn exactly_one_contact_channel_and_every_problem_at_once() {
    let both = ReferralInput {
        email: Some("f@example.nl".into()),
        ..valid_input()
    };
    assert_eq!(both.parse().unwrap_err()[0].field, "contact");
    let email_only = ReferralInput {
        phone: None,
        email: Some("f@example.nl".into()),
        ..valid_input()
    };
    assert!(matches!(
        email_only.parse().unwrap().contact.channel,
        ContactChannel::Email(_)
    ));
    let bad = ReferralInput {
        topics: vec![" ".into()],
        resident_name: String::new(),
        phone: Some("12".into()),
        pc4: "301".into(),
        reason: "x".repeat(MAX_REASON_CHARS + 1),
        ..valid_input()
    };
    let fields: Vec<_> = bad.parse().unwrap_err().iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        vec!["topics", "reason", "resident_name", "phone", "pc4"]
    );
}

#[test]
fn consent_text_names_both_organisations() {
    let text = consent_text("Maasbank", "Bibliotheek Rotterdam");
    assert!(text.starts_with("Ik geef toestemming dat Maasbank"));
    assert!(text.contains("aan Bibliotheek Rotterdam."));
    assert!(!text.contains('{'));
}
