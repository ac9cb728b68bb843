//! The [`DataLoader`]: batches from a [`Dataset`], in an order fixed by the seed and the epoch,
//! fetched by worker threads with a bounded prefetch, and yielded in order.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use crate::collate::Collate;
use crate::dataset::{Dataset, FetchContext, IterableDataset};
use crate::error::{Error, Result};
use crate::sampler::{BatchSampler, Batched, RandomSampler, Sampler, SequentialSampler};

type CollateFn<I, B> = dyn Fn(Vec<I>) -> Result<B> + Send + Sync;

/// Batches from a dataset, like `torch.utils.data.DataLoader`.
///
/// - Every call to [`iter`](DataLoader::iter) is a new epoch; with `shuffle(true)` each epoch
///   has a new permutation, fixed by the seed.
/// - With `num_workers(n)`, `n` threads fetch and collate batches while the caller trains, at
///   most `prefetch_factor` batches per worker ahead of it; the batches still come out in
///   sampler order, and are the same for any `n`.
/// - A sample that fails to read or transform comes out as an `Err` naming it, in its batch's
///   place; the batches after it still come.
///
/// ```
/// use gf_data::{DataLoader, Dataset};
/// let loader = DataLoader::new((0..10usize).collect::<Vec<_>>())
///     .batch_size(3)
///     .drop_last(true)
///     .num_workers(2);
/// let batches: Vec<Vec<usize>> = loader.iter().map(|b| b.unwrap().to_vec()).collect();
/// assert_eq!(batches, [vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]]);
/// ```
pub struct DataLoader<D: Dataset, B> {
    dataset: Arc<D>,
    collate: Arc<CollateFn<D::Item, B>>,
    batch_size: usize,
    shuffle: bool,
    drop_last: bool,
    seed: u64,
    sampler: Option<Arc<dyn Sampler>>,
    batch_sampler: Option<Arc<dyn BatchSampler>>,
    num_workers: usize,
    prefetch_factor: usize,
    next_epoch: AtomicU64,
}

impl<D: Dataset + 'static> DataLoader<D, <D::Item as Collate>::Batch>
where
    D::Item: Collate,
{
    /// A loader over `dataset` with the defaults of PyTorch: batch size 1, no shuffle, keep the
    /// last batch, no workers; samples batch by their [`Collate`] impl.
    pub fn new(dataset: D) -> Self {
        DataLoader::with_collate(dataset, <D::Item as Collate>::collate)
    }
}

impl<D: Dataset + 'static, B: Send + 'static> DataLoader<D, B> {
    /// A loader whose batches are made by `collate` from the samples of each batch.
    pub fn with_collate<F>(dataset: D, collate: F) -> Self
    where
        F: Fn(Vec<D::Item>) -> Result<B> + Send + Sync + 'static,
    {
        DataLoader {
            dataset: Arc::new(dataset),
            collate: Arc::new(collate),
            batch_size: 1,
            shuffle: false,
            drop_last: false,
            seed: 0,
            sampler: None,
            batch_sampler: None,
            num_workers: 0,
            prefetch_factor: 2,
            next_epoch: AtomicU64::new(0),
        }
    }

    /// Samples per batch (default 1).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Whether each epoch reads the samples in a new random order (default `false`).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Whether a last batch smaller than `batch_size` is dropped (default `false`).
    pub fn drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// The seed of the shuffle and of random transforms (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Reads the samples in the order `sampler` gives (replaces `shuffle`).
    pub fn sampler(mut self, sampler: impl Sampler + 'static) -> Self {
        self.sampler = Some(Arc::new(sampler));
        self
    }

    /// Takes whole batches from `batch_sampler` (replaces `batch_size`, `shuffle`, `drop_last`
    /// and `sampler`).
    pub fn batch_sampler(mut self, batch_sampler: impl BatchSampler + 'static) -> Self {
        self.batch_sampler = Some(Arc::new(batch_sampler));
        self
    }

    /// Worker threads that fetch batches ahead (default 0: batches are made on the caller's
    /// thread when asked for).
    pub fn num_workers(mut self, num_workers: usize) -> Self {
        self.num_workers = num_workers;
        self
    }

    /// Batches each worker may have ready ahead of the caller (default 2, at least 1).
    pub fn prefetch_factor(mut self, prefetch_factor: usize) -> Self {
        self.prefetch_factor = prefetch_factor.max(1);
        self
    }

