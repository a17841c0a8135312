//! Synthetic case records for tests, benchmarks, demos and seeding a relay.
//!
//! Every person here is invented: names are random combinations of common
//! Ukrainian and Russian surnames, given names and patronymics (a few
//! combinations that would name a well-known person are skipped), places are
//! ordinary settlements, facilities are generic forms («СІЗО-2 м. Таганрог»
//! style), phone numbers use the unassigned operator code `(00)`, document
//! numbers and hashes are random. No record describes a real person.
//!
//! The shapes follow DESIGN §2: categories in roughly the proportions a
//! large register holds (civilian detainees ~35 %, prisoners of war ~35 %,
//! political prisoners ~8 %, deported children ~12 %, missing ~10 %),
//! partial dates (some year-only, some year-month), plausible ages per
//! category, the whereabouts ladder consistent with the status timeline,
//! health flags in plausible proportions, family contacts with consent
//! scopes, sources and interventions. Every case passes
//! [`case_validation::validate`](crate::case_validation::validate) for the
//! `today` the generator was made with.
//!
//! Like the rest of the crate this module performs no IO, reads no clock and
//! draws randomness only from the source the caller passes in: the same seed
//! gives the same cases on every platform.
//!
//! ```
//! use shared::partial_date::Date;
//! use shared::synthetic::generate;
//!
//! let today = Date::new(2025, 6, 1).unwrap();
//! let cases: Vec<_> = generate(7, 3, today).collect();
//! assert_eq!(cases.len(), 3);
//! assert!(cases.iter().all(|c| !c.identity.surname.is_empty()));
//! ```

use rand_core::RngCore;

use crate::case::{
    Addressee, Alias, Capture, Case, Category, ChildDetails, Confidentiality, Consent, Contact,
    DetentionEpisode, DocumentKind, Facility, FamilyContact, Flag, Health, HealthFlag,
    IdentityDocument, Intervention, InterventionStatus, Notes, PoliticalDetails, PowDetails,
    Reliability, ReviewState, Sex, Source, SourceKind, Status, StatusEvent, Whereabouts,
};
use crate::partial_date::{Date, PartialDate};

// ---------------------------------------------------------------------------
// A small seeded PRNG, so callers outside tests need no `rand` dependency.

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast, and good enough to
/// make test data. Not for keys or anything secret.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }
}

