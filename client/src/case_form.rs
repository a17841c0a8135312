//! The case form, for a new case and for editing one.
//!
//! Built for an interview: the minimum record (names, category, status,
//! sex, birth date or age, oblast) comes first and the Save button stays in
//! reach at the bottom of the screen, so a case can be saved in a few
//! minutes; every other field of the record waits in a collapsible section
//! per group. Whatever is typed is kept as an encrypted draft after a short
//! pause, so a locked phone or a closed tab loses nothing; the device loop
//! drops the draft once the case is saved.
//!
//! Before saving, the case goes through `shared`'s validation; each
//! problem is shown next to its field and listed at the top. The timeline
//! is append-only: a new case's first status event is typed here, an
//! edited case's events are shown read-only and passed back unchanged.

mod category;
mod detention;
mod family;
mod fields;
mod health;
mod identity;
mod interventions;
mod item_list;
mod partial_date_input;
mod problems;
mod record;
mod sources;
mod state;
mod timeline;

use leptos::prelude::*;
use shared::case::{Case, StatusEvent};
use shared::case_doc::CaseEdit;
use shared::ids::DocId;

use crate::app::{Access, AccessNotice, access};
use crate::app_state::AppState;
use crate::device_loop::{CaseChange, DeviceHandle, EditError, NEW_CASE_DRAFT};
use crate::i18n::t;
use crate::route::{Route, use_router};
use problems::{Problem, ProblemKind, focus_soon, show_problems};
use state::{Form, new_item_id};

