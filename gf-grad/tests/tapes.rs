//! Shared tapes and run-time recording.

use gf_core::prelude::*;
use gf_grad::prelude::*;

type Dy = Tensor<DynShape, f64, Cpu, DynTape>;

#[test]
fn dyn_tape_records_only_what_requires_grad() {
    let dev = Cpu::default();
    let tape = OwnedTape::new();
    let a = dev.tensor_from_vec(vec![1.0f64, 2.0], DynShape::new([2]));
    let b = dev.tensor_from_vec(vec![3.0f64, 4.0], DynShape::new([2]));
    // a requires grad, b does not: one tensor type, the choice made at run time
    let ta: Dy = a.clone().put_tape(DynTape::active(&tape));
    let tb: Dy = b.clone().put_tape(DynTape::inactive());
    let loss = (ta * tb)
        .exp()
        .try_reduce_axes::<()>(ReduceOp::Sum, &[0])
        .unwrap();
    assert!(loss.tape().is_active());
    let g = loss.backward();
    let want: Vec<f64> = [(1.0f64, 3.0f64), (2.0, 4.0)]
        .iter()
        .map(|(a, b)| b * (a * b).exp())
        .collect();
    assert_eq!(g.get(&a).unwrap().to_vec(), want);
    // the store may also hold a gradient for b (every operand of a recorded op gets one); a
    // front end that exposes `.grad` shows it only for tensors that require grad
    let _ = b;
}

#[test]
fn backward_without_any_recording_tensor_is_an_error() {
    let dev = Cpu::default();
    let x: Dy = dev
        .tensor_from_vec(vec![1.0f64], DynShape::new([1]))
        .put_tape(DynTape::inactive());
    let loss = x
        .square()
        .try_reduce_axes::<()>(ReduceOp::Sum, &[0])
        .unwrap();
    let err = loss.try_backward().unwrap_err();
    assert!(err.to_string().contains("records no tape"), "{err}");
}

#[test]
fn two_models_on_one_shared_tape() {
    let dev = Cpu::default();
    let tape = OwnedTape::new();
    let (x, y) = (dev.tensor([1.0f64, -1.0]), dev.tensor([2.0f64, 0.5]));
    let (w1, w2) = (dev.tensor([0.5f64, 0.5]), dev.tensor([2.0f64, -2.0]));
    // two inputs, two parameter sets, one tape
    let h1 = x.trace_into(&tape) * w1.trace_into(&tape);
    let h2 = y.trace_into(&tape) * w2.trace_into(&tape);
    let loss = (h1 + h2).sum::<Axis<0>>();
    let g = loss.backward();
    assert_eq!(g.get(&w1).unwrap().to_vec(), vec![1.0, -1.0]);
    assert_eq!(g.get(&w2).unwrap().to_vec(), vec![2.0, 0.5]);
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.5, 0.5]);
}
