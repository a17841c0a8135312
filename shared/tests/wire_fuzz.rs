//! Hostile input for the wire format and the sans-IO sync engine.
//!
//! - `ClientMsg::decode` / `ServerMsg::decode` on arbitrary bytes, and on
//!   arbitrary bytes behind a valid `HW\x03` prefix, never panic, and every
//!   refusal carries the code the prefix calls for;
//! - every message round-trips `encode` → `decode` exactly;
//! - every proper prefix of a valid frame, and a valid frame with trailing
//!   bytes, is refused (never read as some other message);
//! - a valid frame with another version byte is `UnsupportedVersion`;
//! - a [`SyncEngine`] fed arbitrary event sequences (garbage frames, and
//!   well-formed but wrong server messages: acks for unknown blobs, batches
//!   nobody asked for, a second welcome, challenges from another origin,
//!   bootstrap pages nobody asked for, entries with bad signatures, errors)
//!   never panics, never moves its cursor back, never moves it to a seq the
//!   driver did not confirm with `Applied`, and drops outbox entries only on
//!   an ack of their blob id. Along the way: every frame it sends decodes, a push
//!   is always the head of the outbox in order, at most one push and one
//!   pull are in flight and one `Apply` unanswered, a pull starts at the
//!   cursor, and reconnect delays stay under the ceiling.
//!
//! `cargo test -p homeward-shared --test wire_fuzz` runs a few thousand
//! cases in all (a few seconds in a debug build). More:
//! `PROPTEST_CASES=50000 cargo test -p homeward-shared --test wire_fuzz`.
//! A failure prints the shrunk case; nothing is written next to the
//! sources. `PROPTEST_RNG_SEED=<n>` fixes the run's seed.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestCaseError};
use rand::SeedableRng;
use rand::rngs::StdRng;

use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::sealing::{EntrySealer, OpenedEntry, Quarantined, SealedBody, WorkspaceKey};
use shared::signing::{AuthChallenge, DeviceKey, Signature};
use shared::sync_engine::{SyncConfig, SyncEffect, SyncEngine, SyncEvent, SyncSetup};
use shared::wire::{
    Acked, BootstrapResume, ClientMsg, DeviceInfo, Entry, EntryHeader, EntryKind, ErrorCode,
    NewEntry, PROTOCOL_VERSION, Redeem, Role, ServerMsg, WireError,
};

fn cases(default: u32) -> u32 {
    match std::env::var("PROPTEST_CASES") {
        Ok(n) => n.parse().unwrap_or(default),
        Err(_) => default,
    }
}

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default_cases),
        // A failing case is printed with its seed; nothing is written next
        // to the sources.
        failure_persistence: None,
        // ChaCha, the default, dominates the run time in a debug build.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Strategies

fn arb_seq() -> impl Strategy<Value = Seq> {
    prop_oneof![
        3 => (0u64..300).prop_map(Seq),
        1 => any::<u64>().prop_map(Seq),
        1 => Just(Seq(u64::MAX)),
    ]
}

fn arb_kind() -> impl Strategy<Value = EntryKind> {
    prop_oneof![
        Just(EntryKind::Change),
        arb_seq().prop_map(|covers| EntryKind::Snapshot { covers })
    ]
}

fn arb_code() -> impl Strategy<Value = ErrorCode> {
    proptest::sample::select(ErrorCode::ALL.to_vec())
}

fn arb_role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Admin),
        Just(Role::Documenter),
        Just(Role::Viewer)
    ]
}

fn arb_signature() -> impl Strategy<Value = Signature> {
    (any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(a, b)| {
        let mut s = [0u8; 64];
        s[..32].copy_from_slice(&a);
        s[32..].copy_from_slice(&b);
        Signature(s)
    })
}

fn arb_resume() -> impl Strategy<Value = Option<BootstrapResume>> {
    proptest::option::of(
        (arb_seq(), any::<[u8; 16]>()).prop_map(|(upto, d)| BootstrapResume {
            upto,
            after_doc: DocId(d),
        }),
    )
}

fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..48),
        1 => proptest::collection::vec(any::<u8>(), 120..400),
    ]
}

fn arb_header(blob: BoxedStrategy<BlobId>) -> impl Strategy<Value = EntryHeader> {
    (
        any::<[u8; 16]>(),
        arb_kind(),
        blob,
        any::<[u8; 32]>(),
        any::<u32>(),
    )
        .prop_map(|(doc, kind, blob_id, author, key_epoch)| EntryHeader {
            doc_id: DocId(doc),
            kind,
            blob_id,
            author: DeviceId(author),
            key_epoch,
        })
}

fn any_blob() -> BoxedStrategy<BlobId> {
    any::<[u8; 16]>().prop_map(BlobId).boxed()
}

fn arb_new_entry(blob: BoxedStrategy<BlobId>) -> impl Strategy<Value = NewEntry> {
    (arb_header(blob), arb_body(), arb_signature()).prop_map(|(header, body, signature)| NewEntry {
        header,
        body: SealedBody::from_received(body),
        signature,
    })
}

