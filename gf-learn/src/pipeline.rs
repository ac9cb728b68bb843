//! [`Pipeline`]: transformers then a final estimator, fitted and applied as one estimator, as
//! scikit-learn's `Pipeline`.
//!
//! The steps are types, not a list of boxed objects: `Pipeline<T, M>` is a classifier when `M`
//! is one, a regressor when `M` is one, and so on, and the width of the data between the steps
//! is checked by the [`Transformer::Width`] of each. A chain of transformers is a tuple:
//! `(StandardScaler, PCA)` is itself a [`Transformer`] that fits the first, transforms, and fits
//! the second on the result. Because a fitted pipeline is one estimator, cross-validation and
//! grid search fit the scaler inside each fold, as scikit-learn's do, so no statistic of the
//! test part leaks into training.

use gf_core::ops::create::TensorCreate;
use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype};

use crate::ensemble::{DynClassifier, DynFeatures, DynRegressor};
use crate::error::Result;
use crate::traits::{
    Classifier, ClusterLabels, Clusterer, DecisionFunction, Features, PredictProba, Regressor,
    Scores, Target, Transformed, Transformer,
};

/// A transformer (or a tuple of them) followed by a final estimator.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::LogisticRegression;
/// use gf_learn::pipeline::Pipeline;
/// use gf_learn::preprocessing::StandardScaler;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 200.0, 2.0, 180.0, 8.0, 20.0, 9.0, 10.0], (4, 2));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 1], (4,));
/// let mut model = Pipeline::new(StandardScaler::new(), LogisticRegression::new());
/// assert_eq!(model.fit(&x, &y)?.predict(&x)?.to_vec(), vec![0, 0, 1, 1]);
/// assert_eq!(model.transformer().mean_().unwrap(), &[5.0, 102.5]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Pipeline<T, M> {
    transformer: T,
    estimator: M,
}

impl<T, M> Pipeline<T, M> {
    /// `transformer` (a [`Transformer`], or a tuple of them applied in order) then
    /// `estimator`.
    pub fn new(transformer: T, estimator: M) -> Self {
        Pipeline {
            transformer,
            estimator,
        }
    }

    /// The transforming steps, fitted once the pipeline is.
    pub fn transformer(&self) -> &T {
        &self.transformer
    }

    /// The final estimator, fitted once the pipeline is.
    pub fn estimator(&self) -> &M {
        &self.estimator
    }

    /// The steps, by value.
    pub fn into_parts(self) -> (T, M) {
        (self.transformer, self.estimator)
    }
}

impl<T: Transformer, M> Pipeline<T, M> {
    /// Fits the transformers on `x` and returns `x` as the final estimator sees it.
    fn fit_transformer<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Transformed<T::Width<F>, E>> {
        self.transformer.fit_transform(x)
    }
}

impl<T: Transformer, M: Classifier> Classifier for Pipeline<T, M> {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        let xt = self.fit_transformer(x)?;
        self.estimator.fit(&xt, y)?;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        self.estimator.predict(&self.transformer.transform(x)?)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.estimator.classes_()
    }
}

impl<T: Transformer, M: PredictProba> PredictProba for Pipeline<T, M> {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.estimator
            .predict_proba(&self.transformer.transform(x)?)
    }
}

impl<T: Transformer, M: DecisionFunction> DecisionFunction for Pipeline<T, M> {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.estimator
            .decision_function(&self.transformer.transform(x)?)
    }
}

impl<T: Transformer, M: Regressor> Regressor for Pipeline<T, M> {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        let xt = self.fit_transformer(x)?;
        self.estimator.fit(&xt, y)?;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        self.estimator.predict(&self.transformer.transform(x)?)
    }
}

impl<T: Transformer, M: Transformer> Transformer for Pipeline<T, M> {
    type Width<F: Dim> = M::Width<T::Width<F>>;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        let xt = self.fit_transformer(x)?;
        self.estimator.fit(&xt)?;
        Ok(self)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        self.estimator.transform(&self.transformer.transform(x)?)
    }
}

