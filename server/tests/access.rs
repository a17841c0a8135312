//! Who may do what on the relay: the signed handshake, membership, roles,
//! revocation, invites and the setup code, and entry signatures. The relay
//! in-process on a free port with a temporary SQLite directory, real
//! WebSocket clients, real Ed25519 device keys.

mod common;

use std::time::Duration;

use server::log_store::LogStore;
use server::sqlite_store::SqliteStore;
use shared::ids::{Seq, WorkspaceId};
use shared::sealing::SealedBody;
use shared::signing::AuthChallenge;
use shared::wire::{ClientMsg, ErrorCode, Redeem, Role, ServerMsg};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use common::*;

const OTHER_WS: WorkspaceId = WorkspaceId([0x6b; 16]);

/// The head of `workspace` as stored, read past the relay.
fn stored_head(relay: &Relay, workspace: WorkspaceId) -> Seq {
    let store = SqliteStore::open(&relay.data_dir).unwrap();
    store.log_state(workspace).unwrap().head
}

#[tokio::test]
async fn nothing_happens_before_the_handshake_is_done() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--handshake-timeout", "300ms"]).await;
    relay.enrol(WS, &key(1), Role::Admin);

    let mut push_first = relay.connect().await;
    push_first
        .send(&ClientMsg::Push {
            entries: vec![entry(1, 50)],
        })
        .await;
    push_first
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;

    let mut pull_first = relay.connect().await;
    pull_first
        .send(&ClientMsg::Pull {
            after: Seq::ZERO,
            max_bytes: 1024,
        })
        .await;
    pull_first
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;

    // An unsigned Hello proves nothing...
    let mut unsigned = relay.connect().await;
    unsigned
        .send(&ClientMsg::Hello {
            workspace: WS,
            device: device(1),
            signature: shared::signing::Signature([0; 64]),
            redeem: None,
        })
        .await;
    unsigned
        .expect_error_and_close(ErrorCode::Unauthenticated)
        .await;

    // ... a socket that never says Hello times out, counted from opening
    // (when the challenge went out), with a code that is not final ...
    let started = std::time::Instant::now();
    let mut silent = relay.connect().await;
    let message = silent
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert!(message.contains("no Hello within"), "{message}");
    assert!(!ErrorCode::HandshakeRequired.is_final());

    // ... and a Hello after Welcome is refused.
    let (mut twice, _) = relay.hello(1).await;
    let again = twice.hello_msg(&key(1), WS, None);
    twice.send(&again).await;
    twice
        .expect_error_and_close(ErrorCode::HandshakeRequired)
        .await;

    assert_eq!(stored_head(&relay, WS), Seq::ZERO, "nothing was stored");
    relay.stop().await;
}

#[tokio::test]
async fn a_member_of_one_workspace_is_not_let_into_another() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    relay.enrol(WS, &key(1), Role::Admin);
    relay.enrol(OTHER_WS, &key(2), Role::Admin);

    let refused = relay.login(&key(1), OTHER_WS, None).await.err();
    assert_eq!(refused.map(|r| r.0), Some(ErrorCode::NotMember));
    // A workspace that does not exist looks the same.
    let nowhere = relay
        .login(&key(1), WorkspaceId([0x77; 16]), None)
        .await
        .err();
    assert_eq!(nowhere.map(|r| r.0), Some(ErrorCode::NotMember));
    // A key nobody enrolled.
    let stranger = relay.login(&key(9), WS, None).await.err();
    assert_eq!(stranger.map(|r| r.0), Some(ErrorCode::NotMember));

    let (_, welcome) = relay.login(&key(1), WS, None).await.unwrap();
    assert_eq!(welcome.role, Role::Admin);
    relay.stop().await;
}

