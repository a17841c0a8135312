//! The device vault: what a seized, locked device gives away — nothing.
//!
//! A passphrase goes through Argon2id (parameters stored with the vault, so
//! they can be raised later) to a key-encryption key (KEK). The KEK wraps,
//! with XChaCha20-Poly1305, the device's secrets: its Ed25519 key, its
//! workspace keys and a random **data key**. The data key encrypts every
//! value the app keeps in storage ([`DataKey::seal_record`]), each bound to
//! where it is stored (store name and record key as associated data), so a
//! record copied to another slot does not open.
//!
//! Vault envelope, version 1 (all integers big-endian):
//! `"HWV" ‖ 0x01 ‖ m_kib u32 ‖ t_cost u32 ‖ p_cost u32 ‖ salt (16) ‖
//! nonce (24) ‖ ciphertext ‖ tag (16)`; everything before the ciphertext is
//! associated data, so the parameters cannot be weakened unnoticed.
//! Record envelope, version 1: `0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::RngCore;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::aead::{self, NONCE_BYTES, TAG_BYTES};
use crate::ids::WorkspaceId;
use crate::sealing::WorkspaceKey;
use crate::signing::DeviceKey;

const VAULT_MAGIC: &[u8; 3] = b"HWV";
const VAULT_VERSION: u8 = 1;
const SECRETS_VERSION: u8 = 1;
const RECORD_VERSION: u8 = 1;
const SALT_BYTES: usize = 16;
const HEADER_BYTES: usize = 3 + 1 + 12 + SALT_BYTES + NONCE_BYTES;
const RECORD_CONTEXT: &[u8] = b"homeward/record/1\0";

/// Argon2id cost. Stored in each vault, so a later app can raise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl KdfParams {
    /// Bounds checked before deriving: a vault whose stored parameters
    /// were altered could otherwise make the app allocate gigabytes or spin
    /// for hours.
    const MAX_M_KIB: u32 = 256 * 1024;
    const MAX_T_COST: u32 = 16;
    const MAX_P_COST: u32 = 4;

    pub(crate) fn plausible(self) -> bool {
        (1..=Self::MAX_P_COST).contains(&self.p_cost)
            && (1..=Self::MAX_T_COST).contains(&self.t_cost)
            && (8 * self.p_cost..=Self::MAX_M_KIB).contains(&self.m_kib)
    }

    /// What new vaults use: 64 MiB, 5 passes, 1 lane (wasm has no threads).
    /// Chosen by measuring in wasm in headless Chromium on the 2-core build
    /// machine (`client/tests/crypto.rs`, `measure_…`, shipped
    /// `wasm-release` build, medians of 3): OWASP's floor (19 MiB, 2 passes)
    /// took ~30 ms and the earlier 19 MiB × 3 ~60 ms — far under the 0.2 s
    /// we want an unlock to cost at least; 64 MiB × 3 took ~160 ms,
    /// 64 MiB × 5 ~240–270 ms (the first derivation in a page ~100 ms more,
    /// growing wasm memory). Memory is raised first (it is what makes
    /// guessing expensive on GPUs), to 64 MiB as RFC 9106's second option
    /// and no further, so low-end phones are not pushed to the limit of
    /// their memory; then passes. A low-end phone is roughly ten times
    /// slower: about 2–3 s per unlock, behind a "securing…" notice.
    pub const RECOMMENDED: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t_cost: 5,
        p_cost: 1,
    };

    /// Deliberately cheap, for tests only: never for a real vault.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("the stored vault is damaged ({0}); restore from a backup or wipe this device")]
    Damaged(&'static str),
    #[error("the vault was written by a newer version of the app (format {0}); update the app")]
    NewerFormat(u8),
    #[error("the key derivation parameters are invalid: {0}")]
    Kdf(String),
    #[error(
        "a stored record does not open with this device's data key: it was altered or \
         copied from elsewhere"
    )]
    RecordDamaged,
}

/// The key derived from the passphrase. Kept in memory while unlocked, so
/// the vault can be rewritten (a new workspace key) without asking again.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Kek([u8; 32]);

impl Kek {
    /// For other formats keyed by a passphrase the same way (backups).
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Kek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Kek(redacted)")
    }
}

