//! Release lists: the cases an organisation presses for release, chosen by
//! category, status and tier, ordered by priority, and redacted for the one
//! recipient the list is for (issue 6).
//!
//! # Choosing
//! [`Criteria::selects`] reads only a [`CaseSummary`], so the builder can
//! count and choose cases without loading a single document; only the
//! chosen ones are loaded to build the list.
//!
//! # Recipients, consent and redaction
//! Each [`Profile`] is one kind of recipient. Whether a case goes to it at
//! all is [`admits`]; what of the case it sees is [`Profile::columns`] — one
//! list per profile that the CSV, the JSON, the preview and the print view
//! all follow, so no format can show more than another. [`entry`] fills
//! only the fields of the profile's columns as a second guard.
//!
//! No profile ever receives family contacts (names, phones, addresses,
//! messengers), notes, sources or their attachments: a release list is
//! about the person held, and those are the people and channels that
//! documenting them put at risk.
//!
//! # Recording
//! Every export is noted in each exported case as an [`Intervention`]
//! ([`export_intervention`]), so the case says what left the organisation,
//! when, to whom and from which device.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::case::{
    Addressee, Case, Category, Confidentiality, Consent, DocumentKind, Intervention,
    InterventionStatus, Sex, Status,
};
use crate::case_summary::CaseSummary;
use crate::ids::DocId;
use crate::names::ukrainian_national;
use crate::partial_date::{Date, PartialDate};
use crate::priority::{Certainty, Priority, ReasonCode, Tier, compare, priority};

/// Which cases a list is about. An empty set does not filter, except that
/// empty `statuses` means "still deprived of liberty".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    /// Empty: every category.
    pub categories: BTreeSet<Category>,
    /// Empty: every status for which [`Status::is_deprived_of_liberty`]
    /// holds, and cases with no status recorded yet (a case is opened
    /// because someone is missing or held).
    pub statuses: BTreeSet<Status>,
    /// Empty: every tier. With the default statuses that is every tier but
    /// [`Tier::NotHeld`], as only people no longer held are in it; leaving
    /// `NotHeld` out here instead would make a list of, say, released
    /// people (for follow-up) impossible to choose.
    pub tiers: BTreeSet<Tier>,
}

impl Criteria {
    /// Whether the case is on the list, from its summary alone.
    pub fn selects(&self, summary: &CaseSummary, today: Date) -> bool {
        if !self.categories.is_empty() && !self.categories.contains(&summary.category) {
            return false;
        }
        let status_ok = match summary.status {
            _ if !self.statuses.is_empty() => {
                summary.status.is_some_and(|s| self.statuses.contains(&s))
            }
            None => true,
            Some(s) => s.is_deprived_of_liberty(),
        };
        if !status_ok {
            return false;
        }
        self.tiers.is_empty() || self.tiers.contains(&summary.priority(today).tier)
    }

    /// The chosen cases, most vulnerable first (ties by document id): the
    /// order the list will have.
    pub fn select(&self, summaries: &[CaseSummary], today: Date) -> Vec<DocId> {
        let mut chosen: Vec<(Priority, DocId)> = summaries
            .iter()
            .filter(|s| self.selects(s, today))
            .map(|s| (s.priority(today), s.doc_id))
            .collect();
        chosen.sort_by(|a, b| compare(&a.0, &b.0).then(a.1.cmp(&b.1)));
        chosen.into_iter().map(|(_, id)| id).collect()
    }
}

/// Who a release list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// The ICRC Central Tracing Agency.
    Icrc,
    /// The state body negotiating exchanges and releases (in Ukraine the
    /// Coordination Headquarters for the Treatment of Prisoners of War).
    Negotiators,
    /// A public campaign: anything given to it is published.
    PublicCampaign,
}

impl Profile {
    pub const ALL: &'static [Profile] =
        &[Profile::Icrc, Profile::Negotiators, Profile::PublicCampaign];

    /// The stable key used in files, notes and translation tables.
    pub fn as_key(self) -> &'static str {
        match self {
            Profile::Icrc => "icrc",
            Profile::Negotiators => "negotiators",
            Profile::PublicCampaign => "public_campaign",
        }
    }

    pub fn from_key(key: &str) -> Option<Profile> {
        Profile::ALL.iter().copied().find(|p| p.as_key() == key)
    }

    /// Who an export for this profile is noted as sent to.
    pub fn addressee(self) -> Addressee {
        match self {
            Profile::Icrc => Addressee::Icrc,
            Profile::Negotiators => Addressee::CoordinationHeadquarters,
            Profile::PublicCampaign => Addressee::Other,
        }
    }

    /// Whether a family contact's consent covers this recipient.
    ///
    /// * **ICRC: always.** The Central Tracing Agency receives the identity
    ///   of prisoners of war and protected persons by treaty (GC III arts.
    ///   122–123, GC IV arts. 136–140); GC IV art. 137 lets even the
    ///   detaining power's own bureau withhold information that might harm
    ///   the person or the relatives, but art. 140 does not let it be
    ///   withheld from the Agency. The ICRC keeps what it receives
    ///   confidential and asks families itself before passing anything on.
    ///   The record holds grants of consent only, no refusals, so there is
    ///   nothing to honour beyond that; the ICRC list carries a
    ///   "family consent" column saying whether a relative agreed, for the
    ///   Agency's own follow-up.
    /// * **Negotiators: only if a family contact agreed** (`negotiators`).
    ///   A state body is not bound by the ICRC's confidentiality, and a
    ///   family may fear that naming the person in talks exposes them.
    /// * **Public campaign: only if a family contact agreed**
    ///   (`public_campaign`). Publication cannot be undone and may bring
    ///   reprisals on the person held or on relatives in occupied areas.
    ///
    /// A case without any family contact therefore goes to the ICRC only.
    /// One contact's consent suffices: the record has no refusal to weigh
    /// against it.
    pub fn consented(self, consent: &Consent) -> bool {
        match self {
            Profile::Icrc => true,
            Profile::Negotiators => consent.negotiators,
            Profile::PublicCampaign => consent.public_campaign,
        }
    }

    /// Strictly confidential cases go to the ICRC (which works
    /// confidentially) and to nobody else.
    pub fn takes_strictly_confidential(self) -> bool {
        self == Profile::Icrc
    }

    /// What this recipient sees, in column order.
    pub fn columns(self) -> &'static [Column] {
        use Column::*;
        match self {
            Profile::Icrc => &[
                Rank,
                CaseId,
                Name,
                NameLatin,
                Sex,
                BirthDate,
                ApproxAge,
                Citizenship,
                Oblast,
                Category,
                Status,
                Tier,
                Reasons,
                SeizedOn,
                PlaceSeized,
                Authority,
                Facility,
                PowRank,
                PowUnit,
                PowServiceNumber,
                Documents,
                DaysSinceProofOfLife,
                FamilyConsentIcrc,
            ],
            Profile::Negotiators => &[
                Rank,
                CaseId,
                Name,
                NameLatin,
                Sex,
                BirthDate,
                ApproxAge,
                Citizenship,
                Oblast,
                Category,
                Status,
                Tier,
                Reasons,
                SeizedOn,
                PlaceSeized,
                Authority,
                Facility,
                PowRank,
                PowUnit,
                DaysSinceProofOfLife,
            ],
            // Nothing that locates the person, proves an identity document
            // or reveals health: only what a campaign poster says.
            Profile::PublicCampaign => &[
                Rank, Name, NameLatin, BirthYear, ApproxAge, Oblast, Category, Status, Tier,
                SeizedOn,
            ],
        }
    }
}

