//! Benchmarks that need more than Criterion: the relay as a real process,
//! native sync clients, and a baseline of Automerge's own per-document sync
//! protocol over a WebSocket. Each binary measures one part and writes a
//! [`report::Section`] as JSON; `cargo xtask bench` runs them all and turns
//! the sections into `BENCHMARKS.md`.

pub mod baseline;
pub mod corpus;
pub mod raw_client;
pub mod report;
pub mod stats;