    /// The dataset.
    pub fn dataset(&self) -> &D {
        &self.dataset
    }

    /// Batches per epoch.
    pub fn len(&self) -> usize {
        match self.plan() {
            Ok(b) => b.num_batches(self.dataset.len()),
            Err(_) => 0,
        }
    }

    /// Whether an epoch has no batches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn plan(&self) -> Result<Arc<dyn BatchSampler>> {
        if let Some(b) = &self.batch_sampler {
            return Ok(Arc::clone(b));
        }
        let sampler: Arc<dyn Sampler> = match (&self.sampler, self.shuffle) {
            (Some(s), _) => Arc::clone(s),
            (None, true) => Arc::new(RandomSampler::new(self.seed)),
            (None, false) => Arc::new(SequentialSampler),
        };
        Ok(Arc::new(Batched::new(
            sampler,
            self.batch_size,
            self.drop_last,
        )?))
    }

    /// The batches of the next epoch (the first call is epoch 0).
    pub fn iter(&self) -> Batches<B> {
        let epoch = self.next_epoch.fetch_add(1, Ordering::Relaxed);
        self.iter_epoch(epoch)
    }

    /// The batches of epoch `epoch`, without moving the epoch counter.
    pub fn iter_epoch(&self, epoch: u64) -> Batches<B> {
        let plan = self
            .plan()
            .and_then(|b| b.batches(self.dataset.len(), epoch));
        let batches = match plan {
            Ok(b) => b,
            Err(e) => return Batches::failed(e),
        };
        let ctx = FetchContext {
            seed: self.seed,
            epoch,
        };
        let dataset = Arc::clone(&self.dataset);
        let collate = Arc::clone(&self.collate);
        let make: Arc<MakeBatch<B>> = Arc::new(move |indices: &[usize]| {
            let items = indices
                .iter()
                .map(|&i| dataset.fetch(i, ctx).map_err(|e| e.in_sample(i)))
                .collect::<Result<Vec<_>>>()?;
            collate(items)
        });
        if self.num_workers == 0 {
            Batches {
                total: batches.len(),
                next: 0,
                source: Source::Inline { make, batches },
            }
        } else {
            Batches::parallel(
                make,
                batches,
                self.num_workers,
                self.num_workers * self.prefetch_factor,
            )
        }
    }
}

impl<D: Dataset + 'static, B: Send + 'static> IntoIterator for &DataLoader<D, B> {
    type Item = Result<B>;
    type IntoIter = Batches<B>;
    fn into_iter(self) -> Batches<B> {
        self.iter()
    }
}

type MakeBatch<B> = dyn Fn(&[usize]) -> Result<B> + Send + Sync;

/// The batches of one epoch, in order; made by [`DataLoader::iter`].
pub struct Batches<B> {
    total: usize,
    next: usize,
    source: Source<B>,
}

enum Source<B> {
    Failed(Option<Error>),
    Inline {
        make: Arc<MakeBatch<B>>,
        batches: Vec<Vec<usize>>,
    },
    Workers {
        shared: Arc<Shared<B>>,
        handles: Vec<JoinHandle<()>>,
    },
}

struct Shared<B> {
    state: Mutex<State<B>>,
    /// Signalled when a worker may take a job (the caller consumed one, or stop).
    job_ready: Condvar,
    /// Signalled when a batch is done.
    batch_done: Condvar,
}

struct State<B> {
    next_job: usize,
    consumed: usize,
    window: usize,
    done: BTreeMap<usize, Result<B>>,
    stop: bool,
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

impl<B: Send + 'static> Batches<B> {
    fn failed(e: Error) -> Self {
        Batches {
            total: 1,
            next: 0,
            source: Source::Failed(Some(e)),
        }
    }

    fn parallel(
        make: Arc<MakeBatch<B>>,
        batches: Vec<Vec<usize>>,
        workers: usize,
        window: usize,
    ) -> Self {
        let total = batches.len();
        let batches = Arc::new(batches);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next_job: 0,
                consumed: 0,
                window,
                done: BTreeMap::new(),
                stop: false,
            }),
            job_ready: Condvar::new(),
            batch_done: Condvar::new(),
        });
        let handles = (0..workers.min(total.max(1)))
            .map(|_| {
                let shared = Arc::clone(&shared);
                let batches = Arc::clone(&batches);
                let make = Arc::clone(&make);
                std::thread::spawn(move || worker(&shared, &batches, &*make))
            })
            .collect();
        Batches {
            total,
            next: 0,
            source: Source::Workers { shared, handles },
        }
    }
}

