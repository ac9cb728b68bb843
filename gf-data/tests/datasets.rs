//! The bundled datasets against what scikit-learn 1.9.1 loads (fixtures recorded by
//! `tests/fixtures/datasets/make_fixtures.py`), and the generators' properties.

mod common;

use std::collections::HashSet;
use std::fmt::Debug;

use gf_data::datasets::{
    load_breast_cancer, load_diabetes, load_diabetes_raw, load_digits, load_digits_n_class,
    load_iris, load_wine, make_blobs, make_circles, make_classification, make_moons,
    make_regression, Blobs, Bunch, Centers, Circles, Classification, FeatureKind, Moons,
    Regression, Samples,
};
use gf_data::{DataLoader, Dataset, Error};
use serde_json::Value;

use common::{assert_all_close, close, floats, strings, usizes};

fn fixture(name: &str) -> Value {
    common::read_json("datasets", "sklearn_datasets.json")[name].clone()
}

/// Shape, names, column sums and sums of squares, and some rows, as scikit-learn has them.
fn check_data<T: gf_core::Unit>(name: &str, bunch: &Bunch<T>) -> Value {
    let fx = fixture(name);
    let shape = usizes(&fx["shape"]);
    assert_eq!([bunch.n_samples(), bunch.n_features()], shape[..], "{name}");
    assert_eq!(bunch.data.dims(), [shape[0], shape[1]]);
    assert_eq!(bunch.target.dims(), [shape[0]]);
    assert_eq!(bunch.feature_names, strings(&fx["feature_names"]), "{name}");
    assert_eq!(bunch.target_names, strings(&fx["target_names"]), "{name}");

    let f = shape[1];
    let data = bunch.data.to_vec();
    let col = |j: usize| column(&data, f, j);
    let sums: Vec<f64> = (0..f).map(|j| col(j).iter().sum()).collect();
    let sumsq: Vec<f64> = (0..f).map(|j| col(j).iter().map(|x| x * x).sum()).collect();
    assert_all_close(
        &format!("{name} column sums"),
        &sums,
        &floats(&fx["col_sum"]),
    );
    assert_all_close(
        &format!("{name} column sums of squares"),
        &sumsq,
        &floats(&fx["col_sumsq"]),
    );
    for (row, values) in fx["rows"].as_object().unwrap() {
        let i: usize = row.parse().unwrap();
        assert_all_close(
            &format!("{name} row {i}"),
            &data[i * f..(i + 1) * f],
            &floats(values),
        );
    }
    assert!(!bunch.descr.is_empty());
    fx
}

fn check_classification(name: &str, bunch: &Bunch<usize>) {
    let fx = check_data(name, bunch);
    let target = bunch.target.to_vec();
    let want = usizes(&fx["target_counts"]);
    let mut counts = vec![0; want.len()];
    for &t in &target {
        counts[t] += 1;
    }
    assert_eq!(counts, want, "{name} class counts");
    for (row, t) in fx["row_targets"].as_object().unwrap() {
        let i: usize = row.parse().unwrap();
        assert_eq!(target[i] as u64, t.as_u64().unwrap(), "{name} target {i}");
    }
}

fn check_regression(name: &str, bunch: &Bunch<f64>) {
    let fx = check_data(name, bunch);
    let target = bunch.target.to_vec();
    assert!(close(
        target.iter().sum(),
        fx["target_sum"].as_f64().unwrap()
    ));
    assert!(close(
        target.iter().map(|x| x * x).sum(),
        fx["target_sumsq"].as_f64().unwrap()
    ));
    for (row, t) in fx["row_targets"].as_object().unwrap() {
        let i: usize = row.parse().unwrap();
        assert!(close(target[i], t.as_f64().unwrap()), "{name} target {i}");
    }
}

#[test]
fn iris_is_scikit_learns() {
    let iris = load_iris().unwrap();
    check_classification("iris", &iris);
    assert!(iris.descr.contains("Iris plants dataset"));
}

#[test]
fn wine_is_scikit_learns() {
    check_classification("wine", &load_wine().unwrap());
}

#[test]
fn breast_cancer_is_scikit_learns() {
    check_classification("breast_cancer", &load_breast_cancer().unwrap());
}

#[test]
fn digits_are_scikit_learns() {
    check_classification("digits", &load_digits().unwrap());
    check_classification("digits_n_class_4", &load_digits_n_class(4).unwrap());
}

