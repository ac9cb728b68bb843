//! [`DynClassifier`] and [`DynRegressor`]: estimators of different types behind one trait
//! object, so that an ensemble of anything (voting, stacking, bagging) can hold a list of them.
//!
//! The estimator traits of [`traits`](crate::traits) are generic over the input's width and
//! element type, so they cannot be trait objects. These forms fix the input to
//! `(usize, usize)`-shaped `f64` tensors (every estimator computes in `f64` anyway) and say at
//! run time what scikit-learn finds with `hasattr`: whether the estimator has `predict_proba`
//! or `decision_function`. Every gf-learn classifier and regressor implements them; a user's
//! own estimator can too.

use gf_core::shape::Dim;
use gf_core::Dtype;

use crate::discriminant_analysis::{LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis};
use crate::error::{Error, Result};
use crate::linear_model::{
    ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, RidgeCV, RidgeClassifier,
};
use crate::naive_bayes::{BernoulliNB, GaussianNB, MultinomialNB};
use crate::neighbors::{KNeighborsClassifier, KNeighborsRegressor};
use crate::svm::{NuSVC, NuSVR, SVC, SVR};
use crate::traits::{
    Classifier, DecisionFunction, Features, PredictProba, Regressor, Scores, Target,
};
use crate::tree::{DecisionTreeClassifier, DecisionTreeRegressor};
use crate::validation::check_x;

use super::{
    AdaBoostClassifier, AdaBoostRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
    GradientBoostingClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier,
    HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor,
};

/// The input of a [`DynClassifier`] or [`DynRegressor`]: samples in rows, `f64`.
pub type DynFeatures = Features<usize, f64>;

/// `x` as a [`DynFeatures`], checked once (not empty, finite).
pub(crate) fn dyn_features<F: Dim, E: Dtype>(
    op: &'static str,
    x: &Features<F, E>,
) -> Result<DynFeatures> {
    check_x(op, x)?.to_tensor::<f64>()
}

/// `Err` unless an ensemble has members, each under its own name.
pub(crate) fn check_members<M>(estimator: &'static str, members: &[(String, M)]) -> Result<()> {
    if members.is_empty() {
        return Err(Error::input(
            estimator,
            "'estimators' should be a non-empty list of (name, estimator)",
        ));
    }
    for (i, (name, _)) in members.iter().enumerate() {
        if members[..i].iter().any(|(n, _)| n == name) {
            return Err(Error::input(
                estimator,
                format!("names provided are not unique: '{name}' is repeated"),
            ));
        }
    }
    Ok(())
}

/// The `Err` of a method the estimator does not have.
fn missing(estimator: &str, method: &str) -> Error {
    Error::input(
        "ensemble member",
        format!("{estimator} does not implement {method}"),
    )
}

/// A classifier behind a trait object.
pub trait DynClassifier: Send + Sync {
    /// The estimator's type name, for messages.
    fn name(&self) -> &'static str;

    /// Fits to `x` and the labels `y`.
    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<usize>) -> Result<()>;

    /// The predicted label of each row.
    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<usize>>;

    /// The classes seen by fit, sorted; `None` before fit.
    fn classes_dyn(&self) -> Option<&[usize]>;

    /// Whether [`predict_proba_dyn`](Self::predict_proba_dyn) is available (for an SVC, only
    /// with `probability`).
    fn has_predict_proba(&self) -> bool {
        false
    }

    /// The probability of each class, columns in the order of the classes.
    fn predict_proba_dyn(&self, _x: &DynFeatures) -> Result<Scores<f64>> {
        Err(missing(self.name(), "predict_proba"))
    }

    /// Whether [`decision_function_dyn`](Self::decision_function_dyn) is available.
    fn has_decision_function(&self) -> bool {
        false
    }

    /// The confidence score of each class (one column for two classes).
    fn decision_function_dyn(&self, _x: &DynFeatures) -> Result<Scores<f64>> {
        Err(missing(self.name(), "decision_function"))
    }

    /// Whether [`fit_weighted_dyn`](Self::fit_weighted_dyn) is available.
    fn supports_sample_weight(&self) -> bool {
        false
    }

    /// Fits with a weight per sample (bagging passes its bootstrap counts so).
    fn fit_weighted_dyn(
        &mut self,
        _x: &DynFeatures,
        _y: &Target<usize>,
        _w: &Target<f64>,
    ) -> Result<()> {
        Err(missing(self.name(), "fit with sample_weight"))
    }

    /// Sets the estimator's `random_state`, if it has one (bagging seeds each member).
    fn set_random_state(&mut self, _seed: u64) {}

    /// A copy, boxed.
    fn clone_dyn(&self) -> Box<dyn DynClassifier>;
}

