//! The error of a training run: what failed, and where (which file, which parameter, which
//! step).

use core::fmt;
use std::path::PathBuf;

/// What stopped a training run, an evaluation or a checkpoint.
#[derive(Debug)]
pub enum Error {
    /// A module-level operation failed (a forward pass, a state dict, a weight file).
    Nn(gf_nn::Error),
    /// The data loader failed to make a batch.
    Data(gf_data::Error),
    /// A file of the run (log, plot, checkpoint) could not be written or read.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A checkpoint is corrupt, truncated, or from another model or optimizer.
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A loss, gradient or parameter became NaN or infinite (see
    /// [`Trainer::detect_anomaly`](crate::Trainer::detect_anomaly)).
    NonFinite {
        /// What went non-finite: `loss`, `gradient of fc1.weight`, `parameter fc1.weight`.
        what: String,
        /// The epoch (from 0).
        epoch: usize,
        /// The optimizer step (from 0) in the whole run.
        step: usize,
    },
    /// A setting of the trainer, a metric or a callback is invalid.
    Config(String),
    /// A plot could not be drawn.
    Plot {
        /// The PNG being drawn.
        path: PathBuf,
        /// What the drawing backend said.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Nn(e) => write!(f, "{e}"),
            Error::Data(e) => write!(f, "{e}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Checkpoint { path, reason } => {
                write!(f, "checkpoint {}: {reason}", path.display())
            }
            Error::NonFinite { what, epoch, step } => write!(
                f,
                "the {what} is not finite (NaN or infinite) at epoch {epoch}, step {step}"
            ),
            Error::Config(m) => write!(f, "invalid training setting: {m}"),
            Error::Plot { path, reason } => write!(f, "plot {}: {reason}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Nn(e) => Some(e),
            Error::Data(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<gf_nn::Error> for Error {
    fn from(e: gf_nn::Error) -> Self {
        Error::Nn(e)
    }
}

impl From<gf_core::Error> for Error {
    fn from(e: gf_core::Error) -> Self {
        Error::Nn(gf_nn::Error::Tensor(e))
    }
}

impl From<gf_data::Error> for Error {
    fn from(e: gf_data::Error) -> Self {
        Error::Data(e)
    }
}

/// `Result` with gf-train's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Attaches the file's path to an I/O error.
pub(crate) fn io_at(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
