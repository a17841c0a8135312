//! Choosing the cases and the recipient. Every change drops the preview:
//! a list built for another choice must not be exported by mistake.

use std::collections::BTreeSet;

use leptos::prelude::*;
use shared::case::{Category, Status};
use shared::priority::Tier;
use shared::release_list::Profile;

use super::Builder;
use super::columns::{profile_hint, profile_name};
use crate::i18n::t;
use crate::labels;

#[component]
pub(super) fn Choose(builder: Builder) -> impl IntoView {
    let categories = Category::ALL
        .iter()
        .map(|c| {
            let c = *c;
            check_box(
                format!("release-category-{}", c.as_key()),
                move || labels::category(c),
                builder,
                builder.categories,
                c,
            )
        })
        .collect_view();
    let statuses = Status::ALL
        .iter()
        .map(|s| {
            let s = *s;
            check_box(
                format!("release-status-{}", s.as_key()),
                move || labels::status(s),
                builder,
                builder.statuses,
                s,
            )
        })
        .collect_view();
    let tiers = Tier::ALL
        .iter()
        .map(|tier| {
            let tier = *tier;
            check_box(
                format!("release-tier-{}", tier.as_key()),
                move || labels::tier(tier),
                builder,
                builder.tiers,
                tier,
            )
        })
        .collect_view();
    let profiles = Profile::ALL
        .iter()
        .map(|p| {
            let p = *p;
            view! {
                <label class="release-option release-profile-option">
                    <input
                        type="radio"
                        name="release-profile"
                        value=p.as_key()
                        data-testid=format!("release-profile-{}", p.as_key())
                        prop:checked=move || builder.profile.get() == p
                        on:change=move |ev| {
                            if event_target_checked(&ev) && builder.profile.get_untracked() != p {
                                builder.profile.set(p);
                                builder.invalidate();
                            }
                        }
                    />
                    <span>
                        <span class="release-option-name">{move || profile_name(p)}</span>
                        <span class="release-option-hint">{move || profile_hint(p)}</span>
                    </span>
                </label>
            }
        })
        .collect_view();

    view! {
        <form class="release-criteria" on:submit=|ev| ev.prevent_default()>
            <fieldset class="release-group">
                <legend>{move || t("release-categories")}</legend>
                <p class="release-hint">{move || t("release-categories-hint")}</p>
                {categories}
            </fieldset>
            <fieldset class="release-group">
                <legend>{move || t("release-statuses")}</legend>
                <p class="release-hint">{move || t("release-statuses-hint")}</p>
                {statuses}
            </fieldset>
            <fieldset class="release-group">
                <legend>{move || t("release-tiers")}</legend>
                <p class="release-hint">{move || t("release-tiers-hint")}</p>
                {tiers}
            </fieldset>
            <fieldset class="release-group">
                <legend>{move || t("release-profile")}</legend>
                {profiles}
            </fieldset>
        </form>
    }
}

/// One box of a set: ticked while the value is in the set.
fn check_box<T, L>(
    testid: String,
    label: L,
    builder: Builder,
    set: RwSignal<BTreeSet<T>>,
    value: T,
) -> impl IntoView
where
    T: Ord + Copy + Send + Sync + 'static,
    L: Fn() -> String + Send + Sync + 'static,
{
    view! {
        <label class="release-option">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || set.with(|s| s.contains(&value))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    set.update(|s| {
                        if on {
                            s.insert(value);
                        } else {
                            s.remove(&value);
                        }
                    });
                    builder.invalidate();
                }
            />
            <span>{label}</span>
        </label>
    }
}
