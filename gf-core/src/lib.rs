//! gf-core
