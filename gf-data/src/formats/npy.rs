//! NumPy's `.npy` and `.npz` files: what `np.save`, `np.savez` and `np.savez_compressed` write.
//!
//! Reading accepts format versions 1.0, 2.0 and 3.0, little- and big-endian data, C and Fortran
//! order, and the dtypes `f2`, `f4`, `f8`, `i1`..`i8`, `u1`..`u8` and `b1`; the array comes back
//! in C (row-major) order, native endianness. Writing produces version 1.0 (2.0 for huge headers),
//! little-endian, C order, which every NumPy reads.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_data::formats::npy::{write_npy, read_npy, NpyData};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("x.npy");
//! let x: Tensor<(usize, usize), f32, Cpu> =
//!     Cpu::default().tensor_from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], (2, 3));
//! write_npy(&path, &x).unwrap();
//! let back = read_npy(&path).unwrap();
//! assert_eq!(back.dims, [2, 3]);
//! assert!(matches!(back.data, NpyData::F32(_)));
//! assert_eq!(back.to_tensor::<f64>().unwrap().to_vec(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
//! ```

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use gf_core::ops::create::TensorCreate;
use gf_core::shape::{DynShape, Shape};
use gf_core::{Cpu, Dtype, Tensor, Unit};

use super::half::f16_to_f32;
use crate::error::{Error, Result};

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The elements of an [`NpyArray`], in C order, one variant per NumPy dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyData {
    /// `bool` (`b1`).
    Bool(Vec<bool>),
    /// `int8` (`i1`).
    I8(Vec<i8>),
    /// `int16` (`i2`).
    I16(Vec<i16>),
    /// `int32` (`i4`).
    I32(Vec<i32>),
    /// `int64` (`i8`).
    I64(Vec<i64>),
    /// `uint8` (`u1`).
    U8(Vec<u8>),
    /// `uint16` (`u2`).
    U16(Vec<u16>),
    /// `uint32` (`u4`).
    U32(Vec<u32>),
    /// `uint64` (`u8`).
    U64(Vec<u64>),
    /// `float16` (`f2`), as the raw IEEE half-precision bits; [`NpyArray::to_tensor`] widens
    /// them exactly.
    F16(Vec<u16>),
    /// `float32` (`f4`).
    F32(Vec<f32>),
    /// `float64` (`f8`).
    F64(Vec<f64>),
}

/// Applies `$body` to the vector inside any [`NpyData`] variant.
macro_rules! each_variant {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            NpyData::Bool($v) => $body,
            NpyData::I8($v) => $body,
            NpyData::I16($v) => $body,
            NpyData::I32($v) => $body,
            NpyData::I64($v) => $body,
            NpyData::U8($v) => $body,
            NpyData::U16($v) => $body,
            NpyData::U32($v) => $body,
            NpyData::U64($v) => $body,
            NpyData::F16($v) => $body,
            NpyData::F32($v) => $body,
            NpyData::F64($v) => $body,
        }
    };
}

impl NpyData {
    /// The number of elements.
    pub fn len(&self) -> usize {
        each_variant!(self, v => v.len())
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// NumPy's name of the dtype: `"float32"`, `"int64"`, `"bool"`, ...
    pub fn dtype_name(&self) -> &'static str {
        match self {
            NpyData::Bool(_) => "bool",
            NpyData::I8(_) => "int8",
            NpyData::I16(_) => "int16",
            NpyData::I32(_) => "int32",
            NpyData::I64(_) => "int64",
            NpyData::U8(_) => "uint8",
            NpyData::U16(_) => "uint16",
            NpyData::U32(_) => "uint32",
            NpyData::U64(_) => "uint64",
            NpyData::F16(_) => "float16",
            NpyData::F32(_) => "float32",
            NpyData::F64(_) => "float64",
        }
    }

