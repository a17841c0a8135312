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
use crate::i18n::t;
use crate::settings::{self, Settings};
use crate::storage::{Storage, StorageError};
use crate::tr;
use crate::vault_screens::{BUSY_SECURING, BUSY_UNLOCKING};

impl DeviceLoop {
    pub(super) async fn create_vault(&mut self, passphrase: Passphrase, confirm: Passphrase) {
        let refuse = |message: String| self.state.vault_error.set(Some(message));
        if self.vault.is_some() || self.session.is_some() {
            return refuse(t("lock-error-already-set-up"));
        }
        if passphrase_strength(passphrase.as_str()) == Strength::TooWeak {
            return refuse(t("lock-error-too-weak"));
        }
        if passphrase.as_str() != confirm.as_str() {
            return refuse(t("lock-error-mismatch"));
        }
        self.state.vault_error.set(None);
        self.state.vault_busy.set(Some(BUSY_SECURING));
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
            Err(err) => return self.state.vault_error.set(Some(vault_error_text(&err))),
        };
        if let Err(err) = self.storage.save_vault(&vault).await {
            tracing::error!("could not store the vault: {err}");
            return self.state.vault_error.set(Some(storage_error_text(&err)));
        }
        self.vault = Some(Ok(vault));
        crate::storage_health::note_vault_present();
        self.failed_unlocks = 0;
        self.state.wiped_notice.set(None);
        self.open_session(secrets, kek, false).await;
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
            return self.state.unlock_error.set(Some(storage_error_text(&err)));
        }
        self.failed_unlocks = attempt;
        self.state.unlock_error.set(None);
        self.state.vault_busy.set(Some(BUSY_UNLOCKING));
        after_paint().await;
        crate::browser::mark("homeward-unlock-kdf");
        let opened = vault.unlock(passphrase.as_str());
        crate::browser::mark("homeward-vault-opened");
        drop(passphrase);
        self.state.vault_busy.set(None);
        let max = self.settings.max_failed_unlocks;
        match opened {
            Ok((secrets, kek)) => {
                self.failed_unlocks = 0;
                self.state.failed_unlocks.set(0);
                self.open_session(secrets, kek, true).await;
            }
            Err(VaultError::WrongPassphrase) => {
                tracing::info!(attempt, max, "wrong passphrase");
                if attempt >= max {
                    // Straight to the first-run screen: the lock screen never
                    // shows the last count.
                    self.wipe(&t("lock-wiped-too-many")).await;
                    return;
                }
                self.state.failed_unlocks.set(attempt);
                let mut message = tr!("lock-unlock-wrong", attempt = attempt, max = max);
                if max - attempt == 1 {
                    message.push(' ');
                    message.push_str(&t("lock-unlock-last-chance"));
                }
                self.state.unlock_error.set(Some(message));
            }
            Err(err) => {
                // Not a guess: the vault itself cannot be opened.
                self.failed_unlocks = attempt - 1;
                let _ = self.storage.set_failed_unlocks(attempt - 1).await;
                self.state.unlock_error.set(Some(vault_error_text(&err)));
            }
        }
    }

    /// With the vault open: reads what is stored, accepts a waiting invite,
    /// starts the engine and shows the cases. `reset_failures`: the stored
    /// failed-unlock counter goes back to 0, written while the cases are
    /// read (its own transaction on its own store: neither waits for the
    /// other).
    pub(super) async fn open_session(
        &mut self,
        secrets: VaultSecrets,
        kek: Kek,
        reset_failures: bool,
    ) {
        let records = self.storage.unlock(secrets.data_key.clone());
        let reset = async {
            if reset_failures && let Err(err) = self.storage.set_failed_unlocks(0).await {
                tracing::warn!("could not reset the failed-unlock counter: {err}");
            }
        };
        let (loaded, ()) = futures::join!(records.load(), reset);
        crate::browser::mark("homeward-summaries-read");
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(err) => {
                tracing::error!("cannot read local storage: {err}");
                self.state.unlock_error.set(Some(storage_error_text(&err)));
                return self.show_lock_screen();
            }
        };
        self.activity.set(now_ms());
        self.state.device.set(Some(secrets.device_key.device_id()));
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
            self.state.fatal.set(Some(storage_error_text(&err)));
            return;
        }
        settings::clear_local();
        crate::storage_health::forget();
        self.vault = None;
        self.failed_unlocks = 0;
        self.settings = Settings::effective(None, settings::read_presets());
        self.state.settings.set(self.settings);
        match Storage::open().await {
            Ok(storage) => self.storage = storage,
            Err(err) => {
                tracing::error!("cannot reopen local storage after erasing: {err}");
                self.state.fatal.set(Some(storage_error_text(&err)));
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
            return self
                .state
                .settings_message
                .set(Some(Err(storage_error_text(&err))));
        }
        settings::write_presets(settings);
        self.settings = settings;
        self.state.settings.set(settings);
        self.state
            .settings_message
            .set(Some(Ok(t("lock-settings-saved"))));
    }
}

/// A vault problem as the lock screens say it. `shared` words its errors
/// in English for logs and the command line; the detail they carry (which
/// check failed) is for the log, not for the documenter.
pub(super) fn vault_error_text(err: &VaultError) -> String {
    match err {
        VaultError::WrongPassphrase => t("lock-vault-wrong-passphrase"),
        VaultError::Damaged(_) => t("lock-vault-damaged"),
        VaultError::NewerFormat(_) => t("lock-vault-newer"),
        VaultError::Kdf(_) => t("lock-vault-kdf"),
        VaultError::RecordDamaged => t("lock-vault-record-damaged"),
    }
}

/// A storage problem in the current language. The browser's own detail
/// (a DOMException's message) is kept: it is what a helper needs to know
/// why storage failed, and the browser words it in its own language.
pub(super) fn storage_error_text(err: &StorageError) -> String {
    match err {
        StorageError::Unavailable(detail) => {
            tr!("lock-storage-unavailable", detail = detail.as_str())
        }
        StorageError::WriteFailed(detail) => {
            tr!("lock-storage-write-failed", detail = detail.as_str())
        }
        StorageError::ReadFailed(detail) => {
            tr!("lock-storage-read-failed", detail = detail.as_str())
        }
        StorageError::Corrupt { .. } => t("lock-storage-corrupt"),
        StorageError::OtherWorkspace { current } => {
            tr!("lock-other-workspace", workspace = current.to_hex())
        }
        StorageError::WipeFailed(detail) => {
            tr!("lock-storage-wipe-failed", detail = detail.as_str())
        }
    }
}
