//! Matching a typed query against the stored names of many people.
//!
//! # Keys, once per person
//!
//! [`NameKeys::new`] splits the surname, given names, patronymic and aliases
//! into tokens (hyphenated double surnames give one token per part), folds
//! each into its [search keys](mod@super::search_keys) and looks up its
//! [given-name group](super::given_names). The result is a few dozen bytes,
//! serde-serialisable, meant to be stored next to the case summary so that
//! searching never touches a case document. [`KEYS_VERSION`] changes whenever
//! the folding does; stored keys with another version should be rebuilt
//! ([`NameKeys::is_current`]).
//!
//! # Scoring
//!
//! [`NameQuery::parse`] tokenises and folds the query once. A person matches
//! only if *every* query token matches a *different* name token (so word
//! order does not matter, and "Ivan Ivanov" does not match "Іванов Петро" by
//! using the surname twice). A query token matches a name token with the
//! best of these qualities:
//!
//! | quality | points | when |
//! |---|---|---|
//! | exact | 100 | a key of the query token equals a key of the name token |
//! | group | 90 | same given-name (or patronymic) group: Oleksandr ~ Александр |
//! | prefix | 60 | the query token has 3+ letters and its key starts the name key ("Kov", typing as you search) |
//! | typo, 1 | 50 | Damerau–Levenshtein distance 1 between keys of 4+ symbols |
//! | typo, 2 | 35 | distance 2 between keys of 8+ symbols |
//! | initial | 20 | a one-letter query token ("О.") starts the name key |
//!
//! multiplied by the weight of the name part it matched: surname 3, given
//! name and alias 2, patronymic 1. The score is the sum over query tokens,
//! maximised over the ways of pairing query tokens with distinct name tokens
//! (a tiny branch-and-bound search: queries have a handful of tokens). Higher
//! is better.
//!
//! # Cost
//!
//! For a query of q tokens with k keys each, and a person with t name tokens
//! of at most [`MAX_KEYS_PER_TOKEN`](super::search_keys::MAX_KEYS_PER_TOKEN)
//! keys (usually one), scoring costs O(q·t·k) key comparisons of at most
//! [`MAX_KEY_LEN`](super::search_keys::MAX_KEY_LEN) bytes; the edit distance
//! (O(L²) with L ≤ 24, on the stack) runs only for key pairs that pass two
//! cheap filters, the length difference and the symbol-set difference (each
//! edit adds or removes at most one distinct symbol). A person is rejected as
//! soon as one query token has no candidate. Scoring allocates nothing, so
//! [`rank`] over n people is O(n·q·t·k) plus the bounded selection of the
//! best `limit` (O(n) expected, O(limit·log limit) to sort them).

use serde::{Deserialize, Serialize};

use super::edit_distance::within;
use super::given_names::group_of_keys;
use super::search_keys::{search_keys, split_tokens};

/// The version of the key derivation; stored in every [`NameKeys`].
pub const KEYS_VERSION: u8 = 1;

/// Name tokens kept per person (all parts and aliases together).
pub const MAX_NAME_TOKENS: usize = 64;

/// Query tokens considered (more are ignored).
pub const MAX_QUERY_TOKENS: usize = 8;

const EXACT: u32 = 100;
const GROUP: u32 = 90;
const PREFIX: u32 = 60;
const TYPO_1: u32 = 50;
const TYPO_2: u32 = 35;
const INITIAL: u32 = 20;

/// Candidate name tokens remembered per query token while scoring.
const MAX_CANDIDATES: usize = 6;

/// Which part of the name a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NamePart {
    Surname,
    GivenName,
    Patronymic,
    Alias,
}

impl NamePart {
    /// How much a match on this part counts.
    pub fn weight(self) -> u32 {
        match self {
            NamePart::Surname => 3,
            NamePart::GivenName | NamePart::Alias => 2,
            NamePart::Patronymic => 1,
        }
    }
}

/// The search keys of one person's names, computed once
/// ([`NameKeys::new`]) and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameKeys {
    version: u8,
    /// Every key of every token, concatenated (ASCII).
    text: String,
    /// The length of each key in `text`, in order.
    key_lens: Vec<u8>,
    tokens: Vec<TokenEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct TokenEntry {
    part: NamePart,
    /// Given-name or patronymic group, 0 for none.
    group: u16,
    /// How many consecutive entries of `key_lens` are this token's.
    keys: u8,
}

