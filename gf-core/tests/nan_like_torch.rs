//! NaN and infinity behave as in PyTorch. PyTorch is not run here; each test states the
//! PyTorch result it pins (torch 2.x, CPU).

use gf_core::ops::reduce::ReduceKernel;
use gf_core::prelude::*;

fn dev() -> Cpu {
    Cpu::default()
}

#[test]
fn matmul_propagates_nan_and_inf_through_zero_terms() {
    let nan = f32::NAN;
    // torch.tensor([[0., 1.]]) @ torch.tensor([[nan], [2.]]) = [[nan]]: 0 * nan is nan
    let a = dev().tensor([[0.0f32, 1.0]]);
    let b = dev().tensor([[nan], [2.0]]);
    assert!(a.matmul(b).to_vec()[0].is_nan());
    // torch.tensor([[0., 1.]]) @ torch.tensor([[inf], [2.]]) = [[nan]]: 0 * inf is nan
    let a = dev().tensor([[0.0f32, 1.0]]);
    let b = dev().tensor([[f32::INFINITY], [2.0]]);
    assert!(a.matmul(b).to_vec()[0].is_nan());
    // a NaN in the left operand reaches every column of its row only:
    // [[nan, 0.], [1., 1.]] @ eye(2) = [[nan, nan], [1., 1.]]
    let a = dev().tensor([[nan, 0.0f32], [1.0, 1.0]]);
    let out = a.matmul(dev().tensor([[1.0f32, 0.0], [0.0, 1.0]])).to_vec();
    assert!(out[0].is_nan() && out[1].is_nan(), "{out:?}");
    assert_eq!(&out[2..], &[1.0, 1.0]);
}

#[test]
fn max_and_min_propagate_nan() {
    let x = dev().tensor([[1.0f32, f32::NAN, 3.0], [1.0, 2.0, 3.0]]);
    // torch.amax(x, 1) = [nan, 3.], torch.amin(x, 1) = [nan, 1.]
    let mx = x.clone().max::<Axis<1>>().to_vec();
    assert!(mx[0].is_nan() && mx[1] == 3.0, "{mx:?}");
    let mn = x.clone().min::<Axis<1>>().to_vec();
    assert!(mn[0].is_nan() && mn[1] == 1.0, "{mn:?}");
    // torch.amax(x) over everything = nan
    assert!(x.max::<(Axis<0>, Axis<1>)>().scalar().is_nan());
    // a NaN first in the row stays: torch.amax([nan, 5.]) = nan
    let y = dev().tensor([f32::NAN, 5.0]);
    assert!(y.clone().max::<Axis<0>>().scalar().is_nan());
    assert!(y.min::<Axis<0>>().scalar().is_nan());
}

#[test]
fn the_gradient_of_a_nan_max_goes_to_the_nans() {
    // x = torch.tensor([1., nan, nan, 2.], requires_grad=True); torch.max(x).backward()
    // gives x.grad = [0., 0.5, 0.5, 0.]: evenly_distribute_backward masks input.isnan() when
    // the result is NaN, splitting the gradient among the NaNs as among ties
    let d = dev();
    let x = d.tensor([1.0f32, f32::NAN, f32::NAN, 2.0]);
    let layout = x.layout();
    let out = d
        .try_reduce(ReduceOp::Max, x.data(), &layout, &[0])
        .unwrap();
    let mut grad_in: Tensor<Rank1<4>, f32, Cpu> = d.zeros();
    let mut gbuf = grad_in.data().as_ref().clone();
    let gout = d.tensor([1.0f32]);
    d.try_extremum_bwd(x.data(), &layout, &[0], &out, &mut gbuf, gout.data())
        .unwrap();
    grad_in = d.tensor_from_vec(gbuf.to_vec(), (Const::<4>,));
    assert_eq!(grad_in.to_vec(), vec![0.0, 0.5, 0.5, 0.0]);
}

