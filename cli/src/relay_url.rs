//! The two forms of a relay's address: the origin the device signs in its
//! handshake (`https://relay.example`) and the socket it dials
//! (`wss://relay.example/v1/sync`).

use shared::invite_link::origin_of;

use crate::error::ClientError;

/// The relay's WebSocket path.
pub const SYNC_PATH: &str = "/v1/sync";

/// The normalised origin of `url`, which may be given as `http(s)://` (as
/// operators and invite links write it) or `ws(s)://` (as sockets are
/// dialled); any path is ignored.
pub fn origin_from_url(url: &str) -> Result<String, ClientError> {
    let url = url.trim();
    let bad = || ClientError::BadRelayUrl(url.chars().take(80).collect());
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let http_scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" | "ws" => "http",
        "https" | "wss" => "https",
        _ => return Err(bad()),
    };
    let origin = origin_of(&format!("{http_scheme}://{rest}")).map_err(|_| bad())?;
    // Browsers drop a scheme's default port from an origin, and so does the
    // relay when it names itself: an explicit one would never match.
    let default_port = if http_scheme == "https" {
        ":443"
    } else {
        ":80"
    };
    Ok(origin
        .strip_suffix(default_port)
        .map(str::to_owned)
        .unwrap_or(origin))
}

/// `ws(s)://HOST[:PORT]/v1/sync` for a normalised origin.
pub fn sync_url(origin: &str) -> String {
    let socket = if let Some(rest) = origin.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = origin.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        origin.to_owned()
    };
    format!("{socket}{SYNC_PATH}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_gives_one_origin_and_socket() {
        for (given, origin, socket) in [
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080",
                "ws://127.0.0.1:8080/v1/sync",
            ),
            (
                "ws://127.0.0.1:8080/v1/sync",
                "http://127.0.0.1:8080",
                "ws://127.0.0.1:8080/v1/sync",
            ),
            (
                " HTTPS://Relay.Example/ ",
                "https://relay.example",
                "wss://relay.example/v1/sync",
            ),
            (
                "https://relay.example:443",
                "https://relay.example",
                "wss://relay.example/v1/sync",
            ),
            (
                "http://relay.example:80/",
                "http://relay.example",
                "ws://relay.example/v1/sync",
            ),
            (
                "wss://relay.example:8443/x",
                "https://relay.example:8443",
                "wss://relay.example:8443/v1/sync",
            ),
        ] {
            let got = origin_from_url(given).unwrap();
            assert_eq!(got, origin, "{given}");
            assert_eq!(sync_url(&got), socket, "{given}");
        }
    }

    #[test]
    fn other_schemes_are_refused_with_the_address() {
        for bad in [
            "ftp://relay",
            "relay.example",
            "http://user@evil/",
            "http://",
        ] {
            let err = origin_from_url(bad).unwrap_err();
            assert!(matches!(err, ClientError::BadRelayUrl(_)), "{bad}: {err}");
        }
    }
}
