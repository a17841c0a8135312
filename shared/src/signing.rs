//! Device keys and the two things they sign: the relay's handshake challenge
//! and every uploaded entry.
//!
//! Each signed message starts with its own context string, so a signature
//! made for one purpose can never be presented as the other. Both layouts
//! are part of the protocol and frozen by the golden tests below.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::ids::{DeviceId, WorkspaceId};
use crate::sealing::SealedBody;
use crate::wire::{Entry, EntryHeader, NewEntry};

const AUTH_CONTEXT: &[u8] = b"homeward/auth/2\0";
const ENTRY_CONTEXT: &[u8] = b"homeward/entry/2\0";

/// An Ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({}…)", hex::encode(&self.0[..8]))
    }
}

// serde implements arrays only up to 32 elements; postcard writes a tuple
// with no length prefix, exactly like a shorter array.
impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut t = s.serialize_tuple(64)?;
        for b in &self.0 {
            t.serialize_element(b)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Signature;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("64 signature bytes")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Signature, A::Error> {
                let mut out = [0u8; 64];
                for (i, b) in out.iter_mut().enumerate() {
                    *b = seq
                        .next_element()?
                        .ok_or_else(|| serde::de::Error::invalid_length(i, &self))?;
                }
                Ok(Signature(out))
            }
        }
        d.deserialize_tuple(64, Visitor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the device id {0} is not a valid Ed25519 public key")]
    BadKey(DeviceId),
    #[error("the signature does not match: the data was altered, or signed by another key")]
    Mismatch,
}

/// A device's Ed25519 key pair. Its public half is the device's id.
pub struct DeviceKey(SigningKey);

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKey({}, secret redacted)", self.device_id())
    }
}

impl Clone for DeviceKey {
    fn clone(&self) -> Self {
        DeviceKey(SigningKey::from_bytes(&self.0.to_bytes()))
    }
}

impl DeviceKey {
    pub fn generate(rng: &mut impl RngCore) -> DeviceKey {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        DeviceKey(SigningKey::from_bytes(&seed))
    }

    pub fn from_secret(secret: &[u8; 32]) -> DeviceKey {
        DeviceKey(SigningKey::from_bytes(secret))
    }

    /// The secret seed, for the caller to store (wrapped, once issue 5's
    /// at-rest encryption lands).
    pub fn secret(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn device_id(&self) -> DeviceId {
        DeviceId(self.0.verifying_key().to_bytes())
    }

    pub fn sign_auth(&self, challenge: &AuthChallenge<'_>) -> Signature {
        Signature(self.0.sign(&challenge.message()).to_bytes())
    }

    /// An entry ready to upload, signed by this device as its author.
    /// Devices get `body` from `WorkspaceKey::seal` (see `EntrySealer`).
    pub fn sign_entry(
        &self,
        workspace: WorkspaceId,
        header: EntryHeader,
        body: SealedBody,
    ) -> NewEntry {
        debug_assert_eq!(
            header.author,
            self.device_id(),
            "entries are signed by their author"
        );
        let signature = Signature(
            self.0
                .sign(&entry_message(workspace, &header, body.as_bytes()))
                .to_bytes(),
        );
        NewEntry {
            header,
            body,
            signature,
        }
    }
}

/// What a device signs to answer the relay's challenge. `origin` is the
/// relay's public origin as the *device* dialled it: a relay that forwards
/// another relay's challenge gets a signature naming the wrong origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthChallenge<'a> {
    pub origin: &'a str,
    pub nonce: [u8; 32],
    pub issued_ms: i64,
    pub workspace: WorkspaceId,
    pub device: DeviceId,
}

impl AuthChallenge<'_> {
    fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(AUTH_CONTEXT.len() + self.origin.len() + 100);
        m.extend_from_slice(AUTH_CONTEXT);
        m.extend_from_slice(&(self.origin.len() as u32).to_be_bytes());
        m.extend_from_slice(self.origin.as_bytes());
        m.extend_from_slice(&self.nonce);
        m.extend_from_slice(&self.issued_ms.to_be_bytes());
        m.extend_from_slice(&self.workspace.0);
        m.extend_from_slice(&self.device.0);
        m
    }

    pub fn verify(&self, signature: &Signature) -> Result<(), SignatureError> {
        verify(self.device, &self.message(), signature)
    }
}

fn entry_message(workspace: WorkspaceId, header: &EntryHeader, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(ENTRY_CONTEXT.len() + 16 + 80 + 32);
    m.extend_from_slice(ENTRY_CONTEXT);
    m.extend_from_slice(&workspace.0);
    // postcard of the header is canonical (fixed arrays, minimal varints).
    m.extend_from_slice(&postcard::to_allocvec(header).unwrap_or_default());
    // Hashing the body first keeps the signed message small whatever the
    // body's size; SHA-256 is collision resistant, so this signs the body.
    m.extend_from_slice(&Sha256::digest(body));
    m
}

