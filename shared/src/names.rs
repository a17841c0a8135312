//! Cross-script name search (DESIGN §2, "Names").
//!
//! A documenter may type a name in Ukrainian or Russian Cyrillic, or in any
//! common Latin spelling of it, and must find the person whatever script and
//! spelling the case was entered in. The pieces, each in its own file:
//!
//! - [`transliteration`]: the official Cyrillic → Latin schemes, for display
//!   and export: the Ukrainian national system (Cabinet of Ministers
//!   resolution No. 55 of 27 January 2010), Russian passports per ICAO
//!   Doc 9303 (since 2014) and the Russian 2010–2014 passport table
//!   (GOST R 52535.1-2006).
//! - [`search_keys`](mod@search_keys): folds one name token, Cyrillic of either language or
//!   Latin, into a few compact *search keys* (a phonetic skeleton) on which
//!   the spellings of one name collide.
//! - [`given_names`]: the Ukrainian ↔ Russian given-name equivalence table
//!   (Олександр ↔ Александр), and patronymics derived from it.
//! - [`matcher`]: per-person [`NameKeys`], computed once and stored with the
//!   case summary, a parsed [`NameQuery`], its score, and [`rank`].
//!
//! Everything here is pure: no IO, no clock, no randomness.
//!
//! ```
//! use shared::names::{NameKeys, NameQuery, rank};
//!
//! let people = [
//!     ("a", NameKeys::new("Коваленко", "Олександр", "Петрович", &[])),
//!     ("b", NameKeys::new("Коваленко", "Александр", "", &[])),
//!     ("c", NameKeys::new("Шевчук", "Олена", "", &[])),
//! ];
//! let query = NameQuery::parse("Oleksandr Kovalenko");
//! let found = rank(&query, people.iter().map(|(id, keys)| (*id, keys)), 10);
//! let ids: Vec<_> = found.iter().map(|(id, _)| *id).collect();
//! assert_eq!(ids, ["a", "b"]);
//! ```

mod edit_distance;
pub mod given_names;
pub mod matcher;
pub mod search_keys;
pub mod transliteration;

pub use matcher::{KEYS_VERSION, NameKeys, NamePart, NameQuery, rank};
pub use search_keys::{search_keys, split_tokens};
pub use transliteration::{
    Scheme, russian_icao, russian_passport_2010, transliterate, ukrainian_national,
};

/// The characters typed for the Ukrainian apostrophe (and, in Latin, for a
/// soft sign): ASCII `'`, right single quotation mark, modifier letter
/// apostrophe (the recommended one), grave accent, acute accent, modifier
/// primes (ISO 9 renders ь/ъ as ʹ/ʺ), left single quotation mark and
/// modifier turned comma.
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}'
            | '\u{02BC}'
            | '`'
            | '\u{00B4}'
            | '\u{02B9}'
            | '\u{02BA}'
            | '\u{2018}'
            | '\u{02BB}'
    )
}

/// A combining diacritical mark (U+0300–U+036F).
pub(crate) fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Basic Cyrillic and its extension block (U+0400–U+04FF).
pub(crate) fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// The text's characters with the decomposed (NFD) forms that matter here
/// composed: и + breve → й, е + diaeresis → ё, і + diaeresis → ї, and
/// c/s/z + caron → č/š/ž. Other combining marks after a Cyrillic letter
/// (stress accents, as in "Ві́ктор") are dropped; after anything else they
/// are kept.
pub(crate) fn compose(text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        if is_combining(c)
            && let Some(last) = out.last_mut()
        {
            if let Some(composed) = compose_pair(*last, c) {
                *last = composed;
                continue;
            }
            if is_cyrillic(*last) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn compose_pair(base: char, mark: char) -> Option<char> {
    Some(match (base, mark) {
        ('и', '\u{0306}') => 'й',
        ('И', '\u{0306}') => 'Й',
        ('е', '\u{0308}') => 'ё',
        ('Е', '\u{0308}') => 'Ё',
        ('і', '\u{0308}') => 'ї',
        ('І', '\u{0308}') => 'Ї',
        ('c', '\u{030C}') => 'č',
        ('C', '\u{030C}') => 'Č',
        ('s', '\u{030C}') => 'š',
        ('S', '\u{030C}') => 'Š',
        ('z', '\u{030C}') => 'ž',
        ('Z', '\u{030C}') => 'Ž',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_handles_decomposed_cyrillic_and_stress_marks() {
        let s: String = compose("Андріи\u{0306} Ві\u{0301}ктор Е\u{0308}лкин Ї\u{0308}")
            .into_iter()
            .collect();
        assert_eq!(s, "Андрій Віктор Ёлкин Ї");
        let s: String = compose("c\u{030C}e\u{0301}").into_iter().collect();
        assert_eq!(s, "če\u{0301}");
    }

    #[test]
    fn apostrophes_are_recognised() {
        for c in ['\'', '’', 'ʼ', '`', '´'] {
            assert!(is_apostrophe(c), "{c}");
        }
        assert!(!is_apostrophe('-'));
    }
}
