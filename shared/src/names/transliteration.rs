//! Official Cyrillic → Latin transliteration schemes, for showing and
//! exporting names (search itself folds spellings through
//! [`search_keys`](mod@super::search_keys) and does not depend on which scheme produced a
//! Latin spelling).
//!
//! Every function maps letter by letter, keeps any non-Cyrillic character as
//! it is, and preserves case sensibly: a Title-case word stays Title case
//! ("Щукін" → "Shchukin"), an all-caps word stays all caps ("ЩУКІН" →
//! "SHCHUKIN"). A word is a run of letters and apostrophes; a hyphen or a
//! space starts a new word.
//!
//! # Ukrainian: the national system
//!
//! Source: Cabinet of Ministers of Ukraine resolution No. 55 of 27 January
//! 2010, "On normalisation of transliteration of the Ukrainian alphabet by
//! means of the Latin alphabet", and its table (also submitted to UNGEGN,
//! E/CONF.101/84, 2012).
//!
//! | Cyrillic | Latin | | Cyrillic | Latin | | Cyrillic | Latin |
//! |---|---|---|---|---|---|---|---|
//! | а | a | | й | y initially, else i | | ф | f |
//! | б | b | | к | k | | х | kh |
//! | в | v | | л | l | | ц | ts |
//! | г | h (gh after з) | | м | m | | ч | ch |
//! | ґ | g | | н | n | | ш | sh |
//! | д | d | | о | o | | щ | shch |
//! | е | e | | п | p | | ь | — |
//! | є | ye initially, else ie | | р | r | | ю | yu initially, else iu |
//! | ж | zh | | с | s | | я | ya initially, else ia |
//! | з | z | | т | t | | ' (apostrophe) | — |
//! | и | y | | у | u | | | |
//! | і | i | | | | | | |
//! | ї | yi initially, else i | | | | | | |
//!
//! "Initially" means at the start of a word; the resolution's notes add that
//! "зг" is written "zgh" (Згорани → Zghorany) to keep it apart from "zh" (ж),
//! and that the soft sign and the apostrophe are not rendered. Russian-only
//! letters, which the resolution does not cover, get a non-normative
//! rendering in the same spirit: ё → yo/io, ъ → —, ы → y, э → e.
//!
//! # Russian: ICAO Doc 9303 (passports since 2014)
//!
//! Source: ICAO Doc 9303 "Machine Readable Travel Documents", Part 3,
//! section "Transliteration of Cyrillic characters" (the Russian extract is
//! reproduced in Russian regulations as "ИКАО Doc 9303 ... Транслитерация
//! кириллицы для русского алфавита"); Russian passports follow it since FMS
//! order No. 320 of 15 October 2012 took effect (in practice from 2014).
//!
//! а a · б b · в v · г g · д d · е e · ё e · ж zh · з z · и i · й i · к k ·
//! л l · м m · н n · о o · п p · р r · с s · т t · у u · ф f · х kh · ц ts ·
//! ч ch · ш sh · щ shch · ъ ie · ы y · ь — · э e · ю iu · я ia.
//!
//! The same ICAO table gives the Ukrainian letters ґ g, є ie, і i, ї i, used
//! here when they occur in a name given to this function.
//!
//! # Russian: the 2010–2014 passport variant
//!
//! Source: FMS of Russia order No. 26 of 3 February 2010 (administrative
//! regulation for foreign-travel passports, in force 16 March 2010),
//! appendix 10, which prescribes the table of GOST R 52535.1-2006
//! "Identification cards. Machine readable travel documents. Part 1".
//! (The brief for this module named "FMS order 995 of 2010"; the published
//! regulation that introduced this table is order No. 26, so that is what
//! is cited here.) It differs from ICAO in two letters: ц → **tc** and
//! ъ → **nothing** (the table does not list ъ or ь):
//!
//! а a · б b · в v · г g · д d · е e · ё e · ж zh · з z · и i · й i · к k ·
//! л l · м m · н n · о o · п p · р r · с s · т t · у u · ф f · х kh · ц tc ·
//! ч ch · ш sh · щ shch · ъ — · ы y · ь — · э e · ю iu · я ia.
//!
//! Ukrainian letters are rendered as in the ICAO table (non-normative).

