//! XChaCha20-Poly1305 with a random 192-bit nonce: the one cipher behind
//! sealed entry bodies (`sealing`) and the device vault (`vault`).
//!
//! Envelope: `version ‖ nonce (24) ‖ ciphertext ‖ tag (16)`. Each caller
//! checks its own version byte and names its own errors.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::RngCore;

pub(crate) const NONCE_BYTES: usize = 24;
pub(crate) const TAG_BYTES: usize = 16;

pub(crate) fn random_nonce(rng: &mut impl RngCore) -> [u8; NONCE_BYTES] {
    let mut nonce = [0u8; NONCE_BYTES];
    rng.fill_bytes(&mut nonce);
    nonce
}

pub(crate) fn encrypt(
    key: &[u8; 32],
    nonce: &[u8; NONCE_BYTES],
    plaintext: &[u8],
    aad: &[u8],
) -> Vec<u8> {
    // Encryption with a valid key cannot fail; the error type exists for
    // buffer-based APIs only.
    XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .unwrap_or_default()
}

/// `None` when the ciphertext, nonce, associated data or key is not the one
/// it was sealed with.
pub(crate) fn decrypt(
    key: &[u8; 32],
    nonce: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
) -> Option<Vec<u8>> {
    if nonce.len() != NONCE_BYTES {
        return None;
    }
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}

/// Seals `plaintext` into `version ‖ nonce ‖ ciphertext ‖ tag`.
pub(crate) fn seal(
    rng: &mut impl RngCore,
    key: &[u8; 32],
    version: u8,
    plaintext: &[u8],
    aad: &[u8],
) -> Vec<u8> {
    let nonce = random_nonce(rng);
    let ciphertext = encrypt(key, &nonce, plaintext, aad);
    let mut out = Vec::with_capacity(1 + NONCE_BYTES + ciphertext.len());
    out.push(version);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens what follows the version byte of a [`seal`] envelope.
pub(crate) fn open(key: &[u8; 32], nonce_and_ciphertext: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if nonce_and_ciphertext.len() < NONCE_BYTES + TAG_BYTES {
        return None;
    }
    let (nonce, ciphertext) = nonce_and_ciphertext.split_at(NONCE_BYTES);
    decrypt(key, nonce, ciphertext, aad)
}
