//! Rate-limit pacing shared by every task using one client.
//!
//! Intercom counts requests in windows (10 s) and reports the budget on every authenticated
//! response: `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix
//! seconds when the window ends). The pacer keeps the latest view of that budget and hands out
//! send slots spaced so that what remains lasts until the reset:
//!
//! - interval = time until reset ÷ remaining budget, so a plentiful budget costs nothing and a
//!   scarce one is spread out instead of being burnt in a burst followed by a `429` storm;
//! - when a window opens with a large budget (at least [`FREE_BURST_MIN`], e.g. Intercom's 1,667
//!   per 10 s), its first half is sent without spacing: a run of a few hundred requests (a
//!   `plan`, a small `apply`, a test) never waits, and only the second half is spread;
//! - the budget reported by a response is reduced by the requests still in flight (the server
//!   may not have counted them yet), and within one window it only ever goes down;
//! - with no budget left, every task waits for the reset;
//! - a `429` pauses every task until the reset (or `Retry-After`), capped at [`MAX_WAIT`].
//!
//! [`PacerState`] is the pure arithmetic (tested without a clock); [`Pacer`] wraps it for tasks.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// Longest single wait for the rate limit, whatever the headers say (clock skew guard).
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(60);
/// Shortest wait after a `429` whose headers give no usable reset time.
pub(crate) const MIN_429_WAIT: Duration = Duration::from_millis(500);
/// Margin after the announced reset before the new window is trusted: the reset is in whole
/// seconds and the server's clock may be slightly behind ours.
pub(crate) const RESET_SLACK: Duration = Duration::from_millis(100);

/// The rate-limit headers of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    /// Unix seconds when the window resets.
    pub reset: Option<u64>,
    /// `Retry-After` in seconds (only the delta-seconds form).
    pub retry_after: Option<u64>,
}

impl RateHeaders {
    /// Reads the headers; values that are missing or not numbers are ignored.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        fn num<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
            headers.get(name)?.to_str().ok()?.trim().parse().ok()
        }
        Self {
            limit: num(headers, "x-ratelimit-limit"),
            remaining: num(headers, "x-ratelimit-remaining"),
            reset: num(headers, "x-ratelimit-reset"),
            retry_after: num(headers, "retry-after"),
        }
    }
}

/// A window whose first reported budget is at least this large sends its first half unspaced.
pub(crate) const FREE_BURST_MIN: u32 = 100;

/// Current window as seen by the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    reset_unix: u64,
    /// When the window ends on our monotonic clock.
    reset_at: Instant,
    /// Requests we may still send in this window.
    remaining: u32,
    /// Of those, how many may still go without spacing.
    free: u32,
}

/// The pacing arithmetic.
#[derive(Debug, Clone, Default)]
pub(crate) struct PacerState {
    window: Option<Window>,
    next_slot: Option<Instant>,
    paused_until: Option<Instant>,
    in_flight: u32,
}

/// Converts a unix-seconds reset into our monotonic clock, capped at [`MAX_WAIT`] ahead.
fn reset_instant(now: Instant, wall_now: SystemTime, reset_unix: u64) -> Instant {
    let wall = wall_now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let reset = Duration::from_secs(reset_unix);
    now + reset.saturating_sub(wall).min(MAX_WAIT)
}

