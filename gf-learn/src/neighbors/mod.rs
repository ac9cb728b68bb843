//! Nearest neighbours by brute force: [`KNeighborsClassifier`] and [`KNeighborsRegressor`],
//! with uniform or distance weights and the metrics euclidean, manhattan, minkowski and
//! cosine. Queries run in parallel (rayon); the euclidean search runs on gf-core's GEMM.

pub(crate) mod brute;
mod nn_descent;

pub(crate) use self::nn_descent::{nn_descent, NnDescentParams};
pub use self::nn_descent::{NNDescent, NeighborGraph};

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::traits::{Classifier, Features, PredictProba, Regressor, Scores, Target};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, check_y_reg, dot, fitted,
    label_vector, vector, Matrix,
};

/// How neighbours vote (scikit-learn's `weights`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Weights {
    /// Every neighbour counts the same.
    #[default]
    Uniform,
    /// A neighbour counts `1 / distance`; neighbours at distance 0, if any, take all the weight.
    Distance,
}

/// The distance between samples (scikit-learn's `metric`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Metric {
    /// `(Σ |a - b|^p)^(1/p)` with the estimator's `p` (default 2, the euclidean distance).
    #[default]
    Minkowski,
    /// `sqrt(Σ (a - b)²)`.
    Euclidean,
    /// `Σ |a - b|`.
    Manhattan,
    /// `1 - a·b / (|a| |b|)`.
    Cosine,
}

/// The hyper-parameters and training data both estimators share.
#[derive(Clone, Debug)]
struct Neighbors {
    n_neighbors: usize,
    weights: Weights,
    metric: Metric,
    p: f64,
    train: Option<Matrix>,
}

impl Neighbors {
    fn new() -> Self {
        Neighbors {
            n_neighbors: 5,
            weights: Weights::Uniform,
            metric: Metric::Minkowski,
            p: 2.0,
            train: None,
        }
    }

    fn validate(&self, name: &'static str, n_samples: usize) -> Result<()> {
        check_param(
            name,
            "n_neighbors",
            self.n_neighbors,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        check_param(name, "p", self.p, "a float in [1, inf)", |p| p >= 1.0)?;
        if self.n_neighbors > n_samples {
            return Err(Error::input(
                name,
                format!(
                    "expected n_neighbors <= n_samples_fit, but n_neighbors = {}, n_samples_fit = {n_samples}",
                    self.n_neighbors
                ),
            ));
        }
        Ok(())
    }

    fn distance(&self, a: &[f64], b: &[f64]) -> f64 {
        let minkowski = |p: f64| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs().powf(p))
                .sum::<f64>()
                .powf(1.0 / p)
        };
        match self.metric {
            Metric::Euclidean => a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>()
                .sqrt(),
            Metric::Manhattan => a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum(),
            Metric::Minkowski if self.p == 2.0 => a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).powi(2))
                .sum::<f64>()
                .sqrt(),
            Metric::Minkowski if self.p == 1.0 => a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum(),
            Metric::Minkowski => minkowski(self.p),
            Metric::Cosine => {
                let (na, nb) = (dot(a, a).sqrt(), dot(b, b).sqrt());
                if na == 0.0 || nb == 0.0 {
                    1.0
                } else {
                    1.0 - dot(a, b) / (na * nb)
                }
            }
        }
    }

    /// The `n_neighbors` nearest training samples of each query row: `(distance, index)`
    /// pairs, nearest first, ties broken by the lower index.
    fn kneighbors(&self, train: &Matrix, x: &Matrix) -> Vec<Vec<(f64, usize)>> {
        let euclidean =
            self.metric == Metric::Euclidean || (self.metric == Metric::Minkowski && self.p == 2.0);
        if euclidean {
            return brute::euclidean_kneighbors(train, x, self.n_neighbors);
        }
        (0..x.rows)
            .into_par_iter()
            .map(|i| {
                let q = x.row(i);
                let mut d: Vec<(f64, usize)> = (0..train.rows)
                    .map(|j| (self.distance(q, train.row(j)), j))
                    .collect();
                let k = self.n_neighbors;
                let by =
                    |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if k < d.len() {
                    d.select_nth_unstable_by(k - 1, by);
                    d.truncate(k);
                }
                d.sort_by(by);
                d
            })
            .collect()
    }

    /// The vote of each neighbour.
    fn vote_weights(&self, neighbours: &[(f64, usize)]) -> Vec<f64> {
        match self.weights {
            Weights::Uniform => vec![1.0; neighbours.len()],
            Weights::Distance if neighbours.iter().any(|n| n.0 == 0.0) => neighbours
                .iter()
                .map(|n| f64::from(u8::from(n.0 == 0.0)))
                .collect(),
            Weights::Distance => neighbours.iter().map(|n| 1.0 / n.0).collect(),
        }
    }
}

