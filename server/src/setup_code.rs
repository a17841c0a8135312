//! The relay's one-time setup code: whoever presents it creates a workspace
//! and becomes its first admin.
//!
//! The store keeps only its SHA-256. The code is typed by hand from a log
//! line or a terminal, so it uses an alphabet without look-alikes (no I, O,
//! 0 or 1), is grouped for reading aloud, and is compared after
//! [`normalise`], which forgives case, dashes and spaces.

use std::path::Path;

use rand::RngCore;
use shared::signing::secret_hash;

use crate::error::ServerError;
use crate::log_store::LogStore;
use crate::sqlite_store::{DB_FILE, SqliteStore};

/// 32 symbols, so each random byte's low five bits pick one without bias.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// 20 symbols of 5 bits: 100 bits, far beyond guessing over a socket.
const GROUPS: usize = 4;
const GROUP_LEN: usize = 5;

/// A fresh code, `XXXXX-XXXXX-XXXXX-XXXXX`.
pub fn generate(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; GROUPS * GROUP_LEN];
    rng.fill_bytes(&mut bytes);
    let mut code = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % GROUP_LEN == 0 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    code
}

/// The code as compared: trimmed, upper case, without dashes and spaces.
pub fn normalise(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What the store keeps of a code.
pub fn code_hash(code: &str) -> [u8; 32] {
    secret_hash(normalise(code).as_bytes())
}

/// Makes a new code and stores its hash in `store`, replacing any unspent
/// one. The caller shows the code to the operator, and nowhere else.
pub fn issue(store: &dyn LogStore, now_ms: i64) -> Result<String, ServerError> {
    let code = generate(&mut rand::rng());
    store.set_setup_code(code_hash(&code), now_ms)?;
    Ok(code)
}

/// `homeward-server setup-code`: [`issue`] on the store in `data_dir`,
/// which may be serving at the same time. The database must exist: a
/// mistyped `--data-dir` would otherwise get a code nobody's relay knows,
/// and a relay's first start replaces the code anyway.
pub fn issue_in(data_dir: &Path) -> Result<String, ServerError> {
    let path = data_dir.join(DB_FILE);
    if !path.is_file() {
        return Err(ServerError::NoDatabase { path });
    }
    let store = SqliteStore::open(data_dir)?;
    issue(&store, crate::now_ms())
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn codes_are_grouped_unambiguous_and_forgiving() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let code = generate(&mut rng);
        assert_eq!(code.len(), 23);
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 4);
        for group in groups {
            assert_eq!(group.len(), 5);
            assert!(group.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
        }
        assert_ne!(generate(&mut rng), code);

        let typed = format!("  {} ", code.to_ascii_lowercase().replace('-', " "));
        assert_eq!(normalise(&typed), code.replace('-', ""));
        assert_eq!(code_hash(&typed), code_hash(&code));
        assert_ne!(code_hash(&code[1..]), code_hash(&code));
    }

    #[test]
    fn the_alphabet_has_no_look_alikes_or_repeats() {
        let set: std::collections::BTreeSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 32);
        for confusable in *b"01IO" {
            assert!(!set.contains(&confusable));
        }
    }
}
