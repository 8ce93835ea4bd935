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

pub fn check_password_strength(password: &str) -> Result<(), ValidationError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(ValidationError::new(
            "password",
            format!("Kies een wachtwoord van minstens {MIN_PASSWORD_LEN} tekens."),
        ));
    }
    Ok(())
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
