//! IDX files, the format of MNIST, Fashion-MNIST, KMNIST and EMNIST: a 4-byte magic (two zero
//! bytes, a type code, the rank), the dims as big-endian `u32`s, then big-endian data. Files
//! compressed with gzip (`train-images-idx3-ubyte.gz` as downloaded) are read as they are,
//! recognised by the gzip magic, whatever their name.
//!
//! ```
//! use gf_data::formats::idx::{read_idx, write_idx, IdxArray, IdxData};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("labels-idx1-ubyte");
//! let labels = IdxArray::new(vec![4], IdxData::U8(vec![5, 0, 4, 1])).unwrap();
//! write_idx(&path, &labels).unwrap();
//! assert_eq!(read_idx(&path).unwrap(), labels);
//! ```

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use gf_core::ops::create::TensorCreate;
use gf_core::shape::{Const, DynShape};
use gf_core::{Cpu, Dtype, Tensor};

use crate::dataset::{check_index, Dataset};
use crate::error::{Error, Result};

/// The elements of an [`IdxArray`], one variant per IDX type code.
#[derive(Clone, Debug, PartialEq)]
pub enum IdxData {
    /// Type code `0x08`: unsigned bytes (MNIST's pixels and labels).
    U8(Vec<u8>),
    /// Type code `0x09`: signed bytes.
    I8(Vec<i8>),
    /// Type code `0x0B`: 16-bit integers.
    I16(Vec<i16>),
    /// Type code `0x0C`: 32-bit integers.
    I32(Vec<i32>),
    /// Type code `0x0D`: 32-bit floats.
    F32(Vec<f32>),
    /// Type code `0x0E`: 64-bit floats.
    F64(Vec<f64>),
}

impl IdxData {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            IdxData::U8(v) => v.len(),
            IdxData::I8(v) => v.len(),
            IdxData::I16(v) => v.len(),
            IdxData::I32(v) => v.len(),
            IdxData::F32(v) => v.len(),
            IdxData::F64(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn type_code(&self) -> u8 {
        match self {
            IdxData::U8(_) => 0x08,
            IdxData::I8(_) => 0x09,
            IdxData::I16(_) => 0x0B,
            IdxData::I32(_) => 0x0C,
            IdxData::F32(_) => 0x0D,
            IdxData::F64(_) => 0x0E,
        }
    }
}

/// The contents of an IDX file: dims and elements in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    /// The dims, as stored (`[60000, 28, 28]` for MNIST's training images).
    pub dims: Vec<usize>,
    /// The elements, row-major.
    pub data: IdxData,
}