/// Argon2id(passphrase, salt) → 32 bytes.
pub fn derive_kek(
    passphrase: &str,
    salt: &[u8; SALT_BYTES],
    params: KdfParams,
) -> Result<Kek, VaultError> {
    if !params.plausible() {
        return Err(VaultError::Kdf(format!(
            "{params:?} is outside the accepted range (memory up to {} MiB, up to {} passes, \
             up to {} lanes)",
            KdfParams::MAX_M_KIB / 1024,
            KdfParams::MAX_T_COST,
            KdfParams::MAX_P_COST
        )));
    }
    let p = Params::new(params.m_kib, params.t_cost, params.p_cost, Some(32))
        .map_err(|e| VaultError::Kdf(e.to_string()))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|e| VaultError::Kdf(e.to_string()))?;
    Ok(Kek(out))
}

/// Encrypts what the app stores. Random, per device, never leaves it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(redacted)")
    }
}

impl DataKey {
    pub fn generate(rng: &mut impl RngCore) -> DataKey {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        DataKey(key)
    }

    /// Seals a stored value. `slot` names where it is stored (store name and
    /// record key, say `b"docs/<doc id>"`); opening it from another slot
    /// fails.
    pub fn seal_record(&self, rng: &mut impl RngCore, slot: &[u8], plaintext: &[u8]) -> Vec<u8> {
        aead::seal(rng, &self.0, RECORD_VERSION, plaintext, &record_ad(slot))
    }

    pub fn open_record(&self, slot: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let Some((&version, rest)) = sealed.split_first() else {
            return Err(VaultError::RecordDamaged);
        };
        if version > RECORD_VERSION {
            return Err(VaultError::NewerFormat(version));
        }
        if version != RECORD_VERSION || rest.len() < NONCE_BYTES + TAG_BYTES {
            return Err(VaultError::RecordDamaged);
        }
        aead::open(&self.0, rest, &record_ad(slot)).ok_or(VaultError::RecordDamaged)
    }
}

fn record_ad(slot: &[u8]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(RECORD_CONTEXT.len() + slot.len());
    ad.extend_from_slice(RECORD_CONTEXT);
    ad.extend_from_slice(slot);
    ad
}

/// What the vault protects.
#[derive(Debug, Clone)]
pub struct VaultSecrets {
    pub device_key: DeviceKey,
    pub data_key: DataKey,
    pub workspaces: Vec<(WorkspaceId, WorkspaceKey)>,
}

impl VaultSecrets {
    fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(66 + self.workspaces.len() * 52));
        out.push(SECRETS_VERSION);
        out.extend_from_slice(&self.device_key.secret());
        out.extend_from_slice(&self.data_key.0);
        out.push(u8::try_from(self.workspaces.len()).unwrap_or(u8::MAX));
        for (id, key) in self.workspaces.iter().take(usize::from(u8::MAX)) {
            out.extend_from_slice(&id.0);
            out.extend_from_slice(&key.epoch().to_be_bytes());
            out.extend_from_slice(&key.to_bytes());
        }
        out
    }

    fn from_bytes(bytes: &[u8]) -> Result<VaultSecrets, VaultError> {
        let damaged = || VaultError::Damaged("secrets have the wrong length");
        let (&version, rest) = bytes.split_first().ok_or_else(damaged)?;
        if version > SECRETS_VERSION {
            return Err(VaultError::NewerFormat(version));
        }
        if rest.len() < 65 {
            return Err(damaged());
        }
        let device_key = DeviceKey::from_secret(rest[..32].try_into().map_err(|_| damaged())?);
        let data_key = DataKey(rest[32..64].try_into().map_err(|_| damaged())?);
        let count = usize::from(rest[64]);
        let list = &rest[65..];
        if list.len() != count * 52 {
            return Err(damaged());
        }
        let workspaces = list
            .chunks_exact(52)
            .map(|c| {
                let id = WorkspaceId(c[..16].try_into().expect("16 bytes"));
                let epoch = u32::from_be_bytes(c[16..20].try_into().expect("4 bytes"));
                let key = WorkspaceKey::from_bytes(epoch, c[20..].try_into().expect("32 bytes"));
                (id, key)
            })
            .collect();
        Ok(VaultSecrets {
            device_key,
            data_key,
            workspaces,
        })
    }
}

/// The wrapped secrets as stored on the device: safe to keep in plain
/// storage.
#[derive(Clone, PartialEq, Eq)]
pub struct LockedVault(Vec<u8>);

