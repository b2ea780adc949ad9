//! Retry policy: which failed attempts are tried again, and how long to wait first.
//!
//! Pure decisions, no I/O: the client feeds in what happened to an attempt and gets back
//! whether to accept it, back off and retry, wait for the rate limit, or give up.
//!
//! - `429` is retried for every method (the request was not processed), after the wait the
//!   rate limiter computes, at most [`MAX_RATE_LIMITED`] times per call.
//! - `408`, `5xx`, timeouts and dropped connections are retried with exponential backoff for
//!   `GET`, `PUT` and `DELETE`, which are idempotent, up to `max_retries` times.
//! - A `POST` is retried only when it provably never left (connection refused). A `POST` that
//!   got a `5xx` answer failed and is reported as such (`504` excepted: a gateway timeout
//!   means the origin may still be working on it); a `POST` whose response was lost is
//!   reported as [`OutcomeUnknown`](super::error::ErrorKind::OutcomeUnknown), never re-sent.
//! - A `DELETE` that answers `404` after an earlier attempt of the same call lost its response
//!   is a success: the earlier attempt deleted the object.

use std::time::Duration;

use reqwest::Method;

/// Most `429` answers one call waits through before giving up.
pub(crate) const MAX_RATE_LIMITED: u32 = 10;

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A complete response with this status.
    Status(u16),
    /// No (complete) response. `sent` is false when the request provably never left
    /// (the connection could not be opened).
    Lost { sent: bool, timeout: bool },
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A success (2xx, or a `DELETE` 404 that confirms an earlier lost attempt).
    Accept,
    /// Retry after [`backoff`].
    Retry,
    /// Retry after the rate-limit wait.
    RetryRateLimited,
    /// Give up with the error of this attempt.
    Fail,
    /// Give up: a write was sent and its outcome is unknown.
    Unknown,
}

/// Counters of one call, across its attempts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CallState {
    /// Attempts that counted against `max_retries` so far (excluding 429s).
    pub failures: u32,
    /// 429 answers so far.
    pub rate_limited: u32,
    /// True once an attempt was sent and its response lost.
    pub lost_earlier: bool,
}

/// Whether a call of this method may be sent again (its effect does not add up).
pub(crate) fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD
    )
}

/// Decides what to do after `attempt`, and updates the call's counters (the client calls
/// [`decide_as`] with the method's own idempotency).
#[cfg(test)]
pub(crate) fn decide(
    method: &Method,
    attempt: Attempt,
    state: &mut CallState,
    max_retries: u32,
) -> Decision {
    decide_as(method, idempotent(method), attempt, state, max_retries)
}

/// [`decide`] for a call whose idempotency is not its method's: a `POST` that upserts by a
/// key the caller chose (`POST /ai/external_pages` by `external_id`) can be sent again.
pub(crate) fn decide_as(
    method: &Method,
    idempotent: bool,
    attempt: Attempt,
    state: &mut CallState,
    max_retries: u32,
) -> Decision {
    match attempt {
        Attempt::Status(s) if (200..300).contains(&s) => Decision::Accept,
        Attempt::Status(404) if *method == Method::DELETE && state.lost_earlier => Decision::Accept,
        Attempt::Status(429) => {
            state.rate_limited += 1;
            if state.rate_limited > MAX_RATE_LIMITED {
                Decision::Fail
            } else {
                Decision::RetryRateLimited
            }
        }
        Attempt::Status(s) if s == 408 || s >= 500 => {
            if !idempotent {
                // The server answered: it failed, nothing to reconcile, except for a gateway
                // timeout where the origin may have done the work.
                return if s == 504 {
                    Decision::Unknown
                } else {
                    Decision::Fail
                };
            }
            state.failures += 1;
            if state.failures > max_retries {
                Decision::Fail
            } else {
                Decision::Retry
            }
        }
        Attempt::Status(_) => Decision::Fail,
        Attempt::Lost { sent, .. } => {
            if sent && !idempotent {
                return Decision::Unknown;
            }
            if sent {
                state.lost_earlier = true;
            }
            state.failures += 1;
            if state.failures > max_retries {
                Decision::Fail
            } else {
                Decision::Retry
            }
        }
    }
}

/// Delay before retry number `retry` (1-based): `base · 2^(retry-1)` capped at `max`, with
/// "equal jitter": a uniformly random point in the upper half, so concurrent callers spread
/// out but never retry sooner than half the nominal delay.
pub(crate) fn backoff(
    retry: u32,
    base: Duration,
    max: Duration,
    rng: &mut fastrand::Rng,
) -> Duration {
    let nominal = nominal_backoff(retry, base, max);
    let half = nominal / 2;
    let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(rng.u64(0..=jitter_ms))
}

