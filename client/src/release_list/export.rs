//! Making the files and noting each export in the cases it contained.

use leptos::prelude::*;
use shared::release_list::{ReleaseList, export_intervention, to_csv_with, to_json};

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
            if crate::browser::download(
                &file_name(&list, "csv"),
                "text/csv;charset=utf-8",
                text.as_bytes(),
            )
            .is_err()
            {
                builder.outcome.set(Some(Outcome::FileFailed));
                return;
            }
            note(builder, device, list, format, generation);
        }
        Format::Json => {
            let text = to_json(&list);
            if crate::browser::download(
                &file_name(&list, "json"),
                "application/json",
                text.as_bytes(),
            )
            .is_err()
            {
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
