//! `TSNE` with the FFT-interpolated gradient (`TsneMethod::Fft`, FIt-SNE's) against
//! scikit-learn 1.9's Barnes-Hut fits in `tests/fixtures/tsne.json` (scikit-learn has no FFT
//! method): on 250 digits, the mean final KL divergence over a PCA start and three random
//! starts within 8% of scikit-learn's (measured: 6.6% above), and the mean trustworthiness
//! within 0.01 (measured: 0.0003 above); 1-D
//! embeddings; the error for 3 components; and an ignored timing of Barnes-Hut against FFT.
//! (The interpolated repulsion itself is tested against the exact sums inside the crate.)

mod common;

use std::time::Instant;

use common::{matrix, read_json, tensor2, X};
use gf_learn::manifold::{trustworthiness, TsneInit, TsneMethod, TSNE};
use gf_learn::Error;
use serde_json::Value;

fn digits() -> (Value, X) {
    let f = read_json("tsne.json");
    let d = f["digits"].clone();
    let (rows, data) = matrix(&d["x"]);
    (d, tensor2(data, rows))
}

fn start(fit: &Value) -> (TsneInit, u64) {
    let init = match fit["init"].as_str().unwrap() {
        "pca" => TsneInit::Pca,
        _ => TsneInit::Random,
    };
    (init, fit["random_state"].as_u64().unwrap())
}

/// On 250 digits, the mean KL divergence of four FFT fits (a PCA start and three random ones)
/// is within 8% of scikit-learn's Barnes-Hut mean over the same starts, and the mean
/// trustworthiness within 0.01 (single runs are not comparable: the descent is chaotic).
/// Measured: KL 0.2838 against 0.2662 (+6.6%, every start above; a grid twice as fine
/// still gives +5.4%, so it is not the interpolation error), trustworthiness 0.99502
/// against 0.99476.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "four fits of 250 samples: about 10 s in the test profile"
)]
fn digits_fit_reaches_scikit_learns_quality() {
    let (d, x) = digits();
    let fits: Vec<&Value> = d["fits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["method"] == "barnes_hut")
        .collect();
    let (mut kl, mut want_kl, mut tw, mut want_tw) = (0.0, 0.0, 0.0, 0.0);
    for fit in &fits {
        let (init, seed) = start(fit);
        let mut tsne = TSNE::new()
            .method(TsneMethod::Fft)
            .init(init)
            .random_state(seed);
        let emb = tsne.fit_transform(&x).unwrap();
        let run_kl = tsne.kl_divergence_().unwrap();
        let run_tw = trustworthiness(&x, &emb, 5).unwrap();
        println!(
            "fft {} {seed}: KL {run_kl} (scikit-learn barnes_hut {}), trustworthiness {run_tw} \
             ({})",
            fit["init"], fit["kl_divergence"], fit["trustworthiness"]
        );
        assert_eq!(tsne.n_iter_().unwrap(), 999);
        kl += run_kl;
        tw += run_tw;
        want_kl += fit["kl_divergence"].as_f64().unwrap();
        want_tw += fit["trustworthiness"].as_f64().unwrap();
    }
    let m = fits.len() as f64;
    let (kl, want_kl, tw, want_tw) = (kl / m, want_kl / m, tw / m, want_tw / m);
    println!("fft mean KL {kl} (scikit-learn {want_kl}), trustworthiness {tw} ({want_tw})");
    assert!(
        (kl - want_kl).abs() <= 0.08 * want_kl,
        "mean KL {kl}, scikit-learn {want_kl}"
    );
    assert!(
        (tw - want_tw).abs() <= 0.01,
        "mean trustworthiness {tw}, scikit-learn {want_tw}"
    );
}

/// One FFT fit from the PCA start, cheap enough for every run (about 5 s in the test
/// profile): its KL within 15% of scikit-learn's Barnes-Hut fit from the same start
/// (measured: +10.0%), and its trustworthiness within 0.01 (measured: +0.0008).
#[test]
fn digits_pca_start_fit_is_close_to_scikit_learns() {
    let (d, x) = digits();
    let fit = &d["fits"][0];
    assert_eq!(fit["method"], "barnes_hut");
    assert_eq!(fit["init"], "pca");
    let mut tsne = TSNE::new().method(TsneMethod::Fft);
    let emb = tsne.fit_transform(&x).unwrap();
    let kl = tsne.kl_divergence_().unwrap();
    let tw = trustworthiness(&x, &emb, 5).unwrap();
    let want_kl = fit["kl_divergence"].as_f64().unwrap();
    let want_tw = fit["trustworthiness"].as_f64().unwrap();
    println!("fft pca: KL {kl} ({want_kl}), trustworthiness {tw} ({want_tw})");
    assert!((kl - want_kl).abs() <= 0.15 * want_kl, "KL {kl}, {want_kl}");
    assert!(
        (tw - want_tw).abs() <= 0.01,
        "trustworthiness {tw}, {want_tw}"
    );
}

/// A 1-D FFT embedding of the digits is at least as good as a 1-D Barnes-Hut one (whose
/// tree summarises the repulsion more coarsely in 1-D): KL no more than 10% above, and
/// trustworthiness no more than 0.01 below.
#[test]
fn one_component_embeds_the_digits() {
    let (_, x) = digits();
    let x = common::head(&x, 120);
    let mut fft = TSNE::new().n_components(1).perplexity(10.0).max_iter(300);
    let mut bh = fft.clone();
    fft = fft.method(TsneMethod::Fft);
    let e_fft = fft.fit_transform(&x).unwrap();
    let e_bh = bh.fit_transform(&x).unwrap();
    assert_eq!(e_fft.dims(), [120, 1]);
    let (t_fft, t_bh) = (
        trustworthiness(&x, &e_fft, 5).unwrap(),
        trustworthiness(&x, &e_bh, 5).unwrap(),
    );
    let (k_fft, k_bh) = (fft.kl_divergence_().unwrap(), bh.kl_divergence_().unwrap());
    println!("1-D: fft KL {k_fft}, trustworthiness {t_fft}; barnes_hut KL {k_bh}, {t_bh}");
    assert!(
        k_fft.is_finite() && k_fft <= 1.1 * k_bh,
        "{k_fft} vs {k_bh}"
    );
    assert!(t_fft >= t_bh - 0.01, "{t_fft} vs {t_bh}");
}

/// Three components (or more) with the FFT method are an error naming `n_components`, and
/// one sample is an error too, as for Barnes-Hut.
#[test]
fn bad_input_is_an_error() {
    let x = tensor2((0..40).map(|v| (v * 7 % 11) as f64).collect(), 10);
    for k in [3, 4] {
        let err = TSNE::new()
            .n_components(k)
            .perplexity(3.0)
            .method(TsneMethod::Fft)
            .fit(&x)
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("fft") && msg.contains("n_components"), "{msg}");
        assert!(matches!(
            err,
            Error::InvalidParameter {
                name: "n_components",
                ..
            }
        ));
    }
    let one = tensor2(vec![1.0, 2.0], 1);
    assert!(TSNE::new()
        .perplexity(0.5)
        .method(TsneMethod::Fft)
        .fit(&one)
        .is_err());
}

