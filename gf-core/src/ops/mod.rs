//! The ops, one module per family. Each family module holds the user-facing methods, the
//! kernel trait devices implement, and (in `cpu_kernel.rs`) the CPU kernel.

pub mod binary;
pub mod compare;
pub mod create;
pub mod index;
pub mod matmul;
pub mod reduce;
pub mod unary;
pub mod view;
