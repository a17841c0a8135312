//! The add-case form: the minimum record a documenter takes in an interview.

use leptos::prelude::*;
use shared::case::{Case, Category, Status, StatusEvent};
use shared::ids::DocId;

use crate::browser_rng::BrowserRng;

use crate::device_loop::DeviceHandle;
use crate::labels;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Idle,
    Saving,
    Saved,
    Failed(String),
}

#[component]
pub fn CaseForm(doc_id: Option<DocId>) -> impl IntoView {
    let _ = doc_id;
    let device = expect_context::<DeviceHandle>();
    let surname = RwSignal::new(String::new());
    let given_names = RwSignal::new(String::new());
    let patronymic = RwSignal::new(String::new());
    let category = RwSignal::new(Category::CivilianDetainee);
    let status = RwSignal::new(Status::Missing);
    let outcome = RwSignal::new(Outcome::Idle);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if outcome.get_untracked() == Outcome::Saving {
            return;
        }
        let mut case = Case::minimal(
            surname.get_untracked().trim(),
            given_names.get_untracked().trim(),
            patronymic.get_untracked().trim(),
            category.get_untracked(),
        );
        case.timeline.push(StatusEvent {
            // Any unique text; a random 16-byte id in hex.
            id: DocId::random(&mut BrowserRng).to_hex(),
            status: status.get_untracked(),
            ..StatusEvent::default()
        });
        if case.identity.surname.is_empty() {
            outcome.set(Outcome::Failed("Enter a surname.".into()));
            return;
        }
        outcome.set(Outcome::Saving);
        let device = device.clone();
        leptos::task::spawn_local(async move {
            match device.add_case(case).await {
                Ok(_) => {
                    surname.set(String::new());
                    given_names.set(String::new());
                    patronymic.set(String::new());
                    outcome.set(Outcome::Saved);
                }
                Err(message) => outcome.set(Outcome::Failed(message)),
            }
        });
    };

    view! {
        <form class="case-form" on:submit=submit aria-labelledby="case-form-title">
            <h2 id="case-form-title">"New case"</h2>
            <label>
                "Surname"
                <input
                    type="text"
                    required
                    autocomplete="off"
                    data-testid="case-surname"
                    prop:value=move || surname.get()
                    on:input=move |ev| surname.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Given names"
                <input
                    type="text"
                    autocomplete="off"
                    data-testid="case-given-names"
                    prop:value=move || given_names.get()
                    on:input=move |ev| given_names.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Patronymic or father's name"
                <input
                    type="text"
                    autocomplete="off"
                    data-testid="case-patronymic"
                    prop:value=move || patronymic.get()
                    on:input=move |ev| patronymic.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Category"
                <select
                    data-testid="case-category"
                    on:change=move |ev| {
                        if let Some(c) = Category::from_key(&event_target_value(&ev)) {
                            category.set(c);
                        }
                    }
                >
                    {Category::ALL.iter().copied().map(|c| view! {
                        <option value=c.as_key() selected=move || category.get() == c>
                            {labels::category(c)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Status"
                <select
                    data-testid="case-status"
                    on:change=move |ev| {
                        if let Some(s) = Status::from_key(&event_target_value(&ev)) {
                            status.set(s);
                        }
                    }
                >
                    {Status::ALL.iter().copied().map(|s| view! {
                        <option value=s.as_key() selected=move || status.get() == s>
                            {labels::status(s)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" data-testid="case-save" disabled=move || outcome.get() == Outcome::Saving>
                "Save case"
            </button>
            {move || match outcome.get() {
                Outcome::Saved => Some(view! {
                    <p class="saved" data-testid="case-saved" role="status">"Saved on this device."</p>
                }.into_any()),
                Outcome::Failed(message) => Some(view! {
                    <p class="error" role="alert">{message}</p>
                }.into_any()),
                Outcome::Idle | Outcome::Saving => None,
            }}
        </form>
    }
}
