//! safetensors files (Hugging Face's weight format), read through the `safetensors` crate and
//! converted to float tensors of any rank.
//!
//! `F32`, `F64`, `F16`, `BF16`, `I8`, `I16`, `I32`, `I64`, `U8`, `U16`, `U32`, `U64` and `BOOL`
//! tensors are read; half floats are widened exactly, 64-bit integers above 2^53 round.
//! [`write_safetensors`] writes `F32` or `F64` tensors atomically (a temporary file, fsynced,
//! then renamed over the target), so a crash never leaves a half-written file.
//!
//! ```no_run
//! use gf_data::formats::safetensors::{read_safetensors, SafetensorsFile};
//!
//! // Every tensor, in file order, as f32.
//! for (name, tensor) in read_safetensors::<f32>("model.safetensors").unwrap() {
//!     println!("{name}: {:?}", tensor.dims());
//! }
//! // Or one at a time, with the header's metadata.
//! let file = SafetensorsFile::open("model.safetensors").unwrap();
//! println!("{:?}", file.metadata());
//! let w = file.tensor::<f64>("fc.weight").unwrap();
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ::safetensors::tensor::{Metadata, TensorInfo};
use ::safetensors::{Dtype as StDtype, SafeTensors};
use gf_core::ops::create::TensorCreate;
use gf_core::shape::DynShape;
use gf_core::{Cpu, Dtype, Tensor};

use super::half::{bf16_to_f32, f16_to_f32};
use crate::error::{Error, Result};

/// Tensors with their names, in file order, as [`read_safetensors`] returns them.
pub type NamedTensors<E> = Vec<(String, Tensor<DynShape, E, Cpu>)>;

/// A safetensors file held in memory, its header checked: tensors are converted when asked for.
pub struct SafetensorsFile {
    path: PathBuf,
    bytes: Vec<u8>,
    data_start: usize,
    header: Metadata,
}

/// The path and the tensor names, not the bytes.
impl std::fmt::Debug for SafetensorsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafetensorsFile")
            .field("path", &self.path)
            .field("tensors", &self.names())
            .finish_non_exhaustive()
    }
}

