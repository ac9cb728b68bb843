//! Pipeline and GridSearchCV against scikit-learn on `fixtures/search.json` (written by
//! `fixtures/make_search_fixtures.py`): the same candidates in the same order, the same score on
//! every split, the same mean, standard deviation and rank (ties included), the same best
//! candidate and the same predictions of the refitted best; a scaler → PCA → logistic
//! pipeline predicts as scikit-learn's; learning curves give scikit-learn's sizes and scores.

mod common;

use common::*;
use gf_learn::decomposition::PCA;
use gf_learn::linear_model::{LogisticRegression, Ridge};
use gf_learn::model_selection::{
    learning_curve, learning_curve_regressor, Distribution, GridSearchCV, KFold, ParamGrid,
    ParamSampler, Params, RandomizedSearchCV, StratifiedKFold, TrainSize,
};
use gf_learn::naive_bayes::GaussianNB;
use gf_learn::pipeline::Pipeline;
use gf_learn::prelude::*;
use gf_learn::preprocessing::StandardScaler;
use gf_learn::svm::{Gamma, Kernel, SVC};
use gf_learn::Error;
use serde_json::Value;

fn grid_fixture(name: &str) -> Value {
    let fx = read_json("search.json");
    fx["grids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

fn lr(c: f64) -> LogisticRegression {
    LogisticRegression::new().c(c).tol(1e-10).max_iter(10_000)
}

/// Our candidates hold scikit-learn's values under its names without the `step__` prefix.
fn assert_same_candidates(name: &str, got: &[Params], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{name}: number of candidates");
    for (i, (p, w)) in got.iter().zip(want).enumerate() {
        let w = w.as_object().unwrap();
        assert_eq!(p.len(), w.len(), "{name}[{i}]: {p} vs {w:?}");
        for (key, value) in w {
            let short = key.rsplit("__").next().unwrap();
            let ours = match p.get::<f64>(short) {
                Ok(v) => format!("{v:?}"),
                Err(_) => p.get::<&str>(short).unwrap().to_string(),
            };
            assert_eq!(ours, value.as_str().unwrap(), "{name}[{i}] {short}");
        }
    }
}

fn assert_same_results<M, B>(name: &str, search: &GridSearchCV<M, B>, want: &Value, tol: f64)
where
    B: Fn(&Params) -> gf_learn::Result<M> + Sync,
{
    let r = search.cv_results_().unwrap();
    assert_same_candidates(name, &r.params, &want["params"]);
    // Timings: one per candidate, finite; every fit takes some time.
    let n = r.params.len();
    for (what, t) in [
        ("mean_fit_time", &r.mean_fit_time),
        ("std_fit_time", &r.std_fit_time),
        ("mean_score_time", &r.mean_score_time),
        ("std_score_time", &r.std_score_time),
    ] {
        assert_eq!(t.len(), n, "{name} {what}");
        assert!(
            t.iter().all(|v| v.is_finite() && *v >= 0.0),
            "{name} {what}: {t:?}"
        );
    }
    assert!(
        r.mean_fit_time.iter().all(|&t| t > 0.0),
        "{name}: {:?}",
        r.mean_fit_time
    );
    for (i, (got, w)) in r
        .split_test_scores
        .iter()
        .zip(want["split_test_scores"].as_array().unwrap())
        .enumerate()
    {
        assert_close(&format!("{name} split scores [{i}]"), got, &floats(w), tol);
    }
    assert_close(
        name,
        &r.mean_test_score,
        &floats(&want["mean_test_score"]),
        tol,
    );
    assert_close(
        name,
        &r.std_test_score,
        &floats(&want["std_test_score"]),
        tol.max(1e-9),
    );
    assert_eq!(
        r.rank_test_score,
        usizes(&want["rank_test_score"]),
        "{name} ranks"
    );
    assert_eq!(
        search.best_index_(),
        Some(want["best_index"].as_u64().unwrap() as usize)
    );
    assert_close(
        name,
        &[search.best_score_().unwrap()],
        &[want["best_score"].as_f64().unwrap()],
        tol,
    );
}

#[test]
fn ridge_grid_scores_every_alpha_as_scikit_learn() {
    let want = grid_fixture("ridge_alpha");
    let (x, y) = diabetes();
    let grid = ParamGrid::new().param("alpha", [0.001, 0.01, 0.1, 1.0, 10.0]);
    let mut search = GridSearchCV::new(grid, |p| Ok(Ridge::new().alpha(p.get("alpha")?))).cv(5);
    search.fit(&x, &y).unwrap();
    assert_same_results("ridge_alpha", &search, &want, 1e-10);
    assert_close(
        "ridge predict",
        &search.predict(&x).unwrap().to_vec(),
        &floats(&want["predict"]),
        1e-9,
    );
    // The same search on folds given by hand.
    let folds = KFold::new().n_splits(5).split(x.dims()[0]).unwrap();
    let grid = ParamGrid::new().param("alpha", [0.001, 0.01, 0.1, 1.0, 10.0]);
    let mut by_hand =
        GridSearchCV::new(grid, |p| Ok(Ridge::new().alpha(p.get("alpha")?))).folds(folds);
    by_hand.fit(&x, &y).unwrap();
    assert_eq!(
        by_hand.cv_results_().unwrap().mean_test_score,
        search.cv_results_().unwrap().mean_test_score
    );
}

#[test]
fn scaled_logistic_grid_fits_the_scaler_inside_each_fold() {
    let want = grid_fixture("scaled_logistic_c");
    let (x, y) = classification("breast_cancer");
    let grid = ParamGrid::new().param("C", [0.01, 0.1, 1.0, 10.0]);
    let mut search = GridSearchCV::new(grid, |p| {
        Ok(Pipeline::new(StandardScaler::new(), lr(p.get("C")?)))
    });
    search.fit(&x, &y).unwrap();
    assert_same_results("scaled_logistic_c", &search, &want, 1e-12);
    assert_eq!(
        search.predict(&x).unwrap().to_vec(),
        usizes(&want["predict"])
    );
    assert_eq!(search.classes_(), Some(&[0usize, 1][..]));
    let proba = search.predict_proba(&head(&x, 3)).unwrap().to_vec();
    assert!(proba.chunks(2).all(|r| (r[0] + r[1] - 1.0).abs() < 1e-12));
}

#[test]
fn svc_over_two_joined_grids_ranks_ties_as_scikit_learn() {
    let want = grid_fixture("scaled_svc_two_grids");
    let (x, y) = classification("iris");
    let grid = ParamGrid::new()
        .param("kernel", ["linear"])
        .param("C", [0.1, 1.0])
        .or(ParamGrid::new()
            .param("kernel", ["rbf"])
            .param("C", [1.0, 10.0])
            .param("gamma", [0.01, 0.1]));
    let build = |p: &Params| {
        let kernel = match p.get::<&str>("kernel")? {
            "linear" => Kernel::Linear,
            _ => Kernel::Rbf,
        };
        let mut svc = SVC::new().c(p.get("C")?).kernel(kernel);
        if p.contains("gamma") {
            svc = svc.gamma(Gamma::Value(p.get("gamma")?));
        }
        Ok(Pipeline::new(StandardScaler::new(), svc))
    };
    let mut search = GridSearchCV::new(grid, build).cv(4);
    search.fit(&x, &y).unwrap();
    assert_same_results("scaled_svc_two_grids", &search, &want, 1e-12);
    assert_eq!(
        search.predict(&x).unwrap().to_vec(),
        usizes(&want["predict"])
    );
    assert_eq!(
        search.decision_function(&head(&x, 2)).unwrap().dims(),
        [2, 3]
    );
}

#[test]
fn scaler_pca_logistic_pipeline_predicts_as_scikit_learn() {
    let fx = read_json("search.json");
    let want = &fx["pipeline"];
    let (x, y) = classification("wine");
    let mut model = Pipeline::new((StandardScaler::new(), PCA::new().n_components(3)), lr(1.0));
    model.fit(&x, &y).unwrap();
    let (_, proba) = matrix(&want["proba"]);
    assert_close(
        "pipeline proba",
        &model.predict_proba(&head(&x, 20)).unwrap().to_vec(),
        &proba,
        1e-7,
    );
    assert_eq!(
        model.predict(&x).unwrap().to_vec(),
        usizes(&want["predict"])
    );
    // The transformers alone form a pipeline that is a transformer.
    let mut reduce = Pipeline::new(StandardScaler::new(), PCA::new().n_components(3));
    let got = reduce.fit_transform(&x).unwrap();
    assert_eq!(got.dims(), [x.dims()[0], 3]);
    let (_, transformed) = matrix(&want["transformed"]);
    let got = head(&got, 5).to_vec();
    // Components are defined up to sign: compare each column with its sign aligned.
    for col in 0..3 {
        let sign = (got[col] * transformed[col]).signum();
        let g: Vec<f64> = (0..5).map(|r| sign * got[r * 3 + col]).collect();
        let w: Vec<f64> = (0..5).map(|r| transformed[r * 3 + col]).collect();
        assert_close(&format!("pca column {col}"), &g, &w, 1e-9);
    }
}

#[test]
fn bad_searches_are_errors_that_say_what_is_wrong() {
    let (x, y) = diabetes();
    let ridge = |p: &Params| Ok(Ridge::new().alpha(p.get("alpha")?));
    // A parameter without values.
    let empty: [f64; 0] = [];
    let err = GridSearchCV::new(ParamGrid::new().param("alpha", empty), ridge)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        err.to_string().contains("'alpha' needs a non-empty list"),
        "{err}"
    );
    // The builder reads a parameter the grid does not have, or with another type.
    let err = GridSearchCV::new(ParamGrid::new().param("alpa", [1.0]), ridge)
        .fit(&x, &y)
        .unwrap_err();
    assert!(err.to_string().contains("no parameter 'alpha'"), "{err}");
    let err = GridSearchCV::new(ParamGrid::new().param("alpha", [1usize]), ridge)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        err.to_string().contains("holds a usize, not a f64"),
        "{err}"
    );
    // An invalid hyper-parameter names the candidate and the parameter.
    let err = GridSearchCV::new(ParamGrid::new().param("alpha", [1.0, -1.0]), ridge)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        err.to_string().contains("candidate {alpha: -1.0}") && err.to_string().contains("'alpha'"),
        "{err}"
    );
    // Too few folds.
    let err = GridSearchCV::new(ParamGrid::new().param("alpha", [1.0]), ridge)
        .cv(1)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "cv", .. }),
        "{err}"
    );
    // Predicting before fit, or without refit.
    let search = GridSearchCV::new(ParamGrid::new().param("alpha", [1.0]), ridge);
    assert!(matches!(
        search.predict(&x).unwrap_err(),
        Error::NotFitted { .. }
    ));
    let mut search =
        GridSearchCV::new(ParamGrid::new().param("alpha", [1.0, 2.0]), ridge).refit(false);
    search.fit(&x, &y).unwrap();
    assert!(search.best_estimator_().is_none());
    assert!(search
        .predict(&x)
        .unwrap_err()
        .to_string()
        .contains("refit=false"));
}