/// Why a case was left out of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    /// Strictly confidential, and the recipient is not the ICRC.
    Confidential,
    /// No family contact consented to this recipient.
    NoConsent,
}

/// Whether `case` may go to `profile`. Confidentiality is checked first:
/// it is the organisation's own decision and holds whatever the family
/// said.
pub fn admits(case: &Case, profile: Profile) -> Result<(), Excluded> {
    if case.confidentiality == Confidentiality::StrictlyConfidential
        && !profile.takes_strictly_confidential()
    {
        return Err(Excluded::Confidential);
    }
    if profile == Profile::Icrc || case.family.iter().any(|f| profile.consented(&f.consent)) {
        Ok(())
    } else {
        Err(Excluded::NoConsent)
    }
}

/// One column of a release list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Rank,
    /// The case's document id, so the recipient's answer can name the case
    /// without repeating personal data. An opaque random id.
    CaseId,
    /// Surname, given names, patronymic as entered.
    Name,
    /// The name in Latin letters (Ukrainian national system, resolution
    /// 55/2010), for recipients who do not read Cyrillic.
    NameLatin,
    Sex,
    /// As precise as known: "1980", "1980-05" or "1980-05-17".
    BirthDate,
    /// The year of birth only.
    BirthYear,
    /// When no birth date is known: the estimated age today.
    ApproxAge,
    Citizenship,
    Oblast,
    Category,
    Status,
    Tier,
    /// The established reasons for the tier (certain ones only: a list
    /// handed over says what is known, not what may be).
    Reasons,
    /// The latest seizure; to the month only for a public campaign.
    SeizedOn,
    PlaceSeized,
    Authority,
    /// The last facility the person is known to have been held in.
    Facility,
    PowRank,
    PowUnit,
    PowServiceNumber,
    Documents,
    /// Whole days since the latest proof of life, counted from the last day
    /// a partial date may stand for (so never more than certain).
    DaysSinceProofOfLife,
    /// Whether a family contact agreed to sharing with the ICRC.
    FamilyConsentIcrc,
}

impl Column {
    pub const ALL: &'static [Column] = &[
        Column::Rank,
        Column::CaseId,
        Column::Name,
        Column::NameLatin,
        Column::Sex,
        Column::BirthDate,
        Column::BirthYear,
        Column::ApproxAge,
        Column::Citizenship,
        Column::Oblast,
        Column::Category,
        Column::Status,
        Column::Tier,
        Column::Reasons,
        Column::SeizedOn,
        Column::PlaceSeized,
        Column::Authority,
        Column::Facility,
        Column::PowRank,
        Column::PowUnit,
        Column::PowServiceNumber,
        Column::Documents,
        Column::DaysSinceProofOfLife,
        Column::FamilyConsentIcrc,
    ];

    /// The stable key: the JSON field name and the untranslated header.
    pub fn as_key(self) -> &'static str {
        match self {
            Column::Rank => "rank",
            Column::CaseId => "case_id",
            Column::Name => "name",
            Column::NameLatin => "name_latin",
            Column::Sex => "sex",
            Column::BirthDate => "birth_date",
            Column::BirthYear => "birth_year",
            Column::ApproxAge => "approx_age",
            Column::Citizenship => "citizenship",
            Column::Oblast => "oblast",
            Column::Category => "category",
            Column::Status => "status",
            Column::Tier => "tier",
            Column::Reasons => "reasons",
            Column::SeizedOn => "seized_on",
            Column::PlaceSeized => "place_seized",
            Column::Authority => "authority",
            Column::Facility => "facility",
            Column::PowRank => "pow_rank",
            Column::PowUnit => "pow_unit",
            Column::PowServiceNumber => "pow_service_number",
            Column::Documents => "documents",
            Column::DaysSinceProofOfLife => "days_since_proof_of_life",
            Column::FamilyConsentIcrc => "family_consent_icrc",
        }
    }
}

/// An identity document as listed for the ICRC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDocument {
    pub kind: DocumentKind,
    pub number: String,
}

/// One person on a release list, already redacted for the list's profile:
/// a field outside the profile's columns is `None` (or empty).
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseEntry {
    /// 1 for the most urgent; set when the list is ordered.
    pub rank: u32,
    /// Kept for noting the export in the case; written to a file only
    /// where the profile has [`Column::CaseId`].
    pub doc_id: DocId,
    pub name: String,
    pub name_latin: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<PartialDate>,
    pub birth_year: Option<i32>,
    pub approx_age: Option<u32>,
    pub citizenships: Option<Vec<String>>,
    pub oblast: String,
    pub category: Category,
    pub status: Option<Status>,
    pub tier: Tier,
    pub reasons: Option<Vec<ReasonCode>>,
    pub seized_on: Option<PartialDate>,
    pub place_seized: Option<String>,
    pub authority: Option<String>,
    pub facility: Option<String>,
    pub pow_rank: Option<String>,
    pub pow_unit: Option<String>,
    pub pow_service_number: Option<String>,
    pub documents: Option<Vec<EntryDocument>>,
    pub days_since_proof_of_life: Option<i64>,
    pub family_consent_icrc: Option<bool>,
}

/// A word of the model's vocabulary in a cell: written as its stable key,
/// or as whatever the caller's `label` makes of it (a translation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    Category(Category),
    Status(Status),
    Tier(Tier),
    Sex(Sex),
    Reason(ReasonCode),
    Document(DocumentKind),
    Bool(bool),
}

impl Term {
    pub fn key(self) -> &'static str {
        match self {
            Term::Category(c) => c.as_key(),
            Term::Status(s) => s.as_key(),
            Term::Tier(t) => t.as_key(),
            Term::Sex(s) => s.as_key(),
            Term::Reason(r) => r.as_key(),
            Term::Document(d) => d.as_key(),
            Term::Bool(true) => "yes",
            Term::Bool(false) => "no",
        }
    }
}

/// The value of one column of one entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    /// Free text as entered.
    Text(String),
    Number(i64),
    /// A date, or a document id: fixed formats, never formulas.
    Code(String),
    Term(Term),
    List(Vec<Cell>),
    Document(DocumentKind, String),
}

