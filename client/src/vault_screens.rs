//! The lock's screens: first-run passphrase, unlock, and (unlocked) the
//! device panel with lock, settings and erase. They render `AppState` and
//! send commands; the device loop does the work.

use leptos::prelude::*;
use shared::vault::{Strength, passphrase_strength};

use crate::app_state::AppState;
use crate::device_loop::DeviceHandle;
use crate::settings::Settings;

fn strength_key(s: Strength) -> &'static str {
    match s {
        Strength::TooWeak => "too_weak",
        Strength::Weak => "weak",
        Strength::Fair => "fair",
        Strength::Strong => "strong",
    }
}

fn strength_label(s: Strength) -> &'static str {
    match s {
        Strength::TooWeak => "Too weak: use at least 10 characters",
        Strength::Weak => "Weak: add more words",
        Strength::Fair => "Fair: one or two more words make it strong",
        Strength::Strong => "Strong",
    }
}

/// Empties a passphrase field, returning what it held.
fn take(field: RwSignal<String>) -> String {
    field.try_update(std::mem::take).unwrap_or_default()
}

/// A labelled password input bound to `value`.
#[component]
fn PassphraseField(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="password"
                autocomplete="off"
                data-testid=testid
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// What the busy notice says while Argon2 runs.
#[component]
fn Busy() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.vault_busy.get().map(|message| {
            view! {
                <p class="vault-busy" role="status" data-testid="vault-busy">
                    <progress></progress> " " {message}
                </p>
            }
        })
    }
}

#[component]
fn InviteWaiting(action: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.invite_waiting.get().then(|| {
            view! {
                <p class="invite-waiting" role="status" data-testid="invite-waiting">
                    {format!(
                        "You opened an invite link. {action}; then this device joins the workspace."
                    )}
                </p>
            }
        })
    }
}

/// First run: choose the passphrase that protects everything on this
/// device.
#[component]
pub fn VaultSetup() -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let passphrase = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let strength = Memo::new(move |_| passphrase.with(|p| passphrase_strength(p)));
    let busy = move || state.vault_busy.get().is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if state.vault_busy.get_untracked().is_some() {
            return;
        }
        // Taken out of the signals, not copied: the only Rust copy goes to
        // the device loop, which wipes it after use.
        device.create_vault(take(passphrase), take(confirm));
    };
    view! {
        <section class="vault-screen" data-testid="vault-setup" aria-labelledby="vault-setup-title">
            {move || state.wiped_notice.get().map(|notice| view! {
                <p class="wiped-notice" role="alert" data-testid="wiped-notice">{notice}</p>
            })}
            <h2 id="vault-setup-title">"Protect this device"</h2>
            <InviteWaiting action="Set a passphrase first"/>
            <p class="hint">
                "Choose a passphrase: it encrypts every case on this device, and the app asks for it \
                 whenever it opens or locks itself. Four or more random words are best. It cannot be \
                 recovered: if it is forgotten, the cases on this device are lost (other members' \
                 devices and the relay keep theirs)."
            </p>
            <form on:submit=submit>
                <PassphraseField label="Passphrase" testid="passphrase" value=passphrase/>
                <p
                    class=move || format!("strength {}", strength_key(strength.get()))
                    data-testid="strength"
                    data-strength=move || strength_key(strength.get())
                    aria-live="polite"
                >
                    {move || strength_label(strength.get())}
                </p>
                <PassphraseField
                    label="The same passphrase again"
                    testid="passphrase-confirm"
                    value=confirm
                />
                <button type="submit" data-testid="create-vault" disabled=busy>
                    "Protect this device"
                </button>
            </form>
            <Busy/>
            {move || state.vault_error.get().map(|message| view! {
                <p class="error" role="alert" data-testid="vault-error">{message}</p>
            })}
        </section>
    }
}

/// The app opens here whenever a vault exists.
#[component]
pub fn UnlockScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let passphrase = RwSignal::new(String::new());
    let busy = move || state.vault_busy.get().is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if state.vault_busy.get_untracked().is_some() {
            return;
        }
        device.unlock(take(passphrase));
    };
    view! {
        <section
            class="vault-screen"
            data-testid="unlock"
            aria-labelledby="unlock-title"
            data-failed=move || state.failed_unlocks.get().to_string()
            data-max-failures=move || state.settings.get().max_failed_unlocks.to_string()
        >
            <h2 id="unlock-title">"Locked"</h2>
            <InviteWaiting action="Unlock first"/>
            <form on:submit=submit>
                <PassphraseField label="Passphrase" testid="passphrase" value=passphrase/>
                <button type="submit" data-testid="unlock-submit" disabled=busy>
                    "Unlock"
                </button>
            </form>
            <Busy/>
            {move || state.unlock_error.get().map(|message| view! {
                <p class="error" role="alert" data-testid="unlock-error">{message}</p>
            })}
            <WipeControl/>
        </section>
    }
}

