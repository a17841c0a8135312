//! The encrypted backup file: every case document on a device, sealed under
//! a passphrase typed at export, so a person can keep a copy of the cases
//! outside the browser (a USB stick, another computer) and merge it back
//! into any device of the workspace later.
//!
//! File layout, version 1 (integers big-endian), extension `.hwbk`:
//! `"HWBK" ‖ 0x01 ‖ m_kib u32 ‖ t_cost u32 ‖ p_cost u32 ‖ salt (16) ‖
//! nonce (24) ‖ ciphertext ‖ tag (16)`. The key is Argon2id(passphrase,
//! salt) with the stored parameters — bounds-checked before use, as the
//! vault does, so an altered file cannot make opening it allocate
//! gigabytes — and the cipher XChaCha20-Poly1305 with the whole header as
//! associated data, so neither the parameters nor the version can be
//! changed unnoticed. The plaintext is the postcard encoding of
//! [`BackupContents`]. The golden test freezes the layout.
//!
//! **Passphrase rule: [`Strength::Fair`] or better**, stricter than the
//! vault's (which refuses only `TooWeak`). A vault is guessed at on the
//! device it lives on; a backup file is made to travel, and whoever copies
//! it can guess offline for as long as they like, with nothing else
//! standing in the way.

use std::fmt;

use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::aead::{self, NONCE_BYTES, TAG_BYTES};
use crate::ids::{DocId, WorkspaceId};
use crate::vault::{KdfParams, Strength, derive_kek, passphrase_strength};

const MAGIC: &[u8; 4] = b"HWBK";
const VERSION: u8 = 1;
const SALT_BYTES: usize = 16;
const HEADER_BYTES: usize = 4 + 1 + 12 + SALT_BYTES + NONCE_BYTES;

/// What a backup holds.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupContents {
    /// When the backup was made (ms since the Unix epoch).
    pub created_ms: i64,
    /// The workspace the device belonged to, if any: shown at restore, so
    /// a backup from another workspace is recognised.
    pub workspace: Option<WorkspaceId>,
    /// Each case as its saved Automerge document.
    pub docs: Vec<(DocId, Vec<u8>)>,
}

impl fmt::Debug for BackupContents {
    // Counts only: the documents hold case content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackupContents")
            .field("created_ms", &self.created_ms)
            .field("workspace", &self.workspace)
            .field("docs", &self.docs.len())
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("this file is not a Homeward backup: choose a .hwbk file made with \"Export backup\"")]
    NotABackup,
    #[error(
        "this backup was made by a newer version of Homeward (format {0}): update the app, \
         then restore it"
    )]
    UnsupportedVersion(u8),
    #[error("this backup file is damaged ({0}): use another copy of it")]
    Damaged(&'static str),
    #[error(
        "the passphrase does not open this backup, or the file was altered: type the \
         passphrase chosen when the backup was made, or use another copy"
    )]
    WrongPassphrase,
    #[error(
        "this passphrase is too easy to guess for a file that leaves the device: use at least \
         10 characters, best four or more random words"
    )]
    WeakPassphrase,
    #[error("the key derivation parameters are invalid: {0}")]
    Kdf(String),
}

/// Seals and opens backup files.
#[derive(Debug, Clone, Copy)]
pub struct Backup;

