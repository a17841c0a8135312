//! Invite links: `https://relay.example/#join=<token>`.
//!
//! Everything secret sits in the URL fragment, which browsers never send to
//! a server, so neither the relay's access log nor a proxy sees it. The
//! token is base64url (no padding) of: a format byte (1), the workspace id,
//! the one-time ticket, and — once end-to-end encryption lands — the 32-byte
//! workspace key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::ids::WorkspaceId;

const FORMAT: u8 = 1;
const FRAGMENT_KEY: &str = "join=";

#[derive(Clone, PartialEq, Eq)]
pub struct InviteLink {
    /// The relay's origin, e.g. `https://relay.example` (no trailing slash).
    pub origin: String,
    pub workspace: WorkspaceId,
    pub ticket: [u8; 32],
    pub workspace_key: Option<[u8; 32]>,
}

impl std::fmt::Debug for InviteLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InviteLink")
            .field("origin", &self.origin)
            .field("workspace", &self.workspace)
            .field("ticket", &"redacted")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteLinkError {
    #[error("this is not an invite link: it has no \"#join=\" part")]
    NoJoin,
    #[error("the invite link's origin {0:?} is not an http(s) address")]
    BadOrigin(String),
    #[error("the invite link is damaged (copy it again in full): {0}")]
    Damaged(&'static str),
    #[error("the invite link was made by a newer Homeward (format {0}); update this app")]
    NewerFormat(u8),
}

impl InviteLink {
    pub fn to_url(&self) -> String {
        format!("{}/#{FRAGMENT_KEY}{}", self.origin, self.token())
    }

    /// The part after `#join=`.
    pub fn token(&self) -> String {
        let mut raw = Vec::with_capacity(1 + 16 + 32 + 32);
        raw.push(FORMAT);
        raw.extend_from_slice(&self.workspace.0);
        raw.extend_from_slice(&self.ticket);
        if let Some(key) = &self.workspace_key {
            raw.extend_from_slice(key);
        }
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn parse(url: &str) -> Result<InviteLink, InviteLinkError> {
        let url = url.trim();
        let (before, fragment) = url.split_once('#').ok_or(InviteLinkError::NoJoin)?;
        let token = fragment
            .split('&')
            .find_map(|part| part.strip_prefix(FRAGMENT_KEY))
            .ok_or(InviteLinkError::NoJoin)?;
        let origin = origin_of(before)?;
        let (workspace, ticket, workspace_key) = parse_token(token)?;
        Ok(InviteLink {
            origin,
            workspace,
            ticket,
            workspace_key,
        })
    }
}

/// Parses the token of a `#join=` fragment (for a page that already knows
/// its own origin).
#[allow(clippy::type_complexity)]
pub fn parse_token(
    token: &str,
) -> Result<(WorkspaceId, [u8; 32], Option<[u8; 32]>), InviteLinkError> {
    let raw = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| InviteLinkError::Damaged("not base64url"))?;
    let (&format, rest) = raw.split_first().ok_or(InviteLinkError::Damaged("empty"))?;
    if format > FORMAT {
        return Err(InviteLinkError::NewerFormat(format));
    }
    if format != FORMAT {
        return Err(InviteLinkError::Damaged("unknown format"));
    }
    let key = match rest.len() {
        48 => None,
        80 => Some(rest[48..].try_into().expect("32 bytes")),
        _ => return Err(InviteLinkError::Damaged("wrong length")),
    };
    let workspace = WorkspaceId(rest[..16].try_into().expect("16 bytes"));
    let ticket = rest[16..48].try_into().expect("32 bytes");
    Ok((workspace, ticket, key))
}

/// `scheme://host[:port]` of an http(s) URL, lower-cased, no trailing slash.
pub fn origin_of(url: &str) -> Result<String, InviteLinkError> {
    let bad = || InviteLinkError::BadOrigin(url.chars().take(80).collect());
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        return Err(bad());
    }
    Ok(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(key: Option<[u8; 32]>) -> InviteLink {
        InviteLink {
            origin: "https://relay.example:8443".into(),
            workspace: WorkspaceId([0xaa; 16]),
            ticket: [0x55; 32],
            workspace_key: key,
        }
    }

    #[test]
    fn round_trips_with_and_without_a_key() {
        for l in [link(None), link(Some([9; 32]))] {
            let url = l.to_url();
            assert!(url.starts_with("https://relay.example:8443/#join="));
            assert_eq!(InviteLink::parse(&url).unwrap(), l);
        }
    }

    #[test]
    fn golden_token() {
        assert_eq!(
            link(None).token(),
            "AaqqqqqqqqqqqqqqqqqqqqpVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVQ"
        );
    }

    #[test]
    fn damage_gets_a_clear_error() {
        let url = link(None).to_url();
        assert_eq!(
            InviteLink::parse("https://relay.example/"),
            Err(InviteLinkError::NoJoin)
        );
        assert!(matches!(
            InviteLink::parse(&url[..url.len() - 3]),
            Err(InviteLinkError::Damaged(_))
        ));
        assert!(matches!(
            InviteLink::parse(&url.replace("https", "ftp")),
            Err(InviteLinkError::BadOrigin(_))
        ));
        let newer = format!(
            "https://r.example/#join={}",
            URL_SAFE_NO_PAD.encode([2u8; 49])
        );
        assert_eq!(
            InviteLink::parse(&newer),
            Err(InviteLinkError::NewerFormat(2))
        );
    }

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            origin_of("HTTP://LocalHost:8080/x?y").unwrap(),
            "http://localhost:8080"
        );
        assert!(origin_of("http://user@evil/").is_err());
    }

    #[test]
    fn debug_hides_the_ticket() {
        assert!(!format!("{:?}", link(None)).contains("55"));
    }
}
