//! The case list, rendered from summaries (never from loaded documents).

use crate::app_state::AppState;
use crate::labels;
use leptos::prelude::*;

#[component]
pub fn CaseList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = move || {
        let pending = state.pending.get();
        let mut list = state.summaries.get();
        list.sort_by(|a, b| {
            b.updated_ms
                .cmp(&a.updated_ms)
                .then(a.doc_id.cmp(&b.doc_id))
        });
        list.into_iter()
            .map(|s| {
                let is_pending = pending.contains_key(&s.doc_id);
                (s, is_pending)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="case-list" aria-labelledby="case-list-title">
            <h2 id="case-list-title">
                "Cases " <span class="count">{move || state.summaries.with(Vec::len)}</span>
            </h2>
            <Show
                when=move || state.ready.get()
                fallback=|| view! { <p class="loading">"Opening local storage…"</p> }
            >
                <Show
                    when=move || state.summaries.with(|s| !s.is_empty())
                    fallback=|| view! { <p class="empty">"No cases on this device yet."</p> }
                >
                    <ul>
                        <For
                            each=rows
                            key=|(s, pending)| (s.doc_id, s.updated_ms, *pending)
                            children=move |(s, pending)| {
                                view! {
                                    <li
                                        class="case-row"
                                        data-testid="case-row"
                                        data-doc-id=s.doc_id.to_hex()
                                        data-pending=pending.to_string()
                                    >
                                        <span class="name">{s.display_name()}</span>
                                        <span class="meta">
                                            {labels::category(s.category)} " · " {s.status.map(labels::status).unwrap_or_default()}
                                        </span>
                                        {pending.then(|| view! {
                                            <span class="badge pending">"Not uploaded yet"</span>
                                        })}
                                    </li>
                                }
                            }
                        />
                    </ul>
                </Show>
            </Show>
        </section>
    }
}
