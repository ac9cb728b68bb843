//! Preprocessing with fit / transform, matching scikit-learn: scalers, encoders, imputation,
//! polynomial features, and train / test splits.
