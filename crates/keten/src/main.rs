//! The `keten` command: serve the platform, migrate, load the demo, manage accounts.

#![expect(
    clippy::print_stdout,
    reason = "a command-line tool prints its results for people"
)]

mod accounts;
mod backup;
mod demo;
mod hsds;
mod import;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use keten_core::clock::SystemClock;
use keten_core::second_factor::SealingKey;
use keten_store::Store;
use keten_store::db::{DEFAULT_DATABASE_URL, redact};
use keten_web::{AppState, WebConfig};
use std::sync::Arc;
use std::time::Duration;

// Registrations and bulk loads allocate and free many small values on several threads (request bodies,
// bound parameters handed to the SQLite worker thread): glibc's allocator spent a tenth of their time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "keten",
    version,
    about = "Open platform for the local chain approach to digital inclusion"
)]
struct Cli {
    /// sqlite://FILE (default: keten.db in the working directory) or postgres://...
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Log lines as text for people or JSON for log collectors.
    #[arg(long, global = true, env = "KETEN_LOG_FORMAT", default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the API.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo chain (Rotterdam and neighbours) into an empty database.
    Demo(demo::DemoArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(accounts::UserCommand),
    /// Manage organisations.
    #[command(subcommand)]
    Org(accounts::OrgCommand),
    /// Manage API tokens for organisations' systems.
    #[command(subcommand)]
    Token(accounts::TokenCommand),
    /// Import data from files: `keten import help-points FILE --org ORG [--dry-run]`.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Export data to files: `keten export hsds DIR`.
    #[command(subcommand)]
    Export(hsds::ExportCommand),
    /// Check files: `keten validate hsds DIR`.
    #[command(subcommand)]
    Validate(hsds::ValidateCommand),
    /// Remove expired sessions and old sign-in attempts, and erase the contact data of referrals closed
    /// longer ago than the retention period (default 90 days), now (serve also does this hourly).
    Purge,
    /// Print the OpenAPI document of the JSON API.
    Openapi,
    /// Write a consistent copy of the database while keten serves (SQLite: a database file;
    /// PostgreSQL: a pg_dump archive, needs pg_dump).
    Backup(backup::BackupArgs),
    /// Replace the database with a backup (stop keten first; PostgreSQL needs pg_restore).
    Restore(backup::RestoreArgs),
    /// The steering figures' rollups: `keten rollups rebuild` recomputes them from the raw help questions.
    #[command(subcommand)]
    Rollups(RollupsCommand),
}

#[derive(clap::Subcommand)]
enum RollupsCommand {
    /// Recompute every rollup from the registered help questions (one transaction).
    Rebuild,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "KETEN_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Load the demo chain first when the database is empty.
    #[arg(long)]
    demo: bool,
    /// Help questions to generate with --demo.
    #[arg(long, env = "KETEN_DEMO_QUESTIONS", default_value_t = 100_000)]
    demo_questions: u64,
    /// Help points to spread the --demo questions over (see `keten demo --help-points`); default: the demo
    /// chain only.
    #[arg(long, env = "KETEN_DEMO_HELP_POINTS", default_value_t = 0)]
    demo_help_points: usize,
    /// Mark cookies Secure: set when keten is reached over https.
    #[arg(long, env = "KETEN_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Trust X-Forwarded-For from a reverse proxy for the client address.
    #[arg(long, env = "KETEN_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// A sign-in ends after this many minutes without a request (idle expiry).
    #[arg(long, env = "KETEN_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=24 * 60))]
    session_idle_minutes: i64,
    /// A sign-in ends this many hours after it began, used or not (absolute expiry).
    #[arg(long, env = "KETEN_SESSION_HOURS", default_value_t = 12, value_parser = clap::value_parser!(i64).range(1..=24 * 30))]
    session_hours: i64,
    /// Map tiles for the interactive map, as a {z}/{x}/{y} URL template.
    #[arg(
        long,
        env = "KETEN_MAP_TILES",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    map_tiles: String,
    /// Folder with the npm packages (package.json); absent is fine.
    #[arg(long, env = "KETEN_ASSETS_DIR", default_value = "node_modules")]
    assets_dir: std::path::PathBuf,
    /// Send e-mail over SMTP: smtp://host:25, smtps://user:password@host:465, smtp://host:587?tls=required.
    #[arg(long, env = "KETEN_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Without an SMTP URL, e-mails are written as .eml files to this folder (neither: no e-mail).
    #[arg(long, env = "KETEN_MAIL_DIR")]
    mail_dir: Option<std::path::PathBuf>,
    /// Sender of keten's e-mail.
    #[arg(
        long,
        env = "KETEN_MAIL_FROM",
        default_value = "keten <noreply@keten.invalid>"
    )]
    mail_from: String,
    /// The address people use to reach keten (https://hulp.gemeente.nl), for links in e-mail and share links.
    /// Unset: e-mail links point to http://localhost:8080 and pages use the address of each request.
    #[arg(long, env = "KETEN_PUBLIC_URL")]
    public_url: Option<String>,
    /// Let webhooks reach addresses inside this server's own network (a closed installation).
    #[arg(long, env = "KETEN_WEBHOOK_PRIVATE_ADDRESSES")]
    webhook_private_addresses: bool,
    /// The key (64 hexadecimal characters) that seals authenticator secrets in the database; every instance on
    /// one PostgreSQL uses the same. Unset: read from --second-factor-key-file.
    #[arg(long, env = "KETEN_SECOND_FACTOR_KEY", hide_env_values = true)]
    second_factor_key: Option<String>,
    /// The file that holds that key, made with a new key when it does not exist. Keep it apart from the database
    /// and its backups: a backup alone then does not give the secrets away.
    #[arg(
        long,
        env = "KETEN_SECOND_FACTOR_KEY_FILE",
        default_value = "keten-second-factor.key"
    )]
    second_factor_key_file: std::path::PathBuf,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours only on a terminal: a log file or journal would otherwise keep the escape codes.
    // A log line that cannot be written is dropped: by default the subscriber reports that on stderr with
    // `eprintln!`, which panics when stderr is gone (a closed pipe), and every request then failed.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .log_internal_errors(false)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let url = cli
        .database_url
        .clone()
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());

    if let Command::Openapi = cli.command {
        println!("{}", keten_web::openapi_json());
        return Ok(());
    }
    if let Command::Validate(cmd) = cli.command {
        // Validation reads files only: no database needed.
        return hsds::validate_command(cmd);
    }

    if let Command::Restore(args) = &cli.command {
        // Restoring replaces the database: it runs before keten opens and migrates it.
        return backup::restore(&url, args).await;
    }

    let store = Store::connect(&url)
        .await
        .with_context(|| format!("cannot open database {}", redact(&url)))?;
    if matches!(cli.command, Command::Serve(_)) {
        // The rollups an update emptied are recomputed while keten already answers (see `serve`).
        store.migrate_schema().await.context("migrations failed")?;
    } else {
        store.migrate().await.context("migrations failed")?;
    }
    tracing::info!(backend = store.backend().name(), url = %redact(&url), "database ready");

    match cli.command {
        Command::Serve(args) => serve(store, args).await,
        Command::Migrate => Ok(()),
        Command::Demo(args) => demo::run(&store, &args).await,
        Command::User(cmd) => accounts::user(&store, cmd).await,
        Command::Org(cmd) => accounts::org(&store, cmd).await,
        Command::Token(cmd) => accounts::token(&store, cmd).await,
        Command::Import(cmd) => import::run(&store, cmd).await,
        Command::Export(cmd) => hsds::export(&store, cmd).await,
        Command::Purge => {
            let (removed, erased) = purge(&store).await?;
            println!("{removed} verlopen sessies en oude inlogpogingen verwijderd.");
            println!("Contactgegevens van {erased} afgesloten doorverwijzingen gewist.");
            Ok(())
        }
        Command::Rollups(RollupsCommand::Rebuild) => {
            let started = std::time::Instant::now();
            let read = store.rebuild_rollups().await?;
            println!(
                "Rollups opnieuw berekend uit {read} hulpvragen in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup(args) => backup::backup(&store, &url, &args).await,
        Command::Openapi | Command::Validate(_) | Command::Restore(_) => Ok(()),
    }
}

/// The command line's clock is the system clock.
pub fn now() -> jiff::Timestamp {
    use keten_core::clock::Clock;
    SystemClock.now()
}

/// Returns (sessions and attempts removed, referrals whose contact data was erased).
async fn purge(store: &Store) -> anyhow::Result<(u64, u64)> {
    let now = crate::now().as_second();
    let removed = store.purge_expired_sessions(now, now - 24 * 3600).await?;
    let erased = store
        .purge_referrals(now, keten_store::routing_rules::DEFAULT_RETENTION_DAYS)
        .await?;
    store.purge_survey_guard(now).await?;
    // Sign-ups of events: name, organisation and e-mail the set days after the event (issue 16).
    store.purge_event_sign_ups(now).await?;
    // Webhook messages hold no personal data; the page shows recent ones only.
    store.purge_webhook_deliveries(now - 30 * 86_400).await?;
    // Erased means gone: also from SQLite's write-ahead log (issue 18).
    store.checkpoint().await?;
    Ok((removed, erased))
}

/// The key that seals authenticator secrets: given in the environment, or kept in a file that is made the first
/// time (readable by its owner only).
fn second_factor_key(args: &ServeArgs) -> anyhow::Result<SealingKey> {
    if let Some(text) = &args.second_factor_key {
        return SealingKey::from_hex(text).context("KETEN_SECOND_FACTOR_KEY");
    }
    let path = &args.second_factor_key_file;
    match std::fs::read_to_string(path) {
        Ok(text) => SealingKey::from_hex(&text).with_context(|| path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SealingKey::generate();
            let mut file = std::fs::OpenOptions::new();
            file.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
            let mut file = file
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            std::io::Write::write_all(&mut file, format!("{}\n", key.to_hex()).as_bytes())?;
            tracing::warn!(
                path = %path.display(),
                "made a new key for authenticator secrets: keep this file, apart from the database's backups; \
                 without it every user sets up the second factor again"
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

async fn serve(store: Store, args: ServeArgs) -> anyhow::Result<()> {
    if args.demo && store.is_empty().await? {
        demo::run(
            &store,
            &demo::DemoArgs {
                questions: args.demo_questions,
                years: 2,
                seed: 2026,
                synthetic_help_points: 0,
                referrals: 300,
                help_points: args.demo_help_points,
            },
        )
        .await?;
    }
    if args.public_url.is_none() {
        tracing::warn!(
            "KETEN_PUBLIC_URL (--public-url) is not set: links in e-mail point to {} and share links use the \
             address of each request; set it to the address people use to reach keten",
            keten_web::mail::FALLBACK_PUBLIC_URL
        );
    }
    let second_factor_key = second_factor_key(&args)?;
    let sealed = keten_web::seal_stored_secrets(&store, &second_factor_key).await?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed authenticator secrets stored in plain text");
    }
    let state = AppState::new(
        store.clone(),
        Arc::new(SystemClock),
        WebConfig {
            second_factor_key: Some(second_factor_key),
            secure_cookies: args.secure_cookies,
            trust_forwarded_for: args.trust_forwarded_for,
            session_idle_minutes: args.session_idle_minutes,
            session_hours: args.session_hours,
            assets_dir: args.assets_dir,
            map_tiles: args.map_tiles,
            mail: keten_web::mail::MailConfig {
                smtp_url: args.smtp_url,
                mail_dir: args.mail_dir,
                from: args.mail_from,
                public_url: args.public_url.unwrap_or_default(),
            },
            webhook_private_addresses: args.webhook_private_addresses,
            ..WebConfig::default()
        },
    );
    // An update emptied the rollups to recompute them: that takes minutes for millions of questions. keten listens
    // meanwhile and answers every page and API with "come back in a few minutes" (503), not a refused connection.
    let update = store.rollups_missing().await?;
    if update {
        state.updating.close();
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "keten is listening");
    eprintln!("keten draait op http://{address}");
    let (update_task, update_failed) = finish_update(store.clone(), state.updating.clone(), update);
    // Stops on a signal, or when the update failed: keten must not serve figures it could not recompute.
    let stop = async move {
        tokio::select! {
            () = shutdown_signal() => {},
            () = update_failed => {},
        }
    };

    let purger = store.clone();
    let notifier = state.clone();
    let purge_task = tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            // Not beside the update's minutes-long write: the next hour comes soon enough.
            if notifier.updating.is_closed() {
                continue;
            }
            if let Err(e) = purge(&purger).await {
                tracing::warn!(error = %e, "purge failed");
            }
            // Overdue referrals and daily or weekly digests.
            if let Err(e) = keten_web::send_due_notifications(&notifier).await {
                tracing::warn!(error = %e, "notifications failed");
            }
            // Help points nobody has checked for half a year.
            if let Err(e) = keten_web::send_check_reminders(&notifier).await {
                tracing::warn!(error = %e, "check reminders failed");
            }
            // Device loans whose reminder day has come (once per loan).
            if let Err(e) = keten_web::send_loan_reminders(&notifier).await {
                tracing::warn!(error = %e, "loan reminders failed");
            }
            // Programme reports due soon or overdue.
            if let Err(e) = keten_web::send_report_reminders(&notifier).await {
                tracing::warn!(error = %e, "report reminders failed");
            }
            // The planner's picture of the growing tables (which index reads a municipality's figures).
            if let Err(e) = purger.refresh_planner_statistics().await {
                tracing::warn!(error = %e, "refreshing the planner statistics failed");
            }
        }
    });

    // Partners' webhooks: the outbox is sent every few seconds (retries wait in it until due).
    let deliverer = state.clone();
    let webhook_task = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            if deliverer.updating.is_closed() {
                continue;
            }
            if let Err(e) = keten_web::deliver_webhooks(&deliverer).await {
                tracing::warn!(error = %e, "webhook delivery failed");
            }
        }
    });

    keten_web::serve(listener, state, stop).await?;
    purge_task.abort();
    webhook_task.abort();
    if update_task.is_finished() {
        update_task
            .await?
            .context("the steering rollups could not be recomputed")?;
    } else {
        update_task.abort();
    }
    store.close().await;
    tracing::info!("keten stopped");
    Ok(())
}

/// Recomputes the rollups an update emptied (when `needed`) in the background and opens the gate after; returns
/// the task and a future that completes only if recomputing failed.
fn finish_update(
    store: Store,
    gate: keten_web::updating::UpdateGate,
    needed: bool,
) -> (
    tokio::task::JoinHandle<Result<(), keten_store::StoreError>>,
    impl std::future::Future<Output = ()>,
) {
    let (report_failure, failure) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        if !needed {
            return Ok(());
        }
        let done = store.rebuild_rollups_if_missing().await;
        match &done {
            Ok(()) => gate.open(),
            Err(_) => {
                let _ = report_failure.send(());
            }
        }
        done
    });
    let failed = async {
        // The sender dropped without a word: no failure, so never complete.
        if failure.await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    (task, failed)
}

/// Completes on Ctrl-C or SIGTERM, so that running requests can finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
