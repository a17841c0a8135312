//! The Ukrainian ↔ Russian given-name equivalence table.
//!
//! Many people documented in both Ukrainian and Russian records carry a
//! given name whose two forms are not spelling variants of each other
//! (Олександр / Александр, Микола / Николай, Ганна / Анна, Юхим / Ефим), so
//! no folding can make them collide. Each row below is one standard
//! correspondence (Ukrainian form, Russian form), as in the Ukrainian and
//! Russian name dictionaries; a few names have two standard forms on one side
//! (Пилип and Філіп for Филипп, Наталія and Наталя for Наталья; Петр is Пётр
//! written without ё). Diminutives are not listed: documents carry full
//! forms.
//!
//! Rows that share a form are joined into one *group* (so Пилип, Філіп and
//! Филипп are one group), identified by a small number. Every spelling of
//! every form (its [search keys](mod@super::search_keys)) maps to that group, so
//! a Latin "Oleksandr" or "Aleksandr" finds the group too.
//!
//! Patronymics follow: a token ending like a patronymic (-ович, -евич,
//! -івна, -овна, -ич, -ична and their Latin spellings) whose stem is a male
//! name of the table gets the *patronymic* group of that name, so
//! "Олександрович", "Александрович" and "Oleksandrovych" match one another
//! (but not the given name "Олександр").

use std::collections::HashMap;
use std::sync::OnceLock;

use super::search_keys::search_keys;

