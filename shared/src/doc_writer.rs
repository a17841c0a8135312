//! Writes a new value into an Automerge object, touching only what changed.
//!
//! autosurgeon's `reconcile` puts every scalar of a struct again, even an
//! unchanged one; in Automerge a put supersedes *all* concurrent values, so
//! editing one field would silently resolve a conflict on its neighbour.
//! Homeward must show such conflicts until a person picks a value, so edits
//! go through this writer instead:
//!
//! - a scalar is written only if it differs from the value the document shows;
//! - maps recurse key by key; keys the new value lacks are left alone (they
//!   may come from a newer app version);
//! - lists of maps with an `"id"` key are matched by id: new ids are
//!   inserted at their position, missing ids are deleted, matched items
//!   recurse; other lists are compared whole and rewritten only if they
//!   differ (they are short lists of codes or hashes);
//! - text is updated by a character diff, so concurrent typing merges.
//!
//! The new value comes in as an `automerge::hydrate::Value`, which is what
//! autosurgeon produces for any `Reconcile` type (see `case_doc`).

use automerge::hydrate::Value as HValue;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjId, ObjType, Prop, ReadDoc, Value};

pub fn write_changes(
    doc: &mut AutoCommit,
    parent: &ObjId,
    prop: Prop,
    new: &HValue,
) -> Result<(), AutomergeError> {
    let current = doc.get(parent, prop.clone())?;
    match (current, new) {
        (Some((Value::Object(ObjType::Map), id)), HValue::Map(map)) => {
            // Hydrated maps iterate in hash order; a fixed order makes the
            // same edit produce the same operations on every device.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in entries {
                write_changes(doc, &id, Prop::Map(key.clone()), &value.value)?;
            }
            Ok(())
        }
        (Some((Value::Object(ObjType::List), id)), HValue::List(list)) => {
            write_list(doc, &id, list)
        }
        (Some((Value::Object(ObjType::Text), id)), HValue::Text(text)) => {
            let new_text = text.to_string();
            if doc.text(&id)? != new_text {
                doc.update_text(&id, new_text)?;
            }
            Ok(())
        }
        (Some((Value::Scalar(old), _)), HValue::Scalar(new_scalar)) => {
            if old.as_ref() != new_scalar {
                doc.put(parent, prop, new_scalar.clone())?;
            }
            Ok(())
        }
        // Absent, or of another type: create it whole.
        (_, value) => create(doc, parent, prop, value, false),
    }
}

fn create(
    doc: &mut AutoCommit,
    parent: &ObjId,
    prop: Prop,
    value: &HValue,
    insert: bool,
) -> Result<(), AutomergeError> {
    let index = match prop {
        Prop::Seq(i) => Some(i),
        Prop::Map(_) => None,
    };
    let make = |doc: &mut AutoCommit, typ: ObjType| match (insert, index) {
        (true, Some(i)) => doc.insert_object(parent, i, typ),
        _ => doc.put_object(parent, prop.clone(), typ),
    };
    match value {
        HValue::Scalar(s) => match (insert, index) {
            (true, Some(i)) => doc.insert(parent, i, s.clone()),
            _ => doc.put(parent, prop.clone(), s.clone()),
        },
        HValue::Map(map) => {
            let id = make(doc, ObjType::Map)?;
            // Key order fixed so the same value always yields the same ops.
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, v) in entries {
                create(doc, &id, Prop::Map(key.clone()), &v.value, false)?;
            }
            Ok(())
        }
        HValue::List(list) => {
            let id = make(doc, ObjType::List)?;
            for (i, item) in list.iter().enumerate() {
                create(doc, &id, Prop::Seq(i), &item.value, true)?;
            }
            Ok(())
        }
        HValue::Text(text) => {
            let id = make(doc, ObjType::Text)?;
            doc.splice_text(&id, 0, 0, &text.to_string())
        }
    }
}

fn item_id_of_new(value: &HValue) -> Option<String> {
    match value {
        HValue::Map(map) => match map.get("id") {
            Some(HValue::Scalar(automerge::ScalarValue::Str(s))) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn item_id_in_doc(doc: &AutoCommit, list: &ObjId, index: usize) -> Option<String> {
    let (value, id) = doc.get(list, index).ok()??;
    if !matches!(value, Value::Object(ObjType::Map)) {
        return None;
    }
    match doc.get(&id, "id").ok()?? {
        (Value::Scalar(s), _) => s.as_str().map(str::to_owned),
        _ => None,
    }
}

fn write_list(
    doc: &mut AutoCommit,
    list: &ObjId,
    new: &automerge::hydrate::List,
) -> Result<(), AutomergeError> {
    let new_items: Vec<&HValue> = new.iter().map(|v| &v.value).collect();
    let new_ids: Vec<Option<String>> = new_items.iter().map(|v| item_id_of_new(v)).collect();

    if new_ids.iter().all(Option::is_some) && !new_ids.is_empty()
        || (new_items.is_empty() && keyed_in_doc(doc, list))
    {
        // Keyed items: delete the ids that are gone (from the end, so
        // indexes stay valid), then walk the new order.
        let len = doc.length(list);
        for i in (0..len).rev() {
            let gone = match item_id_in_doc(doc, list, i) {
                Some(id) => !new_ids.iter().any(|n| n.as_deref() == Some(&id)),
                None => false,
            };
            if gone {
                doc.delete(list, i)?;
            }
        }
        for (position, (item, id)) in new_items.iter().zip(&new_ids).enumerate() {
            let len = doc.length(list);
            let found =
                (0..len).find(|&i| item_id_in_doc(doc, list, i).as_deref() == id.as_deref());
            match found {
                Some(i) => write_changes(doc, list, Prop::Seq(i), item)?,
                None => create(doc, list, Prop::Seq(position.min(len)), item, true)?,
            }
        }
        return Ok(());
    }

    // Unkeyed: rewrite only when different.
    let current = doc.hydrate(list, None)?;
    let differs = match &current {
        HValue::List(old) => {
            let old: Vec<&HValue> = old.iter().map(|v| &v.value).collect();
            old != new_items
        }
        _ => true,
    };
    if differs {
        let len = doc.length(list);
        for i in (0..len).rev() {
            doc.delete(list, i)?;
        }
        for (i, item) in new_items.iter().enumerate() {
            create(doc, list, Prop::Seq(i), item, true)?;
        }
    }
    Ok(())
}

fn keyed_in_doc(doc: &AutoCommit, list: &ObjId) -> bool {
    doc.length(list) > 0 && item_id_in_doc(doc, list, 0).is_some()
}
