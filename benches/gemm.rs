//! criterion benches of the packed GEMM: square sizes, the MLP layer shapes and small
//! matrices, f32 and f64, on the chosen SIMD path (printed first).
//!
//! `cargo bench --bench gemm` (add a filter such as `-- sgemm/1024` for one size).

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};

use ghost_flow::core::device::gemm::{self, GemmElem};
use ghost_flow::core::device::simd;
use ghost_flow::core::ops::matmul::{GemmDims, MatView};

/// (M, K, N): squares, the MLP's 784→256 and 256→128 layers on a batch of 128, and small ones.
const SHAPES: [(usize, usize, usize); 9] = [
    (8, 8, 8),
    (32, 32, 32),
    (64, 64, 64),
    (256, 256, 256),
    (512, 512, 512),
    (1024, 1024, 1024),
    (128, 784, 256),
    (128, 256, 128),
    (64, 256, 64),
];

fn bench<E: GemmElem>(c: &mut Criterion, name: &str) {
    let mut g = c.benchmark_group(name);
    for (m, k, n) in SHAPES {
        let a: Vec<E> = (0..m * k)
            .map(|i| E::from_f64((i % 7) as f64 * 0.1))
            .collect();
        let b: Vec<E> = (0..k * n)
            .map(|i| E::from_f64((i % 5) as f64 * 0.1))
            .collect();
        let mut out = vec![E::zero(); m * n];
        let d = GemmDims::new(1, m, k, n).unwrap();
        let (av, bv, cv) = (
            MatView::packed(m, k),
            MatView::packed(k, n),
            MatView::packed(m, n),
        );
        g.throughput(Throughput::Elements(2 * (m * k * n) as u64));
        if m * k * n >= 1 << 27 {
            g.sample_size(20);
        } else {
            g.sample_size(60);
        }
        g.bench_function(BenchmarkId::from_parameter(format!("{m}x{k}x{n}")), |bch| {
            bch.iter(|| gemm::gemm(d, &a, av, &b, bv, &mut out, cv).unwrap())
        });
    }
    g.finish();
}

fn gemms(c: &mut Criterion) {
    println!("GhostFlow SIMD path: {}", simd::path());
    bench::<f32>(c, "sgemm");
    bench::<f64>(c, "dgemm");
}

mod group {
    // the function `criterion_group!` generates carries no doc comment
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::gemms);
}

criterion_main!(group::benches);
