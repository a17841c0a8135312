//! Interventions: what was asked of whom on the person's behalf, and what
//! came back.

use leptos::prelude::*;
use shared::case::{Case, Intervention};

use super::fields::{
    Field, add_button, check_input, choice_input, input_id, item_head, rows, text_area,
};
use super::partial_date_input::partial_date_input;
use super::problems::{Section, focus_soon, section_badge};
use super::state::{Form, new_item_id};
use crate::i18n::t;
use crate::labels;
use crate::tr;

fn get<T: Default>(c: &Case, i: usize, f: impl FnOnce(&Intervention) -> T) -> T {
    c.interventions.get(i).map(f).unwrap_or_default()
}

fn get_mut(c: &mut Case, i: usize, f: impl FnOnce(&mut Intervention)) {
    if let Some(x) = c.interventions.get_mut(i) {
        f(x);
    }
}

pub(super) fn section(form: Form) -> impl IntoView {
    let open = form.case.with_untracked(|c| !c.interventions.is_empty());
    let ids = form.ids(|c| c.interventions.iter().map(|x| x.id.clone()).collect());
    let add = move || {
        let n = form.case.with_untracked(|c| c.interventions.len());
        form.edit(|c| {
            c.interventions.push(Intervention {
                id: new_item_id(),
                ..Intervention::default()
            })
        });
        focus_soon(input_id(&format!("interventions.{n}.addressee")));
    };
    view! {
        <details class="form-section" data-testid="section-interventions" open=open>
            <summary>
                <h3>{move || labels::field("interventions")}</h3>
                {move || {
                    let n = ids.with(Vec::len);
                    (n > 0).then(|| view! { <span class="section-count">{move || tr!("form-section-items", n = n)}</span> })
                }}
                {section_badge(form, Section::Interventions)}
            </summary>
            <div class="section-body">
                <ol class="items">
                    {rows(ids, move |i| intervention(form, i))}
                </ol>
                {add_button("add-intervention".into(), || t("form-add-intervention"), add)}
            </div>
        </details>
    }
}

fn intervention(form: Form, i: usize) -> impl IntoView {
    let path = move |name: &str| format!("interventions.{i}.{name}");
    let testid = move |name: &str| format!("intervention-{i}-{name}");
    let remove = move || {
        form.edit(|c| {
            if i < c.interventions.len() {
                c.interventions.remove(i);
            }
        });
        focus_soon("add-intervention".to_owned());
    };
    view! {
        <li class="item" id=input_id(&format!("interventions.{i}")) tabindex="-1" data-testid=format!("intervention-{i}")>
            {item_head(move || tr!("form-intervention-item", n = i + 1), testid("remove"), remove)}
            {choice_input(
                form,
                Field::new(path("addressee"), testid("addressee")),
                move |c| get(c, i, |x| x.addressee),
                move |c, v| get_mut(c, i, |x| x.addressee = v),
            )}
            {partial_date_input(
                form,
                Field::new(path("date"), testid("date")),
                move |c| get(c, i, |x| x.date),
                move |c, v| get_mut(c, i, |x| x.date = v),
            )}
            {choice_input(
                form,
                Field::new(path("status"), testid("status")),
                move |c| get(c, i, |x| x.status),
                move |c, v| get_mut(c, i, |x| x.status = v),
            )}
            {text_area(
                form,
                Field::new(path("response"), testid("response")),
                move |c| get(c, i, |x| x.response.clone()),
                move |c, v| get_mut(c, i, |x| x.response = v),
            )}
            {check_input(
                form,
                Field::new(path("in_release_list"), testid("in-release-list")),
                move |c| get(c, i, |x| x.in_release_list),
                move |c, v| get_mut(c, i, |x| x.in_release_list = v),
            )}
        </li>
    }
}
