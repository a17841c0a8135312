//! Sync at a glance in the top bar (`SyncBadge`), and the sync screen
//! (`SyncPage`): connection, uploads, progress, storage, and the encrypted
//! backup file.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::backup::{Backup, BackupContents, BackupError};
use shared::ids::DocId;
use shared::sync_engine::{BootstrapProgress, Connection, SyncStatus};
use shared::vault::{KdfParams, Strength, passphrase_strength};
use shared::wire::{ErrorCode, Role};
use wasm_bindgen_futures::JsFuture;

use crate::app::{Access, access};
use crate::app_state::AppState;
use crate::browser::after_paint;
use crate::browser_rng::BrowserRng;
use crate::device_loop::DeviceHandle;
use crate::i18n::{fmt_datetime, fmt_number, t};
use crate::route::{Route, use_router};
use crate::storage_health::{self, Estimate, EvictionWarning};
use crate::tr;
use crate::vault_screens::PassphraseField;

fn connection_key(c: Connection) -> &'static str {
    match c {
        Connection::Offline => "offline",
        Connection::Waiting => "waiting",
        Connection::Connecting => "connecting",
        Connection::Connected => "connected",
        Connection::Refused => "refused",
    }
}

fn connection_label(s: &SyncStatus, joined: bool) -> String {
    match s.connection {
        Connection::Connected => t("sync-connection-online"),
        Connection::Connecting => t("sync-connection-connecting"),
        Connection::Waiting => t("sync-connection-waiting"),
        Connection::Refused => t("sync-connection-refused"),
        Connection::Offline if !joined => t("sync-connection-not-joined"),
        Connection::Offline if s.network_up => t("sync-connection-not-connected"),
        Connection::Offline => t("sync-connection-offline"),
    }
}

fn role_label(role: Role) -> String {
    match role {
        Role::Admin => t("sync-role-admin"),
        Role::Documenter => t("sync-role-documenter"),
        Role::Viewer => t("sync-role-viewer"),
    }
}

/// What a refusal means for the person holding the device, and what to do.
pub fn refusal_message(code: ErrorCode) -> String {
    match code {
        ErrorCode::Revoked => t("sync-refused-revoked"),
        ErrorCode::NotMember => t("sync-refused-not-member"),
        ErrorCode::BadTicket => t("sync-refused-bad-ticket"),
        ErrorCode::Unauthenticated => t("sync-refused-unauthenticated"),
        ErrorCode::BadSignature => t("sync-refused-bad-signature"),
        ErrorCode::UnsupportedVersion => t("sync-refused-unsupported-version"),
        ErrorCode::Malformed
        | ErrorCode::HandshakeRequired
        | ErrorCode::TooLarge
        | ErrorCode::Internal
        | ErrorCode::Forbidden
        | ErrorCode::CursorPruned
        | ErrorCode::RateLimited => t("sync-refused-other"),
    }
}

/// The top bar's line: a dot, the connection and what waits to upload; a
/// refusal in full, since it needs the person to act. A tap opens the sync
/// screen. The data-* attributes are what the end-to-end tests read.
#[component]
pub fn SyncBadge() -> impl IntoView {
    let state = expect_context::<AppState>();
    let router = use_router();
    let sync = state.sync;
    let joined = move || state.workspace.get().is_some();
    let bootstrap = move || sync.get().bootstrap;
    view! {
        <section
            class="sync-panel"
            data-testid="sync-status"
            aria-live="polite"
            data-joined=move || joined().to_string()
            data-connection=move || connection_key(sync.get().connection)
            data-pending=move || sync.get().pending_uploads.to_string()
            data-last-sync=move || sync.get().last_sync_ms.map(|ms| ms.to_string()).unwrap_or_default()
            data-role=move || {
                sync.get().role.or(state.role.get()).map(|r| r.as_str()).unwrap_or_default()
            }
            data-refused=move || sync.get().refused.map(|c| c.as_str()).unwrap_or_default()
            data-bootstrap-done=move || bootstrap().map(|p| p.docs_done.to_string()).unwrap_or_default()
            data-bootstrap-total=move || bootstrap().map(|p| p.docs_total.to_string()).unwrap_or_default()
            data-quarantined=move || state.quarantined.get().to_string()
        >
            <a
                class="sync-line"
                href=Route::Sync.fragment()
                on:click=move |ev| {
                    ev.prevent_default();
                    router.go(Route::Sync);
                }
            >
                <span
                    class=move || format!("dot {}", connection_key(sync.get().connection))
                    aria-hidden="true"
                ></span>
                <span class="connection">
                    {move || connection_label(&sync.get(), joined())}
                </span>
                {move || match sync.get().pending_uploads {
                    0 => None,
                    n => Some(view! {
                        <span class="pending">{move || tr!("sync-badge-pending", n = n)}</span>
                    }),
                }}
                {move || bootstrap().map(|_| view! {
                    <span class="pending">{move || t("sync-badge-downloading")}</span>
                })}
            </a>
            {move || sync.get().refused.map(|code| view! {
                <p class="sync-refused" role="alert" data-testid="sync-refused">
                    {move || refusal_message(code)}
                </p>
            })}
        </section>
    }
}

