//! The shared crypto as the browser runs it (wasm32 in headless Chromium):
//! sealed entries, the vault, the lock settings, and the figures the
//! parameters were chosen by.
//!
//! The measurement prints its figures; see them with
//! `cargo test -p homeward-client --target wasm32-unknown-unknown --test crypto -- --nocapture`.

#![cfg(target_arch = "wasm32")]

use client::browser_rng::BrowserRng;
use client::settings::{Presets, Settings};
use shared::ids::{DocId, Seq, WorkspaceId};
use shared::sealing::{EntrySealer, OpenError, SealedBody, WorkspaceKey};
use shared::signing::DeviceKey;
use shared::vault::{DataKey, KdfParams, LockedVault, VaultError, VaultSecrets, derive_kek};
use shared::wire::{Entry, EntryKind, NewEntry};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const WS: WorkspaceId = WorkspaceId([0xaa; 16]);

fn sealer() -> EntrySealer {
    EntrySealer {
        workspace: WS,
        device: DeviceKey::generate(&mut BrowserRng),
        key: WorkspaceKey::generate(&mut BrowserRng),
    }
}

fn logged(e: NewEntry) -> Entry {
    e.logged_at(Seq(1))
}

#[wasm_bindgen_test]
fn a_sealed_entry_opens_and_any_tampering_is_refused() {
    let s = sealer();
    let plaintext = "Автомерж зміни: Іваненко".as_bytes();
    let entry = s.seal(
        &mut BrowserRng,
        DocId([3; 16]),
        EntryKind::Change,
        plaintext,
    );
    assert!(
        !entry
            .body
            .as_bytes()
            .windows(plaintext.len())
            .any(|w| w == plaintext)
    );
    let opened = s.open(logged(entry.clone())).unwrap();
    assert_eq!(opened.plaintext, plaintext);
    assert_eq!(opened.header, entry.header);

    // Every flipped bit of the sealed body: the signature no longer
    // verifies. Re-signed by someone holding the device key but not the
    // workspace key: the seal still refuses it.
    let body = entry.body.as_bytes().to_vec();
    for bit in 0..body.len() * 8 {
        let mut b = body.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        let damaged = NewEntry {
            body: SealedBody::from_received(b.clone()),
            ..entry.clone()
        };
        let err = s.open(logged(damaged)).unwrap_err();
        assert!(matches!(err.error, OpenError::Signature(_)), "bit {bit}");
        let resigned = s
            .device
            .sign_entry(WS, entry.header.clone(), SealedBody::from_received(b));
        let err = s.open(logged(resigned)).unwrap_err();
        assert!(
            matches!(
                err.error,
                OpenError::Decrypt
                    | OpenError::UnknownEnvelope { .. }
                    | OpenError::Truncated { .. }
            ),
            "bit {bit}: {:?}",
            err.error
        );
    }

    // A valid body moved to another document, or replayed into another
    // workspace, does not open.
    let mut moved = entry.header.clone();
    moved.doc_id = DocId([4; 16]);
    let err = s
        .open(logged(s.device.sign_entry(WS, moved, entry.body.clone())))
        .unwrap_err();
    assert_eq!(err.error, OpenError::Decrypt);
    let other = EntrySealer {
        workspace: WorkspaceId([0xbb; 16]),
        ..s.clone()
    };
    let replayed = s
        .device
        .sign_entry(other.workspace, entry.header.clone(), entry.body.clone());
    assert_eq!(
        other.open(logged(replayed)).unwrap_err().error,
        OpenError::Decrypt
    );
    // Another workspace key: refused.
    let stranger = EntrySealer {
        key: WorkspaceKey::generate(&mut BrowserRng),
        ..s.clone()
    };
    assert_eq!(
        stranger.open(logged(entry)).unwrap_err().error,
        OpenError::Decrypt
    );
}

fn secrets(workspaces: Vec<(WorkspaceId, WorkspaceKey)>) -> VaultSecrets {
    VaultSecrets {
        device_key: DeviceKey::generate(&mut BrowserRng),
        data_key: DataKey::generate(&mut BrowserRng),
        workspaces,
    }
}

