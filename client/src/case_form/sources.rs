//! Sources: where each piece of information came from and how far it is
//! trusted. Attachments are referenced by hash (files sync in a later
//! step); the form shows how many there are and keeps them as they are.

use leptos::prelude::*;
use shared::case::{Case, Source};

use super::fields::{
    Field, add_button, check_input, choice_input, input_id, item_head, rows, text_area,
};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, field_errors, focus_soon, section_badge};
use super::state::{Form, new_item_id};
use crate::i18n::t;
use crate::labels;
use crate::tr;

fn get<T: Default>(c: &Case, i: usize, f: impl FnOnce(&Source) -> T) -> T {
    c.sources.get(i).map(f).unwrap_or_default()
}

fn get_mut(c: &mut Case, i: usize, f: impl FnOnce(&mut Source)) {
    if let Some(x) = c.sources.get_mut(i) {
        f(x);
    }
}

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(|c| !c.sources.is_empty());
    let ids = form.ids(|c| c.sources.iter().map(|x| x.id.clone()).collect());
    let add = move || {
        let n = form.case.with_untracked(|c| c.sources.len());
        form.edit(|c| {
            c.sources.push(Source {
                id: new_item_id(),
                ..Source::default()
            })
        });
        focus_soon(input_id(&format!("sources.{n}.kind")));
    };
    view! {
        <details class="form-section" data-testid="section-sources" open=open>
            <summary>
                <h3>{move || labels::field("sources")}</h3>
                {move || {
                    let n = ids.with(Vec::len);
                    (n > 0).then(|| view! { <span class="section-count">{move || tr!("form-section-items", n = n)}</span> })
                }}
                {section_badge(form, Section::Sources)}
            </summary>
            <div class="section-body">
                <ol class="items">
                    {rows(ids, move |i| source(form, i))}
                </ol>
                {add_button("add-source".into(), || t("form-add-source"), add)}
            </div>
        </details>
    }
}

fn source(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("sources.{i}.{name}");
    let testid = move |name: &str| format!("source-{i}-{name}");
    let remove = move || {
        form.edit(|c| {
            if i < c.sources.len() {
                c.sources.remove(i);
            }
        });
        focus_soon("add-source".to_owned());
    };
    let attachments = form
        .case
        .with_untracked(|c| get(c, i, |x| x.attachments.len()));
    let anchor = format!("sources.{i}");
    view! {
        <li class="item" id=input_id(&anchor) tabindex="-1" data-testid=format!("source-{i}")>
            {item_head(move || tr!("form-source-item", n = i + 1), testid("remove"), remove)}
            {field_errors(form, anchor.clone())}
            {choice_input(
                form,
                Field::new(path("kind"), testid("kind")),
                move |c| get(c, i, |x| x.kind),
                move |c, v| get_mut(c, i, |x| x.kind = v),
            )}
            {partial_date_input(
                form,
                Field::new(path("date"), testid("date")),
                move |c| get(c, i, |x| x.date),
                move |c, v| get_mut(c, i, |x| x.date = v),
            )}
            {choice_input(
                form,
                Field::new(path("reliability"), testid("reliability")),
                move |c| get(c, i, |x| x.reliability),
                move |c, v| get_mut(c, i, |x| x.reliability = v),
            )}
            {check_input(
                form,
                Field::new(path("confidential"), testid("confidential")),
                move |c| get(c, i, |x| x.confidential),
                move |c, v| get_mut(c, i, |x| x.confidential = v),
            )}
            {text_area(
                form,
                Field::new(path("description"), testid("description")),
                move |c| get(c, i, |x| x.description.clone()),
                move |c, v| get_mut(c, i, |x| x.description = v),
            )}
            {(attachments > 0).then(|| view! {
                <p class="hint" data-testid=testid("attachments")>
                    {move || tr!("form-attachments", n = attachments)}
                </p>
            })}
        </li>
    }
}
