//! [`NMF`]: non-negative matrix factorisation, as scikit-learn's `NMF`
//! (`sklearn/decomposition/_nmf.py`).

mod init;
mod solvers;

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use self::init::{initialize, mean, NumpyRandom, Start};
use self::solvers::{beta_divergence, coordinate_descent, matmul, multiplicative_update, Settings};
use crate::error::{Error, Result};
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, fitted, Matrix};

const NAME: &str = "NMF";

/// How many components [`NMF`] keeps (scikit-learn's `n_components`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NmfComponents {
    /// scikit-learn's `"auto"` (the default): the number of rows of `H` with
    /// [`NmfInit::Custom`], otherwise `n_features`.
    #[default]
    Auto,
    /// scikit-learn's `None`: `n_features`.
    All,
    /// This many, in `[1, inf)`.
    Count(usize),
}

impl From<usize> for NmfComponents {
    fn from(k: usize) -> Self {
        NmfComponents::Count(k)
    }
}

/// How [`NMF`] starts (scikit-learn's `init`); unset, `Nndsvda` when `n_components <=
/// min(n_samples, n_features)` and `Random` otherwise.
#[derive(Clone, Debug, PartialEq)]
pub enum NmfInit {
    /// `|N(0, 1)|` noise scaled by `sqrt(X.mean() / n_components)`.
    Random,
    /// Nonnegative double SVD (Boutsidis and Gallopoulos, 2008): the positive or negative parts
    /// of the leading singular vectors; sparse, better for sparse factors.
    Nndsvd,
    /// NNDSVD with its zeros replaced by the mean of X, better when sparsity is not wanted.
    Nndsvda,
    /// NNDSVD with its zeros replaced by small noise, `|N(0, 1)| X.mean() / 100`.
    Nndsvdar,
    /// These factors: `w` is `(n_samples, n_components)` and `h` `(n_components,
    /// n_features)`, both row-major, non-negative and not all zero.
    Custom {
        /// The initial `W`.
        w: Vec<f64>,
        /// The initial `H`.
        h: Vec<f64>,
    },
}

/// The minimisation algorithm of [`NMF`] (scikit-learn's `solver`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NmfSolver {
    /// Coordinate descent over the entries of `W` then `H` (HALS, Cichocki and Phan, 2009),
    /// for the Frobenius loss only (the default).
    #[default]
    Cd,
    /// Multiplicative updates (Lee and Seung, 2001; Févotte and Idier, 2011), for any beta loss.
    Mu,
}

/// The beta-divergence [`NMF`] minimises (scikit-learn's `beta_loss`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum BetaLoss {
    /// beta = 2: half the squared Frobenius norm of `X - WH` (the default).
    #[default]
    Frobenius,
    /// beta = 1: the generalised Kullback-Leibler divergence.
    KullbackLeibler,
    /// beta = 0: the Itakura-Saito divergence (X must then be strictly positive).
    ItakuraSaito,
    /// Any other beta (2.0, 1.0 and 0.0 are the three above).
    Beta(f64),
}

impl BetaLoss {
    /// The value of beta.
    pub fn beta(self) -> f64 {
        match self {
            BetaLoss::Frobenius => 2.0,
            BetaLoss::KullbackLeibler => 1.0,
            BetaLoss::ItakuraSaito => 0.0,
            BetaLoss::Beta(b) => b,
        }
    }
}

/// Non-negative matrix factorisation, as scikit-learn's `NMF`: non-negative `W`
/// `(n_samples, n_components)` and `H` `(n_components, n_features)` whose product approximates
/// the non-negative `X`, minimising
///
/// ```text
/// D_beta(X, WH)
///     + alpha_W * l1_ratio * n_features * |W|_1 + 0.5 * alpha_W * (1 - l1_ratio) * n_features * |W|²
///     + alpha_H * l1_ratio * n_samples  * |H|_1 + 0.5 * alpha_H * (1 - l1_ratio) * n_samples  * |H|²
/// ```
///
/// with `D_beta` the [`BetaLoss`] (half the squared Frobenius norm by default). `H` is
/// [`components_`](Self::components_); [`fit_transform`](Self::fit_transform) returns the
/// fitted `W` and [`transform`](Self::transform) solves for the `W` of new rows with `H` fixed.
///
/// Every step follows scikit-learn's: the initialisations (with `randomized_svd` and numpy's
/// `RandomState` for the noise, so that a seed draws what `random_state=seed` draws), the order
/// of the coordinate-descent updates, the multiplicative updates with their floors, and the
/// stopping rules. The parameters `alpha_W` and `alpha_H` are the methods
/// [`alpha_w`](Self::alpha_w) and [`alpha_h`](Self::alpha_h). Computation is in `f64`
/// whatever the input type.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::NMF;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// // Two non-negative sources mixed in six rows.
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![
///         1.0, 0.0, 2.0, 0.0, 2.0, 0.0, 4.0, 0.0, 0.0, 3.0, 0.0, 1.0, //
///         0.0, 6.0, 0.0, 2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 3.0, 6.0, 1.0,
///     ],
///     (6, 4),
/// );
/// let mut nmf = NMF::new().n_components(2).tol(1e-10).max_iter(1000);
/// let w = nmf.fit_transform(&x)?;
/// assert!(w.to_vec().iter().all(|&v| v >= 0.0));
/// assert!(nmf.reconstruction_err_().unwrap() < 1e-3);
/// let back = nmf.inverse_transform(&w)?.to_vec();
/// assert!(back.iter().zip(x.to_vec()).all(|(b, x)| (b - x).abs() < 1e-3));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NMF {
    n_components: NmfComponents,
    init: Option<NmfInit>,
    solver: NmfSolver,
    beta_loss: BetaLoss,
    tol: f64,
    max_iter: usize,
    random_state: u64,
    alpha_w: f64,
    alpha_h: Option<f64>,
    l1_ratio: f64,
    shuffle: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    components: Matrix,
    reconstruction_err: f64,
    n_iter: usize,
}

