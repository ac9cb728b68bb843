//! [`MDS`]: multidimensional scaling by SMACOF, as scikit-learn's `MDS` and [`smacof`], with
//! [`ClassicalMDS`] (Torgerson's scaling, also MDS's `init="classical_mds"`). Metric SMACOF
//! fits the distances of the embedding to the dissimilarities; non-metric SMACOF fits them to
//! an increasing function of the dissimilarities (an isotonic regression at each step).

mod classical;
mod isotonic;

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use self::classical::classical;
pub use self::classical::ClassicalMDS;
use self::isotonic::isotonic_fit_transform;
use crate::error::{Error, Result};
use crate::traits::{Features, Transformed};
use crate::tree::numpy_random::RandomState;
use crate::validation::{check_param, check_x, fitted, Matrix};

const NAME: &str = "MDS";

/// What X holds (scikit-learn's `metric`; 1.9 deprecates the old name `dissimilarity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MdsMetric {
    /// Samples in rows: the dissimilarities are their euclidean distances.
    #[default]
    Euclidean,
    /// X is the square, symmetric, non-negative dissimilarity matrix itself.
    Precomputed,
}

/// The start of SMACOF when no init array is passed to `fit` (scikit-learn's `init`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MdsInit {
    /// Uniform in `[0, 1)`, drawn by numpy's `RandomState(random_state)`, a new draw for each
    /// of the `n_init` runs (scikit-learn 1.9's default, which 1.10 changes to classical).
    #[default]
    Random,
    /// The [`ClassicalMDS`] embedding of the dissimilarities (one run).
    ClassicalMds,
}

/// Multidimensional scaling by SMACOF (scaling by majorizing a complicated function), as
/// scikit-learn's `MDS`: an embedding whose euclidean distances fit the dissimilarities of the
/// samples (metric) or an increasing function of them (non-metric, `metric_mds(false)`). The
/// best of `n_init` runs by stress is kept. Given the same init (an array passed to
/// [`fit_with_init`](Self::fit_with_init), or a seed), the iterations are scikit-learn's.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::{MdsInit, MDS};
///
/// let dev = Cpu::default();
/// // The corners of a 3-4-5 right triangle.
/// let x: Tensor<(usize, usize), f64, Cpu> =
///     dev.tensor_from_vec(vec![0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 4.0, 0.0], (3, 3));
/// let mut mds = MDS::new().init(MdsInit::ClassicalMds);
/// let z = mds.fit_transform(&x)?.to_vec();
/// let d01 = ((z[0] - z[2]).powi(2) + (z[1] - z[3]).powi(2)).sqrt();
/// assert!((d01 - 3.0).abs() < 1e-6);
/// assert!(mds.stress_().unwrap() < 1e-9);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MDS {
    n_components: usize,
    metric_mds: bool,
    n_init: usize,
    init: MdsInit,
    max_iter: usize,
    eps: f64,
    random_state: u64,
    metric: MdsMetric,
    normalized_stress: Option<bool>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    embedding: Matrix,
    stress: f64,
    n_iter: usize,
    dissimilarity: Matrix,
}

impl Default for MDS {
    fn default() -> Self {
        Self::new()
    }
}

impl MDS {
    /// scikit-learn's defaults: 2 components, metric SMACOF, one random init, 300 iterations,
    /// `eps = 1e-6`, euclidean distances, `normalized_stress = "auto"`; `random_state = 0`
    /// (scikit-learn's `None` draws from numpy's global state, which has no equivalent here).
    pub fn new() -> Self {
        MDS {
            n_components: 2,
            metric_mds: true,
            n_init: 1,
            init: MdsInit::Random,
            max_iter: 300,
            eps: 1e-6,
            random_state: 0,
            metric: MdsMetric::Euclidean,
            normalized_stress: None,
            state: None,
        }
    }

    /// The number of coordinates, at least 1 (an init array sets it instead).
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// Metric SMACOF (`true`) or non-metric (`false`).
    pub fn metric_mds(mut self, metric_mds: bool) -> Self {
        self.metric_mds = metric_mds;
        self
    }

