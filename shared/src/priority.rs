//! Who should be released first: the vulnerability priority of a case
//! (DESIGN §2).
//!
//! [`priority`] is a pure, deterministic function of a case and of "today"
//! (passed in: this crate reads no clock). It returns a [`Tier`], a score
//! that orders cases within a tier, and every [`Reason`] behind them, each
//! tied to the [`Basis`] a documenter or negotiator can cite.
//!
//! # The rule
//!
//! One table, [`RULES`], maps each [`ReasonCode`] to its tier, weight and
//! basis:
//!
//! | code | tier | weight | basis (prisoner of war) |
//! |---|---|---|---|
//! | `child` (under 18 today) | Critical | 100 | CRC art. 1; AP I arts. 77–78 |
//! | `deported_child` (category) | Critical | 100 | CRC art. 1; AP I arts. 77–78 |
//! | `pregnant` | Critical | 90 | GC IV art. 132 |
//! | `mother_of_infant` | Critical | 80 | GC IV art. 132 |
//! | `serious_illness` | Critical | 90 | GC IV art. 132 (GC III arts. 109–110) |
//! | `wounded` | Critical | 80 | GC IV art. 132 (GC III arts. 109–110) |
//! | `disability` | High | 50 | campaign list (GC III arts. 109–110) |
//! | `older_person` (60 or over today) | High | 50 | campaign list |
//! | `detained_before_full_scale_invasion` (seized before 2022-02-24) | High | 40 | campaign list |
//! | `incommunicado` (latest episode: capture denied or location undisclosed) | High | 50 | UN WGEID |
//! | `long_detention` (held 1 year or more) | Elevated | 20 | GC IV art. 132 (GC III arts. 109–110) |
//! | `very_long_detention` (held 3 years or more, on top of `long_detention`) | Elevated | 20 | GC IV art. 132 (GC III arts. 109–110) |
//! | `woman` (sex female) | Elevated | 20 | campaign list |
//! | `age_unknown`, `health_unknown`, `whereabouts_unknown`, `detention_date_unknown` | Standard | 0 | GC III art. 122; GC IV art. 138 |
//!
//! - **Certainty.** Dates are often partial. A reason is [`Certainty::Certain`]
//!   when it holds whatever day a partial date stands for, and
//!   [`Certainty::Possible`] when it holds for some of those days only
//!   (born "1966", today 2026-03-15: 59 or 60, so *possibly* 60+). A possible
//!   reason adds half its weight to the score and places the case one tier
//!   below the reason's own (a possible child is High, not Critical).
//! - **Tier** of a case still deprived of liberty (its
//!   [`Case::current_status`] is missing, detained, charged or sentenced, or
//!   no status is recorded yet) is the most vulnerable tier among its
//!   reasons, [`Tier::Standard`] when it has none. Released, exchanged,
//!   returned, escaped and deceased people are [`Tier::NotHeld`], whatever
//!   their reasons (still listed, still scored).
//! - **Score** is the sum of the reasons' weights (half for a possible
//!   reason). It orders cases within a tier only; ties are left to the
//!   caller, which sorts by `(tier, Reverse(score), doc id)` (see
//!   [`compare`]).
//! - **Unknowns never raise priority.** What is not known is listed as an
//!   `*_unknown` reason of weight 0 and tier Standard, so the list says "age
//!   unknown" instead of guessing young or old, and tells the documenter
//!   what to find out.
//!
//! # Data used
//!
//! - **Age** comes from `identity.birth_date`, or else from
//!   `identity.approx_age` as of `identity.approx_age_on` (the age grows
//!   with the time since then). An approximate age is read as within
//!   [`APPROX_AGE_MARGIN`] years of the true one; without the date it was
//!   estimated on, it cannot give today's age and counts as unknown, as
//!   does a birth date after today.
//! - **Held since** is the first seizure ([`Case::first_seized_on`]), and
//!   for a deported child without a dated seizure the transfer date. With
//!   several dated episodes, the first seizure certainly happened no later
//!   than the earliest "latest possible day" among them.
//! - **Incommunicado** reads the latest detention episode (by seizure date,
//!   undated episodes counting as the latest, as in the timeline).
//! - **Whereabouts unknown** is listed for a person still held who is not
//!   already held incommunicado and has no detention episode, or whose
//!   latest episode's whereabouts are unknown; a deported child with a
//!   known location is not.
//! - **Health unknown** is listed when all five health flags are unknown.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::case::{Capture, Case, Category, DetentionEpisode, Flag, Sex, Status, Whereabouts};
use crate::partial_date::{Date, PartialDate, days_in_month};

/// Under this age a person is a child (CRC art. 1).
pub const CHILD_UNDER_AGE: i32 = 18;
/// From this age a person is an older person (the campaign's list).
pub const OLDER_PERSON_AGE: i32 = 60;
/// The start of the full-scale invasion: people seized before it have been
/// held the longest and were left out of most exchanges.
pub const FULL_SCALE_INVASION: Date = Date {
    year: 2022,
    month: 2,
    day: 24,
};
/// Held this many whole years or more: `long_detention`.
pub const LONG_DETENTION_YEARS: i32 = 1;
/// Held this many whole years or more: also `very_long_detention`.
pub const VERY_LONG_DETENTION_YEARS: i32 = 3;
/// An approximate age is taken to be within this many years of the true age
/// on the day it was estimated.
pub const APPROX_AGE_MARGIN: u8 = 2;

/// How urgently a case is pressed for release. The order is **most
/// vulnerable first**: `Critical < High < Elevated < Standard < NotHeld`,
/// so an ascending sort puts the most vulnerable on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tier {
    /// Children and deported children, pregnant women, mothers of infants,
    /// the seriously ill and wounded.
    Critical,
    /// People with a disability, aged 60 or over, seized before 24 February
    /// 2022, or held incommunicado.
    High,
    /// Long detention; women.
    Elevated,
    /// Still held, with no vulnerability recorded.
    Standard,
    /// No longer deprived of liberty (released, exchanged, returned home,
    /// escaped, deceased).
    NotHeld,
}

