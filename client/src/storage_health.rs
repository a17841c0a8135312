//! Whether the browser keeps this device's data: usage and quota, the
//! persistent-storage grant, and noticing that stored data was evicted.
//!
//! Browsers may delete an origin's IndexedDB when space runs low unless the
//! origin holds the persistent-storage grant. A device then simply finds no
//! vault, which looks exactly like a first visit. To tell the two apart, a
//! localStorage marker (`homeward.vaultCreated`, the time in ms the vault was
//! first seen) is written while a vault exists: marker present and no vault
//! means the data went without this app erasing it (a wipe removes the
//! marker with the app's other localStorage keys). Where the browser evicts
//! localStorage together with IndexedDB (Safari's seven-day rule for sites
//! not added to the home screen, for one) nothing is left to tell, and the
//! app starts fresh without a warning.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::t;

/// Written while a vault exists; its value is when it was first seen.
pub const LS_VAULT_CREATED: &str = "homeward.vaultCreated";

thread_local! {
    // Reference-counted: an arena signal would be disposed with the first
    // view that asked for it.
    static EVICTED: RefCell<Option<ArcRwSignal<bool>>> = const { RefCell::new(None) };
}

/// Set when this page found the marker but no vault: read by
/// [`EvictionWarning`].
pub fn evicted_signal() -> ArcRwSignal<bool> {
    EVICTED.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| ArcRwSignal::new(false))
            .clone()
    })
}

pub fn set_evicted(evicted: bool) {
    evicted_signal().set(evicted);
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Call whenever a vault exists (found at start, created, unlocked): keeps
/// the marker that [`evicted`] looks for. The first time is kept.
pub fn note_vault_present() {
    let Some(ls) = local_storage() else {
        return;
    };
    if matches!(ls.get_item(LS_VAULT_CREATED), Ok(Some(_))) {
        return;
    }
    let now = js_sys::Date::now().to_string();
    if ls.set_item(LS_VAULT_CREATED, &now).is_err() {
        tracing::warn!("could not write the storage marker; eviction will go unnoticed");
    }
}

/// When the vault marker was first written, if it is there.
pub fn vault_created_ms() -> Option<i64> {
    let value = local_storage()?.get_item(LS_VAULT_CREATED).ok()??;
    value.parse::<f64>().ok().map(|ms| ms as i64)
}

/// Call when the app found no vault in storage: true if one existed here
/// before and the app did not erase it, i.e. the browser removed the data.
/// The finding is also kept for [`EvictionWarning`].
pub fn evicted() -> bool {
    let evicted = vault_created_ms().is_some();
    if evicted {
        tracing::warn!("a vault existed on this device and is gone: storage was evicted");
        set_evicted(true);
    }
    evicted
}

/// Forgets the marker and the warning (the device was erased on purpose).
pub fn forget() {
    if let Some(ls) = local_storage() {
        let _ = ls.remove_item(LS_VAULT_CREATED);
    }
    set_evicted(false);
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // `navigator.storage` is missing outside secure contexts.
    let storage = js_sys::Reflect::get(&navigator, &JsValue::from_str("storage")).ok()?;
    if storage.is_undefined() || storage.is_null() {
        return None;
    }
    Some(storage.unchecked_into())
}

/// Bytes used by this origin and the most it may use, as the browser
/// estimates them (`navigator.storage.estimate()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub usage: f64,
    pub quota: f64,
}

pub async fn estimate() -> Option<Estimate> {
    let promise = storage_manager()?.estimate().ok()?;
    let value: web_sys::StorageEstimate = JsFuture::from(promise).await.ok()?.unchecked_into();
    Some(Estimate {
        usage: value.get_usage().unwrap_or(0.0),
        quota: value.get_quota().unwrap_or(0.0),
    })
}

/// Whether the browser has promised not to evict this origin's data.
pub async fn persisted() -> Option<bool> {
    let promise = storage_manager()?.persisted().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// Asks for that promise (`navigator.storage.persist()`); browsers decide
/// by their own rules (installed app, engagement, a permission prompt).
pub async fn persist() -> Option<bool> {
    let promise = storage_manager()?.persist().ok()?;
    JsFuture::from(promise).await.ok()?.as_bool()
}

/// What happened, what can be done, and how to keep it from happening
/// again; shown while [`evicted_signal`] is set.
#[component]
pub fn EvictionWarning() -> impl IntoView {
    let evicted = evicted_signal();
    move || {
        evicted.get().then(|| {
            view! {
                <div class="evicted-warning" role="alert" data-testid="evicted-warning">
                    <h2>{move || t("sync-evicted-title")}</h2>
                    <p>{move || t("sync-evicted-what")}</p>
                    <p>{move || t("sync-evicted-recover")}</p>
                    <p>{move || t("sync-evicted-prevent")}</p>
                    <button
                        type="button"
                        class="button-secondary"
                        data-testid="evicted-dismiss"
                        on:click=move |_| set_evicted(false)
                    >
                        {move || t("sync-evicted-dismiss")}
                    </button>
                </div>
            }
        })
    }
}