impl Backup {
    /// Encrypts `contents` under `passphrase` (refused below
    /// [`Strength::Fair`]). Use [`KdfParams::RECOMMENDED`].
    pub fn seal(
        rng: &mut impl RngCore,
        passphrase: &str,
        params: KdfParams,
        contents: &BackupContents,
    ) -> Result<Vec<u8>, BackupError> {
        if passphrase_strength(passphrase) < Strength::Fair {
            return Err(BackupError::WeakPassphrase);
        }
        if !params.plausible() {
            return Err(BackupError::Kdf(format!(
                "{params:?} is outside the accepted range"
            )));
        }
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        let nonce = aead::random_nonce(rng);
        let key = derive_key(passphrase, &salt, params)?;
        let plain = Zeroizing::new(
            postcard::to_allocvec(contents)
                .map_err(|e| BackupError::Kdf(format!("encoding the backup failed: {e}")))?,
        );
        let mut out = Vec::with_capacity(HEADER_BYTES + plain.len() + TAG_BYTES);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&params.m_kib.to_be_bytes());
        out.extend_from_slice(&params.t_cost.to_be_bytes());
        out.extend_from_slice(&params.p_cost.to_be_bytes());
        out.extend_from_slice(&salt);
        out.extend_from_slice(&nonce);
        let ciphertext = aead::encrypt(&key, &nonce, &plain, &out);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Checks the file, derives the key and opens it. Nothing but a correct
    /// passphrase on an unaltered file gives contents.
    pub fn open(bytes: &[u8], passphrase: &str) -> Result<BackupContents, BackupError> {
        let header = Header::read(bytes)?;
        let key = derive_key(passphrase, &header.salt, header.params)?;
        let (aad, sealed) = bytes.split_at(HEADER_BYTES);
        let nonce = &aad[HEADER_BYTES - NONCE_BYTES..];
        let plain = Zeroizing::new(
            aead::decrypt(&key, nonce, sealed, aad).ok_or(BackupError::WrongPassphrase)?,
        );
        // Authenticated yet unreadable: written by a faulty app.
        let (contents, rest) = postcard::take_from_bytes::<BackupContents>(&plain)
            .map_err(|_| BackupError::Damaged("unreadable contents"))?;
        if !rest.is_empty() {
            return Err(BackupError::Damaged("unreadable contents"));
        }
        Ok(contents)
    }

    /// The key derivation cost stated by a file, checked but not opened.
    pub fn params(bytes: &[u8]) -> Result<KdfParams, BackupError> {
        Ok(Header::read(bytes)?.params)
    }
}

struct Header {
    params: KdfParams,
    salt: [u8; SALT_BYTES],
}

impl Header {
    fn read(b: &[u8]) -> Result<Header, BackupError> {
        if b.len() < MAGIC.len() || &b[..MAGIC.len()] != MAGIC {
            return Err(BackupError::NotABackup);
        }
        let Some(&version) = b.get(4) else {
            return Err(BackupError::Damaged("truncated"));
        };
        if version != VERSION {
            return Err(BackupError::UnsupportedVersion(version));
        }
        if b.len() < HEADER_BYTES + TAG_BYTES {
            return Err(BackupError::Damaged("truncated"));
        }
        let word = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let params = KdfParams {
            m_kib: word(5),
            t_cost: word(9),
            p_cost: word(13),
        };
        if !params.plausible() {
            return Err(BackupError::Damaged(
                "implausible key derivation parameters",
            ));
        }
        let salt = b[17..17 + SALT_BYTES].try_into().expect("16 bytes");
        Ok(Header { params, salt })
    }
}

