//! Finite-difference gradient checks (f64) for the mask-selection and index ops: where_,
//! masked_fill, concat, stack, index_select, gather and scatter_add, at several shapes and axes,
//! with repeated indices, broadcast operands and non-contiguous (permuted / narrowed / strided)
//! inputs.

use std::sync::Arc;

use gf_core::prelude::*;
use gf_grad::prelude::*;

type Traced = Tensor<DynShape, f64, Cpu, OwnedTape>;
type Scalar = Tensor<(), f64, Cpu, OwnedTape>;

fn dev() -> Cpu {
    Cpu::seed_from_u64(4321)
}

fn randn(dims: &[usize]) -> Tensor<DynShape, f64, Cpu> {
    dev().randn_like(&DynShape::new(dims))
}

/// Sums with weights so every output element gets a distinct upstream gradient.
fn weighted_sum(t: Traced) -> Scalar {
    let w = dev().randn_like(t.shape());
    let r = t.dims().len();
    (t * w)
        .try_reduce_axes::<()>(ReduceOp::Sum, &(0..r).collect::<Vec<_>>())
        .unwrap()
}

/// The same elements under reversed axes: `x` of dims `[a, b, c]` becomes a `[c, b, a]` view.
fn reversed(x: Traced) -> Traced {
    let axes: Vec<usize> = (0..x.dims().len()).rev().collect();
    x.try_permute_axes::<DynShape>(&axes).unwrap()
}

fn rev(dims: &[usize]) -> Vec<usize> {
    dims.iter().rev().copied().collect()
}

/// A fixed mask with both values in every row.
fn mask(dims: &[usize]) -> Tensor<DynShape, bool, Cpu> {
    let n = dims.iter().product();
    let v = (0..n).map(|i| (i * 5 + 1) % 3 == 0).collect();
    dev().tensor_from_vec(v, DynShape::new(dims))
}

fn indices(dims: &[usize], values: &[usize]) -> Tensor<DynShape, usize, Cpu> {
    dev().tensor_from_vec(values.to_vec(), DynShape::new(dims))
}

/// A 1-D index tensor read with stride 2 from a padded buffer: a non-contiguous index.
fn strided_indices(values: &[usize]) -> Tensor<DynShape, usize, Cpu> {
    let padded: Vec<usize> = values.iter().flat_map(|&v| [v, 999]).collect();
    Tensor::from_parts(
        dev(),
        Arc::new(padded.into()),
        DynShape::new([values.len()]),
        vec![2],
        0,
        NoneTape,
    )
    .unwrap()
}

#[test]
fn where_sends_each_gradient_to_the_chosen_branch() {
    for dims in [&[5][..], &[3, 4], &[2, 3, 2]] {
        let (x, y, m) = (randn(dims), randn(dims), mask(dims));
        gradcheck(&[x.clone(), y.clone()], |xs| {
            weighted_sum(Tensor::where_(&m, xs[0].clone(), xs[1].clone()))
        })
        .unwrap_or_else(|e| panic!("where_ at {dims:?}: {e}"));
        // the branches as permuted views of tensors stored the other way round
        let (xr, yr, mr) = (randn(&rev(dims)), randn(&rev(dims)), mask(dims));
        gradcheck(&[xr, yr], |xs| {
            weighted_sum(Tensor::where_(
                &mr,
                reversed(xs[0].clone()),
                reversed(xs[1].clone()),
            ))
        })
        .unwrap_or_else(|e| panic!("where_ at {dims:?}, non-contiguous: {e}"));
    }
    // the same tensor on both sides gets the whole gradient
    let (x, m) = (randn(&[3, 4]), mask(&[3, 4]));
    gradcheck(&[x], |xs| {
        weighted_sum(Tensor::where_(&m, xs[0].clone(), xs[0].clone()))
    })
    .unwrap();
}

