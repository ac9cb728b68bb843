//! Seeded generators of synthetic datasets, after scikit-learn's `make_*` functions: the same
//! algorithms, parameter names and defaults. The numbers differ from scikit-learn's (the random
//! generator is [`Xoshiro256`], not numpy's), but a seed fixes them: the same options and seed
//! give the same data on every machine.
//!
//! Each generator is an options struct with scikit-learn's defaults, builder-style setters and
//! a `generate(seed)` method; the `make_*` functions call it.
//!
//! ```
//! use gf_data::datasets::{make_moons, Moons};
//!
//! let (x, y) = Moons::new().n_samples(200).noise(0.1).generate(0).unwrap();
//! assert_eq!(x.dims(), [200, 2]);
//! assert_eq!(y.to_vec().iter().filter(|&&c| c == 1).count(), 100);
//! // The same thing as a function call with an options struct:
//! let (x2, _) = make_moons(&Moons { n_samples: 200.into(), noise: Some(0.1), ..Moons::default() }, 0).unwrap();
//! assert_eq!(x.to_vec(), x2.to_vec());
//! ```

use std::collections::HashSet;

use gf_core::ops::create::TensorCreate;
use gf_core::rng::Xoshiro256;
use gf_core::{Cpu, Tensor};

use crate::error::{Error, Result};

/// Samples in rows, features in columns.
type Matrix = Tensor<(usize, usize), f64, Cpu>;
/// One class index per sample.
type Labels = Tensor<(usize,), usize, Cpu>;
/// One real value per sample (or per feature, for coefficients).
type Vector = Tensor<(usize,), f64, Cpu>;

/// `From` one `$t` (into the variant `$one`) and from a `Vec` or an array of them (into
/// `$list`), for the enums that take one value or a list, as a scikit-learn parameter that is an
/// int/float or an array.
macro_rules! one_or_list_from {
    ($enum:ident, $t:ty, $one:ident, $list:ident) => {
        impl From<$t> for $enum {
            fn from(value: $t) -> Self {
                $enum::$one(value)
            }
        }

        impl From<Vec<$t>> for $enum {
            fn from(values: Vec<$t>) -> Self {
                $enum::$list(values)
            }
        }

        impl<const N: usize> From<[$t; N]> for $enum {
            fn from(values: [$t; N]) -> Self {
                $enum::$list(values.to_vec())
            }
        }
    };
}

/// How many samples: a total split evenly among the groups (clusters, moons, circles), or a
/// count for each group, like scikit-learn's `n_samples` that is an int or an array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Samples {
    /// This many in all, split evenly (the first groups get one more when it does not divide).
    Total(usize),
    /// This many in each group.
    PerGroup(Vec<usize>),
}

one_or_list_from!(Samples, usize, Total, PerGroup);

impl From<(usize, usize)> for Samples {
    /// `(outer, inner)` for moons and circles, as scikit-learn's two-element tuple.
    fn from((a, b): (usize, usize)) -> Self {
        Samples::PerGroup(vec![a, b])
    }
}

/// The centres of [`Blobs`]: how many to draw at random in `center_box`, or where they are.
#[derive(Clone, Debug, PartialEq)]
pub enum Centers {
    /// Draw this many centres uniformly in the `center_box`.
    Count(usize),
    /// These centres, one per row (their length sets the number of features).
    Points(Vec<Vec<f64>>),
}

impl From<usize> for Centers {
    fn from(n: usize) -> Self {
        Centers::Count(n)
    }
}

impl From<Vec<Vec<f64>>> for Centers {
    fn from(points: Vec<Vec<f64>>) -> Self {
        Centers::Points(points)
    }
}

impl<const F: usize> From<Vec<[f64; F]>> for Centers {
    fn from(points: Vec<[f64; F]>) -> Self {
        Centers::Points(points.into_iter().map(|p| p.to_vec()).collect())
    }
}

impl<const F: usize, const K: usize> From<[[f64; F]; K]> for Centers {
    fn from(points: [[f64; F]; K]) -> Self {
        Centers::Points(points.iter().map(|p| p.to_vec()).collect())
    }
}

/// One value for every group (or feature), or one value each, like a scikit-learn parameter
/// that is a float or an array (`cluster_std`, `shift`, `scale`).
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// The same value for all.
    All(f64),
    /// One value each.
    Each(Vec<f64>),
}

impl Values {
    /// The values for `n` items; `Err` when `Each` holds another count.
    fn expand(&self, op: &'static str, what: &str, n: usize) -> Result<Vec<f64>> {
        match self {
            Values::All(v) => Ok(vec![*v; n]),
            Values::Each(vs) if vs.len() == n => Ok(vs.clone()),
            Values::Each(vs) => Err(Error::argument(
                op,
                format!("{what} has {} values for {n} items", vs.len()),
            )),
        }
    }
}

one_or_list_from!(Values, f64, All, Each);

fn ensure(ok: bool, op: &'static str, message: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::argument(op, message()))
    }
}

