//! Keyed `watch` channels that live only while someone listens: one channel
//! per key with a listener open, freed when its last listener drops. Head
//! pokes key it by workspace, revocations by (workspace, device).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;

#[derive(Debug)]
pub struct WatchRegistry<K, V> {
    live: Mutex<HashMap<K, watch::Sender<V>>>,
}

impl<K, V> Default for WatchRegistry<K, V> {
    fn default() -> Self {
        Self {
            live: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Copy + Eq + Hash, V> WatchRegistry<K, V> {
    fn live(&self) -> MutexGuard<'_, HashMap<K, watch::Sender<V>>> {
        // The map stays consistent whatever panicked while holding the lock:
        // every update under it is a single insert, remove or send.
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Listens on `key`'s channel, opening it at `initial` if no one was
    /// listening yet.
    pub fn listen(self: &Arc<Self>, key: K, initial: impl FnOnce() -> V) -> Listener<K, V> {
        let rx = self
            .live()
            .entry(key)
            .or_insert_with(|| watch::channel(initial()).0)
            .subscribe();
        Listener {
            registry: Arc::clone(self),
            key,
            rx: Some(rx),
        }
    }

    /// Runs `send` on `key`'s channel if anyone listens on it; with no
    /// listener nothing is kept.
    pub fn with_sender<R>(&self, key: &K, send: impl FnOnce(&watch::Sender<V>) -> R) -> Option<R> {
        self.live().get(key).map(send)
    }

    /// How many keys have a channel open.
    #[cfg(test)]
    pub fn keys(&self) -> usize {
        self.live().len()
    }
}

/// One listener's registration. Dropping the last one of a key frees its
/// channel.
#[derive(Debug)]
pub struct Listener<K: Copy + Eq + Hash, V> {
    registry: Arc<WatchRegistry<K, V>>,
    key: K,
    /// `None` only while dropping.
    rx: Option<watch::Receiver<V>>,
}

impl<K: Copy + Eq + Hash, V> Listener<K, V> {
    pub fn receiver(&mut self) -> &mut watch::Receiver<V> {
        self.rx.as_mut().expect("taken only on drop")
    }
}

impl<K: Copy + Eq + Hash, V> Drop for Listener<K, V> {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut live = self.registry.live();
        // Listening also happens under this lock, so no one can join between
        // the count and the removal.
        if live
            .get(&self.key)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            live.remove(&self.key);
        }
    }
}
