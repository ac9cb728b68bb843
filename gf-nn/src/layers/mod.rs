//! The layers, one file per family.

pub mod activation;
pub mod conv;
pub mod dropout;
pub mod embedding;
pub mod linear;
pub mod norm;
pub mod pool;

pub use activation::{
    Hardsigmoid, Hardswish, Hardtanh, Identity, LeakyReLU, LogSoftmax, Mish, PReLU, ReLU, ReLU6,
    SiLU, Sigmoid, Softmax, Softplus, Tanh, ELU, GELU, SELU,
};
pub use conv::Conv2d;
pub use dropout::{Dropout, Flatten};
pub use embedding::Embedding;
pub use linear::{FeaturesFit, Linear};
pub use norm::{BatchNorm, BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, RMSNorm, RunningStats};
pub use pool::{AdaptiveAvgPool2d, AvgPool2d, MaxPool2d};
pub mod bilinear;
pub mod conv1d;
pub mod conv_transpose;
pub mod dropout2d;
pub mod instance_norm;
pub mod pool1d;
pub mod residual;
pub mod upsample;
pub use bilinear::Bilinear;
pub use conv1d::Conv1d;
pub use conv_transpose::ConvTranspose2d;
pub use dropout2d::Dropout2d;
pub use instance_norm::InstanceNorm2d;
pub use pool1d::{AvgPool1d, MaxPool1d};
pub use residual::{Residual, CELU};
pub use upsample::{Upsample, UpsampleMode, UpsampleTo};
