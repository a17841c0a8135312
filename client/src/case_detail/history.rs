//! Who changed the case, when, and which fields: newest first.

use leptos::prelude::*;
use shared::case_doc::HistoryEntry;
use shared::ids::DeviceId;

use super::{Screen, short_hex, who};
use crate::i18n::{fmt_datetime, t};
use crate::labels;
use crate::tr;

/// Entries shown before "show all": enough for the recent story.
const RECENT: usize = 20;
/// Field names shown per entry; a new case touches dozens.
const FIELDS_SHOWN: usize = 6;

pub(super) fn section(
    screen: &Screen,
    history: Vec<HistoryEntry>,
    this_device: DeviceId,
) -> impl IntoView + use<> {
    let show_all = screen.show_all_history;
    let total = history.len();
    let content = if history.is_empty() {
        view! { <p class="none">{t("detail-history-empty")}</p> }.into_any()
    } else {
        let entries = move || {
            let limit = if show_all.get() { total } else { RECENT };
            history
                .iter()
                .rev()
                .take(limit)
                .map(|h| entry(h, &this_device))
                .collect_view()
        };
        let more = (total > RECENT).then(|| {
            view! {
                <button type="button" class="button-secondary" data-testid="history-show-all"
                    aria-expanded=move || show_all.get().to_string()
                    on:click=move |_| show_all.update(|s| *s = !*s)>
                    {move || if show_all.get() {
                        t("detail-history-show-recent")
                    } else {
                        tr!("detail-history-show-all", n = total)
                    }}
                </button>
            }
        });
        view! {
            <ol class="history">{entries}</ol>
            {more}
        }
        .into_any()
    };
    view! {
        <section class="card detail-history" data-testid="detail-section-history"
            aria-labelledby="detail-history-title">
            <h3 id="detail-history-title">{t("detail-history-title")}</h3>
            {content}
        </section>
    }
}

fn entry(h: &HistoryEntry, this_device: &DeviceId) -> impl IntoView + use<> {
    let mut names: Vec<String> = Vec::new();
    for field in &h.fields {
        let name = labels::field(field);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let hidden = names.len().saturating_sub(FIELDS_SHOWN);
    let fields = if names.is_empty() {
        view! { <p class="history-fields none">{t("detail-history-no-fields")}</p> }.into_any()
    } else {
        let items = names
            .into_iter()
            .take(FIELDS_SHOWN)
            .map(|n| view! { <li>{n}</li> })
            .collect_view();
        view! {
            <ul class="history-fields">
                {items}
                {(hidden > 0).then(|| view! {
                    <li class="more">{tr!("detail-history-more-fields", n = hidden)}</li>
                })}
            </ul>
        }
        .into_any()
    };
    let device = h.device.map(|d| short_hex(&d.to_hex())).unwrap_or_default();
    view! {
        <li class="history-entry" data-testid="history-entry" data-device=device
            data-time=h.time_ms.to_string() data-fields=h.fields.len().to_string()>
            <p class="history-head">
                <span class="history-when">{fmt_datetime(h.time_ms)}</span>
                <span class="history-who">{who(h.device.as_ref(), this_device)}</span>
            </p>
            {fields}
        </li>
    }
}