impl fmt::Debug for LockedVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockedVault({} bytes)", self.0.len())
    }
}

impl LockedVault {
    /// A new vault: fresh salt, the KEK derived from `passphrase`.
    pub fn create(
        rng: &mut impl RngCore,
        passphrase: &str,
        params: KdfParams,
        secrets: &VaultSecrets,
    ) -> Result<(LockedVault, Kek), VaultError> {
        let mut salt = [0u8; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        let kek = derive_kek(passphrase, &salt, params)?;
        Ok((seal_vault(rng, &kek, params, salt, secrets), kek))
    }

    /// Derives the KEK from `passphrase` and opens the vault.
    pub fn unlock(&self, passphrase: &str) -> Result<(VaultSecrets, Kek), VaultError> {
        let (params, salt) = self.header()?;
        let kek = derive_kek(passphrase, &salt, params)?;
        let secrets = self.open_with(&kek)?;
        Ok((secrets, kek))
    }

    /// Opens with a KEK already derived (while the app is unlocked).
    pub fn open_with(&self, kek: &Kek) -> Result<VaultSecrets, VaultError> {
        self.header()?;
        let (header, sealed) = self.0.split_at(HEADER_BYTES);
        let nonce = &header[HEADER_BYTES - NONCE_BYTES..];
        let plain = Zeroizing::new(
            aead::decrypt(&kek.0, nonce, sealed, header).ok_or(VaultError::WrongPassphrase)?,
        );
        VaultSecrets::from_bytes(&plain)
    }

    /// The same passphrase (same salt and parameters), new secrets: for
    /// adding a workspace key while unlocked.
    pub fn rewrap(
        &self,
        rng: &mut impl RngCore,
        kek: &Kek,
        secrets: &VaultSecrets,
    ) -> Result<LockedVault, VaultError> {
        let (params, salt) = self.header()?;
        Ok(seal_vault(rng, kek, params, salt, secrets))
    }

    pub fn params(&self) -> Result<KdfParams, VaultError> {
        Ok(self.header()?.0)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<LockedVault, VaultError> {
        let vault = LockedVault(bytes);
        vault.header()?;
        Ok(vault)
    }

    fn header(&self) -> Result<(KdfParams, [u8; SALT_BYTES]), VaultError> {
        let b = &self.0;
        if b.len() < 3 || &b[..3] != VAULT_MAGIC {
            return Err(VaultError::Damaged("not a Homeward vault"));
        }
        if b.len() < 4 {
            return Err(VaultError::Damaged("truncated"));
        }
        if b[3] > VAULT_VERSION {
            return Err(VaultError::NewerFormat(b[3]));
        }
        if b[3] != VAULT_VERSION || b.len() < HEADER_BYTES + TAG_BYTES {
            return Err(VaultError::Damaged("truncated"));
        }
        let word = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let params = KdfParams {
            m_kib: word(4),
            t_cost: word(8),
            p_cost: word(12),
        };
        if !params.plausible() {
            return Err(VaultError::Damaged("implausible key derivation parameters"));
        }
        let salt = b[16..16 + SALT_BYTES].try_into().expect("16 bytes");
        Ok((params, salt))
    }
}

fn seal_vault(
    rng: &mut impl RngCore,
    kek: &Kek,
    params: KdfParams,
    salt: [u8; SALT_BYTES],
    secrets: &VaultSecrets,
) -> LockedVault {
    let nonce = aead::random_nonce(rng);
    let mut out = Vec::with_capacity(HEADER_BYTES + 128);
    out.extend_from_slice(VAULT_MAGIC);
    out.push(VAULT_VERSION);
    out.extend_from_slice(&params.m_kib.to_be_bytes());
    out.extend_from_slice(&params.t_cost.to_be_bytes());
    out.extend_from_slice(&params.p_cost.to_be_bytes());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    let plain = Zeroizing::new(secrets.to_bytes());
    let ciphertext = aead::encrypt(&kek.0, &nonce, &plain, &out);
    out.extend_from_slice(&ciphertext);
    LockedVault(out)
}

/// How guessable a passphrase looks, for the hint beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Refused: under 10 characters, or one repeated character.
    TooWeak,
    Weak,
    Fair,
    Strong,
}

/// A rough guess-resistance estimate from length and character variety,
/// with a bonus for several words (a passphrase of 4+ random words is the
/// advice shown to users). It cannot know whether the words are random.
pub fn passphrase_strength(passphrase: &str) -> Strength {
    let chars: Vec<char> = passphrase.chars().collect();
    let distinct: std::collections::BTreeSet<char> = chars.iter().copied().collect();
    if chars.len() < 10 || distinct.len() < 4 {
        return Strength::TooWeak;
    }
    let mut pool = 0u32;
    if chars.iter().any(|c| c.is_lowercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_uppercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_numeric()) {
        pool += 10;
    }
    if chars.iter().any(|c| !c.is_alphanumeric()) {
        pool += 20;
    }
    if chars.iter().any(|c| !c.is_ascii()) {
        // Cyrillic and other scripts.
        pool += 33;
    }
    let bits = chars.len() as f64 * f64::from(pool.max(2)).log2();
    let words = passphrase.split_whitespace().count();
    match (bits, words) {
        (_, w) if w >= 4 && chars.len() >= 20 => Strength::Strong,
        (b, _) if b >= 100.0 => Strength::Strong,
        (b, _) if b >= 60.0 => Strength::Fair,
        _ => Strength::Weak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn secrets() -> VaultSecrets {
        VaultSecrets {
            device_key: DeviceKey::from_secret(&[7; 32]),
            data_key: DataKey([8; 32]),
            workspaces: vec![(WorkspaceId([1; 16]), WorkspaceKey::from_bytes(0, [9; 32]))],
        }
    }

    const PARAMS: KdfParams = KdfParams::INSECURE_FOR_TESTS;

    #[test]
    fn golden_vault_and_record() {
        let mut rng = StdRng::seed_from_u64(1);
        let (vault, _) =
            LockedVault::create(&mut rng, "correct horse battery staple", PARAMS, &secrets())
                .unwrap();
        assert_eq!(
            hex::encode(vault.as_bytes()),
            "48575601000000400000000100000001611830d3641a68f94a690dcc25d1f4b0dac948325ac18f6dd32564371735f32c54743dc5e24d2a41de79be59ef1f2524ba547e92d2761bb96d5aad52db62470520f7678dcf50498d98b1b3d6af65e4bbc8634cd45ccc97eb731ed58c995181b6fa1f5555bf00ae59d140319f008166ed95a4bd29778ef7b57fd4994753dac44a57e6a7da086df89fc884b6cc85f03312e4c4bc3738613b13879892a3eb071a67469dfdd9920f8df5f614337dd940"
        );
        let record = DataKey([8; 32]).seal_record(&mut rng, b"docs/1", b"case bytes");
        assert_eq!(
            hex::encode(&record),
            "013b159584c1226df6eccfc4caa8cd7b63c7cb56ff66cd60b54c2e61c3a16069aff2643c0d87593cc9542473492161c3939afc"
        );
    }

    #[test]
    fn the_right_passphrase_opens_and_a_wrong_one_is_refused() {
        let mut rng = StdRng::seed_from_u64(2);
        let (vault, kek) =
            LockedVault::create(&mut rng, "пароль дуже довгий 1", PARAMS, &secrets()).unwrap();
        let (opened, again) = vault.unlock("пароль дуже довгий 1").unwrap();
        assert_eq!(opened.device_key.secret(), [7; 32]);
        assert_eq!(opened.data_key, DataKey([8; 32]));
        assert_eq!(opened.workspaces, secrets().workspaces);
        assert_eq!(again.0, kek.0);
        assert_eq!(
            vault.unlock("пароль дуже довгий 2").unwrap_err(),
            VaultError::WrongPassphrase
        );
    }

    #[test]
    fn rewrap_keeps_the_passphrase_and_adds_a_workspace() {
        let mut rng = StdRng::seed_from_u64(3);
        let (vault, kek) =
            LockedVault::create(&mut rng, "a long passphrase", PARAMS, &secrets()).unwrap();
        let mut more = secrets();
        more.workspaces
            .push((WorkspaceId([2; 16]), WorkspaceKey::from_bytes(3, [4; 32])));
        let vault = vault.rewrap(&mut rng, &kek, &more).unwrap();
        let (opened, _) = vault.unlock("a long passphrase").unwrap();
        assert_eq!(opened.workspaces, more.workspaces);
    }

    #[test]
    fn any_flipped_bit_in_the_vault_is_refused() {
        let mut rng = StdRng::seed_from_u64(4);
        let (vault, _) =
            LockedVault::create(&mut rng, "a long passphrase", PARAMS, &secrets()).unwrap();
        let bytes = vault.as_bytes().to_vec();
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let opened = LockedVault::from_bytes(b).and_then(|v| {
                // A flip that raises the cost within bounds still fails (the
                // parameters are associated data), only slowly: check the
                // cheap ones by unlocking, the dear ones by their header.
                let cheap = v.params()?.m_kib <= 4096 && v.params()?.t_cost <= 4;
                if cheap {
                    v.unlock("a long passphrase").map(|_| ())
                } else {
                    assert_ne!(v.params()?, PARAMS);
                    Err(VaultError::WrongPassphrase)
                }
            });
            assert!(opened.is_err(), "bit {bit}");
        }
    }

    #[test]
    fn records_open_only_in_their_slot_and_unaltered() {
        let mut rng = StdRng::seed_from_u64(5);
        let key = DataKey::generate(&mut rng);
        let sealed = key.seal_record(&mut rng, b"docs/1", b"Ivanenko");
        assert_eq!(key.open_record(b"docs/1", &sealed).unwrap(), b"Ivanenko");
        assert_eq!(
            key.open_record(b"docs/2", &sealed),
            Err(VaultError::RecordDamaged)
        );
        let other = DataKey::generate(&mut rng);
        assert_eq!(
            other.open_record(b"docs/1", &sealed),
            Err(VaultError::RecordDamaged)
        );
        for bit in 0..sealed.len() * 8 {
            let mut b = sealed.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(key.open_record(b"docs/1", &b).is_err(), "bit {bit}");
        }
        assert!(!sealed.windows(8).any(|w| w == b"Ivanenko"));
    }

    #[test]
    fn altered_parameters_cannot_make_unlocking_unbounded() {
        let mut rng = StdRng::seed_from_u64(7);
        let (vault, _) =
            LockedVault::create(&mut rng, "a long passphrase", PARAMS, &secrets()).unwrap();
        let mut b = vault.as_bytes().to_vec();
        b[4] = 0x40; // m_kib ≈ 1 GiB
        assert_eq!(
            LockedVault::from_bytes(b),
            Err(VaultError::Damaged("implausible key derivation parameters"))
        );
        let mut b = vault.as_bytes().to_vec();
        b[11] = 200; // t_cost 200
        assert!(LockedVault::from_bytes(b).is_err());
        // Raised within bounds: refused as a wrong passphrase would be.
        let mut b = vault.as_bytes().to_vec();
        b[11] = 2;
        let v = LockedVault::from_bytes(b).unwrap();
        assert_eq!(
            v.unlock("a long passphrase").unwrap_err(),
            VaultError::WrongPassphrase
        );
    }

    #[test]
    fn newer_formats_are_named() {
        let mut rng = StdRng::seed_from_u64(6);
        let (vault, _) =
            LockedVault::create(&mut rng, "a long passphrase", PARAMS, &secrets()).unwrap();
        let mut b = vault.as_bytes().to_vec();
        b[3] = 9;
        assert_eq!(LockedVault::from_bytes(b), Err(VaultError::NewerFormat(9)));
        let mut r = DataKey([1; 32]).seal_record(&mut rng, b"x", b"y");
        r[0] = 7;
        assert_eq!(
            DataKey([1; 32]).open_record(b"x", &r),
            Err(VaultError::NewerFormat(7))
        );
    }

    #[test]
    fn strength_hints() {
        assert_eq!(passphrase_strength("short"), Strength::TooWeak);
        assert_eq!(passphrase_strength("aaaaaaaaaaaaaaaa"), Strength::TooWeak);
        assert_eq!(passphrase_strength("simplepass"), Strength::Weak);
        assert_eq!(passphrase_strength("Simple-pass"), Strength::Fair);
        assert_eq!(
            passphrase_strength("Simple-pass-2024-Lviv"),
            Strength::Strong
        );
        assert_eq!(
            passphrase_strength("river кіт lamp вітер stone"),
            Strength::Strong
        );
    }

    #[test]
    fn debug_is_redacted() {
        let s = format!("{:?} {:?}", secrets(), Kek([5; 32]));
        assert!(!s.contains("07, 07") && !s.contains("[5"));
        assert!(s.contains("redacted"));
    }
}
