//! Bad input never panics: shape parameters from the whole `usize` range (0, 1, small, near
//! `usize::MAX`, huge, random) thrown at every run-time `try_` op; each call must return `Ok` or
//! `Err`. A size past memory must be rejected before anything is allocated, so a case whose
//! sizes multiply to a count that is representable but too large to allocate in a test (more
//! than [`SMALL`] elements, at most `isize::MAX`) is skipped rather than run: such a count is
//! the allocator's to refuse (an `Err` from `CpuBuf::try_zeroed`), and a test must not ask for
//! that much memory. Counts past `isize::MAX` must always be an `Err`.
//!
//! The cases the fuzz first found panicking are pinned one by one at the end.

use std::panic::{catch_unwind, AssertUnwindSafe};

use gf_core::ops::conv::ConvArgs;
use gf_core::ops::pool::PoolKind;
use gf_core::prelude::*;
use gf_shape::{conv_out_size, conv_transpose_out_size};
use proptest::prelude::*;

type T32 = Tensor<DynShape, f32, Cpu>;
type Ix = Tensor<DynShape, usize, Cpu>;

/// The most elements a tensor built or produced by a case may hold.
const SMALL: usize = 4096;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // the skipped cases (see the module doc) must not stop the run
        max_global_rejects: 4096,
        ..ProptestConfig::default()
    }
}

/// A size from the whole range: 0, 1, small, near `usize::MAX`, at least 2^61, or anything.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => Just(0usize),
        2 => Just(1usize),
        4 => 2usize..=4,
        2 => (0usize..=8).prop_map(|k| usize::MAX - k),
        2 => (1usize << 61)..=usize::MAX,
        2 => any::<usize>(),
    ]
}

/// An axis: mostly a real one for small ranks, sometimes far out of range.
fn axis() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0usize..=4, 1 => Just(usize::MAX), 1 => any::<usize>()]
}

fn dims(max_rank: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(size(), 0..=max_rank)
}

/// `true` when some product of the non-empty sizes among `values` is a count that fits in
/// `isize::MAX` bytes yet is above [`SMALL`]: an op might then try to allocate it.
fn risky(values: &[usize]) -> bool {
    let v: Vec<usize> = values.iter().copied().filter(|&x| x > 1).collect();
    let v = &v[..v.len().min(16)];
    (1u32..(1 << v.len())).any(|mask| {
        let p = v
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .try_fold(1usize, |acc, (_, &x)| acc.checked_mul(x));
        p.is_some_and(|p| p > SMALL && p <= isize::MAX as usize)
    })
}

/// The element count of `dims`, `None` on overflow.
fn count(dims: &[usize]) -> Option<usize> {
    if dims.contains(&0) {
        return Some(0);
    }
    dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d))
}

/// Runs `f` for its outcome, failing the property with `what` if it panics.
fn outcome<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, TestCaseError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        TestCaseError::fail(format!("{what} panicked: {msg}"))
    })
}

/// A tensor of `dims` (values 0, 1, 2, ...), or `None` when the dims are past memory, in
/// which case `zeros_like` and `full_like` must have said so with an `Err`.
/// Runs `f`, failing the property with `what` if it panics; `Ok` and `Err` both pass.
fn no_panic<R>(what: &str, f: impl FnOnce() -> R) -> Result<(), TestCaseError> {
    outcome(what, f).map(drop)
}

fn tensor(dims: &[usize]) -> Result<Option<T32>, TestCaseError> {
    let shape = DynShape::new(dims);
    let z: Result<T32> = outcome("zeros_like", || Cpu::default().try_zeros_like(&shape))?;
    let f: Result<T32> = outcome("full_like", || Cpu::default().try_full_like(&shape, 1.0))?;
    match count(dims) {
        Some(n) if n <= SMALL => {
            prop_assert!(z.is_ok() && f.is_ok(), "zeros/full_like({dims:?}) failed");
            let data = (0..n).map(|i| i as f32).collect();
            Ok(Some(Cpu::default().tensor_from_vec(data, shape)))
        }
        n => {
            // not risky, so the count overflows usize or its bytes pass isize::MAX
            prop_assert!(z.is_err() && f.is_err(), "{dims:?} ({n:?}) must be an Err");
            Ok(None)
        }
    }
}