#[test]
fn diabetes_scaled_and_raw_are_scikit_learns() {
    let scaled = load_diabetes().unwrap();
    check_regression("diabetes", &scaled);
    check_regression("diabetes_raw", &load_diabetes_raw().unwrap());
    assert!(scaled.target_names.is_empty());
}

#[test]
fn digits_images_are_the_rows_as_8x8() {
    let digits = load_digits().unwrap();
    let images = digits.images::<8, 8>().unwrap();
    assert_eq!(images.dims(), [1797, 8, 8]);
    assert_eq!(images.to_vec(), digits.data.to_vec());
    // Pixel (r, c) of image i is feature pixel_r_c.
    let j = digits
        .feature_names
        .iter()
        .position(|n| n == "pixel_3_5")
        .unwrap();
    assert_eq!(j, 3 * 8 + 5);
}

#[test]
fn a_bunch_types_its_features_and_feeds_a_data_loader() {
    let iris = load_iris().unwrap();
    let typed = iris.data_as::<4>().unwrap();
    assert_eq!(typed.to_vec(), iris.data.to_vec());
    assert!(matches!(iris.data_as::<3>(), Err(Error::Tensor(_))));

    let ds = iris.to_dataset().unwrap();
    assert_eq!(ds.len(), 150);
    let (row, label) = ds.get(100).unwrap();
    assert_eq!(row.to_vec(), &iris.data.to_vec()[400..404]);
    assert_eq!(label.scalar(), 2);

    let loader = DataLoader::new(ds).batch_size(32);
    let mut seen = 0;
    for batch in loader.iter() {
        let (x, y) = batch.unwrap();
        assert_eq!(x.dims()[1], 4);
        assert_eq!(x.dims()[0], y.dims()[0]);
        seen += y.dims()[0];
    }
    assert_eq!(seen, 150);

    let (x, y) = load_wine().unwrap().into_xy();
    assert_eq!((x.dims(), y.dims()), ([178, 13], [178]));
}

// ---------------------------------------------------------------- generators

fn rows(x: &[f64], width: usize) -> Vec<&[f64]> {
    x.chunks(width).collect()
}

fn counts(y: &[usize], k: usize) -> Vec<usize> {
    let mut c = vec![0; k];
    for &t in y {
        c[t] += 1;
    }
    c
}

/// Every options set in `bad` is refused by `generate` with an argument error from `op`.
fn assert_refused<O: Debug, T>(
    op: &str,
    bad: impl IntoIterator<Item = O>,
    generate: impl Fn(&O) -> Result<T, Error>,
) {
    for opts in bad {
        match generate(&opts) {
            Err(Error::Argument { op: got, .. }) if got == op => {}
            Err(err) => panic!("{opts:?}: {err}"),
            Ok(_) => panic!("{opts:?}: accepted, {op} should refuse it"),
        }
    }
}

#[test]
fn blobs_have_the_asked_shapes_counts_and_means() {
    let centers = vec![[0.0, 0.0, 0.0], [10.0, -5.0, 2.0], [-8.0, 8.0, 8.0]];
    let opts = Blobs::new()
        .n_samples(3001)
        .centers(centers.clone())
        .cluster_std(vec![0.5, 1.0, 2.0]);
    let (x, y) = make_blobs(&opts, 11).unwrap();
    assert_eq!((x.dims(), y.dims()), ([3001, 3], [3001]));
    let y = y.to_vec();
    assert_eq!(counts(&y, 3), [1001, 1000, 1000]);
    let x = x.to_vec();
    for (k, center) in centers.iter().enumerate() {
        let members: Vec<&[f64]> = rows(&x, 3)
            .into_iter()
            .zip(&y)
            .filter(|(_, &t)| t == k)
            .map(|(r, _)| r)
            .collect();
        let m = members.len() as f64;
        let std = [0.5, 1.0, 2.0][k];
        for d in 0..3 {
            let mean = members.iter().map(|r| r[d]).sum::<f64>() / m;
            let var = members.iter().map(|r| (r[d] - mean).powi(2)).sum::<f64>() / m;
            // Five standard errors of the mean; the spread within 10%.
            assert!(
                (mean - center[d]).abs() < 5.0 * std / m.sqrt(),
                "{k} {d}: {mean}"
            );
            assert!(
                (var.sqrt() / std - 1.0).abs() < 0.1,
                "{k} {d}: {}",
                var.sqrt()
            );
        }
    }
    // Shuffled: the clusters are mixed, not in runs.
    assert_ne!(y[..1001], vec![0; 1001][..]);
}

