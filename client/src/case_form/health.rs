//! Health and vulnerability: each condition a yes/no/unknown flag with the
//! date it was noted and a note. Age-based vulnerability is derived from
//! the birth date, never entered.

use leptos::prelude::*;
use shared::case::{Case, HealthFlag};

use super::fields::{Field, choice_input, text_input};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, section_badge};
use super::state::Form;
use crate::labels;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    SeriousIllness,
    Wounded,
    Disability,
    Pregnant,
    MotherOfInfant,
}

impl Condition {
    const ALL: [Condition; 5] = [
        Condition::SeriousIllness,
        Condition::Wounded,
        Condition::Disability,
        Condition::Pregnant,
        Condition::MotherOfInfant,
    ];

    /// The field's key in the case (and in validation paths).
    fn key(self) -> &'static str {
        match self {
            Condition::SeriousIllness => "serious_illness",
            Condition::Wounded => "wounded",
            Condition::Disability => "disability",
            Condition::Pregnant => "pregnant",
            Condition::MotherOfInfant => "mother_of_infant",
        }
    }

    fn of(self, c: &Case) -> &HealthFlag {
        let h = &c.health;
        match self {
            Condition::SeriousIllness => &h.serious_illness,
            Condition::Wounded => &h.wounded,
            Condition::Disability => &h.disability,
            Condition::Pregnant => &h.pregnant,
            Condition::MotherOfInfant => &h.mother_of_infant,
        }
    }

    fn of_mut(self, c: &mut Case) -> &mut HealthFlag {
        let h = &mut c.health;
        match self {
            Condition::SeriousIllness => &mut h.serious_illness,
            Condition::Wounded => &mut h.wounded,
            Condition::Disability => &mut h.disability,
            Condition::Pregnant => &mut h.pregnant,
            Condition::MotherOfInfant => &mut h.mother_of_infant,
        }
    }
}

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(|c| {
        Condition::ALL
            .iter()
            .any(|k| *k.of(c) != HealthFlag::default())
    });
    view! {
        <details class="form-section" data-testid="section-health" open=open>
            <summary>
                <h3>{move || labels::field("health")}</h3>
                {section_badge(form, Section::Health)}
            </summary>
            <div class="section-body">
                {Condition::ALL.iter().map(|k| condition(form, *k)).collect_view()}
            </div>
        </details>
    }
}

fn condition(form: Form, k: Condition) -> impl IntoView {
    let key = k.key();
    let testid = format!("case-health-{}", key.replace('_', "-"));
    view! {
        <div class="health-flag">
            {choice_input(
                form,
                Field::new(format!("health.{key}"), testid.clone()),
                move |c| k.of(c).flag,
                move |c, v| k.of_mut(c).flag = v,
            )}
            <div class="field-pair">
                {partial_date_input(
                    form,
                    Field::new(format!("health.{key}.noted_on"), format!("{testid}-noted-on")),
                    move |c| k.of(c).noted_on,
                    move |c, v| k.of_mut(c).noted_on = v,
                )}
                {text_input(
                    form,
                    Field::new(format!("health.{key}.note"), format!("{testid}-note")),
                    move |c| k.of(c).note.clone(),
                    move |c, v| k.of_mut(c).note = v,
                )}
            </div>
        </div>
    }
}
