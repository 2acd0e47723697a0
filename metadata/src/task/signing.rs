//! The signed-request envelope of the task API: four headers and the exact bytes they sign.
//!
//! # Headers
//!
//! | header            | value                                                    |
//! |-------------------|----------------------------------------------------------|
//! | `X-Nya-Hotkey`    | the signer's hotkey, SS58 text                            |
//! | `X-Nya-Timestamp` | unix time in milliseconds, decimal, no sign, no leading 0 |
//! | `X-Nya-Nonce`     | 16 random bytes, 32 lowercase hex characters              |
//! | `X-Nya-Signature` | `0x` + 128 lowercase hex characters (64-byte sr25519)     |
//!
//! Values are taken byte for byte: no surrounding whitespace, no uppercase hex.
//!
//! # Signed message
//!
//! [`signing_message`] builds, with `\n` a single 0x0A byte and no trailing newline:
//!
//! ```text
//! nya-request-v1\n
//! <METHOD>\n                      uppercase ASCII letters, e.g. POST
//! <path-and-query>\n              the request target as sent: starts with '/', visible ASCII
//! <hex(sha256(body))>\n           64 lowercase hex; the body is the exact bytes sent (empty: sha256 of "")
//! <timestamp_ms>\n                the X-Nya-Timestamp text
//! <nonce>                         the X-Nya-Nonce text
//! ```
//!
//! Every line has a fixed grammar that cannot contain `\n`, so the byte string is unambiguous;
//! the first line separates it from any other message a hotkey signs. The body hash binds the
//! request body (and with it the `netuid` of a [`super::NextTaskRequest`]). The path is not
//! normalised: the verifier uses the request target exactly as received.
//!
//! # Verifying (the server's steps)
//!
//! 1. [`SignedHeaders::parse`] the four headers.
//! 2. [`ReplayWindow::check_timestamp`] against the server clock.
//! 3. Verify the sr25519 signature of [`SignedHeaders::message`] under the hotkey. sr25519 lives in
//!    `nya-chain` (the project's one key type), so it is not done here.
//! 4. Reject a [`ReplayKey`] seen before; remember it until
//!    [`ReplayWindow::forget_after_ms`]. The nonce store is the server's state.
//! 5. Check that the hotkey is registered on the subnet.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::{Ss58Address, Ss58Error, excerpt};

/// Header carrying the signer's SS58 hotkey.
pub const HEADER_HOTKEY: &str = "X-Nya-Hotkey";
/// Header carrying the unix time in milliseconds.
pub const HEADER_TIMESTAMP: &str = "X-Nya-Timestamp";
/// Header carrying the 16-byte nonce in hex.
pub const HEADER_NONCE: &str = "X-Nya-Nonce";
/// Header carrying the `0x`-prefixed sr25519 signature.
pub const HEADER_SIGNATURE: &str = "X-Nya-Signature";
/// First line of every signed message (domain separation).
pub const SIGNING_DOMAIN: &[u8] = b"nya-request-v1\n";

/// Longest accepted HTTP method token.
const MAX_METHOD_LEN: usize = 16;
/// Longest accepted request target, in bytes.
const MAX_PATH_LEN: usize = 8_192;
/// Nonce size in bytes.
const NONCE_LEN: usize = 16;
/// sr25519 signature size in bytes.
const SIGNATURE_LEN: usize = 64;

/// 16 random bytes that make a signed request unique; text form is 32 lowercase hex characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nonce(pub [u8; NONCE_LEN]);

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl FromStr for Nonce {
    type Err = String;

    /// Parses exactly 32 lowercase hex characters; the error is a reason phrase.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_lower_hex::<NONCE_LEN>(s).map(Nonce)
    }
}

/// A 64-byte sr25519 signature; text form is `0x` + 128 lowercase hex characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; SIGNATURE_LEN]);

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl FromStr for Signature {
    type Err = String;

    /// Parses `0x` + 128 lowercase hex characters; the error is a reason phrase.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s
            .strip_prefix("0x")
            .ok_or_else(|| "expected it to start with \"0x\"".to_owned())?;
        parse_lower_hex::<SIGNATURE_LEN>(digits).map(Signature)
    }
}