    /// The number of SMACOF runs from random starts, at least 1 (one run from a given or
    /// classical start).
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// The start when `fit` gets no init array.
    pub fn init(mut self, init: MdsInit) -> Self {
        self.init = init;
        self
    }

    /// The most iterations of each run, at least 1.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The convergence tolerance on the decrease of the stress relative to the sum of the
    /// squared distances, in `[0, inf)`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// The seed of the random starts (numpy's `RandomState`), in `[0, 2³²)`.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// Whether X holds samples or the dissimilarity matrix.
    pub fn metric(mut self, metric: MdsMetric) -> Self {
        self.metric = metric;
        self
    }

    /// Whether the stress is normalized (Kruskal's stress-1, `sqrt(stress / Σ d² / 2)`); by
    /// default (`"auto"`) for non-metric SMACOF only.
    pub fn normalized_stress(mut self, normalized_stress: bool) -> Self {
        self.normalized_stress = Some(normalized_stress);
        self
    }

    /// The embedding, `(n_samples, n_components)` row-major; `None` before `fit`.
    pub fn embedding_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.embedding.data.as_slice())
    }

    /// The final stress of the kept run: half the sum over all pairs of the squared
    /// differences between embedding distances and disparities (normalized as set); `None`
    /// before `fit`.
    pub fn stress_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.stress)
    }

    /// The iterations of the kept run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The dissimilarities of the training samples, `(n_samples, n_samples)` row-major;
    /// `None` before `fit`.
    pub fn dissimilarity_matrix_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.dissimilarity.data.as_slice())
    }

    fn check_params(&self) -> Result<()> {
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        check_param(NAME, "n_init", self.n_init, "an int in [1, inf)", |k| {
            k >= 1
        })?;
        check_param(NAME, "max_iter", self.max_iter, "an int in [1, inf)", |k| {
            k >= 1
        })?;
        check_param(NAME, "eps", self.eps, "a float in [0, inf)", |e| {
            e >= 0.0 && e.is_finite()
        })?;
        check_param(
            NAME,
            "random_state",
            self.random_state,
            "an int in [0, 2**32)",
            |s| s <= u64::from(u32::MAX),
        )
    }

    /// Embeds `x` from the start that [`init`](Self::init) sets.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.fit_from(x, None)
    }

    /// Embeds `x` from the given start, `(n_samples, n_components)` (scikit-learn's
    /// `fit(X, init=init)`): one run, whose width sets the number of components.
    pub fn fit_with_init<F: Dim, G: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        init: &Features<G, E>,
    ) -> Result<&mut Self> {
        let init = check_x("MDS::fit", init)?;
        self.fit_from(x, Some(init))
    }

    /// [`fit`](Self::fit), then the embedding.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let s = fitted(&self.fit(x)?.state, NAME, "MDS::fit_transform")?;
        s.embedding.to_tensor()
    }

    /// [`fit_with_init`](Self::fit_with_init), then the embedding.
    pub fn fit_transform_with_init<F: Dim, G: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        init: &Features<G, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let s = fitted(
            &self.fit_with_init(x, init)?.state,
            NAME,
            "MDS::fit_transform",
        )?;
        s.embedding.to_tensor()
    }

    fn fit_from<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        init: Option<Matrix>,
    ) -> Result<&mut Self> {
        const OP: &str = "MDS::fit";
        self.check_params()?;
        let d = dissimilarities(OP, x, self.metric)?;
        let init = match (init, self.init) {
            (Some(init), _) => Some(init),
            (None, MdsInit::ClassicalMds) => Some(classical(OP, NAME, &d, self.n_components)?.0),
            (None, MdsInit::Random) => None,
        };
        let (embedding, stress, n_iter) = run_smacof(OP, self, &d, init)?;
        self.state = Some(Fitted {
            embedding,
            stress,
            n_iter,
            dissimilarity: d,
        });
        Ok(self)
    }
}

