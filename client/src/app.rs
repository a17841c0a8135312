//! The root component: starts the device loop, provides it as context, and
//! shows the screen the lock calls for: first-run passphrase, unlock, or
//! the cases.

use leptos::prelude::*;

use crate::app_state::{AppState, LockState};
use crate::case_form::CaseForm;
use crate::case_list::CaseList;
use crate::device_loop::{self, NOT_JOINED};
use crate::sync_panel::SyncPanel;
use crate::vault_screens::{DevicePanel, JoinProgress, LockNow, UnlockScreen, VaultSetup};
use shared::wire::Role;

/// What the case entry area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Unknown,
    NotJoined,
    ViewerOnly,
    Form,
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let device = device_loop::start(state);
    provide_context(state);
    provide_context(device);
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
                        <header class="top-bar"><h1>"Homeward"</h1></header>
                        <main>
                            {match locked {
                                LockState::Starting => view! {
                                    <p class="loading">"Opening…"</p>
                                }.into_any(),
                                LockState::Setup => view! { <JoinProblem/><VaultSetup/> }.into_any(),
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

#[component]
fn Unlocked() -> impl IntoView {
    let state = expect_context::<AppState>();
    // A memo, so the form (and what is typed in it) is rebuilt only when
    // what may be entered changes, not on every reconnect.
    let entry = Memo::new(move |_| {
        match (state.ready.get(), state.workspace.get(), state.role.get()) {
            // Until storage is read the workspace is unknown.
            (false, _, _) => Entry::Unknown,
            (true, None, _) => Entry::NotJoined,
            (true, Some(_), Some(Role::Viewer)) => Entry::ViewerOnly,
            (true, Some(_), _) => Entry::Form,
        }
    });
    view! {
        <header class="top-bar">
            <div class="title-row">
                <h1>"Homeward"</h1>
                <LockNow/>
            </div>
            <SyncPanel/>
        </header>
        <main>
            <JoinProblem/>
            <JoinProgress/>
            {move || match entry.get() {
                Entry::Unknown => None,
                Entry::NotJoined => Some(view! {
                    <p class="not-joined" role="status" data-testid="not-joined">
                        {NOT_JOINED}
                    </p>
                }.into_any()),
                Entry::ViewerOnly => Some(view! {
                    <p class="viewer-only" role="status">
                        "This device has the viewer role: it shows the workspace's cases but cannot add them."
                    </p>
                }.into_any()),
                Entry::Form => Some(view! { <CaseForm/> }.into_any()),
            }}
            <CaseList/>
            <DevicePanel/>
        </main>
    }
}
