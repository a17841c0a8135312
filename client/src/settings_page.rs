//! Settings: the language, the lock, erasing the device, and what this
//! device and app are (for a coordinator who asks).

use leptos::prelude::*;

use crate::app_state::AppState;
use crate::i18n::{Lang, lang, set_lang, t};
use crate::vault_screens::DevicePanel;

/// The options of a language picker, each named in its own language.
fn language_options() -> impl IntoView {
    Lang::ALL
        .into_iter()
        .map(|l| {
            view! {
                <option value=l.code() lang=l.code() selected=move || lang() == l>
                    {l.native_name()}
                </option>
            }
        })
        .collect_view()
}

fn choose_language(ev: leptos::ev::Event) {
    if let Some(l) = Lang::from_code(&event_target_value(&ev)) {
        set_lang(l);
    }
}

/// The language picker (top bar, also on the lock screens: a documenter
/// must be able to read the unlock screen).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    view! {
        <label class="language-switch">
            <span class="visually-hidden">{move || t("language-label")}</span>
            <select data-testid="language" on:change=choose_language>
                {language_options()}
            </select>
        </label>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <div class="settings-page" data-testid="settings-page">
            <h2 id="settings-title">{move || t("nav-settings")}</h2>
            <section class="card" aria-labelledby="settings-language-title">
                <h3 id="settings-language-title">{move || t("language-label")}</h3>
                <select
                    data-testid="settings-language"
                    aria-labelledby="settings-language-title"
                    on:change=choose_language
                >
                    {language_options()}
                </select>
            </section>
            <DevicePanel/>
            <About/>
        </div>
    }
}

/// This device's id (short) and the app's version.
#[component]
fn About() -> impl IntoView {
    let device = expect_context::<AppState>().device;
    view! {
        <section class="card" aria-labelledby="settings-about-title">
            <h3 id="settings-about-title">{move || t("lock-about-title")}</h3>
            <dl>
                <dt>{move || t("lock-about-device")}</dt>
                <dd>
                    {move || device.get().map(|d| {
                        let hex = d.to_hex();
                        view! {
                            <code data-testid="device-id" data-device-id=hex.clone()>
                                {d.short_hex()}
                            </code>
                        }
                    })}
                    <p class="hint">{move || t("lock-about-device-hint")}</p>
                </dd>
                <dt>{move || t("lock-about-version")}</dt>
                <dd data-testid="app-version">{env!("CARGO_PKG_VERSION")}</dd>
            </dl>
        </section>
    }
}
