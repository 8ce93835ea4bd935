//! Data offers (social internet) of help points and partners, the offer paired with a device at hand-out, the bank's
//! default loan terms and the loan reminders mailed by the hourly job.
//!
//! Tenant rules: an offer is recorded and changed by the members of its organisation who may register donations
//! (`DONOR_ROLES`, as for devices) or an admin; it is read by anyone in the chain of its municipality. Offers are
//! help offered to the public: the finder and the HSDS export read the active ones without an actor.

use crate::devices::DONOR_ROLES;
use crate::error::{Result, StoreError};
use crate::help_points::bump_directory_revision;
use crate::sql::Sql;
use crate::{Actor, Store, new_id};
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::data_offer::{DataOfferDraft, DataOfferKind, is_active};
use keten_core::device::LoanTerms;

/// An offer to record: what and where.
#[derive(Debug, Clone)]
pub struct NewDataOffer {
    pub municipality_code: String,
    pub organisation_id: String,
    /// Where residents get it; `None`: at the organisation.
    pub help_point_id: Option<String>,
    pub draft: DataOfferDraft,
}

/// A stored offer with the names of who offers it and where.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DataOffer {
    pub id: String,
    pub municipality_code: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub help_point_id: Option<String>,
    pub help_point_name: Option<String>,
    pub street_address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub kind: String,
    pub provider: String,
    pub gb_per_month: Option<i64>,
    pub months: Option<i64>,
    pub price_cents: i64,
    pub conditions: String,
    pub how_to_get: String,
    pub active_from: String,
    pub active_until: Option<String>,
    pub ended_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl DataOffer {
    /// The kind as its code list (an unknown stored code reads as a voucher rather than failing a public page).
    #[must_use]
    pub fn kind(&self) -> DataOfferKind {
        self.kind.parse().unwrap_or(DataOfferKind::Voucher)
    }

    /// Whether it is on offer on `today`.
    #[must_use]
    pub fn active_on(&self, today: Date) -> bool {
        let Ok(from) = self.active_from.parse::<Date>() else {
            return false;
        };
        let until = self
            .active_until
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok());
        is_active(from, until, self.ended_at.is_some(), today)
    }

    #[must_use]
    pub fn gb(&self) -> Option<u32> {
        self.gb_per_month.and_then(|g| u32::try_from(g).ok())
    }

    #[must_use]
    pub fn month_count(&self) -> Option<u32> {
        self.months.and_then(|m| u32::try_from(m).ok())
    }
}

const SELECT_OFFER: &str = "SELECT d.id, d.municipality_code, d.organisation_id, o.name AS organisation_name, \
     d.help_point_id, h.name AS help_point_name, h.street_address, h.postcode, h.city, h.lat, h.lon, d.kind, \
     d.provider, d.gb_per_month, d.months, d.price_cents, d.conditions, d.how_to_get, d.active_from, \
     d.active_until, d.ended_at, d.created_at, d.updated_at FROM data_offers d \
     JOIN organisations o ON o.id = d.organisation_id LEFT JOIN help_points h ON h.id = d.help_point_id \
     WHERE 1 = 1";

/// A help point of a municipality's device bank: where residents get a device (through a referral).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DevicePoint {
    pub municipality_code: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub help_point_id: String,
    pub help_point_name: String,
    pub street_address: String,
    pub postcode: String,
    pub city: String,
    pub lat: f64,
    pub lon: f64,
    /// Devices ready to hand out now at this bank.
    pub ready: i64,
    /// The bank's deposit offered at hand-out, euro cents (0: none).
    pub loan_deposit_cents: i64,
    /// The bank's usual loan length in months.
    pub loan_months: i64,
}

/// The bank's loan terms for a municipality: offered at hand-out (deposit, months) and copied onto each loan
/// (reminder days, late-return rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanSettings {
    pub deposit_cents: i64,
    pub months: i64,
    pub remind_days: i64,
    pub refund_late_returns: bool,
}