impl PacerState {
    /// Reserves a send slot for a request wanting to go at `now`; returns when it may go.
    /// Call [`Self::sent`] when it is actually sent.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let mut at = now;
        if let Some(p) = self.paused_until {
            if p > now {
                at = p;
            } else {
                self.paused_until = None;
            }
        }
        if let Some(w) = self.window {
            if at >= w.reset_at + RESET_SLACK {
                // The window ended: the budget is fresh, but unknown until the next response.
                self.window = None;
                self.next_slot = None;
            }
        }
        let Some(w) = self.window.as_mut() else {
            return at;
        };
        if w.remaining == 0 {
            // Wait for the reset; the slot is not counted against the (unknown) new window.
            return at.max(w.reset_at + RESET_SLACK);
        }
        if w.free > 0 {
            w.free -= 1;
            w.remaining -= 1;
            return at;
        }
        let slot = self.next_slot.map_or(at, |n| n.max(at));
        let left = w.reset_at.saturating_duration_since(slot);
        let interval = left / w.remaining;
        w.remaining -= 1;
        self.next_slot = Some(slot + interval);
        slot
    }

    /// A request was sent.
    pub fn sent(&mut self) {
        self.in_flight += 1;
    }

    /// A request finished; `headers` are its rate-limit headers if a response arrived.
    pub fn finished(&mut self, now: Instant, wall_now: SystemTime, headers: Option<&RateHeaders>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Some(h) = headers else { return };
        let (Some(remaining), Some(reset_unix)) = (h.remaining, h.reset) else {
            return;
        };
        let reset_at = reset_instant(now, wall_now, reset_unix);
        if now >= reset_at + RESET_SLACK {
            // A late answer from a window that is over (or a clock far ahead of the server's).
            return;
        }
        // Requests still in flight may not be counted in `remaining` yet.
        let budget = remaining.saturating_sub(self.in_flight);
        match self.window.as_mut() {
            Some(w) if w.reset_unix == reset_unix => {
                w.remaining = w.remaining.min(budget);
                w.free = w.free.min(w.remaining);
            }
            Some(w) if w.reset_unix > reset_unix => {}
            _ => {
                self.window = Some(Window {
                    reset_unix,
                    reset_at,
                    remaining: budget,
                    free: if budget >= FREE_BURST_MIN {
                        budget / 2
                    } else {
                        0
                    },
                });
                self.next_slot = None;
            }
        }
    }

    /// A `429` arrived: pause every sender for the returned duration.
    pub fn rate_limited(
        &mut self,
        now: Instant,
        wall_now: SystemTime,
        h: &RateHeaders,
    ) -> Duration {
        let wait = rate_limit_wait(wall_now, h);
        let until = now + wait;
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
        if let Some(w) = self.window.as_mut() {
            w.remaining = 0;
        }
        wait
    }

    #[cfg(test)]
    fn remaining(&self) -> Option<u32> {
        self.window.map(|w| w.remaining)
    }
}

/// How long to wait after a `429`: `Retry-After` if given, else until `X-RateLimit-Reset`
/// (plus slack); never less than [`MIN_429_WAIT`] nor more than [`MAX_WAIT`].
pub(crate) fn rate_limit_wait(wall_now: SystemTime, h: &RateHeaders) -> Duration {
    let wall = wall_now
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let wait = if let Some(secs) = h.retry_after {
        Duration::from_secs(secs)
    } else if let Some(reset) = h.reset {
        Duration::from_secs(reset).saturating_sub(wall) + RESET_SLACK
    } else {
        Duration::ZERO
    };
    wait.clamp(MIN_429_WAIT, MAX_WAIT)
}

/// The pacer shared by the tasks of one client.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    state: Mutex<PacerState>,
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, PacerState> {
        // A panic while holding this lock cannot leave the arithmetic half-done in a harmful
        // way, so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for a send slot and marks the request as in flight until the returned guard is
    /// finished or dropped.
    pub async fn acquire(&self) -> InFlight<'_> {
        loop {
            let at = self.lock().reserve(Instant::now());
            if at > Instant::now() {
                tokio::time::sleep_until(at.into()).await;
            }
            // A 429 seen by another task while we slept pauses us too.
            let mut state = self.lock();
            if state.paused_until.is_some_and(|p| p > Instant::now()) {
                continue;
            }
            state.sent();
            return InFlight {
                pacer: self,
                done: false,
            };
        }
    }

    /// Records a `429` and returns how long senders will pause.
    pub fn rate_limited(&self, headers: &RateHeaders) -> Duration {
        self.lock()
            .rate_limited(Instant::now(), SystemTime::now(), headers)
    }
}

/// A request in flight. [`InFlight::finish`] reports how it ended; dropping it unfinished (the
/// caller cancelled the call) only releases its place, so the budget does not leak.
pub(crate) struct InFlight<'a> {
    pacer: &'a Pacer,
    done: bool,
}