impl Default for NameKeys {
    fn default() -> Self {
        NameKeys {
            version: KEYS_VERSION,
            text: String::new(),
            key_lens: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

impl NameKeys {
    /// The keys of a person's names, each field as entered (any script).
    /// `given_names` may hold several names; each alias may be a full name.
    pub fn new(surname: &str, given_names: &str, patronymic: &str, aliases: &[&str]) -> NameKeys {
        let mut keys = NameKeys::default();
        let mut seen: Vec<(NamePart, Vec<String>)> = Vec::new();
        let fields = [
            (surname, NamePart::Surname),
            (given_names, NamePart::GivenName),
            (patronymic, NamePart::Patronymic),
        ];
        let aliases = aliases.iter().map(|alias| (*alias, NamePart::Alias));
        for (text, part) in fields.into_iter().chain(aliases) {
            for token in split_tokens(text) {
                if keys.tokens.len() == MAX_NAME_TOKENS {
                    return keys;
                }
                let token_keys = search_keys(token);
                if token_keys.is_empty() || seen.iter().any(|(p, k)| *p == part && *k == token_keys)
                {
                    continue;
                }
                let group = group_of_keys(&token_keys).unwrap_or(0);
                for key in &token_keys {
                    keys.text.push_str(key);
                    // Keys are at most MAX_KEY_LEN (24) bytes.
                    keys.key_lens.push(key.len() as u8);
                }
                keys.tokens.push(TokenEntry {
                    part,
                    group,
                    keys: token_keys.len() as u8,
                });
                seen.push((part, token_keys));
            }
        }
        keys
    }

    /// Whether these keys were derived by this version of the folding.
    pub fn is_current(&self) -> bool {
        self.version == KEYS_VERSION
    }

    /// Whether there is nothing to match (no name had a letter).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens: their part, group (0 for none) and keys. For inspection
    /// and tests; scoring walks the same data without allocating.
    pub fn tokens(&self) -> impl Iterator<Item = (NamePart, u16, Vec<&str>)> {
        self.views().map(|view| {
            let keys = view
                .keys()
                .map(|key| std::str::from_utf8(key).unwrap_or(""))
                .collect();
            (view.part, view.group, keys)
        })
    }

    fn views(&self) -> TokenViews<'_> {
        TokenViews {
            keys: self,
            token: 0,
            key: 0,
            offset: 0,
        }
    }
}

/// Walks the tokens of a [`NameKeys`]; stops early on malformed data
/// (lengths that run past the text), never panics.
struct TokenViews<'a> {
    keys: &'a NameKeys,
    token: usize,
    key: usize,
    offset: usize,
}

#[derive(Debug, Clone, Copy)]
struct TokenView<'a> {
    part: NamePart,
    group: u16,
    /// This token's keys, concatenated, and their lengths.
    text: &'a [u8],
    lens: &'a [u8],
}

impl<'a> Iterator for TokenViews<'a> {
    type Item = TokenView<'a>;

    fn next(&mut self) -> Option<TokenView<'a>> {
        let entry = self.keys.tokens.get(self.token)?;
        let lens = self
            .keys
            .key_lens
            .get(self.key..self.key + usize::from(entry.keys))?;
        let len: usize = lens.iter().map(|&l| usize::from(l)).sum();
        let text = self
            .keys
            .text
            .as_bytes()
            .get(self.offset..self.offset + len)?;
        self.token += 1;
        self.key += lens.len();
        self.offset += len;
        Some(TokenView {
            part: entry.part,
            group: entry.group,
            text,
            lens,
        })
    }
}

impl<'a> TokenView<'a> {
    fn keys(self) -> impl Iterator<Item = &'a [u8]> {
        let mut rest = self.text;
        self.lens.iter().map(move |&len| {
            let (key, tail) = rest.split_at(usize::from(len).min(rest.len()));
            rest = tail;
            key
        })
    }
}

