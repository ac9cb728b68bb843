//! The estimator vocabulary: scikit-learn's `fit` / `predict` / `predict_proba` /
//! `decision_function` / `transform` / `score` as traits.
//!
//! Inputs are gf-core tensors: `X` is `Tensor<(usize, F), E, Cpu>` with samples in rows, for
//! any width type `F` (`usize`, or `Const<N>` when the feature count is known when compiling)
//! and `E` = `f32` or `f64`; regression targets are `Tensor<(usize,), E, Cpu>` and class
//! labels `Tensor<(usize,), usize, Cpu>` (any non-negative integers; `classes_()` lists the
//! distinct ones, sorted). Estimators compute and keep their fitted state in `f64`, as
//! scikit-learn does, so an estimator fitted on `f64` data also predicts on `f32` data.
//!
//! `fit` takes `&mut self` and returns `&mut Self`, so `model.fit(&x, &y)?.predict(&x)?`
//! reads as in scikit-learn. It validates the hyper-parameters first (an invalid one is an
//! [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming it and its range),
//! then the data.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::Result;
use crate::metrics;

/// Samples in rows, features in columns.
pub type Features<F, E> = Tensor<(usize, F), E, Cpu>;
/// One value per sample: a regression target or a class label.
pub type Target<T> = Tensor<(usize,), T, Cpu>;
/// One row per sample, one column per class (or per output).
pub type Scores<E> = Tensor<(usize, usize), E, Cpu>;

/// An estimator that predicts a real value per sample.
pub trait Regressor {
    /// Fits the model to `x` and the targets `y`.
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self>;

    /// The predicted target of each row of `x`.
    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>>;

    /// The coefficient of determination R² of the predictions on `x` against `y`, as
    /// scikit-learn's `RegressorMixin.score`.
    fn score<F: Dim, E: Dtype>(&self, x: &Features<F, E>, y: &Target<E>) -> Result<f64> {
        let pred = self.predict(x)?;
        metrics::r2_score(y, &pred)
    }
}

/// An estimator that predicts a class label per sample.
pub trait Classifier {
    /// Fits the model to `x` and the class labels `y`.
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<usize>)
        -> Result<&mut Self>;

    /// The predicted label of each row of `x`.
    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>>;

    /// The distinct labels seen by `fit`, sorted; `None` before `fit`.
    fn classes_(&self) -> Option<&[usize]>;

    /// The accuracy of the predictions on `x` against `y`, as scikit-learn's
    /// `ClassifierMixin.score`.
    fn score<F: Dim, E: Dtype>(&self, x: &Features<F, E>, y: &Target<usize>) -> Result<f64> {
        let pred = self.predict(x)?;
        metrics::accuracy_score(y, &pred)
    }
}

/// A classifier that estimates the probability of each class.
pub trait PredictProba: Classifier {
    /// The probability of each class (columns in the order of `classes_()`) for each row of
    /// `x`; each row sums to 1.
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>>;

    /// The logarithm of [`predict_proba`](Self::predict_proba).
    fn predict_log_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        Ok(self.predict_proba(x)?.ln())
    }
}

/// A classifier with a confidence score per class.
pub trait DecisionFunction: Classifier {
    /// The confidence score of each row of `x`: one column per class, or, for two classes,
    /// one column whose positive values favour `classes_()[1]` (scikit-learn's 1-D output as
    /// a column).
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>>;
}

/// The output of a [`Transformer`] of width type `W`.
pub type Transformed<W, E> = Tensor<(usize, W), E, Cpu>;

/// An estimator that learns a map from samples to new features (scalers, encoders).
pub trait Transformer {
    /// The width of the output for an input of width `F`: `F` itself when the transform keeps
    /// the width, `usize` when it is only known once fitted.
    type Width<F: Dim>: Dim;

    /// Learns the map from `x`.
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self>;

    /// Applies the fitted map to `x`.
    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>>;

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        self.fit(x)?.transform(x)
    }
}

/// Cluster labels as scikit-learn gives them: one integer per sample, `-1` for a sample that
/// belongs to no cluster (DBSCAN's noise).
pub type ClusterLabels = Vec<i64>;

/// An estimator that groups samples into clusters without targets (k-means, DBSCAN).
pub trait Clusterer {
    /// Finds the clusters of `x`.
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self>;

    /// The cluster of each training sample (`-1` for noise); `None` before `fit`.
    fn labels_(&self) -> Option<&[i64]>;

    /// [`fit`](Self::fit), then the cluster of each sample of `x`.
    fn fit_predict<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<ClusterLabels> {
        Ok(self.fit(x)?.labels_().unwrap_or_default().to_vec())
    }
}
