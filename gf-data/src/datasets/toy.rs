//! scikit-learn's "toy" datasets, embedded in the binary: iris, wine, breast cancer, digits and
//! diabetes. The files are scikit-learn's own (see `gf-data/data/README.md` for origins,
//! licences and citations), parsed the way scikit-learn's loaders parse them, so the numbers are
//! the ones a scikit-learn user knows.

use std::fmt;
use std::io::Read;

use gf_core::ops::create::TensorCreate;
use gf_core::shape::Const;
use gf_core::{Cpu, Tensor, Unit};

use crate::dataset::{Rows, TensorDataset};
use crate::error::{Error, Result};

const IRIS_CSV: &str = include_str!("../../data/iris.csv");
const WINE_CSV: &str = include_str!("../../data/wine_data.csv");
const BREAST_CANCER_CSV: &str = include_str!("../../data/breast_cancer.csv");
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");
const DIABETES_DATA_GZ: &[u8] = include_bytes!("../../data/diabetes_data_raw.csv.gz");
const DIABETES_TARGET_GZ: &[u8] = include_bytes!("../../data/diabetes_target.csv.gz");

const IRIS_DESCR: &str = include_str!("../../data/descr/iris.rst");
const WINE_DESCR: &str = include_str!("../../data/descr/wine_data.rst");
const BREAST_CANCER_DESCR: &str = include_str!("../../data/descr/breast_cancer.rst");
const DIGITS_DESCR: &str = include_str!("../../data/descr/digits.rst");
const DIABETES_DESCR: &str = include_str!("../../data/descr/diabetes.rst");

/// Samples in rows, features in columns.
type Features = Tensor<(usize, usize), f64, Cpu>;

/// A loaded dataset, like scikit-learn's `Bunch`: the feature matrix, the targets, and what the
/// columns and classes are called. `T` is `usize` for classification (class indices) and `f64`
/// for regression.
///
/// ```
/// use gf_data::datasets::load_iris;
/// let iris = load_iris().unwrap();
/// assert_eq!((iris.n_samples(), iris.n_features()), (150, 4));
/// assert_eq!(iris.target_names, ["setosa", "versicolor", "virginica"]);
/// // The same data with the feature count in the type, for typed models:
/// let x = iris.data_as::<4>().unwrap(); // Tensor<(usize, Const<4>), f64, Cpu>
/// assert_eq!(x.dims(), [150, 4]);
/// ```
#[derive(Clone)]
pub struct Bunch<T: Unit> {
    /// The samples, one per row: `(n_samples, n_features)`.
    pub data: Tensor<(usize, usize), f64, Cpu>,
    /// One target per sample: a class index into `target_names`, or a value for regression.
    pub target: Tensor<(usize,), T, Cpu>,
    /// The name of each column of `data`.
    pub feature_names: Vec<String>,
    /// The name of each class; empty for regression.
    pub target_names: Vec<String>,
    /// scikit-learn's description of the dataset (reStructuredText), with its source and
    /// references.
    pub descr: &'static str,
}

impl<T: Unit> Bunch<T> {
    /// The number of samples (rows of `data`).
    pub fn n_samples(&self) -> usize {
        self.data.dims()[0]
    }

    /// The number of features (columns of `data`).
    pub fn n_features(&self) -> usize {
        self.data.dims()[1]
    }

    /// `data` with the feature count `N` in its type, so that it fits layers whose input width
    /// is known when compiling; `Err` when the dataset does not have `N` features.
    pub fn data_as<const N: usize>(&self) -> Result<Tensor<(usize, Const<N>), f64, Cpu>> {
        Ok(self.data.clone().try_into_shape()?)
    }

    /// `data` as images of `H` x `W` pixels, `(n_samples, H, W)`, as scikit-learn's
    /// `digits.images` (`bunch.images::<8, 8>()`); `Err` unless `H * W == n_features`.
    pub fn images<const H: usize, const W: usize>(
        &self,
    ) -> Result<Tensor<(usize, Const<H>, Const<W>), f64, Cpu>> {
        if H * W != self.n_features() {
            return Err(Error::argument(
                "Bunch::images",
                format!(
                    "{H}x{W} images need {} features, the dataset has {}",
                    H * W,
                    self.n_features()
                ),
            ));
        }
        Ok(Cpu::default().try_tensor_from_vec(
            self.data.to_vec(),
            (self.n_samples(), Const::<H>, Const::<W>),
        )?)
    }

