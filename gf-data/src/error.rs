//! The one error type of gf-data. Every error that comes from a file names the file and where in
//! it things went wrong; every error that comes from a sample names the sample.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong while reading, transforming or batching data.
#[derive(Debug)]
pub enum Error {
    /// The operating system could not read or write a file.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file that is readable but not in the format it should be: truncated, ragged, corrupt.
    Format {
        /// The file (or a descriptive name for in-memory data, such as `"<bytes>"`).
        path: PathBuf,
        /// Where in the file: `"byte 128"`, `"line 5, column 3"`, `"entry x.npy"`.
        position: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A sample failed while the data loader fetched or transformed it.
    Sample {
        /// The sample's index in the dataset the loader reads.
        index: usize,
        /// Why it failed.
        source: Box<Error>,
    },
    /// A tensor op failed (a shape that does not fit, for example).
    Tensor(gf_core::Error),
    /// An argument outside its domain: a zero batch size, fractions that do not sum to 1, ...
    Argument {
        /// The function that was called.
        op: &'static str,
        /// What is wrong with the argument.
        message: String,
    },
    /// A worker thread panicked; the message is the panic's.
    Worker(String),
}

/// `Result` with gf-data's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// An [`Error::Format`] for `path` at `position`.
    pub fn format(
        path: impl AsRef<Path>,
        position: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Format {
            path: path.as_ref().to_path_buf(),
            position: position.into(),
            message: message.into(),
        }
    }

    /// An [`Error::Argument`] raised by `op`.
    pub fn argument(op: &'static str, message: impl Into<String>) -> Self {
        Error::Argument {
            op,
            message: message.into(),
        }
    }

    /// Wraps `self` as the failure of sample `index` (an error already naming a sample is kept).
    pub fn in_sample(self, index: usize) -> Self {
        match self {
            e @ Error::Sample { .. } => e,
            e => Error::Sample {
                index,
                source: Box::new(e),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Format {
                path,
                position,
                message,
            } => write!(f, "{}: {position}: {message}", path.display()),
            Error::Sample { index, source } => write!(f, "sample {index}: {source}"),
            Error::Tensor(e) => write!(f, "{e}"),
            Error::Argument { op, message } => write!(f, "{op}: invalid argument: {message}"),
            Error::Worker(message) => write!(f, "a data loader worker panicked: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Sample { source, .. } => Some(source.as_ref()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_position_and_sample() {
        let e = Error::format("data/x.npy", "byte 80", "the data ends early").in_sample(12);
        assert_eq!(
            e.to_string(),
            "sample 12: data/x.npy: byte 80: the data ends early"
        );
        // Wrapping twice keeps the innermost sample.
        assert_eq!(e.in_sample(3).to_string().matches("sample").count(), 1);
    }
}
