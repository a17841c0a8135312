//! Search keys: folding a name token, typed in any script or spelling, into
//! a compact phonetic *skeleton* on which the spellings of one name collide.
//!
//! # Why a skeleton
//!
//! The same person may be entered as "Олександр", "Oleksandr", "Aleksandr",
//! "Alexander"; "Юрій", "Юрий", "Yurii", "Iurii", "Yuriy", "Jurij"; "Наталія",
//! "Наталья", "Nataliia", "Natalia", "Natalya". Rather than transliterating
//! the query into every scheme and comparing strings, both sides are reduced
//! to one alphabet of sound classes, in which the differences between the
//! official schemes (and common informal spellings) vanish. A token gets one
//! key, or a few when a Latin letter is genuinely ambiguous (below).
//!
//! # The alphabet
//!
//! Keys are ASCII. Vowels `a e i o u`; consonants as in English except:
//!
//! | symbol | Cyrillic | Latin spellings absorbed |
//! |---|---|---|
//! | `h` | г ґ х | h, g, kh, gh (Ukrainian г is h, Russian г is g; х is kh, or h) |
//! | `c` | ц | ts, tc (Russia 2010), tz, c before e/i/y (see below) |
//! | `C` | ч | ch, tch, tsch, cz, č |
//! | `S` | ш щ | sh, shch, sch, shh, sz, szcz, š, ŝ |
//! | `Z` | ж | zh, ž, ż |
//! | `i` | и і ї й ы | i, y, j, ii, iy, yi, ij… |
//! | `e` | е є ё э | e, ie, ye, je |
//! | `k` | к | k, q, c before a/o/u/consonant |
//! | `v` | в | v, w |
//! | `f` | ф | f, ph |
//! | — | ь ъ ' ’ ʼ | dropped |
//!
//! я and ю are `ia` and `iu`; x is `ks`; th is `t`; diacritics are stripped
//! (with the Slavic ones mapped to their digraphs: č → ch, š → sh, ž → zh).
//!
//! # The rules, in order
//!
//! 1. Lowercase; compose decomposed letters (и + ◌̆ → й); drop apostrophes,
//!    soft and hard signs, digits and anything else that is not a letter.
//! 2. Map Cyrillic letters straight to symbols (so "зг" stays z + h and is
//!    never mistaken for "zh"); parse Latin runs greedily, longest digraph
//!    first (shch, szcz, tsch > sch, shh, tch > zh, sh, sz, ch, cz, kh, gh,
//!    ts, tc, tz, ph, th > single letters).
//! 3. Collapse doubled symbols: Анна/Ana, Филипп/Philip, Nataliia/Natalia.
//! 4. Normalise each run of vowels. Inside a word, an `i` next to another
//!    vowel is a glide (й, the y of ya/yu/ye, the i of ia/iu/ie) and is
//!    dropped, then an `e` directly before another vowel is dropped (which
//!    absorbs ICAO's ъ = "ie": Podieiachev/Podiachev/Подъячев). So Natalia,
//!    Natalya, Nataliia, Наталья, Наталія all become `natala`; Yurii, Yuri,
//!    Iurii, Jurij, Юрій, Юрий become `iuri`; Haievych, Гаевич `haeviC`.
//!    At the start of a word the glide is kept before a, o, u (Yana `iana`
//!    is not Anna `ana`; Yurii is not Uri) but dropped before e, because
//!    Russian word-initial е is written both E and Ye (Elena/Yelena,
//!    Evgenii/Yevgeny, Євген/Евгений).
//! 5. Truncate to [`MAX_KEY_LEN`] bytes.
//!
//! # Ambiguous Latin letters
//!
//! A Latin token that contains one of these also gets variant keys (at most
//! [`MAX_KEYS_PER_TOKEN`] in all, the primary reading first):
//!
//! - `j` before a vowel: primary `i` (Jurij, Jana), variant `Z` (j for ж,
//!   as in "Janna" for Жанна); elsewhere always `i` (Sergej, Andrij);
//! - `ch`: primary `C` (ч), variant `h` (the German spelling of х, Charkiw);
//! - `x`: primary `ks` (Maxim, Alexei), variant `h` (x for х);
//! - a lone `c`: primary `c` (ц) before e/i/y and `k` elsewhere (Victor,
//!   Nicolai), variant the other reading (c for ц, as in the scholarly,
//!   Polish and Czech spellings: Kuznecov, Chmelnyckyj).
//!
//! A Cyrillic ё also gives a variant: primary `e` (ё is usually written е,
//! and ICAO writes e), variant `io` (Pyotr, Fyodor, Yolkin).
//!
//! # What it costs
//!
//! Folding is linear in the token's length. It loses information on
//! purpose (г/х, ш/щ, е/є/э, и/і/ы all merge, and a glide next to a vowel
//! vanishes), which trades precision for recall: ranking in
//! [`super::matcher`] puts exact spellings first anyway.

