//! What the Homeward client and relay agree on: identifiers, the case
//! record and its Automerge mapping, the wire protocol, and the sans-IO sync
//! engine.
//!
//! Nothing in this crate performs IO, reads a clock or draws randomness on
//! its own: time and random sources are passed in, so the same code runs in
//! the browser (wasm32), in the relay and in tests, deterministically.

mod aead;
pub mod backup;
pub mod case;
pub mod case_doc;
pub mod case_summary;
pub mod case_validation;
mod doc_writer;
pub mod ids;
pub mod invite_link;
pub mod names;
pub mod partial_date;
pub mod priority;
pub mod release_list;
pub mod sealing;
pub mod signing;
pub mod summary_pages;
pub mod sync_engine;
pub mod synthetic;
pub mod vault;
pub mod wire;
