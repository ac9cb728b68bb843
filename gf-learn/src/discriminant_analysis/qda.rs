//! [`QuadraticDiscriminantAnalysis`]: one Gaussian per class, as scikit-learn's (its svd
//! solver).

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{class_priors, class_rows};
use crate::error::{Error, Result};
use crate::linalg::thin_svd;
use crate::traits::{Classifier, DecisionFunction, Features, PredictProba, Scores, Target};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, fitted, label_vector, Matrix,
};

const NAME: &str = "QuadraticDiscriminantAnalysis";

/// Quadratic discriminant analysis, as scikit-learn's `QuadraticDiscriminantAnalysis` with its
/// default svd solver: a Gaussian density per class, each with its own covariance (from the
/// SVD of the class's centred samples, regularised by `reg_param`), and Bayes' rule, which
/// gives a quadratic decision boundary.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::discriminant_analysis::QuadraticDiscriminantAnalysis;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![-1.0, -1.0, -2.0, -1.0, -3.0, -2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 2.0],
///     (6, 2),
/// );
/// let y = dev.tensor_from_vec(vec![1, 1, 1, 2, 2, 2], (6,));
/// let mut qda = QuadraticDiscriminantAnalysis::new();
/// qda.fit(&x, &y)?;
/// let probe: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(vec![-0.8, -1.0], (1, 2));
/// assert_eq!(qda.predict(&probe)?.to_vec(), vec![1]);
/// let p = qda.predict_proba(&probe)?.to_vec();
/// assert!((p[0] + p[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct QuadraticDiscriminantAnalysis {
    priors: Option<Vec<f64>>,
    reg_param: f64,
    store_covariance: bool,
    tol: f64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    classes: Vec<usize>,
    means: Matrix,
    priors: Vec<f64>,
    /// Per class, `(n_features, n_features)` row-major: the principal axes as columns.
    rotations: Vec<Vec<f64>>,
    /// Per class, the (regularised) variance along each axis.
    scalings: Vec<Vec<f64>>,
    covariances: Option<Vec<Vec<f64>>>,
}

impl Default for QuadraticDiscriminantAnalysis {
    fn default() -> Self {
        Self::new()
    }
}

impl QuadraticDiscriminantAnalysis {
    /// scikit-learn's defaults: the class frequencies as priors, `reg_param = 0`,
    /// `store_covariance = false`, `tol = 1e-4`.
    pub fn new() -> Self {
        QuadraticDiscriminantAnalysis {
            priors: None,
            reg_param: 0.0,
            store_covariance: false,
            tol: 1e-4,
            state: None,
        }
    }

    /// The class priors, one per class in the order of `classes_()` (default: the class
    /// frequencies); renormalised when they do not sum to 1.
    pub fn priors(mut self, priors: Vec<f64>) -> Self {
        self.priors = Some(priors);
        self
    }

    /// The regularisation in `[0, 1]`: each class's variances become
    /// `(1 - reg_param) s + reg_param`.
    pub fn reg_param(mut self, reg_param: f64) -> Self {
        self.reg_param = reg_param;
        self
    }

    /// Whether `fit` also computes each class's covariance, `covariance_()`.
    pub fn store_covariance(mut self, store_covariance: bool) -> Self {
        self.store_covariance = store_covariance;
        self
    }

