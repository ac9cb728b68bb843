//! Datasets: a random-access [`Dataset`] (PyTorch's map-style dataset) with map, transform,
//! filter, subset and concat adapters and [`random_split`]; in-memory [`TensorDataset`]s; and an
//! [`IterableDataset`] for streams.

use std::sync::Arc;

use gf_core::ops::create::TensorCreate;
use gf_core::rng::Xoshiro256;
use gf_core::shape::{Axis, ReduceShape, Shape};
use gf_core::{Cpu, Tensor, Unit};

use crate::error::{Error, Result};
use crate::transforms::Transform;

/// Where a fetch happens: the loader's seed and the epoch. Random transforms derive their
/// generator from it and the sample's index, so that a sample's augmentation depends on neither
/// the worker nor the order of fetches, and changes from one epoch to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchContext {
    /// The seed of the run.
    pub seed: u64,
    /// The epoch, counted from 0.
    pub epoch: u64,
}

/// A dataset read by index, like PyTorch's map-style `Dataset`.
///
/// ```
/// use gf_data::Dataset;
/// let squares = (0..5usize).collect::<Vec<_>>().map(|x| Ok(x * x));
/// assert_eq!(squares.len(), 5);
/// assert_eq!(squares.get(3).unwrap(), 9);
/// assert!(squares.get(5).is_err());
/// ```
pub trait Dataset: Send + Sync {
    /// One sample.
    type Item: Send;

    /// The number of samples.
    fn len(&self) -> usize;

    /// Sample `index`; `Err` if the index is out of range or the sample cannot be read.
    fn get(&self, index: usize) -> Result<Self::Item>;

    /// Sample `index` as fetched by a loader in `ctx`. Plain datasets ignore `ctx`; adapters
    /// pass it down, and [`Transformed`] seeds its transform from it.
    fn fetch(&self, index: usize, ctx: FetchContext) -> Result<Self::Item> {
        let _ = ctx;
        self.get(index)
    }

    /// Whether the dataset has no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies `f` to every sample as it is read.
    fn map<F, U>(self, f: F) -> Map<Self, F>
    where
        Self: Sized,
        F: Fn(Self::Item) -> Result<U> + Send + Sync,
        U: Send,
    {
        Map { inner: self, f }
    }

    /// Applies a (possibly random) transform to every sample as it is read; see [`Transformed`].
    fn transform<T>(self, transform: T) -> Transformed<Self, T>
    where
        Self: Sized,
        T: Transform<Self::Item>,
        T::Output: Send,
    {
        Transformed {
            inner: self,
            transform,
        }
    }

    /// Keeps the samples for which `keep` is true. Every sample is read once, now, to decide;
    /// the first sample that fails to read is the `Err`.
    fn filter<P>(self, keep: P) -> Result<Subset<Self>>
    where
        Self: Sized,
        P: Fn(&Self::Item) -> bool,
    {
        let mut indices = Vec::new();
        for i in 0..self.len() {
            let item = self.get(i).map_err(|e| e.in_sample(i))?;
            if keep(&item) {
                indices.push(i);
            }
        }
        Ok(Subset {
            inner: self,
            indices,
        })
    }

    /// The samples at `indices`, in that order; `Err` if one is out of range.
    fn subset(self, indices: Vec<usize>) -> Result<Subset<Self>>
    where
        Self: Sized,
    {
        Subset::new(self, indices)
    }

    /// `self`'s samples followed by `other`'s.
    fn concat<D: Dataset<Item = Self::Item>>(self, other: D) -> Concat<Self, D>
    where
        Self: Sized,
    {
        Concat {
            first: self,
            second: other,
        }
    }
}

pub(crate) fn check_index(op: &'static str, index: usize, len: usize) -> Result<()> {
    if index < len {
        Ok(())
    } else {
        Err(Error::argument(
            op,
            format!("index {index} is out of range for a dataset of {len} samples"),
        ))
    }
}

