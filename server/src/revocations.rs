//! The open connections of each (workspace, device), so that revoking a
//! device cuts it off at once instead of at its next message.
//!
//! One `watch` channel per pair that has a connection open; revoking sets
//! it, and every connection of that device in that workspace wakes up.
//! Connections register *before* they read their membership from the store
//! and revoking sets the flag *after* the store committed, so a connection
//! either reads "revoked" or is registered in time to hear it.

use std::sync::Arc;

use shared::ids::{DeviceId, WorkspaceId};

use crate::watch_registry::{Listener, WatchRegistry};

type Key = (WorkspaceId, DeviceId);

#[derive(Debug, Default)]
pub struct Revocations {
    live: Arc<WatchRegistry<Key, bool>>,
}

impl Revocations {
    /// Registers one connection of `device` in `workspace`.
    pub fn watch(&self, workspace: WorkspaceId, device: DeviceId) -> RevocationWatch {
        RevocationWatch(self.live.listen((workspace, device), || false))
    }

    /// Tells every open connection of `device` in `workspace` that it was
    /// revoked; returns how many there were.
    pub fn cut(&self, workspace: WorkspaceId, device: DeviceId) -> usize {
        self.live
            .with_sender(&(workspace, device), |tx| {
                tx.send_replace(true);
                tx.receiver_count()
            })
            .unwrap_or(0)
    }

    #[cfg(test)]
    fn pairs(&self) -> usize {
        self.live.keys()
    }
}

/// One connection's registration. Dropping the last one of a pair frees its
/// channel.
#[derive(Debug)]
pub struct RevocationWatch(Listener<Key, bool>);

impl RevocationWatch {
    /// Completes once the device is revoked (at once if it already was).
    /// Cancel-safe.
    pub async fn revoked(&mut self) {
        if self
            .0
            .receiver()
            .wait_for(|revoked| *revoked)
            .await
            .is_err()
        {
            // The sender lives while any receiver does; unreachable, and
            // "never revoked" is the right reading of it.
            std::future::pending::<()>().await;
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
