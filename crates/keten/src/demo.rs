//! `keten demo`: loads the demo chain and a year of help questions, with a progress bar.

use crate::accounts::generate_password;
use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use keten_core::account::hash_password;
use keten_core::demo::{QuestionGenerator, demo_chain};
use keten_store::Store;
use std::time::Instant;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many help questions of history to generate.
    #[arg(long, default_value_t = 50_000)]
    pub questions: u64,
    /// Seed for the generator: the same seed gives the same history.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

pub async fn run(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    if !store.is_empty().await? {
        bail!("de database bevat al gegevens; de demo laadt alleen in een lege database");
    }
    let started = Instant::now();
    let now = crate::now();
    let chain = demo_chain();
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
    let generator = QuestionGenerator::new(&chain, now, args.questions, args.seed);
    let written = store
        .load_demo_questions(&loaded, generator, now.as_second(), |n| bar.set_position(n))
        .await?;
    bar.finish();

    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Demo geladen: {} organisaties, {} hulppunten, {written} hulpvragen in {seconds:.1} s.",
        chain.organisations.len(),
        chain.help_points.len()
    );
    println!("Inloggen op /aanmelden met (wachtwoorden verschijnen alleen nu):");
    for (user, password) in chain.users.iter().zip(&passwords) {
        println!("  {:<18} {:<45} {password}", user.role.as_str(), user.email);
    }
    Ok(())
}