fn matrix(data: Vec<f64>, rows: usize, cols: usize) -> Result<Matrix> {
    Ok(Cpu::default().try_tensor_from_vec(data, (rows, cols))?)
}

fn labels(y: Vec<usize>) -> Result<Labels> {
    let n = y.len();
    Ok(Cpu::default().try_tensor_from_vec(y, (n,))?)
}

fn vector(v: Vec<f64>) -> Result<Vector> {
    let n = v.len();
    Ok(Cpu::default().try_tensor_from_vec(v, (n,))?)
}

/// Rows of `data` (each `width` long) in the order `perm`.
fn permute_rows<T: Copy>(data: &[T], width: usize, perm: &[usize]) -> Vec<T> {
    perm.iter()
        .flat_map(|&i| data[i * width..(i + 1) * width].iter().copied())
        .collect()
}

/// Columns of `data` (rows `width` long) in the order `perm`: column `j` of the result is
/// column `perm[j]` of `data`.
fn permute_columns(data: &[f64], width: usize, perm: &[usize]) -> Vec<f64> {
    data.chunks(width.max(1))
        .flat_map(|row| perm.iter().map(move |&j| row[j]))
        .collect()
}

fn check_noise(op: &'static str, noise: Option<f64>) -> Result<()> {
    ensure(noise.is_none_or(|s| s >= 0.0 && s.is_finite()), op, || {
        format!("noise must be a finite number >= 0, got {noise:?}")
    })
}

/// Setters that store their argument as it is, each documented "Sets [`field`](Self::field).",
/// for the options structs' `impl` blocks: `plain_setters!(n_features: usize, shuffle: bool);`.
macro_rules! plain_setters {
    ($($field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
            pub fn $field(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }
        )*
    };
}

/// Gaussian blobs around centres, for clustering: scikit-learn's `make_blobs`.
///
/// ```
/// use gf_data::datasets::Blobs;
/// let (x, y, centers) = Blobs::new()
///     .n_samples(90)
///     .centers(vec![[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
///     .cluster_std(0.5)
///     .generate_with_centers(7)
///     .unwrap();
/// assert_eq!((x.dims(), y.dims(), centers.dims()), ([90, 2], [90], [3, 2]));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Blobs {
    /// Samples in all (split evenly over the centres) or per centre. Default 100.
    pub n_samples: Samples,
    /// Features per sample when the centres are drawn at random. Default 2.
    pub n_features: usize,
    /// The centres; `None` (the default) means 3, or one per group of `n_samples`.
    pub centers: Option<Centers>,
    /// The standard deviation of every cluster, or of each. Default 1.0.
    pub cluster_std: Values,
    /// The box random centres are drawn in, per coordinate. Default `(-10.0, 10.0)`.
    pub center_box: (f64, f64),
    /// Whether to shuffle the samples (else they come cluster by cluster). Default true.
    pub shuffle: bool,
}

impl Default for Blobs {
    fn default() -> Self {
        Blobs {
            n_samples: Samples::Total(100),
            n_features: 2,
            centers: None,
            cluster_std: Values::All(1.0),
            center_box: (-10.0, 10.0),
            shuffle: true,
        }
    }
}

impl Blobs {
    /// scikit-learn's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`n_samples`](Self::n_samples): a total, or a `Vec`/array of counts per centre.
    pub fn n_samples(mut self, n_samples: impl Into<Samples>) -> Self {
        self.n_samples = n_samples.into();
        self
    }

    plain_setters!(n_features: usize, shuffle: bool);

    /// Sets [`centers`](Self::centers): a count, or the points themselves.
    pub fn centers(mut self, centers: impl Into<Centers>) -> Self {
        self.centers = Some(centers.into());
        self
    }

    /// Sets [`cluster_std`](Self::cluster_std): one value, or a `Vec`/array with one per centre.
    pub fn cluster_std(mut self, cluster_std: impl Into<Values>) -> Self {
        self.cluster_std = cluster_std.into();
        self
    }

    /// Sets [`center_box`](Self::center_box).
    pub fn center_box(mut self, low: f64, high: f64) -> Self {
        self.center_box = (low, high);
        self
    }

    /// The samples `(n_samples, n_features)` and their cluster indices.
    pub fn generate(&self, seed: u64) -> Result<(Matrix, Labels)> {
        let (x, y, _) = self.generate_with_centers(seed)?;
        Ok((x, y))
    }