    /// `(data, target)`, what scikit-learn returns with `return_X_y=True`.
    pub fn into_xy(self) -> (Features, Tensor<(usize,), T, Cpu>) {
        (self.data, self.target)
    }

    /// A dataset whose sample `i` is `(row i of data, target i)`, ready for a
    /// [`DataLoader`](crate::DataLoader).
    pub fn to_dataset(&self) -> Result<BunchDataset<T>> {
        TensorDataset::new((Rows::new(&self.data)?, Rows::new(&self.target)?))
    }
}

/// The [`TensorDataset`] of a [`Bunch`]: samples are `(features, target)` pairs of tensors.
pub type BunchDataset<T> = TensorDataset<(Rows<(usize, usize), f64>, Rows<(usize,), T>)>;

impl<T: Unit> fmt::Debug for Bunch<T> {
    // The data itself would be thousands of numbers; the shape and names say what it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bunch")
            .field("data", &self.data.dims())
            .field("target", &self.target.dims())
            .field("feature_names", &self.feature_names)
            .field("target_names", &self.target_names)
            .finish_non_exhaustive()
    }
}

/// The iris dataset: 150 flowers, 4 measurements (cm), 3 species of 50 each.
///
/// ```
/// let iris = gf_data::datasets::load_iris().unwrap();
/// assert_eq!(iris.feature_names[0], "sepal length (cm)");
/// assert_eq!(iris.target.to_vec()[100], 2); // virginica
/// ```
pub fn load_iris() -> Result<Bunch<usize>> {
    let names = [
        "sepal length (cm)",
        "sepal width (cm)",
        "petal length (cm)",
        "petal width (cm)",
    ];
    load_csv_bunch("iris.csv", IRIS_CSV, &names, IRIS_DESCR)
}

/// The wine dataset: 178 wines, 13 chemical measurements, 3 cultivars (59, 71, 48).
pub fn load_wine() -> Result<Bunch<usize>> {
    let names = [
        "alcohol",
        "malic_acid",
        "ash",
        "alcalinity_of_ash",
        "magnesium",
        "total_phenols",
        "flavanoids",
        "nonflavanoid_phenols",
        "proanthocyanins",
        "color_intensity",
        "hue",
        "od280/od315_of_diluted_wines",
        "proline",
    ];
    load_csv_bunch("wine_data.csv", WINE_CSV, &names, WINE_DESCR)
}

/// The Wisconsin diagnostic breast cancer dataset: 569 tumours, 30 features, 2 classes
/// (`malignant` = 0: 212, `benign` = 1: 357).
pub fn load_breast_cancer() -> Result<Bunch<usize>> {
    let mut names = Vec::with_capacity(30);
    for group in ["mean", "error", "worst"] {
        for feature in [
            "radius",
            "texture",
            "perimeter",
            "area",
            "smoothness",
            "compactness",
            "concavity",
            "concave points",
            "symmetry",
            "fractal dimension",
        ] {
            // scikit-learn's names: "mean radius", "radius error", "worst radius".
            names.push(match group {
                "error" => format!("{feature} error"),
                _ => format!("{group} {feature}"),
            });
        }
    }
    load_csv_bunch(
        "breast_cancer.csv",
        BREAST_CANCER_CSV,
        &names,
        BREAST_CANCER_DESCR,
    )
}

/// The digits dataset: 1797 handwritten digits as 8x8 images of gray levels 0..=16, flattened
/// to 64 features (`pixel_{row}_{col}`), 10 classes. [`Bunch::images`] gives the 8x8 view.
///
/// ```
/// let digits = gf_data::datasets::load_digits().unwrap();
/// assert_eq!((digits.n_samples(), digits.n_features()), (1797, 64));
/// let images = digits.images::<8, 8>().unwrap();
/// assert_eq!(images.dims(), [1797, 8, 8]);
/// ```
pub fn load_digits() -> Result<Bunch<usize>> {
    load_digits_n_class(10)
}