/// A `Vec` is a dataset of its elements.
impl<T: Clone + Send + Sync> Dataset for Vec<T> {
    type Item = T;
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn get(&self, index: usize) -> Result<T> {
        check_index("Vec::get", index, self.as_slice().len())?;
        Ok(self[index].clone())
    }
}

/// Datasets behind a pointer are datasets: `Arc` lets splits and loaders share one without
/// copying, `Box` lets datasets of different types share one type.
macro_rules! forward_dataset {
    ($($ptr:ident),*) => {$(
        impl<D: Dataset + ?Sized> Dataset for $ptr<D> {
            type Item = D::Item;
            fn len(&self) -> usize {
                (**self).len()
            }
            fn get(&self, index: usize) -> Result<D::Item> {
                (**self).get(index)
            }
            fn fetch(&self, index: usize, ctx: FetchContext) -> Result<D::Item> {
                (**self).fetch(index, ctx)
            }
        }
    )*};
}
forward_dataset!(Arc, Box);

/// A dataset whose samples pass through a function; made by [`Dataset::map`].
#[derive(Clone, Debug)]
pub struct Map<D, F> {
    inner: D,
    f: F,
}

impl<D: Dataset, F, U> Dataset for Map<D, F>
where
    F: Fn(D::Item) -> Result<U> + Send + Sync,
    U: Send,
{
    type Item = U;
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn get(&self, index: usize) -> Result<U> {
        (self.f)(self.inner.get(index)?)
    }
    fn fetch(&self, index: usize, ctx: FetchContext) -> Result<U> {
        (self.f)(self.inner.fetch(index, ctx)?)
    }
}

/// A dataset whose samples pass through a [`Transform`]; made by [`Dataset::transform`].
///
/// The transform's generator is keyed by the fetch's seed and epoch and the sample's index.
/// [`get`](Dataset::get) uses seed 0, epoch 0.
#[derive(Clone, Debug)]
pub struct Transformed<D, T> {
    inner: D,
    transform: T,
}

impl<D: Dataset, T> Dataset for Transformed<D, T>
where
    T: Transform<D::Item>,
    T::Output: Send,
{
    type Item = T::Output;
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn get(&self, index: usize) -> Result<T::Output> {
        self.fetch(index, FetchContext::default())
    }
    fn fetch(&self, index: usize, ctx: FetchContext) -> Result<T::Output> {
        let item = self.inner.fetch(index, ctx)?;
        let mut rng = Xoshiro256::for_keys(ctx.seed, &[ctx.epoch, index as u64]);
        self.transform.apply(item, &mut rng)
    }
}

/// The samples of a dataset at chosen indices; made by [`Dataset::subset`], [`Dataset::filter`]
/// and [`random_split`].
#[derive(Clone, Debug)]
pub struct Subset<D> {
    inner: D,
    indices: Vec<usize>,
}

impl<D: Dataset> Subset<D> {
    /// The samples of `inner` at `indices`; `Err` if one is out of range.
    pub fn new(inner: D, indices: Vec<usize>) -> Result<Self> {
        let len = inner.len();
        if let Some(&bad) = indices.iter().find(|&&i| i >= len) {
            return Err(Error::argument(
                "Subset::new",
                format!("index {bad} is out of range for a dataset of {len} samples"),
            ));
        }
        Ok(Subset { inner, indices })
    }

    /// The indices into the inner dataset.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The dataset the indices point into.
    pub fn inner(&self) -> &D {
        &self.inner
    }
}

impl<D: Dataset> Dataset for Subset<D> {
    type Item = D::Item;
    fn len(&self) -> usize {
        self.indices.len()
    }
    fn get(&self, index: usize) -> Result<D::Item> {
        check_index("Subset::get", index, self.indices.len())?;
        self.inner.get(self.indices[index])
    }
    fn fetch(&self, index: usize, ctx: FetchContext) -> Result<D::Item> {
        check_index("Subset::get", index, self.indices.len())?;
        self.inner.fetch(self.indices[index], ctx)
    }
}