#[tokio::test]
async fn a_revoked_device_is_cut_off_at_once_and_refused_after() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut admin, _) = relay.hello(1).await;
    let (mut victim, _) = relay.hello(2).await;
    let (mut victim_again, _) = relay.hello(2).await;
    let (mut bystander, _) = relay.hello(3).await;
    // The same device in another workspace is not revoked there.
    relay.enrol(OTHER_WS, &key(2), Role::Admin);
    let (mut victim_elsewhere, _) = relay.login(&key(2), OTHER_WS, None).await.unwrap();

    admin.send(&ClientMsg::Revoke { device: device(2) }).await;
    assert_eq!(
        admin.recv_reply().await,
        ServerMsg::Revoked { device: device(2) }
    );
    for open in [&mut victim, &mut victim_again] {
        let message = match open.recv().await {
            ServerMsg::Error { code, message } => {
                assert_eq!(code, ErrorCode::Revoked);
                message
            }
            other => panic!("expected Error Revoked, got {other:?}"),
        };
        assert!(message.contains("removed"), "{message}");
        assert_eq!(open.expect_closed().await, Some(CloseCode::Policy));
    }

    let refused = relay.login(&key(2), WS, None).await.err();
    assert_eq!(refused.map(|r| r.0), Some(ErrorCode::Revoked));
    // A fresh invite does not bring the revoked key back.
    let (ticket, _) = admin.invite(Role::Documenter, 600).await;
    let rejoin = relay
        .login(&key(2), WS, Some(Redeem::Ticket(ticket)))
        .await
        .err();
    assert_eq!(rejoin.map(|r| r.0), Some(ErrorCode::Revoked));

    // Everyone else carries on.
    assert_eq!(
        seqs(&bystander.push(vec![bystander.entry(1, 50)]).await),
        [1]
    );
    let mine = victim_elsewhere.entry(5, 50);
    assert_eq!(seqs(&victim_elsewhere.push(vec![mine]).await), [1]);

    admin.send(&ClientMsg::ListDevices).await;
    let devices = match admin.recv_reply().await {
        ServerMsg::Devices { devices } => devices,
        other => panic!("expected Devices, got {other:?}"),
    };
    let shown = |n: u8| devices.iter().find(|d| d.device == device(n)).unwrap();
    assert_eq!(shown(1).role, Role::Admin);
    assert!(shown(1).revoked_ms.is_none());
    assert!(shown(2).revoked_ms.is_some());
    assert!(shown(3).revoked_ms.is_none());
    assert!(devices.iter().all(|d| d.device != device(9)));
    drop((admin, bystander, victim_elsewhere));
    relay.stop().await;
}

#[tokio::test]
async fn a_viewer_cannot_push_and_only_admins_administer() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut admin, _) = relay.hello(1).await;
    admin.push(vec![entry(1, 50)]).await;
    relay.enrol(WS, &key(4), Role::Viewer);

    let (mut viewer, welcome) = relay.login(&key(4), WS, None).await.unwrap();
    assert_eq!(welcome.role, Role::Viewer);
    // A viewer reads...
    let (entries, _) = viewer.pull_all(Seq::ZERO, 1 << 20).await;
    assert_eq!(entries.len(), 1);
    // ... and never writes.
    let own = viewer.entry(2, 50);
    viewer.send(&ClientMsg::Push { entries: vec![own] }).await;
    let message = viewer.expect_error_and_close(ErrorCode::Forbidden).await;
    assert!(message.contains("viewer"), "{message}");
    assert_eq!(stored_head(&relay, WS), Seq(1), "nothing stored");

    // Documenters push, but invite, list and revoke are for admins.
    let (mut documenter, _) = relay.hello(2).await;
    assert_eq!(
        seqs(&documenter.push(vec![documenter.entry(3, 50)]).await),
        [2]
    );
    let requests = [
        ClientMsg::CreateInvite {
            ticket_hash: [1; 32],
            role: Role::Admin,
            ttl_secs: 60,
        },
        ClientMsg::ListDevices,
        ClientMsg::Revoke { device: device(1) },
    ];
    for request in requests {
        let (mut documenter, _) = relay.hello(2).await;
        documenter.send(&request).await;
        documenter
            .expect_error_and_close(ErrorCode::Forbidden)
            .await;
    }
    // The refused invite registered nothing.
    let (mut viewer, _) = relay.login(&key(4), WS, None).await.unwrap();
    viewer.send(&ClientMsg::ListDevices).await;
    viewer.expect_error_and_close(ErrorCode::Forbidden).await;
    assert!(relay.login(&key(1), WS, None).await.is_ok(), "admin intact");
    drop((admin, documenter));
    relay.stop().await;
}

