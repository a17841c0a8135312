//! The relay protocol, version 3: the messages a device and the relay
//! exchange over one WebSocket, as binary frames.
//!
//! The handshake takes one round trip: the relay sends `Challenge` as soon
//! as the socket is open, the device answers with one signed `Hello`, and
//! the relay welcomes it (or refuses it and closes). Version 2 had the
//! device speak first and sign in a second message; version 3 saves that
//! round trip on every reconnect.
//!
//! A frame is `b"HW"`, one version byte, then the message in postcard (a
//! compact, non-self-describing serde encoding). The three-byte prefix never
//! changes, so any peer can tell "not ours" from "ours, other version" and
//! say which. Variant order and field order are part of the format: the
//! golden-bytes tests below freeze them; change the format only by adding a
//! new protocol version.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use crate::sealing::SealedBody;
use crate::signing::Signature;

pub const PROTOCOL_VERSION: u8 = 3;
const MAGIC: [u8; 2] = *b"HW";

/// Largest frame either side accepts. A push or batch larger than this is
/// split by its sender.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;
/// Body bytes a device puts into one push, leaving room for headers.
pub const MAX_PUSH_BODY_BYTES: usize = 1024 * 1024;
/// Body bytes a device asks for in one pull or bootstrap page.
pub const DEFAULT_PULL_BYTES: u32 = 1024 * 1024;

/// What kind of Automerge bytes an entry's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    /// Changes made since the document's previous push.
    Change,
    /// The whole document, as its author held it after applying every entry
    /// of the log up to `covers`. The relay may prune this document's change
    /// entries at or below `covers` once the retention window has passed;
    /// it cannot check the claim (it cannot read the body).
    Snapshot { covers: Seq },
}

/// Everything about an entry but its body, as the author wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHeader {
    pub doc_id: DocId,
    pub kind: EntryKind,
    pub blob_id: BlobId,
    pub author: DeviceId,
    pub key_epoch: u32,
}

/// An entry as a device uploads it: no `seq` yet. `signature` is the
/// author's over workspace, header and body (`signing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub header: EntryHeader,
    /// Opaque to the relay.
    pub body: SealedBody,
    pub signature: Signature,
}

/// An entry as stored in the workspace log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: Seq,
    pub header: EntryHeader,
    pub body: SealedBody,
    pub signature: Signature,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acked {
    pub blob_id: BlobId,
    pub seq: Seq,
    /// Change entries of this entry's document after its latest snapshot's
    /// `covers`, counting this one. The pushing device compacts the document
    /// once this passes [`crate::sync_engine::COMPACT_AFTER_CHANGES`].
    pub tail: u32,
}

/// What a member may do in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Reads, pushes, invites, lists and revokes devices.
    Admin,
    /// Reads and pushes.
    Documenter,
    /// Reads only.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Documenter => "documenter",
            Role::Viewer => "viewer",
        }
    }

    pub fn can_push(self) -> bool {
        matches!(self, Role::Admin | Role::Documenter)
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "admin" => Ok(Role::Admin),
            "documenter" => Ok(Role::Documenter),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!(
                "unknown role {other:?}: expected admin, documenter or viewer"
            )),
        }
    }
}

/// A one-time secret presented with the handshake's `Hello`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Redeem {
    /// An invite ticket: joins the hello's workspace with the ticket's role.
    Ticket([u8; 32]),
    /// The relay's setup code: creates the hello's workspace, with this
    /// device as its first admin.
    SetupCode(String),
}

impl std::fmt::Debug for Redeem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Redeem::Ticket(_) => f.write_str("Ticket(redacted)"),
            Redeem::SetupCode(_) => f.write_str("SetupCode(redacted)"),
        }
    }
}

/// Where an interrupted bootstrap picks up again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapResume {
    /// The head when the bootstrap began; the device's cursor once done.
    pub upto: Seq,
    /// Documents up to and including this one are done.
    pub after_doc: DocId,
}

