//! Validation of a case before it is written.
//!
//! Each problem names the field it concerns (a dotted path a form can put
//! the message next to) and a stable, translatable code; the English text of
//! `Display` is a fallback for logs and tests, not for the UI.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::case::{Case, Category, Sex};
use crate::partial_date::{Date, PartialDate};

/// Age from which a person is no longer a child (CRC art. 1).
pub const ADULT_AGE: i32 = 18;
const MAX_TEXT_CHARS: usize = 10_000;
const MAX_NAME_CHARS: usize = 200;
const MAX_AGE: u8 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ValidationCode {
    Required,
    TooLong,
    DateInFuture,
    BirthAfterDetention,
    BirthAfterTransfer,
    ChildIsAdult,
    PregnancyForMale,
    AgeOutOfRange,
    AgeWithoutDate,
    NotASha256,
    NotACountryCode,
    FacilityBeforeSeizure,
    TimelineRewritten,
}

impl ValidationCode {
    pub const ALL: &'static [ValidationCode] = &[
        ValidationCode::Required,
        ValidationCode::TooLong,
        ValidationCode::DateInFuture,
        ValidationCode::BirthAfterDetention,
        ValidationCode::BirthAfterTransfer,
        ValidationCode::ChildIsAdult,
        ValidationCode::PregnancyForMale,
        ValidationCode::AgeOutOfRange,
        ValidationCode::AgeWithoutDate,
        ValidationCode::NotASha256,
        ValidationCode::NotACountryCode,
        ValidationCode::FacilityBeforeSeizure,
        ValidationCode::TimelineRewritten,
    ];

    /// The key translation tables use.
    pub fn as_key(self) -> &'static str {
        match self {
            ValidationCode::Required => "required",
            ValidationCode::TooLong => "too_long",
            ValidationCode::DateInFuture => "date_in_future",
            ValidationCode::BirthAfterDetention => "birth_after_detention",
            ValidationCode::BirthAfterTransfer => "birth_after_transfer",
            ValidationCode::ChildIsAdult => "child_is_adult",
            ValidationCode::PregnancyForMale => "pregnancy_for_male",
            ValidationCode::AgeOutOfRange => "age_out_of_range",
            ValidationCode::AgeWithoutDate => "age_without_date",
            ValidationCode::NotASha256 => "not_a_sha256",
            ValidationCode::NotACountryCode => "not_a_country_code",
            ValidationCode::FacilityBeforeSeizure => "facility_before_seizure",
            ValidationCode::TimelineRewritten => "timeline_rewritten",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Dotted path of the field, list items by position:
    /// `identity.birth_date`, `detention.0.seized_on`.
    pub field: String,
    pub code: ValidationCode,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.code {
            ValidationCode::Required => "is required",
            ValidationCode::TooLong => "is too long",
            ValidationCode::DateInFuture => "is in the future",
            ValidationCode::BirthAfterDetention => "is after the person was detained",
            ValidationCode::BirthAfterTransfer => "is after the child was transferred",
            ValidationCode::ChildIsAdult => {
                "makes the person an adult, but the category is deported child"
            }
            ValidationCode::PregnancyForMale => "is set for a person recorded as male",
            ValidationCode::AgeOutOfRange => "is not a plausible age",
            ValidationCode::AgeWithoutDate => "needs the date the age was estimated on",
            ValidationCode::NotASha256 => "is not a SHA-256 hash (64 hex digits)",
            ValidationCode::NotACountryCode => "is not a two-letter country code",
            ValidationCode::FacilityBeforeSeizure => "is before the person was seized",
            ValidationCode::TimelineRewritten => {
                "cannot change or remove recorded status events (add a new one instead)"
            }
        };
        write!(f, "{} {what}", self.field)
    }
}

/// All problems found, in field order; empty when the case may be written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

impl ValidationErrors {
    pub fn has(&self, field: &str, code: ValidationCode) -> bool {
        self.0.iter().any(|e| e.field == field && e.code == code)
    }
}

