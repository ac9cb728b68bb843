//! NMF against scikit-learn on `fixtures/nmf.json` (written by
//! `fixtures/make_nmf_fixtures.py`): for every initialisation (nndsvd, nndsvda, nndsvdar,
//! random, custom; the random draws are numpy's `RandomState`, reproduced), both solvers (cd;
//! mu with the Frobenius, Kullback-Leibler, Itakura-Saito and other beta losses), with and
//! without the L1 / L2 penalties and with `shuffle`, on a random 60 x 12 matrix and on the first
//! 300 digits: `components_`, the fitted `W` (its first 100 rows), `reconstruction_err_`, `n_iter_`, and the
//! transform and inverse transform of new rows, to 1e-8. Then the errors.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::decomposition::{BetaLoss, NmfComponents, NmfInit, NmfSolver, NMF};
use gf_learn::prelude::*;
use gf_learn::Error;
use serde_json::Value;

/// The tolerance of every comparison with scikit-learn (relative above 1, absolute below).
/// The largest difference seen is 2e-12 (cd from a custom init, after 200 iterations); the
/// rest is rounding of the matrix products (BLAS's order of summation against ours).
const TOL: f64 = 1e-10;

/// The NMF of a fixture case's parameters.
fn build(case: &Value) -> NMF {
    let p = &case["params"];
    let mut nmf = NMF::new();
    if let Some(k) = p["n_components"].as_u64() {
        nmf = nmf.n_components(k as usize);
    }
    match p["init"].as_str() {
        None => {}
        Some("random") => nmf = nmf.init(NmfInit::Random),
        Some("nndsvd") => nmf = nmf.init(NmfInit::Nndsvd),
        Some("nndsvda") => nmf = nmf.init(NmfInit::Nndsvda),
        Some("nndsvdar") => nmf = nmf.init(NmfInit::Nndsvdar),
        Some("custom") => {
            nmf = nmf.init(NmfInit::Custom {
                w: matrix(&case["w_init"]).1,
                h: matrix(&case["h_init"]).1,
            })
        }
        Some(other) => panic!("unknown init {other}"),
    }
    if p["solver"].as_str() == Some("mu") {
        nmf = nmf.solver(NmfSolver::Mu);
    }
    match &p["beta_loss"] {
        Value::Null => {}
        Value::String(s) => {
            nmf = nmf.beta_loss(match s.as_str() {
                "frobenius" => BetaLoss::Frobenius,
                "kullback-leibler" => BetaLoss::KullbackLeibler,
                "itakura-saito" => BetaLoss::ItakuraSaito,
                other => panic!("unknown beta_loss {other}"),
            })
        }
        v => nmf = nmf.beta_loss(BetaLoss::Beta(v.as_f64().unwrap())),
    }
    if let Some(t) = p["tol"].as_f64() {
        nmf = nmf.tol(t);
    }
    if let Some(m) = p["max_iter"].as_u64() {
        nmf = nmf.max_iter(m as usize);
    }
    if let Some(a) = p["alpha_W"].as_f64() {
        nmf = nmf.alpha_w(a);
    }
    if let Some(a) = p["alpha_H"].as_f64() {
        nmf = nmf.alpha_h(a);
    }
    if let Some(r) = p["l1_ratio"].as_f64() {
        nmf = nmf.l1_ratio(r);
    }
    if let Some(s) = p["shuffle"].as_bool() {
        nmf = nmf.shuffle(s);
    }
    nmf.random_state(p["random_state"].as_u64().unwrap())
}

/// The training rows and the new rows of a data set of the fixture.
fn dataset(fx: &Value, name: &str) -> (X, X) {
    match name {
        "random" => {
            let (n, x) = matrix(&fx["random"]["x"]);
            let (m, x_new) = matrix(&fx["random"]["x_new"]);
            (tensor2(x, n), tensor2(x_new, m))
        }
        "digits" => {
            let (digits, _) = classification("digits");
            let d = &fx["digits"];
            let n = d["rows"].as_u64().unwrap() as usize;
            let new = usizes(&d["new_rows"]);
            let x = rows(&digits, &(0..n).collect::<Vec<_>>());
            let x_new = rows(&digits, &(new[0]..new[1]).collect::<Vec<_>>());
            // The bundled digits are scikit-learn's.
            assert_eq!(x.to_vec().iter().sum::<f64>(), d["sum"].as_f64().unwrap());
            assert_eq!(
                x_new.to_vec().iter().sum::<f64>(),
                d["new_sum"].as_f64().unwrap()
            );
            (x, x_new)
        }
        other => panic!("no data set {other}"),
    }
}

