//! Property tests: the compare and index ops against naive reference implementations written
//! here, over random small shapes, axes, indices, broadcasts and (non-)contiguous layouts.

use gf_core::prelude::*;
use proptest::prelude::*;

type T64 = Tensor<DynShape, f64, Cpu>;

fn dev() -> Cpu {
    Cpu::default()
}

fn numel(dims: &[usize]) -> usize {
    dims.iter().product()
}

/// The multi-index of row-major position `i` in `dims`.
fn unravel(mut i: usize, dims: &[usize]) -> Vec<usize> {
    let mut p = vec![0; dims.len()];
    for a in (0..dims.len()).rev() {
        p[a] = i % dims[a];
        i /= dims[a];
    }
    p
}

/// The row-major position of multi-index `p` in `dims`.
fn ravel(p: &[usize], dims: &[usize]) -> usize {
    p.iter().zip(dims).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// `n` values cycled from `pool` starting at `shift`.
fn take(pool: &[f64], shift: usize, n: usize) -> Vec<f64> {
    (0..n).map(|i| pool[(shift + i) % pool.len()]).collect()
}

/// A tensor of `dims` whose logical elements are `v` (row-major). When `strided` (and the rank
/// is at least 2) it is a permuted view of a buffer stored with the axes reversed.
fn make(dims: &[usize], v: &[f64], strided: bool) -> T64 {
    if !strided || dims.len() < 2 {
        return dev().tensor_from_vec(v.to_vec(), DynShape::new(dims));
    }
    let rdims: Vec<usize> = dims.iter().rev().copied().collect();
    let mut stored = vec![0.0; v.len()];
    for (i, &x) in v.iter().enumerate() {
        let rp: Vec<usize> = unravel(i, dims).into_iter().rev().collect();
        stored[ravel(&rp, &rdims)] = x;
    }
    let axes: Vec<usize> = (0..dims.len()).rev().collect();
    dev()
        .tensor_from_vec(stored, DynShape::new(rdims))
        .try_permute_axes::<DynShape>(&axes)
        .unwrap()
}

fn index_tensor(dims: &[usize], v: Vec<usize>) -> Tensor<DynShape, usize, Cpu> {
    dev().tensor_from_vec(v, DynShape::new(dims))
}

/// Small integers (many ties) as floats; `with_nan` turns the largest into NaN.
fn pool(with_nan: bool) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-3i32..=3, 64).prop_map(move |v| {
        v.into_iter()
            .map(|x| {
                if with_nan && x == 3 {
                    f64::NAN
                } else {
                    f64::from(x)
                }
            })
            .collect()
    })
}