    /// The little-endian `descr` NumPy writes in the header: `"<f4"`, `"|b1"`, ...
    fn descr(&self) -> &'static str {
        match self {
            NpyData::Bool(_) => "|b1",
            NpyData::I8(_) => "|i1",
            NpyData::I16(_) => "<i2",
            NpyData::I32(_) => "<i4",
            NpyData::I64(_) => "<i8",
            NpyData::U8(_) => "|u1",
            NpyData::U16(_) => "<u2",
            NpyData::U32(_) => "<u4",
            NpyData::U64(_) => "<u8",
            NpyData::F16(_) => "<f2",
            NpyData::F32(_) => "<f4",
            NpyData::F64(_) => "<f8",
        }
    }

    fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            NpyData::Bool(v) => v.iter().map(|&b| u8::from(b)).collect(),
            NpyData::I8(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::I16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::U8(v) => v.clone(),
            NpyData::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::U32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::U64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::F16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            NpyData::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }
}

/// An n-dimensional array as stored in a `.npy` file: its dims and its elements in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// The shape (`[]` for a 0-d array, which holds one element).
    pub dims: Vec<usize>,
    /// The elements, row-major.
    pub data: NpyData,
}

/// Tensor element types that [`write_npy`] can store: `f32` as `float32`, `f64` as `float64`,
/// `bool` as `bool` and `usize` as `int64` (NumPy's index type).
pub trait NpyElement: Unit {
    /// The elements as NumPy data; `Err` if one does not fit the stored type.
    fn to_npy_data(data: Vec<Self>) -> Result<NpyData>;
}

impl NpyElement for f32 {
    fn to_npy_data(data: Vec<Self>) -> Result<NpyData> {
        Ok(NpyData::F32(data))
    }
}

impl NpyElement for f64 {
    fn to_npy_data(data: Vec<Self>) -> Result<NpyData> {
        Ok(NpyData::F64(data))
    }
}

impl NpyElement for bool {
    fn to_npy_data(data: Vec<Self>) -> Result<NpyData> {
        Ok(NpyData::Bool(data))
    }
}

impl NpyElement for usize {
    fn to_npy_data(data: Vec<Self>) -> Result<NpyData> {
        data.into_iter()
            .map(|x| {
                i64::try_from(x).map_err(|_| {
                    Error::argument("write_npy", format!("{x} does not fit NumPy's int64"))
                })
            })
            .collect::<Result<Vec<i64>>>()
            .map(NpyData::I64)
    }
}

impl NpyArray {
    /// An array of `dims` holding `data` in C order; `Err` unless the counts agree.
    pub fn new(dims: Vec<usize>, data: NpyData) -> Result<Self> {
        let count = element_count(&dims);
        if count != Some(data.len()) {
            return Err(Error::argument(
                "NpyArray::new",
                format!("dims {dims:?} do not hold {} elements", data.len()),
            ));
        }
        Ok(NpyArray { dims, data })
    }

    /// The elements and dims of `tensor`.
    pub fn from_tensor<S: Shape, E: NpyElement, T>(tensor: &Tensor<S, E, Cpu, T>) -> Result<Self> {
        Ok(NpyArray {
            dims: tensor.dims().as_ref().to_vec(),
            data: E::to_npy_data(tensor.to_vec())?,
        })
    }

