//! Identifiers. All are fixed-size byte strings so they encode compactly on
//! the wire (postcard writes arrays without a length prefix) and print as hex.

use std::fmt;
use std::str::FromStr;

use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// An identifier that failed to parse from its hex form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} hex digits for {what}, got {got:?}")]
pub struct IdParseError {
    what: &'static str,
    expected: usize,
    got: String,
}

macro_rules! byte_id {
    ($(#[$doc:meta])* $name:ident, $len:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            pub const LEN: usize = $len;

            /// A fresh random identifier drawn from the caller's random source.
            pub fn random(rng: &mut impl RngCore) -> Self {
                let mut bytes = [0u8; $len];
                rng.fill_bytes(&mut bytes);
                Self(bytes)
            }

            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let err = || IdParseError {
                    what: stringify!($name),
                    expected: $len * 2,
                    got: s.chars().take(80).collect(),
                };
                let bytes = hex::decode(s).map_err(|_| err())?;
                let bytes: [u8; $len] = bytes.try_into().map_err(|_| err())?;
                Ok(Self(bytes))
            }
        }
    };
}

byte_id!(
    /// A workspace: one team's shared set of cases, and one log on the relay.
    WorkspaceId,
    16
);
byte_id!(
    /// One case document. Chosen by the device that creates the case.
    DocId,
    16
);
byte_id!(
    /// One uploaded entry, chosen by the uploading device so that a retried
    /// upload is stored once.
    BlobId,
    16
);
byte_id!(
    /// A device: its Ed25519 public key (see `signing::DeviceKey`).
    DeviceId,
    32
);

impl DeviceId {
    /// The first 16 hex digits: how people tell devices apart (the CLI's
    /// device list, the app's settings).
    pub fn short_hex(&self) -> String {
        hex::encode(&self.0[..8])
    }
}

/// Position in a workspace's log. The relay assigns 1, 2, 3, … with no gaps;
/// 0 means "before the first entry".
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Seq(pub u64);

impl Seq {
    pub const ZERO: Seq = Seq(0);

    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let id = DocId([0xab; 16]);
        assert_eq!(id.to_hex(), "ab".repeat(16));
        assert_eq!(id.to_hex().parse::<DocId>(), Ok(id));
    }

    #[test]
    fn wrong_length_is_a_clear_error() {
        let err = "abcd".parse::<BlobId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected 32 hex digits for BlobId, got \"abcd\""
        );
    }
}
