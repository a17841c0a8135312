//! The relay protocol, version 1: the messages a device and the relay
//! exchange over one WebSocket, as binary frames.
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

pub const PROTOCOL_VERSION: u8 = 1;
const MAGIC: [u8; 2] = *b"HW";

/// Largest frame either side accepts. A push or batch larger than this is
/// split by its sender.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;
/// Body bytes a device puts into one push, leaving room for headers.
pub const MAX_PUSH_BODY_BYTES: usize = 1024 * 1024;
/// Body bytes a device asks for in one pull page.
pub const DEFAULT_PULL_BYTES: u32 = 1024 * 1024;

/// What kind of Automerge bytes an entry's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    /// Changes made since the document's previous push.
    Change,
    /// A compacted whole document (compaction arrives in a later step).
    Snapshot,
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

/// An entry as a device uploads it: no `seq` yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub header: EntryHeader,
    /// Opaque to the relay.
    #[serde(with = "serde_bytes_vec")]
    pub body: Vec<u8>,
}

/// An entry as stored in the workspace log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: Seq,
    pub header: EntryHeader,
    #[serde(with = "serde_bytes_vec")]
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acked {
    pub blob_id: BlobId,
    pub seq: Seq,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// First message on a connection.
    Hello {
        workspace: WorkspaceId,
        device: DeviceId,
    },
    /// Entries in outbox order; the relay stores them in this order.
    Push { entries: Vec<NewEntry> },
    /// Entries with `seq > after`, up to about `max_bytes` of bodies (at
    /// least one entry is always sent, whatever its size).
    Pull { after: Seq, max_bytes: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMsg {
    /// The handshake succeeded; `head` is the workspace's latest seq.
    Welcome {
        head: Seq,
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
    /// The workspace's head moved; pull if behind.
    Poke {
        head: Seq,
    },
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
    /// A message other than `Hello` came first, or `Hello` came twice.
    HandshakeRequired,
    /// The frame or message is over a limit.
    TooLarge,
    /// The relay could not store or read; retry later.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::HandshakeRequired => "handshake_required",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Internal => "internal",
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
    /// Bytes this entry adds to a frame beyond its body, an upper bound used
    /// to split pushes and pages.
    pub const HEADER_BYTES: usize = 16 + 1 + 16 + 32 + 5 + 5 + 10;
}

/// Encodes `Vec<u8>` as one length-prefixed byte string instead of a
/// sequence of varints, which postcard does for a plain `Vec<u8>`.
mod serde_bytes_vec {
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

    // Golden bytes: if one of these fails, the wire format changed. Old
    // clients in the field would break: add a protocol version instead.
    #[test]
    fn golden_push() {
        let msg = ClientMsg::Push {
            entries: vec![NewEntry {
                header: header(),
                body: vec![0xde, 0xad],
            }],
        };
        let expected = concat!(
            "485701",                                                           // "HW", version 1
            "01",                                                               // ClientMsg::Push
            "01",                                                               // one entry
            "11111111111111111111111111111111",                                 // doc_id
            "00",                                                               // EntryKind::Change
            "22222222222222222222222222222222",                                 // blob_id
            "3333333333333333333333333333333333333333333333333333333333333333", // author
            "00",                                                               // key_epoch
            "02dead",                                                           // body
        );
        assert_eq!(hex::encode(msg.encode()), expected);
        assert_eq!(
            ClientMsg::decode(&hex::decode(expected).unwrap()).unwrap(),
            msg
        );
    }

    #[test]
    fn golden_hello_pull() {
        let hello = ClientMsg::Hello {
            workspace: WorkspaceId([0xaa; 16]),
            device: DeviceId([0xbb; 32]),
        };
        assert_eq!(
            hex::encode(hello.encode()),
            format!("48570100{}{}", "aa".repeat(16), "bb".repeat(32))
        );
        let pull = ClientMsg::Pull {
            after: Seq(300),
            max_bytes: 1 << 20,
        };
        assert_eq!(hex::encode(pull.encode()), "48570102ac02808040");
    }

    #[test]
    fn golden_server_messages() {
        let cases: Vec<(ServerMsg, String)> = vec![
            (ServerMsg::Welcome { head: Seq(5) }, "4857010005".into()),
            (
                ServerMsg::Ack {
                    acks: vec![Acked {
                        blob_id: BlobId([0x22; 16]),
                        seq: Seq(7),
                    }],
                },
                format!("485701010122{}07", "22".repeat(15)),
            ),
            (
                ServerMsg::Batch {
                    entries: vec![Entry {
                        seq: Seq(1),
                        header: header(),
                        body: vec![0x01],
                    }],
                    head: Seq(9),
                    has_more: true,
                },
                format!(
                    "48570102010111{}0022{}33{}00010109",
                    "11".repeat(15),
                    "22".repeat(15),
                    "33".repeat(31)
                ) + "01",
            ),
            (ServerMsg::Poke { head: Seq(128) }, "485701038001".into()),
            (
                ServerMsg::error(ErrorCode::TooLarge, "big"),
                "48570104030362696".to_owned() + "7",
            ),
        ];
        for (msg, expected) in cases {
            assert_eq!(hex::encode(msg.encode()), expected, "{msg:?}");
            assert_eq!(
                ServerMsg::decode(&hex::decode(&expected).unwrap()).unwrap(),
                msg
            );
        }
    }

    #[test]
    fn foreign_and_future_frames_get_clear_errors() {
        assert_eq!(ServerMsg::decode(b""), Err(WireError::NotHomeward));
        assert_eq!(
            ServerMsg::decode(b"GET / HTTP/1.1"),
            Err(WireError::NotHomeward)
        );
        let err = ServerMsg::decode(b"HW\x02\x00").unwrap_err();
        assert_eq!(err, WireError::UnsupportedVersion { got: 2, ours: 1 });
        assert_eq!(err.code(), ErrorCode::UnsupportedVersion);
        assert!(err.to_string().contains("update the older side"));
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
}
