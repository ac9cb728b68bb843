//! Tests of the conv ops.

use super::*;
use crate::prelude::*;
use crate::testing::{test_device, TestDevice};

#[test]
fn typed_output_sizes_are_computed_when_compiling() {
    let dev = test_device();
    let x: Tensor<Rank4<1, 3, 28, 28>, f32, TestDevice> = dev.zeros();
    let w: Tensor<Rank4<6, 3, 5, 5>, f32, TestDevice> = dev.zeros();
    let _: Tensor<Rank4<1, 6, 24, 24>, f32, TestDevice> =
        x.clone().conv2d(w.clone(), Conv2dOpts::new());
    let _: Tensor<Rank4<1, 6, 14, 14>, f32, TestDevice> =
        x.conv2d(w, Conv2dOpts::new().stride(Const::<2>).padding(Const::<2>));
    let up: Tensor<Rank4<1, 4, 7, 7>, f32, TestDevice> = dev.zeros();
    let wt: Tensor<Rank4<4, 2, 4, 4>, f32, TestDevice> = dev.zeros();
    let _: Tensor<Rank4<1, 2, 14, 14>, f32, TestDevice> =
        up.conv_transpose2d(wt, Conv2dOpts::new().stride(Const::<2>).padding(Const::<1>));
    let s: Tensor<Rank3<2, 3, 10>, f32, TestDevice> = dev.zeros();
    let k: Tensor<Rank3<4, 3, 3>, f32, TestDevice> = dev.zeros();
    let _: Tensor<Rank3<2, 4, 8>, f32, TestDevice> = s.conv1d(k, Conv2dOpts::new());
}

#[test]
fn known_values() {
    // a 3×3 image of 1..9, a 2×2 kernel of ones: each output sums a 2×2 window
    let dev = test_device();
    let x = dev.tensor([[[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]);
    let w = dev.tensor([[[[1.0f32, 1.0], [1.0, 1.0]]]]);
    assert_eq!(
        x.clone().conv2d(w.clone(), Conv2dOpts::new()).to_vec(),
        vec![12.0, 16.0, 24.0, 28.0]
    );
    // padding 1, stride 2: windows at the corners
    assert_eq!(
        x.conv2d(
            w.clone(),
            Conv2dOpts::new().stride(Runtime(2)).padding(Runtime(1))
        )
        .to_vec(),
        vec![1.0, 5.0, 11.0, 28.0]
    );
    // transposed conv of a single 1 spreads the kernel
    let one = dev.tensor([[[[1.0f32]]]]);
    assert_eq!(
        one.conv_transpose2d(w, Conv2dOpts::new()).to_vec(),
        vec![1.0, 1.0, 1.0, 1.0]
    );
}

#[test]
fn runtime_mismatches_are_errs() {
    let dev = test_device();
    let x: Tensor<(usize, usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(1, 4, 5, 5));
    let w3: Tensor<(usize, usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(2, 3, 3, 3));
    assert!(x.clone().try_conv2d(w3.clone(), Conv2dOpts::new()).is_err());
    let w2: Tensor<(usize, usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(2, 2, 3, 3));
    assert!(x
        .clone()
        .try_conv2d(w2.clone(), Conv2dOpts::new().groups(Runtime(2)))
        .is_ok());
    assert!(x
        .clone()
        .try_conv2d(w2.clone(), Conv2dOpts::new().groups(Runtime(3)))
        .is_err());
    let big: Tensor<(usize, usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(2, 4, 7, 7));
    assert!(x.clone().try_conv2d(big, Conv2dOpts::new()).is_err());
    assert!(x
        .try_conv2d(w2, Conv2dOpts::new().stride(Runtime(0)))
        .is_err());
}

fn op_of(e: Error) -> &'static str {
    match e {
        Error::Shape { op, .. } | Error::Argument { op, .. } => op,
        other => panic!("expected a shape or argument error, got {other:?}"),
    }
}

#[test]
fn runtime_groups_are_checked_when_running() {
    let dev = test_device();
    let x: Tensor<Rank4<1, 8, 5, 5>, f32, TestDevice> = dev.zeros();
    let w: Tensor<Rank4<6, 4, 3, 3>, f32, TestDevice> = dev.zeros();
    let y = x
        .clone()
        .try_conv2d(w.clone(), Conv2dOpts::new().groups(Runtime(2)))
        .unwrap();
    assert_eq!(y.dims(), [1, 6, 3, 3]);
    let e = x
        .clone()
        .try_conv2d(w.clone(), Conv2dOpts::new().groups(Runtime(3)))
        .unwrap_err();
    assert_eq!(op_of(e.clone()), "conv2d", "{e}");
    assert!(e.to_string().contains("3 groups"), "{e}");
    // the output channels must split into the groups as well
    let e = x
        .try_conv2d(w, Conv2dOpts::new().groups(Runtime(4)))
        .unwrap_err();
    assert!(e.to_string().contains("4 groups"), "{e}");
}

#[test]
fn typed_groups_give_typed_outputs() {
    let dev = test_device();
    let x: Tensor<Rank4<1, 8, 5, 5>, f32, TestDevice> = dev.ones();
    let w: Tensor<Rank4<6, 4, 3, 3>, f32, TestDevice> = dev.ones();
    let y: Tensor<Rank4<1, 6, 3, 3>, f32, TestDevice> =
        x.conv2d(w, Conv2dOpts::new().groups(Const::<2>));
    // each output sums a 3×3 window over its group's 4 channels
    assert_eq!(y.to_vec(), vec![36.0; 54]);
    let s: Tensor<Rank3<1, 6, 9>, f32, TestDevice> = dev.ones();
    let k: Tensor<Rank3<3, 2, 3>, f32, TestDevice> = dev.ones();
    let _: Tensor<Rank3<1, 3, 7>, f32, TestDevice> =
        s.conv1d(k, Conv2dOpts::new().groups(Const::<3>));
}

#[test]
fn errors_name_the_op_that_was_called() {
    let dev = test_device();
    let s: Tensor<(usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(1, 2, 4));
    let k: Tensor<(usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(3, 2, 5));
    let e = s.clone().try_conv1d(k, Conv2dOpts::new()).unwrap_err();
    assert_eq!(op_of(e), "conv1d");
    let k: Tensor<(usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(3, 1, 2));
    let e = s
        .clone()
        .try_conv1d(k.clone(), Conv2dOpts::new())
        .unwrap_err();
    assert_eq!(op_of(e), "conv1d");
    let e = s
        .try_conv1d(k, Conv2dOpts::new().stride(Runtime(0)))
        .unwrap_err();
    assert_eq!(op_of(e), "conv1d");
    let x: Tensor<(usize, usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(1, 2, 3, 3));
    let w: Tensor<(usize, usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(2, 2, 5, 5));
    let e = x
        .clone()
        .try_conv2d(w.clone(), Conv2dOpts::new())
        .unwrap_err();
    assert_eq!(op_of(e.clone()), "conv2d");
    assert!(e.to_string().contains("does not fit"), "{e}");
    let e = x
        .try_conv_transpose2d(w, Conv2dOpts::new().padding(Runtime(9)))
        .unwrap_err();
    assert_eq!(op_of(e), "conv_transpose2d");
}
