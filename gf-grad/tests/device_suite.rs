//! The device-parity suite on the CPU itself: a device crate stamps the same bodies for its own
//! device; here they run on a second CPU handle, which keeps the harness exercised.

gf_grad::device_tests!(gf_core::Cpu::seed_from_u64(1));