struct Check {
    errors: Vec<FieldError>,
    today: Date,
}

impl Check {
    fn push(&mut self, field: impl Into<String>, code: ValidationCode) {
        self.errors.push(FieldError {
            field: field.into(),
            code,
        });
    }

    fn text(&mut self, field: impl Into<String>, value: &str, max: usize) {
        if value.chars().count() > max {
            self.push(field, ValidationCode::TooLong);
        }
    }

    fn date(&mut self, field: impl Into<String>, value: Option<PartialDate>) {
        if let Some(d) = value
            && d.earliest() > self.today
        {
            self.push(field, ValidationCode::DateInFuture);
        }
    }

    fn sha256(&mut self, field: impl Into<String>, value: &str) {
        if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.push(field, ValidationCode::NotASha256);
        }
    }
}

/// Checks `case` as it would be written on `today`.
pub fn validate(case: &Case, today: Date) -> Result<(), ValidationErrors> {
    let mut c = Check {
        errors: Vec::new(),
        today,
    };
    let id = &case.identity;

    if id.surname.trim().is_empty() {
        c.push("identity.surname", ValidationCode::Required);
    }
    for (field, value) in [
        ("identity.surname", &id.surname),
        ("identity.given_names", &id.given_names),
        ("identity.patronymic", &id.patronymic),
        ("identity.mother_name", &id.mother_name),
        ("identity.mother_maiden_name", &id.mother_maiden_name),
        ("identity.place_of_birth", &id.place_of_birth),
        ("identity.residence_oblast", &id.residence_oblast),
        ("identity.residence_hromada", &id.residence_hromada),
        ("identity.residence_settlement", &id.residence_settlement),
    ] {
        c.text(field, value, MAX_NAME_CHARS);
    }
    for (i, alias) in id.aliases.iter().enumerate() {
        c.text(
            format!("identity.aliases.{i}.name"),
            &alias.name,
            MAX_NAME_CHARS,
        );
    }
    c.text(
        "identity.distinguishing_marks",
        &id.distinguishing_marks,
        MAX_TEXT_CHARS,
    );
    c.text("notes", &case.notes.0, MAX_TEXT_CHARS * 10);

    c.date("identity.birth_date", id.birth_date);
    if let Some(age) = id.approx_age {
        if age > MAX_AGE {
            c.push("identity.approx_age", ValidationCode::AgeOutOfRange);
        }
        if id.approx_age_on.is_none() {
            c.push("identity.approx_age_on", ValidationCode::AgeWithoutDate);
        }
    }
    c.date("identity.approx_age_on", id.approx_age_on);
    for (i, code) in id.citizenships.iter().enumerate() {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            c.push(
                format!("identity.citizenships.{i}"),
                ValidationCode::NotACountryCode,
            );
        }
    }
    if let Some(photo) = &id.photo_sha256 {
        c.sha256("identity.photo_sha256", photo);
    }

    let birth = id.birth_date;
    for (i, episode) in case.detention.iter().enumerate() {
        let field = format!("detention.{i}.seized_on");
        c.date(field.clone(), episode.seized_on);
        if let (Some(b), Some(s)) = (birth, episode.seized_on)
            && b.earliest() > s.latest()
        {
            c.push("identity.birth_date", ValidationCode::BirthAfterDetention);
        }
        for (j, facility) in episode.facilities.iter().enumerate() {
            let field = format!("detention.{i}.facilities.{j}.admitted_on");
            c.date(field.clone(), facility.admitted_on);
            if let (Some(a), Some(s)) = (facility.admitted_on, episode.seized_on)
                && a.latest() < s.earliest()
            {
                c.push(field, ValidationCode::FacilityBeforeSeizure);
            }
            c.date(
                format!("detention.{i}.facilities.{j}.transferred_on"),
                facility.transferred_on,
            );
        }
    }

    c.date("child.transfer_date", case.child.transfer_date);
    if let (Some(b), Some(t)) = (birth, case.child.transfer_date)
        && b.earliest() > t.latest()
    {
        c.push("identity.birth_date", ValidationCode::BirthAfterTransfer);
    }
    if case.category == Category::DeportedChild
        && let Some(b) = birth
    {
        // The child must have been a child when transferred (or today, when
        // the transfer date is unknown); with partial dates, only a certain
        // adult is refused.
        let reference = case
            .child
            .transfer_date
            .map(|t| t.earliest())
            .unwrap_or(today);
        if b.latest().years_until(reference) >= ADULT_AGE {
            c.push("identity.birth_date", ValidationCode::ChildIsAdult);
        }
    }

    if case.health.pregnant.yes() && id.sex == Sex::Male {
        c.push("health.pregnant", ValidationCode::PregnancyForMale);
    }
    for (field, flag) in [
        (
            "health.serious_illness.noted_on",
            &case.health.serious_illness,
        ),
        ("health.wounded.noted_on", &case.health.wounded),
        ("health.disability.noted_on", &case.health.disability),
        ("health.pregnant.noted_on", &case.health.pregnant),
        (
            "health.mother_of_infant.noted_on",
            &case.health.mother_of_infant,
        ),
    ] {
        c.date(field, flag.noted_on);
    }

    for (i, event) in case.timeline.iter().enumerate() {
        c.date(format!("timeline.{i}.date"), event.date);
    }
    for (i, source) in case.sources.iter().enumerate() {
        c.date(format!("sources.{i}.date"), source.date);
        for (j, hash) in source.attachments.iter().enumerate() {
            c.sha256(format!("sources.{i}.attachments.{j}"), hash);
        }
    }
    for (i, contact) in case.family.iter().enumerate() {
        c.date(format!("family.{i}.last_contact"), contact.last_contact);
    }
    for (i, intervention) in case.interventions.iter().enumerate() {
        c.date(format!("interventions.{i}.date"), intervention.date);
    }

    if c.errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationErrors(c.errors))
    }
}

