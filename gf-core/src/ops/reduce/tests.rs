//! The fused last-axis kernels against the composite ops they replace, which still run along
//! the other axes: the same numbers through a transpose, on contiguous and strided inputs.

use crate::prelude::*;

/// A (rows, cols) tensor of values in roughly [-15, 15], and its transpose made contiguous.
fn sample(rows: usize, cols: usize) -> Tensor<(usize, usize), f64, Cpu> {
    let v = (0..rows * cols)
        .map(|i| ((i * 37 % 101) as f64 - 50.0) * 0.3)
        .collect();
    Cpu::default().tensor_from_vec(v, (rows, cols))
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}[{i}]: fused {g}, composite {w}"
        );
    }
}

#[test]
fn fused_last_axis_kernels_match_the_composites_along_axis_0() {
    for (rows, cols) in [(1, 1), (3, 5), (4, 33), (7, 1024)] {
        let x = sample(rows, cols);
        // the composite runs along axis 0 of the transpose; transposed back it is comparable
        let xt = x.clone().transpose().contiguous();
        let back = |t: Tensor<(usize, usize), f64, Cpu>| t.transpose().contiguous().to_vec();
        let at = |what: &str| format!("{what} of {rows}x{cols}");
        let sm = x.clone().try_softmax_axis(1).unwrap().to_vec();
        assert_close(
            &sm,
            &back(xt.clone().try_softmax_axis(0).unwrap()),
            &at("softmax"),
        );
        let lsm = x.clone().try_log_softmax_axis(1).unwrap().to_vec();
        let want = back(xt.clone().try_log_softmax_axis(0).unwrap());
        assert_close(&lsm, &want, &at("log_softmax"));
        let lse: Tensor<(usize,), f64, Cpu> = x.clone().try_logsumexp_axes(&[1]).unwrap();
        let lse_t: Tensor<(usize,), f64, Cpu> = xt.clone().try_logsumexp_axes(&[0]).unwrap();
        assert_close(&lse.to_vec(), &lse_t.to_vec(), &at("logsumexp"));
        // a strided (transposed) input takes the fused kernel too
        let strided = xt.transpose().try_softmax_axis(1).unwrap().to_vec();
        assert_close(&strided, &sm, &at("softmax of a strided view"));
    }
}

#[test]
fn row_reductions_over_contiguous_trailing_axes_match_a_plain_fold() {
    let x = sample(6, 37);
    let v = x.to_vec();
    let sums: Tensor<(usize,), f64, Cpu> = x.clone().try_reduce_axes(ReduceOp::Sum, &[1]).unwrap();
    let maxes: Tensor<(usize,), f64, Cpu> = x.clone().try_reduce_axes(ReduceOp::Max, &[1]).unwrap();
    let mins: Tensor<(usize,), f64, Cpu> = x.clone().try_reduce_axes(ReduceOp::Min, &[1]).unwrap();
    for (r, row) in v.chunks(37).enumerate() {
        assert!((sums.to_vec()[r] - row.iter().sum::<f64>()).abs() < 1e-12);
        assert_eq!(
            maxes.to_vec()[r],
            row.iter().copied().fold(f64::MIN, f64::max)
        );
        assert_eq!(
            mins.to_vec()[r],
            row.iter().copied().fold(f64::MAX, f64::min)
        );
    }
    let all: Tensor<(), f64, Cpu> = x.try_reduce_axes(ReduceOp::Sum, &[0, 1]).unwrap();
    assert!((all.scalar() - v.iter().sum::<f64>()).abs() < 1e-10);
}