#[test]
fn randomized_search_draws_distinct_grid_points_or_from_distributions() {
    // All lists: distinct combinations of the grid, all of them when it is smaller than n_iter.
    let lists = ParamSampler::new(4)
        .param("a", [1usize, 2, 3])
        .param("b", ["x", "y"]);
    let drawn = lists.clone().candidates().unwrap();
    let mut seen: Vec<String> = drawn.iter().map(|p| p.to_string()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(
        ParamSampler::new(50)
            .param("a", [1usize, 2, 3])
            .candidates()
            .unwrap()
            .len(),
        3
    );
    // Distributions: values in range, the same for a seed, others for another seed.
    let dists = |seed| {
        ParamSampler::new(20)
            .distribution(
                "alpha",
                Distribution::LogUniform {
                    low: 1e-3,
                    high: 1e3,
                },
            )
            .distribution("depth", Distribution::IntRange { low: 2, high: 5 })
            .param("kind", ["a", "b"])
            .random_state(seed)
    };
    let a = dists(1).candidates().unwrap();
    assert!(a.iter().all(|p| {
        let (alpha, depth) = (
            p.get::<f64>("alpha").unwrap(),
            p.get::<usize>("depth").unwrap(),
        );
        (1e-3..1e3).contains(&alpha) && (2..5).contains(&depth)
    }));
    let show = |c: &[Params]| c.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    assert_eq!(show(&a), show(&dists(1).candidates().unwrap()));
    assert_ne!(show(&a), show(&dists(2).candidates().unwrap()));
    // Bad samplers.
    assert!(ParamSampler::new(0).param("a", [1.0]).candidates().is_err());
    let err = ParamSampler::new(3)
        .distribution(
            "alpha",
            Distribution::LogUniform {
                low: 0.0,
                high: 1.0,
            },
        )
        .candidates()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("'alpha' has an empty or invalid range"),
        "{err}"
    );
}

