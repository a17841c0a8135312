//! Fields two devices changed at once: every value side by side, each with
//! who wrote it and one button to keep it. Never settled silently.

use leptos::prelude::*;
use shared::case::{
    Addressee, Capture, Category, Confidentiality, Contact, DocumentKind, Flag, InterventionStatus,
    Reliability, ReviewState, Sex, SourceKind, Status, Whereabouts,
};
use shared::case_doc::FieldConflict;
use shared::ids::DeviceId;
use shared::partial_date::PartialDate;

use super::{Notice, Screen, who};
use crate::device_loop::{CaseChange, EditError};
use crate::i18n::{fmt_partial_date, t};
use crate::labels;
use crate::tr;

pub(super) fn section(
    screen: &Screen,
    conflicts: Vec<FieldConflict>,
    this_device: DeviceId,
    writable: bool,
) -> Option<AnyView> {
    if conflicts.is_empty() {
        return None;
    }
    let count = conflicts.len();
    let items = conflicts
        .into_iter()
        .enumerate()
        .map(|(ci, c)| conflict(screen, ci, c, &this_device, writable))
        .collect_view();
    Some(
        view! {
            <section class="card detail-conflicts" data-testid="conflicts"
                aria-labelledby="detail-conflicts-title">
                <h3 id="detail-conflicts-title">{tr!("detail-conflicts-title", n = count)}</h3>
                <p class="hint">
                    {if writable { t("detail-conflicts-help") } else { t("detail-conflicts-help-viewer") }}
                </p>
                <ul class="conflict-list">{items}</ul>
            </section>
        }
        .into_any(),
    )
}

fn conflict(
    screen: &Screen,
    ci: usize,
    c: FieldConflict,
    this_device: &DeviceId,
    writable: bool,
) -> impl IntoView + use<> {
    let FieldConflict { field, values } = c;
    let heading_id = format!("conflict-{ci}");
    let values = values
        .into_iter()
        .enumerate()
        .map(|(vi, v)| {
            let text = value_text(&field, &v.display);
            let empty = text.is_none();
            let value_id = format!("conflict-{ci}-{vi}");
            let keep = writable.then(|| {
                let screen = screen.clone();
                let field = field.clone();
                let busy = screen.busy;
                let describedby = format!("{heading_id} {value_id}");
                view! {
                    <button type="button" data-testid="conflict-keep" aria-describedby=describedby
                        disabled=move || busy.get()
                        on:click=move |_| {
                            let notice = screen.notice;
                            screen.change(
                                CaseChange::Resolve { field: field.clone(), choice: vi },
                                Notice::Kept(field.clone()),
                                move |result| match result {
                                    Ok(()) => {}
                                    Err(EditError::Invalid(errors)) => {
                                        notice.set(Some(Notice::Invalid(errors.0)));
                                    }
                                    Err(EditError::Message(m)) => notice.set(Some(Notice::Failed(m))),
                                },
                            );
                        }>
                        {t("detail-conflict-keep")}
                    </button>
                }
            });
            view! {
                <li class="conflict-value" data-testid="conflict-value" data-value=v.display.clone()
                    data-index=vi.to_string()>
                    <p class="value" class:empty=empty id=value_id>
                        {text.unwrap_or_else(|| t("detail-conflict-empty"))}
                    </p>
                    <p class="who">
                        {tr!("detail-conflict-written-by", who = who(v.device.as_ref(), this_device))}
                    </p>
                    {keep}
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="conflict" data-testid="conflict" data-field=field.clone()>
            <h4 id=heading_id.clone()>{labels::field(&field)}</h4>
            <ul class="conflict-values">{values}</ul>
        </li>
    }
}

/// A conflicting value as a person reads it: enumerations by their label,
/// yes/no fields as words, dates in the language's format. `None`: empty.
fn value_text(field: &str, display: &str) -> Option<String> {
    if display.is_empty() {
        return None;
    }
    let named: Vec<&str> = field
        .split('.')
        .filter(|p| p.parse::<usize>().is_err())
        .collect();
    let name = named.last().copied().unwrap_or_default();
    let parent = named
        .len()
        .checked_sub(2)
        .map(|i| named[i])
        .unwrap_or_default();
    let label = match (parent, name) {
        (_, "category") => Category::from_key(display).map(labels::category),
        ("interventions", "status") => {
            InterventionStatus::from_key(display).map(labels::intervention_status)
        }
        (_, "status") => Status::from_key(display).map(labels::status),
        (_, "sex") => Sex::from_key(display).map(labels::sex),
        ("documents", "kind") => DocumentKind::from_key(display).map(labels::document_kind),
        (_, "kind") => SourceKind::from_key(display).map(labels::source_kind),
        (_, "capture") => Capture::from_key(display).map(labels::capture),
        (_, "whereabouts") => Whereabouts::from_key(display).map(labels::whereabouts),
        (_, "family_contact" | "lawyer_contact" | "icrc_contact") => {
            Contact::from_key(display).map(labels::contact)
        }
        (_, "flag") => Flag::from_key(display).map(labels::flag),
        (_, "reliability") => Reliability::from_key(display).map(labels::reliability),
        (_, "addressee") => Addressee::from_key(display).map(labels::addressee),
        (_, "review") => ReviewState::from_key(display).map(labels::review),
        (_, "confidentiality") => Confidentiality::from_key(display).map(labels::confidentiality),
        (
            _,
            "to_inform" | "confidential" | "in_release_list" | "icrc" | "un_wgeid" | "negotiators"
            | "public_campaign",
        ) => match display {
            "true" => Some(labels::flag(Flag::Yes)),
            "false" => Some(labels::flag(Flag::No)),
            _ => None,
        },
        (_, n) if n.ends_with("date") || n.ends_with("_on") || n == "last_contact" => display
            .parse::<PartialDate>()
            .ok()
            .map(|d| fmt_partial_date(&d)),
        _ => None,
    };
    Some(label.unwrap_or_else(|| display.to_owned()))
}