/// A loan claimed for its reminder mail: what the bank and the referrer need to find it, no resident's data.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedLoanReminder {
    pub loan_id: String,
    pub bank_organisation_id: String,
    pub referring_organisation_id: Option<String>,
    pub request_id: Option<String>,
    pub device_id: String,
    pub device_number: i64,
    pub kind: String,
    pub make_model: String,
    pub due_on: String,
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

/// Whether the actor may record and change offers of this organisation.
fn offers_for(actor: &Actor, organisation_id: &str) -> bool {
    actor.is_admin()
        || actor
            .memberships
            .iter()
            .any(|m| m.organisation_id == organisation_id && DONOR_ROLES.contains(&m.role))
}

impl Store {
    /// Checks what and where, and records the offer. The organisation must be the actor's (with a donor role) and
    /// active in the municipality; the help point must be in or serve that municipality.
    pub async fn create_data_offer(
        &self,
        actor: &Actor,
        new: &NewDataOffer,
        now: i64,
    ) -> Result<DataOffer> {
        if !offers_for(actor, &new.organisation_id) {
            return Err(invalid(
                "organisation_id",
                "U kunt alleen aanbod vastleggen voor uw eigen organisatie.",
            ));
        }
        self.check_offer_place(new).await?;
        let id = new_id();
        let d = &new.draft;
        // Offers are services of the public directory (HSDS): a change moves its revision, in the same transaction.
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO data_offers (id, municipality_code, organisation_id, help_point_id, kind, provider, \
             gb_per_month, months, price_cents, conditions, how_to_get, active_from, active_until, ended_at, \
             created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $15)",
        )
        .bind(&id)
        .bind(&new.municipality_code)
        .bind(&new.organisation_id)
        .bind(new.help_point_id.as_deref())
        .bind(d.kind.as_str())
        .bind(d.provider.trim())
        .bind(d.gb_per_month.map(i64::from))
        .bind(d.months.map(i64::from))
        .bind(d.price_cents)
        .bind(d.conditions.trim())
        .bind(d.how_to_get.trim())
        .bind(d.active_from.to_string())
        .bind(d.active_until.map(|u| u.to_string()))
        .bind(actor.user_id.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        self.data_offer(actor, &id).await
    }

    async fn check_offer_place(&self, new: &NewDataOffer) -> Result<()> {
        new.draft.check().map_err(StoreError::Invalid)?;
        if keten_core::reference::municipality(&new.municipality_code).is_none() {
            return Err(invalid(
                "municipality_code",
                "Kies de gemeente waar het aanbod geldt.",
            ));
        }
        let active: Option<(String,)> = sqlx::query_as(
            "SELECT o.id FROM organisations o WHERE o.id = $1 AND (o.municipality_code = $2 OR o.id IN \
             (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code = $2))",
        )
        .bind(&new.organisation_id)
        .bind(&new.municipality_code)
        .fetch_optional(&self.pool)
        .await?;
        if active.is_none() {
            return Err(invalid(
                "municipality_code",
                "Uw organisatie is niet actief in deze gemeente. Kies een andere gemeente.",
            ));
        }
        if let Some(point) = &new.help_point_id {
            let found: Option<(String,)> = sqlx::query_as(
                "SELECT h.id FROM help_points h WHERE h.id = $1 AND (h.municipality_code = $2 OR h.id IN \
                 (SELECT help_point_id FROM help_point_municipalities WHERE municipality_code = $2))",
            )
            .bind(point)
            .bind(&new.municipality_code)
            .fetch_optional(&self.pool)
            .await?;
            if found.is_none() {
                return Err(invalid(
                    "help_point_id",
                    "Dit hulppunt ligt niet in deze gemeente. Kies een hulppunt van de gemeente.",
                ));
            }
        }
        Ok(())
    }

