//! Work spread over the cores, for the stages that open files by the thousand.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most threads used: past this, reads from one disk stop getting faster.
const MAX_THREADS: usize = 8;

/// Below this many items, starting threads costs more than it saves.
const MIN_PARALLEL: usize = 64;

/// Stack of each worker. Loading YAML is iterative, but the workers judge whole files and a
/// generous stack keeps any deep-but-allowed structure far from the guard page.
const WORKER_STACK: usize = 16 << 20;

/// `f` of every item, in the items' order. Each thread takes the next item not yet taken,
/// so one slow file does not hold back a fixed share of the others.
///
/// The calling thread works too, so the items are all done even when no other thread can
/// be started. An item whose `f` panics gets `fallback`, and only that item, whichever
/// thread took it: a file the scan failed to judge counts as one it knows nothing about,
/// the scan goes on, and the result does not depend on how the items fell to the threads.
pub fn map<T, R, F>(items: &[T], f: F, fallback: R) -> Vec<R>
where
    T: Sync,
    R: Send + Sync + Clone,
    F: Fn(&T) -> R + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS);
    let f = |item: &T| {
        std::panic::catch_unwind(AssertUnwindSafe(|| f(item))).unwrap_or_else(|_| fallback.clone())
    };
    if threads < 2 || items.len() < MIN_PARALLEL {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = vec![None; items.len()];
    std::thread::scope(|scope| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                done.push((index, f(item)));
            }
            done
        };
        let workers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new().stack_size(WORKER_STACK).spawn_scoped(scope, work).ok()
            })
            .collect();
        let own = work();
        let theirs = workers.into_iter().flat_map(|w| w.join().unwrap_or_default());
        for (index, result) in own.into_iter().chain(theirs) {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(result);
            }
        }
    });
    results.into_iter().map(|r| r.unwrap_or_else(|| fallback.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = map(&items, |n| n * 2, 0);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_panic_costs_only_its_own_item() {
        for count in [10, 1000] {
            let items: Vec<u32> = (0..count).collect();
            let judged =
                map(&items, |n| if n % 97 == 5 { panic!("hostile item {n}") } else { *n }, 0);
            let expected: Vec<u32> =
                items.iter().map(|n| if n % 97 == 5 { 0 } else { *n }).collect();
            assert_eq!(judged, expected);
        }
    }

    #[test]
    fn few_items_are_done_in_place() {
        assert_eq!(map(&[1, 2, 3], |n| n + 1, 0), vec![2, 3, 4]);
    }
}