impl Tier {
    pub const ALL: &'static [Tier] = &[
        Tier::Critical,
        Tier::High,
        Tier::Elevated,
        Tier::Standard,
        Tier::NotHeld,
    ];

    /// The stable key translation tables use.
    pub fn as_key(self) -> &'static str {
        match self {
            Tier::Critical => "critical",
            Tier::High => "high",
            Tier::Elevated => "elevated",
            Tier::Standard => "standard",
            Tier::NotHeld => "not_held",
        }
    }

    /// The tier a merely possible reason places a case in.
    fn one_below(self) -> Tier {
        match self {
            Tier::Critical => Tier::High,
            Tier::High => Tier::Elevated,
            Tier::Elevated | Tier::Standard => Tier::Standard,
            Tier::NotHeld => Tier::NotHeld,
        }
    }
}

/// Why a case has its priority. Declared in the order of [`RULES`], which is
/// also the order reasons are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReasonCode {
    Child,
    DeportedChild,
    Pregnant,
    MotherOfInfant,
    SeriousIllness,
    Wounded,
    Disability,
    OlderPerson,
    DetainedBeforeFullScaleInvasion,
    Incommunicado,
    LongDetention,
    VeryLongDetention,
    Woman,
    AgeUnknown,
    HealthUnknown,
    WhereaboutsUnknown,
    DetentionDateUnknown,
}

impl ReasonCode {
    pub const ALL: &'static [ReasonCode] = &[
        ReasonCode::Child,
        ReasonCode::DeportedChild,
        ReasonCode::Pregnant,
        ReasonCode::MotherOfInfant,
        ReasonCode::SeriousIllness,
        ReasonCode::Wounded,
        ReasonCode::Disability,
        ReasonCode::OlderPerson,
        ReasonCode::DetainedBeforeFullScaleInvasion,
        ReasonCode::Incommunicado,
        ReasonCode::LongDetention,
        ReasonCode::VeryLongDetention,
        ReasonCode::Woman,
        ReasonCode::AgeUnknown,
        ReasonCode::HealthUnknown,
        ReasonCode::WhereaboutsUnknown,
        ReasonCode::DetentionDateUnknown,
    ];

    /// The stable key translation tables use.
    pub fn as_key(self) -> &'static str {
        match self {
            ReasonCode::Child => "child",
            ReasonCode::DeportedChild => "deported_child",
            ReasonCode::Pregnant => "pregnant",
            ReasonCode::MotherOfInfant => "mother_of_infant",
            ReasonCode::SeriousIllness => "serious_illness",
            ReasonCode::Wounded => "wounded",
            ReasonCode::Disability => "disability",
            ReasonCode::OlderPerson => "older_person",
            ReasonCode::DetainedBeforeFullScaleInvasion => "detained_before_full_scale_invasion",
            ReasonCode::Incommunicado => "incommunicado",
            ReasonCode::LongDetention => "long_detention",
            ReasonCode::VeryLongDetention => "very_long_detention",
            ReasonCode::Woman => "woman",
            ReasonCode::AgeUnknown => "age_unknown",
            ReasonCode::HealthUnknown => "health_unknown",
            ReasonCode::WhereaboutsUnknown => "whereabouts_unknown",
            ReasonCode::DetentionDateUnknown => "detention_date_unknown",
        }
    }

    pub fn from_key(key: &str) -> Option<ReasonCode> {
        ReasonCode::ALL.iter().copied().find(|c| c.as_key() == key)
    }

    /// The row of [`RULES`] for this code.
    pub fn rule(self) -> &'static Rule {
        // RULES lists the codes in declaration order (pinned by a test).
        &RULES[self as usize]
    }

    /// Something not known, listed so it gets documented; it never adds to
    /// the score or the tier.
    pub fn is_unknown(self) -> bool {
        self.rule().weight == 0
    }
}

/// The source a reason is tied to, shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Basis {
    /// The campaign's list of the most vulnerable groups.
    CampaignList,
    /// GC III arts. 109–110: repatriation or accommodation in a neutral
    /// country of seriously wounded and sick prisoners of war, and of those
    /// who have undergone a long period of captivity.
    Gc3Arts109To110,
    /// GC IV art. 132: release of children, pregnant women, mothers with
    /// infants and young children, the wounded and sick, and internees
    /// detained for a long time.
    Gc4Art132,
    /// CRC art. 1 (a child is under 18) and AP I arts. 77–78 (protection and
    /// evacuation of children).
    ChildRights,
    /// The UN Working Group on Enforced or Involuntary Disappearances: held
    /// in an undisclosed place or with the detention denied.
    EnforcedDisappearance,
    /// What a detaining power must record and transmit about a person
    /// (GC III art. 122, GC IV art. 138): a gap to be documented.
    RecordKeeping,
}