fn check_case(fx: &Value, case: &Value) {
    let name = case["name"].as_str().unwrap();
    let (x, x_new) = dataset(fx, case["data"].as_str().unwrap());
    let mut nmf = build(case);
    let w = nmf.fit_transform(&x).unwrap();
    assert_eq!(
        nmf.n_iter_().unwrap() as u64,
        case["n_iter"].as_u64().unwrap(),
        "{name}: n_iter_"
    );
    assert_eq!(
        nmf.n_components_().unwrap() as u64,
        case["n_components_"].as_u64().unwrap(),
        "{name}: n_components_"
    );
    assert_eq!(nmf.n_features_in_(), Some(x.dims()[1]));
    assert_close(
        &format!("{name} reconstruction_err_"),
        &[nmf.reconstruction_err_().unwrap()],
        &[case["reconstruction_err"].as_f64().unwrap()],
        TOL,
    );
    assert_close(
        &format!("{name} components_"),
        nmf.components_().unwrap(),
        &matrix(&case["components"]).1,
        TOL,
    );
    let (w_rows, want_w) = matrix(&case["w"]);
    let w = w.to_vec();
    assert_close(&format!("{name} W"), &w[..want_w.len()], &want_w, TOL);
    assert!(w_rows == x.dims()[0].min(100));
    let z = nmf.transform(&x_new).unwrap();
    assert_close(
        &format!("{name} transform"),
        &z.to_vec(),
        &matrix(&case["transform"]).1,
        TOL,
    );
    let back = nmf.inverse_transform(&head(&z, 3)).unwrap();
    assert_close(
        &format!("{name} inverse_transform"),
        &back.to_vec(),
        &matrix(&case["inverse_transform"]).1,
        TOL,
    );
}

fn cases_matching(pred: impl Fn(&str) -> bool) {
    let fx = read_json("nmf.json");
    let mut n = 0;
    for case in fx["cases"].as_array().unwrap() {
        if pred(case["name"].as_str().unwrap()) {
            check_case(&fx, case);
            n += 1;
        }
    }
    assert!(n > 0, "no fixture case selected");
}

#[test]
fn coordinate_descent_matches_scikit_learn_on_random_data() {
    cases_matching(|n| n.starts_with("cd_"));
}

#[test]
fn multiplicative_update_matches_scikit_learn_on_random_data() {
    cases_matching(|n| n.starts_with("mu_"));
}

#[test]
fn coordinate_descent_matches_scikit_learn_on_digits() {
    cases_matching(|n| n.starts_with("digits_cd_"));
}

#[test]
fn multiplicative_update_matches_scikit_learn_on_digits() {
    cases_matching(|n| n.starts_with("digits_mu_"));
}

/// A small non-negative matrix: the first 20 rows of the fixture's random data.
fn small() -> X {
    let fx = read_json("nmf.json");
    let (_, x) = matrix(&fx["random"]["x"]);
    tensor2(x[..20 * 12].to_vec(), 20)
}

#[track_caller]
fn assert_parameter(err: Error, name: &str) {
    match &err {
        Error::InvalidParameter { name: got, .. } => assert_eq!(*got, name, "{err}"),
        other => panic!("expected an invalid '{name}', got {other}"),
    }
}

#[track_caller]
fn assert_input(err: Error, needle: &str) {
    match &err {
        Error::InvalidInput { message, .. } => {
            assert!(message.contains(needle), "{err} does not say {needle:?}")
        }
        other => panic!("expected invalid input ({needle}), got {other}"),
    }
}

