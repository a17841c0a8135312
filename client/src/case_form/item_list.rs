//! The case's lists of items with stable ids (detention episodes, family
//! contacts, sources, interventions) as form sections: one collapsible
//! section per list, its rows, an add button that focuses the new item's
//! first field, and removal that returns focus to the add button.

use leptos::prelude::*;
use shared::case::Case;

use super::fields::{add_button, input_id, rows};
use super::problems::{Section, focus_soon, section_badge};
use super::state::{Form, new_item_id};
use crate::labels;
use crate::tr;

/// Where one list lives in the case and how its section is named.
pub(super) struct ItemList<T: 'static> {
    /// The list's field (`sources`): its label, its items' paths
    /// (`sources.3.kind`) and its section's testid (`section-sources`).
    pub path: &'static str,
    pub section: Section,
    /// The add button's testid; focus returns to it after a removal.
    pub add_testid: &'static str,
    pub add_label: fn() -> String,
    /// The field a new item's focus goes to.
    pub first_field: &'static str,
    pub items: fn(&Case) -> &Vec<T>,
    pub items_mut: fn(&mut Case) -> &mut Vec<T>,
    pub id: fn(&T) -> &String,
    /// A new empty item with the given id.
    pub new: fn(String) -> T,
}

impl<T> Clone for ItemList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ItemList<T> {}

impl<T: 'static> ItemList<T> {
    /// A value read from item `i` (the default when it is gone).
    pub fn get<R: Default>(self, c: &Case, i: usize, f: impl FnOnce(&T) -> R) -> R {
        (self.items)(c).get(i).map(f).unwrap_or_default()
    }

    /// Changes item `i`, if it is still there.
    pub fn get_mut(self, c: &mut Case, i: usize, f: impl FnOnce(&mut T)) {
        if let Some(x) = (self.items_mut)(c).get_mut(i) {
            f(x);
        }
    }

    /// Removes item `i` and moves focus to the add button.
    pub fn remove(self, form: Form, i: usize) {
        form.edit(|c| {
            let items = (self.items_mut)(c);
            if i < items.len() {
                items.remove(i);
            }
        });
        focus_soon(self.add_testid.to_owned());
    }

    /// The section: heading with the item count and problems, the rows
    /// (`row(i)`), the add button.
    pub fn section<V: IntoView + 'static>(
        self,
        form: Form,
        row: impl Fn(usize) -> V + Clone + Send + Sync + 'static,
    ) -> impl IntoView {
        let open = form.case.with_untracked(|c| !(self.items)(c).is_empty());
        let ids = form.ids(move |c| {
            (self.items)(c)
                .iter()
                .map(|x| (self.id)(x).clone())
                .collect()
        });
        let add = move || {
            let n = form.case.with_untracked(|c| (self.items)(c).len());
            form.edit(|c| (self.items_mut)(c).push((self.new)(new_item_id())));
            focus_soon(input_id(&format!("{}.{n}.{}", self.path, self.first_field)));
        };
        view! {
            <details class="form-section" data-testid=format!("section-{}", self.path) open=open>
                <summary>
                    <h3>{move || labels::field(self.path)}</h3>
                    {move || {
                        let n = ids.with(Vec::len);
                        (n > 0).then(|| view! { <span class="section-count">{move || tr!("form-section-items", n = n)}</span> })
                    }}
                    {section_badge(form, self.section)}
                </summary>
                <div class="section-body">
                    <ol class="items">
                        {rows(ids, row)}
                    </ol>
                    {add_button(self.add_testid.into(), self.add_label, add)}
                </div>
            </details>
        }
    }
}