/// A parsed query: each token folded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQuery {
    tokens: Vec<QueryToken>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct QueryToken {
    /// Search keys, primary first, with their symbol masks.
    keys: Vec<(Vec<u8>, u32)>,
    /// Keys that may match as a prefix: empty below three letters; else the
    /// keys, plus the key without a trailing letter that may be the start of
    /// a digraph still being typed ("Shevc" → also "Shev").
    prefixes: Vec<Vec<u8>>,
    /// A one-letter token: an initial.
    initial: bool,
    group: u16,
}

impl NameQuery {
    /// Tokenises and folds `text` (at most [`MAX_QUERY_TOKENS`] tokens;
    /// tokens without a Cyrillic or Latin letter are ignored).
    pub fn parse(text: &str) -> NameQuery {
        let mut tokens: Vec<QueryToken> = split_tokens(text)
            .filter_map(QueryToken::new)
            .take(MAX_QUERY_TOKENS)
            .collect();
        // Most selective (longest) first, so that most people are rejected
        // after the first token.
        tokens.sort_by_key(|t| std::cmp::Reverse(t.keys.first().map_or(0, |(k, _)| k.len())));
        NameQuery { tokens }
    }

    /// Whether the query has no usable token (it then matches nobody).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// How well `keys` match, higher is better, or `None` when some query
    /// token matches no name token. See the module documentation.
    pub fn score(&self, keys: &NameKeys) -> Option<u32> {
        if self.tokens.is_empty() {
            return None;
        }
        let mut candidates = [[Candidate::default(); MAX_CANDIDATES]; MAX_QUERY_TOKENS];
        let mut counts = [0usize; MAX_QUERY_TOKENS];
        for (q, token) in self.tokens.iter().enumerate() {
            for (t, view) in keys.views().enumerate().take(MAX_NAME_TOKENS) {
                let quality = token.quality(view);
                if quality > 0 {
                    insert(
                        &mut candidates[q],
                        &mut counts[q],
                        Candidate {
                            token: t as u8,
                            points: quality * view.part.weight(),
                        },
                    );
                }
            }
            if counts[q] == 0 {
                return None;
            }
        }
        best_assignment(
            &candidates[..self.tokens.len()],
            &counts[..self.tokens.len()],
        )
    }
}

impl QueryToken {
    fn new(token: &str) -> Option<QueryToken> {
        let keys = search_keys(token);
        if keys.is_empty() {
            return None;
        }
        let letters = token.chars().filter(|c| c.is_alphabetic()).count();
        let mut prefixes = Vec::new();
        if letters >= 3 {
            prefixes.extend(keys.iter().map(|k| k.as_bytes().to_vec()));
            let last = token.char_indices().rev().find(|(_, c)| c.is_alphabetic());
            if letters >= 4
                && let Some((cut, last)) = last
                && "cgkpstzCGKPSTZ".contains(last)
            {
                for key in search_keys(&token[..cut]) {
                    if key.len() >= 2 && !prefixes.iter().any(|p| *p == key.as_bytes()) {
                        prefixes.push(key.into_bytes());
                    }
                }
            }
        }
        Some(QueryToken {
            group: group_of_keys(&keys).unwrap_or(0),
            keys: keys
                .into_iter()
                .map(|k| {
                    let mask = mask(k.as_bytes());
                    (k.into_bytes(), mask)
                })
                .collect(),
            prefixes,
            initial: letters == 1,
        })
    }

    /// The best quality of a match with one name token (0: none).
    fn quality(&self, view: TokenView<'_>) -> u32 {
        let mut best = if self.group != 0 && self.group == view.group {
            GROUP
        } else {
            0
        };
        for name_key in view.keys() {
            if self.keys.iter().any(|(k, _)| k.as_slice() == name_key) {
                return EXACT;
            }
            if best >= PREFIX {
                continue;
            }
            if self.initial {
                if self.keys.iter().any(|(k, _)| name_key.starts_with(k)) {
                    best = best.max(INITIAL);
                }
                continue;
            }
            if self
                .prefixes
                .iter()
                .any(|p| name_key.len() > p.len() && name_key.starts_with(p))
            {
                best = PREFIX;
                continue;
            }
            if best >= TYPO_1 {
                continue;
            }
            let mut name_mask = None;
            for (key, key_mask) in &self.keys {
                let max = match key.len() {
                    0..=3 => continue,
                    4..=7 => 1,
                    _ => 2,
                };
                if key.len().abs_diff(name_key.len()) > max {
                    continue;
                }
                let name_mask = *name_mask.get_or_insert_with(|| mask(name_key));
                if (key_mask & !name_mask).count_ones() as usize > max
                    || (name_mask & !key_mask).count_ones() as usize > max
                {
                    continue;
                }
                match within(key, name_key, max) {
                    Some(0 | 1) => best = best.max(TYPO_1),
                    Some(_) => best = best.max(TYPO_2),
                    None => {}
                }
            }
        }
        best
    }
}