impl Basis {
    pub const ALL: &'static [Basis] = &[
        Basis::CampaignList,
        Basis::Gc3Arts109To110,
        Basis::Gc4Art132,
        Basis::ChildRights,
        Basis::EnforcedDisappearance,
        Basis::RecordKeeping,
    ];

    /// The stable key translation tables use.
    pub fn as_key(self) -> &'static str {
        match self {
            Basis::CampaignList => "campaign_list",
            Basis::Gc3Arts109To110 => "gc3_arts_109_110",
            Basis::Gc4Art132 => "gc4_art_132",
            Basis::ChildRights => "child_rights",
            Basis::EnforcedDisappearance => "enforced_disappearance",
            Basis::RecordKeeping => "record_keeping",
        }
    }

    /// The legal citation shown next to a reason, as lawyers write it in
    /// every language (so not translated); `None` where the basis is not a
    /// legal text (the campaign's list, which the translated basis names).
    pub fn citation(self) -> Option<&'static str> {
        match self {
            Basis::CampaignList => None,
            Basis::Gc3Arts109To110 => Some("GC III arts. 109–110"),
            Basis::Gc4Art132 => Some("GC IV art. 132"),
            Basis::ChildRights => Some("CRC art. 1; AP I arts. 77–78"),
            Basis::EnforcedDisappearance => Some("UN WGEID"),
            Basis::RecordKeeping => Some("GC III art. 122; GC IV art. 138"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Certainty {
    /// Holds whatever day the case's partial dates stand for.
    Certain,
    /// Holds for some of the days a partial date may stand for; counts half.
    Possible,
}

impl Certainty {
    pub fn as_key(self) -> &'static str {
        match self {
            Certainty::Certain => "certain",
            Certainty::Possible => "possible",
        }
    }
}

/// One row of the priority table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: ReasonCode,
    pub tier: Tier,
    /// Added to the score when the reason is certain; half when possible.
    /// Even, so the half is exact.
    pub weight: u32,
    pub basis: Basis,
    /// The basis for a prisoner of war, where GC III has its own.
    pub pow_basis: Basis,
}

const fn rule(code: ReasonCode, tier: Tier, weight: u32, basis: Basis, pow_basis: Basis) -> Rule {
    Rule {
        code,
        tier,
        weight,
        basis,
        pow_basis,
    }
}

/// The priority table, in [`ReasonCode`] order.
pub const RULES: &[Rule] = {
    use Basis::*;
    use ReasonCode::*;
    use Tier::*;
    &[
        rule(Child, Critical, 100, ChildRights, ChildRights),
        rule(DeportedChild, Critical, 100, ChildRights, ChildRights),
        rule(Pregnant, Critical, 90, Gc4Art132, Gc4Art132),
        rule(MotherOfInfant, Critical, 80, Gc4Art132, Gc4Art132),
        rule(SeriousIllness, Critical, 90, Gc4Art132, Gc3Arts109To110),
        rule(Wounded, Critical, 80, Gc4Art132, Gc3Arts109To110),
        rule(Disability, High, 50, CampaignList, Gc3Arts109To110),
        rule(OlderPerson, High, 50, CampaignList, CampaignList),
        rule(
            DetainedBeforeFullScaleInvasion,
            High,
            40,
            CampaignList,
            CampaignList,
        ),
        rule(
            Incommunicado,
            High,
            50,
            EnforcedDisappearance,
            EnforcedDisappearance,
        ),
        rule(LongDetention, Elevated, 20, Gc4Art132, Gc3Arts109To110),
        rule(VeryLongDetention, Elevated, 20, Gc4Art132, Gc3Arts109To110),
        rule(Woman, Elevated, 20, CampaignList, CampaignList),
        rule(AgeUnknown, Standard, 0, RecordKeeping, RecordKeeping),
        rule(HealthUnknown, Standard, 0, RecordKeeping, RecordKeeping),
        rule(
            WhereaboutsUnknown,
            Standard,
            0,
            RecordKeeping,
            RecordKeeping,
        ),
        rule(
            DetentionDateUnknown,
            Standard,
            0,
            RecordKeeping,
            RecordKeeping,
        ),
    ]
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub basis: Basis,
    pub certainty: Certainty,
}

impl Reason {
    /// What this reason adds to the score.
    pub fn weight(&self) -> u32 {
        let weight = self.code.rule().weight;
        match self.certainty {
            Certainty::Certain => weight,
            Certainty::Possible => weight / 2,
        }
    }