    /// The array as a float tensor of any rank, converting the elements (`bool` gives 0 and 1;
    /// 64-bit integers above 2^53 round).
    pub fn to_tensor<E: Dtype>(&self) -> Result<Tensor<DynShape, E, Cpu>> {
        let data: Vec<E> = match &self.data {
            NpyData::Bool(v) => v
                .iter()
                .map(|&b| if b { E::one() } else { E::zero() })
                .collect(),
            NpyData::I8(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::I16(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::I32(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::I64(v) => v.iter().map(|&x| E::from_f64(x as f64)).collect(),
            NpyData::U8(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::U16(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::U32(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::U64(v) => v.iter().map(|&x| E::from_f64(x as f64)).collect(),
            NpyData::F16(v) => v
                .iter()
                .map(|&x| E::from_f64(f64::from(f16_to_f32(x))))
                .collect(),
            NpyData::F32(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            NpyData::F64(v) => v.iter().map(|&x| E::from_f64(x)).collect(),
        };
        Ok(Cpu::default().try_tensor_from_vec(data, DynShape(self.dims.clone()))?)
    }

    /// The array as a `usize` tensor, for labels and indices; `Err` for float arrays and
    /// negative values.
    pub fn to_usize_tensor(&self) -> Result<Tensor<DynShape, usize, Cpu>> {
        fn convert<T: Copy + std::fmt::Display>(
            v: &[T],
            f: impl Fn(T) -> Option<usize>,
        ) -> Result<Vec<usize>> {
            v.iter()
                .map(|&x| {
                    f(x).ok_or_else(|| {
                        Error::argument(
                            "NpyArray::to_usize_tensor",
                            format!("{x} is not a valid usize"),
                        )
                    })
                })
                .collect()
        }
        let data = match &self.data {
            NpyData::Bool(v) => v.iter().map(|&b| usize::from(b)).collect(),
            NpyData::I8(v) => convert(v, |x| usize::try_from(x).ok())?,
            NpyData::I16(v) => convert(v, |x| usize::try_from(x).ok())?,
            NpyData::I32(v) => convert(v, |x| usize::try_from(x).ok())?,
            NpyData::I64(v) => convert(v, |x| usize::try_from(x).ok())?,
            NpyData::U8(v) => v.iter().map(|&x| usize::from(x)).collect(),
            NpyData::U16(v) => v.iter().map(|&x| usize::from(x)).collect(),
            NpyData::U32(v) => convert(v, |x| usize::try_from(x).ok())?,
            NpyData::U64(v) => convert(v, |x| usize::try_from(x).ok())?,
            NpyData::F16(_) | NpyData::F32(_) | NpyData::F64(_) => {
                return Err(Error::argument(
                    "NpyArray::to_usize_tensor",
                    format!("the array holds {}, not integers", self.data.dtype_name()),
                ))
            }
        };
        Ok(Cpu::default().try_tensor_from_vec(data, DynShape(self.dims.clone()))?)
    }

    /// Parses the bytes of a `.npy` file; `source` names it in errors.
    pub fn from_bytes(bytes: &[u8], source: impl AsRef<Path>) -> Result<Self> {
        parse_npy(bytes)
            .map_err(|(offset, message)| Error::format(source, format!("byte {offset}"), message))
    }

    /// The bytes of a `.npy` file holding the array.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = match self.dims.as_slice() {
            [] => "()".to_string(),
            [n] => format!("({n},)"),
            dims => format!(
                "({})",
                dims.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut header = format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
            self.data.descr()
        );
        // Pad with spaces and a newline so the data starts at a multiple of 64 bytes.
        let (version, prefix) = if header.len() + 11 <= usize::from(u16::MAX) {
            (1u8, 10)
        } else {
            (2u8, 12)
        };
        let total = (prefix + header.len() + 1).div_ceil(64) * 64;
        header.extend(std::iter::repeat_n(' ', total - prefix - header.len() - 1));
        header.push('\n');

        let mut out = Vec::with_capacity(total + self.data.len() * 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[version, 0]);
        if version == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out.extend(self.data.to_le_bytes());
        out
    }

    /// Writes the array as a `.npy` file at `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()).map_err(|e| Error::io(path, e))
    }
}

/// Reads the `.npy` file at `path`, like `np.load`.
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    NpyArray::from_bytes(&bytes, path)
}

/// Writes `tensor` as a `.npy` file at `path`, like `np.save`; `f32`, `f64`, `bool` and `usize`
/// (stored as `int64`) tensors of any shape.
pub fn write_npy<S: Shape, E: NpyElement, T>(
    path: impl AsRef<Path>,
    tensor: &Tensor<S, E, Cpu, T>,
) -> Result<()> {
    NpyArray::from_tensor(tensor)?.write(path)
}

/// Reads the `.npz` file at `path`, like `np.load`: the arrays by name (the entry names without
/// their `.npy` suffix). Both stored (`np.savez`) and deflated (`np.savez_compressed`) archives;
/// every entry must be an NPY file (`Err` naming the entry otherwise).
pub fn read_npz(path: impl AsRef<Path>) -> Result<BTreeMap<String, NpyArray>> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| zip_error(path, "zip archive", e))?;
    let mut arrays = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| zip_error(path, format!("entry {i}"), e))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry.read_to_end(&mut bytes).map_err(|e| {
            Error::format(
                path,
                format!("entry {name}"),
                format!("the entry cannot be read: {e}"),
            )
        })?;
        let array = parse_npy(&bytes).map_err(|(offset, message)| {
            Error::format(path, format!("entry {name}, byte {offset}"), message)
        })?;
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        arrays.insert(key, array);
    }
    Ok(arrays)
}