/// "Erase this device", asked twice.
#[component]
fn WipeControl() -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let asking = RwSignal::new(false);
    view! {
        <div class="wipe">
            <Show
                when=move || asking.get()
                fallback=move || view! {
                    <button
                        type="button"
                        class="danger-outline"
                        data-testid="wipe"
                        disabled=move || state.vault_busy.get().is_some()
                        on:click=move |_| asking.set(true)
                    >
                        "Erase this device"
                    </button>
                }
            >
                <p class="wipe-warning" role="alert">
                    "Erase every case, key and setting on this device? Cases not yet uploaded are \
                     lost. This cannot be undone."
                </p>
                <button
                    type="button"
                    class="danger"
                    data-testid="wipe-confirm"
                    on:click={
                        let device = device.clone();
                        move |_| {
                            asking.set(false);
                            device.wipe();
                        }
                    }
                >
                    "Erase now"
                </button>
                <button type="button" class="secondary" data-testid="wipe-cancel" on:click=move |_| asking.set(false)>
                    "Keep the data"
                </button>
            </Show>
        </div>
    }
}

/// The lock button of the top bar.
#[component]
pub fn LockNow() -> impl IntoView {
    let device = expect_context::<DeviceHandle>();
    view! {
        <button type="button" class="lock-now" data-testid="lock-now" on:click=move |_| device.lock()>
            "Lock"
        </button>
    }
}

/// Settings and erase, below the cases.
#[component]
pub fn DevicePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let device = expect_context::<DeviceHandle>();
    let current = state.settings.get_untracked();
    let idle = RwSignal::new(current.idle_lock_minutes.to_string());
    let max = RwSignal::new(current.max_failed_unlocks.to_string());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        device.save_settings(idle.get_untracked(), max.get_untracked());
    };
    view! {
        <section class="device-panel" aria-labelledby="device-panel-title">
            <h2 id="device-panel-title">"This device"</h2>
            <form class="settings" on:submit=save>
                <label>
                    "Lock after this many minutes without use"
                    <input
                        type="number"
                        min=Settings::IDLE_RANGE.start().to_string()
                        max=Settings::IDLE_RANGE.end().to_string()
                        step="1"
                        inputmode="numeric"
                        data-testid="idle-lock-minutes"
                        prop:value=move || idle.get()
                        on:input=move |ev| idle.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Erase this device after this many wrong passphrases in a row"
                    <input
                        type="number"
                        min=Settings::MAX_FAILURES_RANGE.start().to_string()
                        max=Settings::MAX_FAILURES_RANGE.end().to_string()
                        step="1"
                        inputmode="numeric"
                        data-testid="max-failures"
                        prop:value=move || max.get()
                        on:input=move |ev| max.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" data-testid="save-settings">"Save settings"</button>
                {move || state.settings_message.get().map(|outcome| match outcome {
                    Ok(message) => view! {
                        <p class="saved" role="status" data-testid="settings-message">{message}</p>
                    }.into_any(),
                    Err(message) => view! {
                        <p class="error" role="alert" data-testid="settings-message">{message}</p>
                    }.into_any(),
                })}
            </form>
            <WipeControl/>
        </section>
    }
}

/// The first sync after opening an invite.
#[component]
pub fn JoinProgress() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.joining.get().then(|| {
            let progress = state.sync.get().bootstrap.filter(|p| p.docs_total > 0);
            let label = match progress {
                Some(p) => format!(
                    "Joining the workspace: downloading its cases, {} of {}",
                    p.docs_done, p.docs_total
                ),
                None => "Joining the workspace…".to_owned(),
            };
            view! {
                <div class="join-progress" role="status">
                    <progress
                        data-testid="join-progress"
                        max=progress.map(|p| p.docs_total.to_string())
                        value=progress.map(|p| p.docs_done.to_string())
                        data-done=progress.map(|p| p.docs_done.to_string()).unwrap_or_default()
                        data-total=progress.map(|p| p.docs_total.to_string()).unwrap_or_default()
                    ></progress>
                    <span>{label}</span>
                </div>
            }
        })
    }
}