fn arb_entry(seq: BoxedStrategy<Seq>, blob: BoxedStrategy<BlobId>) -> impl Strategy<Value = Entry> {
    (seq, arb_header(blob), arb_body(), arb_signature()).prop_map(
        |(seq, header, body, signature)| Entry {
            seq,
            header,
            body: SealedBody::from_received(body),
            signature,
        },
    )
}

fn arb_client_msg() -> impl Strategy<Value = ClientMsg> {
    prop_oneof![
        (
            any::<[u8; 16]>(),
            any::<[u8; 32]>(),
            arb_signature(),
            proptest::option::of(prop_oneof![
                any::<[u8; 32]>().prop_map(Redeem::Ticket),
                "[A-Z0-9-]{0,30}".prop_map(Redeem::SetupCode),
            ])
        )
            .prop_map(|(w, d, signature, redeem)| ClientMsg::Hello {
                workspace: WorkspaceId(w),
                device: DeviceId(d),
                signature,
                redeem,
            }),
        proptest::collection::vec(arb_new_entry(any_blob()), 0..5)
            .prop_map(|entries| ClientMsg::Push { entries }),
        (arb_seq(), any::<u32>())
            .prop_map(|(after, max_bytes)| ClientMsg::Pull { after, max_bytes }),
        (arb_resume(), any::<u32>())
            .prop_map(|(resume, max_bytes)| ClientMsg::Bootstrap { resume, max_bytes }),
        (any::<[u8; 32]>(), arb_role(), any::<u32>()).prop_map(|(ticket_hash, role, ttl_secs)| {
            ClientMsg::CreateInvite {
                ticket_hash,
                role,
                ttl_secs,
            }
        }),
        Just(ClientMsg::ListDevices),
        any::<[u8; 32]>().prop_map(|d| ClientMsg::Revoke {
            device: DeviceId(d)
        }),
    ]
}

/// Server messages built from the given parts, so the engine test can aim
/// them at its own outbox and cursor (and generate them cheaply).
fn arb_server_msg_with(
    seq: BoxedStrategy<Seq>,
    blob: BoxedStrategy<BlobId>,
    entry: BoxedStrategy<Entry>,
    text: BoxedStrategy<String>,
) -> impl Strategy<Value = ServerMsg> {
    let acked =
        (blob, seq.clone(), 0u32..64).prop_map(|(blob_id, seq, tail)| Acked { blob_id, seq, tail });
    let entries = proptest::collection::vec(entry, 0..4);
    prop_oneof![
        (
            any::<[u8; 32]>(),
            prop_oneof!["[a-z:/.]{0,20}", Just(ORIGIN.to_owned())],
            any::<i64>()
        )
            .prop_map(|(nonce, origin, issued_ms)| ServerMsg::Challenge {
                nonce,
                origin,
                issued_ms
            }),
        (seq.clone(), arb_role(), seq.clone()).prop_map(|(head, role, pruned_through)| {
            ServerMsg::Welcome {
                head,
                role,
                pruned_through,
            }
        }),
        (
            entries.clone(),
            seq.clone(),
            arb_resume(),
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(|(entries, upto, next, docs_done, docs_total)| {
                ServerMsg::BootstrapPage {
                    entries,
                    upto,
                    next,
                    docs_done,
                    docs_total,
                }
            }),
        any::<i64>().prop_map(|expires_ms| ServerMsg::InviteCreated { expires_ms }),
        proptest::collection::vec(
            (
                any::<[u8; 32]>(),
                arb_role(),
                any::<i64>(),
                proptest::option::of(any::<i64>())
            ),
            0..3
        )
        .prop_map(|ds| ServerMsg::Devices {
            devices: ds
                .into_iter()
                .map(|(d, role, joined_ms, revoked_ms)| DeviceInfo {
                    device: DeviceId(d),
                    role,
                    joined_ms,
                    revoked_ms,
                })
                .collect()
        }),
        any::<[u8; 32]>().prop_map(|d| ServerMsg::Revoked {
            device: DeviceId(d)
        }),
        proptest::collection::vec(acked, 0..5).prop_map(|acks| ServerMsg::Ack { acks }),
        (entries, seq.clone(), any::<bool>(),).prop_map(|(entries, head, has_more)| {
            ServerMsg::Batch {
                entries,
                head,
                has_more,
            }
        }),
        seq.prop_map(|head| ServerMsg::Poke { head }),
        (arb_code(), text).prop_map(|(code, message)| ServerMsg::Error { code, message }),
    ]
}

fn arb_server_msg() -> impl Strategy<Value = ServerMsg> {
    arb_server_msg_with(
        arb_seq().boxed(),
        any_blob(),
        arb_entry(arb_seq().boxed(), any_blob()).boxed(),
        any::<String>().boxed(),
    )
}

/// Bytes that are often close to a frame: random, or behind the real
/// prefix, or behind the magic with another version.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..256).prop_map(|rest| prefixed(&rest)),
        (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(v, rest)| {
            let mut f = b"HW".to_vec();
            f.push(v);
            f.extend(rest);
            f
        }),
    ]
}