    /// The samples, their cluster indices and the centres `(n_centers, n_features)`, as
    /// scikit-learn's `return_centers=True`.
    pub fn generate_with_centers(&self, seed: u64) -> Result<(Matrix, Labels, Matrix)> {
        const OP: &str = "make_blobs";
        let mut rng = Xoshiro256::new(seed);
        let (low, high) = self.center_box;
        ensure(
            low.is_finite() && high.is_finite() && low <= high,
            OP,
            || {
                format!(
                    "center_box must be finite with low <= high, got {:?}",
                    self.center_box
                )
            },
        )?;
        let mut random_centers = |n_centers: usize, n_features: usize| -> Result<Vec<Vec<f64>>> {
            ensure(n_features >= 1, OP, || "n_features must be >= 1".into())?;
            Ok((0..n_centers)
                .map(|_| (0..n_features).map(|_| rng.uniform(low, high)).collect())
                .collect())
        };
        let (centers, per_center) =
            match (&self.n_samples, &self.centers) {
                (Samples::Total(n), centers) => {
                    ensure(*n >= 1, OP, || "n_samples must be >= 1".into())?;
                    let centers = match centers {
                        None => random_centers(3, self.n_features)?,
                        Some(Centers::Count(k)) => {
                            ensure(*k >= 1, OP, || "centers must be >= 1".into())?;
                            random_centers(*k, self.n_features)?
                        }
                        Some(Centers::Points(points)) => points.clone(),
                    };
                    let k = centers.len();
                    let per_center = (0..k).map(|i| n / k + usize::from(i < n % k)).collect();
                    (centers, per_center)
                }
                (Samples::PerGroup(counts), None) => (
                    random_centers(counts.len(), self.n_features)?,
                    counts.clone(),
                ),
                (Samples::PerGroup(_), Some(Centers::Count(_))) => return Err(Error::argument(
                    OP,
                    "with n_samples per centre, centers must be the points (or None), not a count",
                )),
                (Samples::PerGroup(counts), Some(Centers::Points(points))) => {
                    ensure(points.len() == counts.len(), OP, || {
                        format!(
                            "n_samples has {} counts for {} centers",
                            counts.len(),
                            points.len()
                        )
                    })?;
                    (points.clone(), counts.clone())
                }
            };
        let k = centers.len();
        ensure(k >= 1, OP, || "there must be at least one centre".into())?;
        let n_features = centers[0].len();
        ensure(
            n_features >= 1 && centers.iter().all(|c| c.len() == n_features),
            OP,
            || "the centres must all have the same number (>= 1) of coordinates".into(),
        )?;
        let stds = self.cluster_std.expand(OP, "cluster_std", k)?;
        ensure(stds.iter().all(|s| *s >= 0.0 && s.is_finite()), OP, || {
            format!("cluster_std must be finite and >= 0, got {stds:?}")
        })?;

        let n: usize = per_center.iter().sum();
        let mut x = Vec::with_capacity(n * n_features);
        let mut y = Vec::with_capacity(n);
        for (i, (&count, center)) in per_center.iter().zip(&centers).enumerate() {
            for _ in 0..count {
                x.extend(center.iter().map(|&c| c + stds[i] * rng.next_normal()));
                y.push(i);
            }
        }
        if self.shuffle {
            let perm = rng.permutation(n);
            x = permute_rows(&x, n_features, &perm);
            y = permute_rows(&y, 1, &perm);
        }
        let flat_centers = centers.concat();
        Ok((
            matrix(x, n, n_features)?,
            labels(y)?,
            matrix(flat_centers, k, n_features)?,
        ))
    }
}

/// [`Blobs::generate`] with `options`.
pub fn make_blobs(options: &Blobs, seed: u64) -> Result<(Matrix, Labels)> {
    options.generate(seed)
}

/// Splits `n_samples` into `(outer, inner)` as scikit-learn does for moons and circles.
fn two_groups(op: &'static str, n_samples: &Samples) -> Result<(usize, usize)> {
    match n_samples {
        Samples::Total(n) => Ok((n / 2, n - n / 2)),
        Samples::PerGroup(c) if c.len() == 2 => Ok((c[0], c[1])),
        Samples::PerGroup(c) => Err(Error::argument(
            op,
            format!(
                "n_samples must be a total or (outer, inner), got {} counts",
                c.len()
            ),
        )),
    }
}

/// The data of [`Moons`] and [`Circles`]: `n_out` points of group 0 then `n_in` of group 1, point
/// `i` of a group of `n` being `point(group, i, n)`; then shuffled and given `noise` (a standard
/// deviation on every coordinate), in scikit-learn's order.
fn two_groups_data(
    seed: u64,
    (n_out, n_in): (usize, usize),
    point: impl Fn(usize, usize, usize) -> [f64; 2],
    shuffle: bool,
    noise: Option<f64>,
) -> Result<(Matrix, Labels)> {
    let n = n_out + n_in;
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for (group, count) in [n_out, n_in].into_iter().enumerate() {
        for i in 0..count {
            x.extend(point(group, i, count));
            y.push(group);
        }
    }
    let mut rng = Xoshiro256::new(seed);
    if shuffle {
        let perm = rng.permutation(n);
        x = permute_rows(&x, 2, &perm);
        y = permute_rows(&y, 1, &perm);
    }
    if let Some(s) = noise {
        for v in &mut x {
            *v += s * rng.next_normal();
        }
    }
    Ok((matrix(x, n, 2)?, labels(y)?))
}

