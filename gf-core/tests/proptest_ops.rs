//! Property tests of broadcasting, reductions and matmul against naive reference loops.

use gf_core::prelude::*;
use proptest::prelude::*;

fn dyn_tensor(dims: &[usize], data: Vec<f64>) -> Tensor<DynShape, f64, Cpu> {
    Cpu::default().tensor_from_vec(data, DynShape::new(dims))
}

/// Row-major index → multi-index.
fn unravel(mut i: usize, dims: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; dims.len()];
    for a in (0..dims.len()).rev() {
        idx[a] = i % dims[a];
        i /= dims[a];
    }
    idx
}

fn ravel(idx: &[usize], dims: &[usize]) -> usize {
    idx.iter().zip(dims).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// Dims up to rank 4 with sizes 1..=4, and matching data.
fn dims_and_data() -> impl Strategy<Value = (Vec<usize>, Vec<f64>)> {
    prop::collection::vec(1usize..=4, 0..=4).prop_flat_map(|dims| {
        let n = dims.iter().product::<usize>();
        (Just(dims), prop::collection::vec(-10.0f64..10.0, n))
    })
}

/// Two shapes that broadcast: the second drops leading dims and sets some dims to 1.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, Vec<f64>, Vec<f64>)> {
    (prop::collection::vec(1usize..=4, 1..=4), any::<u64>()).prop_flat_map(|(a, bits)| {
        let drop = (bits % (a.len() as u64 + 1)) as usize;
        let b: Vec<usize> = a[drop..]
            .iter()
            .enumerate()
            .map(|(i, &d)| if bits >> (8 + i) & 1 == 1 { 1 } else { d })
            .collect();
        let (na, nb) = (a.iter().product::<usize>(), b.iter().product::<usize>());
        (
            Just(a),
            Just(b),
            prop::collection::vec(-5.0f64..5.0, na),
            prop::collection::vec(-5.0f64..5.0, nb),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn broadcasting_add_matches_reference((a, b, xa, xb) in broadcast_pair()) {
        let got = dyn_tensor(&a, xa.clone()).add(dyn_tensor(&b, xb.clone()));
        prop_assert_eq!(got.dims(), a.clone());
        let lead = a.len() - b.len();
        let want: Vec<f64> = (0..xa.len()).map(|i| {
            let idx = unravel(i, &a);
            let bidx: Vec<usize> = b.iter().enumerate().map(|(k, &d)| if d == 1 { 0 } else { idx[lead + k] }).collect();
            xa[i] + xb[ravel(&bidx, &b)]
        }).collect();
        prop_assert_eq!(got.to_vec(), want);
        // and symmetric: b + a broadcasts the other way
        let got_ba = dyn_tensor(&b, xb).add(dyn_tensor(&a, xa));
        prop_assert_eq!(got_ba.dims(), a);
    }

    #[test]
    fn reductions_match_reference((dims, data) in dims_and_data(), mask in 1u32..16) {
        let axes: Vec<usize> = (0..dims.len()).filter(|a| mask >> a & 1 == 1).collect();
        let kept: Vec<usize> = (0..dims.len()).filter(|a| !axes.contains(a)).map(|a| dims[a]).collect();
        let n_out = kept.iter().product::<usize>();
        let mut sum = vec![0.0; n_out];
        let mut max = vec![f64::NEG_INFINITY; n_out];
        for (i, &x) in data.iter().enumerate() {
            let idx = unravel(i, &dims);
            let kidx: Vec<usize> = (0..dims.len()).filter(|a| !axes.contains(a)).map(|a| idx[a]).collect();
            let o = ravel(&kidx, &kept);
            sum[o] += x;
            max[o] = max[o].max(x);
        }
        let t = dyn_tensor(&dims, data);
        let got_sum = t.clone().try_reduce_axes::<DynShape>(ReduceOp::Sum, &axes).unwrap();
        prop_assert_eq!(got_sum.dims(), kept.clone());
        for (g, w) in got_sum.to_vec().iter().zip(&sum) {
            prop_assert!((g - w).abs() < 1e-9, "sum {} vs {}", g, w);
        }
        prop_assert_eq!(t.clone().try_reduce_axes::<DynShape>(ReduceOp::Max, &axes).unwrap().to_vec(), max);
        // reducing the transposed tensor over the mirrored axes gives the same totals
        if dims.len() > 1 {
            let r = dims.len();
            let rev: Vec<usize> = (0..r).rev().collect();
            let mut mirrored: Vec<usize> = axes.iter().map(|&a| r - 1 - a).collect();
            mirrored.sort();
            let total: f64 = t.clone().try_permute_axes::<DynShape>(&rev).unwrap()
                .try_reduce_axes::<DynShape>(ReduceOp::Sum, &mirrored).unwrap().to_vec().iter().sum();
            prop_assert!((total - sum.iter().sum::<f64>()).abs() < 1e-9);
        }
    }

    #[test]
    fn matmul_matches_reference(b in 1usize..=3, m in 1usize..=5, k in 1usize..=5, n in 1usize..=5, seed in any::<u64>(), batched_rhs in any::<bool>(), transpose_lhs in any::<bool>()) {
        let dev = Cpu::seed_from_u64(seed);
        let x: Vec<f64> = dev.randn_like(&(b * m * k,)).to_vec();
        let y: Vec<f64> = dev.randn_like(&(if batched_rhs { b } else { 1 } * k * n,)).to_vec();
        let mut want = vec![0.0; b * m * n];
        for bi in 0..b {
            let yb = if batched_rhs { bi } else { 0 };
            for i in 0..m {
                for j in 0..n {
                    want[(bi * m + i) * n + j] = (0..k).map(|p| x[(bi * m + i) * k + p] * y[(yb * k + p) * n + j]).sum();
                }
            }
        }
        let lhs = if transpose_lhs {
            // the same logical matrix stored transposed, read back through strides
            let mut xt = vec![0.0; x.len()];
            for bi in 0..b { for i in 0..m { for p in 0..k { xt[(bi * k + p) * m + i] = x[(bi * m + i) * k + p]; } } }
            dyn_tensor(&[b, k, m], xt).try_permute_axes::<DynShape>(&[0, 2, 1]).unwrap()
        } else {
            dyn_tensor(&[b, m, k], x)
        };
        let rhs = if batched_rhs { dyn_tensor(&[b, k, n], y) } else { dyn_tensor(&[k, n], y) };
        let got = lhs.try_matmul(rhs).unwrap();
        prop_assert_eq!(got.dims(), vec![b, m, n]);
        for (g, w) in got.to_vec().iter().zip(&want) {
            prop_assert!((g - w).abs() < 1e-9, "{} vs {}", g, w);
        }
    }
}