use super::{compose, is_apostrophe, is_cyrillic};

/// A transliteration scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Ukrainian national system, Cabinet of Ministers resolution 55/2010.
    UkrainianNational,
    /// Russian passports since 2014: ICAO Doc 9303.
    RussianIcao,
    /// Russian passports 2010–2014: GOST R 52535.1-2006 (FMS order 26/2010).
    RussianPassport2010,
}

impl Scheme {
    pub const ALL: [Scheme; 3] = [
        Scheme::UkrainianNational,
        Scheme::RussianIcao,
        Scheme::RussianPassport2010,
    ];
}

/// Ukrainian national transliteration (resolution 55/2010):
/// "Олександр Коваленко" → "Oleksandr Kovalenko".
pub fn ukrainian_national(text: &str) -> String {
    transliterate(text, Scheme::UkrainianNational)
}

/// Russian passport transliteration per ICAO Doc 9303:
/// "Юрий Щукин" → "Iurii Shchukin".
pub fn russian_icao(text: &str) -> String {
    transliterate(text, Scheme::RussianIcao)
}

/// Russian passport transliteration of 2010–2014 (GOST R 52535.1-2006):
/// "Цой" → "Tcoi".
pub fn russian_passport_2010(text: &str) -> String {
    transliterate(text, Scheme::RussianPassport2010)
}

/// Transliterates `text` with `scheme`; see the module documentation.
pub fn transliterate(text: &str, scheme: Scheme) -> String {
    let chars = compose(text);
    let caps = all_caps_words(&chars);
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        if is_apostrophe(c)
            && prev.is_some_and(is_cyrillic_letter)
            && next.is_some_and(is_cyrillic_letter)
        {
            // Resolution 55/2010: the apostrophe is not rendered.
            continue;
        }
        let Some((lower, upper)) = cyrillic_lower(c) else {
            out.push(c);
            continue;
        };
        let context = Context {
            initial: prev.is_none_or(|p| !(p.is_alphabetic() || is_apostrophe(p))),
            after_z: matches!(prev, Some('з' | 'З')),
        };
        let Some(latin) = latin_for(scheme, lower, context) else {
            // A Cyrillic letter the scheme has no rule for (Serbian ђ, …).
            out.push(c);
            continue;
        };
        push_cased(&mut out, latin, upper, caps[i]);
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Context {
    /// At the start of a word.
    initial: bool,
    /// Right after з/З (for the Ukrainian "зг" → "zgh" rule).
    after_z: bool,
}

fn latin_for(scheme: Scheme, c: char, cx: Context) -> Option<&'static str> {
    match scheme {
        Scheme::UkrainianNational => ukrainian(c, cx),
        Scheme::RussianIcao => russian(c, false),
        Scheme::RussianPassport2010 => russian(c, true),
    }
}

fn ukrainian(c: char, cx: Context) -> Option<&'static str> {
    let initial = |first: &'static str, other: &'static str| {
        if cx.initial { first } else { other }
    };
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' if cx.after_z => "gh",
        'г' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'є' => initial("ye", "ie"),
        'ж' => "zh",
        'з' => "z",
        'и' => "y",
        'і' => "i",
        'ї' => initial("yi", "i"),
        'й' => initial("y", "i"),
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' => "",
        'ю' => initial("yu", "iu"),
        'я' => initial("ya", "ia"),
        // Not in the Ukrainian alphabet; non-normative.
        'ё' => initial("yo", "io"),
        'ъ' => "",
        'ы' => "y",
        'э' => "e",
        _ => return None,
    })
}

fn russian(c: char, gost_2010: bool) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' if gost_2010 => "tc",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' if gost_2010 => "",
        'ъ' => "ie",
        'ы' => "y",
        'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        // Ukrainian letters, as in the ICAO table.
        'ґ' => "g",
        'є' => "ie",
        'і' | 'ї' => "i",
        _ => return None,
    })
}

