//! `keten demo`: loads the demo chain and two years of help questions, with a progress bar.

use crate::accounts::generate_password;
use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use keten_core::account::hash_password;
use keten_core::demo::{MAX_HISTORY_YEARS, QuestionGenerator, national_chain};
use keten_store::Store;
use std::time::Instant;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many help questions of history to generate.
    #[arg(long, default_value_t = 100_000)]
    pub questions: u64,
    /// Years of history to spread the questions over, each earlier year 15% quieter, so that the dashboard has the
    /// same period a year earlier to compare with (1 to 5).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_HISTORY_YEARS)))]
    pub years: u16,
    /// Seed for the generator: the same seed gives the same history.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Extra synthetic help points across NL and BE, for finder benchmarks
    /// (three in ten also get a partner's consultation hour).
    #[arg(long, default_value_t = 0)]
    pub synthetic_help_points: u64,
    /// Warm referrals to generate, in every state, with Rotterdam's routing rules.
    #[arg(long, default_value_t = 300)]
    pub referrals: usize,
    /// Spread the questions over this many help points: the demo chain's own plus public libraries across
    /// every Dutch municipality (national-scale benchmarks); default: the demo chain only.
    #[arg(long, default_value_t = 0)]
    pub help_points: usize,
}

pub async fn run(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    if !store.is_empty().await? {
        bail!("de database bevat al gegevens; de demo laadt alleen in een lege database");
    }
    let started = Instant::now();
    let now = crate::now();
    // Below the demo's own number of help points this is the demo chain itself.
    let chain = national_chain(args.help_points);
    let passwords: Vec<String> = chain.users.iter().map(|_| generate_password()).collect();
    let hashes = passwords
        .iter()
        .map(|p| hash_password(p))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = store
        .load_demo_chain(&chain, &hashes, now.as_second())
        .await?;

    let bar = ProgressBar::new(args.questions);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, nog {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("Hulpvragen laden");
    let generator =
        QuestionGenerator::with_history(&chain, now, args.questions, args.seed, args.years);
    let written = store
        .load_demo_questions(&loaded, generator, now.as_second(), |n| bar.set_position(n))
        .await?;
    bar.finish();

    let referrals = store
        .load_demo_referrals(&chain, &loaded, args.referrals, args.seed, now.as_second())
        .await?;

    if args.synthetic_help_points > 0 {
        synthetic_help_points(store, args.synthetic_help_points, args.seed).await?;
    }

    // A large load leaves gigabytes in SQLite's write-ahead log until the last connection closes cleanly.
    store.checkpoint().await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Demo geladen: {} organisaties, {} hulppunten, {written} hulpvragen, {referrals} doorverwijzingen in {seconds:.1} s.",
        chain.organisations.len(),
        chain.help_points.len()
    );
    println!("Inloggen op /aanmelden met (wachtwoorden verschijnen alleen nu):");
    for (user, password) in chain.users.iter().zip(&passwords) {
        println!("  {:<18} {:<45} {password}", user.role.as_str(), user.email);
    }
    // Public on purpose (README): anyone trying the demo can add it to an authenticator app.
    println!(
        "Tweede stap voor steering, programme_manager en admin: voeg in een authenticator-app de demosleutel {} \
         toe (TOTP, SHA-1, 6 cijfers, 30 s) en vul de code in na het wachtwoord.",
        keten_core::second_factor::DEMO_SECRET
    );
    Ok(())
}

/// Spreads `count` fictional help points over all NL and BE postcode areas.
async fn synthetic_help_points(store: &Store, count: u64, seed: u64) -> anyhow::Result<()> {
    use keten_core::directory::Accessibility;
    use keten_core::help_question::DEFAULT_TOPICS;
    use keten_core::opening_hours::{OpeningHours, Region, parse_weekly};
    use keten_core::organisation::{HelpPointKind, OrganisationDraft, VenueKind};
    use keten_core::reference::{Country, postcode_areas};
    use keten_store::help_points::{NewConsultationHour, NewHelpPoint};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    let now = crate::now().as_second();
    let draft = |name: &str, municipality: &str| {
        OrganisationDraft::parse(name, "partner", "private", municipality, &[])
            .map_err(|e| anyhow::anyhow!("{e:?}"))
    };
    let operator = store
        .create_organisation(&draft("Synthetische hulppunten", "GM0599")?, now)
        .await?;
    let partner = store
        .create_organisation(&draft("Synthetische partner", "GM0599")?, now)
        .await?;
    let areas = postcode_areas();
    let hours_choices = [
        "ma-vr 09:00-17:00",
        "di, do 10:00-12:30 en 13:30-16:00",
        "wo 13:00-16:00; za 10:00-12:00",
    ];
    let mut rng = StdRng::seed_from_u64(seed);
    let bar = ProgressBar::new(count);
    bar.set_message("Synthetische hulppunten");
    for i in 0..count {
        let area = &areas[rng.random_range(0..areas.len())];
        let region = if area.country == Country::Be {
            Region::Be
        } else {
            Region::Nl
        };
        let weekly = parse_weekly(hours_choices[rng.random_range(0..hours_choices.len())])?;
        let topics: Vec<String> = (0..rng.random_range(1..=4))
            .map(|_| {
                DEFAULT_TOPICS[rng.random_range(0..DEFAULT_TOPICS.len())]
                    .code
                    .to_owned()
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let hp = store
            .create_help_point(
                &NewHelpPoint {
                    organisation_id: operator.id.clone(),
                    name: format!("Hulppunt {i}"),
                    kind: HelpPointKind::Digipunt,
                    venue_kind: VenueKind::Other,
                    street_address: format!("Dorpsstraat {}", i % 200 + 1),
                    postcode: area.postcode.clone(),
                    city: area.place.clone(),
                    municipality_code: area.municipality_code.clone(),
                    location: keten_core::geo::Point {
                        lat: area.centre.lat + rng.random_range(-0.01..0.01),
                        lon: area.centre.lon + rng.random_range(-0.01..0.01),
                    },
                    hours: OpeningHours::weekly(region, weekly.clone()),
                    preparation: String::new(),
                    phone: None,
                    email: None,
                    website: None,
                    languages: vec!["nl".into()],
                    accessibility: Accessibility {
                        step_free: rng.random_bool(0.7),
                        ..Accessibility::default()
                    },
                    topics,
                    municipalities_served: Vec::new(),
                },
                now,
            )
            .await?;
        if rng.random_bool(0.3) {
            store
                .create_consultation_hour(
                    &NewConsultationHour {
                        help_point_id: hp.id,
                        organisation_id: partner.id.clone(),
                        title: "Spreekuur".into(),
                        topics: vec!["bankzaken".into()],
                        hours: OpeningHours::weekly(region, weekly),
                        appointment_needed: rng.random_bool(0.5),
                    },
                    now,
                )
                .await?;
        }
        bar.inc(1);
    }
    bar.finish();
    Ok(())
}