/// Writes `arrays` into an uncompressed `.npz` file at `path`, like `np.savez`; each is stored
/// as `<name>.npy`.
pub fn write_npz(path: impl AsRef<Path>, arrays: &[(&str, &NpyArray)]) -> Result<()> {
    write_zip(path.as_ref(), arrays, zip::CompressionMethod::Stored)
}

/// Writes `arrays` into a deflated `.npz` file at `path`, like `np.savez_compressed`.
pub fn write_npz_compressed(path: impl AsRef<Path>, arrays: &[(&str, &NpyArray)]) -> Result<()> {
    write_zip(path.as_ref(), arrays, zip::CompressionMethod::Deflated)
}

fn write_zip(
    path: &Path,
    arrays: &[(&str, &NpyArray)],
    method: zip::CompressionMethod,
) -> Result<()> {
    for (i, (name, _)) in arrays.iter().enumerate() {
        if arrays[..i].iter().any(|(other, _)| other == name) {
            return Err(Error::argument(
                "write_npz",
                format!("the name {name:?} is given twice"),
            ));
        }
    }
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    for (name, array) in arrays {
        let entry = format!("{name}.npy");
        let bytes = array.to_bytes();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
        zip.start_file(entry.as_str(), options)
            .map_err(|e| zip_error(path, format!("entry {entry}"), e))?;
        zip.write_all(&bytes).map_err(|e| Error::io(path, e))?;
    }
    let mut writer = zip
        .finish()
        .map_err(|e| zip_error(path, "zip archive", e))?;
    writer.flush().map_err(|e| Error::io(path, e))
}

fn zip_error(path: &Path, position: impl Into<String>, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) => Error::io(path, io),
        other => Error::format(path, position, format!("not a valid zip archive: {other}")),
    }
}