impl Default for NMF {
    fn default() -> Self {
        Self::new()
    }
}

/// `Err` naming `whom` unless every value of `data` is non-negative (scikit-learn's
/// `check_non_negative`).
fn check_non_negative(op: &'static str, whom: &str, data: &[f64]) -> Result<()> {
    if data.iter().any(|&v| v < 0.0) {
        return Err(Error::input(
            op,
            format!("Negative values in data passed to {whom}"),
        ));
    }
    Ok(())
}

/// A custom initial factor of `rows` x `cols`, checked as scikit-learn's `_check_init`.
fn check_init(op: &'static str, whom: &str, a: &[f64], rows: usize, cols: usize) -> Result<Matrix> {
    if a.len() != rows * cols {
        return Err(Error::input(
            op,
            format!(
                "Array with wrong shape passed to {whom}: expected {rows} x {cols} ({} values, \
                 row-major), but got {} values",
                rows * cols,
                a.len()
            ),
        ));
    }
    if let Some(v) = a.iter().find(|v| !v.is_finite()) {
        return Err(Error::input(op, format!("{whom} contains {v}")));
    }
    check_non_negative(op, whom, a)?;
    if a.iter().all(|&v| v == 0.0) {
        return Err(Error::input(
            op,
            format!("Array passed to {whom} is full of zeros."),
        ));
    }
    Ok(Matrix {
        rows,
        cols,
        data: a.to_vec(),
    })
}

impl NMF {
    /// scikit-learn's defaults: `n_components = "auto"`, `init = None`, `solver = "cd"`,
    /// `beta_loss = "frobenius"`, `tol = 1e-4`, `max_iter = 200`, `alpha_W = 0`,
    /// `alpha_H = "same"`, `l1_ratio = 0`, `shuffle = false`, and `random_state = 0`.
    pub fn new() -> Self {
        NMF {
            n_components: NmfComponents::Auto,
            init: None,
            solver: NmfSolver::Cd,
            beta_loss: BetaLoss::Frobenius,
            tol: 1e-4,
            max_iter: 200,
            random_state: 0,
            alpha_w: 0.0,
            alpha_h: None,
            l1_ratio: 0.0,
            shuffle: false,
            state: None,
        }
    }

    /// The number of components: a count (`.n_components(4)`) or an [`NmfComponents`].
    pub fn n_components(mut self, n_components: impl Into<NmfComponents>) -> Self {
        self.n_components = n_components.into();
        self
    }

    /// The initialisation (default: `Nndsvda` when `n_components <= min(n_samples,
    /// n_features)`, `Random` otherwise).
    pub fn init(mut self, init: NmfInit) -> Self {
        self.init = Some(init);
        self
    }

    /// The solver.
    pub fn solver(mut self, solver: NmfSolver) -> Self {
        self.solver = solver;
        self
    }

    /// The loss; only [`BetaLoss::Frobenius`] with [`NmfSolver::Cd`].
    pub fn beta_loss(mut self, beta_loss: BetaLoss) -> Self {
        self.beta_loss = beta_loss;
        self
    }

    /// The stopping tolerance, in `[0, inf)`: coordinate descent stops once the violation is
    /// at most `tol` times that of the first iteration; the multiplicative updates, checked
    /// every 10 iterations, once the loss fell by less than `tol` times its initial value.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The most iterations, in `[1, inf)`.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The seed of the `Random` and `Nndsvdar` initialisations, of the randomized SVD of the
    /// NNDSVD ones and of `shuffle`, as numpy's `RandomState(random_state)`; in `[0, 2³²)`.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// scikit-learn's `alpha_W`, the weight of the penalty on `W`, in `[0, inf)`.
    pub fn alpha_w(mut self, alpha_w: f64) -> Self {
        self.alpha_w = alpha_w;
        self
    }

