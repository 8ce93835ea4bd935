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

/// What marks a sealed secret in storage; anything else is a legacy base32 secret stored before sealing existed.
const SEALED_PREFIX: &str = "sealed1:";

/// The key that seals authenticator secrets before they are stored, so that a dump or backup of the database
/// alone does not give them away. It lives outside the database (`KETEN_SECOND_FACTOR_KEY` or a key file).
#[derive(Clone, PartialEq, Eq)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

impl SealingKey {
    pub fn generate() -> Self {
        Self(rand::random())
    }

    /// 64 hexadecimal characters (32 bytes); surrounding white space, as a key file may end with, is ignored.
    pub fn from_hex(text: &str) -> Result<Self, ValidationError> {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                ValidationError::new(
                    "second_factor_key",
                    "De sleutel voor de tweede stap moet 64 hexadecimale tekens zijn (32 bytes).",
                )
            })?;
        Ok(Self(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The secret encrypted and authenticated for this user: a sealed secret copied to another user's row does not
    /// open. A fresh random nonce per call (192 bits, so random nonces never collide in practice).
    pub fn seal(&self, user_id: &str, secret: &TotpSecret) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.0.into());
        let nonce: [u8; 24] = rand::random();
        let payload = Payload {
            msg: secret.as_base32().as_bytes(),
            aad: user_id.as_bytes(),
        };
        // Encryption into a Vec only fails for messages beyond the cipher's size limit (256 GiB).
        let sealed = cipher.encrypt(&nonce.into(), payload).unwrap_or_default();
        format!(
            "{SEALED_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        )
    }

    /// The secret as stored: sealed (opened with this key for this user) or a legacy plain base32 secret.
    /// `None` when it was sealed with another key, for another user, or is damaged.
    pub fn open(&self, user_id: &str, stored: &str) -> Option<TotpSecret> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            return TotpSecret::from_base32(stored);
        };
        let bytes = hex::decode(sealed).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, message) = bytes.split_at(24);
        let nonce = <[u8; 24]>::try_from(nonce).ok()?;
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&self.0.into());
        let plain = cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: message,
                    aad: user_id.as_bytes(),
                },
            )
            .ok()?;
        TotpSecret::from_base32(std::str::from_utf8(&plain).ok()?)
    }
}

/// True when a stored secret is sealed (so the start-up pass that seals legacy secrets can skip it).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
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
    #[test]
    fn sealed_secrets_open_only_with_their_key_and_user() {
        let key = SealingKey::generate();
        let secret = TotpSecret::generate();
        let sealed = key.seal("user-1", &secret);
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains(secret.as_base32()));
        assert_eq!(key.open("user-1", &sealed), Some(secret.clone()));
        // Another user's row, another key, a flipped byte: nothing opens.
        assert_eq!(key.open("user-2", &sealed), None);
        assert_eq!(SealingKey::generate().open("user-1", &sealed), None);
        let mut damaged = sealed.clone().into_bytes();
        let last = damaged.len() - 1;
        damaged[last] = if damaged[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            key.open("user-1", std::str::from_utf8(&damaged).unwrap()),
            None
        );
        // Two seals of one secret differ (fresh nonce), both open.
        let again = key.seal("user-1", &secret);
        assert_ne!(again, sealed);
        assert_eq!(key.open("user-1", &again), Some(secret));
        // A legacy plain secret still opens, so installations upgrade without a reset.
        assert!(key.open("user-1", DEMO_SECRET).is_some());
        assert!(!is_sealed(DEMO_SECRET));
    }

    #[test]
    fn sealing_keys_are_64_hex_characters() {
        let key = SealingKey::generate();
        assert_eq!(
            SealingKey::from_hex(&format!("{}\n", key.to_hex())).unwrap(),
            key
        );
        assert!(SealingKey::from_hex("abc").is_err());
        assert!(SealingKey::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(format!("{key:?}"), "SealingKey(..)");
    }
}
