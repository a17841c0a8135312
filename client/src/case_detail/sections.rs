//! The read-only parts of the record, one section each: identity, the
//! category's own details, detention, health, family and consent, sources,
//! interventions and notes. Changing them is the edit form's job.
//!
//! Empty text fields are left out rather than listed as blanks; a section
//! with nothing in it says so. Enumerations are always shown, "unknown"
//! included: an unknown is itself something to document.

use leptos::prelude::*;
use shared::case::{Case, Category, Consent, FamilyContact, Intervention, Source};

use super::{Screen, date_text, field_name, short_hex};
use crate::i18n::t;
use crate::labels;
use crate::tr;

/// One `<dt>`/`<dd>` pair of a `<dl>`.
fn row(label: String, value: impl IntoView + 'static) -> AnyView {
    view! {
        <div class="detail-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
    .into_any()
}

/// A row for a text field, or nothing when it is blank.
fn text_row(path: &str, value: &str) -> Option<AnyView> {
    let value = value.trim();
    (!value.is_empty()).then(|| row(field_name(path), value.to_owned()))
}

fn none_recorded() -> AnyView {
    view! { <p class="none">{t("detail-none-recorded")}</p> }.into_any()
}

/// Rows as a list, or "none recorded".
fn rows_or_none(rows: Vec<AnyView>) -> AnyView {
    if rows.is_empty() {
        none_recorded()
    } else {
        view! { <dl class="detail-rows">{rows}</dl> }.into_any()
    }
}

/// A section with a heading and an id the heading names it by.
fn section(name: &'static str, title: String, content: impl IntoView + 'static) -> AnyView {
    let heading_id = format!("detail-{name}-title");
    let labelledby = heading_id.clone();
    view! {
        <section class=format!("card detail-section detail-{name}")
            data-testid=format!("detail-section-{name}") aria-labelledby=labelledby>
            <h3 id=heading_id>{title}</h3>
            {content}
        </section>
    }
    .into_any()
}

/// The button that shows or hides sensitive values of a section.
fn reveal(shown: RwSignal<bool>, testid: &'static str) -> impl IntoView {
    view! {
        <button type="button" class="button-secondary reveal" data-testid=testid
            data-shown=move || shown.get().to_string()
            on:click=move |_| shown.update(|s| *s = !*s)>
            {move || if shown.get() { t("detail-hide-sensitive") } else { t("detail-show-sensitive") }}
        </button>
    }
}

/// A sensitive value: "hidden" until revealed.
fn sensitive(value: String, shown: RwSignal<bool>, testid: &'static str) -> impl IntoView {
    let empty = value.trim().is_empty();
    view! {
        <span class="sensitive" class:hidden-value=move || !shown.get() data-testid=testid>
            {move || {
                if empty {
                    t("detail-not-recorded")
                } else if shown.get() {
                    value.clone()
                } else {
                    t("detail-hidden")
                }
            }}
        </span>
    }
}

pub(super) fn identity(screen: &Screen, case: &Case) -> AnyView {
    let id = &case.identity;
    let mut rows: Vec<AnyView> = [
        ("identity.surname", &id.surname),
        ("identity.given_names", &id.given_names),
        ("identity.patronymic", &id.patronymic),
        ("identity.mother_name", &id.mother_name),
        ("identity.mother_maiden_name", &id.mother_maiden_name),
    ]
    .into_iter()
    .filter_map(|(path, value)| text_row(path, value))
    .collect();
    let aliases: Vec<String> = id
        .aliases
        .iter()
        .map(|a| a.name.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    if !aliases.is_empty() {
        let items = aliases
            .into_iter()
            .map(|a| view! { <li>{a}</li> })
            .collect_view();
        rows.push(row(
            field_name("identity.aliases"),
            view! { <ul class="inline-list" data-testid="identity-aliases">{items}</ul> },
        ));
    }
    rows.push(row(field_name("identity.sex"), labels::sex(id.sex)));
    if let Some(birth) = date_text(id.birth_date.as_ref()) {
        rows.push(row(field_name("identity.birth_date"), birth));
    } else if let Some(age) = id.approx_age {
        let text = match date_text(id.approx_age_on.as_ref()) {
            Some(on) => tr!("detail-approx-age-on", age = age, date = on),
            None => tr!("detail-approx-age", age = age),
        };
        rows.push(row(field_name("identity.approx_age"), text));
    }
    rows.extend(text_row("identity.place_of_birth", &id.place_of_birth));
    if !id.citizenships.is_empty() {
        let items = id
            .citizenships
            .iter()
            .map(|c| view! { <li>{c.clone()}</li> })
            .collect_view();
        rows.push(row(
            field_name("identity.citizenships"),
            view! { <ul class="inline-list">{items}</ul> },
        ));
    }
    rows.extend(
        [
            ("identity.residence_oblast", &id.residence_oblast),
            ("identity.residence_hromada", &id.residence_hromada),
            ("identity.residence_settlement", &id.residence_settlement),
            ("identity.distinguishing_marks", &id.distinguishing_marks),
        ]
        .into_iter()
        .filter_map(|(path, value)| text_row(path, value)),
    );
    if let Some(photo) = id.photo_sha256.as_deref().filter(|p| !p.is_empty()) {
        rows.push(row(
            field_name("identity.photo_sha256"),
            view! { <code title=photo.to_owned()>{short_hex(photo)}</code> },
        ));
    }
    let documents = (!id.documents.is_empty()).then(|| {
        let shown = screen.show_documents;
        let items = id
            .documents
            .iter()
            .map(|d| {
                view! {
                    <li class="identity-document" data-testid="identity-document"
                        data-kind=d.kind.as_key()>
                        <span class="doc-kind">{labels::document_kind(d.kind)}</span>
                        {sensitive(d.number.clone(), shown, "document-number")}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h4>{field_name("identity.documents")}</h4>
            {reveal(shown, "detail-show-documents")}
            <ul class="detail-items documents">{items}</ul>
        }
    });
    section(
        "identity",
        t("detail-section-identity"),
        view! {
            {rows_or_none(rows)}
            {documents}
        },
    )
}

/// The details of the case's category, and of any other category that has
/// details filled in (left from before the category was changed).
pub(super) fn category_details(case: &Case) -> AnyView {
    let pow = &case.pow;
    let child = &case.child;
    let political = &case.political;
    let mut groups: Vec<AnyView> = Vec::new();
    let mut group = |name: &'static str, category: Category, rows: Vec<AnyView>| {
        if case.category == category || !rows.is_empty() {
            groups.push(
                view! {
                    <div class="detail-group" data-testid=format!("detail-group-{name}")>
                        <h4>{labels::field(name)}</h4>
                        {rows_or_none(rows)}
                    </div>
                }
                .into_any(),
            );
        }
    };
    group(
        "pow",
        Category::PrisonerOfWar,
        [
            ("pow.rank", &pow.rank),
            ("pow.unit", &pow.unit),
            ("pow.service_number", &pow.service_number),
        ]
        .into_iter()
        .filter_map(|(p, v)| text_row(p, v))
        .collect(),
    );
    let mut child_rows: Vec<AnyView> = Vec::new();
    child_rows.extend(text_row("child.guardian", &child.guardian));
    if let Some(date) = date_text(child.transfer_date.as_ref()) {
        child_rows.push(row(field_name("child.transfer_date"), date));
    }
    child_rows.extend(text_row("child.transfer_place", &child.transfer_place));
    child_rows.extend(text_row("child.known_location", &child.known_location));
    group("child", Category::DeportedChild, child_rows);
    group(
        "political",
        Category::PoliticalPrisoner,
        [
            ("political.article", &political.article),
            ("political.court", &political.court),
            ("political.case_number", &political.case_number),
            ("political.sentence", &political.sentence),
        ]
        .into_iter()
        .filter_map(|(p, v)| text_row(p, v))
        .collect(),
    );
    let content = if groups.is_empty() {
        none_recorded()
    } else {
        groups.into_any()
    };
    section("category", t("detail-section-category"), content)
}

pub(super) fn detention(case: &Case) -> AnyView {
    if case.detention.is_empty() {
        return section("detention", t("detail-section-detention"), none_recorded());
    }
    let episodes = case
        .detention
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut facts: Vec<AnyView> = Vec::new();
            if let Some(date) = date_text(e.seized_on.as_ref()) {
                facts.push(row(field_name("detention.0.seized_on"), date));
            }
            facts.extend(text_row("detention.0.place_seized", &e.place_seized));
            facts.extend(text_row("detention.0.authority", &e.authority));
            facts.extend(text_row("detention.0.legal_status", &e.legal_status));
            let ladder = [
                ("capture", e.capture.as_key(), labels::capture(e.capture)),
                ("whereabouts", e.whereabouts.as_key(), labels::whereabouts(e.whereabouts)),
                ("family_contact", e.family_contact.as_key(), labels::contact(e.family_contact)),
                ("lawyer_contact", e.lawyer_contact.as_key(), labels::contact(e.lawyer_contact)),
                ("icrc_contact", e.icrc_contact.as_key(), labels::contact(e.icrc_contact)),
            ]
            .into_iter()
            .map(|(name, key, text)| {
                view! {
                    <div class="detail-row ladder-step" data-testid=format!("ladder-{name}")
                        data-value=key>
                        <dt>{field_name(&format!("detention.0.{name}"))}</dt>
                        <dd>{text}</dd>
                    </div>
                }
            })
            .collect_view();
            let facilities = if e.facilities.is_empty() {
                none_recorded()
            } else {
                let items = e
                    .facilities
                    .iter()
                    .map(|f| {
                        let name = if f.name.trim().is_empty() {
                            t("detail-not-recorded")
                        } else {
                            f.name.clone()
                        };
                        let admitted = date_text(f.admitted_on.as_ref())
                            .map(|d| tr!("detail-facility-admitted", date = d));
                        let transferred = date_text(f.transferred_on.as_ref())
                            .map(|d| tr!("detail-facility-transferred", date = d));
                        view! {
                            <li class="facility" data-testid="facility">
                                <span class="facility-name">{name}</span>
                                {admitted.map(|a| view! { <span class="facility-date">{a}</span> })}
                                {transferred.map(|a| view! { <span class="facility-date">{a}</span> })}
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul class="detail-items facilities">{items}</ul> }.into_any()
            };
            view! {
                <li class="episode" data-testid="detention-episode">
                    <h4>{tr!("detail-episode", n = i + 1)}</h4>
                    {rows_or_none(facts)}
                    <h5>{t("detail-whereabouts-ladder")}</h5>
                    <dl class="detail-rows ladder">{ladder}</dl>
                    <h5>{field_name("detention.0.facilities")}</h5>
                    {facilities}
                </li>
            }
        })
        .collect_view();
    section(
        "detention",
        t("detail-section-detention"),
        view! { <ol class="detail-items episodes">{episodes}</ol> },
    )
}

pub(super) fn health(case: &Case) -> AnyView {
    let h = &case.health;
    let rows = [
        ("serious_illness", &h.serious_illness),
        ("wounded", &h.wounded),
        ("disability", &h.disability),
        ("pregnant", &h.pregnant),
        ("mother_of_infant", &h.mother_of_infant),
    ]
    .into_iter()
    .map(|(name, flag)| {
        let noted = date_text(flag.noted_on.as_ref()).map(|d| tr!("detail-health-noted", date = d));
        let note = (!flag.note.trim().is_empty()).then(|| flag.note.clone());
        view! {
            <div class="detail-row health-flag" class:yes=flag.yes() data-testid="health-flag"
                data-flag=name data-value=flag.flag.as_key()>
                <dt>{field_name(&format!("health.{name}"))}</dt>
                <dd>
                    <span class="flag-value">{labels::flag(flag.flag)}</span>
                    {noted.map(|n| view! { <span class="flag-noted">{n}</span> })}
                    {note.map(|n| view! { <span class="flag-note">{n}</span> })}
                </dd>
            </div>
        }
    })
    .collect_view();
    section(
        "health",
        t("detail-section-health"),
        view! { <dl class="detail-rows">{rows}</dl> },
    )
}

pub(super) fn family(screen: &Screen, case: &Case) -> AnyView {
    if case.family.is_empty() {
        return section("family", t("detail-section-family"), none_recorded());
    }
    let shown = screen.show_contacts;
    let any_contact = case.family.iter().any(|f| !f.contact.trim().is_empty());
    let items = case
        .family
        .iter()
        .map(|f| family_contact(f, shown))
        .collect_view();
    section(
        "family",
        t("detail-section-family"),
        view! {
            {any_contact.then(|| reveal(shown, "detail-show-contacts"))}
            <ul class="detail-items family">{items}</ul>
        },
    )
}

fn family_contact(f: &FamilyContact, shown: RwSignal<bool>) -> impl IntoView + use<> {
    let name = if f.name.trim().is_empty() {
        t("detail-no-name")
    } else {
        f.name.clone()
    };
    let mut rows: Vec<AnyView> = Vec::new();
    rows.extend(text_row("family.0.relation", &f.relation));
    if !f.contact.trim().is_empty() {
        rows.push(row(
            field_name("family.0.contact"),
            sensitive(f.contact.clone(), shown, "family-contact-value"),
        ));
    }
    if let Some(date) = date_text(f.last_contact.as_ref()) {
        rows.push(row(field_name("family.0.last_contact"), date));
    }
    view! {
        <li class="family-contact" data-testid="family-contact"
            data-to-inform=f.to_inform.to_string()>
            <h4>
                {name}
                {f.to_inform.then(|| view! {
                    <span class="badge to-inform" data-testid="family-to-inform">
                        {t("detail-to-inform")}
                    </span>
                })}
            </h4>
            {(!rows.is_empty()).then(|| view! { <dl class="detail-rows">{rows}</dl> })}
            <h5>{t("detail-consent")}</h5>
            {consent(f.consent)}
        </li>
    }
}

fn consent(c: Consent) -> impl IntoView {
    let scopes = [
        ("icrc", c.icrc),
        ("un_wgeid", c.un_wgeid),
        ("negotiators", c.negotiators),
        ("public_campaign", c.public_campaign),
    ];
    let items = scopes
        .into_iter()
        .map(|(scope, granted)| {
            view! {
                <li class="consent-scope" class:granted=granted data-testid="consent-scope"
                    data-scope=scope data-granted=granted.to_string()>
                    <span class="consent-icon" aria-hidden="true">
                        {if granted { "✓" } else { "✗" }}
                    </span>
                    <span class="consent-name">{field_name(&format!("family.0.consent.{scope}"))}</span>
                    <span class="consent-state">
                        {if granted { t("detail-consent-granted") } else { t("detail-consent-not-granted") }}
                    </span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="consent">{items}</ul> }
}

pub(super) fn sources(case: &Case) -> AnyView {
    if case.sources.is_empty() {
        return section("sources", t("detail-section-sources"), none_recorded());
    }
    let items = case.sources.iter().map(source).collect_view();
    section(
        "sources",
        t("detail-section-sources"),
        view! { <ul class="detail-items sources">{items}</ul> },
    )
}

fn source(s: &Source) -> impl IntoView + use<> {
    let attachments = (!s.attachments.is_empty()).then(|| {
        let hashes = s
            .attachments
            .iter()
            .map(|h| view! { <li><code title=h.clone()>{short_hex(h)}</code></li> })
            .collect_view();
        view! {
            <p class="attachments">{tr!("detail-attachments", n = s.attachments.len())}</p>
            <ul class="inline-list">{hashes}</ul>
        }
    });
    view! {
        <li class="source-item" class:confidential=s.confidential data-testid="source-item"
            data-kind=s.kind.as_key() data-confidential=s.confidential.to_string()>
            <p class="item-head">
                <strong>{labels::source_kind(s.kind)}</strong>
                {date_text(s.date.as_ref()).map(|d| view! { <span class="item-date">{d}</span> })}
                {s.confidential.then(|| view! {
                    <span class="badge confidential" data-testid="source-confidential">
                        {t("detail-source-confidential")}
                    </span>
                })}
            </p>
            <dl class="detail-rows">
                {row(field_name("sources.0.reliability"), labels::reliability(s.reliability))}
                {text_row("sources.0.description", &s.description)}
            </dl>
            {attachments}
        </li>
    }
}

pub(super) fn interventions(case: &Case) -> AnyView {
    if case.interventions.is_empty() {
        return section(
            "interventions",
            t("detail-section-interventions"),
            none_recorded(),
        );
    }
    let items = case.interventions.iter().map(intervention).collect_view();
    section(
        "interventions",
        t("detail-section-interventions"),
        view! { <ul class="detail-items interventions">{items}</ul> },
    )
}

fn intervention(i: &Intervention) -> impl IntoView + use<> {
    view! {
        <li class="intervention-item" data-testid="intervention-item"
            data-addressee=i.addressee.as_key() data-status=i.status.as_key()
            data-in-release-list=i.in_release_list.to_string()>
            <p class="item-head">
                <strong>{labels::addressee(i.addressee)}</strong>
                {date_text(i.date.as_ref()).map(|d| view! { <span class="item-date">{d}</span> })}
                {i.in_release_list.then(|| view! {
                    <span class="badge release-list">{t("detail-in-release-list")}</span>
                })}
            </p>
            <dl class="detail-rows">
                {row(field_name("interventions.0.status"), labels::intervention_status(i.status))}
                {text_row("interventions.0.response", &i.response)}
            </dl>
        </li>
    }
}

pub(super) fn notes(case: &Case) -> AnyView {
    let text = case.notes.0.trim();
    let content = if text.is_empty() {
        none_recorded()
    } else {
        view! { <p class="notes" data-testid="detail-notes">{text.to_owned()}</p> }.into_any()
    };
    section("notes", t("detail-section-notes"), content)
}
