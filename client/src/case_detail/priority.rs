//! The priority and every reason behind it, each tied to its basis: a
//! documenter must be able to say why a case is pressed first.

use leptos::prelude::*;
use shared::priority::{Certainty, Priority, Reason};

use super::tier_badge;
use crate::i18n::t;
use crate::labels;
use crate::tr;

pub(super) fn section(p: &Priority) -> impl IntoView + use<> {
    // Unknowns never raise priority; they are gaps to document, listed apart.
    let (known, gaps): (Vec<&Reason>, Vec<&Reason>) =
        p.reasons.iter().partition(|r| !r.code.is_unknown());
    let known_list = if known.is_empty() {
        view! { <p class="none">{t("detail-priority-no-reasons")}</p> }.into_any()
    } else {
        let items = known.into_iter().map(reason).collect_view();
        view! { <ul class="reasons">{items}</ul> }.into_any()
    };
    let gap_list = (!gaps.is_empty()).then(|| {
        let items = gaps.into_iter().map(reason).collect_view();
        view! {
            <h4>{t("detail-priority-gaps")}</h4>
            <ul class="reasons gaps">{items}</ul>
        }
    });
    view! {
        <section class="card detail-priority" data-testid="detail-section-priority"
            aria-labelledby="detail-priority-title">
            <h3 id="detail-priority-title">{t("detail-priority-title")}</h3>
            <p class="priority-summary">
                {tier_badge(p.tier, false)}
                <span class="score" data-testid="detail-score" data-score=p.score.to_string()>
                    {tr!("detail-priority-score", score = p.score)}
                </span>
            </p>
            {known_list}
            {gap_list}
        </section>
    }
}

fn reason(r: &Reason) -> impl IntoView + use<> {
    let possible = r.certainty == Certainty::Possible;
    view! {
        <li class="reason" class:possible=possible data-testid="priority-reason"
            data-code=r.code.as_key() data-certainty=r.certainty.as_key()>
            <span class="reason-label">{labels::reason(r.code)}</span>
            {possible.then(|| view! {
                <span class="certainty">{labels::certainty(Certainty::Possible)}</span>
            })}
            <span class="reason-explain">{labels::reason_explain(r.code)}</span>
            <span class="reason-basis">{labels::basis(r.basis)}</span>
            {r.basis.citation().map(|c| view! { <cite class="reason-citation">{c}</cite> })}
        </li>
    }
}
