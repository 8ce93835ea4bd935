//! Programmes, their conditions and waves, and applications with dossier members; the tenant rules of both.
//!
//! A programme is run by the programme managers of its organisation (and admins); anyone signed in may read a
//! programme's settings (they are a public call). An application is seen by the members of the applying
//! organisation, of its member organisations, and by the programme's managers; everyone else gets NotFound.

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::{Actor, Store, new_id, parse_code};
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::organisation::OrganisationKind;
use keten_core::programme::{
    Amount, ApplicantKind, ApplicationStatus, EligibilityRules, EuroCents, MemberRole,
    ProgrammeDraft, ProgrammeKind,
};
use keten_core::reference::Country;

/// A stored programme with its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub kind: ProgrammeKind,
    pub name: String,
    pub description: String,
    pub applicant_kind: ApplicantKind,
    pub opens_on: Date,
    pub closes_on: Date,
    pub budget: EuroCents,
    pub cap: Amount,
    pub vat_percent: u32,
    pub max_participants: u32,
    pub rules: EligibilityRules,
    pub size_thresholds: (u32, u32),
    pub conditions: Vec<String>,
    pub waves: Vec<Wave>,
}

impl Programme {
    /// Open for applications on `today` (the programme's own calendar day).
    #[must_use]
    pub fn is_open(&self, today: Date) -> bool {
        self.opens_on <= today && today <= self.closes_on
    }
}

/// A wave of a subsidy scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wave {
    pub id: String,
    pub name: String,
    pub places: u32,
    pub amount: EuroCents,
    pub announce_on: Option<Date>,
    /// What one participant of the wave receives per calendar year, in year order (empty: not spread).
    pub years: Vec<(i32, EuroCents)>,
}

/// A member of a dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub organisation_id: String,
    pub organisation_name: String,
    pub municipality_code: String,
    pub role: MemberRole,
    pub confirmed_at: Option<i64>,
}

/// A stored application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: String,
    pub programme_id: String,
    pub programme_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub municipality_code: String,
    pub status: ApplicationStatus,
    pub amount: Amount,
    pub proposal: String,
    pub helix_partners: String,
    pub wave_id: Option<String>,
    pub info_request: Option<String>,
    pub decision_note: Option<String>,
    pub confirmed_conditions: Vec<usize>,
    pub members: Vec<Member>,
    pub submitted_at: i64,
    pub updated_at: i64,
}

impl Application {
    /// Every member confirmed its place in the dossier.
    #[must_use]
    pub fn members_confirmed(&self) -> bool {
        self.members.iter().all(|m| m.confirmed_at.is_some())
    }
}

/// An application as checked by the web layer (cap, conditions, eligibility) and ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub organisation_id: String,
    pub amount: Amount,
    pub proposal: String,
    pub helix_partners: String,
    pub wave_id: Option<String>,
    pub confirmed_conditions: Vec<usize>,
    /// Member municipalities by code, with their role.
    pub members: Vec<(String, MemberRole)>,
}

/// Filter of a manager's application list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    pub status: Option<ApplicationStatus>,
    pub province: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ProgrammeRow {
    id: String,
    organisation_id: String,
    organisation_name: String,
    kind: String,
    name: String,
    description: String,
    applicant_kind: String,
    opens_on: String,
    closes_on: String,
    budget_cents: i64,
    cap_cents: i64,
    cap_vat_included: i64,
    vat_percent: i64,
    max_participants: i64,
    country: Option<String>,
    min_population: Option<i64>,
    max_population: Option<i64>,
    excluded_programmes: String,
    small_below: i64,
    large_from: i64,
}

fn date(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unreadable date '{s}'")))
}

fn small(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("out of range: {n}")))
}