fn prefixed(rest: &[u8]) -> Vec<u8> {
    let mut f = b"HW".to_vec();
    f.push(PROTOCOL_VERSION);
    f.extend_from_slice(rest);
    f
}

// ---------------------------------------------------------------------------
// Decoding

/// The code a refusal of `frame` must carry, judged from its prefix alone
/// (`None` when the prefix is ours and only the message can be wrong).
fn expected_prefix_code(frame: &[u8]) -> Option<ErrorCode> {
    if frame.len() < 3 || &frame[..2] != b"HW" {
        Some(ErrorCode::Malformed)
    } else if frame[2] != PROTOCOL_VERSION {
        Some(ErrorCode::UnsupportedVersion)
    } else {
        None
    }
}

fn check_decode<T: PartialEq + std::fmt::Debug>(
    frame: &[u8],
    decoded: Result<T, WireError>,
    encode: impl Fn(&T) -> Vec<u8>,
    decode: impl Fn(&[u8]) -> Result<T, WireError>,
) -> Result<(), TestCaseError> {
    match decoded {
        Err(err) => {
            let code = err.code();
            prop_assert!(!err.to_string().is_empty());
            prop_assert!(!code.as_str().is_empty());
            match expected_prefix_code(frame) {
                Some(expected) => prop_assert_eq!(code, expected, "{}", err),
                None => prop_assert_eq!(code, ErrorCode::Malformed, "{}", err),
            }
            if let WireError::UnsupportedVersion { got, ours } = err {
                prop_assert_eq!((got, ours), (frame[2], PROTOCOL_VERSION));
            }
        }
        Ok(msg) => {
            // Random bytes that happen to decode: only behind our prefix,
            // and what they decode to is a message like any other.
            prop_assert_eq!(expected_prefix_code(frame), None);
            let again = encode(&msg);
            let redecoded = decode(&again);
            prop_assert_eq!(redecoded.as_ref(), Ok(&msg));
        }
    }
    Ok(())
}

fn check_both(frame: &[u8]) -> Result<(), TestCaseError> {
    check_decode(
        frame,
        ClientMsg::decode(frame),
        ClientMsg::encode,
        ClientMsg::decode,
    )?;
    check_decode(
        frame,
        ServerMsg::decode(frame),
        ServerMsg::encode,
        ServerMsg::decode,
    )
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_bytes_never_panic_and_carry_a_code(frame in arb_bytes()) {
        check_both(&frame)?;
    }

    #[test]
    fn arbitrary_bytes_behind_our_prefix_never_panic(
        // A plausible variant tag first, so decoding gets past it often.
        tag in 0u8..11,
        rest in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut body = vec![tag];
        body.extend(rest);
        check_both(&prefixed(&body))?;
    }

    #[test]
    fn client_messages_round_trip(msg in arb_client_msg()) {
        let frame = msg.encode();
        prop_assert_eq!(&frame[..3], b"HW\x03");
        prop_assert_eq!(ClientMsg::decode(&frame), Ok(msg));
        // A client frame read as a server message is refused or is some
        // server message; either way nothing panics.
        check_decode(&frame, ServerMsg::decode(&frame), ServerMsg::encode, ServerMsg::decode)?;
    }

    #[test]
    fn server_messages_round_trip(msg in arb_server_msg()) {
        let frame = msg.encode();
        prop_assert_eq!(&frame[..3], b"HW\x03");
        prop_assert_eq!(ServerMsg::decode(&frame), Ok(msg));
        check_decode(&frame, ClientMsg::decode(&frame), ClientMsg::encode, ClientMsg::decode)?;
    }

    #[test]
    fn truncated_or_extended_frames_are_refused(
        client in arb_client_msg(),
        server in arb_server_msg(),
        extra in proptest::collection::vec(any::<u8>(), 1..8),
    ) {
        let c = client.encode();
        for cut in 0..c.len() {
            let err = ClientMsg::decode(&c[..cut]).expect_err("a proper prefix decoded");
            prop_assert_eq!(err.code(), ErrorCode::Malformed, "cut at {}: {}", cut, err);
        }
        let s = server.encode();
        for cut in 0..s.len() {
            let err = ServerMsg::decode(&s[..cut]).expect_err("a proper prefix decoded");
            prop_assert_eq!(err.code(), ErrorCode::Malformed, "cut at {}: {}", cut, err);
        }
        let mut long = c.clone();
        long.extend(&extra);
        prop_assert_eq!(ClientMsg::decode(&long).map_err(|e| e.code()), Err(ErrorCode::Malformed));
        let mut long = s.clone();
        long.extend(&extra);
        prop_assert_eq!(ServerMsg::decode(&long).map_err(|e| e.code()), Err(ErrorCode::Malformed));
    }

    #[test]
    fn another_version_byte_is_unsupported_version(
        client in arb_client_msg(),
        server in arb_server_msg(),
        version in any::<u8>().prop_filter("not ours", |v| *v != PROTOCOL_VERSION),
    ) {
        let expected = WireError::UnsupportedVersion { got: version, ours: PROTOCOL_VERSION };
        let mut c = client.encode();
        c[2] = version;
        prop_assert_eq!(ClientMsg::decode(&c), Err(expected.clone()));
        let mut s = server.encode();
        s[2] = version;
        prop_assert_eq!(ServerMsg::decode(&s), Err(expected));
        // Even with just the prefix.
        prop_assert_eq!(
            ClientMsg::decode(&c[..3]).map_err(|e| e.code()),
            Err(ErrorCode::UnsupportedVersion)
        );
    }
}

