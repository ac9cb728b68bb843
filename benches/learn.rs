//! The GhostFlow side of `benches/compare_learn.py`: fits one gf-learn estimator on the data
//! the runner wrote and prints one JSON line with the fit time, the training accuracy and the
//! CPU and SIMD path.
//!
//! ```text
//! cargo bench --bench learn -- <estimator> <x.f64> <y.u32> <rows> <cols>
//! ```
//!
//! `x.f64` holds `rows × cols` little-endian f64 (row-major), `y.u32` one little-endian u32
//! label per row. Estimators: `svc` (`SVC()` with scikit-learn's defaults).

use std::time::Instant;

use gf_core::device::simd;
use gf_core::prelude::*;
use gf_learn::prelude::*;
use gf_learn::svm::SVC;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [estimator, x_path, y_path, rows, cols] = args.as_slice() else {
        eprintln!("usage: learn <estimator> <x.f64> <y.u32> <rows> <cols>");
        std::process::exit(2);
    };
    let (rows, cols): (usize, usize) = (rows.parse().unwrap(), cols.parse().unwrap());
    let x: Vec<f64> = read(x_path)
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let y: Vec<usize> = read(y_path)
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize)
        .collect();
    assert_eq!((x.len(), y.len()), (rows * cols, rows), "data sizes");
    let dev = Cpu::default();
    let x = dev.tensor_from_vec(x, (rows, cols));
    let y = dev.tensor_from_vec(y, (rows,));
    let (seconds, accuracy, extra) = match estimator.as_str() {
        "svc" => {
            let mut m = SVC::new();
            let t = Instant::now();
            m.fit(&x, &y).unwrap();
            let seconds = t.elapsed().as_secs_f64();
            let n_sv = m.support_().unwrap().len();
            (
                seconds,
                m.score(&x, &y).unwrap(),
                format!("\"n_sv\": {n_sv}"),
            )
        }
        other => panic!("unknown estimator {other}"),
    };
    println!(
        "{{\"side\": \"ghostflow\", \"fit_s\": {seconds}, \"accuracy\": {accuracy}, {extra}, \"threads\": {}, \"cpu\": \"{}\", \"simd\": \"{}\"}}",
        std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model(),
        simd::path().name()
    );
}