/// scikit-learn's `smacof(dissimilarities, init=init, return_n_iter=True)` with the options of
/// `options` (its `n_components`, `metric_mds`, `n_init`, `max_iter`, `eps`, `random_state`
/// and `normalized_stress`; its `metric` and `init` are not used): the embedding, its stress
/// and the iterations of the best run. The dissimilarities must be square, symmetric and
/// non-negative; an init runs once and sets the number of components.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::{smacof, MDS};
///
/// let dev = Cpu::default();
/// let d: Tensor<(usize, usize), f64, Cpu> =
///     dev.tensor_from_vec(vec![0.0, 1.0, 2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0], (3, 3));
/// let (z, stress, n_iter) = smacof(&d, None::<&Tensor<(usize, usize), f64, Cpu>>, &MDS::new().n_components(1))?;
/// assert_eq!(z.dims(), [3, 1]);
/// assert!(stress.is_finite() && n_iter >= 1);
/// # Ok::<(), gf_learn::Error>(())
/// ```
pub fn smacof<F: Dim, G: Dim, E: Dtype>(
    dissimilarities: &Features<F, E>,
    init: Option<&Features<G, E>>,
    options: &MDS,
) -> Result<(Transformed<usize, E>, f64, usize)> {
    const OP: &str = "smacof";
    options.check_params()?;
    let d = self::dissimilarities(OP, dissimilarities, MdsMetric::Precomputed)?;
    let init = init.map(|i| check_x(OP, i)).transpose()?;
    let (z, stress, n_iter) = run_smacof(OP, options, &d, init)?;
    Ok((z.to_tensor()?, stress, n_iter))
}

/// The dissimilarity matrix of `x`: its euclidean distances, or `x` itself checked to be
/// square, symmetric (to `1e-10`, then symmetrised, as scikit-learn's `check_symmetric`) and
/// non-negative.
pub(super) fn dissimilarities<F: Dim, E: Dtype>(
    op: &'static str,
    x: &Features<F, E>,
    metric: MdsMetric,
) -> Result<Matrix> {
    let x = check_x(op, x)?;
    let n = x.rows;
    match metric {
        MdsMetric::Euclidean => Ok(distances(&x)),
        MdsMetric::Precomputed => {
            if x.cols != n {
                return Err(Error::input(
                    op,
                    format!(
                        "a precomputed dissimilarity matrix must be square; got shape ({n}, {})",
                        x.cols
                    ),
                ));
            }
            let mut d = x;
            for i in 0..n {
                for j in 0..n {
                    let (a, b) = (d.at(i, j), d.at(j, i));
                    if (a - b).abs() > 1e-10 {
                        return Err(Error::input(
                            op,
                            format!(
                                "the dissimilarity matrix must be symmetric; entry ({i}, {j}) is {a} but ({j}, {i}) is {b}"
                            ),
                        ));
                    }
                    if a < 0.0 {
                        return Err(Error::input(
                            op,
                            format!(
                                "the dissimilarities must be non-negative; entry ({i}, {j}) is {a}"
                            ),
                        ));
                    }
                }
            }
            for i in 0..n {
                for j in 0..i {
                    let m = 0.5 * (d.at(i, j) + d.at(j, i));
                    d.data[i * n + j] = m;
                    d.data[j * n + i] = m;
                }
            }
            Ok(d)
        }
    }
}

/// scikit-learn's `smacof`: `n_init` runs from random starts drawn one after another from one
/// `RandomState`, or one run from `init`; the run of least stress (the first of ties).
fn run_smacof(
    op: &'static str,
    o: &MDS,
    d: &Matrix,
    init: Option<Matrix>,
) -> Result<(Matrix, f64, usize)> {
    let n = d.rows;
    let normalized = o.normalized_stress.unwrap_or(!o.metric_mds);
    let mut rng = RandomState::new(o.random_state as u32);
    let runs = if init.is_some() { 1 } else { o.n_init };
    if let Some(init) = &init {
        if init.rows != n {
            return Err(Error::input(
                op,
                format!(
                    "init matrix should be of shape ({n}, {}); got ({}, {})",
                    init.cols, init.rows, init.cols
                ),
            ));
        }
    }
    let mut best: Option<(Matrix, f64, usize)> = None;
    for _ in 0..runs {
        let start = match &init {
            Some(init) => init.clone(),
            None => {
                let mut x = Matrix::zeros(n, o.n_components);
                x.data.iter_mut().for_each(|v| *v = rng.random_sample());
                x
            }
        };
        let run = smacof_single(d, start, o.metric_mds, o.max_iter, o.eps, normalized);
        if best.as_ref().is_none_or(|b| run.1 < b.1) {
            best = Some(run);
        }
    }
    best.ok_or_else(|| Error::input(op, "no SMACOF run"))
}

