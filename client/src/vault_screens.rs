//! The lock's screens: first-run passphrase, unlock, and (unlocked) the
//! device panel with lock, settings and erase. They render `AppState` and
//! send commands; the device loop does the work.

use leptos::prelude::*;
use shared::vault::{Strength, passphrase_strength};

use crate::app_state::AppState;
use crate::device_loop::DeviceHandle;
use crate::i18n::t;
use crate::settings::Settings;
use crate::tr;

/// What `AppState::vault_busy` holds while Argon2 runs: which step, named
/// by a key so the notice is said in the language shown when it renders.
pub const BUSY_SECURING: &str = "securing";
pub const BUSY_UNLOCKING: &str = "unlocking";

fn busy_text(step: &str) -> String {
    match step {
        BUSY_UNLOCKING => t("lock-busy-unlocking"),
        _ => t("lock-busy-securing"),
    }
}

fn strength_key(s: Strength) -> &'static str {
    match s {
        Strength::TooWeak => "too_weak",
        Strength::Weak => "weak",
        Strength::Fair => "fair",
        Strength::Strong => "strong",
    }
}

fn strength_label(s: Strength) -> String {
    match s {
        Strength::TooWeak => t("lock-strength-too-weak"),
        Strength::Weak => t("lock-strength-weak"),
        Strength::Fair => t("lock-strength-fair"),
        Strength::Strong => t("lock-strength-strong"),
    }
}

/// Empties a passphrase field, returning what it held.
fn take(field: RwSignal<String>) -> String {
    field.try_update(std::mem::take).unwrap_or_default()
}

/// A labelled password input bound to `value`; `label` is looked up on
/// every render, so it follows the language. Used wherever a passphrase is
/// typed (the lock screens, backup files).
#[component]
pub fn PassphraseField(
    label: fn() -> String,
    testid: &'static str,
    value: RwSignal<String>,
    /// The id of a hint that describes the field.
    #[prop(optional)]
    describedby: Option<&'static str>,
    #[prop(optional, into)] disabled: MaybeProp<bool>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="password"
                autocomplete="off"
                data-testid=testid
                aria-describedby=describedby
                disabled=move || disabled.get().unwrap_or(false)
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
                    <progress></progress> " " {busy_text(message)}
                </p>
            }
        })
    }
}

/// Says that an opened invite waits for the passphrase; `message` tells
/// what to do first, on this screen.
#[component]
fn InviteWaiting(message: fn() -> String) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.invite_waiting.get().then(|| {
            view! {
                <p class="invite-waiting" role="status" data-testid="invite-waiting">
                    {message}
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
            <h2 id="vault-setup-title">{move || t("lock-setup-title")}</h2>
            <InviteWaiting message=|| t("lock-invite-waiting-setup")/>
            <p class="hint">{move || t("lock-setup-hint")}</p>
            <form on:submit=submit>
                <PassphraseField label=|| t("lock-passphrase") testid="passphrase" value=passphrase/>
                <p
                    class=move || format!("strength {}", strength_key(strength.get()))
                    data-testid="strength"
                    data-strength=move || strength_key(strength.get())
                    aria-live="polite"
                >
                    {move || strength_label(strength.get())}
                </p>
                <PassphraseField
                    label=|| t("lock-passphrase-again")
                    testid="passphrase-confirm"
                    value=confirm
                />
                <button type="submit" data-testid="create-vault" disabled=busy>
                    {move || t("lock-setup-submit")}
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
            <h2 id="unlock-title">{move || t("lock-unlock-title")}</h2>
            <InviteWaiting message=|| t("lock-invite-waiting-unlock")/>
            <form on:submit=submit>
                <PassphraseField label=|| t("lock-passphrase") testid="passphrase" value=passphrase/>
                <button type="submit" data-testid="unlock-submit" disabled=busy>
                    {move || t("lock-unlock-submit")}
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
                        {move || t("lock-wipe")}
                    </button>
                }
            >
                <p class="wipe-warning" role="alert">{move || t("lock-wipe-warning")}</p>
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
                    {move || t("lock-wipe-confirm")}
                </button>
                <button type="button" class="secondary" data-testid="wipe-cancel" on:click=move |_| asking.set(false)>
                    {move || t("lock-wipe-cancel")}
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
            {move || t("lock-lock-now")}
        </button>
    }
}

/// The lock settings and erasing the device: a section of the settings
/// page.
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
            <h3 id="device-panel-title">{move || t("lock-panel-title")}</h3>
            <form class="settings" on:submit=save>
                <label>
                    {move || t("lock-idle-minutes-label")}
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
                    {move || t("lock-max-failures-label")}
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
                <button type="submit" data-testid="save-settings">
                    {move || t("lock-settings-save")}
                </button>
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
                Some(p) => {
                    let (done, total) = (p.docs_done, p.docs_total);
                    tr!("lock-join-progress", done = done, total = total)
                }
                None => t("lock-join-starting"),
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