impl InFlight<'_> {
    /// Records the end of the request with its rate-limit headers, if a response arrived.
    pub fn finish(mut self, headers: Option<&RateHeaders>) {
        self.done = true;
        self.pacer
            .lock()
            .finished(Instant::now(), SystemTime::now(), headers);
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.pacer
                .lock()
                .finished(Instant::now(), SystemTime::now(), None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(remaining: u32, reset: u64) -> RateHeaders {
        RateHeaders {
            limit: Some(1000),
            remaining: Some(remaining),
            reset: Some(reset),
            retry_after: None,
        }
    }

    /// A wall clock at a whole second, so resets land exactly.
    fn wall(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn parses_headers_leniently() {
        let mut map = HeaderMap::new();
        map.insert("X-RateLimit-Limit", "167".parse().unwrap());
        map.insert("x-ratelimit-remaining", " 12 ".parse().unwrap());
        map.insert("X-RateLimit-Reset", "1487332510".parse().unwrap());
        map.insert(
            "Retry-After",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            RateHeaders::from_headers(&map),
            RateHeaders {
                limit: Some(167),
                remaining: Some(12),
                reset: Some(1_487_332_510),
                retry_after: None,
            }
        );
        assert_eq!(
            RateHeaders::from_headers(&HeaderMap::new()),
            RateHeaders::default()
        );
    }

    #[test]
    fn no_information_means_no_pacing() {
        let mut p = PacerState::default();
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(p.reserve(now), now);
        }
    }

    #[test]
    fn spreads_the_remaining_budget_until_the_reset() {
        let mut p = PacerState::default();
        let now = Instant::now();
        // 10 requests left, reset in 10 s → one per second.
        p.finished(now, wall(1000), Some(&headers(10, 1010)));
        let slots: Vec<Duration> = (0..10).map(|_| p.reserve(now) - now).collect();
        let want: Vec<Duration> = (0..10).map(Duration::from_secs).collect();
        assert_eq!(slots, want);
        assert_eq!(p.remaining(), Some(0));
        // Budget gone: wait for the reset.
        assert_eq!(p.reserve(now) - now, Duration::from_secs(10) + RESET_SLACK);
    }

    #[test]
    fn a_large_budget_sends_its_first_half_unspaced_then_spreads_the_rest() {
        // Intercom's default: 1666 left after the first response, reset in 10 s.
        let mut p = PacerState::default();
        let now = Instant::now();
        p.finished(now, wall(1000), Some(&headers(1666, 1010)));
        for _ in 0..833 {
            assert_eq!(p.reserve(now), now);
        }
        assert_eq!(p.remaining(), Some(833));
        // The other half is spread over the 10 s left: about 12 ms apart.
        let first = p.reserve(now);
        let second = p.reserve(now);
        assert_eq!(first, now);
        assert_eq!(second - first, Duration::from_secs(10) / 833);
    }

    #[test]
    fn plentiful_budget_costs_nothing_at_the_natural_rate() {
        // The benchmark case: 1667 per 10 s, 8 requests in flight every 50 ms (160/s).
        let mut p = PacerState::default();
        let start = Instant::now();
        p.finished(start, wall(5000), Some(&headers(1666, 5010)));
        let mut total_delay = Duration::ZERO;
        for i in 0..1500u32 {
            // A request every 6.25 ms.
            let want = start + Duration::from_micros(6250) * i;
            total_delay += p.reserve(want) - want;
        }
        assert!(total_delay < Duration::from_millis(50), "{total_delay:?}");
    }

    #[test]
    fn in_flight_requests_are_subtracted_from_the_reported_budget() {
        let mut p = PacerState::default();
        let now = Instant::now();
        for _ in 0..5 {
            p.sent();
        }
        // This response ends one of the five; four remain in flight.
        p.finished(now, wall(100), Some(&headers(10, 110)));
        assert_eq!(p.remaining(), Some(6));
    }

    #[test]
    fn budget_only_goes_down_within_a_window_and_resets_with_a_new_one() {
        let mut p = PacerState::default();
        let now = Instant::now();
        p.finished(now, wall(100), Some(&headers(50, 110)));
        // A stale response from earlier in the same window reports more: ignored.
        p.finished(now, wall(100), Some(&headers(80, 110)));
        assert_eq!(p.remaining(), Some(50));
        p.finished(now, wall(100), Some(&headers(40, 110)));
        assert_eq!(p.remaining(), Some(40));
        // A response from an older window: ignored.
        p.finished(now, wall(100), Some(&headers(5, 100)));
        assert_eq!(p.remaining(), Some(40));
        // A new window replaces the old one.
        p.finished(now, wall(100), Some(&headers(90, 120)));
        assert_eq!(p.remaining(), Some(90));
    }

    #[test]
    fn window_end_clears_the_budget() {
        let mut p = PacerState::default();
        let now = Instant::now();
        p.finished(now, wall(100), Some(&headers(0, 102)));
        let later = now + Duration::from_secs(3);
        assert_eq!(p.reserve(later), later);
        assert_eq!(p.remaining(), None);
    }

    #[test]
    fn far_resets_are_capped() {
        let mut p = PacerState::default();
        let now = Instant::now();
        p.finished(now, wall(100), Some(&headers(0, 100_000)));
        assert_eq!(p.reserve(now) - now, MAX_WAIT + RESET_SLACK);
    }

    #[test]
    fn a_429_pauses_everyone_until_the_reset() {
        let mut p = PacerState::default();
        let now = Instant::now();
        p.finished(now, wall(100), Some(&headers(30, 104)));
        let wait = p.rate_limited(now, wall(100), &headers(0, 104));
        assert_eq!(wait, Duration::from_secs(4) + RESET_SLACK);
        assert_eq!(p.reserve(now) - now, Duration::from_secs(4) + RESET_SLACK);
        assert_eq!(
            p.remaining(),
            None,
            "the new window is unknown until a response"
        );
    }

    #[test]
    fn rate_limit_wait_prefers_retry_after_and_is_bounded() {
        let h = RateHeaders {
            retry_after: Some(3),
            ..headers(0, 1_000_000)
        };
        assert_eq!(rate_limit_wait(wall(100), &h), Duration::from_secs(3));
        assert_eq!(
            rate_limit_wait(wall(100), &headers(0, 107)),
            Duration::from_secs(7) + RESET_SLACK
        );
        assert_eq!(rate_limit_wait(wall(100), &headers(0, 1_000_000)), MAX_WAIT);
        // Reset already past (clock skew) or no headers at all: a short pause, not a storm.
        assert_eq!(rate_limit_wait(wall(100), &headers(0, 90)), MIN_429_WAIT);
        assert_eq!(
            rate_limit_wait(wall(100), &RateHeaders::default()),
            MIN_429_WAIT
        );
        let long = RateHeaders {
            retry_after: Some(3600),
            ..RateHeaders::default()
        };
        assert_eq!(rate_limit_wait(wall(100), &long), MAX_WAIT);
    }

    #[tokio::test]
    async fn shared_pacer_spaces_concurrent_tasks() {
        let pacer = std::sync::Arc::new(Pacer::default());
        let wall_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        // 5 left, reset about 2 s away (1 to 2 s given the fraction of the current second).
        pacer.lock().finished(
            Instant::now(),
            SystemTime::now(),
            Some(&headers(5, wall_now + 2)),
        );
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move {
                    let started = Instant::now();
                    std::mem::forget(pacer.acquire().await);
                    started.elapsed()
                })
            })
            .collect();
        let mut waits = Vec::new();
        for t in tasks {
            waits.push(t.await.unwrap());
        }
        waits.sort();
        // Slots at 0, L/5, 2L/5, 3L/5 with L in (1 s, 2 s]: the fourth is at least 0.6 s away.
        assert!(waits[0] < Duration::from_millis(50), "{waits:?}");
        assert!(waits[3] >= Duration::from_millis(500), "{waits:?}");
        assert!(start.elapsed() < Duration::from_secs(3));
        assert_eq!(pacer.lock().in_flight, 4);
    }

    #[tokio::test]
    async fn cancelled_requests_release_their_place() {
        let pacer = Pacer::default();
        let finished = pacer.acquire().await;
        let dropped = pacer.acquire().await;
        assert_eq!(pacer.lock().in_flight, 2);
        drop(dropped);
        assert_eq!(pacer.lock().in_flight, 1);
        finished.finish(Some(&headers(10, 4_000_000_000)));
        assert_eq!(pacer.lock().in_flight, 0);
        // A cancelled call future drops its guard too.
        let slow = async {
            let _slot = pacer.acquire().await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        };
        assert!(
            tokio::time::timeout(Duration::from_millis(10), slow)
                .await
                .is_err()
        );
        assert_eq!(pacer.lock().in_flight, 0);
    }
}
