//! Sealed entry bodies: what the relay stores and can never read.
//!
//! A body is XChaCha20-Poly1305 under the workspace key, with a random
//! 192-bit nonce (random nonces of that size never collide in practice, so
//! no device has to keep a counter). The associated data binds the protocol
//! version, workspace, document, kind, key epoch, author and blob id: a
//! sealed body moved to another document, workspace or entry fails to
//! open. The author then signs header and *sealed* body (encrypt-then-sign,
//! `signing`), so the relay can check authorship without the key.
//!
//! Plaintext never has a way onto the wire by mistake: `NewEntry` holds a
//! [`SealedBody`], which only [`WorkspaceKey::seal`] makes on a device, and
//! plaintext comes out only as an [`OpenedEntry`] from [`open_entry`].
//!
//! Envelope, version 1: `0x01 ‖ nonce (24) ‖ ciphertext ‖ tag (16)`.

use std::fmt;

use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::aead::{self, NONCE_BYTES, TAG_BYTES};
use crate::ids::{BlobId, DocId, Seq, WorkspaceId};
use crate::signing::{DeviceKey, SignatureError};
use crate::wire::{Entry, EntryHeader, EntryKind, NewEntry};

const ENVELOPE_VERSION: u8 = 1;
const AD_CONTEXT: &[u8] = b"homeward/seal/1\0";
/// The wire protocol's version when this envelope was defined. It is in
/// every sealed body's associated data, so it is frozen: the wire protocol
/// moves on (version 3 changed only the handshake) without making every
/// body sealed before unreadable.
const AD_PROTOCOL_VERSION: u8 = 2;

/// Bytes sealing adds to a body.
pub const SEAL_OVERHEAD: usize = 1 + NONCE_BYTES + TAG_BYTES;

/// A workspace's 256-bit content key at one epoch. Never leaves a device
/// except inside an invite link's fragment.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct WorkspaceKey {
    epoch: u32,
    key: [u8; 32],
}

impl fmt::Debug for WorkspaceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkspaceKey(epoch {}, redacted)", self.epoch)
    }
}

impl WorkspaceKey {
    pub fn generate(rng: &mut impl RngCore) -> WorkspaceKey {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        WorkspaceKey { epoch: 0, key }
    }

    pub fn from_bytes(epoch: u32, key: [u8; 32]) -> WorkspaceKey {
        WorkspaceKey { epoch, key }
    }

    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The raw key, to put in an invite link or a wrapped key store.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key
    }

    /// Seals `plaintext` as the body of the entry `header` describes.
    /// `header.key_epoch` must be this key's epoch.
    pub fn seal(
        &self,
        rng: &mut impl RngCore,
        workspace: WorkspaceId,
        header: &EntryHeader,
        plaintext: &[u8],
    ) -> SealedBody {
        debug_assert_eq!(header.key_epoch, self.epoch);
        let ad = associated_data(workspace, header);
        SealedBody(aead::seal(rng, &self.key, ENVELOPE_VERSION, plaintext, &ad))
    }

    fn open(
        &self,
        workspace: WorkspaceId,
        header: &EntryHeader,
        body: &SealedBody,
    ) -> Result<Vec<u8>, OpenError> {
        if header.key_epoch != self.epoch {
            return Err(OpenError::UnknownEpoch {
                epoch: header.key_epoch,
            });
        }
        let bytes = &body.0;
        if bytes.len() < SEAL_OVERHEAD {
            return Err(OpenError::Truncated { len: bytes.len() });
        }
        if bytes[0] != ENVELOPE_VERSION {
            return Err(OpenError::UnknownEnvelope { version: bytes[0] });
        }
        aead::open(&self.key, &bytes[1..], &associated_data(workspace, header))
            .ok_or(OpenError::Decrypt)
    }
}

fn associated_data(workspace: WorkspaceId, header: &EntryHeader) -> Vec<u8> {
    let mut ad = Vec::with_capacity(AD_CONTEXT.len() + 1 + 16 + 16 + 11 + 4 + 32 + 16);
    ad.extend_from_slice(AD_CONTEXT);
    ad.push(AD_PROTOCOL_VERSION);
    ad.extend_from_slice(&workspace.0);
    ad.extend_from_slice(&header.doc_id.0);
    match header.kind {
        EntryKind::Change => ad.push(0),
        EntryKind::Snapshot { covers } => {
            ad.push(1);
            ad.extend_from_slice(&covers.0.to_be_bytes());
        }
    }
    ad.extend_from_slice(&header.key_epoch.to_be_bytes());
    ad.extend_from_slice(&header.author.0);
    ad.extend_from_slice(&header.blob_id.0);
    ad
}

