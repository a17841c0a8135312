//! Registers `sw.js`, which keeps the app shell in the Cache API so the app
//! opens with no network after the first visit, and runs a new version from
//! the next start (how, and why then, is written at the top of `sw.js`).
//! The browser looks for a new `sw.js` itself on each navigation, bypassing
//! its HTTP cache for the worker script (the default `updateViaCache`).

use wasm_bindgen_futures::JsFuture;

pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // Absent on insecure origins other than localhost; the app still works
    // online there.
    if container.is_undefined() {
        tracing::warn!("service workers unavailable: the app will not open offline");
        return;
    }
    let promise = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = JsFuture::from(promise).await {
            tracing::warn!("service worker registration failed: {err:?}");
        }
    });
}