/// A member device as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device: DeviceId,
    pub role: Role,
    pub joined_ms: i64,
    pub revoked_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// First message on a connection, answering the relay's `Challenge`:
    /// the device's signature over it (`signing::AuthChallenge`), with a
    /// one-time secret when joining or creating the workspace. The relay
    /// answers with `Welcome`, or `Error` and a close.
    Hello {
        workspace: WorkspaceId,
        device: DeviceId,
        signature: Signature,
        redeem: Option<Redeem>,
    },
    /// Entries in outbox order; the relay stores them in this order.
    Push { entries: Vec<NewEntry> },
    /// Entries with `seq > after`, up to about `max_bytes` of bodies (at
    /// least one entry is always sent, whatever its size).
    Pull { after: Seq, max_bytes: u32 },
    /// The latest snapshot of each document plus the entries after it, a
    /// page of documents at a time, in doc-id order. `resume: None` starts.
    Bootstrap {
        resume: Option<BootstrapResume>,
        max_bytes: u32,
    },
    /// Admin: register an invite ticket. The device draws the ticket and
    /// sends only its SHA-256, so the relay never holds the secret.
    CreateInvite {
        ticket_hash: [u8; 32],
        role: Role,
        ttl_secs: u32,
    },
    /// Admin: every device that ever joined this workspace.
    ListDevices,
    /// Admin: cut a device off, at once and for good.
    Revoke { device: DeviceId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMsg {
    /// Sent unprompted as soon as the socket is open. Sign this to prove the
    /// device holds its key. `origin` is the relay's public origin; the
    /// device refuses a challenge naming another one.
    Challenge {
        nonce: [u8; 32],
        origin: String,
        issued_ms: i64,
    },
    /// The handshake succeeded. `head` is the workspace's latest seq; a
    /// device whose cursor is below `pruned_through` must bootstrap, since
    /// some entries after it are gone.
    Welcome {
        head: Seq,
        role: Role,
        pruned_through: Seq,
    },
    /// Every entry of one push, with the seq it was stored at (the first
    /// seq, for an entry that was already stored).
    Ack {
        acks: Vec<Acked>,
    },
    Batch {
        entries: Vec<Entry>,
        head: Seq,
        has_more: bool,
    },
    /// One page of a bootstrap: whole documents (snapshot, then the entries
    /// after it). `next` resumes after this page; `None` means done, and the
    /// device's cursor becomes `upto`.
    BootstrapPage {
        entries: Vec<Entry>,
        upto: Seq,
        next: Option<BootstrapResume>,
        docs_done: u64,
        docs_total: u64,
    },
    /// The workspace's head moved; pull if behind.
    Poke {
        head: Seq,
    },
    InviteCreated {
        expires_ms: i64,
    },
    Devices {
        devices: Vec<DeviceInfo>,
    },
    Revoked {
        device: DeviceId,
    },
    /// Always followed by the relay closing the connection.
    Error {
        code: ErrorCode,
        message: String,
    },
}

/// Stable error codes; the message beside one is for humans and may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The frame could not be decoded.
    Malformed,
    /// The frame is from another protocol version.
    UnsupportedVersion,
    /// The handshake is not done (no `Hello` in time, or another message
    /// before it), or a `Hello` came after it. Not final: a device that was
    /// merely slow connects again.
    HandshakeRequired,
    /// The frame or message is over a limit.
    TooLarge,
    /// The relay could not store or read; retry later.
    Internal,
    /// The `Hello`'s signature over the challenge did not verify.
    Unauthenticated,
    /// This device is not a member of that workspace (or there is no such
    /// workspace: the relay does not say which).
    NotMember,
    /// This device was revoked.
    Revoked,
    /// The device's role does not allow this (a viewer pushing, a
    /// non-admin inviting).
    Forbidden,
    /// The invite ticket or setup code is unknown, used or expired.
    BadTicket,
    /// A pushed entry's signature does not verify, or its author is not the
    /// device that pushed it. Nothing of that push was stored.
    BadSignature,
    /// Entries after the pull's cursor were pruned: bootstrap instead.
    CursorPruned,
    /// Too many messages; slow down and reconnect later.
    RateLimited,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::Malformed,
        ErrorCode::UnsupportedVersion,
        ErrorCode::HandshakeRequired,
        ErrorCode::TooLarge,
        ErrorCode::Internal,
        ErrorCode::Unauthenticated,
        ErrorCode::NotMember,
        ErrorCode::Revoked,
        ErrorCode::Forbidden,
        ErrorCode::BadTicket,
        ErrorCode::BadSignature,
        ErrorCode::CursorPruned,
        ErrorCode::RateLimited,
    ];

    /// Errors that retrying cannot fix: the device stops reconnecting until
    /// someone acts (a new invite, a new setup code).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ErrorCode::UnsupportedVersion
                | ErrorCode::Unauthenticated
                | ErrorCode::NotMember
                | ErrorCode::Revoked
                | ErrorCode::BadTicket
                | ErrorCode::BadSignature
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::HandshakeRequired => "handshake_required",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Internal => "internal",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::NotMember => "not_member",
            ErrorCode::Revoked => "revoked",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::BadTicket => "bad_ticket",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::CursorPruned => "cursor_pruned",
            ErrorCode::RateLimited => "rate_limited",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("frame of {size} bytes is over the {max}-byte limit")]
    TooLarge { size: usize, max: usize },
    #[error("not a Homeward frame (it does not start with \"HW\")")]
    NotHomeward,
    #[error(
        "the peer speaks Homeward protocol version {got}, this side speaks {ours}; update the older side"
    )]
    UnsupportedVersion { got: u8, ours: u8 },
    #[error("malformed message: {0}")]
    Malformed(String),
}

