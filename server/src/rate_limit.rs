//! The push allowance of each device: a token bucket counted in entries,
//! shared by all of the device's connections, so opening more sockets buys
//! no more throughput.
//!
//! A device cannot do anything useful with a "slow down" error, so the relay
//! applies backpressure instead: a push beyond the allowance waits before it
//! is stored. While it waits the connection reads nothing, so TCP flow
//! control slows the sender down as well.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use shared::ids::DeviceId;

/// Buckets kept before the first sweep of full ones.
const SWEEP_AT_LEAST: usize = 1024;

/// One bucket per device that pushed lately.
#[derive(Debug)]
pub struct PushAllowances {
    per_second: u32,
    burst: u32,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    by_device: HashMap<DeviceId, TokenBucket>,
    /// Sweep when the map grows past this.
    sweep_at: usize,
}

impl PushAllowances {
    /// `per_second` 0 means no limit.
    pub fn new(per_second: u32, burst: u32) -> PushAllowances {
        PushAllowances {
            per_second,
            burst,
            buckets: Mutex::new(Buckets {
                by_device: HashMap::new(),
                sweep_at: SWEEP_AT_LEAST,
            }),
        }
    }

    fn buckets(&self) -> MutexGuard<'_, Buckets> {
        // Every update under the lock is a single arithmetic step on one
        // bucket or a retain: consistent whatever panicked.
        self.buckets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes `n` tokens from `device`'s bucket; how long its push must wait.
    pub fn take(&self, device: DeviceId, n: usize, now: Instant) -> Duration {
        if self.per_second == 0 {
            return Duration::ZERO;
        }
        let mut buckets = self.buckets();
        if buckets.by_device.len() >= buckets.sweep_at {
            // A full bucket is the same as a new one, so dropping it forgets
            // nothing; the map stays as large as the devices pushing lately.
            buckets.by_device.retain(|_, bucket| !bucket.is_full(now));
            buckets.sweep_at = (buckets.by_device.len() * 2).max(SWEEP_AT_LEAST);
        }
        let (per_second, burst) = (self.per_second, self.burst);
        buckets
            .by_device
            .entry(device)
            .or_insert_with(|| TokenBucket::full(per_second, burst, now))
            .take(n, now)
    }

    #[cfg(test)]
    fn devices(&self) -> usize {
        self.buckets().by_device.len()
    }
}

#[derive(Debug, Clone)]
pub struct TokenBucket {
    /// Tokens added per second.
    rate: f64,
    /// Most tokens the bucket holds.
    burst: f64,
    /// May go below 0: a take larger than what is left puts the bucket in
    /// debt, and the wait it returns covers the debt.
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket, or `None` when `per_second` is 0 (no limit).
    pub fn new(per_second: u32, burst: u32, now: Instant) -> Option<TokenBucket> {
        (per_second > 0).then(|| TokenBucket::full(per_second, burst, now))
    }

    fn full(per_second: u32, burst: u32, now: Instant) -> TokenBucket {
        TokenBucket {
            rate: f64::from(per_second),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            updated: now,
        }
    }

    /// Whether the bucket has refilled completely by `now`.
    pub fn is_full(&self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens + elapsed * self.rate >= self.burst
    }

    /// Takes `n` tokens and returns how long the caller must wait before
    /// going ahead: zero within the allowance. A take larger than the burst
    /// waits for the difference instead of never going through.
    pub fn take(&mut self, n: usize, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.updated = self.updated.max(now);
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.tokens -= n as f64;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn the_burst_is_free_then_entries_cost_one_over_the_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(100, 10, t0).unwrap();
        assert_eq!(bucket.take(4, t0), Duration::ZERO);
        assert_eq!(bucket.take(6, t0), Duration::ZERO);
        // Empty: 5 entries at 100/s.
        assert_eq!(bucket.take(5, t0), 50 * MS);
        // The caller waited 50 ms: the debt is paid, the bucket is empty.
        assert_eq!(bucket.take(1, t0 + 50 * MS), 10 * MS);
        // A long pause refills only up to the burst.
        let later = t0 + Duration::from_secs(60);
        assert_eq!(bucket.take(10, later), Duration::ZERO);
        assert_eq!(bucket.take(1, later), 10 * MS);
    }

    #[test]
    fn a_take_past_the_burst_waits_for_the_difference() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(20, 10, t0).unwrap();
        assert_eq!(bucket.take(30, t0), Duration::from_secs(1));
        // A clock that went backwards (another thread's `now`) adds nothing.
        let mut bucket = TokenBucket::new(20, 10, t0 + MS).unwrap();
        assert_eq!(bucket.take(10, t0), Duration::ZERO);
    }

    #[test]
    fn rate_zero_means_no_limit() {
        assert!(TokenBucket::new(0, 10, Instant::now()).is_none());
        let none = PushAllowances::new(0, 0);
        assert_eq!(
            none.take(DeviceId([1; 32]), 1_000_000, Instant::now()),
            Duration::ZERO
        );
        assert_eq!(none.devices(), 0);
    }

    #[test]
    fn a_device_shares_its_allowance_and_idle_buckets_are_swept() {
        let t0 = Instant::now();
        let allowances = PushAllowances::new(10, 10);
        let (a, b) = (DeviceId([1; 32]), DeviceId([2; 32]));
        // Two connections of one device draw from one bucket.
        assert_eq!(allowances.take(a, 10, t0), Duration::ZERO);
        assert_eq!(allowances.take(a, 1, t0), 100 * MS);
        // Another device has its own.
        assert_eq!(allowances.take(b, 10, t0), Duration::ZERO);

        for n in 0..(SWEEP_AT_LEAST - 2) as u32 {
            let mut id = [0u8; 32];
            id[..4].copy_from_slice(&n.to_be_bytes());
            id[31] = 0xff;
            allowances.take(DeviceId(id), 1, t0);
        }
        assert_eq!(allowances.devices(), SWEEP_AT_LEAST);
        // A second later every bucket but `a`'s (still in debt) is full.
        let later = t0 + Duration::from_secs(1);
        allowances.take(b, 1, later);
        assert_eq!(allowances.devices(), 2, "a and b stay, refilled ones go");
        assert_eq!(allowances.take(a, 10, later), 100 * MS);
    }
}