/// The constructor and setters [`Moons`] and [`Circles`] share, in their `impl` blocks.
macro_rules! two_groups_setters {
    () => {
        /// scikit-learn's defaults.
        pub fn new() -> Self {
            Self::default()
        }

        /// Sets [`n_samples`](Self::n_samples): a total or `(outer, inner)`.
        pub fn n_samples(mut self, n_samples: impl Into<Samples>) -> Self {
            self.n_samples = n_samples.into();
            self
        }

        plain_setters!(shuffle: bool);

        /// Sets [`noise`](Self::noise).
        pub fn noise(mut self, noise: f64) -> Self {
            self.noise = Some(noise);
            self
        }
    };
}

/// Two interleaving half circles in 2-D, for classification and clustering: scikit-learn's
/// `make_moons`. Class 0 is the upper moon (radius 1 around the origin), class 1 the lower one
/// (radius 1 around `(1, 0.5)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Moons {
    /// Samples in all (split in two, the inner moon getting the odd one) or `(outer, inner)`.
    /// Default 100.
    pub n_samples: Samples,
    /// Whether to shuffle the samples. Default true.
    pub shuffle: bool,
    /// The standard deviation of Gaussian noise added to the coordinates; `None` (the
    /// default) adds none.
    pub noise: Option<f64>,
}

impl Default for Moons {
    fn default() -> Self {
        Moons {
            n_samples: Samples::Total(100),
            shuffle: true,
            noise: None,
        }
    }
}

impl Moons {
    two_groups_setters!();

    /// The points `(n_samples, 2)` and their moon, 0 or 1.
    pub fn generate(&self, seed: u64) -> Result<(Matrix, Labels)> {
        const OP: &str = "make_moons";
        let (n_out, n_in) = two_groups(OP, &self.n_samples)?;
        ensure(n_out + n_in >= 1, OP, || "n_samples must be >= 1".into())?;
        check_noise(OP, self.noise)?;
        // numpy's linspace(0, pi, n), endpoint included.
        let angle = |i: usize, n: usize| {
            if n > 1 {
                std::f64::consts::PI * i as f64 / (n - 1) as f64
            } else {
                0.0
            }
        };
        let point = |group: usize, i: usize, n: usize| {
            let t = angle(i, n);
            match group {
                0 => [t.cos(), t.sin()],
                _ => [1.0 - t.cos(), 1.0 - t.sin() - 0.5],
            }
        };
        two_groups_data(seed, (n_out, n_in), point, self.shuffle, self.noise)
    }
}

/// [`Moons::generate`] with `options`.
pub fn make_moons(options: &Moons, seed: u64) -> Result<(Matrix, Labels)> {
    options.generate(seed)
}

/// A large circle (class 0, radius 1) around a small one (class 1, radius `factor`) in 2-D:
/// scikit-learn's `make_circles`.
#[derive(Clone, Debug, PartialEq)]
pub struct Circles {
    /// Samples in all (split in two, the inner circle getting the odd one) or `(outer, inner)`.
    /// Default 100.
    pub n_samples: Samples,
    /// Whether to shuffle the samples. Default true.
    pub shuffle: bool,
    /// The standard deviation of Gaussian noise added to the coordinates; `None` (the
    /// default) adds none.
    pub noise: Option<f64>,
    /// The inner circle's radius relative to the outer one's, in `[0, 1)`. Default 0.8.
    pub factor: f64,
}

impl Default for Circles {
    fn default() -> Self {
        Circles {
            n_samples: Samples::Total(100),
            shuffle: true,
            noise: None,
            factor: 0.8,
        }
    }
}

impl Circles {
    two_groups_setters!();

    plain_setters!(factor: f64);

    /// The points `(n_samples, 2)` and their circle, 0 (outer) or 1 (inner).
    pub fn generate(&self, seed: u64) -> Result<(Matrix, Labels)> {
        const OP: &str = "make_circles";
        let (n_out, n_in) = two_groups(OP, &self.n_samples)?;
        check_noise(OP, self.noise)?;
        ensure((0.0..1.0).contains(&self.factor), OP, || {
            format!("factor must be in [0, 1), got {}", self.factor)
        })?;
        // numpy's linspace(0, 2 pi, n, endpoint=False), so the first point is not repeated.
        let angle = |i: usize, n: usize| 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        let point = |group: usize, i: usize, n: usize| {
            let t = angle(i, n);
            let radius = if group == 0 { 1.0 } else { self.factor };
            [t.cos() * radius, t.sin() * radius]
        };
        two_groups_data(seed, (n_out, n_in), point, self.shuffle, self.noise)
    }
}

/// [`Circles::generate`] with `options`.
pub fn make_circles(options: &Circles, seed: u64) -> Result<(Matrix, Labels)> {
    options.generate(seed)
}