fn verify(device: DeviceId, message: &[u8], signature: &Signature) -> Result<(), SignatureError> {
    let key = VerifyingKey::from_bytes(&device.0).map_err(|_| SignatureError::BadKey(device))?;
    let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
    key.verify(message, &sig)
        .map_err(|_| SignatureError::Mismatch)
}

impl NewEntry {
    /// Checks the author's signature over workspace, header and body.
    pub fn verify(&self, workspace: WorkspaceId) -> Result<(), SignatureError> {
        verify(
            self.header.author,
            &entry_message(workspace, &self.header, self.body.as_bytes()),
            &self.signature,
        )
    }
}

impl Entry {
    pub fn verify(&self, workspace: WorkspaceId) -> Result<(), SignatureError> {
        verify(
            self.header.author,
            &entry_message(workspace, &self.header, self.body.as_bytes()),
            &self.signature,
        )
    }
}

/// SHA-256 of an invite ticket or setup code: what the relay stores instead
/// of the secret itself.
pub fn secret_hash(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BlobId, DocId, Seq};
    use crate::wire::EntryKind;

    fn key() -> DeviceKey {
        DeviceKey::from_secret(&[7; 32])
    }

    fn header(author: DeviceId) -> EntryHeader {
        EntryHeader {
            doc_id: DocId([0x11; 16]),
            kind: EntryKind::Snapshot { covers: Seq(3) },
            blob_id: BlobId([0x22; 16]),
            author,
            key_epoch: 0,
        }
    }

    // Golden values: Ed25519 is deterministic, so the same key and message
    // give the same signature forever. A change here means the signed layout
    // changed and every stored entry's signature would stop verifying.
    #[test]
    fn golden_device_id_and_signatures() {
        let k = key();
        assert_eq!(
            k.device_id().to_hex(),
            "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
        );
        let entry = k.sign_entry(
            WorkspaceId([0xaa; 16]),
            header(k.device_id()),
            SealedBody::from_received(vec![1, 2, 3]),
        );
        assert_eq!(
            hex::encode(entry.signature.0),
            "da60d9173cba13f2c0b57b82d7d91d7ad7966c66861a19758ebcdbf47a6cc82de1e37e671b03a00123349d15c74dcd9182c23f9654e6b23a3a537ac3dae01904"
        );
        let challenge = AuthChallenge {
            origin: "https://relay.example",
            nonce: [5; 32],
            issued_ms: 1_700_000_000_000,
            workspace: WorkspaceId([0xaa; 16]),
            device: k.device_id(),
        };
        assert_eq!(
            hex::encode(k.sign_auth(&challenge).0),
            "b0f88c63e2c5c7481689868b0acd82b602d99a62bd725e0fc96f3ff17689e5f5e4c55c7b1614b857ad34b8966c0028c3817afc69b0ad4158a94e780d362fc201"
        );
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let k = key();
        let ws = WorkspaceId([0xaa; 16]);
        let entry = k.sign_entry(
            ws,
            header(k.device_id()),
            SealedBody::from_received(b"opaque body".to_vec()),
        );
        entry.verify(ws).unwrap();
        let bytes = postcard::to_allocvec(&entry).unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            // A flip can make the bytes undecodable: also a rejection.
            if let Ok(e) = postcard::from_bytes::<NewEntry>(&b) {
                assert!(
                    e.verify(ws).is_err(),
                    "bit {bit} flipped and still verified"
                );
            }
        }
        assert_eq!(
            entry.verify(WorkspaceId([0xab; 16])),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_answer_for_one_challenge_fails_any_other() {
        let k = key();
        let c = AuthChallenge {
            origin: "https://relay.example",
            nonce: [5; 32],
            issued_ms: 10,
            workspace: WorkspaceId([1; 16]),
            device: k.device_id(),
        };
        let sig = k.sign_auth(&c);
        c.verify(&sig).unwrap();
        let others = [
            AuthChallenge {
                origin: "https://evil.example",
                ..c.clone()
            },
            AuthChallenge {
                nonce: [6; 32],
                ..c.clone()
            },
            AuthChallenge {
                issued_ms: 11,
                ..c.clone()
            },
            AuthChallenge {
                workspace: WorkspaceId([2; 16]),
                ..c.clone()
            },
            AuthChallenge {
                device: DeviceKey::from_secret(&[8; 32]).device_id(),
                ..c.clone()
            },
        ];
        for other in others {
            assert!(other.verify(&sig).is_err(), "{other:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", key());
        assert!(!shown.contains(&hex::encode([7u8; 32])));
        assert!(shown.contains("redacted"));
    }
}