impl ProgrammeRow {
    fn into_programme(self, conditions: Vec<String>, waves: Vec<Wave>) -> Result<Programme> {
        Ok(Programme {
            kind: parse_code(&self.kind)?,
            applicant_kind: parse_code(&self.applicant_kind)?,
            opens_on: date(&self.opens_on)?,
            closes_on: date(&self.closes_on)?,
            budget: EuroCents(self.budget_cents),
            cap: Amount {
                cents: EuroCents(self.cap_cents),
                vat_included: self.cap_vat_included != 0,
            },
            vat_percent: small(self.vat_percent)?,
            max_participants: small(self.max_participants)?,
            rules: EligibilityRules {
                country: match self.country.as_deref() {
                    Some("NL") => Some(Country::Nl),
                    Some("BE") => Some(Country::Be),
                    _ => None,
                },
                min_population: self.min_population.map(small).transpose()?,
                max_population: self.max_population.map(small).transpose()?,
                excluded_programmes: self
                    .excluded_programmes
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            size_thresholds: (small(self.small_below)?, small(self.large_from)?),
            conditions,
            waves,
            id: self.id,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            name: self.name,
            description: self.description,
        })
    }
}

const SELECT_PROGRAMMES: &str = "SELECT p.id, p.organisation_id, o.name AS organisation_name, p.kind, p.name, \
     p.description, p.applicant_kind, p.opens_on, p.closes_on, p.budget_cents, p.cap_cents, p.cap_vat_included, \
     p.vat_percent, p.max_participants, p.country, p.min_population, p.max_population, p.excluded_programmes, \
     p.small_below, p.large_from FROM programmes p JOIN organisations o ON o.id = p.organisation_id WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: String,
    programme_id: String,
    programme_name: String,
    organisation_id: String,
    organisation_name: String,
    municipality_code: String,
    status: String,
    amount_cents: i64,
    amount_vat_included: i64,
    proposal: String,
    helix_partners: String,
    wave_id: Option<String>,
    info_request: Option<String>,
    decision_note: Option<String>,
    submitted_at: i64,
    updated_at: i64,
}

const SELECT_APPLICATIONS: &str = "SELECT a.id, a.programme_id, p.name AS programme_name, a.organisation_id, \
     o.name AS organisation_name, a.municipality_code, a.status, a.amount_cents, a.amount_vat_included, a.proposal, \
     a.helix_partners, a.wave_id, a.info_request, a.decision_note, a.submitted_at, a.updated_at \
     FROM applications a JOIN programmes p ON p.id = a.programme_id JOIN organisations o ON o.id = a.organisation_id \
     WHERE 1 = 1";

/// The organisations an actor may apply for: municipalities it steers, libraries it coordinates.
fn applicant_roles(kind: ApplicantKind) -> (Role, OrganisationKind) {
    match kind {
        ApplicantKind::Municipality => (Role::Steering, OrganisationKind::Municipality),
        ApplicantKind::Library => (Role::Coordinator, OrganisationKind::Library),
    }
}

