use std::path::PathBuf;

use shared::ids::WorkspaceId;
use shared::invite_link::InviteLinkError;
use shared::wire::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot create the state directory {path}: {source}")]
    StateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the client state database failed: {0} (is the disk full or the state directory read-only?)"
    )]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the state directory was written by a newer homeward (schema {found}, this one knows {supported}); \
         use the newer version"
    )]
    StateTooNew { found: i64, supported: i64 },
    #[error(
        "the client state is damaged ({0}); restore the state directory from a backup or set up a new one"
    )]
    CorruptState(String),
    #[error(
        "this state directory has no workspace yet: run `homeward setup` (first device) or \
         `homeward join LINK` (invited device) first, or pass the right --state"
    )]
    NotSetUp,
    #[error(
        "this state directory already belongs to workspace {0}; use another --state directory \
         for another workspace"
    )]
    AlreadySetUp(WorkspaceId),
    #[error("{0:?} is not a relay address: give http(s)://HOST[:PORT] or ws(s)://HOST[:PORT]")]
    BadRelayUrl(String),
    #[error(transparent)]
    InviteLink(#[from] InviteLinkError),
    #[error("this invite link carries no workspace key; ask your coordinator for a new one")]
    NoKeyInLink,
    #[error(
        "this state directory belongs to workspace {0} but holds no workspace key (it was set \
         up before end-to-end encryption); join again with a new invite link and a new --state \
         directory"
    )]
    NoWorkspaceKey(WorkspaceId),
    #[error("the relay refused this device ({}): {message}", code.as_str())]
    Refused { code: ErrorCode, message: String },
    #[error("the relay answered {}: {message}", code.as_str())]
    Admin { code: ErrorCode, message: String },
    #[error(
        "this device is a viewer in its workspace: it can read but not add or change cases \
         (an admin can invite a documenter device)"
    )]
    ViewerCannotWrite,
    #[error("the relay gave an unexpected answer to {0}")]
    UnexpectedReply(&'static str),
    #[error("{what} did not finish within {secs} s: {state}")]
    Timeout {
        what: &'static str,
        secs: u64,
        state: String,
    },
    #[error("stopped after the configured number of bootstrap pages")]
    Halted,
    #[error("case {index} is not valid: {reason}")]
    InvalidCase { index: usize, reason: String },
    #[error("no document {0} on this device")]
    NoSuchDoc(shared::ids::DocId),
    #[error("the edit could not be applied: {0}")]
    Edit(String),
    #[error("the change bytes for document {doc} are not Automerge changes: {reason}")]
    BadChange {
        doc: shared::ids::DocId,
        reason: String,
    },
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error("the sync loop has stopped (an earlier error, or the client was closed)")]
    Stopped,
}
