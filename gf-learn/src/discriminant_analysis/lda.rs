//! [`LinearDiscriminantAnalysis`]: Gaussian classes with one shared covariance, as
//! scikit-learn's, by its three solvers.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::covariance::Shrinkage;
use super::lda_solvers::{self as solvers, class_means, matmul, matmul_t, Problem};
use super::{class_priors, class_rows, expit_columns, softmax_rows};
use crate::error::{Error, Result};
use crate::traits::{Classifier, DecisionFunction, Features, PredictProba, Scores, Target};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, fitted, label_vector, Labels,
    Matrix,
};

const NAME: &str = "LinearDiscriminantAnalysis";

/// How [`LinearDiscriminantAnalysis`] fits (scikit-learn's `solver`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LdaSolver {
    /// Two SVDs of the within-class scaled data and of the class centres; never forms the
    /// covariance, so suits many features. No shrinkage.
    #[default]
    Svd,
    /// The least-squares solution of `Σ coefᵀ = meansᵀ`; classification only (no
    /// `transform`).
    Lsqr,
    /// The generalised eigenproblem of the between- and within-class scatters.
    Eigen,
}

/// Linear discriminant analysis, as scikit-learn's `LinearDiscriminantAnalysis`: a Gaussian
/// density per class with one covariance shared by all classes, and Bayes' rule, which gives
/// a linear decision boundary; [`transform`](Self::transform) projects on the (at most
/// `n_classes - 1`) most discriminative directions.
///
/// The signs of the columns of `scalings_` (and of `transform`'s output) are those of an SVD or
/// an eigensolver and may differ from scikit-learn's (LAPACK's); everything else does not
/// depend on them.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::discriminant_analysis::{LdaSolver, LinearDiscriminantAnalysis, Shrinkage};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![-1.0, -1.0, -2.0, -1.0, -3.0, -2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 2.0],
///     (6, 2),
/// );
/// let y = dev.tensor_from_vec(vec![1, 1, 1, 2, 2, 2], (6,));
/// let mut lda = LinearDiscriminantAnalysis::new();
/// lda.fit(&x, &y)?;
/// let probe: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(vec![-0.8, -1.0], (1, 2));
/// assert_eq!(lda.predict(&probe)?.to_vec(), vec![1]);
/// assert_eq!(lda.transform(&x)?.dims(), [6, 1]);
/// // Shrinkage needs the lsqr or eigen solver.
/// let mut shrunk = LinearDiscriminantAnalysis::new()
///     .solver(LdaSolver::Lsqr)
///     .shrinkage(Shrinkage::Auto);
/// assert_eq!(shrunk.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LinearDiscriminantAnalysis {
    solver: LdaSolver,
    shrinkage: Option<Shrinkage>,
    priors: Option<Vec<f64>>,
    n_components: Option<usize>,
    store_covariance: bool,
    tol: f64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    classes: Vec<usize>,
    /// `(n_classes, n_features)`, or `(1, n_features)` for two classes.
    coef: Matrix,
    intercept: Vec<f64>,
    covariance: Option<Matrix>,
    explained_variance_ratio: Option<Vec<f64>>,
    means: Matrix,
    priors: Vec<f64>,
    /// `(n_features, k)`; `None` for lsqr.
    scalings: Option<Matrix>,
    xbar: Option<Vec<f64>>,
    /// The number of columns `transform` keeps.
    max_components: usize,
}

impl Default for LinearDiscriminantAnalysis {
    fn default() -> Self {
        Self::new()
    }
}

impl LinearDiscriminantAnalysis {
    /// scikit-learn's defaults: the svd solver, no shrinkage, the class frequencies as priors,
    /// `n_components = min(n_classes - 1, n_features)`, `store_covariance = false`,
    /// `tol = 1e-4`.
    pub fn new() -> Self {
        LinearDiscriminantAnalysis {
            solver: LdaSolver::Svd,
            shrinkage: None,
            priors: None,
            n_components: None,
            store_covariance: false,
            tol: 1e-4,
            state: None,
        }
    }

    /// The solver.
    pub fn solver(mut self, solver: LdaSolver) -> Self {
        self.solver = solver;
        self
    }

    /// The covariance shrinkage (lsqr and eigen solvers only; default none).
    pub fn shrinkage(mut self, shrinkage: Shrinkage) -> Self {
        self.shrinkage = Some(shrinkage);
        self
    }

