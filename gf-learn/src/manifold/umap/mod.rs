//! [`UMAP`]: uniform manifold approximation and projection, as umap-learn 0.5's `umap.UMAP`
//! with the euclidean metric: the fuzzy simplicial set of the k-nearest-neighbour graph
//! (`knn`: exact, or by NN-descent from 4096 samples on; `fuzzy`), a spectral start (`spectral`, Lanczos on the sparse graph), and the
//! stochastic layout optimisation with negative sampling (`layout`) on the curve fitted by
//! `curve`. Embeds new points (`transform`) as umap-learn does: into the fixed training
//! embedding.

mod curve;
mod fuzzy;
mod knn;
mod layout;
mod spectral;
#[cfg(test)]
mod tests;

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use self::curve::find_ab_params;
use self::fuzzy::{fuzzy_union, membership_strengths, smooth_knn_dist, Graph};
use self::knn::{approximate_knn, knn, APPROXIMATE_FROM};
use self::layout::{make_epochs_per_sample, optimize_layout_euclidean, Layout};
use self::spectral::{connected_components, spectral_layout};
use crate::error::{Error, Result};
use crate::traits::Features;
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{check_param, check_x, fitted, Matrix};

const NAME: &str = "UMAP";
const OP: &str = "UMAP::fit";
const OP_TRANSFORM: &str = "UMAP::transform";
/// umap-learn's `INT32_MIN` and `INT32_MAX` (one inside int32's range), the bounds of the
/// layout generator's seed.
const INT32_MIN: i64 = i32::MIN as i64 + 1;
const INT32_MAX: i64 = i32::MAX as i64 - 1;

/// Where [`UMAP`]'s embedding starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UmapInit {
    /// The eigenvectors of the graph's normalised Laplacian for its smallest eigenvalues after
    /// the first, scaled to `[-10, 10]` plus Gaussian noise of deviation 1e-4 (umap-learn's
    /// `"spectral"`). A disconnected graph starts at random instead (umap-learn lays out its
    /// components separately, `multi_component_layout`, which is not reproduced here).
    #[default]
    Spectral,
    /// Uniform in `[-10, 10]` (umap-learn's `"random"`).
    Random,
}

/// Uniform manifold approximation and projection, as umap-learn 0.5's `UMAP` with the
/// euclidean metric (the only one): the `n_neighbors` nearest neighbours of each sample
/// (exact under 4096 samples, else approximate by NN-descent, as umap-learn) give fuzzy memberships
/// `exp(-(d - rho) / sigma)`, with `rho` the distance to the nearest neighbour and `sigma` set
/// so that they sum to `log2(n_neighbors)`; their fuzzy union is a weighted graph, laid out in
/// `n_components` dimensions by stochastic gradient descent on the cross-entropy against the
/// embedding's similarities `1 / (1 + a d^{2b})`, with negative sampling.
///
/// With a `random_state` the optimisation is single-threaded and gives the same embedding
/// every time (as umap-learn's seeded runs); without one (the default) it runs lock-free on
/// every thread, as umap-learn's unseeded runs. It does not reproduce umap-learn's
/// embedding number for number (its spectral start comes from ARPACK), but its quality
/// (tested on digits by the trustworthiness).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::{trustworthiness, UMAP};
///
/// let dev = Cpu::default();
/// // Two well-separated groups of 30 points.
/// let data: Vec<f64> = (0..60)
///     .flat_map(|i| {
///         let c = if i < 30 { 0.0 } else { 10.0 };
///         [c + (i % 5) as f64 * 0.1, c + (i % 7) as f64 * 0.1, c + (i % 3) as f64 * 0.1]
///     })
///     .collect();
/// let x = dev.tensor_from_vec(data, (60, 3));
/// let mut umap = UMAP::new().n_neighbors(10).random_state(42);
/// let emb = umap.fit_transform(&x)?;
/// assert_eq!(emb.dims(), [60, 2]);
/// assert!(trustworthiness(&x, &emb, 5)? > 0.8);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct UMAP {
    n_neighbors: usize,
    n_components: usize,
    n_epochs: Option<usize>,
    learning_rate: f64,
    init: UmapInit,
    min_dist: f64,
    spread: f64,
    set_op_mix_ratio: f64,
    local_connectivity: f64,
    repulsion_strength: f64,
    negative_sample_rate: usize,
    a: Option<f64>,
    b: Option<f64>,
    random_state: Option<u64>,
    transform_seed: u64,
    force_approximation_algorithm: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    train: Matrix,
    embedding: Matrix,
    graph: Graph,
    a: f64,
    b: f64,
}