impl ReleaseEntry {
    /// The value of `column` (empty when the profile does not have it).
    pub fn cell(&self, column: Column) -> Cell {
        fn text(s: &Option<String>) -> Cell {
            match s {
                Some(s) if !s.trim().is_empty() => Cell::Text(s.clone()),
                _ => Cell::Empty,
            }
        }
        fn date(d: Option<PartialDate>) -> Cell {
            d.map_or(Cell::Empty, |d| Cell::Code(d.to_string()))
        }
        match column {
            Column::Rank => Cell::Number(i64::from(self.rank)),
            Column::CaseId => Cell::Code(self.doc_id.to_hex()),
            Column::Name => Cell::Text(self.name.clone()),
            Column::NameLatin => Cell::Text(self.name_latin.clone()),
            Column::Sex => match self.sex {
                Some(Sex::Unknown) | None => Cell::Empty,
                Some(s) => Cell::Term(Term::Sex(s)),
            },
            Column::BirthDate => date(self.birth_date),
            Column::BirthYear => self
                .birth_year
                .map_or(Cell::Empty, |y| Cell::Number(i64::from(y))),
            Column::ApproxAge => self
                .approx_age
                .map_or(Cell::Empty, |a| Cell::Number(i64::from(a))),
            Column::Citizenship => match &self.citizenships {
                Some(list) => Cell::List(list.iter().map(|c| Cell::Code(c.clone())).collect()),
                None => Cell::Empty,
            },
            Column::Oblast => text(&Some(self.oblast.clone())),
            Column::Category => Cell::Term(Term::Category(self.category)),
            Column::Status => self
                .status
                .map_or(Cell::Empty, |s| Cell::Term(Term::Status(s))),
            Column::Tier => Cell::Term(Term::Tier(self.tier)),
            Column::Reasons => match &self.reasons {
                Some(list) => {
                    Cell::List(list.iter().map(|r| Cell::Term(Term::Reason(*r))).collect())
                }
                None => Cell::Empty,
            },
            Column::SeizedOn => date(self.seized_on),
            Column::PlaceSeized => text(&self.place_seized),
            Column::Authority => text(&self.authority),
            Column::Facility => text(&self.facility),
            Column::PowRank => text(&self.pow_rank),
            Column::PowUnit => text(&self.pow_unit),
            Column::PowServiceNumber => text(&self.pow_service_number),
            Column::Documents => match &self.documents {
                Some(list) => Cell::List(
                    list.iter()
                        .map(|d| Cell::Document(d.kind, d.number.clone()))
                        .collect(),
                ),
                None => Cell::Empty,
            },
            Column::DaysSinceProofOfLife => self
                .days_since_proof_of_life
                .map_or(Cell::Empty, Cell::Number),
            Column::FamilyConsentIcrc => self
                .family_consent_icrc
                .map_or(Cell::Empty, |b| Cell::Term(Term::Bool(b))),
        }
    }
}

/// A built list: ordered, redacted entries and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseList {
    pub profile: Profile,
    pub generated_on: Date,
    /// Most vulnerable first; `rank` is the position from 1.
    pub entries: Vec<ReleaseEntry>,
    /// Left out for want of the family's consent. Shown when building the
    /// list; never written to a file (a file says what it holds, not which
    /// families declined).
    pub excluded_without_consent: usize,
    /// Left out as strictly confidential (also never written to a file).
    pub excluded_confidential: usize,
}

impl ReleaseList {
    pub fn doc_ids(&self) -> Vec<DocId> {
        self.entries.iter().map(|e| e.doc_id).collect()
    }
}

/// The entry for `case` on a list for `profile`, or `None` when the case
/// may not go to that recipient ([`admits`]). `rank` is left 0.
pub fn entry(case: &Case, doc_id: DocId, profile: Profile, today: Date) -> Option<ReleaseEntry> {
    admits(case, profile).ok()?;
    Some(redact(case, doc_id, profile, today, &priority(case, today)))
}

/// Orders the admitted cases by priority (ties by document id) and counts
/// the ones left out.
pub fn build(cases: Vec<(DocId, Case)>, profile: Profile, today: Date) -> ReleaseList {
    let mut excluded_without_consent = 0;
    let mut excluded_confidential = 0;
    let mut admitted: Vec<(Priority, ReleaseEntry)> = Vec::with_capacity(cases.len());
    for (doc_id, case) in &cases {
        match admits(case, profile) {
            Ok(()) => {
                let p = priority(case, today);
                let entry = redact(case, *doc_id, profile, today, &p);
                admitted.push((p, entry));
            }
            Err(Excluded::Confidential) => excluded_confidential += 1,
            Err(Excluded::NoConsent) => excluded_without_consent += 1,
        }
    }
    admitted.sort_by(|a, b| compare(&a.0, &b.0).then(a.1.doc_id.cmp(&b.1.doc_id)));
    let entries = admitted
        .into_iter()
        .zip(1u32..)
        .map(|((_, mut e), rank)| {
            e.rank = rank;
            e
        })
        .collect();
    ReleaseList {
        profile,
        generated_on: today,
        entries,
        excluded_without_consent,
        excluded_confidential,
    }
}

/// Where and by whom the person was last seized, and where last held.
struct Seizure {
    seized_on: Option<PartialDate>,
    place: String,
    authority: String,
    facility: String,
}

/// The latest detention episode (undated episodes count as the latest, as
/// in the priority rules); for a deported child with no episode, the
/// transfer and the known location.
fn seizure(case: &Case) -> Option<Seizure> {
    let latest = case
        .detention
        .iter()
        .enumerate()
        .max_by_key(|(i, e)| (e.seized_on.is_none(), e.seized_on.map(|d| d.sort_key()), *i))
        .map(|(_, e)| e);
    if let Some(episode) = latest {
        let facility = episode
            .facilities
            .iter()
            .enumerate()
            .max_by_key(|(i, f)| {
                (
                    f.admitted_on.is_none(),
                    f.admitted_on.map(|d| d.sort_key()),
                    *i,
                )
            })
            .map(|(_, f)| f.name.clone())
            .unwrap_or_default();
        return Some(Seizure {
            seized_on: episode.seized_on,
            place: episode.place_seized.clone(),
            authority: episode.authority.clone(),
            facility,
        });
    }
    (case.category == Category::DeportedChild).then(|| Seizure {
        seized_on: case.child.transfer_date,
        place: case.child.transfer_place.clone(),
        authority: String::new(),
        facility: case.child.known_location.clone(),
    })
}

/// An approximate age given on a date, carried forward to `today` by the
/// whole years certainly passed since.
fn approx_age_now(case: &Case, today: Date) -> Option<u32> {
    let age = u32::from(case.identity.approx_age?);
    let passed = case
        .identity
        .approx_age_on
        .map_or(0, |on| on.latest().years_until(today).max(0));
    Some(age + passed.unsigned_abs())
}

fn to_month(d: PartialDate) -> PartialDate {
    match d.get_month() {
        Some(m) => PartialDate::month(d.get_year(), m).unwrap_or(d),
        None => d,
    }
}

