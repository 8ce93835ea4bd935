//! Loading the demo chain and its history of help questions into a store.

use crate::error::Result;
use crate::help_points::{NewConsultationHour, NewHelpPoint};
use crate::help_questions::{NewHelpQuestion, Source};
use crate::{Store, new_id};
use keten_core::account::Email;
use keten_core::demo::{
    DemoChain, DemoQuestion, demo_consultation_hours, demo_exceptions, demo_listing, demo_stops,
};
use keten_core::directory::parse_languages;
use keten_core::directory_details::{StopDraft, parse_exception};
use keten_core::geo::Point;
use keten_core::opening_hours::{OpeningHours, Region, parse_weekly};
use keten_core::reference::{self, Country, postcode_area};
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
        let corrupt = |e: String| crate::StoreError::Corrupt(e);
        let country_of =
            |code: &str| reference::municipality(code).map_or(Country::Nl, |m| m.country);
        let hours = |text: &str, country: Country| -> Result<OpeningHours> {
            let weekly = parse_weekly(text).map_err(|e| corrupt(e.to_string()))?;
            Ok(OpeningHours::weekly(Region::from(country), weekly))
        };
        // Exceptions and the bus's one-day stop are dated around the day the demo is loaded.
        let today = jiff::Timestamp::from_second(now)
            .map_err(|e| corrupt(e.to_string()))?
            .to_zoned(
                jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap_or(jiff::tz::TimeZone::UTC),
            )
            .date();
        let mut help_point_ids = Vec::with_capacity(chain.help_points.len());
        let mut help_point_keys: HashMap<&str, String> = HashMap::new();
        for (i, hp) in chain.help_points.iter().enumerate() {
            let listing = demo_listing(hp);
            let (phone, email) = keten_core::demo::demo_contact(hp, i);
            let pc4 = hp.postcode.get(..4).unwrap_or(&hp.postcode);
            let country = country_of(hp.municipality_code);
            let mut hp_hours = hours(listing.hours, country)?;
            for input in demo_exceptions(hp, today) {
                hp_hours
                    .exceptions
                    .push(parse_exception(&input).map_err(|e| corrupt(format!("{e:?}")))?);
            }
            let centre = postcode_area(country, pc4)
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
                        hours: hp_hours,
                        preparation: listing.preparation.to_owned(),
                        phone: Some(phone),
                        email: Some(email),
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
                    hours: hours(c.hours, Country::Nl)?,
                    appointment_needed: c.appointment_needed,
                },
                now,
            )
            .await?;
        }
        for (key, input) in demo_stops(today) {
            let Some(help_point_id) = help_point_keys.get(key) else {
                continue;
            };
            let draft = StopDraft::parse(&input).map_err(|e| corrupt(format!("{e:?}")))?;
            crate::help_point_details::insert_stop(&self.pool, help_point_id, &draft).await?;
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
            // Demo users whose role needs a second factor share the demo's published secret, so that anyone
            // trying the demo can sign in (keten serve --demo prints it).
            if keten_core::second_factor::required_for(&[user.role]) {
                self.enrol_second_factor(&created.id, keten_core::second_factor::DEMO_SECRET, now)
                    .await?;
            }
        }
        self.load_demo_trajectories(now).await?;
        Ok(LoadedChain { help_point_ids })
    }

    /// Streams generated questions into the database in batches, calling
    /// `progress` with the number written so far after each batch. For a database that nothing else uses
    /// yet (the demo, the benchmarks): the tables go without their secondary indexes (and on PostgreSQL
    /// their foreign keys) until the load ends.
    pub async fn load_demo_questions(
        &self,
        chain: &LoadedChain,
        questions: impl Iterator<Item = DemoQuestion> + Send + 'static,
        now: i64,
        progress: impl FnMut(u64),
    ) -> Result<u64> {
        let hours = self.demo_hours().await?;
        let suspended = self
            .suspend_indexes_and_foreign_keys(&crate::bulk_load::BULK_LOADED_TABLES)
            .await?;
        let loaded = self
            .load_questions_and_rollups(chain, questions, hours, now, progress)
            .await;
        let restoring = std::time::Instant::now();
        // Also after a failure: what was written stays, and must be found through the indexes.
        self.restore_indexes_and_foreign_keys(suspended).await?;
        let written = loaded?;
        tracing::info!(
            seconds = restoring.elapsed().as_secs_f64(),
            "indexes built, foreign keys checked"
        );
        self.refresh_planner_statistics().await?;
        Ok(written)
    }

    async fn load_questions_and_rollups(
        &self,
        chain: &LoadedChain,
        questions: impl Iterator<Item = DemoQuestion> + Send + 'static,
        hours: crate::stats::DemoHours,
        now: i64,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let chain = chain.clone();
        // Making the rows and summing their rollups is as much work as writing them: a second thread does it
        // while this one writes, two batches ahead at most.
        let (batches, mut ready) = tokio::sync::mpsc::channel::<Vec<NewHelpQuestion>>(2);
        let maker = tokio::task::spawn_blocking(move || {
            let mut rollups = crate::rollups::BulkRollups::default();
            let mut batch = Vec::with_capacity(QUESTIONS_PER_BATCH);
            for q in questions {
                let mut question = to_new_question(&chain, q, now);
                hours.assign(&mut question);
                rollups.add(&question);
                batch.push(question);
                if batch.len() == QUESTIONS_PER_BATCH {
                    let full =
                        std::mem::replace(&mut batch, Vec::with_capacity(QUESTIONS_PER_BATCH));
                    if batches.blocking_send(full).is_err() {
                        // The writer stopped on an error and reports it.
                        return rollups;
                    }
                }
            }
            if !batch.is_empty() {
                // An error here means the writer stopped, and it reports why.
                let _ = batches.blocking_send(batch);
            }
            rollups
        });
        let started = std::time::Instant::now();
        let mut written = 0u64;
        while let Some(batch) = ready.recv().await {
            self.insert_help_questions_bulk(&batch).await?;
            written += batch.len() as u64;
            progress(written);
        }
        let rollups = maker
            .await
            .map_err(|e| crate::StoreError::Corrupt(format!("demo generator stopped: {e}")))?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            written,
            "help questions written"
        );
        let started = std::time::Instant::now();
        // Once for the whole history: cheaper than upserting per batch, and than reading the rows back.
        self.add_bulk_rollups(rollups).await?;
        tracing::info!(seconds = started.elapsed().as_secs_f64(), "rollups written");
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
        agency: q.agency.as_str().to_owned(),
        kind: q.kind.as_str().to_owned(),
        channel: q.channel,
        minutes: q.minutes,
        outcome: q.outcome,
        age_band: q.age_band,
        pc4: q.pc4.map(|p| p.to_string()),
        first_visit: q.first_visit,
        registered_by: None,
        created_at: now,
        source: Source::Demo,
        registration_link_id: None,
        referred_to: None,
        remark: None,
        consultation_hour_id: None,
    }
}

