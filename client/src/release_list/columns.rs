//! What the release list's columns, profiles and values are called in the
//! reader's language. Every id is a literal so the translation check finds
//! it.

use shared::case::Flag;
use shared::release_list::{Cell, Column, Profile, ReleaseEntry, Term};

use crate::i18n::{fmt_partial_date, t};
use crate::labels;

pub(super) fn profile_name(p: Profile) -> String {
    match p {
        Profile::Icrc => t("release-profile-icrc"),
        Profile::Negotiators => t("release-profile-negotiators"),
        Profile::PublicCampaign => t("release-profile-public_campaign"),
    }
}

pub(super) fn profile_hint(p: Profile) -> String {
    match p {
        Profile::Icrc => t("release-profile-icrc-hint"),
        Profile::Negotiators => t("release-profile-negotiators-hint"),
        Profile::PublicCampaign => t("release-profile-public_campaign-hint"),
    }
}

pub(super) fn header(c: Column) -> String {
    match c {
        Column::Rank => t("release-col-rank"),
        Column::CaseId => t("release-col-case_id"),
        Column::Name => t("release-col-name"),
        Column::NameLatin => t("release-col-name_latin"),
        Column::Sex => t("release-col-sex"),
        Column::BirthDate => t("release-col-birth_date"),
        Column::BirthYear => t("release-col-birth_year"),
        Column::ApproxAge => t("release-col-approx_age"),
        Column::Citizenship => t("release-col-citizenship"),
        Column::Oblast => t("release-col-oblast"),
        Column::Category => t("release-col-category"),
        Column::Status => t("release-col-status"),
        Column::Tier => t("release-col-tier"),
        Column::Reasons => t("release-col-reasons"),
        Column::SeizedOn => t("release-col-seized_on"),
        Column::PlaceSeized => t("release-col-place_seized"),
        Column::Authority => t("release-col-authority"),
        Column::Facility => t("release-col-facility"),
        Column::PowRank => t("release-col-pow_rank"),
        Column::PowUnit => t("release-col-pow_unit"),
        Column::PowServiceNumber => t("release-col-pow_service_number"),
        Column::Documents => t("release-col-documents"),
        Column::DaysSinceProofOfLife => t("release-col-days_since_proof_of_life"),
        Column::FamilyConsentIcrc => t("release-col-family_consent_icrc"),
    }
}

/// The headers of a profile's columns, in order (for the CSV file).
pub(super) fn headers(p: Profile) -> Vec<String> {
    p.columns().iter().map(|c| header(*c)).collect()
}

/// A word of the model in the reader's language.
pub(super) fn term(term: Term) -> String {
    match term {
        Term::Category(c) => labels::category(c),
        Term::Status(s) => labels::status(s),
        Term::Tier(tier) => labels::tier(tier),
        Term::Sex(s) => labels::sex(s),
        Term::Reason(r) => labels::reason(r),
        Term::Document(d) => labels::document_kind(d),
        Term::Bool(true) => labels::flag(Flag::Yes),
        Term::Bool(false) => labels::flag(Flag::No),
    }
}

/// A value as the screen and the print view show it (dates in the
/// reader's language; files keep ISO dates).
pub(super) fn display(entry: &ReleaseEntry, column: Column) -> String {
    match column {
        Column::BirthDate => entry
            .birth_date
            .as_ref()
            .map(fmt_partial_date)
            .unwrap_or_default(),
        Column::SeizedOn => entry
            .seized_on
            .as_ref()
            .map(fmt_partial_date)
            .unwrap_or_default(),
        _ => cell_text(&entry.cell(column)),
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) | Cell::Code(s) => s.clone(),
        Cell::Number(n) => n.to_string(),
        Cell::Term(t) => term(*t),
        Cell::List(items) => items.iter().map(cell_text).collect::<Vec<_>>().join("; "),
        Cell::Document(kind, number) => format!("{}: {number}", labels::document_kind(*kind)),
    }
}
