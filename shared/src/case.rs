//! The case record: one person deprived of liberty, as documented
//! (DESIGN §2). Field groups follow GC III arts. 17/122, GC IV art. 138, the
//! UN WGEID minimum elements, AP I art. 78 for children and the HURIDOCS
//! Events Standard Formats.
//!
//! How it maps onto Automerge (see `case_doc`): every struct is a map, every
//! scalar a map key (a concurrent edit of one field is a visible conflict),
//! every list holds items with a stable `id` (two devices adding items both
//! keep theirs), and the notes are Automerge text (concurrent typing
//! merges). Enumerations are stored by stable snake_case keys.
//!
//! Values that are *derived* (Latin transliterations, age flags, current
//! status, days since last proof of life) are never stored.

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Serialize};

use crate::partial_date::PartialDate;

/// Written into every case document; `case_doc` migrates older documents
/// when it loads them.
pub const CASE_SCHEMA_VERSION: u64 = 2;

/// Enumerations are stored in documents as their stable string keys, not as
/// Rust variant names, so renaming a variant never changes stored data. An
/// unknown key (written by a newer app) reads as the enum's `Unknown`-like
/// default rather than failing the whole case.
macro_rules! keyed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $key:literal ),+ $(,)? }
        default $default:ident
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key stored in documents and used by forms and
            /// translation tables.
            pub fn as_key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                match key { $($key => Some($name::$variant),)+ _ => None }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl Reconcile for $name {
            type Key<'a> = NoKey;

            fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_key())
            }
        }

        impl Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
                Ok($name::from_key(s).unwrap_or_default())
            }
        }
    };
}

keyed_enum! {
    /// Why the person is documented.
    pub enum Category {
        CivilianDetainee = "civilian_detainee",
        PrisonerOfWar = "prisoner_of_war",
        PoliticalPrisoner = "political_prisoner",
        DeportedChild = "deported_child",
        Missing = "missing",
    }
    default Missing
}

keyed_enum! {
    /// A status in the timeline.
    pub enum Status {
        Missing = "missing",
        DetainedUnacknowledged = "detained_unacknowledged",
        DetainedAcknowledged = "detained_acknowledged",
        Charged = "charged",
        Sentenced = "sentenced",
        Released = "released",
        Exchanged = "exchanged",
        ReturnedHome = "returned_home",
        Deceased = "deceased",
        Escaped = "escaped",
    }
    default Missing
}

impl Status {
    /// The person is (as far as known) still held or missing: the statuses a
    /// release list is about.
    pub fn is_deprived_of_liberty(self) -> bool {
        matches!(
            self,
            Status::Missing
                | Status::DetainedUnacknowledged
                | Status::DetainedAcknowledged
                | Status::Charged
                | Status::Sentenced
        )
    }
}

keyed_enum! {
    pub enum Sex { Unknown = "unknown", Female = "female", Male = "male" }
    default Unknown
}

keyed_enum! {
    pub enum DocumentKind {
        Passport = "passport",
        InternalPassport = "internal_passport",
        IdCard = "id_card",
        BirthCertificate = "birth_certificate",
        MilitaryId = "military_id",
        TaxNumber = "tax_number",
        Other = "other",
    }
    default Other
}

keyed_enum! {
    /// Has the detaining power acknowledged holding the person?
    pub enum Capture { Unknown = "unknown", Denied = "denied", Acknowledged = "acknowledged" }
    default Unknown
}

keyed_enum! {
    pub enum Whereabouts { Unknown = "unknown", Undisclosed = "undisclosed", Disclosed = "disclosed" }
    default Unknown
}

keyed_enum! {
    pub enum Contact { Unknown = "unknown", Denied = "denied", Permitted = "permitted" }
    default Unknown
}

keyed_enum! {
    /// A yes/no fact that may not be known.
    pub enum Flag { Unknown = "unknown", No = "no", Yes = "yes" }
    default Unknown
}

keyed_enum! {
    pub enum Reliability {
        Unassessed = "unassessed",
        Confirmed = "confirmed",
        Probable = "probable",
        Possible = "possible",
        Doubtful = "doubtful",
    }
    default Unassessed
}

keyed_enum! {
    pub enum SourceKind {
        Relative = "relative",
        ReleasedDetainee = "released_detainee",
        OfficialDocument = "official_document",
        OpenSource = "open_source",
        IcrcConfirmation = "icrc_confirmation",
        Other = "other",
    }
    default Other
}

keyed_enum! {
    pub enum Addressee {
        Icrc = "icrc",
        UnWgeid = "un_wgeid",
        Ombudsman = "ombudsman",
        CoordinationHeadquarters = "coordination_headquarters",
        ForeignMinistry = "foreign_ministry",
        Other = "other",
    }
    default Other
}

keyed_enum! {
    pub enum InterventionStatus {
        Planned = "planned",
        Sent = "sent",
        Answered = "answered",
        Closed = "closed",
    }
    default Planned
}

keyed_enum! {
    pub enum ReviewState { Draft = "draft", Verified = "verified" }
    default Draft
}

