//! NuSVC, NuSVR and OneClassSVM against scikit-learn (`fixtures/nu_svm.json`, written by
//! `make_nu_svm_fixtures.py`): with the same hyper-parameters libsvm's ν solvers find the same
//! support vectors, and the dual coefficients, intercepts, offsets, decision values, scores,
//! Platt coefficients and probabilities agree to 1e-9 relative (measured when written: NuSVC and
//! OneClassSVM within 1e-12, NuSVR within 1e-10 on its poly case). Not to the last bit: libsvm
//! caches the kernel in `f32` and sums its dot products in BLAS's order. An infeasible ν and
//! bad hyper-parameters are errors.

mod common;

use common::*;
use gf_learn::prelude::*;
use gf_learn::svm::{DecisionShape, Gamma, Kernel, NuSVC, NuSVR, OneClassSVM};
use serde_json::Value;

const TOL: f64 = 1e-9;

fn kernel(p: &Value) -> Kernel {
    match p["kernel"].as_str().unwrap_or("rbf") {
        "linear" => Kernel::Linear,
        "poly" => Kernel::Poly,
        "sigmoid" => Kernel::Sigmoid,
        _ => Kernel::Rbf,
    }
}

fn gamma(p: &Value) -> Gamma {
    match &p["gamma"] {
        Value::String(s) if s == "auto" => Gamma::Auto,
        Value::Number(n) => Gamma::Value(n.as_f64().unwrap()),
        _ => Gamma::Scale,
    }
}

fn data(name: &str) -> (X, Labels) {
    if let Some(base) = name.strip_suffix("_12") {
        let (x, y) = classification(base);
        let idx: Vec<usize> = (50..150).collect();
        return (rows(&x, &idx), pick(&y, &idx));
    }
    match name.strip_suffix("_std") {
        Some(base) => standardized(base),
        None => classification(name),
    }
}

/// Applies the fixture's kernel and solver settings to any of the three estimators.
macro_rules! configure {
    ($m:expr, $p:expr) => {{
        let p = $p;
        let mut m = $m.kernel(kernel(p)).gamma(gamma(p));
        if let Some(v) = p["nu"].as_f64() {
            m = m.nu(v);
        }
        if let Some(d) = p["degree"].as_u64() {
            m = m.degree(d as usize);
        }
        if let Some(c) = p["coef0"].as_f64() {
            m = m.coef0(c);
        }
        if let Some(t) = p["tol"].as_f64() {
            m = m.tol(t);
        }
        if let Some(s) = p["shrinking"].as_bool() {
            m = m.shrinking(s);
        }
        m
    }};
}

fn label(case: &Value) -> String {
    format!("{} {}", case["data"], case["params"])
}

#[test]
fn nusvc_matches_scikit_learn() {
    let fx = read_json("nu_svm.json");
    for case in fx["nusvc"].as_array().unwrap() {
        let p = &case["params"];
        let what = label(case);
        let (x, y) = data(case["data"].as_str().unwrap());
        let mut m = configure!(NuSVC::new(), p);
        if let Some(pr) = p["probability"].as_bool() {
            m = m.probability(pr);
        }
        if let Some(r) = p["random_state"].as_u64() {
            m = m.random_state(r);
        }
        m.fit(&x, &y).unwrap();
        assert_eq!(
            m.support_().unwrap(),
            usizes(&case["support"]).as_slice(),
            "{what}: support_"
        );
        assert_eq!(
            m.n_support_().unwrap(),
            usizes(&case["n_support"]).as_slice(),
            "{what}: n_support_"
        );
        assert_close(
            &format!("{what}: dual_coef_"),
            m.dual_coef_().unwrap(),
            &floats(&case["dual_coef"]),
            TOL,
        );
        assert_close(
            &format!("{what}: intercept_"),
            m.intercept_().unwrap(),
            &floats(&case["intercept"]),
            TOL,
        );
        let want: Vec<usize> = usizes(&case["predict"]);
        assert_eq!(m.predict(&x).unwrap().to_vec(), want, "{what}: predict");
        let ovr = m.decision_function(&x).unwrap().to_vec();
        assert_close(
            &format!("{what}: decision_function ovr"),
            &ovr,
            &floats(&case["decision_ovr"]),
            TOL,
        );
        let m = m.decision_function_shape(DecisionShape::Ovo);
        let ovo = m.decision_function(&x).unwrap().to_vec();
        assert_close(
            &format!("{what}: decision_function ovo"),
            &ovo,
            &floats(&case["decision_ovo"]),
            TOL,
        );
        if case.get("proba").is_some() {
            assert_close(
                &format!("{what}: probA_"),
                m.prob_a_().unwrap(),
                &floats(&case["prob_a"]),
                TOL,
            );
            assert_close(
                &format!("{what}: probB_"),
                m.prob_b_().unwrap(),
                &floats(&case["prob_b"]),
                TOL,
            );
            let proba = m.predict_proba(&x).unwrap().to_vec();
            assert_close(
                &format!("{what}: predict_proba"),
                &proba,
                &floats(&case["proba"]),
                TOL,
            );
        }
    }
}