impl Default for UMAP {
    fn default() -> Self {
        Self::new()
    }
}

impl UMAP {
    /// umap-learn's defaults: `n_neighbors = 15`, `n_components = 2`, `n_epochs = None` (500
    /// up to 10000 samples, else 200), `learning_rate = 1`, `init = "spectral"`,
    /// `min_dist = 0.1`, `spread = 1`, `set_op_mix_ratio = 1`, `local_connectivity = 1`,
    /// `repulsion_strength = 1`, `negative_sample_rate = 5`, `a = b = None` (fitted from
    /// `min_dist` and `spread`), `transform_seed = 42`, `random_state = None`: as umap-learn's,
    /// the layout then runs on every thread and differs from run to run (the other draws use
    /// seed 0); give a seed for the same embedding every time, from one thread.
    pub fn new() -> Self {
        UMAP {
            n_neighbors: 15,
            n_components: 2,
            n_epochs: None,
            learning_rate: 1.0,
            init: UmapInit::Spectral,
            min_dist: 0.1,
            spread: 1.0,
            set_op_mix_ratio: 1.0,
            local_connectivity: 1.0,
            repulsion_strength: 1.0,
            negative_sample_rate: 5,
            a: None,
            b: None,
            random_state: None,
            transform_seed: 42,
            force_approximation_algorithm: false,
            state: None,
        }
    }

    /// The size of the neighbourhoods (each point counted in its own), in
    /// `[2, n_samples - 1]`.
    pub fn n_neighbors(mut self, n_neighbors: usize) -> Self {
        self.n_neighbors = n_neighbors;
        self
    }

    /// The dimension of the embedding, in `[1, inf)`.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// The epochs of the layout optimisation; `None` for 500 up to 10000 samples, else 200.
    /// `transform` runs a third of them (100 or 30 for `None`).
    pub fn n_epochs(mut self, n_epochs: Option<usize>) -> Self {
        self.n_epochs = n_epochs;
        self
    }

    /// The initial step of the optimisation, decaying linearly to 0, in `(0, inf)`.
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// Where the embedding starts.
    pub fn init(mut self, init: UmapInit) -> Self {
        self.init = init;
        self
    }

    /// The smallest distance of two embedded points, shaping the curve, in `[0, spread]`.
    pub fn min_dist(mut self, min_dist: f64) -> Self {
        self.min_dist = min_dist;
        self
    }

    /// The scale of the embedded points, shaping the curve with `min_dist`, in `(0, inf)`.
    pub fn spread(mut self, spread: f64) -> Self {
        self.spread = spread;
        self
    }

    /// The weight of the fuzzy union against the fuzzy intersection of the directed
    /// memberships, in `[0, 1]`.
    pub fn set_op_mix_ratio(mut self, set_op_mix_ratio: f64) -> Self {
        self.set_op_mix_ratio = set_op_mix_ratio;
        self
    }

    /// The number of nearest neighbours of full membership (may be fractional), in
    /// `[0, inf)`.
    pub fn local_connectivity(mut self, local_connectivity: f64) -> Self {
        self.local_connectivity = local_connectivity;
        self
    }

    /// The weight of the negative samples (umap-learn's `gamma`), in `[0, inf)`.
    pub fn repulsion_strength(mut self, repulsion_strength: f64) -> Self {
        self.repulsion_strength = repulsion_strength;
        self
    }