/// Male given names: (Ukrainian, Russian).
pub const MALE: &[(&str, &str)] = &[
    ("Олександр", "Александр"),
    ("Олексій", "Алексей"),
    ("Андрій", "Андрей"),
    ("Анатолій", "Анатолий"),
    ("Антон", "Антон"),
    ("Аркадій", "Аркадий"),
    ("Арсеній", "Арсений"),
    ("Арсен", "Арсен"),
    ("Артем", "Артём"),
    ("Артур", "Артур"),
    ("Архип", "Архип"),
    ("Афанасій", "Афанасий"),
    ("Опанас", "Афанасий"),
    ("Панас", "Афанасий"),
    ("Богдан", "Богдан"),
    ("Борис", "Борис"),
    ("Вадим", "Вадим"),
    ("Валентин", "Валентин"),
    ("Валерій", "Валерий"),
    ("Василь", "Василий"),
    ("Веніамін", "Вениамин"),
    ("Вікентій", "Викентий"),
    ("Віктор", "Виктор"),
    ("Віталій", "Виталий"),
    ("Владислав", "Владислав"),
    ("Влас", "Влас"),
    ("Володимир", "Владимир"),
    ("Всеволод", "Всеволод"),
    ("Вʼячеслав", "Вячеслав"),
    ("Гаврило", "Гавриил"),
    ("Геннадій", "Геннадий"),
    ("Георгій", "Георгий"),
    ("Герман", "Герман"),
    ("Гліб", "Глеб"),
    ("Гордій", "Гордей"),
    ("Григорій", "Григорий"),
    ("Давид", "Давид"),
    ("Данило", "Даниил"),
    ("Данило", "Данила"),
    ("Демʼян", "Демьян"),
    ("Денис", "Денис"),
    ("Дмитро", "Дмитрий"),
    ("Дорофій", "Дорофей"),
    ("Едуард", "Эдуард"),
    ("Еміль", "Эмиль"),
    ("Ернест", "Эрнест"),
    ("Євген", "Евгений"),
    ("Євдоким", "Евдоким"),
    ("Євстафій", "Евстафий"),
    ("Єгор", "Егор"),
    ("Єлисей", "Елисей"),
    ("Єремій", "Еремей"),
    ("Омелян", "Емельян"),
    ("Юхим", "Ефим"),
    ("Єфим", "Ефим"),
    ("Охрім", "Ефрем"),
    ("Єфрем", "Ефрем"),
    ("Овсій", "Евсей"),
    ("Захар", "Захар"),
    ("Зіновій", "Зиновий"),
    ("Іван", "Иван"),
    ("Ігор", "Игорь"),
    ("Гнат", "Игнат"),
    ("Ігнат", "Игнат"),
    ("Ілля", "Илья"),
    ("Іларіон", "Илларион"),
    ("Інокентій", "Иннокентий"),
    ("Йосип", "Иосиф"),
    ("Кирило", "Кирилл"),
    ("Кіндрат", "Кондрат"),
    ("Клим", "Клим"),
    ("Климент", "Климент"),
    ("Корній", "Корней"),
    ("Костянтин", "Константин"),
    ("Кузьма", "Кузьма"),
    ("Лаврін", "Лаврентий"),
    ("Лаврентій", "Лаврентий"),
    ("Лев", "Лев"),
    ("Леонід", "Леонид"),
    ("Лука", "Лука"),
    ("Лукʼян", "Лукьян"),
    ("Любомир", "Любомир"),
    ("Макар", "Макар"),
    ("Максим", "Максим"),
    ("Марко", "Марк"),
    ("Марк", "Марк"),
    ("Маркіян", "Маркиян"),
    ("Мартин", "Мартын"),
    ("Марʼян", "Марьян"),
    ("Матвій", "Матвей"),
    ("Мефодій", "Мефодий"),
    ("Микита", "Никита"),
    ("Микола", "Николай"),
    ("Мирон", "Мирон"),
    ("Мирослав", "Мирослав"),
    ("Михайло", "Михаил"),
    ("Мстислав", "Мстислав"),
    ("Назар", "Назар"),
    ("Назарій", "Назарий"),
    ("Нестор", "Нестор"),
    ("Никифор", "Никифор"),
    ("Олег", "Олег"),
    ("Онисим", "Анисим"),
    ("Орест", "Орест"),
    ("Остап", "Остап"),
    ("Павло", "Павел"),
    ("Пантелеймон", "Пантелеймон"),
    ("Петро", "Пётр"),
    ("Петро", "Петр"),
    ("Пилип", "Филипп"),
    ("Філіп", "Филипп"),
    ("Платон", "Платон"),
    ("Прокіп", "Прокопий"),
    ("Прохор", "Прохор"),
    ("Родіон", "Родион"),
    ("Роман", "Роман"),
    ("Ростислав", "Ростислав"),
    ("Руслан", "Руслан"),
    ("Сава", "Савва"),
    ("Савелій", "Савелий"),
    ("Святослав", "Святослав"),
    ("Северин", "Северин"),
    ("Семен", "Семён"),
    ("Серафим", "Серафим"),
    ("Сергій", "Сергей"),
    ("Сидір", "Сидор"),
    ("Станіслав", "Станислав"),
    ("Степан", "Степан"),
    ("Тарас", "Тарас"),
    ("Тимофій", "Тимофей"),
    ("Тиміш", "Тимофей"),
    ("Тимур", "Тимур"),
    ("Тихон", "Тихон"),
    ("Трохим", "Трофим"),
    ("Федір", "Фёдор"),
    ("Феодосій", "Феодосий"),
    ("Фелікс", "Феликс"),
    ("Хома", "Фома"),
    ("Харитон", "Харитон"),
    ("Юліан", "Юлиан"),
    ("Юрій", "Юрий"),
    ("Яків", "Яков"),
    ("Яким", "Аким"),
    ("Ян", "Ян"),
    ("Ярослав", "Ярослав"),
    ("Адам", "Адам"),
    ("Альберт", "Альберт"),
];

