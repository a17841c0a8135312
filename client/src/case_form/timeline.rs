//! The status timeline. It is append-only: a new case's first event is
//! typed here (its status in the minimum record), while an edited case's
//! events are shown as recorded and passed back untouched; new events are
//! added on the case screen.

use leptos::prelude::*;
use shared::case::{Case, StatusEvent};

use super::fields::{Field, choice_input, field_label, input_id, text_input};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, field_errors, section_badge};
use super::state::Form;
use crate::i18n::{fmt_partial_date, t};
use crate::labels;

fn first<T: Default>(c: &Case, f: impl FnOnce(&StatusEvent) -> T) -> T {
    c.timeline.first().map(f).unwrap_or_default()
}

fn first_mut(c: &mut Case, f: impl FnOnce(&mut StatusEvent)) {
    if let Some(e) = c.timeline.first_mut() {
        f(e);
    }
}

/// The status in the minimum record: chosen for a new case, shown for an
/// edited one.
pub(super) fn status_field(form: Form) -> impl IntoView {
    if form.is_new {
        return choice_input(
            form,
            Field::new("timeline.0.status", "case-status"),
            |c| first(c, |e| e.status),
            |c, v| first_mut(c, |e| e.status = v),
        )
        .into_any();
    }
    let current = form.case.with_untracked(Case::current_status);
    view! {
        <div class="field current-status">
            <p class="label">{move || field_label("timeline.status")}</p>
            <p class="value" data-testid="case-current-status">
                {move || current.map_or_else(|| t("form-timeline-empty"), labels::status)}
            </p>
            <p class="hint">{move || t("form-status-elsewhere")}</p>
        </div>
    }
    .into_any()
}

pub(super) fn section(form: Form) -> impl IntoView {
    let body = if form.is_new {
        first_event(form).into_any()
    } else {
        recorded(form).into_any()
    };
    view! {
        <details class="form-section" data-testid="section-timeline" id=input_id("timeline") tabindex="-1">
            <summary>
                <h3>{move || labels::field("timeline")}</h3>
                {section_badge(form, Section::Timeline)}
            </summary>
            <div class="section-body">
                {body}
                {field_errors(form, "timeline".to_owned())}
            </div>
        </details>
    }
}

fn first_event(form: Form) -> impl IntoView {
    view! {
        <p class="hint">{move || t("form-timeline-first")}</p>
        {partial_date_input(
            form,
            Field::new("timeline.0.date", "case-status-date"),
            |c| first(c, |e| e.date),
            |c, v| first_mut(c, |e| e.date = v),
        )}
        {text_input(
            form,
            Field::new("timeline.0.source", "case-status-source"),
            |c| first(c, |e| e.source.clone()),
            |c, v| first_mut(c, |e| e.source = v),
        )}
        {choice_input(
            form,
            Field::new("timeline.0.reliability", "case-status-reliability"),
            |c| first(c, |e| e.reliability),
            |c, v| first_mut(c, |e| e.reliability = v),
        )}
    }
}

fn recorded(form: Form) -> impl IntoView {
    // Shown in date order; each item keeps its place in the stored list,
    // which is what validation paths count.
    let events: Vec<(usize, StatusEvent)> = form.case.with_untracked(|c| {
        let mut events: Vec<(usize, StatusEvent)> =
            c.timeline.iter().cloned().enumerate().collect();
        events.sort_by_key(|(_, e)| {
            (
                e.date.is_none(),
                e.date.map(|d| d.sort_key()),
                e.recorded_at_ms,
            )
        });
        events
    });
    let empty = events.is_empty().then(|| {
        view! { <p class="empty" data-testid="timeline-empty">{move || t("form-timeline-empty")}</p> }
    });
    view! {
        <p class="hint">{move || t("form-timeline-readonly")}</p>
        {empty}
        <ol class="timeline">
            {events
                .into_iter()
                .map(|(i, event)| {
                    let anchor = format!("timeline.{i}");
                    let date = event.date;
                    let status = event.status;
                    let reliability = event.reliability;
                    let source = (!event.source.is_empty()).then_some(event.source);
                    view! {
                        <li id=input_id(&anchor) tabindex="-1" data-testid=format!("timeline-{i}")>
                            <span class="when">
                                {move || date.map_or_else(|| t("form-date-unknown"), |d| fmt_partial_date(&d))}
                            </span>
                            <span class="what">{move || labels::status(status)}</span>
                            <span class="how">{move || labels::reliability(reliability)}</span>
                            {source.map(|s| view! { <span class="source">{s}</span> })}
                            {field_errors(form, anchor.clone())}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
