//! The public handle: every method sends a request to the client's loop
//! (see `driver`) and waits for its answer, so a `NativeClient` can be used
//! from any async runtime, and several can run side by side in one test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rand::TryRngCore;
use rand::rngs::OsRng;
use shared::case::Case;
use shared::case_doc::{CaseDoc, CaseEdit};
use shared::ids::{BlobId, DeviceId, DocId, Seq, WorkspaceId};
use shared::invite_link::InviteLink;
use shared::sealing::WorkspaceKey;
use shared::signing::{DeviceKey, secret_hash};
use shared::sync_engine::{AdminReply, AdminRequest, BootstrapProgress, Connection, SyncConfig};
use shared::wire::{Acked, DeviceInfo, ErrorCode, Role};
use tokio::sync::{mpsc, oneshot, watch};

use crate::counters::{CounterValues, Counters};
use crate::driver::{Driver, LoopEvent, Request};
use crate::error::ClientError;
use crate::relay_url::origin_from_url;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub sync: SyncConfig,
    /// How long dialling the relay may take before it counts as a failure.
    pub connect_timeout: Duration,
    /// How long an admin request (invite, devices, revoke) may wait for
    /// the relay, connecting included.
    pub admin_timeout: Duration,
    /// Stop syncing after this many bootstrap pages were applied (when more
    /// remain), as if the connection dropped for good: for tests of
    /// resumption. `sync_until_current` then fails with
    /// [`ClientError::Halted`].
    pub stop_after_bootstrap_pages: Option<u32>,
    /// Keep every ack the relay sent, for [`NativeClient::acked`].
    pub record_acks: bool,
    /// Loaded documents kept in memory.
    pub doc_cache: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            sync: SyncConfig::default(),
            connect_timeout: Duration::from_secs(10),
            admin_timeout: Duration::from_secs(30),
            stop_after_bootstrap_pages: None,
            record_acks: false,
            doc_cache: 4096,
        }
    }
}

/// The workspace and role the relay accepted this device into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined {
    pub workspace: WorkspaceId,
    pub role: Role,
}

/// Where the client stands, for `homeward status` and progress displays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientStatus {
    pub device: DeviceId,
    pub workspace: Option<WorkspaceId>,
    /// The relay origin this device dials.
    pub origin: Option<String>,
    /// As of the latest handshake (or stored from an earlier run).
    pub role: Option<Role>,
    pub connection: Connection,
    pub cursor: Seq,
    /// The relay's head as last heard of.
    pub head: Seq,
    pub pending_uploads: usize,
    pub documents: u64,
    pub bootstrap: Option<BootstrapProgress>,
    /// An interrupted bootstrap is stored, to resume.
    pub bootstrap_pending: bool,
    pub last_sync_ms: Option<i64>,
    pub last_error: Option<String>,
    pub refused: Option<ErrorCode>,
    /// Entries of the log this device set aside for good (kept in its
    /// state, across runs): their signature did not verify or their body
    /// did not open under the workspace key. Sync skips them.
    pub quarantined_entries: u64,
    /// A setup code or invite ticket waits to be accepted by the relay.
    pub redeem_pending: bool,
    /// Connected, nothing to upload, nothing to download.
    pub in_step: bool,
    pub halted: bool,
}

impl ClientStatus {
    /// One line for error messages: where syncing got stuck.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "connection {:?}, cursor {} of head {}, {} pending uploads",
            self.connection, self.cursor, self.head, self.pending_uploads
        );
        if let Some(b) = self.bootstrap {
            s.push_str(&format!(
                ", bootstrap {} of {} documents",
                b.docs_done, b.docs_total
            ));
        }
        if let Some(err) = &self.last_error {
            s.push_str(&format!("; last error: {err}"));
        }
        s
    }
}

