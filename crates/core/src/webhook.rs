//! Webhooks of referral events: who is told, what the message holds (never personal data) and when to retry.

use serde::Serialize;

/// A referral arrived at the organisation (sent or routed again to it).
pub const REFERRAL_RECEIVED: &str = "referral.received";
/// Something happened to a referral the organisation sent or received; `status` is where it stands now.
pub const REFERRAL_UPDATED: &str = "referral.updated";

/// The JSON body of one webhook message. Identifiers, codes and a time only: the resident's name, contact data,
/// reason, topics and postcode stay in keten, behind the sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookEvent {
    /// The event's id: the same on every retry, so a receiver can drop a message it already handled.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: &'static str,
    /// The organisation this message is for.
    pub organisation_id: String,
    pub referral_id: String,
    /// The referral's status after the event.
    pub status: String,
    /// The step taken (`send`, `open`, `accept`, `decline`, ..., `reroute`, `erase`).
    pub action: String,
    /// When it happened, RFC 3339 in UTC.
    pub occurred_at: String,
}

/// The referral as the event left it, and who took the step.
#[derive(Debug, Clone, Copy)]
pub struct EventFacts<'a> {
    pub action: &'a str,
    pub sender_organisation_id: &'a str,
    pub receiver_organisation_id: &'a str,
    /// The resident allowed the sender to follow progress.
    pub sender_sees_progress: bool,
    pub actor_organisation_id: Option<&'a str>,
}

/// Which organisations hear of an event, with the message type each gets. The receiver hears everything (a
/// new referral as [`REFERRAL_RECEIVED`]); the sender hears the steps only when the resident allowed it to follow
/// progress, when the sender took the step itself (as its timeline shows), or of a decline (the referral comes
/// back to it). One message per organisation,
/// also when it is both sender and receiver.
#[must_use]
pub fn recipients(facts: EventFacts<'_>) -> Vec<(String, &'static str)> {
    let arrives = matches!(facts.action, "send" | "reroute");
    let mut out = vec![(
        facts.receiver_organisation_id.to_owned(),
        if arrives {
            REFERRAL_RECEIVED
        } else {
            REFERRAL_UPDATED
        },
    )];
    let sender_acted = facts.actor_organisation_id == Some(facts.sender_organisation_id);
    let sender_told = match facts.action {
        // The sender knows it sent; telling it again would only echo.
        "send" => false,
        // A decline sends the referral back to the sender, which must route it elsewhere.
        "decline" => true,
        _ => facts.sender_sees_progress || sender_acted,
    };
    if sender_told && facts.sender_organisation_id != facts.receiver_organisation_id {
        out.push((facts.sender_organisation_id.to_owned(), REFERRAL_UPDATED));
    }
    out
}

/// Seconds to wait after the n-th failed attempt (1-based): 1 minute, 5 minutes, 30 minutes, 2 hours,
/// 12 hours; `None` after the sixth failure: the delivery has failed for good.
#[must_use]
pub fn retry_delay(failed_attempts: u32) -> Option<i64> {
    const DELAYS: [i64; 5] = [60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600];
    let index = usize::try_from(failed_attempts.checked_sub(1)?).ok()?;
    DELAYS.get(index).copied()
}

/// The most attempts one delivery gets.
pub const MAX_ATTEMPTS: u32 = 6;

/// The string that is signed: the timestamp header's value, a full stop, and the body exactly as sent.
/// Signing the time with the body stops a captured message from being replayed later.
#[must_use]
pub fn signed_payload(timestamp: i64, body: &str) -> String {
    format!("{timestamp}.{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(action: &'static str, sees: bool, actor: Option<&'static str>) -> EventFacts<'static> {
        EventFacts {
            action,
            sender_organisation_id: "bank",
            receiver_organisation_id: "library",
            sender_sees_progress: sees,
            actor_organisation_id: actor,
        }
    }

    #[test]
    fn a_new_referral_goes_to_the_receiver_only() {
        assert_eq!(
            recipients(facts("send", true, Some("bank"))),
            vec![("library".to_owned(), REFERRAL_RECEIVED)]
        );
    }

    #[test]
    fn the_sender_hears_steps_only_when_allowed_or_its_own() {
        assert_eq!(
            recipients(facts("accept", true, Some("library"))),
            vec![
                ("library".to_owned(), REFERRAL_UPDATED),
                ("bank".to_owned(), REFERRAL_UPDATED)
            ]
        );
        assert_eq!(
            recipients(facts("accept", false, Some("library"))),
            vec![("library".to_owned(), REFERRAL_UPDATED)]
        );
        assert_eq!(recipients(facts("withdraw", false, Some("bank"))).len(), 2);
        assert_eq!(
            recipients(facts("reroute", false, Some("bank"))),
            vec![
                ("library".to_owned(), REFERRAL_RECEIVED),
                ("bank".to_owned(), REFERRAL_UPDATED)
            ]
        );
    }

    #[test]
    fn a_decline_comes_back_to_the_sender_even_without_following_progress() {
        assert_eq!(
            recipients(facts("decline", false, Some("library"))),
            vec![
                ("library".to_owned(), REFERRAL_UPDATED),
                ("bank".to_owned(), REFERRAL_UPDATED)
            ]
        );
        assert_eq!(
            recipients(facts("complete", false, Some("library"))).len(),
            1
        );
    }

    #[test]
    fn one_message_when_sender_and_receiver_are_one() {
        let own = EventFacts {
            sender_organisation_id: "library",
            ..facts("accept", true, Some("library"))
        };
        assert_eq!(recipients(own).len(), 1);
    }

    #[test]
    fn back_off_grows_then_gives_up() {
        let delays: Vec<Option<i64>> = (0..=MAX_ATTEMPTS).map(retry_delay).collect();
        assert_eq!(
            delays,
            vec![
                None,
                Some(60),
                Some(300),
                Some(1800),
                Some(7200),
                Some(43_200),
                None
            ]
        );
    }

    #[test]
    fn the_time_is_part_of_what_is_signed() {
        assert_eq!(signed_payload(1_700_000_000, "{}"), "1700000000.{}");
    }
}