// ---------------------------------------------------------------------------
// The sync engine under hostile input

const WS: WorkspaceId = WorkspaceId([0x77; 16]);
const ORIGIN: &str = "https://relay.test";

fn me() -> DeviceKey {
    DeviceKey::from_secret(&[0x42; 32])
}

thread_local! {
    static ME: DeviceId = me().device_id();
}
/// Blob ids the outbox and the hostile acks draw from, so acks sometimes
/// match outbox entries and sometimes do not.
const BLOBS: u8 = 6;

fn pool_blob() -> BoxedStrategy<BlobId> {
    prop_oneof![
        4 => (0..BLOBS).prop_map(|k| BlobId([k; 16])),
        1 => any_blob(),
    ]
    .boxed()
}

fn small_seq() -> BoxedStrategy<Seq> {
    prop_oneof![
        8 => (0u64..25).prop_map(Seq),
        1 => Just(Seq(u64::MAX)),
    ]
    .boxed()
}

/// A server message with small seqs and pool blob ids, cheap to generate.
fn small_server_msg() -> impl Strategy<Value = ServerMsg> {
    let entry = (small_seq(), 0..BLOBS, 0usize..6)
        .prop_map(|(seq, blob, len)| logged(seq, pool_entry(blob, len)))
        .boxed();
    arb_server_msg_with(small_seq(), pool_blob(), entry, "[a-z ]{0,12}".boxed())
}

fn sealer() -> EntrySealer {
    EntrySealer {
        workspace: WS,
        device: me(),
        key: WorkspaceKey::from_bytes(0, [0x55; 32]),
    }
}

/// A sealed, signed entry of plaintext `[blob; body_len]`, except that
/// `body_len` 13 gets a damaged signature and 14 is sealed under another
/// workspace's key: the engine must quarantine those, and nothing else.
fn pool_entry(blob: u8, body_len: usize) -> NewEntry {
    let mut rng = StdRng::seed_from_u64(u64::from(blob) << 16 | body_len as u64);
    let header = EntryHeader {
        doc_id: DocId([blob; 16]),
        kind: EntryKind::Change,
        blob_id: BlobId([blob; 16]),
        author: me().device_id(),
        key_epoch: 0,
    };
    let key = if body_len == 14 {
        WorkspaceKey::from_bytes(0, [0x66; 32])
    } else {
        sealer().key
    };
    let body = key.seal(&mut rng, WS, &header, &vec![blob; body_len]);
    let mut e = me().sign_entry(WS, header, body);
    if body_len == 13 {
        e.signature.0[0] ^= 1;
    }
    e
}

fn logged(seq: Seq, e: NewEntry) -> Entry {
    e.logged_at(seq)
}

#[derive(Debug, Clone)]
enum Ev {
    NetworkUp,
    NetworkDown,
    ReconnectDue,
    Opened,
    Closed,
    /// The relay's challenge on an open socket, naming our origin or
    /// another.
    Challenge {
        ours: bool,
    },
    /// A welcome for the Hello in flight.
    Welcome {
        head: Seq,
        role: Role,
        pruned_through: Seq,
    },
    /// A plausible answer to the bootstrap request in flight.
    AnswerBootstrap {
        count: u8,
        last: bool,
    },
    /// Any bytes as a frame.
    Garbage(Vec<u8>),
    /// A valid message with its frame cut short, or with another version.
    Damaged {
        msg: ServerMsg,
        cut: usize,
        version: u8,
    },
    /// A well-formed server message that may make no sense now.
    Server(ServerMsg),
    /// A plausible ack of the push in flight (all or only the first entry).
    AckInFlight {
        all: bool,
        first_seq: u64,
    },
    /// A plausible answer to the pull in flight.
    AnswerPull {
        count: u8,
        extra_head: u8,
        has_more: bool,
    },
    Enqueue {
        blob: u8,
        body_len: usize,
    },
    /// The driver finishes the pending `Apply` or `ApplyBootstrap`, if any.
    Apply,
    /// The driver fails the pending `Apply`, if there is one.
    ApplyFail,
}