#[test]
fn fit_transform_returns_the_fitted_w_also_through_the_trait() {
    let x = small();
    let mut a = NMF::new().n_components(3);
    let w = a.fit_transform(&x).unwrap().to_vec();
    let mut b = NMF::new().n_components(3);
    let w_trait = Transformer::fit_transform(&mut b, &x).unwrap().to_vec();
    assert_eq!(w, w_trait);
    assert_eq!(a.components_(), b.components_());
    // transform solves again with H fixed: close to the fitted W, but not it.
    let t = Transformer::transform(&b, &x).unwrap().to_vec();
    assert_ne!(t, w);
    let scale = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(t.iter().zip(&w).all(|(a, b)| (a - b).abs() < 0.05 * scale));
    // The defaults: n_components "auto" is n_features, init nndsvda (n_features <= n_samples).
    let mut all = NMF::new();
    all.fit(&x).unwrap();
    assert_eq!(all.n_components_(), Some(12));
    let mut none = NMF::new().n_components(NmfComponents::All);
    none.fit(&x).unwrap();
    assert_eq!(none.components_(), all.components_());
}

#[test]
fn f32_data_fits_as_its_f64_widening() {
    let x = small();
    let x32: Tensor<(usize, usize), f32, Cpu> =
        Cpu::default().tensor_from_vec(x.to_vec().iter().map(|&v| v as f32).collect(), (20, 12));
    let x64 = tensor2(x32.to_vec().iter().map(|&v| f64::from(v)).collect(), 20);
    let mut a = NMF::new().n_components(3).solver(NmfSolver::Mu);
    let mut b = a.clone();
    let wa = a.fit_transform(&x32).unwrap().to_vec();
    let wb = b.fit_transform(&x64).unwrap().to_vec();
    assert_eq!(a.components_(), b.components_());
    assert!(wa.iter().zip(&wb).all(|(&a, &b)| a == b as f32));
}

#[test]
fn nmf_features_feed_a_classifier_in_a_pipeline() {
    use gf_learn::linear_model::LogisticRegression;
    use gf_learn::pipeline::Pipeline;
    let (x, y) = classification("digits");
    let idx: Vec<usize> = (0..400).collect();
    let (x, y) = (rows(&x, &idx), pick(&y, &idx));
    let mut model = Pipeline::new(
        NMF::new().n_components(16).max_iter(400),
        LogisticRegression::new().max_iter(2000),
    );
    let accuracy = model.fit(&x, &y).unwrap().score(&x, &y).unwrap();
    // scikit-learn: make_pipeline(NMF(16, max_iter=400, random_state=0),
    // LogisticRegression(max_iter=2000)).fit(X[:400], y[:400]).score(...) = 0.79 (316 of 400).
    assert_eq!(accuracy, 0.79, "training accuracy");
}

#[test]
fn nmf_rejects_bad_data() {
    let x = small();
    let mut neg = x.to_vec();
    neg[5] = -0.1;
    let err = NMF::new().fit(&tensor2(neg.clone(), 20)).unwrap_err();
    assert_input(err, "Negative values in data passed to NMF (input X)");
    let mut nan = x.to_vec();
    nan[7] = f64::NAN;
    let err = NMF::new().fit(&tensor2(nan, 20)).unwrap_err();
    assert!(
        matches!(err, Error::NonFinite { row: 0, col: 7, .. }),
        "{err}"
    );
    // Zeros with beta <= 0 (Itakura-Saito) may make the solver diverge.
    let mut zero = x.to_vec();
    zero[3] = 0.0;
    let err = NMF::new()
        .solver(NmfSolver::Mu)
        .beta_loss(BetaLoss::ItakuraSaito)
        .fit(&tensor2(zero, 20))
        .unwrap_err();
    assert_input(err, "beta_loss <= 0 and X contains zeros");
    // transform: not fitted, wrong width, negative values.
    let err = NMF::new().transform(&x).unwrap_err();
    assert!(matches!(err, Error::NotFitted { .. }), "{err}");
    let mut nmf = NMF::new().n_components(3);
    nmf.fit(&x).unwrap();
    let narrow = tensor2(
        x.to_vec()[..20 * 12]
            .chunks(12)
            .flat_map(|r| r[..11].to_vec())
            .collect(),
        20,
    );
    assert_input(nmf.transform(&narrow).unwrap_err(), "X has 11 features");
    assert_input(
        nmf.transform(&tensor2(neg, 20)).unwrap_err(),
        "Negative values in data passed to NMF (input X)",
    );
    let z = tensor2(vec![1.0; 8], 2);
    assert_input(nmf.inverse_transform(&z).unwrap_err(), "X has 4 features");
    assert!(matches!(
        NMF::new().inverse_transform(&z).unwrap_err(),
        Error::NotFitted { .. }
    ));
}

