//! An order-keeping parallel map over a slice, for the CPU-bound passes over every content
//! file (reading and parsing front matter, rendering). Beside the stages: it imports nothing
//! of the crate.
//!
//! Threads (up to `available_parallelism`, at most 16) take batches of [`BATCH`] items from a
//! shared counter rather than a fixed share each: on a machine shared with other work one
//! thread may get less time, and the others then take over its items instead of waiting. A
//! panic in `f` is propagated, never turned into a missing result. [`map_while_producing`] does
//! the same for items that are still being found.

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
    let done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
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
    in_order(done)
}

/// Runs `produce` on the calling thread and `f` on every item it hands to its sink, on other
/// threads while `produce` still runs, then on the calling thread too once it has returned
/// (the walk of the content tree feeds the files it finds to their readers this way, instead
/// of the readers waiting for the whole walk). Returns what `produce` returned and the results
/// in the order the items were handed over. Items travel in batches of [`BATCH`].
pub fn map_while_producing<T: Send, R: Send, P>(
    produce: impl FnOnce(&mut dyn FnMut(T)) -> P,
    f: impl Fn(T) -> R + Sync,
) -> (P, Vec<R>) {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 16);
    if threads == 1 {
        let mut out = Vec::new();
        let produced = produce(&mut |item| out.push(f(item)));
        return (produced, out);
    }
    let (send, receive) = std::sync::mpsc::channel::<(usize, Vec<T>)>();
    let receive = std::sync::Mutex::new(receive);
    // Takes batches until the channel is closed and empty.
    let work = || {
        let mut out = Vec::new();
        loop {
            let batch = receive
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .recv();
            let Ok((i, items)) = batch else { break };
            out.push((i, items.into_iter().map(&f).collect::<Vec<R>>()));
        }
        out
    };
    let (produced, done) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        let mut batch = Vec::with_capacity(BATCH);
        let mut batches = 0;
        let produced = produce(&mut |item| {
            batch.push(item);
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                // The receiver lives until the workers are joined below.
                let _ = send.send((batches, full));
                batches += 1;
            }
        });
        if !batch.is_empty() {
            let _ = send.send((batches, batch));
        }
        drop(send);
        let mut done = work();
        for handle in handles {
            match handle.join() {
                Ok(mut part) => done.append(&mut part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        (produced, done)
    });
    (produced, in_order(done))
}

/// The results of numbered batches, in the order of their numbers, in a vector sized once
/// (results can be large, and regrowing moved them all again).
fn in_order<R>(mut done: Vec<(usize, Vec<R>)>) -> Vec<R> {
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(done.iter().map(|(_, part)| part.len()).sum());
    for (_, mut part) in done {
        out.append(&mut part);
    }
    out
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

    #[test]
    fn items_handed_over_while_producing_come_back_in_order() {
        for n in [0, 1, BATCH, BATCH + 1, 10 * BATCH + 7] {
            let (produced, out) = map_while_producing(
                |sink| {
                    for i in 0..n {
                        sink(i);
                    }
                    "walked"
                },
                |i| i * 2,
            );
            assert_eq!(produced, "walked");
            assert_eq!(out, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    #[should_panic(expected = "item 300")]
    fn a_panic_while_producing_is_not_swallowed() {
        map_while_producing(
            |sink| {
                for i in 0..1000 {
                    sink(i);
                }
            },
            |i| {
                assert!(i != 300, "item 300");
                i
            },
        );
    }
}
