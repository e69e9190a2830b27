//! The bounded pool of workers: at most `workers` computations at once, at most `queue`
//! more requests waiting for one, each waiting at most the time limit. Past either bound the
//! answer is 503 (busy), so a flood of slow requests never grows without bound and
//! never blocks the page's own files.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::answer::Reply;

/// The workers' permits and the queue's bound.
pub(super) struct Gate {
    /// One permit per worker.
    permits: Arc<Semaphore>,
    /// Requests admitted now: computing or waiting for a permit.
    admitted: AtomicUsize,
    /// The most that may be admitted: the workers and the queue.
    capacity: usize,
    /// The longest a request waits for a permit.
    wait: Duration,
}

impl Gate {
    /// A gate for `workers` computations at once and `queue` waiting.
    pub(super) fn new(workers: usize, queue: usize, wait: Duration) -> Gate {
        let workers = workers.max(1);
        Gate {
            permits: Arc::new(Semaphore::new(workers)),
            admitted: AtomicUsize::new(0),
            capacity: workers.saturating_add(queue),
            wait,
        }
    }

    /// Runs `job` on a worker thread when one is free, or answers 503. The permit goes
    /// with the job: a client that goes away does not free its worker before the job
    /// ends (at its time limit at the latest).
    pub(super) async fn run(&self, job: impl FnOnce() -> Reply + Send + 'static) -> Reply {
        if self.admitted.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            self.admitted.fetch_sub(1, Ordering::SeqCst);
            return busy("too many requests are waiting");
        }
        // Counted out when the job ends, or here when no worker comes.
        let admission = Admission(self);
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await;
        let Ok(Ok(permit)) = permit else {
            return busy("no worker became free within the time limit");
        };
        let done = tokio::task::spawn_blocking(move || {
            let reply = job();
            drop(permit);
            reply
        })
        .await;
        drop(admission);
        done.unwrap_or_else(|_| Reply::problem(500, "internal error: the computation failed"))
    }
}

/// A request counted in [`Gate::admitted`] until dropped.
struct Admission<'a>(&'a Gate);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The 503 answer.
fn busy(why: &str) -> Reply {
    Reply::problem(
        503,
        &format!("the server is busy: {why}; try again in a moment"),
    )
}
