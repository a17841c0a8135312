//! `homeward-server list-entries`: what the relay holds, for operators and
//! tests. Prints ids and sizes only; bodies are sealed and stay in the store.

use std::io::Write;
use std::path::Path;

use shared::wire::EntryKind;

use crate::error::ServerError;
use crate::log_store::{EntrySummary, LogStore, StoreError};
use crate::sqlite_store::{DB_FILE, SqliteStore};

/// Writes one JSON object per stored entry and line to `out`.
pub fn list_entries(data_dir: &Path, out: &mut dyn Write) -> Result<(), ServerError> {
    let path = data_dir.join(DB_FILE);
    // Opening would create an empty store, hiding a mistyped --data-dir.
    if !path.is_file() {
        return Err(ServerError::NoDatabase { path });
    }
    let store = SqliteStore::open(data_dir)?;
    store.list_all(&mut |entry| writeln!(out, "{}", entry_json(&entry)))?;
    out.flush()
        .map_err(|source| ServerError::Storage(StoreError::Output(source)))
}

/// Formatted by hand to keep the documented key order; every value is hex,
/// a number or a fixed word, so nothing needs escaping.
fn entry_json(entry: &EntrySummary) -> String {
    let h = &entry.header;
    let kind = match h.kind {
        EntryKind::Change => "change",
        EntryKind::Snapshot => "snapshot",
    };
    format!(
        r#"{{"workspace":"{}","seq":{},"doc_id":"{}","blob_id":"{}","kind":"{kind}","author":"{}","key_epoch":{},"body_len":{}}}"#,
        entry.workspace, entry.seq, h.doc_id, h.blob_id, h.author, h.key_epoch, entry.body_len,
    )
}
