//! CSV files as typed columns, like `pandas.read_csv`: a header, numeric or text columns
//! (inferred or forced), a policy for missing values, and a conversion of chosen columns to a
//! `(rows, columns)` tensor.
//!
//! ```
//! use gf_data::formats::csv::{read_csv_from_reader, Column, CsvOptions, Missing};
//!
//! let text = "sepal,petal,species\n5.1,1.4,setosa\n4.9,,setosa\n6.3,4.9,virginica\n";
//! let options = CsvOptions::default().missing(Missing::Nan);
//! let table = read_csv_from_reader(text.as_bytes(), "iris.csv", &options).unwrap();
//! assert_eq!(table.names(), ["sepal", "petal", "species"]);
//! assert!(matches!(table.column("species"), Some(Column::Text(_))));
//! let x = table.to_tensor::<f32>(&["sepal", "petal"]).unwrap();
//! assert_eq!(x.dims(), [3, 2]);
//! assert!(x.to_vec()[3].is_nan());
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use gf_core::ops::create::TensorCreate;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};

/// What to do with a missing cell (one whose trimmed text is in
/// [`CsvOptions::missing_values`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Missing {
    /// A missing cell is an `Err` naming its line and column (the default: no silent NaNs).
    #[default]
    Error,
    /// Numeric columns get NaN, text columns the empty string.
    Nan,
    /// Numeric columns get this value, text columns the empty string.
    Fill(f64),
    /// Rows with a missing cell in any column are dropped, like pandas' `dropna()`.
    DropRow,
}

/// How a column's cells are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColumnType {
    /// Numeric if every present cell parses as a number, else text (the default).
    #[default]
    Auto,
    /// Every present cell must parse as a number; one that does not is an `Err`.
    Numeric,
    /// Cells are kept as text, even if they look like numbers (zip codes, ids).
    Text,
}

/// How [`read_csv`] reads a file. Build it from the default:
/// `CsvOptions::default().delimiter(b';').missing(Missing::Nan)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// Whether the first row holds the column names (default `true`). Without a header the
    /// columns are named `"0"`, `"1"`, ... as pandas does with `header=None`.
    pub has_header: bool,
    /// The byte between fields (default `b','`).
    pub delimiter: u8,
    /// What to do with missing cells (default [`Missing::Error`]).
    pub missing: Missing,
    /// The texts that mean "missing" after trimming spaces (default `""`, `"NA"`, `"NaN"`,
    /// `"nan"`, `"null"`).
    pub missing_values: Vec<String>,
    /// Forced column types by column name; unnamed columns are [`ColumnType::Auto`].
    pub column_types: BTreeMap<String, ColumnType>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            has_header: true,
            delimiter: b',',
            missing: Missing::Error,
            missing_values: ["", "NA", "NaN", "nan", "null"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            column_types: BTreeMap::new(),
        }
    }
}

impl CsvOptions {
    /// Sets whether the first row holds the column names.
    pub fn has_header(mut self, has_header: bool) -> Self {
        self.has_header = has_header;
        self
    }

    /// Sets the byte between fields (`b'\t'` for TSV).
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Sets the missing-value policy.
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Replaces the texts that count as missing.
    pub fn missing_values<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.missing_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Forces the type of the column named `name`.
    pub fn column_type(mut self, name: impl Into<String>, column_type: ColumnType) -> Self {
        self.column_types.insert(name.into(), column_type);
        self
    }
}

/// One column of a [`CsvTable`].
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Numbers; missing cells are NaN or the fill value, as [`Missing`] says.
    Numeric(Vec<f64>),
    /// Text, for categories and ids.
    Text(Vec<String>),
}

impl Column {
    /// The number of cells.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The numbers, if the column is numeric.
    pub fn as_numeric(&self) -> Option<&[f64]> {
        match self {
            Column::Numeric(v) => Some(v),
            Column::Text(_) => None,
        }
    }

    /// The texts, if the column is text.
    pub fn as_text(&self) -> Option<&[String]> {
        match self {
            Column::Numeric(_) => None,
            Column::Text(v) => Some(v),
        }
    }
}

/// A CSV file read into named, typed columns of equal length.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvTable {
    names: Vec<String>,
    columns: Vec<Column>,
    rows: usize,
}