/// A random linear regression problem: scikit-learn's `make_regression` (without
/// `effective_rank`: the inputs are always standard normal). The targets are `X · coef + bias`
/// plus Gaussian noise, and only `n_informative` coefficients are non-zero (uniform in
/// `[0, 100)`).
///
/// ```
/// use gf_data::datasets::Regression;
/// let (x, y, coef) = Regression::new().n_samples(50).n_features(5).n_informative(2).generate(3).unwrap();
/// assert_eq!((x.dims(), y.dims(), coef.dims()), ([50, 5], [50], [5]));
/// assert_eq!(coef.to_vec().iter().filter(|&&c| c != 0.0).count(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Regression {
    /// The number of samples. Default 100.
    pub n_samples: usize,
    /// The number of features. Default 100.
    pub n_features: usize,
    /// How many features the targets depend on (at most `n_features`). Default 10.
    pub n_informative: usize,
    /// The number of targets per sample. Default 1.
    pub n_targets: usize,
    /// Added to every target. Default 0.
    pub bias: f64,
    /// The standard deviation of Gaussian noise added to the targets. Default 0.
    pub noise: f64,
    /// Whether to shuffle the samples and the features (else the informative features come
    /// first). Default true.
    pub shuffle: bool,
}

impl Default for Regression {
    fn default() -> Self {
        Regression {
            n_samples: 100,
            n_features: 100,
            n_informative: 10,
            n_targets: 1,
            bias: 0.0,
            noise: 0.0,
            shuffle: true,
        }
    }
}

impl Regression {
    /// scikit-learn's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    plain_setters! {
        n_samples: usize,
        n_features: usize,
        n_informative: usize,
        bias: f64,
        noise: f64,
        shuffle: bool,
    }

    /// Sets [`n_targets`](Self::n_targets); use [`generate_multi`](Self::generate_multi) when
    /// it is not 1.
    pub fn n_targets(mut self, n_targets: usize) -> Self {
        self.n_targets = n_targets;
        self
    }

    /// `(X, y, coef)` for one target: `X` is `(n_samples, n_features)`, `y` is `(n_samples,)`
    /// and `coef` is `(n_features,)`, what scikit-learn returns with `coef=True`. `Err` when
    /// `n_targets` is not 1.
    pub fn generate(&self, seed: u64) -> Result<(Matrix, Vector, Vector)> {
        ensure(self.n_targets == 1, "make_regression", || {
            format!(
                "generate returns one target, n_targets is {}: use generate_multi",
                self.n_targets
            )
        })?;
        let (x, y, coef) = self.raw(seed)?;
        Ok((
            matrix(x, self.n_samples, self.n_features)?,
            vector(y)?,
            vector(coef)?,
        ))
    }

    /// `(X, Y, coef)` for any number of targets: `Y` is `(n_samples, n_targets)` and `coef`
    /// `(n_features, n_targets)`. With one target the numbers are those of
    /// [`generate`](Self::generate).
    pub fn generate_multi(&self, seed: u64) -> Result<(Matrix, Matrix, Matrix)> {
        let (x, y, coef) = self.raw(seed)?;
        Ok((
            matrix(x, self.n_samples, self.n_features)?,
            matrix(y, self.n_samples, self.n_targets)?,
            matrix(coef, self.n_features, self.n_targets)?,
        ))
    }

    fn raw(&self, seed: u64) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        const OP: &str = "make_regression";
        let (n, f, t) = (self.n_samples, self.n_features, self.n_targets);
        ensure(n >= 1 && f >= 1 && t >= 1, OP, || {
            format!("n_samples, n_features and n_targets must be >= 1, got {n}, {f}, {t}")
        })?;
        ensure(self.noise >= 0.0 && self.noise.is_finite(), OP, || {
            format!("noise must be a finite number >= 0, got {}", self.noise)
        })?;
        let informative = self.n_informative.min(f);
        let mut rng = Xoshiro256::new(seed);
        let mut x: Vec<f64> = (0..n * f).map(|_| rng.next_normal()).collect();
        let mut coef = vec![0.0; f * t];
        for c in coef.iter_mut().take(informative * t) {
            *c = 100.0 * rng.next_f64();
        }
        let mut y = vec![self.bias; n * t];
        for i in 0..n {
            for k in 0..t {
                y[i * t + k] += (0..informative)
                    .map(|j| x[i * f + j] * coef[j * t + k])
                    .sum::<f64>();
            }
        }
        if self.noise > 0.0 {
            for v in &mut y {
                *v += self.noise * rng.next_normal();
            }
        }
        if self.shuffle {
            let rows = rng.permutation(n);
            x = permute_rows(&x, f, &rows);
            y = permute_rows(&y, t, &rows);
            let cols = rng.permutation(f);
            x = permute_columns(&x, f, &cols);
            coef = permute_rows(&coef, t, &cols);
        }
        Ok((x, y, coef))
    }
}

/// [`Regression::generate`] with `options`: `(X, y, coef)`.
pub fn make_regression(options: &Regression, seed: u64) -> Result<(Matrix, Vector, Vector)> {
    options.generate(seed)
}

