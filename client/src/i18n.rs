//! The one translation layer: every word the app shows comes from a
//! Fluent message in `client/locales/<lang>/<area>.ftl`, looked up here.
//!
//! Fluent (Project Fluent's `fluent-bundle`) rather than a table of
//! strings, because Ukrainian and Russian need three or four plural forms
//! and case agreement that only a translator can get right; Fluent lets
//! each language say it its own way without the code knowing. Dates and
//! numbers go through the browser's own `Intl` (the ICU data is already in
//! every browser, so the wasm carries none).
//!
//! The chosen language is a non-sensitive preference kept in localStorage
//! (`homeward.lang`); it defaults to the browser's language. Lookups read a
//! signal, so every `move || t("…")` in a view re-renders when the language
//! changes. A completeness test (`tests/tests/translations.rs`) checks that
//! every message the code names exists in every language.

use std::cell::RefCell;
use std::collections::HashSet;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use leptos::prelude::*;
use shared::partial_date::PartialDate;
use wasm_bindgen::JsValue;

pub const LS_LANG: &str = "homeward.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Uk,
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Uk, Lang::En, Lang::Ru];

    /// The BCP 47 code (also the folder under `locales/`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Uk => "uk",
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The locale `Intl` formats dates and numbers for.
    fn intl_locale(self) -> &'static str {
        match self {
            Lang::Uk => "uk-UA",
            // Day-month-year, as documenters in the region write dates.
            Lang::En => "en-GB",
            Lang::Ru => "ru-RU",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Uk => "Українська",
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn index(self) -> usize {
        match self {
            Lang::Uk => 0,
            Lang::En => 1,
            Lang::Ru => 2,
        }
    }
}

/// Each language's messages, every area file of it in one bundle.
macro_rules! locale_sources {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/common.ftl")),
            include_str!(concat!("../locales/", $lang, "/model.ftl")),
            include_str!(concat!("../locales/", $lang, "/lock.ftl")),
            include_str!(concat!("../locales/", $lang, "/list.ftl")),
            include_str!(concat!("../locales/", $lang, "/form.ftl")),
            include_str!(concat!("../locales/", $lang, "/detail.ftl")),
            include_str!(concat!("../locales/", $lang, "/release.ftl")),
            include_str!(concat!("../locales/", $lang, "/sync.ftl")),
        ]
    };
}

fn sources(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::Uk => locale_sources!("uk"),
        Lang::En => locale_sources!("en"),
        Lang::Ru => locale_sources!("ru"),
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id = lang
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new(vec![id]);
    // Bidi isolation marks would end up in exported files and in what the
    // tests read; every language here is left-to-right.
    bundle.set_use_isolating(false);
    for source in sources(lang) {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                tracing::error!(
                    lang = lang.code(),
                    "{} translation syntax errors",
                    errors.len()
                );
                r
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                lang = lang.code(),
                "{} duplicate translation ids",
                errors.len()
            );
        }
    }
    bundle
}

thread_local! {
    static BUNDLES: RefCell<[Option<FluentBundle<FluentResource>>; 3]> =
        const { RefCell::new([None, None, None]) };
    // Reference-counted, not owned by whichever component first asked: an
    // arena signal made inside a view is disposed with that view.
    static CURRENT: RefCell<Option<ArcRwSignal<Lang>>> = const { RefCell::new(None) };
    static REPORTED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// The language signal: made on first use from the stored preference or
/// the browser's language.
fn signal() -> ArcRwSignal<Lang> {
    CURRENT.with(|current| {
        current
            .borrow_mut()
            .get_or_insert_with(|| {
                let lang = initial_lang();
                set_document_lang(lang);
                ArcRwSignal::new(lang)
            })
            .clone()
    })
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn initial_lang() -> Lang {
    let stored = local_storage()
        .and_then(|s| s.get_item(LS_LANG).ok().flatten())
        .and_then(|c| Lang::from_code(&c));
    let browser = || {
        let navigator = web_sys::window()?.navigator();
        navigator
            .languages()
            .iter()
            .filter_map(|v| v.as_string())
            .chain(navigator.language())
            .find_map(|c| Lang::from_code(&c))
    };
    // The people this is built for mostly read Ukrainian.
    stored.or_else(browser).unwrap_or(Lang::Uk)
}

fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// The current language (tracked: a view reading it re-renders on change).
pub fn lang() -> Lang {
    signal().get()
}

/// Switches the language and remembers the choice on this device.
pub fn set_lang(lang: Lang) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(LS_LANG, lang.code());
    }
    set_document_lang(lang);
    signal().set(lang);
}