impl CsvTable {
    /// The column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column named `name` (the first one, if names repeat).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.columns[i])
    }

    /// The number of rows (not counting the header or dropped rows).
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    pub fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// The named numeric columns side by side as a `(rows, columns.len())` tensor; `Err` if a
    /// name is unknown or names a text column.
    pub fn to_tensor<E: Dtype>(&self, columns: &[&str]) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let mut picked = Vec::with_capacity(columns.len());
        for &name in columns {
            match self.column(name) {
                Some(Column::Numeric(values)) => picked.push(values),
                Some(Column::Text(_)) => {
                    return Err(Error::argument(
                        "CsvTable::to_tensor",
                        format!("column {name:?} is text, not numeric"),
                    ))
                }
                None => {
                    return Err(Error::argument(
                        "CsvTable::to_tensor",
                        format!("no column {name:?}; the columns are {:?}", self.names),
                    ))
                }
            }
        }
        let mut data = Vec::with_capacity(self.rows * picked.len());
        for row in 0..self.rows {
            data.extend(picked.iter().map(|col| E::from_f64(col[row])));
        }
        Ok(Cpu::default().try_tensor_from_vec(data, (self.rows, picked.len()))?)
    }
}

/// Reads the CSV file at `path`.
pub fn read_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<CsvTable> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_csv_from_reader(std::io::BufReader::new(file), path, options)
}

/// Reads CSV text from `reader`; `source` names it in errors (a path, or `"<bytes>"`).
pub fn read_csv_from_reader<R: Read>(
    reader: R,
    source: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<CsvTable> {
    let source = source.as_ref();
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .from_reader(reader);

    // Every record with the line it starts on.
    let mut records: Vec<(u64, Vec<String>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(source, e))?;
        let line = record.position().map_or(0, |p| p.line());
        records.push((line, record.iter().map(str::to_string).collect()));
    }

    let mut rows = records.into_iter();
    let names: Vec<String> = if options.has_header {
        match rows.next() {
            Some((_, header)) => header,
            None => {
                return Err(Error::format(
                    source,
                    "line 1",
                    "the file is empty, but a header row was expected",
                ))
            }
        }
    } else {
        Vec::new()
    };
    let mut rows: Vec<(u64, Vec<String>)> = rows.collect();
    let names = if options.has_header {
        names
    } else {
        let width = rows.first().map_or(0, |(_, r)| r.len());
        (0..width).map(|i| i.to_string()).collect()
    };
    let width = names.len();

    for (line, row) in &rows {
        if row.len() != width {
            return Err(Error::format(
                source,
                format!("line {line}"),
                format!(
                    "the row has {} fields, but the {} has {width}",
                    row.len(),
                    if options.has_header {
                        "header"
                    } else {
                        "first row"
                    }
                ),
            ));
        }
    }
    for name in options.column_types.keys() {
        if !names.contains(name) {
            return Err(Error::argument(
                "read_csv",
                format!("a column type is given for {name:?}, but the columns are {names:?}"),
            ));
        }
    }

    let is_missing = |cell: &str| options.missing_values.iter().any(|m| m == cell.trim());
    let position =
        |line: u64, col: usize| format!("line {line}, column {} ({:?})", col + 1, names[col]);
    match options.missing {
        Missing::Error => {
            for (line, row) in &rows {
                if let Some(col) = row.iter().position(|c| is_missing(c)) {
                    return Err(Error::format(
                        source,
                        position(*line, col),
                        format!(
                            "missing value {:?} (choose a Missing policy other than Error to accept it)",
                            row[col]
                        ),
                    ));
                }
            }
        }
        Missing::DropRow => rows.retain(|(_, row)| !row.iter().any(|c| is_missing(c))),
        Missing::Nan | Missing::Fill(_) => {}
    }
    let fill = match options.missing {
        Missing::Fill(v) => v,
        _ => f64::NAN,
    };

    let mut columns = Vec::with_capacity(width);
    for (col, name) in names.iter().enumerate() {
        let kind = options.column_types.get(name).copied().unwrap_or_default();
        let numeric = match kind {
            ColumnType::Numeric => true,
            ColumnType::Text => false,
            ColumnType::Auto => rows.iter().all(|(_, row)| {
                let cell = &row[col];
                is_missing(cell) || parse_number(cell).is_some()
            }),
        };
        let column = if numeric {
            let mut values = Vec::with_capacity(rows.len());
            for (line, row) in &rows {
                let cell = &row[col];
                if is_missing(cell) {
                    values.push(fill);
                } else {
                    match parse_number(cell) {
                        Some(v) => values.push(v),
                        None => {
                            return Err(Error::format(
                                source,
                                position(*line, col),
                                format!("{cell:?} is not a number, but the column is numeric"),
                            ))
                        }
                    }
                }
            }
            Column::Numeric(values)
        } else {
            Column::Text(
                rows.iter()
                    .map(|(_, row)| {
                        if is_missing(&row[col]) {
                            String::new()
                        } else {
                            row[col].clone()
                        }
                    })
                    .collect(),
            )
        };
        columns.push(column);
    }
    Ok(CsvTable {
        names,
        columns,
        rows: rows.len(),
    })
}

fn parse_number(cell: &str) -> Option<f64> {
    cell.trim().parse::<f64>().ok()
}

