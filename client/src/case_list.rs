//! The case list (DESIGN §6): search across scripts, filters, sort by
//! priority or last change, rendered from summaries (never from loaded
//! documents) and virtualised, so 10⁵ cases cost the DOM only the rows in
//! view.
//!
//! Cost per kind of change, for n summaries:
//! - summaries: priorities O(n) (only changed summaries are re-ranked),
//!   sort O(n log n), filter O(n);
//! - sort: O(n log n); filters: O(n); query (debounced): the matcher's
//!   O(n) scan plus O(n) filter;
//! - scrolling: only the rows entering the window are built.

mod filters;
mod order;
mod window;

use std::time::Duration;

use leptos::ev;
use leptos::html::Ul;
use leptos::prelude::*;
use shared::case::{Category, ReviewState, Status};
use shared::ids::DocId;
use shared::priority::Tier;
use web_sys::KeyboardEvent;

use crate::app::{Access, AccessNotice, access};
use crate::app_state::AppState;
use crate::i18n::{fmt_number, t};
use crate::labels;
use crate::route::{Route, Router, use_router};
use crate::tr;

pub use filters::forget_session;
use filters::{FilterBar, Filters};
use order::Ranked;
use window::{ROW_HEIGHT_PX, Viewport};

/// Typing pauses this long before the search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(150);

/// What one rendered row shows; also its key, so a row is rebuilt only
/// when something it shows (or its position) changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Row {
    pos: usize,
    doc_id: DocId,
    name: String,
    category: Category,
    status: Option<Status>,
    oblast: String,
    review: ReviewState,
    tier: Tier,
    conflicts: u16,
    pending: bool,
}

