//! Train / test splits: [`train_test_split`] and its options, [`TrainTestSplit`].
//!
//! The sizes follow scikit-learn exactly: a fractional `test_size` gives
//! `n_test = ceil(test_size * n)`, a fractional `train_size` gives `n_train = floor(train_size *
//! n)`, the unset one takes the rest, and with neither set `test_size = 0.25`. A stratified
//! split puts the same number of samples of each class in each part as scikit-learn's
//! `StratifiedShuffleSplit` (its `_approximate_mode` allocation); only the choice among classes
//! tied for a leftover sample, and the order of the samples, come from GhostFlow's seeded
//! generator instead of numpy's.

use std::collections::BTreeMap;
use std::fmt::Debug;

use gf_core::ops::create::TensorCreate;
use gf_core::rng::Xoshiro256;
use gf_core::shape::Shape;
use gf_core::{Cpu, Tensor, Unit};

use crate::error::{Error, Result};

/// The size of a part of a split: a fraction of the samples or a number of them, as
/// scikit-learn's float or int `test_size` / `train_size`. `0.2.into()` and `30usize.into()`
/// convert.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SplitSize {
    /// A fraction in `(0, 1)` of the samples.
    Fraction(f64),
    /// A number of samples in `1..n`.
    Count(usize),
}

impl From<f64> for SplitSize {
    fn from(fraction: f64) -> Self {
        SplitSize::Fraction(fraction)
    }
}

impl From<usize> for SplitSize {
    fn from(count: usize) -> Self {
        SplitSize::Count(count)
    }
}

/// How to split samples into a training and a test part: scikit-learn's `train_test_split`
/// parameters. Defaults: `test_size = 0.25` when neither size is set, `shuffle = true`,
/// `seed = 0` (splits are reproducible unless you change the seed), no stratification.
///
/// ```
/// use gf_learn::model_selection::TrainTestSplit;
///
/// let labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
/// let split = TrainTestSplit::new().test_size(0.3).seed(7).stratify(&labels);
/// let (train, test) = split.indices(10).unwrap();
/// assert_eq!((train.len(), test.len()), (7, 3));
/// // The classes keep their 60/40 proportion in the test part: 2 zeros and 1 one.
/// assert_eq!(test.iter().filter(|&&i| labels[i] == 1).count(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct TrainTestSplit {
    test_size: Option<SplitSize>,
    train_size: Option<SplitSize>,
    shuffle: bool,
    seed: u64,
    stratify: Option<Stratify>,
}

/// Labels encoded as codes of their sorted distinct values.
#[derive(Clone, Debug)]
struct Stratify {
    codes: Vec<usize>,
    names: Vec<String>,
}

impl Default for TrainTestSplit {
    fn default() -> Self {
        Self::new()
    }
}

impl TrainTestSplit {
    /// scikit-learn's defaults (a 75 / 25 shuffled split), with seed 0.
    pub fn new() -> Self {
        TrainTestSplit {
            test_size: None,
            train_size: None,
            shuffle: true,
            seed: 0,
            stratify: None,
        }
    }

    /// The size of the test part: a fraction (`0.2`) or a count (`30usize`).
    pub fn test_size(mut self, size: impl Into<SplitSize>) -> Self {
        self.test_size = Some(size.into());
        self
    }

    /// The size of the training part: a fraction or a count (default: what the test part
    /// leaves).
    pub fn train_size(mut self, size: impl Into<SplitSize>) -> Self {
        self.train_size = Some(size.into());
        self
    }

    /// Whether to shuffle before splitting (default `true`). Without it the training part is
    /// the first samples and the test part the next ones.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The seed of the shuffle (scikit-learn's `random_state`; default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Splits so that each part has the classes of `labels` (one per sample) in the same
    /// proportions, as scikit-learn's `stratify=labels` does. Needs `shuffle = true`.
    pub fn stratify<L: Ord + Debug>(mut self, labels: &[L]) -> Self {
        let classes: BTreeMap<&L, usize> = labels.iter().map(|l| (l, 0)).collect();
        let classes: BTreeMap<&L, usize> = classes
            .into_keys()
            .enumerate()
            .map(|(i, l)| (l, i))
            .collect();
        let codes = labels.iter().map(|l| classes[l]).collect();
        let names = classes.keys().map(|l| format!("{l:?}")).collect();
        self.stratify = Some(Stratify { codes, names });
        self
    }