/// The sync screen: everything about this device's copy of the workspace.
#[component]
pub fn SyncPage() -> impl IntoView {
    let estimate = RwSignal::new(None::<Option<Estimate>>);
    let refresh_storage = move || {
        spawn_local(async move {
            let read = storage_health::estimate().await;
            estimate.try_set(Some(read));
        });
    };
    refresh_storage();
    view! {
        <section class="sync-page" data-testid="sync-page">
            <h2>{move || t("sync-title")}</h2>
            <EvictionWarning/>
            <ConnectionCard/>
            <StorageCard estimate=estimate/>
            <BackupCard on_restored=Callback::new(move |_| refresh_storage())/>
        </section>
    }
}

#[component]
fn ConnectionCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sync = state.sync;
    let joined = move || state.workspace.get().is_some();
    view! {
        <section class="card sync-card" aria-labelledby="sync-connection-heading">
            <h3 id="sync-connection-heading">{move || t("sync-connection-heading")}</h3>
            <dl class="sync-facts">
                <dt>{move || t("sync-status-label")}</dt>
                <dd
                    data-testid="sync-connection"
                    data-connection=move || connection_key(sync.get().connection)
                >
                    <span
                        class=move || format!("dot {}", connection_key(sync.get().connection))
                        aria-hidden="true"
                    ></span>
                    " "
                    {move || connection_label(&sync.get(), joined())}
                </dd>
                <dt>{move || t("sync-pending-label")}</dt>
                <dd data-testid="sync-pending" data-pending=move || sync.get().pending_uploads.to_string()>
                    {move || match sync.get().pending_uploads {
                        0 => t("sync-pending-none"),
                        n => tr!("sync-pending-count", n = n),
                    }}
                </dd>
                <dt>{move || t("sync-last-label")}</dt>
                <dd data-testid="sync-last">
                    {move || match sync.get().last_sync_ms {
                        Some(ms) => fmt_datetime(ms),
                        None => t("sync-last-never"),
                    }}
                </dd>
                <dt>{move || t("sync-role-label")}</dt>
                <dd data-testid="sync-role">
                    {move || match sync.get().role.or(state.role.get()) {
                        Some(role) => role_label(role),
                        None => t("sync-role-unknown"),
                    }}
                </dd>
                <dt>{move || t("sync-position-label")}</dt>
                <dd
                    data-testid="sync-position"
                    data-cursor=move || sync.get().cursor.0.to_string()
                    data-head=move || sync.get().head.0.to_string()
                >
                    {move || {
                        let s = sync.get();
                        tr!(
                            "sync-position-value",
                            cursor = fmt_number(s.cursor.0 as f64),
                            head = fmt_number(s.head.0 as f64),
                        )
                    }}
                </dd>
            </dl>
            <SyncProgress/>
            {move || match state.quarantined.get() {
                0 => None,
                n => Some(view! {
                    <p class="sync-quarantined" role="status" data-testid="sync-quarantined">
                        {move || tr!("sync-quarantined", n = n)}
                    </p>
                }),
            }}
            {move || {
                let s = sync.get();
                // A refusal has its own message (top bar); the raw error
                // would repeat it.
                s.last_error.filter(|_| s.refused.is_none()).map(|e| view! {
                    <p class="sync-last-error" data-testid="sync-last-error">
                        <span class="label">{move || t("sync-last-problem")}</span>
                        " "
                        <span class="detail">{e}</span>
                    </p>
                })
            }}
        </section>
    }
}

