//! An executor for Tonbo that keeps track of the tasks a database has spawned and not finished.
//! Tonbo 0.4 flushes sealed memtables in detached tasks; tracking them lets an append wait for
//! the flush it started, so spilled data leaves memory before the next batch comes in.

use std::{
    collections::BTreeSet,
    future::Future,
    pin::pin,
    sync::{Arc, Mutex},
};

use fusio::{
    MaybeSend, MaybeSync,
    executor::{Executor, Timer, tokio::TokioExecutor},
};

/// Tokio's executor, numbering spawned tasks and keeping the numbers of live ones; clones share
/// them.
#[derive(Clone)]
pub(super) struct TrackedExecutor {
    inner: TokioExecutor,
    live: Arc<Live>,
}

#[derive(Default)]
struct Live {
    /// The next task's number, and the numbers of tasks not yet finished.
    tasks: Mutex<(u64, BTreeSet<u64>)>,
    finished: tokio::sync::Notify,
}

/// Held by a spawned task; its drop (finished or cancelled) counts the task out.
struct Alive(Arc<Live>, u64);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.tasks.lock().unwrap_or_else(|p| p.into_inner()).1.remove(&self.1);
        self.0.finished.notify_waiters();
    }
}

impl TrackedExecutor {
    /// An executor on the runtime of the calling context (must be inside one).
    pub(super) fn current() -> Self {
        TrackedExecutor { inner: TokioExecutor::default(), live: Arc::default() }
    }

    fn tasks(&self) -> std::sync::MutexGuard<'_, (u64, BTreeSet<u64>)> {
        self.live.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tasks spawned and not yet finished.
    #[cfg(test)]
    fn live(&self) -> usize {
        self.tasks().1.len()
    }

    /// A mark for [`settle`](Self::settle): tasks spawned from now on are after it.
    pub(super) fn mark(&self) -> u64 {
        self.tasks().0
    }

    /// Waits until every task spawned after `mark` has finished; older ones may run on.
    pub(super) async fn settle(&self, mark: u64) {
        loop {
            let mut finished = pin!(self.live.finished.notified());
            // Registered before the check, so a task ending in between still wakes us.
            finished.as_mut().enable();
            if self.tasks().1.range(mark..).next().is_none() {
                return;
            }
            finished.await;
        }
    }
}

impl Executor for TrackedExecutor {
    type JoinHandle<R>
        = tokio::task::JoinHandle<R>
    where
        R: MaybeSend;
    type Mutex<T>
        = tokio::sync::Mutex<T>
    where
        T: MaybeSend + MaybeSync;
    type RwLock<T>
        = tokio::sync::RwLock<T>
    where
        T: MaybeSend + MaybeSync;

    fn spawn<F>(&self, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + MaybeSend + 'static,
        F::Output: MaybeSend,
    {
        let id = {
            let mut tasks = self.tasks();
            let id = tasks.0;
            tasks.0 += 1;
            tasks.1.insert(id);
            id
        };
        let alive = Alive(Arc::clone(&self.live), id);
        self.inner.spawn(async move {
            let _alive = alive;
            future.await
        })
    }

    fn mutex<T>(value: T) -> Self::Mutex<T>
    where
        T: MaybeSend + MaybeSync,
    {
        tokio::sync::Mutex::new(value)
    }

    fn rw_lock<T>(value: T) -> Self::RwLock<T>
    where
        T: MaybeSend + MaybeSync,
    {
        tokio::sync::RwLock::new(value)
    }
}

impl Timer for TrackedExecutor {
    fn sleep(&self, dur: std::time::Duration) -> std::pin::Pin<Box<dyn fusio_core::MaybeSendFuture<Output = ()>>> {
        self.inner.sleep(dur)
    }

    fn now(&self) -> std::time::Instant {
        self.inner.now()
    }

    fn system_time(&self) -> std::time::SystemTime {
        self.inner.system_time()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn settle_waits_for_spawned_tasks_only() {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let exec = {
            let _in = rt.enter();
            TrackedExecutor::current()
        };
        let (long_tx, long_rx) = tokio::sync::oneshot::channel::<()>();
        let (short_tx, short_rx) = tokio::sync::oneshot::channel::<()>();
        let (older_tx, older_rx) = tokio::sync::oneshot::channel::<()>();
        let _long = exec.spawn(async move {
            let _ = long_rx.await;
        });
        let older = exec.spawn(async move {
            let _ = older_rx.await;
        });
        let mark = exec.mark();
        let short = exec.clone().spawn(async move {
            let _ = short_rx.await;
        });
        assert_eq!(exec.live(), 3, "clones share the tasks");
        let settle = |ms| rt.block_on(async { tokio::time::timeout(Duration::from_millis(ms), exec.settle(mark)).await });
        // A task from before the mark ending must not end the wait while a later one runs.
        older_tx.send(()).unwrap();
        assert!(settle(50).is_err());
        assert_eq!(exec.live(), 2);
        assert!(older.is_finished());
        short_tx.send(()).unwrap();
        settle(5000).unwrap();
        rt.block_on(short).unwrap();
        assert_eq!(exec.live(), 1, "the task from before the mark runs on");
        // A cancelled task is counted out too.
        rt.shutdown_timeout(Duration::from_secs(1));
        drop(long_tx);
        assert_eq!(exec.live(), 0);
    }
}
