//! The device's lock: first-run vault, unlock (counting wrong
//! passphrases, erasing the device after the configured number), lock on
//! demand or when idle, erase on request, and the lock settings.

use leptos::prelude::*;
use shared::ids::Seq;
use shared::signing::DeviceKey;
use shared::vault::{
    DataKey, KdfParams, Kek, LockedVault, Strength, VaultError, VaultSecrets, passphrase_strength,
};

use super::{DeviceLoop, Passphrase, Session, damaged_vault, now_ms};
use crate::app_state::LockState;
use crate::browser::after_paint;
use crate::settings::{self, Settings};
use crate::storage::Storage;

impl DeviceLoop {
    pub(super) async fn create_vault(&mut self, passphrase: Passphrase, confirm: Passphrase) {
        let refuse = |message: &str| self.state.vault_error.set(Some(message.to_owned()));
        if self.vault.is_some() || self.session.is_some() {
            return refuse("This device is already set up: unlock it instead.");
        }
        if passphrase_strength(passphrase.as_str()) == Strength::TooWeak {
            return refuse(
                "This passphrase is too weak: use at least 10 characters, best four or more \
                 random words.",
            );
        }
        if passphrase.as_str() != confirm.as_str() {
            return refuse("The two passphrases are not the same: type it again in both fields.");
        }
        self.state.vault_error.set(None);
        self.state
            .vault_busy
            .set(Some("Securing this device… this takes a few seconds."));
        after_paint().await;
        let secrets = VaultSecrets {
            device_key: DeviceKey::generate(&mut self.rng),
            data_key: DataKey::generate(&mut self.rng),
            // The invite's workspace key, if one is waiting, is added by
            // `open_session` in the same transaction as the join.
            workspaces: Vec::new(),
        };
        let created = LockedVault::create(
            &mut self.rng,
            passphrase.as_str(),
            KdfParams::RECOMMENDED,
            &secrets,
        );
        drop(passphrase);
        self.state.vault_busy.set(None);
        let (vault, kek) = match created {
            Ok(created) => created,
            Err(err) => return self.state.vault_error.set(Some(err.to_string())),
        };
        if let Err(err) = self.storage.save_vault(&vault).await {
            tracing::error!("could not store the vault: {err}");
            return self.state.vault_error.set(Some(err.to_string()));
        }
        self.vault = Some(Ok(vault));
        self.failed_unlocks = 0;
        self.state.wiped_notice.set(None);
        self.open_session(secrets, kek).await;
    }

    pub(super) async fn unlock(&mut self, passphrase: Passphrase) {
        if self.session.is_some() {
            return;
        }
        let vault = match &self.vault {
            Some(Ok(vault)) => vault.clone(),
            Some(Err(err)) => return self.state.unlock_error.set(Some(damaged_vault(err))),
            None => return self.show_lock_screen(),
        };
        // The attempt is counted before the passphrase is tried: closing
        // the tab while Argon2 runs must not give a free guess.
        let attempt = self.failed_unlocks.saturating_add(1);
        if let Err(err) = self.storage.set_failed_unlocks(attempt).await {
            tracing::error!("could not count the unlock attempt: {err}");
            return self.state.unlock_error.set(Some(err.to_string()));
        }
        self.failed_unlocks = attempt;
        self.state.unlock_error.set(None);
        self.state.vault_busy.set(Some("Unlocking…"));
        after_paint().await;
        let opened = vault.unlock(passphrase.as_str());
        drop(passphrase);
        self.state.vault_busy.set(None);
        let max = self.settings.max_failed_unlocks;
        match opened {
            Ok((secrets, kek)) => {
                self.failed_unlocks = 0;
                if let Err(err) = self.storage.set_failed_unlocks(0).await {
                    tracing::warn!("could not reset the failed-unlock counter: {err}");
                }
                self.state.failed_unlocks.set(0);
                self.open_session(secrets, kek).await;
            }
            Err(VaultError::WrongPassphrase) => {
                tracing::info!(attempt, max, "wrong passphrase");
                if attempt >= max {
                    // Straight to the first-run screen: the lock screen never
                    // shows the last count.
                    self.wipe(
                        "Too many wrong passphrases: this device erased its cases and keys. \
                         Set a new passphrase, then open an invite link to sync the cases again.",
                    )
                    .await;
                    return;
                }
                self.state.failed_unlocks.set(attempt);
                let mut message = format!("Wrong passphrase — {attempt} of {max} attempts used.");
                if max - attempt == 1 {
                    message.push_str(" One more wrong passphrase erases this device.");
                }
                self.state.unlock_error.set(Some(message));
            }
            Err(err) => {
                // Not a guess: the vault itself cannot be opened.
                self.failed_unlocks = attempt - 1;
                let _ = self.storage.set_failed_unlocks(attempt - 1).await;
                self.state.unlock_error.set(Some(err.to_string()));
            }
        }
    }