/// The bootstrap's progress in documents, or the catch-up's in log
/// entries (from where this screen first saw the device behind).
#[component]
fn SyncProgress() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sync = state.sync;
    let catch_up_from = RwSignal::new(None::<u64>);
    Effect::new(move |_| {
        let s = sync.get();
        let from = catch_up_from.get_untracked();
        let next = if s.head.0 > s.cursor.0 {
            Some(from.map_or(s.cursor.0, |f| f.min(s.cursor.0)))
        } else {
            None
        };
        if next != from {
            catch_up_from.set(next);
        }
    });
    move || {
        let s = sync.get();
        if let Some(p) = s.bootstrap {
            return Some(bootstrap_view(p).into_any());
        }
        let from = catch_up_from.get()?;
        let (cursor, head) = (s.cursor.0, s.head.0);
        (head > cursor).then(|| {
            let left = head - cursor;
            let label = move || tr!("sync-catch-up", n = left);
            view! {
                <div
                    class="sync-progress"
                    role="status"
                    data-testid="sync-progress"
                    data-kind="catch-up"
                    data-done=cursor.to_string()
                    data-total=head.to_string()
                >
                    <progress
                        max=(head - from).to_string()
                        value=(cursor.saturating_sub(from)).to_string()
                        aria-label=label
                    ></progress>
                    <span>{label}</span>
                </div>
            }
            .into_any()
        })
    }
}

fn bootstrap_view(p: BootstrapProgress) -> impl IntoView {
    let label = move || {
        if p.docs_total == 0 {
            t("sync-bootstrap-preparing")
        } else {
            tr!(
                "sync-bootstrap-progress",
                done = fmt_number(p.docs_done as f64),
                total = fmt_number(p.docs_total as f64),
            )
        }
    };
    view! {
        <div
            class="sync-progress"
            role="status"
            data-testid="sync-progress"
            data-kind="bootstrap"
            data-done=p.docs_done.to_string()
            data-total=p.docs_total.to_string()
        >
            {if p.docs_total > 0 {
                view! {
                    <progress
                        max=p.docs_total.to_string()
                        value=p.docs_done.to_string()
                        aria-label=label
                    ></progress>
                }
                .into_any()
            } else {
                view! { <progress aria-label=label></progress> }.into_any()
            }}
            <span>{label}</span>
        </div>
    }
}

fn megabytes(bytes: f64) -> String {
    let mb = bytes / 1_000_000.0;
    let rounded = if mb < 100.0 {
        (mb * 10.0).round() / 10.0
    } else {
        mb.round()
    };
    fmt_number(rounded)
}

