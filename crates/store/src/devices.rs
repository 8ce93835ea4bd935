//! The device bank's storage: bank settings, donation batches, devices with their timeline and wiping records, requests.
//!
//! Tenant rules: a municipality's device bank is one organisation (`device_bank_settings`, set by its steering);
//! its staff and coordinators see and move the devices it holds. A donor's members see their own batches and the
//! certificate list of each. A request is seen by the referring organisation and the bank. Anyone else: NotFound.
//! Every step goes through `keten_core::device::transition` and is written with a compare-and-set on the
//! device's `seq`, so two people (or two requests racing for the last laptop) never both win.

use crate::device_loans::{LoanInput, close_loan, open_loan};
use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::{Actor, Store, new_id, parse_code};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::device::{
    DeviceAction, DeviceCondition, DeviceError, DeviceKind, DeviceNeeds, DeviceRequestStatus,
    DeviceState, DeviceStatus, FirstUseSession, WipeEvidence, check_request_cap,
    request_may_complete, transition,
};

/// Open requests a referring organisation may have when the municipality set no cap.
pub const DEFAULT_REQUEST_CAP: i64 = 5;

/// Roles that work at the device bank (its organisation's staff and coordinators).
pub const BANK_ROLES: &[Role] = &[Role::Staff, Role::Coordinator];

/// Roles that register a donation for their organisation.
pub const DONOR_ROLES: &[Role] = &[
    Role::Partner,
    Role::Staff,
    Role::Coordinator,
    Role::Steering,
];

/// Why a step on a device or request was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeviceStepError {
    /// The lifecycle rule said no; the message says what to do instead.
    #[error(transparent)]
    Refused(#[from] DeviceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DeviceStepError {
    fn from(e: sqlx::Error) -> Self {
        DeviceStepError::Store(e.into())
    }
}

/// A municipality's device bank.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceBank {
    pub municipality_code: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub request_cap: i64,
}

/// A donation as registered by its donor.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub municipality_code: String,
    pub donor_organisation_id: String,
    pub kind: DeviceKind,
    pub make_model: String,
    pub count: i64,
    pub condition: DeviceCondition,
    pub has_storage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Batch {
    pub id: String,
    pub municipality_code: String,
    pub donor_organisation_id: String,
    pub donor_name: String,
    pub bank_organisation_id: String,
    pub bank_name: String,
    pub kind: String,
    pub make_model: String,
    pub device_count: i64,
    pub condition: String,
    pub has_storage: i64,
    pub created_at: i64,
}

/// One line of a batch's certificate list: a device and the wiping record of each of its rounds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CertificateLine {
    pub device_id: String,
    pub number: i64,
    pub status: String,
    pub round: Option<i64>,
    pub method: Option<String>,
    pub tool: Option<String>,
    pub wiped_on: Option<String>,
    pub certificate: Option<String>,
    pub exemption: Option<String>,
}

/// A device as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub batch_id: String,
    pub municipality_code: String,
    pub bank_organisation_id: String,
    pub donor_name: String,
    pub number: i64,
    pub kind: DeviceKind,
    pub make_model: String,
    pub has_storage: bool,
    pub status: DeviceStatus,
    pub round: i64,
    pub wipe_recorded: bool,
    pub request_id: Option<String>,
    pub seq: i64,
    pub updated_at: i64,
}

impl Device {
    /// What the lifecycle rule needs.
    pub fn state(&self) -> DeviceState {
        DeviceState {
            status: self.status,
            has_storage: self.has_storage,
            wipe_recorded: self.wipe_recorded,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: String,
    batch_id: String,
    municipality_code: String,
    bank_organisation_id: String,
    donor_name: String,
    number: i64,
    kind: String,
    make_model: String,
    has_storage: i64,
    status: String,
    round: i64,
    wipe_recorded: i64,
    request_id: Option<String>,
    seq: i64,
    updated_at: i64,
}

impl DeviceRow {
    fn into_device(self) -> Result<Device> {
        Ok(Device {
            kind: parse_code(&self.kind)?,
            status: parse_code(&self.status)?,
            has_storage: self.has_storage != 0,
            wipe_recorded: self.wipe_recorded != 0,
            id: self.id,
            batch_id: self.batch_id,
            municipality_code: self.municipality_code,
            bank_organisation_id: self.bank_organisation_id,
            donor_name: self.donor_name,
            number: self.number,
            make_model: self.make_model,
            round: self.round,
            request_id: self.request_id,
            seq: self.seq,
            updated_at: self.updated_at,
        })
    }
}

const SELECT_DEVICE: &str = "SELECT d.id, d.batch_id, d.municipality_code, d.bank_organisation_id, \
     o.name AS donor_name, d.number, d.kind, b.make_model, d.has_storage, d.status, d.round, d.wipe_recorded, \
     d.request_id, d.seq, d.updated_at FROM devices d JOIN device_batches b ON b.id = d.batch_id \
     JOIN organisations o ON o.id = b.donor_organisation_id WHERE 1 = 1";

/// One step in a device's timeline.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceEvent {
    pub seq: i64,
    pub at: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub round: i64,
    pub actor_organisation_name: Option<String>,
    pub note: Option<String>,
}

/// A wiping record (or exemption) of one round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WipeRecord {
    pub round: i64,
    pub method: Option<String>,
    pub tool: Option<String>,
    pub wiped_on: Option<String>,
    pub certificate: Option<String>,
    pub exemption: Option<String>,
    pub recorded_at: i64,
}

/// A device with its timeline and wiping records.
#[derive(Debug, Clone)]
pub struct DeviceDetail {
    pub device: Device,
    pub events: Vec<DeviceEvent>,
    pub wipes: Vec<WipeRecord>,
}

/// What a list of devices may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DeviceFilter {
    pub status: Option<DeviceStatus>,
    pub kind: Option<DeviceKind>,
}

