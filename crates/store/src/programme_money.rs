//! Money and accountability of programmes: grants within the budget and the cap, payments in instalments, reports with due dates and what participants submit, and keten's own figures beside a report.
//!
//! Tenant rules: grants and reports are set by the programme's managers (its organisation's programme managers
//! and admins); a grant, a report and a submission are seen by whoever may see the application (the applicant,
//! its dossier members, the programme's managers); everyone else gets NotFound.

use crate::error::{Result, StoreError};
use crate::programmes::{Application, Programme};
use crate::sql::Sql;
use crate::stats::{StatsScope, TOTALS, push_rollup};
use crate::{Actor, Store, new_id};
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::programme::{Amount, ApplicationStatus, EuroCents, ReportState, report_state};
use keten_core::steering::{DayRange, day_number};

/// A grant with its payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub programme_id: String,
    pub application_id: String,
    pub organisation_name: String,
    pub municipality_code: String,
    /// On the programme's footing (with or without VAT, as its cap).
    pub amount: Amount,
    pub paid: EuroCents,
    pub note: String,
    pub awarded_at: i64,
    pub payments: Vec<Payment>,
    /// Set when the grant was withdrawn: its amount went back to the budget, what was paid is to be reclaimed.
    pub withdrawn: Option<Withdrawal>,
}

/// Why and when a grant was withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub at: i64,
    pub reason: String,
}

impl Grant {
    /// What a withdrawn grant's participant must pay back: every instalment already paid.
    #[must_use]
    pub fn to_reclaim(&self) -> EuroCents {
        if self.withdrawn.is_some() {
            self.paid
        } else {
            EuroCents(0)
        }
    }
}

/// One instalment of a grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: String,
    pub paid_on: Date,
    pub amount: EuroCents,
}

/// A programme's money at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub budget: EuroCents,
    pub awarded: EuroCents,
    pub paid: EuroCents,
    pub left: EuroCents,
    /// Paid on grants withdrawn since: to be reclaimed.
    pub to_reclaim: EuroCents,
}

/// A report asked of the participants of a programme, or of one grant's participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: String,
    pub programme_id: String,
    pub grant_id: Option<String>,
    pub title: String,
    pub period_from: Date,
    pub period_until: Date,
    pub due_on: Date,
}

/// A report asked for, checked by the web layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub grant_id: Option<String>,
    pub title: String,
    pub period_from: Date,
    pub period_until: Date,
    pub due_on: Date,
}

/// What a participant submitted for a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub body: String,
    pub figures: String,
    pub submitted_on: Date,
    pub updated_at: i64,
}

/// One participant's side of a report: the state on the given day and the submission if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub report: Report,
    pub application_id: String,
    pub organisation_name: String,
    pub municipality_code: String,
    pub state: ReportState,
    pub submission: Option<Submission>,
}

/// A report reminder claimed for sending by the hourly job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReport {
    pub organisation_id: String,
    pub organisation_name: String,
    pub application_id: String,
    pub programme_name: String,
    pub title: String,
    pub due_on: Date,
    /// Past its due day (else due soon).
    pub overdue: bool,
}

/// keten's own figures for a municipality over a period (raw counts; the web layer hides cells under 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KetenFigures {
    pub questions: i64,
    pub referrals_sent: i64,
    pub referrals_completed: i64,
    pub help_points: i64,
    /// Partners' consultation hours at the chain's help points, as the directory lists them today.
    pub consultation_hours: i64,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: String,
    programme_id: String,
    application_id: String,
    organisation_name: String,
    municipality_code: String,
    amount_cents: i64,
    vat_included: i64,
    paid_cents: i64,
    note: String,
    awarded_at: i64,
    withdrawn_at: Option<i64>,
    withdrawn_reason: String,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: String,
    programme_id: String,
    grant_id: Option<String>,
    title: String,
    period_from: String,
    period_until: String,
    due_on: String,
}

const SELECT_GRANTS: &str = "SELECT g.id, g.programme_id, g.application_id, o.name AS organisation_name, \
     a.municipality_code, g.amount_cents, g.vat_included, g.paid_cents, g.note, g.awarded_at, \
     g.withdrawn_at, g.withdrawn_reason \
     FROM grants g JOIN applications a ON a.id = g.application_id \
     JOIN organisations o ON o.id = a.organisation_id WHERE 1 = 1";

const SELECT_REPORTS: &str = "SELECT id, programme_id, grant_id, title, period_from, period_until, due_on \
     FROM programme_reports WHERE 1 = 1";

fn date(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unreadable date '{s}'")))
}