/// A regressor behind a trait object.
pub trait DynRegressor: Send + Sync {
    /// The estimator's type name, for messages.
    fn name(&self) -> &'static str;

    /// Fits to `x` and the targets `y`.
    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<f64>) -> Result<()>;

    /// The predicted target of each row.
    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<f64>>;

    /// Whether [`fit_weighted_dyn`](Self::fit_weighted_dyn) is available.
    fn supports_sample_weight(&self) -> bool {
        false
    }

    /// Fits with a weight per sample.
    fn fit_weighted_dyn(
        &mut self,
        _x: &DynFeatures,
        _y: &Target<f64>,
        _w: &Target<f64>,
    ) -> Result<()> {
        Err(missing(self.name(), "fit with sample_weight"))
    }

    /// Sets the estimator's `random_state`, if it has one.
    fn set_random_state(&mut self, _seed: u64) {}

    /// A copy, boxed.
    fn clone_dyn(&self) -> Box<dyn DynRegressor>;
}

impl Clone for Box<dyn DynClassifier> {
    fn clone(&self) -> Self {
        self.clone_dyn()
    }
}

impl Clone for Box<dyn DynRegressor> {
    fn clone(&self) -> Self {
        self.clone_dyn()
    }
}

/// The method a [`DynClassifier`] has beyond `fit` / `predict`, implemented by forwarding.
macro_rules! capability {
    (sample_weight, $label:ty) => {
        fn supports_sample_weight(&self) -> bool {
            true
        }

        fn fit_weighted_dyn(
            &mut self,
            x: &DynFeatures,
            y: &Target<$label>,
            w: &Target<f64>,
        ) -> Result<()> {
            self.fit_weighted(x, y, w).map(|_| ())
        }
    };
    (predict_proba, $label:ty) => {
        fn has_predict_proba(&self) -> bool {
            true
        }

        fn predict_proba_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
            PredictProba::predict_proba(self, x)
        }
    };
    (decision_function, $label:ty) => {
        fn has_decision_function(&self) -> bool {
            true
        }

        fn decision_function_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
            DecisionFunction::decision_function(self, x)
        }
    };
    (random_state, $label:ty) => {
        fn set_random_state(&mut self, seed: u64) {
            *self = self.clone().random_state(seed);
        }
    };
}

/// `impl DynClassifier` for classifiers, each with the capabilities it lists.
macro_rules! dyn_classifier {
    ($($ty:ident { $($cap:ident),* })*) => {$(
        impl DynClassifier for $ty {
            fn name(&self) -> &'static str {
                stringify!($ty)
            }

            fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<usize>) -> Result<()> {
                Classifier::fit(self, x, y).map(|_| ())
            }

            fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<usize>> {
                Classifier::predict(self, x)
            }

            fn classes_dyn(&self) -> Option<&[usize]> {
                Classifier::classes_(self)
            }

            fn clone_dyn(&self) -> Box<dyn DynClassifier> {
                Box::new(self.clone())
            }

            $(capability!($cap, usize);)*
        }
    )*};
}

/// `impl DynRegressor` for regressors; `random_state` when they have one.
macro_rules! dyn_regressor {
    ($($ty:ident { $($cap:ident),* })*) => {$(
        impl DynRegressor for $ty {
            fn name(&self) -> &'static str {
                stringify!($ty)
            }

            fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<f64>) -> Result<()> {
                Regressor::fit(self, x, y).map(|_| ())
            }

            fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<f64>> {
                Regressor::predict(self, x)
            }

            fn clone_dyn(&self) -> Box<dyn DynRegressor> {
                Box::new(self.clone())
            }

            $(capability!($cap, f64);)*
        }
    )*};
}

dyn_classifier! {
    DecisionTreeClassifier { predict_proba, random_state, sample_weight }
    RandomForestClassifier { predict_proba, random_state }
    ExtraTreesClassifier { predict_proba, random_state }
    GradientBoostingClassifier { predict_proba, decision_function, random_state }
    HistGradientBoostingClassifier { predict_proba, decision_function, random_state }
    AdaBoostClassifier { predict_proba, decision_function, random_state }
    LogisticRegression { predict_proba, decision_function }
    RidgeClassifier { decision_function }
    GaussianNB { predict_proba }
    MultinomialNB { predict_proba }
    BernoulliNB { predict_proba }
    KNeighborsClassifier { predict_proba }
    LinearDiscriminantAnalysis { predict_proba, decision_function }
    QuadraticDiscriminantAnalysis { predict_proba, decision_function }
}

