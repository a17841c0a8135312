//! Deprivation of liberty: one item per episode (seizure, authority, legal
//! status, the whereabouts ladder), each with the places the person was
//! held.

use leptos::prelude::*;
use shared::case::{Case, DetentionEpisode, Facility};

use super::fields::{
    Field, add_button, choice_input, field_label, input_id, item_head, rows, text_input,
};
use super::item_list::ItemList;
use super::partial_date_input::partial_date_input;
use super::problems::Section;
use super::problems::focus_soon;
use super::state::{Form, new_item_id};
use crate::i18n::t;
use crate::tr;

fn fac<T: Default>(c: &Case, i: usize, j: usize, f: impl FnOnce(&Facility) -> T) -> T {
    c.detention
        .get(i)
        .and_then(|e| e.facilities.get(j))
        .map(f)
        .unwrap_or_default()
}

fn fac_mut(c: &mut Case, i: usize, j: usize, f: impl FnOnce(&mut Facility)) {
    if let Some(x) = c.detention.get_mut(i).and_then(|e| e.facilities.get_mut(j)) {
        f(x);
    }
}

const LIST: ItemList<DetentionEpisode> = ItemList {
    path: "detention",
    section: Section::Detention,
    add_testid: "add-detention",
    add_label: || t("form-add-detention"),
    first_field: "seized_on",
    items: |c| &c.detention,
    items_mut: |c| &mut c.detention,
    id: |x| &x.id,
    new: |id| DetentionEpisode {
        id,
        ..DetentionEpisode::default()
    },
};

pub(super) fn section(form: Form) -> impl IntoView {
    LIST.section(form, move |i| episode(form, i))
}

fn episode(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("detention.{i}.{name}");
    let testid = move |name: &str| format!("detention-{i}-{name}");
    let remove = move || LIST.remove(form, i);
    let seizure = view! {
        {partial_date_input(
            form,
            Field::new(path("seized_on"), testid("seized-on")),
            move |c| LIST.get(c, i, |e| e.seized_on),
            move |c, v| LIST.get_mut(c, i, |e| e.seized_on = v),
        )}
        {text_input(
            form,
            Field::new(path("place_seized"), testid("place")),
            move |c| LIST.get(c, i, |e| e.place_seized.clone()),
            move |c, v| LIST.get_mut(c, i, |e| e.place_seized = v),
        )}
        {text_input(
            form,
            Field::new(path("authority"), testid("authority")),
            move |c| LIST.get(c, i, |e| e.authority.clone()),
            move |c, v| LIST.get_mut(c, i, |e| e.authority = v),
        )}
        {text_input(
            form,
            Field::new(path("legal_status"), testid("legal-status")),
            move |c| LIST.get(c, i, |e| e.legal_status.clone()),
            move |c, v| LIST.get_mut(c, i, |e| e.legal_status = v),
        )}
    };
    let ladder = view! {
        <fieldset class="ladder">
            <legend>{move || t("form-ladder")}</legend>
            {choice_input(
                form,
                Field::new(path("capture"), testid("capture")),
                move |c| LIST.get(c, i, |e| e.capture),
                move |c, v| LIST.get_mut(c, i, |e| e.capture = v),
            )}
            {choice_input(
                form,
                Field::new(path("whereabouts"), testid("whereabouts")),
                move |c| LIST.get(c, i, |e| e.whereabouts),
                move |c, v| LIST.get_mut(c, i, |e| e.whereabouts = v),
            )}
            {choice_input(
                form,
                Field::new(path("family_contact"), testid("family-contact")),
                move |c| LIST.get(c, i, |e| e.family_contact),
                move |c, v| LIST.get_mut(c, i, |e| e.family_contact = v),
            )}
            {choice_input(
                form,
                Field::new(path("lawyer_contact"), testid("lawyer-contact")),
                move |c| LIST.get(c, i, |e| e.lawyer_contact),
                move |c, v| LIST.get_mut(c, i, |e| e.lawyer_contact = v),
            )}
            {choice_input(
                form,
                Field::new(path("icrc_contact"), testid("icrc-contact")),
                move |c| LIST.get(c, i, |e| e.icrc_contact),
                move |c, v| LIST.get_mut(c, i, |e| e.icrc_contact = v),
            )}
        </fieldset>
    };
    view! {
        <li class="item" id=input_id(&format!("detention.{i}")) tabindex="-1" data-testid=format!("detention-{i}")>
            {item_head(move || tr!("form-detention-item", n = i + 1), testid("remove"), remove)}
            {seizure}
            {ladder}
            {facilities(form, i)}
        </li>
    }
}

fn facilities(form: Form, i: usize) -> impl IntoView {
    let ids = form.ids(move |c| {
        c.detention
            .get(i)
            .map(|e| e.facilities.iter().map(|f| f.id.clone()).collect())
            .unwrap_or_default()
    });
    let add_id = format!("detention-{i}-add-facility");
    let add = move || {
        let n = form
            .case
            .with_untracked(|c| LIST.get(c, i, |e| e.facilities.len()));
        form.edit(|c| {
            LIST.get_mut(c, i, |e| {
                e.facilities.push(Facility {
                    id: new_item_id(),
                    ..Facility::default()
                })
            })
        });
        focus_soon(input_id(&format!("detention.{i}.facilities.{n}.name")));
    };
    view! {
        <fieldset class="list facilities">
            <legend>{move || field_label(&format!("detention.{i}.facilities"))}</legend>
            <ol class="items">
                {rows(ids, move |j| facility(form, i, j))}
            </ol>
            {add_button(add_id, || t("form-add-facility"), add)}
        </fieldset>
    }
}

fn facility(form: Form, i: usize, j: usize) -> impl IntoView {
    let path = move |name: &str| format!("detention.{i}.facilities.{j}.{name}");
    let testid = move |name: &str| format!("detention-{i}-facility-{j}-{name}");
    let remove = move || {
        form.edit(|c| {
            LIST.get_mut(c, i, |e| {
                if j < e.facilities.len() {
                    e.facilities.remove(j);
                }
            })
        });
        focus_soon(format!("detention-{i}-add-facility"));
    };
    view! {
        <li class="item sub-item" data-testid=format!("detention-{i}-facility-{j}")>
            {item_head(move || tr!("form-facility-item", n = j + 1), testid("remove"), remove)}
            {text_input(
                form,
                Field::new(path("name"), testid("name")),
                move |c| fac(c, i, j, |f| f.name.clone()),
                move |c, v| fac_mut(c, i, j, |f| f.name = v),
            )}
            {partial_date_input(
                form,
                Field::new(path("admitted_on"), testid("admitted")),
                move |c| fac(c, i, j, |f| f.admitted_on),
                move |c, v| fac_mut(c, i, j, |f| f.admitted_on = v),
            )}
            {partial_date_input(
                form,
                Field::new(path("transferred_on"), testid("transferred")),
                move |c| fac(c, i, j, |f| f.transferred_on),
                move |c, v| fac_mut(c, i, j, |f| f.transferred_on = v),
            )}
        </li>
    }
}
