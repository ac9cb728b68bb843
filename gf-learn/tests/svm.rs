//! SVC and SVR against scikit-learn (`fixtures/svm.json`, written by `make_svm_fixtures.py`):
//! with the same hyper-parameters the solver finds the same support vectors, and the dual
//! coefficients, intercepts, decision functions, Platt coefficients and probabilities agree to
//! 1e-7 (1e-9 measured when they were written). Not to the last bit: libsvm caches the kernel in
//! `f32` and sums its dot products in BLAS's order. Bad input and bad hyper-parameters are
//! errors.

mod common;

use common::*;
use gf_core::prelude::{Cpu, Tensor};
use gf_learn::linear_model::ClassWeight;
use gf_learn::prelude::*;
use gf_learn::svm::{DecisionShape, Gamma, Kernel, SVC, SVR};
use serde_json::Value;

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

/// The fixture's `"sample_weight": "mod7"`: sample `i` weighs `0.5 + (i % 7) / 4`.
fn weights(p: &Value, n: usize) -> Option<Tensor<(usize,), f64, Cpu>> {
    (p["sample_weight"].as_str() == Some("mod7"))
        .then(|| tensor1((0..n).map(|i| 0.5 + (i % 7) as f64 / 4.0).collect()))
}

fn data(name: &str) -> (X, Labels) {
    match name.strip_suffix("_std") {
        Some(base) => standardized(base),
        None => classification(name),
    }
}