    /// The sizes `(n_train, n_test)` of a split of `n` samples, with scikit-learn's rounding and
    /// checks.
    pub fn sizes(&self, n: usize) -> Result<(usize, usize)> {
        const OP: &str = "train_test_split";
        let test_size = match (self.test_size, self.train_size) {
            (None, None) => Some(SplitSize::Fraction(0.25)),
            (t, _) => t,
        };
        for (name, size) in [("test_size", test_size), ("train_size", self.train_size)] {
            let valid = match size {
                None => true,
                Some(SplitSize::Fraction(f)) => f > 0.0 && f < 1.0,
                Some(SplitSize::Count(c)) => c > 0 && c < n,
            };
            if !valid {
                return Err(Error::input(
                    OP,
                    format!(
                        "{name}={} should be either positive and smaller than the number of samples {n} or a float in the (0, 1) range",
                        show(size)
                    ),
                ));
            }
        }
        if let (Some(SplitSize::Fraction(a)), Some(SplitSize::Fraction(b))) =
            (test_size, self.train_size)
        {
            if a + b > 1.0 {
                return Err(Error::input(
                    OP,
                    format!("the sum of test_size and train_size = {}, should be in the (0, 1) range; reduce test_size and/or train_size", a + b),
                ));
            }
        }
        let count = |size: Option<SplitSize>, round: fn(f64) -> f64| match size {
            Some(SplitSize::Fraction(f)) => Some(round(f * n as f64) as usize),
            Some(SplitSize::Count(c)) => Some(c),
            None => None,
        };
        let n_test = count(test_size, f64::ceil);
        let n_train = count(self.train_size, f64::floor);
        let (n_train, n_test) = match (n_train, n_test) {
            (Some(a), Some(b)) => (a, b),
            (None, Some(b)) => (n.saturating_sub(b), b),
            (Some(a), None) => (a, n.saturating_sub(a)),
            (None, None) => (n, 0),
        };
        if n_train + n_test > n {
            return Err(Error::input(
                OP,
                format!("the sum of train_size and test_size = {}, should be smaller than the number of samples {n}; reduce test_size and/or train_size", n_train + n_test),
            ));
        }
        if n_train == 0 {
            return Err(Error::input(
                OP,
                format!(
                    "with n_samples={n}, test_size={} and train_size={}, the resulting train set will be empty",
                    show(test_size),
                    show(self.train_size)
                ),
            ));
        }
        Ok((n_train, n_test))
    }

    /// The indices `(train, test)` of a split of `n` samples (stratified if
    /// [`stratify`](Self::stratify) was set, whose labels must then number `n`).
    pub fn indices(&self, n: usize) -> Result<(Vec<usize>, Vec<usize>)> {
        let (n_train, n_test) = self.sizes(n)?;
        let mut rng = Xoshiro256::new(self.seed);
        if let Some(strat) = &self.stratify {
            return stratified(strat, n, n_train, n_test, self.shuffle, &mut rng);
        }
        if !self.shuffle {
            return Ok((
                (0..n_train).collect(),
                (n_train..n_train + n_test).collect(),
            ));
        }
        let perm = rng.permutation(n);
        let test = perm[..n_test].to_vec();
        let train = perm[n_test..n_test + n_train].to_vec();
        Ok((train, test))
    }

    /// Splits the rows (first axis) of `x` into `(train, test)`.
    #[allow(clippy::type_complexity)]
    pub fn split<S: Shape, E: Unit>(
        &self,
        x: &Tensor<S, E, Cpu>,
    ) -> Result<(Tensor<S, E, Cpu>, Tensor<S, E, Cpu>)> {
        let n = leading_dim(x)?;
        let (train, test) = self.indices(n)?;
        Ok((split_rows(x, &train)?, split_rows(x, &test)?))
    }
}

fn show(size: Option<SplitSize>) -> String {
    match size {
        None => "None".to_string(),
        Some(SplitSize::Fraction(f)) => f.to_string(),
        Some(SplitSize::Count(c)) => c.to_string(),
    }
}

fn leading_dim<S: Shape, E: Unit>(x: &Tensor<S, E, Cpu>) -> Result<usize> {
    x.dims()
        .as_ref()
        .first()
        .copied()
        .ok_or_else(|| Error::input("train_test_split", "a scalar tensor has no rows to split"))
}

/// The rows of `x` at `indices`, in that order: a tensor of the same shape type. `Err` if an
/// index is out of range, or if the first dim is a `Const` of another size.
pub fn split_rows<S: Shape, E: Unit>(
    x: &Tensor<S, E, Cpu>,
    indices: &[usize],
) -> Result<Tensor<S, E, Cpu>> {
    const OP: &str = "split_rows";
    let mut dims = x.dims().as_ref().to_vec();
    let n = *dims
        .first()
        .ok_or_else(|| Error::input(OP, "a scalar tensor has no rows to split"))?;
    if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
        return Err(Error::input(
            OP,
            format!("row {bad} is out of range for a tensor of {n} rows"),
        ));
    }
    let row_len: usize = dims[1..].iter().product();
    let data = x.to_vec();
    let mut out = Vec::with_capacity(indices.len() * row_len);
    for &i in indices {
        out.extend_from_slice(&data[i * row_len..(i + 1) * row_len]);
    }
    dims[0] = indices.len();
    let shape = S::from_concrete(&dims).ok_or_else(|| {
        Error::input(
            OP,
            format!(
                "{} rows do not fit the shape type {}; give the tensor a run-time (usize) first dim",
                indices.len(),
                core::any::type_name::<S>()
            ),
        )
    })?;
    Ok(Cpu::default().try_tensor_from_vec(out, shape)?)
}