impl RngCore for SplitMix64 {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// `n` synthetic cases from `seed`, valid on `today`. The same arguments
/// give the same cases.
pub fn generate(seed: u64, n: usize, today: Date) -> impl Iterator<Item = Case> {
    let mut generator = Generator::new(SplitMix64::new(seed), today);
    (0..n).map(move |_| generator.case())
}

// ---------------------------------------------------------------------------
// Tables. All values are common names and ordinary places.

/// Ukrainian male names: (name, patronymic of a son, of a daughter).
const UA_MALE: &[(&str, &str, &str)] = &[
    ("Олександр", "Олександрович", "Олександрівна"),
    ("Андрій", "Андрійович", "Андріївна"),
    ("Сергій", "Сергійович", "Сергіївна"),
    ("Володимир", "Володимирович", "Володимирівна"),
    ("Микола", "Миколайович", "Миколаївна"),
    ("Іван", "Іванович", "Іванівна"),
    ("Василь", "Васильович", "Василівна"),
    ("Юрій", "Юрійович", "Юріївна"),
    ("Віктор", "Вікторович", "Вікторівна"),
    ("Олег", "Олегович", "Олегівна"),
    ("Ігор", "Ігорович", "Ігорівна"),
    ("Михайло", "Михайлович", "Михайлівна"),
    ("Дмитро", "Дмитрович", "Дмитрівна"),
    ("Олексій", "Олексійович", "Олексіївна"),
    ("Петро", "Петрович", "Петрівна"),
    ("Павло", "Павлович", "Павлівна"),
    ("Анатолій", "Анатолійович", "Анатоліївна"),
    ("Валерій", "Валерійович", "Валеріївна"),
    ("Віталій", "Віталійович", "Віталіївна"),
    ("Роман", "Романович", "Романівна"),
    ("Євген", "Євгенович", "Євгенівна"),
    ("Ярослав", "Ярославович", "Ярославівна"),
    ("Богдан", "Богданович", "Богданівна"),
    ("Тарас", "Тарасович", "Тарасівна"),
    ("Максим", "Максимович", "Максимівна"),
    ("Артем", "Артемович", "Артемівна"),
    ("Денис", "Денисович", "Денисівна"),
    ("Вадим", "Вадимович", "Вадимівна"),
    ("Руслан", "Русланович", "Русланівна"),
    ("Степан", "Степанович", "Степанівна"),
    ("Григорій", "Григорович", "Григорівна"),
    ("Федір", "Федорович", "Федорівна"),
    ("Леонід", "Леонідович", "Леонідівна"),
    ("Костянтин", "Костянтинович", "Костянтинівна"),
    ("Геннадій", "Геннадійович", "Геннадіївна"),
    ("Станіслав", "Станіславович", "Станіславівна"),
    ("Владислав", "Владиславович", "Владиславівна"),
    ("В'ячеслав", "В'ячеславович", "В'ячеславівна"),
    ("Ростислав", "Ростиславович", "Ростиславівна"),
    ("Назар", "Назарович", "Назарівна"),
    ("Кирило", "Кирилович", "Кирилівна"),
    ("Ілля", "Ілліч", "Іллівна"),
    ("Остап", "Остапович", "Остапівна"),
    ("Антон", "Антонович", "Антонівна"),
    ("Борис", "Борисович", "Борисівна"),
    ("Святослав", "Святославович", "Святославівна"),
];

#[rustfmt::skip]
const UA_FEMALE: &[&str] = &[
    "Олена", "Ольга", "Наталія", "Тетяна", "Ірина", "Світлана", "Юлія", "Оксана", "Людмила",
    "Ганна", "Марія", "Валентина", "Галина", "Надія", "Катерина", "Вікторія", "Анастасія",
    "Лариса", "Любов", "Віра", "Алла", "Інна", "Христина", "Дарина", "Яна", "Анна", "Мирослава",
    "Ніна", "Тамара", "Лідія", "Раїса", "Зоя", "Аліна", "Леся", "Уляна", "Вероніка", "Марина",
    "Жанна", "Софія", "Іванна",
];

/// Given names of children born 2008–2020.
#[rustfmt::skip]
const UA_BOYS: &[&str] = &[
    "Максим", "Артем", "Назар", "Матвій", "Данило", "Тимофій", "Марк", "Давид", "Іван", "Михайло",
    "Богдан", "Кирило", "Олександр", "Владислав", "Дмитро", "Єгор", "Захар", "Ярослав", "Денис",
    "Микита", "Роман", "Андрій", "Тимур", "Олексій",
];

#[rustfmt::skip]
const UA_GIRLS: &[&str] = &[
    "Софія", "Анна", "Марія", "Вікторія", "Анастасія", "Злата", "Дарина", "Соломія", "Поліна",
    "Єва", "Вероніка", "Аліна", "Олександра", "Діана", "Мирослава", "Катерина", "Кіра", "Валерія",
    "Ангеліна", "Уляна", "Мілана", "Христина",
];

/// Russian male names: (name, patronymic of a son, of a daughter).
const RU_MALE: &[(&str, &str, &str)] = &[
    ("Александр", "Александрович", "Александровна"),
    ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"),
    ("Сергей", "Сергеевич", "Сергеевна"),
    ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Николай", "Николаевич", "Николаевна"),
    ("Иван", "Иванович", "Ивановна"),
    ("Михаил", "Михайлович", "Михайловна"),
    ("Владимир", "Владимирович", "Владимировна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Юрий", "Юрьевич", "Юрьевна"),
    ("Игорь", "Игоревич", "Игоревна"),
    ("Олег", "Олегович", "Олеговна"),
    ("Павел", "Павлович", "Павловна"),
    ("Виктор", "Викторович", "Викторовна"),
    ("Максим", "Максимович", "Максимовна"),
    ("Артём", "Артёмович", "Артёмовна"),
    ("Денис", "Денисович", "Денисовна"),
    ("Роман", "Романович", "Романовна"),
    ("Константин", "Константинович", "Константиновна"),
    ("Василий", "Васильевич", "Васильевна"),
    ("Пётр", "Петрович", "Петровна"),
    ("Григорий", "Григорьевич", "Григорьевна"),
    ("Анатолий", "Анатольевич", "Анатольевна"),
    ("Валерий", "Валерьевич", "Валерьевна"),
    ("Геннадий", "Геннадьевич", "Геннадьевна"),
    ("Леонид", "Леонидович", "Леонидовна"),
    ("Вадим", "Вадимович", "Вадимовна"),
    ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"),
    ("Станислав", "Станиславович", "Станиславовна"),
    ("Борис", "Борисович", "Борисовна"),
    ("Фёдор", "Фёдорович", "Фёдоровна"),
    ("Степан", "Степанович", "Степановна"),
    ("Руслан", "Русланович", "Руслановна"),
];

#[rustfmt::skip]
const RU_FEMALE: &[&str] = &[
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Анна", "Мария",
    "Екатерина", "Анастасия", "Людмила", "Галина", "Надежда", "Валентина", "Марина", "Нина",
    "Любовь", "Вера", "Лариса", "Дарья", "Ксения", "Алина", "Виктория", "Полина", "Евгения",
    "Оксана",
];

/// Ukrainian surnames, masculine forms (feminine forms by [`feminine`]).
#[rustfmt::skip]
const UA_SURNAMES: &[&str] = &[
    // -енко
    "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Шевченко", "Савченко", "Руденко",
    "Мельниченко", "Петренко", "Іваненко", "Марченко", "Литвиненко", "Харченко", "Павленко",
    "Левченко", "Мироненко", "Кузьменко", "Гончаренко", "Сидоренко", "Романенко", "Тимченко",
    "Яковенко", "Остапенко", "Демченко", "Юрченко", "Карпенко", "Фоменко", "Лук'яненко",
    "Нестеренко", "Гриценко", "Василенко", "Дмитренко", "Панченко", "Степаненко", "Мартиненко",
    "Кириленко", "Зінченко", "Лисенко", "Пономаренко", "Бабенко", "Якименко", "Дяченко",
    "Онищенко", "Тищенко", "Москаленко", "Гордієнко", "Дорошенко", "Пащенко",
    // -ук / -юк / -чук
    "Поліщук", "Шевчук", "Мельничук", "Ковальчук", "Бойчук", "Романюк", "Савчук", "Гнатюк",
    "Марчук", "Данилюк", "Олійчук", "Федорчук", "Прокопчук", "Семенюк", "Дячук", "Мартинюк",
    "Климчук", "Тарасюк", "Костюк", "Стасюк", "Гуменюк", "Пилипчук", "Антонюк", "Ткачук",
    "Гаврилюк", "Павлюк", "Захарчук", "Присяжнюк", "Гребенюк",
    // -ський / -цький
    "Ковальський", "Савицький", "Вишневський", "Левицький", "Соколовський", "Лозинський",
    "Яворський", "Островський", "Томашевський", "Дубовський", "Ясинський", "Ольшанський",
    // -ов / -ев / -ін
    "Попов", "Кузнєцов", "Соколов", "Морозов", "Волков", "Лебедєв", "Новіков", "Федоров", "Павлов",
    "Семенов", "Ільїн", "Нікітін", "Зайцев", "Гусєв",
    // occupations and others
    "Мельник", "Коваль", "Бойко", "Кравець", "Олійник", "Бондар", "Гончар", "Ткач", "Швець",
    "Кушнір", "Білик", "Сорока", "Лозовий", "Білий", "Вовк", "Приходько", "Головко", "Мазур",
    "Лях", "Гавриш", "Козак", "Ковтун", "Кучер", "Щербак", "Щербина", "Литвин", "Рибак", "Заєць",
    "Мисник", "Зубко",
];

/// Russian surnames, masculine forms.
#[rustfmt::skip]
const RU_SURNAMES: &[&str] = &[
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Федоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семенов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьев", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьев",
    "Сергеев", "Кузьмин", "Фролов", "Дмитриев", "Гусев", "Ильин", "Максимов", "Поляков", "Сорокин",
    "Виноградов", "Белов", "Антонов", "Тарасов", "Баранов", "Комаров", "Давыдов", "Осипов",
    "Сидоров", "Титов", "Марков", "Крылов", "Куликов", "Власов", "Денисов", "Тихонов", "Фомин",
    "Чернов", "Назаров", "Калинин", "Быков", "Маслов", "Лазарев", "Воронин", "Климов", "Высоцкий",
    "Ковалевский",
];

/// Combinations that would name a well-known person: never generated.
const DENIED: &[(&str, &str)] = &[
    ("Шевченко", "Тарас"),
    ("Шевченко", "Андрій"),
    ("Лисенко", "Микола"),
];

/// Callsigns, recorded as aliases of some prisoners of war.
#[rustfmt::skip]
const CALLSIGNS: &[&str] = &[
    "Грім", "Сокіл", "Вовк", "Док", "Тайфун", "Кіт", "Лис", "Бард", "Шаман", "Байрак", "Ворон",
    "Сапер", "Мольфар", "Граніт", "Шершень", "Беркут", "Явір", "Чорний", "Малий", "Дід", "Скіф",
];

/// A settlement and the hromada it belongs to (district for Crimea, which
/// never had the hromada reform).
type Settlement = (&'static str, &'static str);

struct Oblast {
    name: &'static str,
    /// Occupied, formerly occupied or on the front line.
    affected: bool,
    places: &'static [Settlement],
}

const OBLASTS: &[Oblast] = &[
    Oblast {
        name: "Херсонська",
        affected: true,
        places: &[
            ("Херсонська міська", "м. Херсон"),
            ("Олешківська", "м. Олешки"),
            ("Каховська", "м. Каховка"),
            ("Новокаховська", "м. Нова Каховка"),
            ("Скадовська", "м. Скадовськ"),
            ("Генічеська", "м. Генічеськ"),
            ("Білозерська", "смт Білозерка"),
            ("Голопристанська", "м. Гола Пристань"),
            ("Чаплинська", "смт Чаплинка"),
            ("Білозерська", "с. Широка Балка"),
        ],
    },
    Oblast {
        name: "Запорізька",
        affected: true,
        places: &[
            ("Мелітопольська", "м. Мелітополь"),
            ("Бердянська", "м. Бердянськ"),
            ("Енергодарська", "м. Енергодар"),
            ("Василівська", "м. Василівка"),
            ("Токмацька", "м. Токмак"),
            ("Пологівська", "м. Пологи"),
            ("Запорізька міська", "м. Запоріжжя"),
            ("Оріхівська", "м. Оріхів"),
            ("Кам'янсько-Дніпровська", "м. Кам'янка-Дніпровська"),
            ("Мелітопольська", "с. Терпіння"),
        ],
    },
    Oblast {
        name: "Донецька",
        affected: true,
        places: &[
            ("Маріупольська", "м. Маріуполь"),
            ("Бахмутська", "м. Бахмут"),
            ("Волноваська", "м. Волноваха"),
            ("Краматорська", "м. Краматорськ"),
            ("Покровська", "м. Покровськ"),
            ("Донецька міська", "м. Донецьк"),
            ("Мангушська", "смт Мангуш"),
            ("Торецька", "м. Торецьк"),
            ("Костянтинівська", "м. Костянтинівка"),
            ("Лиманська", "м. Лиман"),
        ],
    },
    Oblast {
        name: "Луганська",
        affected: true,
        places: &[
            ("Сєвєродонецька", "м. Сєвєродонецьк"),
            ("Лисичанська", "м. Лисичанськ"),
            ("Старобільська", "м. Старобільськ"),
            ("Щастинська", "м. Щастя"),
            ("Новоайдарська", "смт Новоайдар"),
            ("Рубіжанська", "м. Рубіжне"),
            ("Луганська міська", "м. Луганськ"),
            ("Кремінська", "м. Кремінна"),
        ],
    },
    Oblast {
        name: "Харківська",
        affected: true,
        places: &[
            ("Ізюмська", "м. Ізюм"),
            ("Куп'янська", "м. Куп'янськ"),
            ("Балаклійська", "м. Балаклія"),
            ("Вовчанська", "м. Вовчанськ"),
            ("Харківська міська", "м. Харків"),
            ("Чугуївська", "м. Чугуїв"),
            ("Козачолопанська", "смт Козача Лопань"),
        ],
    },
    Oblast {
        name: "Автономна Республіка Крим",
        affected: true,
        places: &[
            ("Сімферопольський р-н", "м. Сімферополь"),
            ("Бахчисарайський р-н", "м. Бахчисарай"),
            ("Джанкойський р-н", "м. Джанкой"),
            ("Керченський р-н", "м. Керч"),
            ("Ялтинський р-н", "м. Ялта"),
            ("Феодосійський р-н", "м. Феодосія"),
            ("Євпаторійський р-н", "м. Євпаторія"),
        ],
    },
    Oblast {
        name: "Севастополь",
        affected: true,
        places: &[("", "м. Севастополь")],
    },
    Oblast {
        name: "Миколаївська",
        affected: true,
        places: &[
            ("Миколаївська міська", "м. Миколаїв"),
            ("Снігурівська", "м. Снігурівка"),
            ("Баштанська", "м. Баштанка"),
        ],
    },
    Oblast {
        name: "Київська",
        affected: true,
        places: &[
            ("Бучанська", "м. Буча"),
            ("Ірпінська", "м. Ірпінь"),
            ("Бородянська", "смт Бородянка"),
            ("Гостомельська", "смт Гостомель"),
            ("Макарівська", "смт Макарів"),
            ("Іванківська", "смт Іванків"),
        ],
    },
    Oblast {
        name: "Чернігівська",
        affected: true,
        places: &[
            ("Чернігівська міська", "м. Чернігів"),
            ("Новгород-Сіверська", "м. Новгород-Сіверський"),
            ("Ріпкинська", "смт Ріпки"),
        ],
    },
    Oblast {
        name: "Сумська",
        affected: true,
        places: &[
            ("Сумська міська", "м. Суми"),
            ("Тростянецька", "м. Тростянець"),
            ("Охтирська", "м. Охтирка"),
            ("Конотопська", "м. Конотоп"),
        ],
    },
    Oblast {
        name: "Дніпропетровська",
        affected: false,
        places: &[
            ("Дніпровська міська", "м. Дніпро"),
            ("Нікопольська", "м. Нікополь"),
            ("Марганецька", "м. Марганець"),
        ],
    },
    Oblast {
        name: "Київ",
        affected: false,
        places: &[("Київська міська", "м. Київ")],
    },
    Oblast {
        name: "Львівська",
        affected: false,
        places: &[("Львівська міська", "м. Львів"), ("Стрийська", "м. Стрий")],
    },
    Oblast {
        name: "Одеська",
        affected: false,
        places: &[("Одеська міська", "м. Одеса"), ("Ізмаїльська", "м. Ізмаїл")],
    },
    Oblast {
        name: "Вінницька",
        affected: false,
        places: &[
            ("Вінницька міська", "м. Вінниця"),
            ("Жмеринська", "м. Жмеринка"),
        ],
    },
    Oblast {
        name: "Полтавська",
        affected: false,
        places: &[
            ("Полтавська міська", "м. Полтава"),
            ("Кременчуцька", "м. Кременчук"),
        ],
    },
    Oblast {
        name: "Житомирська",
        affected: false,
        places: &[
            ("Житомирська міська", "м. Житомир"),
            ("Коростенська", "м. Коростень"),
        ],
    },
    Oblast {
        name: "Рівненська",
        affected: false,
        places: &[
            ("Рівненська міська", "м. Рівне"),
            ("Сарненська", "м. Сарни"),
        ],
    },
    Oblast {
        name: "Волинська",
        affected: false,
        places: &[("Луцька", "м. Луцьк"), ("Ковельська", "м. Ковель")],
    },
    Oblast {
        name: "Тернопільська",
        affected: false,
        places: &[("Тернопільська міська", "м. Тернопіль")],
    },
    Oblast {
        name: "Івано-Франківська",
        affected: false,
        places: &[
            ("Івано-Франківська міська", "м. Івано-Франківськ"),
            ("Калуська", "м. Калуш"),
        ],
    },
    Oblast {
        name: "Хмельницька",
        affected: false,
        places: &[("Хмельницька міська", "м. Хмельницький")],
    },
    Oblast {
        name: "Черкаська",
        affected: false,
        places: &[("Черкаська міська", "м. Черкаси"), ("Уманська", "м. Умань")],
    },
    Oblast {
        name: "Кіровоградська",
        affected: false,
        places: &[("Кропивницька", "м. Кропивницький")],
    },
    Oblast {
        name: "Закарпатська",
        affected: false,
        places: &[
            ("Ужгородська", "м. Ужгород"),
            ("Мукачівська", "м. Мукачево"),
        ],
    },
    Oblast {
        name: "Чернівецька",
        affected: false,
        places: &[("Чернівецька міська", "м. Чернівці")],
    },
];

/// Residences of Russian citizens documented as political prisoners.
const RU_REGIONS: &[(&str, &str)] = &[
    ("Москва (РФ)", "м. Москва"),
    ("Санкт-Петербург (РФ)", "м. Санкт-Петербург"),
    ("Ростовська область (РФ)", "м. Ростов-на-Дону"),
    ("Краснодарський край (РФ)", "м. Краснодар"),
    ("Свердловська область (РФ)", "м. Єкатеринбург"),
    ("Новосибірська область (РФ)", "м. Новосибірськ"),
];

/// Cities in Russia where people are held or children taken.
#[rustfmt::skip]
const RU_CITIES: &[&str] = &[
    "Таганрог", "Ростов-на-Дону", "Курськ", "Бєлгород", "Брянськ", "Воронеж", "Москва",
    "Новочеркаськ", "Шахти", "Пенза", "Рязань", "Тула", "Вязьма", "Новозибків", "Саратов",
    "Кам'янськ-Шахтинський", "Старий Оскол", "Липецьк",
];

#[rustfmt::skip]
const RU_REGIONS_GENITIVE: &[&str] = &[
    "Ростовська обл.", "Курська обл.", "Бєлгородська обл.", "Брянська обл.", "Воронезька обл.",
    "Московська обл.", "Краснодарський край", "Республіка Мордовія", "Пензенська обл.",
    "Тульська обл.", "Рязанська обл.", "Саратовська обл.",
];

#[rustfmt::skip]
const CAMP_NAMES: &[&str] = &[
    "Сонечко", "Берізка", "Зірочка", "Дружба", "Веселка", "Ластівка", "Орлятко", "Лісова казка",
];

const AUTHORITIES: &[(&str, u32)] = &[
    ("ФСБ РФ", 30),
    ("ЗС РФ", 30),
    ("Росгвардія", 12),
    ("окупаційна «поліція»", 10),
    ("ФСВП РФ", 5),
    ("невідомі озброєні особи", 13),
];

const RANKS: &[(&str, u32)] = &[
    ("солдат", 30),
    ("старший солдат", 15),
    ("матрос", 5),
    ("молодший сержант", 10),
    ("сержант", 10),
    ("старший сержант", 8),
    ("головний сержант", 4),
    ("штаб-сержант", 3),
    ("молодший лейтенант", 3),
    ("лейтенант", 4),
    ("старший лейтенант", 3),
    ("капітан", 3),
    ("майор", 1),
    ("підполковник", 1),
];

#[rustfmt::skip]
const BRIGADE_KINDS: &[&str] = &[
    "окрема механізована бригада", "окрема бригада територіальної оборони",
    "окрема бригада морської піхоти", "окрема десантно-штурмова бригада", "прикордонний загін",
    "окремий батальйон",
];

#[rustfmt::skip]
const ARTICLES: &[&str] = &[
    "ст. 275 КК РФ (державна зрада)", "ст. 276 КК РФ (шпигунство)", "ч. 2 ст. 205.5 КК РФ",
    "ст. 280.3 КК РФ", "ст. 207.3 КК РФ", "ст. 222.1 КК РФ", "ч. 1 ст. 282.2 КК РФ",
    "ст. 281 КК РФ (диверсія)",
];

#[rustfmt::skip]
const ILLNESSES: &[&str] = &[
    "цукровий діабет, потребує інсуліну", "гіпертонічна хвороба",
    "туберкульоз легень (зі слів звільнених)", "онкологічне захворювання, лікування перервано",
    "хронічна серцева недостатність", "бронхіальна астма", "гепатит C", "епілепсія",
];

#[rustfmt::skip]
const WOUNDS: &[&str] = &[
    "осколкове поранення ноги", "вогнепальне поранення плеча", "контузія", "опіки рук",
    "поранення грудної клітки", "ампутація кисті (зі слів побратимів)",
];

#[rustfmt::skip]
const DISABILITIES: &[&str] = &[
    "інвалідність II групи", "інвалідність I групи", "порушення слуху", "порушення зору",
    "пересувається з милицями",
];

#[rustfmt::skip]
const MARKS: &[&str] = &[
    "татуювання на лівому передпліччі", "татуювання на правому плечі", "шрам над бровою",
    "шрам на підборідді", "родимка на шиї", "відсутній палець на лівій руці",
    "золота коронка на верхньому зубі", "носить окуляри",
];

#[rustfmt::skip]
const NOTES: &[&str] = &[
    "Інформацію надала мати під час інтерв'ю.", "Зі слів сусідів, затримали вдома вранці.",
    "Родина просить не публікувати фото.", "Потрібна повторна перевірка даних документа.",
    "Побратим бачив у колоні полонених.",
    "Звільнений у межах обміну повідомив, що утримувалися разом.",
    "Дані з відкритих джерел, потребують підтвердження.",
    "Контакт з родиною лише через месенджер.",
];

#[rustfmt::skip]
const TIMELINE_SOURCES: &[&str] = &[
    "повідомлення родичів", "відповідь МКЧХ", "відеозапис у відкритих джерелах",
    "свідчення звільненого", "лист Координаційного штабу", "офіційна відповідь РФ",
    "повідомлення побратимів",
];

#[rustfmt::skip]
const RESPONSES: &[&str] = &[
    "МКЧХ підтвердив факт утримання", "інформація відсутня", "запит передано компетентним органам",
    "справу зареєстровано", "обіцяно повідомити додатково",
];

// ---------------------------------------------------------------------------
// Dates.

/// Days since 1970-01-01 of a civil date.
fn days(year: i32, month: u8, day: u8) -> i64 {
    Date { year, month, day }.days_since_epoch()
}

const DAY_MS: i64 = 86_400_000;

/// The feminine form of a masculine surname (invariable ones unchanged).
fn feminine(surname: &str) -> String {
    if let Some(stem) = surname
        .strip_suffix("ський")
        .or_else(|| surname.strip_suffix("цький"))
    {
        let tail = if surname.ends_with("ський") {
            "ська"
        } else {
            "цька"
        };
        return format!("{stem}{tail}");
    }
    if let Some(stem) = surname
        .strip_suffix("ский")
        .or_else(|| surname.strip_suffix("цкий"))
    {
        let tail = if surname.ends_with("ский") {
            "ская"
        } else {
            "цкая"
        };
        return format!("{stem}{tail}");
    }
    if let Some(stem) = surname.strip_suffix("ий") {
        return format!("{stem}а");
    }
    if ["ов", "ев", "єв", "ёв", "ін", "ин", "їн", "ын"]
        .iter()
        .any(|end| surname.ends_with(end))
    {
        return format!("{surname}а");
    }
    surname.to_owned()
}

/// One person's name, its parts agreeing with sex.
#[derive(Debug, Clone)]
struct Name {
    /// As the person carries it (feminine form for women).
    surname: String,
    /// The masculine form (the father's).
    masc: &'static str,
    given: String,
    patronymic: String,
    /// The father's given name (the patronymic's base).
    father: &'static str,
}

// ---------------------------------------------------------------------------
// The generator.

/// Makes synthetic cases from the caller's random source, valid on `today`.
#[derive(Debug)]
pub struct Generator<R> {
    rng: R,
    today: Date,
    today_days: i64,
    /// Hex ids of the team's devices that record status events.
    recorders: Vec<String>,
}

/// The day the full-scale invasion began.
fn invasion() -> i64 {
    days(2022, 2, 24)
}

impl<R: RngCore> Generator<R> {
    /// A generator for cases written on `today` (dates are never after it).
    /// Meant for a `today` from 2022-03 on; an earlier one still yields valid
    /// cases, squeezed into the days before it.
    pub fn new(rng: R, today: Date) -> Generator<R> {
        let mut generator = Generator {
            rng,
            today,
            today_days: today.days_since_epoch(),
            recorders: Vec::new(),
        };
        generator.recorders = (0..5).map(|_| generator.hex(32)).collect();
        generator
    }