#[test]
fn blobs_with_random_centers_stay_in_the_box() {
    let opts = Blobs::new()
        .n_samples(vec![200, 300, 400, 500])
        .n_features(5)
        .center_box(-2.0, 3.0)
        .cluster_std(0.01)
        .shuffle(false);
    let (x, y, centers) = opts.generate_with_centers(5).unwrap();
    assert_eq!((x.dims(), centers.dims()), ([1400, 5], [4, 5]));
    let y = y.to_vec();
    // Unshuffled: cluster by cluster, with the asked counts.
    let mut want = Vec::new();
    for (k, &c) in [200, 300, 400, 500].iter().enumerate() {
        want.extend(std::iter::repeat_n(k, c));
    }
    assert_eq!(y, want);
    let centers = centers.to_vec();
    assert!(centers.iter().all(|c| (-2.0..3.0).contains(c)));
    for (r, &k) in rows(&x.to_vec(), 5).iter().zip(&y) {
        for d in 0..5 {
            assert!((r[d] - centers[k * 5 + d]).abs() < 0.1);
        }
    }
    // The default: three centres in 2-D, 100 samples.
    let (x, y, c) = Blobs::default().generate_with_centers(0).unwrap();
    assert_eq!((x.dims(), c.dims()), ([100, 2], [3, 2]));
    assert_eq!(counts(&y.to_vec(), 3), [34, 33, 33]);
}

#[test]
fn blobs_refuse_inconsistent_options() {
    let bad = [
        Blobs::new().centers(2).cluster_std(vec![1.0, 2.0, 3.0]),
        Blobs::new().n_samples(vec![10, 10]).centers(2),
        Blobs::new()
            .n_samples([10, 10])
            .centers(vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]),
        Blobs::new().centers(Centers::Points(vec![vec![0.0], vec![0.0, 1.0]])),
        Blobs::new().cluster_std(-1.0),
        Blobs::new().center_box(1.0, -1.0),
        Blobs::new().n_samples(0),
        Blobs::new().centers(0),
        Blobs::new().n_features(0),
    ];
    assert_refused("make_blobs", bad, |opts| opts.generate(0));
}