impl SafetensorsFile {
    /// Reads and checks the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(bytes, path)
    }

    /// Checks the bytes of a safetensors file; `source` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, source: impl AsRef<Path>) -> Result<Self> {
        let path = source.as_ref().to_path_buf();
        let len = bytes.len();
        let Some(prefix) = bytes.get(..8) else {
            return Err(Error::format(
                &path,
                format!("byte {len}"),
                "the file ends inside the 8-byte header length",
            ));
        };
        let mut n = [0u8; 8];
        n.copy_from_slice(prefix);
        let n = u64::from_le_bytes(n);
        let header_end = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_add(8))
            .filter(|&end| end <= len)
            .ok_or_else(|| {
                Error::format(
                    &path,
                    "byte 0",
                    format!(
                        "not a safetensors file: the header length {n} runs past the end of the file ({len} bytes)"
                    ),
                )
            })?;
        let header = match SafeTensors::read_metadata(&bytes) {
            Ok((_, header)) => header,
            Err(::safetensors::SafeTensorError::MetadataIncompleteBuffer) => {
                return Err(Error::format(
                    &path,
                    format!("byte {len}"),
                    "the file's length does not match the tensors the header lists (truncated?)",
                ))
            }
            Err(e) => {
                return Err(Error::format(
                    &path,
                    format!("header, bytes 8 to {header_end}"),
                    format!("invalid safetensors header: {e}"),
                ))
            }
        };
        Ok(SafetensorsFile {
            path,
            bytes,
            data_start: header_end,
            header,
        })
    }

    /// The tensor names, in the order of their data in the file.
    pub fn names(&self) -> Vec<String> {
        self.header.offset_keys()
    }

    /// The free-form `__metadata__` of the header (`{"format": "pt"}` from PyTorch), if any.
    pub fn metadata(&self) -> Option<&HashMap<String, String>> {
        self.header.metadata().as_ref()
    }

    /// The shape of the tensor `name`, if there is one.
    pub fn shape(&self, name: &str) -> Option<&[usize]> {
        self.header.info(name).map(|info| info.shape.as_slice())
    }

    /// The stored dtype of the tensor `name` (`"F32"`, `"BF16"`, ...), if there is one.
    pub fn dtype(&self, name: &str) -> Option<String> {
        self.header
            .info(name)
            .map(|info| format!("{:?}", info.dtype))
    }

    /// The tensor `name`, converted to `E`; `Err` if there is none or its dtype is not read.
    pub fn tensor<E: Dtype>(&self, name: &str) -> Result<Tensor<DynShape, E, Cpu>> {
        let info = self.header.info(name).ok_or_else(|| {
            Error::argument(
                "SafetensorsFile::tensor",
                format!(
                    "{} holds no tensor {name:?}; it holds {:?}",
                    self.path.display(),
                    self.names()
                ),
            )
        })?;
        self.convert(name, info)
    }

    /// Every tensor in file order, converted to `E`.
    pub fn tensors<E: Dtype>(&self) -> Result<NamedTensors<E>> {
        self.names()
            .into_iter()
            .map(|name| {
                let tensor = self.tensor(&name)?;
                Ok((name, tensor))
            })
            .collect()
    }

    fn convert<E: Dtype>(&self, name: &str, info: &TensorInfo) -> Result<Tensor<DynShape, E, Cpu>> {
        let (start, end) = info.data_offsets;
        // The header check guarantees the offsets lie inside the file.
        let raw = self
            .bytes
            .get(self.data_start + start..self.data_start + end)
            .ok_or_else(|| {
                Error::format(
                    &self.path,
                    format!("tensor {name}"),
                    "the data offsets lie outside the file",
                )
            })?;
        let data = convert_bytes::<E>(raw, info.dtype).ok_or_else(|| {
            Error::format(
                &self.path,
                format!("tensor {name}"),
                format!(
                    "unsupported dtype {:?}: F32, F64, F16, BF16, I8, I16, I32, I64, U8, U16, U32, U64 and BOOL are read",
                    info.dtype
                ),
            )
        })?;
        Ok(Cpu::default().try_tensor_from_vec(data, DynShape(info.shape.clone()))?)
    }
}

macro_rules! le_values {
    ($raw:expr, $t:ty, $to:expr) => {{
        const N: usize = std::mem::size_of::<$t>();
        $raw.chunks_exact(N)
            .map(|chunk| {
                let mut b = [0u8; N];
                b.copy_from_slice(chunk);
                $to(<$t>::from_le_bytes(b))
            })
            .collect()
    }};
}

/// Little-endian elements of `dtype` converted to `E`; `None` for dtypes not read.
fn convert_bytes<E: Dtype>(raw: &[u8], dtype: StDtype) -> Option<Vec<E>> {
    let f = |x: f64| E::from_f64(x);
    Some(match dtype {
        StDtype::BOOL => raw
            .iter()
            .map(|&b| f(if b != 0 { 1.0 } else { 0.0 }))
            .collect(),
        StDtype::U8 => raw.iter().map(|&b| f(f64::from(b))).collect(),
        StDtype::I8 => raw.iter().map(|&b| f(f64::from(b as i8))).collect(),
        StDtype::I16 => le_values!(raw, i16, |x| f(f64::from(x))),
        StDtype::U16 => le_values!(raw, u16, |x| f(f64::from(x))),
        StDtype::I32 => le_values!(raw, i32, |x| f(f64::from(x))),
        StDtype::U32 => le_values!(raw, u32, |x| f(f64::from(x))),
        StDtype::I64 => le_values!(raw, i64, |x| f(x as f64)),
        StDtype::U64 => le_values!(raw, u64, |x| f(x as f64)),
        StDtype::F16 => le_values!(raw, u16, |x| f(f64::from(f16_to_f32(x)))),
        StDtype::BF16 => le_values!(raw, u16, |x| f(f64::from(bf16_to_f32(x)))),
        StDtype::F32 => le_values!(raw, f32, |x| f(f64::from(x))),
        StDtype::F64 => le_values!(raw, f64, f),
        _ => return None,
    })
}