    pub fn today(&self) -> Date {
        self.today
    }

    /// The random source, e.g. to draw document ids in the same sequence.
    pub fn rng(&mut self) -> &mut R {
        &mut self.rng
    }

    /// A list item id: 16 hex digits.
    pub fn ids(&mut self) -> String {
        format!("{:016x}", self.rng.next_u64())
    }

    // -- random helpers ----------------------------------------------------

    fn hex(&mut self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        self.rng.fill_bytes(&mut buf);
        hex::encode(buf)
    }

    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.rng.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn unit(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        let total: u32 = table.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total as usize) as u32;
        for (item, weight) in table {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        table[table.len() - 1].0
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// A day in `lo..=hi`, never after today.
    fn day_in(&mut self, lo: i64, hi: i64) -> i64 {
        let hi = hi.min(self.today_days);
        self.between(lo.min(hi), hi)
    }

    /// `day` with its precision reduced at random: full with probability
    /// `full`, year-month with `month`, else the year only.
    fn partial(&mut self, day: i64, full: f64, month: f64) -> PartialDate {
        let date = Date::from_days_since_epoch(day);
        let roll = self.unit();
        let reduced = if roll < full {
            None
        } else if roll < full + month {
            PartialDate::month(date.year, date.month).ok()
        } else {
            PartialDate::year(date.year).ok()
        };
        reduced.unwrap_or_else(|| date.into())
    }

    /// A timeline or list date: mostly full, some year-month.
    fn event_date(&mut self, day: i64) -> PartialDate {
        self.partial(day, 0.85, 0.12)
    }

    fn sha256(&mut self) -> String {
        self.hex(32)
    }

    fn phone(&mut self) -> String {
        format!(
            "+380 (00) {}-{}-{}",
            self.digits(3),
            self.digits(2),
            self.digits(2)
        )
    }

    // -- names -------------------------------------------------------------

    fn name(&mut self, sex: Sex, russian: bool, child: bool) -> Name {
        loop {
            let female = sex == Sex::Female;
            let (father, patr_m, patr_f) = if russian {
                *self.pick(RU_MALE)
            } else {
                *self.pick(UA_MALE)
            };
            let given = match (russian, child, female) {
                (true, _, false) => self.pick(RU_MALE).0,
                (true, _, true) => self.pick(RU_FEMALE),
                (false, true, false) => self.pick(UA_BOYS),
                (false, true, true) => self.pick(UA_GIRLS),
                (false, false, false) => self.pick(UA_MALE).0,
                (false, false, true) => self.pick(UA_FEMALE),
            };
            let surname = if russian {
                self.pick(RU_SURNAMES)
            } else {
                self.pick(UA_SURNAMES)
            };
            if DENIED.contains(&(surname, given)) {
                continue;
            }
            return Name {
                masc: surname,
                surname: if female {
                    feminine(surname)
                } else {
                    (*surname).to_owned()
                },
                given: given.to_owned(),
                patronymic: if female { patr_f } else { patr_m }.to_owned(),
                father,
            };
        }
    }

    /// "Прізвище Ім'я По батькові" of a relative of someone named `of`.
    fn relative_name(
        &mut self,
        of: &Name,
        female: bool,
        russian: bool,
        same_surname: bool,
    ) -> String {
        let sex = if female { Sex::Female } else { Sex::Male };
        let mut name = self.name(sex, russian, false);
        if same_surname {
            name.surname = if female {
                feminine(of.masc)
            } else {
                of.masc.to_owned()
            };
        }
        format!("{} {} {}", name.surname, name.given, name.patronymic)
    }

    // -- places --------------------------------------------------------------

    fn oblast(&mut self, affected_share: f64) -> &'static Oblast {
        let affected = self.chance(affected_share);
        loop {
            let oblast = self.pick(OBLASTS);
            if oblast.affected == affected {
                return oblast;
            }
        }
    }