impl Store {
    /// Loads the demo chain's routing rules and `count` referrals in every state, taking each step through the
    /// same code as the web layer, then purges contact data of referrals closed over 90 days ago. Returns how
    /// many referrals were written.
    pub async fn load_demo_referrals(
        &self,
        chain: &DemoChain,
        loaded: &LoadedChain,
        count: usize,
        seed: u64,
        now: i64,
    ) -> Result<usize> {
        use crate::referrals::{Destination, NewReferral};
        use crate::routing_rules::NewRoutingRule;
        use crate::scope::{Actor, Membership};
        use keten_core::account::Role;
        use keten_core::referral::demo::{demo_referrals, demo_routing_rules};
        use keten_core::referral::routing::{RouteRequest, propose};
        use keten_core::referral::{Action, ReferralInput, ReferralSource, deadline};

        let mut org_ids: HashMap<&str, String> = HashMap::new();
        for o in &chain.organisations {
            let id: Option<String> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
                    .bind(&o.name)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some(id) = id {
                org_ids.insert(o.key, id);
            }
        }
        let point_ids: HashMap<&str, &String> = chain
            .help_points
            .iter()
            .map(|h| h.key)
            .zip(loaded.help_point_ids.iter())
            .collect();
        let chains: Vec<String> = ["GM0599", "GM0606", "GM0502", "GM0622"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let actor_of = |org: &str, role: Role| Actor {
            user_id: None,
            memberships: vec![Membership {
                organisation_id: org.to_owned(),
                organisation_name: String::new(),
                role,
            }],
            chain_municipalities: chains.clone(),
            steering_municipalities: Vec::new(),
        };
        let admin = actor_of("", Role::Admin);
        for r in demo_routing_rules() {
            let (Some(org), help_point) = (
                org_ids.get(r.organisation_key),
                r.help_point_key.and_then(|k| point_ids.get(k)),
            ) else {
                continue;
            };
            self.create_routing_rule(
                &admin,
                &NewRoutingRule {
                    municipality_code: r.municipality_code.to_owned(),
                    topic_code: r.topic.to_owned(),
                    agency: r.agency,
                    priority: r.priority,
                    organisation_id: org.clone(),
                    help_point_id: help_point.map(|h| (*h).clone()),
                    consultation_hour_id: None,
                },
                now,
            )
            .await?;
        }
        let rules: Vec<_> = self
            .routing_rules("GM0599")
            .await?
            .into_iter()
            .map(|r| r.rule)
            .collect();
        let mut candidates = HashMap::new();
        let mut written = 0;
        for demo in demo_referrals(count, seed) {
            let Some(area) = postcode_area(Country::Nl, demo.pc4) else {
                continue;
            };
            if !candidates.contains_key(demo.pc4) {
                candidates.insert(demo.pc4, self.referral_candidates(area.centre).await?);
            }
            let parent = keten_core::help_question::DEFAULT_TOPICS
                .iter()
                .find(|t| t.code == demo.topic)
                .and_then(|t| t.parent);
            let Some(proposal) = propose(
                &RouteRequest {
                    municipality_code: &area.municipality_code,
                    topic: demo.topic,
                    parent_topic: parent,
                    agency: demo.agency,
                },
                &rules,
                candidates.get(demo.pc4).map_or(&[][..], Vec::as_slice),
            ) else {
                continue;
            };
            let Some(mut sender) = org_ids.get(demo.sender_key) else {
                continue;
            };
            // A desk does not refer a resident to itself: social work sends those (or the library, to it).
            if *sender == proposal.organisation_id {
                let other = if demo.sender_key == "welzijn-maasstad" {
                    "bibliotheek-rotterdam"
                } else {
                    "welzijn-maasstad"
                };
                match org_ids.get(other) {
                    Some(o) if *o != proposal.organisation_id => sender = o,
                    _ => continue,
                }
            }
            let input = ReferralInput {
                topics: vec![demo.topic.to_owned()],
                agency: demo.agency.map(|a| a.as_str().to_owned()),
                reason: String::new(),
                resident_name: demo.name.clone(),
                phone: Some(demo.phone.clone()),
                pc4: demo.pc4.to_owned(),
                consent_given: true,
                consent_method: Some("spoken".into()),
                consent_text_version: Some(keten_core::referral::CONSENT_TEXT_VERSION.into()),
                sender_sees_progress: demo.sender_sees_progress,
                ..ReferralInput::default()
            };
            let Ok(draft) = input.parse() else {
                continue;
            };
            let sent_at = now - demo.sent_seconds_ago;
            let due = jiff::Timestamp::from_second(sent_at)
                .map(|t| {
                    deadline::due_at(t, deadline::DEFAULT_OVERDUE_WORKING_DAYS, Region::Nl)
                        .as_second()
                })
                .unwrap_or(sent_at);
            let sender_actor = actor_of(sender, Role::Staff);
            let id = self
                .create_referral(
                    &sender_actor,
                    &NewReferral {
                        draft: &draft,
                        source: ReferralSource::Organisation,
                        municipality_code: area.municipality_code.clone(),
                        sender_organisation_id: sender.clone(),
                        destination: Destination {
                            organisation_id: proposal.organisation_id.clone(),
                            help_point_id: proposal.help_point_id.clone(),
                            consultation_hour_id: proposal.consultation_hour_id.clone(),
                            routing_rule_id: proposal.rule_id.clone(),
                        },
                        sent_at,
                        due_at: due,
                    },
                )
                .await?;
            let receiver_actor = actor_of(&proposal.organisation_id, Role::Staff);
            let mut at = sent_at;
            for (action, hours) in &demo.steps {
                // Steps never lie in the future.
                at = (at + hours * 3600).min(now);
                let who = if *action == Action::Withdraw {
                    &sender_actor
                } else {
                    &receiver_actor
                };
                self.act_on_referral(who, &id, action, at)
                    .await
                    .map_err(|e| match e {
                        crate::referrals::ReferralError::Store(s) => s,
                        crate::referrals::ReferralError::Refused(t) => {
                            crate::StoreError::Corrupt(format!("demo step refused: {t}"))
                        }
                    })?;
            }
            written += 1;
        }
        // The last of the demo's history: a year of visitor survey answers for Rotterdam.
        self.load_demo_surveys("GM0599", keten_core::steering::local_date(now), 60)
            .await?;
        self.purge_referrals(now, crate::routing_rules::DEFAULT_RETENTION_DAYS)
            .await?;
        self.load_demo_programmes("Programmabureau Digitale Inclusie (demo)", now)
            .await?;
        self.load_demo_devices(now).await?;
        self.load_demo_stakeholders("GM0599", now).await?;
        self.load_demo_action_plan(now).await?;
        self.load_demo_events(now).await?;
        self.load_demo_data_offers(now).await?;
        Ok(written)
    }
}