/// Two datasets one after the other; made by [`Dataset::concat`].
#[derive(Clone, Debug)]
pub struct Concat<A, B> {
    first: A,
    second: B,
}

impl<A: Dataset, B: Dataset<Item = A::Item>> Dataset for Concat<A, B> {
    type Item = A::Item;
    fn len(&self) -> usize {
        self.first.len() + self.second.len()
    }
    fn get(&self, index: usize) -> Result<A::Item> {
        self.fetch(index, FetchContext::default())
    }
    fn fetch(&self, index: usize, ctx: FetchContext) -> Result<A::Item> {
        let n = self.first.len();
        if index < n {
            self.first.fetch(index, ctx)
        } else {
            check_index("Concat::get", index, self.len())?;
            self.second.fetch(index - n, ctx)
        }
    }
}

/// Splits `dataset` at random into parts of the given `lengths` (which must add up to its
/// length), like `torch.utils.data.random_split`. The parts share the dataset.
///
/// ```
/// use gf_data::{random_split, Dataset};
/// let parts = random_split((0..10).collect::<Vec<i32>>(), &[7, 3], 42).unwrap();
/// assert_eq!((parts[0].len(), parts[1].len()), (7, 3));
/// ```
pub fn random_split<D: Dataset>(
    dataset: D,
    lengths: &[usize],
    seed: u64,
) -> Result<Vec<Subset<Arc<D>>>> {
    let n = dataset.len();
    let total: usize = lengths.iter().sum();
    if total != n {
        return Err(Error::argument(
            "random_split",
            format!("the lengths {lengths:?} add up to {total}, but the dataset has {n} samples"),
        ));
    }
    let perm = Xoshiro256::new(seed).permutation(n);
    let shared = Arc::new(dataset);
    let mut start = 0;
    Ok(lengths
        .iter()
        .map(|&len| {
            let part = Subset {
                inner: Arc::clone(&shared),
                indices: perm[start..start + len].to_vec(),
            };
            start += len;
            part
        })
        .collect())
}

/// [`random_split`] by fractions that add up to 1. Each part gets `floor(fraction * n)` samples
/// and the remainder goes one by one to the first parts, as PyTorch does.
pub fn random_split_fractions<D: Dataset>(
    dataset: D,
    fractions: &[f64],
    seed: u64,
) -> Result<Vec<Subset<Arc<D>>>> {
    let sum: f64 = fractions.iter().sum();
    if (sum - 1.0).abs() > 1e-9 || fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
        return Err(Error::argument(
            "random_split_fractions",
            format!("fractions must be in [0, 1] and add up to 1, got {fractions:?}"),
        ));
    }
    let n = dataset.len();
    let mut lengths: Vec<usize> = fractions
        .iter()
        .map(|f| (f * n as f64).floor() as usize)
        .collect();
    let remainder = n - lengths.iter().sum::<usize>();
    let parts = lengths.len();
    for i in 0..remainder {
        lengths[i % parts] += 1;
    }
    random_split(dataset, &lengths, seed)
}

/// The tensors a [`TensorDataset`] can hold: a tensor whose first axis counts the samples, or a
/// tuple of them.
pub trait TensorColumns: Send + Sync {
    /// One row of each tensor.
    type Row: Send;
    /// The number of rows, or `Err` if the tensors disagree.
    fn num_rows(&self) -> Result<usize>;
    /// Row `index` of each tensor (the index is checked by the caller).
    fn row(&self, index: usize) -> Result<Self::Row>;
}

/// A tensor with its rows stored contiguously, for cheap row copies.
#[derive(Clone, Debug)]
pub struct Rows<S: Shape, E: Unit> {
    data: Arc<Vec<E>>,
    dims: Vec<usize>,
    device: Cpu,
    _shape: core::marker::PhantomData<S>,
}