    /// The negative samples per positive sample.
    pub fn negative_sample_rate(mut self, negative_sample_rate: usize) -> Self {
        self.negative_sample_rate = negative_sample_rate;
        self
    }

    /// The curve's `a`, in `(0, inf)`; used only with `b` (else both are fitted).
    pub fn a(mut self, a: Option<f64>) -> Self {
        self.a = a;
        self
    }

    /// The curve's `b`, in `(0, inf)`; used only with `a` (else both are fitted).
    pub fn b(mut self, b: Option<f64>) -> Self {
        self.b = b;
        self
    }

    /// The seed of the start and of the optimisation (numpy's `RandomState`), in `[0, 2³²)`;
    /// as in umap-learn, a seed makes the layout single-threaded, so that it is reproducible.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = Some(random_state);
        self
    }

    /// The seed of `transform`'s optimisation, in `[0, 2³²)`.
    pub fn transform_seed(mut self, transform_seed: u64) -> Self {
        self.transform_seed = transform_seed;
        self
    }

    /// Whether the training graph comes from the approximate NN-descent search even under
    /// 4096 samples (umap-learn's `force_approximation_algorithm`, default false); from 4096
    /// samples on it always does. The search is seeded by `random_state`, or by 0 when there
    /// is none (umap-learn then draws a seed), so the graph is the same from run to run.
    pub fn force_approximation_algorithm(mut self, force: bool) -> Self {
        self.force_approximation_algorithm = force;
        self
    }

    /// The embedding, `(n_samples, n_components)` row-major; `None` before `fit`.
    pub fn embedding_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.embedding.data.as_slice())
    }

    /// The fuzzy simplicial set (umap-learn's `graph_`), symmetric `n_samples × n_samples`,
    /// in CSR form: `(indptr, indices, data)`, the columns of each row increasing; `None`
    /// before `fit`.
    pub fn graph_(&self) -> Option<(&[usize], &[usize], &[f32])> {
        self.state.as_ref().map(|s| {
            (
                s.graph.indptr.as_slice(),
                s.graph.indices.as_slice(),
                s.graph.data.as_slice(),
            )
        })
    }

    /// The curve's `(a, b)` used (given or fitted); `None` before `fit`.
    pub fn ab_(&self) -> Option<(f64, f64)> {
        self.state.as_ref().map(|s| (s.a, s.b))
    }

    /// Embeds `x`, then returns the embedding.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?;
        let s = fitted(&self.state, NAME, OP)?;
        s.embedding.to_tensor()
    }

    fn check_params(&self) -> Result<()> {
        check_param(
            NAME,
            "n_neighbors",
            self.n_neighbors,
            "an int in [2, n_samples - 1]",
            |k| k >= 2,
        )?;
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        let finite_nonneg = |v: f64| v >= 0.0 && v.is_finite();
        let positive = |v: f64| v > 0.0 && v.is_finite();
        check_param(
            NAME,
            "learning_rate",
            self.learning_rate,
            "a float in (0, inf)",
            positive,
        )?;
        check_param(NAME, "spread", self.spread, "a float in (0, inf)", positive)?;
        check_param(
            NAME,
            "min_dist",
            self.min_dist,
            "a float in [0, spread]",
            |v| finite_nonneg(v) && v <= self.spread,
        )?;
        check_param(
            NAME,
            "set_op_mix_ratio",
            self.set_op_mix_ratio,
            "a float in [0, 1]",
            |v| (0.0..=1.0).contains(&v),
        )?;
        check_param(
            NAME,
            "local_connectivity",
            self.local_connectivity,
            "a float in [0, inf)",
            finite_nonneg,
        )?;
        check_param(
            NAME,
            "repulsion_strength",
            self.repulsion_strength,
            "a float in [0, inf)",
            finite_nonneg,
        )?;
        if let (Some(a), Some(b)) = (self.a, self.b) {
            check_param(NAME, "a", a, "a float in (0, inf)", positive)?;
            check_param(NAME, "b", b, "a float in (0, inf)", positive)?;
        }
        for (name, v) in [
            ("random_state", self.random_state.unwrap_or(0)),
            ("transform_seed", self.transform_seed),
        ] {
            check_param(NAME, name, v, "an int in [0, 2**32 - 1]", |v| {
                v <= u64::from(u32::MAX)
            })?;
        }
        Ok(())
    }

    /// Embeds `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.check_params()?;
        let x = check_x(OP, x)?;
        let n = x.rows;
        if self.n_neighbors >= n {
            return Err(Error::InvalidParameter {
                estimator: NAME,
                name: "n_neighbors",
                allowed: "an int in [2, n_samples - 1]",
                got: format!("{}, with n_samples = {n}", self.n_neighbors),
            });
        }
        let (a, b) = match (self.a, self.b) {
            (Some(a), Some(b)) => (a, b),
            _ => find_ab_params(self.spread, self.min_dist),
        };
        let dim = self.n_components;
        let k = self.n_neighbors;
        let neighbours = if n >= APPROXIMATE_FROM || self.force_approximation_algorithm {
            approximate_knn(&x, k, self.random_state.unwrap_or(0))
        } else {
            knn(&x, &x, k)
        };
        let (sigma, rho) = smooth_knn_dist(&neighbours.dists, k, k as f64, self.local_connectivity);
        let directed = membership_strengths(&neighbours, &sigma, &rho, n, false);
        let graph = fuzzy_union(&directed, self.set_op_mix_ratio as f32);

        let default_epochs = if n <= 10_000 { 500 } else { 200 };
        let n_epochs = self.n_epochs.unwrap_or(default_epochs);
        let prune_epochs = if n_epochs > 10 {
            n_epochs
        } else {
            default_epochs
        };
        let pruned = graph.pruned(graph.max() / prune_epochs as f32);

        let mut rng = NumpyRandom::new(self.random_state.unwrap_or(0) as u32);
        let start = match self.init {
            UmapInit::Spectral if connected_components(&pruned).1 == 1 => {
                // umap-learn draws an (unused, for ARPACK) random block first.
                (0..n * (dim + 1)).for_each(|_| {
                    rng.standard_normal();
                });
                spectral_layout(&pruned, dim)?
            }
            _ => None,
        };
        let start: Vec<f64> = match start {
            Some(coords) => {
                // noisy_scale_coords: the largest coordinate scaled to 10, as float32, plus
                // noise.
                let max = coords.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let expansion = 10.0 / max;
                coords
                    .iter()
                    .map(|&c| f64::from((c * expansion) as f32) + 1e-4 * rng.standard_normal())
                    .collect()
            }
            None => (0..n * dim)
                .map(|_| f64::from((-10.0 + 20.0 * rng.random_sample()) as f32))
                .collect(),
        };
        let mut embedding = rescale(&start, dim);
        let rng_state = seed_state(&mut rng);

        let head = pruned.row_of_entries();
        let epochs_per_sample = make_epochs_per_sample(&pruned.data, n_epochs);
        let layout = Layout {
            head: &head,
            tail: &pruned.indices,
            epochs_per_sample: &epochs_per_sample,
            n_epochs,
            a,
            b,
            gamma: self.repulsion_strength,
            initial_alpha: self.learning_rate,
            negative_sample_rate: self.negative_sample_rate as f64,
            rng_state,
            dim,
        };
        let parallel = self.random_state.is_none();
        optimize_layout_euclidean(&layout, &mut embedding, None, parallel);
        self.state = Some(Fitted {
            train: x,
            embedding: Matrix {
                rows: n,
                cols: dim,
                data: embedding.iter().map(|&v| f64::from(v)).collect(),
            },
            graph,
            a,
            b,
        });
        Ok(self)
    }

    /// Embeds new points into the fitted embedding, as umap-learn's `transform`: their
    /// memberships to their `n_neighbors` nearest training points (with `local_connectivity -
    /// 1`), a start at the membership-weighted mean of those points' embeddings, and a third
    /// of the epochs (100 or 30 by default) of the optimisation at a quarter of the learning
    /// rate, the training embedding held fixed.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let s = fitted(&self.state, NAME, OP_TRANSFORM)?;
        let x = check_x(OP_TRANSFORM, x)?;
        if x.cols != s.train.cols {
            return Err(Error::input(
                OP_TRANSFORM,
                format!(
                    "X has {} features, but UMAP was fitted with {}",
                    x.cols, s.train.cols
                ),
            ));
        }
        let (n_new, dim, k) = (x.rows, s.embedding.cols, self.n_neighbors);
        let neighbours = knn(&s.train, &x, k);
        let lc = (self.local_connectivity - 1.0).max(0.0);
        let (sigma, rho) = smooth_knn_dist(&neighbours.dists, k, k as f64, lc);
        let graph = membership_strengths(&neighbours, &sigma, &rho, s.train.rows, true);

        // init_graph_transform: the weighted mean, or the point itself at membership 1.
        let train_emb: Vec<f32> = s.embedding.data.iter().map(|&v| v as f32).collect();
        let mut embedding = vec![0.0f32; n_new * dim];
        for i in 0..n_new {
            let (lo, hi) = (graph.indptr[i], graph.indptr[i + 1]);
            let out = &mut embedding[i * dim..(i + 1) * dim];
            if lo == hi {
                out.iter_mut().for_each(|v| *v = f32::NAN);
                continue;
            }
            let sum: f32 = graph.data[lo..hi].iter().sum();
            for p in lo..hi {
                let (v, j) = (graph.data[p], graph.indices[p]);
                let row = &train_emb[j * dim..(j + 1) * dim];
                if v == 1.0 {
                    out.copy_from_slice(row);
                    break;
                }
                for (o, &e) in out.iter_mut().zip(row) {
                    *o += v / sum * e;
                }
            }
        }

        let n_epochs = match self.n_epochs {
            None if n_new <= 10_000 => 100,
            None => 30,
            Some(e) => e / 3,
        };
        let pruned = graph.pruned(graph.max() / n_epochs.max(1) as f32);
        let head = pruned.row_of_entries();
        let epochs_per_sample = make_epochs_per_sample(&pruned.data, n_epochs);
        let mut rng = NumpyRandom::new(self.transform_seed as u32);
        let layout = Layout {
            head: &head,
            tail: &pruned.indices,
            epochs_per_sample: &epochs_per_sample,
            n_epochs,
            a: s.a,
            b: s.b,
            gamma: self.repulsion_strength,
            initial_alpha: self.learning_rate / 4.0,
            negative_sample_rate: self.negative_sample_rate as f64,
            rng_state: seed_state(&mut rng),
            dim,
        };
        // umap-learn's transform optimises in one thread whatever the seed
        optimize_layout_euclidean(&layout, &mut embedding, Some(&train_emb), false);
        Matrix {
            rows: n_new,
            cols: dim,
            data: embedding.iter().map(|&v| f64::from(v)).collect(),
        }
        .to_tensor()
    }
}

/// Each column mapped onto `[0, 10]`, as float32 (umap-learn's rescaling of the start).
fn rescale(start: &[f64], dim: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; start.len()];
    for c in 0..dim {
        let col = start.iter().skip(c).step_by(dim);
        let lo = col.clone().fold(f64::INFINITY, |m, &v| m.min(v));
        let hi = col.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        // A constant column (a single point, say) stays at 0 instead of dividing by 0.
        let span = if hi > lo { hi - lo } else { 1.0 };
        for (o, &v) in out
            .iter_mut()
            .skip(c)
            .step_by(dim)
            .zip(start.iter().skip(c).step_by(dim))
        {
            *o = (10.0 * (v - lo) / span) as f32;
        }
    }
    out
}

/// `random_state.randint(INT32_MIN, INT32_MAX, 3)`, the layout generator's state.
fn seed_state(rng: &mut NumpyRandom) -> [i64; 3] {
    let range = (INT32_MAX - INT32_MIN) as u64;
    [0; 3].map(|_| INT32_MIN + i64::from(rng.randint(range)))
}