fn worker<B>(shared: &Shared<B>, batches: &[Vec<usize>], make: &MakeBatch<B>) {
    loop {
        let job = {
            let mut state = shared.state.lock().expect("loader state");
            loop {
                if state.stop || state.next_job >= batches.len() {
                    return;
                }
                if state.next_job < state.consumed + state.window {
                    state.next_job += 1;
                    break state.next_job - 1;
                }
                state = shared.job_ready.wait(state).expect("loader state");
            }
        };
        let result = catch_unwind(AssertUnwindSafe(|| make(&batches[job])))
            .unwrap_or_else(|payload| Err(Error::Worker(panic_message(payload))));
        let mut state = shared.state.lock().expect("loader state");
        state.done.insert(job, result);
        shared.batch_done.notify_all();
    }
}

impl<B> Iterator for Batches<B> {
    type Item = Result<B>;

    fn next(&mut self) -> Option<Result<B>> {
        if self.next >= self.total {
            return None;
        }
        let index = self.next;
        self.next += 1;
        match &mut self.source {
            Source::Failed(e) => e.take().map(Err),
            Source::Inline { make, batches } => Some(
                catch_unwind(AssertUnwindSafe(|| make(&batches[index])))
                    .unwrap_or_else(|payload| Err(Error::Worker(panic_message(payload)))),
            ),
            Source::Workers { shared, .. } => {
                let mut state = shared.state.lock().expect("loader state");
                loop {
                    if let Some(batch) = state.done.remove(&index) {
                        state.consumed = index + 1;
                        shared.job_ready.notify_all();
                        return Some(batch);
                    }
                    state = shared.batch_done.wait(state).expect("loader state");
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.total - self.next;
        (left, Some(left))
    }
}

impl<B> ExactSizeIterator for Batches<B> {}

impl<B> Drop for Batches<B> {
    fn drop(&mut self) {
        if let Source::Workers { shared, handles } = &mut self.source {
            shared.state.lock().expect("loader state").stop = true;
            shared.job_ready.notify_all();
            for handle in handles.drain(..) {
                // A worker's panic was already caught and reported as an `Err`.
                let _ = handle.join();
            }
        }
    }
}

/// Batches of `batch_size` from one pass over an [`IterableDataset`], collated by the items'
/// [`Collate`]; a short last batch is kept unless `drop_last`. An item the stream fails to
/// produce is an `Err` naming its position in the stream, and the pass goes on after it.
///
/// ```
/// use gf_data::{loader::stream_batches, FetchContext, IterFn};
/// let stream = IterFn(|_: FetchContext| (0..5usize).map(Ok));
/// let batches: Vec<Vec<usize>> = stream_batches(&stream, FetchContext::default(), 2, false)
///     .map(|b| b.unwrap().to_vec())
///     .collect();
/// assert_eq!(batches, [vec![0, 1], vec![2, 3], vec![4]]);
/// ```
pub fn stream_batches<D>(
    dataset: &D,
    ctx: FetchContext,
    batch_size: usize,
    drop_last: bool,
) -> StreamBatches<D::Iter>
where
    D: IterableDataset,
    D::Item: Collate,
{
    StreamBatches {
        inner: dataset.iter(ctx),
        batch_size: batch_size.max(1),
        drop_last,
        position: 0,
    }
}

/// The batches of one pass over a stream; made by [`stream_batches`].
pub struct StreamBatches<I> {
    inner: I,
    batch_size: usize,
    drop_last: bool,
    position: usize,
}

impl<T: Collate, I: Iterator<Item = Result<T>>> Iterator for StreamBatches<I> {
    type Item = Result<T::Batch>;

    fn next(&mut self) -> Option<Result<T::Batch>> {
        let mut items = Vec::with_capacity(self.batch_size);
        let mut failure = None;
        for item in self.inner.by_ref() {
            let position = self.position;
            self.position += 1;
            match item {
                Ok(item) => items.push(item),
                Err(e) => failure = failure.or(Some(e.in_sample(position))),
            }
            if items.len() + usize::from(failure.is_some()) >= self.batch_size {
                break;
            }
        }
        if let Some(e) = failure {
            return Some(Err(e));
        }
        if items.is_empty() || (self.drop_last && items.len() < self.batch_size) {
            return None;
        }
        Some(T::collate(items))
    }
}