impl WireError {
    pub fn code(&self) -> ErrorCode {
        match self {
            WireError::TooLarge { .. } => ErrorCode::TooLarge,
            WireError::UnsupportedVersion { .. } => ErrorCode::UnsupportedVersion,
            WireError::NotHomeward | WireError::Malformed(_) => ErrorCode::Malformed,
        }
    }
}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&MAGIC);
    out.push(PROTOCOL_VERSION);
    // postcard cannot fail on these types (no maps with non-string keys, no
    // unsized sequences), and writing to a Vec never runs out of space.
    postcard::to_extend(msg, out).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(frame: &[u8]) -> Result<T, WireError> {
    if frame.len() > MAX_FRAME_BYTES {
        return Err(WireError::TooLarge {
            size: frame.len(),
            max: MAX_FRAME_BYTES,
        });
    }
    let Some((prefix, rest)) = frame.split_first_chunk::<3>() else {
        return Err(WireError::NotHomeward);
    };
    if prefix[..2] != MAGIC {
        return Err(WireError::NotHomeward);
    }
    if prefix[2] != PROTOCOL_VERSION {
        return Err(WireError::UnsupportedVersion {
            got: prefix[2],
            ours: PROTOCOL_VERSION,
        });
    }
    let (msg, trailing) =
        postcard::take_from_bytes::<T>(rest).map_err(|e| WireError::Malformed(e.to_string()))?;
    if !trailing.is_empty() {
        return Err(WireError::Malformed(format!(
            "{} trailing bytes after the message",
            trailing.len()
        )));
    }
    Ok(msg)
}

impl ClientMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(frame: &[u8]) -> Result<ClientMsg, WireError> {
        decode(frame)
    }
}

impl ServerMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(frame: &[u8]) -> Result<ServerMsg, WireError> {
        decode(frame)
    }

    pub fn error(code: ErrorCode, message: impl Into<String>) -> ServerMsg {
        ServerMsg::Error {
            code,
            message: message.into(),
        }
    }
}

impl NewEntry {
    /// The entry as the workspace log stores it, at `seq`.
    pub fn logged_at(self, seq: Seq) -> Entry {
        Entry {
            seq,
            header: self.header,
            body: self.body,
            signature: self.signature,
        }
    }

    /// Bytes this entry adds to a frame beyond its body, an upper bound used
    /// to split pushes and pages.
    pub const HEADER_BYTES: usize = 16 + 1 + 10 + 16 + 32 + 5 + 5 + 64 + 10;
}

