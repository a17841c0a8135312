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
/// a number, `null` or a fixed word, so nothing needs escaping. `covers` is
/// what a snapshot claims to hold (`null` for a change): with `seq` it shows
/// what the next prune may remove.
fn entry_json(entry: &EntrySummary) -> String {
    let h = &entry.header;
    let (kind, covers) = match h.kind {
        EntryKind::Change => ("change", "null".to_owned()),
        EntryKind::Snapshot { covers } => ("snapshot", covers.to_string()),
    };
    format!(
        r#"{{"workspace":"{}","seq":{},"doc_id":"{}","blob_id":"{}","kind":"{kind}","covers":{covers},"author":"{}","key_epoch":{},"body_len":{}}}"#,
        entry.workspace, entry.seq, h.doc_id, h.blob_id, h.author, h.key_epoch, entry.body_len,
    )
}

#[cfg(test)]
mod tests {
    use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
    use shared::wire::EntryHeader;

    use super::*;

    #[test]
    fn lines_are_json_with_covers_for_snapshots() {
        let mut summary = EntrySummary {
            workspace: WorkspaceId([1; 16]),
            seq: Seq(7),
            header: EntryHeader {
                doc_id: DocId([2; 16]),
                kind: EntryKind::Snapshot { covers: Seq(5) },
                blob_id: BlobId([3; 16]),
                author: DeviceId([4; 32]),
                key_epoch: 1,
            },
            body_len: 99,
        };
        let line: serde_json::Value = serde_json::from_str(&entry_json(&summary)).unwrap();
        assert_eq!(line["kind"], "snapshot");
        assert_eq!(line["covers"], 5);
        assert_eq!(line["seq"], 7);
        assert_eq!(line["body_len"], 99);
        assert_eq!(line["author"], "04".repeat(32));
        summary.header.kind = EntryKind::Change;
        let line: serde_json::Value = serde_json::from_str(&entry_json(&summary)).unwrap();
        assert_eq!(line["kind"], "change");
        assert!(line["covers"].is_null());
    }
}