#[wasm_bindgen_test]
fn the_vault_opens_with_its_passphrase_only_and_rewrap_adds_a_workspace() {
    let params = KdfParams::INSECURE_FOR_TESTS;
    let original = secrets(vec![]);
    let (vault, kek) =
        LockedVault::create(&mut BrowserRng, "річка кіт лампа вітер", params, &original).unwrap();
    assert_eq!(vault.params().unwrap(), params);

    let (opened, _) = vault.unlock("річка кіт лампа вітер").unwrap();
    assert_eq!(
        opened.device_key.device_id(),
        original.device_key.device_id()
    );
    assert_eq!(opened.data_key, original.data_key);
    assert!(opened.workspaces.is_empty());
    assert_eq!(
        vault.unlock("річка кіт лампа вітеR").unwrap_err(),
        VaultError::WrongPassphrase
    );
    assert_eq!(vault.unlock("").unwrap_err(), VaultError::WrongPassphrase);

    // Joining a workspace: the same passphrase, one more key.
    let mut more = opened.clone();
    let ws_key = WorkspaceKey::generate(&mut BrowserRng);
    more.workspaces.push((WS, ws_key.clone()));
    let rewrapped = vault.rewrap(&mut BrowserRng, &kek, &more).unwrap();
    assert_ne!(rewrapped, vault);
    let (opened, _) = rewrapped.unlock("річка кіт лампа вітер").unwrap();
    assert_eq!(opened.workspaces, vec![(WS, ws_key)]);
    assert_eq!(opened.data_key, original.data_key);
    assert_eq!(
        rewrapped.unlock("wrong passphrase").unwrap_err(),
        VaultError::WrongPassphrase
    );

    // The stored bytes read back; damaged ones are named.
    let again = LockedVault::from_bytes(rewrapped.as_bytes().to_vec()).unwrap();
    assert_eq!(again, rewrapped);
    assert!(LockedVault::from_bytes(b"not a vault".to_vec()).is_err());
    let mut flipped = rewrapped.as_bytes().to_vec();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert_eq!(
        LockedVault::from_bytes(flipped)
            .unwrap()
            .unlock("річка кіт лампа вітер")
            .unwrap_err(),
        VaultError::WrongPassphrase
    );
}

#[wasm_bindgen_test]
fn a_record_opens_only_in_its_slot() {
    let key = DataKey::generate(&mut BrowserRng);
    let sealed = key.seal_record(&mut BrowserRng, b"docs/01", "Іваненко".as_bytes());
    assert_eq!(
        key.open_record(b"docs/01", &sealed).unwrap(),
        "Іваненко".as_bytes()
    );
    assert_eq!(
        key.open_record(b"docs/02", &sealed),
        Err(VaultError::RecordDamaged)
    );
    assert_eq!(
        DataKey::generate(&mut BrowserRng).open_record(b"docs/01", &sealed),
        Err(VaultError::RecordDamaged)
    );
}