impl<S: Shape + ReduceShape<Axis<0>>, E: Unit> Rows<S, E> {
    /// The rows of `tensor` (copied once, contiguously).
    pub fn new<T>(tensor: &Tensor<S, E, Cpu, T>) -> Result<Self> {
        let dims = tensor.dims().as_ref().to_vec();
        if dims.is_empty() {
            return Err(Error::argument(
                "TensorDataset",
                "a scalar tensor has no rows",
            ));
        }
        Ok(Rows {
            data: Arc::new(tensor.to_vec()),
            dims,
            device: tensor.device().clone(),
            _shape: core::marker::PhantomData,
        })
    }
}

impl<S, E> TensorColumns for Rows<S, E>
where
    S: Shape + ReduceShape<Axis<0>>,
    E: Unit,
{
    type Row = Tensor<S::Reduced, E, Cpu>;
    fn num_rows(&self) -> Result<usize> {
        Ok(self.dims[0])
    }
    fn row(&self, index: usize) -> Result<Self::Row> {
        let row_dims = &self.dims[1..];
        let len: usize = row_dims.iter().product();
        let shape = S::Reduced::from_concrete(row_dims).ok_or_else(|| {
            Error::argument("TensorDataset", format!("row dims {row_dims:?} do not fit"))
        })?;
        let data = self.data[index * len..(index + 1) * len].to_vec();
        Ok(self.device.try_tensor_from_vec(data, shape)?)
    }
}

macro_rules! tuple_columns {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: TensorColumns),+> TensorColumns for ($($name,)+) {
            type Row = ($($name::Row,)+);
            fn num_rows(&self) -> Result<usize> {
                let counts = [$(self.$idx.num_rows()?),+];
                if counts.iter().any(|&c| c != counts[0]) {
                    return Err(Error::argument(
                        "TensorDataset",
                        format!("the tensors' first dims differ: {counts:?}"),
                    ));
                }
                Ok(counts[0])
            }
            fn row(&self, index: usize) -> Result<Self::Row> {
                Ok(($(self.$idx.row(index)?,)+))
            }
        }
    };
}
tuple_columns!(A 0, B 1);
tuple_columns!(A 0, B 1, C 2);
tuple_columns!(A 0, B 1, C 2, D 3);

/// Tensors whose first axis indexes the samples, like `torch.utils.data.TensorDataset`: sample
/// `i` is row `i` of each.
///
/// ```
/// use gf_data::{Dataset, Rows, TensorDataset};
/// use gf_core::prelude::*;
/// let dev = Cpu::default();
/// let x: Tensor<(usize, Const<2>), f32, Cpu> =
///     dev.tensor_from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], (3, Const));
/// let y: Tensor<(usize,), usize, Cpu> = dev.tensor_from_vec(vec![0, 1, 0], (3,));
/// let ds = TensorDataset::new((Rows::new(&x).unwrap(), Rows::new(&y).unwrap())).unwrap();
/// let (row, label) = ds.get(1).unwrap();
/// assert_eq!((row.to_vec(), label.scalar()), (vec![3.0, 4.0], 1));
/// ```
#[derive(Clone, Debug)]
pub struct TensorDataset<C> {
    columns: C,
    len: usize,
}

impl<C: TensorColumns> TensorDataset<C> {
    /// The dataset of `columns`; `Err` if their first dims differ.
    pub fn new(columns: C) -> Result<Self> {
        let len = columns.num_rows()?;
        Ok(TensorDataset { columns, len })
    }
}

impl<C: TensorColumns> Dataset for TensorDataset<C> {
    type Item = C::Row;
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, index: usize) -> Result<C::Row> {
        check_index("TensorDataset::get", index, self.len)?;
        self.columns.row(index)
    }
}

/// A dataset read as a stream, like PyTorch's `IterableDataset`: every call to
/// [`iter`](IterableDataset::iter) starts a new pass.
pub trait IterableDataset: Send + Sync {
    /// One sample.
    type Item: Send;
    /// The stream of one pass.
    type Iter: Iterator<Item = Result<Self::Item>> + Send;
    /// A pass over the data in `ctx` (its epoch and seed may shape the stream).
    fn iter(&self, ctx: FetchContext) -> Self::Iter;
}