#[tokio::test]
async fn a_challenge_answer_is_good_for_its_own_connection_and_origin_only() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    relay.enrol(WS, &key(1), Role::Admin);
    let k = key(1);

    // Connection 1's Hello, captured and replayed on connection 2.
    let mut first = relay.connect().await;
    let captured = first.hello_msg(&k, WS, None);
    let mut second = relay.connect().await;
    assert_ne!(
        second.challenge.nonce, first.challenge.nonce,
        "every challenge is fresh"
    );
    second.send(&captured).await;
    second
        .expect_error_and_close(ErrorCode::Unauthenticated)
        .await;

    // A Hello signed for another relay's origin (what a relay forwarding
    // this one's challenge would get) does not open this one.
    let mut forwarded = relay.connect().await;
    assert_eq!(forwarded.challenge.origin, relay.origin);
    let elsewhere = k.sign_auth(&AuthChallenge {
        origin: "https://evil.example",
        nonce: forwarded.challenge.nonce,
        issued_ms: forwarded.challenge.issued_ms,
        workspace: WS,
        device: k.device_id(),
    });
    forwarded
        .send(&ClientMsg::Hello {
            workspace: WS,
            device: k.device_id(),
            signature: elsewhere,
            redeem: None,
        })
        .await;
    let message = forwarded
        .expect_error_and_close(ErrorCode::Unauthenticated)
        .await;
    assert!(message.contains(&relay.origin), "{message}");

    // Another device's key signing for device 1.
    let mut impostor = relay.connect().await;
    impostor
        .send(&ClientMsg::Hello {
            workspace: WS,
            device: k.device_id(),
            signature: impostor.challenge.sign(&key(2), WS),
            redeem: None,
        })
        .await;
    impostor
        .expect_error_and_close(ErrorCode::Unauthenticated)
        .await;

    // The captured Hello still works where it belongs, once.
    first.send(&captured).await;
    assert!(matches!(first.recv().await, ServerMsg::Welcome { .. }));

    let m = scrape(relay.addr).await;
    assert_eq!(m["homeward_errors_total{code=\"unauthenticated\"}"], 3.0);
    drop(first);
    relay.stop().await;
}

#[tokio::test]
async fn a_public_url_is_the_origin_in_challenges() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(
        data.path(),
        web.path(),
        &["--public-url", "HTTPS://Relay.Example:443/"],
    )
    .await;
    assert_eq!(relay.origin, "https://relay.example");
    relay.enrol(WS, &key(1), Role::Admin);
    // `login` checks the challenge names this origin, and signs it.
    assert!(relay.login(&key(1), WS, None).await.is_ok());
    relay.stop().await;
}

#[tokio::test]
async fn tampered_or_foreign_entries_are_refused_whole() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut client, _) = relay.hello(1).await;
    relay.enrol(WS, &key(2), Role::Documenter);

    let good = || entry(1, 60);
    let mut header_flip = entry(2, 60);
    header_flip.header.doc_id.0[3] ^= 0x10;
    let mut body_flip = entry(3, 60);
    let mut flipped = body_flip.body.clone().into_bytes();
    flipped[17] ^= 0x01;
    body_flip.body = SealedBody::from_received(flipped);
    let mut epoch_flip = entry(4, 60);
    epoch_flip.header.key_epoch ^= 1;
    // Signed by device 2 as its author: valid, but not device 1's to push.
    let foreign_author = signed_entry(&key(2), WS, 5, 60);
    // Names device 1 as author but was signed by device 2's key.
    let mut forged = signed_entry(&key(2), WS, 6, 60);
    forged.header.author = device(1);
    // Device 1's entry, signed for another workspace.
    let other_workspace = signed_entry(&key(1), OTHER_WS, 7, 60);

    for (name, bad) in [
        ("header bit", header_flip),
        ("body bit", body_flip),
        ("key epoch", epoch_flip),
        ("foreign author", foreign_author),
        ("forged author", forged),
        ("other workspace", other_workspace),
    ] {
        // The good entry first: it must not be stored either.
        client
            .send(&ClientMsg::Push {
                entries: vec![good(), bad],
            })
            .await;
        let message = client.expect_error_and_close(ErrorCode::BadSignature).await;
        assert!(message.contains("entry 1"), "{name}: {message}");
        assert!(
            message.contains("Nothing of this push"),
            "{name}: {message}"
        );
        assert_eq!(stored_head(&relay, WS), Seq::ZERO, "{name}: nothing stored");
        client = relay.hello(1).await.0;
    }
    assert_eq!(seqs(&client.push(vec![good()]).await), [1]);
    drop(client);
    relay.stop().await;
}

