//! The native Homeward sync client.
//!
//! A [`NativeClient`] is one device: a state directory (SQLite: device key,
//! workspace and workspace key, cursor, documents, outbox of sealed entries,
//! quarantined entry headers) and a loop that runs the shared
//! [`shared::sync_engine::SyncEngine`] — the same engine the browser runs —
//! over a WebSocket to the relay. Everything it uploads is sealed under the
//! workspace key, which reaches other devices only in invite links. The
//! state itself is not encrypted (see [`store`]). Tests and benchmarks drive
//! it directly; the `homeward` binary wraps it for operators.
//!
//! ```no_run
//! # async fn demo() -> Result<(), native_client::ClientError> {
//! use std::time::Duration;
//! use native_client::NativeClient;
//!
//! let admin = NativeClient::open("./admin-state".as_ref())?;
//! admin.setup("http://127.0.0.1:8080", "SETUP-CODE", Duration::from_secs(30)).await?;
//! let link = admin
//!     .create_invite(shared::wire::Role::Documenter, Duration::from_secs(86_400))
//!     .await?;
//! let other = NativeClient::open("./other-state".as_ref())?;
//! other.join(&link.to_url(), Duration::from_secs(30)).await?;
//! other.sync_until_current(Duration::from_secs(60)).await?;
//! # Ok(()) }
//! ```

mod client;
mod counters;
mod driver;
mod error;
pub mod import;
pub mod relay_url;
mod socket;
pub mod store;

pub use client::{ClientOptions, ClientStatus, Joined, NativeClient, parse_ttl};
pub use counters::CounterValues;
pub use driver::now_ms;
pub use error::ClientError;
