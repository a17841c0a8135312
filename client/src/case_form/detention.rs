//! Deprivation of liberty: one item per episode (seizure, authority, legal
//! status, the whereabouts ladder), each with the places the person was
//! held.

use leptos::prelude::*;
use shared::case::{Case, DetentionEpisode, Facility};

use super::fields::{
    Field, add_button, choice_input, field_label, input_id, item_head, rows, text_input,
};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, focus_soon, section_badge};
use super::state::{Form, new_item_id};
use crate::i18n::t;
use crate::labels;
use crate::tr;

fn ep<T: Default>(c: &Case, i: usize, f: impl FnOnce(&DetentionEpisode) -> T) -> T {
    c.detention.get(i).map(f).unwrap_or_default()
}

fn ep_mut(c: &mut Case, i: usize, f: impl FnOnce(&mut DetentionEpisode)) {
    if let Some(e) = c.detention.get_mut(i) {
        f(e);
    }
}

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

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(|c| !c.detention.is_empty());
    let ids = form.ids(|c| c.detention.iter().map(|e| e.id.clone()).collect());
    let add = move || {
        let n = form.case.with_untracked(|c| c.detention.len());
        form.edit(|c| {
            c.detention.push(DetentionEpisode {
                id: new_item_id(),
                ..DetentionEpisode::default()
            })
        });
        focus_soon(input_id(&format!("detention.{n}.seized_on")));
    };
    view! {
        <details class="form-section" data-testid="section-detention" open=open>
            <summary>
                <h3>{move || labels::field("detention")}</h3>
                {move || {
                    let n = ids.with(Vec::len);
                    (n > 0).then(|| view! { <span class="section-count">{move || tr!("form-section-items", n = n)}</span> })
                }}
                {section_badge(form, Section::Detention)}
            </summary>
            <div class="section-body">
                <ol class="items">
                    {rows(ids, move |i| episode(form, i))}
                </ol>
                {add_button("add-detention".into(), || t("form-add-detention"), add)}
            </div>
        </details>
    }
}

fn episode(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("detention.{i}.{name}");
    let testid = move |name: &str| format!("detention-{i}-{name}");
    let remove = move || {
        form.edit(|c| {
            if i < c.detention.len() {
                c.detention.remove(i);
            }
        });
        focus_soon("add-detention".to_owned());
    };
    let seizure = view! {
        {partial_date_input(
            form,
            Field::new(path("seized_on"), testid("seized-on")),
            move |c| ep(c, i, |e| e.seized_on),
            move |c, v| ep_mut(c, i, |e| e.seized_on = v),
        )}
        {text_input(
            form,
            Field::new(path("place_seized"), testid("place")),
            move |c| ep(c, i, |e| e.place_seized.clone()),
            move |c, v| ep_mut(c, i, |e| e.place_seized = v),
        )}
        {text_input(
            form,
            Field::new(path("authority"), testid("authority")),
            move |c| ep(c, i, |e| e.authority.clone()),
            move |c, v| ep_mut(c, i, |e| e.authority = v),
        )}
        {text_input(
            form,
            Field::new(path("legal_status"), testid("legal-status")),
            move |c| ep(c, i, |e| e.legal_status.clone()),
            move |c, v| ep_mut(c, i, |e| e.legal_status = v),
        )}
    };
    let ladder = view! {
        <fieldset class="ladder">
            <legend>{move || t("form-ladder")}</legend>
            {choice_input(
                form,
                Field::new(path("capture"), testid("capture")),
                move |c| ep(c, i, |e| e.capture),
                move |c, v| ep_mut(c, i, |e| e.capture = v),
            )}
            {choice_input(
                form,
                Field::new(path("whereabouts"), testid("whereabouts")),
                move |c| ep(c, i, |e| e.whereabouts),
                move |c, v| ep_mut(c, i, |e| e.whereabouts = v),
            )}
            {choice_input(
                form,
                Field::new(path("family_contact"), testid("family-contact")),
                move |c| ep(c, i, |e| e.family_contact),
                move |c, v| ep_mut(c, i, |e| e.family_contact = v),
            )}
            {choice_input(
                form,
                Field::new(path("lawyer_contact"), testid("lawyer-contact")),
                move |c| ep(c, i, |e| e.lawyer_contact),
                move |c, v| ep_mut(c, i, |e| e.lawyer_contact = v),
            )}
            {choice_input(
                form,
                Field::new(path("icrc_contact"), testid("icrc-contact")),
                move |c| ep(c, i, |e| e.icrc_contact),
                move |c, v| ep_mut(c, i, |e| e.icrc_contact = v),
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
            .with_untracked(|c| ep(c, i, |e| e.facilities.len()));
        form.edit(|c| {
            ep_mut(c, i, |e| {
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
            ep_mut(c, i, |e| {
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