    fn settlement_in(&mut self, oblast: &'static Oblast) -> Settlement {
        *self.pick(oblast.places)
    }

    fn affected_settlement(&mut self) -> &'static str {
        let oblast = self.oblast(1.0);
        self.settlement_in(oblast).1
    }

    /// A facility and its stage: 0 where people are first held (filtration,
    /// basements), 1 pre-trial detention, 2 colonies and camps.
    fn facility(&mut self, category: Category) -> (u8, String) {
        let city = self.pick(RU_CITIES);
        let region = self.pick(RU_REGIONS_GENITIVE);
        let roll = self.below(100);
        match category {
            Category::PrisonerOfWar if roll < 45 => {
                (2, format!("ВК-{}, {region}", self.between(1, 20)))
            }
            Category::PrisonerOfWar if roll < 75 => {
                (1, format!("СІЗО-{} м. {city}", self.between(1, 5)))
            }
            Category::PrisonerOfWar if roll < 90 => {
                (2, format!("табір для військовополонених, {region}"))
            }
            _ if roll < 30 => (1, format!("СІЗО-{} м. {city}", self.between(1, 5))),
            _ if roll < 45 => (1, format!("ІТТ м. {city}")),
            _ if roll < 60 => (
                0,
                format!("фільтраційний пункт, {}", self.affected_settlement()),
            ),
            _ if roll < 75 => (
                0,
                format!(
                    "місце несвободи в підвалі адмінбудівлі, {}",
                    self.affected_settlement()
                ),
            ),
            _ if roll < 90 => (2, format!("ВК-{}, {region}", self.between(1, 20))),
            _ => (1, "невстановлене місце тримання".to_owned()),
        }
    }

    // -- the case ------------------------------------------------------------

    /// One synthetic case, valid on the generator's `today`.
    pub fn case(&mut self) -> Case {
        use Category::*;
        let category = self.weighted(&[
            (CivilianDetainee, 35),
            (PrisonerOfWar, 35),
            (PoliticalPrisoner, 8),
            (DeportedChild, 12),
            (Missing, 10),
        ]);
        let male_share = match category {
            PrisonerOfWar => 0.92,
            CivilianDetainee => 0.65,
            PoliticalPrisoner => 0.8,
            DeportedChild => 0.5,
            Missing => 0.75,
        };
        let sex = if self.chance(male_share) {
            Sex::Male
        } else {
            Sex::Female
        };
        let russian = self.chance(match category {
            PoliticalPrisoner => 0.6,
            PrisonerOfWar => 0.08,
            CivilianDetainee => 0.03,
            Missing => 0.02,
            DeportedChild => 0.0,
        });
        let child = category == DeportedChild;
        let name = self.name(sex, russian, child);

        // The key day: seized, transferred, or last seen.
        let today = self.today_days;
        let invasion = invasion();
        let key_day = match category {
            PoliticalPrisoner => self.day_in(days(2014, 3, 1), today),
            DeportedChild => 0, // chosen with the birth date below
            _ if self.chance(0.06) => self.day_in(days(2014, 4, 15), invasion - 1),
            CivilianDetainee if self.chance(0.6) => self.day_in(invasion, days(2022, 12, 31)),
            _ => self.day_in(invasion, today),
        };

        let mut case = Case {
            category,
            ..Case::default()
        };
        let (birth_day, key_day) = if child {
            self.child_dates()
        } else {
            let age = match category {
                PrisonerOfWar => self.weighted(&[((18, 25), 25), ((25, 45), 60), ((45, 60), 15)]),
                CivilianDetainee => {
                    self.weighted(&[((18, 30), 20), ((30, 60), 55), ((60, 85), 25)])
                }
                PoliticalPrisoner => self.weighted(&[((20, 40), 50), ((40, 70), 50)]),
                _ => self.weighted(&[((18, 40), 50), ((40, 60), 30), ((60, 80), 20)]),
            };
            let years = self.between(age.0, age.1 - 1);
            let birth = key_day - years * 365 - years / 4 - self.between(0, 364);
            (birth, key_day)
        };

        self.identity(&mut case, &name, sex, russian, birth_day, key_day);
        let statuses = self.statuses(category);
        let dates = self.timeline_days(&statuses, key_day);
        let end_day = statuses
            .iter()
            .zip(&dates)
            .find(|(s, _)| !s.is_deprived_of_liberty())
            .map(|(_, d)| *d)
            .unwrap_or(today);

        match category {
            PrisonerOfWar => self.pow(&mut case),
            PoliticalPrisoner => self.political(&mut case, &statuses, key_day),
            DeportedChild => self.child(&mut case, &name, key_day, birth_day),
            _ => {}
        }
        if category != DeportedChild && (category != Missing || self.chance(0.3)) {
            self.detention(&mut case, &statuses, key_day, end_day);
        }
        self.health(&mut case, sex, birth_day, key_day);
        self.timeline(&mut case, &statuses, &dates);
        self.family(&mut case, &name, russian, key_day);
        self.sources(&mut case, key_day);
        self.interventions(&mut case, &statuses, key_day);
        case.review = if self.chance(0.4) {
            ReviewState::Verified
        } else {
            ReviewState::Draft
        };
        case.confidentiality = self.weighted(&[
            (Confidentiality::Standard, 20),
            (Confidentiality::Confidential, 60),
            (Confidentiality::StrictlyConfidential, 20),
        ]);
        if self.chance(0.5) {
            case.notes = Notes(self.pick(NOTES).to_string());
        }
        case
    }

    /// A deported child's birth day and transfer day.
    fn child_dates(&mut self) -> (i64, i64) {
        let today = self.today_days;
        let birth = self.day_in(days(2008, 1, 1), days(2020, 12, 31).min(today - 400));
        // A day before the 18th birthday (18 × 365 days is a few days short).
        let still_child = birth + 18 * 365 - 1;
        let earliest = birth + 30;
        let (lo, hi) = if self.chance(0.9) {
            (invasion(), days(2023, 12, 31))
        } else {
            (days(2014, 3, 1), invasion() - 1)
        };
        let hi = hi.min(still_child).min(today);
        let mut lo = lo.max(earliest);
        if lo > hi {
            lo = earliest.max(days(2014, 3, 1)).min(hi);
        }
        (birth, self.between(lo, hi))
    }

    fn identity(
        &mut self,
        case: &mut Case,
        name: &Name,
        sex: Sex,
        russian: bool,
        birth_day: i64,
        key_day: i64,
    ) {
        let category = case.category;
        let child = category == Category::DeportedChild;
        let id = &mut case.identity;
        id.surname = name.surname.clone();
        id.given_names = name.given.clone();
        id.patronymic = name.patronymic.clone();
        id.sex = sex;

        // Birth: full, year-month, year, or only an approximate age.
        let roll = self.unit();
        if child || roll < 0.95 {
            let birth = if child {
                self.partial(birth_day, 0.9, 0.05)
            } else {
                self.partial(birth_day, 0.84, 0.05)
            };
            case.identity.birth_date = Some(birth);
        } else {
            let on = self.day_in(key_day, self.today_days);
            let on_date = Date::from_days_since_epoch(on);
            let age = Date::from_days_since_epoch(birth_day).years_until(on_date);
            case.identity.approx_age = Some(age.clamp(0, 120) as u8);
            case.identity.approx_age_on = Some(self.partial(on, 0.6, 0.3));
        }

        // Residence.
        let russian_citizen =
            russian && category == Category::PoliticalPrisoner && self.chance(0.4);
        if russian_citizen {
            let (region, city) = *self.pick(RU_REGIONS);
            let id = &mut case.identity;
            id.residence_oblast = region.to_owned();
            id.residence_settlement = city.to_owned();
            id.citizenships = vec!["RU".to_owned()];
            id.place_of_birth = format!("м. {}", self.pick(RU_CITIES));
        } else {
            let affected = match category {
                Category::PrisonerOfWar => 0.4,
                Category::PoliticalPrisoner => 1.0,
                _ => 0.9,
            };
            let oblast = if category == Category::PoliticalPrisoner && self.chance(0.6) {
                &OBLASTS[5] // Crimea
            } else {
                self.oblast(affected)
            };
            let (hromada, settlement) = self.settlement_in(oblast);
            let place_of_birth = if self.chance(0.6) {
                settlement.to_owned()
            } else {
                let other = self.oblast(0.5);
                let (_, s) = self.settlement_in(other);
                format!("{s}, {} обл.", other.name)
            };
            let dual = oblast.affected && self.chance(0.05);
            let id = &mut case.identity;
            id.residence_oblast = oblast.name.to_owned();
            id.residence_hromada = hromada.to_owned();
            id.residence_settlement = settlement.to_owned();
            id.citizenships = if dual {
                vec!["UA".to_owned(), "RU".to_owned()]
            } else {
                vec!["UA".to_owned()]
            };
            id.place_of_birth = place_of_birth;
        }
        if self.chance(0.1) {
            case.identity.place_of_birth.clear();
        }

        // Mother.
        if self.chance(0.6) {
            let mother_given = if russian {
                self.pick(RU_FEMALE)
            } else {
                self.pick(UA_FEMALE)
            };
            let grandfather = if russian {
                self.pick(RU_MALE).2
            } else {
                self.pick(UA_MALE).2
            };
            let married = feminine(name.masc);
            case.identity.mother_name = format!("{married} {mother_given} {grandfather}");
            if self.chance(0.7) {
                let maiden = if russian {
                    self.pick(RU_SURNAMES)
                } else {
                    self.pick(UA_SURNAMES)
                };
                case.identity.mother_maiden_name = feminine(maiden);
            }
        }

        // Aliases: a callsign for some soldiers, a maiden name for some women.
        if category == Category::PrisonerOfWar && self.chance(0.15) {
            let item = self.ids();
            case.identity.aliases.push(Alias {
                id: item,
                name: format!("позивний «{}»", self.pick(CALLSIGNS)),
            });
        }
        if sex == Sex::Female && !child && self.chance(0.1) {
            let maiden = if russian {
                self.pick(RU_SURNAMES)
            } else {
                self.pick(UA_SURNAMES)
            };
            let item = self.ids();
            case.identity.aliases.push(Alias {
                id: item,
                name: format!("{} {}", feminine(maiden), name.given),
            });
        }

        // Documents.
        let count = self.weighted(&[(0usize, 30), (1, 50), (2, 20)]);
        for _ in 0..count {
            let kind = if child {
                DocumentKind::BirthCertificate
            } else if category == Category::PrisonerOfWar && self.chance(0.5) {
                DocumentKind::MilitaryId
            } else {
                self.weighted(&[
                    (DocumentKind::InternalPassport, 35),
                    (DocumentKind::IdCard, 30),
                    (DocumentKind::Passport, 15),
                    (DocumentKind::TaxNumber, 20),
                ])
            };
            let letters = ["АА", "ВК", "ЕН", "КМ", "МЕ", "СН", "ТТ"];
            let number = match kind {
                DocumentKind::InternalPassport => {
                    format!("{}{}", self.pick(&letters), self.digits(6))
                }
                DocumentKind::IdCard => self.digits(9),
                DocumentKind::Passport => format!("F{}", self.digits(7)),
                DocumentKind::TaxNumber => self.digits(10),
                DocumentKind::MilitaryId => format!("{}{}", self.pick(&letters), self.digits(6)),
                DocumentKind::BirthCertificate => {
                    format!("I-{} {}", self.pick(&letters), self.digits(6))
                }
                DocumentKind::Other => self.digits(8),
            };
            if case.identity.documents.iter().any(|d| d.kind == kind) {
                continue;
            }
            let item = self.ids();
            case.identity.documents.push(IdentityDocument {
                id: item,
                kind,
                number,
            });
        }
        if self.chance(0.2) {
            case.identity.distinguishing_marks = self.pick(MARKS).to_string();
        }
        if self.chance(0.3) {
            case.identity.photo_sha256 = Some(self.sha256());
        }
    }

