//! Head pokes: each workspace's latest seq, broadcast to its open sockets.
//!
//! A `watch` channel keeps only the newest value, which is all a subscriber
//! needs (it pulls everything after its cursor anyway), so a slow socket can
//! never make the relay buffer pokes for it.

use std::sync::Arc;

use shared::ids::{Seq, WorkspaceId};

use crate::watch_registry::{Listener, WatchRegistry};

#[derive(Debug, Default)]
pub struct Pokes {
    heads: Arc<WatchRegistry<WorkspaceId, Seq>>,
}

impl Pokes {
    /// Subscribe before reading the head to report in `Welcome`: a push that
    /// commits in between is then seen either in that head or as a poke.
    pub fn subscribe(&self, workspace: WorkspaceId) -> Subscription {
        Subscription(self.heads.listen(workspace, || Seq::ZERO))
    }

    /// Records that `workspace`'s log reached `head`. Pushes commit and
    /// publish concurrently, so a publish may arrive after a later one: the
    /// value only moves forward.
    pub fn publish(&self, workspace: WorkspaceId, head: Seq) {
        self.heads.with_sender(&workspace, |tx| {
            tx.send_if_modified(|current| {
                let moved = head > *current;
                if moved {
                    *current = head;
                }
                moved
            })
        });
    }

    #[cfg(test)]
    fn workspaces(&self) -> usize {
        self.heads.keys()
    }
}

/// One socket's view of a workspace's head. Dropping the last subscription
/// of a workspace frees its channel.
#[derive(Debug)]
pub struct Subscription(Listener<WorkspaceId, Seq>);

impl Subscription {
    /// Waits until the head moves, and returns it. Cancel-safe.
    pub async fn changed(&mut self) -> Seq {
        let rx = self.0.receiver();
        if rx.changed().await.is_err() {
            // The sender lives while any subscription does; this is unreachable
            // in practice, and "no more pokes" is the right reading of it.
            return std::future::pending().await;
        }
        *rx.borrow_and_update()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn heads_only_move_forward_and_channels_are_freed() {
        let pokes = Arc::new(Pokes::default());
        let ws = WorkspaceId([1; 16]);
        pokes.publish(ws, Seq(3)); // nobody listens: nothing kept
        assert_eq!(pokes.workspaces(), 0);

        let mut a = pokes.subscribe(ws);
        let b = pokes.subscribe(ws);
        pokes.publish(ws, Seq(5));
        pokes.publish(ws, Seq(4));
        assert_eq!(a.changed().await, Seq(5));
        pokes.publish(ws, Seq(6));
        assert_eq!(a.changed().await, Seq(6));

        drop(a);
        assert_eq!(pokes.workspaces(), 1);
        drop(b);
        assert_eq!(pokes.workspaces(), 0);
    }
}