/// The product of `dims`, or `None` on overflow.
fn element_count(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// A failure at a byte offset, before the caller names the file.
type ParseResult<T> = std::result::Result<T, (usize, String)>;

fn parse_npy(bytes: &[u8]) -> ParseResult<NpyArray> {
    if bytes.len() < 10 {
        return Err((
            bytes.len(),
            format!(
                "the file ends after {} bytes, inside the 10-byte NPY preamble",
                bytes.len()
            ),
        ));
    }
    if &bytes[..6] != MAGIC {
        return Err((
            0,
            "not an NPY file: the magic string \\x93NUMPY is missing".into(),
        ));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (header_start, header_len) = match major {
        1 => (10, usize::from(u16::from_le_bytes([bytes[8], bytes[9]]))),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err((
                    bytes.len(),
                    format!(
                        "the file ends after {} bytes, inside the 12-byte NPY preamble",
                        bytes.len()
                    ),
                ));
            }
            let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (
                12,
                usize::try_from(len)
                    .map_err(|_| (8, "the header length does not fit in memory".to_string()))?,
            )
        }
        _ => {
            return Err((
                6,
                format!(
                    "unsupported NPY format version {major}.{minor} (1.0, 2.0 and 3.0 are read)"
                ),
            ))
        }
    };
    let data_start = header_start + header_len;
    if bytes.len() < data_start {
        return Err((
            bytes.len(),
            format!(
                "the file ends inside the header, which runs from byte {header_start} to byte {data_start}"
            ),
        ));
    }
    let header_bytes = &bytes[header_start..data_start];
    let header = if major == 3 {
        std::str::from_utf8(header_bytes)
            .map_err(|e| {
                (
                    header_start + e.valid_up_to(),
                    "the header is not valid UTF-8".to_string(),
                )
            })?
            .to_string()
    } else {
        // Versions 1 and 2 are latin-1; the fields that matter are ASCII.
        header_bytes.iter().map(|&b| char::from(b)).collect()
    };
    let header = Header::parse(&header).map_err(|(at, msg)| (header_start + at, msg))?;

    let count = element_count(&header.shape).ok_or_else(|| {
        (
            header_start,
            format!("the shape {:?} has too many elements", header.shape),
        )
    })?;
    let (kind, size, big_endian) = parse_descr(&header.descr).ok_or_else(|| {
        (
            header_start,
            format!(
                "unsupported dtype {:?}: f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, u8 and b1 are read",
                header.descr
            ),
        )
    })?;
    let needed = count.checked_mul(size).ok_or_else(|| {
        (
            header_start,
            format!("the shape {:?} is too large", header.shape),
        )
    })?;
    let available = bytes.len() - data_start;
    if available < needed {
        return Err((
            bytes.len(),
            format!(
                "the data ends early: a {:?} array of {} needs {needed} bytes from byte {data_start}, but the file has {available}",
                header.shape, header.descr
            ),
        ));
    }
    let raw = &bytes[data_start..data_start + needed];
    let data = decode(raw, kind, size, big_endian).ok_or_else(|| {
        (
            header_start,
            format!("unsupported dtype {:?}", header.descr),
        )
    })?;
    let data = if header.fortran_order && header.shape.len() > 1 {
        fortran_data_to_c(data, &header.shape)
    } else {
        data
    };
    Ok(NpyArray {
        dims: header.shape,
        data,
    })
}

/// Reorders Fortran-order data of `dims` into C order.
fn fortran_data_to_c(data: NpyData, dims: &[usize]) -> NpyData {
    match data {
        NpyData::Bool(v) => NpyData::Bool(fortran_to_c(&v, dims)),
        NpyData::I8(v) => NpyData::I8(fortran_to_c(&v, dims)),
        NpyData::I16(v) => NpyData::I16(fortran_to_c(&v, dims)),
        NpyData::I32(v) => NpyData::I32(fortran_to_c(&v, dims)),
        NpyData::I64(v) => NpyData::I64(fortran_to_c(&v, dims)),
        NpyData::U8(v) => NpyData::U8(fortran_to_c(&v, dims)),
        NpyData::U16(v) => NpyData::U16(fortran_to_c(&v, dims)),
        NpyData::U32(v) => NpyData::U32(fortran_to_c(&v, dims)),
        NpyData::U64(v) => NpyData::U64(fortran_to_c(&v, dims)),
        NpyData::F16(v) => NpyData::F16(fortran_to_c(&v, dims)),
        NpyData::F32(v) => NpyData::F32(fortran_to_c(&v, dims)),
        NpyData::F64(v) => NpyData::F64(fortran_to_c(&v, dims)),
    }
}

/// Column-major data of `dims` in row-major order.
fn fortran_to_c<T: Copy>(data: &[T], dims: &[usize]) -> Vec<T> {
    let rank = dims.len();
    // Fortran strides: the first axis varies fastest.
    let mut strides = vec![1usize; rank];
    for k in 1..rank {
        strides[k] = strides[k - 1] * dims[k - 1];
    }
    let mut out = Vec::with_capacity(data.len());
    if data.is_empty() {
        return out;
    }
    let mut index = vec![0usize; rank];
    let mut offset = 0usize;
    for _ in 0..data.len() {
        out.push(data[offset]);
        // Advance the C-order odometer, keeping the Fortran offset in step.
        for k in (0..rank).rev() {
            index[k] += 1;
            offset += strides[k];
            if index[k] < dims[k] {
                break;
            }
            offset -= strides[k] * dims[k];
            index[k] = 0;
        }
    }
    out
}