    fn pow(&mut self, case: &mut Case) {
        let rank = self.weighted(RANKS);
        let unit = if self.chance(0.5) {
            format!("в/ч А{}", self.digits(4))
        } else {
            format!("{}-а {}", self.between(1, 160), self.pick(BRIGADE_KINDS))
        };
        case.pow = PowDetails {
            rank: rank.to_owned(),
            unit,
            service_number: if self.chance(0.6) {
                format!("{}-{}", self.pick(&["ЗС", "НГ", "ДПСУ"]), self.digits(6))
            } else {
                String::new()
            },
        };
    }

    fn political(&mut self, case: &mut Case, statuses: &[Status], key_day: i64) {
        let charged = statuses
            .iter()
            .any(|s| matches!(s, Status::Charged | Status::Sentenced));
        if !charged {
            return;
        }
        let city = self.pick(RU_CITIES);
        let year = Date::from_days_since_epoch(key_day).year;
        case.political = PoliticalDetails {
            article: self.pick(ARTICLES).to_string(),
            court: format!("районний суд м. {city}"),
            case_number: format!("1-{}/{year}", self.between(10, 999)),
            sentence: if statuses.contains(&Status::Sentenced) {
                format!(
                    "{} років позбавлення волі, колонія {} режиму",
                    self.between(5, 20),
                    self.pick(&["загального", "суворого"])
                )
            } else {
                String::new()
            },
        };
    }

    fn child(&mut self, case: &mut Case, name: &Name, transfer_day: i64, birth_day: i64) {
        let guardian = match self.below(4) {
            0 => format!("мати, {}", self.relative_name(name, true, false, true)),
            1 => format!("бабуся, {}", self.relative_name(name, true, false, true)),
            2 => format!("батько, {} {}", name.masc, name.father),
            _ => "служба у справах дітей".to_owned(),
        };
        let region = self.pick(RU_REGIONS_GENITIVE);
        let city = self.pick(RU_CITIES);
        let known_location = match self.below(5) {
            0 => format!("дитячий табір «{}», {region}", self.pick(CAMP_NAMES)),
            1 => format!("дитячий будинок, м. {city}"),
            2 => format!("прийомна родина, {region}"),
            3 => format!("школа-інтернат, м. {city}"),
            _ => String::new(),
        };
        let transfer_place = if self.chance(0.5) {
            case.identity.residence_settlement.clone()
        } else {
            format!("фільтраційний пункт, {}", self.affected_settlement())
        };
        let mut transfer_date = Some(self.partial(transfer_day, 0.75, 0.2));
        // Sometimes unknown, but only while the child is certainly a child today.
        let birth_latest = case
            .identity
            .birth_date
            .map(|b| b.latest())
            .unwrap_or_else(|| Date::from_days_since_epoch(birth_day));
        if birth_latest.years_until(self.today) < 18 && self.chance(0.1) {
            transfer_date = None;
        }
        case.child = ChildDetails {
            guardian,
            transfer_date,
            transfer_place,
            known_location,
        };
    }

    /// The sequence of statuses, oldest first, 1–5 long.
    fn statuses(&mut self, category: Category) -> Vec<Status> {
        use Status::*;
        let mut s = Vec::new();
        let ending = |g: &mut Self, s: &mut Vec<Status>, table: &[(Option<Status>, u32)]| {
            if let Some(end) = g.weighted(table) {
                s.push(end);
                if matches!(end, Released | Exchanged) && g.chance(0.7) {
                    s.push(ReturnedHome);
                }
            }
        };
        match category {
            Category::CivilianDetainee => {
                if self.chance(0.5) {
                    s.push(Missing);
                }
                s.push(DetainedUnacknowledged);
                if self.chance(0.6) {
                    s.push(DetainedAcknowledged);
                    if self.chance(0.3) {
                        s.push(Charged);
                        if self.chance(0.7) {
                            s.push(Sentenced);
                        }
                    }
                }
                ending(
                    self,
                    &mut s,
                    &[
                        (None, 66),
                        (Some(Released), 15),
                        (Some(Exchanged), 12),
                        (Some(Deceased), 5),
                        (Some(Escaped), 2),
                    ],
                );
            }
            Category::PrisonerOfWar => {
                if self.chance(0.6) {
                    s.push(Missing);
                }
                s.push(if self.chance(0.8) {
                    DetainedAcknowledged
                } else {
                    DetainedUnacknowledged
                });
                if self.chance(0.1) {
                    s.push(Charged);
                    s.push(Sentenced);
                }
                ending(
                    self,
                    &mut s,
                    &[
                        (None, 62),
                        (Some(Exchanged), 32),
                        (Some(Deceased), 5),
                        (Some(Escaped), 1),
                    ],
                );
            }
            Category::PoliticalPrisoner => {
                if self.chance(0.3) {
                    s.push(DetainedUnacknowledged);
                }
                s.push(DetainedAcknowledged);
                if self.chance(0.85) {
                    s.push(Charged);
                    if self.chance(0.7) {
                        s.push(Sentenced);
                    }
                }
                ending(
                    self,
                    &mut s,
                    &[
                        (None, 80),
                        (Some(Released), 10),
                        (Some(Exchanged), 8),
                        (Some(Deceased), 2),
                    ],
                );
            }
            Category::DeportedChild => {
                if self.chance(0.7) {
                    s.push(Missing);
                }
                if s.is_empty() || self.chance(0.6) {
                    s.push(DetainedAcknowledged);
                }
                if self.chance(0.2) {
                    s.push(ReturnedHome);
                }
            }
            Category::Missing => {
                s.push(Missing);
                if self.chance(0.3) {
                    s.push(Missing);
                }
                if self.chance(0.03) {
                    s.push(Deceased);
                }
            }
        }
        while s.len() > 5 {
            s.remove(1);
        }
        s
    }

    /// One day per status: the first on `start`, the rest in order up to today.
    fn timeline_days(&mut self, statuses: &[Status], start: i64) -> Vec<i64> {
        let today = self.today_days;
        let start = start.min(today);
        let mut out: Vec<i64> = Vec::with_capacity(statuses.len());
        let mut rest: Vec<i64> = (1..statuses.len())
            .map(|_| self.between(start, today))
            .collect();
        rest.sort_unstable();
        out.push(start);
        for (i, day) in rest.into_iter().enumerate() {
            let prev = out[i];
            let status = statuses[i + 1];
            let day = if status == Status::ReturnedHome
                && matches!(statuses[i], Status::Released | Status::Exchanged)
            {
                (prev + self.between(0, 14)).min(today)
            } else {
                day.max(prev)
            };
            out.push(day);
        }
        out
    }

    fn timeline(&mut self, case: &mut Case, statuses: &[Status], dates: &[i64]) {
        let mut previous: Option<PartialDate> = None;
        let mut recorded_prev = i64::MIN;
        for (i, (&status, &day)) in statuses.iter().zip(dates).enumerate() {
            // A coarser date only where it keeps the timeline's order certain.
            let mut date = if i == 0 {
                self.partial(day, 0.85, 0.1)
            } else {
                self.event_date(day)
            };
            if let Some(prev) = previous
                && !date.is_full()
                && date.earliest() <= prev.latest()
            {
                date = Date::from_days_since_epoch(day).into();
            }
            previous = Some(date);
            let recorded_day = self.day_in(day, day + 60);
            let recorded_at = (recorded_day * DAY_MS
                + self.between(7, 21) * 3_600_000
                + self.between(0, 3_599_999))
            .max(recorded_prev + 60_000);
            recorded_prev = recorded_at;
            let id = self.ids();
            let who = self.below(self.recorders.len());
            let recorded_by = self.recorders[who].clone();
            case.timeline.push(StatusEvent {
                id,
                date: Some(date),
                status,
                source: self.pick(TIMELINE_SOURCES).to_string(),
                reliability: self.weighted(&[
                    (Reliability::Confirmed, 30),
                    (Reliability::Probable, 30),
                    (Reliability::Possible, 20),
                    (Reliability::Doubtful, 5),
                    (Reliability::Unassessed, 15),
                ]),
                recorded_by,
                recorded_at_ms: recorded_at,
            });
        }
    }

