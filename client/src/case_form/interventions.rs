//! Interventions: what was asked of whom on the person's behalf, and what
//! came back.

use leptos::prelude::*;
use shared::case::Intervention;

use super::fields::{Field, check_input, choice_input, input_id, item_head, text_area};
use super::item_list::ItemList;
use super::partial_date_input::partial_date_input;
use super::problems::Section;
use super::state::Form;
use crate::i18n::t;
use crate::tr;

const LIST: ItemList<Intervention> = ItemList {
    path: "interventions",
    section: Section::Interventions,
    add_testid: "add-intervention",
    add_label: || t("form-add-intervention"),
    first_field: "addressee",
    items: |c| &c.interventions,
    items_mut: |c| &mut c.interventions,
    id: |x| &x.id,
    new: |id| Intervention {
        id,
        ..Intervention::default()
    },
};

pub(super) fn section(form: Form) -> impl IntoView {
    LIST.section(form, move |i| intervention(form, i))
}

fn intervention(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("interventions.{i}.{name}");
    let testid = move |name: &str| format!("intervention-{i}-{name}");
    let remove = move || LIST.remove(form, i);
    view! {
        <li class="item" id=input_id(&format!("interventions.{i}")) tabindex="-1" data-testid=format!("intervention-{i}")>
            {item_head(move || tr!("form-intervention-item", n = i + 1), testid("remove"), remove)}
            {choice_input(
                form,
                Field::new(path("addressee"), testid("addressee")),
                move |c| LIST.get(c, i, |x| x.addressee),
                move |c, v| LIST.get_mut(c, i, |x| x.addressee = v),
            )}
            {partial_date_input(
                form,
                Field::new(path("date"), testid("date")),
                move |c| LIST.get(c, i, |x| x.date),
                move |c, v| LIST.get_mut(c, i, |x| x.date = v),
            )}
            {choice_input(
                form,
                Field::new(path("status"), testid("status")),
                move |c| LIST.get(c, i, |x| x.status),
                move |c, v| LIST.get_mut(c, i, |x| x.status = v),
            )}
            {text_area(
                form,
                Field::new(path("response"), testid("response")),
                move |c| LIST.get(c, i, |x| x.response.clone()),
                move |c, v| LIST.get_mut(c, i, |x| x.response = v),
            )}
            {check_input(
                form,
                Field::new(path("in_release_list"), testid("in-release-list")),
                move |c| LIST.get(c, i, |x| x.in_release_list),
                move |c, v| LIST.get_mut(c, i, |x| x.in_release_list = v),
            )}
        </li>
    }
}