/// What a column of [`Classification`]'s data is, as scikit-learn's `feature_info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeatureKind {
    /// Drawn around the class clusters' centroids: carries the signal.
    Informative,
    /// A random linear combination of the informative features.
    Redundant,
    /// A copy of an informative or redundant feature.
    Repeated,
    /// Standard normal noise.
    Random,
}

/// A random n-class classification problem: scikit-learn's `make_classification`.
///
/// Each class is made of `n_clusters_per_class` Gaussian clusters whose centroids are distinct
/// vertices of a hypercube of side `2 * class_sep` in the `n_informative` dimensions; each
/// cluster gets a random covariance. Then come `n_redundant` random linear combinations of the
/// informative features, `n_repeated` copies, and standard-normal noise features up to
/// `n_features`; a fraction `flip_y` of the labels is redrawn at random, and the features are
/// shifted and scaled. With `shuffle` the samples and the features are permuted.
///
/// ```
/// use gf_data::datasets::Classification;
/// let (x, y) = Classification::new().n_samples(200).n_classes(3).n_informative(3)
///     .weights(vec![0.6, 0.3]).flip_y(0.0).generate(1).unwrap();
/// assert_eq!(x.dims(), [200, 20]);
/// assert_eq!(y.to_vec().iter().filter(|&&c| c == 0).count(), 120);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// The number of samples. Default 100.
    pub n_samples: usize,
    /// The number of features in all. Default 20.
    pub n_features: usize,
    /// Features that carry the classes. Default 2.
    pub n_informative: usize,
    /// Linear combinations of the informative features. Default 2.
    pub n_redundant: usize,
    /// Copies of informative or redundant features. Default 0.
    pub n_repeated: usize,
    /// The number of classes. Default 2.
    pub n_classes: usize,
    /// Gaussian clusters per class. Default 2.
    pub n_clusters_per_class: usize,
    /// The share of samples in each class (`n_classes` values, or `n_classes - 1` and the
    /// last class gets the rest); `None` (the default) means balanced classes. Label noise
    /// (`flip_y`) can make the actual shares differ.
    pub weights: Option<Vec<f64>>,
    /// The share of samples whose class is redrawn at random. Default 0.01.
    pub flip_y: f64,
    /// Half the side of the hypercube: larger values spread the classes apart. Default 1.0.
    pub class_sep: f64,
    /// Whether the centroids are hypercube vertices (true, the default) or are scaled randomly
    /// towards the origin, a harder problem.
    pub hypercube: bool,
    /// Added to every feature (one value or one per feature); `None` draws each in
    /// `[-class_sep, class_sep)`. Default 0.
    pub shift: Option<Values>,
    /// Multiplies every feature after the shift (one value or one per feature); `None` draws
    /// each in `[1, 101)`. Default 1.
    pub scale: Option<Values>,
    /// Whether to shuffle the samples and the features. Default true.
    pub shuffle: bool,
}

impl Default for Classification {
    fn default() -> Self {
        Classification {
            n_samples: 100,
            n_features: 20,
            n_informative: 2,
            n_redundant: 2,
            n_repeated: 0,
            n_classes: 2,
            n_clusters_per_class: 2,
            weights: None,
            flip_y: 0.01,
            class_sep: 1.0,
            hypercube: true,
            shift: Some(Values::All(0.0)),
            scale: Some(Values::All(1.0)),
            shuffle: true,
        }
    }
}