fn dims(
    rank: std::ops::RangeInclusive<usize>,
    size: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<usize>> {
    rank.prop_flat_map(move |r| prop::collection::vec(size.clone(), r))
}

/// `out` broadcast down to an operand: leading axes dropped and the axes in `ones` set to 1.
fn shrink(out: &[usize], drop: usize, ones: &[bool]) -> Vec<usize> {
    out[drop.min(out.len())..]
        .iter()
        .enumerate()
        .map(|(i, &d)| if ones[i] { 1 } else { d })
        .collect()
}

/// The row-major position in an operand of dims `d` (numpy-broadcast to `out`) that output
/// position `i` reads.
fn broadcast_source(i: usize, out: &[usize], d: &[usize]) -> usize {
    let p = unravel(i, out);
    let lead = out.len() - d.len();
    let q: Vec<usize> = (0..d.len())
        .map(|a| if d[a] == 1 { 0 } else { p[lead + a] })
        .collect();
    ravel(&q, d)
}

fn reference_cmp(op: usize, x: f64, y: f64) -> bool {
    match op {
        0 => x == y,
        1 => x != y,
        2 => x < y,
        3 => x <= y,
        4 => x > y,
        _ => x >= y,
    }
}

fn tensor_cmp(op: usize, a: &T64, b: &T64) -> Tensor<DynShape, bool, Cpu> {
    match op {
        0 => a.eq(b),
        1 => a.ne(b),
        2 => a.lt(b),
        3 => a.le(b),
        4 => a.gt(b),
        _ => a.ge(b),
    }
}

fn scalar_cmp(op: usize, a: &T64, c: f64) -> Tensor<DynShape, bool, Cpu> {
    match op {
        0 => a.eq_scalar(c),
        1 => a.ne_scalar(c),
        2 => a.lt_scalar(c),
        3 => a.le_scalar(c),
        4 => a.gt_scalar(c),
        _ => a.ge_scalar(c),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn comparisons_match_reference(
        out in dims(0..=3, 1..=3),
        drop in 0usize..=2,
        ones in prop::collection::vec(any::<bool>(), 6),
        op in 0usize..6,
        vals in pool(true),
        strided in any::<bool>(),
        c in -3i32..=3,
    ) {
        // same shapes (possibly strided), then numpy broadcasting both ways
        let n = numel(&out);
        let (va, vb) = (take(&vals, 0, n), take(&vals, 17, n));
        let (a, b) = (make(&out, &va, strided), make(&out, &vb, false));
        let got = tensor_cmp(op, &a, &b).to_vec();
        let want: Vec<bool> = (0..n).map(|i| reference_cmp(op, va[i], vb[i])).collect();
        prop_assert_eq!(got, want);

        let c = f64::from(c);
        let got = scalar_cmp(op, &a, c).to_vec();
        let want: Vec<bool> = va.iter().map(|&x| reference_cmp(op, x, c)).collect();
        prop_assert_eq!(got, want);

        let (da, db) = (shrink(&out, 0, &ones[..3]), shrink(&out, drop, &ones[3..]));
        let (va, vb) = (take(&vals, 5, numel(&da)), take(&vals, 11, numel(&db)));
        let (a, b) = (make(&da, &va, strided), make(&db, &vb, strided));
        let full = gf_core::shape::broadcast_shapes(&da, &db).unwrap();
        let m = tensor_cmp(op, &a, &b);
        prop_assert_eq!(m.dims(), full.clone());
        let want: Vec<bool> = (0..numel(&full))
            .map(|i| {
                let (x, y) = (va[broadcast_source(i, &full, &da)], vb[broadcast_source(i, &full, &db)]);
                reference_cmp(op, x, y)
            })
            .collect();
        prop_assert_eq!(m.to_vec(), want);
    }

    #[test]
    fn where_matches_reference(
        out in dims(0..=3, 1..=3),
        drop in 0usize..=2,
        ones in prop::collection::vec(any::<bool>(), 9),
        bits in prop::collection::vec(any::<bool>(), 27),
        vals in pool(false),
        strided in any::<bool>(),
    ) {
        let (dm, dt, df) = (
            shrink(&out, drop, &ones[..3]),
            shrink(&out, 0, &ones[3..6]),
            shrink(&out, drop, &ones[6..]),
        );
        let mv: Vec<bool> = (0..numel(&dm)).map(|i| bits[i]).collect();
        let (vt, vf) = (take(&vals, 0, numel(&dt)), take(&vals, 9, numel(&df)));
        let mask = dev().tensor_from_vec(mv.clone(), DynShape::new(dm.clone()));
        let picked = Tensor::where_(&mask, make(&dt, &vt, strided), make(&df, &vf, strided));
        let full = [&dm, &dt, &df]
            .iter()
            .try_fold(vec![], |acc, d| gf_core::shape::broadcast_shapes(&acc, d))
            .unwrap();
        prop_assert_eq!(picked.dims(), full.clone());
        let want: Vec<f64> = (0..numel(&full))
            .map(|i| {
                if mv[broadcast_source(i, &full, &dm)] {
                    vt[broadcast_source(i, &full, &dt)]
                } else {
                    vf[broadcast_source(i, &full, &df)]
                }
            })
            .collect();
        prop_assert_eq!(picked.to_vec(), want);
    }

    #[test]
    fn concat_matches_reference(
        base in dims(1..=3, 0..=3),
        axis_seed in any::<usize>(),
        sizes in prop::collection::vec(0usize..=3, 1..=3),
        vals in pool(false),
        strided in prop::collection::vec(any::<bool>(), 3),
    ) {
        let axis = axis_seed % base.len();
        let mut parts = Vec::new();
        let mut logical = Vec::new();
        let mut shapes = Vec::new();
        for (k, &s) in sizes.iter().enumerate() {
            let mut d = base.clone();
            d[axis] = s;
            let v = take(&vals, 7 * k, numel(&d));
            parts.push(make(&d, &v, strided[k]));
            logical.push(v);
            shapes.push(d);
        }
        let mut out_dims = base.clone();
        out_dims[axis] = sizes.iter().sum();
        let got = Tensor::try_concat_axis::<DynShape>(parts, axis).unwrap();
        prop_assert_eq!(got.dims(), out_dims.clone());
        let want: Vec<f64> = (0..numel(&out_dims))
            .map(|i| {
                let mut p = unravel(i, &out_dims);
                let mut k = 0;
                while p[axis] >= sizes[k] {
                    p[axis] -= sizes[k];
                    k += 1;
                }
                logical[k][ravel(&p, &shapes[k])]
            })
            .collect();
        prop_assert_eq!(got.to_vec(), want);
    }

    #[test]
    fn index_select_matches_reference(
        shape in dims(1..=3, 1..=3),
        axis_seed in any::<usize>(),
        picks in prop::collection::vec(any::<u32>(), 0..=5),
        vals in pool(false),
        strided in any::<bool>(),
    ) {
        let axis = axis_seed % shape.len();
        let v = take(&vals, 0, numel(&shape));
        let picks: Vec<usize> = picks.iter().map(|&p| p as usize % shape[axis]).collect();
        let x = make(&shape, &v, strided);
        let got = x
            .clone()
            .try_index_select_axis::<DynShape, _>(axis, &index_tensor(&[picks.len()], picks.clone()))
            .unwrap();
        let mut out_dims = shape.clone();
        out_dims[axis] = picks.len();
        prop_assert_eq!(got.dims(), out_dims.clone());
        let want: Vec<f64> = (0..numel(&out_dims))
            .map(|i| {
                let mut p = unravel(i, &out_dims);
                p[axis] = picks[p[axis]];
                v[ravel(&p, &shape)]
            })
            .collect();
        prop_assert_eq!(got.to_vec(), want);
        // an index past the axis is an error, not a panic
        let bad = index_tensor(&[1], vec![shape[axis]]);
        let is_index_err = matches!(x.try_index_select_axis::<DynShape, _>(axis, &bad), Err(Error::Index { .. }));
        prop_assert!(is_index_err);
    }

    #[test]
    fn gather_matches_reference(
        shape in dims(1..=3, 1..=3),
        axis_seed in any::<usize>(),
        index_seed in prop::collection::vec(0usize..=4, 3),
        picks in prop::collection::vec(any::<u32>(), 64),
        vals in pool(false),
        strided in any::<bool>(),
    ) {
        let axis = axis_seed % shape.len();
        let idims: Vec<usize> = (0..shape.len())
            .map(|a| if a == axis { index_seed[a] } else { index_seed[a] % (shape[a] + 1) })
            .collect();
        let iv: Vec<usize> = (0..numel(&idims)).map(|i| picks[i] as usize % shape[axis]).collect();
        let v = take(&vals, 3, numel(&shape));
        let x = make(&shape, &v, strided);
        let got = x.clone().try_gather_axis(axis, &index_tensor(&idims, iv.clone())).unwrap();
        prop_assert_eq!(got.dims(), idims.clone());
        let want: Vec<f64> = (0..numel(&idims))
            .map(|i| {
                let mut p = unravel(i, &idims);
                p[axis] = iv[i];
                v[ravel(&p, &shape)]
            })
            .collect();
        prop_assert_eq!(got.to_vec(), want);
        if !iv.is_empty() {
            let mut bad = iv;
            bad[0] = shape[axis] + picks[0] as usize % 3;
            let is_index_err = matches!(x.try_gather_axis(axis, &index_tensor(&idims, bad)), Err(Error::Index { .. }));
            prop_assert!(is_index_err);
        }
    }

    #[test]
    fn scatter_add_matches_reference(
        shape in dims(1..=3, 1..=3),
        axis_seed in any::<usize>(),
        index_seed in prop::collection::vec(0usize..=4, 3),
        extra in prop::collection::vec(0usize..=1, 3),
        picks in prop::collection::vec(any::<u32>(), 64),
        vals in pool(false),
        strided in prop::collection::vec(any::<bool>(), 2),
    ) {
        let axis = axis_seed % shape.len();
        let r = shape.len();
        let idims: Vec<usize> = (0..r)
            .map(|a| if a == axis { index_seed[a] } else { index_seed[a] % (shape[a] + 1) })
            .collect();
        let sdims: Vec<usize> = (0..r).map(|a| idims[a] + extra[a]).collect();
        let iv: Vec<usize> = (0..numel(&idims)).map(|i| picks[i] as usize % shape[axis]).collect();
        let (vx, vs) = (take(&vals, 0, numel(&shape)), take(&vals, 13, numel(&sdims)));
        let (x, src) = (make(&shape, &vx, strided[0]), make(&sdims, &vs, strided[1]));
        let got = x
            .clone()
            .try_scatter_add_axis(axis, &index_tensor(&idims, iv.clone()), src.clone())
            .unwrap();
        let mut want = vx;
        for (i, &k) in iv.iter().enumerate() {
            let p = unravel(i, &idims);
            let mut q = p.clone();
            q[axis] = k;
            want[ravel(&q, &shape)] += vs[ravel(&p, &sdims)];
        }
        prop_assert_eq!(got.dims(), shape.clone());
        let got = got.to_vec();
        for (g, w) in got.iter().zip(&want) {
            prop_assert!((g - w).abs() < 1e-12, "got {:?}, want {:?}", got, want);
        }
        if !iv.is_empty() {
            let mut bad = iv;
            bad[0] = shape[axis];
            let is_index_err = matches!(x.try_scatter_add_axis(axis, &index_tensor(&idims, bad), src), Err(Error::Index { .. }));
            prop_assert!(is_index_err);
        }
    }
}
