//! sr25519 over the task API's signed-request envelope (format: `nya_metadata::task::signing`).
//!
//! The envelope's grammar lives in nya-metadata, which has no keys; signing and checking the
//! signature need the project's key type, so they live here. Replay protection (timestamp window,
//! nonce store) and the registration check stay with the server.

use nya_metadata::task::Ss58Address;
use nya_metadata::task::signing::{
    HeaderError, Nonce, Signature, SignedHeaders, SigningError, signing_message,
};

use crate::keys::{self, Keypair};

/// Why a signed request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RequestAuthError {
    #[error(transparent)]
    Headers(#[from] HeaderError),
    #[error(transparent)]
    Message(#[from] SigningError),
    #[error("hotkey {hotkey}: {source}")]
    Hotkey {
        hotkey: String,
        source: keys::KeyError,
    },
    #[error("signature does not verify for hotkey {0} over this request")]
    BadSignature(String),
}

/// Signs a request with `hotkey`: the four headers to send with it. `nonce` must be fresh
/// random bytes for every request.
pub fn sign_request(
    hotkey: &Keypair,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    timestamp_ms: u64,
    nonce: Nonce,
) -> Result<SignedHeaders, RequestAuthError> {
    let message = signing_message(method, path_and_query, body, timestamp_ms, &nonce)?;
    let hotkey_address = Ss58Address::new(hotkey.ss58())
        .map_err(|e| RequestAuthError::Headers(HeaderError::Hotkey(e)))?;
    Ok(SignedHeaders {
        hotkey: hotkey_address,
        timestamp_ms,
        nonce,
        signature: Signature(hotkey.sign(&message)),
    })
}

/// A fresh random nonce.
pub fn random_nonce() -> Result<Nonce, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)?;
    Ok(Nonce(bytes))
}

/// Checks the signature of parsed headers over the request as received; returns the signer's
/// public key.
pub fn verify_request(
    headers: &SignedHeaders,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<[u8; 32], RequestAuthError> {
    let address = headers.hotkey.to_string();
    let public = keys::parse_ss58(&address).map_err(|source| RequestAuthError::Hotkey {
        hotkey: address.clone(),
        source,
    })?;
    let message = headers.message(method, path_and_query, body)?;
    if keys::verify(&headers.signature.0, &message, &public) {
        Ok(public)
    } else {
        Err(RequestAuthError::BadSignature(address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(body: &[u8]) -> (Keypair, SignedHeaders) {
        let hotkey = Keypair::dev("Bob");
        let headers = sign_request(
            &hotkey,
            "POST",
            "/v1/tasks/next",
            body,
            1_700_000_000_000,
            Nonce([7; 16]),
        )
        .unwrap();
        (hotkey, headers)
    }

    #[test]
    fn a_signed_request_verifies_after_a_header_round_trip() {
        let body = br#"{"netuid":1}"#;
        let (hotkey, headers) = signed(body);
        let pairs = headers.to_header_pairs();
        let parsed = SignedHeaders::parse(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_bytes())
        })
        .unwrap();
        let public = verify_request(&parsed, "POST", "/v1/tasks/next", body).unwrap();
        assert_eq!(public, hotkey.public_key());
    }

    #[test]
    fn any_change_to_the_request_breaks_the_signature() {
        let body = br#"{"netuid":1}"#;
        let (_, headers) = signed(body);
        for (method, path, body) in [
            ("GET", "/v1/tasks/next", &body[..]),
            ("POST", "/v1/tasks/next?x=1", &body[..]),
            ("POST", "/v1/tasks/next", br#"{"netuid":2}"#),
        ] {
            let err = verify_request(&headers, method, path, body).unwrap_err();
            assert!(
                err.to_string().contains("signature does not verify"),
                "{err}"
            );
        }
        let mut other_time = headers.clone();
        other_time.timestamp_ms += 1;
        assert!(verify_request(&other_time, "POST", "/v1/tasks/next", body).is_err());
        let mut other_signer = headers;
        other_signer.hotkey = Ss58Address::new(Keypair::dev("Alice").ss58()).unwrap();
        assert!(verify_request(&other_signer, "POST", "/v1/tasks/next", body).is_err());
    }
}
