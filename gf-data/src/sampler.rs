//! Samplers choose which samples an epoch reads and in what order; batch samplers group them into
//! batches. Every sampler is a pure function of the dataset length and the epoch, so any worker
//! count sees the same batches.

use gf_core::rng::Xoshiro256;

use crate::error::{Error, Result};

/// The order of the sample indices in one epoch.
pub trait Sampler: Send + Sync {
    /// The indices of epoch `epoch` over a dataset of `len` samples.
    fn indices(&self, len: usize, epoch: u64) -> Result<Vec<usize>>;
    /// How many indices an epoch has.
    fn num_samples(&self, len: usize) -> usize;
}

/// A shared sampler is a sampler, so a loader can hold one chosen at run time.
impl<S: Sampler + ?Sized> Sampler for std::sync::Arc<S> {
    fn indices(&self, len: usize, epoch: u64) -> Result<Vec<usize>> {
        (**self).indices(len, epoch)
    }
    fn num_samples(&self, len: usize) -> usize {
        (**self).num_samples(len)
    }
}

/// `0, 1, ..., len - 1`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SequentialSampler;

impl Sampler for SequentialSampler {
    fn indices(&self, len: usize, _epoch: u64) -> Result<Vec<usize>> {
        Ok((0..len).collect())
    }
    fn num_samples(&self, len: usize) -> usize {
        len
    }
}

/// A new random permutation every epoch (or, with replacement, independent draws).
#[derive(Clone, Copy, Debug)]
pub struct RandomSampler {
    seed: u64,
    replacement: bool,
    num_samples: Option<usize>,
}

impl RandomSampler {
    /// Permutations seeded by `seed`, one per epoch.
    pub fn new(seed: u64) -> Self {
        RandomSampler {
            seed,
            replacement: false,
            num_samples: None,
        }
    }

    /// Draws `num_samples` indices with replacement instead of permuting.
    pub fn with_replacement(mut self, num_samples: usize) -> Self {
        self.replacement = true;
        self.num_samples = Some(num_samples);
        self
    }
}

impl Sampler for RandomSampler {
    fn indices(&self, len: usize, epoch: u64) -> Result<Vec<usize>> {
        let mut rng = Xoshiro256::for_keys(self.seed, &[epoch]);
        if self.replacement {
            if len == 0 {
                return Err(Error::argument(
                    "RandomSampler",
                    "cannot draw with replacement from an empty dataset",
                ));
            }
            let n = self.num_samples(len);
            Ok((0..n).map(|_| rng.below(len as u64) as usize).collect())
        } else {
            Ok(rng.permutation(len))
        }
    }
    fn num_samples(&self, len: usize) -> usize {
        self.num_samples.unwrap_or(len)
    }
}

/// The given indices, in a new random order every epoch (PyTorch's `SubsetRandomSampler`).
#[derive(Clone, Debug)]
pub struct SubsetRandomSampler {
    indices: Vec<usize>,
    seed: u64,
}

impl SubsetRandomSampler {
    /// Shuffles `indices` every epoch, seeded by `seed`.
    pub fn new(indices: Vec<usize>, seed: u64) -> Self {
        SubsetRandomSampler { indices, seed }
    }
}

impl Sampler for SubsetRandomSampler {
    fn indices(&self, len: usize, epoch: u64) -> Result<Vec<usize>> {
        if let Some(&bad) = self.indices.iter().find(|&&i| i >= len) {
            return Err(Error::argument(
                "SubsetRandomSampler",
                format!("index {bad} is out of range for a dataset of {len} samples"),
            ));
        }
        let mut out = self.indices.clone();
        Xoshiro256::for_keys(self.seed, &[epoch]).shuffle(&mut out);
        Ok(out)
    }
    fn num_samples(&self, _len: usize) -> usize {
        self.indices.len()
    }
}

/// Draws index `i` with probability proportional to `weights[i]` (PyTorch's
/// `WeightedRandomSampler`), for rebalancing classes.
#[derive(Clone, Debug)]
pub struct WeightedRandomSampler {
    cumulative: Vec<f64>,
    num_samples: usize,
    replacement: bool,
    seed: u64,
}

impl WeightedRandomSampler {
    /// `num_samples` draws per epoch by `weights`, which must be finite, non-negative and not
    /// all zero. Without replacement, `num_samples` can be at most the number of non-zero weights.
    pub fn new(weights: &[f64], num_samples: usize, replacement: bool, seed: u64) -> Result<Self> {
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::argument(
                "WeightedRandomSampler",
                "weights must be finite and non-negative",
            ));
        }
        let positive = weights.iter().filter(|&&w| w > 0.0).count();
        if positive == 0 || (!replacement && num_samples > positive) {
            return Err(Error::argument(
                "WeightedRandomSampler",
                format!(
                    "cannot draw {num_samples} samples from {positive} non-zero weights{}",
                    if replacement {
                        ""
                    } else {
                        " without replacement"
                    }
                ),
            ));
        }
        let mut total = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Ok(WeightedRandomSampler {
            cumulative,
            num_samples,
            replacement,
            seed,
        })
    }

    fn draw(cumulative: &[f64], rng: &mut Xoshiro256) -> usize {
        let total = *cumulative.last().unwrap_or(&0.0);
        let u = rng.next_f64() * total;
        cumulative
            .partition_point(|&c| c <= u)
            .min(cumulative.len() - 1)
    }
}

