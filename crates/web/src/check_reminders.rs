//! E-mail reminders to check help points that no person has checked for half a year, at most one per point per 30 days.

use crate::AppState;
use crate::error::AppError;
use askama::Template;
use keten_core::directory::{CHECK_REMINDER_DAYS, CHECK_REMINDER_REPEAT_DAYS};
use keten_store::check_reminders::DueCheck;

pub struct PointLine {
    pub name: String,
    pub postcode: String,
    pub city: String,
    pub checked: String,
}

/// The mail body (plain text, Dutch): the points to check and where to sign in; no personal data.
#[derive(Template)]
#[template(path = "mail/check_reminder.txt")]
struct ReminderMail {
    points: Vec<PointLine>,
    months: i64,
    repeat_days: i64,
    link: String,
}

/// "dinsdag 2 september 2025", in the Netherlands' and Belgium's shared zone.
fn checked_text(last_checked_at: Option<i64>) -> String {
    last_checked_at
        .and_then(keten_core::opening_hours::day_with_year_nl)
        .unwrap_or_else(|| "nooit".to_owned())
}

/// Runs from the hourly task: mails the coordinators of each organisation (its staff when it has no coordinator)
/// one list of its help points that are due for a check. Returns the number of mails.
pub async fn send_check_reminders(state: &AppState) -> Result<usize, AppError> {
    let now = state.now();
    let due = state
        .store
        .take_due_check_reminders(
            now,
            now - CHECK_REMINDER_DAYS * 86_400,
            now - CHECK_REMINDER_REPEAT_DAYS * 86_400,
        )
        .await?;
    let mut sent = 0;
    // Sorted by organisation: one mail per organisation and recipient.
    for group in due.chunk_by(|a, b| a.organisation_id == b.organisation_id) {
        let Some(first) = group.first() else {
            continue;
        };
        let mail = ReminderMail {
            points: group
                .iter()
                .map(|p: &DueCheck| PointLine {
                    name: p.name.clone(),
                    postcode: p.postcode.clone(),
                    city: p.city.clone(),
                    checked: checked_text(p.last_checked_at),
                })
                .collect(),
            months: CHECK_REMINDER_DAYS / 30,
            repeat_days: CHECK_REMINDER_REPEAT_DAYS,
            link: format!(
                "{}/aanmelden?next=/beheer/hulppunten",
                state.mailer.public_url
            ),
        };
        let body = mail
            .render()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let subject = if group.len() == 1 {
            "Controleer uw hulppunt"
        } else {
            "Controleer uw hulppunten"
        };
        for email in state
            .store
            .check_reminder_recipients(&first.organisation_id)
            .await?
        {
            state.mailer.send(&email, subject, body.clone()).await;
            sent += 1;
        }
    }
    Ok(sent)
}
