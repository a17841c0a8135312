//! Small waits on the browser's event loop.

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
/// microtasks, and a timer a few frames away lets the browser paint.
pub async fn after_paint() {
    sleep_ms(50).await;
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
