//! The [`Transformer`] trait for the numeric preprocessing estimators, so that generic code
//! (a pipeline, a cross-validation loop) can fit and apply any of them. Each forwards to the
//! estimator's own methods, which stay callable without the trait in scope.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{
    MaxAbsScaler, MinMaxScaler, Normalizer, PolynomialFeatures, RobustScaler, SimpleImputer,
    StandardScaler,
};
use crate::error::Result;
use crate::traits::{Features, Transformed, Transformer};

/// `impl Transformer` for an estimator whose output width type is `$width` (with `F` the
/// input's).
macro_rules! transformer {
    ($ty:ident, width = $width:ty) => {
        impl Transformer for $ty {
            type Width<F: Dim> = $width;

            fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
                $ty::fit(self, x)
            }

            fn transform<F: Dim, E: Dtype>(
                &self,
                x: &Features<F, E>,
            ) -> Result<Transformed<Self::Width<F>, E>> {
                $ty::transform(self, x)
            }
        }
    };
}

transformer!(StandardScaler, width = F);
transformer!(MinMaxScaler, width = F);
transformer!(MaxAbsScaler, width = F);
transformer!(RobustScaler, width = F);
transformer!(Normalizer, width = F);
transformer!(PolynomialFeatures, width = usize);
transformer!(SimpleImputer, width = usize);