use super::{compose, is_cyrillic};

/// Keys longer than this are truncated (the longest Ukrainian and Russian
/// surnames fold to well under it).
pub const MAX_KEY_LEN: usize = 24;

/// At most this many keys (the primary reading and its variants) per token.
pub const MAX_KEYS_PER_TOKEN: usize = 8;

/// Marks a Cyrillic ё in the intermediate buffer (it has two readings).
const YO: u8 = 0x01;
/// Marks a byte as an already-resolved symbol (from a Cyrillic letter).
const RESOLVED: u8 = 0x80;

const VARIANT_YO: u8 = 1;
const VARIANT_J: u8 = 2;
const VARIANT_CH: u8 = 4;
const VARIANT_X: u8 = 8;
const VARIANT_C: u8 = 16;

/// Splits a name field into tokens: on whitespace, hyphens (double
/// surnames: "Петренко-Ткачук" gives both parts), dots, commas and any other
/// character that is neither a letter nor an apostrophe. Tokens without a
/// letter are skipped.
pub fn split_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_token_char(c))
        .filter(|t| t.chars().any(char::is_alphabetic))
}

pub(crate) fn is_token_char(c: char) -> bool {
    c.is_alphabetic() || super::is_apostrophe(c) || super::is_combining(c)
}

/// The search keys of one token, primary first: empty when the token has no
/// Cyrillic or Latin letter. See the module documentation.
pub fn search_keys(token: &str) -> Vec<String> {
    let raw = intermediate(token);
    let mut flags = 0u8;
    for (i, &b) in raw.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| raw[j]);
        let next = raw.get(i + 1).copied();
        match b {
            YO => flags |= VARIANT_YO,
            // Only a "j" before a vowel may stand for ж (Janna, Jeanna).
            b'j' if next.is_some_and(is_latin_vowel) => flags |= VARIANT_J,
            b'x' => flags |= VARIANT_X,
            // A "ch" that is not part of "sch", "tch".
            b'c' if next == Some(b'h') && !matches!(prev, Some(b's' | b't')) => flags |= VARIANT_CH,
            // A lone "c" (not "ch", "cz", "tc").
            b'c' if !matches!(next, Some(b'h' | b'z')) && prev != Some(b't') => flags |= VARIANT_C,
            _ => {}
        }
    }
    let mut keys: Vec<String> = Vec::new();
    let mut symbols = Vec::with_capacity(raw.len() + 4);
    for variant in variants(flags) {
        symbols.clear();
        parse(&raw, variant, &mut symbols);
        let key = normalise(&symbols);
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
        if keys.len() == MAX_KEYS_PER_TOKEN {
            break;
        }
    }
    keys
}

/// The primary search key of a token (empty if it has none).
pub fn skeleton(token: &str) -> String {
    search_keys(token).into_iter().next().unwrap_or_default()
}

