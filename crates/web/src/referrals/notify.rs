//! Referral e-mail: new, overdue and closed referrals, and the daily or weekly digest. Bodies hold no
//! personal data, only a link to sign in; the texts are the templates in `templates/mail`.

use crate::AppState;
use crate::error::AppError;
use crate::mail::render;
use askama::Template;
use keten_core::referral::{DigestChoice, ReferralStatus};

#[derive(Template)]
#[template(path = "mail/new_referral.txt")]
struct NewReferralMail<'a> {
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/closed_referral.txt")]
struct ClosedReferralMail<'a> {
    link: &'a str,
    completed: bool,
}

#[derive(Template)]
#[template(path = "mail/overdue_referral.txt")]
struct OverdueReferralMail<'a> {
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct DigestMail<'a> {
    link: &'a str,
    weekly: bool,
    waiting: i64,
    overdue: i64,
    sent_waiting: i64,
    closed: i64,
}

/// Mails each member of the organisation who wants a mail per referral; returns how many were sent.
async fn tell_each(
    state: &AppState,
    organisation_id: &str,
    mail: &impl Template,
) -> Result<usize, AppError> {
    let Some((subject, body)) = render(mail) else {
        return Ok(0);
    };
    let mut sent = 0;
    for r in state.store.notification_recipients(organisation_id).await? {
        if r.digest == DigestChoice::Each {
            state.mailer.send(&r.email, &subject, body.clone()).await;
            sent += 1;
        }
    }
    Ok(sent)
}

fn referral_link(state: &AppState, id: &str) -> String {
    format!("{}/doorverwijzingen/{id}", state.mailer.public_url)
}

/// The receiving organisation hears of a new referral.
pub(crate) async fn new_referral(
    state: &AppState,
    id: &str,
    receiver: &str,
) -> Result<(), AppError> {
    let link = referral_link(state, id);
    tell_each(state, receiver, &NewReferralMail { link: &link }).await?;
    Ok(())
}

/// The sender hears that its referral was closed (completed or declined).
pub(crate) async fn closed_referral(
    state: &AppState,
    id: &str,
    sender: &str,
    status: ReferralStatus,
) -> Result<(), AppError> {
    let completed = match status {
        ReferralStatus::Completed => true,
        ReferralStatus::Declined => false,
        _ => return Ok(()),
    };
    let link = referral_link(state, id);
    tell_each(
        state,
        sender,
        &ClosedReferralMail {
            link: &link,
            completed,
        },
    )
    .await?;
    Ok(())
}

/// Runs from the scheduler: tells receivers once about referrals that became overdue, and sends the digests
/// that are due. Returns the number of mails.
pub async fn send_due_notifications(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let mut sent = 0;
    for (id, organisation) in state.store.take_new_overdue_referrals(now).await? {
        let link = referral_link(state, &id);
        sent += tell_each(state, &organisation, &OverdueReferralMail { link: &link }).await?;
    }
    let link = format!("{}/doorverwijzingen", state.mailer.public_url);
    for d in state.store.take_due_digests(now).await? {
        let mail = DigestMail {
            link: &link,
            weekly: d.recipient.digest == DigestChoice::Weekly,
            waiting: d.waiting,
            overdue: d.overdue,
            sent_waiting: d.sent_waiting,
            closed: d.closed,
        };
        if let Some((subject, body)) = render(&mail) {
            state.mailer.send(&d.recipient.email, &subject, body).await;
            sent += 1;
        }
    }
    Ok(sent)
}