fn format(id: &str, args: Option<&FluentArgs>) -> String {
    let lang = lang();
    BUNDLES.with(|bundles| {
        let mut bundles = bundles.borrow_mut();
        let bundle = bundles[lang.index()].get_or_insert_with(|| bundle(lang));
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            report_missing(lang, id);
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            report_missing(lang, id);
        }
        text.into_owned()
    })
}

/// Whether the current language has a message `id` (for lookups that
/// fall back to a more general message).
pub fn has(id: &str) -> bool {
    let lang = lang();
    BUNDLES.with(|bundles| {
        let mut bundles = bundles.borrow_mut();
        bundles[lang.index()]
            .get_or_insert_with(|| bundle(lang))
            .has_message(id)
    })
}

/// Message ids are code, never case content, so they may be logged.
fn report_missing(lang: Lang, id: &str) {
    REPORTED.with(|seen| {
        if seen.borrow_mut().insert(format!("{}:{id}", lang.code())) {
            tracing::warn!(lang = lang.code(), id, "translation missing or broken");
        }
    });
}

/// The message `id` in the current language.
pub fn t(id: &str) -> String {
    format(id, None)
}

/// An argument to a message: text, or a number (numbers choose plural
/// forms and are formatted for the language).
#[derive(Debug)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_arg!(u8, u16, u32, u64, usize, i32, i64, f64);

/// The message `id` with named arguments.
pub fn t_args(id: &str, args: &[(&str, Arg)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, arg) in args {
        match arg {
            Arg::Text(s) => fluent.set(*name, FluentValue::from(s.clone())),
            Arg::Number(n) => fluent.set(*name, FluentValue::from(*n)),
        }
    }
    format(id, Some(&fluent))
}

/// `tr!("id")` or `tr!("id", name = value, …)`: a message in the current
/// language.
#[macro_export]
macro_rules! tr {
    ($id:literal) => {
        $crate::i18n::t($id)
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::t_args($id, &[$((stringify!($name), $crate::i18n::Arg::from($value))),+])
    };
}

fn intl_options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let options = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    options
}

fn locales(lang: Lang) -> js_sys::Array {
    js_sys::Array::of1(&JsValue::from_str(lang.intl_locale()))
}

/// A whole number or decimal in the current language's digits grouping.
pub fn fmt_number(n: f64) -> String {
    let format = js_sys::Intl::NumberFormat::new(&locales(lang()), &js_sys::Object::new());
    format
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(n))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| n.to_string())
}

fn fmt_js_date(date: &js_sys::Date, options: &[(&str, &str)]) -> String {
    let format = js_sys::Intl::DateTimeFormat::new(&locales(lang()), &intl_options(options));
    format
        .format()
        .call1(&JsValue::UNDEFINED, date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A partial date at its own precision: "2022", "березень 2022 р.",
/// "14 бер. 2022 р.". Shown in UTC so a date never shifts a day.
pub fn fmt_partial_date(date: &PartialDate) -> String {
    let month = date.get_month().unwrap_or(1);
    let day = date.get_day().unwrap_or(1);
    let ms = js_sys::Date::utc(f64::from(date.get_year()), f64::from(month) - 1.0)
        + f64::from(day - 1) * 86_400_000.0;
    let js = js_sys::Date::new(&JsValue::from_f64(ms));
    match (date.get_month(), date.get_day()) {
        (None, _) => date.get_year().to_string(),
        (Some(_), None) => fmt_js_date(
            &js,
            &[("year", "numeric"), ("month", "long"), ("timeZone", "UTC")],
        ),
        (Some(_), Some(_)) => fmt_js_date(&js, &[("dateStyle", "medium"), ("timeZone", "UTC")]),
    }
}

/// A moment (milliseconds since the Unix epoch) as local date and time.
pub fn fmt_datetime(ms: i64) -> String {
    let js = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    fmt_js_date(&js, &[("dateStyle", "medium"), ("timeStyle", "short")])
}

/// A moment as local time of day, with seconds.
pub fn fmt_time(ms: i64) -> String {
    let js = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    fmt_js_date(&js, &[("timeStyle", "medium")])
}
