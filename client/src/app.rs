//! The root component: starts the device loop, provides it as context, and
//! lays out the single screen of this version.

use leptos::prelude::*;

use crate::app_state::AppState;
use crate::case_form::CaseForm;
use crate::case_list::CaseList;
use crate::device_loop::{self, NOT_JOINED};
use crate::sync_panel::SyncPanel;
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
    // A memo, so the form (and what is typed in it) is rebuilt only when
    // what may be entered changes, not on every reconnect.
    let entry = Memo::new(move |_| {
        match (state.ready.get(), state.workspace.get(), state.role.get()) {
            // Until storage is open the workspace is unknown.
            (false, _, _) => Entry::Unknown,
            (true, None, _) => Entry::NotJoined,
            (true, Some(_), Some(Role::Viewer)) => Entry::ViewerOnly,
            (true, Some(_), _) => Entry::Form,
        }
    });

    view! {
        <div id="app-root" data-ready=move || state.ready.get().to_string()>
            <header class="top-bar">
                <h1>"Homeward"</h1>
                <SyncPanel/>
            </header>
            <main>
                {move || match state.fatal.get() {
                    Some(message) => view! {
                        <p class="fatal" role="alert">{message}</p>
                    }.into_any(),
                    None => view! {
                        {move || state.join_problem.get().map(|problem| view! {
                            <p class="join-problem" role="alert" data-testid="join-problem">{problem}</p>
                        })}
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
                    }.into_any(),
                }}
            </main>
        </div>
    }
}
