//! The open connections of each (workspace, device), so that revoking a
//! device cuts it off at once instead of at its next message.
//!
//! One `watch` channel per pair that has a connection open; revoking sets
//! it, and every connection of that device in that workspace wakes up.
//! Connections register *before* they read their membership from the store
//! and revoking sets the flag *after* the store committed, so a connection
//! either reads "revoked" or is registered in time to hear it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use shared::ids::{DeviceId, WorkspaceId};
use tokio::sync::watch;

type Key = (WorkspaceId, DeviceId);

#[derive(Debug, Default)]
pub struct Revocations {
    live: Mutex<HashMap<Key, watch::Sender<bool>>>,
}

impl Revocations {
    fn live(&self) -> MutexGuard<'_, HashMap<Key, watch::Sender<bool>>> {
        // Every update under the lock is a single insert, remove or send.
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers one connection of `device` in `workspace`.
    pub fn watch(self: &Arc<Self>, workspace: WorkspaceId, device: DeviceId) -> RevocationWatch {
        let key = (workspace, device);
        let rx = self
            .live()
            .entry(key)
            .or_insert_with(|| watch::channel(false).0)
            .subscribe();
        RevocationWatch {
            registry: Arc::clone(self),
            key,
            rx: Some(rx),
        }
    }

    /// Tells every open connection of `device` in `workspace` that it was
    /// revoked; returns how many there were.
    pub fn cut(&self, workspace: WorkspaceId, device: DeviceId) -> usize {
        match self.live().get(&(workspace, device)) {
            Some(tx) => {
                tx.send_replace(true);
                tx.receiver_count()
            }
            None => 0,
        }
    }

    #[cfg(test)]
    fn pairs(&self) -> usize {
        self.live().len()
    }
}

/// One connection's registration. Dropping the last one of a pair frees its
/// channel.
#[derive(Debug)]
pub struct RevocationWatch {
    registry: Arc<Revocations>,
    key: Key,
    rx: Option<watch::Receiver<bool>>,
}

impl RevocationWatch {
    /// Completes once the device is revoked (at once if it already was).
    /// Cancel-safe.
    pub async fn revoked(&mut self) {
        let Some(rx) = self.rx.as_mut() else {
            return std::future::pending().await;
        };
        if rx.wait_for(|revoked| *revoked).await.is_err() {
            // The sender lives while any receiver does; unreachable, and
            // "never revoked" is the right reading of it.
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for RevocationWatch {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut live = self.registry.live();
        // Registering also happens under this lock, so no one can join
        // between the count and the removal.
        if live
            .get(&self.key)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            live.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_cut_reaches_every_connection_of_the_device_and_only_them() {
        let registry = Arc::new(Revocations::default());
        let (ws, other_ws) = (WorkspaceId([1; 16]), WorkspaceId([2; 16]));
        let (dev, other_dev) = (DeviceId([1; 32]), DeviceId([2; 32]));
        let mut first = registry.watch(ws, dev);
        let mut second = registry.watch(ws, dev);
        let mut elsewhere = registry.watch(other_ws, dev);
        let mut neighbour = registry.watch(ws, other_dev);
        assert_eq!(registry.cut(ws, DeviceId([9; 32])), 0);

        assert_eq!(registry.cut(ws, dev), 2);
        first.revoked().await;
        second.revoked().await;
        for untouched in [&mut elsewhere, &mut neighbour] {
            let waited = tokio::time::timeout(Duration::from_millis(20), untouched.revoked());
            assert!(waited.await.is_err());
        }
        // A connection registering while the others are still open hears it
        // at once.
        registry.watch(ws, dev).revoked().await;

        drop((first, second));
        assert_eq!(registry.pairs(), 2);
        drop((elsewhere, neighbour));
        assert_eq!(registry.pairs(), 0);
    }
}