#[tokio::test]
async fn a_blob_pushed_three_times_is_stored_once_at_one_seq() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let (mut client, _) = relay.hello(1).await;
    client.push(vec![entry(1, 50)]).await;
    let blob = entry(7, 50);
    assert_eq!(seqs(&client.push(vec![blob.clone()]).await), [2]);
    assert_eq!(seqs(&client.push(vec![blob.clone()]).await), [2]);
    // The third time after a reconnect, batched with a new entry.
    let (mut again, head) = relay.hello(1).await;
    assert_eq!(head, Seq(2));
    assert_eq!(
        seqs(&again.push(vec![blob.clone(), entry(8, 45)]).await),
        [2, 3]
    );
    let (entries, _) = again.pull_all(Seq::ZERO, 1 << 20).await;
    let with_blob: Vec<_> = entries
        .iter()
        .filter(|e| e.header.blob_id == blob.header.blob_id)
        .collect();
    assert_eq!(with_blob.len(), 1);
    assert_eq!((with_blob[0].seq, &with_blob[0].body), (Seq(2), &blob.body));
    assert_eq!(stored_head(&relay, WS), Seq(3));
    drop((client, again));
    relay.stop().await;
}

#[tokio::test]
async fn pull_pages_return_every_entry_exactly_once() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--max-pull-page-bytes", "2000"]).await;
    let (mut a, _) = relay.hello(1).await;
    let (mut b, _) = relay.hello(2).await;
    for round in 0..10u32 {
        a.push((0..3).map(|i| a.entry(round * 10 + i, 150)).collect())
            .await;
        b.push(vec![b.entry(1000 + round, 90)]).await;
    }
    let (mut reader, _) = relay.hello(3).await;
    for page_bytes in [1, 300, 1000, u32::MAX] {
        let (entries, pages) = reader.pull_all(Seq::ZERO, page_bytes).await;
        assert_eq!(
            entries.iter().map(|e| e.seq.0).collect::<Vec<_>>(),
            (1..=40).collect::<Vec<_>>(),
            "page size {page_bytes}"
        );
        assert!(pages > 1, "page size {page_bytes}: {pages} pages");
        for e in &entries {
            e.verify(WS).unwrap();
        }
    }
    drop((a, b, reader));
    relay.stop().await;
}

#[tokio::test]
async fn the_setup_code_creates_one_workspace_once() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    let code = relay.setup_code();
    // Typed by hand: lower case, spaces instead of dashes.
    let typed = format!(" {} ", code.to_ascii_lowercase().replace('-', " "));

    let (mut admin, welcome) = relay
        .login(&key(1), WS, Some(Redeem::SetupCode(typed.clone())))
        .await
        .unwrap();
    assert_eq!(welcome.role, Role::Admin);
    assert_eq!(welcome.head, Seq::ZERO);
    // Retrying its own redemption (the Welcome was lost) still works.
    let (_, retry) = relay
        .login(&key(1), WS, Some(Redeem::SetupCode(code.clone())))
        .await
        .unwrap();
    assert_eq!(retry.role, Role::Admin);

    // Spent: neither another device nor another workspace gets in with it.
    for (k, ws) in [(2, WS), (2, OTHER_WS), (1, OTHER_WS)] {
        let refused = relay
            .login(&key(k), ws, Some(Redeem::SetupCode(code.clone())))
            .await
            .err();
        assert_eq!(refused.map(|r| r.0), Some(ErrorCode::BadTicket), "{k} {ws}");
    }
    let wrong = relay
        .login(
            &key(3),
            OTHER_WS,
            Some(Redeem::SetupCode("AAAAA-AAAAA".into())),
        )
        .await
        .err();
    assert_eq!(wrong.map(|r| r.0), Some(ErrorCode::BadTicket));

    // A new code makes a further workspace.
    let next = relay.setup_code();
    assert_ne!(next, code);
    let (_, other) = relay
        .login(&key(2), OTHER_WS, Some(Redeem::SetupCode(next)))
        .await
        .unwrap();
    assert_eq!(other.role, Role::Admin);
    assert_eq!(seqs(&admin.push(vec![entry(1, 50)]).await), [1]);
    drop(admin);
    relay.stop().await;
}

