//! Guided support trajectories of a programme (intakes, conditions, end date, stages, work sessions, interim assignments, evaluation), group meetings with attendance, and their tenant rules.
//!
//! A trajectory is managed by the programme managers of its programme's organisation (and admins); the steering
//! members of its local government see it and fill in their own part (conditions, assignments, evaluation).
//! Everyone else gets NotFound. Meetings belong to the programme: its managers record them, each participating
//! organisation (a selected applicant or a trajectory's local government) sees its own attendance.

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::{Actor, Store, new_id, parse_code};
use jiff::civil::Date;
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::programme::ProgrammeKind;
use keten_core::trajectory::{
    AssignmentKind, AssignmentStatus, Attendee, AttendeeRole, Chosen, Evaluation, IntakeKind,
    ParticipantKind, Progress, Stage, check_advance, check_intake, check_selection,
};

/// The settings of a programme used by trajectories and meetings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuidanceSettings {
    pub cap_per_year: u32,
    pub meeting_minimum: u32,
}

/// A trajectory's headline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trajectory {
    pub id: String,
    pub programme_id: String,
    pub programme_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub municipality_code: String,
    pub participant_kind: ParticipantKind,
    pub partnership_name: Option<String>,
    pub year: i16,
    pub stage: Stage,
    pub end_date: Option<Date>,
}

/// An intake with the people present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    pub kind: IntakeKind,
    pub held_on: Date,
    pub notes: String,
    pub attendees: Vec<Attendee>,
}

/// A work session or training moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub held_on: Date,
    pub training: bool,
    pub internal_participants: String,
    pub external_participants: String,
    pub notes: String,
}

/// An interim assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub kind: AssignmentKind,
    pub due_on: Date,
    pub status: AssignmentStatus,
    pub note: String,
}

/// Everything of one trajectory, as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoryDetail {
    pub trajectory: Trajectory,
    /// Whether the actor manages it (else it is the local government's own view).
    pub manages: bool,
    pub conditions: Vec<String>,
    pub confirmed_conditions: Vec<usize>,
    pub intakes: Vec<Intake>,
    pub sessions: Vec<Session>,
    pub assignments: Vec<Assignment>,
    pub evaluation: Option<Evaluation>,
}

impl TrajectoryDetail {
    /// What the stage rules need to know.
    #[must_use]
    pub fn progress(&self) -> Progress {
        Progress {
            introduction_recorded: self
                .intakes
                .iter()
                .any(|i| i.kind == IntakeKind::Introduction),
            extended_intake_recorded: self.intakes.iter().any(|i| i.kind == IntakeKind::Extended),
            end_date: self.trajectory.end_date,
            conditions_confirmed: (0..self.conditions.len())
                .all(|i| self.confirmed_conditions.contains(&i)),
            evaluation_given: self.evaluation.is_some(),
        }
    }
}

/// A new trajectory as the manager asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrajectory {
    pub organisation_id: String,
    pub participant_kind: ParticipantKind,
    pub partnership_name: Option<String>,
    pub year: i16,
}

/// A new work session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub held_on: Date,
    pub training: bool,
    pub internal_participants: String,
    pub external_participants: String,
    pub notes: String,
}

/// A group meeting of a programme with who was present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: String,
    pub programme_id: String,
    pub held_on: Date,
    pub title: String,
    pub agenda: String,
    /// Organisation ids recorded as present.
    pub present: Vec<String>,
}

/// A participant's attendance over a programme's meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub programme_id: String,
    pub programme_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub attended: u32,
    pub meetings: u32,
    pub minimum: u32,
    /// Meetings still needed to reach the minimum; `None` when it is met.
    pub shortfall: Option<u32>,
}

/// The manager's summary of the evaluations of a programme's trajectories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationSummary {
    pub trajectories: u32,
    pub answered: u32,
    /// Average score in tenths (43 = 4,3).
    pub average_tenths: Option<u32>,
    /// (organisation name, evaluation) per answer.
    pub answers: Vec<(String, Evaluation)>,
}

#[derive(sqlx::FromRow)]
struct TrajectoryRow {
    id: String,
    programme_id: String,
    programme_name: String,
    programme_organisation_id: String,
    organisation_id: String,
    organisation_name: String,
    municipality_code: String,
    participant_kind: String,
    partnership_name: Option<String>,
    year: i64,
    stage: String,
    end_date: Option<String>,
}

const SELECT_TRAJECTORIES: &str = "SELECT t.id, t.programme_id, p.name AS programme_name, \
     p.organisation_id AS programme_organisation_id, t.organisation_id, o.name AS organisation_name, \
     t.municipality_code, t.participant_kind, t.partnership_name, t.year, t.stage, t.end_date \
     FROM trajectories t JOIN programmes p ON p.id = t.programme_id JOIN organisations o ON o.id = t.organisation_id \
     WHERE 1 = 1";