/// `N` bytes from exactly `2N` lowercase hex characters.
fn parse_lower_hex<const N: usize>(s: &str) -> Result<[u8; N], String> {
    if s.len() != 2 * N {
        return Err(format!(
            "expected {} lowercase hex characters, found {} bytes",
            2 * N,
            s.len()
        ));
    }
    if let Some((at, ch)) = s
        .char_indices()
        .find(|(_, ch)| !matches!(ch, '0'..='9' | 'a'..='f'))
    {
        return Err(format!("{ch:?} at byte {at} is not a lowercase hex digit"));
    }
    let mut bytes = [0u8; N];
    hex::decode_to_slice(s, &mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Why [`signing_message`] refused its inputs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// The method is not 1–16 uppercase ASCII letters.
    #[error("HTTP method {method:?} must be 1 to {MAX_METHOD_LEN} uppercase ASCII letters")]
    Method {
        /// The method (shortened).
        method: String,
    },
    /// The request target does not start with `/`, has bytes outside visible ASCII, or is too long.
    #[error(
        "request target {path:?} must start with '/', be visible ASCII (no spaces) and at most {MAX_PATH_LEN} bytes"
    )]
    Path {
        /// The target (shortened).
        path: String,
    },
}

/// The bytes a client signs and a server verifies (grammar in the module doc).
pub fn signing_message(
    method: &str,
    path_and_query: &str,
    body: &[u8],
    timestamp_ms: u64,
    nonce: &Nonce,
) -> Result<Vec<u8>, SigningError> {
    let method_ok = (1..=MAX_METHOD_LEN).contains(&method.len())
        && method.bytes().all(|b| b.is_ascii_uppercase());
    if !method_ok {
        return Err(SigningError::Method {
            method: excerpt(method),
        });
    }
    let path_ok = path_and_query.starts_with('/')
        && path_and_query.len() <= MAX_PATH_LEN
        && path_and_query.bytes().all(|b| b.is_ascii_graphic());
    if !path_ok {
        return Err(SigningError::Path {
            path: excerpt(path_and_query),
        });
    }
    let body_hash = hex::encode(Sha256::digest(body));
    let mut message = Vec::with_capacity(
        SIGNING_DOMAIN.len() + method.len() + path_and_query.len() + body_hash.len() + 60,
    );
    message.extend_from_slice(SIGNING_DOMAIN);
    for line in [
        method,
        path_and_query,
        &body_hash,
        &timestamp_ms.to_string(),
    ] {
        message.extend_from_slice(line.as_bytes());
        message.push(b'\n');
    }
    message.extend_from_slice(nonce.to_string().as_bytes());
    Ok(message)
}

/// Why the signed headers of a request are not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A required header is absent.
    #[error("missing header {0}")]
    Missing(&'static str),
    /// A header value is not printable ASCII.
    #[error("header {header}: value is not printable ASCII")]
    NotAscii {
        /// The header name.
        header: &'static str,
    },
    /// The hotkey is not shaped like an SS58 address.
    #[error("header {HEADER_HOTKEY}: {0}")]
    Hotkey(#[source] Ss58Error),
    /// A malformed timestamp, nonce or signature.
    #[error("header {header}: {value:?}: {reason}")]
    Invalid {
        /// The header name.
        header: &'static str,
        /// The value (shortened).
        value: String,
        /// What was wrong.
        reason: String,
    },
}

/// The four authentication headers of one request, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// Who signed.
    pub hotkey: Ss58Address,
    /// When, in unix milliseconds.
    pub timestamp_ms: u64,
    /// The request's nonce.
    pub nonce: Nonce,
    /// The sr25519 signature of [`SignedHeaders::message`].
    pub signature: Signature,
}

