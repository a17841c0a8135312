//! Case summaries kept in pages, as the browser client stores them (and
//! `idb_seed` writes them for benchmarks): every summary whose doc id
//! starts with the same byte lives in one record of the IndexedDB
//! `summaries` store, keyed by that byte in hex (`00` … `ff`, at most 256
//! records).
//!
//! Why pages: IndexedDB pays per record. In Chromium, reading 10⁵ records
//! of 250 bytes took about a second; the same 25 MB as 256 records of
//! 100 KB took 55–80 ms, and as 4,096 records of 6 KB 190–450 ms (measured
//! side by side in the benchmark's Chromium). So: as few records as
//! possible, with a page small enough to rewrite on every edit (a local
//! edit reads, changes and writes one page: ~100 KB at 10⁵ cases, a few
//! milliseconds). A batch from the relay rewrites each page it touches:
//! bootstrap pages come in doc-id order, so a bootstrap page touches one or
//! two; a catch-up batch (log order) touches up to all of them once. Doc
//! ids are random, so pages fill evenly; and a page's key is the prefix of
//! its documents' keys in `docs`, so a page can be rebuilt from the
//! documents in one key range.
//!
//! A page's plaintext (format 1): the byte `1`, then the postcard encoding
//! of `Vec<CaseSummary>`, sorted by doc id, one summary per doc id.

use crate::case_summary::CaseSummary;
use crate::ids::DocId;

/// The format byte that starts every page's plaintext.
pub const PAGE_FORMAT: u8 = 1;
/// Hex digits of the doc id that name its page.
pub const PAGE_KEY_DIGITS: usize = 2;

/// The page of `doc_id`: the first [`PAGE_KEY_DIGITS`] hex digits of its id.
pub fn page_key(doc_id: &DocId) -> String {
    let mut key = doc_id.to_hex();
    key.truncate(PAGE_KEY_DIGITS);
    key
}

/// Whether a key of the `summaries` store names a page (the version-4
/// records there were keyed by whole doc ids).
pub fn is_page_key(key: &str) -> bool {
    key.len() == PAGE_KEY_DIGITS && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The upper bound (exclusive) of the doc-id keys in page `key`: every
/// lower-case hex digit sorts below `g`.
pub fn page_key_end(key: &str) -> String {
    format!("{key}g")
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    #[error("the page is empty")]
    Empty,
    #[error("page format {0} is not one this app reads")]
    Format(u8),
    #[error("the page does not decode: {0}")]
    Decode(String),
}

pub fn encode(summaries: &[CaseSummary]) -> Vec<u8> {
    let mut out = vec![PAGE_FORMAT];
    // Owned strings and fixed-size fields: encoding cannot fail.
    out.extend(postcard::to_stdvec(summaries).unwrap_or_default());
    out
}

pub fn decode(bytes: &[u8]) -> Result<Vec<CaseSummary>, PageError> {
    match bytes.split_first() {
        None => Err(PageError::Empty),
        Some((&PAGE_FORMAT, rest)) => {
            postcard::from_bytes(rest).map_err(|e| PageError::Decode(e.to_string()))
        }
        Some((&other, _)) => Err(PageError::Format(other)),
    }
}

/// Puts `summary` into `page` (sorted by doc id), replacing the one of the
/// same doc id.
pub fn upsert(page: &mut Vec<CaseSummary>, summary: CaseSummary) {
    match page.binary_search_by(|s| s.doc_id.cmp(&summary.doc_id)) {
        Ok(i) => page[i] = summary,
        Err(i) => page.insert(i, summary),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Case, Category};

    fn summary(first: u8, last: u8, surname: &str) -> CaseSummary {
        let mut id = [0u8; 16];
        id[0] = first;
        id[15] = last;
        let case = Case::minimal(surname, "Ганна", "", Category::CivilianDetainee);
        CaseSummary::of(DocId(id), &case, 0, 1)
    }

    #[test]
    fn a_doc_id_belongs_to_the_page_named_by_its_first_hex_digits() {
        let s = summary(0xab, 1, "Бондар");
        let key = page_key(&s.doc_id);
        assert_eq!(key, "ab");
        assert!(is_page_key(&key));
        assert!(s.doc_id.to_hex().as_str() >= key.as_str());
        assert!(s.doc_id.to_hex() < page_key_end(&key));
        assert!(!is_page_key(&s.doc_id.to_hex()), "a version-4 key");
        assert!(!is_page_key("AB") && !is_page_key("ag") && !is_page_key("ab0"));
    }

    #[test]
    fn a_page_round_trips_sorted_with_one_summary_per_doc() {
        let mut page = Vec::new();
        upsert(&mut page, summary(0xab, 9, "Шевчук"));
        upsert(&mut page, summary(0xab, 2, "Коваль"));
        upsert(&mut page, summary(0xab, 9, "Мельник"));
        let names: Vec<&str> = page.iter().map(|s| s.surname.as_str()).collect();
        assert_eq!(names, ["Коваль", "Мельник"]);
        assert_eq!(decode(&encode(&page)).unwrap(), page);
        assert_eq!(decode(&encode(&[])).unwrap(), Vec::new());
    }

    #[test]
    fn an_unknown_format_or_damaged_page_is_an_error() {
        let mut bytes = encode(&[summary(1, 1, "Ткаченко")]);
        assert_eq!(decode(&[]), Err(PageError::Empty));
        bytes[0] = 2;
        assert_eq!(decode(&bytes), Err(PageError::Format(2)));
        bytes[0] = PAGE_FORMAT;
        bytes.truncate(bytes.len() - 3);
        assert!(matches!(decode(&bytes), Err(PageError::Decode(_))));
    }
}
