//! Family and consent: who is to be informed, how to reach them, and what
//! the family agreed the case may be shared with.

use leptos::prelude::*;
use shared::case::{Consent, FamilyContact};

use super::fields::{Field, check_input, field_label, input_id, item_head, text_input};
use super::item_list::ItemList;
use super::partial_date_input::partial_date_input;
use super::problems::Section;
use super::state::Form;
use crate::i18n::t;
use crate::tr;

const LIST: ItemList<FamilyContact> = ItemList {
    path: "family",
    section: Section::Family,
    add_testid: "add-family",
    add_label: || t("form-add-family"),
    first_field: "name",
    items: |c| &c.family,
    items_mut: |c| &mut c.family,
    id: |x| &x.id,
    new: |id| FamilyContact {
        id,
        ..FamilyContact::default()
    },
};

pub(super) fn section(form: Form) -> impl IntoView {
    LIST.section(form, move |i| contact(form, i))
}

fn contact(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("family.{i}.{name}");
    let testid = move |name: &str| format!("family-{i}-{name}");
    let remove = move || LIST.remove(form, i);
    let who = view! {
        {text_input(
            form,
            Field::new(path("name"), testid("name")),
            move |c| LIST.get(c, i, |x| x.name.clone()),
            move |c, v| LIST.get_mut(c, i, |x| x.name = v),
        )}
        {text_input(
            form,
            Field::new(path("relation"), testid("relation")),
            move |c| LIST.get(c, i, |x| x.relation.clone()),
            move |c, v| LIST.get_mut(c, i, |x| x.relation = v),
        )}
        {text_input(
            form,
            Field::new(path("contact"), testid("contact")).hint(|| t("form-contact-hint")),
            move |c| LIST.get(c, i, |x| x.contact.clone()),
            move |c, v| LIST.get_mut(c, i, |x| x.contact = v),
        )}
        {check_input(
            form,
            Field::new(path("to_inform"), testid("to-inform")),
            move |c| LIST.get(c, i, |x| x.to_inform),
            move |c, v| LIST.get_mut(c, i, |x| x.to_inform = v),
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
            move |c| LIST.get(c, i, |x| read(&x.consent)),
            move |c, v| LIST.get_mut(c, i, |x| *field(&mut x.consent) = v),
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
                move |c| LIST.get(c, i, |x| x.last_contact),
                move |c, v| LIST.get_mut(c, i, |x| x.last_contact = v),
            )}
        </li>
    }
}
