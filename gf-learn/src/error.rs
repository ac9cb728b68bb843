//! The one error type of gf-learn. Each variant names what the user got wrong and where: the
//! hyper-parameter and its allowed range, the row and column of a non-finite value, the
//! estimator that is not fitted yet.

use std::fmt;

/// What went wrong while fitting, predicting or scoring.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A hyper-parameter outside its allowed range, found when `fit` validates it.
    InvalidParameter {
        /// The estimator, as scikit-learn names it (`"Ridge"`).
        estimator: &'static str,
        /// The parameter, with scikit-learn's name (`"alpha"`).
        name: &'static str,
        /// The allowed values, in words (`"a float in [0, inf)"`).
        allowed: &'static str,
        /// The value that was given.
        got: String,
    },
    /// Input data that cannot be used: empty, of mismatched lengths, of the wrong width, with
    /// one class only.
    InvalidInput {
        /// The method that was called (`"LogisticRegression::fit"`).
        op: &'static str,
        /// What was expected and what was given.
        message: String,
    },
    /// A NaN or an infinity in the input, which this estimator does not support.
    NonFinite {
        /// The method that was called.
        op: &'static str,
        /// The argument that holds it (`"X"`, `"y"`).
        input: &'static str,
        /// The row (sample) of the first non-finite value.
        row: usize,
        /// Its column (feature); 0 for a 1-D input.
        col: usize,
        /// The value itself (NaN, inf or -inf).
        value: f64,
    },
    /// A method that needs a fitted estimator was called before `fit`.
    NotFitted {
        /// The estimator.
        estimator: &'static str,
        /// The method that was called.
        op: &'static str,
    },
    /// A linear-algebra routine failed (a matrix that is not positive definite, an SVD that
    /// did not converge).
    Linalg {
        /// The method that was called.
        op: &'static str,
        /// What failed.
        message: String,
    },
    /// A tensor op failed (a shape that does not fit, for example).
    Tensor(gf_core::Error),
}

/// `Result` with gf-learn's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An [`Error::InvalidInput`] raised by `op`.
    pub fn input(op: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            op,
            message: message.into(),
        }
    }

    /// An [`Error::InvalidParameter`] for `estimator`'s parameter `name`.
    pub fn parameter(
        estimator: &'static str,
        name: &'static str,
        allowed: &'static str,
        got: impl fmt::Debug,
    ) -> Self {
        Error::InvalidParameter {
            estimator,
            name,
            allowed,
            got: format!("{got:?}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter {
                estimator,
                name,
                allowed,
                got,
            } => write!(
                f,
                "the '{name}' parameter of {estimator} must be {allowed}; got {got}"
            ),
            Error::InvalidInput { op, message } => write!(f, "{op}: {message}"),
            Error::NonFinite {
                op,
                input,
                row,
                col,
                value,
            } => write!(
                f,
                "{op}: input {input} contains {value} at row {row}, column {col}; \
                 this estimator does not accept NaN or infinite values"
            ),
            Error::NotFitted { estimator, op } => write!(
                f,
                "{op}: this {estimator} instance is not fitted yet; call `fit` before using it"
            ),
            Error::Linalg { op, message } => write!(f, "{op}: {message}"),
            Error::Tensor(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tensor(e) => Some(e),
            _ => None,
        }
    }
}

impl From<gf_core::Error> for Error {
    fn from(e: gf_core::Error) -> Self {
        Error::Tensor(e)
    }
}
