//! One case, whole: priority and its reasons, timeline, detention, sources,
//! family and consent, interventions, conflicts and history.
//!
//! The screen never holds the document: it asks the device loop for a
//! [`CaseView`] and asks again whenever the case's summary changes (a local
//! edit, or a sync that merged someone else's changes or conflicts), so
//! what it shows is always what is stored.

mod conflicts;
mod history;
mod priority;
mod sections;
mod timeline;

use leptos::prelude::*;
use shared::case::{Case, Status};
use shared::case_validation::FieldError;
use shared::ids::{DeviceId, DocId};
use shared::partial_date::PartialDate;
use shared::priority::Tier;

use crate::app::{Access, AccessNotice, access};
use crate::app_state::AppState;
use crate::device_loop::{CaseChange, CaseView, DeviceHandle, EditError};
use crate::i18n::{fmt_partial_date, t};
use crate::labels;
use crate::route::{Route, use_router};
use crate::tr;

/// What the parts of the screen share. Everything here outlives a reload
/// of the case, so an open form or a revealed number stays as it was when
/// a sync refreshes the screen.
#[derive(Clone)]
struct Screen {
    doc_id: DocId,
    device: DeviceHandle,
    case_view: LocalResource<Result<CaseView, String>>,
    /// The outcome of the last thing done here, announced politely.
    notice: RwSignal<Option<Notice>>,
    /// A change is on its way to the device loop: one at a time.
    busy: RwSignal<bool>,
    status_form: timeline::StatusForm,
    show_documents: RwSignal<bool>,
    show_contacts: RwSignal<bool>,
    show_all_history: RwSignal<bool>,
}

impl Screen {
    /// Makes `change` to the stored case, one at a time. Once it is saved
    /// the screen reloads and announces `done`; `after` hears the outcome
    /// either way.
    fn change(
        &self,
        change: CaseChange,
        done: Notice,
        after: impl FnOnce(Result<(), EditError>) + 'static,
    ) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.notice.set(None);
        let device = self.device.clone();
        let doc_id = self.doc_id;
        let (busy, notice, case_view) = (self.busy, self.notice, self.case_view);
        leptos::task::spawn_local(async move {
            let result = device.change_case(doc_id, change, None).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    notice.set(Some(done));
                    case_view.refetch();
                    after(Ok(()));
                }
                Err(err) => after(Err(err)),
            }
        });
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Notice {
    /// A conflict on this field (dotted path) was settled.
    Kept(String),
    StatusAdded,
    /// Refused by validation (rare outside the status form).
    Invalid(Vec<FieldError>),
    /// Refused by the device loop, with its reason.
    Failed(String),
}

#[component]
pub fn CaseDetail(doc_id: DocId) -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let access = access(state);
    let writable = Memo::new(move |_| access.get() == Access::Write);
    // What a sync or an edit changes in the summary of this case: reloading
    // on it keeps the screen current without reloading on every other
    // case's change.
    let watched = Memo::new(move |_| {
        state.summaries.with(|list| {
            list.iter()
                .find(|s| s.doc_id == doc_id)
                .map(|s| (s.updated_ms, s.conflicts))
        })
    });
    let loader = device.clone();
    let case_view = LocalResource::new(move || {
        watched.track();
        let device = loader.clone();
        async move { device.open_case(doc_id).await }
    });
    let screen = Screen {
        doc_id,
        device,
        case_view,
        notice: RwSignal::new(None),
        busy: RwSignal::new(false),
        status_form: timeline::StatusForm::new(),
        show_documents: RwSignal::new(false),
        show_contacts: RwSignal::new(false),
        show_all_history: RwSignal::new(false),
    };
    let notice = screen.notice;

    let body = move || match case_view.get() {
        None => view! {
            <p class="detail-loading" role="status" data-testid="detail-loading">
                {t("detail-loading")}
            </p>
        }
        .into_any(),
        // Storage is still loading after unlock: the summaries arriving will
        // reload this.
        Some(Err(_)) if !state.ready.get() => view! {
            <p class="detail-loading" role="status" data-testid="detail-loading">
                {t("detail-loading")}
            </p>
        }
        .into_any(),
        Some(Err(message)) => {
            let missing = watched.with_untracked(Option::is_none);
            let router = use_router();
            view! {
                <div class="card detail-problem" role="alert"
                    data-testid=if missing { "detail-not-found" } else { "detail-error" }>
                    <p>{if missing { t("detail-not-on-device") } else { t("detail-load-failed") }}</p>
                    {(!missing).then(|| view! { <p class="detail-problem-reason">{message}</p> })}
                    <button type="button" class="button-secondary" data-testid="detail-back"
                        on:click=move |_| router.go(Route::Cases)>
                        {t("action-back")}
                    </button>
                </div>
            }
            .into_any()
        }
        Some(Ok(loaded)) => render(&screen, loaded, writable.get()),
    };

    view! {
        <article class="case-detail" data-testid="case-detail" data-doc-id=doc_id.to_hex()>
            <AccessNotice/>
            <div class="detail-notice" role="status" aria-live="polite" data-testid="detail-notice">
                {move || notice.get().map(notice_view)}
            </div>
            {body}
        </article>
    }
}

fn notice_view(notice: Notice) -> AnyView {
    match notice {
        Notice::Kept(field) => view! {
            <p class="ok" data-kind="kept">{tr!("detail-conflict-kept", field = labels::field(&field))}</p>
        }
        .into_any(),
        Notice::StatusAdded => {
            view! { <p class="ok" data-kind="status-added">{t("detail-status-saved")}</p> }
                .into_any()
        }
        Notice::Invalid(errors) => view! {
            <div class="error" data-kind="invalid">
                <p>{t("detail-save-invalid")}</p>
                {problem_list(&errors)}
            </div>
        }
        .into_any(),
        Notice::Failed(reason) => view! {
            <div class="error" data-kind="failed">
                <p>{t("detail-save-failed")}</p>
                <p class="detail-problem-reason">{reason}</p>
            </div>
        }
        .into_any(),
    }
}

