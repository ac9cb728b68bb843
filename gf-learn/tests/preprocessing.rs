//! gf-learn's preprocessing against scikit-learn: every estimator is fitted on the inputs of
//! `fixtures/preprocessing/preprocessing.json` (written by `make_fixtures.py` with
//! scikit-learn 1.9.1) and must give scikit-learn's fitted attributes and outputs, to 1e-10 in
//! f64. Stratified splits must give scikit-learn's per-class counts. Proptests check the
//! properties that hold for any data.

mod common;

use std::collections::BTreeSet;

use gf_core::ops::create::TensorCreate;
use gf_core::shape::Const;
use gf_core::{Cpu, Tensor};
use gf_learn::model_selection::{split_rows, train_test_split, SplitSize, TrainTestSplit};
use gf_learn::preprocessing::{
    ImputeStrategy, LabelEncoder, MaxAbsScaler, MinMaxScaler, Norm, Normalizer, OneHotDrop,
    OneHotEncoder, OneHotUnknown, OrdinalEncoder, OrdinalUnknown, PolynomialFeatures, RobustScaler,
    SimpleImputer, StandardScaler,
};
use proptest::prelude::*;
use serde_json::Value;

type Mat = Tensor<(usize, usize), f64, Cpu>;

fn fixture() -> Value {
    common::read_json("preprocessing/preprocessing.json")
}

/// A number, with JSON null as NaN.
fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(num).collect()
}

/// A JSON array of arrays, each cell read by `cell`.
fn table<T>(v: &Value, cell: impl Fn(&Value) -> T) -> Vec<Vec<T>> {
    v.as_array()
        .expect("rows")
        .iter()
        .map(|r| r.as_array().expect("a row").iter().map(&cell).collect())
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    table(v, num)
}

fn matrix(v: &Value) -> Mat {
    let rows = rows(v);
    let (n, d) = (rows.len(), rows.first().map_or(0, Vec::len));
    Cpu::default().tensor_from_vec(rows.concat(), (n, d))
}

fn strings(v: &Value) -> Vec<Vec<String>> {
    table(v, |s| s.as_str().expect("a string").to_string())
}

fn optional_strings(v: &Value) -> Vec<Vec<Option<String>>> {
    table(v, |s| s.as_str().map(str::to_string))
}

#[track_caller]
fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= tol * (1.0 + w.abs());
        assert!(ok, "{what}[{i}]: got {g}, scikit-learn has {w}");
    }
}

#[track_caller]
fn assert_mat(got: &Mat, want: &Value, what: &str) {
    let want = rows(want);
    let dims = [want.len(), want.first().map_or(0, Vec::len)];
    assert_eq!(got.dims(), dims, "{what}: shape");
    assert_close(&got.to_vec(), &want.concat(), 1e-10, what);
}

#[track_caller]
fn assert_attr(got: Option<&[f64]>, want: &Value, what: &str) {
    match (got, want.is_null()) {
        (None, true) => {}
        (Some(g), false) => assert_close(g, &vector(want), 1e-10, what),
        (g, _) => panic!("{what}: got {g:?}, scikit-learn has {want}"),
    }
}

/// Checks a fitted scaler's `transform` of `x_new`, and the `inverse_transform` of that,
/// against scikit-learn's `case["transform"]` and `case["inverse_transform"]`.
macro_rules! assert_transform_and_inverse {
    ($scaler:expr, $x_new:expr, $case:expr, $what:expr) => {{
        let t = $scaler.transform($x_new).unwrap();
        assert_mat(&t, &$case["transform"], $what);
        let back = $scaler.inverse_transform(&t).unwrap();
        assert_mat(&back, &$case["inverse_transform"], $what);
    }};
}