#[wasm_bindgen_test]
fn a_settings_preset_can_lower_the_failure_limit_but_never_raise_it() {
    let none = Presets::default();
    assert_eq!(Settings::effective(None, none), Settings::DEFAULT);
    let three = Presets {
        max_failed_unlocks: Some(3),
        ..none
    };
    assert_eq!(Settings::effective(None, three).max_failed_unlocks, 3);
    let stored = Settings {
        idle_lock_minutes: 2,
        max_failed_unlocks: 5,
    };
    let many = Presets {
        max_failed_unlocks: Some(1000),
        idle_lock_minutes: Some(99),
    };
    assert_eq!(Settings::effective(Some(stored), many), stored);
    let zero = Presets {
        max_failed_unlocks: Some(0),
        ..none
    };
    assert_eq!(Settings::effective(None, zero).max_failed_unlocks, 3);

    assert_eq!(
        Settings::parse(" 7 ", "4"),
        Ok(Settings {
            idle_lock_minutes: 7,
            max_failed_unlocks: 4
        })
    );
    assert!(Settings::parse("0", "10").is_err());
    assert!(Settings::parse("5", "2").is_err());
    assert!(Settings::parse("five", "10").is_err());
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The figures `KdfParams::RECOMMENDED` was chosen by, and the cost of
/// sealing. Printed, not asserted (beyond sanity): the machine decides.
#[wasm_bindgen_test]
fn measure_argon2id_and_sealing_throughput() {
    let p = KdfParams::RECOMMENDED;
    let salt = [7u8; 16];
    let mut runs = Vec::new();
    for _ in 0..3 {
        let start = now_ms();
        derive_kek("correct horse battery staple", &salt, p).unwrap();
        runs.push(now_ms() - start);
    }
    let argon = median(runs.clone());
    console_log!(
        "MEASURE argon2id m={} KiB t={} p={}: median {:.0} ms of 3 (runs {:?} ms)",
        p.m_kib,
        p.t_cost,
        p.p_cost,
        argon,
        runs.iter().map(|r| r.round()).collect::<Vec<_>>()
    );

    // For scale: OWASP's floor (19 MiB, 2 passes).
    let floor = KdfParams {
        m_kib: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };
    let mut runs = Vec::new();
    for _ in 0..3 {
        let start = now_ms();
        derive_kek("correct horse battery staple", &salt, floor).unwrap();
        runs.push(now_ms() - start);
    }
    console_log!(
        "MEASURE argon2id OWASP floor m={} KiB t={}: median {:.0} ms of 3",
        floor.m_kib,
        floor.t_cost,
        median(runs)
    );

    const BODY: usize = 64 * 1024;
    const COUNT: usize = 128;
    let megabytes = (BODY * COUNT) as f64 / 1e6;
    let s = sealer();
    let body: Vec<u8> = (0..BODY).map(|i| (i * 31 % 251) as u8).collect();

    // Entries: seal + sign, then verify + open (what sync does).
    let start = now_ms();
    let entries: Vec<NewEntry> = (0..COUNT)
        .map(|i| {
            s.seal(
                &mut BrowserRng,
                DocId([i as u8; 16]),
                EntryKind::Change,
                &body,
            )
        })
        .collect();
    let seal_ms = now_ms() - start;
    let start = now_ms();
    for e in entries {
        assert_eq!(s.open(logged(e)).unwrap().plaintext.len(), BODY);
    }
    let open_ms = now_ms() - start;
    console_log!(
        "MEASURE entry seal+sign 64 KiB x {COUNT}: {:.1} MB/s ({seal_ms:.0} ms); verify+open: {:.1} MB/s ({open_ms:.0} ms); round trip {:.1} MB/s",
        megabytes / (seal_ms / 1e3),
        megabytes / (open_ms / 1e3),
        megabytes / ((seal_ms + open_ms) / 1e3),
    );

    // Stored records: the data key's seal and open (every IndexedDB value).
    let key = DataKey::generate(&mut BrowserRng);
    let start = now_ms();
    let sealed: Vec<Vec<u8>> = (0..COUNT)
        .map(|i| key.seal_record(&mut BrowserRng, format!("docs/{i}").as_bytes(), &body))
        .collect();
    let seal_ms = now_ms() - start;
    let start = now_ms();
    for (i, r) in sealed.iter().enumerate() {
        assert_eq!(
            key.open_record(format!("docs/{i}").as_bytes(), r)
                .unwrap()
                .len(),
            BODY
        );
    }
    let open_ms = now_ms() - start;
    console_log!(
        "MEASURE record seal 64 KiB x {COUNT}: {:.1} MB/s; open: {:.1} MB/s; round trip {:.1} MB/s",
        megabytes / (seal_ms / 1e3),
        megabytes / (open_ms / 1e3),
        megabytes / ((seal_ms + open_ms) / 1e3),
    );
    assert!(argon > 0.0);
}