fn arb_event() -> impl Strategy<Value = Ev> {
    prop_oneof![
        3 => Just(Ev::NetworkUp),
        1 => Just(Ev::NetworkDown),
        2 => Just(Ev::ReconnectDue),
        3 => Just(Ev::Opened),
        1 => Just(Ev::Closed),
        1 => arb_bytes().prop_map(Ev::Garbage),
        1 => (small_server_msg(), any::<usize>(), any::<u8>())
            .prop_map(|(msg, cut, version)| Ev::Damaged { msg, cut, version }),
        4 => small_server_msg().prop_map(Ev::Server),
        3 => prop_oneof![4 => Just(true), 1 => Just(false)].prop_map(|ours| Ev::Challenge { ours }),
        3 => (small_seq(), arb_role(), small_seq()).prop_map(|(head, role, pruned_through)| {
            Ev::Welcome { head, role, pruned_through }
        }),
        3 => (0u8..4, any::<bool>()).prop_map(|(count, last)| Ev::AnswerBootstrap { count, last }),
        3 => (any::<bool>(), 1u64..30)
            .prop_map(|(all, first_seq)| Ev::AckInFlight { all, first_seq }),
        4 => (0u8..4, 0u8..4, any::<bool>()).prop_map(|(count, extra_head, has_more)| {
            Ev::AnswerPull { count, extra_head, has_more }
        }),
        3 => (0..BLOBS, 0usize..40).prop_map(|(blob, body_len)| Ev::Enqueue { blob, body_len }),
        4 => Just(Ev::Apply),
        1 => Just(Ev::ApplyFail),
    ]
}

#[derive(Debug, Clone)]
struct EnginePlan {
    cursor: u64,
    outbox: Vec<(u8, usize)>,
    push_body_bytes: usize,
    pull_bytes: u32,
    events: Vec<Ev>,
    seed: u64,
}

fn arb_plan() -> impl Strategy<Value = EnginePlan> {
    (
        0u64..10,
        proptest::collection::vec((0..BLOBS, 0usize..40), 0..4),
        prop_oneof![Just(usize::MAX), 1usize..80],
        any::<u32>(),
        proptest::collection::vec(arb_event(), 0..80),
        any::<u64>(),
    )
        .prop_map(
            |(cursor, outbox, push_body_bytes, pull_bytes, events, seed)| EnginePlan {
                cursor,
                outbox,
                push_body_bytes,
                pull_bytes,
                events,
                seed,
            },
        )
}

/// An apply the driver has not answered yet.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PendingApply {
    Batch(Seq),
    /// A bootstrap page; `Some(upto)` on the last one.
    Boot(Option<Seq>),
}

/// What the test driver remembers between events.
struct Driver {
    engine: SyncEngine,
    rng: StdRng,
    now: i64,
    config: SyncConfig,
    /// The outbox as the engine must see it: entries leave only on an ack.
    outbox: Vec<NewEntry>,
    /// Seqs the driver confirmed with `Applied`, plus the initial cursor.
    confirmed: BTreeSet<Seq>,
    cursor: Seq,
    pending_apply: Option<PendingApply>,
    /// The entries of the last push sent.
    last_push: Vec<NewEntry>,
    /// The `after` of the last pull sent.
    last_pull: Option<Seq>,
    /// The `resume` of the last bootstrap request sent.
    last_bootstrap: Option<Option<BootstrapResume>>,
    /// The challenge of the event being fed, if it is one: whether it names
    /// our origin, its nonce and time.
    last_challenge: Option<(bool, [u8; 32], i64)>,
    /// A push went out and nothing since could have ended it.
    push_open: bool,
    /// A pull went out and nothing since could have ended it.
    pull_open: bool,
    /// The role of the last welcome the engine accepted.
    role: Option<Role>,
    /// The cursor a last bootstrap page stores, while its apply is answered.
    last_boot_final: Option<Seq>,
}