    fn detention(&mut self, case: &mut Case, statuses: &[Status], seized: i64, end: i64) {
        use Status::*;
        let category = case.category;
        let acknowledged = statuses.iter().any(|s| {
            matches!(
                s,
                DetainedAcknowledged | Charged | Sentenced | Exchanged | Released
            )
        });
        let denied = statuses.contains(&DetainedUnacknowledged);
        let episodes = if category == Category::CivilianDetainee && self.chance(0.1) {
            2
        } else {
            1
        };
        let mut starts = vec![seized];
        if episodes == 2 {
            // A short filtration first, a later arrest second.
            starts.push(self.day_in(seized + 3, end));
        }
        for (n, &start) in starts.iter().enumerate() {
            let last = n + 1 == starts.len();
            let capture = if category == Category::Missing {
                Capture::Unknown
            } else if acknowledged {
                Capture::Acknowledged
            } else if denied && self.chance(0.6) {
                Capture::Denied
            } else {
                Capture::Unknown
            };
            let whereabouts = match capture {
                Capture::Acknowledged if self.chance(0.6) => Whereabouts::Disclosed,
                Capture::Acknowledged => Whereabouts::Undisclosed,
                Capture::Denied if self.chance(0.8) => Whereabouts::Undisclosed,
                _ => Whereabouts::Unknown,
            };
            let family_contact = if whereabouts == Whereabouts::Disclosed {
                self.weighted(&[
                    (Contact::Permitted, 25),
                    (Contact::Denied, 60),
                    (Contact::Unknown, 15),
                ])
            } else {
                self.weighted(&[(Contact::Denied, 50), (Contact::Unknown, 50)])
            };
            let lawyer_contact = if statuses.contains(&Charged) {
                self.weighted(&[
                    (Contact::Permitted, 60),
                    (Contact::Denied, 30),
                    (Contact::Unknown, 10),
                ])
            } else {
                self.weighted(&[(Contact::Denied, 40), (Contact::Unknown, 60)])
            };
            let icrc_contact = match (category, capture) {
                (Category::PrisonerOfWar, Capture::Acknowledged) => self.weighted(&[
                    (Contact::Permitted, 25),
                    (Contact::Denied, 50),
                    (Contact::Unknown, 25),
                ]),
                (_, Capture::Acknowledged) => self.weighted(&[
                    (Contact::Permitted, 5),
                    (Contact::Denied, 45),
                    (Contact::Unknown, 50),
                ]),
                _ => Contact::Unknown,
            };
            let place = self.settlement_of(case);
            let place_seized = match (category, self.below(3)) {
                (Category::PrisonerOfWar, _) => {
                    format!("район н. п. {}", strip_kind(self.affected_settlement()))
                }
                (_, 0) => format!("за місцем проживання, {place}"),
                (_, 1) => format!("блокпост поблизу н. п. {}", strip_kind(&place)),
                _ => place,
            };
            let authority = if category == Category::PrisonerOfWar {
                "ЗС РФ".to_owned()
            } else {
                self.weighted(AUTHORITIES).to_owned()
            };
            let legal_status = match category {
                Category::PrisonerOfWar => "військовополонений",
                Category::PoliticalPrisoner if statuses.contains(&Sentenced) => "засуджений",
                Category::PoliticalPrisoner => "обвинувачений",
                Category::CivilianDetainee if statuses.contains(&Sentenced) => "засуджений",
                Category::CivilianDetainee if statuses.contains(&Charged) => {
                    "підозрюваний у кримінальній справі"
                }
                Category::CivilianDetainee => "утримується без пред'явлення обвинувачення",
                _ => "",
            }
            .to_owned();

            // Facilities: admitted in order between seizure and the end.
            let episode_end = if last { end } else { starts[n + 1] };
            let count = if category == Category::Missing
                || (capture == Capture::Unknown && self.chance(0.5))
            {
                0
            } else if !last {
                1
            } else {
                self.weighted(&[(0usize, 15), (1, 45), (2, 30), (3, 10)])
            };
            let mut admitted: Vec<i64> = (0..count)
                .map(|_| self.day_in(start, episode_end))
                .collect();
            admitted.sort_unstable();
            let mut names: Vec<(u8, String)> =
                (0..count).map(|_| self.facility(category)).collect();
            names.sort_by_key(|(stage, _)| *stage);
            let mut facilities = Vec::with_capacity(count);
            for ((j, &day), (_, name)) in admitted.iter().enumerate().zip(names) {
                let next = admitted.get(j + 1).copied();
                let transferred_on = match next {
                    Some(next) => Some(self.partial(next, 0.7, 0.2)),
                    None if !last => Some(self.partial(episode_end, 0.7, 0.2)),
                    None => None,
                };
                let id = self.ids();
                facilities.push(Facility {
                    id,
                    name,
                    admitted_on: Some(self.partial(day, 0.6, 0.3)),
                    transferred_on,
                });
            }
            let id = self.ids();
            let seized_on = if self.chance(0.03) {
                None
            } else {
                Some(self.partial(start, 0.8, 0.15))
            };
            case.detention.push(DetentionEpisode {
                id,
                seized_on,
                place_seized,
                authority,
                facilities,
                legal_status,
                capture,
                whereabouts,
                family_contact,
                lawyer_contact,
                icrc_contact,
            });
        }
    }

    fn settlement_of(&mut self, case: &Case) -> String {
        let own = &case.identity.residence_settlement;
        if own.is_empty() || case.identity.residence_oblast.ends_with("(РФ)") && self.chance(0.5)
        {
            self.affected_settlement().to_owned()
        } else {
            own.clone()
        }
    }

    fn health(&mut self, case: &mut Case, sex: Sex, birth_day: i64, key_day: i64) {
        let category = case.category;
        let today = self.today_days;
        let flag = |g: &mut Self, yes: f64, no: f64, notes: &[&str]| -> HealthFlag {
            let roll = g.unit();
            if roll < yes {
                HealthFlag {
                    flag: Flag::Yes,
                    noted_on: {
                        let day = g.day_in(key_day, today);
                        Some(g.partial(day, 0.6, 0.3))
                    },
                    note: g.pick(notes).to_string(),
                }
            } else if roll < yes + no {
                HealthFlag {
                    flag: Flag::No,
                    noted_on: None,
                    note: String::new(),
                }
            } else {
                HealthFlag::default()
            }
        };
        let wounded_share = match category {
            Category::PrisonerOfWar => 0.10,
            Category::Missing => 0.03,
            _ => 0.015,
        };
        let age_at_key = Date::from_days_since_epoch(birth_day)
            .years_until(Date::from_days_since_epoch(key_day));
        let fertile = sex == Sex::Female && (18..=45).contains(&age_at_key);
        let pregnant_share = if fertile { 0.025 } else { 0.0 };
        let infant_share = if fertile { 0.04 } else { 0.0 };
        case.health = Health {
            serious_illness: flag(self, 0.08, 0.3, ILLNESSES),
            wounded: flag(self, wounded_share, 0.3, WOUNDS),
            disability: flag(self, 0.05, 0.3, DISABILITIES),
            pregnant: flag(
                self,
                pregnant_share,
                if fertile { 0.4 } else { 0.0 },
                &[
                    "вагітність, близько 20 тижнів",
                    "вагітність (зі слів родичів)",
                ],
            ),
            mother_of_infant: flag(
                self,
                infant_share,
                if fertile { 0.2 } else { 0.0 },
                &["дитина до 1 року"],
            ),
        };
    }

    fn family(&mut self, case: &mut Case, name: &Name, russian: bool, key_day: i64) {
        let count = self.weighted(&[(0usize, 10), (1, 50), (2, 30), (3, 10)]);
        let child = case.category == Category::DeportedChild;
        let permitted = case
            .detention
            .iter()
            .any(|d| d.family_contact == Contact::Permitted);
        for i in 0..count {
            let (relation, female, same_surname) = if child {
                *self.pick(&[
                    ("мати", true, true),
                    ("батько", false, true),
                    ("бабуся", true, true),
                    ("тітка", true, false),
                ])
            } else {
                *self.pick(&[
                    ("мати", true, true),
                    ("батько", false, true),
                    ("дружина", true, true),
                    ("чоловік", false, false),
                    ("сестра", true, false),
                    ("брат", false, true),
                    ("донька", true, true),
                    ("син", false, true),
                ])
            };
            let relative = if relation == "батько" {
                format!("{} {}", name.masc, name.father)
            } else {
                self.relative_name(name, female, russian, same_surname)
            };
            let last_contact = if self.chance(0.7) {
                let day = if permitted && self.chance(0.5) {
                    self.day_in(key_day, self.today_days)
                } else {
                    self.day_in(key_day - 10, key_day)
                };
                Some(self.partial(day, 0.8, 0.15))
            } else {
                None
            };
            let id = self.ids();
            let contact = if self.chance(0.85) {
                self.phone()
            } else {
                format!("Telegram, {}", self.phone())
            };
            case.family.push(FamilyContact {
                id,
                name: relative,
                relation: relation.to_owned(),
                contact,
                to_inform: i == 0,
                consent: Consent {
                    icrc: self.chance(0.8),
                    un_wgeid: self.chance(0.5),
                    negotiators: self.chance(0.7),
                    public_campaign: self.chance(0.3),
                },
                last_contact,
            });
        }
    }

    fn sources(&mut self, case: &mut Case, key_day: i64) {
        let count = self.weighted(&[(1usize, 55), (2, 30), (3, 15)]);
        let pow = case.category == Category::PrisonerOfWar;
        for _ in 0..count {
            let kind = if pow {
                self.weighted(&[
                    (SourceKind::Relative, 35),
                    (SourceKind::ReleasedDetainee, 20),
                    (SourceKind::IcrcConfirmation, 20),
                    (SourceKind::OpenSource, 15),
                    (SourceKind::OfficialDocument, 10),
                ])
            } else {
                self.weighted(&[
                    (SourceKind::Relative, 50),
                    (SourceKind::ReleasedDetainee, 15),
                    (SourceKind::OfficialDocument, 12),
                    (SourceKind::OpenSource, 15),
                    (SourceKind::IcrcConfirmation, 5),
                    (SourceKind::Other, 3),
                ])
            };
            let description = match kind {
                SourceKind::Relative => "інтерв'ю з родичем",
                SourceKind::ReleasedDetainee => "свідчення звільненої особи",
                SourceKind::OfficialDocument => "лист-відповідь державного органу",
                SourceKind::OpenSource => "відео в Telegram-каналі",
                SourceKind::IcrcConfirmation => "підтвердження МКЧХ",
                SourceKind::Other => "повідомлення волонтерів",
            };
            let attachments = (0..self.weighted(&[(0usize, 60), (1, 30), (2, 10)]))
                .map(|_| self.sha256())
                .collect();
            let id = self.ids();
            let day = self.day_in(key_day, self.today_days);
            case.sources.push(Source {
                id,
                kind,
                date: Some(self.event_date(day)),
                reliability: self.weighted(&[
                    (Reliability::Confirmed, 25),
                    (Reliability::Probable, 35),
                    (Reliability::Possible, 20),
                    (Reliability::Doubtful, 5),
                    (Reliability::Unassessed, 15),
                ]),
                confidential: self.chance(0.3),
                description: description.to_owned(),
                attachments,
            });
        }
    }