#[test]
fn nmf_rejects_bad_parameters_naming_them() {
    let x = small();
    let fit = |nmf: NMF| nmf.clone().fit(&x).map(|_| ()).unwrap_err();
    assert_parameter(fit(NMF::new().n_components(0)), "n_components");
    assert_parameter(fit(NMF::new().tol(-1e-4)), "tol");
    assert_parameter(fit(NMF::new().tol(f64::NAN)), "tol");
    assert_parameter(fit(NMF::new().max_iter(0)), "max_iter");
    assert_parameter(fit(NMF::new().l1_ratio(1.5)), "l1_ratio");
    assert_parameter(fit(NMF::new().l1_ratio(-0.1)), "l1_ratio");
    assert_parameter(fit(NMF::new().alpha_w(-1.0)), "alpha_W");
    assert_parameter(fit(NMF::new().alpha_h(-1.0)), "alpha_H");
    assert_parameter(fit(NMF::new().random_state(1 << 32)), "random_state");
    assert_parameter(
        fit(NMF::new()
            .solver(NmfSolver::Mu)
            .beta_loss(BetaLoss::Beta(f64::INFINITY))),
        "beta_loss",
    );
    // Coordinate descent handles the Frobenius loss only (2.0 given as a float is it).
    for loss in [
        BetaLoss::KullbackLeibler,
        BetaLoss::ItakuraSaito,
        BetaLoss::Beta(1.5),
    ] {
        let err = fit(NMF::new().beta_loss(loss));
        assert!(err.to_string().contains("solver 'cd'"), "{err}");
        assert_parameter(err, "beta_loss");
    }
    NMF::new()
        .n_components(2)
        .beta_loss(BetaLoss::Beta(2.0))
        .fit(&x)
        .unwrap();
    // The NNDSVD inits need n_components <= min(n_samples, n_features); random does not.
    assert_parameter(
        fit(NMF::new().n_components(13).init(NmfInit::Nndsvd)),
        "init",
    );
    NMF::new()
        .n_components(13)
        .init(NmfInit::Random)
        .fit(&x)
        .unwrap();
}

#[test]
fn nmf_checks_a_custom_init() {
    let x = small();
    let custom =
        |w: Vec<f64>, h: Vec<f64>| NMF::new().n_components(2).init(NmfInit::Custom { w, h });
    let ok = || (vec![0.5; 20 * 2], vec![0.5; 2 * 12]);
    let (w, h) = ok();
    custom(w, h).fit(&x).unwrap();
    let (w, _) = ok();
    let err = custom(w, vec![0.5; 3 * 12]).fit(&x).unwrap_err();
    assert_input(err, "NMF (input H)");
    let (_, h) = ok();
    let err = custom(vec![0.5; 19 * 2], h).fit(&x).unwrap_err();
    assert_input(err, "NMF (input W)");
    let (mut w, h) = ok();
    w[4] = -1.0;
    assert_input(
        custom(w, h).fit(&x).unwrap_err(),
        "Negative values in data passed to NMF (input W)",
    );
    let (w, _) = ok();
    assert_input(
        custom(w, vec![0.0; 24]).fit(&x).unwrap_err(),
        "Array passed to NMF (input H) is full of zeros",
    );
    // n_components "auto" takes the rows of H.
    let mut auto = NMF::new().init(NmfInit::Custom {
        w: vec![0.5; 20 * 3],
        h: vec![0.5; 3 * 12],
    });
    auto.fit(&x).unwrap();
    assert_eq!(auto.n_components_(), Some(3));
    let err = NMF::new()
        .init(NmfInit::Custom {
            w: vec![0.5; 20],
            h: vec![0.5; 13],
        })
        .fit(&x)
        .unwrap_err();
    assert_input(err, "NMF (input H)");
}
