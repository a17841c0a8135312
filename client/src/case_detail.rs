//! One case, whole: priority and its reasons, timeline, detention, sources,
//! family and consent, interventions, conflicts and history.

use leptos::prelude::*;
use shared::ids::DocId;

#[component]
pub fn CaseDetail(doc_id: DocId) -> impl IntoView {
    view! { <section class="card case-detail" data-testid="case-detail" data-doc-id=doc_id.to_hex()></section> }
}