impl Driver {
    fn feed(&mut self, event: SyncEvent) -> Result<(), TestCaseError> {
        // What the event is, for the invariants below.
        let decoded = match &event {
            SyncEvent::Frame(bytes) => ServerMsg::decode(bytes).ok(),
            _ => None,
        };
        let acks: Option<Vec<Acked>> = match &decoded {
            Some(ServerMsg::Ack { acks }) => Some(acks.clone()),
            _ => None,
        };
        // Only a challenge is answered, and only as it arrives.
        self.last_challenge = match &decoded {
            Some(ServerMsg::Challenge {
                nonce,
                origin,
                issued_ms,
            }) => Some((origin == ORIGIN, *nonce, *issued_ms)),
            _ => None,
        };
        let is_batch = matches!(decoded, Some(ServerMsg::Batch { .. }));
        let batch_last = match &decoded {
            Some(ServerMsg::Batch { entries, .. }) => entries.last().map(|e| e.seq),
            _ => None,
        };
        let is_page = matches!(decoded, Some(ServerMsg::BootstrapPage { .. }));
        let ends_pull = matches!(
            event,
            SyncEvent::Applied { .. }
                | SyncEvent::BootstrapApplied
                | SyncEvent::ApplyFailed { .. }
                | SyncEvent::Closed { .. }
                | SyncEvent::NetworkDown
        ) || is_batch
            || is_page;
        let ends_push =
            matches!(event, SyncEvent::Closed { .. } | SyncEvent::NetworkDown) || acks.is_some();
        let enqueued = match &event {
            SyncEvent::Enqueued(e) => Some(e.clone()),
            _ => None,
        };
        let applied = match &event {
            SyncEvent::Applied { through } => Some(*through),
            _ => None,
        };
        let boot_applied = matches!(event, SyncEvent::BootstrapApplied);

        self.now += 7;
        let fx = self.engine.handle(self.now, &mut self.rng, event);

        // The outbox model.
        if let Some(e) = enqueued {
            self.outbox.push(e);
        }
        // An ack counts only for a push in flight: a stray one must not
        // make the device forget entries it still has to upload.
        let acks = acks.filter(|_| self.push_open);
        if let Some(acks) = &acks {
            self.outbox
                .retain(|e| !acks.iter().any(|a| a.blob_id == e.header.blob_id));
        }
        if let Some(through) = applied {
            self.confirmed.insert(through);
        }
        if boot_applied {
            // The driver of a last page stores `upto` as the cursor.
            if let Some(upto) = self.last_boot_final.take() {
                self.confirmed.insert(upto);
            }
        }
        if ends_pull {
            self.pull_open = false;
        }
        if ends_push {
            self.push_open = false;
        }
        let disconnects = fx.contains(&SyncEffect::Disconnect);
        if disconnects {
            self.pull_open = false;
            self.push_open = false;
        }

        let status = self.engine.status();
        prop_assert!(
            status.cursor >= self.cursor,
            "the cursor moved back from {} to {}",
            self.cursor,
            status.cursor
        );
        prop_assert!(
            self.confirmed.contains(&status.cursor),
            "the cursor is at {}, which the driver never confirmed ({:?})",
            status.cursor,
            self.confirmed
        );
        self.cursor = status.cursor;
        prop_assert!(status.head >= status.cursor, "{status:?}");
        prop_assert_eq!(
            status.pending_uploads,
            self.outbox.len(),
            "an outbox entry left without an ack of its blob id"
        );

        let mut saw_acked = false;
        for effect in fx {
            match effect {
                SyncEffect::Connect => prop_assert!(status.network_up, "connect while offline"),
                SyncEffect::Disconnect => {}
                SyncEffect::ScheduleReconnect { delay_ms } => {
                    prop_assert!(status.network_up, "reconnect timer while offline");
                    prop_assert!(
                        delay_ms <= self.config.backoff_max_ms,
                        "delay {delay_ms} over the ceiling"
                    );
                }
                SyncEffect::Acked(given) => {
                    prop_assert!(!saw_acked, "two Acked effects for one event");
                    saw_acked = true;
                    prop_assert_eq!(Some(&given), acks.as_ref(), "Acked without that Ack");
                }
                SyncEffect::Apply {
                    through,
                    entries,
                    quarantined,
                } => {
                    prop_assert!(is_batch, "Apply without a batch");
                    prop_assert!(
                        self.pending_apply.is_none(),
                        "a second Apply before the first was answered"
                    );
                    check_opened(&entries, &quarantined)?;
                    if let Some(last) = batch_last {
                        // The last entry as the relay sent it, whether it
                        // opened or not: bad blobs never hold the cursor.
                        prop_assert_eq!(through, last);
                    }
                    self.pending_apply = Some(PendingApply::Batch(through));
                }
                SyncEffect::ApplyBootstrap {
                    entries,
                    quarantined,
                    upto,
                    next,
                } => {
                    prop_assert!(is_page, "ApplyBootstrap without a page");
                    prop_assert!(
                        self.pending_apply.is_none(),
                        "a second apply before the first was answered"
                    );
                    check_opened(&entries, &quarantined)?;
                    self.pending_apply = Some(PendingApply::Boot(next.is_none().then_some(upto)));
                }
                SyncEffect::Joined { role } => self.role = Some(role),
                SyncEffect::Compact { covers, .. } => {
                    prop_assert_eq!(
                        covers,
                        status.cursor,
                        "a snapshot covering what is not held"
                    );
                }
                SyncEffect::AdminReply(_) => {}
                SyncEffect::Send(frame) => {
                    let msg = ClientMsg::decode(&frame);
                    prop_assert!(msg.is_ok(), "the engine sent an unreadable frame");
                    match msg.unwrap() {
                        ClientMsg::Hello {
                            workspace,
                            device,
                            signature,
                            redeem,
                        } => {
                            prop_assert_eq!((workspace, device), (WS, ME.with(|d| *d)));
                            prop_assert!(redeem.is_none());
                            let Some((true, nonce, issued_ms)) = self.last_challenge else {
                                return Err(TestCaseError::fail(
                                    "a Hello that answers no challenge, or one naming another \
                                     origin",
                                ));
                            };
                            let challenge = AuthChallenge {
                                origin: ORIGIN,
                                nonce,
                                issued_ms,
                                workspace: WS,
                                device: ME.with(|d| *d),
                            };
                            prop_assert!(challenge.verify(&signature).is_ok());
                        }
                        ClientMsg::Push { entries } => {
                            prop_assert!(!self.push_open, "a second push while one is in flight");
                            prop_assert!(!entries.is_empty(), "an empty push");
                            prop_assert!(
                                self.role.is_some_and(Role::can_push),
                                "a push with role {:?}",
                                self.role
                            );
                            prop_assert!(
                                self.outbox.starts_with(&entries),
                                "a push that is not the head of the outbox"
                            );
                            self.push_open = true;
                            self.last_push = entries;
                        }
                        ClientMsg::Pull { after, max_bytes } => {
                            prop_assert!(!self.pull_open, "a second pull while one is open");
                            prop_assert!(
                                self.pending_apply.is_none(),
                                "a pull while a batch is being applied"
                            );
                            prop_assert_eq!(after, status.cursor);
                            prop_assert_eq!(max_bytes, self.config.pull_bytes);
                            self.pull_open = true;
                            self.last_pull = Some(after);
                        }
                        ClientMsg::Bootstrap { resume, max_bytes } => {
                            prop_assert!(!self.pull_open, "a bootstrap while a pull is open");
                            prop_assert!(
                                self.pending_apply.is_none(),
                                "a bootstrap page asked for while one is being applied"
                            );
                            prop_assert_eq!(max_bytes, self.config.pull_bytes);
                            self.pull_open = true;
                            self.last_bootstrap = Some(resume);
                        }
                        other => {
                            return Err(TestCaseError::fail(format!(
                                "an admin request nobody asked for: {other:?}"
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// What reaches the driver as plaintext is what a pool entry sealed (its
/// doc id's byte, repeated), never one of the damaged lengths.
fn check_opened(entries: &[OpenedEntry], quarantined: &[Quarantined]) -> Result<(), TestCaseError> {
    for e in entries {
        let byte = e.header.doc_id.0[0];
        prop_assert!(
            e.plaintext.iter().all(|b| *b == byte)
                && e.plaintext.len() != 13
                && e.plaintext.len() != 14,
            "a damaged or foreign entry reached the driver: {:?}",
            e
        );
    }
    for q in quarantined {
        prop_assert!(!q.error.to_string().is_empty());
    }
    Ok(())
}

fn run_engine(plan: &EnginePlan) -> Result<(), TestCaseError> {
    let config = SyncConfig {
        push_body_bytes: plan.push_body_bytes,
        pull_bytes: plan.pull_bytes,
        ..SyncConfig::default()
    };
    let outbox: Vec<NewEntry> = plan
        .outbox
        .iter()
        .map(|&(blob, len)| pool_entry(blob, len))
        .collect();
    let cursor = Seq(plan.cursor);
    let setup = SyncSetup {
        sealer: sealer(),
        origin: ORIGIN.into(),
        cursor,
        outbox: outbox.clone(),
        bootstrap: None,
        redeem: None,
    };
    let mut d = Driver {
        engine: SyncEngine::new(config.clone(), setup),
        rng: StdRng::seed_from_u64(plan.seed),
        now: 0,
        config,
        outbox,
        confirmed: BTreeSet::from([cursor]),
        cursor,
        pending_apply: None,
        last_push: Vec::new(),
        last_pull: None,
        last_bootstrap: None,
        last_challenge: None,
        last_boot_final: None,
        push_open: false,
        pull_open: false,
        role: None,
    };
    for ev in &plan.events {
        let event = match ev.clone() {
            Ev::NetworkUp => SyncEvent::NetworkUp,
            Ev::NetworkDown => SyncEvent::NetworkDown,
            Ev::ReconnectDue => SyncEvent::ReconnectDue,
            Ev::Opened => SyncEvent::Opened,
            Ev::Closed => SyncEvent::Closed {
                reason: "gone".into(),
            },
            Ev::Challenge { ours } => {
                let nonce = [d.now as u8; 32];
                let origin = if ours { ORIGIN } else { "https://evil.test" };
                SyncEvent::Frame(
                    ServerMsg::Challenge {
                        nonce,
                        origin: origin.into(),
                        issued_ms: d.now,
                    }
                    .encode(),
                )
            }
            Ev::Welcome {
                head,
                role,
                pruned_through,
            } => SyncEvent::Frame(
                ServerMsg::Welcome {
                    head,
                    role,
                    pruned_through,
                }
                .encode(),
            ),
            Ev::AnswerBootstrap { count, last } => {
                let resume = d.last_bootstrap.flatten();
                let upto = resume.map_or(Seq(20), |r| r.upto);
                let entries = (1..=u64::from(count))
                    .map(|i| {
                        logged(
                            Seq(i),
                            pool_entry(
                                (i % u64::from(BLOBS)) as u8,
                                match i {
                                    2 => 13,
                                    3 => 14,
                                    _ => 3,
                                },
                            ),
                        )
                    })
                    .collect();
                let next = (!last).then_some(BootstrapResume {
                    upto,
                    after_doc: DocId([count; 16]),
                });
                SyncEvent::Frame(
                    ServerMsg::BootstrapPage {
                        entries,
                        upto,
                        next,
                        docs_done: u64::from(count),
                        docs_total: 9,
                    }
                    .encode(),
                )
            }
            Ev::Garbage(bytes) => SyncEvent::Frame(bytes),
            Ev::Damaged { msg, cut, version } => {
                let mut frame = msg.encode();
                if version != PROTOCOL_VERSION && cut % 2 == 0 {
                    frame[2] = version;
                } else {
                    frame.truncate(cut % frame.len());
                }
                SyncEvent::Frame(frame)
            }
            Ev::Server(msg) => SyncEvent::Frame(msg.encode()),
            Ev::AckInFlight { all, first_seq } => {
                let n = if all { d.last_push.len() } else { 1 };
                let acks = d
                    .last_push
                    .iter()
                    .take(n)
                    .zip(first_seq..)
                    .map(|(e, s)| Acked {
                        blob_id: e.header.blob_id,
                        seq: Seq(s),
                        tail: (s % 40) as u32,
                    })
                    .collect();
                SyncEvent::Frame(ServerMsg::Ack { acks }.encode())
            }
            Ev::AnswerPull {
                count,
                extra_head,
                has_more,
            } => {
                let after = d.last_pull.unwrap_or(d.cursor).0.min(1 << 40);
                let entries: Vec<Entry> = (1..=u64::from(count))
                    .map(|i| logged(Seq(after + i), pool_entry((i % u64::from(BLOBS)) as u8, 3)))
                    .collect();
                let head = Seq(after + u64::from(count) + u64::from(extra_head));
                SyncEvent::Frame(
                    ServerMsg::Batch {
                        entries,
                        head,
                        has_more,
                    }
                    .encode(),
                )
            }
            Ev::Enqueue { blob, body_len } => SyncEvent::Enqueued(pool_entry(blob, body_len)),
            Ev::Apply => match d.pending_apply.take() {
                Some(PendingApply::Batch(through)) => SyncEvent::Applied { through },
                Some(PendingApply::Boot(last)) => {
                    d.last_boot_final = last;
                    SyncEvent::BootstrapApplied
                }
                None => continue,
            },
            Ev::ApplyFail => match d.pending_apply.take() {
                Some(_) => SyncEvent::ApplyFailed {
                    reason: "disk full".into(),
                },
                None => continue,
            },
        };
        d.feed(event)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn the_engine_survives_hostile_relays(plan in arb_plan()) {
        run_engine(&plan)?;
    }
}

/// The wrong-but-well-formed messages the brief names, in one fixed run:
/// nothing panics and nothing moves that should not.
#[test]
fn fixed_hostile_sequence() {
    let plan = EnginePlan {
        cursor: 3,
        outbox: vec![(1, 5), (2, 5)],
        push_body_bytes: usize::MAX,
        pull_bytes: 1000,
        seed: 1,
        events: vec![
            // A batch before any pull, and before any connection.
            Ev::Server(ServerMsg::Batch {
                entries: vec![],
                head: Seq(9),
                has_more: true,
            }),
            Ev::NetworkUp,
            Ev::Opened,
            // A welcome before the challenge, then a challenge from a relay
            // forwarding another origin's.
            Ev::Welcome {
                head: Seq(3),
                role: Role::Admin,
                pruned_through: Seq(0),
            },
            Ev::Challenge { ours: false },
            Ev::ReconnectDue,
            Ev::Opened,
            Ev::Challenge { ours: true },
            Ev::Challenge { ours: true },
            Ev::Welcome {
                head: Seq(3),
                role: Role::Documenter,
                pruned_through: Seq(0),
            },
            // Welcome twice, the second one lower.
            Ev::Welcome {
                head: Seq(1),
                role: Role::Viewer,
                pruned_through: Seq(9),
            },
            // A bootstrap page nobody asked for.
            Ev::AnswerBootstrap {
                count: 2,
                last: true,
            },
            // An ack for blobs nobody pushed.
            Ev::Server(ServerMsg::Ack {
                acks: vec![Acked {
                    blob_id: BlobId([0xee; 16]),
                    seq: Seq(4),
                    tail: 40,
                }],
            }),
            // A poke below the head, then an error, then a real poke.
            Ev::Server(ServerMsg::Poke { head: Seq(0) }),
            Ev::Server(ServerMsg::error(ErrorCode::Internal, "boom")),
            Ev::Server(ServerMsg::Poke {
                head: Seq(u64::MAX),
            }),
            // A batch whose last entry is below the cursor.
            Ev::Server(ServerMsg::Batch {
                entries: vec![logged(Seq(1), pool_entry(1, 0))],
                head: Seq(2),
                has_more: false,
            }),
            Ev::Apply,
            Ev::AckInFlight {
                all: true,
                first_seq: 5,
            },
            Ev::Garbage(b"HW\x03\x09".to_vec()),
            Ev::Closed,
        ],
    };
    run_engine(&plan).unwrap();
}
