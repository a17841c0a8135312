//! What a client did on the wire and to its documents, for benchmarks and
//! tests. Counted from the moment the client was opened.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counters {
    /// WebSocket binary payload bytes (the whole protocol frame).
    pub bytes_sent: AtomicU64,
    pub bytes_received: AtomicU64,
    pub frames_sent: AtomicU64,
    pub frames_received: AtomicU64,
    /// Entries merged from pull batches.
    pub entries_applied: AtomicU64,
    pub bootstrap_pages: AtomicU64,
    /// Documents received in bootstrap pages (a document is never split
    /// across pages, so this counts each once per bootstrap).
    pub bootstrap_docs: AtomicU64,
    pub bootstrap_entries: AtomicU64,
    pub snapshots_written: AtomicU64,
    /// Entries whose merge failed (a faulty peer, or a case from a newer
    /// schema); they are skipped so that one bad entry cannot stall the
    /// device. Bytes Automerge cannot parse at all add no change and are
    /// not counted here.
    pub bad_bodies: AtomicU64,
}

/// A copy of [`Counters`] at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CounterValues {
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub frames_sent: u64,
    pub frames_received: u64,
    pub entries_applied: u64,
    pub bootstrap_pages: u64,
    pub bootstrap_docs: u64,
    pub bootstrap_entries: u64,
    pub snapshots_written: u64,
    pub bad_bodies: u64,
}

impl Counters {
    pub fn snapshot(&self) -> CounterValues {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterValues {
            bytes_sent: get(&self.bytes_sent),
            bytes_received: get(&self.bytes_received),
            frames_sent: get(&self.frames_sent),
            frames_received: get(&self.frames_received),
            entries_applied: get(&self.entries_applied),
            bootstrap_pages: get(&self.bootstrap_pages),
            bootstrap_docs: get(&self.bootstrap_docs),
            bootstrap_entries: get(&self.bootstrap_entries),
            snapshots_written: get(&self.snapshots_written),
            bad_bodies: get(&self.bad_bodies),
        }
    }
}

impl CounterValues {
    /// Both directions.
    pub fn wire_bytes(&self) -> u64 {
        self.bytes_sent + self.bytes_received
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &CounterValues) -> CounterValues {
        CounterValues {
            bytes_sent: self.bytes_sent - earlier.bytes_sent,
            bytes_received: self.bytes_received - earlier.bytes_received,
            frames_sent: self.frames_sent - earlier.frames_sent,
            frames_received: self.frames_received - earlier.frames_received,
            entries_applied: self.entries_applied - earlier.entries_applied,
            bootstrap_pages: self.bootstrap_pages - earlier.bootstrap_pages,
            bootstrap_docs: self.bootstrap_docs - earlier.bootstrap_docs,
            bootstrap_entries: self.bootstrap_entries - earlier.bootstrap_entries,
            snapshots_written: self.snapshots_written - earlier.snapshots_written,
            bad_bodies: self.bad_bodies - earlier.bad_bodies,
        }
    }
}