/// A device: its state directory, and a loop that syncs it with the relay.
#[derive(Debug)]
pub struct NativeClient {
    events: mpsc::UnboundedSender<LoopEvent>,
    status: watch::Receiver<ClientStatus>,
    counters: Arc<Counters>,
    device: DeviceId,
    options: ClientOptions,
    state_dir: PathBuf,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl NativeClient {
    /// Opens (or creates, with a new device key) the state in `state_dir`
    /// and, if it has a workspace, starts syncing.
    pub fn open(state_dir: &Path) -> Result<NativeClient, ClientError> {
        NativeClient::open_with(state_dir, ClientOptions::default())
    }

    pub fn open_with(
        state_dir: &Path,
        options: ClientOptions,
    ) -> Result<NativeClient, ClientError> {
        let store = Store::open(state_dir)?;
        let mut state = store.load_state()?;
        let key = match state.device_secret {
            Some(secret) => DeviceKey::from_secret(&secret),
            None => {
                let mut secret = [0u8; 32];
                OsRng
                    .try_fill_bytes(&mut secret)
                    .map_err(|e| ClientError::Random(e.to_string()))?;
                let key = DeviceKey::from_secret(&secret);
                store.set_device_secret(&key.secret())?;
                state.device_secret = Some(key.secret());
                key
            }
        };
        let device = key.device_id();
        let quarantined_entries = store.quarantine_count()?;
        let counters = Arc::new(Counters::default());
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let placeholder = ClientStatus {
            device,
            workspace: state.workspace,
            origin: state.origin.clone(),
            role: state.role,
            connection: Connection::Offline,
            cursor: state.cursor,
            head: state.cursor,
            pending_uploads: 0,
            documents: 0,
            bootstrap: None,
            bootstrap_pending: state.bootstrap.is_some(),
            last_sync_ms: None,
            last_error: state.last_error.clone(),
            refused: None,
            quarantined_entries,
            redeem_pending: state.redeem.is_some(),
            in_step: false,
            halted: false,
        };
        let (status_tx, status_rx) = watch::channel(placeholder);
        let driver = Driver::new(
            options.clone(),
            store,
            state,
            key,
            events_tx.clone(),
            counters.clone(),
            status_tx,
        )?;
        let thread = std::thread::Builder::new()
            .name(format!("homeward-sync-{}", &device.to_hex()[..8]))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(err) => {
                        tracing::error!(%err, "cannot start the sync loop's runtime");
                        return;
                    }
                };
                runtime.block_on(driver.run(events_rx));
            })
            .map_err(|source| ClientError::StateDir {
                path: state_dir.to_path_buf(),
                source,
            })?;
        Ok(NativeClient {
            events: events_tx,
            status: status_rx,
            counters,
            device,
            options,
            state_dir: state_dir.to_path_buf(),
            thread: Some(thread),
        })
    }

    pub fn device_id(&self) -> DeviceId {
        self.device
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, ClientError>>) -> Request,
    ) -> Result<T, ClientError> {
        let (tx, rx) = oneshot::channel();
        self.events
            .send(LoopEvent::Request(make(tx)))
            .map_err(|_| ClientError::Stopped)?;
        rx.await.map_err(|_| ClientError::Stopped)?
    }

    async fn ask_within<T>(
        &self,
        what: &'static str,
        timeout: Duration,
        make: impl FnOnce(oneshot::Sender<Result<T, ClientError>>) -> Request,
    ) -> Result<T, ClientError> {
        match tokio::time::timeout(timeout, self.ask(make)).await {
            Ok(result) => result,
            Err(_) => Err(ClientError::Timeout {
                what,
                secs: timeout.as_secs(),
                state: self.status.borrow().summary(),
            }),
        }
    }

    /// Creates a new workspace on the relay at `relay_url` with its one-time
    /// setup code; this device becomes its first admin, and draws the
    /// workspace key (from the operating system's random source) that every
    /// entry is sealed under. The relay never sees the key: it travels only
    /// in invite links.
    pub async fn setup(
        &self,
        relay_url: &str,
        code: &str,
        timeout: Duration,
    ) -> Result<WorkspaceId, ClientError> {
        let origin = origin_from_url(relay_url)?;
        let code = code.trim().to_owned();
        let mut raw = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut raw)
            .map_err(|e| ClientError::Random(e.to_string()))?;
        let key = WorkspaceKey::from_bytes(0, raw);
        let joined = self
            .ask_within("setting up the workspace", timeout, |reply| {
                Request::Setup {
                    origin,
                    code,
                    key,
                    reply,
                }
            })
            .await?;
        Ok(joined.workspace)
    }

    /// Joins the workspace of an invite link (`https://relay/#join=…`),
    /// which must carry the workspace key.
    pub async fn join(&self, link: &str, timeout: Duration) -> Result<Joined, ClientError> {
        let link = InviteLink::parse(link)?;
        let Some(raw) = link.workspace_key else {
            return Err(ClientError::NoKeyInLink);
        };
        // Links carry the key without its epoch: keys are not rotated yet,
        // so every workspace is at epoch 0.
        let key = WorkspaceKey::from_bytes(0, raw);
        self.ask_within("joining the workspace", timeout, |reply| Request::Join {
            link,
            key,
            reply,
        })
        .await
    }

    /// One new document per case, each with its first change in the outbox,
    /// all in one transaction: if any case is invalid, nothing is written.
    pub async fn import_cases(&self, cases: &[Case]) -> Result<Vec<DocId>, ClientError> {
        let cases = cases.to_vec();
        self.ask(|reply| Request::ImportCases { cases, reply })
            .await
    }

    /// Applies `edits` to a document as one entry. `Ok(false)` when they
    /// changed nothing.
    pub async fn edit(&self, doc_id: DocId, edits: Vec<CaseEdit>) -> Result<bool, ClientError> {
        self.ask(|reply| Request::Edit {
            doc_id,
            edits,
            reply,
        })
        .await
    }

    /// Merges raw Automerge change bytes into a document (creating it if
    /// new) and enqueues them as one change entry.
    pub async fn enqueue_change(
        &self,
        doc_id: DocId,
        bytes: Vec<u8>,
    ) -> Result<BlobId, ClientError> {
        let blobs = self.enqueue_changes(vec![(doc_id, bytes)]).await?;
        blobs.into_iter().next().ok_or(ClientError::Stopped)
    }

    /// Like [`NativeClient::enqueue_change`] for many, in one transaction.
    pub async fn enqueue_changes(
        &self,
        changes: Vec<(DocId, Vec<u8>)>,
    ) -> Result<Vec<BlobId>, ClientError> {
        self.ask(|reply| Request::EnqueueChanges { changes, reply })
            .await
    }

    /// Waits until everything is uploaded and the cursor reached the head
    /// (bootstrapping first if needed).
    pub async fn sync_until_current(&self, timeout: Duration) -> Result<ClientStatus, ClientError> {
        self.ask_within("syncing", timeout, |reply| Request::WaitInStep { reply })
            .await?;
        self.status().await
    }

    /// Waits until the relay accepted this device's handshake.
    pub async fn wait_connected(&self, timeout: Duration) -> Result<ClientStatus, ClientError> {
        self.ask_within("connecting to the relay", timeout, |reply| {
            Request::WaitConnected { reply }
        })
        .await?;
        self.status().await
    }

    async fn admin(
        &self,
        what: &'static str,
        request: AdminRequest,
    ) -> Result<AdminReply, ClientError> {
        let reply = self
            .ask_within(what, self.options.admin_timeout, |reply| Request::Admin {
                request,
                reply,
            })
            .await?;
        match reply {
            AdminReply::Failed { code, message } => Err(ClientError::Admin { code, message }),
            other => Ok(other),
        }
    }

    /// Registers a one-time invite on the relay and returns its link, which
    /// carries the workspace key (in its fragment: whoever holds the link
    /// can read the workspace). The ticket is drawn here and only its hash
    /// goes to the relay.
    pub async fn create_invite(
        &self,
        role: Role,
        ttl: Duration,
    ) -> Result<InviteLink, ClientError> {
        let status = self.status().await?;
        let (Some(workspace), Some(origin)) = (status.workspace, status.origin) else {
            return Err(ClientError::NotSetUp);
        };
        let key = self.ask(|reply| Request::WorkspaceKey { reply }).await?;
        let mut ticket = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut ticket)
            .map_err(|e| ClientError::Random(e.to_string()))?;
        let request = AdminRequest::CreateInvite {
            ticket_hash: secret_hash(&ticket),
            role,
            ttl_secs: u32::try_from(ttl.as_secs()).unwrap_or(u32::MAX),
        };
        match self.admin("creating an invite", request).await? {
            AdminReply::InviteCreated { .. } => Ok(InviteLink {
                origin,
                workspace,
                ticket,
                workspace_key: Some(key.to_bytes()),
            }),
            _ => Err(ClientError::UnexpectedReply("an invite")),
        }
    }

    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, ClientError> {
        match self
            .admin("listing devices", AdminRequest::ListDevices)
            .await?
        {
            AdminReply::Devices(devices) => Ok(devices),
            _ => Err(ClientError::UnexpectedReply("a device listing")),
        }
    }

    pub async fn revoke(&self, device: DeviceId) -> Result<(), ClientError> {
        match self
            .admin("revoking a device", AdminRequest::Revoke { device })
            .await?
        {
            AdminReply::Revoked(_) => Ok(()),
            _ => Err(ClientError::UnexpectedReply("a revocation")),
        }
    }

    pub async fn status(&self) -> Result<ClientStatus, ClientError> {
        self.ask(|reply| Request::Status { reply }).await
    }

    /// The status as it changes, after every event the loop handles.
    pub fn watch_status(&self) -> watch::Receiver<ClientStatus> {
        self.status.clone()
    }

    pub fn counters(&self) -> CounterValues {
        self.counters.snapshot()
    }

    /// The stored (durable) document, as `Automerge::save` bytes.
    pub async fn document(&self, doc_id: DocId) -> Result<Option<Vec<u8>>, ClientError> {
        self.ask(|reply| Request::Document { doc_id, reply }).await
    }

    /// The stored document as a case.
    pub async fn case(&self, doc_id: DocId) -> Result<Case, ClientError> {
        let bytes = self
            .document(doc_id)
            .await?
            .ok_or(ClientError::NoSuchDoc(doc_id))?;
        let doc = CaseDoc::load(&bytes, &self.device)
            .map_err(|e| ClientError::CorruptState(format!("document {doc_id}: {}", e.kind())))?;
        doc.case().map_err(|e| ClientError::Edit(e.to_string()))
    }

    pub async fn doc_ids(&self) -> Result<Vec<DocId>, ClientError> {
        self.ask(|reply| Request::DocIds { reply }).await
    }

    /// Every ack received since opening (with `ClientOptions::record_acks`).
    pub async fn acked(&self) -> Result<Vec<Acked>, ClientError> {
        self.ask(|reply| Request::Acks { reply }).await
    }

    /// Stops the loop after the event it is handling, closing the socket.
    pub async fn close(mut self) {
        let (done, finished) = oneshot::channel();
        if self
            .events
            .send(LoopEvent::Request(Request::Shutdown { done }))
            .is_ok()
        {
            let _ = finished.await;
        }
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for NativeClient {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let (done, _) = oneshot::channel();
            let _ = self
                .events
                .send(LoopEvent::Request(Request::Shutdown { done }));
            // Waiting makes "drop, then reopen the same state directory"
            // safe: the old loop has finished its last write.
            let _ = thread.join();
        }
    }
}

/// Reads `7d`, `24h`, `30m`, `45s` or a bare number of seconds.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let usage = || format!("{text:?} is not a duration: write e.g. 7d, 24h, 30m or 3600s");
    let n: u64 = number.parse().map_err(|_| usage())?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => return Err(usage()),
    };
    if secs == 0 {
        return Err(format!("{text:?}: an invite must live longer than 0 s"));
    }
    Ok(Duration::from_secs(secs))
}
