//! The per-connection push allowance: a token bucket counted in entries.
//!
//! The wire has no "slow down" error, and a device cannot do anything useful
//! with one, so the relay applies backpressure instead: a push beyond the
//! allowance waits before it is stored. While it waits the connection reads
//! nothing, so TCP flow control slows the sender down as well.

use std::time::{Duration, Instant};

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
        (per_second > 0).then(|| TokenBucket {
            rate: f64::from(per_second),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            updated: now,
        })
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
    }
}
