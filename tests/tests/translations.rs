//! Every word the app shows comes from `client/locales/<lang>/*.ftl`
//! (see `client/src/i18n.rs`). This checks, without a browser, that:
//! - every file parses as Fluent, with no junk;
//! - every language defines exactly the same message ids;
//! - every id the code names literally (`t("…")`, `tr!("…"`) exists;
//! - every id `labels.rs` builds from a model key exists: each category,
//!   status, enum value, priority reason and basis, validation code, and a
//!   name for every field of a fully filled synthetic case.
//!
//! A missing id would otherwise show as the raw id on screen, in one
//! language only, and nobody would notice until a documenter did.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::Entry;
use shared::case::{
    Addressee, Capture, Category, Confidentiality, Contact, DocumentKind, Flag, InterventionStatus,
    Reliability, ReviewState, Sex, SourceKind, Status, Whereabouts,
};
use shared::case_validation::ValidationCode;
use shared::partial_date::Date;
use shared::priority::{Basis, ReasonCode, Tier};

const LANGS: [&str; 3] = ["en", "uk", "ru"];

fn client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../client")
}

/// Message ids per language, failing on any syntax error.
fn messages() -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for lang in LANGS {
        let dir = client_dir().join("locales").join(lang);
        let mut ids = BTreeSet::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        for file in files {
            let source = std::fs::read_to_string(&file).expect("readable .ftl");
            let resource =
                fluent_syntax::parser::parse(source.as_str()).unwrap_or_else(|(_, errors)| {
                    panic!(
                        "{}: {} syntax errors: {errors:?}",
                        file.display(),
                        errors.len()
                    )
                });
            for entry in resource.body {
                match entry {
                    Entry::Message(m) => {
                        assert!(
                            m.value.is_some(),
                            "{}: message {} has no value",
                            file.display(),
                            m.id.name
                        );
                        assert!(
                            ids.insert(m.id.name.to_owned()),
                            "{}: {} defined twice in {lang}",
                            file.display(),
                            m.id.name
                        );
                    }
                    Entry::Junk { content } => {
                        panic!("{}: unparsable text: {content}", file.display())
                    }
                    _ => {}
                }
            }
        }
        out.insert(lang, ids);
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal that opens the call after each `marker` (`t(`,
/// `tr!(`), whitespace and line breaks allowed before it.
fn literals_after<'a>(source: &'a str, marker: &str) -> Vec<&'a str> {
    source
        .match_indices(marker)
        .filter_map(|(i, _)| {
            // Comments may show a call as an example.
            let line_start = source[..i].rfind('\n').map_or(0, |n| n + 1);
            if source[line_start..i].trim_start().starts_with("//") {
                return None;
            }
            // `fmt_t(` or `x.t(` are other functions.
            let before = source[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                return None;
            }
            let rest = source[i + marker.len()..].trim_start();
            let rest = rest.strip_prefix('"')?;
            let end = rest.find('"')?;
            Some(&rest[..end])
        })
        .collect()
}

/// Every id the client's code names literally.
fn ids_in_code() -> BTreeMap<String, PathBuf> {
    let mut files = Vec::new();
    rust_files(&client_dir().join("src"), &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        for marker in ["t(", "tr!(", "t_args("] {
            for id in literals_after(&source, marker) {
                out.insert(id.to_owned(), file.clone());
            }
        }
    }
    out
}