    /// The tier this reason places a held person in.
    pub fn tier(&self) -> Tier {
        let tier = self.code.rule().tier;
        match self.certainty {
            Certainty::Certain => tier,
            Certainty::Possible => tier.one_below(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    pub tier: Tier,
    /// Orders cases within a tier: higher first.
    pub score: u32,
    /// In [`RULES`] order, unknowns last.
    pub reasons: Vec<Reason>,
}

/// Most vulnerable first: by tier, then by higher score. Equal priorities
/// compare `Equal`; the caller breaks ties (by document id).
pub fn compare(a: &Priority, b: &Priority) -> Ordering {
    a.tier.cmp(&b.tier).then(b.score.cmp(&a.score))
}

/// Everything [`priority`] reads from a case, small enough to keep in every
/// case summary: the list recomputes priorities for any day (ages and
/// detention lengths grow) without loading a single document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityFacts {
    /// Still deprived of liberty (or no status recorded yet).
    pub held: bool,
    pub category: Category,
    pub sex: Sex,
    pub birth_date: Option<PartialDate>,
    pub approx_age: Option<u8>,
    pub approx_age_on: Option<PartialDate>,
    /// pregnant, mother of infant, serious illness, wounded, disability.
    pub health: [Flag; 5],
    /// First deprived of liberty: earliest and latest day it may have been.
    pub held_since: Option<(Date, Date)>,
    /// The latest detention episode's capture and whereabouts.
    pub latest_episode: Option<(Capture, Whereabouts)>,
    /// A deported child whose location is known.
    pub child_located: bool,
}

impl PriorityFacts {
    pub fn of(case: &Case) -> PriorityFacts {
        let h = &case.health;
        PriorityFacts {
            held: case
                .current_status()
                .is_none_or(Status::is_deprived_of_liberty),
            category: case.category,
            sex: case.identity.sex,
            birth_date: case.identity.birth_date,
            approx_age: case.identity.approx_age,
            approx_age_on: case.identity.approx_age_on,
            health: [
                h.pregnant.flag,
                h.mother_of_infant.flag,
                h.serious_illness.flag,
                h.wounded.flag,
                h.disability.flag,
            ],
            held_since: held_since(case).map(|b| (b.earliest, b.latest)),
            latest_episode: latest_episode(case).map(|e| (e.capture, e.whereabouts)),
            child_located: case.category == Category::DeportedChild
                && !case.child.known_location.trim().is_empty(),
        }
    }
}

/// The priority of `case` on `today`. See the module documentation for the
/// rule.
pub fn priority(case: &Case, today: Date) -> Priority {
    priority_of(&PriorityFacts::of(case), today)
}

/// The priority of a case, from its [`PriorityFacts`], on `today`.
pub fn priority_of(facts: &PriorityFacts, today: Date) -> Priority {
    use Certainty::Certain;
    use ReasonCode::*;

    let held = facts.held;
    let mut found: Vec<(ReasonCode, Certainty)> = Vec::new();
    let mut add = |code: ReasonCode, certainty: Option<Certainty>| {
        if let Some(certainty) = certainty {
            found.push((code, certainty));
        }
    };

    match age_now(facts, today) {
        Some(age) => {
            add(Child, age.below(CHILD_UNDER_AGE));
            add(OlderPerson, age.at_least(OLDER_PERSON_AGE));
        }
        None => add(AgeUnknown, Some(Certain)),
    }
    if facts.category == Category::DeportedChild {
        add(DeportedChild, Some(Certain));
    }
    if facts.sex == Sex::Female {
        add(Woman, Some(Certain));
    }

    let codes = [
        Pregnant,
        MotherOfInfant,
        SeriousIllness,
        Wounded,
        Disability,
    ];
    for (flag, code) in facts.health.iter().zip(codes) {
        if *flag == Flag::Yes {
            add(code, Some(Certain));
        }
    }
    if facts.health.iter().all(|flag| *flag == Flag::Unknown) {
        add(HealthUnknown, Some(Certain));
    }

    match facts.held_since {
        Some((earliest, latest)) => {
            let since = Between { earliest, latest };
            let before = if since.latest < FULL_SCALE_INVASION {
                Some(Certain)
            } else if since.earliest < FULL_SCALE_INVASION {
                Some(Certainty::Possible)
            } else {
                None
            };
            add(DetainedBeforeFullScaleInvasion, before);
            let years = Span {
                min: since.latest.years_until(today),
                max: since.earliest.years_until(today),
            };
            add(LongDetention, years.at_least(LONG_DETENTION_YEARS));
            add(VeryLongDetention, years.at_least(VERY_LONG_DETENTION_YEARS));
        }
        None => add(DetentionDateUnknown, Some(Certain)),
    }

    let latest = facts.latest_episode;
    let incommunicado = latest.is_some_and(|(capture, whereabouts)| {
        capture == Capture::Denied || whereabouts == Whereabouts::Undisclosed
    });
    if incommunicado {
        add(Incommunicado, Some(Certain));
    }
    if held
        && !incommunicado
        && !facts.child_located
        && latest.is_none_or(|(_, whereabouts)| whereabouts == Whereabouts::Unknown)
    {
        add(WhereaboutsUnknown, Some(Certain));
    }

    found.sort();
    let pow = facts.category == Category::PrisonerOfWar;
    let reasons: Vec<Reason> = found
        .into_iter()
        .map(|(code, certainty)| {
            let rule = code.rule();
            Reason {
                code,
                basis: if pow { rule.pow_basis } else { rule.basis },
                certainty,
            }
        })
        .collect();
    let score = reasons.iter().map(Reason::weight).sum();
    let tier = if held {
        reasons
            .iter()
            .map(Reason::tier)
            .min()
            .unwrap_or(Tier::Standard)
    } else {
        Tier::NotHeld
    };
    Priority {
        tier,
        score,
        reasons,
    }
}

/// Whole years, as a range when dates are partial.
#[derive(Debug, Clone, Copy)]
struct Span {
    min: i32,
    max: i32,
}

impl Span {
    fn at_least(self, n: i32) -> Option<Certainty> {
        if self.min >= n {
            Some(Certainty::Certain)
        } else if self.max >= n {
            Some(Certainty::Possible)
        } else {
            None
        }
    }

    fn below(self, n: i32) -> Option<Certainty> {
        if self.max < n {
            Some(Certainty::Certain)
        } else if self.min < n {
            Some(Certainty::Possible)
        } else {
            None
        }
    }
}

/// The day range a date or an estimate may stand for.
#[derive(Debug, Clone, Copy)]
struct Between {
    earliest: Date,
    latest: Date,
}

impl From<PartialDate> for Between {
    fn from(d: PartialDate) -> Between {
        Between {
            earliest: d.earliest(),
            latest: d.latest(),
        }
    }
}

/// The age today, as a range; `None` when it cannot be known.
fn age_now(facts: &PriorityFacts, today: Date) -> Option<Span> {
    let born = match (facts.birth_date, facts.approx_age, facts.approx_age_on) {
        (Some(birth), _, _) => Between::from(birth),
        (None, Some(age), Some(on)) => {
            // Aged `k` on day `d` means born in (d − (k+1) years, d − k years];
            // `k` is within the margin of `age`, `d` within `on`.
            let youngest = age.saturating_sub(APPROX_AGE_MARGIN);
            let oldest = age.saturating_add(APPROX_AGE_MARGIN).saturating_add(1);
            let earliest = years_before(on.earliest(), oldest);
            Between {
                earliest: Date::from_days_since_epoch(earliest.days_since_epoch() + 1),
                latest: years_before(on.latest(), youngest),
            }
        }
        _ => return None,
    };
    if born.earliest > today {
        return None;
    }
    Some(Span {
        min: born.latest.min(today).years_until(today),
        max: born.earliest.years_until(today),
    })
}

/// The same day `years` years earlier (29 February becomes the 28th).
fn years_before(d: Date, years: u8) -> Date {
    let year = d.year - i32::from(years);
    Date {
        year,
        month: d.month,
        day: d.day.min(days_in_month(year, d.month)),
    }
}

/// When the person was first deprived of liberty, as a range.
fn held_since(case: &Case) -> Option<Between> {
    let transfer = match case.category {
        Category::DeportedChild => case.child.transfer_date,
        _ => None,
    };
    let dates = || {
        case.detention
            .iter()
            .filter_map(|e| e.seized_on)
            .chain(transfer)
    };
    let earliest = case
        .first_seized_on()
        .into_iter()
        .chain(transfer)
        .map(|d| d.earliest())
        .min()?;
    let latest = dates().map(|d| d.latest()).min()?;
    Some(Between { earliest, latest })
}

/// The episode with the latest seizure; undated episodes count as latest,
/// then the one added last.
fn latest_episode(case: &Case) -> Option<&DetentionEpisode> {
    case.detention
        .iter()
        .enumerate()
        .max_by_key(|(i, e)| (e.seized_on.is_none(), e.seized_on.map(|d| d.sort_key()), *i))
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{HealthFlag, StatusEvent};
    use Certainty::{Certain, Possible};
    use ReasonCode::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    fn today() -> Date {
        Date::new(2026, 3, 15).unwrap()
    }

    fn flag(flag: Flag) -> HealthFlag {
        HealthFlag {
            flag,
            ..HealthFlag::default()
        }
    }

    fn health(yes: &[ReasonCode]) -> crate::case::Health {
        let f = |code| {
            flag(if yes.contains(&code) {
                Flag::Yes
            } else {
                Flag::No
            })
        };
        crate::case::Health {
            serious_illness: f(SeriousIllness),
            wounded: f(Wounded),
            disability: f(Disability),
            pregnant: f(Pregnant),
            mother_of_infant: f(MotherOfInfant),
        }
    }

    fn episode(seized: &str, capture: Capture, whereabouts: Whereabouts) -> DetentionEpisode {
        DetentionEpisode {
            id: format!("ep-{seized}"),
            seized_on: Some(d(seized)),
            capture,
            whereabouts,
            ..DetentionEpisode::default()
        }
    }

    fn status(date: &str, status: Status) -> StatusEvent {
        StatusEvent {
            id: format!("st-{date}"),
            date: Some(d(date)),
            status,
            ..StatusEvent::default()
        }
    }

    /// An adult man, health known and sound, seized recently, held
    /// acknowledged at a disclosed place: no reason at all.
    fn base() -> Case {
        let mut case = Case::minimal("Шевчук", "Андрій", "Іванович", Category::CivilianDetainee);
        case.identity.sex = Sex::Male;
        case.identity.birth_date = Some(d("1985-04-02"));
        case.health = health(&[]);
        case.detention = vec![episode(
            "2025-10-01",
            Capture::Acknowledged,
            Whereabouts::Disclosed,
        )];
        case
    }

    fn born(date: &str) -> Case {
        let mut case = base();
        case.identity.birth_date = Some(d(date));
        case
    }

    fn seized(date: &str) -> Case {
        Case {
            detention: vec![episode(date, Capture::Acknowledged, Whereabouts::Disclosed)],
            ..base()
        }
    }

    fn female(case: Case) -> Case {
        let mut case = case;
        case.identity.sex = Sex::Female;
        case.identity.surname = "Шевчук".into();
        case.identity.given_names = "Оксана".into();
        case.identity.patronymic = "Іванівна".into();
        case
    }

    /// A named case, with the tier, reasons and score it must get.
    type Row = (&'static str, Case, Tier, Vec<(ReasonCode, Certainty)>, u32);

    fn check(name: &str, case: &Case, tier: Tier, reasons: &[(ReasonCode, Certainty)], score: u32) {
        let p = priority(case, today());
        let got: Vec<(ReasonCode, Certainty)> =
            p.reasons.iter().map(|r| (r.code, r.certainty)).collect();
        assert_eq!(got, reasons, "{name}: reasons");
        assert_eq!(p.tier, tier, "{name}: tier");
        assert_eq!(p.score, score, "{name}: score");
    }

    #[test]
    fn priority_table_is_complete_and_in_code_order() {
        assert_eq!(RULES.len(), ReasonCode::ALL.len());
        for (i, (rule, code)) in RULES.iter().zip(ReasonCode::ALL).enumerate() {
            assert_eq!(rule.code, *code, "row {i}");
            assert_eq!(*code as usize, i, "{code:?} declared out of order");
            assert_eq!(code.rule(), rule);
            assert_eq!(rule.weight % 2, 0, "{code:?}: half weight must be exact");
            let unknown = code.as_key().ends_with("_unknown");
            assert_eq!(code.is_unknown(), unknown, "{code:?}");
            if unknown {
                assert_eq!(rule.tier, Tier::Standard, "{code:?}");
            } else {
                assert!(rule.tier < Tier::Standard, "{code:?}");
            }
        }
        // A more vulnerable tier never weighs less than a less vulnerable one.
        for a in RULES {
            for b in RULES.iter().filter(|b| a.tier < b.tier) {
                assert!(a.weight >= b.weight, "{:?} vs {:?}", a.code, b.code);
            }
        }
    }

    #[test]
    fn priority_keys_are_stable_snake_case_and_unique() {
        let mut keys: Vec<&str> = ReasonCode::ALL.iter().map(|c| c.as_key()).collect();
        keys.extend(Tier::ALL.iter().map(|t| t.as_key()));
        keys.extend(Basis::ALL.iter().map(|b| b.as_key()));
        keys.extend([Certain.as_key(), Possible.as_key()]);
        for key in &keys {
            assert!(
                key.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{key}"
            );
        }
        for code in ReasonCode::ALL {
            assert_eq!(ReasonCode::from_key(code.as_key()), Some(*code));
        }
        assert_eq!(ReasonCode::from_key("nope"), None);
        let reason_keys = &keys[..ReasonCode::ALL.len()];
        let mut unique = reason_keys.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), reason_keys.len());
        for b in Basis::ALL {
            assert_eq!(b.citation().is_none(), *b == Basis::CampaignList);
        }
        assert_eq!(Basis::Gc4Art132.citation(), Some("GC IV art. 132"));
        assert_eq!(
            Basis::Gc3Arts109To110.citation(),
            Some("GC III arts. 109–110")
        );
    }

    #[test]
    fn priority_each_group_alone() {
        let with_health = |yes: &[ReasonCode]| Case {
            health: health(yes),
            ..base()
        };
        let mut deported = born("2009-06-01");
        deported.category = Category::DeportedChild;
        deported.child.known_location = "Таганрог".into();
        let mut deported_now_adult = deported.clone();
        deported_now_adult.identity.birth_date = Some(d("2007-01-10"));
        let denied = Case {
            detention: vec![episode("2025-10-01", Capture::Denied, Whereabouts::Unknown)],
            ..base()
        };
        let undisclosed = Case {
            detention: vec![episode(
                "2025-10-01",
                Capture::Acknowledged,
                Whereabouts::Undisclosed,
            )],
            ..base()
        };
        let table: Vec<Row> = vec![
            ("none", base(), Tier::Standard, vec![], 0),
            (
                "child",
                born("2010-01-01"),
                Tier::Critical,
                vec![(Child, Certain)],
                100,
            ),
            (
                "deported child",
                deported,
                Tier::Critical,
                vec![(Child, Certain), (DeportedChild, Certain)],
                200,
            ),
            (
                "deported child, now 19",
                deported_now_adult,
                Tier::Critical,
                vec![(DeportedChild, Certain)],
                100,
            ),
            (
                "pregnant",
                female(with_health(&[Pregnant])),
                Tier::Critical,
                vec![(Pregnant, Certain), (Woman, Certain)],
                110,
            ),
            (
                "mother of infant",
                female(with_health(&[MotherOfInfant])),
                Tier::Critical,
                vec![(MotherOfInfant, Certain), (Woman, Certain)],
                100,
            ),
            (
                "serious illness",
                with_health(&[SeriousIllness]),
                Tier::Critical,
                vec![(SeriousIllness, Certain)],
                90,
            ),
            (
                "wounded",
                with_health(&[Wounded]),
                Tier::Critical,
                vec![(Wounded, Certain)],
                80,
            ),
            (
                "disability",
                with_health(&[Disability]),
                Tier::High,
                vec![(Disability, Certain)],
                50,
            ),
            (
                "older person",
                born("1950-07-01"),
                Tier::High,
                vec![(OlderPerson, Certain)],
                50,
            ),
            (
                "seized before the invasion",
                seized("2021-11-20"),
                Tier::High,
                vec![
                    (DetainedBeforeFullScaleInvasion, Certain),
                    (LongDetention, Certain),
                    (VeryLongDetention, Certain),
                ],
                80,
            ),
            (
                "capture denied",
                denied,
                Tier::High,
                vec![(Incommunicado, Certain)],
                50,
            ),
            (
                "location undisclosed",
                undisclosed,
                Tier::High,
                vec![(Incommunicado, Certain)],
                50,
            ),
            (
                "held a year",
                seized("2025-03-15"),
                Tier::Elevated,
                vec![(LongDetention, Certain)],
                20,
            ),
            (
                "held three years",
                seized("2023-03-15"),
                Tier::Elevated,
                vec![(LongDetention, Certain), (VeryLongDetention, Certain)],
                40,
            ),
            (
                "woman",
                female(base()),
                Tier::Elevated,
                vec![(Woman, Certain)],
                20,
            ),
        ];
        for (name, case, tier, reasons, score) in &table {
            check(name, case, *tier, reasons, *score);
        }
    }

    #[test]
    fn priority_combinations() {
        // A 67-year-old woman seized in 2019, capture denied.
        let mut elder = female(born("1958-05-10"));
        elder.detention = vec![episode("2019-06", Capture::Denied, Whereabouts::Unknown)];
        check(
            "older woman held incommunicado since 2019",
            &elder,
            Tier::High,
            &[
                (OlderPerson, Certain),
                (DetainedBeforeFullScaleInvasion, Certain),
                (Incommunicado, Certain),
                (LongDetention, Certain),
                (VeryLongDetention, Certain),
                (Woman, Certain),
            ],
            200,
        );

        // A deported child born 2012, known only by category and transfer.
        let mut child = Case::minimal("Бондаренко", "Марійка", "", Category::DeportedChild);
        child.identity.sex = Sex::Female;
        child.identity.birth_date = Some(d("2012"));
        child.child.transfer_date = Some(d("2022-10"));
        check(
            "deported child born 2012",
            &child,
            Tier::Critical,
            &[
                (Child, Certain),
                (DeportedChild, Certain),
                (LongDetention, Certain),
                (VeryLongDetention, Certain),
                (Woman, Certain),
                (HealthUnknown, Certain),
                (WhereaboutsUnknown, Certain),
            ],
            260,
        );

        // A wounded prisoner of war with a disability, held since 2022-03.
        let mut pow = Case::minimal("Ткаченко", "Богдан", "Олегович", Category::PrisonerOfWar);
        pow.identity.birth_date = Some(d("1979"));
        pow.identity.sex = Sex::Male;
        pow.health = health(&[Wounded, Disability]);
        pow.detention = vec![episode(
            "2022-03-20",
            Capture::Acknowledged,
            Whereabouts::Undisclosed,
        )];
        let p = priority(&pow, today());
        assert_eq!(p.tier, Tier::Critical);
        assert_eq!(p.score, 80 + 50 + 50 + 20 + 20);
        let bases: Vec<(ReasonCode, Basis)> = p.reasons.iter().map(|r| (r.code, r.basis)).collect();
        assert_eq!(
            bases,
            [
                (Wounded, Basis::Gc3Arts109To110),
                (Disability, Basis::Gc3Arts109To110),
                (Incommunicado, Basis::EnforcedDisappearance),
                (LongDetention, Basis::Gc3Arts109To110),
                (VeryLongDetention, Basis::Gc3Arts109To110),
            ]
        );
        // The same facts for a civilian cite GC IV and the campaign list.
        let civilian = Case {
            category: Category::CivilianDetainee,
            ..pow
        };
        let bases: Vec<Basis> = priority(&civilian, today())
            .reasons
            .iter()
            .map(|r| r.basis)
            .collect();
        assert_eq!(
            bases,
            [
                Basis::Gc4Art132,
                Basis::CampaignList,
                Basis::EnforcedDisappearance,
                Basis::Gc4Art132,
                Basis::Gc4Art132
            ]
        );
    }

    #[test]
    fn priority_unknowns_are_listed_and_never_raise() {
        let blank = Case::minimal("Коваль", "Олена", "Петрівна", Category::Missing);
        check(
            "no data",
            &blank,
            Tier::Standard,
            &[
                (AgeUnknown, Certain),
                (HealthUnknown, Certain),
                (WhereaboutsUnknown, Certain),
                (DetentionDateUnknown, Certain),
            ],
            0,
        );
        let p = priority(&blank, today());
        assert!(
            p.reasons
                .iter()
                .all(|r| r.basis == Basis::RecordKeeping && r.weight() == 0)
        );

        // An approximate age without the date it was estimated on is no age.
        let mut no_date = base();
        no_date.identity.birth_date = None;
        no_date.identity.approx_age = Some(75);
        check(
            "approx age, no date",
            &no_date,
            Tier::Standard,
            &[(AgeUnknown, Certain)],
            0,
        );
        // A birth date after today is no age either.
        check(
            "born in the future",
            &born("2027"),
            Tier::Standard,
            &[(AgeUnknown, Certain)],
            0,
        );

        // One known health flag is enough to drop health_unknown.
        let mut one_known = blank.clone();
        one_known.health.wounded = flag(Flag::No);
        assert!(
            !priority(&one_known, today())
                .reasons
                .iter()
                .any(|r| r.code == HealthUnknown)
        );

        // Acknowledged, but where is not known.
        let nowhere = Case {
            detention: vec![episode(
                "2025-10-01",
                Capture::Acknowledged,
                Whereabouts::Unknown,
            )],
            ..base()
        };
        check(
            "whereabouts unknown",
            &nowhere,
            Tier::Standard,
            &[(WhereaboutsUnknown, Certain)],
            0,
        );
        // An episode without a date.
        let undated = Case {
            detention: vec![DetentionEpisode {
                seized_on: None,
                ..episode("2025-10-01", Capture::Acknowledged, Whereabouts::Disclosed)
            }],
            ..base()
        };
        check(
            "undated seizure",
            &undated,
            Tier::Standard,
            &[(DetentionDateUnknown, Certain)],
            0,
        );
    }

    #[test]
    fn priority_partial_dates_give_possible_reasons() {
        let mut pairs: Vec<Row> = vec![
            (
                "born 1962",
                born("1962"),
                Tier::High,
                vec![(OlderPerson, Certain)],
                50,
            ),
            (
                "born 1966",
                born("1966"),
                Tier::Elevated,
                vec![(OlderPerson, Possible)],
                25,
            ),
            (
                "born 1966-03",
                born("1966-03"),
                Tier::Elevated,
                vec![(OlderPerson, Possible)],
                25,
            ),
            (
                "60 today",
                born("1966-03-15"),
                Tier::High,
                vec![(OlderPerson, Certain)],
                50,
            ),
            ("60 tomorrow", born("1966-03-16"), Tier::Standard, vec![], 0),
            (
                "born 2008",
                born("2008"),
                Tier::High,
                vec![(Child, Possible)],
                50,
            ),
            (
                "18 tomorrow",
                born("2008-03-16"),
                Tier::Critical,
                vec![(Child, Certain)],
                100,
            ),
            ("18 today", born("2008-03-15"), Tier::Standard, vec![], 0),
            (
                "seized 2025",
                seized("2025"),
                Tier::Standard,
                vec![(LongDetention, Possible)],
                10,
            ),
            (
                "seized 2022",
                seized("2022"),
                Tier::Elevated,
                vec![
                    (DetainedBeforeFullScaleInvasion, Possible),
                    (LongDetention, Certain),
                    (VeryLongDetention, Certain),
                ],
                60,
            ),
            (
                "seized 2022-02",
                seized("2022-02"),
                Tier::Elevated,
                vec![
                    (DetainedBeforeFullScaleInvasion, Possible),
                    (LongDetention, Certain),
                    (VeryLongDetention, Certain),
                ],
                60,
            ),
            (
                "seized the day before",
                seized("2022-02-23"),
                Tier::High,
                vec![
                    (DetainedBeforeFullScaleInvasion, Certain),
                    (LongDetention, Certain),
                    (VeryLongDetention, Certain),
                ],
                80,
            ),
            (
                "seized on the day",
                seized("2022-02-24"),
                Tier::Elevated,
                vec![(LongDetention, Certain), (VeryLongDetention, Certain)],
                40,
            ),
            (
                "seized 2023",
                seized("2023"),
                Tier::Elevated,
                vec![(LongDetention, Certain), (VeryLongDetention, Possible)],
                30,
            ),
        ];
        // Approximate ages: within two years of the estimate, and older since.
        let approx = |age: u8, on: &str| {
            let mut case = base();
            case.identity.birth_date = None;
            case.identity.approx_age = Some(age);
            case.identity.approx_age_on = Some(d(on));
            case
        };
        pairs.extend([
            (
                "about 70 in 2020",
                approx(70, "2020"),
                Tier::High,
                vec![(OlderPerson, Certain)],
                50,
            ),
            (
                "about 58 in 2026-01",
                approx(58, "2026-01"),
                Tier::Elevated,
                vec![(OlderPerson, Possible)],
                25,
            ),
            (
                "about 57 in 2019",
                approx(57, "2019-05"),
                Tier::High,
                vec![(OlderPerson, Certain)],
                50,
            ),
            (
                "about 10 in 2025",
                approx(10, "2025-06"),
                Tier::Critical,
                vec![(Child, Certain)],
                100,
            ),
            (
                "about 16 today",
                approx(16, "2026-03-15"),
                Tier::High,
                vec![(Child, Possible)],
                50,
            ),
            (
                "about 40 in 2024",
                approx(40, "2024"),
                Tier::Standard,
                vec![],
                0,
            ),
        ]);
        for (name, case, tier, reasons, score) in &pairs {
            check(name, case, *tier, reasons, *score);
        }
    }

    #[test]
    fn priority_uses_the_first_seizure_and_the_latest_episode() {
        // Seized in 2019, released, seized again in 2025 at a disclosed place:
        // held since 2019, not incommunicado now.
        let mut twice = base();
        twice.detention = vec![
            episode("2025-10-01", Capture::Acknowledged, Whereabouts::Disclosed),
            episode("2019-04-02", Capture::Denied, Whereabouts::Undisclosed),
        ];
        check(
            "two episodes",
            &twice,
            Tier::High,
            &[
                (DetainedBeforeFullScaleInvasion, Certain),
                (LongDetention, Certain),
                (VeryLongDetention, Certain),
            ],
            80,
        );
        // An undated episode counts as the latest.
        twice.detention.push(DetentionEpisode {
            seized_on: None,
            ..episode("2025-10-01", Capture::Denied, Whereabouts::Unknown)
        });
        assert!(
            priority(&twice, today())
                .reasons
                .iter()
                .any(|r| r.code == Incommunicado)
        );

        // "2025" and "2025-03-01": the first seizure was no later than
        // 2025-03-01, so a year is certain by 2026-03-15.
        let mut overlapping = base();
        overlapping.detention = vec![
            episode("2025", Capture::Acknowledged, Whereabouts::Disclosed),
            episode("2025-03-01", Capture::Acknowledged, Whereabouts::Disclosed),
        ];
        check(
            "overlapping",
            &overlapping,
            Tier::Elevated,
            &[(LongDetention, Certain)],
            20,
        );
    }

    #[test]
    fn priority_only_people_still_held_are_tiered() {
        let mut pregnant = female(Case {
            health: health(&[Pregnant]),
            ..base()
        });
        pregnant.detention[0].whereabouts = Whereabouts::Unknown;
        pregnant.timeline = vec![
            status("2025-10-01", Status::DetainedAcknowledged),
            status("2026-02-05", Status::Released),
        ];
        // Reasons still listed (but no whereabouts_unknown), tier NotHeld.
        check(
            "released pregnant woman",
            &pregnant,
            Tier::NotHeld,
            &[(Pregnant, Certain), (Woman, Certain)],
            110,
        );
        for (gone, expected) in [
            (Status::Exchanged, Tier::NotHeld),
            (Status::ReturnedHome, Tier::NotHeld),
            (Status::Deceased, Tier::NotHeld),
            (Status::Escaped, Tier::NotHeld),
            (Status::Missing, Tier::Critical),
            (Status::DetainedUnacknowledged, Tier::Critical),
            (Status::DetainedAcknowledged, Tier::Critical),
            (Status::Charged, Tier::Critical),
            (Status::Sentenced, Tier::Critical),
        ] {
            pregnant.timeline[1].status = gone;
            assert_eq!(priority(&pregnant, today()).tier, expected, "{gone:?}");
        }
        // Released, then detained again: held.
        pregnant.timeline[1].status = Status::Released;
        pregnant
            .timeline
            .push(status("2026-03", Status::DetainedUnacknowledged));
        assert_eq!(priority(&pregnant, today()).tier, Tier::Critical);
        // No status at all: still missing or held.
        pregnant.timeline.clear();
        assert_eq!(priority(&pregnant, today()).tier, Tier::Critical);
    }

    #[test]
    fn priority_compare_puts_the_most_vulnerable_first() {
        let elder = female(born("1950-01-01"));
        let mut released_child = born("2012-05-05");
        released_child.timeline = vec![status("2025-12", Status::Released)];
        let cases = [
            ("released child", released_child),
            ("standard", base()),
            ("woman", female(base())),
            ("older woman", elder),
            ("older man", born("1950-01-01")),
            ("child", born("2012-05-05")),
        ];
        let mut ranked: Vec<(&str, Priority)> = cases
            .iter()
            .map(|(n, c)| (*n, priority(c, today())))
            .collect();
        ranked.sort_by(|a, b| compare(&a.1, &b.1));
        let order: Vec<&str> = ranked.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            order,
            [
                "child",
                "older woman",
                "older man",
                "woman",
                "standard",
                "released child"
            ]
        );
        let p = priority(&base(), today());
        assert_eq!(compare(&p, &p.clone()), Ordering::Equal);
    }

    #[test]
    fn priority_is_deterministic_and_round_trips() {
        let mut case = female(born("1966"));
        case.health = health(&[SeriousIllness, MotherOfInfant]);
        let p = priority(&case, today());
        assert_eq!(priority(&case, today()), p);
        let bytes = postcard::to_stdvec(&p).unwrap();
        assert_eq!(postcard::from_bytes::<Priority>(&bytes).unwrap(), p);
    }
}
