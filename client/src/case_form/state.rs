//! What every part of the form shares: the case being edited, the problems
//! found at the last save, the text that could not be read, and the draft.
//!
//! Inputs are uncontrolled: each one is built from the case once and writes
//! into it as the documenter types. Whatever replaces the case from outside
//! (a restored or discarded draft) rebuilds the form instead, so the signal
//! is read untracked while building and a keystroke re-runs almost nothing.

use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use leptos::prelude::*;
use shared::case::{
    Alias, Case, DetentionEpisode, Facility, FamilyContact, IdentityDocument, Intervention, Source,
};
use shared::case_validation::validate;
use shared::ids::DocId;
use shared::partial_date::Date;

use super::problems::{Problem, ProblemKind, Section};
use crate::browser_rng::BrowserRng;
use crate::device_loop::DeviceHandle;

/// Typing pauses this long before the draft is written: often enough that
/// an interruption loses a few words at most, rarely enough that the device
/// loop is not asked to seal and store on every keystroke.
const DRAFT_DELAY: Duration = Duration::from_millis(700);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DraftMode {
    Open,
    /// A save is on its way: a draft written now could outlive the saved
    /// case (the loop drops the draft when the save lands).
    Held,
    /// Saved: the loop has dropped the draft and nothing may bring it back.
    Closed,
}

#[derive(Clone, Copy)]
struct Draft {
    device: StoredValue<DeviceHandle>,
    slot: StoredValue<String>,
    timer: StoredValue<Option<TimeoutHandle>>,
    mode: StoredValue<DraftMode>,
}

#[derive(Clone, Copy)]
pub(super) struct Form {
    pub case: RwSignal<Case>,
    /// What the last save attempt found, shown next to the fields and in
    /// the summary until the next attempt.
    pub problems: RwSignal<Vec<Problem>>,
    pub saving: RwSignal<bool>,
    pub is_new: bool,
    /// Text that is not a value (an unreadable date, a non-number), by the
    /// field it was typed in, with the token of the input that holds it.
    raw: StoredValue<BTreeMap<String, (u64, ProblemKind)>>,
    draft: Draft,
}

thread_local! {
    static NEXT_TOKEN: Cell<u64> = const { Cell::new(1) };
}

/// Tells apart two inputs that showed the same field one after the other
/// (a list re-rendered), so the leaving one cannot clear the new one's text.
pub(super) fn next_token() -> u64 {
    NEXT_TOKEN.with(|n| {
        let token = n.get();
        n.set(token + 1);
        token
    })
}

/// A fresh random id for a list item.
pub(super) fn new_item_id() -> String {
    DocId::random(&mut BrowserRng).to_hex()
}

impl Form {
    pub fn new(device: DeviceHandle, slot: String, is_new: bool) -> Form {
        Form {
            case: RwSignal::new(Case::default()),
            problems: RwSignal::new(Vec::new()),
            saving: RwSignal::new(false),
            is_new,
            raw: StoredValue::new(BTreeMap::new()),
            draft: Draft {
                device: StoredValue::new(device),
                slot: StoredValue::new(slot),
                timer: StoredValue::new(None),
                mode: StoredValue::new(DraftMode::Open),
            },
        }
    }

    /// A change the documenter made: applied, and kept as a draft soon.
    pub fn edit(&self, change: impl FnOnce(&mut Case)) {
        self.case.update(change);
        self.schedule_draft();
    }

    /// The ids of a list in the case, tracked: a list re-renders its rows
    /// only when items come or go, not when one is typed in.
    pub fn ids(
        &self,
        list: impl Fn(&Case) -> Vec<String> + Send + Sync + 'static,
    ) -> Memo<Vec<String>> {
        let case = self.case;
        Memo::new(move |_| case.with(|c| list(c)))
    }

    /// Whether the last save attempt found a problem shown at `anchor`.
    pub fn has_problem(&self, anchor: &str) -> bool {
        self.problems
            .with(|ps| ps.iter().any(|p| p.anchor == anchor))
    }

