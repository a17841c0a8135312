//! Benchmarks of the crypto every entry and every stored record pays
//! (issue 5), natively; the client's wasm tests measure the same in
//! headless Chromium.
//!
//! ```text
//! cargo bench -p homeward-shared --bench crypto             # measure
//! cargo bench -p homeward-shared --bench crypto -- --test   # smoke: each once
//! ```
//!
//! - `seal_entry` / `open_entry`: seal + sign, and verify + open, of one
//!   entry body of 300 B (a typical edit), 4 KiB (a new case) and 64 KiB
//!   (a large snapshot); throughput in bytes.
//! - `record`: `DataKey::seal_record` / `open_record` of a 4 KiB document.
//! - `argon2id`: deriving the vault key with `KdfParams::RECOMMENDED` (what
//!   an unlock costs).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

use shared::ids::{DocId, Seq, WorkspaceId};
use shared::sealing::{EntrySealer, WorkspaceKey};
use shared::signing::DeviceKey;
use shared::vault::{DataKey, KdfParams, derive_kek};
use shared::wire::EntryKind;

fn sealer() -> EntrySealer {
    EntrySealer {
        workspace: WorkspaceId([1; 16]),
        device: DeviceKey::from_secret(&[2; 32]),
        key: WorkspaceKey::from_bytes(0, [3; 32]),
    }
}

fn entries(c: &mut Criterion) {
    let s = sealer();
    let mut rng = StdRng::seed_from_u64(1);
    for size in [300usize, 4 * 1024, 64 * 1024] {
        let plaintext = vec![0x42u8; size];
        let mut group = c.benchmark_group("entry");
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(format!("seal_sign/{size}"), |b| {
            b.iter(|| {
                s.seal(
                    &mut rng,
                    DocId([4; 16]),
                    EntryKind::Change,
                    black_box(&plaintext),
                )
            })
        });
        let sealed = s.seal(&mut rng, DocId([4; 16]), EntryKind::Change, &plaintext);
        let logged = sealed.logged_at(Seq(1));
        group.bench_function(format!("verify_open/{size}"), |b| {
            b.iter(|| s.open(black_box(logged.clone())).expect("opens"))
        });
        group.finish();
    }
}

fn records(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(2);
    let key = DataKey::generate(&mut rng);
    let doc = vec![0x24u8; 4 * 1024];
    let sealed = key.seal_record(&mut rng, b"docs/x", &doc);
    let mut group = c.benchmark_group("record");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("seal/4096", |b| {
        b.iter(|| key.seal_record(&mut rng, b"docs/x", black_box(&doc)))
    });
    group.bench_function("open/4096", |b| {
        b.iter(|| {
            key.open_record(b"docs/x", black_box(&sealed))
                .expect("opens")
        })
    });
    group.finish();
}

fn argon2id(c: &mut Criterion) {
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    group.bench_function("recommended", |b| {
        b.iter(|| {
            derive_kek(
                black_box("a long test passphrase"),
                &[7; 16],
                KdfParams::RECOMMENDED,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, entries, records, argon2id);
criterion_main!(benches);
