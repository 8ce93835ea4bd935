//! Device loans: the deposit, due date, reminder and refund of a device handed out on loan (rules in `keten_core::device`).
//!
//! A loan is written in the same transaction as the hand-out (one per device round) and closed in the same
//! transaction as the return, with the refund the bank's terms give. Only the bank's staff see loans; no
//! resident's data is kept here.

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::{Actor, Store, new_id};
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::device::LoanTerms;
use keten_core::opening_hours::Region;

/// What the bank types at hand-out: the deposit and how long the loan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanInput {
    /// Euro cents; 0 for a loan without deposit.
    pub deposit_cents: i64,
    pub months: u32,
}

/// A device on loan (or back from it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    pub id: String,
    pub device_id: String,
    pub round: i64,
    pub request_id: Option<String>,
    pub deposit_cents: i64,
    pub months: i64,
    pub remind_days_before: i64,
    pub refund_late_returns: bool,
    pub lent_on: String,
    pub due_on: String,
    pub reminded_at: Option<i64>,
    pub returned_on: Option<String>,
    /// Set on return: the deposit paid back (0 for a late return when the bank does not refund those).
    pub refund_cents: Option<i64>,
}

impl Loan {
    /// The terms this loan was made on.
    #[must_use]
    pub fn terms(&self) -> LoanTerms {
        LoanTerms {
            deposit_cents: self.deposit_cents,
            months: u32::try_from(self.months).unwrap_or(0),
            remind_days_before: u32::try_from(self.remind_days_before).unwrap_or(0),
            refund_late_returns: self.refund_late_returns,
        }
    }

    /// Whether the bank should remind the resident on `today` (not returned, from the reminder day on).
    #[must_use]
    pub fn reminder_due(&self, today: Date) -> bool {
        self.returned_on.is_none()
            && self.due_on.parse::<Date>().is_ok_and(|due| {
                // The mail (`reminded_at`) goes once; the bank's list keeps the loan until it is back.
                self.terms().reminder_due(due, today, false)
            })
    }
}

/// A loan due for a reminder, with what the bank needs to find the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanReminder {
    pub loan: Loan,
    pub device_number: i64,
    pub make_model: String,
    pub kind: String,
}

#[derive(sqlx::FromRow)]
struct LoanRow {
    id: String,
    device_id: String,
    round: i64,
    request_id: Option<String>,
    deposit_cents: i64,
    months: i64,
    remind_days_before: i64,
    refund_late_returns: i64,
    lent_on: String,
    due_on: String,
    reminded_at: Option<i64>,
    returned_on: Option<String>,
    refund_cents: Option<i64>,
}

impl From<LoanRow> for Loan {
    fn from(r: LoanRow) -> Self {
        Self {
            id: r.id,
            device_id: r.device_id,
            round: r.round,
            request_id: r.request_id,
            deposit_cents: r.deposit_cents,
            months: r.months,
            remind_days_before: r.remind_days_before,
            refund_late_returns: r.refund_late_returns != 0,
            lent_on: r.lent_on,
            due_on: r.due_on,
            reminded_at: r.reminded_at,
            returned_on: r.returned_on,
            refund_cents: r.refund_cents,
        }
    }
}

const LOAN_COLUMNS: &str = "l.id, l.device_id, l.round, l.request_id, l.deposit_cents, l.months, \
     l.remind_days_before, l.refund_late_returns, l.lent_on, l.due_on, l.reminded_at, l.returned_on, l.refund_cents";

/// The calendar day in Dutch time of a unix moment (loans run in calendar days).
pub(crate) fn day_of(now: i64) -> Date {
    jiff::Timestamp::from_second(now)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(Region::Nl.time_zone().clone())
        .date()
}

/// Checks the typed loan against the core rules; the reminder and late-return terms come from the bank.
pub(crate) fn loan_terms(
    input: &LoanInput,
    remind_days_before: i64,
    refund_late_returns: bool,
) -> Result<LoanTerms> {
    let terms = LoanTerms {
        deposit_cents: input.deposit_cents,
        months: input.months,
        remind_days_before: u32::try_from(remind_days_before).unwrap_or(14),
        refund_late_returns,
    };
    terms.check().map_err(StoreError::Invalid)?;
    Ok(terms)
}