#[component]
fn StorageCard(estimate: RwSignal<Option<Option<Estimate>>>) -> impl IntoView {
    // None until the browser answered; Some(None): it cannot tell.
    let persisted = RwSignal::new(None::<Option<bool>>);
    let asking = RwSignal::new(false);
    let declined = RwSignal::new(false);
    spawn_local(async move {
        let read = storage_health::persisted().await;
        persisted.try_set(Some(read));
    });
    let ask = move |_| {
        asking.set(true);
        spawn_local(async move {
            let granted = storage_health::persist().await;
            asking.try_set(false);
            declined.try_set(granted != Some(true));
            // `persist()` answers false when the browser says no, undefined
            // when it cannot be asked; read the state again either way.
            let now = match granted {
                Some(true) => Some(true),
                _ => storage_health::persisted().await,
            };
            persisted.try_set(Some(now));
        });
    };
    view! {
        <section class="card sync-card" aria-labelledby="sync-storage-heading">
            <h3 id="sync-storage-heading">{move || t("sync-storage-heading")}</h3>
            {move || match estimate.get() {
                None => None,
                Some(Some(e)) => Some(view! {
                    <p
                        class="storage-usage"
                        data-testid="storage-usage"
                        data-usage=e.usage.to_string()
                        data-quota=e.quota.to_string()
                    >
                        {move || tr!(
                            "sync-storage-used",
                            used = megabytes(e.usage),
                            quota = megabytes(e.quota),
                        )}
                    </p>
                    <meter
                        class="storage-meter"
                        min="0"
                        max=e.quota.max(1.0).to_string()
                        value=e.usage.to_string()
                        aria-label=move || t("sync-storage-meter")
                    ></meter>
                }.into_any()),
                Some(None) => Some(view! {
                    <p class="storage-usage" data-testid="storage-usage" data-usage="" data-quota="">
                        {move || t("sync-storage-unknown")}
                    </p>
                }.into_any()),
            }}
            {move || persisted.get().map(|p| match p {
                Some(kept) => view! {
                    <p
                        class=if kept { "storage-persisted kept" } else { "storage-persisted at-risk" }
                        role="status"
                        data-testid="storage-persisted"
                        data-persisted=kept.to_string()
                    >
                        {move || if kept { t("sync-persisted-yes") } else { t("sync-persisted-no") }}
                        {move || (!kept && declined.get()).then(|| view! {
                            " " <span data-testid="storage-persist-declined">
                                {move || t("sync-persist-declined")}
                            </span>
                        })}
                    </p>
                    {(!kept).then(|| view! {
                        <button
                            type="button"
                            data-testid="storage-persist"
                            disabled=move || asking.get()
                            on:click=ask
                        >
                            {move || if asking.get() { t("sync-persist-asking") } else { t("sync-persist-button") }}
                        </button>
                    })}
                }.into_any(),
                None => view! {
                    <p class="storage-persisted at-risk" data-testid="storage-persisted" data-persisted="">
                        {move || t("sync-persisted-unsupported")}
                    </p>
                }.into_any(),
            })}
        </section>
    }
}

/// Why a backup export or restore did not happen.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    EmptyPassphrase,
    Mismatch,
    Weak,
    NoFile,
    NotABackup,
    Newer,
    Damaged,
    WrongPassphrase,
    OtherWorkspace,
    ReadFailed,
    Export(String),
    Import(String),
}

fn problem_text(p: &Problem) -> String {
    match p {
        Problem::EmptyPassphrase => t("sync-backup-error-empty"),
        Problem::Mismatch => t("sync-backup-error-mismatch"),
        Problem::Weak => t("sync-backup-error-weak"),
        Problem::NoFile => t("sync-backup-error-no-file"),
        Problem::NotABackup => t("sync-backup-error-not-backup"),
        Problem::Newer => t("sync-backup-error-newer"),
        Problem::Damaged => t("sync-backup-error-damaged"),
        Problem::WrongPassphrase => t("sync-backup-error-wrong-passphrase"),
        Problem::OtherWorkspace => t("sync-backup-error-other-workspace"),
        Problem::ReadFailed => t("sync-backup-error-read"),
        Problem::Export(reason) => tr!("sync-backup-error-export", reason = reason.as_str()),
        Problem::Import(reason) => tr!("sync-backup-error-import", reason = reason.as_str()),
    }
}

