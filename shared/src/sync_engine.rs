//! The sans-IO sync engine: one per device and workspace.
//!
//! The driver (the browser's sync service, or the native client) feeds it
//! [`SyncEvent`]s with the current time and a random source, and carries out
//! the [`SyncEffect`]s it returns: open or close the socket, send a frame,
//! start a timer, merge and persist a batch, drop acknowledged outbox rows.
//!
//! Invariants the engine keeps:
//! - the cursor moves only on [`SyncEvent::Applied`], which the driver sends
//!   after the batch's documents *and* the new cursor are durable locally;
//! - an outbox entry leaves the outbox only when the relay acknowledged it;
//!   until then every (re)connection pushes it again, and the relay's
//!   idempotency by `blob_id` makes that safe;
//! - pushes go out in outbox order, one push in flight at a time, so the
//!   relay's log order respects each device's causal order;
//! - at most one pull is outstanding or being applied at any time.

use rand_core::RngCore;

use crate::ids::{BlobId, DeviceId, Seq, WorkspaceId};
use crate::wire::{
    Acked, ClientMsg, DEFAULT_PULL_BYTES, Entry, MAX_PUSH_BODY_BYTES, NewEntry, ServerMsg,
};

#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub pull_bytes: u32,
    pub push_body_bytes: usize,
    /// First reconnect delay; doubles on each failure up to `backoff_max_ms`.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            pull_bytes: DEFAULT_PULL_BYTES,
            push_body_bytes: MAX_PUSH_BODY_BYTES,
            backoff_base_ms: 500,
            // Short enough that a documenter who walks back into coverage
            // syncs within seconds; long enough not to hammer a down relay.
            backoff_max_ms: 15_000,
        }
    }
}

#[derive(Debug)]
pub enum SyncEvent {
    /// The platform reports network connectivity (also sent once at start).
    NetworkUp,
    /// The platform reports no connectivity: stop trying until it returns.
    NetworkDown,
    /// A reconnect timer asked for by [`SyncEffect::ScheduleReconnect`] fired.
    ReconnectDue,
    /// The socket asked for by [`SyncEffect::Connect`] is open.
    Opened,
    /// The socket closed or failed to open.
    Closed { reason: String },
    /// A binary frame arrived from the relay.
    Frame(Vec<u8>),
    /// A local change is durable in the outbox.
    Enqueued(NewEntry),
    /// The entries of an [`SyncEffect::Apply`] are merged and durable, and the
    /// cursor `through` is stored with them.
    Applied { through: Seq },
    /// The entries of an [`SyncEffect::Apply`] could not be made durable
    /// (storage full, say). Nothing moved; the connection is dropped and the
    /// pull retried after a back-off.
    ApplyFailed { reason: String },
}

