//! Webhooks of referral events: who is told, what the message holds (never personal data) and when to retry.

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// An address on the public internet, which a webhook may reach. Refused: loopback, private, link-local, shared
/// (CGNAT, 100.64.0.0/10), benchmark (198.18.0.0/15), reserved (240.0.0.0/4), unspecified, broadcast and multicast
/// addresses; in IPv6 also unique-local (fc00::/7), link-local (fe80::/10) and the old site-local (fec0::/10), and
/// every IPv6 form that carries an IPv4 address (mapped, IPv4-compatible, NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
/// 6to4 2002::/16), judged by that IPv4 address, because a gateway may deliver them to it.
#[must_use]
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19)))
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = v6.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // IPv4-compatible ::a.b.c.d (deprecated, but some stacks still route it); :: and ::1 are judged below.
    if s[..6].iter().all(|x| *x == 0) && (s[6] != 0 || s[7] > 1) {
        return is_public_v4(embedded(s[6], s[7]));
    }
    // NAT64: the well-known prefix 64:ff9b::/96 and the local-use 64:ff9b:1::/48 end in the IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && (s[2..6].iter().all(|x| *x == 0) || s[2] == 1) {
        return is_public_v4(embedded(s[6], s[7]));
    }
    // 6to4: 2002:AABB:CCDD::/48 leads to AA.BB.CC.DD.
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    !(v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || s[0] & 0xfe00 == 0xfc00
        || s[0] & 0xffc0 == 0xfe80
        || s[0] & 0xffc0 == 0xfec0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_in_every_disguise_are_not_public() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "198.18.0.1",
            "198.19.255.254",
            "240.0.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "fec0::1",
            "fd00::1",
            "fe80::1",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(!is_public_address(ip), "{internal} should not be public");
        }
        for public in [
            "93.184.216.34",
            "198.20.0.1",
            "2606:2800:220:1::1",
            "64:ff9b::5db8:d822",
            "2002:5db8:d822::1",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public_address(ip), "{public} should be public");
        }
    }

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