#[test]
fn nusvr_matches_scikit_learn() {
    let fx = read_json("nu_svm.json");
    let (x, y) = diabetes();
    for case in fx["nusvr"].as_array().unwrap() {
        let p = &case["params"];
        let what = label(case);
        let mut m = configure!(NuSVR::new(), p);
        if let Some(c) = p["C"].as_f64() {
            m = m.c(c);
        }
        m.fit(&x, &y).unwrap();
        assert_eq!(
            m.support_().unwrap(),
            usizes(&case["support"]).as_slice(),
            "{what}: support_"
        );
        assert_close(
            &format!("{what}: dual_coef_"),
            m.dual_coef_().unwrap(),
            &floats(&case["dual_coef"]),
            TOL,
        );
        assert_close(
            &format!("{what}: intercept_"),
            m.intercept_().unwrap(),
            &floats(&case["intercept"]),
            TOL,
        );
        assert_close(
            &format!("{what}: predict"),
            &m.predict(&x).unwrap().to_vec(),
            &floats(&case["predict"]),
            TOL,
        );
    }
}

#[test]
fn one_class_svm_matches_scikit_learn() {
    let fx = read_json("nu_svm.json");
    for case in fx["oneclass"].as_array().unwrap() {
        let p = &case["params"];
        let what = label(case);
        let (x, _) = data(case["data"].as_str().unwrap());
        let mut m = configure!(OneClassSVM::new(), p);
        m.fit(&x).unwrap();
        assert_eq!(
            m.support_().unwrap(),
            usizes(&case["support"]).as_slice(),
            "{what}: support_"
        );
        for (attr, got) in [
            ("dual_coef_", m.dual_coef_().unwrap()),
            ("intercept_", m.intercept_().unwrap()),
            ("offset_", m.offset_().unwrap()),
        ] {
            let key = attr.trim_end_matches('_');
            assert_close(&format!("{what}: {attr}"), got, &floats(&case[key]), TOL);
        }
        assert_close(
            &format!("{what}: decision_function"),
            &m.decision_function(&x).unwrap().to_vec(),
            &floats(&case["decision"]),
            TOL,
        );
        assert_close(
            &format!("{what}: score_samples"),
            &m.score_samples(&x).unwrap().to_vec(),
            &floats(&case["score_samples"]),
            TOL,
        );
        let want: Vec<f64> = floats(&case["predict"]);
        assert_eq!(m.predict(&x).unwrap().to_vec(), want, "{what}: predict");
    }
}

#[test]
fn infeasible_nu_is_an_error_naming_nu() {
    // Iris's first 60 rows: 50 of class 0 and 10 of class 1, so ν·60/2 > 10 for ν = 0.9.
    let (x, y) = classification("iris");
    let idx: Vec<usize> = (0..60).collect();
    let (x, y) = (rows(&x, &idx), pick(&y, &idx));
    let err = NuSVC::new().nu(0.9).fit(&x, &y).unwrap_err().to_string();
    assert!(
        err.contains("nu") && err.contains("specified nu is infeasible"),
        "{err}"
    );
    // ν = 0.3 is feasible there: ν·60/2 = 9 ≤ 10.
    assert!(NuSVC::new().nu(0.3).fit(&x, &y).is_ok());
}

#[test]
fn bad_hyper_parameters_are_errors() {
    let (x, y) = classification("iris");
    let (xr, yr) = diabetes();
    for nu in [0.0, -0.1, 1.5, f64::NAN] {
        let e = NuSVC::new().nu(nu).fit(&x, &y).unwrap_err().to_string();
        assert!(e.contains("nu"), "NuSVC nu={nu}: {e}");
        let e = NuSVR::new().nu(nu).fit(&xr, &yr).unwrap_err().to_string();
        assert!(e.contains("nu"), "NuSVR nu={nu}: {e}");
        let e = OneClassSVM::new().nu(nu).fit(&x).unwrap_err().to_string();
        assert!(e.contains("nu"), "OneClassSVM nu={nu}: {e}");
    }
    let e = NuSVR::new().c(0.0).fit(&xr, &yr).unwrap_err().to_string();
    assert!(e.contains('C'), "{e}");
    let e = NuSVC::new().tol(0.0).fit(&x, &y).unwrap_err().to_string();
    assert!(e.contains("tol"), "{e}");
    let e = OneClassSVM::new()
        .gamma(Gamma::Value(-1.0))
        .fit(&x)
        .unwrap_err()
        .to_string();
    assert!(e.contains("gamma"), "{e}");
    // Unfitted models and inputs of the wrong width.
    assert!(OneClassSVM::new().predict(&x).is_err());
    assert!(NuSVR::new().predict(&xr).is_err());
    let mut oc = OneClassSVM::new();
    oc.fit(&x).unwrap();
    assert!(oc.decision_function(&xr).is_err());
}