/// Builder methods for the shared hyper-parameters.
macro_rules! neighbor_params {
    ($ty:ident) => {
        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $ty {
            /// The number of neighbours that vote, at least 1; default 5.
            pub fn n_neighbors(mut self, n_neighbors: usize) -> Self {
                self.inner.n_neighbors = n_neighbors;
                self
            }

            /// How the neighbours vote; default [`Weights::Uniform`].
            pub fn weights(mut self, weights: Weights) -> Self {
                self.inner.weights = weights;
                self
            }

            /// The distance; default [`Metric::Minkowski`] (with `p = 2`, the euclidean one).
            pub fn metric(mut self, metric: Metric) -> Self {
                self.inner.metric = metric;
                self
            }

            /// The power of the Minkowski distance, in `[1, inf)`; default 2.
            pub fn p(mut self, p: f64) -> Self {
                self.inner.p = p;
                self
            }

            /// The `n_neighbors` nearest training samples of each row of `x`, nearest first:
            /// `(distances, indices)`, one `Vec` per row.
            pub fn kneighbors<F: Dim, E: Dtype>(
                &self,
                x: &Features<F, E>,
            ) -> Result<(Vec<Vec<f64>>, Vec<Vec<usize>>)> {
                const OP: &str = concat!(stringify!($ty), "::kneighbors");
                let train = fitted(&self.inner.train, stringify!($ty), OP)?;
                let x = check_x_width(OP, stringify!($ty), x, train.cols)?;
                Ok(self
                    .inner
                    .kneighbors(train, &x)
                    .into_iter()
                    .map(|n| n.into_iter().unzip())
                    .unzip())
            }
        }
    };
}

neighbor_params!(KNeighborsClassifier);
neighbor_params!(KNeighborsRegressor);

/// Classification by the vote of the nearest training samples, as scikit-learn's
/// `KNeighborsClassifier` (brute-force search).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::neighbors::KNeighborsClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 0.1, 0.2, 1.0, 1.1, 1.2], (6, 1));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 0, 1, 1, 1], (6,));
/// let mut knn = KNeighborsClassifier::new().n_neighbors(3);
/// let q = dev.tensor_from_vec(vec![0.05, 1.15], (2, 1));
/// assert_eq!(knn.fit(&x, &y)?.predict(&q)?.to_vec(), vec![0, 1]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct KNeighborsClassifier {
    inner: Neighbors,
    labels: Option<(Vec<usize>, Vec<usize>)>,
}

impl KNeighborsClassifier {
    /// scikit-learn's defaults: `n_neighbors = 5`, `weights = "uniform"`,
    /// `metric = "minkowski"`, `p = 2`.
    pub fn new() -> Self {
        KNeighborsClassifier {
            inner: Neighbors::new(),
            labels: None,
        }
    }

    fn proba(&self, op: &'static str, x: &Matrix) -> Result<Matrix> {
        let train = fitted(&self.inner.train, "KNeighborsClassifier", op)?;
        let (classes, codes) = fitted(&self.labels, "KNeighborsClassifier", op)?;
        let k = classes.len();
        let mut out = Matrix::zeros(x.rows, k);
        for (i, nbrs) in self.inner.kneighbors(train, x).iter().enumerate() {
            let w = self.inner.vote_weights(nbrs);
            let row = out.row_mut(i);
            for (n, wn) in nbrs.iter().zip(&w) {
                row[codes[n.1]] += wn;
            }
            let total: f64 = row.iter().sum();
            row.iter_mut().for_each(|v| *v /= total);
        }
        Ok(out)
    }

    fn check<F: Dim, E: Dtype>(&self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        let train = fitted(&self.inner.train, "KNeighborsClassifier", op)?;
        check_x_width(op, "KNeighborsClassifier", x, train.cols)
    }
}

impl Classifier for KNeighborsClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "KNeighborsClassifier::fit";
        let x = check_x(OP, x)?;
        self.inner.validate("KNeighborsClassifier", x.rows)?;
        let labels = check_y_class(OP, y, x.rows, 1)?;
        self.labels = Some((labels.classes, labels.codes));
        self.inner.train = Some(x);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "KNeighborsClassifier::predict";
        let x = self.check(OP, x)?;
        let proba = self.proba(OP, &x)?;
        let classes = &fitted(&self.labels, "KNeighborsClassifier", OP)?.0;
        label_vector(
            (0..proba.rows)
                .map(|i| classes[argmax(proba.row(i))])
                .collect(),
        )
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.labels.as_ref().map(|l| l.0.as_slice())
    }
}

impl PredictProba for KNeighborsClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "KNeighborsClassifier::predict_proba";
        let x = self.check(OP, x)?;
        self.proba(OP, &x)?.to_tensor()
    }
}

/// Regression by the (weighted) mean target of the nearest training samples, as
/// scikit-learn's `KNeighborsRegressor` (brute-force search).
#[derive(Clone, Debug)]
pub struct KNeighborsRegressor {
    inner: Neighbors,
    targets: Option<Vec<f64>>,
}

impl KNeighborsRegressor {
    /// scikit-learn's defaults: `n_neighbors = 5`, `weights = "uniform"`,
    /// `metric = "minkowski"`, `p = 2`.
    pub fn new() -> Self {
        KNeighborsRegressor {
            inner: Neighbors::new(),
            targets: None,
        }
    }
}

impl Regressor for KNeighborsRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "KNeighborsRegressor::fit";
        let x = check_x(OP, x)?;
        self.inner.validate("KNeighborsRegressor", x.rows)?;
        self.targets = Some(check_y_reg(OP, y, x.rows)?);
        self.inner.train = Some(x);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "KNeighborsRegressor::predict";
        let train = fitted(&self.inner.train, "KNeighborsRegressor", OP)?;
        let y = fitted(&self.targets, "KNeighborsRegressor", OP)?;
        let x = check_x_width(OP, "KNeighborsRegressor", x, train.cols)?;
        let pred: Vec<f64> = self
            .inner
            .kneighbors(train, &x)
            .iter()
            .map(|nbrs| {
                let w = self.inner.vote_weights(nbrs);
                let total: f64 = w.iter().sum();
                nbrs.iter().zip(&w).map(|(n, wn)| wn * y[n.1]).sum::<f64>() / total
            })
            .collect();
        vector(&pred)
    }
}
