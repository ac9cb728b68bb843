//! The one error type of GhostFlow's tensor layer.

use core::fmt;

/// What went wrong in a tensor op. Every `try_*` op returns it instead of panicking.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Operand shapes that do not fit together.
    Shape {
        /// The op that was called.
        op: &'static str,
        /// What was expected and what was given.
        message: String,
    },
    /// An index outside the dimension it indexes.
    Index {
        /// The op that was called.
        op: &'static str,
        /// The offending index.
        index: usize,
        /// The size of the indexed dimension.
        size: usize,
    },
    /// An argument outside its domain (a zero stride, a probability above 1, ...).
    Argument {
        /// The op that was called.
        op: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The device could not do the work (allocation, launch, transfer).
    Device(String),
    /// The operands of an op live on different devices.
    DeviceMismatch {
        /// The op that was called.
        op: &'static str,
        /// The device of the first operand.
        lhs: String,
        /// The device of the other operand.
        rhs: String,
    },
    /// The recorded graph cannot give the gradient asked for (it was consumed by an earlier
    /// `backward()`, or a gradient buffer has the wrong type).
    Backward(String),
}

impl Error {
    pub(crate) fn shape(op: &'static str, message: impl Into<String>) -> Self {
        Error::Shape {
            op,
            message: message.into(),
        }
    }
    pub(crate) fn argument(op: &'static str, message: impl Into<String>) -> Self {
        Error::Argument {
            op,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Shape { op, message } => write!(f, "{op}: shape error: {message}"),
            Error::Index { op, index, size } => {
                write!(
                    f,
                    "{op}: index {index} is out of bounds for a dimension of size {size}"
                )
            }
            Error::Argument { op, message } => write!(f, "{op}: invalid argument: {message}"),
            Error::Device(m) => write!(f, "device error: {m}"),
            Error::DeviceMismatch { op, lhs, rhs } => write!(
                f,
                "{op}: the operands live on different devices ({lhs} and {rhs}); move one with `to_device`"
            ),
            Error::Backward(m) => write!(f, "backward: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with GhostFlow's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
