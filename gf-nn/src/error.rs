//! The error of gf-nn's module-level operations: checkpoints and state dicts, on top of the
//! tensor layer's [`gf_core::Error`].

use core::fmt;

/// What went wrong while saving, loading or converting a module's state.
#[derive(Debug)]
pub enum Error {
    /// A tensor op failed.
    Tensor(gf_core::Error),
    /// The file could not be read or written, or is not a valid safetensors file.
    Data(gf_data::Error),
    /// The model has a tensor the state dict lacks (a strict load).
    MissingKeys(Vec<String>),
    /// The state dict has tensors the model lacks (a strict load).
    UnexpectedKeys(Vec<String>),
    /// A stored tensor's shape differs from the model's.
    Shape {
        /// The tensor's state-dict name (`fc1.weight`).
        name: String,
        /// The model's shape.
        expected: Vec<usize>,
        /// The stored shape.
        found: Vec<usize>,
    },
    /// A stored parameter's dtype differs from the model's.
    Dtype {
        /// The tensor's state-dict name.
        name: String,
        /// The model's dtype (`F32`).
        expected: String,
        /// The stored dtype.
        found: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Tensor(e) => write!(f, "{e}"),
            Error::Data(e) => write!(f, "{e}"),
            Error::MissingKeys(k) => write!(f, "missing keys in the state dict: {k:?}"),
            Error::UnexpectedKeys(k) => write!(f, "unexpected keys in the state dict: {k:?}"),
            Error::Shape {
                name,
                expected,
                found,
            } => write!(
                f,
                "tensor {name:?}: the model has shape {expected:?}, the state dict has {found:?}"
            ),
            Error::Dtype {
                name,
                expected,
                found,
            } => write!(
                f,
                "tensor {name:?}: the model holds {expected}, the state dict holds {found}"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tensor(e) => Some(e),
            Error::Data(e) => Some(e),
            _ => None,
        }
    }
}

impl From<gf_core::Error> for Error {
    fn from(e: gf_core::Error) -> Self {
        Error::Tensor(e)
    }
}

impl From<gf_data::Error> for Error {
    fn from(e: gf_data::Error) -> Self {
        Error::Data(e)
    }
}

/// `Result` with gf-nn's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
