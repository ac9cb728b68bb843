//! gf-grad
