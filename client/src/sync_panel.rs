//! Online/offline, pending uploads and last sync, always in view.

use leptos::prelude::*;
use shared::sync_engine::Connection;

use crate::app_state::AppState;

fn connection_key(c: Connection) -> &'static str {
    match c {
        Connection::Offline => "offline",
        Connection::Waiting => "waiting",
        Connection::Connecting => "connecting",
        Connection::Connected => "connected",
    }
}

fn connection_label(c: Connection, network_up: bool) -> &'static str {
    match c {
        Connection::Connected => "Online",
        Connection::Connecting => "Connecting…",
        Connection::Waiting => "Relay unreachable, retrying",
        Connection::Offline if network_up => "Not connected",
        Connection::Offline => "Offline",
    }
}

fn clock_time(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

#[component]
pub fn SyncPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sync = state.sync;
    view! {
        <section
            class="sync-panel"
            data-testid="sync-status"
            aria-live="polite"
            data-connection=move || connection_key(sync.get().connection)
            data-pending=move || sync.get().pending_uploads.to_string()
            data-last-sync=move || sync.get().last_sync_ms.map(|ms| ms.to_string()).unwrap_or_default()
        >
            <span class=move || format!("dot {}", connection_key(sync.get().connection))></span>
            <span class="connection">
                {move || { let s = sync.get(); connection_label(s.connection, s.network_up) }}
            </span>
            <span class="pending">
                {move || match sync.get().pending_uploads {
                    0 => "All changes uploaded".to_owned(),
                    1 => "1 change waiting to upload".to_owned(),
                    n => format!("{n} changes waiting to upload"),
                }}
            </span>
            <span class="last-sync">
                {move || match sync.get().last_sync_ms {
                    Some(ms) => format!("Last sync {}", clock_time(ms)),
                    None => "Not synced yet".to_owned(),
                }}
            </span>
            {move || sync.get().last_error.map(|e| view! { <span class="sync-error" role="status">{e}</span> })}
        </section>
    }
}