fn is_cyrillic_letter(c: char) -> bool {
    is_cyrillic(c) && c.is_alphabetic()
}

/// The lowercase form of a Cyrillic letter and whether it was uppercase.
fn cyrillic_lower(c: char) -> Option<(char, bool)> {
    if !is_cyrillic_letter(c) {
        return None;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some((lower, lower != c))
}

/// For each character: whether it belongs to an all-caps word (two or more
/// cased letters, none of them lowercase).
fn all_caps_words(chars: &[char]) -> Vec<bool> {
    let mut caps = vec![false; chars.len()];
    let in_word = |c: char| c.is_alphabetic() || is_apostrophe(c);
    let mut start = 0;
    while start < chars.len() {
        if !in_word(chars[start]) {
            start += 1;
            continue;
        }
        let mut end = start;
        let (mut upper, mut lower) = (0usize, 0usize);
        while end < chars.len() && in_word(chars[end]) {
            let c = chars[end];
            upper += usize::from(c.is_uppercase());
            lower += usize::from(c.is_lowercase());
            end += 1;
        }
        if upper >= 2 && lower == 0 {
            caps[start..end].fill(true);
        }
        start = end;
    }
    caps
}

fn push_cased(out: &mut String, latin: &str, upper: bool, all_caps: bool) {
    if !upper {
        out.push_str(latin);
    } else if all_caps {
        out.extend(latin.chars().map(|c| c.to_ascii_uppercase()));
    } else {
        let mut chars = latin.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The complete example column of the table approved by resolution
    /// 55/2010 (every example, in table order), plus the two examples of its
    /// "зг" note.
    const RESOLUTION_55_2010_EXAMPLES: &[(&str, &str)] = &[
        ("Алушта", "Alushta"),
        ("Андрій", "Andrii"),
        ("Борщагівка", "Borshchahivka"),
        ("Борисенко", "Borysenko"),
        ("Вінниця", "Vinnytsia"),
        ("Володимир", "Volodymyr"),
        ("Гадяч", "Hadiach"),
        ("Богдан", "Bohdan"),
        ("Згурський", "Zghurskyi"),
        ("Ґалаґан", "Galagan"),
        ("Ґорґани", "Gorgany"),
        ("Донецьк", "Donetsk"),
        ("Дмитро", "Dmytro"),
        ("Рівне", "Rivne"),
        ("Олег", "Oleh"),
        ("Есмань", "Esman"),
        ("Єнакієве", "Yenakiieve"),
        ("Гаєвич", "Haievych"),
        ("Короп'є", "Koropie"),
        ("Житомир", "Zhytomyr"),
        ("Жанна", "Zhanna"),
        ("Жежелів", "Zhezheliv"),
        ("Закарпаття", "Zakarpattia"),
        ("Казимирчук", "Kazymyrchuk"),
        ("Медвин", "Medvyn"),
        ("Михайленко", "Mykhailenko"),
        ("Іванків", "Ivankiv"),
        ("Іващенко", "Ivashchenko"),
        ("Їжакевич", "Yizhakevych"),
        ("Кадиївка", "Kadyivka"),
        ("Мар'їне", "Marine"),
        ("Йосипівка", "Yosypivka"),
        ("Стрий", "Stryi"),
        ("Олексій", "Oleksii"),
        ("Київ", "Kyiv"),
        ("Коваленко", "Kovalenko"),
        ("Лебедин", "Lebedyn"),
        ("Леонід", "Leonid"),
        ("Миколаїв", "Mykolaiv"),
        ("Маринич", "Marynych"),
        ("Ніжин", "Nizhyn"),
        ("Наталія", "Nataliia"),
        ("Одеса", "Odesa"),
        ("Онищенко", "Onyshchenko"),
        ("Полтава", "Poltava"),
        ("Петро", "Petro"),
        ("Решетилівка", "Reshetylivka"),
        ("Рибчинський", "Rybchynskyi"),
        ("Суми", "Sumy"),
        ("Соломія", "Solomiia"),
        ("Тернопіль", "Ternopil"),
        ("Троць", "Trots"),
        ("Ужгород", "Uzhhorod"),
        ("Уляна", "Uliana"),
        ("Фастів", "Fastiv"),
        ("Філіпчук", "Filipchuk"),
        ("Харків", "Kharkiv"),
        ("Христина", "Khrystyna"),
        ("Біла Церква", "Bila Tserkva"),
        ("Стеценко", "Stetsenko"),
        ("Чернівці", "Chernivtsi"),
        ("Шевченко", "Shevchenko"),
        ("Шостка", "Shostka"),
        ("Кишеньки", "Kyshenky"),
        ("Щербухи", "Shcherbukhy"),
        ("Гоща", "Hoshcha"),
        ("Гаращенко", "Harashchenko"),
        ("Юрій", "Yurii"),
        ("Корюківка", "Koriukivka"),
        ("Яготин", "Yahotyn"),
        ("Ярошенко", "Yaroshenko"),
        ("Костянтин", "Kostiantyn"),
        ("Знам'янка", "Znamianka"),
        ("Феодосія", "Feodosiia"),
        // The "зг" note.
        ("Згорани", "Zghorany"),
        ("Розгон", "Rozghon"),
    ];

    /// Applications of the 55/2010 rules that are not in the resolution's
    /// own example column (the resolution's Ї example is Кадиївка, above).
    const UKRAINIAN_RULE_APPLICATIONS: &[(&str, &str)] = &[
        ("Кадіївка", "Kadiivka"),
        ("Ічня", "Ichnia"),
        ("Олександр Коваленко", "Oleksandr Kovalenko"),
        ("Сергій", "Serhii"),
        ("Григорій", "Hryhorii"),
        ("Євген", "Yevhen"),
        ("Ганна", "Hanna"),
        ("Юлія", "Yuliia"),
        ("Ілля", "Illia"),
        ("Ольга", "Olha"),
        ("В'ячеслав", "Viacheslav"),
        ("Вʼячеслав", "Viacheslav"),
        ("В’ячеслав", "Viacheslav"),
        ("Петренко-Ткачук", "Petrenko-Tkachuk"),
        ("Іванов-Єременко", "Ivanov-Yeremenko"),
        ("Розгін", "Rozghin"),
    ];

    /// ICAO Doc 9303 applied to Russian names. The FMS announcement of the
    /// 2014 switch gave Андрей → ANDREI and Яна → IANA as examples.
    const ICAO_EXAMPLES: &[(&str, &str)] = &[
        ("Андрей", "Andrei"),
        ("Яна", "Iana"),
        ("Юрий", "Iurii"),
        ("Щукин", "Shchukin"),
        ("Ёлкин", "Elkin"),
        ("Мария", "Mariia"),
        ("Подъячев", "Podieiachev"),
        ("Цой", "Tsoi"),
        ("Александр", "Aleksandr"),
        ("Наталья", "Natalia"),
        ("Татьяна", "Tatiana"),
        ("Евгений", "Evgenii"),
        ("Сергей", "Sergei"),
        ("Дмитрий", "Dmitrii"),
        ("Григорий", "Grigorii"),
        ("Хрущёв", "Khrushchev"),
        ("Объедков", "Obieedkov"),
        ("Эрдниев", "Erdniev"),
        ("Зайцев", "Zaitsev"),
        ("Жуков", "Zhukov"),
        ("Фёдор", "Fedor"),
        ("Людмила", "Liudmila"),
        ("Ульяна", "Uliana"),
        ("Крылов", "Krylov"),
    ];

    /// The 2010–2014 table (GOST R 52535.1-2006) applied to Russian names.
    const PASSPORT_2010_EXAMPLES: &[(&str, &str)] = &[
        ("Цой", "Tcoi"),
        ("Подъячев", "Podiachev"),
        ("Объедков", "Obedkov"),
        ("Юрий", "Iurii"),
        ("Щукин", "Shchukin"),
        ("Ёлкин", "Elkin"),
        ("Мария", "Mariia"),
        ("Андрей", "Andrei"),
        ("Яна", "Iana"),
        ("Зайцев", "Zaitcev"),
        ("Царёв", "Tcarev"),
        ("Хрущёв", "Khrushchev"),
        ("Крылов", "Krylov"),
        ("Эрдниев", "Erdniev"),
    ];

    fn check(scheme: Scheme, cases: &[(&str, &str)]) -> usize {
        let mut failures = Vec::new();
        for &(cyrillic, latin) in cases {
            let got = transliterate(cyrillic, scheme);
            if got != latin {
                failures.push(format!("{cyrillic}: expected {latin}, got {got}"));
            }
        }
        assert!(failures.is_empty(), "{scheme:?}:\n{}", failures.join("\n"));
        cases.len()
    }

    #[test]
    fn ukrainian_resolution_examples() {
        assert_eq!(
            check(Scheme::UkrainianNational, RESOLUTION_55_2010_EXAMPLES),
            76
        );
    }

    #[test]
    fn ukrainian_rule_applications() {
        check(Scheme::UkrainianNational, UKRAINIAN_RULE_APPLICATIONS);
    }

    #[test]
    fn russian_icao_examples() {
        check(Scheme::RussianIcao, ICAO_EXAMPLES);
    }

    #[test]
    fn russian_2010_examples() {
        check(Scheme::RussianPassport2010, PASSPORT_2010_EXAMPLES);
    }

    #[test]
    fn convenience_functions_match_schemes() {
        assert_eq!(ukrainian_national("Згорани"), "Zghorany");
        assert_eq!(russian_icao("Цой"), "Tsoi");
        assert_eq!(russian_passport_2010("Цой"), "Tcoi");
    }

    #[test]
    fn case_is_preserved() {
        let uk = Scheme::UkrainianNational;
        assert_eq!(transliterate("КОВАЛЕНКО", uk), "KOVALENKO");
        assert_eq!(transliterate("ЩЕРБАК Юлія", uk), "SHCHERBAK Yuliia");
        assert_eq!(transliterate("ЮЛІЯ", uk), "YULIIA");
        assert_eq!(transliterate("ЗГОРАНИ", uk), "ZGHORANY");
        assert_eq!(transliterate("ЖАННА-ЄВА", uk), "ZHANNA-YEVA");
        assert_eq!(transliterate("щука", uk), "shchuka");
        // A one-letter word (an initial) is Title case.
        assert_eq!(transliterate("Щ. Ю.", uk), "Shch. Yu.");
        assert_eq!(transliterate("МАР'ЯНА", uk), "MARIANA");
        let icao = Scheme::RussianIcao;
        assert_eq!(transliterate("ЖАННА ЦВЕТКОВА", icao), "ZHANNA TSVETKOVA");
        assert_eq!(transliterate("Щукин", icao), "Shchukin");
    }

    #[test]
    fn non_cyrillic_passes_through() {
        let uk = Scheme::UkrainianNational;
        assert_eq!(
            transliterate("Kovalenko, О. (1980)", uk),
            "Kovalenko, O. (1980)"
        );
        assert_eq!(transliterate("", uk), "");
        // An apostrophe not between Cyrillic letters is kept.
        assert_eq!(transliterate("'Ганна'", uk), "'Hanna'");
    }

    #[test]
    fn decomposed_input_and_stress_marks() {
        let uk = Scheme::UkrainianNational;
        assert_eq!(transliterate("Андріи\u{0306}", uk), "Andrii");
        assert_eq!(
            transliterate("Андрии\u{0306}", Scheme::RussianIcao),
            "Andrii"
        );
        assert_eq!(transliterate("Ві\u{0301}ктор", uk), "Viktor");
        assert_eq!(transliterate("Е\u{0308}лкин", Scheme::RussianIcao), "Elkin");
    }

    #[test]
    fn example_count() {
        let total = RESOLUTION_55_2010_EXAMPLES.len()
            + UKRAINIAN_RULE_APPLICATIONS.len()
            + ICAO_EXAMPLES.len()
            + PASSPORT_2010_EXAMPLES.len();
        assert!(total >= 40, "{total}");
    }
}