/// A closure that starts a stream, as an [`IterableDataset`].
///
/// ```
/// use gf_data::{FetchContext, IterableDataset, IterFn};
/// let evens = IterFn(|_ctx: FetchContext| (0..5).map(|x| Ok(2 * x)));
/// let pass: Vec<i32> = evens.iter(FetchContext::default()).map(|x| x.unwrap()).collect();
/// assert_eq!(pass, [0, 2, 4, 6, 8]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct IterFn<F>(pub F);

impl<F, I, T> IterableDataset for IterFn<F>
where
    F: Fn(FetchContext) -> I + Send + Sync,
    I: Iterator<Item = Result<T>> + Send,
    T: Send,
{
    type Item = T;
    type Iter = I;
    fn iter(&self, ctx: FetchContext) -> I {
        (self.0)(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::FnTransform;

    #[test]
    fn adapters_compose() {
        let base: Vec<i32> = (0..10).collect();
        let evens = base.clone().filter(|x| x % 2 == 0).unwrap();
        assert_eq!(evens.indices(), &[0, 2, 4, 6, 8]);
        let doubled = evens.map(|x| Ok(x * 2));
        assert_eq!(doubled.get(4).unwrap(), 16);
        let both = doubled.concat(base.subset(vec![9, 1]).unwrap().map(Ok));
        let all: Vec<i32> = (0..both.len()).map(|i| both.get(i).unwrap()).collect();
        assert_eq!(all, [0, 4, 8, 12, 16, 9, 1]);
        assert!(both.get(7).is_err());
    }

    #[test]
    fn random_split_partitions_and_repeats_by_seed() {
        let parts =
            random_split_fractions((0..103).collect::<Vec<usize>>(), &[0.8, 0.2], 1).unwrap();
        assert_eq!((parts[0].len(), parts[1].len()), (83, 20));
        let mut seen: Vec<usize> = parts.iter().flat_map(|p| p.indices().to_vec()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..103).collect::<Vec<_>>());
        let again = random_split((0..103).collect::<Vec<usize>>(), &[83, 20], 1).unwrap();
        assert_eq!(again[1].indices(), parts[1].indices());
        assert!(random_split(vec![1, 2, 3], &[1, 1], 0).is_err());
        assert!(random_split_fractions(vec![1, 2, 3], &[0.5, 0.6], 0).is_err());
    }

    #[test]
    fn transformed_samples_are_keyed_by_index_and_epoch() {
        let noisy =
            (0..4u64)
                .collect::<Vec<_>>()
                .transform(FnTransform(|x: u64, rng: &mut Xoshiro256| {
                    Ok(x * 1000 + rng.below(1000))
                }));
        let at = |i, epoch| noisy.fetch(i, FetchContext { seed: 9, epoch }).unwrap();
        assert_eq!(at(2, 0), at(2, 0));
        assert_ne!(at(2, 0), at(2, 1));
        assert_eq!(at(2, 0) / 1000, 2);
    }

    #[test]
    fn tensor_dataset_rows_and_mismatch() {
        let dev = Cpu::default();
        let x: Tensor<(usize, gf_core::shape::Const<2>), f32, Cpu> = dev
            .try_tensor_from_vec(vec![1., 2., 3., 4.], (2, Default::default()))
            .unwrap();
        let y: Tensor<(usize,), usize, Cpu> = dev.try_tensor_from_vec(vec![7, 8, 9], (3,)).unwrap();
        let err = TensorDataset::new((Rows::new(&x).unwrap(), Rows::new(&y).unwrap()));
        assert!(err.unwrap_err().to_string().contains("[2, 3]"));
        let ds = TensorDataset::new(Rows::new(&x).unwrap()).unwrap();
        assert_eq!(ds.get(1).unwrap().to_vec(), [3.0, 4.0]);
        assert!(ds.get(2).is_err());
    }
}