impl From<BackupError> for Problem {
    fn from(err: BackupError) -> Problem {
        match err {
            BackupError::NotABackup => Problem::NotABackup,
            BackupError::UnsupportedVersion(_) => Problem::Newer,
            BackupError::Damaged(_) | BackupError::Kdf(_) => Problem::Damaged,
            BackupError::WrongPassphrase => Problem::WrongPassphrase,
            BackupError::WeakPassphrase => Problem::Weak,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum BackupStatus {
    Encrypting,
    Decrypting,
    Exported { cases: usize, file: String },
    Restored { cases: usize, created_ms: i64 },
    Failed(Problem),
}

impl BackupStatus {
    fn busy(&self) -> bool {
        matches!(self, BackupStatus::Encrypting | BackupStatus::Decrypting)
    }

    fn outcome(&self) -> &'static str {
        match self {
            BackupStatus::Encrypting | BackupStatus::Decrypting => "busy",
            BackupStatus::Exported { .. } => "exported",
            BackupStatus::Restored { .. } => "restored",
            BackupStatus::Failed(_) => "error",
        }
    }

    fn text(&self) -> String {
        match self {
            BackupStatus::Encrypting => t("sync-backup-encrypting"),
            BackupStatus::Decrypting => t("sync-backup-decrypting"),
            BackupStatus::Exported { cases, file } => {
                tr!("sync-backup-exported", n = *cases, file = file.as_str())
            }
            BackupStatus::Restored {
                cases: 0,
                created_ms,
            } => tr!(
                "sync-backup-restored-none",
                date = fmt_datetime(*created_ms)
            ),
            BackupStatus::Restored { cases, created_ms } => tr!(
                "sync-backup-restored",
                n = *cases,
                date = fmt_datetime(*created_ms)
            ),
            BackupStatus::Failed(p) => problem_text(p),
        }
    }
}

async fn read_file(input: &web_sys::HtmlInputElement) -> Result<Vec<u8>, Problem> {
    let file = input
        .files()
        .and_then(|list| list.get(0))
        .ok_or(Problem::NoFile)?;
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| Problem::ReadFailed)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn take(field: RwSignal<String>) -> String {
    field.try_update(std::mem::take).unwrap_or_default()
}

#[component]
fn BackupCard(on_restored: Callback<()>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let access = access(state);
    let status = RwSignal::new(None::<BackupStatus>);
    let busy = Signal::derive(move || status.with(|s| s.as_ref().is_some_and(BackupStatus::busy)));
    let passphrase = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let restore_passphrase = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let chosen_file = RwSignal::new(None::<String>);
    let can_restore = move || access.get() == Access::Write;
    let restore_disabled = Signal::derive(move || busy.get() || !can_restore());
    // `try_set`: the screen may be gone by the time an export or restore
    // finishes.
    let fail = move |p: Problem| {
        status.try_set(Some(BackupStatus::Failed(p)));
    };

    let export = {
        let device = device.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let (pass, again) = (take(passphrase), take(confirm));
            if pass.is_empty() {
                return fail(Problem::EmptyPassphrase);
            }
            if pass != again {
                return fail(Problem::Mismatch);
            }
            if passphrase_strength(&pass) < Strength::Fair {
                return fail(Problem::Weak);
            }
            let pass = zeroize::Zeroizing::new(pass);
            let device = device.clone();
            status.set(Some(BackupStatus::Encrypting));
            spawn_local(async move {
                let docs = match device.export_docs().await {
                    Ok(docs) => docs,
                    Err(err) => return fail(Problem::Export(err)),
                };
                // Argon2 blocks the page for a moment: show "Encrypting…"
                // first.
                after_paint().await;
                let contents = BackupContents {
                    created_ms: js_sys::Date::now() as i64,
                    workspace: state.workspace.get_untracked(),
                    docs,
                };
                let sealed =
                    match Backup::seal(&mut BrowserRng, &pass, KdfParams::RECOMMENDED, &contents) {
                        Ok(bytes) => bytes,
                        Err(err) => return fail(err.into()),
                    };
                let file = format!("homeward-backup-{}.hwbk", crate::browser::local_today());
                if let Err(err) =
                    crate::browser::download(&file, "application/octet-stream", &sealed)
                {
                    tracing::warn!("backup download failed: {err:?}");
                    return fail(Problem::Export(t("sync-backup-download-failed")));
                }
                tracing::info!(cases = contents.docs.len(), "backup exported");
                status.try_set(Some(BackupStatus::Exported {
                    cases: contents.docs.len(),
                    file,
                }));
            });
        }
    };

    let restore = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if restore_disabled.get_untracked() {
            return;
        }
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        let pass = zeroize::Zeroizing::new(take(restore_passphrase));
        if pass.is_empty() {
            return fail(Problem::EmptyPassphrase);
        }
        let device = device.clone();
        status.set(Some(BackupStatus::Decrypting));
        spawn_local(async move {
            let bytes = match read_file(&input).await {
                Ok(bytes) => bytes,
                Err(p) => return fail(p),
            };
            after_paint().await;
            let contents = match Backup::open(&bytes, &pass) {
                Ok(contents) => contents,
                Err(err) => {
                    tracing::info!("backup refused: {err}");
                    return fail(err.into());
                }
            };
            // Cases of another workspace must not be uploaded to this one.
            if let (Some(theirs), Some(ours)) =
                (contents.workspace, state.workspace.get_untracked())
                && theirs != ours
            {
                return fail(Problem::OtherWorkspace);
            }
            let created_ms = contents.created_ms;
            let docs: Vec<(DocId, Vec<u8>)> = contents.docs;
            match device.import_docs(docs).await {
                Ok(cases) => {
                    tracing::info!(cases, "backup restored");
                    status.try_set(Some(BackupStatus::Restored { cases, created_ms }));
                    input.set_value("");
                    on_restored.run(());
                }
                Err(err) => fail(Problem::Import(err)),
            }
        });
    };