impl Sampler for WeightedRandomSampler {
    fn indices(&self, len: usize, epoch: u64) -> Result<Vec<usize>> {
        if self.cumulative.len() != len {
            return Err(Error::argument(
                "WeightedRandomSampler",
                format!(
                    "{} weights for a dataset of {len} samples",
                    self.cumulative.len()
                ),
            ));
        }
        let mut rng = Xoshiro256::for_keys(self.seed, &[epoch]);
        if self.replacement {
            return Ok((0..self.num_samples)
                .map(|_| Self::draw(&self.cumulative, &mut rng))
                .collect());
        }
        // Without replacement: draw, then zero the drawn weight and rebuild the sums.
        let mut weights: Vec<f64> = self
            .cumulative
            .iter()
            .scan(0.0, |prev, &c| {
                let w = c - *prev;
                *prev = c;
                Some(w)
            })
            .collect();
        let mut out = Vec::with_capacity(self.num_samples);
        for _ in 0..self.num_samples {
            let mut total = 0.0;
            let cumulative: Vec<f64> = weights
                .iter()
                .map(|w| {
                    total += w;
                    total
                })
                .collect();
            let i = Self::draw(&cumulative, &mut rng);
            weights[i] = 0.0;
            out.push(i);
        }
        Ok(out)
    }
    fn num_samples(&self, _len: usize) -> usize {
        self.num_samples
    }
}

/// The batches of one epoch, as lists of sample indices.
pub trait BatchSampler: Send + Sync {
    /// The batches of epoch `epoch` over a dataset of `len` samples.
    fn batches(&self, len: usize, epoch: u64) -> Result<Vec<Vec<usize>>>;
    /// How many batches an epoch has.
    fn num_batches(&self, len: usize) -> usize;
}

/// Groups a [`Sampler`]'s indices into batches of `batch_size`, keeping or dropping a short last
/// batch (PyTorch's `BatchSampler`).
pub struct Batched<S> {
    sampler: S,
    batch_size: usize,
    drop_last: bool,
}

impl<S: Sampler> Batched<S> {
    /// Batches of `batch_size` (> 0) from `sampler`.
    pub fn new(sampler: S, batch_size: usize, drop_last: bool) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::argument("BatchSampler", "batch_size must be > 0"));
        }
        Ok(Batched {
            sampler,
            batch_size,
            drop_last,
        })
    }
}

impl<S: Sampler> BatchSampler for Batched<S> {
    fn batches(&self, len: usize, epoch: u64) -> Result<Vec<Vec<usize>>> {
        let indices = self.sampler.indices(len, epoch)?;
        let mut out: Vec<Vec<usize>> = indices
            .chunks(self.batch_size)
            .map(<[usize]>::to_vec)
            .collect();
        if self.drop_last && out.last().is_some_and(|b| b.len() < self.batch_size) {
            out.pop();
        }
        Ok(out)
    }
    fn num_batches(&self, len: usize) -> usize {
        let n = self.sampler.num_samples(len);
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }
}

/// Any fixed list of batches is a batch sampler (the same every epoch).
impl BatchSampler for Vec<Vec<usize>> {
    fn batches(&self, _len: usize, _epoch: u64) -> Result<Vec<Vec<usize>>> {
        Ok(self.clone())
    }
    fn num_batches(&self, _len: usize) -> usize {
        self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_sampler_permutes_anew_each_epoch() {
        let s = RandomSampler::new(3);
        let a = s.indices(50, 0).unwrap();
        let b = s.indices(50, 1).unwrap();
        assert_ne!(a, b);
        assert_eq!(a, s.indices(50, 0).unwrap());
        let mut sorted = b.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        let drawn = RandomSampler::new(3)
            .with_replacement(200)
            .indices(5, 0)
            .unwrap();
        assert_eq!(drawn.len(), 200);
        assert!(drawn.iter().all(|&i| i < 5));
    }

    #[test]
    fn weighted_sampler_follows_the_weights() {
        let s = WeightedRandomSampler::new(&[1.0, 0.0, 3.0], 4000, true, 0).unwrap();
        let idx = s.indices(3, 0).unwrap();
        let count = |k| idx.iter().filter(|&&i| i == k).count();
        assert_eq!(count(1), 0);
        assert!((2800..3200).contains(&count(2)), "{}", count(2));
        let unique = WeightedRandomSampler::new(&[1.0, 5.0, 1.0, 0.0], 3, false, 1).unwrap();
        let mut got = unique.indices(4, 0).unwrap();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2]);
        assert!(WeightedRandomSampler::new(&[1.0, 0.0], 2, false, 0).is_err());
        assert!(WeightedRandomSampler::new(&[-1.0], 1, true, 0).is_err());
    }

    #[test]
    fn batching_keeps_or_drops_the_tail() {
        let keep = Batched::new(SequentialSampler, 4, false).unwrap();
        assert_eq!(keep.batches(10, 0).unwrap().last().unwrap(), &[8, 9]);
        assert_eq!(keep.num_batches(10), 3);
        let drop = Batched::new(SequentialSampler, 4, true).unwrap();
        assert_eq!(drop.batches(10, 0).unwrap().len(), 2);
        assert_eq!(drop.num_batches(10), 2);
        assert!(Batched::new(SequentialSampler, 0, false).is_err());
        let subset = SubsetRandomSampler::new(vec![1, 3, 5], 0);
        let mut got = subset.indices(6, 2).unwrap();
        got.sort_unstable();
        assert_eq!(got, [1, 3, 5]);
        assert!(subset.indices(4, 0).is_err());
    }
}