fn index(dims: &[usize], values: &[usize]) -> Option<Ix> {
    let n = count(dims).filter(|&n| n <= SMALL)?;
    let data = (0..n).map(|i| values[i % values.len()]).collect();
    Some(Cpu::default().tensor_from_vec(data, DynShape::new(dims)))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn create_ops_never_panic(
        d in dims(4),
        len in prop_oneof![0usize..=8, size()],
        steps in size(),
        bounds in prop::collection::vec(
            prop_oneof![
                Just(0.0f64), Just(1.0), Just(-1.0), Just(2.5), Just(0.5), Just(1e-300),
                Just(1e300), Just(-1e300), Just(f64::MAX), Just(f64::NAN),
                Just(f64::INFINITY), Just(f64::NEG_INFINITY), -10.0f64..10.0,
            ],
            3,
        ),
    ) {
        prop_assume!(!risky(&d) && !risky(&[steps, steps]));
        let dev = Cpu::default();
        tensor(&d)?;
        if len <= SMALL {
            let wrong = outcome("tensor_from_vec", || {
                dev.try_tensor_from_vec(vec![0.0f32; len], DynShape::new(d.clone()))
            })?;
            prop_assert_eq!(wrong.is_ok(), count(&d) == Some(len));
        }
        let (start, end, step) = (bounds[0], bounds[1], bounds[2]);
        let predicted = ((end - start) / step).ceil();
        // a finite length in the allocatable window is skipped, not run (see the module doc)
        if !(predicted > SMALL as f64 && predicted < (isize::MAX as usize / 8) as f64) {
            no_panic("arange", || dev.try_arange(start, end, step))?;
            no_panic("arange f32", || {
                dev.try_arange(start as f32, end as f32, step as f32)
            })?;
        }
        let ls = outcome("linspace", || dev.try_linspace(0.0f32, 1.0, steps))?;
        prop_assert_eq!(ls.is_ok(), steps <= SMALL);
        if count(&[steps, steps]).is_none_or(|n| n <= SMALL) {
            let eye = outcome("eye", || TensorCreateFloat::<f32>::try_eye(&dev, steps))?;
            prop_assert_eq!(eye.is_ok(), count(&[steps, steps]).is_some());
        }
    }

    #[test]
    fn view_ops_never_panic(
        d in dims(4),
        d2 in dims(4),
        (ax, start, len) in (axis(), size(), size()),
        perm in prop::collection::vec(axis(), 0..=4),
    ) {
        prop_assume!(!risky(&d) && !risky(&d2));
        let Some(t) = tensor(&d)? else { return Ok(()) };
        no_panic("reshape_like", || t.clone().try_reshape_like(&DynShape::new(d2.clone())))?;
        no_panic("narrow", || t.clone().try_narrow_axis::<DynShape>(ax, start, len))?;
        no_panic("select", || t.clone().try_select_axis::<DynShape>(ax, start))?;
        no_panic("broadcast_axes", || {
            t.clone().try_broadcast_axes(DynShape::new(d2.clone()), &perm)
        })?;
        no_panic("broadcast_numpy", || t.clone().try_broadcast_numpy::<DynShape>(&d2))?;
        no_panic("permute", || t.clone().try_permute_axes::<DynShape>(&perm))?;
        no_panic("transpose", || t.clone().try_transpose())?;
        no_panic("flatten", || t.clone().try_flatten::<Axis<1>>())?;
        no_panic("contiguous", || t.clone().try_contiguous())?;
        let u = outcome("unsqueeze", || t.clone().try_unsqueeze_axis::<DynShape>(ax))?;
        prop_assert_eq!(u.is_ok(), ax <= d.len());
        let u = outcome("unsqueeze::<Axis<3>>", || t.clone().try_unsqueeze::<Axis<3>>())?;
        prop_assert_eq!(u.is_ok(), 3 <= d.len());
    }

    #[test]
    fn reductions_never_panic(
        d in dims(4),
        axes in prop::collection::vec(axis(), 0..=3),
        correction in prop_oneof![0usize..=2, size()],
    ) {
        prop_assume!(!risky(&d));
        let Some(t) = tensor(&d)? else { return Ok(()) };
        for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min] {
            no_panic("reduce", || t.clone().try_reduce_axes::<DynShape>(op, &axes))?;
        }
        no_panic("mean", || t.clone().try_mean_axes::<DynShape>(&axes))?;
        no_panic("var", || t.clone().try_var_axes::<DynShape>(&axes, correction))?;
        no_panic("logsumexp", || t.clone().try_logsumexp_axes::<DynShape>(&axes))?;
        let a = axes.first().copied().unwrap_or(0);
        no_panic("softmax", || t.clone().try_softmax_axis(a))?;
        no_panic("log_softmax", || t.clone().try_log_softmax_axis(a))?;
        no_panic("argmax", || t.try_arg_reduce_axis::<DynShape>(true, a))?;
        no_panic("argmin", || t.try_arg_reduce_axis::<DynShape>(false, a))?;
    }

    #[test]
    fn index_ops_never_panic(
        d in dims(3),
        di in dims(3),
        d3 in dims(3),
        values in prop::collection::vec(prop_oneof![0usize..4, size()], 1..4),
        ax in axis(),
        classes in prop_oneof![0usize..=4, size()],
        count_list in 0usize..=3,
    ) {
        prop_assume!(!risky(&[d.clone(), di.clone(), d3.clone()].concat()));
        prop_assume!(!risky(&[d.clone(), di.clone(), vec![classes]].concat()));
        let Some(t) = tensor(&d)? else { return Ok(()) };
        let Some(other) = tensor(&d3)? else { return Ok(()) };
        let Some(ix) = index(&di, &values) else { return Ok(()) };
        let flat = index(&[count(&di).unwrap_or(8).min(8)], &values).unwrap();
        no_panic("index_select", || t.clone().try_index_select_axis::<DynShape, _>(ax, &flat))?;
        no_panic("gather", || t.clone().try_gather_axis(ax, &ix))?;
        no_panic("scatter_add", || t.clone().try_scatter_add_axis(ax, &ix, other.clone()))?;
        let list = vec![t.clone(); count_list];
        no_panic("concat_axis", || T32::try_concat_axis::<DynShape>(list.clone(), ax))?;
        no_panic("concat_axis mixed", || {
            T32::try_concat_axis::<DynShape>(vec![t.clone(), other.clone()], ax)
        })?;
        no_panic("stack_axis", || T32::try_stack_axis::<DynShape>(list, ax))?;
        no_panic("one_hot", || ix.try_one_hot::<DynShape, f32>(classes))?;
    }

    #[test]
    fn compare_and_select_never_panic(
        d in dims(3),
        d2 in dims(3),
        dm in dims(3),
        same in any::<bool>(),
    ) {
        let d2 = if same { d.clone() } else { d2 };
        prop_assume!(!risky(&[d.clone(), d2.clone(), dm.clone()].concat()));
        let (Some(a), Some(b), Some(m)) = (tensor(&d)?, tensor(&d2)?, tensor(&dm)?) else {
            return Ok(());
        };
        let mask = m.gt_scalar(1.0);
        no_panic("lt", || a.try_lt(&b))?;
        no_panic("ne", || a.try_ne(&b))?;
        no_panic("ge_scalar", || a.try_ge_scalar(f32::NAN))?;
        no_panic("where", || T32::try_where_(&mask, a.clone(), b.clone()))?;
        no_panic("masked_fill", || a.clone().try_masked_fill(&mask, f32::NAN))?;
    }

    #[test]
    fn matmul_never_panics(
        dl in dims(4),
        dr in dims(4),
        chain in any::<bool>(),
        n in size(),
    ) {
        // half the cases chain the inner dims so that the product itself runs
        let dr = match (chain, dl.last()) {
            (true, Some(&k)) => vec![k, n],
            _ => dr,
        };
        prop_assume!(!risky(&[dl.clone(), dr.clone()].concat()));
        let (Some(a), Some(b)) = (tensor(&dl)?, tensor(&dr)?) else { return Ok(()) };
        no_panic("matmul", || a.clone().try_matmul(b.clone()))?;
        no_panic("matmul transposed", || b.try_matmul(a))?;
    }

    #[test]
    fn conv_and_pool_args_never_panic(
        x in prop::collection::vec(size(), 3..=4),
        w in prop::collection::vec(size(), 3..=4),
        (stride, padding, dilation) in (
            [size(), size()], [size(), size()], [size(), size()]
        ),
        groups in prop_oneof![0usize..=3, size()],
        output_padding in prop_oneof![0usize..=2, size()],
    ) {
        let a = ConvArgs { stride, padding, dilation, groups, output_padding };
        let (h, wd) = (x[x.len() - 2], x[x.len() - 1]);
        let (kh, kw) = (w[w.len() - 2], w[w.len() - 1]);
        let out = |n, k, i: usize| conv_out_size(n, k, stride[i], padding[i], dilation[i]);
        let tout =
            |n, k, i: usize| conv_transpose_out_size(n, k, stride[i], padding[i], dilation[i], output_padding);
        let pool = |n, k, i: usize| conv_out_size(n, k, stride[i], padding[i], 1);
        let sizes = [
            out(h, kh, 0), out(wd, kw, 1), tout(h, kh, 0), tout(wd, kw, 1), pool(h, kh, 0),
            pool(wd, kw, 1), w[1].checked_mul(groups),
        ];
        let mut all: Vec<usize> = [x.clone(), w.clone()].concat();
        all.extend(sizes.iter().flatten());
        prop_assume!(!risky(&all));
        let (Some(t), Some(k)) = (tensor(&x)?, tensor(&w)?) else { return Ok(()) };
        no_panic("conv2d_args", || t.clone().try_conv2d_args::<DynShape, _, _>(k.clone(), a))?;
        no_panic("conv_transpose2d_args", || {
            t.clone().try_conv_transpose2d_args::<DynShape, _, _>(k.clone(), a)
        })?;
        let k1 = k.clone().try_reshape_like(&DynShape::new(&w[..w.len() - 1]));
        let x1 = t.clone().try_reshape_like(&DynShape::new(&x[..x.len() - 1]));
        if let (Ok(k1), Ok(x1)) = (k1, x1) {
            no_panic("conv1d_args", || x1.try_conv1d_args::<DynShape, _, _>(k1, a))?;
        }
        for kind in [PoolKind::Max, PoolKind::Avg, PoolKind::AdaptiveAvg] {
            no_panic("pool2d_args", || {
                t.clone().try_pool2d_args::<DynShape>(kind, [kh, kw], stride, padding, [kh, kw])
            })?;
        }
    }
}