    /// The variance below which a class's covariance counts as rank deficient (an `Err` at
    /// fit); default 1e-4.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The mean of each class, `(n_classes, n_features)` row-major; `None` before `fit`.
    pub fn means_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.means.data.as_slice())
    }

    /// The class priors (summing to 1); `None` before `fit`.
    pub fn priors_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.priors.as_slice())
    }

    /// Per class, the principal axes of its Gaussian as the columns of an
    /// `(n_features, n_features)` row-major matrix (signs arbitrary); `None` before `fit`.
    pub fn rotations_(&self) -> Option<&[Vec<f64>]> {
        self.state.as_ref().map(|s| s.rotations.as_slice())
    }

    /// Per class, the variance along each principal axis, largest first; `None` before `fit`.
    pub fn scalings_(&self) -> Option<&[Vec<f64>]> {
        self.state.as_ref().map(|s| s.scalings.as_slice())
    }

    /// Per class, its `(n_features, n_features)` covariance; `None` before `fit` and without
    /// `store_covariance`.
    pub fn covariance_(&self) -> Option<&[Vec<f64>]> {
        self.state.as_ref().and_then(|s| s.covariances.as_deref())
    }

    /// Fits a Gaussian to the samples of each class of `x`.
    pub fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "QuadraticDiscriminantAnalysis::fit";
        check_param(
            NAME,
            "reg_param",
            self.reg_param,
            "a float in [0, 1]",
            |r| (0.0..=1.0).contains(&r),
        )?;
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| t >= 0.0)?;
        let x = check_x(OP, x)?;
        let labels = check_y_class(OP, y, x.rows, 2)?;
        let priors = class_priors(OP, self.priors.as_deref(), &labels, x.rows)?;
        let d = x.cols;
        let mut means = Matrix::zeros(0, d);
        let (mut rotations, mut scalings, mut covariances) = (vec![], vec![], vec![]);
        for (group, class) in class_rows(&x, &labels).iter().zip(&labels.classes) {
            if group.rows == 1 {
                return Err(Error::input(
                    OP,
                    format!("y has only 1 sample in class {class}, covariance is ill defined"),
                ));
            }
            let mean = group.column_means();
            let (_, s, v) = thin_svd(OP, &group.centered(&mean))?;
            let scaling: Vec<f64> = s
                .iter()
                .map(|s| (1.0 - self.reg_param) * (s * s / group.rows as f64) + self.reg_param)
                .collect();
            if scaling.iter().filter(|&&v| v > self.tol).count() < d {
                let hint = if group.rows <= d {
                    format!(
                        "the number of samples in each class should be more than the number of features, but class {class} has {} samples and {d} features",
                        group.rows
                    )
                } else {
                    "increase the value of `reg_param` to reduce the collinearity".to_string()
                };
                return Err(Error::input(
                    OP,
                    format!("the covariance matrix of class {class} is not full rank; {hint}"),
                ));
            }
            let rotation: Vec<f64> = (0..d)
                .flat_map(|f| (0..d).map(move |j| (f, j)))
                .map(|(f, j)| v[(f, j)])
                .collect();
            if self.store_covariance {
                let cov: Vec<f64> = (0..d)
                    .flat_map(|a| (0..d).map(move |b| (a, b)))
                    .map(|(a, b)| (0..d).map(|j| scaling[j] * v[(a, j)] * v[(b, j)]).sum())
                    .collect();
                covariances.push(cov);
            }
            means.data.extend_from_slice(&mean);
            means.rows += 1;
            rotations.push(rotation);
            scalings.push(scaling);
        }
        self.state = Some(Fitted {
            classes: labels.classes,
            means,
            priors,
            rotations,
            scalings,
            covariances: self.store_covariance.then_some(covariances),
        });
        Ok(self)
    }

    /// The log posterior of each class up to a constant (scikit-learn's `_decision_function`).
    fn log_posterior<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<Matrix> {
        let s = fitted(&self.state, NAME, op)?;
        let d = s.means.cols;
        let x = check_x_width(op, NAME, x, d)?;
        let k = s.classes.len();
        let mut out = Matrix::zeros(x.rows, k);
        for c in 0..k {
            let (r, sc) = (&s.rotations[c], &s.scalings[c]);
            let log_det: f64 = sc.iter().map(|v| v.ln()).sum();
            let mean = s.means.row(c);
            for i in 0..x.rows {
                let xm: Vec<f64> = x.row(i).iter().zip(mean).map(|(a, b)| a - b).collect();
                let norm2: f64 = (0..d)
                    .map(|j| {
                        let p: f64 = (0..d).map(|f| xm[f] * r[f * d + j]).sum();
                        let z = p * sc[j].powf(-0.5);
                        z * z
                    })
                    .sum();
                out.data[i * k + c] = -0.5 * (norm2 + log_det) + s.priors[c].ln();
            }
        }
        Ok(out)
    }

    /// The log-probabilities by the log-sum-exp of the posteriors, as scikit-learn's.
    fn log_proba<F: Dim, E: Dtype>(&self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        let mut scores = self.log_posterior(op, x)?;
        for i in 0..scores.rows {
            let row = scores.row_mut(i);
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.iter_mut().for_each(|v| *v -= max);
            let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
            row.iter_mut().for_each(|v| *v -= lse);
        }
        Ok(scores)
    }

    /// The class labels predicted for `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "QuadraticDiscriminantAnalysis::predict";
        let scores = self.log_posterior(OP, x)?;
        let s = fitted(&self.state, NAME, OP)?;
        label_vector(
            (0..scores.rows)
                .map(|i| s.classes[argmax(scores.row(i))])
                .collect(),
        )
    }
}

impl Classifier for QuadraticDiscriminantAnalysis {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        QuadraticDiscriminantAnalysis::fit(self, x, y)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        QuadraticDiscriminantAnalysis::predict(self, x)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

impl PredictProba for QuadraticDiscriminantAnalysis {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let mut p = self.log_proba("QuadraticDiscriminantAnalysis::predict_proba", x)?;
        p.data.iter_mut().for_each(|v| *v = v.exp());
        p.to_tensor()
    }

    fn predict_log_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.log_proba("QuadraticDiscriminantAnalysis::predict_log_proba", x)?
            .to_tensor()
    }
}

impl DecisionFunction for QuadraticDiscriminantAnalysis {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let scores = self.log_posterior("QuadraticDiscriminantAnalysis::decision_function", x)?;
        if scores.cols == 2 {
            let diff: Vec<f64> = (0..scores.rows)
                .map(|i| scores.at(i, 1) - scores.at(i, 0))
                .collect();
            Matrix {
                rows: scores.rows,
                cols: 1,
                data: diff,
            }
            .to_tensor()
        } else {
            scores.to_tensor()
        }
    }
}