#[tokio::test]
async fn an_invite_is_one_time_bound_to_its_workspace_and_expires() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &["--max-invite-ttl", "1h"]).await;
    let (mut admin, _) = relay.hello(1).await;
    relay.enrol(OTHER_WS, &key(8), Role::Admin);

    let (ticket, expires_ms) = admin.invite(Role::Viewer, 600).await;
    let expected = now_ms() + 600_000;
    assert!((expected - 5_000..=expected).contains(&expires_ms));
    let wrong_workspace = relay
        .login(&key(2), OTHER_WS, Some(Redeem::Ticket(ticket)))
        .await
        .err();
    assert_eq!(wrong_workspace.map(|r| r.0), Some(ErrorCode::BadTicket));
    let (_, joined) = relay
        .login(&key(2), WS, Some(Redeem::Ticket(ticket)))
        .await
        .unwrap();
    assert_eq!(joined.role, Role::Viewer, "the ticket's role");
    // Once a member, the device logs in without it.
    assert!(relay.login(&key(2), WS, None).await.is_ok());
    let second_use = relay
        .login(&key(3), WS, Some(Redeem::Ticket(ticket)))
        .await
        .err();
    assert_eq!(second_use.map(|r| r.0), Some(ErrorCode::BadTicket));
    let unknown = relay
        .login(&key(3), WS, Some(Redeem::Ticket([0x42; 32])))
        .await
        .err();
    assert_eq!(unknown.map(|r| r.0), Some(ErrorCode::BadTicket));

    // The relay caps what an admin asks for.
    let (_, capped) = admin.invite(Role::Documenter, u32::MAX).await;
    assert!(capped <= now_ms() + 3_600_000, "{capped}");

    let (short, _) = admin.invite(Role::Documenter, 1).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let expired = relay
        .login(&key(3), WS, Some(Redeem::Ticket(short)))
        .await
        .err();
    assert_eq!(expired.map(|r| r.0), Some(ErrorCode::BadTicket));
    assert_eq!(
        relay.login(&key(3), WS, None).await.err().map(|r| r.0),
        Some(ErrorCode::NotMember)
    );
    drop(admin);
    relay.stop().await;
}

#[tokio::test]
async fn an_older_protocol_version_is_told_to_update() {
    let (data, web) = (tempfile::tempdir().unwrap(), web_dir());
    let relay = Relay::start(data.path(), web.path(), &[]).await;
    // Protocol 2's Hello: workspace, then a 32-byte device id; protocol 1's
    // was the same.
    let mut hello_v2 = b"HW\x02\x00".to_vec();
    hello_v2.extend([0x5a; 16]);
    hello_v2.extend([0x01; 32]);
    let mut hello_v1 = hello_v2.clone();
    hello_v1[2] = 1;
    for frame in [
        hello_v2,
        hello_v1,
        b"HW\x01".to_vec(),
        b"HW\x04\x00".to_vec(),
    ] {
        let mut client = relay.connect().await;
        client.send_raw(frame).await;
        let message = client
            .expect_error_and_close(ErrorCode::UnsupportedVersion)
            .await;
        assert!(message.contains("update"), "{message}");
    }
    relay.stop().await;
}
