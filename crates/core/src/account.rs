//! Accounts: roles, memberships, e-mail addresses and password hashing.

use crate::ValidationError;
use crate::codes::code_list;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use serde::{Deserialize, Serialize};
use std::fmt;

code_list! {
    /// What a member may do within an organisation (DESIGN.md section 2).
    pub enum Role ("role") {
        Staff = "staff", "Medewerker hulppunt";
        Coordinator = "coordinator", "Coördinator hulppunt";
        Partner = "partner", "Ketenpartner";
        Steering = "steering", "Regie gemeente";
        ProgrammeManager = "programme_manager", "Programmamanager";
        Admin = "admin", "Beheerder";
    }
}

/// A normalised (trimmed, lower-case) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim().to_lowercase();
        let valid = s.len() <= 254
            && !s.chars().any(char::is_whitespace)
            && match s.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains('@')
                }
                None => false,
            };
        if valid {
            Ok(Self(s))
        } else {
            Err(ValidationError::new(
                "email",
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shortest password we accept; long passphrases beat complexity rules (NIST 800-63B).
pub const MIN_PASSWORD_LEN: usize = 12;

/// Passwords too well known to keep anyone out; see the file for where they come from.
const COMMON_PASSWORDS: &str = include_str!("../../../data/common_passwords.txt");

/// The password as the common list compares it: lower case, without spaces.
fn password_key(password: &str) -> String {
    password
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when the password repeats a short piece (`aaaaaaaaaaaa`, `abcabcabcabc`, `123412341234`): long, yet
/// guessed at once.
fn is_repetition(key: &str) -> bool {
    let chars: Vec<char> = key.chars().collect();
    (1..=6).any(|period| {
        chars.len() >= 2 * period
            && chars
                .iter()
                .enumerate()
                .all(|(i, c)| *c == chars[i % period])
    })
}

/// Long passphrases beat complexity rules (NIST 800-63B): at least [`MIN_PASSWORD_LEN`] characters, not only
/// spaces, not one short piece repeated, not on the list of the most common passwords.
pub fn check_password_strength(password: &str) -> Result<(), ValidationError> {
    let refuse = |message: String| Err(ValidationError::new("password", message));
    if password.chars().count() < MIN_PASSWORD_LEN {
        return refuse(format!(
            "Kies een wachtwoord van minstens {MIN_PASSWORD_LEN} tekens."
        ));
    }
    let key = password_key(password);
    if key.chars().count() < MIN_PASSWORD_LEN / 2 {
        return refuse(
            "Een wachtwoord van (bijna) alleen spaties is te makkelijk te raden. Kies een zin van een paar woorden."
                .into(),
        );
    }
    let common = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| password_key(l) == key);
    if common || is_repetition(&key) {
        return refuse(
            "Dit wachtwoord wordt veel gebruikt en is daardoor snel geraden. Kies een zin van een paar woorden die alleen u kent."
                .into(),
        );
    }
    Ok(())
}

/// Where a role's work is, the page a member lands on after signing in (issue 20): staff and coordinators at
/// the desk, partners in the referral inbox, steering at the figures, programme managers at their programmes,
/// admins on the admin page. With several roles, the first in this order wins: admin, steering, programme
/// manager, coordinator, staff, partner.
#[must_use]
pub fn landing_path(roles: &[Role]) -> &'static str {
    const ORDER: [(Role, &str); 6] = [
        (Role::Admin, "/beheer"),
        (Role::Steering, "/regie"),
        (Role::ProgrammeManager, "/programmas"),
        (Role::Coordinator, "/balie"),
        (Role::Staff, "/balie"),
        (Role::Partner, "/doorverwijzingen"),
    ];
    ORDER
        .iter()
        .find(|(role, _)| roles.contains(role))
        .map_or("/account", |(_, path)| path)
}

/// The roles of the API tokens someone keeps for an organisation, holding `held_here` there (issue 18): one rule
/// for the page and the API. Admins keep every token; a coordinator keeps tokens of the roles held there and of
/// staff; everyone else none. So no one makes, sees as theirs to revoke, or revokes a token above their own role.
#[must_use]
pub fn api_token_roles(is_admin: bool, held_here: &[Role]) -> Vec<Role> {
    if is_admin {
        return Role::ALL.to_vec();
    }
    if !held_here.contains(&Role::Coordinator) {
        return Vec::new();
    }
    Role::ALL
        .iter()
        .copied()
        .filter(|r| *r == Role::Staff || held_here.contains(r))
        .collect()
}

/// Hash a password with argon2id (the crate's default parameters follow OWASP's advice).
pub fn hash_password(password: &str) -> Result<String, ValidationError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| ValidationError::new("password", "Het wachtwoord kon niet worden opgeslagen."))
}