    /// How many problems the last save attempt found in `section`.
    pub fn problems_in(&self, section: Section) -> usize {
        self.problems
            .with(|ps| ps.iter().filter(|p| p.section() == section).count())
    }

    /// Notes whether the text in the input `token` at `path` reads as a value.
    pub fn set_raw(&self, path: &str, token: u64, problem: Option<ProblemKind>) {
        self.raw.update_value(|raw| match problem {
            Some(kind) => {
                raw.insert(path.to_owned(), (token, kind));
            }
            None => {
                raw.remove(path);
            }
        });
    }

    /// The input `token` is gone: its unreadable text goes with it.
    pub fn drop_raw(&self, path: &str, token: u64) {
        self.raw.try_update_value(|raw| {
            if raw.get(path).is_some_and(|(t, _)| *t == token) {
                raw.remove(path);
            }
        });
    }

    /// Drops list items this form added and left empty, so an "Add" pressed
    /// by mistake does not store an empty episode. Items the case already
    /// had stay, empty or not.
    pub fn prune_new_blank_items(&self, before: &Case) {
        let known = item_ids(before);
        let blank_new = self.case.with_untracked(|c| {
            let mut pruned = c.clone();
            prune(&mut pruned, &known);
            (pruned != *c).then_some(pruned)
        });
        if let Some(pruned) = blank_new {
            self.case.set(pruned);
        }
    }

    /// The case as it will be written: names trimmed, and an approximate
    /// age without a date taken as estimated today (during the interview).
    pub fn case_for_saving(&self, today: Date) -> Case {
        let mut case = self.case.get_untracked();
        let id = &mut case.identity;
        for name in [&mut id.surname, &mut id.given_names, &mut id.patronymic] {
            let trimmed = name.trim();
            if trimmed.len() != name.len() {
                *name = trimmed.to_owned();
            }
        }
        if id.approx_age.is_some() && id.approx_age_on.is_none() {
            id.approx_age_on = Some(today.into());
        }
        case
    }

