//! The second factor: time-based one-time passwords (RFC 6238) and single-use recovery codes.

use crate::ValidationError;
use crate::account::{Role, hash_password, verify_password};
use rand::Rng;
use totp_rs::{Algorithm, Secret, Totp};

/// Digits, step and hash are what every authenticator app supports (RFC 6238 defaults).
pub const DIGITS: u8 = 6;
pub const STEP_SECONDS: u64 = 30;
/// One step either side: a phone clock a little off, or a code typed just as it changed.
pub const SKEW_STEPS: u16 = 1;
/// How many recovery codes a user gets at once.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show above the code.
pub const ISSUER: &str = "keten";

/// The demo's secret for every demo user who needs a second factor (`keten serve --demo` prints it; README):
/// public on purpose, so that anyone can try the demo. Never used outside the demo.
pub const DEMO_SECRET: &str = "KETENDEMOKETENDEMOKETENDEMOKETEN";

/// Roles whose reach is a whole municipality, programme or installation: they must sign in with a second factor.
pub fn required_for(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::Steering | Role::ProgrammeManager | Role::Admin))
}

/// A shared TOTP secret, as the base32 text authenticator apps take.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never in a log.
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// 160 random bits, the length RFC 4226 recommends.
    pub fn generate() -> Self {
        let bytes: [u8; 20] = rand::random();
        Self(Secret::from(bytes).to_base32())
    }

    /// A secret read back from storage (or the demo's); `None` when it is not base32 of at least 128 bits.
    pub fn from_base32(text: &str) -> Option<Self> {
        let bytes = Secret::try_from_base32(text).ok()?;
        (bytes.as_bytes().len() >= 16).then(|| Self(text.to_owned()))
    }

    pub fn as_base32(&self) -> &str {
        &self.0
    }

    /// The secret in groups of four for people who type it into their app.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn totp(&self, account: &str) -> Option<Totp> {
        let secret = Secret::try_from_base32(&self.0).ok()?;
        totp_rs::Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(SKEW_STEPS)
            .with_step_duration(STEP_SECONDS)
            .with_secret(secret.as_bytes().to_vec())
            .with_account_name(account.replace(':', " "))
            .with_issuer(Some(ISSUER))
            .build()
            .ok()
    }

    /// The `otpauth://` address the QR code holds.
    pub fn otpauth_url(&self, account: &str) -> Option<String> {
        self.totp(account)?.to_url().ok()
    }

    /// The time step a code belongs to when it is valid at `now` (unix seconds), give or take [`SKEW_STEPS`].
    /// The caller refuses a step it accepted before, so that a code works only once.
    pub fn check(&self, code: &str, now: i64) -> Option<i64> {
        let code = digits_only(code)?;
        let now = u64::try_from(now).ok()?;
        let step = self.totp("")?.check(&code, now)?;
        i64::try_from(step).ok()
    }

    /// The code for `now`, as an authenticator app shows it (tests and the demo).
    pub fn code_at(&self, now: i64) -> Option<String> {
        Some(
            self.totp("")?
                .generate(u64::try_from(now).ok()?)
                .to_string(),
        )
    }
}

/// The six digits of a typed code, with spaces removed; `None` when it is not a one-time code.
fn digits_only(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == usize::from(DIGITS) && code.chars().all(|c| c.is_ascii_digit())).then_some(code)
}

/// True when the input looks like a one-time code rather than a recovery code.
pub fn is_one_time_code(input: &str) -> bool {
    digits_only(input).is_some()
}

/// Letters and digits that cannot be mistaken for each other on paper (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Fresh recovery codes, `xxxxx-xxxxx` (about 49 bits each), to show once.
pub fn generate_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10)
                .map(|_| {
                    char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])
                })
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as typed, reduced to what counts: no spaces or dashes, lower case.
pub fn normalise_recovery_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Recovery codes are stored like passwords (argon2id), so a database dump does not give them away.
pub fn hash_recovery_code(code: &str) -> Result<String, ValidationError> {
    hash_password(&normalise_recovery_code(code))
}

/// Which of `hashes` the typed recovery code matches, if any.
pub fn matching_recovery_code(input: &str, hashes: &[String]) -> Option<usize> {
    let code = normalise_recovery_code(input);
    if code.len() != 10 {
        return None;
    }
    hashes.iter().position(|h| verify_password(&code, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, 8 digits truncated to our 6: "12345678901234567890" at 59 s is 94287082.
        let secret = TotpSecret(Secret::from(*b"12345678901234567890").to_base32());
        assert_eq!(secret.code_at(59).unwrap(), "287082");
        assert_eq!(secret.check("287082", 59), Some(1));
        // One step of skew either side, not two.
        assert_eq!(secret.check("287082", 59 + 30), Some(1));
        assert_eq!(secret.check("287082", 59 + 60), None);
        assert_eq!(secret.check("287 082", 59), Some(1));
        assert_eq!(secret.check("28708", 59), None);
    }

    #[test]
    fn the_demo_secret_is_valid_and_secrets_never_print() {
        let demo = TotpSecret::from_base32(DEMO_SECRET).unwrap();
        assert_eq!(demo.as_base32().len(), 32);
        assert!(TotpSecret::from_base32("TOOSHORT").is_none());
        assert_eq!(format!("{demo:?}"), "TotpSecret(..)");
        let fresh = TotpSecret::generate();
        assert_ne!(fresh, TotpSecret::generate());
        let url = fresh.otpauth_url("a@b.nl").unwrap();
        assert!(url.starts_with("otpauth://totp/keten:a%40b.nl?"), "{url}");
        assert!(url.contains(fresh.as_base32()));
    }

    #[test]
    fn recovery_codes_are_distinct_and_match_only_themselves() {
        let codes = generate_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let hashes: Vec<String> = codes[..2]
            .iter()
            .map(|c| hash_recovery_code(c).unwrap())
            .collect();
        assert_eq!(matching_recovery_code(&codes[1], &hashes), Some(1));
        assert_eq!(
            matching_recovery_code(&codes[0].to_uppercase().replace('-', " "), &hashes),
            Some(0)
        );
        assert_eq!(matching_recovery_code(&codes[2], &hashes), None);
        assert!(!is_one_time_code(&codes[0]));
        assert!(is_one_time_code("123 456"));
    }

    #[test]
    fn only_the_wide_roles_require_it() {
        assert!(required_for(&[Role::Staff, Role::Admin]));
        assert!(required_for(&[Role::Steering]));
        assert!(required_for(&[Role::ProgrammeManager]));
        assert!(!required_for(&[
            Role::Staff,
            Role::Coordinator,
            Role::Partner
        ]));
    }
}
