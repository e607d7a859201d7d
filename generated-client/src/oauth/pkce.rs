use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::error::{OAuthError, OAuthResult};
use crate::oauth_types::PkceMethod;
use crate::runtime::Secret;

/// The 64 URL-safe characters; every one is an RFC 3986 "unreserved" character, and 64 divides
/// 256, so masking a random byte picks each with equal probability.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `len` random unreserved characters from the operating system's CSPRNG, or
/// [`OAuthError::Random`] if it cannot supply random bytes.
pub(crate) fn random_string(len: usize) -> OAuthResult<String> {
    random_string_from(len, getrandom::getrandom)
}

/// [`random_string`] with the random source passed in (tests give a failing one).
fn random_string_from(len: usize, fill: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>) -> OAuthResult<String> {
    let mut bytes = vec![0u8; len];
    fill(&mut bytes).map_err(|e| OAuthError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| ALPHABET[usize::from(b & 63)] as char).collect())
}

/// A PKCE pair (RFC 7636): the secret code verifier and the challenge derived from it.
///
/// The verifier never shows in `Debug` output.
///
/// ```
/// use telnyx_oauth::oauth::{Pkce, PkceMethod};
///
/// let pkce = Pkce::new()?;
/// assert_eq!(pkce.method(), PkceMethod::S256);
/// assert_eq!(pkce.verifier().expose().len(), 64);
/// assert_eq!(pkce.challenge().len(), 43); // 32 bytes of SHA-256, base64url without padding
/// assert!(!format!("{pkce:?}").contains(pkce.verifier().expose()));
/// # Ok::<(), telnyx_oauth::oauth::OAuthError>(())
/// ```
#[derive(Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
    method: PkceMethod,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &self.verifier)
            .field("challenge", &self.challenge)
            .field("method", &self.method)
            .finish()
    }
}

impl Pkce {
    /// Shortest verifier allowed by RFC 7636.
    pub const MIN_LEN: usize = 43;
    /// Longest verifier allowed by RFC 7636.
    pub const MAX_LEN: usize = 128;

    /// A fresh S256 pair with a 64-character verifier (384 random bits), or
    /// [`OAuthError::Random`] if the operating system's random number generator fails.
    pub fn new() -> OAuthResult<Self> {
        Ok(Self::from_parts(random_string(64)?, PkceMethod::S256))
    }

    /// A fresh pair with a verifier of `len` characters (43 to 128) and the given method.
    ///
    /// ```
    /// use telnyx_oauth::oauth::{Pkce, PkceMethod};
    /// let plain = Pkce::generate(43, PkceMethod::Plain).unwrap();
    /// assert_eq!(plain.challenge(), plain.verifier().expose());
    /// assert!(Pkce::generate(42, PkceMethod::S256).is_err());
    /// ```
    ///
    /// Fails with [`OAuthError::Random`] if the operating system's random number generator fails.
    pub fn generate(len: usize, method: PkceMethod) -> OAuthResult<Self> {
        check_len(len)?;
        Ok(Self::from_parts(random_string(len)?, method))
    }

    /// A pair from a verifier you already have (checked against RFC 7636 §4.1).
    ///
    /// ```
    /// use telnyx_oauth::oauth::{Pkce, PkceMethod};
    /// // The example of RFC 7636 Appendix B.
    /// let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", PkceMethod::S256).unwrap();
    /// assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// ```
    pub fn from_verifier(verifier: impl Into<String>, method: PkceMethod) -> OAuthResult<Self> {
        let verifier = verifier.into();
        check_len(verifier.len())?;
        if !verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
            return Err(OAuthError::Config("a PKCE verifier may only hold unreserved characters".into()));
        }
        Ok(Self::from_parts(verifier, method))
    }

    fn from_parts(verifier: String, method: PkceMethod) -> Self {
        let challenge = pkce_challenge(&verifier, method);
        Self { verifier: Secret::new(verifier), challenge, method }
    }

    /// The code verifier, sent with the token request.
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// The code challenge, sent in the authorization URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// How the challenge was derived.
    pub fn method(&self) -> PkceMethod {
        self.method
    }
}

/// The code challenge of `verifier` (what a server computes to check a token request).
///
/// ```
/// use telnyx_oauth::oauth::{pkce_challenge, PkceMethod};
/// assert_eq!(
///     pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", PkceMethod::S256),
///     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
/// );
/// ```
pub fn pkce_challenge(verifier: &str, method: PkceMethod) -> String {
    match method {
        PkceMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        PkceMethod::Plain => verifier.to_owned(),
    }
}

fn check_len(len: usize) -> OAuthResult<()> {
    if (Pkce::MIN_LEN..=Pkce::MAX_LEN).contains(&len) {
        Ok(())
    } else {
        Err(OAuthError::Config(format!("a PKCE verifier must be 43 to 128 characters long, not {len}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_strings_use_unreserved_chars_and_differ() {
        let a = random_string(128).unwrap();
        let b = random_string(128).unwrap();
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn a_failing_random_source_is_an_error_not_a_panic() {
        let error = random_string_from(64, |_| Err(getrandom::Error::UNSUPPORTED)).unwrap_err();
        assert!(matches!(&error, OAuthError::Random(_)), "{error:?}");
        assert!(error.to_string().starts_with("the operating system's random number generator failed: "), "{error}");
    }

    #[test]
    fn verifier_charset_is_checked() {
        let bad = "a".repeat(42) + "+";
        assert!(Pkce::from_verifier(bad, PkceMethod::S256).is_err());
        assert!(Pkce::from_verifier("a".repeat(129), PkceMethod::S256).is_err());
        assert!(Pkce::from_verifier("~._-".repeat(11), PkceMethod::Plain).is_ok());
    }
}
