//! Record management: review state, confidentiality and free notes.

use leptos::prelude::*;
use shared::case::{Confidentiality, ReviewState};

use super::fields::{Field, choice_input, text_area};
use super::problems::{Section, section_badge};
use super::state::Form;
use crate::i18n::t;

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(|c| {
        !c.notes.0.is_empty()
            || c.review != ReviewState::default()
            || c.confidentiality != Confidentiality::default()
    });
    view! {
        <details class="form-section" data-testid="section-record" open=open>
            <summary>
                <h3>{move || t("form-section-record")}</h3>
                {section_badge(form, Section::Record)}
            </summary>
            <div class="section-body">
                {choice_input(form, Field::new("review", "case-review"), |c| c.review, |c, v| c.review = v)}
                {choice_input(
                    form,
                    Field::new("confidentiality", "case-confidentiality"),
                    |c| c.confidentiality,
                    |c, v| c.confidentiality = v,
                )}
                {text_area(form, Field::new("notes", "case-notes"), |c| c.notes.0.clone(), |c, v| c.notes.0 = v)}
            </div>
        </details>
    }
}