/// True when `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that a
/// wrong e-mail address takes as long as a wrong password.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("keten-dummy-password").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Anna@Gemeente.NL ").unwrap().as_str(),
            "anna@gemeente.nl"
        );
        for bad in [
            "", "anna", "anna@", "@x.nl", "a b@x.nl", "a@nl", "a@.nl", "a@x.nl.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn password_hash_roundtrip() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn roles_parse() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert!("root".parse::<Role>().is_err());
        assert!(check_password_strength("short").is_err());
        assert!(check_password_strength("long enough pass").is_ok());
    }

    #[test]
    fn blank_repeated_and_common_passwords_are_refused() {
        for bad in [
            "            ",
            " \t          \n ",
            "a          b",
            "aaaaaaaaaaaa",
            "abababababab",
            "123412341234",
            "abcabcabcabc",
            "password1234",
            "Wachtwoord123",
            "Correct Horse Battery Staple",
            "qwertyuiopas",
            "123456789012",
        ] {
            let refused = check_password_strength(bad);
            assert!(refused.is_err(), "{bad:?} should be refused");
        }
        for good in [
            "een fiets met drie wielen",
            "de fiets staat bij de bieb",
            "Zo-lang-als-een-zin 7",
        ] {
            assert!(check_password_strength(good).is_ok(), "{good:?}");
        }
        assert!(
            check_password_strength("            ")
                .unwrap_err()
                .message
                .contains("spaties")
        );
    }

    #[test]
    fn each_role_lands_where_its_work_is() {
        assert_eq!(landing_path(&[Role::Staff]), "/balie");
        assert_eq!(landing_path(&[Role::Coordinator]), "/balie");
        assert_eq!(landing_path(&[Role::Partner]), "/doorverwijzingen");
        assert_eq!(landing_path(&[Role::Steering]), "/regie");
        assert_eq!(landing_path(&[Role::ProgrammeManager]), "/programmas");
        assert_eq!(landing_path(&[Role::Admin]), "/beheer");
        assert_eq!(landing_path(&[Role::Partner, Role::Admin]), "/beheer");
        assert_eq!(landing_path(&[]), "/account");
    }

    #[test]
    fn api_tokens_are_kept_by_coordinators_and_admins_never_above_their_role() {
        assert_eq!(api_token_roles(true, &[]), Role::ALL.to_vec());
        assert_eq!(
            api_token_roles(false, &[Role::Coordinator]),
            vec![Role::Staff, Role::Coordinator]
        );
        for alone in [
            Role::Staff,
            Role::Partner,
            Role::Steering,
            Role::ProgrammeManager,
        ] {
            assert!(api_token_roles(false, &[alone]).is_empty(), "{alone:?}");
        }
        assert!(!api_token_roles(false, &[Role::Coordinator]).contains(&Role::Steering));
    }
}

/// A new account as typed by an admin: who, which organisation, which role.
#[derive(Debug, Clone)]
pub struct UserDraft {
    pub email: Email,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub organisation_id: String,
}

impl UserDraft {
    pub fn parse(
        email: &str,
        display_name: &str,
        password: &str,
        role: &str,
        organisation_id: &str,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let email = Email::parse(email).map_err(|e| errors.push(e)).ok();
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 120 {
            errors.push(ValidationError::new(
                "display_name",
                "Vul een naam in (hoogstens 120 tekens).",
            ));
        }
        if let Err(e) = check_password_strength(password) {
            errors.push(e);
        }
        let role = role.parse().map_err(|e| errors.push(e)).ok();
        if organisation_id.trim().is_empty() {
            errors.push(ValidationError::new(
                "organisation_id",
                "Kies de organisatie waar deze persoon bij hoort.",
            ));
        }
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(Self {
                email,
                display_name: display_name.to_owned(),
                password: password.to_owned(),
                role,
                organisation_id: organisation_id.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}