#[test]
fn randomized_search_scores_its_draws_as_the_grid_search_scores_them() {
    let (x, y) = diabetes();
    let ridge = |p: &Params| Ok(Ridge::new().alpha(p.get("alpha")?));
    let sampler = ParamSampler::new(6).distribution(
        "alpha",
        Distribution::LogUniform {
            low: 1e-3,
            high: 1e2,
        },
    );
    let mut random = RandomizedSearchCV::new(sampler, ridge);
    random.fit(&x, &y).unwrap();
    let r = random.cv_results_().unwrap();
    // The same candidates through a grid give the same scores.
    let alphas: Vec<f64> = r.params.iter().map(|p| p.get("alpha").unwrap()).collect();
    let mut grid = GridSearchCV::new(ParamGrid::new().param("alpha", alphas.clone()), ridge);
    grid.fit(&x, &y).unwrap();
    let g = grid.cv_results_().unwrap();
    let mut pairs: Vec<(f64, f64)> = alphas
        .iter()
        .copied()
        .zip(r.mean_test_score.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut want: Vec<(f64, f64)> = g
        .params
        .iter()
        .map(|p| p.get("alpha").unwrap())
        .zip(g.mean_test_score.iter().copied())
        .collect();
    want.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(pairs, want);
    let best = r
        .mean_test_score
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(random.best_score_(), Some(best));
    assert_eq!(random.predict(&x).unwrap().dims(), [x.dims()[0]]);
    let err = RandomizedSearchCV::new(ParamSampler::new(2).param("alpha", [1.0]), ridge)
        .cv(1)
        .fit(&x, &y)
        .unwrap_err();
    assert!(err.to_string().contains("RandomizedSearchCV"), "{err}");
}

fn curve_fixture(name: &str) -> Value {
    let fx = read_json("search.json");
    fx["learning_curves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

fn assert_same_curve(
    name: &str,
    got: &gf_learn::model_selection::LearningCurve,
    want: &Value,
    tol: f64,
) {
    assert_eq!(
        got.train_sizes,
        usizes(&want["train_sizes"]),
        "{name} sizes"
    );
    for (what, got, key) in [
        ("train", &got.train_scores, "train_scores"),
        ("test", &got.test_scores, "test_scores"),
    ] {
        let want: Vec<f64> = want[key]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(floats)
            .collect();
        let got: Vec<f64> = got.iter().flatten().copied().collect();
        assert_close(&format!("{name} {what}"), &got, &want, tol);
    }
}

#[test]
fn learning_curves_match_scikit_learn() {
    let sizes = |c: &Value| -> Vec<TrainSize> {
        floats(&c["sizes"])
            .into_iter()
            .map(TrainSize::Fraction)
            .collect()
    };
    let want = curve_fixture("ridge_diabetes");
    let (x, y) = diabetes();
    let folds = KFold::new().n_splits(5).split(x.dims()[0]).unwrap();
    let got = learning_curve_regressor(&Ridge::new(), &x, &y, &sizes(&want), &folds).unwrap();
    assert_same_curve("ridge_diabetes", &got, &want, 1e-10);

    // Duplicate sizes collapse, as scikit-learn's do.
    let want = curve_fixture("nb_wine");
    let (x, y) = classification("wine");
    let folds = StratifiedKFold::new()
        .n_splits(4)
        .split(&y.to_vec())
        .unwrap();
    let got = learning_curve(&GaussianNB::new(), &x, &y, &sizes(&want), &folds).unwrap();
    assert_same_curve("nb_wine", &got, &want, 1e-12);

    // Sizes out of range.
    for bad in [
        TrainSize::Fraction(0.0),
        TrainSize::Fraction(1.5),
        TrainSize::Count(0),
        TrainSize::Count(10_000),
    ] {
        let err = learning_curve(&GaussianNB::new(), &x, &y, &[bad], &folds).unwrap_err();
        assert!(err.to_string().contains("train size"), "{err}");
    }
    assert!(learning_curve(&GaussianNB::new(), &x, &y, &[], &folds).is_err());
}
