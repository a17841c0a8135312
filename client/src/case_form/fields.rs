//! The form's inputs: each with a visible label (the model's field name),
//! an optional hint, and the problems the last save attempt found for it.
//!
//! Every input is uncontrolled: built once from the case (read untracked),
//! then writing into it. See `state` for why.

use leptos::prelude::*;
use shared::case::{
    Addressee, Capture, Case, Category, Confidentiality, Contact, DocumentKind, Flag,
    InterventionStatus, Reliability, ReviewState, Sex, SourceKind, Status, Whereabouts,
};

use super::problems::{ProblemKind, field_errors, invalid_attr};
use super::state::{Form, next_token};
use crate::i18n::t;
use crate::labels;

/// The element id of the input (or the item) for a field path.
pub(super) fn input_id(path: &str) -> String {
    format!("f-{}", path.replace('.', "-"))
}

/// A field's own name, without its groups: the form already shows the
/// field inside its section and item ("Place seized", not "Deprivation of
/// liberty (1) › Place seized").
pub(super) fn field_label(path: &str) -> String {
    labels::field_name(path)
}

/// Which field an input edits and how it is presented.
#[derive(Clone)]
pub(super) struct Field {
    path: String,
    testid: String,
    hint: Option<fn() -> String>,
    required: bool,
    numeric: bool,
}

impl Field {
    pub fn new(path: impl Into<String>, testid: impl Into<String>) -> Field {
        Field {
            path: path.into(),
            testid: testid.into(),
            hint: None,
            required: false,
            numeric: false,
        }
    }

    pub fn hint(mut self, hint: fn() -> String) -> Field {
        self.hint = Some(hint);
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// Digits only: phones show the number pad.
    pub fn numeric(mut self) -> Field {
        self.numeric = true;
        self
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn testid(&self) -> &str {
        &self.testid
    }

    pub fn id(&self) -> String {
        input_id(&self.path)
    }

    pub fn hint_id(&self) -> String {
        format!("{}-hint", self.id())
    }

    /// `aria-describedby`: the hint (when `has_hint`) and the problems.
    pub fn described_by(&self, has_hint: bool) -> String {
        let errors = format!("{}-errors", self.id());
        if has_hint {
            format!("{} {errors}", self.hint_id())
        } else {
            errors
        }
    }
}

pub(super) fn label_view(field: &Field) -> impl IntoView + use<> {
    let path = field.path.clone();
    let text = move || field_label(&path);
    let required = field
        .required
        .then(|| view! { <span class="required">{move || t("form-required")}</span> });
    view! { <label for=field.id()>{text}{required}</label> }
}

fn hint_view(field: &Field) -> impl IntoView + use<> {
    field.hint.map(|hint| {
        view! { <p class="hint" id=field.hint_id()>{move || hint()}</p> }
    })
}

/// Label, control, hint and problems, in that order.
fn chrome(form: Form, field: Field, control: impl IntoView) -> impl IntoView {
    let anchor = field.path.clone();
    let invalid = anchor.clone();
    view! {
        <div class="field" class:invalid=move || form.has_problem(&invalid)>
            {label_view(&field)}
            {control}
            {hint_view(&field)}
            {field_errors(form, anchor)}
        </div>
    }
}

pub(super) fn text_input(
    form: Form,
    field: Field,
    get: impl FnOnce(&Case) -> String,
    set: impl Fn(&mut Case, String) + 'static,
) -> impl IntoView {
    let initial = form.case.with_untracked(get);
    let control = view! {
        <input
            type="text"
            id=field.id()
            data-testid=field.testid.clone()
            autocomplete="off"
            inputmode=field.numeric.then_some("numeric")
            aria-required=field.required.then_some("true")
            aria-invalid=invalid_attr(form, field.path.clone())
            aria-describedby=field.described_by(field.hint.is_some())
            prop:value=initial
            on:input=move |ev| {
                let value = event_target_value(&ev);
                form.edit(|c| set(c, value));
            }
        />
    };
    chrome(form, field, control)
}

pub(super) fn text_area(
    form: Form,
    field: Field,
    get: impl FnOnce(&Case) -> String,
    set: impl Fn(&mut Case, String) + 'static,
) -> impl IntoView {
    let initial = form.case.with_untracked(get);
    let control = view! {
        <textarea
            id=field.id()
            data-testid=field.testid.clone()
            rows="4"
            aria-invalid=invalid_attr(form, field.path.clone())
            aria-describedby=field.described_by(field.hint.is_some())
            prop:value=initial
            on:input=move |ev| {
                let value = event_target_value(&ev);
                form.edit(|c| set(c, value));
            }
        ></textarea>
    };
    chrome(form, field, control)
}

/// A model enumeration a select can offer, with its words from `labels`.
pub(super) trait Choice: Copy + PartialEq + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn key(self) -> &'static str;
    fn from_key(key: &str) -> Option<Self>;
    fn label(self) -> String;
}

macro_rules! choices {
    ($($t:ty => $label:path),+ $(,)?) => {$(
        impl Choice for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }

            fn key(self) -> &'static str {
                self.as_key()
            }

            fn from_key(key: &str) -> Option<Self> {
                <$t>::from_key(key)
            }

            fn label(self) -> String {
                $label(self)
            }
        }
    )+};
}