impl SignedHeaders {
    /// Parses the headers. `get(name)` returns the raw value of header `name` (case-insensitive
    /// lookup is the caller's, e.g. `|n| headers.get(n).map(|v| v.as_bytes())` with `http`).
    pub fn parse<'a>(
        mut get: impl FnMut(&'static str) -> Option<&'a [u8]>,
    ) -> Result<Self, HeaderError> {
        let mut text = |header: &'static str| -> Result<&'a str, HeaderError> {
            let raw = get(header).ok_or(HeaderError::Missing(header))?;
            if !raw.iter().all(|b| b.is_ascii_graphic()) {
                return Err(HeaderError::NotAscii { header });
            }
            // Graphic ASCII is UTF-8.
            std::str::from_utf8(raw).map_err(|_| HeaderError::NotAscii { header })
        };
        let hotkey = Ss58Address::new(text(HEADER_HOTKEY)?).map_err(HeaderError::Hotkey)?;
        let timestamp = text(HEADER_TIMESTAMP)?;
        let timestamp_ms = parse_timestamp(timestamp).map_err(|reason| HeaderError::Invalid {
            header: HEADER_TIMESTAMP,
            value: excerpt(timestamp),
            reason,
        })?;
        let nonce_text = text(HEADER_NONCE)?;
        let nonce = nonce_text.parse().map_err(|reason| HeaderError::Invalid {
            header: HEADER_NONCE,
            value: excerpt(nonce_text),
            reason,
        })?;
        let signature_text = text(HEADER_SIGNATURE)?;
        let signature = signature_text
            .parse()
            .map_err(|reason| HeaderError::Invalid {
                header: HEADER_SIGNATURE,
                value: excerpt(signature_text),
                reason,
            })?;
        Ok(SignedHeaders {
            hotkey,
            timestamp_ms,
            nonce,
            signature,
        })
    }

    /// The headers as (name, value) pairs, for a client to send.
    pub fn to_header_pairs(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_HOTKEY, self.hotkey.to_string()),
            (HEADER_TIMESTAMP, self.timestamp_ms.to_string()),
            (HEADER_NONCE, self.nonce.to_string()),
            (HEADER_SIGNATURE, self.signature.to_string()),
        ]
    }

    /// The message these headers sign for the given request.
    pub fn message(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
    ) -> Result<Vec<u8>, SigningError> {
        signing_message(method, path_and_query, body, self.timestamp_ms, &self.nonce)
    }

    /// The key under which the server records this request's nonce.
    pub fn replay_key(&self) -> ReplayKey {
        ReplayKey {
            hotkey: self.hotkey.clone(),
            nonce: self.nonce,
        }
    }
}

/// Canonical decimal `u64`: digits only, no leading zero except "0" itself.
fn parse_timestamp(s: &str) -> Result<u64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("expected unix milliseconds as decimal digits".to_owned());
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err("leading zeros are not allowed".to_owned());
    }
    s.parse().map_err(|_| "does not fit in 64 bits".to_owned())
}

/// What a server remembers to refuse a replayed request: the same nonce from the same hotkey.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplayKey {
    /// The signer.
    pub hotkey: Ss58Address,
    /// The nonce it used.
    pub nonce: Nonce,
}

/// A request timestamp outside the accepted window.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// Signed too long ago.
    #[error(
        "request timestamp {timestamp_ms} is {age_ms} ms old; at most {max_skew_ms} ms is accepted"
    )]
    TooOld {
        /// The request's timestamp.
        timestamp_ms: u64,
        /// How old it is.
        age_ms: u64,
        /// The window.
        max_skew_ms: u64,
    },
    /// Signed in the future beyond the allowed skew.
    #[error(
        "request timestamp {timestamp_ms} is {ahead_ms} ms in the future; at most {max_skew_ms} ms is accepted"
    )]
    InFuture {
        /// The request's timestamp.
        timestamp_ms: u64,
        /// How far ahead of the server clock.
        ahead_ms: u64,
        /// The window.
        max_skew_ms: u64,
    },
}

/// How far a request's timestamp may be from the server clock, either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayWindow {
    /// Largest accepted |now - timestamp|, in milliseconds.
    pub max_skew_ms: u64,
}

impl Default for ReplayWindow {
    fn default() -> Self {
        ReplayWindow {
            max_skew_ms: Self::DEFAULT_MAX_SKEW_MS,
        }
    }
}

impl ReplayWindow {
    /// 60 seconds.
    pub const DEFAULT_MAX_SKEW_MS: u64 = 60_000;

