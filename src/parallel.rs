//! An order-keeping parallel map over a slice, for the CPU-bound passes over every content
//! file (reading and parsing front matter, rendering). Beside the stages: it imports nothing
//! of the crate.
//!
//! Threads (up to `available_parallelism`, at most 16) take batches of [`BATCH`] items from a
//! shared counter rather than a fixed share each: on a machine shared with other work one
//! thread may get less time, and the others then take over its items instead of waiting. A
//! panic in `f` is propagated, never turned into a missing result.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Items per batch: small enough to balance, large enough to make the counter's cost nothing.
pub const BATCH: usize = 64;

/// `items.iter().map(f).collect()`, on several threads, results in the order of `items`.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 16);
    if threads == 1 || items.len() <= BATCH {
        return items.iter().map(f).collect();
    }
    let batches: Vec<&[T]> = items.chunks(BATCH).collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(batches.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(batch) = batches.get(i) else { break };
                        out.push((i, batch.iter().map(&f).collect::<Vec<R>>()));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, part)| part).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_size() {
        for n in [0, 1, BATCH, BATCH + 1, 10 * BATCH + 7] {
            let items: Vec<usize> = (0..n).collect();
            let out = map_in_order(&items, |i| i * 2);
            assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    #[should_panic(expected = "item 300")]
    fn a_panic_in_the_function_is_not_swallowed() {
        let items: Vec<usize> = (0..1000).collect();
        map_in_order(&items, |&i| {
            assert!(i != 300, "item 300");
            i
        });
    }
}
