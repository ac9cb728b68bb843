//! The layers, one file per family.

pub mod activation;
pub mod bilinear;
pub mod conv;
pub mod conv1d;
pub mod conv_transpose;
pub mod dropout;
pub mod dropout2d;
pub mod embedding;
pub mod instance_norm;
pub mod linear;
pub mod norm;
pub mod pool;
pub mod pool1d;
pub mod residual;
pub mod upsample;

pub use activation::{
    Hardsigmoid, Hardswish, Hardtanh, Identity, LeakyReLU, LogSoftmax, Mish, PReLU, ReLU, ReLU6,
    SiLU, Sigmoid, Softmax, Softplus, Tanh, CELU, ELU, GELU, SELU,
};
pub use bilinear::Bilinear;
pub use conv::Conv2d;
pub use conv1d::Conv1d;
pub use conv_transpose::ConvTranspose2d;
pub use dropout::{Dropout, Flatten};
pub use dropout2d::Dropout2d;
pub use embedding::Embedding;
pub use instance_norm::InstanceNorm2d;
pub use linear::{FeaturesFit, Linear};
pub use norm::{BatchNorm, BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, RMSNorm, RunningStats};
pub use pool::{AdaptiveAvgPool2d, AvgPool2d, MaxPool2d};
pub use pool1d::{AvgPool1d, MaxPool1d};
pub use residual::Residual;
pub use upsample::{Upsample, UpsampleMode, UpsampleTo};