/// A request for a device, as the referrer and the bank see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRequest {
    pub id: String,
    pub municipality_code: String,
    pub referral_id: String,
    pub referring_organisation_id: String,
    pub referring_name: String,
    pub bank_organisation_id: String,
    pub kind: DeviceKind,
    /// `None` once erased with the referral's contact data.
    pub internet_at_home: Option<bool>,
    pub limited_mobility: Option<bool>,
    pub wants_first_use_session: bool,
    pub first_use_session: FirstUseSession,
    pub status: DeviceRequestStatus,
    pub device_id: Option<String>,
    pub created_at: i64,
    pub handed_out_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub erased_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: String,
    municipality_code: String,
    referral_id: String,
    referring_organisation_id: String,
    referring_name: String,
    bank_organisation_id: String,
    kind: String,
    internet_at_home: Option<i64>,
    limited_mobility: Option<i64>,
    wants_first_use_session: i64,
    first_use_session: String,
    status: String,
    device_id: Option<String>,
    created_at: i64,
    handed_out_at: Option<i64>,
    closed_at: Option<i64>,
    erased_at: Option<i64>,
}

impl RequestRow {
    fn into_request(self) -> Result<DeviceRequest> {
        Ok(DeviceRequest {
            kind: parse_code(&self.kind)?,
            first_use_session: parse_code(&self.first_use_session)?,
            status: parse_code(&self.status)?,
            internet_at_home: self.internet_at_home.map(|v| v != 0),
            limited_mobility: self.limited_mobility.map(|v| v != 0),
            wants_first_use_session: self.wants_first_use_session != 0,
            id: self.id,
            municipality_code: self.municipality_code,
            referral_id: self.referral_id,
            referring_organisation_id: self.referring_organisation_id,
            referring_name: self.referring_name,
            bank_organisation_id: self.bank_organisation_id,
            device_id: self.device_id,
            created_at: self.created_at,
            handed_out_at: self.handed_out_at,
            closed_at: self.closed_at,
            erased_at: self.erased_at,
        })
    }
}

const SELECT_REQUEST: &str = "SELECT r.id, r.municipality_code, r.referral_id, r.referring_organisation_id, \
     o.name AS referring_name, r.bank_organisation_id, r.kind, r.internet_at_home, r.limited_mobility, \
     r.wants_first_use_session, r.first_use_session, r.status, r.device_id, r.created_at, r.handed_out_at, \
     r.closed_at, r.erased_at FROM device_requests r JOIN organisations o ON o.id = r.referring_organisation_id \
     WHERE 1 = 1";

/// A request as the referrer types it.
#[derive(Debug, Clone)]
pub struct NewDeviceRequest {
    pub referral_id: String,
    pub needs: DeviceNeeds,
}

/// A step on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStep {
    /// The bank keeps a ready device (this one, or the longest-waiting ready one of the kind) for the request.
    Reserve { device_id: Option<String> },
    /// The bank gives the reserved device to the resident.
    HandOut,
    /// The reservation ends without a hand-out: the request waits again.
    Release,
    /// The first-use session at a help point is booked or held.
    Session(FirstUseSession),
    /// The referrer or the bank stops the request (not after hand-out).
    Cancel,
}

impl Actor {
    /// Organisations where the actor works at a device bank.
    fn bank_organisation_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.memberships
            .iter()
            .filter(|m| BANK_ROLES.contains(&m.role))
            .map(|m| m.organisation_id.clone())
    }

    /// Whether the actor works at this device bank (or is an admin).
    pub fn works_at_bank(&self, bank_organisation_id: &str) -> bool {
        self.is_admin()
            || self
                .memberships
                .iter()
                .any(|m| m.organisation_id == bank_organisation_id && BANK_ROLES.contains(&m.role))
    }
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