/// Female given names: (Ukrainian, Russian).
pub const FEMALE: &[(&str, &str)] = &[
    ("Олександра", "Александра"),
    ("Агафія", "Агафья"),
    ("Алла", "Алла"),
    ("Алевтина", "Алевтина"),
    ("Альбіна", "Альбина"),
    ("Аліна", "Алина"),
    ("Альона", "Алёна"),
    ("Анастасія", "Анастасия"),
    ("Ангеліна", "Ангелина"),
    ("Анжела", "Анжела"),
    ("Ганна", "Анна"),
    ("Анна", "Анна"),
    ("Антоніна", "Антонина"),
    ("Аріна", "Арина"),
    ("Богдана", "Богдана"),
    ("Валентина", "Валентина"),
    ("Валерія", "Валерия"),
    ("Варвара", "Варвара"),
    ("Вероніка", "Вероника"),
    ("Віра", "Вера"),
    ("Вікторія", "Виктория"),
    ("Віолетта", "Виолетта"),
    ("Віталіна", "Виталина"),
    ("Владислава", "Владислава"),
    ("Галина", "Галина"),
    ("Дарина", "Дарина"),
    ("Дарʼя", "Дарья"),
    ("Дарія", "Дарья"),
    ("Діана", "Диана"),
    ("Єва", "Ева"),
    ("Євгенія", "Евгения"),
    ("Євдокія", "Евдокия"),
    ("Єлизавета", "Елизавета"),
    ("Єфросинія", "Ефросинья"),
    ("Елеонора", "Элеонора"),
    ("Ельвіра", "Эльвира"),
    ("Емілія", "Эмилия"),
    ("Жанна", "Жанна"),
    ("Зінаїда", "Зинаида"),
    ("Злата", "Злата"),
    ("Зоя", "Зоя"),
    ("Ілона", "Илона"),
    ("Інна", "Инна"),
    ("Інга", "Инга"),
    ("Ірина", "Ирина"),
    ("Карина", "Карина"),
    ("Катерина", "Екатерина"),
    ("Кіра", "Кира"),
    ("Клавдія", "Клавдия"),
    ("Ксенія", "Ксения"),
    ("Лариса", "Лариса"),
    ("Ліана", "Лиана"),
    ("Лідія", "Лидия"),
    ("Лілія", "Лилия"),
    ("Любов", "Любовь"),
    ("Людмила", "Людмила"),
    ("Майя", "Майя"),
    ("Маргарита", "Маргарита"),
    ("Марина", "Марина"),
    ("Марія", "Мария"),
    ("Марта", "Марта"),
    ("Марʼяна", "Марьяна"),
    ("Мілана", "Милана"),
    ("Мирослава", "Мирослава"),
    ("Надія", "Надежда"),
    ("Наталія", "Наталья"),
    ("Наталя", "Наталья"),
    ("Наталія", "Наталия"),
    ("Ніна", "Нина"),
    ("Нонна", "Нонна"),
    ("Оксана", "Оксана"),
    ("Олена", "Елена"),
    ("Олеся", "Олеся"),
    ("Олімпіада", "Олимпиада"),
    ("Ольга", "Ольга"),
    ("Парасковія", "Прасковья"),
    ("Пелагія", "Пелагея"),
    ("Поліна", "Полина"),
    ("Раїса", "Раиса"),
    ("Регіна", "Регина"),
    ("Римма", "Римма"),
    ("Руслана", "Руслана"),
    ("Світлана", "Светлана"),
    ("Серафима", "Серафима"),
    ("Сніжана", "Снежана"),
    ("Соломія", "Соломия"),
    ("Софія", "Софья"),
    ("Софія", "София"),
    ("Станіслава", "Станислава"),
    ("Стефанія", "Стефания"),
    ("Таїсія", "Таисия"),
    ("Тамара", "Тамара"),
    ("Тетяна", "Татьяна"),
    ("Уляна", "Ульяна"),
    ("Фаїна", "Фаина"),
    ("Феодосія", "Феодосия"),
    ("Христина", "Кристина"),
    ("Юлія", "Юлия"),
    ("Яна", "Яна"),
    ("Ярослава", "Ярослава"),
];

/// Set on a group id for the patronymic group of a male name.
pub const PATRONYMIC: u16 = 0x8000;

/// The equivalence group of a single name token ("Олександр", "Aleksandr",
/// "Александрович"), if the table knows it: a given-name group, or a
/// patronymic group (with the [`PATRONYMIC`] bit set).
pub fn name_group(token: &str) -> Option<u16> {
    group_of_keys(&search_keys(token))
}

/// The group of a token given its search keys (primary first).
pub(crate) fn group_of_keys(keys: &[String]) -> Option<u16> {
    let index = index();
    keys.iter()
        .find_map(|key| lookup(&index.given, key))
        .or_else(|| keys.first().and_then(|key| patronymic_group(index, key)))
}

/// Endings of patronymics, as search keys, tried in order: -ович/-евич/-йович
/// (`viC`), -івна/-ївна/-овна/-евна (`vna`), -инична (`iniCna`, Ильинична),
/// -ична (`iCna`), -ич (`iC`).
const PATRONYMIC_ENDINGS: [&str; 5] = ["viC", "vna", "iniCna", "iCna", "iC"];