fn t4(dims: [usize; 4]) -> T32 {
    Cpu::default().zeros_like(&DynShape::new(dims))
}

fn args(padding: usize, groups: usize) -> ConvArgs {
    ConvArgs {
        stride: [1, 1],
        padding: [padding, padding],
        dilation: [1, 1],
        groups,
        output_padding: 0,
    }
}

#[test]
fn conv2d_with_groups_that_overflow_is_an_err() {
    let r = catch_unwind(AssertUnwindSafe(|| {
        t4([1, 2, 3, 3]).try_conv2d_args::<DynShape, _, _>(t4([2, 2, 1, 1]), args(0, usize::MAX))
    }));
    assert!(matches!(r, Ok(Err(_))));
}

#[test]
fn conv_transpose2d_with_groups_that_overflow_is_an_err() {
    // no input channels, so every group count divides them
    let x = t4([1, 0, 3, 3]);
    let r = catch_unwind(AssertUnwindSafe(|| {
        x.try_conv_transpose2d_args::<DynShape, _, _>(t4([0, 2, 1, 1]), args(0, usize::MAX / 2 + 1))
    }));
    assert!(matches!(r, Ok(Err(_))));
}

#[test]
fn pool2d_of_an_empty_input_with_huge_batch_times_channels_is_an_err() {
    let x = t4([usize::MAX, 2, 0, 2]);
    let r = catch_unwind(AssertUnwindSafe(|| {
        x.try_pool2d_args::<DynShape>(PoolKind::Avg, [1, 1], [1, 1], [0, 0], [0, 0])
    }));
    assert!(matches!(r, Ok(Err(_))));
}