/// The vault's Argon2id, so a backup costs a guesser what unlocking
/// costs, and the vault's parameter ceilings: a backup made on one device
/// must open on another, and none may make a phone spend more than it can.
fn derive_key(
    passphrase: &str,
    salt: &[u8; SALT_BYTES],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, BackupError> {
    let kek = derive_kek(passphrase, salt, params).map_err(|e| BackupError::Kdf(e.to_string()))?;
    Ok(Zeroizing::new(*kek.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const PARAMS: KdfParams = KdfParams::INSECURE_FOR_TESTS;
    const PASS: &str = "river lamp stone кіт";

    fn contents() -> BackupContents {
        BackupContents {
            created_ms: 1_700_000_000_000,
            workspace: Some(WorkspaceId([3; 16])),
            docs: vec![
                (DocId([1; 16]), b"first case document".to_vec()),
                (DocId([2; 16]), b"Ivanenko".to_vec()),
            ],
        }
    }

    fn sealed(seed: u64) -> Vec<u8> {
        Backup::seal(&mut StdRng::seed_from_u64(seed), PASS, PARAMS, &contents()).unwrap()
    }

    #[test]
    fn golden_backup() {
        let bytes = sealed(1);
        assert_eq!(
            hex::encode(&bytes),
            "4857424b01000000400000000100000001611830d3641a68f94a690dcc25d1f4b0dac948325ac18f6dd32564371735f32c54743dc5e24d2a41ebc99a7c984e07e954c6728c74fdc8a814b94e27679d66be5fdd5384cb400e2dd2fccab7d2e1bf83f17bd7e1b743287f3e8946fd7e13ab47b53f5893d4fa55a697e563c11f2539c3f15775b43500f12095a575f286ce81f762911f8abe5863f7d35cb7e9a9"
        );
        assert_eq!(Backup::open(&bytes, PASS).unwrap(), contents());
    }

    #[test]
    fn round_trip_and_nothing_in_the_clear() {
        let bytes = sealed(2);
        assert_eq!(Backup::open(&bytes, PASS).unwrap(), contents());
        assert!(!bytes.windows(8).any(|w| w == b"Ivanenko"));
        assert_eq!(Backup::params(&bytes).unwrap(), PARAMS);
        let empty = BackupContents {
            created_ms: 0,
            workspace: None,
            docs: Vec::new(),
        };
        let bytes = Backup::seal(&mut StdRng::seed_from_u64(3), PASS, PARAMS, &empty).unwrap();
        assert_eq!(Backup::open(&bytes, PASS).unwrap(), empty);
    }

    #[test]
    fn a_wrong_passphrase_is_refused() {
        let bytes = sealed(4);
        assert_eq!(
            Backup::open(&bytes, "river lamp stone кит"),
            Err(BackupError::WrongPassphrase)
        );
        assert_eq!(Backup::open(&bytes, ""), Err(BackupError::WrongPassphrase));
    }

    #[test]
    fn weak_passphrases_and_bad_parameters_are_refused_at_export() {
        let mut rng = StdRng::seed_from_u64(5);
        for weak in ["short", "simplepass", "aaaaaaaaaaaaaaaa"] {
            assert_eq!(
                Backup::seal(&mut rng, weak, PARAMS, &contents()),
                Err(BackupError::WeakPassphrase),
                "{weak}"
            );
        }
        let huge = KdfParams {
            m_kib: u32::MAX,
            ..PARAMS
        };
        assert!(matches!(
            Backup::seal(&mut rng, PASS, huge, &contents()),
            Err(BackupError::Kdf(_))
        ));
    }

    #[test]
    fn every_flipped_bit_is_refused() {
        let bytes = sealed(6);
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            // A flip raising the cost within bounds fails too (the header is
            // associated data), only slowly: open the cheap ones, check the
            // dear ones by their header.
            match Backup::params(&b) {
                Ok(p) if p.m_kib > 4096 => assert_ne!(p, PARAMS, "bit {bit}"),
                _ => assert!(Backup::open(&b, PASS).is_err(), "bit {bit}"),
            }
        }
    }

    #[test]
    fn truncated_files_are_refused() {
        let bytes = sealed(7);
        for len in 0..bytes.len() {
            let err = Backup::open(&bytes[..len], PASS).unwrap_err();
            match len {
                0..=3 => assert_eq!(err, BackupError::NotABackup, "{len}"),
                4 => assert_eq!(err, BackupError::Damaged("truncated")),
                _ if len < HEADER_BYTES + TAG_BYTES => {
                    assert_eq!(err, BackupError::Damaged("truncated"), "{len}")
                }
                _ => assert_eq!(err, BackupError::WrongPassphrase, "{len}"),
            }
        }
    }

    #[test]
    fn other_files_versions_and_parameters_are_named() {
        assert_eq!(
            Backup::open(b"PK\x03\x04 a zip file", PASS),
            Err(BackupError::NotABackup)
        );
        assert_eq!(
            Backup::open(b"HWV\x01 a vault", PASS),
            Err(BackupError::NotABackup)
        );
        let mut b = sealed(8);
        b[4] = 2;
        assert_eq!(
            Backup::open(&b, PASS),
            Err(BackupError::UnsupportedVersion(2))
        );
        let mut b = sealed(8);
        b[5] = 0x40; // m_kib ≈ 1 GiB
        assert_eq!(
            Backup::open(&b, PASS),
            Err(BackupError::Damaged(
                "implausible key derivation parameters"
            ))
        );
        let mut b = sealed(8);
        b[12] = 200; // t_cost 200
        assert!(matches!(
            Backup::open(&b, PASS),
            Err(BackupError::Damaged(_))
        ));
    }

    #[test]
    fn debug_shows_no_documents() {
        let s = format!("{:?}", contents());
        assert!(!s.contains("Ivanenko") && !s.contains("73, 118"));
        assert!(s.contains("docs: 2"));
    }
}