/// Every tensor of the safetensors file at `path`, in file order, converted to `E`.
pub fn read_safetensors<E: Dtype>(path: impl AsRef<Path>) -> Result<NamedTensors<E>> {
    SafetensorsFile::open(path)?.tensors()
}

/// The `__metadata__` of the safetensors file at `path` (empty if it has none).
pub fn read_safetensors_metadata(path: impl AsRef<Path>) -> Result<HashMap<String, String>> {
    Ok(SafetensorsFile::open(path)?
        .metadata()
        .cloned()
        .unwrap_or_default())
}

/// Writes `tensors` (names in any order; the file stores them sorted) to `path` as a
/// safetensors file of `E`'s dtype (`F32` or `F64`), with `metadata` as its `__metadata__`.
///
/// The bytes go to a temporary file next to `path`, which is fsynced and then renamed over
/// `path`: a reader sees the old file or the new one, never a half-written one. `Err` names
/// the file on an I/O failure, and the tensor for a dtype safetensors cannot store.
pub fn write_safetensors<E: Dtype>(
    path: impl AsRef<Path>,
    tensors: &[(String, Tensor<DynShape, E, Cpu>)],
    metadata: Option<HashMap<String, String>>,
) -> Result<()> {
    let path = path.as_ref();
    let dtype = match E::NAME {
        "f32" => StDtype::F32,
        "f64" => StDtype::F64,
        other => {
            return Err(Error::argument(
                "write_safetensors",
                format!("{other} tensors are not written; convert them to f32 or f64"),
            ))
        }
    };
    let mut views = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        let values = t.try_to_vec()?;
        let bytes: Vec<u8> = match dtype {
            StDtype::F32 => values
                .iter()
                .flat_map(|v| (v.as_f64() as f32).to_le_bytes())
                .collect(),
            _ => values
                .iter()
                .flat_map(|v| v.as_f64().to_le_bytes())
                .collect(),
        };
        views.push((
            name.clone(),
            OwnedView {
                dtype,
                shape: t.dims(),
                bytes,
            },
        ));
    }
    let bytes = ::safetensors::serialize(views, metadata)
        .map_err(|e| Error::format(path, "header", format!("cannot serialize the tensors: {e}")))?;
    write_atomically(path, &bytes)
}