fn patronymic_group(index: &Index, key: &str) -> Option<u16> {
    PATRONYMIC_ENDINGS.iter().find_map(|ending| {
        let stem = stem(key.strip_suffix(ending)?);
        if stem.len() < 2 {
            return None;
        }
        lookup(&index.stems, stem).map(|group| group | PATRONYMIC)
    })
}

/// A key without its final vowels: the part of a name its patronymic keeps
/// (Сергій `serhi` → `serh`, Сергійович `serhoviC` → `serh`).
fn stem(key: &str) -> &str {
    key.trim_end_matches(['a', 'e', 'i', 'o', 'u'])
}

fn lookup(table: &[(String, u16)], key: &str) -> Option<u16> {
    let at = table.partition_point(|(k, _)| k.as_str() < key);
    table
        .get(at)
        .filter(|(k, _)| k == key)
        .map(|&(_, group)| group)
}

#[derive(Debug)]
struct Index {
    /// (search key of a form, group), sorted; where two groups share a key
    /// (the tests forbid it) the smaller group comes first and wins.
    given: Vec<(String, u16)>,
    /// (stem of a male form, group), sorted, smaller group first.
    stems: Vec<(String, u16)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

/// All rows, male first, with their sex.
fn rows() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    MALE.iter()
        .map(|&(uk, ru)| (uk, ru, true))
        .chain(FEMALE.iter().map(|&(uk, ru)| (uk, ru, false)))
}