#[test]
fn moons_lie_on_their_half_circles() {
    let (x, y) = make_moons(&Moons::new().n_samples(101), 3).unwrap();
    assert_eq!(x.dims(), [101, 2]);
    let y = y.to_vec();
    assert_eq!(counts(&y, 2), [50, 51]);
    for (p, &t) in rows(&x.to_vec(), 2).iter().zip(&y) {
        let (cx, cy) = if t == 0 { (0.0, 0.0) } else { (1.0, 0.5) };
        let r = ((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt();
        assert!((r - 1.0).abs() < 1e-12, "{p:?} {t}");
        // Upper moon above its centre, lower moon below its own.
        assert!(if t == 0 {
            p[1] >= -1e-12
        } else {
            p[1] <= 0.5 + 1e-12
        });
    }
    // Unshuffled: the outer moon first, from angle 0 to pi.
    let (x, y) = Moons::new()
        .n_samples((3, 2))
        .shuffle(false)
        .generate(0)
        .unwrap();
    assert_eq!(y.to_vec(), [0, 0, 0, 1, 1]);
    let x = x.to_vec();
    assert!(close(x[0], 1.0) && close(x[1], 0.0) && close(x[4], -1.0));
    assert!(close(x[6], 0.0) && close(x[7], 0.5) && close(x[8], 2.0));

    // Noise moves the points by about its standard deviation.
    let (noisy, _) = Moons::new()
        .n_samples(2000)
        .noise(0.1)
        .shuffle(false)
        .generate(1)
        .unwrap();
    let (clean, _) = Moons::new()
        .n_samples(2000)
        .shuffle(false)
        .generate(1)
        .unwrap();
    let d: Vec<f64> = noisy
        .to_vec()
        .iter()
        .zip(clean.to_vec())
        .map(|(a, b)| a - b)
        .collect();
    let std = (d.iter().map(|v| v * v).sum::<f64>() / d.len() as f64).sqrt();
    assert!((std - 0.1).abs() < 0.01, "{std}");
    assert!(Moons::new().noise(-0.1).generate(0).is_err());
    assert!(Moons::new().n_samples(0).generate(0).is_err());
}

#[test]
fn circles_have_radii_one_and_factor() {
    let (x, y) = make_circles(&Circles::new().n_samples(200).factor(0.3), 9).unwrap();
    let y = y.to_vec();
    assert_eq!(counts(&y, 2), [100, 100]);
    for (p, &t) in rows(&x.to_vec(), 2).iter().zip(&y) {
        let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
        let want = if t == 0 { 1.0 } else { 0.3 };
        assert!((r - want).abs() < 1e-12, "{p:?} {t}");
    }
    // Distinct angles: the first point is not repeated at the end.
    let (x, _) = Circles::new()
        .n_samples(8)
        .shuffle(false)
        .generate(0)
        .unwrap();
    let points: HashSet<String> = rows(&x.to_vec(), 2)
        .iter()
        .map(|p| format!("{:.9},{:.9}", p[0], p[1]))
        .collect();
    assert_eq!(points.len(), 8);
    // scikit-learn accepts no samples at all.
    let (x, y) = Circles::new().n_samples(0).generate(0).unwrap();
    assert_eq!((x.dims(), y.dims()), ([0, 2], [0]));
    assert!(Circles::new().factor(1.0).generate(0).is_err());
    assert!(Circles::new().n_samples(vec![1, 2, 3]).generate(0).is_err());
}

#[test]
fn regression_targets_are_x_dot_coef_plus_bias() {
    let opts = Regression::new()
        .n_samples(60)
        .n_features(8)
        .n_informative(3)
        .bias(4.5);
    let (x, y, coef) = make_regression(&opts, 21).unwrap();
    assert_eq!((x.dims(), y.dims(), coef.dims()), ([60, 8], [60], [8]));
    let (x, y, coef) = (x.to_vec(), y.to_vec(), coef.to_vec());
    assert_eq!(coef.iter().filter(|&&c| c != 0.0).count(), 3);
    assert!(coef.iter().all(|c| (0.0..100.0).contains(c)));
    for (row, target) in rows(&x, 8).iter().zip(&y) {
        let dot: f64 = row.iter().zip(&coef).map(|(a, b)| a * b).sum();
        assert!((dot + 4.5 - target).abs() < 1e-9);
    }
    // Unshuffled, the informative features come first; shuffled, they move with the columns.
    let (_, _, unshuffled) = opts.clone().shuffle(false).generate(21).unwrap();
    let unshuffled = unshuffled.to_vec();
    assert!(unshuffled[..3].iter().all(|&c| c != 0.0));
    assert!(unshuffled[3..].iter().all(|&c| c == 0.0));
    assert_ne!(unshuffled, coef);
}

#[test]
fn regression_noise_and_many_targets() {
    let opts = Regression::new().n_samples(4000).n_features(4).noise(2.0);
    let (x, y, coef) = opts.generate(2).unwrap();
    let (x, y, coef) = (x.to_vec(), y.to_vec(), coef.to_vec());
    let residuals: Vec<f64> = rows(&x, 4)
        .iter()
        .zip(&y)
        .map(|(r, t)| t - r.iter().zip(&coef).map(|(a, b)| a * b).sum::<f64>())
        .collect();
    let std = (residuals.iter().map(|v| v * v).sum::<f64>() / 4000.0).sqrt();
    assert!((std - 2.0).abs() < 0.1, "{std}");

    let multi = Regression::new().n_samples(30).n_features(6).n_targets(3);
    assert_refused("make_regression", [&multi], |opts| opts.generate(0));
    let (x, y, coef) = multi.generate_multi(0).unwrap();
    assert_eq!(
        (x.dims(), y.dims(), coef.dims()),
        ([30, 6], [30, 3], [6, 3])
    );
    let (x, y, coef) = (x.to_vec(), y.to_vec(), coef.to_vec());
    for i in 0..30 {
        for k in 0..3 {
            let dot: f64 = (0..6).map(|j| x[i * 6 + j] * coef[j * 3 + k]).sum();
            assert!((dot - y[i * 3 + k]).abs() < 1e-9);
        }
    }
    // One target through either method: the same numbers.
    let one = Regression::new().n_samples(10).n_features(3);
    let (_, y1, _) = one.generate(4).unwrap();
    let (_, y2, _) = one.generate_multi(4).unwrap();
    assert_eq!(y1.to_vec(), y2.to_vec());
}

/// Least-squares residual of `target` on the columns `basis` (normal equations, Gaussian
/// elimination): 0 when `target` is a linear combination of them.
fn residual(columns: &[Vec<f64>], target: &[f64]) -> f64 {
    let k = columns.len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for i in 0..k {
        for j in 0..k {
            a[i][j] = columns[i].iter().zip(&columns[j]).map(|(p, q)| p * q).sum();
        }
        a[i][k] = columns[i].iter().zip(target).map(|(p, q)| p * q).sum();
    }
    for c in 0..k {
        let pivot = (c..k)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, pivot);
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let factor = row[c] / pivot_row[c];
                for (v, p) in row.iter_mut().zip(&pivot_row).skip(c) {
                    *v -= factor * p;
                }
            }
        }
    }
    let coef: Vec<f64> = (0..k).map(|i| a[i][k] / a[i][i]).collect();
    target
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let fit: f64 = (0..k).map(|j| coef[j] * columns[j][i]).sum();
            (t - fit).abs()
        })
        .fold(0.0, f64::max)
}

