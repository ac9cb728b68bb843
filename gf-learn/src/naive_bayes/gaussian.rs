//! Gaussian naive Bayes.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{labels_from_jll, proba_from_jll};
use crate::error::Result;
use crate::traits::{Classifier, Features, PredictProba, Scores, Target};
use crate::validation::{
    check_param, check_x, check_x_width, check_y_class, fitted, label_vector, Matrix,
};

const NAME: &str = "GaussianNB";

/// Naive Bayes with a normal distribution per class and feature, as scikit-learn's
/// `GaussianNB`. Each variance gets `var_smoothing` times the largest feature variance added,
/// for stability.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::naive_bayes::GaussianNB;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![-1.0, -1.2, -0.8, 1.0, 1.1, 0.9], (6, 1));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 0, 1, 1, 1], (6,));
/// let mut nb = GaussianNB::new();
/// assert_eq!(nb.fit(&x, &y)?.predict(&x)?.to_vec(), vec![0, 0, 0, 1, 1, 1]);
/// assert_eq!(nb.class_prior_().unwrap(), &[0.5, 0.5]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GaussianNB {
    var_smoothing: f64,
    priors: Option<Vec<f64>>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    classes: Vec<usize>,
    theta: Matrix,
    var: Matrix,
    class_prior: Vec<f64>,
    class_count: Vec<f64>,
    epsilon: f64,
}

impl Default for GaussianNB {
    fn default() -> Self {
        Self::new()
    }
}

impl GaussianNB {
    /// scikit-learn's defaults: `var_smoothing = 1e-9`, priors from the class frequencies.
    pub fn new() -> Self {
        GaussianNB {
            var_smoothing: 1e-9,
            priors: None,
            state: None,
        }
    }

    /// The share of the largest feature variance added to every variance, in `[0, inf)`.
    pub fn var_smoothing(mut self, var_smoothing: f64) -> Self {
        self.var_smoothing = var_smoothing;
        self
    }

    /// Fixed class priors (one per class, in sorted label order, summing to 1) instead of
    /// the class frequencies.
    pub fn priors(mut self, priors: Vec<f64>) -> Self {
        self.priors = Some(priors);
        self
    }

    /// The mean of each feature per class, `(n_classes, n_features)` row-major; `None`
    /// before `fit`.
    pub fn theta_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.theta.data.as_slice())
    }

    /// The variance of each feature per class (smoothed), `(n_classes, n_features)`
    /// row-major; `None` before `fit`.
    pub fn var_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.var.data.as_slice())
    }

    /// The prior of each class; `None` before `fit`.
    pub fn class_prior_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.class_prior.as_slice())
    }

    /// The number of training samples of each class; `None` before `fit`.
    pub fn class_count_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.class_count.as_slice())
    }

    /// The variance added to every variance; `None` before `fit`.
    pub fn epsilon_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.epsilon)
    }

    fn jll(s: &Fitted, x: &Matrix) -> Matrix {
        let k = s.classes.len();
        let mut out = Matrix::zeros(x.rows, k);
        for c in 0..k {
            let (theta, var) = (s.theta.row(c), s.var.row(c));
            let norm: f64 = var
                .iter()
                .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                .sum::<f64>()
                * -0.5;
            for i in 0..x.rows {
                let quad: f64 = x
                    .row(i)
                    .iter()
                    .zip(theta.iter().zip(var))
                    .map(|(xi, (t, v))| (xi - t).powi(2) / v)
                    .sum();
                out.data[i * k + c] = s.class_prior[c].ln() + norm - 0.5 * quad;
            }
        }
        out
    }
}

impl Classifier for GaussianNB {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "GaussianNB::fit";
        check_param(
            NAME,
            "var_smoothing",
            self.var_smoothing,
            "a float in [0, inf)",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        let x = check_x(OP, x)?;
        let labels = check_y_class(OP, y, x.rows, 1)?;
        let (k, d) = (labels.classes.len(), x.cols);
        let means = x.column_means();
        let mut max_var = 0.0f64;
        for (j, m) in means.iter().enumerate() {
            let v = (0..x.rows).map(|i| (x.at(i, j) - m).powi(2)).sum::<f64>() / x.rows as f64;
            max_var = max_var.max(v);
        }
        let epsilon = self.var_smoothing * max_var;
        let counts: Vec<f64> = labels.counts().iter().map(|&c| c as f64).collect();
        let mut theta = Matrix::zeros(k, d);
        for (i, &c) in labels.codes.iter().enumerate() {
            theta
                .row_mut(c)
                .iter_mut()
                .zip(x.row(i))
                .for_each(|(t, v)| *t += v);
        }
        for (c, n) in counts.iter().enumerate() {
            theta.row_mut(c).iter_mut().for_each(|t| *t /= n);
        }
        let mut var = Matrix::zeros(k, d);
        for (i, &c) in labels.codes.iter().enumerate() {
            let t = theta.row(c).to_vec();
            var.row_mut(c)
                .iter_mut()
                .zip(x.row(i).iter().zip(t))
                .for_each(|(v, (xi, ti))| *v += (xi - ti).powi(2));
        }
        for (c, n) in counts.iter().enumerate() {
            var.row_mut(c)
                .iter_mut()
                .for_each(|v| *v = *v / n + epsilon);
        }
        let class_prior = match &self.priors {
            None => counts.iter().map(|c| c / x.rows as f64).collect(),
            Some(p) => {
                let sum: f64 = p.iter().sum();
                if p.len() != k || (sum - 1.0).abs() > 1e-8 || p.iter().any(|&v| v < 0.0) {
                    return Err(crate::Error::parameter(
                        NAME,
                        "priors",
                        "one non-negative prior per class, summing to 1",
                        p,
                    ));
                }
                p.clone()
            }
        };
        self.state = Some(Fitted {
            classes: labels.classes,
            theta,
            var,
            class_prior,
            class_count: counts,
            epsilon,
        });
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "GaussianNB::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.theta.cols)?;
        label_vector(labels_from_jll(&Self::jll(s, &x), &s.classes))
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

impl PredictProba for GaussianNB {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "GaussianNB::predict_proba";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.theta.cols)?;
        proba_from_jll(&Self::jll(s, &x)).to_tensor()
    }
}
