//! Joining a workspace from an invite link: the token is parsed as soon
//! as it leaves the address bar, kept in memory until the device is
//! unlocked, then the workspace key goes into the vault and the ticket
//! into (sealed) storage together.

use leptos::prelude::*;
use shared::ids::{Seq, WorkspaceId};
use shared::invite_link::{InviteLinkError, parse_token};
use shared::sealing::{EntrySealer, WorkspaceKey};
use shared::sync_engine::{SyncConfig, SyncEngine, SyncEvent, SyncSetup};
use shared::wire::{BootstrapResume, Redeem};
use zeroize::Zeroizing;

use super::lock::{storage_error_text, vault_error_text};
use super::{DeviceLoop, Invite, InviteToken, page_origin};
use crate::i18n::t;
use crate::storage::StorageError;
use crate::tr;

impl DeviceLoop {
    pub(super) async fn invite_opened(&mut self, token: InviteToken) {
        let invite = match parse_token(&token.0) {
            Ok((workspace, ticket, Some(key))) => Invite {
                workspace,
                ticket: Zeroizing::new(ticket),
                key: WorkspaceKey::from_bytes(0, key),
            },
            Ok((_, _, None)) => {
                tracing::warn!("invite link without a workspace key");
                return self
                    .state
                    .join_problem
                    .set(Some(t("lock-join-no-key-in-link")));
            }
            Err(err) => {
                // The error names what is wrong, never the token.
                tracing::warn!("invite link unusable: {err}");
                return self.state.join_problem.set(Some(invite_error_text(&err)));
            }
        };
        drop(token);
        self.state.join_problem.set(None);
        if self.session.is_none() {
            // Joined once the passphrase is set or entered.
            self.pending_invite = Some(invite);
            self.state.invite_waiting.set(true);
            return;
        }
        let had_engine = self.session.as_ref().is_some_and(|s| s.engine.is_some());
        let Some(redeem) = self.accept_invite(invite).await else {
            return;
        };
        let workspace = self.session.as_ref().and_then(|s| s.workspace);
        self.state.workspace.set(workspace);
        match (had_engine, workspace) {
            (true, _) => self.engine_event(SyncEvent::Redeem(redeem)).await,
            (false, Some(workspace)) => {
                self.start_engine(workspace, Seq::ZERO, None, Some(redeem));
                self.start_syncing().await;
            }
            (false, None) => {}
        }
    }

    /// Adds the invite's workspace key to the vault (when new) and records
    /// workspace and ticket, in one transaction. Returns the ticket to
    /// present, or `None` (with the reason shown) when the invite cannot be
    /// used.
    pub(super) async fn accept_invite(&mut self, invite: Invite) -> Option<Redeem> {
        let session = self.session.as_mut()?;
        let Some(Ok(vault)) = &self.vault else {
            return None;
        };
        let problem = |message: String| {
            self.state.join_problem.set(Some(message));
            None
        };
        if let Some(current) = session.workspace.filter(|c| *c != invite.workspace) {
            tracing::warn!("invite to another workspace ignored");
            return problem(storage_error_text(&StorageError::OtherWorkspace {
                current,
            }));
        }
        let held = session
            .secrets
            .workspaces
            .iter()
            .find(|(id, _)| *id == invite.workspace);
        let rewrapped = match held {
            Some((_, key)) if *key == invite.key => None,
            Some(_) => {
                tracing::warn!("invite with a different key for this device's workspace ignored");
                return problem(t("lock-join-different-key"));
            }
            None => {
                let mut secrets = session.secrets.clone();
                secrets
                    .workspaces
                    .push((invite.workspace, invite.key.clone()));
                match vault.rewrap(&mut self.rng, &session.kek, &secrets) {
                    Ok(vault) => Some((vault, secrets)),
                    Err(err) => return problem(vault_error_text(&err)),
                }
            }
        };
        let redeem = Redeem::Ticket(*invite.ticket);
        let stored = session
            .records
            .join(
                invite.workspace,
                &redeem,
                rewrapped.as_ref().map(|(v, _)| v),
            )
            .await;
        match stored {
            Ok(()) => {
                if let Some((vault, secrets)) = rewrapped {
                    self.vault = Some(Ok(vault));
                    session.secrets = secrets;
                }
                session.workspace = Some(invite.workspace);
                self.state.join_problem.set(None);
                self.state.joining.set(true);
                Some(redeem)
            }
            Err(err @ StorageError::OtherWorkspace { .. }) => {
                tracing::warn!("invite to another workspace ignored");
                problem(storage_error_text(&err))
            }
            Err(err) => {
                tracing::error!("could not store the invite: {err}");
                let reason = storage_error_text(&err);
                problem(tr!("lock-join-store-failed", reason = reason))
            }
        }
    }

    pub(super) fn start_engine(
        &mut self,
        workspace: WorkspaceId,
        cursor: Seq,
        bootstrap: Option<BootstrapResume>,
        redeem: Option<Redeem>,
    ) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let Some((_, key)) = session
            .secrets
            .workspaces
            .iter()
            .find(|(id, _)| *id == workspace)
        else {
            tracing::error!("no key for this device's workspace");
            self.state
                .join_problem
                .set(Some(t("lock-join-no-workspace-key")));
            return;
        };
        session.engine = Some(SyncEngine::new(
            SyncConfig::default(),
            SyncSetup {
                sealer: EntrySealer {
                    workspace,
                    device: session.secrets.device_key.clone(),
                    key: key.clone(),
                },
                origin: page_origin(),
                cursor,
                outbox: session.outbox.iter().map(|r| r.entry.clone()).collect(),
                bootstrap,
                redeem,
            },
        ));
    }
}

/// Why an invite link cannot be used, in the current language (`shared`
/// words it in English for logs and the command line).
fn invite_error_text(err: &InviteLinkError) -> String {
    match err {
        InviteLinkError::NoJoin => t("lock-invite-no-join"),
        InviteLinkError::BadOrigin(_) => t("lock-invite-bad-origin"),
        InviteLinkError::Damaged(_) => t("lock-invite-damaged"),
        InviteLinkError::NewerFormat(_) => t("lock-invite-newer"),
    }
}