fn flag(params: &Value, key: &str, default: bool) -> bool {
    params.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn pair(params: &Value, key: &str) -> Option<(f64, f64)> {
    params.get(key).map(|v| (num(&v[0]), num(&v[1])))
}

#[test]
fn standard_scaler_matches_sklearn() {
    let f = fixture();
    let (x, x_new) = (matrix(&f["X"]), matrix(&f["X_new"]));
    for case in f["standard_scaler"].as_array().unwrap() {
        let p = &case["params"];
        let build = || {
            StandardScaler::new()
                .with_mean(flag(p, "with_mean", true))
                .with_std(flag(p, "with_std", true))
        };
        let mut s = build();
        s.fit(&x).unwrap();
        let what = format!("StandardScaler {p}");
        assert_attr(s.mean_(), &case["mean_"], &format!("{what} mean_"));
        assert_attr(s.var_(), &case["var_"], &format!("{what} var_"));
        assert_attr(s.scale_(), &case["scale_"], &format!("{what} scale_"));
        let seen = common::usizes(&case["n_samples_seen_"]);
        assert_eq!(s.n_samples_seen_().unwrap(), seen);
        assert_transform_and_inverse!(s, &x_new, case, &what);
        assert_mat(
            &build().fit_transform(&x).unwrap(),
            &case["fit_transform"],
            &what,
        );
    }
}

#[test]
fn scalers_work_on_f32_with_const_width() {
    let f = fixture();
    let x64 = matrix(&f["X"]);
    let data: Vec<f32> = x64.to_vec().iter().map(|&v| v as f32).collect();
    let x: Tensor<(usize, Const<4>), f32, Cpu> =
        Cpu::default().tensor_from_vec(data, (x64.dims()[0], Const));
    let mut s = StandardScaler::new();
    let z: Tensor<(usize, Const<4>), f32, Cpu> = s.fit_transform(&x).unwrap();
    let want = rows(&f["standard_scaler"][0]["fit_transform"]).concat();
    let got: Vec<f64> = z.to_vec().iter().map(|&v| v as f64).collect();
    assert_close(&got, &want, 1e-5, "StandardScaler f32");
    let mut m = MinMaxScaler::new();
    let z: Tensor<(usize, Const<4>), f32, Cpu> = m.fit_transform(&x).unwrap();
    let want = rows(&f["min_max_scaler"][0]["fit_transform"]).concat();
    let got: Vec<f64> = z.to_vec().iter().map(|&v| v as f64).collect();
    assert_close(&got, &want, 1e-5, "MinMaxScaler f32");
}

#[test]
fn min_max_and_max_abs_scalers_match_sklearn() {
    let f = fixture();
    let (x, x_new) = (matrix(&f["X"]), matrix(&f["X_new"]));
    for case in f["min_max_scaler"].as_array().unwrap() {
        let p = &case["params"];
        let (lo, hi) = pair(p, "feature_range").unwrap_or((0.0, 1.0));
        let build = || {
            MinMaxScaler::new()
                .feature_range(lo, hi)
                .clip(flag(p, "clip", false))
        };
        let mut s = build();
        s.fit(&x).unwrap();
        let what = format!("MinMaxScaler {p}");
        assert_attr(s.data_min_(), &case["data_min_"], &what);
        assert_attr(s.data_max_(), &case["data_max_"], &what);
        assert_attr(s.data_range_(), &case["data_range_"], &what);
        assert_attr(s.scale_(), &case["scale_"], &what);
        assert_attr(s.min_(), &case["min_"], &what);
        assert_transform_and_inverse!(s, &x_new, case, &what);
        assert_mat(
            &build().fit_transform(&x).unwrap(),
            &case["fit_transform"],
            &what,
        );
    }
    let case = &f["max_abs_scaler"];
    let mut s = MaxAbsScaler::new();
    s.fit(&x).unwrap();
    assert_attr(s.max_abs_(), &case["max_abs_"], "MaxAbsScaler max_abs_");
    assert_attr(s.scale_(), &case["scale_"], "MaxAbsScaler scale_");
    assert_transform_and_inverse!(s, &x_new, case, "MaxAbsScaler");
}

#[test]
fn robust_scaler_matches_sklearn() {
    let f = fixture();
    let (x, x_new) = (matrix(&f["X"]), matrix(&f["X_new"]));
    for case in f["robust_scaler"].as_array().unwrap() {
        let p = &case["params"];
        let (q_min, q_max) = pair(p, "quantile_range").unwrap_or((25.0, 75.0));
        let mut s = RobustScaler::new()
            .with_centering(flag(p, "with_centering", true))
            .with_scaling(flag(p, "with_scaling", true))
            .quantile_range(q_min, q_max)
            .unit_variance(flag(p, "unit_variance", false));
        s.fit(&x).unwrap();
        let what = format!("RobustScaler {p}");
        assert_attr(s.center_(), &case["center_"], &what);
        assert_attr(s.scale_(), &case["scale_"], &what);
        assert_transform_and_inverse!(s, &x_new, case, &what);
    }
}

#[test]
fn normalizer_matches_sklearn() {
    let f = fixture();
    let x = matrix(&f["normalizer"]["X"]);
    for case in f["normalizer"]["cases"].as_array().unwrap() {
        let norm = match case["norm"].as_str().unwrap() {
            "l1" => Norm::L1,
            "l2" => Norm::L2,
            _ => Norm::Max,
        };
        let t = Normalizer::new().norm(norm).fit_transform(&x).unwrap();
        assert_mat(&t, &case["transform"], &format!("Normalizer {norm:?}"));
    }
}

#[test]
fn simple_imputer_matches_sklearn() {
    let f = fixture();
    let imp = &f["simple_imputer"];
    let (x, x_new) = (matrix(&imp["X"]), matrix(&imp["X_new"]));
    for case in imp["cases"].as_array().unwrap() {
        let p = &case["params"];
        let strategy = match p["strategy"].as_str().unwrap() {
            "mean" => ImputeStrategy::Mean,
            "median" => ImputeStrategy::Median,
            "most_frequent" => ImputeStrategy::MostFrequent,
            _ => ImputeStrategy::Constant,
        };
        let build = || {
            let mut s = SimpleImputer::new()
                .strategy(strategy)
                .keep_empty_features(flag(p, "keep_empty_features", false))
                .add_indicator(flag(p, "add_indicator", false));
            if let Some(v) = p.get("fill_value") {
                s = s.fill_value(num(v));
            }
            s
        };
        let mut s = build();
        s.fit(&x).unwrap();
        let what = format!("SimpleImputer {p}");
        assert_attr(s.statistics_(), &case["statistics_"], &what);
        assert_mat(&s.transform(&x_new).unwrap(), &case["transform"], &what);
        assert_mat(
            &build().fit_transform(&x).unwrap(),
            &case["fit_transform"],
            &what,
        );
        let t = s.transform(&x).unwrap();
        match case.get("inverse_transform") {
            Some(want) => assert_mat(&s.inverse_transform(&t).unwrap(), want, &what),
            None if flag(p, "add_indicator", false) => {
                // Where scikit-learn fails (keep_empty_features), the round trip still holds.
                let back = s.inverse_transform(&t).unwrap();
                assert_close(&back.to_vec(), &x.to_vec(), 0.0, &what);
            }
            None => assert!(s.inverse_transform(&t).is_err(), "{what}"),
        }
    }
}

#[test]
fn polynomial_features_match_sklearn() {
    let f = fixture();
    let poly = &f["polynomial_features"];
    let x = matrix(&poly["X"]);
    for case in poly["cases"].as_array().unwrap() {
        let p = &case["params"];
        let mut s = PolynomialFeatures::new()
            .interaction_only(flag(p, "interaction_only", false))
            .include_bias(flag(p, "include_bias", true));
        s = match p.get("degree") {
            Some(Value::Array(r)) => s.degree_range(
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            ),
            Some(d) => s.degree(d.as_u64().unwrap() as usize),
            None => s,
        };
        let what = format!("PolynomialFeatures {p}");
        assert_mat(&s.fit_transform(&x).unwrap(), &case["transform"], &what);
        assert_eq!(
            s.n_output_features_().unwrap() as u64,
            case["n_output_features_"].as_u64().unwrap()
        );
        let powers: Vec<Vec<usize>> = rows(&case["powers_"])
            .iter()
            .map(|r| r.iter().map(|&v| v as usize).collect())
            .collect();
        assert_eq!(s.powers_().unwrap(), powers, "{what} powers_");
        let names: Vec<String> = serde_json::from_value(case["feature_names"].clone()).unwrap();
        assert_eq!(s.get_feature_names_out(None).unwrap(), names, "{what}");
        let names: Vec<String> = serde_json::from_value(case["feature_names_abc"].clone()).unwrap();
        let abc = s.get_feature_names_out(Some(&["a", "b", "c"])).unwrap();
        assert_eq!(abc, names, "{what}");
    }
}

fn categories(v: &Value) -> Vec<Vec<String>> {
    strings(v)
}

/// An encoder fixture's rows: `X` (to fit on), `X_new` (with unknown categories) and
/// `X_known` (without).
fn encoder_rows(v: &Value) -> [Vec<Vec<String>>; 3] {
    [&v["X"], &v["X_new"], &v["X_known"]].map(strings)
}

/// Checks a fitted encoder's `transform` of `rows`, and the `inverse_transform` of that,
/// against scikit-learn's `case["transform_{rows_name}"]` and `case["inverse_{rows_name}"]`.
macro_rules! assert_round_trip {
    ($encoder:expr, $rows:expr, $case:expr, $rows_name:literal, $what:expr) => {{
        let t: Mat = $encoder.transform($rows).unwrap();
        assert_mat(&t, &$case[concat!("transform_", $rows_name)], $what);
        let back = $encoder.inverse_transform(&t).unwrap();
        let want = optional_strings(&$case[concat!("inverse_", $rows_name)]);
        assert_eq!(back, want, "{}", $what);
    }};
}

#[test]
fn one_hot_encoder_matches_sklearn() {
    let f = fixture();
    let ohe = &f["one_hot_encoder"];
    let [x, x_new, x_known] = encoder_rows(ohe);
    for case in ohe["cases"].as_array().unwrap() {
        let p = &case["params"];
        let unknown = match p.get("handle_unknown").and_then(Value::as_str) {
            Some("ignore") => OneHotUnknown::Ignore,
            _ => OneHotUnknown::Error,
        };
        let drop = match p.get("drop").and_then(Value::as_str) {
            Some("first") => Some(OneHotDrop::First),
            Some("if_binary") => Some(OneHotDrop::IfBinary),
            _ => None,
        };
        let mut enc = OneHotEncoder::new().handle_unknown(unknown).drop(drop);
        enc.fit(&x).unwrap();
        let what = format!("OneHotEncoder {p}");
        assert_eq!(
            enc.categories_().unwrap(),
            categories(&case["categories_"]),
            "{what}"
        );
        let names: Vec<String> = serde_json::from_value(case["feature_names"].clone()).unwrap();
        assert_eq!(enc.get_feature_names_out(None).unwrap(), names, "{what}");
        if let Some(drop_idx) = case["drop_idx_"].as_array() {
            let want: Vec<Option<usize>> = drop_idx
                .iter()
                .map(|d| d.as_u64().map(|d| d as usize))
                .collect();
            assert_eq!(enc.drop_idx_().unwrap(), want, "{what}");
        }
        assert_round_trip!(enc, &x_known, case, "known", &what);
        match case.get("transform_new_error").and_then(Value::as_bool) {
            Some(true) => {
                let err = enc.transform::<f64, _>(&x_new).unwrap_err().to_string();
                assert!(err.contains("unknown categories"), "{err}");
            }
            _ => {
                assert_round_trip!(enc, &x_new, case, "new", &what);
            }
        }
    }

    let ints = &f["one_hot_encoder_int"];
    let x: Vec<Vec<i64>> = serde_json::from_value(ints["X"].clone()).unwrap();
    let mut enc = OneHotEncoder::new();
    let t: Mat = enc.fit_transform(&x).unwrap();
    let cats: Vec<Vec<i64>> = serde_json::from_value(ints["categories_"].clone()).unwrap();
    assert_eq!(enc.categories_().unwrap(), cats);
    assert_mat(&t, &ints["transform"], "OneHotEncoder on integers");
    let names: Vec<String> = serde_json::from_value(ints["feature_names"].clone()).unwrap();
    assert_eq!(enc.get_feature_names_out(Some(&["f", "g"])).unwrap(), names);
}

#[test]
fn ordinal_encoder_matches_sklearn() {
    let f = fixture();
    let ord = &f["ordinal_encoder"];
    let [x, x_new, x_known] = encoder_rows(ord);
    for case in ord["cases"].as_array().unwrap() {
        let p = &case["params"];
        let unknown = match p.get("unknown_value") {
            Some(v) => OrdinalUnknown::UseEncodedValue(num(v)),
            None => OrdinalUnknown::Error,
        };
        let mut enc = OrdinalEncoder::new().handle_unknown(unknown);
        enc.fit(&x).unwrap();
        let what = format!("OrdinalEncoder {p}");
        assert_eq!(
            enc.categories_().unwrap(),
            categories(&case["categories_"]),
            "{what}"
        );
        assert_round_trip!(enc, &x_known, case, "known", &what);
        if unknown == OrdinalUnknown::Error {
            assert!(enc.transform::<f64, _>(&x_new).is_err(), "{what}");
        } else {
            assert_round_trip!(enc, &x_new, case, "new", &what);
        }
    }
}

#[test]
fn label_encoder_matches_sklearn() {
    let f = fixture();
    let le = &f["label_encoder"];
    let y: Vec<String> = serde_json::from_value(le["y"].clone()).unwrap();
    let mut enc = LabelEncoder::new();
    enc.fit(&y).unwrap();
    let classes: Vec<String> = serde_json::from_value(le["classes_"].clone()).unwrap();
    assert_eq!(enc.classes_().unwrap(), classes);
    let y2: Vec<String> = serde_json::from_value(le["y_for_transform"].clone()).unwrap();
    let codes: Vec<usize> = serde_json::from_value(le["transform"].clone()).unwrap();
    assert_eq!(enc.transform(&y2).unwrap(), codes);
    assert_eq!(enc.transform_tensor(&y2).unwrap().to_vec(), codes);
    let back: Vec<usize> = serde_json::from_value(le["codes_for_inverse"].clone()).unwrap();
    let labels: Vec<String> = serde_json::from_value(le["inverse"].clone()).unwrap();
    assert_eq!(enc.inverse_transform(&back).unwrap(), labels);
    let err = enc
        .transform(&["zebra".to_string()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"zebra\""), "{err}");
}

fn size(v: &Value) -> Option<SplitSize> {
    match v {
        Value::Null => None,
        v if v.is_u64() => Some(SplitSize::Count(v.as_u64().unwrap() as usize)),
        v => Some(SplitSize::Fraction(num(v))),
    }
}

fn options(case: &Value) -> TrainTestSplit {
    let mut s = TrainTestSplit::new();
    if let Some(t) = size(&case["test_size"]) {
        s = s.test_size(t);
    }
    if let Some(t) = size(&case["train_size"]) {
        s = s.train_size(t);
    }
    s
}

#[test]
fn split_sizes_match_sklearn() {
    let f = fixture();
    for case in f["split_sizes"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let got = options(case).indices(n);
        if case["error"].as_bool().unwrap() {
            assert!(got.is_err(), "{case}: scikit-learn refuses this split");
        } else {
            let (train, test) = got.unwrap();
            let want = (
                case["n_train"].as_u64().unwrap(),
                case["n_test"].as_u64().unwrap(),
            );
            assert_eq!((train.len() as u64, test.len() as u64), want, "{case}");
            let all: BTreeSet<usize> = train.iter().chain(&test).copied().collect();
            assert_eq!(
                all.len(),
                train.len() + test.len(),
                "{case}: the parts overlap"
            );
            assert!(all.iter().all(|&i| i < n));
        }
    }
}

#[test]
fn stratified_class_counts_match_sklearn() {
    let f = fixture();
    for case in f["stratified"].as_array().unwrap() {
        let y: Vec<usize> = serde_json::from_value(case["y"].clone()).unwrap();
        let n_classes = case["class_counts"].as_array().unwrap().len();
        let outcomes: BTreeSet<(Vec<usize>, Vec<usize>)> = case["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    serde_json::from_value(o["train"].clone()).unwrap(),
                    serde_json::from_value(o["test"].clone()).unwrap(),
                )
            })
            .collect();
        let mut seen = BTreeSet::new();
        for seed in 0..30 {
            let (train, test) = options(case)
                .seed(seed)
                .stratify(&y)
                .indices(y.len())
                .unwrap();
            let count = |idx: &[usize]| {
                let mut c = vec![0; n_classes];
                idx.iter().for_each(|&i| c[y[i]] += 1);
                c
            };
            let got = (count(&train), count(&test));
            assert!(
                outcomes.contains(&got),
                "{}: class counts {got:?} are not among scikit-learn's {outcomes:?}",
                case["class_counts"]
            );
            let all: BTreeSet<usize> = train.iter().chain(&test).copied().collect();
            assert_eq!(all.len(), train.len() + test.len(), "the parts overlap");
            seen.insert(got);
        }
        // Where scikit-learn's outcome depends on its seed (classes tied for a leftover
        // sample), ours should vary with the seed too, not always favour one class.
        if outcomes.len() > 1 {
            assert!(
                seen.len() > 1,
                "{}: ties are always broken the same way",
                case["class_counts"]
            );
        }
    }
}

