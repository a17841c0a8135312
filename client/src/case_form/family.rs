//! Family and consent: who is to be informed, how to reach them, and what
//! the family agreed the case may be shared with.

use leptos::prelude::*;
use shared::case::{Case, Consent, FamilyContact};

use super::fields::{
    Field, add_button, check_input, field_label, input_id, item_head, rows, text_input,
};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, focus_soon, section_badge};
use super::state::{Form, new_item_id};
use crate::i18n::t;
use crate::labels;
use crate::tr;

fn get<T: Default>(c: &Case, i: usize, f: impl FnOnce(&FamilyContact) -> T) -> T {
    c.family.get(i).map(f).unwrap_or_default()
}

fn get_mut(c: &mut Case, i: usize, f: impl FnOnce(&mut FamilyContact)) {
    if let Some(x) = c.family.get_mut(i) {
        f(x);
    }
}

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(|c| !c.family.is_empty());
    let ids = form.ids(|c| c.family.iter().map(|x| x.id.clone()).collect());
    let add = move || {
        let n = form.case.with_untracked(|c| c.family.len());
        form.edit(|c| {
            c.family.push(FamilyContact {
                id: new_item_id(),
                ..FamilyContact::default()
            })
        });
        focus_soon(input_id(&format!("family.{n}.name")));
    };
    view! {
        <details class="form-section" data-testid="section-family" open=open>
            <summary>
                <h3>{move || labels::field("family")}</h3>
                {move || {
                    let n = ids.with(Vec::len);
                    (n > 0).then(|| view! { <span class="section-count">{move || tr!("form-section-items", n = n)}</span> })
                }}
                {section_badge(form, Section::Family)}
            </summary>
            <div class="section-body">
                <ol class="items">
                    {rows(ids, move |i| contact(form, i))}
                </ol>
                {add_button("add-family".into(), || t("form-add-family"), add)}
            </div>
        </details>
    }
}

fn contact(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("family.{i}.{name}");
    let testid = move |name: &str| format!("family-{i}-{name}");
    let remove = move || {
        form.edit(|c| {
            if i < c.family.len() {
                c.family.remove(i);
            }
        });
        focus_soon("add-family".to_owned());
    };
    let who = view! {
        {text_input(
            form,
            Field::new(path("name"), testid("name")),
            move |c| get(c, i, |x| x.name.clone()),
            move |c, v| get_mut(c, i, |x| x.name = v),
        )}
        {text_input(
            form,
            Field::new(path("relation"), testid("relation")),
            move |c| get(c, i, |x| x.relation.clone()),
            move |c, v| get_mut(c, i, |x| x.relation = v),
        )}
        {text_input(
            form,
            Field::new(path("contact"), testid("contact")).hint(|| t("form-contact-hint")),
            move |c| get(c, i, |x| x.contact.clone()),
            move |c, v| get_mut(c, i, |x| x.contact = v),
        )}
        {check_input(
            form,
            Field::new(path("to_inform"), testid("to-inform")),
            move |c| get(c, i, |x| x.to_inform),
            move |c, v| get_mut(c, i, |x| x.to_inform = v),
        )}
    };
    let consent = |name: &'static str,
                   id: &'static str,
                   field: fn(&mut Consent) -> &mut bool,
                   read: fn(&Consent) -> bool| {
        check_input(
            form,
            Field::new(
                format!("family.{i}.consent.{name}"),
                format!("family-{i}-consent-{id}"),
            ),
            move |c| get(c, i, |x| read(&x.consent)),
            move |c, v| get_mut(c, i, |x| *field(&mut x.consent) = v),
        )
    };
    view! {
        <li class="item" id=input_id(&format!("family.{i}")) tabindex="-1" data-testid=format!("family-{i}")>
            {item_head(move || tr!("form-family-item", n = i + 1), testid("remove"), remove)}
            {who}
            <fieldset class="consent">
                <legend>{move || field_label(&format!("family.{i}.consent"))}</legend>
                {consent("icrc", "icrc", |c| &mut c.icrc, |c| c.icrc)}
                {consent("un_wgeid", "un-wgeid", |c| &mut c.un_wgeid, |c| c.un_wgeid)}
                {consent("negotiators", "negotiators", |c| &mut c.negotiators, |c| c.negotiators)}
                {consent("public_campaign", "public", |c| &mut c.public_campaign, |c| c.public_campaign)}
            </fieldset>
            {partial_date_input(
                form,
                Field::new(path("last_contact"), testid("last-contact")),
                move |c| get(c, i, |x| x.last_contact),
                move |c, v| get_mut(c, i, |x| x.last_contact = v),
            )}
        </li>
    }
}