/// A dtype's kind (`b`, `i`, `u`, `f`), size in bytes and byte order, from a `descr` string.
fn parse_descr(descr: &str) -> Option<(char, usize, bool)> {
    let (order, rest) = match descr.chars().next()? {
        c @ ('<' | '>' | '|' | '=') => (c, &descr[1..]),
        _ => ('=', descr),
    };
    if rest == "?" {
        return Some(('b', 1, false));
    }
    let mut chars = rest.chars();
    let kind = chars.next()?;
    let size: usize = chars.as_str().parse().ok()?;
    let supported = matches!(
        (kind, size),
        ('b', 1) | ('i' | 'u', 1 | 2 | 4 | 8) | ('f', 2 | 4 | 8)
    );
    let big_endian = order == '>' || (order == '=' && cfg!(target_endian = "big"));
    supported.then_some((kind, size, big_endian))
}

macro_rules! decode_as {
    ($raw:expr, $t:ty, $big:expr) => {{
        const N: usize = std::mem::size_of::<$t>();
        $raw.chunks_exact(N)
            .map(|chunk| {
                let mut b = [0u8; N];
                b.copy_from_slice(chunk);
                if $big {
                    <$t>::from_be_bytes(b)
                } else {
                    <$t>::from_le_bytes(b)
                }
            })
            .collect::<Vec<$t>>()
    }};
}

fn decode(raw: &[u8], kind: char, size: usize, big: bool) -> Option<NpyData> {
    Some(match (kind, size) {
        ('b', 1) => NpyData::Bool(raw.iter().map(|&b| b != 0).collect()),
        ('i', 1) => NpyData::I8(raw.iter().map(|&b| b as i8).collect()),
        ('i', 2) => NpyData::I16(decode_as!(raw, i16, big)),
        ('i', 4) => NpyData::I32(decode_as!(raw, i32, big)),
        ('i', 8) => NpyData::I64(decode_as!(raw, i64, big)),
        ('u', 1) => NpyData::U8(raw.to_vec()),
        ('u', 2) => NpyData::U16(decode_as!(raw, u16, big)),
        ('u', 4) => NpyData::U32(decode_as!(raw, u32, big)),
        ('u', 8) => NpyData::U64(decode_as!(raw, u64, big)),
        ('f', 2) => NpyData::F16(decode_as!(raw, u16, big)),
        ('f', 4) => NpyData::F32(decode_as!(raw, f32, big)),
        ('f', 8) => NpyData::F64(decode_as!(raw, f64, big)),
        _ => return None,
    })
}

/// The three fields of an NPY header, a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

enum Value {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
    Other,
}