impl IdxArray {
    /// An array of `dims` holding `data`; `Err` unless the counts agree.
    pub fn new(dims: Vec<usize>, data: IdxData) -> Result<Self> {
        if dims.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) != Some(data.len()) {
            return Err(Error::argument(
                "IdxArray::new",
                format!("dims {dims:?} do not hold {} elements", data.len()),
            ));
        }
        Ok(IdxArray { dims, data })
    }

    /// The array as a float tensor of its dims, values unchanged (pixels stay in 0..=255).
    pub fn to_tensor<E: Dtype>(&self) -> Result<Tensor<DynShape, E, Cpu>> {
        let data: Vec<E> = match &self.data {
            IdxData::U8(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            IdxData::I8(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            IdxData::I16(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            IdxData::I32(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            IdxData::F32(v) => v.iter().map(|&x| E::from_f64(f64::from(x))).collect(),
            IdxData::F64(v) => v.iter().map(|&x| E::from_f64(x)).collect(),
        };
        Ok(Cpu::default().try_tensor_from_vec(data, DynShape(self.dims.clone()))?)
    }

    /// The array as a `usize` tensor, for labels; `Err` for floats and negative values.
    pub fn to_usize_tensor(&self) -> Result<Tensor<DynShape, usize, Cpu>> {
        let bad = |x: i64| {
            Error::argument(
                "IdxArray::to_usize_tensor",
                format!("{x} is not a valid label"),
            )
        };
        let data: Vec<usize> = match &self.data {
            IdxData::U8(v) => v.iter().map(|&x| usize::from(x)).collect(),
            IdxData::I8(v) => v
                .iter()
                .map(|&x| usize::try_from(x).map_err(|_| bad(x.into())))
                .collect::<Result<_>>()?,
            IdxData::I16(v) => v
                .iter()
                .map(|&x| usize::try_from(x).map_err(|_| bad(x.into())))
                .collect::<Result<_>>()?,
            IdxData::I32(v) => v
                .iter()
                .map(|&x| usize::try_from(x).map_err(|_| bad(x.into())))
                .collect::<Result<_>>()?,
            IdxData::F32(_) | IdxData::F64(_) => {
                return Err(Error::argument(
                    "IdxArray::to_usize_tensor",
                    "the array holds floats, not integer labels",
                ))
            }
        };
        Ok(Cpu::default().try_tensor_from_vec(data, DynShape(self.dims.clone()))?)
    }

    /// Parses the bytes of an IDX file (gzip-compressed or not); `source` names it in errors.
    pub fn from_bytes(bytes: &[u8], source: impl AsRef<Path>) -> Result<Self> {
        let source = source.as_ref();
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            if let Err(e) = flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut plain) {
                return Err(Error::format(
                    source,
                    format!("byte {} of the decompressed data", plain.len()),
                    format!("the gzip stream is truncated or corrupt: {e}"),
                ));
            }
            return parse_idx(&plain).map_err(|(offset, message)| {
                Error::format(
                    source,
                    format!("byte {offset} of the decompressed data"),
                    message,
                )
            });
        }
        parse_idx(bytes)
            .map_err(|(offset, message)| Error::format(source, format!("byte {offset}"), message))
    }

    /// The bytes of an (uncompressed) IDX file holding the array; `Err` if the rank or a dim
    /// does not fit the format (rank up to 255, dims up to `u32::MAX`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let rank = u8::try_from(self.dims.len())
            .map_err(|_| Error::argument("write_idx", "IDX files hold at most 255 dims"))?;
        let mut out = vec![0, 0, self.data.type_code(), rank];
        for &d in &self.dims {
            let d = u32::try_from(d).map_err(|_| {
                Error::argument("write_idx", format!("the dim {d} does not fit a u32"))
            })?;
            out.extend_from_slice(&d.to_be_bytes());
        }
        match &self.data {
            IdxData::U8(v) => out.extend_from_slice(v),
            IdxData::I8(v) => out.extend(v.iter().map(|&x| x as u8)),
            IdxData::I16(v) => out.extend(v.iter().flat_map(|x| x.to_be_bytes())),
            IdxData::I32(v) => out.extend(v.iter().flat_map(|x| x.to_be_bytes())),
            IdxData::F32(v) => out.extend(v.iter().flat_map(|x| x.to_be_bytes())),
            IdxData::F64(v) => out.extend(v.iter().flat_map(|x| x.to_be_bytes())),
        }
        Ok(out)
    }
}

/// Reads the IDX file at `path`, gzip-compressed or not.
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    IdxArray::from_bytes(&bytes, path)
}

/// Writes `array` as an uncompressed IDX file at `path`.
pub fn write_idx(path: impl AsRef<Path>, array: &IdxArray) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, array.to_bytes()?).map_err(|e| Error::io(path, e))
}

type ParseResult<T> = std::result::Result<T, (usize, String)>;