/// Splits features and targets together, scikit-learn's `train_test_split(X, y, ...)`:
/// returns `(x_train, x_test, y_train, y_test)`. `x` and `y` must have the same number of rows
/// (first dim); both keep their shape types.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::model_selection::{train_test_split, TrainTestSplit};
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, Const<2>), f32, Cpu> = dev.tensor_from_vec(vec![0.0; 20], (10, Const));
/// let y: Tensor<(usize,), usize, Cpu> = dev.tensor_from_vec((0..10).collect(), (10,));
/// let (x_train, x_test, y_train, y_test) =
///     train_test_split(&x, &y, &TrainTestSplit::new().test_size(0.2).seed(42)).unwrap();
/// assert_eq!((x_train.dims(), x_test.dims()), ([8, 2], [2, 2]));
/// assert_eq!((y_train.dims(), y_test.dims()), ([8], [2]));
/// ```
#[allow(clippy::type_complexity)]
pub fn train_test_split<S1: Shape, E1: Unit, S2: Shape, E2: Unit>(
    x: &Tensor<S1, E1, Cpu>,
    y: &Tensor<S2, E2, Cpu>,
    options: &TrainTestSplit,
) -> Result<(
    Tensor<S1, E1, Cpu>,
    Tensor<S1, E1, Cpu>,
    Tensor<S2, E2, Cpu>,
    Tensor<S2, E2, Cpu>,
)> {
    let n = leading_dim(x)?;
    let ny = leading_dim(y)?;
    if n != ny {
        return Err(Error::input(
            "train_test_split",
            format!("found input variables with inconsistent numbers of samples: [{n}, {ny}]"),
        ));
    }
    let (train, test) = options.indices(n)?;
    Ok((
        split_rows(x, &train)?,
        split_rows(x, &test)?,
        split_rows(y, &train)?,
        split_rows(y, &test)?,
    ))
}

/// scikit-learn's `_approximate_mode`: the most likely per-class counts of `n_draws` samples
/// drawn without replacement from classes of `class_counts` samples. Classes tied for the last
/// leftover draws are chosen at random: `shuffle` puts the tied class indices in a random order
/// and the first of them get the draws (scikit-learn's `rng.choice(inds, add_now,
/// replace=False)`), so each caller brings its own generator.
pub(crate) fn approximate_mode(
    class_counts: &[usize],
    n_draws: usize,
    mut shuffle: impl FnMut(&mut Vec<usize>),
) -> Vec<usize> {
    let total: usize = class_counts.iter().sum();
    // The same floating-point expression as numpy's `class_counts / class_counts.sum() *
    // n_draws`, so the remainders (and their ties) are the same.
    let continuous: Vec<f64> = class_counts
        .iter()
        .map(|&c| c as f64 / total as f64 * n_draws as f64)
        .collect();
    let mut floored: Vec<usize> = continuous.iter().map(|c| c.floor() as usize).collect();
    let mut need = n_draws.saturating_sub(floored.iter().sum());
    if need > 0 {
        let remainder: Vec<f64> = continuous
            .iter()
            .zip(&floored)
            .map(|(c, &f)| c - f as f64)
            .collect();
        let mut values = remainder.clone();
        values.sort_by(|a, b| b.total_cmp(a));
        values.dedup();
        for value in values {
            let mut inds: Vec<usize> = (0..remainder.len())
                .filter(|&i| remainder[i] == value)
                .collect();
            let add_now = inds.len().min(need);
            shuffle(&mut inds);
            for &i in &inds[..add_now] {
                floored[i] += 1;
            }
            need -= add_now;
            if need == 0 {
                break;
            }
        }
    }
    floored
}

