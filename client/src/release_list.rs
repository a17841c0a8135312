//! The release-list builder: choose cases by category, status and tier
//! (from summaries, no documents loaded), choose the recipient, preview the
//! redacted list in priority order, then export it as CSV, JSON or print.
//!
//! What a recipient sees, and which cases it may see at all, is decided in
//! `shared::release_list` (one column list per profile, consent and
//! confidentiality rules); this screen only shows and files it. Every
//! export is noted in each case it contained, through the device loop, so
//! the case says what left the organisation, when and from which device.

mod choose;
mod columns;
mod export;
mod preview;

use std::collections::BTreeSet;

use leptos::prelude::*;
use shared::case::{Category, Status};
use shared::ids::DocId;
use shared::partial_date::Date;
use shared::priority::Tier;
use shared::release_list::{Criteria, Profile, ReleaseList as List, build};

use crate::app::{Access, access};
use crate::app_state::AppState;
use crate::device_loop::DeviceHandle;
use crate::i18n::t;
use crate::tr;

/// What happened to the note of the last export.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Being written.
    Noting,
    /// Noted in this many cases.
    Noted(usize),
    /// A viewer device cannot write: the file was made, nothing noted.
    NotNoted,
    /// The file was made; writing the note failed.
    Failed(String),
    /// The browser would not make the file.
    FileFailed,
}

/// The builder's state, shared by its parts.
#[derive(Debug, Clone, Copy)]
struct Builder {
    categories: RwSignal<BTreeSet<Category>>,
    statuses: RwSignal<BTreeSet<Status>>,
    tiers: RwSignal<BTreeSet<Tier>>,
    profile: RwSignal<Profile>,
    /// The chosen cases, in list order, from summaries.
    chosen: Memo<Vec<DocId>>,
    /// Cases being loaded for the preview.
    loading: RwSignal<Option<usize>>,
    list: RwSignal<Option<List>>,
    load_error: RwSignal<Option<String>>,
    outcome: RwSignal<Option<Outcome>>,
    /// The print view is in the page (kept after printing: on phones
    /// `print()` returns before the page is printed).
    printing: RwSignal<bool>,
    /// Bumped whenever the choice changes, so a preview that finishes
    /// loading after the choice changed is dropped.
    generation: StoredValue<u64>,
    /// This device's id, named in the note of each export.
    this_device: RwSignal<Option<shared::ids::DeviceId>>,
    /// Only a device that may write notes its exports in the cases.
    access: Memo<Access>,
    today: Date,
}

impl Builder {
    fn new(state: AppState) -> Builder {
        let categories = RwSignal::new(BTreeSet::new());
        let statuses = RwSignal::new(BTreeSet::new());
        let tiers = RwSignal::new(BTreeSet::new());
        let today = crate::browser::local_today();
        let chosen = Memo::new(move |_| {
            let criteria = Criteria {
                categories: categories.get(),
                statuses: statuses.get(),
                tiers: tiers.get(),
            };
            state.summaries.with(|s| criteria.select(s, today))
        });
        Builder {
            categories,
            statuses,
            tiers,
            profile: RwSignal::new(Profile::Icrc),
            chosen,
            loading: RwSignal::new(None),
            list: RwSignal::new(None),
            load_error: RwSignal::new(None),
            outcome: RwSignal::new(None),
            printing: RwSignal::new(false),
            generation: StoredValue::new(0),
            this_device: state.device,
            access: access(state),
            today,
        }
    }

    /// The choice changed: a preview of the old one must not be exported.
    fn invalidate(&self) {
        self.generation.update_value(|g| *g += 1);
        self.loading.set(None);
        self.list.set(None);
        self.load_error.set(None);
        self.outcome.set(None);
        self.printing.set(false);
    }

    fn preview(&self, device: DeviceHandle) {
        let ids = self.chosen.get_untracked();
        if ids.is_empty() || self.loading.get_untracked().is_some() {
            return;
        }
        self.invalidate();
        let generation = self.generation.get_value();
        let profile = self.profile.get_untracked();
        let today = self.today;
        let this = *self;
        this.loading.set(Some(ids.len()));
        tracing::info!(
            cases = ids.len(),
            profile = profile.as_key(),
            "building a release list"
        );
        leptos::task::spawn_local(async move {
            let loaded = device.load_cases(ids).await;
            if this.generation.get_value() != generation {
                return;
            }
            this.loading.set(None);
            match loaded {
                Ok(cases) => this.list.set(Some(build(cases, profile, today))),
                Err(err) => this.load_error.set(Some(err)),
            }
        });
    }
}

#[component]
pub fn ReleaseList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let builder = Builder::new(state);
    let count = move || builder.chosen.with(Vec::len);
    let busy = move || builder.loading.get().is_some();

    view! {
        <section
            class="card release-list"
            data-testid="release-list"
            aria-labelledby="release-title"
        >
            <h2 id="release-title">{move || t("release-title")}</h2>
            <p class="release-intro">{move || t("release-intro")}</p>
            <choose::Choose builder=builder/>
            <p class="release-count" role="status" data-testid="release-count" data-count=move || count().to_string()>
                {move || tr!("release-count", n = count())}
            </p>
            <button
                type="button"
                class="release-preview-button"
                data-testid="release-preview"
                disabled=move || busy() || count() == 0
                on:click={
                    let device = device.clone();
                    move |_| builder.preview(device.clone())
                }
            >
                {move || t("release-preview")}
            </button>
            {move || builder.loading.get().map(|n| view! {
                <p class="release-loading" role="status" data-testid="release-loading">
                    <progress aria-hidden="true"></progress>
                    {move || tr!("release-loading", n = n)}
                </p>
            })}
            {move || builder.load_error.get().map(|error| view! {
                <p class="error" role="alert" data-testid="release-error">
                    {move || tr!("release-load-failed", error = error.clone())}
                </p>
            })}
            <preview::Preview builder=builder device=device.clone()/>
        </section>
    }
}
