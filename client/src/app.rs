//! The root component: starts the device loop, provides it as context, and
//! lays out the single screen of this version.

use leptos::prelude::*;

use crate::app_state::AppState;
use crate::case_form::CaseForm;
use crate::case_list::CaseList;
use crate::device_loop;
use crate::sync_panel::SyncPanel;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let device = device_loop::start(state);
    provide_context(state);
    provide_context(device);

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
                        <CaseForm/>
                        <CaseList/>
                    }.into_any(),
                }}
            </main>
        </div>
    }
}