fn nominal_backoff(retry: u32, base: Duration, max: Duration) -> Duration {
    let exp = retry.saturating_sub(1).min(20);
    base.saturating_mul(1 << exp).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(250);
    const MAX: Duration = Duration::from_secs(8);

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(nominal_backoff(1, BASE, MAX), Duration::from_millis(250));
        assert_eq!(nominal_backoff(2, BASE, MAX), Duration::from_millis(500));
        assert_eq!(nominal_backoff(4, BASE, MAX), Duration::from_secs(2));
        assert_eq!(nominal_backoff(6, BASE, MAX), Duration::from_secs(8));
        assert_eq!(nominal_backoff(60, BASE, MAX), Duration::from_secs(8));
    }

    #[test]
    fn backoff_stays_within_half_and_full_nominal() {
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 1..=12 {
            let nominal = nominal_backoff(retry, BASE, MAX);
            let mut seen_low = false;
            let mut seen_high = false;
            for _ in 0..500 {
                let d = backoff(retry, BASE, MAX, &mut rng);
                assert!(d >= nominal / 2 && d <= nominal, "retry {retry}: {d:?}");
                seen_low |= d < nominal * 3 / 4;
                seen_high |= d > nominal * 3 / 4;
            }
            assert!(seen_low && seen_high, "retry {retry}: no jitter");
        }
    }

    #[test]
    fn backoff_with_zero_base_is_zero() {
        let mut rng = fastrand::Rng::with_seed(1);
        assert_eq!(backoff(3, Duration::ZERO, MAX, &mut rng), Duration::ZERO);
    }

    fn run(method: &Method, attempts: &[Attempt], max_retries: u32) -> Vec<Decision> {
        let mut state = CallState::default();
        attempts
            .iter()
            .map(|a| decide(method, *a, &mut state, max_retries))
            .collect()
    }

    const LOST: Attempt = Attempt::Lost {
        sent: true,
        timeout: false,
    };
    const TIMEOUT: Attempt = Attempt::Lost {
        sent: true,
        timeout: true,
    };
    const REFUSED: Attempt = Attempt::Lost {
        sent: false,
        timeout: false,
    };

    #[test]
    fn an_upserting_post_retries_like_a_put() {
        let mut state = CallState::default();
        let lost = Attempt::Lost {
            sent: true,
            timeout: false,
        };
        assert_eq!(
            decide_as(&Method::POST, true, lost, &mut state, 3),
            Decision::Retry
        );
        assert_eq!(
            decide_as(&Method::POST, true, Attempt::Status(503), &mut state, 3),
            Decision::Retry
        );
        let mut state = CallState::default();
        assert_eq!(
            decide_as(&Method::POST, false, lost, &mut state, 3),
            Decision::Unknown
        );
    }

    #[test]
    fn idempotent_calls_retry_5xx_and_lost_responses_up_to_the_limit() {
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            let got = run(
                &method,
                &[
                    Attempt::Status(500),
                    LOST,
                    TIMEOUT,
                    Attempt::Status(503),
                    Attempt::Status(502),
                ],
                4,
            );
            assert_eq!(
                got,
                [
                    Decision::Retry,
                    Decision::Retry,
                    Decision::Retry,
                    Decision::Retry,
                    Decision::Fail
                ],
                "{method}"
            );
            assert_eq!(
                run(&method, &[Attempt::Status(408), Attempt::Status(200)], 4),
                [Decision::Retry, Decision::Accept]
            );
        }
        assert_eq!(
            run(&Method::GET, &[Attempt::Status(500)], 0),
            [Decision::Fail]
        );
    }

    #[test]
    fn client_errors_are_not_retried() {
        for status in [400, 401, 403, 404, 406, 409, 422] {
            for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
                assert_eq!(
                    run(&method, &[Attempt::Status(status)], 4),
                    [Decision::Fail]
                );
            }
        }
    }

    #[test]
    fn post_is_never_resent_after_it_left() {
        assert_eq!(run(&Method::POST, &[LOST], 4), [Decision::Unknown]);
        assert_eq!(run(&Method::POST, &[TIMEOUT], 4), [Decision::Unknown]);
        assert_eq!(
            run(&Method::POST, &[Attempt::Status(500)], 4),
            [Decision::Fail]
        );
        assert_eq!(
            run(&Method::POST, &[Attempt::Status(503)], 4),
            [Decision::Fail]
        );
        assert_eq!(
            run(&Method::POST, &[Attempt::Status(504)], 4),
            [Decision::Unknown]
        );
        // Never sent: safe to try again.
        assert_eq!(
            run(&Method::POST, &[REFUSED, Attempt::Status(200)], 4),
            [Decision::Retry, Decision::Accept]
        );
    }

    #[test]
    fn rate_limited_calls_retry_for_every_method_with_their_own_budget() {
        for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
            let mut attempts = vec![Attempt::Status(429); MAX_RATE_LIMITED as usize];
            attempts.push(Attempt::Status(200));
            let got = run(&method, &attempts, 0);
            assert_eq!(got.last(), Some(&Decision::Accept));
            assert!(
                got[..got.len() - 1]
                    .iter()
                    .all(|d| *d == Decision::RetryRateLimited)
            );
            let too_many = vec![Attempt::Status(429); MAX_RATE_LIMITED as usize + 1];
            assert_eq!(run(&method, &too_many, 4).last(), Some(&Decision::Fail));
        }
    }

    #[test]
    fn delete_404_after_a_lost_response_is_success() {
        assert_eq!(
            run(&Method::DELETE, &[LOST, Attempt::Status(404)], 4),
            [Decision::Retry, Decision::Accept]
        );
        // A first-attempt 404 is a real not-found.
        assert_eq!(
            run(&Method::DELETE, &[Attempt::Status(404)], 4),
            [Decision::Fail]
        );
        // A 5xx answer is not a lost response: a later 404 is an error.
        assert_eq!(
            run(
                &Method::DELETE,
                &[Attempt::Status(500), Attempt::Status(404)],
                4
            ),
            [Decision::Retry, Decision::Fail]
        );
        // PUT 404 after a lost response stays an error: the object is gone.
        assert_eq!(
            run(&Method::PUT, &[LOST, Attempt::Status(404)], 4),
            [Decision::Retry, Decision::Fail]
        );
    }
}
