//! Small waits on the browser's event loop.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds (a `setTimeout`).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if scheduled != Some(true) {
            // No timer to wait on (not in a window): do not wait at all.
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Lets the page render what was just set (a "securing…" notice) before a
/// long computation blocks the main thread: reactive updates run as
/// microtasks, and a task queued from the next animation frame runs after
/// that frame was painted. Hidden tabs get no animation frames, so a 50 ms
/// timer races it (it was a flat 50 ms before: ~40 ms of every unlock).
pub async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let fallback = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .is_ok();
        let next_task = {
            let (window, resolve) = (window.clone(), resolve.clone());
            Closure::once_into_js(move || {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            })
        };
        let framed = window
            .request_animation_frame(next_task.unchecked_ref())
            .is_ok();
        if !fallback && !framed {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// The documenter's local calendar date: dates in cases are local dates,
/// and priorities depend on the day.
pub fn local_today() -> shared::partial_date::Date {
    let now = js_sys::Date::new_0();
    shared::partial_date::Date::new(
        now.get_full_year() as i32,
        (now.get_month() + 1) as u8,
        now.get_date() as u8,
    )
    .unwrap_or_else(|_| shared::partial_date::Date::from_unix_ms(now.get_time() as i64))
}

/// A `performance.mark`: the start-up benchmark reads these to say where
/// the time from unlock to an interactive list goes.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Hands `bytes` to the browser as a downloaded file called `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::{JsCast, JsValue};
    let no_document = || JsValue::from_str("no document");
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(no_document)?;
    let body = document.body().ok_or_else(no_document)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    body.append_child(&link)?;
    link.click();
    link.remove();
    // Some browsers read the Blob after `click` returns, and revoking at
    // once can cancel the download: free the file's memory a little later.
    leptos::task::spawn_local(async move {
        sleep_ms(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}