    /// The offers in the actor's chains (admins: all), optionally of one municipality, newest first; ended ones
    /// only when asked.
    pub async fn data_offers(
        &self,
        actor: &Actor,
        municipality_code: Option<&str>,
        include_ended: bool,
    ) -> Result<Vec<DataOffer>> {
        let mut sql = Sql::new(SELECT_OFFER);
        push_offer_filter(actor, &mut sql);
        if let Some(code) = municipality_code {
            sql.push(" AND d.municipality_code = ")
                .bind(code.to_owned());
        }
        if !include_ended {
            sql.push(" AND d.ended_at IS NULL");
        }
        sql.push(" ORDER BY d.created_at DESC, d.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// One offer in the actor's chains; NotFound for any other.
    pub async fn data_offer(&self, actor: &Actor, id: &str) -> Result<DataOffer> {
        let mut sql = Sql::new(SELECT_OFFER);
        sql.push(" AND d.id = ").bind(id.to_owned());
        push_offer_filter(actor, &mut sql);
        sql.query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Replaces what and where of an offer of the actor's organisation (the organisation itself stays). An
    /// offer the actor may read but not change is NotFound, as is an ended one.
    pub async fn update_data_offer(
        &self,
        actor: &Actor,
        id: &str,
        new: &NewDataOffer,
        now: i64,
    ) -> Result<DataOffer> {
        let current = self.data_offer(actor, id).await?;
        if !offers_for(actor, &current.organisation_id) || current.ended_at.is_some() {
            return Err(StoreError::NotFound);
        }
        let new = NewDataOffer {
            organisation_id: current.organisation_id.clone(),
            ..new.clone()
        };
        self.check_offer_place(&new).await?;
        let d = &new.draft;
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE data_offers SET municipality_code = $1, help_point_id = $2, kind = $3, provider = $4, \
             gb_per_month = $5, months = $6, price_cents = $7, conditions = $8, how_to_get = $9, active_from = $10, \
             active_until = $11, updated_at = $12 WHERE id = $13 AND ended_at IS NULL",
        )
        .bind(&new.municipality_code)
        .bind(new.help_point_id.as_deref())
        .bind(d.kind.as_str())
        .bind(d.provider.trim())
        .bind(d.gb_per_month.map(i64::from))
        .bind(d.months.map(i64::from))
        .bind(d.price_cents)
        .bind(d.conditions.trim())
        .bind(d.how_to_get.trim())
        .bind(d.active_from.to_string())
        .bind(d.active_until.map(|u| u.to_string()))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        self.data_offer(actor, id).await
    }

    /// Ends an offer of the actor's organisation now (it stays readable, and paired devices keep it). Ending twice
    /// changes nothing.
    pub async fn end_data_offer(&self, actor: &Actor, id: &str, now: i64) -> Result<DataOffer> {
        let current = self.data_offer(actor, id).await?;
        if !offers_for(actor, &current.organisation_id) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.pool.begin().await?;
        let ended = sqlx::query(
            "UPDATE data_offers SET ended_at = $1, updated_at = $1 WHERE id = $2 AND ended_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if ended > 0 {
            bump_directory_revision(&mut tx).await?;
        }
        tx.commit().await?;
        self.data_offer(actor, id).await
    }

    /// Every offer active on `today`, for the finder and the HSDS export (public: help offered).
    pub async fn public_data_offers(&self, today: Date) -> Result<Vec<DataOffer>> {
        let mut sql = Sql::new(SELECT_OFFER);
        sql.push(" AND d.ended_at IS NULL AND d.active_from <= ")
            .bind(today.to_string());
        sql.push(" ORDER BY d.municipality_code, d.provider, d.id");
        let rows: Vec<DataOffer> = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().filter(|o| o.active_on(today)).collect())
    }

    /// The help points of every municipality's device bank (public: where devices are handed out), with the
    /// number of devices the bank has ready now. Closed help points are left out.
    pub async fn device_points(&self) -> Result<Vec<DevicePoint>> {
        Ok(sqlx::query_as(
            "SELECT s.municipality_code, s.organisation_id, o.name AS organisation_name, h.id AS help_point_id, \
             h.name AS help_point_name, h.street_address, h.postcode, h.city, h.lat, h.lon, \
             (SELECT COUNT(*) FROM devices d WHERE d.bank_organisation_id = s.organisation_id \
              AND d.municipality_code = s.municipality_code AND d.status = 'ready') AS ready, \
             s.loan_deposit_cents, s.loan_months \
             FROM device_bank_settings s JOIN organisations o ON o.id = s.organisation_id \
             JOIN help_points h ON h.organisation_id = s.organisation_id \
             WHERE h.status <> 'closed' AND (h.municipality_code = s.municipality_code OR h.id IN \
             (SELECT help_point_id FROM help_point_municipalities WHERE municipality_code = s.municipality_code)) \
             ORDER BY s.municipality_code, h.name, h.id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Pairs an active offer of the request's municipality with the device at hand-out (reserved or handed out);
    /// the bank's staff. `None` removes the pairing.
    pub async fn pair_data_offer(
        &self,
        actor: &Actor,
        request_id: &str,
        offer_id: Option<&str>,
        today: Date,
        now: i64,
    ) -> Result<()> {
        let request = self.device_request(actor, request_id).await?;
        if !actor.works_at_bank(&request.bank_organisation_id) {
            return Err(StoreError::NotFound);
        }
        use keten_core::device::DeviceRequestStatus as S;
        if !matches!(request.status, S::Reserved | S::HandedOut | S::Completed) {
            return Err(invalid(
                "data_offer_id",
                "Koppel een data-aanbod als het apparaat gereserveerd of uitgegeven is.",
            ));
        }
        if let Some(offer_id) = offer_id {
            let mut sql = Sql::new(SELECT_OFFER);
            sql.push(" AND d.id = ").bind(offer_id.to_owned());
            sql.push(" AND d.municipality_code = ")
                .bind(request.municipality_code.clone());
            let offer: Option<DataOffer> = sql.query_as()?.fetch_optional(&self.pool).await?;
            if !offer.is_some_and(|o| o.active_on(today)) {
                return Err(invalid(
                    "data_offer_id",
                    "Kies een data-aanbod dat nu loopt in de gemeente van deze aanvraag.",
                ));
            }
        }
        sqlx::query("UPDATE device_requests SET data_offer_id = $1, updated_at = $2 WHERE id = $3")
            .bind(offer_id)
            .bind(now)
            .bind(request_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The offer paired with a request, if any (the caller has read the request, so it may see this).
    pub async fn paired_data_offer(&self, request_id: &str) -> Result<Option<DataOffer>> {
        let mut sql = Sql::new(SELECT_OFFER);
        sql.push(" AND d.id = (SELECT data_offer_id FROM device_requests WHERE id = ")
            .bind(request_id.to_owned());
        sql.push(")");
        Ok(sql.query_as()?.fetch_optional(&self.pool).await?)
    }

    /// Active offers of a municipality, for the pairing choice.
    pub async fn active_data_offers_in(
        &self,
        municipality_code: &str,
        today: Date,
    ) -> Result<Vec<DataOffer>> {
        let mut sql = Sql::new(SELECT_OFFER);
        sql.push(" AND d.ended_at IS NULL AND d.municipality_code = ")
            .bind(municipality_code.to_owned());
        sql.push(" ORDER BY d.provider, d.id");
        let rows: Vec<DataOffer> = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().filter(|o| o.active_on(today)).collect())
    }

    /// The loan terms of a municipality's device bank; NotFound when it has none or the actor is not its staff,
    /// its municipality's steering or an admin.
    pub async fn loan_settings(
        &self,
        actor: &Actor,
        municipality_code: &str,
    ) -> Result<LoanSettings> {
        let row: Option<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT organisation_id, loan_deposit_cents, loan_months, loan_remind_days, refund_late_returns \
             FROM device_bank_settings WHERE municipality_code = $1",
        )
        .bind(municipality_code)
        .fetch_optional(&self.pool)
        .await?;
        let Some((bank, deposit_cents, months, remind_days, refund)) = row else {
            return Err(StoreError::NotFound);
        };
        let steers = actor
            .steering_municipalities
            .iter()
            .any(|m| m == municipality_code);
        if !(actor.works_at_bank(&bank) || steers) {
            return Err(StoreError::NotFound);
        }
        Ok(LoanSettings {
            deposit_cents,
            months,
            remind_days,
            refund_late_returns: refund != 0,
        })
    }

    /// Sets the bank's loan terms (its staff and coordinators, the municipality's steering, admins). Running loans
    /// keep the terms they were made on.
    pub async fn set_loan_settings(
        &self,
        actor: &Actor,
        municipality_code: &str,
        settings: LoanSettings,
    ) -> Result<LoanSettings> {
        self.loan_settings(actor, municipality_code).await?;
        let mut errors = Vec::new();
        let terms = LoanTerms {
            deposit_cents: settings.deposit_cents,
            months: u32::try_from(settings.months).unwrap_or(0),
            remind_days_before: u32::try_from(settings.remind_days).unwrap_or(u32::MAX),
            refund_late_returns: settings.refund_late_returns,
        };
        if let Err(e) = terms.check() {
            errors.extend(e);
        }
        if !(0..=365).contains(&settings.remind_days) {
            errors.push(ValidationError::new(
                "remind_days",
                "Vul in hoeveel dagen voor de einddatum u herinnert: 0 tot 365.",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        // The deposit and loan length are published with the bank's lending (HSDS): move the directory revision.
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE device_bank_settings SET loan_deposit_cents = $1, loan_months = $2, loan_remind_days = $3, \
             refund_late_returns = $4 WHERE municipality_code = $5",
        )
        .bind(settings.deposit_cents)
        .bind(settings.months)
        .bind(settings.remind_days)
        .bind(i64::from(settings.refund_late_returns))
        .bind(municipality_code)
        .execute(&mut *tx)
        .await?;
        bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        self.loan_settings(actor, municipality_code).await
    }

    /// The loan terms of the bank an organisation runs for a municipality (for the hand-out form), if it is one.
    pub async fn bank_loan_defaults(
        &self,
        bank_organisation_id: &str,
        municipality_code: &str,
    ) -> Result<Option<LoanSettings>> {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT loan_deposit_cents, loan_months, loan_remind_days, refund_late_returns \
             FROM device_bank_settings WHERE organisation_id = $1 AND municipality_code = $2",
        )
        .bind(bank_organisation_id)
        .bind(municipality_code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(
            |(deposit_cents, months, remind_days, refund)| LoanSettings {
                deposit_cents,
                months,
                remind_days,
                refund_late_returns: refund != 0,
            },
        ))
    }

    /// Open loans whose reminder day has come on `today` and that were not reminded yet, each claimed by setting
    /// `reminded_at` with a conditional update, so that several instances running the hourly job never mail twice.
    pub async fn take_due_loan_reminders(
        &self,
        now: i64,
        today: Date,
    ) -> Result<Vec<ClaimedLoanReminder>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            claim: ClaimedLoanReminder,
            remind_days_before: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT l.id AS loan_id, l.bank_organisation_id, r.referring_organisation_id, l.request_id, \
             l.device_id, d.number AS device_number, d.kind, b.make_model, l.due_on, l.remind_days_before \
             FROM device_loans l JOIN devices d ON d.id = l.device_id JOIN device_batches b ON b.id = d.batch_id \
             LEFT JOIN device_requests r ON r.id = l.request_id \
             WHERE l.returned_on IS NULL AND l.reminded_at IS NULL ORDER BY l.bank_organisation_id, l.due_on, l.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for row in rows {
            let Ok(due) = row.claim.due_on.parse::<Date>() else {
                continue;
            };
            let remind_from =
                due.checked_sub(jiff::Span::new().days(row.remind_days_before.clamp(0, 3650)));
            if !remind_from.is_ok_and(|from| today >= from) {
                continue;
            }
            let won = sqlx::query(
                "UPDATE device_loans SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
                 AND returned_on IS NULL",
            )
            .bind(now)
            .bind(&row.claim.loan_id)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if won == 1 {
                claimed.push(row.claim);
            }
        }
        Ok(claimed)
    }

    /// Who hears of a loan reminder: the bank's coordinators (its staff when it has none), and the referring
    /// organisation's partner, staff and coordinator members, who hold the resident's contact data. Disabled
    /// accounts are left out.
    pub async fn loan_reminder_recipients(
        &self,
        bank_organisation_id: &str,
        referring_organisation_id: Option<&str>,
    ) -> Result<Vec<String>> {
        let mut emails = self.check_reminder_recipients(bank_organisation_id).await?;
        if let Some(referrer) = referring_organisation_id
            && referrer != bank_organisation_id
        {
            let more: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
                 WHERE m.organisation_id = $1 AND m.role IN ('partner', 'staff', 'coordinator') \
                 AND u.disabled_at IS NULL ORDER BY u.email",
            )
            .bind(referrer)
            .fetch_all(&self.pool)
            .await?;
            emails.extend(more);
        }
        emails.sort();
        emails.dedup();
        Ok(emails)
    }
}

/// Appends `AND (the offer's municipality is in the actor's chains)`; admins see all.
fn push_offer_filter(actor: &Actor, sql: &mut Sql) {
    if actor.is_admin() {
        return;
    }
    sql.push(" AND (d.municipality_code IN ")
        .bind_list(actor.chain_municipalities.iter().cloned());
    sql.push(" OR d.organisation_id IN ")
        .bind_list(actor.organisation_ids());
    sql.push(")");
}

impl Store {
    /// Demo data offers in Rotterdam: a free SIM with 10 GB a month for 6 months at the Centrale Bibliotheek, and
    /// a provider's social tariff recorded by the Maasbank. Does nothing without the demo chain.
    pub async fn load_demo_data_offers(&self, now: i64) -> Result<()> {
        use crate::scope::Membership;
        use keten_core::account::Role;
        let library: Option<String> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE name = 'Bibliotheek Rotterdam'")
                .fetch_optional(&self.pool)
                .await?;
        let maasbank: Option<String> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE name = 'Maasbank'")
                .fetch_optional(&self.pool)
                .await?;
        let point: Option<String> =
            sqlx::query_scalar("SELECT id FROM help_points WHERE name = 'Centrale Bibliotheek'")
                .fetch_optional(&self.pool)
                .await?;
        let (Some(library), Some(maasbank)) = (library, maasbank) else {
            return Ok(());
        };
        let admin = Actor {
            user_id: None,
            memberships: vec![Membership {
                organisation_id: String::new(),
                organisation_name: String::new(),
                role: Role::Admin,
            }],
            chain_municipalities: vec!["GM0599".to_owned()],
            steering_municipalities: Vec::new(),
        };
        let since = crate::device_loans::day_of(now - 30 * 86_400);
        let offers = [
            NewDataOffer {
                municipality_code: "GM0599".into(),
                organisation_id: library,
                help_point_id: point,
                draft: DataOfferDraft {
                    kind: DataOfferKind::Sim,
                    provider: "Stichting Sociaal Internet (demo)".into(),
                    gb_per_month: Some(10),
                    months: Some(6),
                    price_cents: 0,
                    conditions:
                        "Inwoners van Rotterdam zonder internet thuis, met een laag inkomen.".into(),
                    how_to_get:
                        "Vraag ernaar aan de balie van de bibliotheek. Neem uw ID-bewijs mee."
                            .into(),
                    active_from: since,
                    active_until: None,
                },
            },
            NewDataOffer {
                municipality_code: "GM0599".into(),
                organisation_id: maasbank,
                help_point_id: None,
                draft: DataOfferDraft {
                    kind: DataOfferKind::SocialTariff,
                    provider: "Telecombedrijf Rijnmond (demo)".into(),
                    gb_per_month: None,
                    months: Some(24),
                    price_cents: 1000,
                    conditions: "Inwoners met een Rotterdampas of bijstand.".into(),
                    how_to_get: "Vraag uw hulpverlener of schuldhulpmaatje om een aanmelding."
                        .into(),
                    active_from: since,
                    active_until: None,
                },
            },
        ];
        for offer in &offers {
            self.create_data_offer(&admin, offer, now).await?;
        }
        Ok(())
    }
}