/// An entry body as sealed by its author. Opaque to everyone without the
/// workspace key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SealedBody(#[serde(with = "crate::wire::serde_bytes_vec")] Vec<u8>);

impl fmt::Debug for SealedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedBody({} bytes)", self.0.len())
    }
}

impl SealedBody {
    /// Bytes that arrived from a peer or were read back from storage, which
    /// claim to be sealed. Devices make bodies with [`WorkspaceKey::seal`]
    /// only; the relay and tests use this.
    pub fn from_received(bytes: Vec<u8>) -> SealedBody {
        SealedBody(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the entry's signature does not verify: {0}")]
    Signature(#[from] SignatureError),
    #[error(
        "the entry is sealed under key epoch {epoch}, which this device does not hold; \
         ask an admin for a new invite"
    )]
    UnknownEpoch { epoch: u32 },
    #[error("the sealed body is {len} bytes, too short to be sealed")]
    Truncated { len: usize },
    #[error("the sealed body uses envelope version {version}, unknown to this app; update it")]
    UnknownEnvelope { version: u8 },
    #[error(
        "the sealed body does not open: it was altered, moved from another entry, or sealed \
         under another workspace's key"
    )]
    Decrypt,
}

impl OpenError {
    /// A stable name for counting and display, never with content.
    pub fn kind(&self) -> &'static str {
        match self {
            OpenError::Signature(_) => "signature",
            OpenError::UnknownEpoch { .. } => "unknown_epoch",
            OpenError::Truncated { .. } => "truncated",
            OpenError::UnknownEnvelope { .. } => "unknown_envelope",
            OpenError::Decrypt => "decrypt",
        }
    }
}

/// An entry whose signature verified and whose body opened: the only way
/// plaintext comes out of the log.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenedEntry {
    pub seq: Seq,
    pub header: EntryHeader,
    pub plaintext: Vec<u8>,
}

impl fmt::Debug for OpenedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedEntry")
            .field("seq", &self.seq)
            .field("header", &self.header)
            .field("plaintext", &format_args!("{} bytes", self.plaintext.len()))
            .finish()
    }
}

/// An entry that failed to verify or open: kept aside, never merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub seq: Seq,
    pub header: EntryHeader,
    pub error: OpenError,
}

/// Verifies the author's signature, then opens the body.
pub fn open_entry(
    key: &WorkspaceKey,
    workspace: WorkspaceId,
    entry: Entry,
) -> Result<OpenedEntry, Box<Quarantined>> {
    let opened = entry
        .verify(workspace)
        .map_err(OpenError::from)
        .and_then(|()| key.open(workspace, &entry.header, &entry.body));
    match opened {
        Ok(plaintext) => Ok(OpenedEntry {
            seq: entry.seq,
            header: entry.header,
            plaintext,
        }),
        Err(error) => Err(Box::new(Quarantined {
            seq: entry.seq,
            header: entry.header,
            error,
        })),
    }
}

/// Everything a device needs to turn local Automerge bytes into an entry
/// ready to upload: seal under the workspace key, sign with the device key.
#[derive(Debug, Clone)]
pub struct EntrySealer {
    pub workspace: WorkspaceId,
    pub device: DeviceKey,
    pub key: WorkspaceKey,
}

impl EntrySealer {
    pub fn seal(
        &self,
        rng: &mut impl RngCore,
        doc_id: DocId,
        kind: EntryKind,
        plaintext: &[u8],
    ) -> NewEntry {
        let header = EntryHeader {
            doc_id,
            kind,
            blob_id: BlobId::random(rng),
            author: self.device.device_id(),
            key_epoch: self.key.epoch(),
        };
        let body = self.key.seal(rng, self.workspace, &header, plaintext);
        self.device.sign_entry(self.workspace, header, body)
    }

