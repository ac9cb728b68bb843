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