    /// The class priors, one per class in the order of `classes_()` (default: the class
    /// frequencies). Priors that do not sum to 1 are renormalised, as scikit-learn does.
    pub fn priors(mut self, priors: Vec<f64>) -> Self {
        self.priors = Some(priors);
        self
    }

    /// The number of dimensions `transform` keeps, in `[1, min(n_classes - 1, n_features)]`
    /// (default: that maximum).
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// Whether the svd solver also computes `covariance_` (the other solvers always do).
    pub fn store_covariance(mut self, store_covariance: bool) -> Self {
        self.store_covariance = store_covariance;
        self
    }

    /// The threshold below which a singular value of the scaled data counts as zero (svd
    /// solver only; default 1e-4).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The weight vectors, `(n_classes, n_features)` row-major, or one row for two classes;
    /// `None` before `fit`.
    pub fn coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.coef.data.as_slice())
    }

    /// The intercepts, one per class, or one for two classes; `None` before `fit`.
    pub fn intercept_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.intercept.as_slice())
    }

    /// The priors-weighted within-class covariance, `(n_features, n_features)`; `None` before
    /// `fit`, and for the svd solver without `store_covariance`.
    pub fn covariance_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.covariance.as_ref())
            .map(|c| c.data.as_slice())
    }

    /// The share of the between-class variance along each kept component; `None` before `fit`
    /// and for the lsqr solver.
    pub fn explained_variance_ratio_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.explained_variance_ratio.as_deref())
    }

    /// The mean of each class, `(n_classes, n_features)` row-major; `None` before `fit`.
    pub fn means_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.means.data.as_slice())
    }

    /// The class priors (summing to 1); `None` before `fit`.
    pub fn priors_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.priors.as_slice())
    }

    /// The projection on the discriminant directions, `(n_features, k)` row-major with `k` the
    /// rank of the class centres (svd) or `n_features` (eigen); `None` before `fit` and for the
    /// lsqr solver.
    pub fn scalings_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.scalings.as_ref())
            .map(|m| m.data.as_slice())
    }

    /// The priors-weighted mean of the class means; `None` before `fit` and for solvers other
    /// than svd.
    pub fn xbar_(&self) -> Option<&[f64]> {
        self.state.as_ref().and_then(|s| s.xbar.as_deref())
    }

    fn check_params(&self) -> Result<()> {
        if let Some(Shrinkage::Fixed(s)) = self.shrinkage {
            check_param(
                NAME,
                "shrinkage",
                s,
                "\"auto\", a float in [0, 1] or None",
                |s| (0.0..=1.0).contains(&s),
            )?;
        }
        if self.solver == LdaSolver::Svd && self.shrinkage.is_some() {
            return Err(Error::parameter(
                NAME,
                "shrinkage",
                "None with the 'svd' solver (shrinkage needs 'lsqr' or 'eigen')",
                self.shrinkage,
            ));
        }
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| t >= 0.0)?;
        if let Some(k) = self.n_components {
            check_param(NAME, "n_components", k, "an int in [1, inf) or None", |k| {
                k >= 1
            })?;
        }
        Ok(())
    }

    fn max_components(&self, n_classes: usize, n_features: usize) -> usize {
        self.n_components
            .unwrap_or_else(|| (n_classes - 1).min(n_features))
    }

    /// Fits the class means, the shared covariance and the discriminant directions to `x` and
    /// the labels `y`.
    pub fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "LinearDiscriminantAnalysis::fit";
        self.check_params()?;
        let x = check_x(OP, x)?;
        let labels: Labels = check_y_class(OP, y, x.rows, 2)?;
        let k = labels.classes.len();
        if x.rows == k {
            return Err(Error::input(
                OP,
                "the number of samples must be more than the number of classes",
            ));
        }
        let priors = class_priors(OP, self.priors.as_deref(), &labels, x.rows)?;
        let max = (k - 1).min(x.cols);
        if let Some(n) = self.n_components {
            if n > max {
                return Err(Error::InvalidParameter {
                    estimator: NAME,
                    name: "n_components",
                    allowed: "an int in [1, min(n_classes - 1, n_features)]",
                    got: format!("{n}, with min(n_classes - 1, n_features) = {max}"),
                });
            }
        }
        let groups = class_rows(&x, &labels);
        let means = class_means(&groups);
        let max_components = self.max_components(k, x.cols);
        let problem = Problem {
            x: &x,
            groups: &groups,
            means: &means,
            priors: &priors,
            max_components,
        };
        let sol = match self.solver {
            LdaSolver::Svd => solvers::svd(&problem, self.tol, self.store_covariance)?,
            LdaSolver::Lsqr => solvers::lsqr(&problem, self.shrinkage)?,
            LdaSolver::Eigen => solvers::eigen(&problem, self.shrinkage)?,
        };
        let (coef, intercept) = if k == 2 {
            let diff = sol
                .coef
                .row(1)
                .iter()
                .zip(sol.coef.row(0))
                .map(|(a, b)| a - b)
                .collect();
            let coef = Matrix {
                rows: 1,
                cols: x.cols,
                data: diff,
            };
            (coef, vec![sol.intercept[1] - sol.intercept[0]])
        } else {
            (sol.coef, sol.intercept)
        };
        self.state = Some(Fitted {
            classes: labels.classes,
            coef,
            intercept,
            covariance: sol.covariance,
            explained_variance_ratio: sol.explained_variance_ratio,
            means,
            priors,
            scalings: sol.scalings,
            xbar: sol.xbar,
            max_components,
        });
        Ok(self)
    }

    /// `x coefᵀ + intercept`: one column per class, or one for two classes.
    fn scores<F: Dim, E: Dtype>(&self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        let s = fitted(&self.state, NAME, op)?;
        let x = check_x_width(op, NAME, x, s.coef.cols)?;
        let mut out = matmul_t(&x, &s.coef);
        for i in 0..out.rows {
            out.row_mut(i)
                .iter_mut()
                .zip(&s.intercept)
                .for_each(|(v, b)| *v += b);
        }
        Ok(out)
    }

    /// The probability of each class, as a matrix.
    fn proba<F: Dim, E: Dtype>(&self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        let mut scores = self.scores(op, x)?;
        if scores.cols == 1 {
            Ok(expit_columns(&scores.data))
        } else {
            softmax_rows(&mut scores);
            Ok(scores)
        }
    }

    /// The class labels predicted for `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "LinearDiscriminantAnalysis::predict";
        let scores = self.scores(OP, x)?;
        let s = fitted(&self.state, NAME, OP)?;
        let labels = (0..scores.rows)
            .map(|i| {
                let row = scores.row(i);
                let c = if row.len() == 1 {
                    usize::from(row[0] > 0.0)
                } else {
                    argmax(row)
                };
                s.classes[c]
            })
            .collect();
        label_vector(labels)
    }

    /// The projection of `x` on the first `n_components` discriminant directions; an `Err`
    /// for the lsqr solver, which does not compute them.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "LinearDiscriminantAnalysis::transform";
        if self.solver == LdaSolver::Lsqr {
            return Err(Error::input(
                OP,
                "transform not implemented for 'lsqr' solver (use 'svd' or 'eigen')",
            ));
        }
        let s = fitted(&self.state, NAME, OP)?;
        let scalings = s.scalings.as_ref().ok_or_else(|| {
            Error::input(
                OP,
                "transform not implemented for 'lsqr' solver (use 'svd' or 'eigen')",
            )
        })?;
        let mut x = check_x_width(OP, NAME, x, s.coef.cols)?;
        if let Some(xbar) = &s.xbar {
            x = x.centered(xbar);
        }
        let keep = s.max_components.min(scalings.cols);
        let full = matmul(&x, scalings);
        let out = Matrix {
            rows: full.rows,
            cols: keep,
            data: (0..full.rows)
                .flat_map(|i| full.row(i)[..keep].to_vec())
                .collect(),
        };
        out.to_tensor()
    }

    /// [`fit`](Self::fit) on `x` and `y`, then [`transform`](Self::transform) of `x`.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x, y)?.transform(x)
    }
}

impl Classifier for LinearDiscriminantAnalysis {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        LinearDiscriminantAnalysis::fit(self, x, y)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        LinearDiscriminantAnalysis::predict(self, x)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

impl PredictProba for LinearDiscriminantAnalysis {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.proba("LinearDiscriminantAnalysis::predict_proba", x)?
            .to_tensor()
    }

    /// The logarithm of the probabilities, with a probability of 0 raised to the smallest
    /// normal float first (as scikit-learn does), so the result is finite.
    fn predict_log_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let mut p = self.proba("LinearDiscriminantAnalysis::predict_log_proba", x)?;
        p.data
            .iter_mut()
            .for_each(|v| *v = (if *v == 0.0 { f64::MIN_POSITIVE } else { *v }).ln());
        p.to_tensor()
    }
}

impl DecisionFunction for LinearDiscriminantAnalysis {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.scores("LinearDiscriminantAnalysis::decision_function", x)?
            .to_tensor()
    }
}