/// The euclidean distances between the rows of `x`.
fn distances(x: &Matrix) -> Matrix {
    let n = x.rows;
    let mut d = Matrix::zeros(n, n);
    for i in 0..n {
        for j in 0..i {
            let v = x
                .row(i)
                .iter()
                .zip(x.row(j))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            d.data[i * n + j] = v;
            d.data[j * n + i] = v;
        }
    }
    d
}

/// scikit-learn's `_smacof_single`: Guttman transforms `X ← B(X) X / n` until the decrease
/// of the stress relative to half the sum of the squared distances falls below `eps`.
fn smacof_single(
    d: &Matrix,
    mut x: Matrix,
    metric: bool,
    max_iter: usize,
    eps: f64,
    normalized: bool,
) -> (Matrix, f64, usize) {
    let n = d.rows;
    let k = x.cols;
    // The upper triangle's non-zero dissimilarities, row-major: what the isotonic fit sees.
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .filter(|&(i, j)| d.at(i, j) != 0.0)
        .collect();
    let dis_w: Vec<f64> = pairs.iter().map(|&(i, j)| d.at(i, j)).collect();
    let mut dist = distances(&x);
    let mut old_stress: Option<f64> = None;
    let mut stress = 0.0;
    let mut it = 0;
    let mut disparities = Matrix::zeros(n, n);
    while it < max_iter {
        if metric {
            disparities.data.copy_from_slice(&d.data);
        } else {
            let flat: Vec<f64> = if it < 1 {
                dis_w.clone()
            } else {
                let dist_w: Vec<f64> = pairs.iter().map(|&(i, j)| dist.at(i, j)).collect();
                isotonic_fit_transform(&dis_w, &dist_w)
            };
            let sum_sq: f64 = flat.iter().map(|v| v * v).sum();
            let scale = ((n * (n - 1)) as f64 / 2.0 / sum_sq).sqrt();
            disparities.data.iter_mut().for_each(|v| *v = 0.0);
            for (&(i, j), v) in pairs.iter().zip(&flat) {
                let s = v * scale;
                disparities.data[i * n + j] = s;
                disparities.data[j * n + i] = s;
            }
        }
        // The Guttman transform: B = -ratio off the diagonal, row sums of ratio on it.
        let mut b = Matrix::zeros(n, n);
        for i in 0..n {
            let mut row_sum = 0.0;
            for j in 0..n {
                let dij = if dist.at(i, j) == 0.0 {
                    1e-5
                } else {
                    dist.at(i, j)
                };
                let r = disparities.at(i, j) / dij;
                b.data[i * n + j] = -r;
                row_sum += r;
            }
            b.data[i * n + i] += row_sum;
        }
        let mut next = Matrix::zeros(n, k);
        for i in 0..n {
            for j in 0..n {
                let bij = b.at(i, j);
                for c in 0..k {
                    next.data[i * k + c] += bij * x.data[j * k + c];
                }
            }
            next.row_mut(i).iter_mut().for_each(|v| *v /= n as f64);
        }
        x = next;
        dist = distances(&x);
        stress = dist
            .data
            .iter()
            .zip(&disparities.data)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / 2.0;
        it += 1;
        if let Some(old) = old_stress {
            let sum_sq: f64 = dist.data.iter().map(|v| v * v).sum();
            if (old - stress) / (sum_sq / 2.0) < eps {
                break;
            }
        }
        old_stress = Some(stress);
    }
    if normalized {
        let sum_sq: f64 = dist.data.iter().map(|v| v * v).sum();
        stress = (stress / (sum_sq / 2.0)).sqrt();
    }
    (x, stress, it)
}