/// The variant combinations present in `flags`, fewest first (the primary
/// reading, 0, first of all).
fn variants(flags: u8) -> impl Iterator<Item = u8> {
    (0..=5u32)
        .flat_map(move |ones| (0..32u8).filter(move |&v| v & !flags == 0 && v.count_ones() == ones))
}

/// Step 1: lowercase Latin letters (diacritics folded) as ASCII, Cyrillic
/// letters as resolved symbols (`RESOLVED | symbol`), ё as [`YO`];
/// everything else dropped.
fn intermediate(token: &str) -> Vec<u8> {
    let mut raw = Vec::with_capacity(token.len() + 4);
    for c in compose(token) {
        for c in c.to_lowercase() {
            if c.is_ascii_lowercase() {
                raw.push(c as u8);
            } else if is_cyrillic(c) {
                if c == 'ё' {
                    raw.push(YO);
                } else if let Some(symbols) = cyrillic_symbols(c) {
                    raw.extend(symbols.iter().map(|s| RESOLVED | s));
                }
            } else if let Some(ascii) = fold_latin(c) {
                raw.extend_from_slice(ascii.as_bytes());
            }
        }
    }
    raw
}

/// A lowercase Cyrillic letter as skeleton symbols.
fn cyrillic_symbols(c: char) -> Option<&'static [u8]> {
    Some(match c {
        'а' => b"a",
        'б' => b"b",
        'в' => b"v",
        'г' | 'ґ' | 'х' => b"h",
        'д' => b"d",
        'е' | 'є' | 'э' => b"e",
        'ж' => b"Z",
        'з' => b"z",
        'и' | 'і' | 'ї' | 'й' | 'ы' => b"i",
        'к' => b"k",
        'л' => b"l",
        'м' => b"m",
        'н' => b"n",
        'о' => b"o",
        'п' => b"p",
        'р' => b"r",
        'с' => b"s",
        'т' => b"t",
        'у' | 'ў' => b"u",
        'ф' => b"f",
        'ц' => b"c",
        'ч' => b"C",
        'ш' | 'щ' => b"S",
        'ъ' | 'ь' => b"",
        'ю' => b"iu",
        'я' => b"ia",
        _ => return None,
    })
}

/// A lowercase non-ASCII Latin letter as ASCII: diacritics stripped, except
/// that the Slavic and Turkic letters for ч, ш, щ, ж, ц become their
/// digraphs.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ǎ' => "a",
        'æ' => "ae",
        'č' | 'ć' | 'ĉ' | 'ç' => "ch",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' | 'ĝ' | 'ǵ' | 'ġ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' => "i",
        'ĵ' => "j",
        'ķ' | 'ḱ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ǒ' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ŝ' => "shch",
        'ś' => "s",
        'š' | 'ş' | 'ș' => "sh",
        'ß' => "ss",
        'ť' => "t",
        'ţ' | 'ț' => "ts",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' => "z",
        'ž' | 'ż' => "zh",
        _ => return None,
    })
}