fn csv_error(source: &Path, e: ::csv::Error) -> Error {
    let position = match e.position() {
        Some(p) => format!("line {}", p.line()),
        None => "unknown position".to_string(),
    };
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => Error::io(source, io),
        ::csv::ErrorKind::Utf8 { err, .. } => Error::format(
            source,
            position,
            format!("field {} is not valid UTF-8", err.field() + 1),
        ),
        other => Error::format(source, position, format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &CsvOptions) -> Result<CsvTable> {
        read_csv_from_reader(text.as_bytes(), "t.csv", options)
    }

    #[test]
    fn infers_numeric_and_text_columns() {
        let t = read("a,b,c\n1,x,2.5\n-3,y,1e3\n", &CsvOptions::default()).unwrap();
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.column("a"), Some(&Column::Numeric(vec![1.0, -3.0])));
        assert_eq!(
            t.column("b").and_then(Column::as_text),
            Some(&["x".to_string(), "y".to_string()][..])
        );
        assert_eq!(
            t.column("c").and_then(Column::as_numeric),
            Some(&[2.5, 1000.0][..])
        );
        let x = t.to_tensor::<f64>(&["c", "a"]).unwrap();
        assert_eq!(x.to_vec(), [2.5, 1.0, 1000.0, -3.0]);
        assert!(t.to_tensor::<f32>(&["b"]).is_err());
        assert!(t.to_tensor::<f32>(&["nope"]).is_err());
    }

    #[test]
    fn missing_policies() {
        let text = "a,b\n1,p\nNA,q\n3,\n";
        let err = read(text, &CsvOptions::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "t.csv: line 3, column 1 (\"a\"): missing value \"NA\" (choose a Missing policy other than Error to accept it)"
        );
        let nan = read(text, &CsvOptions::default().missing(Missing::Nan)).unwrap();
        let a = nan.column("a").and_then(Column::as_numeric).unwrap();
        assert!(a[1].is_nan() && a[0] == 1.0 && a[2] == 3.0);
        assert_eq!(nan.column("b").and_then(Column::as_text).unwrap()[2], "");
        let fill = read(text, &CsvOptions::default().missing(Missing::Fill(-1.0))).unwrap();
        assert_eq!(
            fill.column("a"),
            Some(&Column::Numeric(vec![1.0, -1.0, 3.0]))
        );
        let dropped = read(text, &CsvOptions::default().missing(Missing::DropRow)).unwrap();
        assert_eq!(dropped.n_rows(), 1);
        assert_eq!(dropped.column("a"), Some(&Column::Numeric(vec![1.0])));
        let custom = CsvOptions::default()
            .missing_values(["?"])
            .missing(Missing::Nan);
        let t = read("a\n?\nNA\n", &custom.column_type("a", ColumnType::Auto)).unwrap();
        assert!(matches!(t.column("a"), Some(Column::Text(_))));
    }

    #[test]
    fn forced_types_and_their_errors() {
        let text = "zip,v\n01234,1\n99999,x\n";
        let opts = CsvOptions::default().column_type("zip", ColumnType::Text);
        let t = read(text, &opts).unwrap();
        assert_eq!(
            t.column("zip").and_then(Column::as_text).unwrap()[0],
            "01234"
        );
        let forced = opts.column_type("v", ColumnType::Numeric);
        let err = read(text, &forced).unwrap_err().to_string();
        assert_eq!(
            err,
            "t.csv: line 3, column 2 (\"v\"): \"x\" is not a number, but the column is numeric"
        );
        let unknown = CsvOptions::default().column_type("w", ColumnType::Numeric);
        assert!(matches!(read(text, &unknown), Err(Error::Argument { .. })));
    }

    #[test]
    fn ragged_rows_name_the_line() {
        let err = read("a,b\n1,2\n3\n", &CsvOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Format { .. }));
        assert_eq!(
            err.to_string(),
            "t.csv: line 3: the row has 1 fields, but the header has 2"
        );
        // Quoted newlines: the line is where the record starts.
        let err = read("a,b\n\"x\ny\",2\n3,4,5\n", &CsvOptions::default()).unwrap_err();
        assert!(err.to_string().starts_with("t.csv: line 4:"), "{err}");
    }

    #[test]
    fn headerless_tab_separated() {
        let opts = CsvOptions::default().has_header(false).delimiter(b'\t');
        let t = read("1\t2\n3\t4\n", &opts).unwrap();
        assert_eq!(t.names(), ["0", "1"]);
        assert_eq!(t.to_tensor::<f32>(&["1"]).unwrap().to_vec(), [2.0, 4.0]);
        assert!(read("", &CsvOptions::default()).is_err());
        assert_eq!(read("", &opts).unwrap().n_rows(), 0);
    }
}