#[test]
fn train_test_split_keeps_rows_and_targets_together() {
    let dev = Cpu::default();
    let n = 20;
    let x: Tensor<(usize, Const<3>), f32, Cpu> =
        dev.tensor_from_vec((0..n * 3).map(|v| v as f32).collect(), (n, Const));
    let y: Tensor<(usize,), usize, Cpu> = dev.tensor_from_vec((0..n).collect(), (n,));
    let labels: Vec<usize> = (0..n).map(|i| i % 2).collect();
    let opts = TrainTestSplit::new()
        .test_size(0.3)
        .seed(9)
        .stratify(&labels);
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, &opts).unwrap();
    assert_eq!((x_train.dims(), x_test.dims()), ([14, 3], [6, 3]));
    for (xs, ys) in [(&x_train, &y_train), (&x_test, &y_test)] {
        let xs = xs.to_vec();
        for (r, &i) in ys.to_vec().iter().enumerate() {
            assert_eq!(
                &xs[r * 3..r * 3 + 3],
                &[3.0 * i as f32, 3.0 * i as f32 + 1.0, 3.0 * i as f32 + 2.0]
            );
        }
    }
    let odd_in_test = y_test.to_vec().iter().filter(|&&i| i % 2 == 1).count();
    assert_eq!(odd_in_test, 3);
    // The same seed gives the same split; the form on one tensor agrees with the pair form.
    let (again, _) = opts.split(&x).unwrap();
    assert_eq!(again.to_vec(), x_train.to_vec());
    // Rows that do not match, and a compile-time row count, are errors.
    let short: Tensor<(usize,), usize, Cpu> = dev.tensor_from_vec(vec![0; 5], (5,));
    assert!(train_test_split(&x, &short, &opts).is_err());
    let fixed: Tensor<(Const<4>, Const<2>), f64, Cpu> = dev.tensor([[0.0; 2]; 4]);
    let err = split_rows(&fixed, &[0, 1]).unwrap_err().to_string();
    assert!(err.contains("usize"), "{err}");
    assert!(split_rows(&y, &[20]).is_err());
}