/// Step 2: the intermediate buffer as symbols.
fn parse(raw: &[u8], variant: u8, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == YO {
            out.extend_from_slice(if variant & VARIANT_YO != 0 {
                b"io"
            } else {
                b"e"
            });
            i += 1;
            continue;
        }
        if b & RESOLVED != 0 {
            out.push(b & !RESOLVED);
            i += 1;
            continue;
        }
        let rest = &raw[i..];
        let (symbols, len): (&[u8], usize) = if rest.starts_with(b"shch")
            || rest.starts_with(b"szcz")
        {
            (b"S", 4)
        } else if rest.starts_with(b"tsch") {
            (b"C", 4)
        } else if rest.starts_with(b"sch") || rest.starts_with(b"shh") {
            (b"S", 3)
        } else if rest.starts_with(b"tch") {
            (b"C", 3)
        } else if rest.starts_with(b"zh") {
            (b"Z", 2)
        } else if rest.starts_with(b"sh") || rest.starts_with(b"sz") {
            (b"S", 2)
        } else if rest.starts_with(b"ch") {
            (
                if variant & VARIANT_CH != 0 {
                    b"h"
                } else {
                    b"C"
                },
                2,
            )
        } else if rest.starts_with(b"cz") {
            (b"C", 2)
        } else if rest.starts_with(b"kh") || rest.starts_with(b"gh") {
            (b"h", 2)
        } else if rest.starts_with(b"ts") || rest.starts_with(b"tc") || rest.starts_with(b"tz") {
            (b"c", 2)
        } else if rest.starts_with(b"ph") {
            (b"f", 2)
        } else if rest.starts_with(b"th") {
            (b"t", 2)
        } else {
            let single: &[u8] = match b {
                b'y' | b'i' => b"i",
                b'j' if variant & VARIANT_J != 0
                    && rest.get(1).is_some_and(|&n| is_latin_vowel(n)) =>
                {
                    b"Z"
                }
                b'j' => b"i",
                b'g' | b'h' => b"h",
                b'c' => {
                    let soft = matches!(rest.get(1), Some(b'e' | b'i' | b'y'));
                    if soft != (variant & VARIANT_C != 0) {
                        b"c"
                    } else {
                        b"k"
                    }
                }
                b'q' => b"k",
                b'w' => b"v",
                b'x' if variant & VARIANT_X != 0 => b"h",
                b'x' => b"ks",
                _ => std::slice::from_ref(&raw[i]),
            };
            (single, 1)
        };
        out.extend_from_slice(symbols);
        i += len;
    }
}