fn non_blank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn redact(
    case: &Case,
    doc_id: DocId,
    profile: Profile,
    today: Date,
    priority: &Priority,
) -> ReleaseEntry {
    let has = |c: Column| profile.columns().contains(&c);
    let id = &case.identity;
    let name = case.display_name();
    let seizure = seizure(case);
    let seizure_field = |column: Column, pick: fn(&Seizure) -> &String| {
        has(column)
            .then(|| seizure.as_ref().and_then(|s| non_blank(pick(s))))
            .flatten()
    };
    let seized_on = seizure.as_ref().and_then(|s| s.seized_on);
    ReleaseEntry {
        rank: 0,
        doc_id,
        name_latin: ukrainian_national(&name),
        name,
        sex: has(Column::Sex).then_some(id.sex),
        birth_date: id.birth_date.filter(|_| has(Column::BirthDate)),
        birth_year: id
            .birth_date
            .filter(|_| has(Column::BirthYear))
            .map(|d| d.get_year()),
        approx_age: if id.birth_date.is_none() && has(Column::ApproxAge) {
            approx_age_now(case, today)
        } else {
            None
        },
        citizenships: has(Column::Citizenship).then(|| {
            id.citizenships
                .iter()
                .filter_map(|c| non_blank(c))
                .collect()
        }),
        oblast: id.residence_oblast.trim().to_owned(),
        category: case.category,
        status: case.current_status(),
        tier: priority.tier,
        reasons: has(Column::Reasons).then(|| {
            priority
                .reasons
                .iter()
                .filter(|r| r.certainty == Certainty::Certain && !r.code.is_unknown())
                .map(|r| r.code)
                .collect()
        }),
        seized_on: match profile {
            Profile::PublicCampaign => seized_on.map(to_month),
            _ => seized_on,
        },
        place_seized: seizure_field(Column::PlaceSeized, |s| &s.place),
        authority: seizure_field(Column::Authority, |s| &s.authority),
        facility: seizure_field(Column::Facility, |s| &s.facility),
        pow_rank: has(Column::PowRank)
            .then(|| non_blank(&case.pow.rank))
            .flatten(),
        pow_unit: has(Column::PowUnit)
            .then(|| non_blank(&case.pow.unit))
            .flatten(),
        pow_service_number: has(Column::PowServiceNumber)
            .then(|| non_blank(&case.pow.service_number))
            .flatten(),
        documents: has(Column::Documents).then(|| {
            id.documents
                .iter()
                .filter_map(|d| {
                    non_blank(&d.number).map(|number| EntryDocument {
                        kind: d.kind,
                        number,
                    })
                })
                .collect()
        }),
        days_since_proof_of_life: if has(Column::DaysSinceProofOfLife) {
            case.last_proof_of_life()
                .map(|d| (today.days_since_epoch() - d.latest().days_since_epoch()).max(0))
        } else {
            None
        },
        family_consent_icrc: has(Column::FamilyConsentIcrc)
            .then(|| case.family.iter().any(|f| f.consent.icrc)),
    }
}

// ---------------------------------------------------------------------------
// Files.

/// How list items share one CSV cell.
const CSV_LIST_SEPARATOR: &str = "; ";

/// The list as CSV (RFC 4180: CRLF line ends, fields with commas, quotes
/// or line breaks quoted, quotes doubled), beginning with a UTF-8 byte
/// order mark so spreadsheet programs read Cyrillic correctly. `headers`
/// name the profile's columns in order (translated by the caller); a
/// column without one is headed by its key. Vocabulary is written as
/// stable keys; see [`to_csv_with`] for translated values.
pub fn to_csv(list: &ReleaseList, headers: &[&str]) -> String {
    to_csv_with(list, headers, &|term: Term| term.key().to_owned())
}

/// [`to_csv`] with every [`Term`] written as `label` says.
///
/// Free text that a spreadsheet would take for a formula (it begins with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with an
/// apostrophe, as OWASP advises against CSV injection: a place or unit
/// typed by someone else must not run in the recipient's spreadsheet.
pub fn to_csv_with(list: &ReleaseList, headers: &[&str], label: &dyn Fn(Term) -> String) -> String {
    let columns = list.profile.columns();
    let mut out = String::from("\u{FEFF}");
    let header_row: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| csv_field(headers.get(i).copied().unwrap_or(c.as_key())))
        .collect();
    out.push_str(&header_row.join(","));
    out.push_str("\r\n");
    for entry in &list.entries {
        let row: Vec<String> = columns
            .iter()
            .map(|c| csv_field(&csv_text(&entry.cell(*c), label)))
            .collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_text(cell: &Cell, label: &dyn Fn(Term) -> String) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => defuse_formula(s),
        Cell::Number(n) => n.to_string(),
        Cell::Code(s) => s.clone(),
        Cell::Term(t) => label(*t),
        Cell::List(items) => items
            .iter()
            .map(|c| csv_text(c, label))
            .collect::<Vec<_>>()
            .join(CSV_LIST_SEPARATOR),
        Cell::Document(kind, number) => {
            format!("{}: {}", label(Term::Document(*kind)), number)
        }
    }
}

fn defuse_formula(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// One RFC 4180 field.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The list as JSON, two-space indented:
/// `{"profile", "generated_on", "count", "entries": [{<column key>: value}]}`
/// with each entry's keys exactly the profile's columns, in column order
/// (absent values are `null`), vocabulary as stable keys, dates as
/// `YYYY[-MM[-DD]]` strings and identity documents as
/// `{"kind", "number"}` objects.
pub fn to_json(list: &ReleaseList) -> String {
    let mut out = String::new();
    out.push_str("{\n");
    let _ = writeln!(
        out,
        "  \"profile\": {},",
        json_string(list.profile.as_key())
    );
    let _ = writeln!(
        out,
        "  \"generated_on\": {},",
        json_string(&list.generated_on.to_string())
    );
    let _ = writeln!(out, "  \"count\": {},", list.entries.len());
    if list.entries.is_empty() {
        out.push_str("  \"entries\": []\n}\n");
        return out;
    }
    out.push_str("  \"entries\": [\n");
    let columns = list.profile.columns();
    for (i, entry) in list.entries.iter().enumerate() {
        out.push_str("    {\n");
        for (j, column) in columns.iter().enumerate() {
            let _ = write!(
                out,
                "      {}: {}",
                json_string(column.as_key()),
                json_value(&entry.cell(*column))
            );
            out.push_str(if j + 1 < columns.len() { ",\n" } else { "\n" });
        }
        out.push_str(if i + 1 < list.entries.len() {
            "    },\n"
        } else {
            "    }\n"
        });
    }
    out.push_str("  ]\n}\n");
    out
}

fn json_value(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "null".to_owned(),
        Cell::Text(s) | Cell::Code(s) => json_string(s),
        Cell::Number(n) => n.to_string(),
        Cell::Term(Term::Bool(b)) => b.to_string(),
        Cell::Term(t) => json_string(t.key()),
        Cell::List(items) => {
            let items: Vec<String> = items.iter().map(json_value).collect();
            format!("[{}]", items.join(", "))
        }
        Cell::Document(kind, number) => format!(
            "{{\"kind\": {}, \"number\": {}}}",
            json_string(kind.as_key()),
            json_string(number)
        ),
    }
}