#[test]
fn every_estimator_refuses_unfitted_use_and_other_widths() {
    let dev = Cpu::default();
    let x: Mat = dev.tensor_from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0], (3, 2));
    let wide: Mat = dev.tensor_from_vec(vec![1.0, 2.0, 3.0], (1, 3));
    macro_rules! check {
        ($make:expr) => {{
            let unfitted = $make;
            let err = unfitted.transform(&x).unwrap_err().to_string();
            assert!(err.contains("not fitted"), "{err}");
            let mut fitted = $make;
            fitted.fit(&x).unwrap();
            let err = fitted.transform(&wide).unwrap_err().to_string();
            assert!(err.contains("X has 3 features"), "{err}");
        }};
    }
    check!(StandardScaler::new());
    check!(MinMaxScaler::new());
    check!(MaxAbsScaler::new());
    check!(RobustScaler::new());
    check!(SimpleImputer::new());
    check!(PolynomialFeatures::new());
    let mut norm = Normalizer::new();
    norm.fit(&x).unwrap();
    assert!(norm.transform(&wide).is_err());
    assert!(StandardScaler::new().inverse_transform(&x).is_err());
    let empty: Mat = dev.tensor_from_vec(vec![], (0, 2));
    assert!(StandardScaler::new().fit(&empty).is_err());
}

