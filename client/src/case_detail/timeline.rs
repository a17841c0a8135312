//! The status timeline (append-only: events are added, never edited here),
//! days since the last proof of life, and the form that adds an event.

use leptos::prelude::*;
use shared::case::{Case, Reliability, Status, StatusEvent};
use shared::case_doc::CaseEdit;
use shared::case_validation::FieldError;
use shared::ids::{DeviceId, DocId};
use shared::partial_date::PartialDate;

use super::{Notice, Screen, date_text, problem_list, who_hex};
use crate::browser_rng::BrowserRng;
use crate::device_loop::{CaseChange, EditError};
use crate::i18n::{fmt_datetime, fmt_partial_date, t};
use crate::labels;
use crate::tr;

/// What the add-event form holds; kept by the screen, so a reload while
/// typing loses nothing.
#[derive(Debug, Clone, Copy)]
pub(super) struct StatusForm {
    open: RwSignal<bool>,
    status: RwSignal<Status>,
    date: RwSignal<String>,
    source: RwSignal<String>,
    reliability: RwSignal<Reliability>,
    date_unreadable: RwSignal<bool>,
    problems: RwSignal<Vec<FieldError>>,
    failure: RwSignal<Option<String>>,
}

impl StatusForm {
    pub(super) fn new() -> StatusForm {
        StatusForm {
            open: RwSignal::new(false),
            status: RwSignal::new(Status::default()),
            date: RwSignal::new(String::new()),
            source: RwSignal::new(String::new()),
            reliability: RwSignal::new(Reliability::default()),
            date_unreadable: RwSignal::new(false),
            problems: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
        }
    }

    fn clear_problems(&self) {
        self.date_unreadable.set(false);
        self.problems.set(Vec::new());
        self.failure.set(None);
    }

    /// Opens the form starting from the case's current status, the one a
    /// new event most often follows.
    fn open_for(&self, current: Option<Status>) {
        self.status.set(current.unwrap_or_default());
        self.date.set(String::new());
        self.source.set(String::new());
        self.reliability.set(Reliability::default());
        self.clear_problems();
        self.open.set(true);
    }
}

pub(super) fn section(
    screen: &Screen,
    case: &Case,
    this_device: DeviceId,
    writable: bool,
) -> impl IntoView + use<> {
    let events = case.timeline_sorted();
    let list = if events.is_empty() {
        view! { <p class="none">{t("detail-none-recorded")}</p> }.into_any()
    } else {
        let items = events
            .into_iter()
            .map(|e| event(e, &this_device))
            .collect_view();
        view! { <ol class="timeline">{items}</ol> }.into_any()
    };
    let form = screen.status_form;
    let current = case.current_status();
    let adder = writable.then(|| {
        let screen = screen.clone();
        view! {
            <button type="button" class="button-secondary add-status" data-testid="add-status"
                aria-expanded=move || form.open.get().to_string()
                aria-controls="detail-status-form"
                on:click=move |_| {
                    if form.open.get_untracked() {
                        form.open.set(false);
                    } else {
                        form.open_for(current);
                    }
                }>
                {t("detail-add-status")}
            </button>
            {move || form.open.get().then(|| form_view(screen.clone()))}
        }
    });
    view! {
        <section class="card detail-timeline" data-testid="detail-section-timeline"
            aria-labelledby="detail-timeline-title">
            <h3 id="detail-timeline-title">{t("detail-timeline-title")}</h3>
            {proof_of_life(case)}
            {list}
            {adder}
        </section>
    }
}

fn proof_of_life(case: &Case) -> impl IntoView + use<> {
    match case.last_proof_of_life() {
        None => view! {
            <p class="proof-of-life" data-testid="proof-of-life" data-days="">
                {t("detail-proof-of-life-none")}
            </p>
        }
        .into_any(),
        Some(date) => {
            // From the latest day the partial date may stand for: "at
            // least" that many days, never an overstatement.
            let days = (crate::browser::local_today().days_since_epoch()
                - date.latest().days_since_epoch())
            .max(0);
            let count = if date.is_full() {
                tr!("detail-proof-of-life-days", n = days)
            } else {
                tr!("detail-proof-of-life-at-least", n = days)
            };
            view! {
                <p class="proof-of-life" data-testid="proof-of-life" data-days=days.to_string()>
                    <strong>{count}</strong>
                    <span class="proof-of-life-date">
                        {tr!("detail-proof-of-life-date", date = fmt_partial_date(&date))}
                    </span>
                </p>
            }
            .into_any()
        }
    }
}