    /// Accepts `timestamp_ms` when it is within `max_skew_ms` of `now_ms`.
    pub fn check_timestamp(&self, timestamp_ms: u64, now_ms: u64) -> Result<(), ReplayError> {
        if timestamp_ms <= now_ms {
            let age_ms = now_ms - timestamp_ms;
            if age_ms > self.max_skew_ms {
                return Err(ReplayError::TooOld {
                    timestamp_ms,
                    age_ms,
                    max_skew_ms: self.max_skew_ms,
                });
            }
        } else {
            let ahead_ms = timestamp_ms - now_ms;
            if ahead_ms > self.max_skew_ms {
                return Err(ReplayError::InFuture {
                    timestamp_ms,
                    ahead_ms,
                    max_skew_ms: self.max_skew_ms,
                });
            }
        }
        Ok(())
    }

    /// When the server may forget a nonce signed at `timestamp_ms`: after this instant the
    /// timestamp itself is refused, so a replay is refused without the nonce store.
    pub fn forget_after_ms(&self, timestamp_ms: u64) -> u64 {
        timestamp_ms.saturating_add(self.max_skew_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOTKEY: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

    fn sample() -> SignedHeaders {
        SignedHeaders {
            hotkey: Ss58Address::new(HOTKEY).unwrap(),
            timestamp_ms: 1_700_000_000_123,
            nonce: Nonce([0xab; 16]),
            signature: Signature([0x01; 64]),
        }
    }

    fn lookup<'a>(
        pairs: &'a [(&'static str, String)],
    ) -> impl FnMut(&'static str) -> Option<&'a [u8]> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_bytes())
        }
    }

    #[test]
    fn signing_message_golden_bytes() {
        let message = signing_message(
            "POST",
            "/v1/tasks/next?x=1",
            b"{}",
            1_700_000_000_123,
            &Nonce([0xab; 16]),
        )
        .unwrap();
        // sha256("{}") = 44136fa3…; written out so a change in the grammar fails this test.
        let expected = "nya-request-v1\nPOST\n/v1/tasks/next?x=1\n\
            44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n\
            1700000000123\nabababababababababababababababab";
        assert_eq!(String::from_utf8(message).unwrap(), expected);
    }

    #[test]
    fn signing_message_binds_every_part() {
        let nonce = Nonce([1; 16]);
        let base = signing_message("POST", "/a", b"body", 5, &nonce).unwrap();
        let variants = [
            signing_message("PUT", "/a", b"body", 5, &nonce).unwrap(),
            signing_message("POST", "/b", b"body", 5, &nonce).unwrap(),
            signing_message("POST", "/a", b"bodx", 5, &nonce).unwrap(),
            signing_message("POST", "/a", b"body", 6, &nonce).unwrap(),
            signing_message("POST", "/a", b"body", 5, &Nonce([2; 16])).unwrap(),
        ];
        for variant in variants {
            assert_ne!(variant, base);
        }
    }

    #[test]
    fn signing_message_rejects_ambiguous_inputs() {
        let nonce = Nonce([0; 16]);
        for method in ["", "post", "PO\nST", "GETGETGETGETGETGE"] {
            assert!(matches!(
                signing_message(method, "/", b"", 0, &nonce),
                Err(SigningError::Method { .. })
            ));
        }
        for path in ["", "a/b", "/a b", "/a\n", "/é"] {
            let err = signing_message("GET", path, b"", 0, &nonce).unwrap_err();
            assert!(matches!(err, SigningError::Path { .. }), "{path:?}");
        }
    }

    #[test]
    fn headers_round_trip() {
        let headers = sample();
        let pairs = headers.to_header_pairs();
        assert_eq!(SignedHeaders::parse(lookup(&pairs)).unwrap(), headers);
        assert_eq!(
            headers.message("GET", "/v1/tasks/t1", b"").unwrap(),
            signing_message(
                "GET",
                "/v1/tasks/t1",
                b"",
                headers.timestamp_ms,
                &headers.nonce
            )
            .unwrap()
        );
        assert_eq!(headers.replay_key().nonce, headers.nonce);
    }

    #[test]
    fn hostile_headers_get_precise_errors() {
        let good = sample().to_header_pairs();
        let with = |index: usize, value: &str| {
            let mut pairs = good.clone();
            pairs[index].1 = value.to_owned();
            SignedHeaders::parse(lookup(&pairs))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            SignedHeaders::parse(lookup(&good[1..])).unwrap_err(),
            HeaderError::Missing(HEADER_HOTKEY)
        );
        assert!(with(0, "5Grw").contains("X-Nya-Hotkey: SS58 address"));
        assert!(with(1, "0123").contains("leading zeros"));
        assert!(with(1, "-5").contains("decimal digits"));
        assert!(with(1, "99999999999999999999").contains("64 bits"));
        assert!(with(1, " 5").contains("not printable ASCII"));
        assert!(with(2, &"AB".repeat(16)).contains("not a lowercase hex digit"));
        assert!(with(2, "abab").contains("expected 32 lowercase hex characters"));
        assert!(with(3, &"01".repeat(64)).contains("start with \"0x\""));
        assert!(with(3, &format!("0x{}", "01".repeat(63))).contains("expected 128"));
        let non_utf8 = {
            let mut pairs: Vec<(&'static str, Vec<u8>)> = good
                .iter()
                .map(|(n, v)| (*n, v.clone().into_bytes()))
                .collect();
            pairs[3].1 = vec![0xff, 0xfe];
            SignedHeaders::parse(|name| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_slice())
            })
            .unwrap_err()
        };
        assert_eq!(
            non_utf8,
            HeaderError::NotAscii {
                header: HEADER_SIGNATURE
            }
        );
    }

    #[test]
    fn replay_window_bounds() {
        let window = ReplayWindow::default();
        let now = 1_000_000;
        assert!(window.check_timestamp(now, now).is_ok());
        assert!(window.check_timestamp(now - 60_000, now).is_ok());
        assert!(window.check_timestamp(now + 60_000, now).is_ok());
        assert_eq!(
            window.check_timestamp(now - 60_001, now),
            Err(ReplayError::TooOld {
                timestamp_ms: now - 60_001,
                age_ms: 60_001,
                max_skew_ms: 60_000
            })
        );
        assert!(matches!(
            window.check_timestamp(now + 60_001, now),
            Err(ReplayError::InFuture {
                ahead_ms: 60_001,
                ..
            })
        ));
        assert!(window.check_timestamp(u64::MAX, 0).is_err());
        assert!(window.check_timestamp(0, u64::MAX).is_err());
        assert_eq!(window.forget_after_ms(u64::MAX), u64::MAX);
        // A request is refused by its timestamp once its nonce may be forgotten.
        let signed = 5_000;
        let forget = window.forget_after_ms(signed);
        assert!(window.check_timestamp(signed, forget).is_ok());
        assert!(window.check_timestamp(signed, forget + 1).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_header_bytes_never_panic(
            values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..140), 4)
        ) {
            let names = [HEADER_HOTKEY, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE];
            let result = SignedHeaders::parse(|name| {
                names.iter().position(|n| *n == name).map(|i| values[i].as_slice())
            });
            if let Ok(headers) = result {
                // Whatever parses prints back to the same bytes (strict, canonical forms).
                for (i, (_, value)) in headers.to_header_pairs().iter().enumerate() {
                    prop_assert_eq!(value.as_bytes(), values[i].as_slice());
                }
            }
        }

        #[test]
        fn arbitrary_signing_inputs_never_panic(
            method in "\\PC{0,20}", path in "\\PC{0,40}",
            body in proptest::collection::vec(any::<u8>(), 0..64),
            ts in any::<u64>(), nonce in any::<[u8; 16]>()
        ) {
            if let Ok(message) = signing_message(&method, &path, &body, ts, &Nonce(nonce)) {
                prop_assert!(message.starts_with(SIGNING_DOMAIN));
                // Six lines, exactly five separators after the domain line's own.
                prop_assert_eq!(message.iter().filter(|&&b| b == b'\n').count(), 5);
            }
        }

        #[test]
        fn nonce_and_signature_text_round_trip(n in any::<[u8; 16]>(), s in proptest::collection::vec(any::<u8>(), 64)) {
            let nonce = Nonce(n);
            prop_assert_eq!(nonce.to_string().parse::<Nonce>().unwrap(), nonce);
            let mut bytes = [0u8; 64];
            bytes.copy_from_slice(&s);
            let sig = Signature(bytes);
            prop_assert_eq!(sig.to_string().parse::<Signature>().unwrap(), sig);
        }
    }
}