/// A JSON string literal (RFC 8259: quote, backslash and control
/// characters escaped; everything else as UTF-8).
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The note added to every exported case: sent to the profile's addressee
/// today, marked as part of a release list. `response` is a fixed,
/// machine-readable line (data in the case, not text for the screen):
/// `release-list export: profile=<key> format=<format> device=<first 16
/// hex digits of the device id>`. The device loop gives the item its id.
pub fn export_intervention(
    profile: Profile,
    format: &str,
    device_hex: &str,
    today: Date,
) -> Intervention {
    let device: String = device_hex.chars().take(16).collect();
    let device = if device.is_empty() {
        "unknown".to_owned()
    } else {
        device
    };
    Intervention {
        id: String::new(),
        addressee: profile.addressee(),
        date: Some(PartialDate::from(today)),
        response: format!(
            "release-list export: profile={} format={} device={}",
            profile.as_key(),
            format,
            device
        ),
        status: InterventionStatus::Sent,
        in_release_list: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{
        DetentionEpisode, Facility, FamilyContact, IdentityDocument, Notes, StatusEvent,
    };
    use crate::synthetic::{SplitMix64, generate};
    use std::cmp::Ordering;

    fn today() -> Date {
        Date::new(2025, 6, 1).unwrap()
    }

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    fn ids(n: usize) -> Vec<DocId> {
        let mut rng = SplitMix64::new(7);
        (0..n).map(|_| DocId::random(&mut rng)).collect()
    }

    fn consent(icrc: bool, negotiators: bool, public_campaign: bool) -> Consent {
        Consent {
            icrc,
            un_wgeid: false,
            negotiators,
            public_campaign,
        }
    }

    /// A man held since 2022, with one relative who gave `consent`.
    fn held(consent: Option<Consent>) -> Case {
        let mut case = Case::minimal("Бойко", "Іван", "Петрович", Category::PrisonerOfWar);
        case.confidentiality = Confidentiality::Confidential;
        case.identity.sex = Sex::Male;
        case.identity.birth_date = Some(d("1984-05-17"));
        case.identity.residence_oblast = "Харківська".into();
        case.identity.citizenships = vec!["UA".into()];
        case.identity.documents.push(IdentityDocument {
            id: "doc".into(),
            kind: DocumentKind::Passport,
            number: "FX123456".into(),
        });
        case.pow.rank = "солдат".into();
        case.pow.unit = "в/ч А0000".into();
        case.pow.service_number = "SN-0042".into();
        case.detention.push(DetentionEpisode {
            id: "e".into(),
            seized_on: Some(d("2022-03-14")),
            place_seized: "Ізюм".into(),
            authority: "ЗС РФ".into(),
            facilities: vec![
                Facility {
                    id: "f1".into(),
                    name: "СІЗО-1".into(),
                    admitted_on: Some(d("2022-04")),
                    ..Facility::default()
                },
                Facility {
                    id: "f2".into(),
                    name: "ВК-10".into(),
                    admitted_on: Some(d("2023-08")),
                    ..Facility::default()
                },
            ],
            ..DetentionEpisode::default()
        });
        case.timeline.push(StatusEvent {
            id: "s".into(),
            date: Some(d("2022-05-01")),
            status: Status::DetainedAcknowledged,
            ..StatusEvent::default()
        });
        if let Some(consent) = consent {
            case.family.push(FamilyContact {
                id: "fam".into(),
                name: "Бойко Марія".into(),
                relation: "дружина".into(),
                contact: "+380 (00) 123 45 67".into(),
                to_inform: true,
                consent,
                last_contact: None,
            });
        }
        case.notes = Notes("бачили у ВК-10 в серпні".into());
        case
    }

    #[test]
    fn profile_keys_round_trip_and_columns_are_unique() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_key(p.as_key()), Some(*p));
            let cols = p.columns();
            let unique: BTreeSet<_> = cols.iter().collect();
            assert_eq!(unique.len(), cols.len(), "{p:?}");
            assert_eq!(cols[0], Column::Rank);
        }
        let keys: BTreeSet<_> = Column::ALL.iter().map(|c| c.as_key()).collect();
        assert_eq!(keys.len(), Column::ALL.len());
        assert_eq!(Profile::from_key("press"), None);
    }

    #[test]
    fn consent_decides_per_profile() {
        let none = held(None);
        let nothing_granted = held(Some(consent(false, false, false)));
        let icrc_only = held(Some(consent(true, false, false)));
        let negotiators = held(Some(consent(false, true, false)));
        let public = held(Some(consent(false, false, true)));

        // The ICRC receives every case (treaty mandate; see Profile::consented).
        for case in [&none, &nothing_granted, &icrc_only, &negotiators, &public] {
            assert_eq!(admits(case, Profile::Icrc), Ok(()));
        }
        // No family contact at all: nobody but the ICRC.
        assert_eq!(
            admits(&none, Profile::Negotiators),
            Err(Excluded::NoConsent)
        );
        assert_eq!(
            admits(&none, Profile::PublicCampaign),
            Err(Excluded::NoConsent)
        );
        // Each scope opens only its own recipient.
        assert_eq!(
            admits(&icrc_only, Profile::Negotiators),
            Err(Excluded::NoConsent)
        );
        assert_eq!(
            admits(&icrc_only, Profile::PublicCampaign),
            Err(Excluded::NoConsent)
        );
        assert_eq!(admits(&negotiators, Profile::Negotiators), Ok(()));
        assert_eq!(
            admits(&negotiators, Profile::PublicCampaign),
            Err(Excluded::NoConsent)
        );
        assert_eq!(admits(&public, Profile::PublicCampaign), Ok(()));
        assert_eq!(
            admits(&public, Profile::Negotiators),
            Err(Excluded::NoConsent)
        );
        assert_eq!(
            admits(&nothing_granted, Profile::PublicCampaign),
            Err(Excluded::NoConsent)
        );

        // One consenting relative among several is enough.
        let mut two = held(Some(consent(false, false, false)));
        let mut second = two.family[0].clone();
        second.id = "fam2".into();
        second.consent = consent(false, false, true);
        two.family.push(second);
        assert_eq!(admits(&two, Profile::PublicCampaign), Ok(()));

        assert!(entry(&none, ids(1)[0], Profile::PublicCampaign, today()).is_none());
        assert!(entry(&none, ids(1)[0], Profile::Icrc, today()).is_some());
    }

    #[test]
    fn strictly_confidential_goes_to_the_icrc_only_whatever_the_consent() {
        let mut case = held(Some(consent(true, true, true)));
        case.confidentiality = Confidentiality::StrictlyConfidential;
        assert_eq!(admits(&case, Profile::Icrc), Ok(()));
        assert_eq!(
            admits(&case, Profile::Negotiators),
            Err(Excluded::Confidential)
        );
        assert_eq!(
            admits(&case, Profile::PublicCampaign),
            Err(Excluded::Confidential)
        );
        // Confidentiality is counted before consent.
        let mut unconsented = held(None);
        unconsented.confidentiality = Confidentiality::StrictlyConfidential;
        assert_eq!(
            admits(&unconsented, Profile::PublicCampaign),
            Err(Excluded::Confidential)
        );

        let ids = ids(4);
        let cases = vec![
            (ids[0], case.clone()),
            (ids[1], unconsented),
            (ids[2], held(None)),
            (ids[3], held(Some(consent(false, true, true)))),
        ];
        let public = build(cases.clone(), Profile::PublicCampaign, today());
        assert_eq!(public.doc_ids(), vec![ids[3]]);
        assert_eq!(public.excluded_confidential, 2);
        assert_eq!(public.excluded_without_consent, 1);
        let icrc = build(cases, Profile::Icrc, today());
        assert_eq!(icrc.entries.len(), 4);
        assert_eq!(
            (icrc.excluded_confidential, icrc.excluded_without_consent),
            (0, 0)
        );
    }

    #[test]
    fn each_profile_sees_only_its_columns() {
        let case = held(Some(consent(true, true, true)));
        let id = ids(1)[0];

        let icrc = entry(&case, id, Profile::Icrc, today()).unwrap();
        assert_eq!(icrc.name, "Бойко Іван Петрович");
        assert_eq!(icrc.name_latin, "Boiko Ivan Petrovych");
        assert_eq!(icrc.sex, Some(Sex::Male));
        assert_eq!(icrc.birth_date, Some(d("1984-05-17")));
        assert_eq!(icrc.birth_year, None);
        assert_eq!(icrc.seized_on, Some(d("2022-03-14")));
        assert_eq!(icrc.place_seized.as_deref(), Some("Ізюм"));
        assert_eq!(icrc.authority.as_deref(), Some("ЗС РФ"));
        assert_eq!(icrc.facility.as_deref(), Some("ВК-10"));
        assert_eq!(icrc.pow_service_number.as_deref(), Some("SN-0042"));
        assert_eq!(
            icrc.documents,
            Some(vec![EntryDocument {
                kind: DocumentKind::Passport,
                number: "FX123456".into()
            }])
        );
        // Proof of life: admitted 2023-08, counted from 31 August 2023.
        assert_eq!(icrc.days_since_proof_of_life, Some(640));
        assert_eq!(icrc.family_consent_icrc, Some(true));
        assert_eq!(icrc.status, Some(Status::DetainedAcknowledged));
        assert!(
            icrc.reasons
                .as_ref()
                .is_some_and(|r| r.contains(&ReasonCode::LongDetention))
        );

        let neg = entry(&case, id, Profile::Negotiators, today()).unwrap();
        assert_eq!(neg.pow_unit.as_deref(), Some("в/ч А0000"));
        assert_eq!(neg.pow_service_number, None);
        assert_eq!(neg.documents, None);
        assert_eq!(neg.family_consent_icrc, None);
        assert_eq!(neg.facility.as_deref(), Some("ВК-10"));

        let public = entry(&case, id, Profile::PublicCampaign, today()).unwrap();
        assert_eq!(public.birth_date, None);
        assert_eq!(public.birth_year, Some(1984));
        assert_eq!(public.seized_on, Some(d("2022-03")), "month precision");
        assert_eq!(public.sex, None);
        assert_eq!(public.reasons, None, "reasons may reveal health");
        assert_eq!(public.citizenships, None);
        assert_eq!(
            (&public.place_seized, &public.authority, &public.facility),
            (&None, &None, &None)
        );
        assert_eq!((&public.pow_rank, &public.pow_unit), (&None, &None));
        assert_eq!(public.documents, None);
        assert_eq!(public.days_since_proof_of_life, None);
        assert_eq!(public.oblast, "Харківська");
        // Every field outside the profile's columns reads as empty.
        for column in Column::ALL {
            if !Profile::PublicCampaign.columns().contains(column) && *column != Column::CaseId {
                assert_eq!(public.cell(*column), Cell::Empty, "{column:?}");
            }
        }
    }

    #[test]
    fn approximate_age_and_a_deported_child_without_episodes() {
        let mut case = held(Some(consent(true, true, true)));
        case.identity.birth_date = None;
        case.identity.approx_age = Some(40);
        case.identity.approx_age_on = Some(d("2023-02"));
        let e = entry(&case, ids(1)[0], Profile::PublicCampaign, today()).unwrap();
        assert_eq!((e.birth_year, e.approx_age), (None, Some(42)));
        case.identity.approx_age_on = None;
        let e = entry(&case, ids(1)[0], Profile::Icrc, today()).unwrap();
        assert_eq!(e.approx_age, Some(40));

        let mut child = Case::minimal("Шевчук", "Олена", "", Category::DeportedChild);
        child.child.transfer_date = Some(d("2022-09-03"));
        child.child.transfer_place = "Херсон".into();
        child.child.known_location = "табір «Ромашка»".into();
        child.child.guardian = "GUARDIAN-SENTINEL".into();
        let e = entry(&child, ids(1)[0], Profile::Negotiators, today());
        assert!(e.is_none(), "no family contact, no consent");
        let e = entry(&child, ids(1)[0], Profile::Icrc, today()).unwrap();
        assert_eq!(e.seized_on, Some(d("2022-09-03")));
        assert_eq!(e.place_seized.as_deref(), Some("Херсон"));
        assert_eq!(e.facility.as_deref(), Some("табір «Ромашка»"));
        assert_eq!(e.authority, None);
        assert_eq!(e.family_consent_icrc, Some(false));
        let list = build(vec![(ids(1)[0], child)], Profile::Icrc, today());
        assert!(!to_csv(&list, &[]).contains("GUARDIAN"));
    }

    const SENTINELS_NEVER: &[&str] = &[
        "CONTACT-SENTINEL",
        "FAMILY-SENTINEL",
        "RELATION-SENTINEL",
        "NOTE-SENTINEL",
        "SOURCE-SENTINEL",
        "GUARDIAN-SENTINEL",
        "MOTHER-SENTINEL",
        "MARKS-SENTINEL",
        "HEALTH-SENTINEL",
        "BIRTHPLACE-SENTINEL",
        "SETTLEMENT-SENTINEL",
        "ALIAS-SENTINEL",
        "INTERVENTION-SENTINEL",
        "COURT-SENTINEL",
    ];

    /// Synthetic cases with a distinctive marker in every sensitive field,
    /// so a leak shows up as a plain substring.
    fn marked_cases(n: usize) -> Vec<(DocId, Case)> {
        let ids = ids(n);
        generate(2024, n, today())
            .enumerate()
            .map(|(i, mut case)| {
                for (j, f) in case.family.iter_mut().enumerate() {
                    f.contact = format!("CONTACT-SENTINEL-{i}-{j}, вул. Садова 1");
                    f.name = format!("FAMILY-SENTINEL-{i}");
                    f.relation = "RELATION-SENTINEL".into();
                }
                for doc in &mut case.identity.documents {
                    doc.number = format!("DOCNUM-SENTINEL-{i}");
                }
                case.pow.service_number = format!("SERVICE-SENTINEL-{i}");
                case.pow.unit = format!("UNIT-SENTINEL-{i}");
                case.notes = Notes(format!("NOTE-SENTINEL-{i}"));
                for s in &mut case.sources {
                    s.description = "SOURCE-SENTINEL".into();
                }
                for iv in &mut case.interventions {
                    iv.response = "INTERVENTION-SENTINEL".into();
                }
                for e in &mut case.detention {
                    e.place_seized = format!("PLACE-SENTINEL-{i}");
                    e.authority = "AUTHORITY-SENTINEL".into();
                    for f in &mut e.facilities {
                        f.name = "FACILITY-SENTINEL".into();
                    }
                }
                case.child.guardian = "GUARDIAN-SENTINEL".into();
                case.political.court = "COURT-SENTINEL".into();
                case.identity.mother_name = "MOTHER-SENTINEL".into();
                case.identity.distinguishing_marks = "MARKS-SENTINEL".into();
                case.identity.place_of_birth = "BIRTHPLACE-SENTINEL".into();
                case.identity.residence_settlement = "SETTLEMENT-SENTINEL".into();
                case.health.serious_illness.note = "HEALTH-SENTINEL".into();
                for a in &mut case.identity.aliases {
                    a.name = "ALIAS-SENTINEL".into();
                }
                (ids[i], case)
            })
            .collect()
    }

    fn files(list: &ReleaseList) -> [String; 3] {
        let labelled = to_csv_with(list, &[], &|t| format!("<{}>", t.key()));
        [to_csv(list, &[]), labelled, to_json(list)]
    }

    #[test]
    fn public_campaign_omits_unconsented_cases_and_every_contact_detail() {
        let cases = marked_cases(300);
        let list = build(cases.clone(), Profile::PublicCampaign, today());
        let by_id: std::collections::HashMap<DocId, &Case> =
            cases.iter().map(|(id, c)| (*id, c)).collect();

        // Only cases some relative agreed to publish, none strictly
        // confidential; the rest are counted.
        assert!(!list.entries.is_empty());
        assert!(list.excluded_without_consent > 0 && list.excluded_confidential > 0);
        assert_eq!(
            list.entries.len() + list.excluded_without_consent + list.excluded_confidential,
            cases.len()
        );
        for e in &list.entries {
            let case = by_id[&e.doc_id];
            assert!(case.family.iter().any(|f| f.consent.public_campaign));
            assert_ne!(case.confidentiality, Confidentiality::StrictlyConfidential);
        }
        let unconsented: Vec<&(DocId, Case)> = cases
            .iter()
            .filter(|(_, c)| !c.family.iter().any(|f| f.consent.public_campaign))
            .collect();
        assert!(!unconsented.is_empty());

        for file in files(&list) {
            for marker in SENTINELS_NEVER
                .iter()
                .chain(&["DOCNUM-SENTINEL", "SERVICE-SENTINEL", "UNIT-SENTINEL"])
                .chain(&["PLACE-SENTINEL", "AUTHORITY-SENTINEL", "FACILITY-SENTINEL"])
            {
                assert!(!file.contains(marker), "{marker} leaked into a public list");
            }
            assert!(!file.contains("(00)"), "a synthetic phone number leaked");
            // No document id either: the public list cannot be joined with
            // anything else.
            for (id, _) in &cases {
                assert!(!file.contains(&id.to_hex()));
            }
            // Names of people whose families did not consent are absent
            // (a name shared with a consented case aside).
            for (_, c) in &unconsented {
                let name = c.display_name();
                if !list.entries.iter().any(|e| e.name == name) {
                    assert!(!file.contains(&name), "unconsented case listed");
                }
            }
        }
    }

    #[test]
    fn icrc_and_negotiators_get_their_fields_and_never_family_data() {
        let cases = marked_cases(120);
        let icrc = build(cases.clone(), Profile::Icrc, today());
        assert_eq!(icrc.entries.len(), cases.len());
        let neg = build(cases.clone(), Profile::Negotiators, today());
        assert!(neg.entries.len() < cases.len());
        for file in files(&icrc).iter().chain(files(&neg).iter()) {
            for marker in SENTINELS_NEVER {
                assert!(!file.contains(marker), "{marker} leaked");
            }
            assert!(file.contains("PLACE-SENTINEL") && file.contains("FACILITY-SENTINEL"));
            assert!(file.contains("UNIT-SENTINEL"));
        }
        let [csv, _, json] = files(&icrc);
        assert!(csv.contains("DOCNUM-SENTINEL") && json.contains("DOCNUM-SENTINEL"));
        assert!(csv.contains("SERVICE-SENTINEL") && json.contains("SERVICE-SENTINEL"));
        for file in files(&neg) {
            assert!(!file.contains("DOCNUM-SENTINEL") && !file.contains("SERVICE-SENTINEL"));
        }
    }

    #[test]
    fn entries_are_in_priority_order_ties_by_doc_id() {
        let cases = marked_cases(200);
        let priorities: std::collections::HashMap<DocId, Priority> = cases
            .iter()
            .map(|(id, c)| (*id, priority(c, today())))
            .collect();
        let mut reversed = cases.clone();
        reversed.reverse();
        let list = build(cases, Profile::Icrc, today());
        assert_eq!(
            list,
            build(reversed, Profile::Icrc, today()),
            "input order is irrelevant"
        );
        for (i, e) in list.entries.iter().enumerate() {
            assert_eq!(e.rank as usize, i + 1);
        }
        for pair in list.entries.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            match compare(&priorities[&a.doc_id], &priorities[&b.doc_id]) {
                Ordering::Less => {}
                Ordering::Equal => assert!(a.doc_id < b.doc_id),
                Ordering::Greater => panic!("out of priority order"),
            }
        }
        assert_eq!(list.entries[0].tier, Tier::Critical);
    }

    #[test]
    fn criteria_choose_from_summaries() {
        let cases = marked_cases(200);
        let summaries: Vec<CaseSummary> = cases
            .iter()
            .map(|(id, c)| CaseSummary::of(*id, c, 0, 0))
            .collect();
        let all = Criteria::default();
        let chosen: Vec<&CaseSummary> = summaries
            .iter()
            .filter(|s| all.selects(s, today()))
            .collect();
        assert!(!chosen.is_empty() && chosen.len() < summaries.len());
        for s in &chosen {
            assert!(s.status.is_none_or(Status::is_deprived_of_liberty));
            assert_ne!(s.priority(today()).tier, Tier::NotHeld);
        }

        let pows = Criteria {
            categories: [Category::PrisonerOfWar].into(),
            tiers: [Tier::Critical, Tier::High].into(),
            ..Criteria::default()
        };
        for s in summaries.iter().filter(|s| pows.selects(s, today())) {
            assert_eq!(s.category, Category::PrisonerOfWar);
            assert!(matches!(
                s.priority(today()).tier,
                Tier::Critical | Tier::High
            ));
        }

        // An explicit status, even one no longer held, is honoured.
        let released = Criteria {
            statuses: [Status::Released, Status::Exchanged].into(),
            ..Criteria::default()
        };
        let picked = released.select(&summaries, today());
        assert!(!picked.is_empty());
        for id in &picked {
            let s = summaries.iter().find(|s| s.doc_id == *id).unwrap();
            assert!(matches!(
                s.status,
                Some(Status::Released | Status::Exchanged)
            ));
        }

        // No status recorded: chosen by default, not by an explicit status.
        let mut fresh = held(None);
        fresh.timeline.clear();
        let fresh = CaseSummary::of(ids(1)[0], &fresh, 0, 0);
        assert!(all.selects(&fresh, today()));
        let missing = Criteria {
            statuses: [Status::Missing].into(),
            ..Criteria::default()
        };
        assert!(!missing.selects(&fresh, today()));

        // `select` orders like `build`.
        let order = all.select(&summaries, today());
        let chosen_cases: Vec<(DocId, Case)> = cases
            .iter()
            .filter(|(id, _)| order.contains(id))
            .cloned()
            .collect();
        assert_eq!(build(chosen_cases, Profile::Icrc, today()).doc_ids(), order);
    }

    /// A strict RFC 4180 reader, to check what the writer produced.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut field = String::new();
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => {
                    assert!(field.is_empty(), "quote inside an unquoted field");
                    quoted = true;
                }
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "lone CR");
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                (false, '\n') => panic!("bare LF outside quotes"),
                (false, c) => field.push(c),
            }
        }
        assert!(
            !quoted && field.is_empty() && row.is_empty(),
            "unterminated"
        );
        rows
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks_and_defuses_formulas() {
        let mut case = held(Some(consent(true, true, true)));
        case.detention[0].place_seized = "Ізюм, вул. \"Шкільна\"\nбіля школи".into();
        case.detention[0].authority = "=HYPERLINK(\"http://x\")".into();
        case.pow.unit = "-1 рота".into();
        let list = build(vec![(ids(1)[0], case)], Profile::Icrc, today());
        let headers = ["№", "Ідентифікатор", "Ім'я, \"повне\""];
        let csv = to_csv(&list, &headers);
        assert!(csv.starts_with('\u{FEFF}'));
        assert!(csv.ends_with("\r\n"));
        assert!(csv.contains("\"Ізюм, вул. \"\"Шкільна\"\"\nбіля школи\""));

        let rows = parse_csv(csv.trim_start_matches('\u{FEFF}'));
        assert_eq!(rows.len(), 2);
        let columns = Profile::Icrc.columns();
        assert!(rows.iter().all(|r| r.len() == columns.len()));
        // Given headers first, keys for the rest.
        assert_eq!(
            &rows[0][..4],
            &["№", "Ідентифікатор", "Ім'я, \"повне\"", "name_latin"]
        );
        let at = |c: Column| &rows[1][columns.iter().position(|x| *x == c).unwrap()];
        assert_eq!(
            at(Column::PlaceSeized),
            "Ізюм, вул. \"Шкільна\"\nбіля школи"
        );
        assert_eq!(at(Column::Authority), "'=HYPERLINK(\"http://x\")");
        assert_eq!(at(Column::PowUnit), "'-1 рота");
        assert_eq!(at(Column::Rank), "1");
        assert_eq!(at(Column::CaseId), &list.entries[0].doc_id.to_hex());
        assert_eq!(at(Column::Category), "prisoner_of_war");
        assert_eq!(at(Column::Status), "detained_acknowledged");
        assert_eq!(at(Column::BirthDate), "1984-05-17");
        assert_eq!(at(Column::Citizenship), "UA");
        assert_eq!(at(Column::Documents), "passport: FX123456");
        assert_eq!(at(Column::FamilyConsentIcrc), "yes");

        let labelled = to_csv_with(&list, &[], &|t| match t {
            Term::Document(_) => "Паспорт".into(),
            other => other.key().to_uppercase(),
        });
        let rows = parse_csv(labelled.trim_start_matches('\u{FEFF}'));
        let at = |c: Column| &rows[1][columns.iter().position(|x| *x == c).unwrap()];
        assert_eq!(at(Column::Documents), "Паспорт: FX123456");
        assert_eq!(at(Column::Category), "PRISONER_OF_WAR");
    }

    #[test]
    fn an_empty_list_is_a_header_row_and_an_empty_array() {
        let list = build(Vec::new(), Profile::PublicCampaign, today());
        let csv = to_csv(&list, &[]);
        assert_eq!(
            csv,
            "\u{FEFF}rank,name,name_latin,birth_year,approx_age,oblast,category,status,tier,seized_on\r\n"
        );
        let json: serde_json::Value = serde_json::from_str(&to_json(&list)).unwrap();
        assert_eq!(json["entries"], serde_json::json!([]));
        assert_eq!(json["count"], 0);
        assert_eq!(json["profile"], "public_campaign");
    }

    #[test]
    fn json_parses_and_holds_exactly_the_profile_columns() {
        let mut case = held(Some(consent(true, true, true)));
        case.detention[0].place_seized = "a \"quoted\"\\ place\n\t\u{1}end".into();
        let mut cases = marked_cases(60);
        cases.push((ids(61)[60], case));
        for profile in Profile::ALL {
            let list = build(cases.clone(), *profile, today());
            let text = to_json(&list);
            assert_eq!(text, to_json(&list.clone()), "deterministic");
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json["profile"], profile.as_key());
            assert_eq!(json["generated_on"], "2025-06-01");
            assert!(json.get("excluded_without_consent").is_none());
            let entries = json["entries"].as_array().unwrap();
            assert_eq!(entries.len(), list.entries.len());
            assert_eq!(json["count"], list.entries.len());
            let keys: Vec<&str> = profile.columns().iter().map(|c| c.as_key()).collect();
            for (value, entry) in entries.iter().zip(&list.entries) {
                let object = value.as_object().unwrap();
                let mut got: Vec<&str> = object.keys().map(String::as_str).collect();
                let mut want = keys.clone();
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want);
                assert_eq!(value["rank"], entry.rank);
                assert_eq!(value["name"], entry.name.as_str());
                assert_eq!(value["tier"], entry.tier.as_key());
            }
            // Keys are written in column order.
            let first = text.find("\"rank\"").unwrap();
            let last = text.find(&format!("\"{}\"", keys[keys.len() - 1])).unwrap();
            assert!(first < last);
        }
        let icrc = build(cases.clone(), Profile::Icrc, today());
        let json: serde_json::Value = serde_json::from_str(&to_json(&icrc)).unwrap();
        let tricky = json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "Бойко Іван Петрович")
            .unwrap();
        assert_eq!(tricky["place_seized"], "a \"quoted\"\\ place\n\t\u{1}end");
        assert_eq!(tricky["documents"][0]["kind"], "passport");
        assert_eq!(tricky["documents"][0]["number"], "FX123456");
        assert_eq!(tricky["family_consent_icrc"], true);
        assert_eq!(tricky["days_since_proof_of_life"], 640);
        assert_eq!(tricky["seized_on"], "2022-03-14");
        assert_eq!(tricky["citizenship"], serde_json::json!(["UA"]));
    }

    #[test]
    fn an_export_is_noted_as_sent_in_a_release_list() {
        let device = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
        let note = export_intervention(Profile::PublicCampaign, "csv", device, today());
        assert_eq!(note.addressee, Addressee::Other);
        assert_eq!(note.date, Some(d("2025-06-01")));
        assert_eq!(note.status, InterventionStatus::Sent);
        assert!(note.in_release_list);
        assert_eq!(
            note.response,
            "release-list export: profile=public_campaign format=csv device=a1b2c3d4e5f60718"
        );
        assert_eq!(
            export_intervention(Profile::Icrc, "json", device, today()).addressee,
            Addressee::Icrc
        );
        let neg = export_intervention(Profile::Negotiators, "print", "", today());
        assert_eq!(neg.addressee, Addressee::CoordinationHeadquarters);
        assert!(neg.response.ends_with("format=print device=unknown"));
    }
}