#[component]
pub fn CaseList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let router = use_router();
    let access = access(state);

    let memory = filters::remembered();
    let query_text = RwSignal::new(memory.query.clone());
    let query = RwSignal::new(memory.query);
    let filters = RwSignal::new(memory.filters);
    let sort = RwSignal::new(memory.sort);
    let open = RwSignal::new(memory.filters_open);
    Effect::new(move |_| {
        let (q, f, s, o) = (query.get(), filters.get(), sort.get(), open.get());
        filters::remember(|m| {
            m.query = q;
            m.filters = f;
            m.sort = s;
            m.filters_open = o;
        });
    });

    // The list's day: ages and detention lengths grow, so priorities are
    // for today, fixed while the list is shown.
    let today = crate::browser::local_today();
    let ranked = Memo::new(move |previous: Option<&Vec<Ranked>>| {
        state
            .summaries
            .with(|all| order::rank_all(all, previous, today))
    });
    let ordered = Memo::new(move |_| {
        let sort = sort.get();
        ranked.with(|r| order::order(r, sort))
    });
    let found =
        Memo::new(move |_| query.with(|q| state.summaries.with(|all| order::matches(all, q))));
    let searching = Signal::derive(move || found.with(Option::is_some));
    let shown = Memo::new(move |_| {
        let pick = |candidates: &[u32]| {
            filters.with(|f| {
                state
                    .summaries
                    .with(|all| ranked.with(|r| order::select(candidates, all, r, f)))
            })
        };
        found.with(|found| match found {
            Some(matches) => pick(matches),
            None => ordered.with(|o| pick(o)),
        })
    });
    let shown_len = Memo::new(move |_| shown.with(Vec::len));
    let total = Memo::new(move |_| state.summaries.with(Vec::len));
    let oblasts = Memo::new(move |_| {
        state.summaries.with(|all| {
            let names: std::collections::BTreeSet<&str> = all
                .iter()
                .map(|s| s.oblast.trim())
                .filter(|o| !o.is_empty())
                .collect();
            names.into_iter().map(str::to_owned).collect::<Vec<_>>()
        })
    });

    // The window of rows in the DOM.
    let list_ref = NodeRef::<Ul>::new();
    let viewport = RwSignal::new(Viewport::initial());
    let range = Memo::new(move |_| window::visible(viewport.get(), shown_len.get()));
    let rows = Memo::new(move |_| {
        let (start, end) = range.get();
        shown.with(|shown| {
            let positions = shown.get(start..end).unwrap_or(&[]);
            state.summaries.with(|all| {
                ranked.with(|ranked| {
                    state.pending.with(|pending| {
                        positions
                            .iter()
                            .enumerate()
                            .filter_map(|(k, &i)| {
                                let s = all.get(i as usize)?;
                                Some(Row {
                                    pos: start + k,
                                    doc_id: s.doc_id,
                                    name: s.display_name(),
                                    category: s.category,
                                    status: s.status,
                                    oblast: s.oblast.trim().to_owned(),
                                    review: s.review,
                                    tier: order::tier_at(ranked, i as usize),
                                    conflicts: s.conflicts,
                                    pending: pending.contains_key(&s.doc_id),
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                })
            })
        })
    });

    let measure = move || {
        if let Some(v) = window::measure(list_ref)
            && viewport.try_get_untracked() != Some(v)
        {
            viewport.set(v);
        }
    };
    let on_scroll = window_event_listener(ev::scroll, move |_| {
        measure();
        let y = window::scroll_y();
        filters::remember(|m| m.scroll_y = y);
    });
    let on_resize = window_event_listener(ev::resize, move |_| measure());
    // Whatever moves the list down the page (the filters opening, a notice
    // appearing, the list filling) is measured after layout.
    Effect::new(move |_| {
        let _ = list_ref.get();
        open.track();
        shown_len.track();
        state.ready.track();
        access.track();
        request_animation_frame(measure);
    });

    // Back from a case: the same place in the list.
    let restore_y = StoredValue::new(Some(memory.scroll_y).filter(|y| *y > 0.0));
    Effect::new(move |_| {
        if !state.ready.get() || shown_len.get() == 0 {
            return;
        }
        if let Some(y) = restore_y.try_update_value(Option::take).flatten() {
            request_animation_frame(move || window::scroll_to(y));
        }
    });

    // `data-interactive` and the performance mark: the first window of
    // rows is in the DOM (the rAF runs after the render effects).
    let interactive = RwSignal::new(false);
    Effect::new(move |_| {
        if !state.ready.get() || interactive.get_untracked() {
            return;
        }
        rows.track();
        request_animation_frame(move || {
            if interactive.try_get_untracked() == Some(false) {
                interactive.set(true);
                window::mark_interactive_once();
            }
        });
    });

    // Search: debounced, then timed from applying the query to the frame
    // that shows its rows.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let search_started = StoredValue::new(None::<f64>);
    // (query, ms, how many searches so far): the benchmark waits for the
    // count to change, then reads the time.
    let searched = RwSignal::new(None::<(String, f64, u32)>);
    let apply = move |text: String| {
        if let Some(Some(handle)) = timer.try_update_value(Option::take) {
            handle.clear();
        }
        if search_started.try_set_value(Some(window::now())).is_none() {
            query.try_set(text);
        }
    };
    Effect::new(move |_| {
        let q = query.get();
        rows.track();
        let Some(started) = search_started.try_update_value(Option::take).flatten() else {
            return;
        };
        request_animation_frame(move || {
            let ms = window::now() - started;
            let _ = searched.try_update(|s| {
                let seq = s.as_ref().map_or(0, |(_, _, seq)| *seq) + 1;
                *s = Some((q, ms, seq));
            });
        });
    });
    on_cleanup(move || {
        on_scroll.remove();
        on_resize.remove();
        if let Some(Some(handle)) = timer.try_get_value() {
            handle.clear();
        }
        // The next screen starts at its top, not at this list's offset.
        window::scroll_to(0.0);
    });

    let clear_all = move || {
        query_text.set(String::new());
        apply(String::new());
        filters.set(Filters::default());
        // The message and its button are gone: the search box is where the
        // next step starts.
        window::focus_by_id("case-search");
    };

    let on_keydown = move |ev: KeyboardEvent| {
        let step: isize = match ev.key().as_str() {
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            _ => return,
        };
        let Some(pos) = window::row_pos_of(&ev) else {
            return;
        };
        let Some(target) = pos
            .checked_add_signed(step)
            .filter(|t| *t < shown_len.get_untracked())
        else {
            return;
        };
        ev.prevent_default();
        window::focus_row(list_ref, target);
    };

    view! {
        <AccessNotice/>
        <section
            class="case-list"
            aria-labelledby="case-list-title"
            data-testid="case-list"
            data-interactive=move || interactive.get().to_string()
            data-search-ms=move || searched.with(|s| s.as_ref().map(|(_, ms, _)| format!("{ms:.1}")))
            data-search-query=move || searched.with(|s| s.as_ref().map(|(q, _, _)| q.clone()))
            data-search-seq=move || searched.with(|s| s.as_ref().map(|(_, _, seq)| seq.to_string()))
        >
            <div class="list-head">
                <h2 id="case-list-title">{move || t("list-title")}</h2>
                <p
                    class="list-count"
                    data-testid="case-count"
                    data-shown=move || shown_len.get().to_string()
                    data-total=move || total.get().to_string()
                    hidden=move || !state.ready.get()
                    role="status"
                >
                    {move || {
                        let (shown, total) = (shown_len.get(), total.get());
                        if shown == total {
                            tr!("list-count", n = total, count = fmt_number(total as f64))
                        } else {
                            tr!(
                                "list-count-shown",
                                n = total,
                                shown = fmt_number(shown as f64),
                                count = fmt_number(total as f64),
                            )
                        }
                    }}
                </p>
            </div>
            <label for="case-search" class="list-search">
                <span class="list-control-label">{move || t("list-search-label")}</span>
                <input
                    id="case-search"
                    type="search"
                    data-testid="case-search"
                    autocomplete="off"
                    spellcheck="false"
                    enterkeyhint="search"
                    placeholder=move || t("list-search-placeholder")
                    prop:value=move || query_text.get()
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        query_text.set(text.clone());
                        if let Some(Some(handle)) = timer.try_update_value(Option::take) {
                            handle.clear();
                        }
                        let handle = set_timeout_with_handle(move || apply(text), SEARCH_DEBOUNCE).ok();
                        timer.set_value(handle);
                    }
                    on:keydown=move |ev: KeyboardEvent| {
                        if ev.key() == "Enter" {
                            apply(query_text.get_untracked());
                        }
                    }
                />
            </label>
            <FilterBar filters sort open searching oblasts/>
            {move || {
                if !state.ready.get() {
                    return Some(view! {
                        <p class="list-state loading" role="status" data-testid="list-loading">
                            {move || t("list-loading")}
                        </p>
                    }.into_any());
                }
                if total.get() == 0 {
                    return Some(view! {
                        <div class="list-state" role="status" data-testid="list-empty">
                            <p>{move || t("list-empty")}</p>
                            {move || (access.get() == Access::Write).then(|| new_case_link(router))}
                        </div>
                    }.into_any());
                }
                (shown_len.get() == 0).then(|| view! {
                    <div class="list-state" role="status" data-testid="list-no-match">
                        <p>{move || t("list-no-match")}</p>
                        <button
                            type="button"
                            class="button-secondary"
                            data-testid="list-clear-all"
                            on:click=move |_| clear_all()
                        >
                            {move || t("list-clear-all")}
                        </button>
                    </div>
                }.into_any())
            }}
            <ul
                class="case-rows"
                node_ref=list_ref
                aria-labelledby="case-list-title"
                style:height=move || format!("{}px", shown_len.get() as f64 * ROW_HEIGHT_PX)
                on:keydown=on_keydown
            >
                <For
                    each=move || rows.get()
                    key=Row::clone
                    children=move |row| row_view(row, router, shown_len)
                />
            </ul>
        </section>
    }
}

fn new_case_link(router: Router) -> impl IntoView {
    view! {
        <a
            class="list-new-case"
            href=Route::NewCase.fragment()
            data-testid="list-new-case"
            on:click=move |ev| {
                ev.prevent_default();
                router.go(Route::NewCase);
            }
        >
            {move || t("list-new-case")}
        </a>
    }
}

fn row_view(row: Row, router: Router, set_size: Memo<usize>) -> impl IntoView {
    let Row {
        pos,
        doc_id,
        name,
        category,
        status,
        oblast,
        review,
        tier,
        conflicts,
        pending,
    } = row;
    let to = Route::Case(doc_id);
    let meta = move || {
        let status = status.map_or_else(|| t("list-status-none"), labels::status);
        let mut parts = vec![labels::category(category), status];
        if !oblast.is_empty() {
            parts.push(oblast.clone());
        }
        parts.join(" · ")
    };
    view! {
        <li
            class="case-row"
            data-testid="case-row"
            data-doc-id=doc_id.to_hex()
            data-pending=pending.to_string()
            data-tier=tier.as_key()
            data-conflicts=conflicts.to_string()
            data-pos=pos.to_string()
            aria-posinset=(pos + 1).to_string()
            aria-setsize=move || set_size.get().to_string()
            style:top=format!("{}px", pos as f64 * ROW_HEIGHT_PX)
        >
            <a
                class="case-link"
                href=to.fragment()
                on:click=move |ev| {
                    ev.prevent_default();
                    router.go(to);
                }
            >
                <span class="case-line">
                    <span class="case-name">
                        {move || if name.is_empty() { t("list-unnamed") } else { name.clone() }}
                    </span>
                    <span class=format!("badge tier tier-{}", tier.as_key())>
                        {move || labels::tier(tier)}
                    </span>
                </span>
                <span class="case-meta">{meta}</span>
                <span class="case-badges">
                    <span class=format!("badge review review-{}", review.as_key())>
                        {move || labels::review(review)}
                    </span>
                    {(conflicts > 0).then(|| view! {
                        <span class="badge conflicts">
                            {move || tr!("list-conflicts", n = conflicts)}
                        </span>
                    })}
                    {pending.then(|| view! {
                        <span class="badge pending">{move || t("list-pending")}</span>
                    })}
                </span>
            </a>
        </li>
    }
}