#[test]
fn where_broadcasts_dyn_operands() {
    // mask (3, 4), on_true (2, 1, 4), on_false (4,) → (2, 3, 4); broadcast axes sum their gradient
    let (x, y, m) = (randn(&[2, 1, 4]), randn(&[4]), mask(&[3, 4]));
    gradcheck(&[x, y], |xs| {
        weighted_sum(Tensor::where_(&m, xs[0].clone(), xs[1].clone()))
    })
    .unwrap();
    // a scalar branch
    let (x, s, m) = (randn(&[3, 4]), randn(&[]), mask(&[3, 4]));
    gradcheck(&[x, s], |xs| {
        weighted_sum(Tensor::where_(&m, xs[1].clone(), xs[0].clone()))
    })
    .unwrap();
}

#[test]
fn masked_fill_blocks_the_filled_gradient() {
    for dims in [&[5][..], &[3, 4], &[2, 3, 2]] {
        let (x, m) = (randn(dims), mask(dims));
        gradcheck(&[x], |xs| weighted_sum(xs[0].clone().masked_fill(&m, 2.5)))
            .unwrap_or_else(|e| panic!("masked_fill at {dims:?}: {e}"));
        let xr = randn(&rev(dims));
        gradcheck(&[xr], |xs| {
            weighted_sum(reversed(xs[0].clone()).masked_fill(&m, -1.0))
        })
        .unwrap_or_else(|e| panic!("masked_fill at {dims:?}, non-contiguous: {e}"));
    }
    // a broadcast mask, and a tensor broadcast up to the mask
    let (x, m) = (randn(&[2, 3, 4]), mask(&[3, 1]));
    gradcheck(&[x], |xs| weighted_sum(xs[0].clone().masked_fill(&m, 0.0))).unwrap();
    let (x, m) = (randn(&[4]), mask(&[3, 4]));
    gradcheck(&[x], |xs| weighted_sum(xs[0].clone().masked_fill(&m, 0.0))).unwrap();
}

fn concat(xs: Vec<Traced>, axis: usize) -> Traced {
    Tensor::try_concat_axis::<DynShape>(xs, axis).unwrap()
}

#[test]
fn concat_two_and_three_inputs_along_each_axis() {
    let base = [2, 3, 4];
    for axis in 0..3 {
        let with = |n: usize| {
            let mut d = base;
            d[axis] = n;
            d
        };
        let (a, b, c) = (randn(&with(2)), randn(&with(1)), randn(&with(3)));
        gradcheck(&[a.clone(), b.clone()], |xs| {
            weighted_sum(concat(xs.to_vec(), axis))
        })
        .unwrap_or_else(|e| panic!("concat of two along {axis}: {e}"));
        gradcheck(&[a.clone(), b.clone(), c.clone()], |xs| {
            weighted_sum(concat(xs.to_vec(), axis))
        })
        .unwrap_or_else(|e| panic!("concat of three along {axis}: {e}"));
        // non-contiguous inputs: permuted, and narrowed from a larger tensor
        let (ar, big) = (randn(&rev(&with(2))), randn(&with(5)));
        gradcheck(&[ar, big, c.clone()], |xs| {
            let a = reversed(xs[0].clone());
            let b = xs[1]
                .clone()
                .try_narrow_axis::<DynShape>(axis, 1, 3)
                .unwrap();
            weighted_sum(concat(vec![a, b, xs[2].clone()], axis))
        })
        .unwrap_or_else(|e| panic!("concat of views along {axis}: {e}"));
    }
    // one tensor twice: both slabs add into its gradient
    let x = randn(&[2, 3]);
    gradcheck(&[x], |xs| {
        weighted_sum(concat(vec![xs[0].clone(), xs[0].clone()], 1))
    })
    .unwrap();
}

#[test]
fn typed_concat_along_matches() {
    let (a, b) = (randn(&[2, 3]), randn(&[2, 5]));
    gradcheck(&[a, b], |xs| {
        let a = xs[0].clone().try_into_shape::<Rank2<2, 3>>().unwrap();
        let b = xs[1].clone().try_into_shape::<Rank2<2, 5>>().unwrap();
        let c: Tensor<Rank2<2, 8>, f64, Cpu, _> = a.concat_along(b, Axis::<1>);
        weighted_sum(c.into_dyn())
    })
    .unwrap();
    // a traced tensor joined with an untraced constant
    let a = randn(&[3, 2]);
    let k = dev().tensor([[1.0f64, 2.0]]);
    gradcheck(&[a], |xs| {
        let a = xs[0].clone().try_into_shape::<Rank2<3, 2>>().unwrap();
        let c: Tensor<Rank2<4, 2>, f64, Cpu, _> = a.concat_along(k.clone(), Axis::<0>);
        weighted_sum(c.into_dyn())
    })
    .unwrap();
}

