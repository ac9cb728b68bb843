//! The gradient contract: who gets a gradient, what a backward keeps alive, which ops backward
//! runs, and that a parameter keeps its identity across updates.

use std::sync::Arc;

use gf_core::ops::conv::Conv2dOpts;
use gf_core::ops::pool::Pool2dOpts;
use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_grad::testing::{test_device, TestDevice};

type M<const R: usize, const C: usize> = Tensor<Rank2<R, C>, f64, TestDevice>;

fn ids(g: &Gradients) -> Vec<gf_core::UniqueId> {
    let mut v: Vec<_> = g.ids().collect();
    v.sort();
    v
}

#[test]
fn an_untraced_data_batch_gets_no_gradient_buffer() {
    let dev = TestDevice::seed_from_u64(1);
    let x: M<8, 4> = dev.randn();
    let w: M<4, 3> = dev.randn();
    let loss = x.clone().matmul(w.trace()).sum::<(Axis<0>, Axis<1>)>();
    let g = loss.backward();
    // only w's gradient was ever allocated: the dX product was skipped, not computed and dropped
    assert_eq!(ids(&g), vec![w.id()]);
    assert!(g.get(&x).is_none());
    // the same for every two-operand family
    let (a, b) = (dev.randn::<Rank1<5>>(), dev.randn::<Rank1<5>>());
    for loss in [
        (a.trace() * b.clone()).sum::<Axis<0>>(),
        (a.trace() - b.clone()).sum::<Axis<0>>(),
        Tensor::where_(&b.clone().gt_scalar(0.0), a.trace(), b.clone()).sum::<Axis<0>>(),
        a.trace()
            .concat_along(b.clone(), Axis::<0>)
            .sum::<Axis<0>>(),
    ] {
        let g = loss.backward();
        assert_eq!(ids(&g), vec![a.id()]);
    }
}

#[test]
fn a_conv_with_an_untraced_input_computes_only_the_weight_gradient() {
    let dev = TestDevice::seed_from_u64(2);
    let x: Tensor<Rank4<2, 3, 6, 6>, f64, TestDevice> = dev.randn();
    let w: Tensor<Rank4<4, 3, 3, 3>, f64, TestDevice> = dev.randn();
    let y = x.clone().conv2d(w.trace(), Conv2dOpts::new());
    let g = y.sum::<(Axis<0>, Axis<1>, Axis<2>, Axis<3>)>().backward();
    assert_eq!(ids(&g), vec![w.id()]);
}

#[test]
fn forgetting_to_trace_one_weight_gives_it_no_gradient_wherever_it_sits() {
    let dev = TestDevice::seed_from_u64(3);
    let x: M<2, 3> = dev.randn();
    let ws: [M<3, 3>; 3] = [dev.randn(), dev.randn(), dev.randn()];
    let t = |i: usize| ws[i].trace();
    let u = |i: usize| ws[i].clone();
    // the same three-layer model, each time with a different weight left untraced
    let losses = [
        x.clone()
            .matmul(u(0))
            .tanh()
            .matmul(t(1))
            .tanh()
            .matmul(t(2)),
        x.clone()
            .matmul(t(0))
            .tanh()
            .matmul(u(1))
            .tanh()
            .matmul(t(2)),
        x.clone()
            .matmul(t(0))
            .tanh()
            .matmul(t(1))
            .tanh()
            .matmul(u(2)),
    ];
    for (forgotten, out) in losses.into_iter().enumerate() {
        let g = out.sum::<(Axis<0>, Axis<1>)>().backward();
        for (i, w) in ws.iter().enumerate() {
            assert_eq!(
                g.get(w).is_some(),
                i != forgotten,
                "weight {i}, with weight {forgotten} untraced"
            );
        }
        assert!(g.get(&x).is_none(), "the input was never traced");
        assert_eq!(g.len(), 2, "no gradient buffer for anything untraced");
    }
}

#[test]
fn backward_runs_only_the_ops_that_reach_the_loss() {
    let dev = test_device();
    let tape = OwnedTape::new();
    let (a, b) = (dev.tensor([1.0f64, 2.0]), dev.tensor([3.0f64, -1.0]));
    // two losses on one tape, sharing nothing
    let loss_a = a.trace_into(&tape).square().sum::<Axis<0>>();
    let loss_b = b.trace_into(&tape).exp().sum::<Axis<0>>();
    assert_eq!(tape.num_ops(), 4);
    let ga = loss_a.backward();
    assert_eq!(ga.get(&a).unwrap().to_vec(), vec![2.0, 4.0]);
    assert!(ga.get(&b).is_none());
    assert_eq!(tape.num_ops(), 2, "loss b's ops are still on the tape");
    let gb = loss_b.backward();
    assert_eq!(
        gb.get(&b).unwrap().to_vec(),
        vec![3.0f64.exp(), (-1.0f64).exp()]
    );
    assert_eq!(tape.num_ops(), 0);
}

#[test]
fn a_second_backward_through_a_consumed_graph_is_an_error() {
    let dev = test_device();
    let w = dev.tensor([1.0f64, 2.0]);
    let h = w.trace().square(); // shared trunk
    let loss1 = h.clone().sum::<Axis<0>>();
    let loss2 = h.exp().sum::<Axis<0>>();
    assert_eq!(loss1.backward().get(&w).unwrap().to_vec(), vec![2.0, 4.0]);
    let err = loss2.try_backward().unwrap_err();
    assert!(err.to_string().contains("already ran"), "{err}");
}