fn column(x: &[f64], width: usize, j: usize) -> Vec<f64> {
    x.chunks(width).map(|r| r[j]).collect()
}

#[test]
fn classification_features_are_informative_redundant_repeated_random() {
    let opts = Classification::new()
        .n_samples(300)
        .n_features(12)
        .n_informative(3)
        .n_redundant(3)
        .n_repeated(2)
        .shuffle(false);
    let (x, y, info) = opts.generate_with_feature_info(8).unwrap();
    assert_eq!((x.dims(), y.dims()), ([300, 12], [300]));
    use FeatureKind::*;
    let kinds = [Informative; 3]
        .into_iter()
        .chain([Redundant; 3])
        .chain([Repeated; 2])
        .chain([Random; 4]);
    assert!(info.iter().copied().eq(kinds));
    let x = x.to_vec();
    let informative: Vec<Vec<f64>> = (0..3).map(|j| column(&x, 12, j)).collect();
    for j in 3..6 {
        assert!(
            residual(&informative, &column(&x, 12, j)) < 1e-9,
            "column {j}"
        );
    }
    // Noise columns are not combinations of the informative ones.
    assert!(residual(&informative, &column(&x, 12, 9)) > 0.1);
    for j in 6..8 {
        let copy = column(&x, 12, j);
        assert!((0..6).any(|s| column(&x, 12, s) == copy), "column {j}");
    }

    // Shuffled, the kinds are permuted with the columns and still describe them.
    let (x, _, info) = opts
        .clone()
        .shuffle(true)
        .generate_with_feature_info(8)
        .unwrap();
    let x = x.to_vec();
    let of = |k: FeatureKind| -> Vec<usize> { (0..12).filter(|&j| info[j] == k).collect() };
    assert_eq!(
        [
            of(Informative).len(),
            of(Redundant).len(),
            of(Repeated).len(),
            of(Random).len()
        ],
        [3, 3, 2, 4]
    );
    assert_ne!(of(Informative), [0, 1, 2]);
    let informative: Vec<Vec<f64>> = of(Informative).iter().map(|&j| column(&x, 12, j)).collect();
    for j in of(Redundant) {
        assert!(
            residual(&informative, &column(&x, 12, j)) < 1e-9,
            "column {j}"
        );
    }
}

#[test]
fn classification_class_counts_follow_the_weights() {
    // No label noise: counts are exactly scikit-learn's split, n * w / clusters per class
    // rounded down, the rest round-robin over the clusters (scikit-learn 1.9.1 gives
    // [501, 301, 198] too: the last weight, 1 - 0.8, is a hair under 0.2).
    let opts = Classification::new()
        .n_samples(1000)
        .n_classes(3)
        .n_informative(3)
        .weights(vec![0.5, 0.3])
        .flip_y(0.0);
    let (_, y) = make_classification(&opts, 4).unwrap();
    assert_eq!(counts(&y.to_vec(), 3), [501, 301, 198]);

    let (_, y) = Classification::new()
        .n_samples(101)
        .flip_y(0.0)
        .generate(4)
        .unwrap();
    assert_eq!(counts(&y.to_vec(), 2), [51, 50]);

    // flip_y = 1 redraws every label uniformly: about even even with skewed weights.
    let (_, y) = Classification::new()
        .n_samples(2000)
        .weights(vec![0.9])
        .flip_y(1.0)
        .generate(4)
        .unwrap();
    let c = counts(&y.to_vec(), 2);
    assert!((c[0] as f64 / 2000.0 - 0.5).abs() < 0.05, "{c:?}");
}