impl Classification {
    /// scikit-learn's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    plain_setters! {
        n_samples: usize,
        n_features: usize,
        n_informative: usize,
        n_redundant: usize,
        n_repeated: usize,
        n_classes: usize,
        n_clusters_per_class: usize,
        flip_y: f64,
        class_sep: f64,
        hypercube: bool,
        shuffle: bool,
    }

    /// Sets [`weights`](Self::weights).
    pub fn weights(mut self, weights: impl Into<Vec<f64>>) -> Self {
        self.weights = Some(weights.into());
        self
    }

    /// Sets [`shift`](Self::shift) to one value or one per feature.
    pub fn shift(mut self, shift: impl Into<Values>) -> Self {
        self.shift = Some(shift.into());
        self
    }

    /// Draws the shifts at random (scikit-learn's `shift=None`).
    pub fn random_shift(mut self) -> Self {
        self.shift = None;
        self
    }

    /// Sets [`scale`](Self::scale) to one value or one per feature.
    pub fn scale(mut self, scale: impl Into<Values>) -> Self {
        self.scale = Some(scale.into());
        self
    }

    /// Draws the scales at random (scikit-learn's `scale=None`).
    pub fn random_scale(mut self) -> Self {
        self.scale = None;
        self
    }

    /// The samples `(n_samples, n_features)` and their classes.
    pub fn generate(&self, seed: u64) -> Result<(Matrix, Labels)> {
        let (x, y, _) = self.generate_with_feature_info(seed)?;
        Ok((x, y))
    }

    /// The samples, their classes, and what each column is (after the feature shuffle), as
    /// scikit-learn's `feature_info`.
    pub fn generate_with_feature_info(
        &self,
        seed: u64,
    ) -> Result<(Matrix, Labels, Vec<FeatureKind>)> {
        const OP: &str = "make_classification";
        let n = self.n_samples;
        let f = self.n_features;
        let inf = self.n_informative;
        let red = self.n_redundant;
        let rep = self.n_repeated;
        let classes = self.n_classes;
        let per_class = self.n_clusters_per_class;
        ensure(n >= 1 && f >= 1 && inf >= 1, OP, || {
            format!("n_samples, n_features and n_informative must be >= 1, got {n}, {f}, {inf}")
        })?;
        ensure(classes >= 1 && per_class >= 1, OP, || {
            format!("n_classes and n_clusters_per_class must be >= 1, got {classes}, {per_class}")
        })?;
        ensure(inf + red + rep <= f, OP, || {
            format!(
                "n_informative + n_redundant + n_repeated ({}) must be at most n_features ({f})",
                inf + red + rep
            )
        })?;
        let n_clusters = classes.saturating_mul(per_class);
        // log2, as scikit-learn, so that large n_informative cannot overflow.
        ensure((inf as f64) >= (n_clusters as f64).log2(), OP, || {
            format!(
                "n_classes ({classes}) * n_clusters_per_class ({per_class}) must be at most \
                 2**n_informative ({inf})"
            )
        })?;
        ensure((0.0..=1.0).contains(&self.flip_y), OP, || {
            format!("flip_y must be in [0, 1], got {}", self.flip_y)
        })?;
        ensure(
            self.class_sep > 0.0 && self.class_sep.is_finite(),
            OP,
            || {
                format!(
                    "class_sep must be a finite number > 0, got {}",
                    self.class_sep
                )
            },
        )?;
        let weights = match &self.weights {
            None => vec![1.0 / classes as f64; classes],
            Some(w) if w.len() == classes => w.clone(),
            Some(w) if w.len() + 1 == classes => {
                let mut w = w.clone();
                w.push(1.0 - w.iter().sum::<f64>());
                w
            }
            Some(w) => {
                return Err(Error::argument(
                    OP,
                    format!("{} weights for {classes} classes", w.len()),
                ))
            }
        };
        ensure(
            weights.iter().all(|w| *w >= 0.0 && w.is_finite()),
            OP,
            || format!("weights must be finite and >= 0, got {weights:?}"),
        )?;
        let shift = self
            .shift
            .as_ref()
            .map(|v| v.expand(OP, "shift", f))
            .transpose()?;
        let scale = self
            .scale
            .as_ref()
            .map(|v| v.expand(OP, "scale", f))
            .transpose()?;
        if let Some(s) = &scale {
            ensure(s.iter().all(|v| *v > 0.0 && v.is_finite()), OP, || {
                format!("scale must be finite and > 0, got {s:?}")
            })?;
        }

        // Samples per cluster by weight; the rounding remainder goes round-robin.
        let mut per_cluster: Vec<usize> = (0..n_clusters)
            .map(|k| (n as f64 * weights[k % classes] / per_class as f64) as usize)
            .collect();
        let assigned: usize = per_cluster.iter().sum();
        ensure(assigned <= n, OP, || {
            format!("the weights sum to more than 1: {weights:?}")
        })?;
        for i in 0..n - assigned {
            per_cluster[i % n_clusters] += 1;
        }

        let mut rng = Xoshiro256::new(seed);
        let c = &mut rng;
        let sep = self.class_sep;
        let mut centroids: Vec<Vec<f64>> = hypercube_vertices(c, n_clusters, inf)
            .into_iter()
            .map(|v| {
                v.into_iter()
                    .map(|b| f64::from(b) * 2.0 * sep - sep)
                    .collect()
            })
            .collect();
        if !self.hypercube {
            let by_cluster: Vec<f64> = (0..n_clusters).map(|_| c.next_f64()).collect();
            let by_feature: Vec<f64> = (0..inf).map(|_| c.next_f64()).collect();
            for (centroid, a) in centroids.iter_mut().zip(&by_cluster) {
                for (v, b) in centroid.iter_mut().zip(&by_feature) {
                    *v *= a * b;
                }
            }
        }

        let mut x = vec![0.0; n * f];
        let mut y = vec![0usize; n];
        for i in 0..n {
            for j in 0..inf {
                x[i * f + j] = c.next_normal();
            }
        }
        // Each cluster: a random covariance (X_k · A), then moved to its centroid.
        let mut start = 0;
        for (k, centroid) in centroids.iter().enumerate() {
            let stop = start + per_cluster[k];
            let a: Vec<f64> = (0..inf * inf).map(|_| 2.0 * c.next_f64() - 1.0).collect();
            for i in start..stop {
                y[i] = k % classes;
                let row: Vec<f64> = x[i * f..i * f + inf].to_vec();
                for j in 0..inf {
                    let dot: f64 = (0..inf).map(|l| row[l] * a[l * inf + j]).sum();
                    x[i * f + j] = dot + centroid[j];
                }
            }
            start = stop;
        }
        if red > 0 {
            let b: Vec<f64> = (0..inf * red).map(|_| 2.0 * c.next_f64() - 1.0).collect();
            for i in 0..n {
                for r in 0..red {
                    x[i * f + inf + r] = (0..inf).map(|l| x[i * f + l] * b[l * red + r]).sum();
                }
            }
        }
        let n_useful = inf + red;
        if rep > 0 {
            let sources: Vec<usize> = (0..rep)
                .map(|_| ((n_useful - 1) as f64 * c.next_f64() + 0.5) as usize)
                .collect();
            for i in 0..n {
                for (r, &s) in sources.iter().enumerate() {
                    x[i * f + n_useful + r] = x[i * f + s];
                }
            }
        }
        for i in 0..n {
            for j in n_useful + rep..f {
                x[i * f + j] = c.next_normal();
            }
        }
        let flip: Vec<bool> = (0..n).map(|_| c.next_f64() < self.flip_y).collect();
        for (label, _) in y.iter_mut().zip(&flip).filter(|(_, &flipped)| flipped) {
            *label = c.below(classes as u64) as usize;
        }
        let shift =
            shift.unwrap_or_else(|| (0..f).map(|_| (2.0 * c.next_f64() - 1.0) * sep).collect());
        let scale = scale.unwrap_or_else(|| (0..f).map(|_| 1.0 + 100.0 * c.next_f64()).collect());
        for row in x.chunks_mut(f) {
            for ((v, s), m) in row.iter_mut().zip(&shift).zip(&scale) {
                *v = (*v + s) * m;
            }
        }
        let mut columns: Vec<usize> = (0..f).collect();
        if self.shuffle {
            let rows = c.permutation(n);
            x = permute_rows(&x, f, &rows);
            y = permute_rows(&y, 1, &rows);
            c.shuffle(&mut columns);
            x = permute_columns(&x, f, &columns);
        }
        let info = columns
            .iter()
            .map(|&j| match j {
                j if j < inf => FeatureKind::Informative,
                j if j < n_useful => FeatureKind::Redundant,
                j if j < n_useful + rep => FeatureKind::Repeated,
                _ => FeatureKind::Random,
            })
            .collect();
        Ok((matrix(x, n, f)?, labels(y)?, info))
    }
}