    view! {
        <section class="card sync-card backup" aria-labelledby="sync-backup-heading">
            <h3 id="sync-backup-heading">{move || t("sync-backup-heading")}</h3>
            <p class="hint">{move || t("sync-backup-intro")}</p>
            <form class="backup-export" on:submit=export>
                <h4>{move || t("sync-backup-export-heading")}</h4>
                <PassphraseField
                    label=|| t("sync-backup-passphrase")
                    testid="backup-passphrase"
                    value=passphrase
                    describedby="backup-passphrase-hint"
                    disabled=busy
                />
                <p class="hint" id="backup-passphrase-hint">
                    {move || t("sync-backup-passphrase-hint")}
                </p>
                <PassphraseField
                    label=|| t("sync-backup-passphrase-confirm")
                    testid="backup-passphrase-confirm"
                    value=confirm
                    disabled=busy
                />
                <button type="submit" data-testid="backup-export" disabled=move || busy.get()>
                    {move || t("sync-backup-export")}
                </button>
            </form>
            <form class="backup-restore" on:submit=restore>
                <h4>{move || t("sync-backup-restore-heading")}</h4>
                {move || match access.get() {
                    Access::ViewerOnly => Some(view! {
                        <p class="hint" data-testid="backup-restore-unavailable">
                            {move || t("sync-backup-restore-viewer")}
                        </p>
                    }.into_any()),
                    Access::NotJoined => Some(view! {
                        <p class="hint" data-testid="backup-restore-unavailable">
                            {move || t("sync-backup-restore-not-joined")}
                        </p>
                    }.into_any()),
                    Access::Unknown | Access::Write => None,
                }}
                // The browser's own file button speaks the browser's
                // language, not the app's: it is hidden behind ours.
                <label class="file-picker">
                    <span class="file-picker-label">{move || t("sync-backup-file")}</span>
                    <input
                        type="file"
                        class="file-input"
                        accept=".hwbk,application/octet-stream"
                        data-testid="backup-file"
                        node_ref=file_input
                        disabled=move || restore_disabled.get()
                        on:change=move |_| {
                            let name = file_input
                                .get_untracked()
                                .and_then(|i| i.files())
                                .and_then(|f| f.get(0))
                                .map(|f| f.name());
                            chosen_file.set(name);
                        }
                    />
                    <span class="file-button" aria-hidden="true">{move || t("sync-backup-choose")}</span>
                    <span class="file-name">
                        {move || chosen_file.get().unwrap_or_else(|| t("sync-backup-no-file"))}
                    </span>
                </label>
                <PassphraseField
                    label=|| t("sync-backup-restore-passphrase")
                    testid="backup-restore-passphrase"
                    value=restore_passphrase
                    disabled=restore_disabled
                />
                <button
                    type="submit"
                    data-testid="backup-restore"
                    disabled=move || restore_disabled.get()
                >
                    {move || t("sync-backup-restore")}
                </button>
            </form>
            {move || status.get().map(|s| {
                let failed = matches!(s, BackupStatus::Failed(_));
                let outcome = s.outcome();
                view! {
                    <p
                        class=format!("backup-status {outcome}")
                        role=if failed { "alert" } else { "status" }
                        data-testid="backup-status"
                        data-outcome=outcome
                    >
                        {s.busy().then(|| view! { <progress></progress> " " })}
                        {move || s.text()}
                    </p>
                }
            })}
        </section>
    }
}
