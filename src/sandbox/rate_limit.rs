//! Fixed-window rate limiting (`API-NOTES.md` §5.2): `X-RateLimit-*` headers on every
//! authenticated response, 429 `rate_limit_exceeded` once the window is used up.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::options::RateLimit;

/// The limiter's state: the current window and how many requests it has seen.
#[derive(Debug)]
pub struct Limiter {
    limit: Option<RateLimit>,
    window_start: Instant,
    window_start_unix: f64,
    used: u32,
}

/// The verdict for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds when the window ends (`X-RateLimit-Reset`).
    pub reset: u64,
    /// Whole seconds until then (for `Retry-After`).
    pub retry_after: u64,
}

impl Limiter {
    /// A limiter; `None` never limits.
    pub fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limit,
            window_start: Instant::now(),
            window_start_unix: unix_f64(),
            used: 0,
        }
    }

    /// Replaces the limit and starts a fresh window.
    pub fn set(&mut self, limit: Option<RateLimit>) {
        *self = Self::new(limit);
    }

    /// The current limit.
    pub fn limit(&self) -> Option<RateLimit> {
        self.limit
    }

    /// Counts one request; `None` when rate limiting is off.
    pub fn check(&mut self) -> Option<Decision> {
        let limit = self.limit?;
        let window = limit.window.max(Duration::from_millis(1));
        let now = Instant::now();
        if now.duration_since(self.window_start) >= window {
            self.window_start = now;
            self.window_start_unix = unix_f64();
            self.used = 0;
        }
        let allowed = self.used < limit.limit;
        if allowed {
            self.used += 1;
        }
        let end = self.window_start_unix + window.as_secs_f64();
        let left = (self.window_start + window).saturating_duration_since(now);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let reset = end.ceil() as u64;
        Some(Decision {
            allowed,
            limit: limit.limit,
            remaining: limit.limit - self.used,
            reset,
            retry_after: left.as_secs() + u64::from(left.subsec_nanos() > 0),
        })
    }
}

fn unix_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_and_resets() {
        let mut limiter = Limiter::new(Some(RateLimit {
            limit: 2,
            window: Duration::from_millis(50),
        }));
        let a = limiter.check().unwrap();
        assert!(a.allowed);
        assert_eq!(a.remaining, 1);
        assert!(limiter.check().unwrap().allowed);
        let c = limiter.check().unwrap();
        assert!(!c.allowed);
        assert_eq!(c.remaining, 0);
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.check().unwrap().allowed);
        assert!(Limiter::new(None).check().is_none());
    }
}