    /// scikit-learn's `alpha_H`, the weight of the penalty on `H`, in `[0, inf)`; unset
    /// (scikit-learn's `"same"`), `alpha_W`.
    pub fn alpha_h(mut self, alpha_h: f64) -> Self {
        self.alpha_h = Some(alpha_h);
        self
    }

    /// The share of L1 in the penalty, in `[0, 1]` (0: L2 only; 1: L1 only).
    pub fn l1_ratio(mut self, l1_ratio: f64) -> Self {
        self.l1_ratio = l1_ratio;
        self
    }

    /// Whether coordinate descent visits the components in a random order at each sweep.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// `H`, `(n_components, n_features)` row-major; `None` before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// The number of components; `None` before `fit`.
    pub fn n_components_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.components.rows)
    }

    /// The beta-divergence of the training data from `WH`, as `sqrt(2 * divergence)` (the
    /// Frobenius norm of `X - WH` for the default loss); `None` before `fit`.
    pub fn reconstruction_err_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.reconstruction_err)
    }

    /// The iterations the fit ran; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The number of features seen by `fit`; `None` before `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.components.cols)
    }

    fn validate(&self) -> Result<()> {
        if let NmfComponents::Count(k) = self.n_components {
            check_param(
                NAME,
                "n_components",
                k,
                "an int in [1, inf), \"auto\" or None",
                |k| k >= 1,
            )?;
        }
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| t >= 0.0)?;
        check_param(NAME, "max_iter", self.max_iter, "an int in [1, inf)", |m| {
            m >= 1
        })?;
        check_param(
            NAME,
            "random_state",
            self.random_state,
            "an int in [0, 2**32 - 1]",
            |r| r <= u64::from(u32::MAX),
        )?;
        check_param(NAME, "alpha_W", self.alpha_w, "a float in [0, inf)", |a| {
            a >= 0.0
        })?;
        if let Some(a) = self.alpha_h {
            check_param(NAME, "alpha_H", a, "a float in [0, inf) or \"same\"", |a| {
                a >= 0.0
            })?;
        }
        check_param(NAME, "l1_ratio", self.l1_ratio, "a float in [0, 1]", |r| {
            (0.0..=1.0).contains(&r)
        })?;
        check_param(
            NAME,
            "beta_loss",
            self.beta_loss,
            "'frobenius', 'kullback-leibler', 'itakura-saito' or a finite float",
            |b| b.beta().is_finite(),
        )?;
        if self.solver == NmfSolver::Cd && self.beta_loss.beta() != 2.0 {
            return Err(Error::parameter(
                NAME,
                "beta_loss",
                "'frobenius' with solver 'cd' (solver 'mu' handles the other beta losses)",
                self.beta_loss,
            ));
        }
        Ok(())
    }

    /// `x` checked as NMF data: non-negative, and without zeros when beta <= 0.
    fn check_data(&self, op: &'static str, x: &Matrix) -> Result<()> {
        check_non_negative(op, "NMF (input X)", &x.data)?;
        if self.beta_loss.beta() <= 0.0 && x.data.contains(&0.0) {
            return Err(Error::input(
                op,
                "When beta_loss <= 0 and X contains zeros, the solver may diverge. Please add \
                 small values to X, or use a positive beta_loss.",
            ));
        }
        Ok(())
    }

    /// scikit-learn's `_compute_regularization`: `(l1_W, l1_H, l2_W, l2_H)`, the penalties
    /// scaled by the number of features (for W) and of samples (for H).
    fn regularization(&self, n_samples: usize, n_features: usize) -> (f64, f64, f64, f64) {
        let alpha_h = self.alpha_h.unwrap_or(self.alpha_w);
        let (n, m) = (n_samples as f64, n_features as f64);
        (
            m * self.alpha_w * self.l1_ratio,
            n * alpha_h * self.l1_ratio,
            m * self.alpha_w * (1.0 - self.l1_ratio),
            n * alpha_h * (1.0 - self.l1_ratio),
        )
    }

    /// The starting `W` and `H` of a fit on `x` (scikit-learn's `_check_w_h`).
    fn start(&self, op: &'static str, x: &Matrix) -> Result<(Matrix, Matrix)> {
        let (n, m) = (x.rows, x.cols);
        let seed = self.random_state as u32;
        if let Some(NmfInit::Custom { w, h }) = &self.init {
            let k = match self.n_components {
                NmfComponents::Count(k) => k,
                NmfComponents::All => m,
                NmfComponents::Auto if h.len() % m == 0 && !h.is_empty() => h.len() / m,
                NmfComponents::Auto => {
                    return Err(Error::input(
                        op,
                        format!(
                            "Array with wrong shape passed to NMF (input H): {} values are not \
                             rows of n_features = {m}",
                            h.len()
                        ),
                    ))
                }
            };
            let h = check_init(op, "NMF (input H)", h, k, m)?;
            let w = check_init(op, "NMF (input W)", w, n, k)?;
            return Ok((w, h));
        }
        let k = match self.n_components {
            NmfComponents::Count(k) => k,
            NmfComponents::Auto | NmfComponents::All => m,
        };
        let fits = k <= n.min(m);
        let start = match &self.init {
            None if fits => Start::Nndsvda,
            None | Some(NmfInit::Random) => Start::Random,
            Some(other) => {
                let (start, name) = match other {
                    NmfInit::Nndsvd => (Start::Nndsvd, "nndsvd"),
                    NmfInit::Nndsvda => (Start::Nndsvda, "nndsvda"),
                    _ => (Start::Nndsvdar, "nndsvdar"),
                };
                if !fits {
                    return Err(Error::parameter(
                        NAME,
                        "init",
                        "'random' or 'custom' when n_components > min(n_samples, n_features)",
                        format!(
                            "'{name}' with n_components = {k}, min(n_samples, n_features) = {}",
                            n.min(m)
                        ),
                    ));
                }
                start
            }
        };
        initialize(x, k, start, seed)
    }

    /// Runs the solver from `(w, h)` on `x`; returns the number of iterations.
    fn solve(&self, x: &Matrix, w: &mut Matrix, h: &mut Matrix, update_h: bool) -> usize {
        let (l1_w, l1_h, l2_w, l2_h) = self.regularization(x.rows, x.cols);
        let settings = Settings {
            tol: self.tol,
            max_iter: self.max_iter,
            l1_w,
            l1_h,
            l2_w,
            l2_h,
            update_h,
        };
        match self.solver {
            NmfSolver::Cd => {
                let permuter = self
                    .shuffle
                    .then(|| NumpyRandom::new(self.random_state as u32));
                coordinate_descent(x, w, h, &settings, permuter)
            }
            NmfSolver::Mu => multiplicative_update(x, w, h, self.beta_loss.beta(), &settings),
        }
    }

    /// Fits `W` and `H` to `x`, keeps `H` and returns `W`.
    fn fit_w<F: Dim, E: Dtype>(&mut self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        self.validate()?;
        let x = check_x(op, x)?;
        self.check_data(op, &x)?;
        let (mut w, mut h) = self.start(op, &x)?;
        let n_iter = self.solve(&x, &mut w, &mut h, true);
        let reconstruction_err = beta_divergence(&x, &w, &h, self.beta_loss.beta(), true);
        self.state = Some(Fitted {
            components: h,
            reconstruction_err,
            n_iter,
        });
        Ok(w)
    }

    /// Learns `W` and `H` from `x`, keeping `H` as [`components_`](Self::components_).
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.fit_w("NMF::fit", x)?;
        Ok(self)
    }

    /// Learns `W` and `H` from `x` and returns `W`, `(n_samples, n_components)`: the
    /// factor of the fit itself, which [`transform`](Self::transform) of the same `x` only
    /// approximates.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit_w("NMF::fit_transform", x)?.to_tensor()
    }

    /// The `W` of the rows of `x` with `H` fixed at [`components_`](Self::components_):
    /// the fitted solver and penalty on `W` only, from zeros (coordinate descent) or from
    /// `sqrt(X.mean() / n_components)` (multiplicative updates), as scikit-learn's `transform`.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "NMF::transform";
        let s = fitted(&self.state, NAME, OP)?;
        self.validate()?;
        let x = check_x_width(OP, NAME, x, s.components.cols)?;
        self.check_data(OP, &x)?;
        let k = s.components.rows;
        let mut w = match self.solver {
            NmfSolver::Cd => Matrix::zeros(x.rows, k),
            NmfSolver::Mu => {
                let avg = (mean(&x) / k as f64).sqrt();
                Matrix {
                    rows: x.rows,
                    cols: k,
                    data: vec![avg; x.rows * k],
                }
            }
        };
        let mut h = s.components.clone();
        self.solve(&x, &mut w, &mut h, false);
        w.to_tensor()
    }

    /// `z H`: the data of the factors `z`, `(n_samples, n_components)`, in feature space.
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        z: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "NMF::inverse_transform";
        let s = fitted(&self.state, NAME, OP)?;
        let z = check_x_width(OP, NAME, z, s.components.rows)?;
        matmul(&z, &s.components).to_tensor()
    }
}

impl Transformer for NMF {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        NMF::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        NMF::transform(self, x)
    }

    /// The fitted `W`, as [`NMF::fit_transform`] (not `fit` then `transform`).
    fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        NMF::fit_transform(self, x)
    }
}