#[test]
fn stack_along_each_position() {
    let dims = [3, 4];
    let (a, b, c) = (randn(&dims), randn(&dims), randn(&rev(&dims)));
    for axis in 0..=2 {
        gradcheck(&[a.clone(), b.clone(), c.clone()], |xs| {
            let parts = vec![xs[0].clone(), xs[1].clone(), reversed(xs[2].clone())];
            weighted_sum(Tensor::try_stack_axis::<DynShape>(parts, axis).unwrap())
        })
        .unwrap_or_else(|e| panic!("stack at {axis}: {e}"));
    }
    gradcheck(&[a, b], |xs| {
        let a = xs[0].clone().try_into_shape::<Rank2<3, 4>>().unwrap();
        let b = xs[1].clone().try_into_shape::<Rank2<3, 4>>().unwrap();
        let s: Tensor<Rank3<3, 3, 4>, f64, Cpu, _> = Tensor::stack_array([a.clone(), b, a]);
        weighted_sum(s.into_dyn())
    })
    .unwrap();
}

#[test]
fn index_select_accumulates_repeated_indices() {
    let cases: [(&[usize], usize, &[usize]); 4] = [
        (&[4, 3], 0, &[3, 0, 3, 1, 3]),
        (&[4, 3], 1, &[2, 2, 0]),
        (&[2, 3, 4], 2, &[1, 1, 1, 3]),
        (&[2, 3, 4], 1, &[]),
    ];
    for (dims, axis, picks) in cases {
        let (x, idx) = (randn(dims), indices(&[picks.len()], picks));
        gradcheck(&[x], |xs| {
            weighted_sum(xs[0].clone().try_index_select_axis(axis, &idx).unwrap())
        })
        .unwrap_or_else(|e| panic!("index_select {dims:?} along {axis} at {picks:?}: {e}"));
        // a permuted input and a strided index tensor
        let (xr, sidx) = (randn(&rev(dims)), strided_indices(picks));
        gradcheck(&[xr], |xs| {
            let x = reversed(xs[0].clone());
            weighted_sum(x.try_index_select_axis(axis, &sidx).unwrap())
        })
        .unwrap_or_else(|e| panic!("index_select {dims:?} along {axis}, non-contiguous: {e}"));
    }
    // the typed form
    let x = randn(&[4, 3]);
    let rows = dev().tensor([3usize, 3, 0]);
    gradcheck(&[x], |xs| {
        let x = xs[0].clone().try_into_shape::<Rank2<4, 3>>().unwrap();
        let y: Tensor<Rank2<3, 3>, f64, Cpu, _> = x.index_select(Axis::<0>, &rows);
        weighted_sum(y.into_dyn())
    })
    .unwrap();
}

/// An input of `dims` indexed along `axis` by `index` (of `index_dims`); for scatter_add, a
/// source of `src_dims`.
struct IndexCase {
    dims: &'static [usize],
    axis: usize,
    index_dims: &'static [usize],
    index: &'static [usize],
    src_dims: &'static [usize],
}

impl IndexCase {
    fn new(
        dims: &'static [usize],
        axis: usize,
        index_dims: &'static [usize],
        index: &'static [usize],
    ) -> Self {
        IndexCase {
            dims,
            axis,
            index_dims,
            index,
            src_dims: index_dims,
        }
    }

    fn src(self, src_dims: &'static [usize]) -> Self {
        IndexCase { src_dims, ..self }
    }
}