fn is_latin_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Steps 3–5: collapse doubles, normalise vowel runs, truncate.
fn normalise(symbols: &[u8]) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(symbols.len());
    let mut i = 0;
    while i < symbols.len() {
        let b = symbols[i];
        if !is_vowel(b) {
            if out.last() != Some(&b) {
                out.push(b);
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < symbols.len() && is_vowel(symbols[i]) {
            i += 1;
        }
        let run = &symbols[start..i];
        if start == 0 && run.len() >= 2 && run[0] == b'i' && matches!(run[1], b'a' | b'o' | b'u') {
            out.push(b'i');
            push_vowels(&mut out, &run[1..]);
        } else {
            push_vowels(&mut out, run);
        }
    }
    out.truncate(MAX_KEY_LEN);
    // Only ASCII symbols are ever pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// Pushes a word-internal vowel run: glide `i`s dropped when another vowel
/// is present, then an `e` before another vowel dropped, then doubles
/// collapsed.
fn push_vowels(out: &mut Vec<u8>, run: &[u8]) {
    let only_i = run.iter().all(|&v| v == b'i');
    let mut kept = [0u8; MAX_KEY_LEN];
    let mut n = 0;
    for &v in run {
        if (only_i || v != b'i') && n < kept.len() {
            kept[n] = v;
            n += 1;
        }
    }
    for k in 0..n {
        let v = kept[k];
        let followed_by_vowel = k + 1 < n;
        if v == b'e' && followed_by_vowel && kept[k + 1] != b'e' {
            continue;
        }
        if out.last() != Some(&v) {
            out.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(token: &str) -> String {
        skeleton(token)
    }

    /// Spellings that must fold to the same primary key, one group per line.
    const COLLIDING: &[&[&str]] = &[
        &["Коваленко", "Kovalenko", "KOVALENKO", "kovalenko"],
        &["Олександр", "Oleksandr", "Olexandr"],
        &["Александр", "Aleksandr", "Alexandr"],
        &[
            "Наталія",
            "Наталья",
            "Наталя",
            "Nataliia",
            "Natalia",
            "Natalya",
            "Nataliya",
            "Natalija",
            "Natal'ya",
            "Natalja",
        ],
        &[
            "Юрій", "Юрий", "Yurii", "Iurii", "Yuri", "Yuriy", "Yury", "Jurij", "Juri",
        ],
        &[
            "Григорій",
            "Григорий",
            "Hryhorii",
            "Grigorii",
            "Grigoriy",
            "Hryhoriy",
            "Grigory",
        ],
        &["Сергей", "Sergei", "Sergey", "Sergej"],
        &["Сергій", "Serhii", "Serhiy", "Sergii", "Sergiy"],
        &["Андрій", "Andrii", "Andriy"],
        &["Андрей", "Andrei", "Andrey", "Andrej"],
        &["Олексій", "Oleksii", "Oleksiy", "Oleksij"],
        &["Алексей", "Aleksei", "Alexei", "Alexey", "Aleksey"],
        &["Дмитрий", "Dmitrii", "Dmitriy", "Dmitry", "Dmitri"],
        &[
            "Євген",
            "Евген",
            "Yevhen",
            "Ievgen",
            "Evgen",
            "Jevhen",
            "Yevgen",
        ],
        &[
            "Евгений",
            "Evgenii",
            "Yevgeniy",
            "Evgeny",
            "Yevgeny",
            "Jevgenij",
        ],
        &["Харків", "Kharkiv", "Harkiv"],
        &["Хоменко", "Khomenko", "Homenko"],
        &["Цой", "Tsoi", "Tcoi", "Tsoy", "Coi"],
        &[
            "Кузнецов",
            "Кузнєцов",
            "Kuznetsov",
            "Kuznietsov",
            "Kuznecov",
            "Kuznetcov",
        ],
        &["Зайцев", "Zaitsev", "Zaytsev", "Zaitcev"],
        &[
            "Щербак",
            "Shcherbak",
            "Scherbak",
            "Shherbak",
            "Szczerbak",
            "Ščerbak",
        ],
        &["Іщенко", "Ishchenko", "Ischenko", "Ishenko"],
        &[
            "Шевченко",
            "Shevchenko",
            "Schewtschenko",
            "Ševčenko",
            "Shevtchenko",
        ],
        &["Ткачук", "Tkachuk", "Tkaczuk", "Tkačuk"],
        &["Жуков", "Zhukov", "Žukov"],
        &[
            "Йосипенко",
            "Yosypenko",
            "Iosypenko",
            "Josypenko",
            "Iosipenko",
        ],
        &[
            "Подъячев",
            "Под'ячев",
            "Podieiachev",
            "Podiachev",
            "Podyachev",
        ],
        &["Гаєвич", "Гаевич", "Haievych", "Gaevich", "Hayevych"],
        &["Короп'є", "Коропʼє", "Коропє", "Koropie", "Koropye"],
        &[
            "Мар'яна",
            "Марʼяна",
            "Марьяна",
            "Mariana",
            "Maryana",
            "Mar'yana",
            "Marjana",
        ],
        &["Людмила", "Liudmyla", "Lyudmila", "Ludmila", "Liudmila"],
        &["Ольга", "Olha", "Olga", "Ol'ga"],
        &["Ганна", "Hanna", "Ganna"],
        &["Ярослав", "Yaroslav", "Iaroslav", "Jaroslav"],
        &[
            "Єлизавета",
            "Елизавета",
            "Yelyzaveta",
            "Elizaveta",
            "Yelizaveta",
        ],
        &[
            "Згурський",
            "Згурский",
            "Zghurskyi",
            "Zgurskii",
            "Zgurskiy",
            "Zgurski",
        ],
        &["Михайло", "Mykhailo", "Mykhaylo", "Mikhailo"],
        &["Вінниця", "Vinnytsia", "Vinnitsa", "Vinnycia", "Vinnycja"],
        &["Їжакевич", "Yizhakevych", "Izhakevich", "Ižakevič"],
        &["Maxim", "Максим", "Maksim", "Maksym"],
        &["Віктор", "Виктор", "Viktor", "Victor", "Wiktor"],
        &["Пётр", "Петр", "Petr"],
        &["Тетяна", "Tetiana", "Tetyana"],
        &["Татьяна", "Tatiana", "Tatyana", "Tatjana"],
        &[
            "Андрієнко",
            "Андриенко",
            "Andriienko",
            "Andrienko",
            "Andriyenko",
        ],
    ];

    #[test]
    fn spellings_collide() {
        let mut failures = Vec::new();
        for group in COLLIDING {
            let expected = key(group[0]);
            assert!(!expected.is_empty(), "{}", group[0]);
            for spelling in &group[1..] {
                let keys = search_keys(spelling);
                if !keys.contains(&expected) {
                    failures.push(format!("{spelling} {keys:?} ≠ {} {expected}", group[0]));
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn some_keys_spelled_out() {
        assert_eq!(key("Наталія"), "natala");
        assert_eq!(key("Юрій"), "iuri");
        assert_eq!(key("Шевченко"), "SevCenko");
        assert_eq!(key("Згурський"), "zhurski");
        assert_eq!(key("Жанна"), "Zana");
        assert_eq!(key("Подъячев"), "podaCev");
    }

    #[test]
    fn distinct_names_stay_apart() {
        for (a, b) in [
            ("Шевченко", "Шевчук"),
            ("Яна", "Анна"),
            ("Юрій", "Урій"),
            ("Ярина", "Арина"),
            ("Жук", "Зук"),
            ("Ганна", "Анна"),
            ("Олена", "Елена"),
        ] {
            assert_ne!(key(a), key(b), "{a} / {b}");
        }
    }

    #[test]
    fn ambiguous_latin_letters_give_variants() {
        assert_eq!(search_keys("Janna"), ["iana", "Zana"]);
        assert!(search_keys("Janna").contains(&key("Жанна")));
        assert!(search_keys("Charkiw").contains(&key("Харків")));
        assert!(search_keys("Chmelnyckyj").contains(&key("Хмельницький")));
        assert_eq!(search_keys("Maxim")[0], key("Максим"));
        // ё: both readings.
        assert_eq!(search_keys("Пётр"), ["petr", "potr"]);
        assert!(search_keys("Пётр").contains(&key("Pyotr")));
        assert!(search_keys("Фёдор").contains(&key("Fyodor")));
        assert!(search_keys("Ёлкин").contains(&key("Yolkin")));
        assert!(search_keys("Ёлкин").contains(&key("Elkin")));
        assert!(search_keys("Jakubovych-Xyz").len() <= MAX_KEYS_PER_TOKEN);
    }

    #[test]
    fn case_diacritics_and_decomposition_do_not_matter() {
        assert_eq!(key("ОЛЕКСАНДР"), key("олександр"));
        assert_eq!(key("Андріи\u{0306}"), key("Андрій"));
        assert_eq!(key("Ві\u{0301}ктор"), key("Віктор"));
        assert_eq!(key("Še\u{0301}vc\u{030C}enko"), key("Шевченко"));
        assert_eq!(key("Natália"), key("Natalia"));
    }

    #[test]
    fn tokens_split_on_spaces_hyphens_and_punctuation() {
        let tokens: Vec<&str> = split_tokens(" Петренко-Ткачук  Мар'яна,О. 1980 ").collect();
        assert_eq!(tokens, ["Петренко", "Ткачук", "Мар'яна", "О"]);
        assert_eq!(split_tokens("Ko\u{2010}Val").count(), 2);
    }

    #[test]
    fn tokens_without_letters_have_no_keys() {
        assert!(search_keys("").is_empty());
        assert!(search_keys("ь").is_empty());
        assert!(search_keys("'").is_empty());
        assert!(search_keys("ბესიკ").is_empty());
    }

    #[test]
    fn keys_are_bounded() {
        let long = "Щ".repeat(100) + &"а".repeat(100);
        assert!(key(&long).len() <= MAX_KEY_LEN);
        let long = "ab".repeat(100);
        assert_eq!(key(&long).len(), MAX_KEY_LEN);
    }
}
