//! Which screen is shown, kept in the address bar's fragment (`#/cases`,
//! `#/case/<id>`, …) so the phone's back button and a reload both work.
//!
//! The fragment, not the path: the relay serves one page, the service
//! worker caches one page, and a fragment never reaches any server. An
//! invite's `#join=` fragment is not a route; the device loop takes it out
//! of the address bar before anything reads it.

use leptos::prelude::*;
use shared::ids::DocId;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Cases,
    NewCase,
    Case(DocId),
    EditCase(DocId),
    ReleaseList,
    Sync,
    Settings,
}

impl Route {
    pub fn parse(fragment: &str) -> Route {
        let path = fragment.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["new"] => Route::NewCase,
            ["case", id] => id.parse().map_or(Route::Cases, Route::Case),
            ["case", id, "edit"] => id.parse().map_or(Route::Cases, Route::EditCase),
            ["release"] => Route::ReleaseList,
            ["sync"] => Route::Sync,
            ["settings"] => Route::Settings,
            _ => Route::Cases,
        }
    }

    pub fn fragment(self) -> String {
        match self {
            Route::Cases => "#/cases".into(),
            Route::NewCase => "#/new".into(),
            Route::Case(id) => format!("#/case/{}", id.to_hex()),
            Route::EditCase(id) => format!("#/case/{}/edit", id.to_hex()),
            Route::ReleaseList => "#/release".into(),
            Route::Sync => "#/sync".into(),
            Route::Settings => "#/settings".into(),
        }
    }

    /// The bottom-bar tab this screen belongs to.
    pub fn tab(self) -> Route {
        match self {
            Route::Case(_) | Route::EditCase(_) => Route::Cases,
            other => other,
        }
    }
}

/// The current screen, provided as context.
#[derive(Debug, Clone, Copy)]
pub struct Router {
    pub route: RwSignal<Route>,
}

impl Router {
    /// Reads the address bar and follows it from now on.
    pub fn start() -> Router {
        let route = RwSignal::new(current());
        if let Some(window) = web_sys::window() {
            let cb = Closure::<dyn FnMut()>::new(move || {
                let next = current();
                if route.get_untracked() != next {
                    route.set(next);
                }
            });
            let _ =
                window.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
            // Follows the address bar for the life of the page.
            cb.forget();
        }
        Router { route }
    }

    /// Shows `to` and adds it to the back/forward list.
    pub fn go(&self, to: Route) {
        if self.route.get_untracked() == to {
            return;
        }
        if let Some(window) = web_sys::window() {
            // Fires `hashchange`, which sets the signal.
            let _ = window.location().set_hash(&to.fragment());
        }
        self.route.set(to);
    }

    /// Shows `to` in place of the current entry (after saving a form, so
    /// back does not return to it).
    pub fn replace(&self, to: Route) {
        if let Some(window) = web_sys::window()
            && let Ok(history) = window.history()
        {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&to.fragment()),
            );
        }
        self.route.set(to);
    }
}

fn current() -> Route {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| Route::parse(&h))
        .unwrap_or(Route::Cases)
}

/// The router from context.
pub fn use_router() -> Router {
    expect_context::<Router>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_round_trip() {
        let id = DocId([7; 16]);
        for r in [
            Route::Cases,
            Route::NewCase,
            Route::Case(id),
            Route::EditCase(id),
            Route::ReleaseList,
            Route::Sync,
            Route::Settings,
        ] {
            assert_eq!(Route::parse(&r.fragment()), r);
        }
        assert_eq!(Route::parse("#join=abc"), Route::Cases);
        assert_eq!(Route::parse("#/case/zz"), Route::Cases);
    }
}
