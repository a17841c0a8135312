//! What the screens call the model's values: every enumeration, priority
//! reason and basis, validation problem and field, looked up in
//! `locales/<lang>/model.ftl` by the stable keys `shared` gives them
//! (`category-prisoner_of_war`, `field-identity-surname`, …). Call inside a
//! reactive closure so a language switch re-renders.

use shared::case::{
    Addressee, Capture, Category, Confidentiality, Contact, DocumentKind, Flag, InterventionStatus,
    Reliability, ReviewState, Sex, SourceKind, Status, Whereabouts,
};
use shared::case_validation::ValidationCode;
use shared::priority::{Basis, Certainty, ReasonCode, Tier};

use crate::i18n::{has, t};

fn keyed(prefix: &str, key: &str) -> String {
    t(&format!("{prefix}-{key}"))
}

pub fn category(c: Category) -> String {
    keyed("category", c.as_key())
}

pub fn status(s: Status) -> String {
    keyed("status", s.as_key())
}

pub fn sex(s: Sex) -> String {
    keyed("sex", s.as_key())
}

pub fn document_kind(d: DocumentKind) -> String {
    keyed("document", d.as_key())
}

pub fn capture(c: Capture) -> String {
    keyed("capture", c.as_key())
}

pub fn whereabouts(w: Whereabouts) -> String {
    keyed("whereabouts", w.as_key())
}

pub fn contact(c: Contact) -> String {
    keyed("contact", c.as_key())
}

pub fn flag(f: Flag) -> String {
    keyed("flag", f.as_key())
}

pub fn reliability(r: Reliability) -> String {
    keyed("reliability", r.as_key())
}

pub fn source_kind(s: SourceKind) -> String {
    keyed("source", s.as_key())
}

pub fn addressee(a: Addressee) -> String {
    keyed("addressee", a.as_key())
}

pub fn intervention_status(s: InterventionStatus) -> String {
    keyed("intervention", s.as_key())
}

pub fn review(r: ReviewState) -> String {
    keyed("review", r.as_key())
}

pub fn confidentiality(c: Confidentiality) -> String {
    keyed("confidentiality", c.as_key())
}

pub fn tier(tier: Tier) -> String {
    keyed("tier", tier.as_key())
}

/// A priority reason, as a short phrase ("Aged 60 or over").
pub fn reason(code: ReasonCode) -> String {
    keyed("reason", code.as_key())
}

/// One sentence on why the reason makes the person more vulnerable (or
/// what is not known).
pub fn reason_explain(code: ReasonCode) -> String {
    t(&format!("reason-{}-explain", code.as_key()))
}

/// What a reason is based on, in words (the citation itself is not
/// translated: see [`Basis::citation`]).
pub fn basis(b: Basis) -> String {
    keyed("basis", b.as_key())
}

pub fn certainty(c: Certainty) -> String {
    keyed("certainty", c.as_key())
}

/// A validation problem, said of the field it is shown next to.
pub fn validation(code: ValidationCode) -> String {
    keyed("invalid", code.as_key())
}

/// A field of the case by its dotted path (`identity.surname`,
/// `detention.0.place_seized`): list positions become "(1)", "(2)"… and
/// each other part is looked up as `field-<parent>-<name>` or
/// `field-<name>`.
pub fn field(path: &str) -> String {
    let mut words = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for part in path.split('.') {
        if let Ok(i) = part.parse::<usize>() {
            if let Some(last) = words.last_mut() {
                *last = format!("{last} ({})", i + 1);
            }
            continue;
        }
        named.push(part);
        words.push(field_word(&named));
    }
    words.join(" › ")
}

/// A field's own name, without the groups above it ("Place seized", not
/// "Deprivation of liberty (1) › Place seized"): for screens that already
/// show the field inside its section and item.
pub fn field_name(path: &str) -> String {
    let named: Vec<&str> = path
        .split('.')
        .filter(|p| p.parse::<usize>().is_err())
        .collect();
    if named.is_empty() {
        return String::new();
    }
    field_word(&named)
}

/// The word for the last of `named`, preferring the parent-qualified id
/// (`field-pow-rank`) over the bare one (`field-rank`).
fn field_word(named: &[&str]) -> String {
    let last = named[named.len() - 1];
    if named.len() >= 2 {
        let qualified = format!("field-{}-{last}", named[named.len() - 2]);
        if has(&qualified) {
            return t(&qualified);
        }
    }
    t(&format!("field-{last}"))
}