#[derive(Debug, PartialEq)]
pub enum SyncEffect {
    Connect,
    Disconnect,
    Send(Vec<u8>),
    ScheduleReconnect {
        delay_ms: u64,
    },
    /// Merge these entries, persist the documents and set the stored cursor
    /// to `through` in one durable step, then send [`SyncEvent::Applied`].
    Apply {
        entries: Vec<Entry>,
        through: Seq,
    },
    /// The relay stored these entries: delete them from the durable outbox.
    Acked(Vec<Acked>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// No network, or not trying.
    Offline,
    /// Waiting for the reconnect timer after a failure.
    Waiting,
    Connecting,
    Connected,
}

/// What the sync panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub network_up: bool,
    pub connection: Connection,
    pub pending_uploads: usize,
    pub cursor: Seq,
    pub head: Seq,
    /// When this device was last fully in step with the relay: nothing to
    /// upload and nothing to download.
    pub last_sync_ms: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conn {
    Idle,
    Waiting,
    Connecting,
    Handshaking,
    Ready,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pull {
    Idle,
    Requested,
    Applying { has_more: bool },
}

#[derive(Debug)]
pub struct SyncEngine {
    config: SyncConfig,
    workspace: WorkspaceId,
    device: DeviceId,
    network_up: bool,
    conn: Conn,
    pull: Pull,
    push_in_flight: Option<Vec<BlobId>>,
    outbox: Vec<NewEntry>,
    cursor: Seq,
    head: Seq,
    failures: u32,
    last_sync_ms: Option<i64>,
    last_error: Option<String>,
}

impl SyncEngine {
    /// `cursor` and `outbox` are what the driver loaded from durable storage.
    pub fn new(
        config: SyncConfig,
        workspace: WorkspaceId,
        device: DeviceId,
        cursor: Seq,
        outbox: Vec<NewEntry>,
    ) -> SyncEngine {
        SyncEngine {
            config,
            workspace,
            device,
            network_up: false,
            conn: Conn::Idle,
            pull: Pull::Idle,
            push_in_flight: None,
            outbox,
            cursor,
            head: cursor,
            failures: 0,
            last_sync_ms: None,
            last_error: None,
        }
    }

    pub fn status(&self) -> SyncStatus {
        SyncStatus {
            network_up: self.network_up,
            connection: match self.conn {
                Conn::Idle => Connection::Offline,
                Conn::Waiting => Connection::Waiting,
                Conn::Connecting | Conn::Handshaking => Connection::Connecting,
                Conn::Ready => Connection::Connected,
            },
            pending_uploads: self.outbox.len(),
            cursor: self.cursor,
            head: self.head,
            last_sync_ms: self.last_sync_ms,
            last_error: self.last_error.clone(),
        }
    }

    pub fn handle(
        &mut self,
        now_ms: i64,
        rng: &mut impl RngCore,
        event: SyncEvent,
    ) -> Vec<SyncEffect> {
        let mut fx = Vec::new();
        match event {
            SyncEvent::NetworkUp => {
                self.network_up = true;
                if matches!(self.conn, Conn::Idle | Conn::Waiting) {
                    self.failures = 0;
                    self.conn = Conn::Connecting;
                    fx.push(SyncEffect::Connect);
                }
            }
            SyncEvent::NetworkDown => {
                self.network_up = false;
                if matches!(
                    self.conn,
                    Conn::Connecting | Conn::Handshaking | Conn::Ready
                ) {
                    fx.push(SyncEffect::Disconnect);
                }
                self.lose_connection();
                self.conn = Conn::Idle;
            }
            SyncEvent::ReconnectDue => {
                if self.conn == Conn::Waiting && self.network_up {
                    self.conn = Conn::Connecting;
                    fx.push(SyncEffect::Connect);
                }
            }
            SyncEvent::Opened => {
                if self.conn == Conn::Connecting {
                    self.conn = Conn::Handshaking;
                    fx.push(SyncEffect::Send(
                        ClientMsg::Hello {
                            workspace: self.workspace,
                            device: self.device,
                        }
                        .encode(),
                    ));
                }
            }
            SyncEvent::Closed { reason } => {
                if self.conn != Conn::Idle && self.conn != Conn::Waiting {
                    self.last_error = Some(reason);
                    self.fail(rng, &mut fx);
                }
            }
            SyncEvent::Frame(bytes) => match ServerMsg::decode(&bytes) {
                Ok(msg) => self.on_message(now_ms, msg, &mut fx),
                Err(err) => {
                    self.last_error = Some(format!("the relay sent an unreadable frame: {err}"));
                    fx.push(SyncEffect::Disconnect);
                    self.fail(rng, &mut fx);
                }
            },
            SyncEvent::Enqueued(entry) => {
                self.outbox.push(entry);
                self.maybe_push(&mut fx);
            }
            SyncEvent::Applied { through } => {
                self.cursor = self.cursor.max(through);
                self.head = self.head.max(self.cursor);
                let has_more = matches!(self.pull, Pull::Applying { has_more: true });
                self.pull = Pull::Idle;
                if has_more || self.head > self.cursor {
                    self.maybe_pull(&mut fx);
                }
                self.note_if_in_step(now_ms);
            }
            SyncEvent::ApplyFailed { reason } => {
                self.pull = Pull::Idle;
                self.last_error = Some(reason);
                if matches!(
                    self.conn,
                    Conn::Connecting | Conn::Handshaking | Conn::Ready
                ) {
                    fx.push(SyncEffect::Disconnect);
                    self.fail(rng, &mut fx);
                }
            }
        }
        fx
    }

    fn on_message(&mut self, now_ms: i64, msg: ServerMsg, fx: &mut Vec<SyncEffect>) {
        match msg {
            ServerMsg::Welcome { head } => {
                if self.conn != Conn::Handshaking {
                    return;
                }
                self.conn = Conn::Ready;
                self.failures = 0;
                self.last_error = (head < self.cursor).then(|| {
                    // The relay lost entries this device already merged:
                    // restored from an older backup, or another relay. What
                    // this device holds is safe; entries the relay numbers
                    // anew up to our cursor would be skipped, so say so.
                    format!(
                        "the relay holds {head} entries but this device has seen {}: it may have \
                         been restored from a backup; this device's data is safe, but tell your \
                         coordinator before relying on sync",
                        self.cursor
                    )
                });
                self.head = self.head.max(head);
                self.maybe_push(fx);
                self.maybe_pull(fx);
                self.note_if_in_step(now_ms);
            }
            ServerMsg::Ack { acks } => {
                self.push_in_flight = None;
                self.outbox
                    .retain(|e| !acks.iter().any(|a| a.blob_id == e.header.blob_id));
                if let Some(max) = acks.iter().map(|a| a.seq).max() {
                    self.head = self.head.max(max);
                }
                fx.push(SyncEffect::Acked(acks));
                self.maybe_push(fx);
                // Our own entries are now in the log after the cursor; pulling
                // them back is cheap and keeps the cursor contiguous.
                self.maybe_pull(fx);
                self.note_if_in_step(now_ms);
            }
            ServerMsg::Batch {
                entries,
                head,
                has_more,
            } => {
                if self.pull != Pull::Requested {
                    return;
                }
                self.head = self.head.max(head);
                let through = entries.last().map(|e| e.seq).unwrap_or(self.cursor);
                self.pull = Pull::Applying { has_more };
                fx.push(SyncEffect::Apply { entries, through });
            }
            ServerMsg::Poke { head } => {
                self.head = self.head.max(head);
                self.maybe_pull(fx);
            }
            ServerMsg::Error { code, message } => {
                self.last_error = Some(format!("relay error {}: {message}", code.as_str()));
            }
        }
    }

    fn maybe_push(&mut self, fx: &mut Vec<SyncEffect>) {
        if self.conn != Conn::Ready || self.push_in_flight.is_some() || self.outbox.is_empty() {
            return;
        }
        let mut bytes = 0;
        let mut entries = Vec::new();
        for entry in &self.outbox {
            if !entries.is_empty() && bytes + entry.body.len() > self.config.push_body_bytes {
                break;
            }
            bytes += entry.body.len();
            entries.push(entry.clone());
        }
        self.push_in_flight = Some(entries.iter().map(|e| e.header.blob_id).collect());
        fx.push(SyncEffect::Send(ClientMsg::Push { entries }.encode()));
    }

    fn maybe_pull(&mut self, fx: &mut Vec<SyncEffect>) {
        if self.conn != Conn::Ready || self.pull != Pull::Idle || self.head <= self.cursor {
            return;
        }
        self.pull = Pull::Requested;
        fx.push(SyncEffect::Send(
            ClientMsg::Pull {
                after: self.cursor,
                max_bytes: self.config.pull_bytes,
            }
            .encode(),
        ));
    }

    fn note_if_in_step(&mut self, now_ms: i64) {
        if self.conn == Conn::Ready
            && self.outbox.is_empty()
            && self.pull == Pull::Idle
            && self.cursor >= self.head
        {
            self.last_sync_ms = Some(now_ms);
        }
    }

    fn lose_connection(&mut self) {
        self.push_in_flight = None;
        if self.pull == Pull::Requested {
            self.pull = Pull::Idle;
        }
    }

    fn fail(&mut self, rng: &mut impl RngCore, fx: &mut Vec<SyncEffect>) {
        self.lose_connection();
        if !self.network_up {
            self.conn = Conn::Idle;
            return;
        }
        self.conn = Conn::Waiting;
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.saturating_sub(1).min(16);
        let ceiling = self
            .config
            .backoff_base_ms
            .saturating_mul(1 << exp)
            .min(self.config.backoff_max_ms)
            .max(1);
        // Full jitter over the upper half, so devices that lost the relay at
        // the same moment do not all come back at the same moment.
        let half = ceiling / 2;
        let delay_ms = half + rng.next_u64() % (ceiling - half).max(1);
        fx.push(SyncEffect::ScheduleReconnect { delay_ms });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{EntryHeader, EntryKind};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const WS: WorkspaceId = WorkspaceId([9; 16]);
    const ME: DeviceId = DeviceId([1; 32]);

    fn entry(n: u8) -> NewEntry {
        NewEntry {
            header: EntryHeader {
                doc_id: crate::ids::DocId([n; 16]),
                kind: EntryKind::Change,
                blob_id: BlobId([n; 16]),
                author: ME,
                key_epoch: 0,
            },
            body: vec![n; 10],
        }
    }

    fn logged(seq: u64, e: &NewEntry) -> Entry {
        Entry {
            seq: Seq(seq),
            header: e.header.clone(),
            body: e.body.clone(),
        }
    }

    struct Harness {
        engine: SyncEngine,
        rng: StdRng,
        now: i64,
    }

    impl Harness {
        fn new(cursor: u64, outbox: Vec<NewEntry>) -> Harness {
            Harness {
                engine: SyncEngine::new(SyncConfig::default(), WS, ME, Seq(cursor), outbox),
                rng: StdRng::seed_from_u64(7),
                now: 1_000,
            }
        }

        fn on(&mut self, ev: SyncEvent) -> Vec<SyncEffect> {
            self.now += 10;
            self.engine.handle(self.now, &mut self.rng, ev)
        }

        fn server(&mut self, msg: ServerMsg) -> Vec<SyncEffect> {
            self.on(SyncEvent::Frame(msg.encode()))
        }

        /// Network up, socket opened, welcome received with `head`.
        fn connect(&mut self, head: u64) -> Vec<SyncEffect> {
            assert_eq!(self.on(SyncEvent::NetworkUp), vec![SyncEffect::Connect]);
            let hello = self.on(SyncEvent::Opened);
            assert!(matches!(
                ClientMsg::decode(sent(&hello[0])).unwrap(),
                ClientMsg::Hello {
                    workspace: WS,
                    device: ME
                }
            ));
            self.server(ServerMsg::Welcome { head: Seq(head) })
        }
    }

    fn sent(fx: &SyncEffect) -> &[u8] {
        match fx {
            SyncEffect::Send(b) => b,
            other => panic!("expected a send, got {other:?}"),
        }
    }

    fn decoded(fx: &[SyncEffect]) -> Vec<ClientMsg> {
        fx.iter()
            .filter_map(|f| match f {
                SyncEffect::Send(b) => Some(ClientMsg::decode(b).unwrap()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_current_device_costs_one_round_trip() {
        let mut h = Harness::new(42, vec![]);
        let fx = h.connect(42);
        assert!(fx.is_empty(), "nothing to send when current: {fx:?}");
        let status = h.engine.status();
        assert_eq!(status.connection, Connection::Connected);
        assert!(status.last_sync_ms.is_some());
    }

    #[test]
    fn the_cursor_moves_only_once_the_batch_is_durable() {
        let mut h = Harness::new(0, vec![]);
        let fx = h.connect(2);
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(0),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        let batch = vec![logged(1, &entry(1)), logged(2, &entry(2))];
        let fx = h.server(ServerMsg::Batch {
            entries: batch.clone(),
            head: Seq(2),
            has_more: false,
        });
        assert_eq!(
            fx,
            vec![SyncEffect::Apply {
                entries: batch,
                through: Seq(2)
            }]
        );
        assert_eq!(h.engine.status().cursor, Seq(0));
        assert_eq!(h.engine.status().last_sync_ms, None);

        // The connection drops before the driver persisted: nothing moves,
        // and the reconnect pulls from the same cursor once applied.
        h.on(SyncEvent::Closed {
            reason: "gone".into(),
        });
        assert_eq!(h.engine.status().cursor, Seq(0));
        let fx = h.on(SyncEvent::Applied { through: Seq(2) });
        assert!(fx.is_empty());
        assert_eq!(h.engine.status().cursor, Seq(2));
    }

    #[test]
    fn a_failed_apply_keeps_the_cursor_and_retries_from_it() {
        let mut h = Harness::new(3, vec![]);
        h.connect(5);
        h.server(ServerMsg::Batch {
            entries: vec![logged(4, &entry(4))],
            head: Seq(5),
            has_more: true,
        });
        let fx = h.on(SyncEvent::ApplyFailed {
            reason: "quota exceeded".into(),
        });
        assert_eq!(fx[0], SyncEffect::Disconnect);
        assert!(matches!(fx[1], SyncEffect::ScheduleReconnect { .. }));
        assert_eq!(h.engine.status().cursor, Seq(3));
        assert_eq!(
            h.engine.status().last_error.as_deref(),
            Some("quota exceeded")
        );
        h.on(SyncEvent::ReconnectDue);
        h.on(SyncEvent::Opened);
        let fx = h.server(ServerMsg::Welcome { head: Seq(5) });
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(3),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
    }

    #[test]
    fn a_relay_behind_the_cursor_is_reported() {
        let mut h = Harness::new(40, vec![]);
        h.connect(12);
        let status = h.engine.status();
        assert_eq!(status.cursor, Seq(40));
        let err = status.last_error.expect("a warning");
        assert!(err.contains("restored from a backup"), "{err}");
    }

    #[test]
    fn pages_are_pulled_until_has_more_is_false() {
        let mut h = Harness::new(0, vec![]);
        h.connect(3);
        let fx = h.server(ServerMsg::Batch {
            entries: vec![logged(1, &entry(1))],
            head: Seq(3),
            has_more: true,
        });
        assert!(matches!(
            fx[0],
            SyncEffect::Apply {
                through: Seq(1),
                ..
            }
        ));
        let fx = h.on(SyncEvent::Applied { through: Seq(1) });
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(1),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        h.server(ServerMsg::Batch {
            entries: vec![logged(2, &entry(2)), logged(3, &entry(3))],
            head: Seq(3),
            has_more: false,
        });
        let fx = h.on(SyncEvent::Applied { through: Seq(3) });
        assert!(fx.is_empty());
        assert!(h.engine.status().last_sync_ms.is_some());
    }

    #[test]
    fn the_outbox_is_pushed_in_order_and_kept_until_acked() {
        let mut h = Harness::new(0, vec![entry(1)]);
        h.on(SyncEvent::Enqueued(entry(2)));
        assert_eq!(h.engine.status().pending_uploads, 2);
        let fx = h.connect(0);
        let [ClientMsg::Push { entries }] = &decoded(&fx)[..] else {
            panic!("expected one push: {fx:?}");
        };
        assert_eq!(entries, &vec![entry(1), entry(2)]);

        // Dropped before the ack: both are pushed again on reconnect.
        let fx = h.on(SyncEvent::Closed {
            reason: "reset".into(),
        });
        let [SyncEffect::ScheduleReconnect { delay_ms }] = fx[..] else {
            panic!("expected a reconnect timer: {fx:?}");
        };
        assert!((250..=500).contains(&delay_ms), "{delay_ms}");
        assert_eq!(h.on(SyncEvent::ReconnectDue), vec![SyncEffect::Connect]);
        h.on(SyncEvent::Opened);
        let fx = h.server(ServerMsg::Welcome { head: Seq(0) });
        assert!(matches!(&decoded(&fx)[..], [ClientMsg::Push { entries }] if entries.len() == 2));

        let acks = vec![
            Acked {
                blob_id: entry(1).header.blob_id,
                seq: Seq(1),
            },
            Acked {
                blob_id: entry(2).header.blob_id,
                seq: Seq(2),
            },
        ];
        let fx = h.server(ServerMsg::Ack { acks: acks.clone() });
        assert_eq!(fx[0], SyncEffect::Acked(acks));
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(0),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        assert_eq!(h.engine.status().pending_uploads, 0);
    }

    #[test]
    fn large_outboxes_are_split_into_pushes_one_at_a_time() {
        let mut h = Harness::new(0, vec![]);
        h.engine.config.push_body_bytes = 25;
        for n in 1..=5 {
            h.on(SyncEvent::Enqueued(entry(n)));
        }
        let fx = h.connect(0);
        let [ClientMsg::Push { entries }] = &decoded(&fx)[..] else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        // A second entry enqueued while a push is in flight waits for the ack.
        assert!(h.on(SyncEvent::Enqueued(entry(6))).is_empty());
        let fx = h.server(ServerMsg::Ack {
            acks: entries
                .iter()
                .zip(1..)
                .map(|(e, s)| Acked {
                    blob_id: e.header.blob_id,
                    seq: Seq(s),
                })
                .collect(),
        });
        let pushed: Vec<_> = decoded(&fx)
            .into_iter()
            .filter_map(|m| match m {
                ClientMsg::Push { entries } => Some(entries),
                _ => None,
            })
            .collect();
        assert_eq!(pushed, vec![vec![entry(3), entry(4)]]);
    }

    #[test]
    fn a_poke_while_current_pulls_and_offline_stops_reconnecting() {
        let mut h = Harness::new(5, vec![]);
        h.connect(5);
        let fx = h.server(ServerMsg::Poke { head: Seq(6) });
        assert_eq!(
            decoded(&fx),
            vec![ClientMsg::Pull {
                after: Seq(5),
                max_bytes: DEFAULT_PULL_BYTES
            }]
        );
        // A second poke while the pull is outstanding sends nothing more.
        assert!(h.server(ServerMsg::Poke { head: Seq(7) }).is_empty());

        assert_eq!(h.on(SyncEvent::NetworkDown), vec![SyncEffect::Disconnect]);
        assert!(
            h.on(SyncEvent::Closed {
                reason: "offline".into()
            })
            .is_empty()
        );
        assert_eq!(h.engine.status().connection, Connection::Offline);
        assert_eq!(h.on(SyncEvent::NetworkUp), vec![SyncEffect::Connect]);
    }

    #[test]
    fn backoff_grows_to_its_ceiling() {
        let mut h = Harness::new(0, vec![]);
        h.on(SyncEvent::NetworkUp);
        let mut delays = vec![];
        for _ in 0..10 {
            let fx = h.on(SyncEvent::Closed {
                reason: "refused".into(),
            });
            let [SyncEffect::ScheduleReconnect { delay_ms }] = fx[..] else {
                panic!("{fx:?}")
            };
            delays.push(delay_ms);
            assert_eq!(h.on(SyncEvent::ReconnectDue), vec![SyncEffect::Connect]);
        }
        assert!(delays[0] <= 500 && delays[3] >= 2_000, "{delays:?}");
        assert!(delays.iter().all(|&d| d <= 15_000), "{delays:?}");
        assert_eq!(h.engine.status().last_error.as_deref(), Some("refused"));
    }

    #[test]
    fn an_unreadable_frame_drops_the_connection_with_a_reason() {
        let mut h = Harness::new(0, vec![]);
        h.connect(0);
        let fx = h.on(SyncEvent::Frame(b"HW\x07".to_vec()));
        assert_eq!(fx[0], SyncEffect::Disconnect);
        assert!(matches!(fx[1], SyncEffect::ScheduleReconnect { .. }));
        let err = h.engine.status().last_error.unwrap();
        assert!(err.contains("protocol version 7"), "{err}");
    }
}