fn build_index() -> Index {
    // Union-find over the forms: rows sharing a form are one group.
    let mut node: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut id = |name: &'static str, parent: &mut Vec<usize>| {
        *node.entry(name).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let mut row_nodes = Vec::new();
    for (uk, ru, _) in rows() {
        let (a, b) = (id(uk, &mut parent), id(ru, &mut parent));
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra.max(rb)] = ra.min(rb);
        row_nodes.push(a);
    }
    // A group is numbered after its first row (1-based).
    let mut group_of_root: HashMap<usize, u16> = HashMap::new();
    let mut row_groups = Vec::new();
    for (row, &a) in row_nodes.iter().enumerate() {
        let root = find(&mut parent, a);
        let group = *group_of_root
            .entry(root)
            .or_insert_with(|| u16::try_from(row + 1).unwrap_or(u16::MAX >> 1));
        row_groups.push(group);
    }

    let mut given = Vec::new();
    let mut stems = Vec::new();
    for ((uk, ru, male), group) in rows().zip(row_groups) {
        for name in [uk, ru] {
            let keys = search_keys(name);
            if male && let Some(primary) = keys.first() {
                stems.push((stem(primary).to_owned(), group));
            }
            given.extend(keys.into_iter().map(|key| (key, group)));
        }
    }
    for table in [&mut given, &mut stems] {
        table.sort();
        table.dedup();
    }
    Index { given, stems }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;
    use crate::names::is_cyrillic;

    #[test]
    fn table_has_at_least_150_distinct_pairs() {
        let pairs: Vec<(&str, &str)> = MALE.iter().chain(FEMALE).copied().collect();
        assert!(pairs.len() >= 150, "{} pairs", pairs.len());
        let distinct: HashSet<_> = pairs.iter().collect();
        assert_eq!(distinct.len(), pairs.len(), "duplicate rows");
        // Most rows are real correspondences, not a name paired with itself.
        let different = pairs.iter().filter(|(uk, ru)| uk != ru).count();
        assert!(different >= 100, "{different}");
    }

    #[test]
    fn every_entry_is_cyrillic() {
        for (uk, ru) in MALE.iter().chain(FEMALE) {
            for name in [uk, ru] {
                assert!(
                    name.chars()
                        .all(|c| (is_cyrillic(c) && c.is_alphabetic()) || c == 'ʼ'),
                    "{name}"
                );
                assert!(
                    name.chars().next().is_some_and(char::is_uppercase),
                    "{name}"
                );
            }
            // The Ukrainian form uses no Russian-only letter, and the Russian
            // form no Ukrainian-only letter.
            assert!(!uk.chars().any(|c| "ёъыэЁЪЫЭ".contains(c)), "{uk}");
            assert!(!ru.chars().any(|c| "ґєіїʼҐЄІЇ".contains(c)), "{ru}");
        }
    }

    #[test]
    fn no_name_is_both_male_and_female() {
        let male: HashSet<&str> = MALE.iter().flat_map(|(a, b)| [*a, *b]).collect();
        for (uk, ru) in FEMALE {
            assert!(!male.contains(uk) && !male.contains(ru), "{uk} / {ru}");
        }
    }

    #[test]
    fn no_search_key_belongs_to_two_groups() {
        let mut owners: BTreeMap<&str, HashSet<u16>> = BTreeMap::new();
        for (key, group) in &index().given {
            owners.entry(key).or_default().insert(*group);
        }
        let clashes: Vec<_> = owners.iter().filter(|(_, g)| g.len() > 1).collect();
        assert!(clashes.is_empty(), "{clashes:?}");
    }

    #[test]
    fn both_forms_and_their_spellings_share_a_group() {
        for (a, b) in [
            ("Олександр", "Александр"),
            ("Oleksandr", "Александр"),
            ("Aleksandr", "Олександр"),
            ("Олексій", "Alexei"),
            ("Наталія", "Natalya"),
            ("Наталя", "Наталия"),
            ("Hanna", "Anna"),
            ("Yevhen", "Evgenii"),
            ("Dmytro", "Dmitry"),
            ("Serhii", "Sergey"),
            ("Vasyl", "Vasilii"),
            ("Petro", "Pyotr"),
            ("Petro", "Petr"),
            ("Mykola", "Nikolai"),
            ("Kateryna", "Ekaterina"),
            ("Olena", "Yelena"),
            ("Svitlana", "Svetlana"),
            ("Pylyp", "Filipp"),
            ("Filip", "Philipp"),
            ("Yukhym", "Efim"),
            ("Khoma", "Foma"),
            ("Tetiana", "Tatyana"),
            ("Liubov", "Lyubov"),
            ("Nadiia", "Nadezhda"),
        ] {
            let (ga, gb) = (name_group(a), name_group(b));
            assert!(ga.is_some() && ga == gb, "{a} {ga:?} / {b} {gb:?}");
        }
    }

    #[test]
    fn different_names_are_different_groups() {
        for (a, b) in [
            ("Олександр", "Олександра"),
            ("Ганна", "Яна"),
            ("Ян", "Яна"),
            ("Юрій", "Георгій"),
            ("Олена", "Альона"),
            ("Дарина", "Дарʼя"),
            ("Арсен", "Арсеній"),
        ] {
            assert_ne!(name_group(a), name_group(b), "{a} / {b}");
        }
        assert_eq!(name_group("Коваленко"), None);
        assert_eq!(name_group(""), None);
    }

    #[test]
    fn patronymics_get_the_patronymic_group_of_the_name() {
        let group = |s| name_group(s).expect(s);
        for (name, patronymics) in [
            (
                "Олександр",
                &[
                    "Олександрович",
                    "Александрович",
                    "Oleksandrovych",
                    "Aleksandrovna",
                    "Олександрівна",
                ][..],
            ),
            (
                "Сергій",
                &[
                    "Сергійович",
                    "Сергеевич",
                    "Serhiiovych",
                    "Sergeevna",
                    "Сергіївна",
                ],
            ),
            (
                "Микола",
                &["Миколайович", "Николаевич", "Миколаївна", "Nikolaevna"],
            ),
            ("Петро", &["Петрович", "Petrovych", "Петрівна", "Petrovna"]),
            ("Юрій", &["Юрійович", "Юрьевич", "Iurevich"]),
            ("Ілля", &["Ілліч", "Ильич", "Іллівна", "Ильинична"]),
        ] {
            for p in patronymics {
                assert_eq!(group(p), group(name) | PATRONYMIC, "{p} for {name}");
            }
        }
        // A surname ending like a patronymic but on no known name.
        assert_eq!(name_group("Маринич"), None);
        assert_eq!(name_group("Яцкевич"), None);
    }
}