#[test]
fn pool2d_of_an_empty_input_with_a_huge_height_is_ok_or_err() {
    let x = Cpu::default().zeros_like(&DynShape::new([3, usize::MAX, 0]));
    let r = catch_unwind(AssertUnwindSafe(|| {
        let x: T32 = x;
        x.try_pool2d_args::<DynShape>(PoolKind::Max, [1, 4], [usize::MAX, 1], [0, 2], [0, 0])
    }));
    assert!(r.is_ok());
}

#[test]
fn pool2d_with_a_kernel_past_isize_is_ok_or_err() {
    let x: T32 = Cpu::default().zeros_like(&DynShape::new([1, 0, usize::MAX / 2 + 2]));
    let r = catch_unwind(AssertUnwindSafe(|| {
        x.try_pool2d_args::<DynShape>(
            PoolKind::Avg,
            [2, usize::MAX / 2 + 1],
            [1, 1],
            [1, 0],
            [0, 0],
        )
    }));
    assert!(r.is_ok());
}

#[test]
fn pool2d_with_a_padding_past_half_of_usize_is_an_err() {
    let r = catch_unwind(AssertUnwindSafe(|| {
        t4([1, 1, 2, 2]).try_pool2d_args::<DynShape>(
            PoolKind::Max,
            [2, 2],
            [1, 1],
            [usize::MAX / 2 + 1; 2],
            [0, 0],
        )
    }));
    assert!(matches!(r, Ok(Err(_))));
}

#[test]
fn conv2d_output_past_memory_is_an_err() {
    // a 1×1 kernel on a 1×1 image padded by 2^30: a (2^31 + 1)² output, over 2^64 bytes
    let r = catch_unwind(AssertUnwindSafe(|| {
        t4([1, 1, 1, 1]).try_conv2d_args::<DynShape, _, _>(t4([1, 1, 1, 1]), args(1 << 30, 1))
    }));
    assert!(matches!(r, Ok(Err(_))));
}

#[test]
fn sampling_a_shape_past_memory_is_an_err() {
    let r = catch_unwind(AssertUnwindSafe(|| {
        Cpu::default().try_sample_uniform_like(&DynShape::new([usize::MAX, 2]), 0.0f32, 1.0)
    }));
    assert!(matches!(r, Ok(Err(_))));
}