fn refused(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

impl Store {
    /// Creates a programme for `organisation_id`; only its programme managers (or an admin) may.
    pub async fn create_programme(
        &self,
        actor: &Actor,
        organisation_id: &str,
        draft: &ProgrammeDraft,
        now: i64,
    ) -> Result<Programme> {
        if !actor.is_admin()
            && !actor
                .organisation_ids_with(Role::ProgrammeManager)
                .any(|o| o == organisation_id)
        {
            return Err(StoreError::NotFound);
        }
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO programmes (id, organisation_id, kind, name, description, applicant_kind, opens_on, \
             closes_on, budget_cents, cap_cents, cap_vat_included, vat_percent, max_participants, country, \
             min_population, max_population, excluded_programmes, small_below, large_from, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)",
        )
        .bind(&id)
        .bind(organisation_id)
        .bind(draft.kind.as_str())
        .bind(&draft.name)
        .bind(&draft.description)
        .bind(draft.applicant_kind.as_str())
        .bind(draft.opens_on.to_string())
        .bind(draft.closes_on.to_string())
        .bind(draft.budget.0)
        .bind(draft.cap.cents.0)
        .bind(i64::from(draft.cap.vat_included))
        .bind(i64::from(draft.vat_percent))
        .bind(i64::from(draft.max_participants))
        .bind(draft.rules.country.map(|c| c.as_str().to_owned()))
        .bind(draft.rules.min_population.map(i64::from))
        .bind(draft.rules.max_population.map(i64::from))
        .bind(draft.rules.excluded_programmes.join("\n"))
        .bind(i64::from(draft.size_thresholds.0))
        .bind(i64::from(draft.size_thresholds.1))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (i, text) in draft.conditions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO programme_conditions (programme_id, position, text) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(i as i64)
            .bind(text)
            .execute(&mut *tx)
            .await?;
        }
        for (i, w) in draft.waves.iter().enumerate() {
            let wave_id = new_id();
            sqlx::query(
                "INSERT INTO programme_waves (id, programme_id, position, name, places, amount_cents, announce_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&wave_id)
            .bind(&id)
            .bind(i as i64)
            .bind(&w.name)
            .bind(i64::from(w.places))
            .bind(w.amount.0)
            .bind(w.announce_on.map(|d| d.to_string()))
            .execute(&mut *tx)
            .await?;
            for (year, amount) in &w.years {
                sqlx::query(
                    "INSERT INTO programme_wave_years (wave_id, year, amount_cents) VALUES ($1, $2, $3)",
                )
                .bind(&wave_id)
                .bind(i64::from(*year))
                .bind(amount.0)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        self.programme(&id).await
    }

    /// A programme's settings: public (a call is published), so no actor.
    pub async fn programme(&self, id: &str) -> Result<Programme> {
        let mut sql = Sql::new(SELECT_PROGRAMMES);
        sql.push(" AND p.id = ").bind(id.to_owned());
        let row: ProgrammeRow = sql.query_as()?.fetch_one(&self.pool).await?;
        self.complete_programme(row).await
    }

    /// A programme the actor manages (its organisation's programme manager, or an admin); else NotFound.
    pub async fn managed_programme(&self, actor: &Actor, id: &str) -> Result<Programme> {
        let p = self.programme(id).await?;
        if manages(actor, &p.organisation_id) {
            Ok(p)
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn complete_programme(&self, row: ProgrammeRow) -> Result<Programme> {
        let conditions: Vec<String> = sqlx::query_scalar(
            "SELECT text FROM programme_conditions WHERE programme_id = $1 ORDER BY position",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await?;
        let waves: Vec<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT id, name, places, amount_cents, announce_on FROM programme_waves \
             WHERE programme_id = $1 ORDER BY position",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await?;
        let years: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT y.wave_id, y.year, y.amount_cents FROM programme_wave_years y \
             JOIN programme_waves w ON w.id = y.wave_id WHERE w.programme_id = $1 ORDER BY y.year",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await?;
        let waves = waves
            .into_iter()
            .map(|(id, name, places, amount, announce)| {
                let years = years
                    .iter()
                    .filter(|(wave, _, _)| *wave == id)
                    .map(|(_, year, cents)| {
                        let year = i32::try_from(*year)
                            .map_err(|_| StoreError::Corrupt(format!("wave year {year}")))?;
                        Ok((year, EuroCents(*cents)))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Wave {
                    id,
                    name,
                    places: small(places)?,
                    amount: EuroCents(amount),
                    announce_on: announce.as_deref().map(date).transpose()?,
                    years,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        row.into_programme(conditions, waves)
    }

    /// Every programme, newest first (the list of calls; settings are public).
    pub async fn programmes(&self) -> Result<Vec<Programme>> {
        let mut sql = Sql::new(SELECT_PROGRAMMES);
        sql.push(" ORDER BY p.opens_on DESC, p.name");
        let rows: Vec<ProgrammeRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.complete_programme(row).await?);
        }
        Ok(out)
    }

    /// The programmes the actor manages.
    pub async fn managed_programmes(&self, actor: &Actor) -> Result<Vec<Programme>> {
        Ok(self
            .programmes()
            .await?
            .into_iter()
            .filter(|p| manages(actor, &p.organisation_id))
            .collect())
    }

    /// Names of the programmes a municipality takes part in: selected as applicant or as a funded member.
    pub async fn programmes_of_municipality(&self, municipality_code: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT p.name FROM applications a JOIN programmes p ON p.id = a.programme_id \
             WHERE a.status = 'selected' AND (a.municipality_code = $1 OR a.id IN \
             (SELECT application_id FROM application_members WHERE municipality_code = $1 AND member_role = 'member')) \
             ORDER BY p.name",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The organisations the actor may apply for in a programme of this kind of applicant, with their names and
    /// home municipality.
    pub async fn applicant_organisations(
        &self,
        actor: &Actor,
        kind: ApplicantKind,
    ) -> Result<Vec<(String, String, String)>> {
        let (role, org_kind) = applicant_roles(kind);
        let mut sql =
            Sql::new("SELECT id, name, municipality_code FROM organisations WHERE kind = ");
        sql.bind(org_kind.as_str());
        sql.push(" AND id IN ")
            .bind_list(actor.organisation_ids_with(role));
        sql.push(" ORDER BY name");
        Ok(sql.query_as()?.fetch_all(&self.pool).await?)
    }

    /// The municipality organisation of a municipality code (the one a dossier member confirms from).
    pub async fn municipality_organisation(&self, code: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, name FROM organisations WHERE kind = 'municipality' AND municipality_code = $1 \
             ORDER BY created_at, id LIMIT 1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Submits an application, or updates the organisation's own while it is submitted or missing
    /// information (a resubmission clears the request). The actor must apply for the organisation; members
    /// are the municipality organisations of their codes and must confirm again when the list changes.
    pub async fn submit_application(
        &self,
        actor: &Actor,
        programme: &Programme,
        new: &NewApplication,
        now: i64,
    ) -> Result<Application> {
        let mine = self
            .applicant_organisations(actor, programme.applicant_kind)
            .await?;
        let Some((_, _, municipality_code)) = mine
            .into_iter()
            .find(|(id, _, _)| *id == new.organisation_id)
        else {
            return Err(StoreError::NotFound);
        };
        let mut members = Vec::new();
        for (code, role) in &new.members {
            if *code == municipality_code {
                return Err(refused(
                    "members",
                    "De penhouder staat al in het dossier; noem alleen de andere gemeenten.",
                ));
            }
            match self.municipality_organisation(code).await? {
                Some((org, name)) => members.push((org, name, code.clone(), *role)),
                None => {
                    let name = keten_core::reference::municipality(code)
                        .map_or(code.as_str(), |m| m.name.as_str());
                    return Err(refused(
                        "members",
                        format!(
                            "{name} heeft nog geen account in keten. Vraag de gemeente om zich aan te melden; daarna kunt u haar toevoegen."
                        ),
                    ));
                }
            }
        }
        let mut tx = self.pool.begin().await?;
        let existing: Option<(String, String)> = sqlx::query_as(
            "SELECT id, status FROM applications WHERE programme_id = $1 AND organisation_id = $2",
        )
        .bind(&programme.id)
        .bind(&new.organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match existing {
            Some((id, status)) => {
                let status: ApplicationStatus = parse_code(&status)?;
                if !matches!(
                    status,
                    ApplicationStatus::Submitted | ApplicationStatus::MissingInfo
                ) {
                    return Err(StoreError::Conflict("application_decided".into()));
                }
                sqlx::query(
                    "UPDATE applications SET status = 'submitted', amount_cents = $1, amount_vat_included = $2, \
                     proposal = $3, helix_partners = $4, wave_id = $5, info_request = NULL, updated_at = $6 \
                     WHERE id = $7",
                )
                .bind(new.amount.cents.0)
                .bind(i64::from(new.amount.vat_included))
                .bind(&new.proposal)
                .bind(&new.helix_partners)
                .bind(new.wave_id.clone())
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM application_conditions WHERE application_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO applications (id, programme_id, organisation_id, municipality_code, status, \
                     amount_cents, amount_vat_included, proposal, helix_partners, wave_id, submitted_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10, $10)",
                )
                .bind(&id)
                .bind(&programme.id)
                .bind(&new.organisation_id)
                .bind(&municipality_code)
                .bind(new.amount.cents.0)
                .bind(i64::from(new.amount.vat_included))
                .bind(&new.proposal)
                .bind(&new.helix_partners)
                .bind(new.wave_id.clone())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        for position in &new.confirmed_conditions {
            sqlx::query(
                "INSERT INTO application_conditions (application_id, position, confirmed_at) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(*position as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // Members that stay keep their confirmation; new ones must confirm; dropped ones go.
        let kept: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
        let mut del = Sql::new("DELETE FROM application_members WHERE application_id = ");
        del.bind(id.clone());
        del.push(" AND organisation_id NOT IN ").bind_list(kept);
        del.query()?.execute(&mut *tx).await?;
        for (org, _, code, role) in &members {
            sqlx::query(
                "INSERT INTO application_members (application_id, organisation_id, municipality_code, member_role) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (application_id, organisation_id) DO UPDATE SET member_role = $4",
            )
            .bind(&id)
            .bind(org)
            .bind(code)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.application(actor, &id).await
    }

    async fn complete_application(&self, row: ApplicationRow) -> Result<Application> {
        let confirmed: Vec<i64> = sqlx::query_scalar(
            "SELECT position FROM application_conditions WHERE application_id = $1 ORDER BY position",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await?;
        let members: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT m.organisation_id, o.name, m.municipality_code, m.member_role, m.confirmed_at \
             FROM application_members m JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.application_id = $1 ORDER BY o.name",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Application {
            status: parse_code(&row.status)?,
            amount: Amount {
                cents: EuroCents(row.amount_cents),
                vat_included: row.amount_vat_included != 0,
            },
            confirmed_conditions: confirmed
                .into_iter()
                .filter_map(|p| usize::try_from(p).ok())
                .collect(),
            members: members
                .into_iter()
                .map(
                    |(
                        organisation_id,
                        organisation_name,
                        municipality_code,
                        role,
                        confirmed_at,
                    )| {
                        Ok(Member {
                            organisation_id,
                            organisation_name,
                            municipality_code,
                            role: parse_code(&role)?,
                            confirmed_at,
                        })
                    },
                )
                .collect::<Result<Vec<_>>>()?,
            id: row.id,
            programme_id: row.programme_id,
            programme_name: row.programme_name,
            organisation_id: row.organisation_id,
            organisation_name: row.organisation_name,
            municipality_code: row.municipality_code,
            proposal: row.proposal,
            helix_partners: row.helix_partners,
            wave_id: row.wave_id,
            info_request: row.info_request,
            decision_note: row.decision_note,
            submitted_at: row.submitted_at,
            updated_at: row.updated_at,
        })
    }

    /// One application, for the applicant's members, its dossier members' members and the programme's managers.
    pub async fn application(&self, actor: &Actor, id: &str) -> Result<Application> {
        let mut sql = Sql::new(SELECT_APPLICATIONS);
        sql.push(" AND a.id = ").bind(id.to_owned());
        push_application_filter(actor, &mut sql);
        let row: ApplicationRow = sql.query_as()?.fetch_one(&self.pool).await?;
        self.complete_application(row).await
    }

    /// The applications the actor's organisations made or are members of, newest first.
    pub async fn my_applications(&self, actor: &Actor) -> Result<Vec<Application>> {
        let mut sql = Sql::new(SELECT_APPLICATIONS);
        sql.push(" AND (a.organisation_id IN ")
            .bind_list(actor.organisation_ids());
        sql.push(
            " OR a.id IN (SELECT application_id FROM application_members WHERE organisation_id IN ",
        )
        .bind_list(actor.organisation_ids());
        sql.push(")) ORDER BY a.submitted_at DESC, a.id");
        let rows: Vec<ApplicationRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.complete_application(row).await?);
        }
        Ok(out)
    }

    /// A managed programme's applications, filtered; another programme's manager gets NotFound.
    pub async fn programme_applications(
        &self,
        actor: &Actor,
        programme_id: &str,
        filter: &ApplicationFilter,
    ) -> Result<Vec<Application>> {
        self.managed_programme(actor, programme_id).await?;
        self.applications_of(programme_id, filter).await
    }

    /// A programme's applications without a tenant check: for the public result and the selection, which only
    /// show what is published.
    pub(crate) async fn applications_of(
        &self,
        programme_id: &str,
        filter: &ApplicationFilter,
    ) -> Result<Vec<Application>> {
        let mut sql = Sql::new(SELECT_APPLICATIONS);
        sql.push(" AND a.programme_id = ")
            .bind(programme_id.to_owned());
        if let Some(s) = filter.status {
            sql.push(" AND a.status = ").bind(s.as_str());
        }
        sql.push(" ORDER BY o.name, a.id");
        let rows: Vec<ApplicationRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let a = self.complete_application(row).await?;
            let province_ok = filter.province.as_deref().is_none_or(|p| {
                keten_core::reference::municipality(&a.municipality_code)
                    .is_some_and(|m| m.province == p)
            });
            if province_ok {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// The manager asks the applicant for a missing piece: the application waits for a resubmission.
    pub async fn request_information(
        &self,
        actor: &Actor,
        application_id: &str,
        request: &str,
        now: i64,
    ) -> Result<Application> {
        let a = self.application(actor, application_id).await?;
        self.managed_programme(actor, &a.programme_id).await?;
        let request = request.trim();
        if request.is_empty() || request.chars().count() > 2000 {
            return Err(refused(
                "request",
                "Schrijf in hooguit 2000 tekens wat er nog ontbreekt.",
            ));
        }
        let done = sqlx::query(
            "UPDATE applications SET status = 'missing_info', info_request = $1, updated_at = $2 \
             WHERE id = $3 AND status IN ('submitted', 'missing_info')",
        )
        .bind(request)
        .bind(now)
        .bind(application_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("application_decided".into()));
        }
        self.application(actor, application_id).await
    }

    /// A member confirms its place in a dossier, as its own steering member (or an admin).
    pub async fn confirm_membership(
        &self,
        actor: &Actor,
        application_id: &str,
        organisation_id: &str,
        now: i64,
    ) -> Result<Application> {
        if !actor.is_admin()
            && !actor
                .organisation_ids_with(Role::Steering)
                .any(|o| o == organisation_id)
        {
            return Err(StoreError::NotFound);
        }
        let done = sqlx::query(
            "UPDATE application_members SET confirmed_at = $1 \
             WHERE application_id = $2 AND organisation_id = $3 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(application_id)
        .bind(organisation_id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            // Either not a member (NotFound) or already confirmed (fine: the answer is the same page).
            self.application(actor, application_id).await?;
        }
        self.application(actor, application_id).await
    }
}

/// Whether the actor manages programmes of this organisation.
fn manages(actor: &Actor, organisation_id: &str) -> bool {
    actor.is_admin()
        || actor
            .organisation_ids_with(Role::ProgrammeManager)
            .any(|o| o == organisation_id)
}

/// `AND (the actor applied, is a member, or manages the programme)`.
fn push_application_filter(actor: &Actor, sql: &mut Sql) {
    if actor.is_admin() {
        return;
    }
    sql.push(" AND (a.organisation_id IN ")
        .bind_list(actor.organisation_ids());
    sql.push(
        " OR a.id IN (SELECT application_id FROM application_members WHERE organisation_id IN ",
    )
    .bind_list(actor.organisation_ids());
    sql.push(") OR p.organisation_id IN ")
        .bind_list(actor.organisation_ids_with(Role::ProgrammeManager));
    sql.push(")");
}

/// One application's result in a selection run, as the web layer derived it from `keten_core::selection`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub application_id: String,
    pub status: ApplicationStatus,
    pub probability: f64,
    /// JSON of the structured explanation.
    pub explanation: String,
}

/// The latest selection run of a programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionRun {
    pub id: String,
    pub seed: String,
    /// JSON of `keten_core::selection::Selection`.
    pub result: String,
    pub created_at: i64,
    /// Overrides since (or before) the run: one or more means the public page says so.
    pub overrides: Vec<Override>,
}

/// A recorded override of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub application_id: String,
    pub organisation_name: String,
    pub from_status: ApplicationStatus,
    pub to_status: ApplicationStatus,
    pub reason: String,
    pub created_at: i64,
}

impl Store {
    /// Stores a run and sets every outcome's status, probability and explanation, in one transaction. Only the
    /// programme's managers; only applications still open or decided by an earlier run take part.
    #[expect(clippy::too_many_arguments, reason = "a run's fields and its wave")]
    pub async fn record_selection(
        &self,
        actor: &Actor,
        programme_id: &str,
        seed: &str,
        result: &str,
        outcomes: &[RunOutcome],
        wave_id: Option<&str>,
        now: i64,
    ) -> Result<()> {
        self.managed_programme(actor, programme_id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO selection_runs (id, programme_id, seed, result, created_by, created_at, wave_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(programme_id)
        .bind(seed)
        .bind(result)
        .bind(actor.user_id.clone())
        .bind(now)
        .bind(wave_id.map(str::to_owned))
        .execute(&mut *tx)
        .await?;
        for o in outcomes {
            sqlx::query(
                "UPDATE applications SET status = $1, selection_probability = $2, explanation = $3, updated_at = $4 \
                 WHERE id = $5 AND programme_id = $6",
            )
            .bind(o.status.as_str())
            .bind(o.probability)
            .bind(&o.explanation)
            .bind(now)
            .bind(&o.application_id)
            .bind(programme_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The latest run of a programme with the overrides; `None` before the first run. Public once it exists.
    pub async fn latest_selection(&self, programme_id: &str) -> Result<Option<SelectionRun>> {
        let run: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, seed, result, created_at FROM selection_runs WHERE programme_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(programme_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, seed, result, created_at)) = run else {
            return Ok(None);
        };
        let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT s.application_id, o.name, s.from_status, s.to_status, s.reason, s.created_at \
             FROM selection_overrides s JOIN applications a ON a.id = s.application_id \
             JOIN organisations o ON o.id = a.organisation_id WHERE s.programme_id = $1 ORDER BY s.created_at, s.id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let overrides = rows
            .into_iter()
            .map(
                |(application_id, organisation_name, from, to, reason, created_at)| {
                    Ok(Override {
                        application_id,
                        organisation_name,
                        from_status: parse_code(&from)?,
                        to_status: parse_code(&to)?,
                        reason,
                        created_at,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(SelectionRun {
            id,
            seed,
            result,
            created_at,
            overrides,
        }))
    }

    /// The latest run of each wave of a programme that has one, as (wave id, seed, result JSON, created at), in the
    /// order the runs were made. Public, like the whole programme's run.
    pub async fn wave_runs(
        &self,
        programme_id: &str,
    ) -> Result<Vec<(String, String, String, i64)>> {
        let runs: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT wave_id, seed, result, created_at FROM selection_runs WHERE programme_id = $1 \
             AND wave_id IS NOT NULL ORDER BY created_at DESC, id DESC",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut latest: Vec<(String, String, String, i64)> = Vec::new();
        for run in runs {
            if !latest.iter().any(|r| r.0 == run.0) {
                latest.push(run);
            }
        }
        latest.reverse();
        Ok(latest)
    }

    /// The probability and explanation (JSON) of an application's latest run, for whoever may see it.
    pub async fn selection_of(
        &self,
        actor: &Actor,
        application_id: &str,
    ) -> Result<(Option<f64>, Option<String>)> {
        self.application(actor, application_id).await?;
        Ok(sqlx::query_as(
            "SELECT selection_probability, explanation FROM applications WHERE id = $1",
        )
        .bind(application_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The stored probability and explanation (JSON) of every application of a programme, as (application id,
    /// probability, explanation). No tenant check: the caller shows only the applications the actor may see.
    pub async fn selection_decisions(
        &self,
        programme_id: &str,
    ) -> Result<Vec<(String, Option<f64>, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT id, selection_probability, explanation FROM applications WHERE programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A manager changes a decision after a run (selected, reserve or rejected), with a reason that is kept.
    pub async fn override_decision(
        &self,
        actor: &Actor,
        application_id: &str,
        to: ApplicationStatus,
        reason: &str,
        now: i64,
    ) -> Result<Application> {
        let a = self.application(actor, application_id).await?;
        self.managed_programme(actor, &a.programme_id).await?;
        let reason = reason.trim();
        if reason.chars().count() < 10 || reason.chars().count() > 2000 {
            return Err(refused(
                "reason",
                "Schrijf in 10 tot 2000 tekens waarom u van de loting afwijkt; deze reden wordt bewaard.",
            ));
        }
        if !matches!(
            to,
            ApplicationStatus::Selected | ApplicationStatus::Reserve | ApplicationStatus::Rejected
        ) || !matches!(
            a.status,
            ApplicationStatus::Selected | ApplicationStatus::Reserve | ApplicationStatus::Rejected
        ) || to == a.status
        {
            return Err(refused(
                "status",
                "Na de loting kunt u een aanvraag alleen verplaatsen tussen gekozen, reservelijst en afgewezen.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(application_id)
        .bind(a.status.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("application_changed".into()));
        }
        sqlx::query(
            "INSERT INTO selection_overrides (id, programme_id, application_id, from_status, to_status, reason, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&a.programme_id)
        .bind(application_id)
        .bind(a.status.as_str())
        .bind(to.as_str())
        .bind(reason)
        .bind(actor.user_id.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.application(actor, application_id).await
    }

    /// The selected participants of a programme once a run exists (public: transparency is a condition).
    pub async fn selected_participants(&self, programme_id: &str) -> Result<Vec<Application>> {
        if self.latest_selection(programme_id).await?.is_none() {
            return Ok(Vec::new());
        }
        self.applications_of(
            programme_id,
            &ApplicationFilter {
                status: Some(ApplicationStatus::Selected),
                province: None,
            },
        )
        .await
    }

    /// The candidates of a managed programme for a selection run.
    pub async fn selection_candidates(
        &self,
        actor: &Actor,
        programme_id: &str,
    ) -> Result<Vec<Application>> {
        self.managed_programme(actor, programme_id).await?;
        Ok(self
            .applications_of(programme_id, &ApplicationFilter::default())
            .await?
            .into_iter()
            .filter(|a| a.status != ApplicationStatus::Withdrawn)
            .collect())
    }
}
