//! GhostFlow's side of `benches/compare_kernels.py`: times `sgemm` / `dgemm` on the shapes it
//! is given and prints one JSON line per shape (median seconds per call over the samples).
//!
//! `cargo bench --bench kernels -- --shapes 256x256x256,128x784x256 [--dtype f32] [--samples 15]`
//!
//! A shape is `MxKxN`: (M, K)·(K, N), row-major, added into a preallocated C. `--info` prints
//! the chosen SIMD path and the cache sizes the blocks come from, as one JSON line; `--clock`
//! estimates the core clock from a dependent square-and-add chain (Zen 4 and recent Intel: 3
//! cycles per 64-bit `imul` plus 1 per `add`; squaring has no closed form to optimise into), since a VM often hides the real frequency.

use std::time::Instant;

use ghost_flow::core::device::gemm::{self, CacheSizes};
use ghost_flow::core::device::simd;
use ghost_flow::core::ops::matmul::{GemmDims, MatView};

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn parse_shape(s: &str) -> Option<(usize, usize, usize)> {
    let v: Vec<usize> = s
        .split('x')
        .map(|d| d.parse().ok())
        .collect::<Option<_>>()?;
    (v.len() == 3).then(|| (v[0], v[1], v[2]))
}

/// Median seconds per call and the number of calls made: each sample repeats the call enough
/// times to last about 2 ms.
fn time<E: gemm::GemmElem>(m: usize, k: usize, n: usize, samples: usize) -> (f64, usize) {
    let a: Vec<E> = (0..m * k)
        .map(|i| E::from_f64((i % 7) as f64 * 0.1))
        .collect();
    let b: Vec<E> = (0..k * n)
        .map(|i| E::from_f64((i % 5) as f64 * 0.1))
        .collect();
    let mut c = vec![E::zero(); m * n];
    let d = GemmDims::new(1, m, k, n).unwrap();
    let (av, bv, cv) = (
        MatView::packed(m, k),
        MatView::packed(k, n),
        MatView::packed(m, n),
    );
    let mut call = || gemm::gemm(d, &a, av, &b, bv, &mut c, cv).unwrap();
    call();
    let t = Instant::now();
    call();
    let once = t.elapsed().as_secs_f64().max(1e-9);
    let reps = ((2e-3 / once) as usize).clamp(1, 100_000);
    let mut times: Vec<f64> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                call();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], 2 + samples * reps)
}

/// GHz, best of a few runs of 4-cycle dependent steps.
fn clock_ghz() -> f64 {
    let steps: u64 = std::hint::black_box(200_000_000);
    (0..5)
        .map(|_| {
            let t = Instant::now();
            let mut x = std::hint::black_box(1u64);
            for _ in 0..steps {
                x = x.wrapping_mul(x).wrapping_add(1);
            }
            std::hint::black_box(x);
            4.0 * steps as f64 / t.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--clock") {
        println!("{{\"clock_ghz\":{:.3}}}", clock_ghz());
        return;
    }
    if args.iter().any(|a| a == "--info") {
        let c = CacheSizes::detect();
        println!(
            "{{\"simd\":\"{}\",\"l1d\":{},\"l2\":{},\"l3\":{},\"threads\":{}}}",
            simd::path(),
            c.l1d,
            c.l2,
            c.l3,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        return;
    }
    let shapes = arg(&args, "--shapes", "");
    if shapes.is_empty() {
        // `cargo bench` with no arguments runs every bench; this one needs its shapes.
        eprintln!("kernels bench: pass --shapes MxKxN,... (see benches/compare_kernels.py)");
        return;
    }
    let dtype = arg(&args, "--dtype", "f32");
    let samples: usize = arg(&args, "--samples", "15").parse().unwrap_or(15).max(1);
    for s in shapes.split(',') {
        let Some((m, k, n)) = parse_shape(s) else {
            eprintln!("kernels bench: bad shape {s:?}, want MxKxN");
            std::process::exit(2);
        };
        let (secs, calls) = match dtype.as_str() {
            "f64" => time::<f64>(m, k, n, samples),
            _ => time::<f32>(m, k, n, samples),
        };
        let gflops = 2.0 * (m * k * n) as f64 / secs / 1e9;
        println!(
            "{{\"dtype\":\"{dtype}\",\"m\":{m},\"k\":{k},\"n\":{n},\"median_s\":{secs:e},\"gflops\":{gflops:.2},\"calls\":{calls},\"simd\":\"{}\"}}",
            simd::path()
        );
    }
}