impl<T: Transformer, M: Clusterer> Clusterer for Pipeline<T, M> {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        let xt = self.fit_transformer(x)?;
        self.estimator.fit(&xt)?;
        Ok(self)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.estimator.labels_()
    }

    fn fit_predict<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<ClusterLabels> {
        let xt = self.fit_transformer(x)?;
        self.estimator.fit_predict(&xt)
    }
}

/// A transformed `x` with its width as a run-time value, as a dyn member takes it.
fn dyn_width<W: Dim>(x: Transformed<W, f64>) -> Result<DynFeatures> {
    let [n, width] = x.dims();
    Ok(Cpu::default().try_tensor_from_vec(x.try_to_vec()?, (n, width))?)
}

/// A pipeline can be a member of a voting or stacking ensemble; it has the final estimator's
/// methods.
impl<T, M> DynClassifier for Pipeline<T, M>
where
    T: Transformer + Clone + Send + Sync + 'static,
    M: DynClassifier + Clone + 'static,
{
    fn name(&self) -> &'static str {
        "Pipeline"
    }

    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<usize>) -> Result<()> {
        let xt = dyn_width(self.fit_transformer(x)?)?;
        self.estimator.fit_dyn(&xt, y)
    }

    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<usize>> {
        self.estimator
            .predict_dyn(&dyn_width(self.transformer.transform(x)?)?)
    }

    fn classes_dyn(&self) -> Option<&[usize]> {
        self.estimator.classes_dyn()
    }

    fn has_predict_proba(&self) -> bool {
        self.estimator.has_predict_proba()
    }

    fn predict_proba_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
        self.estimator
            .predict_proba_dyn(&dyn_width(self.transformer.transform(x)?)?)
    }

    fn has_decision_function(&self) -> bool {
        self.estimator.has_decision_function()
    }

    fn decision_function_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
        self.estimator
            .decision_function_dyn(&dyn_width(self.transformer.transform(x)?)?)
    }

    fn set_random_state(&mut self, seed: u64) {
        self.estimator.set_random_state(seed);
    }

    fn clone_dyn(&self) -> Box<dyn DynClassifier> {
        Box::new(self.clone())
    }
}

/// A pipeline can be a member of a voting or stacking regressor.
impl<T, M> DynRegressor for Pipeline<T, M>
where
    T: Transformer + Clone + Send + Sync + 'static,
    M: DynRegressor + Clone + 'static,
{
    fn name(&self) -> &'static str {
        "Pipeline"
    }

    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<f64>) -> Result<()> {
        let xt = dyn_width(self.fit_transformer(x)?)?;
        self.estimator.fit_dyn(&xt, y)
    }

    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<f64>> {
        self.estimator
            .predict_dyn(&dyn_width(self.transformer.transform(x)?)?)
    }

    fn set_random_state(&mut self, seed: u64) {
        self.estimator.set_random_state(seed);
    }

    fn clone_dyn(&self) -> Box<dyn DynRegressor> {
        Box::new(self.clone())
    }
}

/// Two transformers in order: the second is fitted on the output of the first.
impl<A: Transformer, B: Transformer> Transformer for (A, B) {
    type Width<F: Dim> = B::Width<A::Width<F>>;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        let xa = self.0.fit_transform(x)?;
        self.1.fit(&xa)?;
        Ok(self)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        self.1.transform(&self.0.transform(x)?)
    }
}

/// Three transformers in order, each fitted on the output of the one before.
impl<A: Transformer, B: Transformer, C: Transformer> Transformer for (A, B, C) {
    type Width<F: Dim> = C::Width<B::Width<A::Width<F>>>;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        let xa = self.0.fit_transform(x)?;
        let xb = self.1.fit_transform(&xa)?;
        self.2.fit(&xb)?;
        Ok(self)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        self.2.transform(&self.1.transform(&self.0.transform(x)?)?)
    }
}