#[component]
pub fn CaseForm(doc_id: Option<DocId>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let access = access(state);
    let writable = Memo::new(move |_| access.get() == Access::Write);
    view! {
        <AccessNotice/>
        {move || writable.get().then(|| view! { <FormScreen doc_id=doc_id/> })}
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(String),
    Ready,
}

/// A new case: empty, with the first status event waiting for its status.
fn fresh_case() -> Case {
    Case {
        timeline: vec![StatusEvent {
            id: new_item_id(),
            ..StatusEvent::default()
        }],
        ..Case::default()
    }
}

#[component]
fn FormScreen(doc_id: Option<DocId>) -> impl IntoView {
    let device = expect_context::<DeviceHandle>();
    let router = use_router();
    let slot = doc_id.map_or_else(|| NEW_CASE_DRAFT.to_owned(), |id| id.to_hex());
    let form = Form::new(device.clone(), slot.clone(), doc_id.is_none());
    // What "Discard draft" returns to: the stored case, or an empty one.
    let base = StoredValue::new(Case::default());
    let phase = RwSignal::new(Phase::Loading);
    let restored = RwSignal::new(false);
    // Bumped when the case is replaced from outside the inputs (a draft
    // discarded), which rebuilds them from it.
    let generation = RwSignal::new(0_u32);
    let save_error = RwSignal::new(None::<String>);
    let title_name = RwSignal::new(String::new());

    {
        let device = device.clone();
        leptos::task::spawn_local(async move {
            let loaded = match doc_id {
                None => Ok(fresh_case()),
                Some(id) => device.open_case(id).await.map(|view| view.case),
            };
            let stored = match loaded {
                Ok(case) => case,
                Err(message) => {
                    phase.try_set(Phase::Failed(message));
                    return;
                }
            };
            let draft = device.load_draft(slot.clone()).await;
            let start = match draft {
                Some(mut draft) => {
                    if doc_id.is_some() {
                        // Events recorded since the draft was kept (here or
                        // on another device) must survive: the timeline is
                        // append-only and the form never changes it.
                        draft.timeline = stored.timeline.clone();
                    } else if draft.timeline.is_empty() {
                        draft.timeline = stored.timeline.clone();
                    }
                    if draft == stored {
                        device.discard_draft(slot);
                        stored.clone()
                    } else {
                        restored.try_set(true);
                        draft
                    }
                }
                None => stored.clone(),
            };
            title_name.try_set(stored.display_name());
            base.try_set_value(stored);
            form.case.try_set(start);
            phase.try_set(Phase::Ready);
        });
    }
    // Leaving the form (another tab, the lock) writes a draft still
    // waiting for its pause.
    on_cleanup(move || form.flush_draft());

    let leave = move || match doc_id {
        None => router.go(Route::Cases),
        Some(id) => router.go(Route::Case(id)),
    };

    let discard = move |_| {
        form.discard_draft();
        let case = match doc_id {
            None => fresh_case(),
            Some(_) => base.get_value(),
        };
        form.problems.set(Vec::new());
        save_error.set(None);
        form.case.set(case);
        restored.set(false);
        generation.update(|g| *g += 1);
        focus_soon(fields::input_id("identity.surname"));
    };

    let submit = {
        let device = device.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if form.saving.get_untracked() {
                return;
            }
            save_error.set(None);
            form.prune_new_blank_items(&base.get_value());
            let today = crate::browser::local_today();
            let problems = form.check(today);
            if !problems.is_empty() {
                form.problems.set(problems);
                show_problems(form);
                return;
            }
            form.problems.set(Vec::new());
            let case = form.case_for_saving(today);
            form.saving.set(true);
            form.hold_draft();
            let device = device.clone();
            leptos::task::spawn_local(async move {
                let outcome = match doc_id {
                    None => device
                        .add_case(case)
                        .await
                        .map(Route::Case)
                        .map_err(EditError::Message),
                    Some(id) => device
                        .change_case(
                            id,
                            CaseChange::Edit(CaseEdit::Replace(Box::new(case))),
                            Some(id.to_hex()),
                        )
                        .await
                        .map(|_| Route::Case(id)),
                };
                match outcome {
                    Ok(route) => {
                        form.close_draft();
                        // Only if the documenter is still here.
                        if form.saving.try_set(false).is_none() {
                            router.replace(route);
                        }
                    }
                    Err(EditError::Invalid(errors)) => {
                        let problems: Vec<Problem> = errors
                            .0
                            .into_iter()
                            .map(|e| {
                                Problem::new(
                                    e.field,
                                    ProblemKind::Invalid(e.code),
                                    doc_id.is_none(),
                                )
                            })
                            .collect();
                        form.saving.try_set(false);
                        form.problems.try_set(problems);
                        form.release_draft();
                        show_problems(form);
                    }
                    Err(EditError::Message(message)) => {
                        form.saving.try_set(false);
                        save_error.try_set(Some(message));
                        form.release_draft();
                    }
                }
            });
        }
    };

    let title = move || {
        if doc_id.is_none() {
            t("form-title-new")
        } else {
            t("form-title-edit")
        }
    };

    let ready = move || {
        view! {
            <form
                class="case-form"
                novalidate
                on:submit=submit.clone()
                aria-labelledby="case-form-title"
                data-testid="case-form"
            >
                <h2 id="case-form-title">{title}</h2>
                {move || {
                    let name = title_name.get();
                    (!name.is_empty()).then(|| view! { <p class="form-subtitle">{name}</p> })
                }}
                {move || {
                    restored.get().then(|| {
                        view! {
                            <div class="draft-notice" role="status" data-testid="draft-restored">
                                <p>{move || t("form-draft-restored")}</p>
                                <button
                                    type="button"
                                    class="button-secondary"
                                    data-testid="draft-discard"
                                    on:click=discard
                                >
                                    {move || t("form-draft-discard")}
                                </button>
                            </div>
                        }
                    })
                }}
                {problems::summary(form)}
                {move || {
                    generation.track();
                    body(form)
                }}
                {move || {
                    save_error.get().map(|message| {
                        view! { <p class="error" role="alert" data-testid="case-save-error">{message}</p> }
                    })
                }}
                <div class="form-actions">
                    <button
                        type="submit"
                        data-testid="case-save"
                        disabled=move || form.saving.get()
                    >
                        {move || if form.saving.get() { t("form-saving") } else { t("form-save") }}
                    </button>
                    <button
                        type="button"
                        class="button-secondary"
                        data-testid="case-cancel"
                        on:click=move |_| leave()
                    >
                        {move || t("action-cancel")}
                    </button>
                </div>
            </form>
        }
    };

    move || {
        match phase.get() {
        Phase::Loading => view! {
            <p class="loading" role="status" data-testid="case-form-loading">{move || t("form-loading")}</p>
        }
        .into_any(),
        Phase::Failed(message) => view! {
            <div class="case-form">
                <p class="error" role="alert" data-testid="case-load-error">{message}</p>
                <button type="button" class="button-secondary" data-testid="case-cancel" on:click=move |_| leave()>
                    {move || t("action-back")}
                </button>
            </div>
        }
        .into_any(),
        Phase::Ready => ready().into_any(),
    }
    }
}

/// Every input, in the order of the record.
fn body(form: Form) -> impl IntoView {
    view! {
        {identity::minimum(form)}
        {category::section(form)}
        {identity::section(form)}
        {detention::section(form)}
        {health::section(form)}
        {timeline::section(form)}
        {family::section(form)}
        {sources::section(form)}
        {interventions::section(form)}
        {record::section(form)}
    }
}