keyed_enum! {
    /// How widely the case may be shared inside the workspace and beyond.
    pub enum Confidentiality {
        Standard = "standard",
        Confidential = "confidential",
        StrictlyConfidential = "strictly_confidential",
    }
    default Confidential
}

/// Stable id of a list item (detention episode, status event, source, …),
/// random hex chosen by the device that adds the item.
pub type ItemId = String;

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Case {
    pub identity: Identity,
    pub category: Category,
    pub pow: PowDetails,
    pub child: ChildDetails,
    pub political: PoliticalDetails,
    pub detention: Vec<DetentionEpisode>,
    pub health: Health,
    /// Append-only.
    pub timeline: Vec<StatusEvent>,
    pub family: Vec<FamilyContact>,
    pub sources: Vec<Source>,
    pub interventions: Vec<Intervention>,
    pub review: ReviewState,
    pub confidentiality: Confidentiality,
    pub notes: Notes,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Identity {
    /// Names exactly as entered, in whatever script the documenter typed;
    /// Latin forms are derived for display and search.
    pub surname: String,
    pub given_names: String,
    /// Patronymic, or the father's first name where none is used.
    pub patronymic: String,
    pub mother_name: String,
    pub mother_maiden_name: String,
    pub aliases: Vec<Alias>,
    pub sex: Sex,
    pub birth_date: Option<PartialDate>,
    /// When no birth date is known: an approximate age, as of a date.
    pub approx_age: Option<u8>,
    pub approx_age_on: Option<PartialDate>,
    pub place_of_birth: String,
    /// ISO 3166-1 alpha-2 codes, e.g. "UA".
    pub citizenships: Vec<String>,
    pub residence_oblast: String,
    pub residence_hromada: String,
    pub residence_settlement: String,
    pub documents: Vec<IdentityDocument>,
    pub distinguishing_marks: String,
    /// SHA-256 (hex) of the photo file; files sync in a later step.
    pub photo_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Alias {
    #[key]
    pub id: ItemId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct IdentityDocument {
    #[key]
    pub id: ItemId,
    pub kind: DocumentKind,
    /// Sensitive: never shown in exports without the family's consent.
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct PowDetails {
    pub rank: String,
    pub unit: String,
    pub service_number: String,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct ChildDetails {
    pub guardian: String,
    pub transfer_date: Option<PartialDate>,
    pub transfer_place: String,
    pub known_location: String,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct PoliticalDetails {
    /// Criminal code article(s) charged.
    pub article: String,
    pub court: String,
    pub case_number: String,
    pub sentence: String,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct DetentionEpisode {
    #[key]
    pub id: ItemId,
    pub seized_on: Option<PartialDate>,
    pub place_seized: String,
    pub authority: String,
    pub facilities: Vec<Facility>,
    pub legal_status: String,
    /// The whereabouts ladder.
    pub capture: Capture,
    pub whereabouts: Whereabouts,
    pub family_contact: Contact,
    pub lawyer_contact: Contact,
    pub icrc_contact: Contact,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Facility {
    #[key]
    pub id: ItemId,
    pub name: String,
    pub admitted_on: Option<PartialDate>,
    pub transferred_on: Option<PartialDate>,
}

/// One health or vulnerability fact, with when it was noted and a note.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct HealthFlag {
    pub flag: Flag,
    pub noted_on: Option<PartialDate>,
    pub note: String,
}

impl HealthFlag {
    pub fn yes(&self) -> bool {
        self.flag == Flag::Yes
    }
}

/// Age-based flags are derived from the birth date, never stored.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Health {
    pub serious_illness: HealthFlag,
    pub wounded: HealthFlag,
    pub disability: HealthFlag,
    pub pregnant: HealthFlag,
    pub mother_of_infant: HealthFlag,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct StatusEvent {
    #[key]
    pub id: ItemId,
    pub date: Option<PartialDate>,
    pub status: Status,
    pub source: String,
    pub reliability: Reliability,
    /// The recording device (hex of its id).
    pub recorded_by: String,
    pub recorded_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct FamilyContact {
    #[key]
    pub id: ItemId,
    pub name: String,
    pub relation: String,
    /// Phone, address, messenger: sensitive.
    pub contact: String,
    /// The person to be informed of news.
    pub to_inform: bool,
    pub consent: Consent,
    pub last_contact: Option<PartialDate>,
}

/// What the family agreed the case may be shared with.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize,
)]
pub struct Consent {
    pub icrc: bool,
    pub un_wgeid: bool,
    pub negotiators: bool,
    pub public_campaign: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Source {
    #[key]
    pub id: ItemId,
    pub kind: SourceKind,
    pub date: Option<PartialDate>,
    pub reliability: Reliability,
    pub confidential: bool,
    pub description: String,
    /// SHA-256 (hex) of attached files.
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Intervention {
    #[key]
    pub id: ItemId,
    pub addressee: Addressee,
    pub date: Option<PartialDate>,
    pub response: String,
    pub status: InterventionStatus,
    pub in_release_list: bool,
}

/// Free-text notes, stored as Automerge text so concurrent typing merges.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Notes(pub String);

impl Reconcile for Notes {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::TextReconciler;
        let mut text = r.text()?;
        text.update(&self.0)
    }
}

impl Hydrate for Notes {
    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Notes(doc.text(obj)?))
    }

    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Ok(Notes(s.to_owned()))
    }
}

/// Surname, given names, patronymic, skipping blank parts: how a
/// documenter reads a name aloud.
pub fn display_name(surname: &str, given_names: &str, patronymic: &str) -> String {
    [surname, given_names, patronymic]
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Case {
    /// The minimum record a documenter takes during an interview.
    pub fn minimal(surname: &str, given_names: &str, patronymic: &str, category: Category) -> Case {
        Case {
            identity: Identity {
                surname: surname.to_owned(),
                given_names: given_names.to_owned(),
                patronymic: patronymic.to_owned(),
                ..Identity::default()
            },
            category,
            ..Case::default()
        }
    }

    /// The name as a documenter reads it aloud: surname, given names, patronymic.
    pub fn display_name(&self) -> String {
        let id = &self.identity;
        display_name(&id.surname, &id.given_names, &id.patronymic)
    }

    /// The timeline in date order (undated events last, in recording order).
    pub fn timeline_sorted(&self) -> Vec<&StatusEvent> {
        let mut events: Vec<&StatusEvent> = self.timeline.iter().collect();
        events.sort_by_key(|e| {
            (
                e.date.is_none(),
                e.date.map(|d| d.sort_key()),
                e.recorded_at_ms,
            )
        });
        events
    }

    /// The latest status, if the timeline has any event.
    pub fn current_status(&self) -> Option<Status> {
        self.timeline_sorted().last().map(|e| e.status)
    }

    /// The most recent date on which the person was known to be alive and
    /// held: the latest status event saying so, or the latest admission to a
    /// facility.
    pub fn last_proof_of_life(&self) -> Option<PartialDate> {
        let from_timeline = self.timeline.iter().filter_map(|e| match e.status {
            Status::DetainedAcknowledged | Status::Charged | Status::Sentenced => e.date,
            _ => None,
        });
        let from_facilities = self
            .detention
            .iter()
            .flat_map(|d| d.facilities.iter())
            .filter_map(|f| f.admitted_on);
        from_timeline
            .chain(from_facilities)
            .max_by_key(|d| d.latest())
    }

    /// The earliest date the person was seized, over all episodes.
    pub fn first_seized_on(&self) -> Option<PartialDate> {
        self.detention
            .iter()
            .filter_map(|d| d.seized_on)
            .min_by_key(|d| d.earliest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, date: Option<&str>, status: Status, at: i64) -> StatusEvent {
        StatusEvent {
            id: id.into(),
            date: date.map(|d| d.parse().unwrap()),
            status,
            recorded_at_ms: at,
            ..StatusEvent::default()
        }
    }

    #[test]
    fn current_status_follows_dates_not_recording_order() {
        let mut case = Case::minimal("Бойко", "Іван", "", Category::PrisonerOfWar);
        assert_eq!(case.current_status(), None);
        case.timeline = vec![
            event("b", Some("2023-05"), Status::Exchanged, 1),
            event("a", Some("2022-04-02"), Status::DetainedAcknowledged, 2),
        ];
        assert_eq!(case.current_status(), Some(Status::Exchanged));
        // Undated events sort last, by recording time.
        case.timeline
            .push(event("c", None, Status::ReturnedHome, 3));
        assert_eq!(case.current_status(), Some(Status::ReturnedHome));
    }

    #[test]
    fn proof_of_life_takes_the_latest_sign() {
        let mut case = Case::minimal("Бойко", "Іван", "", Category::PrisonerOfWar);
        case.timeline = vec![
            event("a", Some("2022-04-02"), Status::DetainedAcknowledged, 1),
            event("b", Some("2022-01"), Status::Missing, 2),
        ];
        case.detention.push(DetentionEpisode {
            id: "e".into(),
            seized_on: Some("2022-03".parse().unwrap()),
            facilities: vec![Facility {
                id: "f".into(),
                admitted_on: Some("2023-08".parse().unwrap()),
                ..Facility::default()
            }],
            ..DetentionEpisode::default()
        });
        assert_eq!(case.last_proof_of_life().unwrap().to_string(), "2023-08");
        assert_eq!(case.first_seized_on().unwrap().to_string(), "2022-03");
    }

    #[test]
    fn enum_keys_round_trip_and_unknown_keys_read_as_default() {
        for c in Category::ALL {
            assert_eq!(Category::from_key(c.as_key()), Some(*c));
        }
        for s in Status::ALL {
            assert_eq!(Status::from_key(s.as_key()), Some(*s));
        }
        assert_eq!(
            <Flag as autosurgeon::Hydrate>::hydrate_string("someday_maybe").unwrap(),
            Flag::Unknown
        );
    }
}