#[test]
fn gather_scatters_its_gradient_back() {
    let cases = [
        IndexCase::new(&[3, 4], 1, &[3, 2], &[3, 3, 0, 1, 2, 0]),
        IndexCase::new(&[3, 4], 0, &[2, 4], &[2, 0, 2, 2, 1, 1, 0, 2]),
        IndexCase::new(
            &[2, 3, 2],
            1,
            &[2, 4, 2],
            &[0, 1, 2, 2, 1, 1, 0, 0, 2, 0, 1, 2, 2, 2, 0, 1],
        ),
        IndexCase::new(&[2, 3, 2], 2, &[1, 2, 1], &[1, 0]),
    ];
    for IndexCase {
        dims,
        axis,
        index_dims,
        index,
        ..
    } in cases
    {
        let (x, idx) = (randn(dims), indices(index_dims, index));
        gradcheck(&[x], |xs| {
            weighted_sum(xs[0].clone().try_gather_axis(axis, &idx).unwrap())
        })
        .unwrap_or_else(|e| panic!("gather {dims:?} along {axis}: {e}"));
        let xr = randn(&rev(dims));
        gradcheck(&[xr], |xs| {
            weighted_sum(reversed(xs[0].clone()).try_gather_axis(axis, &idx).unwrap())
        })
        .unwrap_or_else(|e| panic!("gather {dims:?} along {axis}, non-contiguous: {e}"));
    }
}

#[test]
fn scatter_add_differentiates_both_inputs() {
    // the source may be larger than the index: only its leading index-shaped block is read
    let cases = [
        IndexCase::new(&[3, 4], 0, &[2, 4], &[2, 0, 2, 2, 2, 1, 0, 2]).src(&[2, 4]),
        IndexCase::new(&[3, 4], 1, &[3, 2], &[3, 3, 0, 1, 2, 0]).src(&[3, 3]),
        IndexCase::new(&[2, 3, 2], 1, &[2, 4, 1], &[0, 2, 2, 1, 1, 1, 0, 2]).src(&[2, 5, 2]),
        IndexCase::new(&[4], 0, &[6], &[1, 1, 3, 0, 1, 3]).src(&[6]),
    ];
    for IndexCase {
        dims,
        axis,
        index_dims,
        index,
        src_dims,
    } in cases
    {
        let (x, idx, src) = (randn(dims), indices(index_dims, index), randn(src_dims));
        gradcheck(&[x, src], |xs| {
            let out = xs[0]
                .clone()
                .try_scatter_add_axis(axis, &idx, xs[1].clone())
                .unwrap();
            weighted_sum(out)
        })
        .unwrap_or_else(|e| panic!("scatter_add {dims:?} along {axis}: {e}"));
        let (xr, srcr) = (randn(&rev(dims)), randn(&rev(src_dims)));
        gradcheck(&[xr, srcr], |xs| {
            let out = reversed(xs[0].clone())
                .try_scatter_add_axis(axis, &idx, reversed(xs[1].clone()))
                .unwrap();
            weighted_sum(out)
        })
        .unwrap_or_else(|e| panic!("scatter_add {dims:?} along {axis}, non-contiguous: {e}"));
    }
    // the same tensor as destination and source
    let (x, idx) = (
        randn(&[3, 3]),
        indices(&[3, 3], &[2, 2, 0, 1, 0, 0, 2, 1, 1]),
    );
    gradcheck(&[x], |xs| {
        let out = xs[0]
            .clone()
            .try_scatter_add_axis(1, &idx, xs[0].clone())
            .unwrap();
        weighted_sum(out)
    })
    .unwrap();
}

#[test]
fn index_ops_compose_with_one_hot_targets() {
    // a cross-entropy-like loss: −Σ one_hot(labels) · log_softmax(logits)
    let logits = randn(&[4, 3]);
    let labels = dev().tensor([2usize, 0, 1, 2]);
    let targets: Tensor<DynShape, f64, Cpu> = labels.into_dyn().one_hot(3);
    gradcheck(&[logits], |xs| {
        let lp = xs[0].clone().try_log_softmax_axis(1).unwrap();
        (lp * targets.clone())
            .try_reduce_axes::<()>(ReduceOp::Sum, &[0, 1])
            .unwrap()
            .neg()
    })
    .unwrap();
}
