//! `kernel = Precomputed` for SVC, NuSVC, SVR, NuSVR and OneClassSVM against scikit-learn's
//! `kernel="precomputed"` (`fixtures/svm_precomputed.json`, written by
//! `make_svm_precomputed_fixtures.py`), on linear and RBF (γ = 0.5) Gram matrices of iris and of
//! a 60-sample regression. The Gram matrices are rebuilt here (the fixture keeps a diagonal and a
//! first row to check them against numpy's). Dual coefficients, intercepts, decision values,
//! predictions and Platt's coefficients agree with scikit-learn to 1e-8 and the support indexes
//! exactly; a fit on the Gram matrix agrees with this crate's own linear / RBF fit on the raw
//! data to 1e-10. Shape errors name both sizes.

mod common;

use common::*;
use gf_core::prelude::{Cpu, Tensor};
use gf_learn::prelude::*;
use gf_learn::svm::{Gamma, Kernel, NuSVC, NuSVR, OneClassSVM, SVC, SVR};
use serde_json::Value;

const SKLEARN_TOL: f64 = 1e-8;
const OWN_TOL: f64 = 1e-10;

/// What the tests compare of one fit.
#[derive(Debug)]
struct Fit {
    dual_coef: Vec<f64>,
    intercept: Vec<f64>,
    support: Vec<usize>,
    decision: Vec<f64>,
    predict: Vec<f64>,
    n_sv_values: usize,
    platt: Option<(Vec<f64>, Vec<f64>, Vec<f64>)>,
}

/// K(a, b) for the fixture's kernels: `a · bᵀ`, or exp(−γ‖a − b‖²) from the differences.
fn gram(kind: &str, gamma: f64, a: &X, b: &X) -> X {
    let (da, db, d) = (a.to_vec(), b.to_vec(), a.dims()[1]);
    let (na, nb) = (a.dims()[0], b.dims()[0]);
    let mut out = Vec::with_capacity(na * nb);
    for i in 0..na {
        let ra = &da[i * d..(i + 1) * d];
        for j in 0..nb {
            let rb = &db[j * d..(j + 1) * d];
            out.push(match kind {
                "linear" => ra.iter().zip(rb).map(|(p, q)| p * q).sum(),
                _ => {
                    let sq: f64 = ra.iter().zip(rb).map(|(p, q)| (p - q) * (p - q)).sum();
                    (-gamma * sq).exp()
                }
            });
        }
    }
    tensor2(out, na)
}

fn raw_kernel(kind: &str) -> Kernel {
    if kind == "linear" {
        Kernel::Linear
    } else {
        Kernel::Rbf
    }
}

fn ints(v: &[usize]) -> Vec<f64> {
    v.iter().map(|&c| c as f64).collect()
}

/// Fits the estimator named by `name` with `kernel` on `x_train`, then evaluates on `x_test`.
fn classify(name: &str, kernel: Kernel, gamma: f64, x: &X, y: &Labels, t: &X) -> Fit {
    let g = Gamma::Value(gamma);
    if name.starts_with("oneclass") {
        let mut m = OneClassSVM::new().nu(0.2).kernel(kernel).gamma(g);
        m.fit(x).unwrap();
        return Fit {
            dual_coef: m.dual_coef_().unwrap().to_vec(),
            intercept: m.intercept_().unwrap().to_vec(),
            support: m.support_().unwrap().to_vec(),
            decision: m.decision_function(t).unwrap().to_vec(),
            predict: m.predict(t).unwrap().to_vec(),
            n_sv_values: m.support_vectors_().unwrap().len(),
            platt: None,
        };
    }
    if name.starts_with("nusvc") {
        let mut m = NuSVC::new().nu(0.3).kernel(kernel).gamma(g);
        m.fit(x, y).unwrap();
        return Fit {
            dual_coef: m.dual_coef_().unwrap().to_vec(),
            intercept: m.intercept_().unwrap().to_vec(),
            support: m.support_().unwrap().to_vec(),
            decision: m.decision_function(t).unwrap().to_vec(),
            predict: ints(&m.predict(t).unwrap().to_vec()),
            n_sv_values: m.support_vectors_().unwrap().len(),
            platt: None,
        };
    }
    let proba = name.ends_with("proba");
    let mut m = SVC::new()
        .kernel(kernel)
        .gamma(g)
        .probability(proba)
        .random_state(3);
    m.fit(x, y).unwrap();
    let platt = proba.then(|| {
        (
            m.prob_a_().unwrap().to_vec(),
            m.prob_b_().unwrap().to_vec(),
            m.predict_proba(t).unwrap().to_vec(),
        )
    });
    Fit {
        dual_coef: m.dual_coef_().unwrap().to_vec(),
        intercept: m.intercept_().unwrap().to_vec(),
        support: m.support_().unwrap().to_vec(),
        decision: m.decision_function(t).unwrap().to_vec(),
        predict: ints(&m.predict(t).unwrap().to_vec()),
        n_sv_values: m.support_vectors_().unwrap().len(),
        platt,
    }
}