/// The set of symbols in a key, one bit each (a–z, then C, S, Z).
fn mask(key: &[u8]) -> u32 {
    key.iter().fold(0, |mask, &b| {
        let bit = match b {
            b'a'..=b'z' => b - b'a',
            b'C' => 26,
            b'S' => 27,
            b'Z' => 28,
            _ => 31,
        };
        mask | 1 << bit
    })
}

#[derive(Debug, Clone, Copy, Default)]
struct Candidate {
    /// Index of the name token.
    token: u8,
    points: u32,
}

/// Keeps the best `MAX_CANDIDATES`, sorted by points, best first.
fn insert(list: &mut [Candidate; MAX_CANDIDATES], count: &mut usize, c: Candidate) {
    let mut at = *count;
    while at > 0 && list[at - 1].points < c.points {
        at -= 1;
    }
    if at == MAX_CANDIDATES {
        return;
    }
    let end = (*count).min(MAX_CANDIDATES - 1);
    list.copy_within(at..end, at + 1);
    list[at] = c;
    *count = (*count + 1).min(MAX_CANDIDATES);
}

/// The highest total over assignments of distinct name tokens to the query
/// tokens, by depth-first branch and bound (candidates are sorted, so the
/// first complete assignment is usually the best). The search is capped;
/// past the cap the best assignment found so far stands.
fn best_assignment(candidates: &[[Candidate; MAX_CANDIDATES]], counts: &[usize]) -> Option<u32> {
    // bound[q]: the most that query tokens q.. could still add.
    let mut bound = [0u32; MAX_QUERY_TOKENS + 1];
    for q in (0..candidates.len()).rev() {
        bound[q] = bound[q + 1] + candidates[q][0].points;
    }
    let mut search = Search {
        candidates,
        counts,
        bound,
        best: None,
        steps: 0,
    };
    search.go(0, 0, 0);
    search.best
}

struct Search<'a> {
    candidates: &'a [[Candidate; MAX_CANDIDATES]],
    counts: &'a [usize],
    bound: [u32; MAX_QUERY_TOKENS + 1],
    best: Option<u32>,
    steps: u32,
}

impl Search<'_> {
    const MAX_STEPS: u32 = 2_000;

    fn go(&mut self, q: usize, used: u64, total: u32) {
        if q == self.candidates.len() {
            self.best = Some(self.best.map_or(total, |b| b.max(total)));
            return;
        }
        for c in &self.candidates[q][..self.counts[q]] {
            self.steps += 1;
            if self.steps > Self::MAX_STEPS && self.best.is_some() {
                return;
            }
            if self
                .best
                .is_some_and(|b| total + c.points + self.bound[q + 1] <= b)
            {
                // Candidates are sorted: no later one does better.
                return;
            }
            let bit = 1u64 << (c.token % 64);
            if used & bit == 0 {
                self.go(q + 1, used | bit, total + c.points);
            }
        }
    }
}