fn finite_matrix() -> impl Strategy<Value = (usize, usize, Vec<f64>)> {
    (1usize..12, 1usize..5)
        .prop_flat_map(|(n, d)| (Just(n), Just(d), prop::collection::vec(-1e3f64..1e3, n * d)))
}

proptest! {
    #[test]
    fn standard_scaler_gives_mean_zero_and_std_one((n, d, data) in finite_matrix()) {
        let x: Mat = Cpu::default().tensor_from_vec(data.clone(), (n, d));
        let mut s = StandardScaler::new();
        let z = s.fit_transform(&x).unwrap().to_vec();
        for j in 0..d {
            let col: Vec<f64> = (0..n).map(|i| z[i * d + j]).collect();
            let mean = col.iter().sum::<f64>() / n as f64;
            let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
            prop_assert!(mean.abs() < 1e-9, "mean {}", mean);
            let constant = s.scale_().unwrap()[j] == 1.0 && s.var_().unwrap()[j] < 1e-9;
            if !constant {
                prop_assert!((var - 1.0).abs() < 1e-9, "var {}", var);
            }
        }
        let back = s.inverse_transform(&Cpu::default().tensor_from_vec(z, (n, d))).unwrap();
        for (b, x) in back.to_vec().iter().zip(&data) {
            prop_assert!((b - x).abs() <= 1e-9 * (1.0 + x.abs()));
        }
    }

    #[test]
    fn scalers_invert((n, d, data) in finite_matrix()) {
        let x: Mat = Cpu::default().tensor_from_vec(data.clone(), (n, d));
        let close = |t: Mat| t.to_vec().iter().zip(&data).all(|(b, x)| (b - x).abs() <= 1e-9 * (1.0 + x.abs()));
        let mut a = MinMaxScaler::new().feature_range(-2.0, 3.0);
        let t = a.fit_transform(&x).unwrap();
        prop_assert!(t.to_vec().iter().all(|&v| (-2.0 - 1e-9..=3.0 + 1e-9).contains(&v)));
        prop_assert!(close(a.inverse_transform(&t).unwrap()));
        let mut b = RobustScaler::new();
        let t = b.fit_transform(&x).unwrap();
        prop_assert!(close(b.inverse_transform(&t).unwrap()));
        let mut c = MaxAbsScaler::new();
        let t = c.fit_transform(&x).unwrap();
        prop_assert!(close(c.inverse_transform(&t).unwrap()));
    }

    #[test]
    fn encoders_invert(rows in prop::collection::vec(prop::collection::vec(-3i64..4, 3), 1..15)) {
        let mut one_hot = OneHotEncoder::new();
        let t: Mat = one_hot.fit_transform(&rows).unwrap();
        let total: usize = one_hot.categories_().unwrap().iter().map(Vec::len).sum();
        prop_assert_eq!(t.dims(), [rows.len(), total]);
        // Exactly one 1 per feature per row.
        prop_assert_eq!(t.to_vec().iter().sum::<f64>(), (rows.len() * 3) as f64);
        let back: Vec<Vec<i64>> = one_hot.inverse_transform(&t).unwrap().into_iter()
            .map(|r| r.into_iter().flatten().collect()).collect();
        prop_assert_eq!(&back, &rows);
        let mut ordinal = OrdinalEncoder::new();
        let t: Mat = ordinal.fit_transform(&rows).unwrap();
        let back: Vec<Vec<i64>> = ordinal.inverse_transform(&t).unwrap().into_iter()
            .map(|r| r.into_iter().flatten().collect()).collect();
        prop_assert_eq!(&back, &rows);
        let labels: Vec<i64> = rows.iter().map(|r| r[0]).collect();
        let mut le = LabelEncoder::new();
        let codes = le.fit_transform(&labels).unwrap();
        prop_assert_eq!(le.inverse_transform(&codes).unwrap(), labels);
    }

    #[test]
    fn splits_partition_the_samples(n in 2usize..200, frac in 0.01f64..0.99, seed in any::<u64>()) {
        let opts = TrainTestSplit::new().test_size(frac).seed(seed);
        if let Ok((train, test)) = opts.indices(n) {
            prop_assert_eq!(test.len(), (frac * n as f64).ceil() as usize);
            let mut all: Vec<usize> = train.into_iter().chain(test).collect();
            all.sort_unstable();
            prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
        }
    }
}
