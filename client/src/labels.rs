//! What the screens call categories and statuses. One place for these
//! words, so the translation layer (issue 6) replaces one file.

use shared::case::{Category, Status};

pub fn category_label(c: Category) -> &'static str {
    match c {
        Category::CivilianDetainee => "Civilian detainee",
        Category::PrisonerOfWar => "Prisoner of war",
        Category::PoliticalPrisoner => "Political prisoner",
        Category::DeportedChild => "Deported or transferred child",
        Category::Missing => "Missing",
    }
}

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Missing => "Missing",
        Status::DetainedUnacknowledged => "Detained, not acknowledged",
        Status::DetainedAcknowledged => "Detained, acknowledged",
        Status::Charged => "Charged",
        Status::Sentenced => "Sentenced",
        Status::Released => "Released",
        Status::Exchanged => "Exchanged",
        Status::ReturnedHome => "Returned home",
        Status::Deceased => "Deceased",
        Status::Escaped => "Escaped",
    }
}