/// The `limit` best-scoring items, best first; ties keep the input order.
/// Items that do not match are left out.
pub fn rank<'a, T>(
    query: &NameQuery,
    items: impl IntoIterator<Item = (T, &'a NameKeys)>,
    limit: usize,
) -> Vec<(T, u32)> {
    if limit == 0 || query.is_empty() {
        return Vec::new();
    }
    // (score, input position, item); ordered best first, then by position,
    // which makes the order total and the result stable.
    let order = |a: &(u32, usize, T), b: &(u32, usize, T)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let keep = limit.saturating_mul(2).max(64);
    let mut hits: Vec<(u32, usize, T)> = Vec::new();
    for (position, (item, keys)) in items.into_iter().enumerate() {
        if let Some(score) = query.score(keys) {
            hits.push((score, position, item));
            if hits.len() >= keep {
                hits.select_nth_unstable_by(limit - 1, order);
                hits.truncate(limit);
            }
        }
    }
    if hits.len() > limit {
        hits.select_nth_unstable_by(limit - 1, order);
        hits.truncate(limit);
    }
    hits.sort_unstable_by(order);
    hits.into_iter()
        .map(|(score, _, item)| (item, score))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (label, surname, given names, patronymic)
    type Person = (&'static str, &'static str, &'static str, &'static str);

    fn keys_of(people: &[Person]) -> Vec<(&'static str, NameKeys)> {
        people
            .iter()
            .map(|&(label, surname, given, patronymic)| {
                (label, NameKeys::new(surname, given, patronymic, &[]))
            })
            .collect()
    }

    fn search(query: &str, people: &[(&'static str, NameKeys)]) -> Vec<&'static str> {
        let query = NameQuery::parse(query);
        rank(
            &query,
            people.iter().map(|(label, keys)| (*label, keys)),
            100,
        )
        .into_iter()
        .map(|(label, _)| label)
        .collect()
    }

    fn finds(query: &str, surname: &str, given: &str) -> bool {
        NameQuery::parse(query)
            .score(&NameKeys::new(surname, given, "", &[]))
            .is_some()
    }

    const PEOPLE: &[Person] = &[
        ("uk", "Коваленко", "Олександр", "Петрович"),
        ("ru", "Коваленко", "Александр", "Петрович"),
        ("typo", "Ковалнеко", "Іван", ""),
        ("other", "Шевчук", "Олександр", ""),
        ("double", "Петренко-Ткачук", "Наталія", ""),
    ];

    #[test]
    fn latin_query_finds_both_cyrillic_forms() {
        let people = keys_of(PEOPLE);
        assert_eq!(search("Oleksandr Kovalenko", &people), ["uk", "ru"]);
        assert_eq!(search("Aleksandr Kovalenko", &people), ["ru", "uk"]);
        assert_eq!(search("Олександр Коваленко", &people), ["uk", "ru"]);
        assert_eq!(search("Alexandr Kovalenko", &people), ["ru", "uk"]);
    }

    #[test]
    fn aleksandr_finds_oleksandr() {
        assert!(finds("Aleksandr", "Коваленко", "Олександр"));
        assert!(finds("Alexander", "Коваленко", "Олександр"));
        assert!(finds("Олександр", "Kovalenko", "Aleksandr"));
    }

    #[test]
    fn natalia_spellings_find_each_other() {
        let forms = [
            "Natalia",
            "Natalya",
            "Наталья",
            "Наталія",
            "Nataliia",
            "Наталя",
            "Natalija",
        ];
        for query in forms {
            for entered in forms {
                assert!(finds(query, "Бондар", entered), "{query} → {entered}");
            }
        }
    }

    #[test]
    fn hryhorii_spellings_find_each_other() {
        let forms = [
            "Hryhorii",
            "Grigorii",
            "Григорий",
            "Григорій",
            "Grigoriy",
            "Hryhoriy",
        ];
        for query in forms {
            for entered in forms {
                assert!(finds(query, "Мельник", entered), "{query} → {entered}");
            }
        }
    }

    #[test]
    fn yurii_spellings_find_each_other() {
        let forms = ["Iurii", "Yurii", "Yuri", "Юрій", "Юрий", "Yuriy", "Jurij"];
        for query in forms {
            for entered in forms {
                assert!(finds(query, "Бондаренко", entered), "{query} → {entered}");
            }
        }
    }

    #[test]
    fn given_name_equivalents_across_languages() {
        for (query, entered) in [
            ("Mykola", "Николай"),
            ("Nikolai", "Микола"),
            ("Hanna", "Анна"),
            ("Anna", "Ганна"),
            ("Yevhen", "Евгений"),
            ("Evgeny", "Євген"),
            ("Petro", "Пётр"),
            ("Pyotr", "Петро"),
            ("Dmytro", "Дмитрий"),
            ("Sergei", "Сергій"),
            ("Olena", "Елена"),
            ("Kateryna", "Екатерина"),
            ("Vasyl", "Василий"),
            ("Svitlana", "Светлана"),
            ("Liudmyla", "Людмила"),
        ] {
            assert!(finds(query, "Мельник", entered), "{query} → {entered}");
        }
    }

    #[test]
    fn typo_is_found_below_exact() {
        let people = keys_of(PEOPLE);
        // "Kovalneko" is exactly the "typo" person, and one transposition
        // away from both Kovalenkos.
        assert_eq!(search("Kovalneko", &people), ["typo", "uk", "ru"]);
        assert_eq!(search("Kovalenko", &people), ["uk", "ru", "typo"]);
        let query = NameQuery::parse("Kovalenko");
        let exact = query.score(&people[0].1).unwrap();
        let typo = query.score(&people[2].1).unwrap();
        assert!(exact > typo);
        // Two typos in a long name.
        assert!(finds("Kovelanko", "Коваленко", ""));
        assert!(finds("Kavalenka", "Коваленко", ""));
        // Keys of three symbols tolerate no typo; of four, one.
        assert!(!finds("Bor", "Бір", ""));
        assert!(finds("Ivam", "Кравець", "Іван"));
        assert!(!finds("Ivmo", "Кравець", "Іван"));
    }

    #[test]
    fn different_surnames_do_not_match() {
        assert!(!finds("Шевченко", "Шевчук", ""));
        assert!(!finds("Shevchenko", "Шевчук", ""));
        assert!(!finds("Шевчук", "Шевченко", ""));
        assert!(!finds("Коваленко", "Ковальчук", ""));
        assert!(!finds("Oleksandr Shevchenko", "Коваленко", "Олександр"));
    }

    #[test]
    fn transliterated_surnames_with_kh_ts_shch_and_short_i() {
        for (surname, spellings) in [
            ("Хоменко", &["Khomenko", "Homenko", "Chomenko"][..]),
            (
                "Захарченко",
                &["Zakharchenko", "Zaharchenko", "Zacharčenko"],
            ),
            (
                "Цибульський",
                &["Tsybulskyi", "Tcybulskii", "Tsybulsky", "Cybulski"],
            ),
            ("Кравець", &["Kravets", "Kravetc", "Kravetz", "Kravec"]),
            (
                "Щербина",
                &["Shcherbyna", "Shcherbina", "Scherbina", "Szczerbyna"],
            ),
            ("Йосипенко", &["Yosypenko", "Iosipenko", "Josypenko"]),
            (
                "Чайковський",
                &["Chaikovskyi", "Tchaikovsky", "Tschaikowski", "Czajkowski"],
            ),
            ("Зайченко", &["Zaichenko", "Zaychenko", "Zajchenko"]),
            ("Гайовий", &["Haiovyi", "Gaiovyi", "Hayovyy", "Gajovyj"]),
        ] {
            for spelling in spellings {
                assert!(finds(spelling, surname, ""), "{spelling} → {surname}");
                assert!(finds(surname, spelling, ""), "{surname} → {spelling}");
            }
        }
    }

    #[test]
    fn double_surname_parts_are_found() {
        let people = keys_of(PEOPLE);
        assert_eq!(search("Tkachuk", &people), ["double"]);
        assert_eq!(search("Petrenko", &people), ["double"]);
        assert_eq!(search("Петренко-Ткачук", &people), ["double"]);
        assert_eq!(search("Tkachuk Nataliia", &people), ["double"]);
    }

    #[test]
    fn word_order_does_not_matter() {
        let keys = NameKeys::new("Коваленко", "Олександр", "Петрович", &[]);
        let a = NameQuery::parse("Oleksandr Kovalenko").score(&keys);
        let b = NameQuery::parse("Kovalenko Oleksandr").score(&keys);
        let c = NameQuery::parse("Petrovych Kovalenko Oleksandr").score(&keys);
        assert!(a.is_some());
        assert_eq!(a, b);
        assert!(c > a);
    }

    #[test]
    fn patronymics_match_across_languages() {
        let keys = NameKeys::new("Коваленко", "Олександр", "Александрович", &[]);
        assert!(
            NameQuery::parse("Kovalenko Oleksandrovych")
                .score(&keys)
                .is_some()
        );
        assert!(NameQuery::parse("Олександрович").score(&keys).is_some());
        // The patronymic is not the given name: one "Oleksandr" is used up
        // by the given name, the second finds nothing.
        assert!(
            NameQuery::parse("Oleksandr Oleksandr")
                .score(&keys)
                .is_none()
        );
    }

    #[test]
    fn each_name_token_is_used_once() {
        let petro = NameKeys::new("Іванов", "Петро", "", &[]);
        let ivan = NameKeys::new("Іванов", "Іван", "", &[]);
        let query = NameQuery::parse("Ivan Ivanov");
        assert_eq!(query.score(&petro), None);
        assert!(query.score(&ivan).is_some());
    }

    #[test]
    fn prefix_matches_while_typing() {
        let people = keys_of(PEOPLE);
        assert_eq!(search("Kov", &people), ["uk", "ru", "typo"]);
        assert_eq!(search("Ko", &people), Vec::<&str>::new());
        assert_eq!(search("Shevc", &people), ["other"]);
        assert_eq!(search("Шевч", &people), ["other"]);
        assert_eq!(search("Oleksandr Kov", &people), ["uk", "ru"]);
        let keys = NameKeys::new("Коваленко", "", "", &[]);
        let prefix = NameQuery::parse("Kovalen").score(&keys).unwrap();
        let exact = NameQuery::parse("Kovalenko").score(&keys).unwrap();
        assert!(prefix < exact);
    }

    #[test]
    fn initials_match_weakly() {
        let people = keys_of(PEOPLE);
        // Initials compare folded keys: О is not the А of Александр.
        assert_eq!(search("О. Коваленко", &people), ["uk"]);
        assert_eq!(search("A. Kovalenko", &people), ["ru"]);
        assert_eq!(search("O Kovalenko", &people), ["uk"]);
        assert_eq!(search("I. Kovalneko", &people), ["typo"]);
    }

    #[test]
    fn surname_matches_weigh_more() {
        let people = keys_of(&[
            ("given", "Петренко", "Роман", ""),
            ("surname", "Роман", "Іван", ""),
            ("patronymic", "Петренко", "Іван", "Роман"),
        ]);
        assert_eq!(search("Roman", &people), ["surname", "given", "patronymic"]);
    }

    #[test]
    fn aliases_are_searched() {
        let keys = NameKeys::new("Коваленко", "Олександр", "", &["Сашко Коваль", "Alex K."]);
        assert!(NameQuery::parse("Koval").score(&keys).is_some());
        assert!(NameQuery::parse("Sashko Kovalenko").score(&keys).is_some());
    }

    #[test]
    fn empty_queries_and_names_match_nothing() {
        let keys = NameKeys::new("Коваленко", "", "", &[]);
        assert!(NameQuery::parse("").is_empty());
        assert_eq!(NameQuery::parse("  - ' 123 ").score(&keys), None);
        let empty = NameKeys::new("", "", "", &[]);
        assert!(empty.is_empty());
        assert_eq!(NameQuery::parse("Kovalenko").score(&empty), None);
        assert!(rank(&NameQuery::parse(""), [((), &keys)], 10).is_empty());
        assert!(rank(&NameQuery::parse("Kovalenko"), [((), &keys)], 0).is_empty());
    }

    #[test]
    fn rank_is_sorted_stable_and_limited() {
        let people: Vec<(usize, NameKeys)> = (0..200)
            .map(|i| {
                let surname = ["Коваленко", "Kovalenko", "Ковалнеко", "Бойко"][i % 4];
                (i, NameKeys::new(surname, "Олена", "", &[]))
            })
            .collect();
        let query = NameQuery::parse("Kovalenko");
        let all = rank(&query, people.iter().map(|(i, k)| (*i, k)), usize::MAX);
        assert_eq!(all.len(), 150);
        assert!(all.windows(2).all(|w| w[0].1 >= w[1].1));
        // Equal scores keep the input order.
        assert!(all.windows(2).all(|w| w[0].1 != w[1].1 || w[0].0 < w[1].0));
        let top = rank(&query, people.iter().map(|(i, k)| (*i, k)), 5);
        assert_eq!(top, all[..5].to_vec());
        let top = rank(&query, people.iter().map(|(i, k)| (*i, k)), 120);
        assert_eq!(top, all[..120].to_vec());
    }

    #[test]
    fn keys_round_trip_through_serde() {
        let keys = NameKeys::new("Петренко-Ткачук", "Пётр", "Олексійович", &["Petro T."]);
        assert!(keys.is_current());
        let bytes = postcard::to_stdvec(&keys).unwrap();
        assert!(bytes.len() < 100, "{} bytes", bytes.len());
        let back: NameKeys = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, keys);
        let tokens: Vec<_> = keys.tokens().collect();
        assert_eq!(tokens[0].2, ["petrenko"]);
        assert_eq!(tokens[2].2, ["petr", "potr"]);
        let patronymic = crate::names::given_names::PATRONYMIC;
        assert_eq!(tokens[3].1 & patronymic, patronymic);
    }

    #[test]
    fn malformed_keys_do_not_panic() {
        let mut keys = NameKeys::new("Коваленко", "Олександр", "", &[]);
        keys.key_lens[0] = 200;
        let query = NameQuery::parse("Kovalenko Oleksandr");
        let _ = query.score(&keys);
        keys.tokens[0].keys = 9;
        let _ = query.score(&keys);
        keys.text.clear();
        assert_eq!(query.score(&keys), None);
        let _ = keys.tokens().count();
    }

    #[test]
    fn many_tokens_are_bounded() {
        let alias = "Іван ".repeat(10) + &"Петро Сидір Яків Марко Лука ".repeat(20);
        let keys = NameKeys::new("Коваленко", "Олександр", "", &[&alias]);
        assert!(keys.tokens().count() <= MAX_NAME_TOKENS);
        let query = NameQuery::parse(
            &"Ivan Petro Sydir Yakiv Marko Luka Kovalenko Oleksandr Roman".repeat(3),
        );
        assert_eq!(query.tokens.len(), MAX_QUERY_TOKENS);
        let _ = query.score(&keys);
    }

    /// Synthetic people: common given names and surnames combined at random
    /// (no real identity), a tenth of them entered in Latin.
    fn synthetic(n: usize) -> Vec<NameKeys> {
        const SURNAMES: &[&str] = &[
            "Коваленко",
            "Бондаренко",
            "Ткаченко",
            "Кравченко",
            "Олійник",
            "Шевчук",
            "Поліщук",
            "Бондар",
            "Мельник",
            "Ковальчук",
            "Марченко",
            "Лисенко",
            "Руденко",
            "Савченко",
            "Петренко",
            "Мороз",
            "Павленко",
            "Левченко",
            "Харченко",
            "Карпенко",
            "Іваненко",
            "Ткачук",
            "Кузьменко",
            "Гончаренко",
            "Литвиненко",
            "Кушнір",
            "Зінченко",
            "Романенко",
            "Щербак",
            "Яковенко",
            "Иванов",
            "Смирнов",
            "Кузнецов",
            "Попов",
            "Васильев",
            "Соколов",
            "Михайлов",
            "Новиков",
            "Фёдоров",
            "Морозов",
            "Волков",
            "Алексеев",
            "Лебедев",
            "Семёнов",
            "Егоров",
            "Павлов",
            "Козлов",
            "Степанов",
            "Николаев",
            "Орлов",
            "Андреев",
            "Макаров",
            "Никитин",
            "Захаров",
            "Зайцев",
            "Соловьёв",
            "Борисов",
            "Яковлев",
            "Григорьев",
            "Романов",
        ];
        use crate::names::given_names::{FEMALE, MALE};
        let given: Vec<&str> = MALE
            .iter()
            .chain(FEMALE)
            .flat_map(|(uk, ru)| [*uk, *ru])
            .collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        (0..n)
            .map(|i| {
                let surname = SURNAMES[next(SURNAMES.len())];
                let first = given[next(given.len())];
                let father = MALE[next(MALE.len())].0;
                let patronymic = format!("{father}ович");
                if i % 10 == 0 {
                    let latin = crate::names::ukrainian_national;
                    NameKeys::new(&latin(surname), &latin(first), &latin(&patronymic), &[])
                } else {
                    NameKeys::new(surname, first, &patronymic, &[])
                }
            })
            .collect()
    }

    #[test]
    fn synthetic_search_finds_its_target() {
        let mut people = synthetic(2_000);
        people.push(NameKeys::new("Коваленко", "Олександр", "Петрович", &[]));
        let query = NameQuery::parse("Oleksandr Petrovych Kovalenko");
        let top = rank(&query, people.iter().enumerate(), 5);
        assert_eq!(top[0].0, people.len() - 1);
    }
}