fn parse_idx(bytes: &[u8]) -> ParseResult<IdxArray> {
    if bytes.len() < 4 {
        return Err((
            bytes.len(),
            format!(
                "the file ends after {} bytes, inside the 4-byte magic",
                bytes.len()
            ),
        ));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err((
            0,
            format!(
                "not an IDX file: the magic starts with {:#04x} {:#04x}, not two zero bytes",
                bytes[0], bytes[1]
            ),
        ));
    }
    let (code, rank) = (bytes[2], usize::from(bytes[3]));
    let size = match code {
        0x08 | 0x09 => 1,
        0x0B => 2,
        0x0C | 0x0D => 4,
        0x0E => 8,
        other => {
            return Err((
                2,
                format!("unknown IDX type code {other:#04x} (0x08, 0x09, 0x0B, 0x0C, 0x0D and 0x0E are defined)"),
            ))
        }
    };
    let data_start = 4 + 4 * rank;
    if bytes.len() < data_start {
        return Err((
            bytes.len(),
            format!("the file ends inside the dims: {rank} dims need bytes 4 to {data_start}"),
        ));
    }
    let dims: Vec<usize> = bytes[4..data_start]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let needed = dims
        .iter()
        .try_fold(size, |n: usize, &d| n.checked_mul(d))
        .ok_or_else(|| (4, format!("the dims {dims:?} are too large")))?;
    let available = bytes.len() - data_start;
    if available < needed {
        return Err((
            bytes.len(),
            format!(
                "the data ends early: dims {dims:?} need {needed} bytes from byte {data_start}, but the file has {available}"
            ),
        ));
    }
    if available > needed {
        return Err((
            data_start + needed,
            format!(
                "{} bytes follow the data of dims {dims:?}",
                available - needed
            ),
        ));
    }
    let raw = &bytes[data_start..];
    let data = match code {
        0x08 => IdxData::U8(raw.to_vec()),
        0x09 => IdxData::I8(raw.iter().map(|&b| b as i8).collect()),
        0x0B => IdxData::I16(
            raw.chunks_exact(2)
                .map(|c| i16::from_be_bytes([c[0], c[1]]))
                .collect(),
        ),
        0x0C => IdxData::I32(
            raw.chunks_exact(4)
                .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        0x0D => IdxData::F32(
            raw.chunks_exact(4)
                .map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        _ => IdxData::F64(
            raw.chunks_exact(8)
                .map(|c| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(c);
                    f64::from_be_bytes(b)
                })
                .collect(),
        ),
    };
    Ok(IdxArray { dims, data })
}

/// One MNIST image: one channel of 28 × 28 pixels scaled to `[0, 1]`, as torchvision's
/// `ToTensor()` gives it.
pub type MnistImage = Tensor<(Const<1>, Const<28>, Const<28>), f32, Cpu>;

/// MNIST-style data (MNIST, Fashion-MNIST, KMNIST) from a pair of IDX files, as a [`Dataset`]
/// of `(image, label)`; made by [`mnist`]. The pixels stay as bytes until a sample is read.
#[derive(Clone)]
pub struct Mnist {
    pixels: Arc<Vec<u8>>,
    labels: Arc<Vec<u8>>,
}

const PIXELS: usize = 28 * 28;

/// Reads an MNIST-style pair of IDX files (plain or `.gz`): `u8` images of dims `[n, 28, 28]`
/// and `u8` labels of dims `[n]`. `Err` naming the file if either is unreadable, holds another
/// type, or has other dims, or if the counts differ.
///
/// Samples are `(Tensor<(Const<1>, Const<28>, Const<28>), f32>, usize)` with pixels divided by
/// 255, like `torchvision.datasets.MNIST(..., transform=ToTensor())`.
pub fn mnist(images_path: impl AsRef<Path>, labels_path: impl AsRef<Path>) -> Result<Mnist> {
    let (images_path, labels_path) = (images_path.as_ref(), labels_path.as_ref());
    let images = read_idx(images_path)?;
    let labels = read_idx(labels_path)?;
    let pixels = match (images.dims.as_slice(), images.data) {
        ([_, 28, 28], IdxData::U8(pixels)) => pixels,
        (dims, data) => {
            return Err(Error::format(
                images_path,
                "byte 2",
                format!(
                    "MNIST images are u8 (type 0x08) of dims [n, 28, 28], found type {:#04x} of dims {dims:?}",
                    data.type_code()
                ),
            ))
        }
    };
    let labels = match (labels.dims.as_slice(), labels.data) {
        ([_], IdxData::U8(labels)) => labels,
        (dims, data) => {
            return Err(Error::format(
                labels_path,
                "byte 2",
                format!(
                "MNIST labels are u8 (type 0x08) of dims [n], found type {:#04x} of dims {dims:?}",
                data.type_code()
            ),
            ))
        }
    };
    if pixels.len() / PIXELS != labels.len() {
        return Err(Error::format(
            labels_path,
            "byte 4",
            format!(
                "{} labels, but {} has {} images",
                labels.len(),
                images_path.display(),
                pixels.len() / PIXELS
            ),
        ));
    }
    Ok(Mnist {
        pixels: Arc::new(pixels),
        labels: Arc::new(labels),
    })
}

impl Mnist {
    /// The labels, one per image.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The pixels of image `index`, 28 × 28 bytes row by row; `None` if out of range.
    pub fn image_bytes(&self, index: usize) -> Option<&[u8]> {
        self.pixels
            .as_slice()
            .get(index * PIXELS..(index + 1) * PIXELS)
    }

    /// Every image and label at once: `(n, 1, 28, 28)` pixels in `[0, 1]` and `(n,)` labels,
    /// for a [`TensorDataset`](crate::TensorDataset) or full-batch training.
    #[allow(clippy::type_complexity)]
    pub fn tensors(
        &self,
    ) -> Result<(
        Tensor<(usize, Const<1>, Const<28>, Const<28>), f32, Cpu>,
        Tensor<(usize,), usize, Cpu>,
    )> {
        let dev = Cpu::default();
        let n = self.labels.len();
        let x = dev.try_tensor_from_vec(
            self.pixels.iter().map(|&p| f32::from(p) / 255.0).collect(),
            (n, Const, Const, Const),
        )?;
        let y =
            dev.try_tensor_from_vec(self.labels.iter().map(|&l| usize::from(l)).collect(), (n,))?;
        Ok((x, y))
    }
}

/// A summary, not the pixels.
impl std::fmt::Debug for Mnist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mnist")
            .field("len", &self.labels.as_slice().len())
            .finish_non_exhaustive()
    }
}

