//! Making the files and noting each export in the cases it contained.

use leptos::prelude::*;
use shared::release_list::{ReleaseList, export_intervention, to_csv_with, to_json};
use wasm_bindgen::{JsCast, JsValue};

use super::{Builder, Outcome, columns};
use crate::app::Access;
use crate::device_loop::DeviceHandle;

/// How a list left the device; also written into the note in each case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Csv,
    Json,
    Print,
}

impl Format {
    fn key(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Print => "print",
        }
    }
}

/// `homeward-release-<profile>-<yyyy-mm-dd>.<ext>`
fn file_name(list: &ReleaseList, ext: &str) -> String {
    format!(
        "homeward-release-{}-{}.{ext}",
        list.profile.as_key(),
        list.generated_on
    )
}

/// Makes the file, prints, or does both, then notes the export.
pub(super) fn export(builder: Builder, device: DeviceHandle, format: Format) {
    let Some(list) = builder.list.get_untracked() else {
        return;
    };
    if list.entries.is_empty() || builder.outcome.get_untracked() == Some(Outcome::Noting) {
        return;
    }
    let generation = builder.generation.get_value();
    match format {
        Format::Csv => {
            let headers = columns::headers(list.profile);
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            let text = to_csv_with(&list, &headers, &columns::term);
            if download(&file_name(&list, "csv"), "text/csv;charset=utf-8", &text).is_err() {
                builder.outcome.set(Some(Outcome::FileFailed));
                return;
            }
            note(builder, device, list, format, generation);
        }
        Format::Json => {
            let text = to_json(&list);
            if download(&file_name(&list, "json"), "application/json", &text).is_err() {
                builder.outcome.set(Some(Outcome::FileFailed));
                return;
            }
            note(builder, device, list, format, generation);
        }
        Format::Print => {
            builder.printing.set(true);
            leptos::task::spawn_local(async move {
                // The print view renders as a microtask; let it paint.
                crate::browser::after_paint().await;
                if builder.generation.get_value() != generation {
                    return;
                }
                let printed = web_sys::window().map(|w| w.print());
                if !matches!(printed, Some(Ok(()))) {
                    builder.outcome.set(Some(Outcome::FileFailed));
                    return;
                }
                note(builder, device, list, format, generation);
            });
        }
    }
}

/// Notes the export in every exported case, where this device may write.
fn note(
    builder: Builder,
    device: DeviceHandle,
    list: ReleaseList,
    format: Format,
    generation: u64,
) {
    if builder.access.get_untracked() != Access::Write {
        builder.outcome.set(Some(Outcome::NotNoted));
        return;
    }
    builder.outcome.set(Some(Outcome::Noting));
    let doc_ids = list.doc_ids();
    tracing::info!(
        cases = doc_ids.len(),
        profile = list.profile.as_key(),
        format = format.key(),
        "noting a release-list export"
    );
    leptos::task::spawn_local(async move {
        let device_hex = builder
            .this_device
            .get_untracked()
            .map(|d| d.to_hex())
            .unwrap_or_default();
        let template = export_intervention(list.profile, format.key(), &device_hex, builder.today);
        let result = device.record_export(doc_ids, template).await;
        if builder.generation.get_value() != generation {
            return;
        }
        builder.outcome.set(Some(match result {
            Ok(n) => Outcome::Noted(n),
            Err(err) => Outcome::Failed(err),
        }));
    });
}

/// Offers `text` as a file to save: a Blob behind a temporary link.
fn download(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    // Some browsers start reading the Blob after `click` returns: revoke
    // the address (freeing the file's memory) a little later.
    leptos::task::spawn_local(async move {
        crate::browser::sleep_ms(10_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}
