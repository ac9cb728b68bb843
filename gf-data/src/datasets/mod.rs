//! Small datasets bundled with the crate (iris, digits, wine, breast cancer, diabetes) and
//! seeded generators of synthetic ones, named like scikit-learn's.
//!
//! ```
//! use gf_data::datasets::{load_iris, Blobs};
//!
//! let iris = load_iris().unwrap();
//! assert_eq!(iris.data.dims(), [150, 4]);
//!
//! // Three Gaussian blobs in 2-D; the same seed gives the same data.
//! let (x, y) = Blobs::new().n_samples(300).centers(3).generate(42).unwrap();
//! assert_eq!((x.dims(), y.dims()), ([300, 2], [300]));
//! ```

pub mod generators;
mod toy;

pub use generators::{
    make_blobs, make_circles, make_classification, make_moons, make_regression, Blobs, Centers,
    Circles, Classification, FeatureKind, Moons, Regression, Samples, Values,
};
pub use toy::{
    load_breast_cancer, load_diabetes, load_diabetes_raw, load_digits, load_digits_n_class,
    load_iris, load_wine, Bunch, BunchDataset,
};
