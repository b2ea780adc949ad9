//! Injected faults: latency, 5xx answers (write not applied) and lost responses (write
//! applied, connection dropped). Deterministic for a seed.

use super::options::Faults;

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Handled normally.
    Normal,
    /// Answered with this 5xx status before being handled.
    ServerError(u16),
    /// Handled, then the connection is dropped without a response (writes only).
    Lost,
}

/// The fault settings and their seeded generator.
#[derive(Debug)]
pub struct Injector {
    faults: Faults,
    rng: fastrand::Rng,
}

impl Injector {
    /// An injector seeded with `faults.seed`.
    pub fn new(faults: Faults) -> Self {
        Self {
            faults,
            rng: fastrand::Rng::with_seed(faults.seed),
        }
    }

    /// Current settings.
    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// Decides the fate of the next request.
    pub fn decide(&mut self, is_write: bool) -> Fate {
        if self.faults.server_error_rate > 0.0 && self.rng.f64() < self.faults.server_error_rate {
            return Fate::ServerError([500, 502, 503][self.rng.usize(..3)]);
        }
        if is_write
            && self.faults.lost_response_rate > 0.0
            && self.rng.f64() < self.faults.lost_response_rate
        {
            return Fate::Lost;
        }
        Fate::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_rate_shaped() {
        let faults = Faults {
            server_error_rate: 0.5,
            lost_response_rate: 0.5,
            ..Faults::default()
        };
        let run = || {
            let mut i = Injector::new(faults);
            (0..200).map(|_| i.decide(true)).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let errors = a
            .iter()
            .filter(|f| matches!(f, Fate::ServerError(_)))
            .count();
        let lost = a.iter().filter(|f| **f == Fate::Lost).count();
        assert!((60..140).contains(&errors), "{errors}");
        assert!(lost > 20, "{lost}");
        let mut reads = Injector::new(Faults {
            server_error_rate: 0.0,
            ..faults
        });
        assert!((0..100).all(|_| reads.decide(false) == Fate::Normal));
    }
}
