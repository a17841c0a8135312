//! The release-list builder: choose, order by priority, redact per
//! recipient, preview, export.

use leptos::prelude::*;

#[component]
pub fn ReleaseList() -> impl IntoView {
    view! { <section class="card release-list" data-testid="release-list"></section> }
}