impl Dataset for Mnist {
    type Item = (MnistImage, usize);

    fn len(&self) -> usize {
        self.labels.len()
    }

    fn get(&self, index: usize) -> Result<Self::Item> {
        check_index("Mnist::get", index, self.labels.len())?;
        let pixels = &self.pixels[index * PIXELS..(index + 1) * PIXELS];
        let image = Cpu::default().try_tensor_from_vec(
            pixels.iter().map(|&p| f32::from(p) / 255.0).collect(),
            Default::default(),
        )?;
        Ok((image, usize::from(self.labels[index])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_code_round_trips() {
        let arrays = [
            IdxArray::new(vec![2, 2], IdxData::U8(vec![0, 1, 254, 255])).unwrap(),
            IdxArray::new(vec![3], IdxData::I8(vec![-128, 0, 127])).unwrap(),
            IdxArray::new(vec![1, 2], IdxData::I16(vec![-300, 300])).unwrap(),
            IdxArray::new(vec![2], IdxData::I32(vec![-70000, 1 << 30])).unwrap(),
            IdxArray::new(vec![2, 1, 1], IdxData::F32(vec![1.5, -0.25])).unwrap(),
            IdxArray::new(vec![1], IdxData::F64(vec![std::f64::consts::PI])).unwrap(),
        ];
        for a in arrays {
            let bytes = a.to_bytes().unwrap();
            assert_eq!(IdxArray::from_bytes(&bytes, "a").unwrap(), a);
        }
    }

    #[test]
    fn the_layout_is_big_endian() {
        let a = IdxArray::new(vec![1], IdxData::I16(vec![0x0102])).unwrap();
        assert_eq!(a.to_bytes().unwrap(), [0, 0, 0x0B, 1, 0, 0, 0, 1, 1, 2]);
    }

    #[test]
    fn bad_files_name_the_byte() {
        let err = |b: &[u8]| IdxArray::from_bytes(b, "f.idx").unwrap_err().to_string();
        assert!(err(&[0, 0]).starts_with("f.idx: byte 2: the file ends"));
        assert!(err(&[1, 0, 8, 1]).starts_with("f.idx: byte 0: not an IDX file"));
        assert!(err(&[0, 0, 7, 1]).starts_with("f.idx: byte 2: unknown IDX type code 0x07"));
        assert!(err(&[0, 0, 8, 2, 0, 0, 0, 2])
            .starts_with("f.idx: byte 8: the file ends inside the dims"));
        assert!(err(&[0, 0, 8, 1, 0, 0, 0, 3, 1]).starts_with("f.idx: byte 9: the data ends early"));
        assert!(err(&[0, 0, 8, 1, 0, 0, 0, 1, 1, 2]).starts_with("f.idx: byte 9: 1 bytes follow"));
    }

    #[test]
    fn gzip_is_detected_by_magic() {
        use std::io::Write;
        let a = IdxArray::new(vec![3], IdxData::U8(vec![7, 8, 9])).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&a.to_bytes().unwrap()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(IdxArray::from_bytes(&gz, "labels").unwrap(), a);
        let err = IdxArray::from_bytes(&gz[..gz.len() - 10], "labels.gz").unwrap_err();
        assert!(matches!(err, Error::Format { .. }));
        assert!(
            err.to_string().contains("of the decompressed data"),
            "{err}"
        );
    }

    #[test]
    fn labels_as_usize() {
        let a = IdxArray::new(vec![2], IdxData::I32(vec![3, -1])).unwrap();
        assert!(a.to_usize_tensor().is_err());
        let b = IdxArray::new(vec![2], IdxData::U8(vec![3, 1])).unwrap();
        assert_eq!(b.to_usize_tensor().unwrap().to_vec(), [3, 1]);
        assert_eq!(b.to_tensor::<f64>().unwrap().to_vec(), [3.0, 1.0]);
    }
}