    fn interventions(&mut self, case: &mut Case, statuses: &[Status], key_day: i64) {
        let count = self.weighted(&[(0usize, 35), (1, 35), (2, 20), (3, 10)]);
        let held = statuses.last().is_some_and(|s| s.is_deprived_of_liberty());
        for _ in 0..count {
            let addressee = self.weighted(&[
                (Addressee::Icrc, 35),
                (Addressee::CoordinationHeadquarters, 25),
                (Addressee::Ombudsman, 20),
                (Addressee::UnWgeid, 10),
                (Addressee::ForeignMinistry, 5),
                (Addressee::Other, 5),
            ]);
            let status = self.weighted(&[
                (InterventionStatus::Planned, 10),
                (InterventionStatus::Sent, 40),
                (InterventionStatus::Answered, 35),
                (InterventionStatus::Closed, 15),
            ]);
            let date = if status == InterventionStatus::Planned {
                None
            } else {
                let day = self.day_in(key_day + 7, self.today_days);
                Some(self.event_date(day))
            };
            let response = if matches!(
                status,
                InterventionStatus::Answered | InterventionStatus::Closed
            ) {
                self.pick(RESPONSES).to_string()
            } else {
                String::new()
            };
            let id = self.ids();
            case.interventions.push(Intervention {
                id,
                addressee,
                date,
                response,
                status,
                in_release_list: held && self.chance(0.3),
            });
        }
    }

    // -- concurrent edits ----------------------------------------------------

    /// `case` with 1–3 scalar fields changed, as a second device editing the
    /// same case offline might: to make concurrent-edit conflicts. Lists and
    /// the timeline are left alone; the result is valid whenever `case` is.
    pub fn conflicting_edit(&mut self, case: &Case) -> Case {
        let mut out = case.clone();
        let mut fields: Vec<EditField> = vec![
            EditField::Surname,
            EditField::GivenNames,
            EditField::Settlement,
            EditField::PlaceOfBirth,
            EditField::Marks,
            EditField::MaidenName,
            EditField::Review,
            EditField::Confidentiality,
        ];
        match case.category {
            Category::PrisonerOfWar => fields.extend([EditField::Rank, EditField::Unit]),
            Category::PoliticalPrisoner => fields.push(EditField::Sentence),
            Category::DeportedChild => fields.push(EditField::KnownLocation),
            _ => {}
        }
        if !case.detention.is_empty() {
            fields.extend([EditField::PlaceSeized, EditField::Whereabouts]);
        }
        let n = self.between(1, 3) as usize;
        for _ in 0..n {
            let field = fields.remove(self.below(fields.len()));
            self.edit_field(&mut out, field);
        }
        out
    }

    fn edit_field(&mut self, case: &mut Case, field: EditField) {
        let id = &case.identity;
        match field {
            EditField::Surname => {
                // Another spelling of the same surname, as heard or typed.
                let before = id.surname.clone();
                let swaps = [('и', 'і'), ('і', 'и'), ('е', 'є'), ('о', 'а'), ('к', 'г')];
                let options: Vec<String> = before
                    .char_indices()
                    .skip(1)
                    .filter_map(|(at, c)| {
                        let (from, to) = swaps.iter().find(|(from, _)| *from == c)?;
                        let rest = &before[at + from.len_utf8()..];
                        Some(format!("{}{to}{rest}", &before[..at]))
                    })
                    .collect();
                case.identity.surname = if options.is_empty() {
                    format!("{before}о")
                } else {
                    options[self.below(options.len())].clone()
                };
            }
            EditField::GivenNames => {
                let before = id.given_names.clone();
                let sex = id.sex;
                let russian = RU_FEMALE.contains(&before.as_str())
                    || RU_MALE.iter().any(|(n, _, _)| *n == before);
                let child = case.category == Category::DeportedChild;
                loop {
                    let name = self.name(sex, russian, child);
                    if name.given != before {
                        case.identity.given_names = name.given;
                        break;
                    }
                }
            }
            EditField::Settlement => {
                let before = id.residence_settlement.clone();
                loop {
                    let s = self.affected_settlement();
                    if s != before {
                        case.identity.residence_settlement = s.to_owned();
                        break;
                    }
                }
            }
            EditField::PlaceOfBirth => {
                let before = id.place_of_birth.clone();
                loop {
                    let oblast = self.oblast(0.5);
                    let s = format!("{}, {} обл.", self.settlement_in(oblast).1, oblast.name);
                    if s != before {
                        case.identity.place_of_birth = s;
                        break;
                    }
                }
            }
            EditField::Marks => {
                let before = id.distinguishing_marks.clone();
                let extra = self.pick(MARKS);
                case.identity.distinguishing_marks = if before.is_empty() {
                    (*extra).to_owned()
                } else if before.contains(extra) {
                    String::new()
                } else {
                    format!("{before}; {extra}")
                };
            }
            EditField::MaidenName => {
                let before = id.mother_maiden_name.clone();
                loop {
                    let s = feminine(self.pick::<&str>(UA_SURNAMES));
                    if s != before {
                        case.identity.mother_maiden_name = s;
                        break;
                    }
                }
            }
            EditField::Review => {
                case.review = match case.review {
                    ReviewState::Draft => ReviewState::Verified,
                    ReviewState::Verified => ReviewState::Draft,
                };
            }
            EditField::Confidentiality => {
                let before = case.confidentiality;
                while case.confidentiality == before {
                    case.confidentiality = *self.pick(Confidentiality::ALL);
                }
            }
            EditField::Rank => {
                let before = case.pow.rank.clone();
                while case.pow.rank == before {
                    case.pow.rank = self.weighted(RANKS).to_owned();
                }
            }
            EditField::Unit => {
                case.pow.unit = format!("в/ч А{}", self.digits(4));
            }
            EditField::Sentence => {
                let before = case.political.sentence.clone();
                while case.political.sentence == before {
                    case.political.sentence =
                        format!("{} років позбавлення волі", self.between(3, 25));
                }
            }
            EditField::KnownLocation => {
                let before = case.child.known_location.clone();
                while case.child.known_location == before {
                    case.child.known_location =
                        format!("дитячий будинок, м. {}", self.pick(RU_CITIES));
                }
            }
            EditField::PlaceSeized => {
                let before = case.detention[0].place_seized.clone();
                while case.detention[0].place_seized == before {
                    case.detention[0].place_seized = format!(
                        "блокпост поблизу н. п. {}",
                        strip_kind(self.affected_settlement())
                    );
                }
            }
            EditField::Whereabouts => {
                let before = case.detention[0].whereabouts;
                while case.detention[0].whereabouts == before {
                    case.detention[0].whereabouts = *self.pick(Whereabouts::ALL);
                }
            }
        }
    }
}

/// The scalar fields [`Generator::conflicting_edit`] may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditField {
    Surname,
    GivenNames,
    Settlement,
    PlaceOfBirth,
    Marks,
    MaidenName,
    Review,
    Confidentiality,
    Rank,
    Unit,
    Sentence,
    KnownLocation,
    PlaceSeized,
    Whereabouts,
}