    /// With the vault open: reads what is stored, accepts a waiting invite,
    /// starts the engine and shows the cases.
    pub(super) async fn open_session(&mut self, secrets: VaultSecrets, kek: Kek) {
        let records = self.storage.unlock(secrets.data_key.clone());
        let loaded = match records.load().await {
            Ok(loaded) => loaded,
            Err(err) => {
                tracing::error!("cannot read local storage: {err}");
                self.state.unlock_error.set(Some(err.to_string()));
                return self.show_lock_screen();
            }
        };
        self.activity.set(now_ms());
        self.state.summaries.set(loaded.summaries);
        self.state.role.set(loaded.role);
        self.state.quarantined.set(loaded.quarantined);
        self.state.unlock_error.set(None);
        // A join under way before a reload or a lock: show its progress.
        self.state
            .joining
            .set(loaded.redeem.is_some() || loaded.bootstrap.is_some());
        self.session = Some(Session {
            records,
            secrets,
            kek,
            workspace: loaded.workspace,
            engine: None,
            outbox: loaded.outbox,
        });
        let mut redeem = loaded.redeem;
        let (mut cursor, mut bootstrap) = (loaded.cursor, loaded.bootstrap);
        if let Some(invite) = self.pending_invite.take() {
            self.state.invite_waiting.set(false);
            if let Some(r) = self.accept_invite(invite).await {
                if loaded.workspace.is_none() {
                    // `Records::join` cleared any older sync position.
                    (cursor, bootstrap) = (Seq::ZERO, None);
                }
                redeem = Some(r);
            }
        }
        if let Some(workspace) = self.session.as_ref().and_then(|s| s.workspace) {
            self.start_engine(workspace, cursor, bootstrap, redeem);
        }
        self.state
            .workspace
            .set(self.session.as_ref().and_then(|s| s.workspace));
        self.state.lock.set(LockState::Unlocked);
        self.publish();
        self.state.ready.set(true);
        self.start_syncing().await;
    }

    pub(super) fn lock(&mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        self.drop_socket();
        drop(session);
        self.state.clear_unlocked(self.network_up);
        tracing::info!("locked");
        self.show_lock_screen();
    }

    pub(super) fn idle_check(&mut self) {
        if self.session.is_none() {
            return;
        }
        let idle_ms = now_ms() - self.activity.get();
        if idle_ms >= i64::from(self.settings.idle_lock_minutes) * 60_000 {
            self.lock();
        }
    }

    /// Erases the database and the app's localStorage keys, then starts
    /// over at the first-run screen.
    pub(super) async fn wipe(&mut self, notice: &str) {
        self.session = None;
        self.drop_socket();
        self.pending_invite = None;
        self.state.clear_unlocked(self.network_up);
        self.state.invite_waiting.set(false);
        self.state.unlock_error.set(None);
        self.state.join_problem.set(None);
        if let Err(err) = self.storage.wipe().await {
            tracing::error!("erasing the device failed: {err}");
            self.state.fatal.set(Some(err.to_string()));
            return;
        }
        settings::clear_local();
        self.vault = None;
        self.failed_unlocks = 0;
        self.settings = Settings::effective(None, settings::read_presets());
        self.state.settings.set(self.settings);
        match Storage::open().await {
            Ok(storage) => self.storage = storage,
            Err(err) => {
                tracing::error!("cannot reopen local storage after erasing: {err}");
                self.state.fatal.set(Some(err.to_string()));
                return;
            }
        }
        tracing::info!("device erased");
        self.state.wiped_notice.set(Some(notice.to_owned()));
        self.show_lock_screen();
    }

    pub(super) async fn save_settings(
        &mut self,
        idle_lock_minutes: &str,
        max_failed_unlocks: &str,
    ) {
        if self.session.is_none() {
            // Only the documenter may change how the lock behaves.
            return;
        }
        let settings = match Settings::parse(idle_lock_minutes, max_failed_unlocks) {
            Ok(settings) => settings,
            Err(message) => return self.state.settings_message.set(Some(Err(message))),
        };
        if let Err(err) = self.storage.save_settings(settings).await {
            return self.state.settings_message.set(Some(Err(err.to_string())));
        }
        settings::write_presets(settings);
        self.settings = settings;
        self.state.settings.set(settings);
        self.state
            .settings_message
            .set(Some(Ok("Settings saved.".to_owned())));
    }
}