/// A tensor's bytes as the `safetensors` crate's serializer reads them.
struct OwnedView {
    dtype: StDtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl ::safetensors::View for OwnedView {
    fn dtype(&self) -> StDtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        std::borrow::Cow::Borrowed(&self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

/// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over `path`, and
/// fsyncs the directory (where the platform allows) so the rename itself is durable.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path.file_name().ok_or_else(|| {
        Error::argument(
            "write_safetensors",
            format!("{} names no file", path.display()),
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    if let Ok(d) = std::fs::File::open(&dir) {
        // a directory fsync is what makes the rename durable on Linux; elsewhere it may be refused
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::safetensors::tensor::TensorView;

    #[test]
    fn written_files_read_back_exactly_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.safetensors");
        let dev = Cpu::default();
        let a = dev.tensor_from_vec(vec![1.5f64, -2.25, 3.0e-300, 4.0], DynShape::new([2, 2]));
        let b = dev.tensor_from_vec(vec![7.0f64], DynShape::new([]));
        let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
        write_safetensors(&path, &[("z.w".into(), a), ("a".into(), b)], Some(meta)).unwrap();
        let f = SafetensorsFile::open(&path).unwrap();
        assert_eq!(f.dtype("z.w").as_deref(), Some("F64"));
        assert_eq!(
            f.tensor::<f64>("z.w").unwrap().to_vec(),
            [1.5, -2.25, 3.0e-300, 4.0]
        );
        assert_eq!(f.shape("a"), Some(&[][..]));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let x = dev.tensor_from_vec(vec![0.1f32, 0.2], DynShape::new([2]));
        write_safetensors(&path, &[("x".into(), x)], None).unwrap();
        let f = SafetensorsFile::open(&path).unwrap();
        assert_eq!(
            (f.names(), f.dtype("x").unwrap()),
            (vec!["x".to_string()], "F32".into())
        );
        assert_eq!(f.tensor::<f32>("x").unwrap().to_vec(), [0.1, 0.2]);
    }

    #[test]
    fn a_write_into_a_missing_directory_is_an_err_naming_the_file() {
        let x = Cpu::default().tensor_from_vec(vec![1.0f32], DynShape::new([1]));
        let err = write_safetensors("/nonexistent/dir/m.safetensors", &[("x".into(), x)], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/dir/m.safetensors"), "{err}");
    }

    fn file(tensors: &[(&str, StDtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
        let views: Vec<(String, TensorView<'_>)> = tensors
            .iter()
            .map(|(name, dtype, shape, data)| {
                let view = TensorView::new(*dtype, shape.clone(), data).unwrap();
                (name.to_string(), view)
            })
            .collect();
        let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
        ::safetensors::serialize(views, Some(meta)).unwrap()
    }

    #[test]
    fn converts_every_read_dtype() {
        let bytes = file(&[
            ("h", StDtype::F16, vec![2], vec![0x00, 0x3c, 0x00, 0xc0]),
            ("b", StDtype::BF16, vec![1], vec![0x40, 0xc0]),
            (
                "i",
                StDtype::I64,
                vec![2, 1],
                [-5i64, 7].iter().flat_map(|x| x.to_le_bytes()).collect(),
            ),
            ("m", StDtype::BOOL, vec![3], vec![1, 0, 1]),
            ("u", StDtype::U16, vec![1], 513u16.to_le_bytes().to_vec()),
        ]);
        let f = SafetensorsFile::from_bytes(bytes, "t.safetensors").unwrap();
        assert_eq!(f.tensor::<f32>("h").unwrap().to_vec(), [1.0, -2.0]);
        assert_eq!(f.tensor::<f32>("b").unwrap().to_vec(), [-3.0]);
        let i = f.tensor::<f64>("i").unwrap();
        assert_eq!((i.dims(), i.to_vec()), (vec![2, 1], vec![-5.0, 7.0]));
        assert_eq!(f.tensor::<f32>("m").unwrap().to_vec(), [1.0, 0.0, 1.0]);
        assert_eq!(f.tensor::<f32>("u").unwrap().to_vec(), [513.0]);
        assert_eq!(
            f.metadata()
                .and_then(|m| m.get("format"))
                .map(String::as_str),
            Some("pt")
        );
        assert_eq!(f.dtype("b").as_deref(), Some("BF16"));
        assert_eq!(f.shape("i"), Some(&[2, 1][..]));
        assert!(f.tensor::<f32>("nope").is_err());
    }

    #[test]
    fn unsupported_dtype_names_the_tensor() {
        let bytes = file(&[("c", StDtype::C64, vec![1], vec![0; 8])]);
        let f = SafetensorsFile::from_bytes(bytes, "t.safetensors").unwrap();
        let err = f.tensor::<f32>("c").unwrap_err().to_string();
        assert!(
            err.starts_with("t.safetensors: tensor c: unsupported dtype C64"),
            "{err}"
        );
    }

    #[test]
    fn invalid_files_name_the_file() {
        let err = |b: Vec<u8>| {
            SafetensorsFile::from_bytes(b, "w.safetensors")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(vec![1, 2, 3]),
            "w.safetensors: byte 3: the file ends inside the 8-byte header length"
        );
        assert!(err(b"\xff\xff\xff\x00\x00\x00\x00\x00{}".to_vec())
            .starts_with("w.safetensors: byte 0: not a safetensors file"));
        let mut bad_json = 4u64.to_le_bytes().to_vec();
        bad_json.extend_from_slice(b"{x: ");
        assert!(err(bad_json)
            .starts_with("w.safetensors: header, bytes 8 to 12: invalid safetensors header"));
        let good = file(&[("x", StDtype::F32, vec![2], vec![0; 8])]);
        let truncated = err(good[..good.len() - 1].to_vec());
        assert!(truncated.contains("truncated"), "{truncated}");
    }
}