/// "м. Херсон" → "Херсон".
fn strip_kind(settlement: &str) -> &str {
    ["м. ", "смт ", "с. "]
        .iter()
        .find_map(|p| settlement.strip_prefix(p))
        .unwrap_or(settlement)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::case_doc::{CaseDoc, CaseEdit, EditContext};
    use crate::case_validation::validate;
    use crate::ids::DeviceId;

    fn today() -> Date {
        Date::new(2025, 6, 1).unwrap()
    }

    fn assert_valid(case: &Case, today: Date, what: &str) {
        if let Err(e) = validate(case, today) {
            panic!("{what} is not valid on {today}: {e}\n{case:#?}");
        }
    }

    #[test]
    fn ten_thousand_cases_are_valid() {
        for (i, case) in generate(1, 10_000, today()).enumerate() {
            assert_valid(&case, today(), &format!("case {i}"));
        }
    }

    #[test]
    fn cases_are_valid_whatever_today_is() {
        for (seed, today) in [
            (2, Date::new(2022, 3, 15).unwrap()),
            (3, Date::new(2023, 1, 15).unwrap()),
            (4, Date::new(2026, 12, 31).unwrap()),
            (5, Date::new(2040, 6, 1).unwrap()),
        ] {
            let mut g = Generator::new(StdRng::seed_from_u64(seed), today);
            for i in 0..2_000 {
                assert_valid(&g.case(), today, &format!("case {i} (seed {seed})"));
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_cases() {
        let a: Vec<Case> = generate(42, 100, today()).collect();
        let b: Vec<Case> = generate(42, 100, today()).collect();
        assert_eq!(a, b);
        let c: Vec<Case> = generate(43, 100, today()).collect();
        assert_ne!(a, c);

        let mut g1 = Generator::new(StdRng::seed_from_u64(9), today());
        let mut g2 = Generator::new(StdRng::seed_from_u64(9), today());
        for _ in 0..100 {
            assert_eq!(g1.case(), g2.case());
        }
    }

    #[test]
    fn the_seeded_stream_is_stable() {
        // SplitMix64's published first outputs for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    /// Named in Russian: the given name or the patronymic exists only in
    /// the Russian tables (some, like Максим or Петрович, are in both).
    fn is_russian(case: &Case) -> bool {
        let in_table = |x: &str, female: &[&str], male: &[(&str, &str, &str)]| {
            female.contains(&x) || male.iter().any(|(n, m, f)| *n == x || *m == x || *f == x)
        };
        let in_ua = |x: &str| {
            in_table(x, UA_FEMALE, UA_MALE) || UA_BOYS.contains(&x) || UA_GIRLS.contains(&x)
        };
        let ru_only = |x: &str| in_table(x, RU_FEMALE, RU_MALE) && !in_ua(x);
        let id = &case.identity;
        ru_only(&id.given_names) || ru_only(&id.patronymic)
    }

    #[test]
    fn proportions_are_plausible() {
        let n = 10_000;
        let cases: Vec<Case> = generate(11, n, today()).collect();
        let share = |pred: &dyn Fn(&Case) -> bool, of: &dyn Fn(&Case) -> bool| {
            let base: Vec<&Case> = cases.iter().filter(|c| of(c)).collect();
            base.iter().filter(|c| pred(c)).count() as f64 / base.len() as f64
        };
        let all = |_: &Case| true;
        for (category, expected) in [
            (Category::CivilianDetainee, 0.35),
            (Category::PrisonerOfWar, 0.35),
            (Category::PoliticalPrisoner, 0.08),
            (Category::DeportedChild, 0.12),
            (Category::Missing, 0.10),
        ] {
            let got = share(&|c| c.category == category, &all);
            assert!((got - expected).abs() < 0.03, "{category:?}: {got}");
        }
        let in_range = |got: f64, lo: f64, hi: f64, what: &str| {
            assert!((lo..=hi).contains(&got), "{what}: {got} not in {lo}..={hi}");
        };
        in_range(
            share(&|c| c.health.serious_illness.yes(), &all),
            0.06,
            0.10,
            "serious illness",
        );
        in_range(
            share(&|c| c.health.disability.yes(), &all),
            0.035,
            0.065,
            "disability",
        );
        let pow = |c: &Case| c.category == Category::PrisonerOfWar;
        in_range(
            share(&|c| c.health.wounded.yes(), &pow),
            0.07,
            0.13,
            "wounded POWs",
        );
        let women = |c: &Case| c.identity.sex == Sex::Female;
        in_range(
            share(&|c| c.health.pregnant.yes(), &women),
            0.002,
            0.025,
            "pregnant women",
        );
        in_range(
            share(&|c| c.identity.sex == Sex::Male, &pow),
            0.88,
            0.96,
            "male POWs",
        );
        let political = |c: &Case| c.category == Category::PoliticalPrisoner;
        in_range(
            share(&is_russian, &political),
            0.45,
            0.75,
            "Russian names, political",
        );
        in_range(share(&is_russian, &pow), 0.04, 0.12, "Russian names, POWs");
        in_range(
            share(&|c| c.identity.birth_date.is_none(), &all),
            0.02,
            0.08,
            "approx. age",
        );
        let year_only = |c: &Case| {
            c.identity
                .birth_date
                .is_some_and(|d| d.get_month().is_none())
        };
        in_range(share(&year_only, &all), 0.05, 0.15, "birth year only");
        let civilian = |c: &Case| c.category == Category::CivilianDetainee;
        let elder = |c: &Case| match (c.identity.birth_date, c.first_seized_on()) {
            (Some(b), Some(s)) => b.earliest().years_until(s.earliest()) >= 60,
            _ => false,
        };
        in_range(share(&elder, &civilian), 0.12, 0.35, "civilians 60+");
        let occupied = |c: &Case| {
            OBLASTS
                .iter()
                .any(|o| o.affected && o.name == c.identity.residence_oblast)
        };
        in_range(
            share(&occupied, &civilian),
            0.8,
            0.97,
            "civilians from affected oblasts",
        );
    }

    fn cyrillic(s: &str) -> bool {
        s.chars()
            .all(|c| ('\u{0400}'..='\u{04FF}').contains(&c) || c == '\'' || c == '-')
    }

    #[test]
    fn names_are_cyrillic_and_agree_with_sex() {
        for case in generate(21, 5_000, today()) {
            let id = &case.identity;
            assert!(!id.surname.trim().is_empty());
            assert!(!id.given_names.trim().is_empty());
            for part in [&id.surname, &id.given_names, &id.patronymic] {
                assert!(cyrillic(part), "{part:?} in {}", case.display_name());
            }
            let female = id.sex == Sex::Female;
            let p = &id.patronymic;
            if female {
                assert!(p.ends_with("вна") || p.ends_with("ична"), "{p}");
                assert!(!RU_SURNAMES.contains(&id.surname.as_str()) || !id.surname.ends_with('в'));
            } else {
                assert_eq!(id.sex, Sex::Male);
                assert!(
                    p.ends_with("вич") || p.ends_with("ич") || p.ends_with("іч"),
                    "{p}"
                );
            }
            let given = id.given_names.as_str();
            let given_female = UA_FEMALE.contains(&given)
                || UA_GIRLS.contains(&given)
                || RU_FEMALE.contains(&given);
            assert_eq!(given_female, female, "{}", case.display_name());
            assert!(!DENIED.contains(&(id.surname.as_str(), given)));
        }
    }

    #[test]
    fn surname_tables_are_large_and_distinct() {
        let all: BTreeSet<&str> = UA_SURNAMES.iter().chain(RU_SURNAMES).copied().collect();
        assert!(all.len() >= 150, "{} surnames", all.len());
        assert_eq!(feminine("Ковальський"), "Ковальська");
        assert_eq!(feminine("Левицький"), "Левицька");
        assert_eq!(feminine("Попов"), "Попова");
        assert_eq!(feminine("Ільїн"), "Ільїна");
        assert_eq!(feminine("Лозовий"), "Лозова");
        assert_eq!(feminine("Коваленко"), "Коваленко");
        assert_eq!(feminine("Шевчук"), "Шевчук");
        assert_eq!(feminine("Высоцкий"), "Высоцкая");
    }

    #[test]
    fn ages_fit_the_categories() {
        for case in generate(31, 5_000, today()) {
            let Some(birth) = case.identity.birth_date else {
                continue;
            };
            match case.category {
                Category::DeportedChild => {
                    assert!((2008..=2020).contains(&birth.get_year()), "{birth}");
                }
                Category::PrisonerOfWar => {
                    let seized = case.first_seized_on().unwrap_or(today().into());
                    let age = birth.earliest().years_until(seized.latest());
                    let youngest = birth.latest().years_until(seized.earliest());
                    assert!(youngest >= 17 && age <= 61, "born {birth}, seized {seized}");
                }
                _ => {
                    let seized = case.first_seized_on().unwrap_or(today().into());
                    assert!(birth.latest().years_until(seized.earliest()) >= 17);
                }
            }
        }
    }

    #[test]
    fn timelines_hold_one_to_five_events_in_order() {
        for case in generate(41, 5_000, today()) {
            let n = case.timeline.len();
            assert!((1..=5).contains(&n), "{n} events");
            let sorted: Vec<&str> = case
                .timeline_sorted()
                .iter()
                .map(|e| e.id.as_str())
                .collect();
            let listed: Vec<&str> = case.timeline.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(sorted, listed);
            for pair in case.timeline.windows(2) {
                assert!(pair[0].recorded_at_ms < pair[1].recorded_at_ms);
            }
            for e in &case.timeline {
                assert_eq!(e.id.len(), 16);
                assert_eq!(e.recorded_by.len(), 64);
            }
        }
    }

    /// The scalar fields `conflicting_edit` may change, as text.
    fn edited_fields(case: &Case) -> Vec<String> {
        let id = &case.identity;
        let first = case.detention.first();
        vec![
            id.surname.clone(),
            id.given_names.clone(),
            id.residence_settlement.clone(),
            id.place_of_birth.clone(),
            id.distinguishing_marks.clone(),
            id.mother_maiden_name.clone(),
            case.review.as_key().to_owned(),
            case.confidentiality.as_key().to_owned(),
            case.pow.rank.clone(),
            case.pow.unit.clone(),
            case.political.sentence.clone(),
            case.child.known_location.clone(),
            first.map(|d| d.place_seized.clone()).unwrap_or_default(),
            first
                .map(|d| d.whereabouts.as_key().to_owned())
                .unwrap_or_default(),
        ]
    }

    #[test]
    fn conflicting_edits_change_one_to_three_fields_and_stay_valid() {
        let mut g = Generator::new(SplitMix64::new(51), today());
        for i in 0..2_000 {
            let case = g.case();
            let edited = g.conflicting_edit(&case);
            assert_valid(&edited, today(), &format!("edit {i}"));
            let before = edited_fields(&case);
            let after = edited_fields(&edited);
            let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
            assert!((1..=3).contains(&changed), "{changed} fields changed");
            // Nothing else moved.
            let mut restored = edited.clone();
            restored.identity.surname = case.identity.surname.clone();
            restored.identity.given_names = case.identity.given_names.clone();
            restored.identity.residence_settlement = case.identity.residence_settlement.clone();
            restored.identity.place_of_birth = case.identity.place_of_birth.clone();
            restored.identity.distinguishing_marks = case.identity.distinguishing_marks.clone();
            restored.identity.mother_maiden_name = case.identity.mother_maiden_name.clone();
            restored.review = case.review;
            restored.confidentiality = case.confidentiality;
            restored.pow = case.pow.clone();
            restored.political = case.political.clone();
            restored.child = case.child.clone();
            restored.detention = case.detention.clone();
            assert_eq!(restored, case);
        }
    }

    fn ctx(device: DeviceId) -> EditContext {
        EditContext {
            device,
            now_ms: 1_748_736_000_000,
            today: today(),
        }
    }

    #[test]
    fn cases_round_trip_through_a_document() {
        let device = DeviceId([1; 32]);
        for case in generate(61, 200, today()) {
            let (doc, bytes) = CaseDoc::create(case.clone(), &ctx(device)).unwrap();
            assert!(!bytes.is_empty());
            assert_eq!(doc.case().unwrap(), case);
        }
    }

    #[test]
    fn conflicting_edits_on_two_devices_show_as_conflicts() {
        let (a_dev, b_dev) = (DeviceId([1; 32]), DeviceId([2; 32]));
        let mut g = Generator::new(SplitMix64::new(71), today());
        let mut conflicted = 0;
        for _ in 0..40 {
            let case = g.case();
            let (mut a, _) = CaseDoc::create(case.clone(), &ctx(a_dev)).unwrap();
            let mut b = CaseDoc::load(&a.save(), &b_dev).unwrap();
            let edit_a = g.conflicting_edit(&case);
            let edit_b = g.conflicting_edit(&case);
            a.apply(CaseEdit::Replace(edit_a.into()), &ctx(a_dev))
                .unwrap();
            let from_b = b
                .apply(CaseEdit::Replace(edit_b.into()), &ctx(b_dev))
                .unwrap();
            a.merge(&from_b.expect("the edit changed something"))
                .unwrap();
            if !a.conflicts().unwrap().is_empty() {
                conflicted += 1;
            }
        }
        assert!(conflicted >= 5, "only {conflicted} of 40 merges conflicted");
    }

    #[test]
    fn item_ids_are_sixteen_hex_digits() {
        let mut g = Generator::new(SplitMix64::new(1), today());
        let ids: BTreeSet<String> = (0..1000).map(|_| g.ids()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        );
    }
}