fn date(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("unreadable date '{s}'")))
}

fn small(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("out of range: {n}")))
}

fn refused(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

impl TrajectoryRow {
    fn into_trajectory(self) -> Result<Trajectory> {
        Ok(Trajectory {
            participant_kind: parse_code(&self.participant_kind)?,
            stage: parse_code(&self.stage)?,
            end_date: self.end_date.as_deref().map(date).transpose()?,
            year: i16::try_from(self.year)
                .map_err(|_| StoreError::Corrupt(format!("year {}", self.year)))?,
            id: self.id,
            programme_id: self.programme_id,
            programme_name: self.programme_name,
            organisation_id: self.organisation_id,
            organisation_name: self.organisation_name,
            municipality_code: self.municipality_code,
            partnership_name: self.partnership_name,
        })
    }
}

/// Whether the actor manages programmes of this organisation.
fn manages(actor: &Actor, programme_organisation_id: &str) -> bool {
    actor.is_admin()
        || actor
            .organisation_ids_with(Role::ProgrammeManager)
            .any(|o| o == programme_organisation_id)
}

/// Whether the actor steers this local government.
fn steers(actor: &Actor, organisation_id: &str) -> bool {
    actor
        .organisation_ids_with(Role::Steering)
        .any(|o| o == organisation_id)
}

impl Store {
    /// A programme's guidance settings: the stored ones, else the programme's maximum participants (at least
    /// 1) as the yearly cap and 3 meetings.
    pub async fn guidance_settings(&self, programme_id: &str) -> Result<GuidanceSettings> {
        let stored: Option<(i64, i64)> = sqlx::query_as(
            "SELECT cap_per_year, meeting_minimum FROM programme_guidance_settings WHERE programme_id = $1",
        )
        .bind(programme_id)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((cap, minimum)) = stored {
            return Ok(GuidanceSettings {
                cap_per_year: small(cap)?,
                meeting_minimum: small(minimum)?,
            });
        }
        let max: i64 = sqlx::query_scalar("SELECT max_participants FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(GuidanceSettings {
            cap_per_year: small(max)?.max(1),
            meeting_minimum: 3,
        })
    }

    /// Changes a managed programme's guidance settings.
    pub async fn set_guidance_settings(
        &self,
        actor: &Actor,
        programme_id: &str,
        settings: GuidanceSettings,
        now: i64,
    ) -> Result<GuidanceSettings> {
        self.managed_programme(actor, programme_id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM programme_guidance_settings WHERE programme_id = $1")
            .bind(programme_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO programme_guidance_settings (programme_id, cap_per_year, meeting_minimum, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(programme_id)
        .bind(i64::from(settings.cap_per_year))
        .bind(i64::from(settings.meeting_minimum))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(settings)
    }

    /// Starts a trajectory in a managed programme of kind trajectory, for a local government (an organisation of
    /// kind municipality), under the selection rule of the year (cap; partnerships only when fewer local
    /// governments than the cap are chosen, counting those still waiting for a decision).
    pub async fn create_trajectory(
        &self,
        actor: &Actor,
        programme_id: &str,
        new: &NewTrajectory,
        now: i64,
    ) -> Result<Trajectory> {
        let programme = self.managed_programme(actor, programme_id).await?;
        if programme.kind != ProgrammeKind::Trajectory {
            return Err(refused(
                "programme",
                "Trajecten horen bij een programma van de soort ondersteuningstraject.",
            ));
        }
        let org: Option<(String, String)> = sqlx::query_as(
            "SELECT id, municipality_code FROM organisations WHERE id = $1 AND kind = 'municipality'",
        )
        .bind(&new.organisation_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((_, municipality_code)) = org else {
            return Err(refused(
                "organisation_id",
                "Kies een lokaal bestuur (een gemeente) uit de lijst.",
            ));
        };
        let partnership_name = match new.participant_kind {
            ParticipantKind::LocalGovernment => None,
            ParticipantKind::Partnership => {
                let name = new
                    .partnership_name
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or_default();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(refused(
                        "partnership_name",
                        "Vul de naam van het samenwerkingsverband in (hooguit 200 tekens).",
                    ));
                }
                Some(name.to_owned())
            }
        };
        let settings = self.guidance_settings(programme_id).await?;
        let mut tx = self.pool.begin().await?;
        // First a write on the programme's row: it takes the row lock (PostgreSQL) or the write lock (SQLite)
        // for the whole transaction, so two managers racing for the last place of the year are counted one
        // after the other: the second waits for the first to commit, and its counts below (each statement a
        // new snapshot in READ COMMITTED) include the first one's trajectory. Exactly one gets the place.
        sqlx::query("UPDATE programmes SET updated_at = updated_at WHERE id = $1")
            .bind(programme_id)
            .execute(&mut *tx)
            .await?;
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT participant_kind, COUNT(*) FROM trajectories WHERE programme_id = $1 AND year = $2 \
             GROUP BY participant_kind",
        )
        .bind(programme_id)
        .bind(i64::from(new.year))
        .fetch_all(&mut *tx)
        .await?;
        let mut chosen = Chosen::default();
        for (kind, n) in counts {
            let n = small(n)?;
            match parse_code::<ParticipantKind>(&kind)? {
                ParticipantKind::LocalGovernment => chosen.local_governments = n,
                ParticipantKind::Partnership => chosen.partnerships = n,
            }
        }
        // Local governments still waiting: applications to this programme not decided against and without a
        // trajectory yet.
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM applications a WHERE a.programme_id = $1 \
             AND a.status IN ('submitted', 'missing_info', 'reserve', 'selected') \
             AND a.organisation_id <> $2 \
             AND NOT EXISTS (SELECT 1 FROM trajectories t WHERE t.programme_id = a.programme_id \
                             AND t.organisation_id = a.organisation_id)",
        )
        .bind(programme_id)
        .bind(&new.organisation_id)
        .fetch_one(&mut *tx)
        .await?;
        check_selection(
            settings.cap_per_year,
            new.year,
            chosen,
            small(waiting)?,
            new.participant_kind,
        )
        .map_err(|e| StoreError::Invalid(vec![e]))?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO trajectories (id, programme_id, organisation_id, municipality_code, participant_kind, \
             partnership_name, year, stage, end_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $9)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(&new.organisation_id)
        .bind(&municipality_code)
        .bind(new.participant_kind.as_str())
        .bind(partnership_name)
        .bind(i64::from(new.year))
        .bind(Stage::Intake.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => refused(
                "organisation_id",
                "Dit lokaal bestuur heeft dit jaar al een traject in dit programma.",
            ),
            other => other,
        })?;
        tx.commit().await?;
        Ok(self.trajectory(actor, &id).await?.trajectory)
    }

    /// The trajectories of a managed programme, by year and name.
    pub async fn programme_trajectories(
        &self,
        actor: &Actor,
        programme_id: &str,
    ) -> Result<Vec<Trajectory>> {
        self.managed_programme(actor, programme_id).await?;
        let mut sql = Sql::new(SELECT_TRAJECTORIES);
        sql.push(" AND t.programme_id = ")
            .bind(programme_id.to_owned());
        sql.push(" ORDER BY t.year DESC, o.name, t.id");
        let rows: Vec<TrajectoryRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(TrajectoryRow::into_trajectory)
            .collect()
    }

    /// The trajectories of the local governments the actor steers.
    pub async fn my_trajectories(&self, actor: &Actor) -> Result<Vec<Trajectory>> {
        let mut sql = Sql::new(SELECT_TRAJECTORIES);
        sql.push(" AND t.organisation_id IN ")
            .bind_list(actor.organisation_ids_with(Role::Steering));
        sql.push(" ORDER BY t.year DESC, p.name, t.id");
        let rows: Vec<TrajectoryRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(TrajectoryRow::into_trajectory)
            .collect()
    }

    /// One trajectory with everything in it, for its managers and its local government's steering; else
    /// NotFound.
    pub async fn trajectory(&self, actor: &Actor, id: &str) -> Result<TrajectoryDetail> {
        let mut sql = Sql::new(SELECT_TRAJECTORIES);
        sql.push(" AND t.id = ").bind(id.to_owned());
        let row: TrajectoryRow = sql.query_as()?.fetch_one(&self.pool).await?;
        let manager = manages(actor, &row.programme_organisation_id);
        if !manager && !steers(actor, &row.organisation_id) {
            return Err(StoreError::NotFound);
        }
        let trajectory = row.into_trajectory()?;
        let conditions: Vec<String> = sqlx::query_scalar(
            "SELECT text FROM programme_conditions WHERE programme_id = $1 ORDER BY position",
        )
        .bind(&trajectory.programme_id)
        .fetch_all(&self.pool)
        .await?;
        let confirmed: Vec<i64> = sqlx::query_scalar(
            "SELECT position FROM trajectory_conditions WHERE trajectory_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let intake_rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT id, kind, held_on, notes FROM trajectory_intakes WHERE trajectory_id = $1 ORDER BY held_on, kind",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut intakes = Vec::with_capacity(intake_rows.len());
        for (intake_id, kind, held_on, notes) in intake_rows {
            let people: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, attendee_role FROM trajectory_intake_attendees WHERE intake_id = $1 ORDER BY position",
            )
            .bind(&intake_id)
            .fetch_all(&self.pool)
            .await?;
            intakes.push(Intake {
                kind: parse_code(&kind)?,
                held_on: date(&held_on)?,
                notes,
                attendees: people
                    .into_iter()
                    .map(|(name, role)| {
                        Ok(Attendee {
                            name,
                            role: parse_code::<AttendeeRole>(&role)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            });
        }
        let sessions: Vec<(String, String, i64, String, String, String)> = sqlx::query_as(
            "SELECT id, held_on, training, internal_participants, external_participants, notes \
             FROM trajectory_sessions WHERE trajectory_id = $1 ORDER BY held_on, created_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let assignments: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT kind, due_on, status, note FROM trajectory_assignments WHERE trajectory_id = $1 \
             ORDER BY due_on, kind",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let evaluation: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT score, helped, improve FROM trajectory_evaluations WHERE trajectory_id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(TrajectoryDetail {
            trajectory,
            manages: manager,
            conditions,
            confirmed_conditions: confirmed
                .into_iter()
                .filter_map(|p| usize::try_from(p).ok())
                .collect(),
            intakes,
            sessions: sessions
                .into_iter()
                .map(|(id, held_on, training, internal, external, notes)| {
                    Ok(Session {
                        id,
                        held_on: date(&held_on)?,
                        training: training != 0,
                        internal_participants: internal,
                        external_participants: external,
                        notes,
                    })
                })
                .collect::<Result<_>>()?,
            assignments: assignments
                .into_iter()
                .map(|(kind, due_on, status, note)| {
                    Ok(Assignment {
                        kind: parse_code(&kind)?,
                        due_on: date(&due_on)?,
                        status: parse_code(&status)?,
                        note,
                    })
                })
                .collect::<Result<_>>()?,
            evaluation: evaluation
                .map(|(score, helped, improve)| {
                    Ok::<_, StoreError>(Evaluation {
                        score: u8::try_from(score)
                            .map_err(|_| StoreError::Corrupt(format!("score {score}")))?,
                        helped,
                        improve,
                    })
                })
                .transpose()?,
        })
    }

    /// The trajectory if the actor manages it. The local government's steering may see it, so a 404 would lie:
    /// it gets `Conflict("manager_only")`, which the web layer answers with 403.
    async fn managed_trajectory(&self, actor: &Actor, id: &str) -> Result<TrajectoryDetail> {
        let t = self.trajectory(actor, id).await?;
        if t.manages {
            Ok(t)
        } else {
            Err(StoreError::Conflict("manager_only".into()))
        }
    }

    /// Records an intake with the people present, under the intake rule (2 staff of the local government, 1 of
    /// them a manager). Each intake is recorded once.
    pub async fn record_intake(
        &self,
        actor: &Actor,
        id: &str,
        intake: &Intake,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        self.managed_trajectory(actor, id).await?;
        check_intake(&intake.attendees).map_err(|e| StoreError::Invalid(vec![e]))?;
        let intake_id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO trajectory_intakes (id, trajectory_id, kind, held_on, notes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&intake_id)
        .bind(id)
        .bind(intake.kind.as_str())
        .bind(intake.held_on.to_string())
        .bind(intake.notes.trim())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => refused(
                "kind",
                format!(
                    "De {} is al vastgelegd.",
                    intake.kind.label().to_lowercase()
                ),
            ),
            other => other,
        })?;
        for (i, a) in intake.attendees.iter().enumerate() {
            sqlx::query(
                "INSERT INTO trajectory_intake_attendees (intake_id, position, name, attendee_role) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&intake_id)
            .bind(i as i64)
            .bind(&a.name)
            .bind(a.role.as_str())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE trajectories SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.trajectory(actor, id).await
    }

    /// Sets the agreed end date (the web layer checks it lies ahead). Only while the trajectory is open.
    pub async fn set_end_date(
        &self,
        actor: &Actor,
        id: &str,
        end: Date,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        self.managed_trajectory(actor, id).await?;
        sqlx::query(
            "UPDATE trajectories SET end_date = $1, updated_at = $2 WHERE id = $3 AND stage <> 'closed'",
        )
        .bind(end.to_string())
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.trajectory(actor, id).await
    }

    /// Moves a trajectory one stage on, under the stage rules; a compare-and-set on the stage makes a
    /// concurrent move fail instead of skipping a step.
    pub async fn advance_stage(
        &self,
        actor: &Actor,
        id: &str,
        to: Stage,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        let t = self.managed_trajectory(actor, id).await?;
        let from = t.trajectory.stage;
        check_advance(from, to, &t.progress()).map_err(|e| StoreError::Invalid(vec![e]))?;
        let done = sqlx::query(
            "UPDATE trajectories SET stage = $1, updated_at = $2 WHERE id = $3 AND stage = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("trajectory_stage_changed".into()));
        }
        self.trajectory(actor, id).await
    }

    /// The local government confirms conditions (positions in the programme's list); confirmations add up.
    pub async fn confirm_trajectory_conditions(
        &self,
        actor: &Actor,
        id: &str,
        positions: &[usize],
        now: i64,
    ) -> Result<TrajectoryDetail> {
        let t = self.trajectory(actor, id).await?;
        if !steers(actor, &t.trajectory.organisation_id) && !actor.is_admin() {
            return Err(StoreError::Conflict("participant_only".into()));
        }
        if let Some(bad) = positions.iter().find(|p| **p >= t.conditions.len()) {
            return Err(refused(
                "conditions",
                format!("Voorwaarde {} bestaat niet in dit programma.", bad + 1),
            ));
        }
        let mut tx = self.pool.begin().await?;
        for p in positions {
            if t.confirmed_conditions.contains(p) {
                continue;
            }
            sqlx::query(
                "INSERT INTO trajectory_conditions (trajectory_id, position, confirmed_at) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(*p as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.trajectory(actor, id).await
    }

    /// Records a work session (or the training moment).
    pub async fn add_session(
        &self,
        actor: &Actor,
        id: &str,
        session: &NewSession,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        self.managed_trajectory(actor, id).await?;
        sqlx::query(
            "INSERT INTO trajectory_sessions (id, trajectory_id, held_on, training, internal_participants, \
             external_participants, notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(id)
        .bind(session.held_on.to_string())
        .bind(i64::from(session.training))
        .bind(session.internal_participants.trim())
        .bind(session.external_participants.trim())
        .bind(session.notes.trim())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.trajectory(actor, id).await
    }

    /// Sets an interim assignment with its due date (the manager); a new due date keeps its status.
    pub async fn set_assignment(
        &self,
        actor: &Actor,
        id: &str,
        kind: AssignmentKind,
        due_on: Date,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        self.managed_trajectory(actor, id).await?;
        let done = sqlx::query(
            "UPDATE trajectory_assignments SET due_on = $1, updated_at = $2 WHERE trajectory_id = $3 AND kind = $4",
        )
        .bind(due_on.to_string())
        .bind(now)
        .bind(id)
        .bind(kind.as_str())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO trajectory_assignments (id, trajectory_id, kind, due_on, status, note, updated_at) \
                 VALUES ($1, $2, $3, $4, 'open', '', $5)",
            )
            .bind(new_id())
            .bind(id)
            .bind(kind.as_str())
            .bind(due_on.to_string())
            .bind(now)
            .execute(&self.pool)
            .await?;
        }
        self.trajectory(actor, id).await
    }

    /// Changes an assignment's status: the local government hands it in (submitted, with a note), the manager
    /// approves it or opens it again.
    pub async fn update_assignment(
        &self,
        actor: &Actor,
        id: &str,
        kind: AssignmentKind,
        status: AssignmentStatus,
        note: &str,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        let t = self.trajectory(actor, id).await?;
        let allowed = match status {
            AssignmentStatus::Submitted => {
                steers(actor, &t.trajectory.organisation_id) || actor.is_admin()
            }
            AssignmentStatus::Approved | AssignmentStatus::Open => t.manages,
        };
        if !allowed {
            return Err(StoreError::Conflict("assignment_role".into()));
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(refused("note", "Schrijf hooguit 2000 tekens."));
        }
        let done = sqlx::query(
            "UPDATE trajectory_assignments SET status = $1, note = $2, updated_at = $3 \
             WHERE trajectory_id = $4 AND kind = $5",
        )
        .bind(status.as_str())
        .bind(note)
        .bind(now)
        .bind(id)
        .bind(kind.as_str())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.trajectory(actor, id).await
    }

    /// The local government's evaluation, once, while the trajectory is in its evaluation stage.
    pub async fn submit_evaluation(
        &self,
        actor: &Actor,
        id: &str,
        evaluation: &Evaluation,
        now: i64,
    ) -> Result<TrajectoryDetail> {
        let t = self.trajectory(actor, id).await?;
        if !steers(actor, &t.trajectory.organisation_id) && !actor.is_admin() {
            return Err(StoreError::Conflict("participant_only".into()));
        }
        if t.trajectory.stage != Stage::Evaluation {
            return Err(refused(
                "stage",
                "De evaluatie vult u in als het traject in de fase evaluatie is.",
            ));
        }
        sqlx::query(
            "INSERT INTO trajectory_evaluations (trajectory_id, score, helped, improve, submitted_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i64::from(evaluation.score))
        .bind(&evaluation.helped)
        .bind(&evaluation.improve)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => refused("score", "De evaluatie is al ingevuld."),
            other => other,
        })?;
        self.trajectory(actor, id).await
    }

    /// The evaluations across a managed programme's trajectories.
    pub async fn evaluation_summary(
        &self,
        actor: &Actor,
        programme_id: &str,
    ) -> Result<EvaluationSummary> {
        let trajectories = self.programme_trajectories(actor, programme_id).await?;
        let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
            "SELECT o.name, e.score, e.helped, e.improve FROM trajectory_evaluations e \
             JOIN trajectories t ON t.id = e.trajectory_id JOIN organisations o ON o.id = t.organisation_id \
             WHERE t.programme_id = $1 ORDER BY o.name",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let answers = rows
            .into_iter()
            .map(|(name, score, helped, improve)| {
                Ok((
                    name,
                    Evaluation {
                        score: u8::try_from(score)
                            .map_err(|_| StoreError::Corrupt(format!("score {score}")))?,
                        helped,
                        improve,
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let scores: Vec<u8> = answers.iter().map(|(_, e)| e.score).collect();
        Ok(EvaluationSummary {
            trajectories: u32::try_from(trajectories.len()).unwrap_or(u32::MAX),
            answered: u32::try_from(answers.len()).unwrap_or(u32::MAX),
            average_tenths: keten_core::trajectory::average_score_tenths(&scores),
            answers,
        })
    }

    /// The participating organisations of a programme: selected applicants and trajectories' local
    /// governments, with their names, by name.
    pub async fn programme_participants(
        &self,
        programme_id: &str,
    ) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.name FROM organisations o WHERE o.id IN \
             (SELECT organisation_id FROM applications WHERE programme_id = $1 AND status = 'selected' \
              UNION SELECT organisation_id FROM trajectories WHERE programme_id = $1) \
             ORDER BY o.name, o.id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a group meeting of a managed programme.
    pub async fn create_meeting(
        &self,
        actor: &Actor,
        programme_id: &str,
        held_on: Date,
        title: &str,
        agenda: &str,
        now: i64,
    ) -> Result<Meeting> {
        self.managed_programme(actor, programme_id).await?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(refused(
                "title",
                "Geef de bijeenkomst een naam van hooguit 200 tekens.",
            ));
        }
        if agenda.chars().count() > 5000 {
            return Err(refused(
                "agenda",
                "Schrijf de agenda in hooguit 5000 tekens.",
            ));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO programme_meetings (id, programme_id, held_on, title, agenda, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(held_on.to_string())
        .bind(title)
        .bind(agenda.trim())
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.meeting(actor, &id).await
    }

    /// One meeting of a programme the actor manages; else NotFound.
    pub async fn meeting(&self, actor: &Actor, id: &str) -> Result<Meeting> {
        let (programme_id, held_on, title, agenda): (String, String, String, String) =
            sqlx::query_as(
                "SELECT programme_id, held_on, title, agenda FROM programme_meetings WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        self.managed_programme(actor, &programme_id).await?;
        let present: Vec<String> = sqlx::query_scalar(
            "SELECT organisation_id FROM meeting_attendance WHERE meeting_id = $1 AND present = 1 \
             ORDER BY organisation_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Meeting {
            id: id.to_owned(),
            programme_id,
            held_on: date(&held_on)?,
            title,
            agenda,
            present,
        })
    }

    /// The meetings of a managed programme, by date.
    pub async fn meetings(&self, actor: &Actor, programme_id: &str) -> Result<Vec<Meeting>> {
        self.managed_programme(actor, programme_id).await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM programme_meetings WHERE programme_id = $1 ORDER BY held_on, created_at, id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.meeting(actor, &id).await?);
        }
        Ok(out)
    }

    /// Records who was present at a meeting: every participant of the programme, present or not. An
    /// organisation that does not take part is refused.
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        meeting_id: &str,
        present: &[String],
    ) -> Result<Meeting> {
        let meeting = self.meeting(actor, meeting_id).await?;
        let participants = self.programme_participants(&meeting.programme_id).await?;
        if let Some(stranger) = present
            .iter()
            .find(|p| !participants.iter().any(|(id, _)| id == *p))
        {
            return Err(refused(
                "present",
                format!("Organisatie {stranger} doet niet mee aan dit programma."),
            ));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1")
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        for (id, _) in &participants {
            sqlx::query(
                "INSERT INTO meeting_attendance (meeting_id, organisation_id, present) VALUES ($1, $2, $3)",
            )
            .bind(meeting_id)
            .bind(id)
            .bind(i64::from(present.contains(id)))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.meeting(actor, meeting_id).await
    }

    /// Attendance per participant of a managed programme, with the shortfall against the minimum.
    pub async fn programme_attendance(
        &self,
        actor: &Actor,
        programme_id: &str,
    ) -> Result<Vec<Attendance>> {
        let programme = self.managed_programme(actor, programme_id).await?;
        let participants = self.programme_participants(programme_id).await?;
        let mut out = Vec::with_capacity(participants.len());
        for (id, name) in participants {
            out.push(
                self.attendance_of(programme_id, &programme.name, &id, &name)
                    .await?,
            );
        }
        Ok(out)
    }

    /// The actor's own attendance: per programme where one of its steering or coordinator organisations takes
    /// part.
    pub async fn my_attendance(&self, actor: &Actor) -> Result<Vec<Attendance>> {
        let mut orgs: Vec<String> = actor.organisation_ids_with(Role::Steering).collect();
        orgs.extend(actor.organisation_ids_with(Role::Coordinator));
        let mut sql = Sql::new(
            "SELECT DISTINCT p.id, p.name, o.id, o.name FROM programmes p JOIN organisations o ON o.id IN \
             (SELECT organisation_id FROM applications WHERE programme_id = p.id AND status = 'selected' \
              UNION SELECT organisation_id FROM trajectories WHERE programme_id = p.id) \
             WHERE o.id IN ",
        );
        sql.bind_list(orgs);
        sql.push(" AND EXISTS (SELECT 1 FROM programme_meetings m WHERE m.programme_id = p.id) ORDER BY p.name, o.name");
        let rows: Vec<(String, String, String, String)> =
            sql.query_as()?.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (pid, pname, oid, oname) in rows {
            out.push(self.attendance_of(&pid, &pname, &oid, &oname).await?);
        }
        Ok(out)
    }

    async fn attendance_of(
        &self,
        programme_id: &str,
        programme_name: &str,
        organisation_id: &str,
        organisation_name: &str,
    ) -> Result<Attendance> {
        let minimum = self.guidance_settings(programme_id).await?.meeting_minimum;
        let (meetings, attended): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), SUM(CASE WHEN a.present = 1 THEN 1 ELSE 0 END) FROM programme_meetings m \
             LEFT JOIN meeting_attendance a ON a.meeting_id = m.id AND a.organisation_id = $2 \
             WHERE m.programme_id = $1",
        )
        .bind(programme_id)
        .bind(organisation_id)
        .fetch_one(&self.pool)
        .await?;
        let attended = small(attended.unwrap_or(0))?;
        Ok(Attendance {
            programme_id: programme_id.to_owned(),
            programme_name: programme_name.to_owned(),
            organisation_id: organisation_id.to_owned(),
            organisation_name: organisation_name.to_owned(),
            attended,
            meetings: small(meetings)?,
            minimum,
            shortfall: keten_core::trajectory::shortfall(minimum, attended),
        })
    }
}

/// The demo's Flemish local governments of the 2024 trajectory, at three stages: (name, stage reached).
const DEMO_LOCAL_GOVERNMENTS: [(&str, Stage); 3] = [
    ("Aalst", Stage::WorkSessions),
    ("Mechelen", Stage::ExtendedIntake),
    ("Kortrijk", Stage::Intake),
];

impl Store {
    /// The demo's guided trajectory (VVSG and Mediawijs, 2024): three Flemish local governments at different
    /// stages, run by the demo's national body, with three group meetings and their attendance. Does nothing
    /// without a national body.
    pub async fn load_demo_trajectories(&self, now: i64) -> Result<()> {
        use keten_core::organisation::{OrganisationDraft, OrganisationKind, Sector};
        use keten_core::programme::{
            Amount, ApplicantKind, EligibilityRules, EuroCents, ProgrammeDraft,
        };
        use keten_core::trajectory::DEFAULT_CONDITIONS;
        let body: Option<(String, String)> = sqlx::query_as(
            "SELECT id, name FROM organisations WHERE kind = 'national_body' ORDER BY created_at, id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some((body_id, body_name)) = body else {
            return Ok(());
        };
        let admin = Actor {
            memberships: vec![crate::scope::Membership {
                organisation_id: body_id.clone(),
                organisation_name: body_name,
                role: Role::Admin,
            }],
            ..Default::default()
        };
        let day = |s: &str| date(s);
        let programme = self
            .create_programme(
                &admin,
                &body_id,
                &ProgrammeDraft {
                    kind: ProgrammeKind::Trajectory,
                    name: "Ondersteuningstraject digitale inclusie 2024 (VVSG en Mediawijs)".into(),
                    description: "Drie lokale besturen krijgen gratis begeleiding om een beleid rond digitale inclusie op te zetten of aan te scherpen.".into(),
                    applicant_kind: ApplicantKind::Municipality,
                    opens_on: day("2024-01-15")?,
                    closes_on: day("2024-03-28")?,
                    budget: EuroCents(0),
                    cap: Amount {
                        cents: EuroCents(0),
                        vat_included: true,
                    },
                    vat_percent: 21,
                    max_participants: 3,
                    conditions: DEFAULT_CONDITIONS.iter().map(|c| (*c).to_owned()).collect(),
                    rules: EligibilityRules {
                        country: Some(keten_core::reference::Country::Be),
                        ..Default::default()
                    },
                    size_thresholds: (20_000, 50_000),
                    waves: Vec::new(),
                },
                now,
            )
            .await?;
        let mut present_by_meeting: [Vec<String>; 3] = Default::default();
        for (i, (name, reached)) in DEMO_LOCAL_GOVERNMENTS.iter().enumerate() {
            let Some(m) = keten_core::reference::municipality_by_code_or_name(name) else {
                continue;
            };
            let org = self
                .create_organisation(
                    &OrganisationDraft {
                        name: format!("Stad {}", m.name),
                        kind: OrganisationKind::Municipality,
                        sector: Sector::Public,
                        municipality_code: m.code.clone(),
                        active_in: Vec::new(),
                        identifiers: Default::default(),
                    },
                    now,
                )
                .await?;
            let t = self
                .create_trajectory(
                    &admin,
                    &programme.id,
                    &NewTrajectory {
                        organisation_id: org.id.clone(),
                        participant_kind: ParticipantKind::LocalGovernment,
                        partnership_name: None,
                        year: 2024,
                    },
                    now,
                )
                .await?;
            let people = |extra: &str| {
                vec![
                    Attendee {
                        name: "Algemeen directeur".into(),
                        role: AttendeeRole::Manager,
                    },
                    Attendee {
                        name: "Beleidsmedewerker digitale inclusie".into(),
                        role: AttendeeRole::Staff,
                    },
                    Attendee {
                        name: extra.into(),
                        role: AttendeeRole::External,
                    },
                ]
            };
            self.record_intake(
                &admin,
                &t.id,
                &Intake {
                    kind: IntakeKind::Introduction,
                    held_on: day("2024-04-15")?,
                    notes: "Kennismaking en verwachtingen.".into(),
                    attendees: people("Begeleider Mediawijs"),
                },
                now,
            )
            .await?;
            if *reached >= Stage::ExtendedIntake {
                self.advance_stage(&admin, &t.id, Stage::ExtendedIntake, now)
                    .await?;
            }
            if *reached >= Stage::WorkSessions {
                self.record_intake(
                    &admin,
                    &t.id,
                    &Intake {
                        kind: IntakeKind::Extended,
                        held_on: day("2024-05-06")?,
                        notes: "Einddatum en werksessies afgesproken.".into(),
                        attendees: people("Begeleider VVSG"),
                    },
                    now,
                )
                .await?;
                let all: Vec<usize> = (0..DEFAULT_CONDITIONS.len()).collect();
                self.confirm_trajectory_conditions(&admin, &t.id, &all, now)
                    .await?;
                self.set_end_date(&admin, &t.id, day("2024-12-13")?, now)
                    .await?;
                self.advance_stage(&admin, &t.id, Stage::WorkSessions, now)
                    .await?;
                self.add_session(
                    &admin,
                    &t.id,
                    &NewSession {
                        held_on: day("2024-06-10")?,
                        training: false,
                        internal_participants: "Sociale dienst, bibliotheek, communicatie".into(),
                        external_participants: "OCMW-partner, digipunt".into(),
                        notes: "Omgevingsanalyse besproken.".into(),
                    },
                    now,
                )
                .await?;
                for (kind, due) in [
                    (AssignmentKind::EnvironmentAnalysis, "2024-06-30"),
                    (AssignmentKind::StakeholderAnalysis, "2024-09-15"),
                ] {
                    self.set_assignment(&admin, &t.id, kind, day(due)?, now)
                        .await?;
                }
            }
            // Attendance: the first local government at all three meetings, the second at two, the third at one.
            for (k, present) in present_by_meeting.iter_mut().enumerate() {
                if k < 3 - i {
                    present.push(org.id.clone());
                }
            }
        }
        for (k, (held_on, title)) in [
            ("2024-05-20", "Startbijeenkomst"),
            ("2024-09-23", "Uitwisseling omgevingsanalyses"),
            ("2024-11-25", "Slotbijeenkomst"),
        ]
        .into_iter()
        .enumerate()
        {
            let m = self
                .create_meeting(
                    &admin,
                    &programme.id,
                    day(held_on)?,
                    title,
                    "Welkom, stand van zaken per lokaal bestuur, vragen.",
                    now,
                )
                .await?;
            self.record_attendance(&admin, &m.id, &present_by_meeting[k])
                .await?;
        }
        Ok(())
    }
}
