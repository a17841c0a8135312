//! Sources: where each piece of information came from and how far it is
//! trusted. Attachments are referenced by hash (files sync in a later
//! step); the form shows how many there are and keeps them as they are.

use leptos::prelude::*;
use shared::case::Source;

use super::fields::{Field, check_input, choice_input, input_id, item_head, text_area};
use super::item_list::ItemList;
use super::partial_date_input::partial_date_input;
use super::problems::{Section, field_errors};
use super::state::Form;
use crate::i18n::t;
use crate::tr;

const LIST: ItemList<Source> = ItemList {
    path: "sources",
    section: Section::Sources,
    add_testid: "add-source",
    add_label: || t("form-add-source"),
    first_field: "kind",
    items: |c| &c.sources,
    items_mut: |c| &mut c.sources,
    id: |x| &x.id,
    new: |id| Source {
        id,
        ..Source::default()
    },
};

pub(super) fn section(form: Form) -> impl IntoView {
    LIST.section(form, move |i| source(form, i))
}

fn source(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("sources.{i}.{name}");
    let testid = move |name: &str| format!("source-{i}-{name}");
    let remove = move || LIST.remove(form, i);
    let attachments = form
        .case
        .with_untracked(|c| LIST.get(c, i, |x| x.attachments.len()));
    let anchor = format!("sources.{i}");
    view! {
        <li class="item" id=input_id(&anchor) tabindex="-1" data-testid=format!("source-{i}")>
            {item_head(move || tr!("form-source-item", n = i + 1), testid("remove"), remove)}
            {field_errors(form, anchor.clone())}
            {choice_input(
                form,
                Field::new(path("kind"), testid("kind")),
                move |c| LIST.get(c, i, |x| x.kind),
                move |c, v| LIST.get_mut(c, i, |x| x.kind = v),
            )}
            {partial_date_input(
                form,
                Field::new(path("date"), testid("date")),
                move |c| LIST.get(c, i, |x| x.date),
                move |c, v| LIST.get_mut(c, i, |x| x.date = v),
            )}
            {choice_input(
                form,
                Field::new(path("reliability"), testid("reliability")),
                move |c| LIST.get(c, i, |x| x.reliability),
                move |c, v| LIST.get_mut(c, i, |x| x.reliability = v),
            )}
            {check_input(
                form,
                Field::new(path("confidential"), testid("confidential")),
                move |c| LIST.get(c, i, |x| x.confidential),
                move |c, v| LIST.get_mut(c, i, |x| x.confidential = v),
            )}
            {text_area(
                form,
                Field::new(path("description"), testid("description")),
                move |c| LIST.get(c, i, |x| x.description.clone()),
                move |c, v| LIST.get_mut(c, i, |x| x.description = v),
            )}
            {(attachments > 0).then(|| view! {
                <p class="hint" data-testid=testid("attachments")>
                    {move || tr!("form-attachments", n = attachments)}
                </p>
            })}
        </li>
    }
}
