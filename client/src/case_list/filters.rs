//! The list's filters and sort, the bar that sets them, and what the list
//! remembers of them for the rest of the session (until the app locks).

use std::cell::RefCell;

use leptos::prelude::*;
use shared::case::{Category, ReviewState, Status};
use shared::case_summary::CaseSummary;
use shared::priority::Tier;

use crate::i18n::{lang, t};
use crate::labels;

/// Which current status the list keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    Any,
    /// Cases with no status in their timeline yet.
    NoneRecorded,
    Is(Status),
}

impl StatusFilter {
    const NONE_KEY: &'static str = "none";

    fn key(self) -> &'static str {
        match self {
            StatusFilter::Any => "",
            StatusFilter::NoneRecorded => Self::NONE_KEY,
            StatusFilter::Is(s) => s.as_key(),
        }
    }

    fn from_key(key: &str) -> StatusFilter {
        if key == Self::NONE_KEY {
            return StatusFilter::NoneRecorded;
        }
        Status::from_key(key).map_or(StatusFilter::Any, StatusFilter::Is)
    }

    fn accepts(self, status: Option<Status>) -> bool {
        match self {
            StatusFilter::Any => true,
            StatusFilter::NoneRecorded => status.is_none(),
            StatusFilter::Is(s) => status == Some(s),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub category: Option<Category>,
    pub status: StatusFilter,
    /// Compared with the summary's oblast trimmed.
    pub oblast: Option<String>,
    pub tier: Option<Tier>,
    pub review: Option<ReviewState>,
    pub conflicts_only: bool,
}

impl Filters {
    pub fn accepts(&self, s: &CaseSummary, tier: Tier) -> bool {
        self.category.is_none_or(|c| s.category == c)
            && self.status.accepts(s.status)
            && self.oblast.as_deref().is_none_or(|o| s.oblast.trim() == o)
            && self.tier.is_none_or(|t| t == tier)
            && self.review.is_none_or(|r| s.review == r)
            && (!self.conflicts_only || s.conflicts > 0)
    }

    /// How many filters are set (shown on the disclosure button).
    pub fn active(&self) -> usize {
        [
            self.category.is_some(),
            self.status != StatusFilter::Any,
            self.oblast.is_some(),
            self.tier.is_some(),
            self.review.is_some(),
            self.conflicts_only,
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }

    pub fn is_empty(&self) -> bool {
        self.active() == 0
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Most vulnerable first (`shared::priority::compare`).
    #[default]
    Priority,
    /// Most recently changed on this device first.
    Updated,
}

impl SortOrder {
    fn key(self) -> &'static str {
        match self {
            SortOrder::Priority => "priority",
            SortOrder::Updated => "updated",
        }
    }

    fn from_key(key: &str) -> SortOrder {
        match key {
            "updated" => SortOrder::Updated,
            _ => SortOrder::Priority,
        }
    }
}

/// What the list keeps while another screen is open, so going back to the
/// list finds the same search, filters and place.
#[derive(Debug, Clone, Default)]
pub struct Remembered {
    pub query: String,
    pub filters: Filters,
    pub sort: SortOrder,
    pub filters_open: bool,
    pub scroll_y: f64,
}

thread_local! {
    // Plain data, not signals: signals belong to the list's owner and die
    // with it when another screen is shown.
    static SESSION: RefCell<Remembered> = RefCell::new(Remembered::default());
}

pub fn remembered() -> Remembered {
    SESSION.with(|s| s.borrow().clone())
}

pub fn remember(change: impl FnOnce(&mut Remembered)) {
    SESSION.with(|s| change(&mut s.borrow_mut()));
}

/// Forgets the search (a name) and the filters: called when the app locks.
pub fn forget_session() {
    SESSION.with(|s| *s.borrow_mut() = Remembered::default());
}

/// One `<select>` with its visible label. `options` is called inside a
/// reactive closure, so the option texts follow the language (and the
/// oblasts follow the summaries).
fn choice(
    id: &'static str,
    label: fn() -> String,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    current: Signal<String>,
    disabled: Signal<bool>,
    pick: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label for=id class="list-control">
            <span class="list-control-label">{move || label()}</span>
            <select
                id=id
                data-testid=id
                prop:disabled=move || disabled.get()
                on:change=move |ev| pick(event_target_value(&ev))
            >
                {move || {
                    options()
                        .into_iter()
                        .map(|(value, text)| {
                            let selected = value.clone();
                            view! {
                                <option
                                    value=value
                                    prop:selected=move || current.with(|c| *c == selected)
                                >
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

fn any_option() -> (String, String) {
    (String::new(), t("list-filter-any"))
}

fn keyed<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    name: fn(T) -> String,
) -> Vec<(String, String)> {
    std::iter::once(any_option())
        .chain(all.iter().map(|&v| (key(v).to_owned(), name(v))))
        .collect()
}

/// The search's companions: the filters disclosure, the sort, and the
/// filters themselves.
#[component]
pub fn FilterBar(
    filters: RwSignal<Filters>,
    sort: RwSignal<SortOrder>,
    open: RwSignal<bool>,
    /// A search is shown: matches come best first and the sort is off.
    searching: Signal<bool>,
    /// The distinct oblasts of the cases on this device.
    oblasts: Memo<Vec<String>>,
) -> impl IntoView {
    let active = Memo::new(move |_| filters.with(Filters::active));
    let never = Signal::stored(false);
    let current = move |get: fn(&Filters) -> String| Signal::derive(move || filters.with(get));

    let sort_choice = choice(
        "case-sort",
        || t("list-sort"),
        || {
            [SortOrder::Priority, SortOrder::Updated]
                .into_iter()
                .map(|s| {
                    let text = match s {
                        SortOrder::Priority => t("list-sort-priority"),
                        SortOrder::Updated => t("list-sort-updated"),
                    };
                    (s.key().to_owned(), text)
                })
                .collect()
        },
        Signal::derive(move || sort.get().key().to_owned()),
        searching,
        move |key| sort.set(SortOrder::from_key(&key)),
    );

    let category = choice(
        "filter-category",
        || t("list-filter-category"),
        || keyed(Category::ALL, Category::as_key, labels::category),
        current(|f| f.category.map_or("", Category::as_key).to_owned()),
        never,
        move |key| filters.update(|f| f.category = Category::from_key(&key)),
    );
    let status = choice(
        "filter-status",
        || t("list-filter-status"),
        || {
            let mut options = keyed(Status::ALL, Status::as_key, labels::status);
            options.insert(
                1,
                (StatusFilter::NONE_KEY.to_owned(), t("list-status-none")),
            );
            options
        },
        current(|f| f.status.key().to_owned()),
        never,
        move |key| filters.update(|f| f.status = StatusFilter::from_key(&key)),
    );
    let oblast = choice(
        "filter-oblast",
        || t("list-filter-oblast"),
        move || {
            let mut names = oblasts.get();
            // A remembered choice stays selectable after its last case left.
            if let Some(chosen) = filters.with(|f| f.oblast.clone())
                && !names.contains(&chosen)
            {
                names.push(chosen);
            }
            sort_for_language(&mut names);
            std::iter::once(any_option())
                .chain(names.into_iter().map(|n| (n.clone(), n)))
                .collect()
        },
        current(|f| f.oblast.clone().unwrap_or_default()),
        never,
        move |name| filters.update(|f| f.oblast = (!name.is_empty()).then_some(name)),
    );
    let tier = choice(
        "filter-tier",
        || t("list-filter-tier"),
        || keyed(Tier::ALL, Tier::as_key, labels::tier),
        current(|f| f.tier.map_or("", Tier::as_key).to_owned()),
        never,
        move |key| {
            filters.update(|f| f.tier = Tier::ALL.iter().copied().find(|t| t.as_key() == key))
        },
    );
    let review = choice(
        "filter-review",
        || t("list-filter-review"),
        || keyed(ReviewState::ALL, ReviewState::as_key, labels::review),
        current(|f| f.review.map_or("", ReviewState::as_key).to_owned()),
        never,
        move |key| filters.update(|f| f.review = ReviewState::from_key(&key)),
    );

    view! {
        <div class="list-tools">
            <button
                type="button"
                class="button-secondary filters-toggle"
                data-testid="filters-toggle"
                data-active=move || active.get().to_string()
                aria-expanded=move || open.get().to_string()
                aria-controls="case-filters"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || match active.get() {
                    0 => t("list-filters"),
                    n => crate::tr!("list-filters-active", n = n),
                }}
            </button>
            {sort_choice}
        </div>
        <p class="list-hint" hidden=move || !searching.get()>
            {move || t("list-sorted-by-match")}
        </p>
        <div
            id="case-filters"
            class="list-filters"
            data-testid="filters"
            role="group"
            aria-label=move || t("list-filters")
            hidden=move || !open.get()
        >
            {category}
            {status}
            {oblast}
            {tier}
            {review}
            <label class="list-check">
                <input
                    type="checkbox"
                    data-testid="filter-conflicts"
                    prop:checked=move || filters.with(|f| f.conflicts_only)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        filters.update(|f| f.conflicts_only = on);
                    }
                />
                <span>{move || t("list-filter-conflicts")}</span>
            </label>
            <button
                type="button"
                class="button-secondary"
                data-testid="filters-clear"
                on:click=move |_| filters.set(Filters::default())
            >
                {move || t("list-filters-clear")}
            </button>
        </div>
    }
}

/// Alphabetical in the reader's language (Ukrainian і, ї, є sort where a
/// Ukrainian reader looks for them, not after я).
fn sort_for_language(names: &mut [String]) {
    let locales = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(lang().code()));
    let collator = js_sys::Intl::Collator::new(&locales, &js_sys::Object::new());
    let compare = collator.compare();
    names.sort_by(|a, b| {
        compare
            .call2(
                &wasm_bindgen::JsValue::NULL,
                &wasm_bindgen::JsValue::from_str(a),
                &wasm_bindgen::JsValue::from_str(b),
            )
            .ok()
            .and_then(|v| v.as_f64())
            .map_or_else(
                || a.cmp(b),
                |n| n.partial_cmp(&0.0).unwrap_or(std::cmp::Ordering::Equal),
            )
    });
}