/// Uniform noise in `[0, 1)`, `n × d`, from a fixed linear congruential generator.
fn noise(n: usize, d: usize) -> X {
    let mut s = 0x2545_f491_4f6c_dd1du64;
    let data = (0..n * d)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    tensor2(data, n)
}

/// Times Barnes-Hut against FFT on the 250 digits and on 20000 × 50 uniform noise
/// (`cargo test -p gf-learn --test tsne_fft -- --ignored --nocapture`). Measured once in the
/// test profile on 2 shared cores: digits Barnes-Hut 0.22 s, FFT 5.72 s (the grid of at
/// least 50 × 50 boxes costs the same for 250 points as for 20000); noise Barnes-Hut
/// 40.2 s (KL 5.2606), FFT 32.8 s (KL 5.2875).
#[test]
#[ignore = "a timing, run by hand"]
fn timing_barnes_hut_against_fft() {
    let (_, digits) = digits();
    for (name, x) in [
        ("digits 250x64", digits),
        ("noise 20000x50", noise(20000, 50)),
    ] {
        for method in [TsneMethod::BarnesHut, TsneMethod::Fft] {
            let mut tsne = TSNE::new().method(method);
            let t = Instant::now();
            let emb = tsne.fit_transform(&x).unwrap();
            let secs = t.elapsed().as_secs_f64();
            let tw = if x.dims()[0] <= 2000 {
                trustworthiness(&x, &emb, 5).unwrap()
            } else {
                f64::NAN
            };
            println!(
                "{name} {method:?}: {secs:.2} s, KL {}, trustworthiness {tw}",
                tsne.kl_divergence_().unwrap()
            );
        }
    }
}