#[test]
fn classification_separates_classes_by_class_sep() {
    // One cluster per class, far apart, no shuffle, no noise: the informative features'
    // class means sit near distinct hypercube vertices (+-class_sep per coordinate) moved by
    // the cluster's random covariance, which has |entries| < 1 per input.
    let opts = Classification::new()
        .n_samples(400)
        .n_features(2)
        .n_informative(2)
        .n_redundant(0)
        .n_clusters_per_class(1)
        .class_sep(20.0)
        .flip_y(0.0)
        .shuffle(false);
    let (x, y) = opts.generate(13).unwrap();
    let (x, y) = (x.to_vec(), y.to_vec());
    let mean = |k: usize, d: usize| {
        let v: Vec<f64> = rows(&x, 2)
            .iter()
            .zip(&y)
            .filter(|(_, &t)| t == k)
            .map(|(r, _)| r[d])
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let m0 = [mean(0, 0), mean(0, 1)];
    let m1 = [mean(1, 0), mean(1, 1)];
    for m in [m0, m1] {
        assert!(m.iter().all(|v| (v.abs() - 20.0).abs() < 1.0), "{m:?}");
    }
    assert_ne!(m0.map(f64::signum), m1.map(f64::signum));

    // Shift and scale apply per feature.
    let shifted = opts.clone().shift(vec![100.0, -100.0]).scale(2.0);
    let (xs, _) = shifted.generate(13).unwrap();
    for (i, (s, o)) in xs.to_vec().iter().zip(&x).enumerate() {
        let shift = if i % 2 == 0 { 100.0 } else { -100.0 };
        assert!((s - (o + shift) * 2.0).abs() < 1e-9);
    }
    // Random shift and scale draw one value per feature, scale in [1, 101).
    let (xr, _) = opts
        .clone()
        .random_shift()
        .random_scale()
        .generate(13)
        .unwrap();
    assert_ne!(xr.to_vec(), x);
}

#[test]
fn classification_refuses_impossible_problems() {
    let bad = [
        Classification::new().n_features(3),
        Classification::new()
            .n_classes(3)
            .n_informative(1)
            .n_redundant(0),
        Classification::new().n_classes(3).weights(vec![0.5]),
        Classification::new().weights(vec![0.9, 0.9]),
        Classification::new().weights(vec![-0.5]),
        Classification::new().flip_y(1.5),
        Classification::new().class_sep(0.0),
        Classification::new().scale(vec![1.0; 3]),
        Classification::new().scale(0.0),
        Classification::new().n_samples(0),
    ];
    assert_refused("make_classification", bad, |opts| opts.generate(0));
    // The largest problem the hypercube allows: 2 classes x 2 clusters in 2 dimensions.
    assert!(Classification::new().n_features(4).generate(0).is_ok());
    // Many informative dimensions (past 30 the leading ones are random bits).
    let (x, _) = Classification::new()
        .n_features(40)
        .n_informative(35)
        .n_redundant(0)
        .n_classes(5)
        .generate(0)
        .unwrap();
    assert_eq!(x.dims(), [100, 40]);
}

#[test]
fn a_seed_fixes_every_generator() {
    fn check<T: PartialEq + std::fmt::Debug>(gen: impl Fn(u64) -> T) {
        assert_eq!(gen(1), gen(1));
        assert_ne!(gen(1), gen(2));
    }
    check(|s| {
        let (x, y) = Blobs::new().generate(s).unwrap();
        (x.to_vec(), y.to_vec())
    });
    check(|s| Moons::new().noise(0.05).generate(s).unwrap().0.to_vec());
    check(|s| Circles::new().generate(s).unwrap().1.to_vec());
    check(|s| Regression::new().generate(s).unwrap().1.to_vec());
    check(|s| {
        let (x, y) = Classification::new().generate(s).unwrap();
        (x.to_vec(), y.to_vec())
    });
    // Samples converts from what scikit-learn accepts for n_samples.
    assert_eq!(Samples::from(5), Samples::Total(5));
    assert_eq!(Samples::from((2, 3)), Samples::PerGroup(vec![2, 3]));
}