fn event(e: &StatusEvent, this_device: &DeviceId) -> impl IntoView + use<> {
    let who = who_hex(&e.recorded_by, this_device);
    let recorded = match (e.recorded_by.is_empty(), e.recorded_at_ms) {
        (true, 0) => None,
        (_, 0) => Some(tr!("detail-event-recorded-by", who = who)),
        (_, at) => {
            let when = fmt_datetime(at);
            Some(tr!("detail-event-recorded", who = who, when = when))
        }
    };
    let source = (!e.source.trim().is_empty()).then(|| {
        view! {
            <div>
                <dt>{t("detail-event-source")}</dt>
                <dd class="event-source">{e.source.clone()}</dd>
            </div>
        }
    });
    view! {
        <li class="timeline-event" data-testid="timeline-event" data-status=e.status.as_key()
            data-date=e.date.map(|d| d.to_string()).unwrap_or_default()>
            <p class="event-head">
                <span class="event-date">
                    {date_text(e.date.as_ref()).unwrap_or_else(|| t("detail-event-undated"))}
                </span>
                <strong class="event-status">{labels::status(e.status)}</strong>
            </p>
            <dl class="event-facts">
                {source}
                <div>
                    <dt>{t("detail-event-reliability")}</dt>
                    <dd class="event-reliability" data-reliability=e.reliability.as_key()>
                        {labels::reliability(e.reliability)}
                    </dd>
                </div>
            </dl>
            {recorded.map(|r| view! { <p class="event-recorded">{r}</p> })}
        </li>
    }
}

fn form_view(screen: Screen) -> impl IntoView {
    let form = screen.status_form;
    let busy = screen.busy;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear_problems();
        let date_input = form.date.get_untracked();
        let date_input = date_input.trim();
        let date = if date_input.is_empty() {
            None
        } else {
            match date_input.parse::<PartialDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    form.date_unreadable.set(true);
                    return;
                }
            }
        };
        let event = StatusEvent {
            id: DocId::random(&mut BrowserRng).to_hex(),
            date,
            status: form.status.get_untracked(),
            source: form.source.get_untracked().trim().to_owned(),
            reliability: form.reliability.get_untracked(),
            // The device loop stamps who recorded it and when.
            ..StatusEvent::default()
        };
        let (open, problems, failure) = (form.open, form.problems, form.failure);
        screen.change(
            CaseChange::Edit(CaseEdit::AddStatusEvent(event)),
            Notice::StatusAdded,
            move |result| match result {
                // The new event shows in the list; the notice says so.
                Ok(()) => open.set(false),
                Err(EditError::Invalid(errors)) => problems.set(errors.0),
                Err(EditError::Message(m)) => failure.set(Some(m)),
            },
        );
    };
    let date_invalid = move || {
        form.date_unreadable.get()
            || form
                .problems
                .with(|p| p.iter().any(|e| e.field.ends_with(".date")))
    };
    view! {
        <form id="detail-status-form" class="status-form" data-testid="status-form" on:submit=submit
            aria-labelledby="detail-status-form-title">
            <h4 id="detail-status-form-title">{move || t("detail-add-status")}</h4>
            <label>
                {move || t("detail-status-new-status")}
                <select data-testid="status-new-status"
                    on:change=move |ev| {
                        if let Some(s) = Status::from_key(&event_target_value(&ev)) {
                            form.status.set(s);
                        }
                    }>
                    {Status::ALL.iter().copied().map(|s| view! {
                        <option value=s.as_key() selected=move || form.status.get() == s>
                            {move || labels::status(s)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                {move || t("detail-status-new-date")}
                <input type="text" data-testid="status-new-date" autocomplete="off"
                    placeholder="2022-03-14"
                    aria-describedby="status-new-date-hint"
                    aria-invalid=move || date_invalid().to_string()
                    prop:value=move || form.date.get()
                    on:input=move |ev| form.date.set(event_target_value(&ev))/>
            </label>
            <p id="status-new-date-hint" class="hint">{move || t("detail-status-date-hint")}</p>
            {move || form.date_unreadable.get().then(|| view! {
                <p class="error" role="alert" data-testid="status-new-date-error">
                    {t("detail-status-date-invalid")}
                </p>
            })}
            <label>
                {move || t("detail-status-new-source")}
                <input type="text" data-testid="status-new-source" autocomplete="off"
                    prop:value=move || form.source.get()
                    on:input=move |ev| form.source.set(event_target_value(&ev))/>
            </label>
            <label>
                {move || t("detail-status-new-reliability")}
                <select data-testid="status-new-reliability"
                    on:change=move |ev| {
                        if let Some(r) = Reliability::from_key(&event_target_value(&ev)) {
                            form.reliability.set(r);
                        }
                    }>
                    {Reliability::ALL.iter().copied().map(|r| view! {
                        <option value=r.as_key() selected=move || form.reliability.get() == r>
                            {move || labels::reliability(r)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            {move || {
                let problems = form.problems.get();
                (!problems.is_empty()).then(|| view! {
                    <div class="error" role="alert" data-testid="status-new-errors">
                        <p>{t("detail-save-invalid")}</p>
                        {problem_list(&problems)}
                    </div>
                })
            }}
            {move || form.failure.get().map(|reason| view! {
                <div class="error" role="alert" data-testid="status-new-failed">
                    <p>{t("detail-save-failed")}</p>
                    <p class="detail-problem-reason">{reason}</p>
                </div>
            })}
            <div class="form-buttons">
                <button type="submit" data-testid="status-new-save" disabled=move || busy.get()>
                    {move || t("detail-status-save")}
                </button>
                <button type="button" class="button-secondary" data-testid="status-new-cancel"
                    on:click=move |_| form.open.set(false)>
                    {move || t("action-cancel")}
                </button>
            </div>
        </form>
    }
}