/// The ids `labels.rs` builds from the model's stable keys.
fn model_ids() -> BTreeSet<String> {
    fn keyed<T: Copy>(
        out: &mut BTreeSet<String>,
        prefix: &str,
        all: &[T],
        key: fn(T) -> &'static str,
    ) {
        out.extend(all.iter().map(|v| format!("{prefix}-{}", key(*v))));
    }
    let mut out = BTreeSet::new();
    keyed(&mut out, "category", Category::ALL, Category::as_key);
    keyed(&mut out, "status", Status::ALL, Status::as_key);
    keyed(&mut out, "sex", Sex::ALL, Sex::as_key);
    keyed(
        &mut out,
        "document",
        DocumentKind::ALL,
        DocumentKind::as_key,
    );
    keyed(&mut out, "capture", Capture::ALL, Capture::as_key);
    keyed(
        &mut out,
        "whereabouts",
        Whereabouts::ALL,
        Whereabouts::as_key,
    );
    keyed(&mut out, "contact", Contact::ALL, Contact::as_key);
    keyed(&mut out, "flag", Flag::ALL, Flag::as_key);
    keyed(
        &mut out,
        "reliability",
        Reliability::ALL,
        Reliability::as_key,
    );
    keyed(&mut out, "source", SourceKind::ALL, SourceKind::as_key);
    keyed(&mut out, "addressee", Addressee::ALL, Addressee::as_key);
    keyed(
        &mut out,
        "intervention",
        InterventionStatus::ALL,
        InterventionStatus::as_key,
    );
    keyed(&mut out, "review", ReviewState::ALL, ReviewState::as_key);
    keyed(
        &mut out,
        "confidentiality",
        Confidentiality::ALL,
        Confidentiality::as_key,
    );
    keyed(&mut out, "tier", Tier::ALL, Tier::as_key);
    keyed(&mut out, "reason", ReasonCode::ALL, ReasonCode::as_key);
    keyed(&mut out, "basis", Basis::ALL, Basis::as_key);
    keyed(
        &mut out,
        "invalid",
        ValidationCode::ALL,
        ValidationCode::as_key,
    );
    out.insert("certainty-certain".into());
    out.insert("certainty-possible".into());
    out
}

/// Every (parent, name) field pair of fully filled synthetic cases.
fn field_names() -> BTreeSet<(String, String)> {
    fn walk(value: &serde_json::Value, parent: &str, out: &mut BTreeSet<(String, String)>) {
        match value {
            // A partial date is one value in a document (its text form),
            // never a field per part.
            serde_json::Value::Object(map)
                if map.contains_key("year")
                    && map
                        .keys()
                        .all(|k| ["year", "month", "day"].contains(&k.as_str())) => {}
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.insert((parent.to_owned(), k.clone()));
                    walk(v, k, out);
                }
            }
            // A list's items take the list's name as their parent.
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, parent, out)),
            _ => {}
        }
    }
    let today = Date::new(2026, 11, 1).expect("a valid date");
    let mut out = BTreeSet::new();
    for case in shared::synthetic::generate(7, 400, today) {
        walk(
            &serde_json::to_value(&case).expect("a case serialises"),
            "",
            &mut out,
        );
    }
    out
}

#[test]
fn every_language_parses_and_defines_the_same_messages() {
    let messages = messages();
    let en = &messages["en"];
    assert!(en.len() > 50, "only {} English messages found", en.len());
    for lang in ["uk", "ru"] {
        let other = &messages[lang];
        let missing: Vec<_> = en.difference(other).collect();
        let extra: Vec<_> = other.difference(en).collect();
        assert!(missing.is_empty(), "{lang} lacks: {missing:?}");
        assert!(extra.is_empty(), "{lang} has ids English lacks: {extra:?}");
    }
}

#[test]
fn every_message_the_code_names_exists() {
    let messages = messages();
    let used = ids_in_code();
    assert!(used.len() > 20, "only {} ids found in the code", used.len());
    let missing: Vec<String> = used
        .iter()
        .filter(|(id, _)| !messages["en"].contains(*id))
        .map(|(id, file)| format!("{id} ({})", file.display()))
        .collect();
    assert!(missing.is_empty(), "ids used but not defined: {missing:#?}");
}

#[test]
fn every_model_word_exists() {
    let messages = messages();
    let missing: Vec<String> = model_ids()
        .into_iter()
        .filter(|id| !messages["en"].contains(id))
        .collect();
    assert!(missing.is_empty(), "model words not defined: {missing:#?}");
}

#[test]
fn every_field_has_a_name() {
    let messages = messages();
    let en = &messages["en"];
    let fields = field_names();
    assert!(fields.len() > 60, "only {} fields walked", fields.len());
    let missing: Vec<String> = fields
        .into_iter()
        .filter(|(parent, name)| {
            !en.contains(&format!("field-{parent}-{name}"))
                && !en.contains(&format!("field-{name}"))
        })
        .map(|(parent, name)| format!("{parent}.{name}"))
        .collect();
    assert!(missing.is_empty(), "fields without a name: {missing:#?}");
}
