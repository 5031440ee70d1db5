//! `Threads`: how a call spreads its output rows over threads.
//!
//! Each task computes a band of whole output rows with its own ring of
//! padded rows, and every output is computed by the same kernel in the same
//! order whichever task owns it, so results are bit-identical for every
//! thread count and split.

use ndarray::ArrayViewMut2;

/// The thread policy of a [`Filter2d`](crate::Filter2d).
///
/// ```
/// use ndarray::Array2;
/// use simdconv::{Filter2d, Threads};
///
/// let kernel = Array2::<f32>::ones((9, 9));
/// let image = Array2::<f32>::ones((300, 300));
/// let single = Filter2d::convolution(&kernel)?.threads(Threads::Single);
/// let auto = Filter2d::convolution(&kernel)?; // Threads::Auto
/// assert_eq!(single.apply(&image)?, auto.apply(&image)?);
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Threads {
    /// Large calls run on rayon's current pool (the global one unless called
    /// inside `ThreadPool::install`); small calls stay on the calling thread,
    /// where threads would cost more than they save. The default. Without
    /// the `rayon` feature this is `Single`; so it is on WebAssembly, which
    /// cannot spawn threads (rayon's global pool then runs on the calling
    /// thread alone).
    #[default]
    Auto,
    /// Everything on the calling thread.
    Single,
    /// Large calls run on this rayon pool (small ones on the calling thread).
    #[cfg(feature = "rayon")]
    Pool(std::sync::Arc<rayon::ThreadPool>),
}

/// Calls below this many multiply-adds (about 0.1 ms of work) stay on the
/// calling thread.
#[cfg(feature = "rayon")]
const MIN_PARALLEL_MACS: usize = 1 << 21;

/// The fewest output rows a task gets.
#[cfg(feature = "rayon")]
const MIN_TASK_ROWS: usize = 16;

impl Threads {
    /// Calls `work(first_row, rows)` on disjoint bands of output rows that
    /// together cover `out`, on one thread or several. `macs` is the call's
    /// multiply-add count, to keep small calls on the calling thread.
    pub(crate) fn for_each_band<T, F>(&self, macs: usize, out: ArrayViewMut2<'_, T>, work: F)
    where
        T: Send,
        F: Fn(usize, ArrayViewMut2<'_, T>) + Sync,
    {
        #[cfg(feature = "rayon")]
        let mut out = out;
        #[cfg(feature = "rayon")]
        {
            if let Some(pool) = self.pool() {
                let threads =
                    pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
                let rows = out.nrows();
                if threads > 1 && macs >= MIN_PARALLEL_MACS && rows >= 2 * MIN_TASK_ROWS {
                    // Two tasks per thread: some slack if a thread is slowed
                    // by other work on the machine, while each task's ring
                    // (its own scratch) stays a small share of the call.
                    let tasks = (threads * 2).min(rows / MIN_TASK_ROWS);
                    let band = rows.div_ceil(tasks);
                    let bands: Vec<(usize, ArrayViewMut2<'_, T>)> = out
                        .axis_chunks_iter_mut(ndarray::Axis(0), band)
                        .enumerate()
                        .map(|(i, rows)| (i * band, rows))
                        .collect();
                    let run = || {
                        use rayon::prelude::*;
                        bands
                            .into_par_iter()
                            .for_each(|(first, rows)| work(first, rows));
                    };
                    match pool {
                        Some(pool) => pool.install(run),
                        None => run(),
                    }
                    return;
                }
            }
        }
        let _ = macs;
        work(0, out);
    }

    /// Calls `work` on every task, on one thread or several: the tasks are
    /// whatever the caller split its output into (the FFT method's tiles),
    /// so which thread runs a task never changes what it computes. `cost`
    /// is the call's work in multiply-adds of the direct method's scale,
    /// to keep small calls on the calling thread.
    pub(crate) fn for_each_task<I, F>(&self, cost: usize, tasks: Vec<I>, work: F)
    where
        I: Send,
        F: Fn(I) + Sync,
    {
        #[cfg(feature = "rayon")]
        if let Some(pool) = self.pool() {
            let threads = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
            if threads > 1 && cost >= MIN_PARALLEL_MACS && tasks.len() >= 2 {
                let run = || {
                    use rayon::prelude::*;
                    tasks.into_par_iter().for_each(&work);
                };
                match pool {
                    Some(pool) => pool.install(run),
                    None => run(),
                }
                return;
            }
        }
        let _ = cost;
        tasks.into_iter().for_each(work);
    }

    /// The pool a parallel call runs on: `None` for `Single`, `Some(None)`
    /// for rayon's current pool, `Some(Some(pool))` for the caller's.
    #[cfg(feature = "rayon")]
    fn pool(&self) -> Option<Option<&std::sync::Arc<rayon::ThreadPool>>> {
        match self {
            Threads::Single => None,
            Threads::Auto => Some(None),
            Threads::Pool(pool) => Some(Some(pool)),
        }
    }
}
