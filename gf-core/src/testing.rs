//! What test suites name instead of a concrete device and element type, so one test body can
//! run on another device by changing these aliases (as dfdx's `TestDevice` does); a device crate
//! runs the shared parity suite with `gf_grad::device_tests!`.

use crate::device::Cpu;

/// The device gf-core's and gf-grad's own suites run on.
pub type TestDevice = Cpu;
/// The element type the suites check gradients in.
pub type TestDtype = f64;

/// The device the suites run on, seeded so a test repeats.
pub fn test_device() -> TestDevice {
    Cpu::seed_from_u64(0)
}