/// Records the loan of a device handed out in `round`, in the hand-out's transaction.
pub(crate) async fn open_loan(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    device_id: &str,
    round: i64,
    request_id: Option<&str>,
    bank_organisation_id: &str,
    input: &LoanInput,
    now: i64,
) -> Result<()> {
    let settings: Option<(i64, i64)> = sqlx::query_as(
        "SELECT loan_remind_days, refund_late_returns FROM device_bank_settings WHERE organisation_id = $1 \
         ORDER BY municipality_code LIMIT 1",
    )
    .bind(bank_organisation_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (remind, refund_late) = settings.unwrap_or((14, 0));
    let terms = loan_terms(input, remind, refund_late != 0)?;
    let lent_on = day_of(now);
    let due_on = terms
        .due_on(lent_on)
        .map_err(|e| StoreError::Invalid(vec![e]))?;
    sqlx::query(
        "INSERT INTO device_loans (id, device_id, round, request_id, bank_organisation_id, deposit_cents, months, \
         remind_days_before, refund_late_returns, lent_on, due_on, reminded_at, returned_on, refund_cents, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, $12)",
    )
    .bind(new_id())
    .bind(device_id)
    .bind(round)
    .bind(request_id)
    .bind(bank_organisation_id)
    .bind(terms.deposit_cents)
    .bind(i64::from(terms.months))
    .bind(i64::from(terms.remind_days_before))
    .bind(i64::from(terms.refund_late_returns))
    .bind(lent_on.to_string())
    .bind(due_on.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes the open loan of a device that came back (if it was lent), with the refund its terms give.
pub(crate) async fn close_loan(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    device_id: &str,
    round: i64,
    now: i64,
) -> Result<()> {
    let mut sql = Sql::new("SELECT ");
    sql.push(LOAN_COLUMNS);
    sql.push(" FROM device_loans l WHERE l.device_id = ")
        .bind(device_id.to_owned());
    sql.push(" AND l.round = ").bind(round);
    sql.push(" AND l.returned_on IS NULL");
    let row: Option<LoanRow> = sql.query_as()?.fetch_optional(&mut **tx).await?;
    let Some(loan) = row.map(Loan::from) else {
        return Ok(());
    };
    let returned_on = day_of(now);
    let due_on: Date = loan
        .due_on
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("loan due day '{}'", loan.due_on)))?;
    let refund = loan.terms().refund_cents(due_on, returned_on);
    sqlx::query(
        "UPDATE device_loans SET returned_on = $1, refund_cents = $2 WHERE id = $3 AND returned_on IS NULL",
    )
    .bind(returned_on.to_string())
    .bind(refund)
    .bind(&loan.id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The loans of a device, oldest first (the bank's staff; the device filter already checked the tenant).
    pub async fn device_loans(&self, device_id: &str) -> Result<Vec<Loan>> {
        let mut sql = Sql::new("SELECT ");
        sql.push(LOAN_COLUMNS);
        sql.push(" FROM device_loans l WHERE l.device_id = ")
            .bind(device_id.to_owned());
        sql.push(" ORDER BY l.round");
        let rows: Vec<LoanRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Loan::from).collect())
    }

    /// The loan made for a request at hand-out, if any.
    pub async fn request_loan(&self, request_id: &str) -> Result<Option<Loan>> {
        let mut sql = Sql::new("SELECT ");
        sql.push(LOAN_COLUMNS);
        sql.push(" FROM device_loans l WHERE l.request_id = ")
            .bind(request_id.to_owned());
        let row: Option<LoanRow> = sql.query_as()?.fetch_optional(&self.pool).await?;
        Ok(row.map(Loan::from))
    }

    /// The open loans of the actor's device banks whose reminder is due on `today` (overdue ones included),
    /// by due date.
    pub async fn loan_reminders(&self, actor: &Actor, today: Date) -> Result<Vec<LoanReminder>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            loan: LoanRow,
            number: i64,
            make_model: String,
            kind: String,
        }
        let mut sql = Sql::new("SELECT ");
        sql.push(LOAN_COLUMNS);
        sql.push(
            ", d.number, b.make_model, d.kind FROM device_loans l JOIN devices d ON d.id = l.device_id \
             JOIN device_batches b ON b.id = d.batch_id WHERE l.returned_on IS NULL",
        );
        if !actor.is_admin() {
            let banks: Vec<String> = actor
                .memberships
                .iter()
                .filter(|m| crate::devices::BANK_ROLES.contains(&m.role))
                .map(|m| m.organisation_id.clone())
                .collect();
            sql.push(" AND l.bank_organisation_id IN ").bind_list(banks);
        }
        sql.push(" ORDER BY l.due_on, d.number");
        let rows: Vec<Row> = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| LoanReminder {
                loan: r.loan.into(),
                device_number: r.number,
                make_model: r.make_model,
                kind: r.kind,
            })
            .filter(|r| r.loan.reminder_due(today))
            .collect())
    }
}

/// A loan input with the fields' Dutch messages, for forms and the API: both or neither of deposit and months.
pub fn parse_loan_input(
    deposit_euro: Option<&str>,
    months: Option<&str>,
) -> std::result::Result<Option<LoanInput>, Vec<ValidationError>> {
    let deposit_euro = deposit_euro.map(str::trim).filter(|s| !s.is_empty());
    let months = months.map(str::trim).filter(|s| !s.is_empty());
    if deposit_euro.is_none() && months.is_none() {
        return Ok(None);
    }
    let mut errors = Vec::new();
    let deposit_cents = match deposit_euro.map(parse_euro) {
        Some(Some(c)) => c,
        Some(None) => {
            errors.push(ValidationError::new(
                "deposit",
                "Vul de borg in euro in, bijvoorbeeld 20 of 20,00.",
            ));
            0
        }
        None => 0,
    };
    let months = match months.map(str::parse::<u32>) {
        Some(Ok(m)) => m,
        _ => {
            errors.push(ValidationError::new(
                "months",
                "Vul de leentijd in hele maanden in, bijvoorbeeld 36.",
            ));
            0
        }
    };
    if errors.is_empty() {
        Ok(Some(LoanInput {
            deposit_cents,
            months,
        }))
    } else {
        Err(errors)
    }
}

/// "20", "20,00", "20.5" in euro to cents; `None` for anything else or a negative amount.
fn parse_euro(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('€').trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2 {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euro_amounts_become_cents() {
        assert_eq!(parse_euro("20"), Some(2000));
        assert_eq!(parse_euro("20,5"), Some(2050));
        assert_eq!(parse_euro("€ 7.25"), Some(725));
        assert_eq!(parse_euro("-3"), None);
        assert_eq!(parse_euro("1,234"), None);
    }

    #[test]
    fn a_loan_needs_both_a_deposit_and_months_or_neither() {
        assert_eq!(parse_loan_input(None, Some(" ")), Ok(None));
        assert_eq!(
            parse_loan_input(Some("20"), Some("36")),
            Ok(Some(LoanInput {
                deposit_cents: 2000,
                months: 36
            }))
        );
        assert!(parse_loan_input(Some("20"), None).is_err());
    }
}
