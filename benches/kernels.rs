//! GhostFlow's side of `benches/compare_kernels.py`: times `sgemm` / `dgemm` on the shapes it
//! is given and prints one JSON line per shape (median seconds per call over the samples).
//!
//! `cargo bench --bench kernels -- --shapes 256x256x256,128x784x256 [--dtype f32] [--samples 15]`
//!
//! A shape is `MxKxN`: (M, K)·(K, N), row-major, added into a preallocated C. `--info` prints
//! the chosen SIMD path and the cache sizes the blocks come from, as one JSON line; `--clock`
//! estimates the core clock from a dependent square-and-add chain (Zen 4 and recent Intel: 3
//! cycles per 64-bit `imul` plus 1 per `add`; squaring has no closed form to optimise into), since a VM often hides the real frequency.
//!
//! `cargo bench --bench kernels -- --ops softmax,exp,tanh,sigmoid,add_bcast [--dtype f32]` times
//! the elementwise and softmax kernels through the tensor API instead (each call allocates its
//! output, as PyTorch's out-of-place ops do): `softmax` over the last axis of 1024×1024, `exp`,
//! `tanh`, `sigmoid` on 2^20 elements, `add_bcast` a 1024×1024 plus a row of 1024 broadcast
//! down it. One JSON line per op.
//!
//! `cargo bench --bench kernels -- --ops conv_mnist,conv64` times convolution and pooling,
//! forward and backward (the gradient of every weight, and of the input where a layer needs
//! it), f32 only: `conv_mnist` is a batch of 64 1×28×28 images through conv 1→32 3×3, ReLU,
//! max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, summed; `conv64` one 3×3 conv 64→64, padded
//! by 1, of a batch of 32 64×32×32 maps, summed, with the gradients of the input and the weight.
//! `benches/compare_conv.py` times the same two in PyTorch.

use std::time::Instant;

use ghost_flow::core::device::gemm::{self, CacheSizes};
use ghost_flow::core::device::simd;
use ghost_flow::core::ops::matmul::{GemmDims, MatView};
use ghost_flow::core::prelude::*;
use ghost_flow::grad::prelude::*;

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

/// Median seconds per call of `call` over `samples` samples of about 2 ms each.
fn median_secs(samples: usize, mut call: impl FnMut()) -> f64 {
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
    times[times.len() / 2]
}

/// Elements every `--ops` case reads: 1024×1024, or 2^20 in a row.
const OP_ELEMENTS: usize = 1 << 20;

/// Seconds per call of the named tensor op on its fixed shape (see the module docs); `None`
/// for an unknown name.
fn time_op<E: Dtype>(op: &str, samples: usize) -> Option<f64>
where
    Cpu: Device<E>,
{
    let dev = Cpu::seed_from_u64(0);
    let (lo, hi) = (E::from_f64(-4.0), E::from_f64(4.0));
    let square = (1024usize, 1024usize);
    let m = dev.try_sample_uniform_like(&square, lo, hi).unwrap();
    let v = dev
        .try_sample_uniform_like(&(OP_ELEMENTS,), lo, hi)
        .unwrap();
    let row = dev.try_sample_uniform_like(&(1024usize,), lo, hi).unwrap();
    let secs = match op {
        "softmax" => median_secs(samples, || {
            std::hint::black_box(m.clone().softmax::<Axis<1>>());
        }),
        "exp" => median_secs(samples, || {
            std::hint::black_box(v.clone().exp());
        }),
        "tanh" => median_secs(samples, || {
            std::hint::black_box(v.clone().tanh());
        }),
        "sigmoid" => median_secs(samples, || {
            std::hint::black_box(v.clone().sigmoid());
        }),
        "add_bcast" => median_secs(samples, || {
            let b = row.clone().broadcast_like::<_, Axis<0>>(&square);
            std::hint::black_box(m.clone() + b);
        }),
        _ => return None,
    };
    Some(secs)
}

/// Seconds per forward + backward pass of the named convolution case (see the module docs);
/// `None` for an unknown name.
fn time_conv(op: &str, samples: usize) -> Option<f64> {
    let dev = Cpu::seed_from_u64(0);
    let secs = match op {
        "conv_mnist" => {
            let x: Tensor<Rank4<64, 1, 28, 28>, f32, Cpu> = dev.randn();
            let w1: Tensor<Rank4<32, 1, 3, 3>, f32, Cpu> = dev.randn();
            let w2: Tensor<Rank4<64, 32, 3, 3>, f32, Cpu> = dev.randn();
            median_secs(samples, || {
                let tape = OwnedTape::new();
                let pool = Pool2dOpts::new(Const::<2>);
                let h = x
                    .clone()
                    .conv2d(w1.trace_into(&tape), Conv2dOpts::new())
                    .relu()
                    .max_pool2d(pool);
                let y = h
                    .conv2d(w2.trace_into(&tape), Conv2dOpts::new())
                    .relu()
                    .max_pool2d(pool);
                std::hint::black_box(y.sum::<(Axis<0>, Axis<1>, Axis<2>, Axis<3>)>().backward());
            })
        }
        "conv64" => {
            let x: Tensor<Rank4<32, 64, 32, 32>, f32, Cpu> = dev.randn();
            let w: Tensor<Rank4<64, 64, 3, 3>, f32, Cpu> = dev.randn();
            median_secs(samples, || {
                let tape = OwnedTape::new();
                let y = x
                    .trace_into(&tape)
                    .conv2d(w.trace_into(&tape), Conv2dOpts::new().padding(Const::<1>));
                std::hint::black_box(y.sum::<(Axis<0>, Axis<1>, Axis<2>, Axis<3>)>().backward());
            })
        }
        _ => return None,
    };
    Some(secs)
}

/// Runs `--ops`: one JSON line per op.
fn run_ops(ops: &str, dtype: &str, samples: usize) {
    for op in ops.split(',') {
        if let Some(secs) = time_conv(op, samples) {
            println!(
                "{{\"op\":\"{op}\",\"dtype\":\"f32\",\"median_s\":{secs:e},\"simd\":\"{}\"}}",
                simd::path()
            );
            continue;
        }
        let r = match dtype {
            "f64" => time_op::<f64>(op, samples),
            _ => time_op::<f32>(op, samples),
        };
        let Some(secs) = r else {
            eprintln!(
                "kernels bench: unknown op {op:?}, want softmax, exp, tanh, sigmoid, add_bcast, conv_mnist or conv64"
            );
            std::process::exit(2);
        };
        println!(
            "{{\"op\":\"{op}\",\"dtype\":\"{dtype}\",\"elements\":{OP_ELEMENTS},\"median_s\":{secs:e},\"ns_per_element\":{:.3},\"simd\":\"{}\"}}",
            secs * 1e9 / OP_ELEMENTS as f64,
            simd::path()
        );
    }
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
    let dtype = arg(&args, "--dtype", "f32");
    let samples: usize = arg(&args, "--samples", "15").parse().unwrap_or(15).max(1);
    let ops = arg(&args, "--ops", "");
    if !ops.is_empty() {
        run_ops(&ops, &dtype, samples);
        return;
    }
    let shapes = arg(&args, "--shapes", "");
    if shapes.is_empty() {
        // `cargo bench` with no arguments runs every bench; this one needs its shapes.
        eprintln!("kernels bench: pass --shapes MxKxN,... or --ops NAME,... (see the docs)");
        return;
    }
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