/// A cursor over the header text; errors carry the byte offset within the header.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.at += c.len_utf8();
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn expect(&mut self, c: char) -> ParseResult<()> {
        self.skip_space();
        if self.peek() == Some(c) {
            self.at += c.len_utf8();
            Ok(())
        } else {
            Err(self.error(&format!("expected {c:?}")))
        }
    }

    fn error(&self, what: &str) -> (usize, String) {
        let found = match self.peek() {
            Some(c) => format!("{c:?}"),
            None => "the end of the header".to_string(),
        };
        (self.at, format!("bad NPY header: {what}, found {found}"))
    }

    fn string(&mut self) -> ParseResult<String> {
        self.skip_space();
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(self.error("expected a quoted string")),
        };
        self.at += 1;
        let rest = &self.text[self.at..];
        let end = rest
            .find(quote)
            .ok_or_else(|| self.error("unterminated string"))?;
        self.at += end + 1;
        Ok(rest[..end].to_string())
    }

    fn value(&mut self) -> ParseResult<Value> {
        self.skip_space();
        match self.peek() {
            Some('\'' | '"') => self.string().map(Value::Str),
            Some('(') => {
                self.at += 1;
                let mut dims = Vec::new();
                loop {
                    self.skip_space();
                    if self.peek() == Some(')') {
                        self.at += 1;
                        return Ok(Value::Tuple(dims));
                    }
                    let rest = &self.text[self.at..];
                    let digits =
                        rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                    let n = rest[..digits]
                        .parse::<usize>()
                        .map_err(|_| self.error("expected a dimension"))?;
                    self.at += digits;
                    if self.peek() == Some('L') {
                        self.at += 1; // Python 2 long literal
                    }
                    dims.push(n);
                    self.skip_space();
                    match self.peek() {
                        Some(',') => self.at += 1,
                        Some(')') => {}
                        _ => return Err(self.error("expected ',' or ')' in the shape")),
                    }
                }
            }
            Some('[') => {
                // A structured dtype's field list: skip it, balanced.
                let mut depth = 0usize;
                while let Some(c) = self.peek() {
                    self.at += c.len_utf8();
                    match c {
                        '[' | '(' => depth += 1,
                        ']' | ')' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(Value::Other);
                            }
                        }
                        '\'' | '"' => {
                            self.at -= 1;
                            self.string()?;
                        }
                        _ => {}
                    }
                }
                Err(self.error("unterminated list"))
            }
            _ => {
                let rest = &self.text[self.at..];
                for (word, value) in [("True", true), ("False", false)] {
                    if rest.starts_with(word) {
                        self.at += word.len();
                        return Ok(Value::Bool(value));
                    }
                }
                Err(self.error("expected a value"))
            }
        }
    }
}

