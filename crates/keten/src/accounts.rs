//! `keten user` and `keten org`: accounts from the command line (the first admin starts here).

use anyhow::{Context, bail};
use clap::Subcommand;
use keten_core::account::{Role, UserDraft, hash_password};
use keten_core::organisation::{OrganisationDraft, OrganisationIdentifiers};
use keten_store::Store;
use keten_store::scope::{Actor, Membership};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user with a membership: `keten user add --email a@b.nl --role admin --org "Beheer"`.
    Add {
        #[arg(long)]
        email: String,
        /// staff, partner, steering, programme_manager or admin
        #[arg(long)]
        role: String,
        /// Organisation id or exact name.
        #[arg(long)]
        org: String,
        /// Display name (default: the part of the e-mail address before @).
        #[arg(long)]
        name: Option<String>,
        /// Password; when absent, one is generated and printed.
        #[arg(long, env = "KETEN_PASSWORD")]
        password: Option<String>,
    },
    /// Disable a user: sign-in is refused and every session ends at once: `keten user disable --email a@b.nl`.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Remove a user with their memberships and sessions; what they registered stays, without their name:
    /// `keten user remove --email a@b.nl`.
    Remove {
        #[arg(long)]
        email: String,
    },
    /// Remove a user's second factor (a lost phone; also for the last admin): their sessions end and their next
    /// sign-in sets up a new one: `keten user reset-second-factor --email a@b.nl`.
    ResetSecondFactor {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Create an organisation: `keten org add --name "Gemeente Gent" --kind municipality --sector public --municipality 44021`.
    Add {
        #[arg(long)]
        name: String,
        /// municipality, library, community, partner or national_body
        #[arg(long)]
        kind: String,
        /// public, civil, private, knowledge or citizens
        #[arg(long)]
        sector: String,
        /// CBS code (GM0599) or NIS code (44021) of the home municipality.
        #[arg(long)]
        municipality: String,
        /// KvK number (8 digits), used to match the organisation when importing help points.
        #[arg(long)]
        kvk: Option<String>,
        /// KBO/enterprise number (10 digits, Belgium), used like --kvk.
        #[arg(long)]
        kbo: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an organisation's system: `keten token add --org "Bibliotheek Rotterdam" --role staff --name kassa`.
    /// The token is printed once; only its hash is stored.
    Add {
        /// Organisation id or exact name.
        #[arg(long)]
        org: String,
        /// The role the token acts with (staff, coordinator, partner, steering, ...).
        #[arg(long)]
        role: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
    },
}

/// The command line acts with full rights: whoever runs it owns the database.
pub(crate) fn operator() -> Actor {
    Actor {
        user_id: None,
        memberships: vec![Membership {
            organisation_id: String::new(),
            organisation_name: "command line".into(),
            role: Role::Admin,
        }],
        ..Actor::default()
    }
}

/// A readable random password for people to type once and then change.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..20)
        .map(|i| {
            if i > 0 && i % 5 == 0 {
                '-'
            } else {
                ALPHABET[rand::random_range(0..ALPHABET.len())] as char
            }
        })
        .collect()
}

pub async fn user(store: &Store, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            email,
            role,
            org,
            name,
            password,
        } => {
            let organisations = store.organisations(&operator()).await?;
            let Some(organisation) = organisations.iter().find(|o| o.id == org || o.name == org)
            else {
                bail!("organisatie '{org}' bestaat niet; maak haar eerst met `keten org add`");
            };
            let generated = password.is_none();
            let password = password.unwrap_or_else(generate_password);
            let display_name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let draft = UserDraft::parse(&email, &display_name, &password, &role, &organisation.id)
                .map_err(|errors| {
                    anyhow::anyhow!(
                        errors
                            .iter()
                            .map(|e| e.message.clone())
                            .collect::<Vec<_>>()
                            .join(" ")
                    )
                })?;
            let hash = hash_password(&draft.password)?;
            let now = crate::now().as_second();
            let user = store
                .create_user(&draft.email, &draft.display_name, &hash, now)
                .await
                .context("account aanmaken mislukt (bestaat het e-mailadres al?)")?;
            store
                .add_membership(&user.id, &organisation.id, draft.role)
                .await?;
            println!(
                "Account {} aangemaakt ({} bij {}).",
                user.email,
                draft.role.label(),
                organisation.name
            );
            if generated {
                println!("Wachtwoord: {password}");
            }
            Ok(())
        }
        UserCommand::Disable { email } => {
            let user = user_named(store, &email).await?;
            store
                .disable_user(&user.id, crate::now().as_second())
                .await?;
            println!(
                "Account {} is uitgeschakeld en overal afgemeld.",
                user.email
            );
            Ok(())
        }
        UserCommand::Remove { email } => {
            let user = user_named(store, &email).await?;
            store.remove_user(&user.id).await?;
            println!("Account {} is verwijderd.", user.email);
            Ok(())
        }
        UserCommand::ResetSecondFactor { email } => {
            let user = user_named(store, &email).await?;
            store.remove_second_factor(&user.id).await?;
            println!(
                "De tweede stap van {} is gewist; overal afgemeld. Bij de volgende keer inloggen stelt de \
                 gebruiker een nieuwe in.",
                user.email
            );
            Ok(())
        }
    }
}

/// The user with this e-mail address, or a Dutch error naming it.
async fn user_named(store: &Store, email: &str) -> anyhow::Result<keten_store::accounts::User> {
    let parsed =
        keten_core::account::Email::parse(email).map_err(|e| anyhow::anyhow!(e.message))?;
    match store.user_by_email(&parsed).await {
        Ok(user) => Ok(user),
        Err(keten_store::StoreError::NotFound) => {
            bail!("er is geen account met e-mailadres {email}")
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn org(store: &Store, cmd: OrgCommand) -> anyhow::Result<()> {
    match cmd {
        OrgCommand::Add {
            name,
            kind,
            sector,
            municipality,
            kvk,
            kbo,
        } => {
            let identifiers = OrganisationIdentifiers::parse(
                kvk.as_deref().unwrap_or_default(),
                kbo.as_deref().unwrap_or_default(),
            );
            let draft = OrganisationDraft::parse(&name, &kind, &sector, &municipality, &[])
                .and_then(|mut draft| {
                    draft.identifiers = identifiers?;
                    Ok(draft)
                })
                .map_err(|errors| {
                    anyhow::anyhow!(
                        errors
                            .iter()
                            .map(|e| e.message.clone())
                            .collect::<Vec<_>>()
                            .join(" ")
                    )
                })?;
            let org = store
                .create_organisation(&draft, crate::now().as_second())
                .await?;
            println!("Organisatie {} aangemaakt (id {}).", org.name, org.id);
            Ok(())
        }
    }
}

pub async fn token(store: &Store, cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Add { org, role, name } => {
            let organisations = store.organisations(&operator()).await?;
            let Some(organisation) = organisations.iter().find(|o| o.id == org || o.name == org)
            else {
                bail!("organisatie '{org}' bestaat niet");
            };
            let role: Role = role
                .parse()
                .map_err(|e: keten_core::ValidationError| anyhow::anyhow!(e.message))?;
            let token = keten_web::random_token();
            let id = store
                .create_api_token(
                    &organisation.id,
                    role,
                    &name,
                    &keten_web::token_hash(&token),
                    crate::now().as_second(),
                )
                .await?;
            eprintln!(
                "API-token {id} voor {} ({}) aangemaakt. Bewaar het token nu: het wordt niet nog eens getoond.",
                organisation.name,
                role.label()
            );
            println!("{token}");
            Ok(())
        }
    }
}
