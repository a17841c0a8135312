//! Settings: the language, the lock, and erasing the device.

use leptos::prelude::*;

use crate::i18n::{Lang, lang, set_lang, t};
use crate::vault_screens::DevicePanel;

/// The language picker (top bar, also on the lock screens: a documenter
/// must be able to read the unlock screen).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    view! {
        <label class="language-switch">
            <span class="visually-hidden">{move || t("language-label")}</span>
            <select
                data-testid="language"
                on:change=move |ev| {
                    if let Some(l) = Lang::from_code(&event_target_value(&ev)) {
                        set_lang(l);
                    }
                }
            >
                {Lang::ALL.into_iter().map(|l| view! {
                    <option value=l.code() lang=l.code() selected=move || lang() == l>
                        {l.native_name()}
                    </option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <section class="card settings-page" aria-labelledby="settings-title">
            <h2 id="settings-title">{move || t("nav-settings")}</h2>
            <label>
                {move || t("language-label")}
                <select
                    data-testid="settings-language"
                    on:change=move |ev| {
                        if let Some(l) = Lang::from_code(&event_target_value(&ev)) {
                            set_lang(l);
                        }
                    }
                >
                    {Lang::ALL.into_iter().map(|l| view! {
                        <option value=l.code() lang=l.code() selected=move || lang() == l>
                            {l.native_name()}
                        </option>
                    }).collect_view()}
                </select>
            </label>
        </section>
        <DevicePanel/>
    }
}