dyn_regressor! {
    DecisionTreeRegressor { random_state, sample_weight }
    RandomForestRegressor { random_state }
    ExtraTreesRegressor { random_state }
    GradientBoostingRegressor { random_state }
    HistGradientBoostingRegressor { random_state }
    AdaBoostRegressor { random_state }
    LinearRegression {}
    Ridge {}
    RidgeCV {}
    Lasso {}
    ElasticNet {}
    KNeighborsRegressor {}
    SVR { sample_weight }
    NuSVR { sample_weight }
}

/// An SVC has `predict_proba` only when it is fitted with `probability`, as scikit-learn's.
impl DynClassifier for SVC {
    fn name(&self) -> &'static str {
        "SVC"
    }

    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<usize>) -> Result<()> {
        Classifier::fit(self, x, y).map(|_| ())
    }

    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<usize>> {
        Classifier::predict(self, x)
    }

    fn classes_dyn(&self) -> Option<&[usize]> {
        Classifier::classes_(self)
    }

    fn has_predict_proba(&self) -> bool {
        self.probability_enabled()
    }

    fn predict_proba_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
        PredictProba::predict_proba(self, x)
    }

    capability!(decision_function, usize);
    capability!(random_state, usize);
    capability!(sample_weight, usize);

    fn clone_dyn(&self) -> Box<dyn DynClassifier> {
        Box::new(self.clone())
    }
}

/// A NuSVC, as an SVC, has `predict_proba` only when it is fitted with `probability`.
impl DynClassifier for NuSVC {
    fn name(&self) -> &'static str {
        "NuSVC"
    }

    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<usize>) -> Result<()> {
        Classifier::fit(self, x, y).map(|_| ())
    }

    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<usize>> {
        Classifier::predict(self, x)
    }

    fn classes_dyn(&self) -> Option<&[usize]> {
        Classifier::classes_(self)
    }

    fn has_predict_proba(&self) -> bool {
        self.probability_enabled()
    }

    fn predict_proba_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
        PredictProba::predict_proba(self, x)
    }

    capability!(decision_function, usize);
    capability!(random_state, usize);
    capability!(sample_weight, usize);

    fn clone_dyn(&self) -> Box<dyn DynClassifier> {
        Box::new(self.clone())
    }
}

/// A boxed member is a member, so lists built at run time can be handed to the ensembles.
impl DynClassifier for Box<dyn DynClassifier> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<usize>) -> Result<()> {
        (**self).fit_dyn(x, y)
    }

    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<usize>> {
        (**self).predict_dyn(x)
    }

    fn classes_dyn(&self) -> Option<&[usize]> {
        (**self).classes_dyn()
    }

    fn has_predict_proba(&self) -> bool {
        (**self).has_predict_proba()
    }

    fn predict_proba_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
        (**self).predict_proba_dyn(x)
    }

    fn has_decision_function(&self) -> bool {
        (**self).has_decision_function()
    }

    fn decision_function_dyn(&self, x: &DynFeatures) -> Result<Scores<f64>> {
        (**self).decision_function_dyn(x)
    }

    fn supports_sample_weight(&self) -> bool {
        (**self).supports_sample_weight()
    }

    fn fit_weighted_dyn(
        &mut self,
        x: &DynFeatures,
        y: &Target<usize>,
        w: &Target<f64>,
    ) -> Result<()> {
        (**self).fit_weighted_dyn(x, y, w)
    }

    fn set_random_state(&mut self, seed: u64) {
        (**self).set_random_state(seed);
    }

    fn clone_dyn(&self) -> Box<dyn DynClassifier> {
        (**self).clone_dyn()
    }
}

/// A boxed member is a member.
impl DynRegressor for Box<dyn DynRegressor> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn fit_dyn(&mut self, x: &DynFeatures, y: &Target<f64>) -> Result<()> {
        (**self).fit_dyn(x, y)
    }

    fn predict_dyn(&self, x: &DynFeatures) -> Result<Target<f64>> {
        (**self).predict_dyn(x)
    }

    fn supports_sample_weight(&self) -> bool {
        (**self).supports_sample_weight()
    }

    fn fit_weighted_dyn(
        &mut self,
        x: &DynFeatures,
        y: &Target<f64>,
        w: &Target<f64>,
    ) -> Result<()> {
        (**self).fit_weighted_dyn(x, y, w)
    }

    fn set_random_state(&mut self, seed: u64) {
        (**self).set_random_state(seed);
    }

    fn clone_dyn(&self) -> Box<dyn DynRegressor> {
        (**self).clone_dyn()
    }
}
