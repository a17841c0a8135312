//! Problems that stop a case being saved, and where the form shows them.
//!
//! `shared` names each problem by a dotted field path
//! (`detention.0.seized_on`); the form shows it at an *anchor*: the input
//! for that path, or the nearest thing on screen that stands for it (the
//! citizenship input for `identity.citizenships.1`, a source for one of
//! its attachments, a recorded status event for its date).

use leptos::prelude::*;
use shared::case_validation::ValidationCode;
use wasm_bindgen::JsCast;

use super::fields::input_id;
use super::state::Form;
use crate::i18n::t;
use crate::labels;
use crate::tr;

/// The id of the summary at the top of the form.
pub(super) const SUMMARY_ID: &str = "form-problems";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProblemKind {
    Invalid(ValidationCode),
    DateUnreadable,
    DateImpossible,
    NotANumber,
}

impl ProblemKind {
    /// What is wrong, said of the field it is shown next to.
    pub fn message(self) -> String {
        match self {
            ProblemKind::Invalid(code) => labels::validation(code),
            ProblemKind::DateUnreadable => t("form-date-unreadable"),
            ProblemKind::DateImpossible => t("form-date-impossible"),
            ProblemKind::NotANumber => t("form-number-invalid"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    /// The path `shared` (or the input) named.
    pub field: String,
    /// The path of what shows it on screen.
    pub anchor: String,
    pub kind: ProblemKind,
}

impl Problem {
    pub fn new(field: String, kind: ProblemKind, is_new: bool) -> Problem {
        Problem {
            anchor: anchor_of(&field, is_new),
            field,
            kind,
        }
    }

    pub fn section(&self) -> Section {
        Section::of(&self.anchor)
    }
}

/// Where a problem with `field` is shown. A new case's first status event
/// is typed in the form; an edited case's events are shown read-only.
pub(super) fn anchor_of(field: &str, is_new: bool) -> String {
    let parts: Vec<&str> = field.split('.').collect();
    match parts.as_slice() {
        ["identity", "citizenships", _] => "identity.citizenships".to_owned(),
        ["sources", i, "attachments", ..] => format!("sources.{i}"),
        ["timeline", "0", _] if is_new => field.to_owned(),
        ["timeline", i, ..] => format!("timeline.{i}"),
        _ => field.to_owned(),
    }
}

/// The parts of the form, in the order they appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Section {
    Minimum,
    Category,
    Identity,
    Detention,
    Health,
    Timeline,
    Family,
    Sources,
    Interventions,
    Record,
}

/// The fields of the minimum record, at the top of the form.
const MINIMUM: &[&str] = &[
    "identity.surname",
    "identity.given_names",
    "identity.patronymic",
    "category",
    "timeline.0.status",
    "identity.sex",
    "identity.birth_date",
    "identity.approx_age",
    "identity.approx_age_on",
    "identity.residence_oblast",
];

impl Section {
    pub fn of(anchor: &str) -> Section {
        if MINIMUM.contains(&anchor) {
            return Section::Minimum;
        }
        match anchor.split('.').next().unwrap_or_default() {
            "identity" => Section::Identity,
            "pow" | "child" | "political" => Section::Category,
            "detention" => Section::Detention,
            "health" => Section::Health,
            "timeline" => Section::Timeline,
            "family" => Section::Family,
            "sources" => Section::Sources,
            "interventions" => Section::Interventions,
            _ => Section::Record,
        }
    }
}

/// The problems shown next to the input at `anchor`.
pub(super) fn field_errors(form: Form, anchor: String) -> impl IntoView {
    let id = format!("{}-errors", input_id(&anchor));
    view! {
        <div class="field-errors" id=id>
            {move || {
                form.problems.with(|problems| {
                    problems
                        .iter()
                        .filter(|p| p.anchor == anchor)
                        .map(|p| {
                            let kind = p.kind;
                            view! {
                                <p class="field-error" data-testid="field-error" data-field=p.field.clone()>
                                    {move || kind.message()}
                                </p>
                            }
                        })
                        .collect_view()
                })
            }}
        </div>
    }
}

/// `aria-invalid` for the input at `anchor`.
pub(super) fn invalid_attr(
    form: Form,
    anchor: String,
) -> impl Fn() -> Option<&'static str> + Send + Sync + 'static {
    move || form.has_problem(&anchor).then_some("true")
}

/// Every problem at the top of the form, each a button that takes the
/// documenter to its field.
pub(super) fn summary(form: Form) -> impl IntoView {
    move || {
        let problems = form.problems.get();
        let n = problems.len();
        (n > 0).then(|| {
            view! {
                <div
                    class="form-problems"
                    id=SUMMARY_ID
                    role="alert"
                    tabindex="-1"
                    data-testid="form-errors"
                    aria-labelledby="form-problems-title"
                >
                    <h3 id="form-problems-title">{move || tr!("form-problems-title", n = n)}</h3>
                    <ul>
                        {problems
                            .into_iter()
                            .map(|p| {
                                let field = p.field.clone();
                                let anchor = p.anchor.clone();
                                let kind = p.kind;
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="problem-link"
                                            data-testid="form-error-link"
                                            data-field=p.field
                                            on:click=move |_| reveal(&input_id(&anchor), true)
                                        >
                                            {move || {
                                                let field = labels::field(&field);
                                                let message = kind.message();
                                                tr!("form-problem-item", field = field, message = message)
                                            }}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// After a refused save: opens every section holding a problem and moves
/// focus to the summary, once it is on screen.
pub(super) fn show_problems(form: Form) {
    request_animation_frame(move || {
        let anchors: Vec<String> = form
            .problems
            .try_with_untracked(|ps| ps.iter().map(|p| p.anchor.clone()).collect())
            .unwrap_or_default();
        for anchor in anchors {
            reveal(&input_id(&anchor), false);
        }
        reveal(SUMMARY_ID, true);
    });
}

/// Opens every collapsed section around the element `id`, and focuses it.
pub(super) fn reveal(id: &str, focus: bool) {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    // The element itself may be a section.
    let mut parent = Some(element.clone());
    while let Some(node) = parent {
        if node.tag_name().eq_ignore_ascii_case("details") {
            let _ = node.set_attribute("open", "");
        }
        parent = node.parent_element();
    }
    if focus && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

/// Focuses the element `id` once the change just made is on screen.
pub(super) fn focus_soon(id: String) {
    request_animation_frame(move || reveal(&id, true));
}

/// The problem count on a section's summary line.
pub(super) fn section_badge(form: Form, section: Section) -> impl IntoView {
    move || {
        let n = form.problems_in(section);
        (n > 0).then(|| {
            view! {
                <span class="section-problems">{move || tr!("form-section-problems", n = n)}</span>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_anchor_at_what_is_on_screen() {
        let cases = [
            ("identity.citizenships.1", false, "identity.citizenships"),
            ("sources.2.attachments.0", false, "sources.2"),
            ("timeline.0.date", true, "timeline.0.date"),
            ("timeline.0.date", false, "timeline.0"),
            ("timeline.3.date", true, "timeline.3"),
            ("timeline", false, "timeline"),
            (
                "detention.0.facilities.1.admitted_on",
                false,
                "detention.0.facilities.1.admitted_on",
            ),
            ("health.pregnant", false, "health.pregnant"),
        ];
        for (field, is_new, anchor) in cases {
            assert_eq!(anchor_of(field, is_new), anchor, "{field}");
        }
    }

    #[test]
    fn sections_follow_the_form() {
        assert_eq!(Section::of("identity.surname"), Section::Minimum);
        assert_eq!(Section::of("identity.approx_age_on"), Section::Minimum);
        assert_eq!(Section::of("identity.aliases.0.name"), Section::Identity);
        assert_eq!(Section::of("child.transfer_date"), Section::Category);
        assert_eq!(Section::of("timeline.0.status"), Section::Minimum);
        assert_eq!(Section::of("timeline.0.date"), Section::Timeline);
        assert_eq!(Section::of("notes"), Section::Record);
        assert!(Section::Minimum < Section::Record);
    }
}