fn svc(p: &Value) -> SVC {
    let mut m = SVC::new().kernel(kernel(p)).gamma(gamma(p));
    if let Some(c) = p["C"].as_f64() {
        m = m.c(c);
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
    if p["class_weight"].as_str() == Some("balanced") {
        m = m.class_weight(ClassWeight::Balanced);
    }
    if let Some(pr) = p["probability"].as_bool() {
        m = m.probability(pr);
    }
    if let Some(r) = p["random_state"].as_u64() {
        m = m.random_state(r);
    }
    m
}

#[test]
fn svc_matches_scikit_learn() {
    let fx = read_json("svm.json");
    for case in fx["svc"].as_array().unwrap() {
        let (name, p) = (case["data"].as_str().unwrap(), &case["params"]);
        let what = format!("{name} {p}");
        let (x, y) = data(name);
        let mut m = svc(p);
        match weights(p, x.dims()[0]) {
            Some(w) => m.fit_weighted(&x, &y, &w).unwrap(),
            None => m.fit(&x, &y).unwrap(),
        };
        let g = case["gamma"].as_f64().unwrap();
        if kernel(p) != Kernel::Linear {
            assert_close(
                &format!("{what} gamma"),
                &[m.gamma_().unwrap()],
                &[g],
                1e-14,
            );
        }
        assert_eq!(
            m.support_().unwrap(),
            usizes(&case["support"]),
            "{what}: support_"
        );
        assert_eq!(
            m.n_support_().unwrap(),
            usizes(&case["n_support"]),
            "{what}: n_support_"
        );
        let (_, dual) = matrix(&case["dual_coef"]);
        assert_close(
            &format!("{what} dual_coef_"),
            m.dual_coef_().unwrap(),
            &dual,
            1e-7,
        );
        let intercept = floats(&case["intercept"]);
        assert_close(
            &format!("{what} intercept_"),
            m.intercept_().unwrap(),
            &intercept,
            1e-7,
        );
        assert_eq!(
            m.predict(&x).unwrap().to_vec(),
            usizes(&case["predict"]),
            "{what}: predict"
        );
        let step = case["score_step"].as_u64().unwrap() as usize;
        let idx: Vec<usize> = (0..x.dims()[0]).step_by(step).collect();
        let xs = rows(&x, &idx);
        let dec = m.decision_function(&xs).unwrap().to_vec();
        assert_close(
            &format!("{what} decision_function"),
            &dec,
            &matrix(&case["decision"]).1,
            1e-7,
        );
        let ovo = m.clone().decision_function_shape(DecisionShape::Ovo);
        let dec = ovo.decision_function(&xs).unwrap().to_vec();
        assert_close(
            &format!("{what} ovo"),
            &dec,
            &matrix(&case["decision_ovo"]).1,
            1e-7,
        );
        if let Some(coef) = case.get("coef") {
            assert_close(
                &format!("{what} coef_"),
                &m.coef_().unwrap(),
                &matrix(coef).1,
                1e-7,
            );
        }
        if case.get("proba").is_some() {
            assert_close(
                &format!("{what} probA_"),
                m.prob_a_().unwrap(),
                &floats(&case["prob_a"]),
                1e-7,
            );
            assert_close(
                &format!("{what} probB_"),
                m.prob_b_().unwrap(),
                &floats(&case["prob_b"]),
                1e-7,
            );
            let proba = m.predict_proba(&xs).unwrap().to_vec();
            assert_close(
                &format!("{what} predict_proba"),
                &proba,
                &matrix(&case["proba"]).1,
                1e-7,
            );
        } else {
            assert!(
                m.predict_proba(&xs).is_err(),
                "{what}: proba without probability"
            );
        }
    }
}

#[test]
fn svr_matches_scikit_learn() {
    let fx = read_json("svm.json");
    let (x, y) = diabetes();
    for case in fx["svr"].as_array().unwrap() {
        let p = &case["params"];
        let what = format!("diabetes {p}");
        let mut m = SVR::new().kernel(kernel(p)).gamma(gamma(p));
        m = m
            .c(p["C"].as_f64().unwrap())
            .epsilon(p["epsilon"].as_f64().unwrap_or(0.1));
        if let Some(d) = p["degree"].as_u64() {
            m = m.degree(d as usize);
        }
        if let Some(c) = p["coef0"].as_f64() {
            m = m.coef0(c);
        }
        match weights(p, x.dims()[0]) {
            Some(w) => m.fit_weighted(&x, &y, &w).unwrap(),
            None => m.fit(&x, &y).unwrap(),
        };
        let pred = m.predict(&x).unwrap().to_vec();
        assert_eq!(
            m.support_().unwrap(),
            usizes(&case["support"]),
            "{what}: support_"
        );
        assert_close(
            &format!("{what} dual_coef_"),
            m.dual_coef_().unwrap(),
            &floats(&case["dual_coef"]),
            1e-7,
        );
        assert_close(
            &format!("{what} intercept_"),
            m.intercept_().unwrap(),
            &floats(&case["intercept"]),
            1e-7,
        );
        assert_close(
            &format!("{what} predict"),
            &pred,
            &floats(&case["predict"]),
            1e-7,
        );
    }
}

#[test]
fn bad_input_is_an_error_naming_it() {
    let (x, y) = classification("iris");
    let msg = |e: gf_learn::Error| e.to_string();
    assert!(msg(SVC::new().c(0.0).fit(&x, &y).unwrap_err()).contains("'C'"));
    assert!(msg(SVC::new().tol(-1.0).fit(&x, &y).unwrap_err()).contains("'tol'"));
    assert!(msg(SVC::new()
        .gamma(Gamma::Value(-1.0))
        .fit(&x, &y)
        .unwrap_err())
    .contains("'gamma'"));
    assert!(msg(SVR::new()
        .epsilon(-1.0)
        .fit(&x, &tensor1(vec![0.0; 150]))
        .unwrap_err())
    .contains("'epsilon'"));
    let one_class = tensor1(vec![1usize; 150]);
    assert!(SVC::new().fit(&x, &one_class).is_err());
    assert!(SVC::new().fit(&x, &tensor1(vec![0usize; 3])).is_err());
    let mut nan = x.to_vec();
    nan[7] = f64::NAN;
    assert!(msg(SVC::new().fit(&tensor2(nan, 150), &y).unwrap_err()).contains("row 1"));
    assert!(SVC::new().predict(&x).is_err());
    let short = tensor1(vec![1.0; 10]);
    assert!(msg(SVC::new().fit_weighted(&x, &y, &short).unwrap_err()).contains("sample_weight"));
    let mut w = vec![1.0; 150];
    w[3] = -1.0;
    let neg = SVC::new().fit_weighted(&x, &y, &tensor1(w)).unwrap_err();
    assert!(msg(neg).contains("sample_weight[3]"));
    let mut w = vec![1.0; 150];
    w[..50].iter_mut().for_each(|v| *v = 0.0);
    assert!(SVC::new().fit_weighted(&x, &y, &tensor1(w)).is_err());
    let mut m = SVC::new();
    m.fit(&x, &y).unwrap();
    assert!(m
        .predict(&head(&tensor2(vec![0.0; 300], 150), 150))
        .is_err());
}
