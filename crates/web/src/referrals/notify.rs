//! Referral e-mail: new, overdue and closed referrals, and the daily or weekly digest. Bodies hold no
//! personal data, only a link to sign in.

use crate::AppState;
use crate::error::AppError;
use keten_core::referral::{DigestChoice, ReferralStatus};

const FOOTER: &str = "\n\nIn deze e-mail staan bewust geen gegevens van de inwoner. U ziet ze na het inloggen.\n\
Wilt u minder e-mail? Kies op de pagina Doorverwijzingen voor 1 e-mail per dag of per week.\n";

async fn tell_each(
    state: &AppState,
    organisation_id: &str,
    subject: &str,
    body: &str,
) -> Result<(), AppError> {
    for r in state.store.notification_recipients(organisation_id).await? {
        if r.digest == DigestChoice::Each {
            state
                .mailer
                .send(&r.email, subject, format!("{body}{FOOTER}"))
                .await;
        }
    }
    Ok(())
}

/// The receiving organisation hears of a new referral.
pub(crate) async fn new_referral(
    state: &AppState,
    id: &str,
    receiver: &str,
) -> Result<(), AppError> {
    let link = format!("{}/doorverwijzingen/{id}", state.mailer.public_url);
    tell_each(
        state,
        receiver,
        "Nieuwe doorverwijzing",
        &format!("Goedendag,\n\nUw organisatie heeft een nieuwe doorverwijzing gekregen. Log in en neem hem aan:\n{link}"),
    )
    .await
}

/// The sender hears that its referral was closed (completed or declined).
pub(crate) async fn closed_referral(
    state: &AppState,
    id: &str,
    sender: &str,
    status: ReferralStatus,
) -> Result<(), AppError> {
    let link = format!("{}/doorverwijzingen/{id}", state.mailer.public_url);
    let (subject, what) = match status {
        ReferralStatus::Completed => ("Doorverwijzing afgerond", "is afgerond"),
        ReferralStatus::Declined => (
            "Doorverwijzing afgewezen",
            "is afgewezen. U kunt de inwoner naar een andere organisatie verwijzen",
        ),
        _ => return Ok(()),
    };
    tell_each(
        state,
        sender,
        subject,
        &format!("Goedendag,\n\nEen doorverwijzing van uw organisatie {what}. Log in om te zien hoe het ging:\n{link}"),
    )
    .await
}

/// Runs from the scheduler: tells receivers once about referrals that became overdue, and sends the digests
/// that are due. Returns the number of mails.
pub async fn send_due_notifications(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let mut sent = 0;
    for (id, organisation) in state.store.take_new_overdue_referrals(now).await? {
        let link = format!("{}/doorverwijzingen/{id}", state.mailer.public_url);
        for r in state.store.notification_recipients(&organisation).await? {
            if r.digest == DigestChoice::Each {
                state
                    .mailer
                    .send(
                        &r.email,
                        "Doorverwijzing wacht te lang",
                        format!("Goedendag,\n\nEen doorverwijzing voor uw organisatie is nog niet aangenomen en is nu te laat. Log in en neem hem aan of wijs hem af:\n{link}{FOOTER}"),
                    )
                    .await;
                sent += 1;
            }
        }
    }
    for d in state.store.take_due_digests(now).await? {
        let period = if d.recipient.digest == DigestChoice::Weekly {
            "deze week"
        } else {
            "vandaag"
        };
        let body = format!(
            "Goedendag,\n\nZo staan de doorverwijzingen van uw organisatie {period}:\n\
             - wachten op aannemen: {}\n- te laat: {}\n- afgesloten sinds de vorige e-mail: {}\n\n\
             Log in om ze te bekijken:\n{}/doorverwijzingen{FOOTER}",
            d.waiting, d.overdue, d.closed, state.mailer.public_url
        );
        state
            .mailer
            .send(&d.recipient.email, "Overzicht doorverwijzingen", body)
            .await;
        sent += 1;
    }
    Ok(sent)
}