/// The timeline is append-only: `after` must hold every event of `before`,
/// unchanged.
pub fn check_timeline_appended(before: &Case, after: &Case) -> Result<(), ValidationErrors> {
    let intact = before
        .timeline
        .iter()
        .all(|old| after.timeline.iter().any(|new| new == old));
    if intact {
        Ok(())
    } else {
        Err(ValidationErrors(vec![FieldError {
            field: "timeline".into(),
            code: ValidationCode::TimelineRewritten,
        }]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{DetentionEpisode, Facility, Flag, HealthFlag, Source, StatusEvent};

    fn today() -> Date {
        Date::new(2026, 11, 29).unwrap()
    }

    fn base() -> Case {
        Case::minimal(
            "Ткаченко",
            "Ольга",
            "Миколаївна",
            Category::CivilianDetainee,
        )
    }

    fn d(s: &str) -> Option<PartialDate> {
        Some(s.parse().unwrap())
    }

    fn errors(case: &Case) -> Vec<(String, ValidationCode)> {
        match validate(case, today()) {
            Ok(()) => vec![],
            Err(e) => e.0.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    fn one(field: &str, code: ValidationCode) -> Vec<(String, ValidationCode)> {
        vec![(field.to_owned(), code)]
    }

    #[test]
    fn a_minimal_case_is_valid() {
        assert_eq!(errors(&base()), vec![]);
    }

    #[test]
    fn each_rule_names_its_field_and_code() {
        type Edit = fn(&mut Case);
        type Row = (&'static str, Edit, Vec<(String, ValidationCode)>);
        let table: Vec<Row> = vec![
            (
                "blank surname",
                |c| c.identity.surname = "  ".into(),
                one("identity.surname", ValidationCode::Required),
            ),
            (
                "birth in the future",
                |c| c.identity.birth_date = d("2027"),
                one("identity.birth_date", ValidationCode::DateInFuture),
            ),
            (
                "birth after detention",
                |c| {
                    c.identity.birth_date = d("2015-05");
                    c.detention.push(DetentionEpisode {
                        seized_on: d("2014"),
                        ..Default::default()
                    });
                },
                one("identity.birth_date", ValidationCode::BirthAfterDetention),
            ),
            (
                "deported child born an adult",
                |c| {
                    c.category = Category::DeportedChild;
                    c.identity.birth_date = d("2001-01-01");
                    c.child.transfer_date = d("2022-04");
                },
                one("identity.birth_date", ValidationCode::ChildIsAdult),
            ),
            (
                "birth after transfer",
                |c| {
                    c.category = Category::DeportedChild;
                    c.identity.birth_date = d("2023");
                    c.child.transfer_date = d("2022-04");
                },
                one("identity.birth_date", ValidationCode::BirthAfterTransfer),
            ),
            (
                "pregnant man",
                |c| {
                    c.identity.sex = crate::case::Sex::Male;
                    c.health.pregnant = HealthFlag {
                        flag: Flag::Yes,
                        ..Default::default()
                    };
                },
                one("health.pregnant", ValidationCode::PregnancyForMale),
            ),
            (
                "age without date",
                |c| c.identity.approx_age = Some(40),
                one("identity.approx_age_on", ValidationCode::AgeWithoutDate),
            ),
            (
                "impossible age",
                |c| {
                    c.identity.approx_age = Some(140);
                    c.identity.approx_age_on = d("2023");
                },
                one("identity.approx_age", ValidationCode::AgeOutOfRange),
            ),
            (
                "bad citizenship",
                |c| c.identity.citizenships = vec!["UA".into(), "ukr".into()],
                one("identity.citizenships.1", ValidationCode::NotACountryCode),
            ),
            (
                "bad attachment hash",
                |c| {
                    c.sources.push(Source {
                        attachments: vec!["abc".into()],
                        ..Default::default()
                    })
                },
                one("sources.0.attachments.0", ValidationCode::NotASha256),
            ),
            (
                "admitted before seized",
                |c| {
                    c.detention.push(DetentionEpisode {
                        seized_on: d("2022-03-10"),
                        facilities: vec![Facility {
                            admitted_on: d("2022-02"),
                            ..Default::default()
                        }],
                        ..Default::default()
                    })
                },
                one(
                    "detention.0.facilities.0.admitted_on",
                    ValidationCode::FacilityBeforeSeizure,
                ),
            ),
            (
                "status dated in the future",
                |c| {
                    c.timeline.push(StatusEvent {
                        date: d("2030"),
                        ..Default::default()
                    })
                },
                one("timeline.0.date", ValidationCode::DateInFuture),
            ),
            (
                "overlong name",
                |c| c.identity.given_names = "я".repeat(201),
                one("identity.given_names", ValidationCode::TooLong),
            ),
        ];
        for (what, edit, expected) in table {
            let mut case = base();
            edit(&mut case);
            assert_eq!(errors(&case), expected, "{what}");
        }
    }

    #[test]
    fn partial_dates_refuse_only_what_is_certain() {
        // Born "2004" may be 17 at a transfer in "2022-03": not certainly an adult.
        let mut case = base();
        case.category = Category::DeportedChild;
        case.identity.birth_date = d("2004");
        case.child.transfer_date = d("2022-03");
        assert_eq!(errors(&case), vec![]);
        // Born in 2014, seized in 2014: possible, so allowed.
        let mut case = base();
        case.identity.birth_date = d("2014");
        case.detention.push(DetentionEpisode {
            seized_on: d("2014-06"),
            ..Default::default()
        });
        assert_eq!(errors(&case), vec![]);
    }

    #[test]
    fn messages_read_as_sentences() {
        let mut case = base();
        case.identity.surname.clear();
        let err = validate(&case, today()).unwrap_err();
        assert_eq!(err.to_string(), "identity.surname is required");
        assert_eq!(err.0[0].code.as_key(), "required");
    }
}