#[test]
fn an_optimizer_style_update_keeps_the_parameter_id() {
    let dev = TestDevice::seed_from_u64(4);
    let x: M<4, 2> = dev.randn();
    let mut w: M<2, 1> = dev.randn();
    let id = w.id();
    let mut losses = Vec::new();
    for _ in 0..20 {
        let loss = x
            .clone()
            .matmul(w.trace())
            .square()
            .mean::<(Axis<0>, Axis<1>)>();
        losses.push(loss.scalar());
        let g = loss.backward().get(&w).expect("w is traced");
        w -= &(g * 0.1);
        assert_eq!(w.id(), id, "the parameter keeps its id");
    }
    assert!(losses[19] < losses[0] * 0.5, "{losses:?}");
}

#[test]
fn backward_closures_keep_only_what_the_derivative_reads() {
    let dev = test_device();
    let (a, b) = (dev.tensor([1.0f64, 2.0]), dev.tensor([3.0f64, 4.0]));
    let held = |t: &Tensor<Rank1<2>, f64, TestDevice>| Arc::strong_count(t.data());
    // add and sub keep neither operand
    let s = a.trace() + b.trace();
    let d = a.trace() - b.trace();
    assert_eq!((held(&a), held(&b)), (1, 1));
    drop((s, d));
    // scalar add keeps nothing; mul keeps the other operand of each recording side only
    let s = a.trace() + 1.0;
    assert_eq!(held(&a), 1);
    let m = a.trace() * b.clone();
    assert_eq!((held(&a), held(&b)), (1, 2), "dA reads B; A is not kept");
    drop((s, m));
    // average pooling keeps only the sizes, max pooling keeps its input
    let x: Tensor<Rank3<1, 4, 4>, f64, TestDevice> = dev.ones();
    let avg = x.trace().avg_pool2d(Pool2dOpts::new(Const::<2>));
    assert_eq!(Arc::strong_count(x.data()), 1);
    let max = x.trace().max_pool2d(Pool2dOpts::new(Const::<2>));
    assert_eq!(Arc::strong_count(x.data()), 2);
    drop((avg, max));
}

#[test]
fn many_small_tapes_join_into_one() {
    let dev = test_device();
    let leaves: Vec<_> = (0..2000).map(|i| dev.tensor([i as f64])).collect();
    // every leaf on its own tape, joined pairwise up a balanced and a skewed tree
    let mut level: Vec<_> = leaves.iter().map(|l| l.trace().square()).collect();
    while level.len() > 1 {
        let mut next = Vec::new();
        let mut it = level.into_iter();
        while let Some(x) = it.next() {
            next.push(match it.next() {
                Some(y) => x + y,
                None => x,
            });
        }
        level = next;
    }
    let g = level.pop().unwrap().sum::<Axis<0>>().backward();
    assert_eq!(g.len(), 2000);
    for (i, l) in leaves.iter().enumerate().step_by(97) {
        assert_eq!(g.get(l).unwrap().to_vec(), vec![2.0 * i as f64]);
    }
}

#[test]
fn an_inactive_dyn_tape_records_nothing() {
    let dev = test_device();
    let tape = OwnedTape::new();
    let a = dev
        .tensor_from_vec(vec![1.0f64, 2.0], DynShape::new([2]))
        .put_tape(DynTape::inactive());
    let b = dev
        .tensor_from_vec(vec![3.0f64, 4.0], DynShape::new([2]))
        .put_tape(DynTape::active(&tape));
    let y = a.clone().exp() * b;
    assert_eq!(
        tape.num_ops(),
        1,
        "only the product recorded, not exp of the inactive a"
    );
    let g = y
        .try_reduce_axes::<()>(ReduceOp::Sum, &[0])
        .unwrap()
        .backward();
    assert!(g.get(&a).is_none());
}

/// A layer written once for every tape: the weight is watched onto the tape it is given, so
/// with a recording tape it trains, and with `NoneTape` the same code runs inference and records
/// nothing. The data batch stays untraced either way.
fn layer<T>(
    x: Tensor<(usize, Const<3>), f64, TestDevice>,
    w: &M<3, 2>,
    tape: &T,
) -> Tensor<(usize, Const<2>), f64, TestDevice, T>
where
    T: Tape,
    NoneTape: Merge<T, Output = T>,
{
    x.matmul(w.watched(tape)).tanh()
}

#[test]
fn forward_code_generic_over_the_tape_needs_no_tape_for_inference() {
    let dev = test_device();
    let x: Tensor<(usize, Const<3>), f64, TestDevice> = dev.randn_like(&(4, Const));
    let w: M<3, 2> = dev.randn();
    let inference = layer(x.clone(), &w, &NoneTape);
    let trained = layer(x.clone(), &w, &OwnedTape::new());
    assert_eq!(trained.to_vec(), inference.to_vec());
    let g = trained.sum::<(Axis<0>, Axis<1>)>().backward();
    assert_eq!(
        ids(&g),
        vec![w.id()],
        "only the watched weight has a gradient"
    );
}
