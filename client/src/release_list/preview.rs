//! The built list: what was left out, the export buttons, the entries as
//! the recipient will get them, and the print view.

use leptos::prelude::*;
use shared::release_list::{Cell, Column, Profile, ReleaseEntry, ReleaseList};

use super::columns::{display, header, profile_name};
use super::export::{Format, export};
use super::{Builder, Outcome};
use crate::device_loop::DeviceHandle;
use crate::i18n::{fmt_partial_date, t};
use crate::labels;
use crate::tr;

/// Entries shown on screen; the files and the print view hold them all.
const SHOWN: usize = 200;

/// Shown in each entry's heading line rather than among its fields.
const HEADLINE: &[Column] = &[
    Column::Rank,
    Column::Name,
    Column::NameLatin,
    Column::Category,
    Column::Status,
    Column::Tier,
];

#[component]
pub(super) fn Preview(builder: Builder, device: DeviceHandle) -> impl IntoView {
    move || {
        builder.list.get().map(|list| {
            let device = device.clone();
            view! { <Built builder=builder device=device list=list/> }
        })
    }
}

#[component]
fn Built(builder: Builder, device: DeviceHandle, list: ReleaseList) -> impl IntoView {
    let total = list.entries.len();
    let profile = list.profile;
    let consent = list.excluded_without_consent;
    let confidential = list.excluded_confidential;
    let noting = move || builder.outcome.get() == Some(Outcome::Noting);
    let button = move |format: Format, testid: &'static str| {
        let device = device.clone();
        let label = move || match format {
            Format::Csv => t("release-export-csv"),
            Format::Json => t("release-export-json"),
            Format::Print => t("release-print"),
        };
        view! {
            <button
                type="button"
                class="button-secondary"
                data-testid=testid
                disabled=move || total == 0 || noting()
                on:click=move |_| export(builder, device.clone(), format)
            >
                {label}
            </button>
        }
    };
    let entries: Vec<ReleaseEntry> = list.entries.iter().take(SHOWN).cloned().collect();
    let print_list = list.clone();

    view! {
        <section
            class="release-preview"
            aria-labelledby="release-preview-title"
            data-testid="release-preview-list"
            data-profile=profile.as_key()
            data-count=total.to_string()
        >
            <h3 id="release-preview-title">
                {move || tr!("release-preview-title", n = total, profile = profile_name(profile))}
            </h3>
            <div
                class="release-excluded"
                data-testid="release-excluded"
                data-consent=consent.to_string()
                data-confidential=confidential.to_string()
            >
                {(consent > 0).then(|| view! {
                    <p>{move || tr!("release-excluded-consent", n = consent)}</p>
                })}
                {(confidential > 0).then(|| view! {
                    <p>{move || tr!("release-excluded-confidential", n = confidential)}</p>
                })}
                {(consent == 0 && confidential == 0).then(|| view! {
                    <p>{move || t("release-excluded-none")}</p>
                })}
            </div>
            {(total == 0).then(|| view! {
                <p class="release-empty" data-testid="release-empty">{move || t("release-preview-empty")}</p>
            })}
            <div class="release-actions" role="group" aria-label=move || t("release-actions")>
                {button(Format::Csv, "release-export-csv")}
                {button(Format::Json, "release-export-json")}
                {button(Format::Print, "release-print")}
            </div>
            <OutcomeNote builder=builder/>
            {(total > SHOWN).then(|| view! {
                <p class="release-more" data-testid="release-preview-more">
                    {move || tr!("release-preview-more", shown = SHOWN, n = total)}
                </p>
            })}
            <ol class="release-entries">
                {entries.into_iter().map(|e| view! { <Entry entry=e profile=profile/> }).collect_view()}
            </ol>
            {move || builder.printing.get().then(|| view! { <PrintView list=print_list.clone()/> })}
        </section>
    }
}

#[component]
fn OutcomeNote(builder: Builder) -> impl IntoView {
    move || {
        builder.outcome.get().map(|outcome| match outcome {
            Outcome::Noting => view! {
                <p class="release-noting" role="status" data-testid="release-noting">
                    {move || t("release-noting")}
                </p>
            }
            .into_any(),
            Outcome::Noted(n) => view! {
                <p class="release-recorded" role="status" data-testid="release-recorded" data-count=n.to_string()>
                    {move || tr!("release-recorded", n = n)}
                </p>
            }
            .into_any(),
            Outcome::NotNoted => view! {
                <p class="release-not-recorded" role="status" data-testid="release-not-recorded">
                    {move || t("release-not-recorded")}
                </p>
            }
            .into_any(),
            Outcome::Failed(error) => view! {
                <p class="error" role="alert" data-testid="release-record-failed">
                    {move || tr!("release-record-failed", error = error.clone())}
                </p>
            }
            .into_any(),
            Outcome::FileFailed => view! {
                <p class="error" role="alert" data-testid="release-file-failed">
                    {move || t("release-file-failed")}
                </p>
            }
            .into_any(),
        })
    }
}

#[component]
fn Entry(entry: ReleaseEntry, profile: Profile) -> impl IntoView {
    let tier = entry.tier;
    let category = entry.category;
    let status = entry.status;
    let latin = (entry.name_latin != entry.name).then(|| entry.name_latin.clone());
    // The profile's columns (the entry holds no others), as the file has
    // them; empty ones and the case id are not shown.
    let fields = profile
        .columns()
        .iter()
        .copied()
        .filter(|c| !HEADLINE.contains(c) && *c != Column::CaseId)
        .filter(|c| entry.cell(*c) != Cell::Empty)
        .map(|c| {
            let entry = entry.clone();
            view! {
                <div class="release-field" data-column=c.as_key()>
                    <dt>{move || header(c)}</dt>
                    <dd>{move || display(&entry, c)}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <li
            class="release-entry"
            data-testid="release-entry"
            data-doc-id=entry.doc_id.to_hex()
            data-rank=entry.rank.to_string()
            data-tier=tier.as_key()
        >
            <div class="release-entry-head">
                <span class="release-rank">{entry.rank}</span>
                <span class="release-name">{entry.name.clone()}</span>
                <span class=format!("release-tier tier-{}", tier.as_key())>
                    {move || labels::tier(tier)}
                </span>
            </div>
            {latin.map(|l| view! { <p class="release-latin" lang="uk-Latn">{l}</p> })}
            <p class="release-meta">
                {move || labels::category(category)}
                {move || status.map(|s| format!(" · {}", labels::status(s)))}
            </p>
            <dl class="release-fields">{fields}</dl>
        </li>
    }
}

/// The whole list as a table, shown only when printing (see release.css).
#[component]
fn PrintView(list: ReleaseList) -> impl IntoView {
    let profile = list.profile;
    let date = list.generated_on;
    let columns = profile.columns();
    let total = list.entries.len();
    let head = columns
        .iter()
        .map(|c| {
            let c = *c;
            view! { <th scope="col">{move || header(c)}</th> }
        })
        .collect_view();
    let rows = list
        .entries
        .into_iter()
        .map(|entry| {
            let cells = columns
                .iter()
                .map(|c| {
                    let c = *c;
                    let entry = entry.clone();
                    view! { <td>{move || display(&entry, c)}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="print-view" data-testid="release-print-view" data-profile=profile.as_key()>
            <h2>
                {move || tr!(
                    "release-print-title",
                    profile = profile_name(profile),
                    date = fmt_partial_date(&date.into()),
                )}
            </h2>
            <p>{move || tr!("release-print-count", n = total)}</p>
            <table>
                <thead><tr>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