/// [`Classification::generate`] with `options`.
pub fn make_classification(options: &Classification, seed: u64) -> Result<(Matrix, Labels)> {
    options.generate(seed)
}

/// `samples` distinct vertices of the unit hypercube in `dims` dimensions, as 0/1 coordinates
/// in random order (scikit-learn's `_generate_hypercube`): past 30 dimensions the leading
/// coordinates are random bits and the last 30 are kept distinct. The caller ensures
/// `samples <= 2**dims`.
fn hypercube_vertices(rng: &mut Xoshiro256, samples: usize, dims: usize) -> Vec<Vec<u8>> {
    let low = dims.min(30);
    let high = dims - low;
    // Floyd's algorithm draws `samples` distinct codes below 2**low; a shuffle makes their
    // order random too.
    let space = 1u64 << low;
    let samples = samples.min(space as usize);
    let mut seen = HashSet::with_capacity(samples);
    let mut codes = Vec::with_capacity(samples);
    for j in space - samples as u64..space {
        let t = rng.below(j + 1);
        let code = if seen.insert(t) { t } else { j };
        seen.insert(code);
        codes.push(code);
    }
    rng.shuffle(&mut codes);
    codes
        .into_iter()
        .map(|code| {
            let mut vertex: Vec<u8> = (0..high).map(|_| rng.below(2) as u8).collect();
            vertex.extend((0..low).rev().map(|bit| ((code >> bit) & 1) as u8));
            vertex
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypercube_vertices_are_distinct_and_binary() {
        let mut rng = Xoshiro256::new(0);
        let all = hypercube_vertices(&mut rng, 8, 3);
        let set: HashSet<Vec<u8>> = all.iter().cloned().collect();
        assert_eq!(set.len(), 8);
        assert!(all
            .iter()
            .all(|v| v.len() == 3 && v.iter().all(|&b| b <= 1)));

        let wide = hypercube_vertices(&mut rng, 50, 33);
        let low: HashSet<&[u8]> = wide.iter().map(|v| &v[3..]).collect();
        assert_eq!(low.len(), 50);
    }

    #[test]
    fn permutations_of_rows_and_columns() {
        let m = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(permute_rows(&m, 3, &[1, 0]), [4.0, 5.0, 6.0, 1.0, 2.0, 3.0]);
        assert_eq!(
            permute_columns(&m, 3, &[2, 0, 1]),
            [3.0, 1.0, 2.0, 6.0, 4.0, 5.0]
        );
    }

    #[test]
    fn values_expand_or_refuse_a_wrong_count() {
        assert_eq!(Values::All(2.0).expand("t", "v", 3).unwrap(), [2.0; 3]);
        assert!(Values::from([1.0, 2.0]).expand("t", "v", 3).is_err());
    }
}
