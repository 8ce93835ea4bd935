//! The hourly e-mail to participants about reports due soon or overdue: once per report, participant and kind.

use super::pages::dutch_date;
use crate::AppState;
use crate::error::AppError;
use askama::Template;

/// How many days before the due day the first reminder goes out (the manager's list uses the same default).
pub const REPORT_REMINDER_DAYS: i64 = super::accountability::DEFAULT_DAYS;

#[derive(Template)]
#[template(path = "mail/report_reminder.txt")]
struct ReportMail {
    overdue: bool,
    title: String,
    programme: String,
    due: String,
    organisation: String,
    link: String,
}

/// Runs from the hourly task: claims the reminders due today and mails the participant's steering members or
/// coordinators. Returns the number of mails.
pub async fn send_report_reminders(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let today = keten_core::steering::local_date(now);
    let due = state
        .store
        .take_report_reminders(today, REPORT_REMINDER_DAYS, now)
        .await?;
    let mut sent = 0;
    for d in due {
        let body = ReportMail {
            overdue: d.overdue,
            title: d.title.clone(),
            programme: d.programme_name.clone(),
            due: dutch_date(d.due_on),
            organisation: d.organisation_name.clone(),
            link: format!(
                "{}/aanmelden?next=/aanvragen/{}/verslagen",
                state.mailer.public_url, d.application_id
            ),
        }
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let subject = if d.overdue {
            "Uw verslag is te laat"
        } else {
            "Uw verslag moet binnenkort binnen zijn"
        };
        for email in state
            .store
            .report_reminder_recipients(&d.organisation_id)
            .await?
        {
            state.mailer.send(&email, subject, body.clone()).await;
            sent += 1;
        }
    }
    Ok(sent)
}
