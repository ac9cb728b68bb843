//! The ops, one module per family. Each family module holds the user-facing methods, the
//! kernel trait devices implement, and (in `cpu_kernel.rs`) the CPU kernel.

pub mod assign;
pub mod binary;
pub mod cast;
pub mod compare;
pub mod conv;
pub mod create;
pub mod dropout;
pub mod index;
pub mod matmul;
pub mod pool;
pub mod reduce;
pub mod unary;
pub mod view;