#[test]
fn argmax_and_argmin_return_the_first_nan() {
    let x = dev().tensor([[1.0f32, f32::NAN, 5.0, f32::NAN], [3.0, 1.0, 3.0, 0.5]]);
    // torch.argmax(x, 1) = [1, 0] and torch.argmin(x, 1) = [1, 3]: NaN counts as the extreme
    // for both, and the first of ties wins
    assert_eq!(x.argmax::<Axis<1>>().to_vec(), vec![1, 0]);
    assert_eq!(x.argmin::<Axis<1>>().to_vec(), vec![1, 3]);
    let y = dev().tensor([f32::NAN, 1.0]);
    assert_eq!(y.argmax::<Axis<0>>().scalar(), 0);
    assert_eq!(y.argmin::<Axis<0>>().scalar(), 0);
}

#[test]
fn comparisons_with_nan_are_false_except_ne() {
    let a = dev().tensor([f32::NAN, 1.0, f32::NAN]);
    let b = dev().tensor([f32::NAN, f32::NAN, 1.0]);
    // torch.eq/lt/le/gt/ge with a NaN on either side are False; torch.ne is True
    for m in [a.eq(&b), a.lt(&b), a.le(&b), a.gt(&b), a.ge(&b)] {
        assert_eq!(m.to_vec(), vec![false; 3]);
    }
    assert_eq!(a.ne(&b).to_vec(), vec![true; 3]);
    assert_eq!(a.gt_scalar(f32::NAN).to_vec(), vec![false; 3]);
    assert_eq!(a.ne_scalar(f32::NAN).to_vec(), vec![true; 3]);
    // torch.where(x > 0, x, 0) keeps a NaN out (NaN > 0 is False): [0., 1., 0.]
    let kept = Tensor::where_(&a.gt_scalar(0.0), a.clone(), dev().zeros::<Rank1<3>>());
    assert_eq!(kept.to_vec(), vec![0.0, 1.0, 0.0]);
}

#[test]
fn error_messages_name_the_op_called() {
    let x: Tensor<DynShape, f32, Cpu> = dev().zeros_like(&DynShape::new([2, 3]));
    let msg = |e: Error| e.to_string();
    let e = msg(x.try_arg_reduce_axis::<DynShape>(false, 5).unwrap_err());
    assert!(
        e.starts_with("argmin:") && e.contains("out of range"),
        "{e}"
    );
    let e = msg(x.try_arg_reduce_axis::<DynShape>(true, 5).unwrap_err());
    assert!(e.starts_with("argmax:"), "{e}");
    let e = msg(x.clone().try_var_axes::<DynShape>(&[7], 1).unwrap_err());
    assert!(
        e.starts_with("var:") && e.contains("axis 7 is out of range for a rank-2"),
        "{e}"
    );
    let e = msg(x.clone().try_mean_axes::<DynShape>(&[2]).unwrap_err());
    assert!(e.starts_with("mean:"), "{e}");
    let e = msg(x.clone().try_softmax_axis(2).unwrap_err());
    assert!(e.starts_with("softmax:"), "{e}");
    let e = msg(x
        .clone()
        .try_reduce_axes::<DynShape>(ReduceOp::Min, &[9])
        .unwrap_err());
    assert!(e.starts_with("min:"), "{e}");
    let e = msg(x.clone().try_unsqueeze_axis::<DynShape>(3).unwrap_err());
    assert!(
        e.starts_with("unsqueeze:") && e.contains("out of range"),
        "{e}"
    );
    let e = msg(x.clone().try_unsqueeze::<Axis<4>>().unwrap_err());
    assert!(e.contains("axis 4 is out of range for a rank-2"), "{e}");
    let e = msg(x.try_narrow_axis::<DynShape>(2, 0, 1).unwrap_err());
    assert!(
        e.starts_with("narrow:") && e.contains("out of range"),
        "{e}"
    );
}