/// Encodes `Vec<u8>` as one length-prefixed byte string instead of a
/// sequence of varints, which postcard does for a plain `Vec<u8>`.
pub(crate) mod serde_bytes_vec {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_bytes(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> EntryHeader {
        EntryHeader {
            doc_id: DocId([0x11; 16]),
            kind: EntryKind::Change,
            blob_id: BlobId([0x22; 16]),
            author: DeviceId([0x33; 32]),
            key_epoch: 0,
        }
    }

    const SIG: Signature = Signature([0x44; 64]);

    fn check_client(msg: ClientMsg, expected: &str) {
        assert_eq!(hex::encode(msg.encode()), expected, "{msg:?}");
        assert_eq!(
            ClientMsg::decode(&hex::decode(expected).unwrap()).unwrap(),
            msg
        );
    }

    fn check_server(msg: ServerMsg, expected: &str) {
        assert_eq!(hex::encode(msg.encode()), expected, "{msg:?}");
        assert_eq!(
            ServerMsg::decode(&hex::decode(expected).unwrap()).unwrap(),
            msg
        );
    }

    // Golden bytes: if one of these fails, the wire format changed. Devices
    // in the field would break: add a protocol version instead.
    #[test]
    fn golden_push() {
        let mut snapshot = header();
        snapshot.kind = EntryKind::Snapshot { covers: Seq(300) };
        let msg = ClientMsg::Push {
            entries: vec![
                NewEntry {
                    header: header(),
                    body: SealedBody::from_received(vec![0xde, 0xad]),
                    signature: SIG,
                },
                NewEntry {
                    header: snapshot,
                    body: SealedBody::from_received(vec![]),
                    signature: SIG,
                },
            ],
        };
        let entry = |kind: &str, body: &str| {
            format!(
                "{}{kind}{}{}00{body}{}",
                "11".repeat(16),
                "22".repeat(16),
                "33".repeat(32),
                "44".repeat(64)
            )
        };
        let expected = [
            "485703",               // "HW", version 3
            "01",                   // ClientMsg::Push
            "02",                   // two entries
            &entry("00", "02dead"), // Change, 2-byte body
            &entry("01ac02", "00"), // Snapshot { covers: 300 }, empty body
        ]
        .concat();
        check_client(msg, &expected);
    }

    #[test]
    fn golden_handshake_and_requests() {
        let hello = |redeem| ClientMsg::Hello {
            workspace: WorkspaceId([0xaa; 16]),
            device: DeviceId([0xbb; 32]),
            signature: SIG,
            redeem,
        };
        let hello_hex = format!(
            "48570300{}{}{}",
            "aa".repeat(16),
            "bb".repeat(32),
            "44".repeat(64)
        );
        check_client(hello(None), &format!("{hello_hex}00"));
        check_client(
            hello(Some(Redeem::Ticket([0x55; 32]))),
            &format!("{hello_hex}0100{}", "55".repeat(32)),
        );
        check_client(
            hello(Some(Redeem::SetupCode("AB-12".into()))),
            &format!("{hello_hex}01010541422d3132"),
        );
        check_client(
            ClientMsg::Pull {
                after: Seq(300),
                max_bytes: 1 << 20,
            },
            "48570302ac02808040",
        );
        check_client(
            ClientMsg::Bootstrap {
                resume: Some(BootstrapResume {
                    upto: Seq(9),
                    after_doc: DocId([0x11; 16]),
                }),
                max_bytes: 1,
            },
            &format!("485703030109{}01", "11".repeat(16)),
        );
        check_client(
            ClientMsg::CreateInvite {
                ticket_hash: [0x66; 32],
                role: Role::Viewer,
                ttl_secs: 3600,
            },
            &format!("48570304{}02901c", "66".repeat(32)),
        );
        check_client(ClientMsg::ListDevices, "48570305");
        check_client(
            ClientMsg::Revoke {
                device: DeviceId([0xbb; 32]),
            },
            &format!("48570306{}", "bb".repeat(32)),
        );
    }

    #[test]
    fn golden_server_messages() {
        let entry = Entry {
            seq: Seq(1),
            header: header(),
            body: SealedBody::from_received(vec![0x01]),
            signature: SIG,
        };
        let entry_hex = format!(
            "01{}00{}{}000101{}",
            "11".repeat(16),
            "22".repeat(16),
            "33".repeat(32),
            "44".repeat(64)
        );
        check_server(
            ServerMsg::Challenge {
                nonce: [0x77; 32],
                origin: "https://r.example".into(),
                issued_ms: 1,
            },
            &format!(
                "48570300{}1168747470733a2f2f722e6578616d706c6502",
                "77".repeat(32)
            ),
        );
        check_server(
            ServerMsg::Welcome {
                head: Seq(5),
                role: Role::Documenter,
                pruned_through: Seq(0),
            },
            "48570301050100",
        );
        check_server(
            ServerMsg::Ack {
                acks: vec![Acked {
                    blob_id: BlobId([0x22; 16]),
                    seq: Seq(7),
                    tail: 32,
                }],
            },
            &format!("4857030201{}0720", "22".repeat(16)),
        );
        check_server(
            ServerMsg::Batch {
                entries: vec![entry.clone()],
                head: Seq(9),
                has_more: true,
            },
            &format!("4857030301{entry_hex}0901"),
        );
        check_server(
            ServerMsg::BootstrapPage {
                entries: vec![entry],
                upto: Seq(9),
                next: None,
                docs_done: 1,
                docs_total: 2,
            },
            &format!("4857030401{entry_hex}09000102"),
        );
        check_server(ServerMsg::Poke { head: Seq(128) }, "485703058001");
        check_server(ServerMsg::InviteCreated { expires_ms: 2 }, "4857030604");
        check_server(
            ServerMsg::Devices {
                devices: vec![DeviceInfo {
                    device: DeviceId([0xbb; 32]),
                    role: Role::Admin,
                    joined_ms: 1,
                    revoked_ms: Some(-1),
                }],
            },
            &format!("4857030701{}00020101", "bb".repeat(32)),
        );
        check_server(
            ServerMsg::Revoked {
                device: DeviceId([0xbb; 32]),
            },
            &format!("48570308{}", "bb".repeat(32)),
        );
        check_server(
            ServerMsg::error(ErrorCode::CursorPruned, "big"),
            "485703090b03626967",
        );
    }

    #[test]
    fn error_codes_have_distinct_stable_names() {
        let names: std::collections::BTreeSet<_> =
            ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn foreign_older_and_newer_frames_get_clear_errors() {
        assert_eq!(ServerMsg::decode(b""), Err(WireError::NotHomeward));
        assert_eq!(
            ServerMsg::decode(b"GET / HTTP/1.1"),
            Err(WireError::NotHomeward)
        );
        // Version 2 had the two-round-trip handshake (Hello, then Answer).
        let err = ServerMsg::decode(b"HW\x02\x00").unwrap_err();
        assert_eq!(err, WireError::UnsupportedVersion { got: 2, ours: 3 });
        assert_eq!(err.code(), ErrorCode::UnsupportedVersion);
        assert!(err.to_string().contains("update the older side"));
        let err = ClientMsg::decode(b"HW\x04\x00").unwrap_err();
        assert_eq!(err, WireError::UnsupportedVersion { got: 4, ours: 3 });
    }

    #[test]
    fn truncated_trailing_and_oversized_frames_are_malformed() {
        let frame = ClientMsg::Pull {
            after: Seq(1),
            max_bytes: 10,
        }
        .encode();
        for cut in 3..frame.len() {
            assert!(matches!(
                ClientMsg::decode(&frame[..cut]),
                Err(WireError::Malformed(_))
            ));
        }
        let mut long = frame.clone();
        long.push(0);
        assert!(matches!(
            ClientMsg::decode(&long),
            Err(WireError::Malformed(_))
        ));
        let huge = vec![0u8; MAX_FRAME_BYTES + 1];
        assert_eq!(
            ClientMsg::decode(&huge).unwrap_err().code(),
            ErrorCode::TooLarge
        );
    }

    #[test]
    fn header_bytes_bound_holds_for_the_largest_header() {
        let entry = NewEntry {
            header: EntryHeader {
                kind: EntryKind::Snapshot {
                    covers: Seq(u64::MAX),
                },
                key_epoch: u32::MAX,
                ..header()
            },
            body: SealedBody::from_received(vec![0; 300]),
            signature: SIG,
        };
        let len = postcard::to_allocvec(&entry).unwrap().len();
        assert!(len - entry.body.len() <= NewEntry::HEADER_BYTES, "{len}");
    }
}
