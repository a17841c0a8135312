//! The root component: starts the device loop, provides it (and the
//! router) as context, and shows the screen the lock calls for: first-run
//! passphrase, unlock, or the app with its bottom navigation.

use leptos::prelude::*;

use crate::app_state::{AppState, LockState};
use crate::case_detail::CaseDetail;
use crate::case_form::CaseForm;
use crate::case_list::CaseList;
use crate::device_loop;
use crate::i18n::t;
use crate::release_list::ReleaseList;
use crate::route::{Route, Router, use_router};
use crate::settings_page::{LanguageSwitch, SettingsPage};
use crate::storage_health::EvictionWarning;
use crate::sync_panel::{SyncBadge, SyncPage};
use crate::vault_screens::{JoinProgress, LockNow, UnlockScreen, VaultSetup};
use shared::wire::Role;

/// Whether this device may write cases, as far as the screens care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Storage not read yet.
    Unknown,
    NotJoined,
    ViewerOnly,
    Write,
}

/// The access this device has now (a memo, so forms are not rebuilt on
/// every reconnect).
pub fn access(state: AppState) -> Memo<Access> {
    Memo::new(
        move |_| match (state.ready.get(), state.workspace.get(), state.role.get()) {
            (false, _, _) => Access::Unknown,
            (true, None, _) => Access::NotJoined,
            (true, Some(_), Some(Role::Viewer)) => Access::ViewerOnly,
            (true, Some(_), _) => Access::Write,
        },
    )
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let device = device_loop::start(state);
    provide_context(state);
    provide_context(device);
    provide_context(Router::start());
    let lock = Memo::new(move |_| state.lock.get());

    view! {
        <div
            id="app-root"
            data-ready=move || state.ready.get().to_string()
            data-lock=move || lock.get().as_str()
        >
            {move || match state.fatal.get() {
                Some(message) => view! {
                    <main><p class="fatal" role="alert">{message}</p></main>
                }.into_any(),
                None => match lock.get() {
                    LockState::Unlocked => view! { <Unlocked/> }.into_any(),
                    locked => view! {
                        <header class="top-bar">
                            <div class="title-row">
                                <h1>"Homeward"</h1>
                                <LanguageSwitch/>
                            </div>
                        </header>
                        <main>
                            {match locked {
                                LockState::Starting => view! {
                                    <p class="loading">{move || t("app-opening")}</p>
                                }.into_any(),
                                LockState::Setup => view! {
                                    <JoinProblem/><EvictionWarning/><VaultSetup/>
                                }.into_any(),
                                _ => view! { <JoinProblem/><UnlockScreen/> }.into_any(),
                            }}
                        </main>
                    }.into_any(),
                },
            }}
        </div>
    }
}

#[component]
fn JoinProblem() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.join_problem.get().map(|problem| {
            view! {
                <p class="join-problem" role="alert" data-testid="join-problem">{problem}</p>
            }
        })
    }
}

/// Says why cases cannot be entered here, or nothing when they can.
#[component]
pub fn AccessNotice() -> impl IntoView {
    let state = expect_context::<AppState>();
    let access = access(state);
    move || {
        match access.get() {
        Access::NotJoined => Some(view! {
            <p class="not-joined" role="status" data-testid="not-joined">{t("app-not-joined")}</p>
        }.into_any()),
        Access::ViewerOnly => Some(view! {
            <p class="viewer-only" role="status" data-testid="viewer-only">{t("app-viewer-only")}</p>
        }.into_any()),
        Access::Unknown | Access::Write => None,
    }
    }
}

#[component]
fn Unlocked() -> impl IntoView {
    let router = use_router();
    let route = router.route;
    // Only the screen's kind re-renders the page; a new case id re-renders
    // the detail itself.
    let page = Memo::new(move |_| route.get());
    view! {
        <a class="skip-link" href="#main">{move || t("app-skip-to-content")}</a>
        <header class="top-bar">
            <div class="title-row">
                <h1>"Homeward"</h1>
                <LanguageSwitch/>
                <LockNow/>
            </div>
            <SyncBadge/>
        </header>
        <main id="main" tabindex="-1">
            <JoinProblem/>
            <JoinProgress/>
            {move || match page.get() {
                Route::Cases => view! { <CaseList/> }.into_any(),
                Route::NewCase => view! { <CaseForm doc_id=None/> }.into_any(),
                Route::Case(id) => view! { <CaseDetail doc_id=id/> }.into_any(),
                Route::EditCase(id) => view! { <CaseForm doc_id=Some(id)/> }.into_any(),
                Route::ReleaseList => view! { <ReleaseList/> }.into_any(),
                Route::Sync => view! { <SyncPage/> }.into_any(),
                Route::Settings => view! { <SettingsPage/> }.into_any(),
            }}
        </main>
        <BottomNav/>
    }
}

/// The tabs, at the bottom where a thumb reaches them.
#[component]
fn BottomNav() -> impl IntoView {
    let router = use_router();
    let tab = Memo::new(move |_| router.route.get().tab());
    // Short words on the tabs (five share 390 px); the page headings use the
    // full names.
    let item = move |to: Route, testid: &'static str, icon: &'static str, label: fn() -> String| {
        view! {
            <a
                href=to.fragment()
                data-testid=testid
                class=move || if tab.get() == to { "tab current" } else { "tab" }
                aria-current=move || (tab.get() == to).then_some("page")
                on:click=move |ev| {
                    ev.prevent_default();
                    router.go(to);
                }
            >
                <span class="tab-icon" aria-hidden="true">{icon}</span>
                <span class="tab-label">{label}</span>
            </a>
        }
    };
    view! {
        <nav class="bottom-nav" aria-label=move || t("nav-label")>
            {item(Route::Cases, "nav-cases", "☰", || t("tab-cases"))}
            {item(Route::NewCase, "nav-new", "+", || t("tab-new"))}
            {item(Route::ReleaseList, "nav-release", "⇪", || t("tab-release"))}
            {item(Route::Sync, "nav-sync", "⇅", || t("tab-sync"))}
            {item(Route::Settings, "nav-settings", "⚙", || t("tab-settings"))}
        </nav>
    }
}