impl Store {
    /// Makes `organisation_id` the municipality's device bank with a cap of open requests per referring
    /// organisation. The municipality's steering or an admin; the organisation must be in its chain.
    pub async fn set_device_bank(
        &self,
        actor: &Actor,
        municipality_code: &str,
        organisation_id: &str,
        request_cap: i64,
        now: i64,
    ) -> Result<DeviceBank> {
        if !actor.is_admin()
            && !actor
                .steering_municipalities
                .iter()
                .any(|m| m == municipality_code)
        {
            return Err(StoreError::NotFound);
        }
        if !(1..=1000).contains(&request_cap) {
            return Err(invalid(
                "request_cap",
                "Kies een maximum van 1 tot 1000 open aanvragen.",
            ));
        }
        let in_chain: Option<(String,)> = sqlx::query_as(
            "SELECT o.id FROM organisations o WHERE o.id = $1 AND (o.municipality_code = $2 OR o.id IN \
             (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code = $2))",
        )
        .bind(organisation_id)
        .bind(municipality_code)
        .fetch_optional(&self.pool)
        .await?;
        if in_chain.is_none() {
            return Err(invalid(
                "organisation_id",
                "Deze organisatie is niet actief in deze gemeente.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        // An update, not a new row: the bank's loan terms (deposit, months, reminders) stay when the cap or the
        // bank changes.
        let updated = sqlx::query(
            "UPDATE device_bank_settings SET organisation_id = $2, request_cap = $3, updated_at = $4 \
             WHERE municipality_code = $1",
        )
        .bind(municipality_code)
        .bind(organisation_id)
        .bind(request_cap)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO device_bank_settings (municipality_code, organisation_id, request_cap, updated_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(municipality_code)
            .bind(organisation_id)
            .bind(request_cap)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // The bank's help points publish its lending (HSDS): the directory changed.
        crate::help_points::bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        self.device_bank(municipality_code)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The municipality's device bank, if it has one (public knowledge: who collects devices).
    pub async fn device_bank(&self, municipality_code: &str) -> Result<Option<DeviceBank>> {
        Ok(sqlx::query_as(
            "SELECT s.municipality_code, s.organisation_id, o.name AS organisation_name, s.request_cap \
             FROM device_bank_settings s JOIN organisations o ON o.id = s.organisation_id \
             WHERE s.municipality_code = $1",
        )
        .bind(municipality_code)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The device banks of the municipalities in the actor's chains (where a donor may give), by municipality.
    pub async fn device_banks_for(&self, actor: &Actor) -> Result<Vec<DeviceBank>> {
        let mut sql = Sql::new(
            "SELECT s.municipality_code, s.organisation_id, o.name AS organisation_name, s.request_cap \
             FROM device_bank_settings s JOIN organisations o ON o.id = s.organisation_id WHERE 1 = 1",
        );
        if !actor.is_admin() {
            sql.push(" AND s.municipality_code IN ")
                .bind_list(actor.chain_municipalities.iter().cloned());
        }
        sql.push(" ORDER BY s.municipality_code");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// Registers a donation batch: one device row per device, each with its first event. The actor must be a
    /// member of the donor organisation, which must be active in the municipality that has a device bank.
    pub async fn register_batch(&self, actor: &Actor, new: &NewBatch, now: i64) -> Result<Batch> {
        if !actor.is_admin()
            && !actor.memberships.iter().any(|m| {
                m.organisation_id == new.donor_organisation_id && DONOR_ROLES.contains(&m.role)
            })
        {
            return Err(StoreError::NotFound);
        }
        let mut errors = Vec::new();
        let make_model = new.make_model.trim();
        if make_model.is_empty() || make_model.chars().count() > 200 {
            errors.push(ValidationError::new(
                "make_model",
                "Vul merk en type in (hoogstens 200 tekens), bijvoorbeeld 'Lenovo ThinkPad T480'.",
            ));
        }
        if !(1..=500).contains(&new.count) {
            errors.push(ValidationError::new(
                "count",
                "Vul een aantal van 1 tot 500 in.",
            ));
        }
        let bank = self.device_bank(&new.municipality_code).await?;
        if bank.is_none() {
            errors.push(ValidationError::new(
                "municipality_code",
                "Deze gemeente heeft nog geen digibank. Kies een andere gemeente.",
            ));
        }
        let donor_in_chain: Option<(String,)> = sqlx::query_as(
            "SELECT o.id FROM organisations o WHERE o.id = $1 AND (o.municipality_code = $2 OR o.id IN \
             (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code = $2))",
        )
        .bind(&new.donor_organisation_id)
        .bind(&new.municipality_code)
        .fetch_optional(&self.pool)
        .await?;
        if donor_in_chain.is_none() && bank.is_some() {
            errors.push(ValidationError::new(
                "municipality_code",
                "Uw organisatie is niet actief in deze gemeente.",
            ));
        }
        let Some(bank) = bank.filter(|_| errors.is_empty()) else {
            return Err(StoreError::Invalid(errors));
        };
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO device_batches (id, municipality_code, donor_organisation_id, bank_organisation_id, kind, \
             make_model, device_count, condition, has_storage, registered_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(&new.municipality_code)
        .bind(&new.donor_organisation_id)
        .bind(&bank.organisation_id)
        .bind(new.kind.as_str())
        .bind(make_model)
        .bind(new.count)
        .bind(new.condition.as_str())
        .bind(i64::from(new.has_storage))
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for number in 1..=new.count {
            let device_id = new_id();
            sqlx::query(
                "INSERT INTO devices (id, batch_id, municipality_code, bank_organisation_id, number, kind, \
                 has_storage, status, round, wipe_recorded, request_id, seq, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'donated', 1, 0, NULL, 1, $8)",
            )
            .bind(&device_id)
            .bind(&id)
            .bind(&new.municipality_code)
            .bind(&bank.organisation_id)
            .bind(number)
            .bind(new.kind.as_str())
            .bind(i64::from(new.has_storage))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            insert_device_event(
                &mut tx,
                &device_id,
                1,
                now,
                "donate",
                None,
                DeviceStatus::Donated,
                1,
                Some(&new.donor_organisation_id),
                actor.user_id.as_deref(),
                None,
            )
            .await?;
        }
        tx.commit().await?;
        self.batch(actor, &id).await
    }

    /// The donor's own batches (admins: all), newest first.
    pub async fn batches(&self, actor: &Actor) -> Result<Vec<Batch>> {
        let mut sql = Sql::new(SELECT_BATCH);
        if !actor.is_admin() {
            sql.push(" AND b.donor_organisation_id IN ")
                .bind_list(actor.organisation_ids());
        }
        sql.push(" ORDER BY b.created_at DESC, b.id");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// One batch, for a member of its donor or of its bank (admins: any).
    pub async fn batch(&self, actor: &Actor, id: &str) -> Result<Batch> {
        let mut sql = Sql::new(SELECT_BATCH);
        sql.push(" AND b.id = ").bind(id.to_owned());
        if !actor.is_admin() {
            sql.push(" AND (b.donor_organisation_id IN ")
                .bind_list(actor.organisation_ids());
            sql.push(" OR b.bank_organisation_id IN ")
                .bind_list(actor.bank_organisation_ids());
            sql.push(")");
        }
        sql.query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The certificate list of a batch: every device with each round's wiping record (or exemption).
    pub async fn batch_certificates(
        &self,
        actor: &Actor,
        batch_id: &str,
    ) -> Result<(Batch, Vec<CertificateLine>)> {
        let batch = self.batch(actor, batch_id).await?;
        let lines = sqlx::query_as(
            "SELECT d.id AS device_id, d.number, d.status, w.round, w.method, w.tool, w.wiped_on, w.certificate, \
             w.exemption FROM devices d LEFT JOIN device_wipes w ON w.device_id = d.id \
             WHERE d.batch_id = $1 ORDER BY d.number, w.round",
        )
        .bind(batch_id)
        .fetch_all(&self.pool)
        .await?;
        Ok((batch, lines))
    }

    /// The devices the actor's device bank holds or held, narrowed by the filter, by status then number.
    pub async fn devices(&self, actor: &Actor, filter: &DeviceFilter) -> Result<Vec<Device>> {
        let mut sql = Sql::new(SELECT_DEVICE);
        push_bank_filter(actor, &mut sql);
        if let Some(status) = filter.status {
            sql.push(" AND d.status = ")
                .bind(status.as_str().to_owned());
        }
        if let Some(kind) = filter.kind {
            sql.push(" AND d.kind = ").bind(kind.as_str().to_owned());
        }
        sql.push(" ORDER BY d.updated_at DESC, b.created_at, d.number");
        let rows: Vec<DeviceRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter().map(DeviceRow::into_device).collect()
    }

    /// Counts of the bank's devices per status (only statuses that occur).
    pub async fn device_counts(&self, actor: &Actor) -> Result<Vec<(String, i64)>> {
        let mut sql = Sql::new("SELECT d.status, COUNT(*) FROM devices d WHERE 1 = 1");
        push_bank_filter(actor, &mut sql);
        sql.push(" GROUP BY d.status ORDER BY d.status");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// One device of the actor's bank.
    pub async fn device(&self, actor: &Actor, id: &str) -> Result<Device> {
        let mut sql = Sql::new(SELECT_DEVICE);
        sql.push(" AND d.id = ").bind(id.to_owned());
        push_bank_filter(actor, &mut sql);
        let row: DeviceRow = sql
            .query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        row.into_device()
    }

    /// One device with its timeline and wiping records.
    pub async fn device_detail(&self, actor: &Actor, id: &str) -> Result<DeviceDetail> {
        let device = self.device(actor, id).await?;
        let events = sqlx::query_as(
            "SELECT e.seq, e.at, e.action, e.from_status, e.to_status, e.round, o.name AS actor_organisation_name, \
             e.note FROM device_events e LEFT JOIN organisations o ON o.id = e.actor_organisation_id \
             WHERE e.device_id = $1 ORDER BY e.seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let wipes = sqlx::query_as(
            "SELECT round, method, tool, wiped_on, certificate, exemption, recorded_at FROM device_wipes \
             WHERE device_id = $1 ORDER BY round",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(DeviceDetail {
            device,
            events,
            wipes,
        })
    }

    /// Takes a step on a device at the bank. Reserving goes through a request ([`Store::act_on_device_request`]);
    /// handing out, releasing and recycling a reserved device move its request along in the same transaction.
    pub async fn act_on_device(
        &self,
        actor: &Actor,
        id: &str,
        action: &DeviceAction,
        note: Option<&str>,
        now: i64,
    ) -> Result<Device, DeviceStepError> {
        self.act_on_device_with_loan(actor, id, action, note, None, now)
            .await
    }

    /// [`Store::act_on_device`], with a loan (deposit and months) recorded at hand-out. A return always closes
    /// the device's open loan with the refund its terms give.
    pub async fn act_on_device_with_loan(
        &self,
        actor: &Actor,
        id: &str,
        action: &DeviceAction,
        note: Option<&str>,
        loan: Option<&LoanInput>,
        now: i64,
    ) -> Result<Device, DeviceStepError> {
        let device = self.device(actor, id).await?;
        if !actor.works_at_bank(&device.bank_organisation_id) {
            return Err(StoreError::NotFound.into());
        }
        if matches!(action, DeviceAction::Reserve) {
            return Err(DeviceError::NotAllowed {
                from: device.status,
                action: "reserveren zonder aanvraag",
            }
            .into());
        }
        if loan.is_some() && !matches!(action, DeviceAction::HandOut) {
            return Err(invalid("deposit", "Een lening leg je vast bij het uitgeven.").into());
        }
        let mut tx = self.pool.begin().await?;
        step_device(&mut tx, actor, &device, action, note, now).await?;
        match (action, loan) {
            (DeviceAction::HandOut, Some(loan)) => {
                open_loan(
                    &mut tx,
                    &device.id,
                    device.round,
                    device.request_id.as_deref(),
                    &device.bank_organisation_id,
                    loan,
                    now,
                )
                .await?;
            }
            (DeviceAction::Return, _) => close_loan(&mut tx, &device.id, device.round, now).await?,
            _ => {}
        }
        if let Some(request_id) = &device.request_id {
            match action {
                DeviceAction::HandOut => {
                    hand_out_request(&mut tx, request_id, now).await?;
                }
                DeviceAction::Release | DeviceAction::Recycle
                    if device.status == DeviceStatus::Reserved =>
                {
                    reopen_request(&mut tx, request_id, now).await?;
                }
                _ => {}
            }
        }
        tx.commit().await?;
        Ok(self.device(actor, id).await?)
    }

    /// Asks the municipality's device bank for a device for the resident of a warm referral. The referral must be
    /// the actor's (sender or receiver), with consent in force and contact data not erased; the referring
    /// organisation may not go over the municipality's cap of open requests.
    pub async fn create_device_request(
        &self,
        actor: &Actor,
        new: &NewDeviceRequest,
        now: i64,
    ) -> Result<DeviceRequest> {
        let referral: Option<(String, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT municipality_code, sender_organisation_id, organisation_id, status, erased_at \
             FROM referrals WHERE id = $1",
        )
        .bind(&new.referral_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((municipality, sender, receiver, status, erased_at)) = referral else {
            return Err(invalid("referral_id", "Deze doorverwijzing bestaat niet."));
        };
        let referring = if actor.refers_for(&sender) {
            sender
        } else if actor.refers_for(&receiver) {
            receiver
        } else {
            return Err(invalid("referral_id", "Deze doorverwijzing bestaat niet."));
        };
        let consent: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM referral_consents WHERE referral_id = $1 AND withdrawn_at IS NULL",
        )
        .bind(&new.referral_id)
        .fetch_optional(&self.pool)
        .await?;
        if erased_at.is_some()
            || consent.is_none()
            || matches!(status.as_str(), "withdrawn" | "declined")
        {
            return Err(invalid(
                "referral_id",
                "Bij deze doorverwijzing is geen toestemming (meer) van de inwoner. Vraag een apparaat aan bij een doorverwijzing met toestemming.",
            ));
        }
        let Some(bank) = self.device_bank(&municipality).await? else {
            return Err(invalid(
                "referral_id",
                "De gemeente van deze inwoner heeft nog geen digibank.",
            ));
        };
        let open = self.open_request_count(&referring).await?;
        check_request_cap(
            u32::try_from(open).unwrap_or(u32::MAX),
            u32::try_from(bank.request_cap).unwrap_or(0),
        )
        .map_err(|e| StoreError::Invalid(vec![e]))?;
        let id = new_id();
        // The cap is checked again in the insert itself, after a write on the referring organisation's row: on
        // PostgreSQL (READ COMMITTED) two inserts could otherwise both count the same open requests and pass
        // together; with the row written first, a second request waits for the first to commit and its count
        // sees it. SQLite serialises writers anyway.
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE organisations SET updated_at = updated_at WHERE id = $1")
            .bind(&referring)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(
            "INSERT INTO device_requests (id, municipality_code, referral_id, referring_organisation_id, \
             bank_organisation_id, kind, internet_at_home, limited_mobility, wants_first_use_session, \
             first_use_session, status, device_id, requested_by, created_at, handed_out_at, closed_at, erased_at, \
             updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, 'not_booked', 'open', NULL, $10, $11, NULL, \
             NULL, NULL, $11 WHERE (SELECT COUNT(*) FROM device_requests WHERE referring_organisation_id = $4 \
             AND status IN ('open', 'reserved', 'handed_out')) < $12",
        )
        .bind(&id)
        .bind(&municipality)
        .bind(&new.referral_id)
        .bind(&referring)
        .bind(&bank.organisation_id)
        .bind(new.needs.kind.as_str())
        .bind(i64::from(new.needs.internet_at_home))
        .bind(i64::from(new.needs.limited_mobility))
        .bind(i64::from(new.needs.wants_first_use_session))
        .bind(&actor.user_id)
        .bind(now)
        .bind(bank.request_cap)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if done.rows_affected() != 1 {
            let open = self.open_request_count(&referring).await?;
            check_request_cap(
                u32::try_from(open).unwrap_or(u32::MAX),
                u32::try_from(bank.request_cap).unwrap_or(0),
            )
            .map_err(|e| StoreError::Invalid(vec![e]))?;
            return Err(StoreError::Conflict("device_requests_cap".into()));
        }
        self.device_request(actor, &id).await
    }

    async fn open_request_count(&self, organisation_id: &str) -> Result<i64> {
        let (open,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM device_requests WHERE referring_organisation_id = $1 \
             AND status IN ('open', 'reserved', 'handed_out')",
        )
        .bind(organisation_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(open)
    }

    /// The requests of the actor's referring organisations and of its device bank, newest first.
    pub async fn device_requests(&self, actor: &Actor) -> Result<Vec<DeviceRequest>> {
        let mut sql = Sql::new(SELECT_REQUEST);
        push_request_filter(actor, &mut sql);
        sql.push(" ORDER BY r.created_at DESC, r.id");
        let rows: Vec<RequestRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter().map(RequestRow::into_request).collect()
    }

    /// One request, for the referring organisation and the bank.
    pub async fn device_request(&self, actor: &Actor, id: &str) -> Result<DeviceRequest> {
        let mut sql = Sql::new(SELECT_REQUEST);
        sql.push(" AND r.id = ").bind(id.to_owned());
        push_request_filter(actor, &mut sql);
        let row: RequestRow = sql
            .query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        row.into_request()
    }

    /// A step on a request. Reserving, handing out and releasing are the bank's; the session and cancelling are
    /// the referrer's or the bank's. A request completes by itself once handed out with a session booked or held.
    pub async fn act_on_device_request(
        &self,
        actor: &Actor,
        id: &str,
        step: &RequestStep,
        now: i64,
    ) -> Result<DeviceRequest, DeviceStepError> {
        self.act_on_device_request_with_loan(actor, id, step, None, now)
            .await
    }

    /// [`Store::act_on_device_request`], with a loan recorded when the device is handed out.
    pub async fn act_on_device_request_with_loan(
        &self,
        actor: &Actor,
        id: &str,
        step: &RequestStep,
        loan: Option<&LoanInput>,
        now: i64,
    ) -> Result<DeviceRequest, DeviceStepError> {
        use DeviceRequestStatus as R;
        let request = self.device_request(actor, id).await?;
        let at_bank = actor.works_at_bank(&request.bank_organisation_id);
        let not_allowed = |action: &'static str| DeviceError::NotAllowed {
            from: match request.status {
                R::Open | R::Cancelled => DeviceStatus::Ready,
                R::Reserved => DeviceStatus::Reserved,
                R::HandedOut | R::Completed => DeviceStatus::HandedOut,
            },
            action,
        };
        match step {
            RequestStep::Reserve { device_id } => {
                if !at_bank {
                    return Err(StoreError::Invalid(vec![ValidationError::new(
                        "action",
                        "Alleen de digibank reserveert een apparaat.",
                    )])
                    .into());
                }
                if request.status != R::Open {
                    return Err(not_allowed("reserveren").into());
                }
                let device = match device_id {
                    Some(device_id) => self.device(actor, device_id).await?,
                    None => self.ready_device(actor, &request).await?,
                };
                if device.bank_organisation_id != request.bank_organisation_id {
                    return Err(StoreError::NotFound.into());
                }
                let mut tx = self.pool.begin().await?;
                step_device(&mut tx, actor, &device, &DeviceAction::Reserve, None, now).await?;
                let done = sqlx::query(
                    "UPDATE devices SET request_id = $1 WHERE id = $2 AND status = 'reserved'",
                )
                .bind(id)
                .bind(&device.id)
                .execute(&mut *tx)
                .await?;
                let taken = sqlx::query(
                    "UPDATE device_requests SET status = 'reserved', device_id = $1, updated_at = $2 \
                     WHERE id = $3 AND status = 'open'",
                )
                .bind(&device.id)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 || taken.rows_affected() != 1 {
                    return Err(
                        StoreError::Conflict("device_requests_status_changed".into()).into(),
                    );
                }
                tx.commit().await?;
            }
            RequestStep::HandOut | RequestStep::Release => {
                if !at_bank {
                    return Err(StoreError::Invalid(vec![ValidationError::new(
                        "action",
                        "Alleen de digibank geeft een apparaat uit of geeft een reservering vrij.",
                    )])
                    .into());
                }
                let (Some(device_id), R::Reserved) = (&request.device_id, request.status) else {
                    return Err(not_allowed(if *step == RequestStep::HandOut {
                        "uitgeven"
                    } else {
                        "reservering vrijgeven"
                    })
                    .into());
                };
                let action = if *step == RequestStep::HandOut {
                    DeviceAction::HandOut
                } else {
                    DeviceAction::Release
                };
                self.act_on_device_with_loan(actor, device_id, &action, None, loan, now)
                    .await?;
            }
            RequestStep::Session(session) => {
                if !request.status.is_open() {
                    return Err(not_allowed("eerste les vastleggen").into());
                }
                let complete = request_may_complete(request.status, *session);
                let mut sql = Sql::new("UPDATE device_requests SET first_use_session = ");
                sql.bind(session.as_str().to_owned());
                sql.push(", updated_at = ").bind(now);
                if complete {
                    sql.push(", status = 'completed', closed_at = ").bind(now);
                }
                sql.push(" WHERE id = ").bind(id.to_owned());
                sql.push(" AND status = ")
                    .bind(request.status.as_str().to_owned());
                let done = sql.query()?.execute(&self.pool).await?;
                if done.rows_affected() != 1 {
                    return Err(
                        StoreError::Conflict("device_requests_status_changed".into()).into(),
                    );
                }
            }
            RequestStep::Cancel => {
                if !matches!(request.status, R::Open | R::Reserved) {
                    return Err(not_allowed("annuleren").into());
                }
                let mut tx = self.pool.begin().await?;
                if let (Some(device_id), R::Reserved) = (&request.device_id, request.status) {
                    // The bank's device goes back on the shelf, whoever cancels.
                    let device = self.device_unscoped(device_id).await?;
                    step_device(
                        &mut tx,
                        actor,
                        &device,
                        &DeviceAction::Release,
                        Some("Aanvraag geannuleerd"),
                        now,
                    )
                    .await?;
                }
                let done = sqlx::query(
                    "UPDATE device_requests SET status = 'cancelled', closed_at = $1, updated_at = $1 \
                     WHERE id = $2 AND status = $3",
                )
                .bind(now)
                .bind(id)
                .bind(request.status.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(
                        StoreError::Conflict("device_requests_status_changed".into()).into(),
                    );
                }
                tx.commit().await?;
            }
        }
        Ok(self.device_request(actor, id).await?)
    }

    /// The longest-waiting ready device of the request's kind at its bank.
    async fn ready_device(&self, actor: &Actor, request: &DeviceRequest) -> Result<Device> {
        let mut sql = Sql::new(SELECT_DEVICE);
        sql.push(" AND d.status = 'ready' AND d.kind = ")
            .bind(request.kind.as_str().to_owned());
        sql.push(" AND d.bank_organisation_id = ")
            .bind(request.bank_organisation_id.clone());
        push_bank_filter(actor, &mut sql);
        sql.push(" ORDER BY d.updated_at, d.id LIMIT 1");
        let row: Option<DeviceRow> = sql.query_as()?.fetch_optional(&self.pool).await?;
        match row {
            Some(row) => row.into_device(),
            None => Err(invalid(
                "device_id",
                "Er is nu geen apparaat van deze soort klaar om uit te geven.",
            )),
        }
    }

    /// A device by id without the bank filter: only for a step the request's rules already allowed.
    async fn device_unscoped(&self, id: &str) -> Result<Device> {
        let mut sql = Sql::new(SELECT_DEVICE);
        sql.push(" AND d.id = ").bind(id.to_owned());
        let row: DeviceRow = sql
            .query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        row.into_device()
    }
}

const SELECT_BATCH: &str = "SELECT b.id, b.municipality_code, b.donor_organisation_id, d.name AS donor_name, \
     b.bank_organisation_id, k.name AS bank_name, b.kind, b.make_model, b.device_count, b.condition, b.has_storage, \
     b.created_at FROM device_batches b JOIN organisations d ON d.id = b.donor_organisation_id \
     JOIN organisations k ON k.id = b.bank_organisation_id WHERE 1 = 1";

/// Devices of the banks where the actor works (admins: all).
fn push_bank_filter(actor: &Actor, sql: &mut Sql) {
    if actor.is_admin() {
        return;
    }
    sql.push(" AND d.bank_organisation_id IN ")
        .bind_list(actor.bank_organisation_ids());
}

/// Requests of the actor's referring organisations or of the banks where it works (admins: all).
fn push_request_filter(actor: &Actor, sql: &mut Sql) {
    if actor.is_admin() {
        return;
    }
    sql.push(" AND (r.referring_organisation_id IN ")
        .bind_list(actor.referral_organisation_ids());
    sql.push(" OR r.bank_organisation_id IN ")
        .bind_list(actor.bank_organisation_ids());
    sql.push(")");
}

/// Applies `action` to `device` through the lifecycle rule and writes it with a compare-and-set on `seq`
/// (a concurrent step makes this one fail with a conflict), with its event and, for a wipe, its record.
async fn step_device(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    device: &Device,
    action: &DeviceAction,
    note: Option<&str>,
    now: i64,
) -> Result<DeviceState, DeviceStepError> {
    let next = transition(device.state(), action)?;
    // A returned device starts a new round: it held a resident's data.
    let round = if matches!(action, DeviceAction::Return) {
        device.round + 1
    } else {
        device.round
    };
    let clear_request = matches!(
        action,
        DeviceAction::Return | DeviceAction::Release | DeviceAction::Recycle
    );
    let mut sql = Sql::new("UPDATE devices SET status = ");
    sql.bind(next.status.as_str().to_owned());
    sql.push(", wipe_recorded = ")
        .bind(i64::from(next.wipe_recorded));
    sql.push(", round = ").bind(round);
    sql.push(", seq = seq + 1, updated_at = ").bind(now);
    if clear_request {
        sql.push(", request_id = NULL");
    }
    sql.push(" WHERE id = ").bind(device.id.clone());
    sql.push(" AND seq = ").bind(device.seq);
    sql.push(" AND status = ")
        .bind(device.status.as_str().to_owned());
    let done = sql.query()?.execute(&mut **tx).await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("devices_status_changed".into()).into());
    }
    if let DeviceAction::Wipe(evidence) = action {
        let (method, tool, wiped_on, certificate, exemption) = match evidence {
            WipeEvidence::Record {
                method,
                tool,
                wiped_on,
                certificate,
            } => (
                Some(method.as_str().to_owned()),
                Some(tool.trim().to_owned()),
                Some(wiped_on.to_string()),
                Some(certificate.trim().to_owned()),
                None,
            ),
            WipeEvidence::Exemption { reason } => {
                (None, None, None, None, Some(reason.trim().to_owned()))
            }
        };
        sqlx::query(
            "INSERT INTO device_wipes (id, device_id, round, method, tool, wiped_on, certificate, exemption, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id())
        .bind(&device.id)
        .bind(round)
        .bind(method)
        .bind(tool)
        .bind(wiped_on)
        .bind(certificate)
        .bind(exemption)
        .bind(&actor.user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    insert_device_event(
        tx,
        &device.id,
        device.seq + 1,
        now,
        action_code(action),
        Some(device.status),
        next.status,
        round,
        Some(&device.bank_organisation_id),
        actor.user_id.as_deref(),
        note,
    )
    .await?;
    Ok(next)
}

/// The stable code of a step, as stored in the timeline and used in the API.
pub fn action_code(action: &DeviceAction) -> &'static str {
    match action {
        DeviceAction::Accept => "accept",
        DeviceAction::Decline => "decline",
        DeviceAction::Wipe(_) => "wipe",
        DeviceAction::Refurbish => "refurbish",
        DeviceAction::MarkReady => "mark_ready",
        DeviceAction::Reserve => "reserve",
        DeviceAction::Release => "release",
        DeviceAction::HandOut => "hand_out",
        DeviceAction::Return => "return",
        DeviceAction::Recycle => "recycle",
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per timeline column"
)]
async fn insert_device_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    device_id: &str,
    seq: i64,
    at: i64,
    action: &str,
    from: Option<DeviceStatus>,
    to: DeviceStatus,
    round: i64,
    actor_organisation_id: Option<&str>,
    actor_user_id: Option<&str>,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO device_events (id, device_id, seq, at, action, from_status, to_status, round, \
         actor_organisation_id, actor_user_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id())
    .bind(device_id)
    .bind(seq)
    .bind(at)
    .bind(action)
    .bind(from.map(|s| s.as_str().to_owned()))
    .bind(to.as_str())
    .bind(round)
    .bind(actor_organisation_id)
    .bind(actor_user_id)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The reserved device went to the resident: the request is handed out, or completed when the first-use
/// session is already booked or held.
async fn hand_out_request(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request_id: &str,
    now: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE device_requests SET status = CASE WHEN first_use_session = 'not_booked' THEN 'handed_out' \
         ELSE 'completed' END, closed_at = CASE WHEN first_use_session = 'not_booked' THEN NULL ELSE $1 END, \
         handed_out_at = $1, updated_at = $1 WHERE id = $2 AND status = 'reserved'",
    )
    .bind(now)
    .bind(request_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(
            "device_requests_status_changed".into(),
        ));
    }
    Ok(())
}

/// The reservation ended without a hand-out: the request waits for a device again.
async fn reopen_request(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request_id: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE device_requests SET status = 'open', device_id = NULL, updated_at = $1 \
         WHERE id = $2 AND status = 'reserved'",
    )
    .bind(now)
    .bind(request_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Erases the resident's needs from requests whose referral's contact data is erased (the purge, a withdrawal
/// or an AVG request): the referral rules apply to them. Called inside the referral purge's transaction.
pub(crate) async fn erase_device_requests(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    now: i64,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE device_requests SET internet_at_home = NULL, limited_mobility = NULL, erased_at = $1 \
         WHERE erased_at IS NULL AND referral_id IN (SELECT id FROM referrals WHERE erased_at IS NOT NULL)",
    )
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// The demo's device bank: Bibliotheek Rotterdam, donations from the demo bank and insurer, devices in every state
/// and requests from the bank's partner on its open referrals. Every step goes through the same code as the web.
impl Store {
    pub async fn load_demo_devices(&self, now: i64) -> Result<()> {
        use crate::scope::Membership;
        let id_of = |name: &'static str| async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM organisations WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
        };
        let (Some(library), Some(maasbank), Some(insurer)) = (
            id_of("Bibliotheek Rotterdam").await?,
            id_of("Maasbank").await?,
            id_of("Zorgverzekeraar Rijnmond Zorg").await?,
        ) else {
            return Ok(());
        };
        let actor_of = |org: &str, role: Role| Actor {
            user_id: None,
            memberships: vec![Membership {
                organisation_id: org.to_owned(),
                organisation_name: String::new(),
                role,
            }],
            chain_municipalities: vec!["GM0599".to_owned()],
            steering_municipalities: Vec::new(),
        };
        let admin = actor_of("", Role::Admin);
        let partner = actor_of(&maasbank, Role::Partner);
        let refused = |e: DeviceStepError| match e {
            DeviceStepError::Store(s) => s,
            DeviceStepError::Refused(r) => StoreError::Corrupt(format!("demo step refused: {r}")),
        };
        self.set_device_bank(&admin, "GM0599", &library, DEFAULT_REQUEST_CAP, now)
            .await?;
        let mut at = now - 30 * 86_400;
        let batch = |donor: &str, kind, make_model: &str, count, storage| NewBatch {
            municipality_code: "GM0599".to_owned(),
            donor_organisation_id: donor.to_owned(),
            kind,
            make_model: make_model.to_owned(),
            count,
            condition: DeviceCondition::Good,
            has_storage: storage,
        };
        let laptops = self
            .register_batch(
                &admin,
                &batch(
                    &maasbank,
                    DeviceKind::Laptop,
                    "Lenovo ThinkPad T480",
                    8,
                    true,
                ),
                at,
            )
            .await?;
        let tablets = self
            .register_batch(
                &admin,
                &batch(
                    &insurer,
                    DeviceKind::Tablet,
                    "Samsung Galaxy Tab A8",
                    4,
                    false,
                ),
                at,
            )
            .await?;
        let ids = |batch_id: String| async move {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM devices WHERE batch_id = $1 ORDER BY number",
            )
            .bind(batch_id)
            .fetch_all(&self.pool)
            .await
        };
        let laptop_ids = ids(laptops.id).await?;
        let tablet_ids = ids(tablets.id).await?;
        let wipe = |day: jiff::civil::Date| {
            DeviceAction::Wipe(WipeEvidence::Record {
                method: keten_core::device::WipeMethod::NistPurge,
                tool: "Blancco Drive Eraser".into(),
                wiped_on: day,
                certificate: format!("BL-DEMO-{}", day.strftime("%Y%m%d")),
            })
        };
        let day = jiff::Timestamp::from_second(at)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        use DeviceAction as A;
        // Laptop n (1-based) goes through these steps: donated, accepted, declined, wiped, refurbished, ready x2,
        // recycled.
        let plans: [Vec<DeviceAction>; 8] = [
            vec![],
            vec![A::Accept],
            vec![A::Decline],
            vec![A::Accept, wipe(day)],
            vec![A::Accept, wipe(day), A::Refurbish],
            vec![A::Accept, wipe(day), A::Refurbish, A::MarkReady],
            vec![A::Accept, wipe(day), A::MarkReady],
            vec![A::Accept, A::Recycle],
        ];
        let bank = actor_of(&library, Role::Staff);
        for (id, plan) in laptop_ids.iter().zip(plans.iter()) {
            for action in plan {
                at += 3600;
                self.act_on_device(&bank, id, action, None, at.min(now))
                    .await
                    .map_err(refused)?;
            }
        }
        for (n, id) in tablet_ids.iter().enumerate() {
            let plan: &[DeviceAction] = if n == 2 {
                &[A::Accept]
            } else {
                &[A::Accept, A::MarkReady]
            };
            for action in plan {
                at += 3600;
                self.act_on_device(&bank, id, action, None, at.min(now))
                    .await
                    .map_err(refused)?;
            }
        }
        // Requests of the bank's partner on its open referrals with consent: one completed and returned, one
        // reserved, one handed out and waiting for its first-use session.
        let referrals: Vec<String> = sqlx::query_scalar(
            "SELECT r.id FROM referrals r WHERE r.organisation_id = $1 AND r.erased_at IS NULL \
             AND r.status NOT IN ('withdrawn', 'declined') AND EXISTS (SELECT 1 FROM referral_consents c \
             WHERE c.referral_id = r.id AND c.withdrawn_at IS NULL) ORDER BY r.sent_at, r.id LIMIT 3",
        )
        .bind(&maasbank)
        .fetch_all(&self.pool)
        .await?;
        let steps: [(DeviceKind, &str, &[RequestStep]); 3] = [
            (
                DeviceKind::Laptop,
                &laptop_ids[5],
                &[
                    RequestStep::HandOut,
                    RequestStep::Session(FirstUseSession::Booked),
                ],
            ),
            (DeviceKind::Laptop, &laptop_ids[6], &[]),
            (DeviceKind::Tablet, &tablet_ids[0], &[RequestStep::HandOut]),
        ];
        for (referral, (kind, device, after)) in referrals.iter().zip(steps) {
            at += 3600;
            let request = self
                .create_device_request(
                    &partner,
                    &NewDeviceRequest {
                        referral_id: referral.clone(),
                        needs: DeviceNeeds {
                            kind,
                            internet_at_home: false,
                            limited_mobility: false,
                            wants_first_use_session: true,
                        },
                    },
                    at.min(now),
                )
                .await?;
            let mut all = vec![RequestStep::Reserve {
                device_id: Some(device.to_owned()),
            }];
            all.extend(after.iter().cloned());
            for step in &all {
                at += 3600;
                // Handed out on loan, as in Amsterdam: EUR 20 deposit, 36 months.
                let loan = (*step == RequestStep::HandOut).then_some(LoanInput {
                    deposit_cents: 2000,
                    months: 36,
                });
                self.act_on_device_request_with_loan(
                    &bank,
                    &request.id,
                    step,
                    loan.as_ref(),
                    at.min(now),
                )
                .await
                .map_err(refused)?;
            }
        }
        if !referrals.is_empty() {
            // The first laptop came back from its resident.
            self.act_on_device(&bank, &laptop_ids[5], &A::Return, None, now)
                .await
                .map_err(refused)?;
        }
        Ok(())
    }
}