fn refused(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

impl ReportRow {
    fn into_report(self) -> Result<Report> {
        Ok(Report {
            period_from: date(&self.period_from)?,
            period_until: date(&self.period_until)?,
            due_on: date(&self.due_on)?,
            id: self.id,
            programme_id: self.programme_id,
            grant_id: self.grant_id,
            title: self.title,
        })
    }
}

impl Store {
    /// The money of a managed programme: budget, awarded, paid and left.
    pub async fn programme_budget(&self, actor: &Actor, programme_id: &str) -> Result<Budget> {
        let p = self.managed_programme(actor, programme_id).await?;
        let (awarded, paid, to_reclaim): (i64, i64, i64) = sqlx::query_as(
            "SELECT p.awarded_cents, CAST(COALESCE((SELECT SUM(g.paid_cents) FROM grants g \
             WHERE g.programme_id = p.id), 0) AS BIGINT), CAST(COALESCE((SELECT SUM(g.paid_cents) FROM grants g \
             WHERE g.programme_id = p.id AND g.withdrawn_at IS NOT NULL), 0) AS BIGINT) \
             FROM programmes p WHERE p.id = $1",
        )
        .bind(programme_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Budget {
            budget: p.budget,
            awarded: EuroCents(awarded),
            paid: EuroCents(paid),
            left: EuroCents(p.budget.0 - awarded),
            to_reclaim: EuroCents(to_reclaim),
        })
    }

    /// Awards a grant to a selected application of a managed programme. `amount` is on the programme's footing
    /// (the web layer converted it); it must be above zero, within the cap per applicant and within the budget
    /// left. The budget check is one conditional UPDATE in the same transaction as the grant, so concurrent
    /// awards cannot overspend.
    pub async fn award_grant(
        &self,
        actor: &Actor,
        application_id: &str,
        amount: EuroCents,
        note: &str,
        now: i64,
    ) -> Result<Grant> {
        let a = self.application(actor, application_id).await?;
        let p = self.managed_programme(actor, &a.programme_id).await?;
        if a.status != ApplicationStatus::Selected {
            return Err(refused(
                "application_id",
                "Alleen een gekozen aanvraag krijgt een bijdrage.",
            ));
        }
        if amount.0 <= 0 {
            return Err(refused(
                "amount",
                "Vul een bedrag boven € 0 in. Wie meedoet zonder bijdrage, krijgt geen toekenning.",
            ));
        }
        if amount > p.cap.cents {
            return Err(refused(
                "amount",
                format!(
                    "{} is meer dan het maximum van {} per deelnemer.",
                    amount.display(),
                    p.cap.cents.display()
                ),
            ));
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(refused(
                "note",
                "Schrijf de toelichting in hooguit 2000 tekens.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let reserved = sqlx::query(
            "UPDATE programmes SET awarded_cents = awarded_cents + $1, updated_at = $2 \
             WHERE id = $3 AND awarded_cents + $1 <= budget_cents",
        )
        .bind(amount.0)
        .bind(now)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        if reserved.rows_affected() == 0 {
            drop(tx);
            let left = self.programme_budget(actor, &p.id).await?.left;
            return Err(refused(
                "amount",
                format!(
                    "Dit past niet in het budget: er is nog {} over en u kent {} toe. Kies een lager bedrag.",
                    left.display(),
                    amount.display()
                ),
            ));
        }
        let id = new_id();
        let inserted = sqlx::query(
            "INSERT INTO grants (id, programme_id, application_id, amount_cents, vat_included, paid_cents, note, \
             awarded_by, awarded_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&p.id)
        .bind(application_id)
        .bind(amount.0)
        .bind(i64::from(p.cap.vat_included))
        .bind(note)
        .bind(actor.user_id.clone())
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) => {
                return Err(match StoreError::from(e) {
                    StoreError::Conflict(_) => refused(
                        "application_id",
                        "Deze deelnemer heeft al een bijdrage. Pas die aan in plaats van een tweede toe te kennen.",
                    ),
                    other => other,
                });
            }
        }
        tx.commit().await?;
        self.grant(actor, &id).await
    }

    /// One grant with its payments, for whoever may see its application.
    pub async fn grant(&self, actor: &Actor, id: &str) -> Result<Grant> {
        let mut sql = Sql::new(SELECT_GRANTS);
        sql.push(" AND g.id = ").bind(id.to_owned());
        let row: GrantRow = sql.query_as()?.fetch_one(&self.pool).await?;
        self.application(actor, &row.application_id).await?;
        self.complete_grant(row).await
    }

    /// The grant of an application, if any, for whoever may see the application.
    pub async fn grant_of_application(
        &self,
        actor: &Actor,
        application_id: &str,
    ) -> Result<Option<Grant>> {
        self.application(actor, application_id).await?;
        let mut sql = Sql::new(SELECT_GRANTS);
        sql.push(" AND g.application_id = ")
            .bind(application_id.to_owned());
        let row: Option<GrantRow> = sql.query_as()?.fetch_optional(&self.pool).await?;
        match row {
            Some(row) => Ok(Some(self.complete_grant(row).await?)),
            None => Ok(None),
        }
    }

    /// The grants of a managed programme, by participant.
    pub async fn programme_grants(&self, actor: &Actor, programme_id: &str) -> Result<Vec<Grant>> {
        self.managed_programme(actor, programme_id).await?;
        let mut sql = Sql::new(SELECT_GRANTS);
        sql.push(" AND g.programme_id = ")
            .bind(programme_id.to_owned())
            .push(" ORDER BY o.name, g.id");
        let rows: Vec<GrantRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.complete_grant(row).await?);
        }
        Ok(out)
    }

    async fn complete_grant(&self, row: GrantRow) -> Result<Grant> {
        let payments: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT id, paid_on, amount_cents FROM grant_payments WHERE grant_id = $1 ORDER BY paid_on, created_at, id",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await?;
        let payments = payments
            .into_iter()
            .map(|(id, paid_on, cents)| {
                Ok(Payment {
                    id,
                    paid_on: date(&paid_on)?,
                    amount: EuroCents(cents),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Grant {
            id: row.id,
            programme_id: row.programme_id,
            application_id: row.application_id,
            organisation_name: row.organisation_name,
            municipality_code: row.municipality_code,
            amount: Amount {
                cents: EuroCents(row.amount_cents),
                vat_included: row.vat_included != 0,
            },
            paid: EuroCents(row.paid_cents),
            note: row.note,
            awarded_at: row.awarded_at,
            payments,
            withdrawn: row.withdrawn_at.map(|at| Withdrawal {
                at,
                reason: row.withdrawn_reason,
            }),
        })
    }

    /// Records an instalment of a grant of a managed programme: above zero and never more than what is still
    /// to be paid (a conditional UPDATE of the grant's running total, in the payment's transaction).
    pub async fn record_payment(
        &self,
        actor: &Actor,
        grant_id: &str,
        paid_on: Date,
        amount: EuroCents,
        now: i64,
    ) -> Result<Grant> {
        let g = self.grant(actor, grant_id).await?;
        self.managed_programme(actor, &g.programme_id).await?;
        if amount.0 <= 0 {
            return Err(refused("amount", "Vul een bedrag boven € 0 in."));
        }
        if g.withdrawn.is_some() {
            return Err(refused(
                "amount",
                "Deze bijdrage is ingetrokken: er wordt niets meer op betaald.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE grants SET paid_cents = paid_cents + $1 WHERE id = $2 AND paid_cents + $1 <= amount_cents \
             AND withdrawn_at IS NULL",
        )
        .bind(amount.0)
        .bind(grant_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            let g = self.grant(actor, grant_id).await?;
            return Err(refused(
                "amount",
                format!(
                    "Dit is meer dan nog open staat: van {} is {} betaald, er staat nog {} open.",
                    g.amount.cents.display(),
                    g.paid.display(),
                    EuroCents(g.amount.cents.0 - g.paid.0).display()
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO grant_payments (id, grant_id, paid_on, amount_cents, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(grant_id)
        .bind(paid_on.to_string())
        .bind(amount.0)
        .bind(actor.user_id.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.grant(actor, grant_id).await
    }

    /// Changes the amount of a standing grant of a managed programme: above zero, within the cap per applicant,
    /// not below what was paid, and within the budget. Race-safe as the award is: the difference is added by one
    /// conditional UPDATE of `programmes.awarded_cents`, and the grant changes only if its amount is still the one
    /// read (compare-and-set), both in one transaction.
    pub async fn change_grant_amount(
        &self,
        actor: &Actor,
        grant_id: &str,
        amount: EuroCents,
        now: i64,
    ) -> Result<Grant> {
        let g = self.grant(actor, grant_id).await?;
        let p = self.managed_programme(actor, &g.programme_id).await?;
        if g.withdrawn.is_some() {
            return Err(refused(
                "amount",
                "Deze bijdrage is ingetrokken en kan niet meer worden aangepast.",
            ));
        }
        if amount.0 <= 0 {
            return Err(refused(
                "amount",
                "Vul een bedrag boven € 0 in. Wilt u de bijdrage stoppen? Trek haar dan in met een reden.",
            ));
        }
        if amount > p.cap.cents {
            return Err(refused(
                "amount",
                format!(
                    "{} is meer dan het maximum van {} per deelnemer.",
                    amount.display(),
                    p.cap.cents.display()
                ),
            ));
        }
        if amount < g.paid {
            return Err(refused(
                "amount",
                format!(
                    "Er is al {} betaald. Het bedrag kan niet lager zijn dan dat.",
                    g.paid.display()
                ),
            ));
        }
        let delta = amount.0 - g.amount.cents.0;
        let mut tx = self.pool.begin().await?;
        let reserved = sqlx::query(
            "UPDATE programmes SET awarded_cents = awarded_cents + $1, updated_at = $2 \
             WHERE id = $3 AND awarded_cents + $1 <= budget_cents",
        )
        .bind(delta)
        .bind(now)
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        if reserved.rows_affected() == 0 {
            drop(tx);
            let left = self.programme_budget(actor, &p.id).await?.left;
            return Err(refused(
                "amount",
                format!(
                    "Dit past niet in het budget: er is nog {} over, de verhoging is {}. Kies een lager bedrag.",
                    left.display(),
                    EuroCents(delta).display()
                ),
            ));
        }
        let changed = sqlx::query(
            "UPDATE grants SET amount_cents = $1 WHERE id = $2 AND amount_cents = $3 AND withdrawn_at IS NULL \
             AND paid_cents <= $1",
        )
        .bind(amount.0)
        .bind(grant_id)
        .bind(g.amount.cents.0)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            drop(tx);
            return Err(refused(
                "amount",
                "Iemand anders heeft deze bijdrage net gewijzigd. Bekijk het nieuwe bedrag en probeer het opnieuw.",
            ));
        }
        tx.commit().await?;
        self.grant(actor, grant_id).await
    }

    /// Withdraws a standing grant of a managed programme with a recorded reason: its whole amount returns to the
    /// budget; the instalments paid stay recorded and are to be reclaimed. One transaction; the grant changes
    /// only if it still stands with the amount read.
    pub async fn withdraw_grant(
        &self,
        actor: &Actor,
        grant_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<Grant> {
        let g = self.grant(actor, grant_id).await?;
        self.managed_programme(actor, &g.programme_id).await?;
        if g.withdrawn.is_some() {
            return Err(refused("reason", "Deze bijdrage is al ingetrokken."));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(refused(
                "reason",
                "Schrijf op waarom u de bijdrage intrekt, in hooguit 2000 tekens.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE grants SET withdrawn_at = $1, withdrawn_reason = $2, withdrawn_by = $3 \
             WHERE id = $4 AND withdrawn_at IS NULL AND amount_cents = $5",
        )
        .bind(now)
        .bind(reason)
        .bind(actor.user_id.clone())
        .bind(grant_id)
        .bind(g.amount.cents.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            return Err(refused(
                "reason",
                "Iemand anders heeft deze bijdrage net gewijzigd of ingetrokken. Bekijk haar opnieuw.",
            ));
        }
        sqlx::query(
            "UPDATE programmes SET awarded_cents = awarded_cents - $1, updated_at = $2 WHERE id = $3",
        )
        .bind(g.amount.cents.0)
        .bind(now)
        .bind(&g.programme_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.grant(actor, grant_id).await
    }

    /// Asks a report of a managed programme's participants (or of one of its grants).
    pub async fn create_report(
        &self,
        actor: &Actor,
        programme_id: &str,
        report: &NewReport,
        now: i64,
    ) -> Result<Report> {
        self.managed_programme(actor, programme_id).await?;
        if let Some(g) = &report.grant_id {
            let grant = self.grant(actor, g).await?;
            if grant.programme_id != programme_id {
                return Err(StoreError::NotFound);
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO programme_reports (id, programme_id, grant_id, title, period_from, period_until, due_on, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(report.grant_id.clone())
        .bind(&report.title)
        .bind(report.period_from.to_string())
        .bind(report.period_until.to_string())
        .bind(report.due_on.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        let mut sql = Sql::new(SELECT_REPORTS);
        sql.push(" AND id = ").bind(id);
        let row: ReportRow = sql.query_as()?.fetch_one(&self.pool).await?;
        row.into_report()
    }

    /// Every report line of a managed programme on `today`: each report times each of its participants.
    pub async fn programme_report_lines(
        &self,
        actor: &Actor,
        programme_id: &str,
        today: Date,
    ) -> Result<Vec<ReportLine>> {
        self.managed_programme(actor, programme_id).await?;
        let participants = self.participants(programme_id).await?;
        self.report_lines(programme_id, &participants, today).await
    }

    /// The report lines of one application (selected participants only) on `today`, for whoever may see it.
    pub async fn application_report_lines(
        &self,
        actor: &Actor,
        application_id: &str,
        today: Date,
    ) -> Result<Vec<ReportLine>> {
        let a = self.application(actor, application_id).await?;
        if a.status != ApplicationStatus::Selected {
            return Ok(Vec::new());
        }
        let programme_id = a.programme_id.clone();
        self.report_lines(&programme_id, &[a], today).await
    }

    /// The programme's selected participants (no tenant check: callers checked).
    async fn participants(&self, programme_id: &str) -> Result<Vec<Application>> {
        self.applications_of(
            programme_id,
            &crate::programmes::ApplicationFilter {
                status: Some(ApplicationStatus::Selected),
                province: None,
            },
        )
        .await
    }

    async fn report_lines(
        &self,
        programme_id: &str,
        participants: &[Application],
        today: Date,
    ) -> Result<Vec<ReportLine>> {
        let mut sql = Sql::new(SELECT_REPORTS);
        sql.push(" AND programme_id = ")
            .bind(programme_id.to_owned())
            .push(" ORDER BY due_on, title, id");
        let rows: Vec<ReportRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let grants: Vec<(String, String)> =
            sqlx::query_as("SELECT id, application_id FROM grants WHERE programme_id = $1")
                .bind(programme_id)
                .fetch_all(&self.pool)
                .await?;
        let submissions: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT s.report_id, s.application_id, s.body, s.figures, s.submitted_on, s.updated_at \
             FROM report_submissions s JOIN programme_reports r ON r.id = s.report_id WHERE r.programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let report = row.into_report()?;
            for a in participants {
                let concerns = match &report.grant_id {
                    None => true,
                    Some(g) => grants.iter().any(|(id, app)| id == g && *app == a.id),
                };
                if !concerns {
                    continue;
                }
                let submission = submissions
                    .iter()
                    .find(|s| s.0 == report.id && s.1 == a.id)
                    .map(|s| {
                        Ok::<_, StoreError>(Submission {
                            body: s.2.clone(),
                            figures: s.3.clone(),
                            submitted_on: date(&s.4)?,
                            updated_at: s.5,
                        })
                    })
                    .transpose()?;
                out.push(ReportLine {
                    state: report_state(
                        report.due_on,
                        submission.as_ref().map(|s| s.submitted_on),
                        today,
                    ),
                    report: report.clone(),
                    application_id: a.id.clone(),
                    organisation_name: a.organisation_name.clone(),
                    municipality_code: a.municipality_code.clone(),
                    submission,
                });
            }
        }
        Ok(out)
    }

    /// A participant submits (or corrects) its report. Only members of the applying organisation, for a
    /// selected application the report concerns; the first day of submission is kept.
    #[expect(clippy::too_many_arguments, reason = "one submission's fields")]
    pub async fn submit_report(
        &self,
        actor: &Actor,
        application_id: &str,
        report_id: &str,
        body: &str,
        figures: &str,
        today: Date,
        now: i64,
    ) -> Result<ReportLine> {
        let a = self.application(actor, application_id).await?;
        if !actor.is_admin() && !actor.is_member_of(&a.organisation_id) {
            return Err(StoreError::NotFound);
        }
        let lines = self
            .application_report_lines(actor, application_id, today)
            .await?;
        if !lines.iter().any(|l| l.report.id == report_id) {
            return Err(StoreError::NotFound);
        }
        let body = body.trim();
        let figures = figures.trim();
        let mut errors = Vec::new();
        if body.is_empty() || body.chars().count() > 20_000 {
            errors.push(ValidationError::new(
                "body",
                "Schrijf uw verslag in hooguit 20.000 tekens.",
            ));
        }
        if figures.chars().count() > 5_000 {
            errors.push(ValidationError::new(
                "figures",
                "Geef uw cijfers in hooguit 5.000 tekens.",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        sqlx::query(
            "INSERT INTO report_submissions (id, report_id, application_id, body, figures, submitted_on, \
             submitted_by, submitted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (report_id, application_id) DO UPDATE SET body = excluded.body, \
             figures = excluded.figures, updated_at = excluded.updated_at",
        )
        .bind(new_id())
        .bind(report_id)
        .bind(application_id)
        .bind(body)
        .bind(figures)
        .bind(today.to_string())
        .bind(actor.user_id.clone())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.application_report_lines(actor, application_id, today)
            .await?
            .into_iter()
            .find(|l| l.report.id == report_id)
            .ok_or(StoreError::NotFound)
    }

    /// keten's own figures for a municipality's chain over the days `from..=until`: help questions (from the
    /// rollups, as the steering dashboard counts them), referrals sent and completed in that municipality, and
    /// the help points of its chain. Callers check that the actor may see the report they are shown beside.
    pub async fn keten_figures(
        &self,
        municipality_code: &str,
        from: Date,
        until: Date,
    ) -> Result<KetenFigures> {
        let scope = StatsScope {
            municipality_code: Some(municipality_code.to_owned()),
            help_point: None,
            partner: None,
        };
        let range = DayRange {
            from: day_number(from),
            until: day_number(until) + 1,
        };
        let mut sql = Sql::new("SELECT CAST(COALESCE(SUM(r.questions), 0) AS BIGINT) FROM ");
        push_rollup(&mut sql, &scope, range, &[TOTALS]);
        let (questions,): (i64,) = sql.query_as()?.fetch_one(&self.pool).await?;
        let start = keten_core::steering::day_start_seconds(range.from);
        let end = keten_core::steering::day_start_seconds(range.until);
        let (sent, completed): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM referrals WHERE municipality_code = $1 AND sent_at >= $2 AND sent_at < $3",
        )
        .bind(municipality_code)
        .bind(start)
        .bind(end)
        .fetch_one(&self.pool)
        .await?;
        let help_points = i64::try_from(self.chain_help_points(municipality_code).await?.len())
            .unwrap_or(i64::MAX);
        let mut sql = Sql::new("SELECT COUNT(*) FROM consultation_hours c WHERE 1 = 1");
        crate::stats::push_chain_filter(&mut sql, "c.help_point_id", municipality_code);
        let (consultation_hours,): (i64,) = sql.query_as()?.fetch_one(&self.pool).await?;
        Ok(KetenFigures {
            questions,
            referrals_sent: sent,
            referrals_completed: completed,
            help_points,
            consultation_hours,
        })
    }

    /// Claims the report reminders due on `today` across every programme: a missing report of a selected
    /// participant due within `within_days` days (`due_soon`) or past its due day (`overdue`). Each is claimed once
    /// per report, participant and kind by inserting its `report_reminders` row (the primary key decides), so two
    /// instances running the hourly job never remind twice. No tenant check: the hourly job, not a user.
    pub async fn take_report_reminders(
        &self,
        today: Date,
        within_days: i64,
        now: i64,
    ) -> Result<Vec<DueReport>> {
        let programmes: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT p.id, p.name FROM programmes p JOIN programme_reports r ON r.programme_id = p.id \
             ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (programme_id, programme_name) in programmes {
            let participants = self.participants(&programme_id).await?;
            for line in self
                .report_lines(&programme_id, &participants, today)
                .await?
            {
                if line.submission.is_some() {
                    continue;
                }
                let left = day_number(line.report.due_on) - day_number(today);
                let kind = if left < 0 {
                    "overdue"
                } else if left <= within_days {
                    "due_soon"
                } else {
                    continue;
                };
                let claimed = sqlx::query(
                    "INSERT INTO report_reminders (report_id, application_id, kind, sent_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(&line.report.id)
                .bind(&line.application_id)
                .bind(kind)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if claimed.rows_affected() == 0 {
                    continue;
                }
                let Some(a) = participants.iter().find(|a| a.id == line.application_id) else {
                    continue;
                };
                out.push(DueReport {
                    organisation_id: a.organisation_id.clone(),
                    organisation_name: line.organisation_name.clone(),
                    application_id: line.application_id.clone(),
                    programme_name: programme_name.clone(),
                    title: line.report.title.clone(),
                    due_on: line.report.due_on,
                    overdue: kind == "overdue",
                });
            }
        }
        Ok(out)
    }

    /// Who writes an organisation's reports: its steering members (a municipality) and coordinators (a library).
    pub async fn report_reminder_recipients(&self, organisation_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organisation_id = $1 AND m.role IN ('steering', 'coordinator') AND u.disabled_at IS NULL \
             ORDER BY u.email",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The programme a grant or report belongs to, for the pages' headings (settings are public).
    pub async fn programme_of_application(
        &self,
        actor: &Actor,
        application_id: &str,
    ) -> Result<Programme> {
        let a = self.application(actor, application_id).await?;
        self.programme(&a.programme_id).await
    }
}

/// The demo's programmes: the three real kinds of issue 15 with their names, dates and amounts, realistic
/// applicants from the reference data, a run selection, grants with instalments and reports (some in, one late).
pub mod demo {
    use super::{EuroCents, NewReport};
    use crate::error::Result;
    use crate::scope::{Actor, Membership};
    use crate::{Store, new_id};
    use keten_core::account::Role;
    use keten_core::organisation::{OrganisationDraft, OrganisationKind, Sector};
    use keten_core::programme::size_class;
    use keten_core::reference::{
        Country, Municipality, municipalities, municipality_by_code_or_name,
    };
    use keten_core::selection::{Candidate, Decision, SelectionRules, Stratum, select};

    struct Call<'a> {
        kind: &'a str,
        name: &'a str,
        description: &'a str,
        applicant_kind: &'a str,
        opens_on: &'a str,
        closes_on: &'a str,
        budget: i64,
        cap: i64,
        max_participants: i64,
        country: Option<&'a str>,
        max_population: Option<i64>,
        excluded: &'a str,
        conditions: &'a [&'a str],
    }

    fn day(s: &str) -> Result<jiff::civil::Date> {
        s.parse()
            .map_err(|_| crate::StoreError::Corrupt(format!("demo date {s}")))
    }

    impl Store {
        /// Loads the demo programmes into the organisation named `office` (the demo's programme office, whose
        /// programme managers run them). Does nothing when that organisation is missing.
        pub async fn load_demo_programmes(&self, office: &str, now: i64) -> Result<()> {
            let Some(office_id): Option<String> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
                    .bind(office)
                    .fetch_optional(&self.pool)
                    .await?
            else {
                return Ok(());
            };
            let admin = Actor {
                memberships: vec![Membership {
                    organisation_id: String::new(),
                    organisation_name: String::new(),
                    role: Role::Admin,
                }],
                ..Actor::default()
            };

            // 1. The front-runner call of the VNG and the ADS: 40 Dutch municipalities apply for 20 places.
            let front = self
                .demo_programme(&office_id, &Call {
                    kind: "call",
                    name: "Koplopersprogramma Lokale Ketenaanpak Digitale Inclusie",
                    description: "Oproep van de VNG en de Alliantie Digitaal Samenleven: gemeenten testen de lokale ketenaanpak met een bijdrage voor lokale pilots (regie, activiteiten of promotie). Gemeenten kunnen ook zonder bijdrage meedoen.",
                    applicant_kind: "municipality",
                    opens_on: "2023-09-15",
                    closes_on: "2023-12-31",
                    budget: 45_000_000,
                    cap: 2_250_000,
                    max_participants: 20,
                    country: Some("NL"),
                    max_population: None,
                    excluded: "",
                    conditions: &[
                        "Wij zijn bereid de methode te testen",
                        "Ons Informatiepunt Digitale Overheid doet mee aan de lokale aanpak",
                        "Wij rapporteren transparant",
                        "Wij nemen deel aan de koplopersgroep (minstens 3 bijeenkomsten)",
                    ],
                }, now)
                .await?;
            let dutch: Vec<&Municipality> = municipalities()
                .iter()
                .filter(|m| m.country == Country::Nl && m.population > 0)
                .collect();
            let step = (dutch.len() / 40).max(1);
            let mut front_apps = Vec::new();
            for (i, m) in dutch.iter().step_by(step).take(40).enumerate() {
                let org = self
                    .demo_organisation(
                        &format!("Gemeente {}", m.name),
                        OrganisationKind::Municipality,
                        &m.code,
                        now,
                    )
                    .await?;
                // Most ask the full contribution, some less, a few take part without one.
                let amount = match i % 8 {
                    0 => 0,
                    1 | 5 => 1_500_000,
                    3 => 2_000_000,
                    _ => 2_250_000,
                };
                let id = self
                    .demo_application(&front, &org, &m.code, amount, true, "Pilot met het Informatiepunt Digitale Overheid en de bibliotheek: spreekuren in de wijk en voorlichting.", 4, None, now)
                    .await?;
                front_apps.push((id, *m, amount));
            }
            let candidates: Vec<Candidate> = front_apps
                .iter()
                .map(|(id, m, amount)| Candidate {
                    id: id.clone(),
                    stratum: Stratum::new(
                        size_class(m.population, (20_000, 50_000))
                            .label()
                            .to_lowercase(),
                        m.province.clone(),
                    ),
                    amount_cents: u64::try_from(*amount).unwrap_or(0),
                    refusal: None,
                })
                .collect();
            let selected = self
                .demo_selection(
                    &admin,
                    &front,
                    &candidates,
                    20,
                    Some(45_000_000),
                    20_231_215,
                    None,
                    now,
                )
                .await?;
            // Grants to the selected who asked for a contribution, paid in two instalments (the second not yet for
            // all); an end report that most handed in, one late and some still missing.
            let report = self
                .create_report(
                    &admin,
                    &front,
                    &NewReport {
                        grant_id: None,
                        title: "Eindverslag koplopers".into(),
                        period_from: day("2023-09-15")?,
                        period_until: day("2024-03-31")?,
                        due_on: day("2024-04-30")?,
                    },
                    now,
                )
                .await?;
            for (n, (id, _, amount)) in front_apps
                .iter()
                .filter(|(id, _, _)| selected.contains(id))
                .enumerate()
            {
                if *amount > 0 {
                    let g = self
                        .award_grant(&admin, id, EuroCents(*amount), "", now)
                        .await?;
                    self.record_payment(
                        &admin,
                        &g.id,
                        day("2024-01-15")?,
                        EuroCents(amount * 6 / 10),
                        now,
                    )
                    .await?;
                    if n % 3 != 2 {
                        self.record_payment(
                            &admin,
                            &g.id,
                            day("2024-05-15")?,
                            EuroCents(amount - amount * 6 / 10),
                            now,
                        )
                        .await?;
                    }
                }
                let submitted = match n {
                    0 => Some("2024-05-10"),
                    n if n % 4 == 3 => None,
                    _ => Some("2024-04-22"),
                };
                if let Some(on) = submitted {
                    self.submit_report(&admin, id, &report.id, "Wij hielden spreekuren in drie wijken en werkten samen met de bibliotheek en de sociale wijkteams. De koplopersgroep hielp ons de regie te organiseren.", "Bezoekers spreekuren: 140\nVoorlichtingen: 6", day(on)?, now)
                        .await?;
                }
            }

            // City Deal e-Inclusie, in which Brugge takes part (so it is a partner, not funded, below).
            let city_deal = self
                .demo_programme(&office_id, &Call {
                    kind: "call",
                    name: "City Deal e-Inclusie",
                    description: "Samenwerking van Vlaamse centrumsteden en de Vlaamse overheid rond e-inclusie.",
                    applicant_kind: "municipality",
                    opens_on: "2021-01-01",
                    closes_on: "2021-12-31",
                    budget: 0,
                    cap: 0,
                    max_participants: 13,
                    country: Some("BE"),
                    max_population: None,
                    excluded: "",
                    conditions: &[],
                }, now)
                .await?;
            let brugge = self.demo_municipality("Brugge", now).await?;
            let brugge_app = self
                .demo_application(
                    &city_deal,
                    &brugge.0,
                    &brugge.1,
                    0,
                    true,
                    "Brugge in de City Deal e-Inclusie.",
                    0,
                    None,
                    now,
                )
                .await?;
            self.demo_selection(
                &admin,
                &city_deal,
                &[Candidate {
                    id: brugge_app,
                    stratum: Stratum::new("groot", "West-Vlaanderen"),
                    amount_cents: 0,
                    refusal: None,
                }],
                13,
                None,
                2021,
                None,
                now,
            )
            .await?;

            // 2. The Flemish project call with regional dossiers.
            let project = self
                .demo_programme(&office_id, &Call {
                    kind: "project_call",
                    name: "Iedereen Digitaal: projectoproep voor lokale besturen",
                    description: "Projectoproep van de Vlaamse overheid (Vlaanderen Digitaal, EUR 50 miljoen in totaal): lokale besturen vragen samen aan in een dossier met een penhouder. Voor kleine en middelgrote gemeenten.",
                    applicant_kind: "municipality",
                    opens_on: "2022-11-01",
                    closes_on: "2023-02-28",
                    budget: 5_000_000_000,
                    cap: 40_000_000,
                    max_participants: 100,
                    country: Some("BE"),
                    max_population: Some(100_000),
                    excluded: "City Deal e-Inclusie",
                    conditions: &["Wij werken samen met partners uit de quadruple helix"],
                }, now)
                .await?;
            let mut dossiers = Vec::new();
            for (lead, members, partners, helix) in [
                (
                    "Blankenberge",
                    &["Damme", "Knokke-Heist", "Zuienkerke"][..],
                    &["Brugge"][..],
                    "Hogeschool VIVES\nOCMW's van de regio",
                ),
                (
                    "Beernem",
                    &["Jabbeke", "Oostkamp", "Torhout", "Zedelgem"][..],
                    &[][..],
                    "Bibliotheken van de regio",
                ),
            ] {
                let (org, code) = self.demo_municipality(lead, now).await?;
                let mut member_orgs = Vec::new();
                for name in members {
                    member_orgs.push((self.demo_municipality(name, now).await?, "member"));
                }
                for name in partners {
                    member_orgs.push((self.demo_municipality(name, now).await?, "partner"));
                }
                let id = self
                    .demo_application(
                        &project,
                        &org,
                        &code,
                        20_000_000,
                        true,
                        &format!("Dossier van {lead} en partners: digitale inclusie in de regio."),
                        1,
                        Some(helix),
                        now,
                    )
                    .await?;
                for ((member_org, member_code), role) in member_orgs {
                    sqlx::query(
                        "INSERT INTO application_members (application_id, organisation_id, municipality_code, member_role, confirmed_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&id)
                    .bind(member_org)
                    .bind(member_code)
                    .bind(role)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                }
                dossiers.push(Candidate {
                    id,
                    stratum: Stratum::new("klein", "West-Vlaanderen"),
                    amount_cents: 20_000_000,
                    refusal: None,
                });
            }
            let chosen = self
                .demo_selection(
                    &admin,
                    &project,
                    &dossiers,
                    100,
                    Some(5_000_000_000),
                    2023,
                    None,
                    now,
                )
                .await?;
            for id in &chosen {
                let g = self
                    .award_grant(&admin, id, EuroCents(20_000_000), "", now)
                    .await?;
                self.record_payment(
                    &admin,
                    &g.id,
                    day("2023-06-01")?,
                    EuroCents(12_000_000),
                    now,
                )
                .await?;
            }
            // An interim report of the dossiers: Noord handed it in, West not yet.
            let interim = self
                .create_report(
                    &admin,
                    &project,
                    &NewReport {
                        grant_id: None,
                        title: "Tussentijds verslag dossiers".into(),
                        period_from: day("2023-03-01")?,
                        period_until: day("2023-12-31")?,
                        due_on: day("2024-01-31")?,
                    },
                    now,
                )
                .await?;
            if let Some(first) = chosen.first() {
                self.submit_report(&admin, first, &interim.id, "De gemeenten van het dossier openden samen vier digipunten, met de bibliotheken en de OCMW's; Hogeschool VIVES volgt het bereik.", "Digipunten: 4\nBezoekers: 610", day("2024-01-20")?, now)
                    .await?;
            }

            // 3. The libraries' subsidy scheme with waves: a kopgroep of 15, the others in later phases.
            let scheme = self
                .demo_programme(&office_id, &Call {
                    kind: "subsidy_scheme",
                    name: "Plan Digitale Inclusie bibliotheken 2019-2021",
                    description: "Regeling van de Koninklijke Bibliotheek en de Manifestgroep: bibliotheken doen in golven mee, te beginnen met een kopgroep van 15; bij 3 daarvan wordt samenwerking met private partners verkend.",
                    applicant_kind: "library",
                    opens_on: "2019-01-01",
                    closes_on: "2021-12-31",
                    budget: 120_000_000,
                    cap: 4_000_000,
                    max_participants: 15,
                    country: Some("NL"),
                    max_population: None,
                    excluded: "",
                    conditions: &[],
                }, now)
                .await?;
            // The waves, with the amount per participant spread over the years of the scheme.
            let mut waves = Vec::new();
            for (i, (name, places, amount, announce, years)) in [
                (
                    "Kopgroep",
                    15_i64,
                    4_000_000_i64,
                    Some("2019-06-01"),
                    &[(2019_i64, 2_000_000_i64), (2020, 2_000_000)][..],
                ),
                (
                    "Fase 2 (2020)",
                    30,
                    2_500_000,
                    Some("2020-03-01"),
                    &[(2020, 1_250_000), (2021, 1_250_000)][..],
                ),
                (
                    "Fase 3 (2021)",
                    30,
                    2_500_000,
                    None,
                    &[(2021, 2_500_000)][..],
                ),
            ]
            .into_iter()
            .enumerate()
            {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO programme_waves (id, programme_id, position, name, places, amount_cents, announce_on) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&id)
                .bind(&scheme)
                .bind(i64::try_from(i).unwrap_or(0))
                .bind(name)
                .bind(places)
                .bind(amount)
                .bind(announce)
                .execute(&self.pool)
                .await?;
                for (year, cents) in years {
                    sqlx::query(
                        "INSERT INTO programme_wave_years (wave_id, year, amount_cents) VALUES ($1, $2, $3)",
                    )
                    .bind(&id)
                    .bind(*year)
                    .bind(*cents)
                    .execute(&self.pool)
                    .await?;
                }
                waves.push(id);
            }
            // 17 libraries sign up for the kopgroep (one withdraws before the draw), 4 for the second phase.
            let mut first_wave = Vec::new();
            let mut second_wave = Vec::new();
            for (i, m) in dutch
                .iter()
                .skip(step / 2)
                .step_by(step * 2)
                .take(21)
                .enumerate()
            {
                let org = self
                    .demo_organisation(
                        &format!("Bibliotheek {}", m.name),
                        OrganisationKind::Library,
                        &m.code,
                        now,
                    )
                    .await?;
                let kopgroep = i < 17;
                let wave = if kopgroep { &waves[0] } else { &waves[1] };
                let amount = if kopgroep { 4_000_000 } else { 2_500_000 };
                // Private partners are explored at 3 of the 15.
                let helix = (i < 3).then_some("Verkenning van samenwerking met een private partner (bank of telecomaanbieder)");
                let id = self
                    .demo_application(&scheme, &org, &m.code, amount, true, "Digitale inclusie in de bibliotheek: cursussen, spreekuren en samenwerking met het IDO.", 0, helix, now)
                    .await?;
                sqlx::query("UPDATE applications SET wave_id = $1 WHERE id = $2")
                    .bind(wave)
                    .bind(&id)
                    .execute(&self.pool)
                    .await?;
                if i == 16 {
                    sqlx::query(
                        "UPDATE applications SET status = 'withdrawn', decision_note = $1 WHERE id = $2",
                    )
                    .bind("De bibliotheek trok de aanmelding in: zij gaat samen met een buurbibliotheek en doet later mee.")
                    .bind(&id)
                    .execute(&self.pool)
                    .await?;
                    continue;
                }
                let candidate = Candidate {
                    id,
                    stratum: Stratum::new(
                        size_class(m.population, (20_000, 50_000))
                            .label()
                            .to_lowercase(),
                        m.province.clone(),
                    ),
                    amount_cents: u64::try_from(amount).unwrap_or(0),
                    refusal: None,
                };
                if kopgroep {
                    first_wave.push(candidate);
                } else {
                    second_wave.push(candidate);
                }
            }
            let kopgroep = self
                .demo_selection(
                    &admin,
                    &scheme,
                    &first_wave,
                    15,
                    None,
                    2019,
                    Some(&waves[0]),
                    now,
                )
                .await?;
            for id in &kopgroep {
                let g = self
                    .award_grant(&admin, id, EuroCents(4_000_000), "", now)
                    .await?;
                self.record_payment(&admin, &g.id, day("2019-07-01")?, EuroCents(2_000_000), now)
                    .await?;
                self.record_payment(&admin, &g.id, day("2020-07-01")?, EuroCents(2_000_000), now)
                    .await?;
            }
            let phase_two = self
                .demo_selection(
                    &admin,
                    &scheme,
                    &second_wave,
                    30,
                    None,
                    2020,
                    Some(&waves[1]),
                    now,
                )
                .await?;
            for id in &phase_two {
                let g = self
                    .award_grant(&admin, id, EuroCents(2_500_000), "", now)
                    .await?;
                self.record_payment(&admin, &g.id, day("2020-07-01")?, EuroCents(1_250_000), now)
                    .await?;
            }
            // The annual report over 2020, owed by both waves: most handed it in on time, one late, a few still missing.
            let annual = self
                .create_report(
                    &admin,
                    &scheme,
                    &NewReport {
                        grant_id: None,
                        title: "Jaarverslag 2020".into(),
                        period_from: day("2020-01-01")?,
                        period_until: day("2020-12-31")?,
                        due_on: day("2021-02-01")?,
                    },
                    now,
                )
                .await?;
            for (n, id) in kopgroep.iter().chain(phase_two.iter().take(2)).enumerate() {
                let on = match n {
                    0 => "2021-02-20",
                    1 => continue,
                    _ => "2021-01-25",
                };
                self.submit_report(&admin, id, &annual.id, "Cursussen Klik & Tik en Digisterker, een wekelijks IDO-spreekuur en samenwerking met het sociaal wijkteam.", "Cursisten: 85\nSpreekuurbezoeken: 230", day(on)?, now)
                    .await?;
            }
            Ok(())
        }

        async fn demo_programme(&self, office_id: &str, c: &Call<'_>, now: i64) -> Result<String> {
            let id = new_id();
            sqlx::query(
                "INSERT INTO programmes (id, organisation_id, kind, name, description, applicant_kind, opens_on, \
                 closes_on, budget_cents, cap_cents, cap_vat_included, vat_percent, max_participants, country, \
                 min_population, max_population, excluded_programmes, small_below, large_from, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, 21, $11, $12, NULL, $13, $14, 20000, 50000, $15, $15)",
            )
            .bind(&id)
            .bind(office_id)
            .bind(c.kind)
            .bind(c.name)
            .bind(c.description)
            .bind(c.applicant_kind)
            .bind(c.opens_on)
            .bind(c.closes_on)
            .bind(c.budget)
            .bind(c.cap)
            .bind(c.max_participants)
            .bind(c.country)
            .bind(c.max_population)
            .bind(c.excluded)
            .bind(now)
            .execute(&self.pool)
            .await?;
            for (i, text) in c.conditions.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO programme_conditions (programme_id, position, text) VALUES ($1, $2, $3)",
                )
                .bind(&id)
                .bind(i64::try_from(i).unwrap_or(0))
                .bind(*text)
                .execute(&self.pool)
                .await?;
            }
            Ok(id)
        }

        /// The organisation of this kind for a municipality: the existing one, else a new one.
        async fn demo_organisation(
            &self,
            name: &str,
            kind: OrganisationKind,
            code: &str,
            now: i64,
        ) -> Result<String> {
            let existing: Option<String> = sqlx::query_scalar(
                "SELECT id FROM organisations WHERE kind = $1 AND municipality_code = $2 ORDER BY name LIMIT 1",
            )
            .bind(kind.as_str())
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(id) = existing {
                return Ok(id);
            }
            Ok(self
                .create_organisation(
                    &OrganisationDraft {
                        name: name.to_owned(),
                        kind,
                        sector: Sector::Public,
                        municipality_code: code.to_owned(),
                        active_in: vec![code.to_owned()],
                        identifiers: Default::default(),
                    },
                    now,
                )
                .await?
                .id)
        }

        async fn demo_municipality(&self, name: &str, now: i64) -> Result<(String, String)> {
            let m = municipality_by_code_or_name(name)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("no municipality {name}")))?;
            let org = self
                .demo_organisation(
                    &format!("Gemeente {}", m.name),
                    OrganisationKind::Municipality,
                    &m.code,
                    now,
                )
                .await?;
            Ok((org, m.code.clone()))
        }

        #[expect(clippy::too_many_arguments, reason = "one application's fields")]
        async fn demo_application(
            &self,
            programme_id: &str,
            organisation_id: &str,
            code: &str,
            amount: i64,
            vat_included: bool,
            proposal: &str,
            conditions: i64,
            helix: Option<&str>,
            now: i64,
        ) -> Result<String> {
            let id = new_id();
            sqlx::query(
                "INSERT INTO applications (id, programme_id, organisation_id, municipality_code, status, amount_cents, \
                 amount_vat_included, proposal, helix_partners, submitted_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $9)",
            )
            .bind(&id)
            .bind(programme_id)
            .bind(organisation_id)
            .bind(code)
            .bind(amount)
            .bind(i64::from(vat_included))
            .bind(proposal)
            .bind(helix.unwrap_or(""))
            .bind(now)
            .execute(&self.pool)
            .await?;
            for position in 0..conditions {
                sqlx::query(
                    "INSERT INTO application_conditions (application_id, position, confirmed_at) VALUES ($1, $2, $3)",
                )
                .bind(&id)
                .bind(position)
                .bind(now)
                .execute(&self.pool)
                .await?;
            }
            Ok(id)
        }

        /// Runs the pure selection and stores it like the web layer does; returns the selected ids.
        #[expect(clippy::too_many_arguments, reason = "a selection run's settings")]
        async fn demo_selection(
            &self,
            admin: &Actor,
            programme_id: &str,
            candidates: &[Candidate],
            capacity: u32,
            budget: Option<u64>,
            seed: u64,
            wave: Option<&str>,
            now: i64,
        ) -> Result<Vec<String>> {
            let selection = select(
                candidates,
                &SelectionRules {
                    capacity,
                    budget_cents: budget,
                    seed,
                },
            )
            .map_err(|e| crate::StoreError::Corrupt(format!("demo selection: {e:?}")))?;
            let outcomes: Vec<crate::programmes::RunOutcome> = selection
                .outcomes
                .iter()
                .map(|o| crate::programmes::RunOutcome {
                    application_id: o.id.clone(),
                    status: match o.decision {
                        Decision::Selected => keten_core::programme::ApplicationStatus::Selected,
                        Decision::Reserve { .. } => {
                            keten_core::programme::ApplicationStatus::Reserve
                        }
                        Decision::Refused { .. } => {
                            keten_core::programme::ApplicationStatus::Rejected
                        }
                    },
                    probability: o.probability,
                    explanation: serde_json::to_string(&o.explanation).unwrap_or_default(),
                })
                .collect();
            let result = serde_json::to_string(&selection)
                .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
            self.record_selection(
                admin,
                programme_id,
                &seed.to_string(),
                &result,
                &outcomes,
                wave,
                now,
            )
            .await?;
            Ok(outcomes
                .into_iter()
                .filter(|o| o.status == keten_core::programme::ApplicationStatus::Selected)
                .map(|o| o.application_id)
                .collect())
        }
    }
}