    /// Every problem that stops the case being saved: unreadable text
    /// first known to the inputs, then `shared`'s validation, in the order
    /// the sections appear.
    pub fn check(&self, today: Date) -> Vec<Problem> {
        let is_new = self.is_new;
        let mut problems: Vec<Problem> = self.raw.with_value(|raw| {
            raw.iter()
                .map(|(path, (_, kind))| Problem::new(path.clone(), *kind, is_new))
                .collect()
        });
        if let Err(errors) = validate(&self.case_for_saving(today), today) {
            for error in errors.0 {
                let problem = Problem::new(error.field, ProblemKind::Invalid(error.code), is_new);
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
        problems.sort_by_key(Problem::section);
        problems
    }

    pub fn schedule_draft(&self) {
        let draft = self.draft;
        if draft.mode.try_get_value() != Some(DraftMode::Open) {
            return;
        }
        if let Some(Some(timer)) = draft.timer.try_get_value() {
            timer.clear();
        }
        let case = self.case;
        let timer = set_timeout_with_handle(
            move || {
                draft.timer.try_set_value(None);
                draft.write(case);
            },
            DRAFT_DELAY,
        )
        .ok();
        draft.timer.try_set_value(timer);
    }

    /// Writes a draft that is still waiting for its delay now (the form is
    /// closing).
    pub fn flush_draft(&self) {
        let draft = self.draft;
        if let Some(Some(timer)) = draft.timer.try_get_value() {
            timer.clear();
            draft.timer.try_set_value(None);
            if draft.mode.try_get_value() == Some(DraftMode::Open) {
                draft.write(self.case);
            }
        }
    }

    /// A save is starting: no draft may be written until it is known
    /// whether it worked.
    pub fn hold_draft(&self) {
        self.draft.cancel();
        self.draft.mode.try_set_value(DraftMode::Held);
    }

    /// The save failed: the draft is kept again, including what was just
    /// typed.
    pub fn release_draft(&self) {
        if self.draft.mode.try_get_value() == Some(DraftMode::Held) {
            self.draft.mode.try_set_value(DraftMode::Open);
            self.schedule_draft();
        }
    }

    /// The case is saved: the device loop dropped the draft with the save.
    pub fn close_draft(&self) {
        self.draft.cancel();
        self.draft.mode.try_set_value(DraftMode::Closed);
    }

    /// Throws the kept draft away.
    pub fn discard_draft(&self) {
        self.draft.cancel();
        if let (Some(device), Some(slot)) = (
            self.draft.device.try_get_value(),
            self.draft.slot.try_get_value(),
        ) {
            device.discard_draft(slot);
        }
    }
}

impl Draft {
    fn cancel(&self) {
        if let Some(Some(timer)) = self.timer.try_get_value() {
            timer.clear();
        }
        self.timer.try_set_value(None);
    }

    fn write(&self, case: RwSignal<Case>) {
        if let (Some(case), Some(device), Some(slot)) = (
            case.try_get_untracked(),
            self.device.try_get_value(),
            self.slot.try_get_value(),
        ) {
            device.save_draft(slot, case);
        }
    }
}

/// A list item with a stable id.
trait Item: Clone + Default + PartialEq {
    fn id(&self) -> &str;
    fn clear_id(&mut self);

    /// Nothing was entered in it.
    fn is_blank(&self) -> bool {
        let mut bare = self.clone();
        bare.clear_id();
        bare == Self::default()
    }
}

macro_rules! items {
    ($($t:ty),+) => {$(
        impl Item for $t {
            fn id(&self) -> &str {
                &self.id
            }

            fn clear_id(&mut self) {
                self.id.clear();
            }
        }
    )+};
}

items!(
    Alias,
    IdentityDocument,
    DetentionEpisode,
    Facility,
    FamilyContact,
    Source,
    Intervention
);

fn item_ids(case: &Case) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut add = |id: &str| {
        ids.insert(id.to_owned());
    };
    case.identity.aliases.iter().for_each(|x| add(x.id()));
    case.identity.documents.iter().for_each(|x| add(x.id()));
    for episode in &case.detention {
        add(episode.id());
        episode.facilities.iter().for_each(|x| add(x.id()));
    }
    case.family.iter().for_each(|x| add(x.id()));
    case.sources.iter().for_each(|x| add(x.id()));
    case.interventions.iter().for_each(|x| add(x.id()));
    ids
}

fn prune_list<T: Item>(list: &mut Vec<T>, known: &HashSet<String>) {
    list.retain(|item| known.contains(item.id()) || !item.is_blank());
}

fn prune(case: &mut Case, known: &HashSet<String>) {
    prune_list(&mut case.identity.aliases, known);
    prune_list(&mut case.identity.documents, known);
    for episode in &mut case.detention {
        prune_list(&mut episode.facilities, known);
    }
    prune_list(&mut case.detention, known);
    prune_list(&mut case.family, known);
    prune_list(&mut case.sources, known);
    prune_list(&mut case.interventions, known);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_blank_items_are_pruned() {
        let mut before = Case::default();
        before.family.push(FamilyContact {
            id: "old".into(),
            ..FamilyContact::default()
        });
        let known = item_ids(&before);
        let mut case = before.clone();
        case.family.push(FamilyContact {
            id: "new-blank".into(),
            ..FamilyContact::default()
        });
        case.family.push(FamilyContact {
            id: "new-filled".into(),
            name: "x".into(),
            ..FamilyContact::default()
        });
        case.detention.push(DetentionEpisode {
            id: "ep".into(),
            facilities: vec![Facility {
                id: "f".into(),
                ..Facility::default()
            }],
            ..DetentionEpisode::default()
        });
        prune(&mut case, &known);
        let ids: Vec<&str> = case.family.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["old", "new-filled"]);
        // The blank facility goes first, which leaves its episode blank too.
        assert!(case.detention.is_empty());
    }
}