fn regress(
    name: &str,
    kernel: Kernel,
    gamma: f64,
    x: &X,
    y: &Tensor<(usize,), f64, Cpu>,
    t: &X,
) -> Fit {
    let g = Gamma::Value(gamma);
    let (dual_coef, intercept, support, predict, n_sv_values) = if name.starts_with("nusvr") {
        let mut m = NuSVR::new().c(10.0).nu(0.4).kernel(kernel).gamma(g);
        m.fit(x, y).unwrap();
        (
            m.dual_coef_().unwrap().to_vec(),
            m.intercept_().unwrap().to_vec(),
            m.support_().unwrap().to_vec(),
            m.predict(t).unwrap().to_vec(),
            m.support_vectors_().unwrap().len(),
        )
    } else {
        let mut m = SVR::new().c(10.0).epsilon(0.05).kernel(kernel).gamma(g);
        m.fit(x, y).unwrap();
        (
            m.dual_coef_().unwrap().to_vec(),
            m.intercept_().unwrap().to_vec(),
            m.support_().unwrap().to_vec(),
            m.predict(t).unwrap().to_vec(),
            m.support_vectors_().unwrap().len(),
        )
    };
    Fit {
        dual_coef,
        intercept,
        support,
        decision: predict.clone(),
        predict,
        n_sv_values,
        platt: None,
    }
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

/// Compares the precomputed fit with scikit-learn's and with the raw-data fit.
fn check(case: &Value, pre: &Fit, raw: &Fit) {
    let name = case["name"].as_str().unwrap();
    assert_eq!(pre.support, usizes(&case["support"]), "{name}: support_");
    assert_eq!(pre.n_sv_values, 0, "{name}: support_vectors_ is empty");
    for (what, got, key) in [
        ("dual_coef_", &pre.dual_coef, "dual_coef"),
        ("intercept_", &pre.intercept, "intercept"),
        ("decision", &pre.decision, "decision"),
        ("predict", &pre.predict, "predict"),
    ] {
        let want = floats(&case[key]);
        eprintln!("{name} {what}: vs scikit-learn {:e}", max_diff(got, &want));
        assert_close(&format!("{name} {what}"), got, &want, SKLEARN_TOL);
    }
    if let Some((a, b, p)) = &pre.platt {
        assert_close(
            &format!("{name} probA_"),
            a,
            &floats(&case["prob_a"]),
            SKLEARN_TOL,
        );
        assert_close(
            &format!("{name} probB_"),
            b,
            &floats(&case["prob_b"]),
            SKLEARN_TOL,
        );
        assert_close(
            &format!("{name} proba"),
            p,
            &floats(&case["proba"]),
            SKLEARN_TOL,
        );
        let (ra, rb, rp) = raw.platt.as_ref().unwrap();
        eprintln!(
            "{name} probA_/probB_/proba: vs scikit-learn {:e} {:e} {:e}, vs own {:e}",
            max_diff(a, &floats(&case["prob_a"])),
            max_diff(b, &floats(&case["prob_b"])),
            max_diff(p, &floats(&case["proba"])),
            max_diff(p, rp)
        );
        assert_close(&format!("{name} probA_ own"), a, ra, OWN_TOL);
        assert_close(&format!("{name} probB_ own"), b, rb, OWN_TOL);
        assert_close(&format!("{name} proba own"), p, rp, OWN_TOL);
    }
    assert_eq!(pre.support, raw.support, "{name}: support_ of the raw fit");
    for (what, got, own) in [
        ("dual_coef_", &pre.dual_coef, &raw.dual_coef),
        ("intercept_", &pre.intercept, &raw.intercept),
        ("decision", &pre.decision, &raw.decision),
    ] {
        eprintln!("{name} {what}: vs own raw fit {:e}", max_diff(got, own));
        assert_close(&format!("{name} {what} own"), got, own, OWN_TOL);
    }
}

fn check_gram(fx: &Value, kind: &str, which: &str, k: &X) {
    let checks = &fx["gram_checks"][kind];
    let n = k.dims()[0];
    let v = k.to_vec();
    let diag: Vec<f64> = (0..n).map(|i| v[i * n + i]).collect();
    assert_close(
        &format!("{kind} {which} diagonal"),
        &diag,
        &floats(&checks[format!("{which}_diag")]),
        1e-13,
    );
    assert_close(
        &format!("{kind} {which} first row"),
        &v[..n],
        &floats(&checks[format!("{which}_row0")]),
        1e-13,
    );
}

#[test]
fn classifiers_and_one_class_match_scikit_learn() {
    let fx = read_json("svm_precomputed.json");
    let gamma = fx["gamma"].as_f64().unwrap();
    let (x, y) = classification("iris");
    let t = rows(&x, &usizes(&fx["iris_test"]));
    for case in fx["classification"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let kind = case["kernel"].as_str().unwrap();
        let (kt, ks) = (gram(kind, gamma, &x, &x), gram(kind, gamma, &t, &x));
        check_gram(&fx, kind, "iris", &kt);
        let pre = classify(name, Kernel::Precomputed, gamma, &kt, &y, &ks);
        let raw = classify(name, raw_kernel(kind), gamma, &x, &y, &t);
        check(case, &pre, &raw);
    }
}

#[test]
fn regressors_match_scikit_learn() {
    let fx = read_json("svm_precomputed.json");
    let gamma = fx["gamma"].as_f64().unwrap();
    let (n, data) = matrix(&fx["reg_x"]);
    let x = tensor2(data, n);
    let y = tensor1(floats(&fx["reg_y"]));
    let t = rows(&x, &usizes(&fx["reg_test"]));
    for case in fx["regression"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let kind = case["kernel"].as_str().unwrap();
        let (kt, ks) = (gram(kind, gamma, &x, &x), gram(kind, gamma, &t, &x));
        check_gram(&fx, kind, "reg", &kt);
        let pre = regress(name, Kernel::Precomputed, gamma, &kt, &y, &ks);
        let raw = regress(name, raw_kernel(kind), gamma, &x, &y, &t);
        check(case, &pre, &raw);
    }
}

#[test]
fn shape_errors_name_both_sizes() {
    let (x, y) = classification("iris");
    let k = gram("linear", 0.0, &x, &x);
    let not_square = gram("linear", 0.0, &x, &head(&x, 40));
    let err = SVC::new()
        .kernel(Kernel::Precomputed)
        .fit(&not_square, &y)
        .unwrap_err()
        .to_string();
    assert!(err.contains("150x40"), "{err}");
    let err = OneClassSVM::new()
        .kernel(Kernel::Precomputed)
        .fit(&not_square)
        .unwrap_err()
        .to_string();
    assert!(err.contains("150x40"), "{err}");
    let yr = tensor1(x.to_vec()[..150].to_vec());
    let err = SVR::new()
        .kernel(Kernel::Precomputed)
        .fit(&not_square, &yr)
        .unwrap_err()
        .to_string();
    assert!(err.contains("150x40"), "{err}");

    let mut svc = SVC::new().kernel(Kernel::Precomputed);
    svc.fit(&k, &y).unwrap();
    let err = svc.predict(&not_square).unwrap_err().to_string();
    assert!(err.contains("40") && err.contains("150"), "{err}");
    let mut svr = NuSVR::new().kernel(Kernel::Precomputed);
    svr.fit(&k, &yr).unwrap();
    let err = svr.predict(&not_square).unwrap_err().to_string();
    assert!(err.contains("40") && err.contains("150"), "{err}");
}