/// The digits of the classes `0..n_class` only, as scikit-learn's `load_digits(n_class=...)`;
/// `n_class` is between 1 and 10.
pub fn load_digits_n_class(n_class: usize) -> Result<Bunch<usize>> {
    const OP: &str = "load_digits";
    if !(1..=10).contains(&n_class) {
        return Err(Error::argument(
            OP,
            format!("n_class must be between 1 and 10, got {n_class}"),
        ));
    }
    let name = "digits.csv.gz";
    let text = gunzip(name, DIGITS_CSV_GZ)?;
    let rows = parse_table(name, &text, Separator::Comma, Some(65))?;
    let mut data = Vec::with_capacity(rows.len() * 64);
    let mut target = Vec::with_capacity(rows.len());
    for (line, row) in &rows {
        let label = class_index(name, *line, 65, row[64])?;
        if label < n_class {
            data.extend_from_slice(&row[..64]);
            target.push(label);
        }
    }
    let feature_names = (0..8)
        .flat_map(|r| (0..8).map(move |c| format!("pixel_{r}_{c}")))
        .collect();
    let target_names = (0..10).map(|d| d.to_string()).collect();
    bunch(data, target, 64, feature_names, target_names, DIGITS_DESCR)
}

/// The diabetes dataset: 442 patients, 10 baseline variables, a measure of disease progression
/// one year later as the (real) target. As scikit-learn's default (`scaled=True`), each feature
/// is centred and scaled by its standard deviation times `sqrt(n_samples)`, so that every
/// column has mean 0 and sum of squares 1; [`load_diabetes_raw`] gives the original values.
pub fn load_diabetes() -> Result<Bunch<f64>> {
    load_diabetes_scaled(true)
}

/// The diabetes dataset in its original units (scikit-learn's `load_diabetes(scaled=False)`):
/// age in years, sex as 1/2, body mass index, blood pressure and six blood serum measurements.
pub fn load_diabetes_raw() -> Result<Bunch<f64>> {
    load_diabetes_scaled(false)
}

