//! The minimum record at the top of the form (what an interview must not
//! end without) and the rest of the person's identity.

use leptos::prelude::*;
use shared::case::{Alias, Case, IdentityDocument};

use super::fields::{
    Field, add_button, choice_input, field_label, item_head, parsed_input, rows, text_area,
    text_input,
};
use super::partial_date_input::partial_date_input;
use super::problems::{ProblemKind, Section, focus_soon, section_badge};
use super::state::{Form, new_item_id};
use super::timeline;
use crate::i18n::t;
use crate::labels;
use crate::tr;

pub(super) fn minimum(form: Form) -> impl IntoView {
    let names = view! {
        {text_input(
            form,
            Field::new("identity.surname", "case-surname").required(),
            |c| c.identity.surname.clone(),
            |c, v| c.identity.surname = v,
        )}
        {text_input(
            form,
            Field::new("identity.given_names", "case-given-names"),
            |c| c.identity.given_names.clone(),
            |c, v| c.identity.given_names = v,
        )}
        {text_input(
            form,
            Field::new("identity.patronymic", "case-patronymic"),
            |c| c.identity.patronymic.clone(),
            |c, v| c.identity.patronymic = v,
        )}
    };
    let situation = view! {
        {choice_input(form, Field::new("category", "case-category"), |c| c.category, |c, v| {
            c.category = v
        })}
        {timeline::status_field(form)}
        {choice_input(form, Field::new("identity.sex", "case-sex"), |c| c.identity.sex, |c, v| {
            c.identity.sex = v
        })}
    };
    let birth = view! {
        {partial_date_input(
            form,
            Field::new("identity.birth_date", "case-birth-date"),
            |c| c.identity.birth_date,
            |c, v| c.identity.birth_date = v,
        )}
        <div class="field-pair">
            {parsed_input(
                form,
                Field::new("identity.approx_age", "case-approx-age")
                    .numeric()
                    .hint(|| t("form-age-hint")),
                |c| c.identity.approx_age,
                |c, v| c.identity.approx_age = v,
                parse_age,
                |v| v.map(|n| n.to_string()).unwrap_or_default(),
            )}
            {partial_date_input(
                form,
                Field::new("identity.approx_age_on", "case-approx-age-on"),
                |c| c.identity.approx_age_on,
                |c, v| c.identity.approx_age_on = v,
            )}
        </div>
        {text_input(
            form,
            Field::new("identity.residence_oblast", "case-oblast"),
            |c| c.identity.residence_oblast.clone(),
            |c, v| c.identity.residence_oblast = v,
        )}
    };
    view! {
        <section class="form-minimum" data-testid="section-minimum" aria-labelledby="form-minimum-title">
            <h3 id="form-minimum-title">
                {move || t("form-section-minimum")}
                {section_badge(form, Section::Minimum)}
            </h3>
            <p class="hint">{move || t("form-minimum-hint")}</p>
            {names}
            {situation}
            {birth}
        </section>
    }
}

/// An age in whole years; blank is no age.
fn parse_age(text: &str) -> Result<Option<u8>, ProblemKind> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProblemKind::NotANumber);
    }
    // Too many digits for a u8 is still a number, only not an age.
    text.parse::<u8>()
        .map(Some)
        .map_err(|_| ProblemKind::Invalid(shared::case_validation::ValidationCode::AgeOutOfRange))
}

/// "UA, pl ro" → ["UA", "PL", "RO"].
fn parse_citizenships(text: &str) -> Result<Vec<String>, ProblemKind> {
    Ok(text
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_uppercase)
        .collect())
}

fn parse_photo(text: &str) -> Result<Option<String>, ProblemKind> {
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// Whether the case holds anything in the identity section (it opens
/// when it does).
fn has_identity_details(c: &Case) -> bool {
    let id = &c.identity;
    [
        &id.mother_name,
        &id.mother_maiden_name,
        &id.place_of_birth,
        &id.residence_hromada,
        &id.residence_settlement,
        &id.distinguishing_marks,
    ]
    .iter()
    .any(|s| !s.is_empty())
        || !id.aliases.is_empty()
        || !id.citizenships.is_empty()
        || !id.documents.is_empty()
        || id.photo_sha256.is_some()
}

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(has_identity_details);
    let parents = view! {
        {text_input(
            form,
            Field::new("identity.mother_name", "case-mother-name"),
            |c| c.identity.mother_name.clone(),
            |c, v| c.identity.mother_name = v,
        )}
        {text_input(
            form,
            Field::new("identity.mother_maiden_name", "case-mother-maiden-name"),
            |c| c.identity.mother_maiden_name.clone(),
            |c, v| c.identity.mother_maiden_name = v,
        )}
    };
    let origin = view! {
        {text_input(
            form,
            Field::new("identity.place_of_birth", "case-place-of-birth"),
            |c| c.identity.place_of_birth.clone(),
            |c, v| c.identity.place_of_birth = v,
        )}
        {parsed_input(
            form,
            Field::new("identity.citizenships", "case-citizenships")
                .hint(|| t("form-citizenships-hint")),
            |c| c.identity.citizenships.clone(),
            |c, v| c.identity.citizenships = v,
            parse_citizenships,
            |v| v.join(", "),
        )}
        {text_input(
            form,
            Field::new("identity.residence_hromada", "case-hromada"),
            |c| c.identity.residence_hromada.clone(),
            |c, v| c.identity.residence_hromada = v,
        )}
        {text_input(
            form,
            Field::new("identity.residence_settlement", "case-settlement"),
            |c| c.identity.residence_settlement.clone(),
            |c, v| c.identity.residence_settlement = v,
        )}
    };
    let marks = view! {
        {text_area(
            form,
            Field::new("identity.distinguishing_marks", "case-distinguishing-marks"),
            |c| c.identity.distinguishing_marks.clone(),
            |c, v| c.identity.distinguishing_marks = v,
        )}
        {parsed_input(
            form,
            Field::new("identity.photo_sha256", "case-photo-sha256").hint(|| t("form-photo-hint")),
            |c| c.identity.photo_sha256.clone(),
            |c, v| c.identity.photo_sha256 = v,
            parse_photo,
            |v| v.clone().unwrap_or_default(),
        )}
    };
    view! {
        <details class="form-section" data-testid="section-identity" open=open>
            <summary>
                <h3>{move || labels::field("identity")}</h3>
                {section_badge(form, Section::Identity)}
            </summary>
            <div class="section-body">
                {parents}
                {aliases(form)}
                {origin}
                {documents(form)}
                {marks}
            </div>
        </details>
    }
}