    pub fn open(&self, entry: Entry) -> Result<OpenedEntry, Box<Quarantined>> {
        open_entry(&self.key, self.workspace, entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const WS: WorkspaceId = WorkspaceId([0xaa; 16]);

    fn sealer() -> EntrySealer {
        EntrySealer {
            workspace: WS,
            device: DeviceKey::from_secret(&[7; 32]),
            key: WorkspaceKey::from_bytes(0, [9; 32]),
        }
    }

    fn logged(e: NewEntry) -> Entry {
        e.logged_at(Seq(1))
    }

    // Golden vector: a fixed key, nonce source and header give these exact
    // bytes forever. If this fails, sealed bodies in every store and relay
    // stopped opening: add an envelope version instead.
    #[test]
    fn golden_sealed_body() {
        let s = sealer();
        let header = EntryHeader {
            doc_id: DocId([0x11; 16]),
            kind: EntryKind::Change,
            blob_id: BlobId([0x22; 16]),
            author: s.device.device_id(),
            key_epoch: 0,
        };
        let mut rng = StdRng::seed_from_u64(1);
        let body = s.key.seal(&mut rng, WS, &header, b"automerge bytes");
        assert_eq!(
            hex::encode(body.as_bytes()),
            "01611830d3641a68f94a690dcc25d1f4b0dac948325ac18f6d5d42b3f5ab6975822907765ae73312b32e889ca23f7f1efa2683a4f5856a07"
        );
        assert_eq!(body.len(), SEAL_OVERHEAD + 15);
        let entry = logged(s.device.sign_entry(WS, header, body));
        assert_eq!(s.open(entry).unwrap().plaintext, b"automerge bytes");
    }

    #[test]
    fn every_flipped_bit_is_refused_with_a_clear_error() {
        let s = sealer();
        let mut rng = StdRng::seed_from_u64(2);
        let entry = logged(s.seal(&mut rng, DocId([3; 16]), EntryKind::Change, b"a case"));
        let bytes = postcard::to_allocvec(&entry).unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let Ok(damaged) = postcard::from_bytes::<Entry>(&b) else {
                continue;
            };
            if damaged.seq != entry.seq && damaged.header == entry.header {
                // The seq is the relay's, outside the signature: it opens.
                continue;
            }
            let err = s.open(damaged).expect_err("a damaged entry opened");
            assert!(!err.error.to_string().is_empty());
        }
    }

    #[test]
    fn a_valid_body_under_another_doc_or_workspace_does_not_open() {
        let s = sealer();
        let mut rng = StdRng::seed_from_u64(3);
        let entry = s.seal(&mut rng, DocId([3; 16]), EntryKind::Change, b"a case");

        // The relay (or anyone with the author's key) re-signs the same
        // sealed body under another doc id: the signature passes, the
        // seal does not.
        let mut moved = entry.header.clone();
        moved.doc_id = DocId([4; 16]);
        let resigned = s.device.sign_entry(WS, moved, entry.body.clone());
        let err = s.open(logged(resigned)).unwrap_err();
        assert_eq!(err.error, OpenError::Decrypt);

        // The same body replayed into another workspace with the same key.
        let other = EntrySealer {
            workspace: WorkspaceId([0xbb; 16]),
            ..s.clone()
        };
        let replayed =
            s.device
                .sign_entry(other.workspace, entry.header.clone(), entry.body.clone());
        assert_eq!(
            other.open(logged(replayed)).unwrap_err().error,
            OpenError::Decrypt
        );

        // And under another workspace's key.
        let stranger = EntrySealer {
            key: WorkspaceKey::from_bytes(0, [10; 32]),
            ..s.clone()
        };
        assert_eq!(
            stranger.open(logged(entry)).unwrap_err().error,
            OpenError::Decrypt
        );
    }

    #[test]
    fn wrong_epoch_short_and_future_envelopes_are_named() {
        let s = sealer();
        let mut rng = StdRng::seed_from_u64(4);
        let entry = s.seal(&mut rng, DocId([3; 16]), EntryKind::Change, b"x");
        let later = EntrySealer {
            key: WorkspaceKey::from_bytes(1, [9; 32]),
            ..s.clone()
        };
        assert_eq!(
            later.open(logged(entry.clone())).unwrap_err().error,
            OpenError::UnknownEpoch { epoch: 0 }
        );
        let short = s.device.sign_entry(
            WS,
            entry.header.clone(),
            SealedBody::from_received(vec![1; 5]),
        );
        assert_eq!(s.open(logged(short)).unwrap_err().error.kind(), "truncated");
        let mut future = entry.body.clone().into_bytes();
        future[0] = 2;
        let future =
            s.device
                .sign_entry(WS, entry.header.clone(), SealedBody::from_received(future));
        assert_eq!(
            s.open(logged(future)).unwrap_err().error,
            OpenError::UnknownEnvelope { version: 2 }
        );
    }

    #[test]
    fn debug_shows_no_key_and_no_plaintext() {
        let s = sealer();
        assert!(!format!("{:?}", s.key).contains("09"));
        let mut rng = StdRng::seed_from_u64(5);
        let opened = s
            .open(logged(s.seal(
                &mut rng,
                DocId([3; 16]),
                EntryKind::Change,
                b"secret name",
            )))
            .unwrap();
        assert!(!format!("{opened:?}").contains("secret"));
    }
}