/// Validation problems, each said of its field.
fn problem_list(errors: &[FieldError]) -> impl IntoView + use<> {
    let items = errors
        .iter()
        .map(|e| {
            let (field, problem) = (labels::field(&e.field), labels::validation(e.code));
            let text = tr!("detail-field-problem", field = field, problem = problem);
            view! { <li data-field=e.field.clone() data-code=e.code.as_key()>{text}</li> }
        })
        .collect_view();
    view! { <ul class="detail-problems">{items}</ul> }
}

/// The whole screen for a loaded case. Runs inside the reactive body, so
/// the words follow the language.
fn render(screen: &Screen, loaded: CaseView, writable: bool) -> AnyView {
    let CaseView {
        case,
        priority,
        conflicts,
        history,
        this_device,
        ..
    } = loaded;
    view! {
        {header(screen, &case, priority.tier, conflicts.len(), writable)}
        {conflicts::section(screen, conflicts, this_device, writable)}
        {priority::section(&priority)}
        {timeline::section(screen, &case, this_device, writable)}
        {sections::identity(screen, &case)}
        {sections::category_details(&case)}
        {sections::detention(&case)}
        {sections::health(&case)}
        {sections::family(screen, &case)}
        {sections::sources(&case)}
        {sections::interventions(&case)}
        {sections::notes(&case)}
        {history::section(screen, history, this_device)}
    }
    .into_any()
}

fn header(
    screen: &Screen,
    case: &Case,
    tier: Tier,
    conflict_count: usize,
    writable: bool,
) -> impl IntoView + use<> {
    let state = expect_context::<AppState>();
    let router = use_router();
    let doc_id = screen.doc_id;
    let name = case.display_name();
    let name = if name.is_empty() {
        t("detail-no-name")
    } else {
        name
    };
    let status = case.current_status();
    let pending = move || {
        let n = state.pending.with(|p| p.get(&doc_id).copied().unwrap_or(0));
        (n > 0).then(|| {
            view! {
                <span class="badge pending" data-testid="detail-pending" data-pending=n.to_string()>
                    {tr!("detail-pending", n = n)}
                </span>
            }
        })
    };
    view! {
        <header class="card detail-header">
            <div class="detail-actions">
                <button type="button" class="button-secondary" data-testid="detail-back"
                    on:click=move |_| router.go(Route::Cases)>
                    {t("action-back")}
                </button>
                {writable.then(|| view! {
                    <button type="button" data-testid="detail-edit"
                        on:click=move |_| router.go(Route::EditCase(doc_id))>
                        {t("action-edit")}
                    </button>
                })}
            </div>
            <h2 data-testid="detail-name">{name}</h2>
            <p class="detail-badges">
                {tier_badge(tier, true)}
                {(conflict_count > 0).then(|| view! {
                    <span class="badge conflicts-badge"
                        data-testid="detail-conflict-count" data-count=conflict_count.to_string()>
                        {tr!("detail-conflicts-badge", n = conflict_count)}
                    </span>
                })}
                {pending}
            </p>
            <dl class="detail-facts">
                <div>
                    <dt>{labels::field("category")}</dt>
                    <dd data-testid="detail-category" data-category=case.category.as_key()>
                        {labels::category(case.category)}
                    </dd>
                </div>
                <div>
                    <dt>{t("detail-current-status")}</dt>
                    <dd data-testid="detail-status" data-status=status.map(Status::as_key).unwrap_or("")>
                        {status.map(labels::status).unwrap_or_else(|| t("detail-no-status"))}
                    </dd>
                </div>
                <div>
                    <dt>{labels::field("review")}</dt>
                    <dd data-testid="detail-review" data-review=case.review.as_key()>
                        {labels::review(case.review)}
                    </dd>
                </div>
                <div>
                    <dt>{labels::field("confidentiality")}</dt>
                    <dd data-testid="detail-confidentiality"
                        data-confidentiality=case.confidentiality.as_key()>
                        {labels::confidentiality(case.confidentiality)}
                    </dd>
                </div>
            </dl>
        </header>
    }
}

/// The tier as a coloured badge; the header's one carries the test id.
fn tier_badge(tier: Tier, tested: bool) -> impl IntoView + use<> {
    let key = tier.as_key();
    view! {
        <span class=format!("tier tier-{key}") data-testid=tested.then_some("detail-tier") data-tier=key>
            {labels::tier(tier)}
        </span>
    }
}

/// Who wrote something: this device, or the first eight hex digits of
/// another device's id (enough to tell a team's devices apart).
fn who(device: Option<&DeviceId>, this: &DeviceId) -> String {
    match device {
        Some(d) if d == this => t("detail-this-device"),
        Some(d) => short_hex(&d.to_hex()),
        None => t("detail-unknown-device"),
    }
}

/// As [`who`], for a device id stored as hex (status events).
fn who_hex(hex: &str, this: &DeviceId) -> String {
    if hex.is_empty() {
        t("detail-unknown-device")
    } else if hex.eq_ignore_ascii_case(&this.to_hex()) {
        t("detail-this-device")
    } else {
        short_hex(hex)
    }
}

fn short_hex(hex: &str) -> String {
    hex.chars().take(8).collect()
}

/// A field's own name, without the groups above it: inside a section
/// headed "Identity", "Surname" rather than "Identity › Surname".
fn field_name(path: &str) -> String {
    labels::field_name(path)
}

fn date_text(date: Option<&PartialDate>) -> Option<String> {
    date.map(fmt_partial_date)
}
