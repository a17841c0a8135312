//! Online/offline, pending uploads, last sync, role, refusals and bootstrap
//! progress, entries set aside, always in view (while unlocked).

use leptos::prelude::*;
use shared::sync_engine::{BootstrapProgress, Connection};
use shared::wire::ErrorCode;

use crate::app_state::AppState;

fn connection_key(c: Connection) -> &'static str {
    match c {
        Connection::Offline => "offline",
        Connection::Waiting => "waiting",
        Connection::Connecting => "connecting",
        Connection::Connected => "connected",
        Connection::Refused => "refused",
    }
}

fn connection_label(c: Connection, network_up: bool, joined: bool) -> &'static str {
    match c {
        Connection::Connected => "Online",
        Connection::Connecting => "Connecting…",
        Connection::Waiting => "Relay unreachable, retrying",
        Connection::Refused => "Refused by the relay",
        Connection::Offline if !joined => "Not in a workspace",
        Connection::Offline if network_up => "Not connected",
        Connection::Offline => "Offline",
    }
}

/// What a refusal means for the person holding the device, and what to do.
pub fn refusal_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Revoked => {
            "A coordinator removed this device from the workspace. It no longer syncs; the cases \
             on it stay here. Ask your coordinator what to do next."
        }
        ErrorCode::NotMember => {
            "The relay does not know this device as a member of the workspace. Ask your \
             coordinator for a new invite link and open it on this device."
        }
        ErrorCode::BadTicket => {
            "This invite link was already used, has expired or is not valid. Ask your \
             coordinator for a new invite link and open it on this device."
        }
        ErrorCode::Unauthenticated => {
            "The relay could not verify this device. Check that the device's clock is right, \
             then reload the app; if it happens again, tell your coordinator."
        }
        ErrorCode::BadSignature => {
            "The relay refused an upload from this device because its signature did not \
             verify. Reload the app; if it happens again, tell your coordinator."
        }
        ErrorCode::UnsupportedVersion => {
            "This app and the relay are different versions. Reload the app to update it; if \
             that does not help, tell your coordinator."
        }
        ErrorCode::Malformed
        | ErrorCode::HandshakeRequired
        | ErrorCode::TooLarge
        | ErrorCode::Internal
        | ErrorCode::Forbidden
        | ErrorCode::CursorPruned
        | ErrorCode::RateLimited => {
            "The relay refused this device. Reload the app; if it happens again, tell your \
             coordinator."
        }
    }
}

fn bootstrap_label(p: BootstrapProgress) -> String {
    if p.docs_total == 0 {
        "Preparing to download the workspace's cases…".to_owned()
    } else {
        format!(
            "Downloading the workspace's cases: {} of {}",
            p.docs_done, p.docs_total
        )
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
pub fn SyncBadge() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sync = state.sync;
    let joined = move || state.workspace.get().is_some();
    let bootstrap = move || sync.get().bootstrap;
    view! {
        <section
            class="sync-panel"
            data-testid="sync-status"
            aria-live="polite"
            data-joined=move || joined().to_string()
            data-connection=move || connection_key(sync.get().connection)
            data-pending=move || sync.get().pending_uploads.to_string()
            data-last-sync=move || sync.get().last_sync_ms.map(|ms| ms.to_string()).unwrap_or_default()
            data-role=move || {
                sync.get().role.or(state.role.get()).map(|r| r.as_str()).unwrap_or_default()
            }
            data-refused=move || sync.get().refused.map(|c| c.as_str()).unwrap_or_default()
            data-bootstrap-done=move || bootstrap().map(|p| p.docs_done.to_string()).unwrap_or_default()
            data-bootstrap-total=move || bootstrap().map(|p| p.docs_total.to_string()).unwrap_or_default()
            data-quarantined=move || state.quarantined.get().to_string()
        >
            <span class=move || format!("dot {}", connection_key(sync.get().connection))></span>
            <span class="connection">
                {move || { let s = sync.get(); connection_label(s.connection, s.network_up, joined()) }}
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
            {move || sync.get().role.or(state.role.get()).map(|r| view! {
                <span class="role">"Role: " {r.as_str()}</span>
            })}
            {move || bootstrap().map(|p| view! {
                <span class="bootstrap" data-testid="bootstrap-progress">
                    {(p.docs_total > 0).then(|| view! {
                        <progress max=p.docs_total.to_string() value=p.docs_done.to_string()></progress>
                    })}
                    {(p.docs_total == 0).then(|| view! { <progress></progress> })}
                    " " {bootstrap_label(p)}
                </span>
            })}
            {move || sync.get().refused.map(|code| view! {
                <p class="sync-refused" role="alert" data-testid="sync-refused">
                    {refusal_message(code)}
                </p>
            })}
            {move || match state.quarantined.get() {
                0 => None,
                n => Some(view! {
                    <span class="sync-quarantined" role="status" data-testid="sync-quarantined">
                        {format!(
                            "{n} {} could not be opened and {} set aside; tell your coordinator",
                            if n == 1 { "entry" } else { "entries" },
                            if n == 1 { "was" } else { "were" },
                        )}
                    </span>
                }),
            }}
            {move || {
                let s = sync.get();
                // A refusal has its own message; the raw error would repeat it.
                s.last_error.filter(|_| s.refused.is_none()).map(|e| view! {
                    <span class="sync-error" role="status">{e}</span>
                })
            }}
        </section>
    }
}

/// The sync screen: everything about this device's copy of the workspace.
#[component]
pub fn SyncPage() -> impl IntoView {
    view! { <section class="card sync-page" data-testid="sync-page"></section> }
}