/// scikit-learn's `StratifiedShuffleSplit` (one split) with its checks.
fn stratified(
    strat: &Stratify,
    n: usize,
    n_train: usize,
    n_test: usize,
    shuffle: bool,
    rng: &mut Xoshiro256,
) -> Result<(Vec<usize>, Vec<usize>)> {
    const OP: &str = "train_test_split";
    if !shuffle {
        return Err(Error::input(
            OP,
            "stratified train/test split is not implemented for shuffle=false",
        ));
    }
    if strat.codes.len() != n {
        return Err(Error::input(
            OP,
            format!(
                "found input variables with inconsistent numbers of samples: [{n}, {}] (the stratify labels)",
                strat.codes.len()
            ),
        ));
    }
    let n_classes = strat.names.len();
    let mut class_indices: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in strat.codes.iter().enumerate() {
        class_indices[c].push(i);
    }
    let counts: Vec<usize> = class_indices.iter().map(Vec::len).collect();
    let too_few: Vec<&str> = counts
        .iter()
        .zip(&strat.names)
        .filter(|(&c, _)| c < 2)
        .map(|(_, name)| name.as_str())
        .collect();
    if !too_few.is_empty() {
        return Err(Error::input(
            OP,
            format!("the least populated classes in y have only 1 member, which is too few; the minimum number of groups for any class cannot be less than 2; classes with too few members are: {too_few:?}"),
        ));
    }
    for (name, size) in [("train_size", n_train), ("test_size", n_test)] {
        if size < n_classes {
            return Err(Error::input(
                OP,
                format!("the {name} = {size} should be greater or equal to the number of classes = {n_classes}"),
            ));
        }
    }
    let n_i = approximate_mode(&counts, n_train, |v| rng.shuffle(v));
    let remaining: Vec<usize> = counts.iter().zip(&n_i).map(|(c, t)| c - t).collect();
    let t_i = approximate_mode(&remaining, n_test, |v| rng.shuffle(v));
    let mut train = Vec::with_capacity(n_train);
    let mut test = Vec::with_capacity(n_test);
    for (k, mut indices) in class_indices.into_iter().enumerate() {
        rng.shuffle(&mut indices);
        train.extend_from_slice(&indices[..n_i[k]]);
        test.extend_from_slice(&indices[n_i[k]..n_i[k] + t_i[k]]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Ok((train, test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_like_sklearn() {
        let s = TrainTestSplit::new();
        assert_eq!(s.sizes(10).unwrap(), (7, 3)); // ceil(2.5) = 3
        assert_eq!(s.clone().train_size(0.55).sizes(10).unwrap(), (5, 5));
        assert_eq!(s.clone().test_size(4usize).sizes(10).unwrap(), (6, 4));
        assert_eq!(
            s.clone().test_size(0.2).train_size(0.5).sizes(10).unwrap(),
            (5, 2)
        );
        assert!(s.clone().test_size(1.0).sizes(10).is_err());
        assert!(s.clone().test_size(10usize).sizes(10).is_err());
        assert!(s.clone().test_size(0.6).train_size(0.6).sizes(10).is_err());
        assert!(s
            .clone()
            .test_size(6usize)
            .train_size(6usize)
            .sizes(10)
            .is_err());
        assert!(s.sizes(1).is_err()); // the training part would be empty
    }

    #[test]
    fn unshuffled_split_is_in_order_and_shuffled_split_is_a_partition() {
        let (train, test) = TrainTestSplit::new().shuffle(false).indices(8).unwrap();
        assert_eq!((train, test), ((0..6).collect(), vec![6, 7]));
        let (mut train, test) = TrainTestSplit::new().seed(3).indices(20).unwrap();
        assert_eq!((train.len(), test.len()), (15, 5));
        train.extend(test);
        train.sort_unstable();
        assert_eq!(train, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn approximate_mode_matches_sklearn_doc_examples() {
        let mut rng = Xoshiro256::new(0);
        assert_eq!(approximate_mode(&[5, 2], 4, |v| rng.shuffle(v)), [3, 1]);
        let tied = approximate_mode(&[2, 2, 2, 1], 2, |v| rng.shuffle(v));
        assert_eq!((tied.iter().sum::<usize>(), tied[3]), (2, 0));
        assert!(tied.iter().all(|&c| c <= 1));
    }

    #[test]
    fn stratified_errors() {
        let one = TrainTestSplit::new().stratify(&[0, 0, 1, 2, 2]);
        assert!(one.indices(5).unwrap_err().to_string().contains("[\"1\"]"));
        let few = TrainTestSplit::new()
            .test_size(1usize)
            .stratify(&[0, 0, 1, 1]);
        assert!(few
            .indices(4)
            .unwrap_err()
            .to_string()
            .contains("test_size = 1"));
        let ordered = TrainTestSplit::new().shuffle(false).stratify(&[0, 0, 1, 1]);
        assert!(ordered.indices(4).is_err());
        assert!(TrainTestSplit::new()
            .stratify(&[0, 0, 1, 1])
            .indices(5)
            .is_err());
    }
}