impl Header {
    fn parse(text: &str) -> ParseResult<Header> {
        let mut cur = Cursor { text, at: 0 };
        let (mut descr, mut fortran_order, mut shape) = (None, None, None);
        cur.expect('{')?;
        loop {
            cur.skip_space();
            if cur.peek() == Some('}') {
                break;
            }
            let key_at = cur.at;
            let key = cur.string()?;
            cur.expect(':')?;
            let value_at = cur.at;
            let value = cur.value()?;
            match (key.as_str(), value) {
                ("descr", Value::Str(s)) => descr = Some(s),
                ("descr", _) => {
                    return Err((
                        value_at,
                        "unsupported dtype: structured arrays are not read".to_string(),
                    ))
                }
                ("fortran_order", Value::Bool(b)) => fortran_order = Some(b),
                ("shape", Value::Tuple(t)) => shape = Some(t),
                ("fortran_order" | "shape", _) => {
                    return Err((value_at, format!("bad NPY header: a bad value for {key:?}")))
                }
                _ => return Err((key_at, format!("bad NPY header: unknown key {key:?}"))),
            }
            cur.skip_space();
            match cur.peek() {
                Some(',') => cur.at += 1,
                Some('}') => {}
                _ => return Err(cur.error("expected ',' or '}'")),
            }
        }
        match (descr, fortran_order, shape) {
            (Some(descr), Some(fortran_order), Some(shape)) => Ok(Header {
                descr,
                fortran_order,
                shape,
            }),
            _ => Err((
                0,
                "bad NPY header: 'descr', 'fortran_order' and 'shape' are required".to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        npy_literal(&format!("'{descr}'"), fortran, shape, data)
    }

    /// An NPY file whose `descr` value is the Python literal `descr`.
    fn npy_literal(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let header = format!(
            "{{'descr': {descr}, 'fortran_order': {}, 'shape': {shape}, }}\n",
            if fortran { "True" } else { "False" }
        );
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn header_round_trip_and_alignment() {
        for dims in [vec![], vec![5], vec![2, 3], vec![2, 1, 3]] {
            let n: usize = dims.iter().product();
            let a = NpyArray::new(dims.clone(), NpyData::I32((0..n as i32).collect())).unwrap();
            let bytes = a.to_bytes();
            let header_len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
            assert_eq!((10 + header_len) % 64, 0);
            assert_eq!(NpyArray::from_bytes(&bytes, "a.npy").unwrap(), a);
        }
        assert!(NpyArray::new(vec![2, 2], NpyData::U8(vec![1, 2, 3])).is_err());
    }

    #[test]
    fn big_endian_fortran_order_and_descr_variants() {
        let data: Vec<u8> = [1i16, 2, 3, 4, 5, 6]
            .iter()
            .flat_map(|x| x.to_be_bytes())
            .collect();
        let a = NpyArray::from_bytes(&npy(">i2", true, "(2, 3)", &data), "a.npy").unwrap();
        // Column-major [[1, 3, 5], [2, 4, 6]].
        assert_eq!(a.data, NpyData::I16(vec![1, 3, 5, 2, 4, 6]));
        let b = NpyArray::from_bytes(&npy("|b1", false, "(3,)", &[0, 1, 2]), "b.npy").unwrap();
        assert_eq!(b.data, NpyData::Bool(vec![false, true, true]));
        let v3 = fortran_to_c(&(0..24).collect::<Vec<_>>(), &[2, 3, 4]);
        // Element (i, j, k) sits at i + 2j + 6k in Fortran order.
        assert_eq!(v3[12 + 2 * 4 + 3], 1 + 2 * 2 + 6 * 3);
    }

    #[test]
    fn bad_files_name_the_byte() {
        let err = |bytes: &[u8]| {
            NpyArray::from_bytes(bytes, "x.npy")
                .unwrap_err()
                .to_string()
        };
        assert!(err(b"\x93NUM").starts_with("x.npy: byte 4: the file ends"));
        assert!(err(b"PK\x03\x04 not npy at all").starts_with("x.npy: byte 0: not an NPY file"));
        let good = npy("<f4", false, "(3,)", &[0; 12]);
        assert!(err(&good[..20]).starts_with("x.npy: byte 20: the file ends inside the header"));
        let short = err(&good[..good.len() - 1]);
        assert!(short.contains("the data ends early"), "{short}");
        assert!(short.starts_with(&format!("x.npy: byte {}:", good.len() - 1)));
        let c8 = err(&npy("<c8", false, "(1,)", &[0; 8]));
        assert!(c8.contains("byte 10: unsupported dtype \"<c8\""), "{c8}");
        let structured = err(&npy_literal(
            "[('a', '<f4'), ('b', '|u1')]",
            false,
            "(1,)",
            &[],
        ));
        assert!(structured.contains("structured"), "{structured}");
        assert!(err(&npy("<f4", false, "(3, x)", &[])).contains("expected a dimension"));
        // A latin-1 no-break space (two bytes once decoded) is whitespace, not a panic.
        let mut nbsp = npy("<f4", false, "(1,)", &[0; 4]);
        let close = nbsp.iter().position(|&b| b == b'}').unwrap();
        nbsp[close - 1] = 0xa0;
        assert_eq!(NpyArray::from_bytes(&nbsp, "x.npy").unwrap().dims, [1]);
    }

    #[test]
    fn conversions() {
        let a = NpyArray::new(vec![3], NpyData::I64(vec![0, 2, -1])).unwrap();
        assert_eq!(a.to_tensor::<f32>().unwrap().to_vec(), [0.0, 2.0, -1.0]);
        assert!(a.to_usize_tensor().is_err());
        let b = NpyArray::new(vec![2], NpyData::U8(vec![7, 9])).unwrap();
        assert_eq!(b.to_usize_tensor().unwrap().to_vec(), [7, 9]);
        let f = NpyArray::new(vec![1], NpyData::F32(vec![1.5])).unwrap();
        assert!(f.to_usize_tensor().is_err());
        assert_eq!(NpyData::U16(vec![]).dtype_name(), "uint16");
    }
}
