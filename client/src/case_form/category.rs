//! The fields only one category has: a prisoner of war's service details,
//! a deported child's guardian and transfer, a political prisoner's
//! prosecution. Shown for the case's category only; what was typed under
//! another category stays in the case.

use leptos::prelude::*;
use shared::case::Category;

use super::fields::{Field, text_input};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, section_badge};
use super::state::Form;
use crate::labels;

pub(super) fn section(form: Form) -> impl IntoView {
    let category = Memo::new(move |_| form.case.with(|c| c.category));
    move || match category.get() {
        Category::PrisonerOfWar => Some(pow(form).into_any()),
        Category::DeportedChild => Some(child(form).into_any()),
        Category::PoliticalPrisoner => Some(political(form).into_any()),
        Category::CivilianDetainee | Category::Missing => None,
    }
}

fn wrapper(
    form: Form,
    testid: &'static str,
    title: fn() -> String,
    body: impl IntoView,
) -> impl IntoView {
    // Open: whoever chose the category is about to fill these in.
    view! {
        <details class="form-section" data-testid=testid open=true>
            <summary>
                <h3>{move || title()}</h3>
                {section_badge(form, Section::Category)}
            </summary>
            <div class="section-body">{body}</div>
        </details>
    }
}

fn pow(form: Form) -> impl IntoView {
    let body = view! {
        {text_input(form, Field::new("pow.rank", "case-pow-rank"), |c| c.pow.rank.clone(), |c, v| {
            c.pow.rank = v
        })}
        {text_input(form, Field::new("pow.unit", "case-pow-unit"), |c| c.pow.unit.clone(), |c, v| {
            c.pow.unit = v
        })}
        {text_input(
            form,
            Field::new("pow.service_number", "case-pow-service-number"),
            |c| c.pow.service_number.clone(),
            |c, v| c.pow.service_number = v,
        )}
    };
    wrapper(form, "section-pow", || labels::field("pow"), body)
}

fn child(form: Form) -> impl IntoView {
    let body = view! {
        {text_input(
            form,
            Field::new("child.guardian", "case-child-guardian"),
            |c| c.child.guardian.clone(),
            |c, v| c.child.guardian = v,
        )}
        {partial_date_input(
            form,
            Field::new("child.transfer_date", "case-child-transfer-date"),
            |c| c.child.transfer_date,
            |c, v| c.child.transfer_date = v,
        )}
        {text_input(
            form,
            Field::new("child.transfer_place", "case-child-transfer-place"),
            |c| c.child.transfer_place.clone(),
            |c, v| c.child.transfer_place = v,
        )}
        {text_input(
            form,
            Field::new("child.known_location", "case-child-known-location"),
            |c| c.child.known_location.clone(),
            |c, v| c.child.known_location = v,
        )}
    };
    wrapper(form, "section-child", || labels::field("child"), body)
}

fn political(form: Form) -> impl IntoView {
    let body = view! {
        {text_input(
            form,
            Field::new("political.article", "case-political-article"),
            |c| c.political.article.clone(),
            |c, v| c.political.article = v,
        )}
        {text_input(
            form,
            Field::new("political.court", "case-political-court"),
            |c| c.political.court.clone(),
            |c, v| c.political.court = v,
        )}
        {text_input(
            form,
            Field::new("political.case_number", "case-political-case-number"),
            |c| c.political.case_number.clone(),
            |c, v| c.political.case_number = v,
        )}
        {text_input(
            form,
            Field::new("political.sentence", "case-political-sentence"),
            |c| c.political.sentence.clone(),
            |c, v| c.political.sentence = v,
        )}
    };
    wrapper(
        form,
        "section-political",
        || labels::field("political"),
        body,
    )
}
