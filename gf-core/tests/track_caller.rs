//! A panicking convenience form points at the caller's line, not into gf-core.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use gf_core::prelude::*;
use gf_core::testing::{test_device, TestDevice};

type V = Tensor<(usize,), f64, TestDevice>;

#[test]
fn panicking_forms_report_the_callers_file() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = seen.clone();
    std::panic::set_hook(Box::new(move |info| {
        let file = info.location().map_or("?".into(), |l| l.file().to_string());
        sink.lock().unwrap().push(file);
    }));
    let dev = test_device();
    let (a, b): (V, V) = (dev.zeros_like(&(2,)), dev.zeros_like(&(3,)));
    let m: Tensor<(usize, usize), f64, TestDevice> = dev.zeros_like(&(2, 3));
    let cases: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| drop(a.clone().add(b.clone()))),
        Box::new(|| drop(m.clone().matmul(m.clone()))),
        Box::new(|| drop(a.clone().narrow::<Axis<0>>(1, 5))),
        Box::new(|| drop(a.clone().reshape_like(&(5usize,)))),
        Box::new(|| drop(dev.tensor_from_vec(vec![1.0f64], (2usize,)))),
    ];
    for case in &cases {
        assert!(catch_unwind(AssertUnwindSafe(case)).is_err());
    }
    let _ = std::panic::take_hook();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), cases.len());
    for file in seen.iter() {
        assert!(
            file.ends_with("track_caller.rs"),
            "a panic pointed at {file}"
        );
    }
}