fn aliases(form: Form) -> impl IntoView {
    let ids = form.ids(|c| c.identity.aliases.iter().map(|a| a.id.clone()).collect());
    let add = move || {
        let n = form.case.with_untracked(|c| c.identity.aliases.len());
        form.edit(|c| {
            c.identity.aliases.push(Alias {
                id: new_item_id(),
                ..Alias::default()
            })
        });
        focus_soon(super::fields::input_id(&format!(
            "identity.aliases.{n}.name"
        )));
    };
    view! {
        <fieldset class="list" id="f-identity-aliases">
            <legend>{move || field_label("identity.aliases")}</legend>
            <ul class="items">
                {rows(ids, move |i| alias_row(form, i))}
            </ul>
            {add_button("add-alias".into(), || t("form-add-alias"), add)}
        </fieldset>
    }
}

fn alias_row(form: Form, i: usize) -> impl IntoView {
    let remove = move || {
        form.edit(|c| {
            if i < c.identity.aliases.len() {
                c.identity.aliases.remove(i);
            }
        });
        focus_soon("add-alias".to_owned());
    };
    view! {
        <li class="item" data-testid=format!("alias-{i}")>
            {item_head(move || tr!("form-alias-item", n = i + 1), format!("alias-{i}-remove"), remove)}
            {text_input(
                form,
                Field::new(format!("identity.aliases.{i}.name"), format!("alias-{i}-name")),
                move |c| c.identity.aliases.get(i).map(|a| a.name.clone()).unwrap_or_default(),
                move |c, v| {
                    if let Some(a) = c.identity.aliases.get_mut(i) {
                        a.name = v;
                    }
                },
            )}
        </li>
    }
}

fn documents(form: Form) -> impl IntoView {
    let ids = form.ids(|c| c.identity.documents.iter().map(|d| d.id.clone()).collect());
    let add = move || {
        let n = form.case.with_untracked(|c| c.identity.documents.len());
        form.edit(|c| {
            c.identity.documents.push(IdentityDocument {
                id: new_item_id(),
                ..IdentityDocument::default()
            })
        });
        focus_soon(super::fields::input_id(&format!(
            "identity.documents.{n}.kind"
        )));
    };
    view! {
        <fieldset class="list" id="f-identity-documents">
            <legend>{move || field_label("identity.documents")}</legend>
            <p class="hint">{move || t("form-documents-hint")}</p>
            <ul class="items">
                {rows(ids, move |i| document_row(form, i))}
            </ul>
            {add_button("add-document".into(), || t("form-add-document"), add)}
        </fieldset>
    }
}

fn doc<T: Default>(c: &Case, i: usize, f: impl FnOnce(&IdentityDocument) -> T) -> T {
    c.identity.documents.get(i).map(f).unwrap_or_default()
}

fn doc_mut(c: &mut Case, i: usize, f: impl FnOnce(&mut IdentityDocument)) {
    if let Some(d) = c.identity.documents.get_mut(i) {
        f(d);
    }
}

fn document_row(form: Form, i: usize) -> impl IntoView {
    let remove = move || {
        form.edit(|c| {
            if i < c.identity.documents.len() {
                c.identity.documents.remove(i);
            }
        });
        focus_soon("add-document".to_owned());
    };
    view! {
        <li class="item" data-testid=format!("document-{i}")>
            {item_head(move || tr!("form-document-item", n = i + 1), format!("document-{i}-remove"), remove)}
            {choice_input(
                form,
                Field::new(format!("identity.documents.{i}.kind"), format!("document-{i}-kind")),
                move |c| doc(c, i, |d| d.kind),
                move |c, v| doc_mut(c, i, |d| d.kind = v),
            )}
            {text_input(
                form,
                Field::new(format!("identity.documents.{i}.number"), format!("document-{i}-number")),
                move |c| doc(c, i, |d| d.number.clone()),
                move |c, v| doc_mut(c, i, |d| d.number = v),
            )}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_codes_read_leniently() {
        assert_eq!(parse_age(" 42 "), Ok(Some(42)));
        assert_eq!(parse_age(""), Ok(None));
        assert_eq!(parse_age("4x"), Err(ProblemKind::NotANumber));
        assert_eq!(parse_age("-3"), Err(ProblemKind::NotANumber));
        assert!(matches!(parse_age("300"), Err(ProblemKind::Invalid(_))));
        assert_eq!(
            parse_citizenships("ua, pl;ro  "),
            Ok(vec!["UA".to_owned(), "PL".to_owned(), "RO".to_owned()])
        );
    }
}