fn load_diabetes_scaled(scaled: bool) -> Result<Bunch<f64>> {
    let name = "diabetes_data_raw.csv.gz";
    let text = gunzip(name, DIABETES_DATA_GZ)?;
    let rows = parse_table(name, &text, Separator::Whitespace, Some(10))?;
    let mut data: Vec<f64> = rows.iter().flat_map(|(_, r)| r.iter().copied()).collect();

    let target_name = "diabetes_target.csv.gz";
    let text = gunzip(target_name, DIABETES_TARGET_GZ)?;
    let target_rows = parse_table(target_name, &text, Separator::Whitespace, Some(1))?;
    if target_rows.len() != rows.len() {
        return Err(Error::format(
            target_name,
            format!("line {}", target_rows.len() + 1),
            format!(
                "{} targets for {} samples in {name}",
                target_rows.len(),
                rows.len()
            ),
        ));
    }
    let target = target_rows.iter().map(|(_, r)| r[0]).collect();
    if scaled {
        scale_columns(&mut data, 10);
    }
    let feature_names = [
        "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    bunch(data, target, 10, feature_names, Vec::new(), DIABETES_DESCR)
}

/// scikit-learn's `scale(data) / sqrt(n_samples)`: zero mean, unit (population) standard
/// deviation, then divided by `sqrt(n)`. A constant column is left centred (its scale is 1, as
/// scikit-learn's `_handle_zeros_in_scale` does).
fn scale_columns(data: &mut [f64], n_features: usize) {
    let n = data.len() / n_features;
    if n == 0 {
        return;
    }
    let root_n = (n as f64).sqrt();
    for j in 0..n_features {
        let mean = (0..n).map(|i| data[i * n_features + j]).sum::<f64>() / n as f64;
        let var = (0..n)
            .map(|i| (data[i * n_features + j] - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        let std = if var > 0.0 { var.sqrt() } else { 1.0 };
        for i in 0..n {
            let x = &mut data[i * n_features + j];
            *x = (*x - mean) / std / root_n;
        }
    }
}

/// Parses scikit-learn's CSV layout: a header `n_samples,n_features,class names...`, then one
/// row per sample, the features followed by the class index.
fn load_csv_bunch<N: AsRef<str>>(
    name: &str,
    text: &str,
    feature_names: &[N],
    descr: &'static str,
) -> Result<Bunch<usize>> {
    let mut lines = text.lines();
    let header = lines
        .next()
        .ok_or_else(|| Error::format(name, "line 1", "the file is empty"))?;
    let fields: Vec<&str> = header.split(',').map(str::trim).collect();
    let header_count = |col: usize| -> Result<usize> {
        let field = fields.get(col).copied().unwrap_or("");
        field.parse().map_err(|_| {
            Error::format(
                name,
                format!("line 1, column {}", col + 1),
                format!("expected a count in the header, found {field:?}"),
            )
        })
    };
    let n_samples = header_count(0)?;
    let n_features = header_count(1)?;
    let target_names: Vec<String> = fields[2..].iter().map(|s| s.to_string()).collect();
    if n_features != feature_names.len() {
        return Err(Error::format(
            name,
            "line 1, column 2",
            format!(
                "the header announces {n_features} features, the loader names {}",
                feature_names.len()
            ),
        ));
    }

    let rows = parse_table_lines(name, lines, 2, Separator::Comma, Some(n_features + 1))?;
    if rows.len() != n_samples {
        return Err(Error::format(
            name,
            format!("line {}", rows.len() + 2),
            format!(
                "the header announces {n_samples} samples, the file has {}",
                rows.len()
            ),
        ));
    }
    let mut data = Vec::with_capacity(n_samples * n_features);
    let mut target = Vec::with_capacity(n_samples);
    for (line, row) in &rows {
        data.extend_from_slice(&row[..n_features]);
        let label = class_index(name, *line, n_features + 1, row[n_features])?;
        if label >= target_names.len() {
            return Err(Error::format(
                name,
                format!("line {line}, column {}", n_features + 1),
                format!(
                    "class {label} is not one of the {} named in the header",
                    target_names.len()
                ),
            ));
        }
        target.push(label);
    }
    let feature_names = feature_names
        .iter()
        .map(|s| s.as_ref().to_string())
        .collect();
    bunch(data, target, n_features, feature_names, target_names, descr)
}

fn bunch<T: Unit>(
    data: Vec<f64>,
    target: Vec<T>,
    n_features: usize,
    feature_names: Vec<String>,
    target_names: Vec<String>,
    descr: &'static str,
) -> Result<Bunch<T>> {
    let dev = Cpu::default();
    let n = target.len();
    Ok(Bunch {
        data: dev.try_tensor_from_vec(data, (n, n_features))?,
        target: dev.try_tensor_from_vec(target, (n,))?,
        feature_names,
        target_names,
        descr,
    })
}

/// A class label written as a number (`"2"` or `"2.0"`), as a class index.
fn class_index(name: &str, line: usize, column: usize, value: f64) -> Result<usize> {
    if value >= 0.0 && value.fract() == 0.0 && value < u32::MAX as f64 {
        Ok(value as usize)
    } else {
        Err(Error::format(
            name,
            format!("line {line}, column {column}"),
            format!("expected a class index, found {value}"),
        ))
    }
}

fn gunzip(name: &str, bytes: &[u8]) -> Result<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| Error::format(name, "gzip stream", format!("cannot decompress: {e}")))?;
    Ok(text)
}

#[derive(Clone, Copy)]
enum Separator {
    Comma,
    Whitespace,
}

/// Parses every non-empty line of `text` into numbers; see [`parse_table_lines`].
fn parse_table(
    name: &str,
    text: &str,
    sep: Separator,
    width: Option<usize>,
) -> Result<Vec<(usize, Vec<f64>)>> {
    parse_table_lines(name, text.lines(), 1, sep, width)
}

/// Parses lines of numbers (the first is line `first_line`), skipping blank ones. Each row is
/// returned with its line number; a row of the wrong `width` or a field that is not a number is
/// an `Err` naming its line and column.
fn parse_table_lines<'a>(
    name: &str,
    lines: impl Iterator<Item = &'a str>,
    first_line: usize,
    sep: Separator,
    width: Option<usize>,
) -> Result<Vec<(usize, Vec<f64>)>> {
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let line_no = first_line + i;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = match sep {
            Separator::Comma => line.split(',').map(str::trim).collect(),
            Separator::Whitespace => line.split_whitespace().collect(),
        };
        if let Some(w) = width {
            if fields.len() != w {
                return Err(Error::format(
                    name,
                    format!("line {line_no}"),
                    format!("expected {w} fields, found {}", fields.len()),
                ));
            }
        }
        let row = fields
            .iter()
            .enumerate()
            .map(|(col, field)| {
                field.parse::<f64>().map_err(|_| {
                    Error::format(
                        name,
                        format!("line {line_no}, column {}", col + 1),
                        format!("expected a number, found {field:?}"),
                    )
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push((line_no, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_csv_errors_name_the_line_and_column() {
        let names = ["a", "b"];
        let text = "2,2,x,y\n1,2,0\n3,oops,1\n";
        let e = load_csv_bunch("t.csv", text, &names, "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 3, column 2: expected a number, found \"oops\""
        );

        let e = load_csv_bunch("t.csv", "2,2,x,y\n1,2,0\n", &names, "").unwrap_err();
        assert!(e.to_string().contains("announces 2 samples"), "{e}");

        let e = load_csv_bunch("t.csv", "2,2,x,y\n1,2,0\n1,2\n", &names, "").unwrap_err();
        assert_eq!(e.to_string(), "t.csv: line 3: expected 3 fields, found 2");

        let e = load_csv_bunch("t.csv", "1,2,x,y\n1,2,5\n", &names, "").unwrap_err();
        assert!(e.to_string().contains("class 5 is not one of the 2"), "{e}");

        let e = load_csv_bunch("t.csv", "", &names, "").unwrap_err();
        assert_eq!(e.to_string(), "t.csv: line 1: the file is empty");
    }

    #[test]
    fn a_good_csv_parses_with_blank_lines_skipped() {
        let b = load_csv_bunch("t.csv", "2,2,x,y\n1,2,0\n\n3,4,1\n", &["a", "b"], "").unwrap();
        assert_eq!(b.data.to_vec(), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(b.target.to_vec(), [0, 1]);
        assert_eq!(b.target_names, ["x", "y"]);
    }

    #[test]
    fn corrupt_gzip_is_a_format_error() {
        let e = gunzip("x.gz", b"not gzip at all").unwrap_err();
        assert!(matches!(e, Error::Format { .. }), "{e}");
        assert!(e.to_string().starts_with("x.gz: gzip stream: "), "{e}");
    }

    #[test]
    fn scaling_gives_zero_mean_and_unit_sum_of_squares() {
        // Two columns, the second constant: it is centred and not divided by zero.
        let mut data = vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 6.0, 5.0];
        scale_columns(&mut data, 2);
        let col = |j: usize| (0..4).map(|i| data[i * 2 + j]).collect::<Vec<_>>();
        let c0 = col(0);
        assert!(c0.iter().sum::<f64>().abs() < 1e-12);
        assert!((c0.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(col(1), [0.0; 4]);
    }

    #[test]
    fn digits_n_class_is_checked_and_filters() {
        assert!(matches!(
            load_digits_n_class(0),
            Err(Error::Argument { .. })
        ));
        assert!(load_digits_n_class(11).is_err());
        let two = load_digits_n_class(2).unwrap();
        assert!(two.target.to_vec().iter().all(|&t| t < 2));
        assert_eq!(two.n_samples(), 178 + 182);
    }

    #[test]
    fn images_need_a_matching_size() {
        let iris = load_iris().unwrap();
        assert!(iris.images::<2, 2>().is_ok());
        assert!(matches!(iris.images::<3, 3>(), Err(Error::Argument { .. })));
        assert!(iris.data_as::<5>().is_err());
    }
}
