//! Loading the demo chain and its history of help questions into a store.

use crate::error::Result;
use crate::help_points::{NewConsultationHour, NewHelpPoint};
use crate::help_questions::NewHelpQuestion;
use crate::{Store, new_id};
use keten_core::account::Email;
use keten_core::demo::{DemoChain, DemoQuestion, demo_consultation_hours, demo_listing};
use keten_core::directory::parse_languages;
use keten_core::geo::Point;
use keten_core::opening_hours::{OpeningHours, Region, parse_weekly};
use keten_core::reference::{Country, postcode_area};
use std::collections::HashMap;

/// What a loaded demo chain needs later: the ids given to its help points.
#[derive(Debug, Clone)]
pub struct LoadedChain {
    pub help_point_ids: Vec<String>,
}

/// Questions per transaction while loading history: big enough to amortise
/// the commit, small enough to show progress.
pub const QUESTIONS_PER_BATCH: usize = 50_000;

impl Store {
    /// True when the database holds any organisation (the demo is not loaded twice).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    /// Writes the chain's organisations, help points and users. `password_hashes`
    /// holds one argon2 hash per `chain.users` entry, in the same order.
    pub async fn load_demo_chain(
        &self,
        chain: &DemoChain,
        password_hashes: &[String],
        now: i64,
    ) -> Result<LoadedChain> {
        self.seed_default_topics().await?;
        let mut org_ids: HashMap<&str, String> = HashMap::new();
        for org in &chain.organisations {
            let created = self
                .create_organisation(
                    &keten_core::organisation::OrganisationDraft {
                        name: org.name.clone(),
                        kind: org.kind,
                        sector: org.sector,
                        municipality_code: org.municipality_code.to_owned(),
                        active_in: org.active_in.iter().map(|c| (*c).to_owned()).collect(),
                        identifiers: Default::default(),
                    },
                    now,
                )
                .await?;
            org_ids.insert(org.key, created.id);
        }
        let hours = |text: &str| -> Result<OpeningHours> {
            let weekly =
                parse_weekly(text).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
            Ok(OpeningHours::weekly(Region::Nl, weekly))
        };
        let mut help_point_ids = Vec::with_capacity(chain.help_points.len());
        let mut help_point_keys: HashMap<&str, String> = HashMap::new();
        for (i, hp) in chain.help_points.iter().enumerate() {
            let listing = demo_listing(hp);
            let pc4 = hp.postcode.get(..4).unwrap_or(&hp.postcode);
            let centre = postcode_area(Country::Nl, pc4)
                .map(|a| a.centre)
                .unwrap_or(Point {
                    lat: 51.92,
                    lon: 4.48,
                });
            // Points in one PC4 area would share its centroid; spread them a
            // little so that a map shows them apart.
            let offset = (i as f64 % 7.0 - 3.0) * 0.0008;
            let created = self
                .create_help_point(
                    &NewHelpPoint {
                        organisation_id: org_ids
                            .get(hp.organisation_key)
                            .cloned()
                            .unwrap_or_default(),
                        name: hp.name.clone(),
                        kind: hp.kind,
                        venue_kind: hp.venue_kind,
                        street_address: hp.street_address.clone(),
                        postcode: hp.postcode.clone(),
                        city: hp.city.clone(),
                        municipality_code: hp.municipality_code.to_owned(),
                        location: Point {
                            lat: centre.lat + offset,
                            lon: centre.lon - offset,
                        },
                        hours: hours(listing.hours)?,
                        preparation: listing.preparation.to_owned(),
                        phone: None,
                        email: None,
                        website: None,
                        languages: parse_languages(listing.languages)
                            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
                        accessibility: listing.accessibility,
                        topics: listing.topics.iter().map(|t| (*t).to_owned()).collect(),
                        municipalities_served: Vec::new(),
                    },
                    now,
                )
                .await?;
            help_point_keys.insert(hp.key, created.id.clone());
            help_point_ids.push(created.id);
        }
        for c in demo_consultation_hours() {
            let (Some(help_point_id), Some(organisation_id)) = (
                help_point_keys.get(c.help_point_key),
                org_ids.get(c.organisation_key),
            ) else {
                continue;
            };
            self.create_consultation_hour(
                &NewConsultationHour {
                    help_point_id: help_point_id.clone(),
                    organisation_id: organisation_id.clone(),
                    title: c.title.to_owned(),
                    topics: c.topics.iter().map(|t| (*t).to_owned()).collect(),
                    hours: hours(c.hours)?,
                    appointment_needed: c.appointment_needed,
                },
                now,
            )
            .await?;
        }
        for (user, hash) in chain.users.iter().zip(password_hashes) {
            let email =
                Email::parse(&user.email).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
            let created = self
                .create_user(&email, &user.display_name, hash, now)
                .await?;
            if let Some(org_id) = org_ids.get(user.organisation_key) {
                self.add_membership(&created.id, org_id, user.role).await?;
            }
        }
        Ok(LoadedChain { help_point_ids })
    }

    /// Streams generated questions into the database in batches, calling
    /// `progress` with the number written so far after each batch.
    pub async fn load_demo_questions(
        &self,
        chain: &LoadedChain,
        questions: impl Iterator<Item = DemoQuestion>,
        now: i64,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let mut batch = Vec::with_capacity(QUESTIONS_PER_BATCH);
        let mut written = 0u64;
        for q in questions {
            batch.push(to_new_question(chain, q, now));
            if batch.len() == QUESTIONS_PER_BATCH {
                self.insert_help_questions(&batch).await?;
                written += batch.len() as u64;
                batch.clear();
                progress(written);
            }
        }
        if !batch.is_empty() {
            self.insert_help_questions(&batch).await?;
            written += batch.len() as u64;
            progress(written);
        }
        Ok(written)
    }
}

fn to_new_question(chain: &LoadedChain, q: DemoQuestion, now: i64) -> NewHelpQuestion {
    let asked_at = q.asked_at.as_second();
    // Time-ordered ids keep the primary-key index append-only while loading.
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(asked_at).unwrap_or_default(),
        q.asked_at.subsec_nanosecond().unsigned_abs(),
    );
    let id = uuid::Uuid::new_v7(ts).to_string();
    NewHelpQuestion {
        visit_id: id.clone(),
        id,
        help_point_id: chain
            .help_point_ids
            .get(q.help_point)
            .cloned()
            .unwrap_or_else(new_id),
        asked_at,
        topic_code: q.topic.to_owned(),
        agency: q.agency,
        kind: q.kind,
        channel: q.channel,
        minutes: q.minutes,
        outcome: q.outcome,
        age_band: q.age_band,
        pc4: q.pc4.map(|p| p.to_string()),
        first_visit: q.first_visit,
        registered_by: None,
        created_at: now,
    }
}