choices!(
    Category => labels::category,
    Status => labels::status,
    Sex => labels::sex,
    DocumentKind => labels::document_kind,
    Capture => labels::capture,
    Whereabouts => labels::whereabouts,
    Contact => labels::contact,
    Flag => labels::flag,
    Reliability => labels::reliability,
    SourceKind => labels::source_kind,
    Addressee => labels::addressee,
    InterventionStatus => labels::intervention_status,
    ReviewState => labels::review,
    Confidentiality => labels::confidentiality,
);

pub(super) fn choice_input<T: Choice>(
    form: Form,
    field: Field,
    get: impl FnOnce(&Case) -> T,
    set: impl Fn(&mut Case, T) + 'static,
) -> impl IntoView {
    let initial = form.case.with_untracked(get);
    let control = view! {
        <select
            id=field.id()
            data-testid=field.testid.clone()
            aria-invalid=invalid_attr(form, field.path.clone())
            aria-describedby=field.described_by(field.hint.is_some())
            on:change=move |ev| {
                if let Some(value) = T::from_key(&event_target_value(&ev)) {
                    form.edit(|c| set(c, value));
                }
            }
        >
            {T::all()
                .iter()
                .copied()
                .map(|value| {
                    view! {
                        <option value=value.key() selected=value == initial>
                            {move || value.label()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    };
    chrome(form, field, control)
}

pub(super) fn check_input(
    form: Form,
    field: Field,
    get: impl FnOnce(&Case) -> bool,
    set: impl Fn(&mut Case, bool) + 'static,
) -> impl IntoView {
    let initial = form.case.with_untracked(get);
    let anchor = field.path.clone();
    let invalid = anchor.clone();
    view! {
        <div class="field check" class:invalid=move || form.has_problem(&invalid)>
            <input
                type="checkbox"
                id=field.id()
                data-testid=field.testid.clone()
                aria-invalid=invalid_attr(form, field.path.clone())
                aria-describedby=field.described_by(false)
                prop:checked=initial
                on:change=move |ev| {
                    let value = event_target_checked(&ev);
                    form.edit(|c| set(c, value));
                }
            />
            {label_view(&field)}
            {field_errors(form, anchor)}
        </div>
    }
}

/// Text that stands for another kind of value (a number, a list of codes):
/// `parse` reads it, `show` writes a value back as text. Text that does
/// not read leaves the value as it was and stops the save.
pub(super) fn parsed_input<V: 'static>(
    form: Form,
    field: Field,
    get: impl FnOnce(&Case) -> V,
    set: impl Fn(&mut Case, V) + 'static,
    parse: fn(&str) -> Result<V, ProblemKind>,
    show: fn(&V) -> String,
) -> impl IntoView {
    let initial = form.case.with_untracked(|c| show(&get(c)));
    let path = field.path.clone();
    let token = next_token();
    {
        let path = path.clone();
        on_cleanup(move || form.drop_raw(&path, token));
    }
    let control = view! {
        <input
            type="text"
            id=field.id()
            data-testid=field.testid.clone()
            autocomplete="off"
            inputmode=field.numeric.then_some("numeric")
            aria-invalid=invalid_attr(form, field.path.clone())
            aria-describedby=field.described_by(field.hint.is_some())
            prop:value=initial
            on:input=move |ev| {
                match parse(&event_target_value(&ev)) {
                    Ok(value) => {
                        form.set_raw(&path, token, None);
                        form.edit(|c| set(c, value));
                    }
                    Err(problem) => form.set_raw(&path, token, Some(problem)),
                }
            }
        />
    };
    chrome(form, field, control)
}

/// The rows of a list, by position. A row is rebuilt only when the item at
/// its position changes (one removed before it), so adding an item leaves
/// what is being typed in the others alone.
pub(super) fn rows<V: IntoView + 'static>(
    ids: Memo<Vec<String>>,
    row: impl Fn(usize) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <For
            each=move || ids.get().into_iter().enumerate()
            key=|(i, id)| (*i, id.clone())
            children=move |(i, _)| row(i)
        />
    }
}

/// The heading of a list item with its "Remove" button.
pub(super) fn item_head(
    title: impl Fn() -> String + Clone + Send + Sync + 'static,
    testid: String,
    remove: impl Fn() + 'static,
) -> impl IntoView {
    let heading = title.clone();
    view! {
        <div class="item-head">
            <h4>{heading}</h4>
            <button
                type="button"
                class="button-secondary remove"
                data-testid=testid
                on:click=move |_| remove()
            >
                {move || t("action-remove")}
                <span class="visually-hidden">" " {title}</span>
            </button>
        </div>
    }
}

/// The button that adds an item to a list; `id` is also its test id.
pub(super) fn add_button(
    id: String,
    text: fn() -> String,
    add: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button-secondary add"
            id=id.clone()
            data-testid=id
            on:click=move |_| add()
        >
            {move || text()}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_ids_follow_paths() {
        assert_eq!(input_id("identity.surname"), "f-identity-surname");
        assert_eq!(
            input_id("detention.0.facilities.1.admitted_on"),
            "f-detention-0-facilities-1-admitted_on"
        );
    }
}
