//! File formats against the reference implementations: arrays written by NumPy (`np.save`,
//! `np.savez`, `np.savez_compressed`), safetensors written by the `safetensors` package and
//! PyTorch, images written and decoded by Pillow, IDX files written by a script (all made by
//! tests/fixtures/formats/make_fixtures.py), round trips through our own writers, and the
//! failure cases: truncated, ragged or undecodable files give an `Err` naming the file and
//! where, never a panic.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gf_core::prelude::*;
use gf_core::shape::DynShape;
use gf_data::formats::csv::{read_csv, Column, CsvOptions, Missing};
use gf_data::formats::idx::{mnist, read_idx, IdxData};
use gf_data::formats::image_folder::{decode_image, decode_image_grayscale, ImageFolder};
use gf_data::formats::npy::{
    read_npy, read_npz, write_npy, write_npz, write_npz_compressed, NpyArray, NpyData,
};
use gf_data::formats::safetensors::{read_safetensors, read_safetensors_metadata, SafetensorsFile};
use gf_data::{DataLoader, Dataset, Error};
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    common::fixture_path("formats", name)
}

/// What NumPy / Pillow / PyTorch hold, from expected.json: dims and values as f64 (integers as
/// numbers, floats as their bits, so the comparison is exact).
fn expected(key: &str) -> (Vec<usize>, Vec<f64>) {
    let all = common::read_json("formats", "expected.json");
    let entry = &all[key];
    assert!(!entry.is_null(), "no {key} in expected.json");
    let dims = common::usizes(&entry["dims"]);
    let values = match entry.get("bits") {
        Some(bits) => bits
            .as_array()
            .unwrap()
            .iter()
            .map(|v| f64::from_bits(v.as_u64().unwrap()))
            .collect(),
        None => entry["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() as f64)
            .collect(),
    };
    (dims, values)
}

/// Asserts `tensor` holds exactly what the Python side recorded under `key`.
fn assert_matches(key: &str, tensor: &Tensor<DynShape, f64, Cpu>) {
    let (dims, values) = expected(key);
    assert_eq!(tensor.dims(), dims, "{key}: dims");
    let got = tensor.to_vec();
    assert_eq!(got.len(), values.len(), "{key}: length");
    for (i, (g, e)) in got.iter().zip(&values).enumerate() {
        assert!(
            g == e || (g.is_nan() && e.is_nan()),
            "{key}: element {i} is {g}, NumPy has {e}"
        );
        assert_eq!(
            g.is_sign_negative(),
            e.is_sign_negative(),
            "{key}: sign of {i}"
        );
    }
}

/// Asserts `err` is a format error whose message starts with the file's path and `position`.
fn assert_format_error(err: Error, path: &Path, position: &str) {
    let message = err.to_string();
    assert!(
        matches!(err, Error::Format { .. }),
        "not a Format error: {message}"
    );
    let prefix = format!("{}: {position}", path.display());
    assert!(
        message.starts_with(&prefix),
        "expected {prefix:?}..., got {message:?}"
    );
}

// ---------------------------------------------------------------- NPY / NPZ

#[test]
fn npy_files_written_by_numpy() {
    let names = [
        "f32_c",
        "f64_fortran",
        "f32_fortran_3d",
        "i4_big",
        "f8_big",
        "u2_big_fortran",
        "bool",
        "i1",
        "i2",
        "i8",
        "u1",
        "u4",
        "u8",
        "f2_big",
        "scalar",
        "empty",
    ];
    for name in names {
        let array = read_npy(fixture(&format!("{name}.npy"))).unwrap();
        assert_matches(&format!("npy/{name}"), &array.to_tensor::<f64>().unwrap());
    }
    // The dtypes come through as stored, byte order resolved.
    let dtype = |name: &str| read_npy(fixture(&format!("{name}.npy"))).unwrap().data;
    assert!(matches!(dtype("i4_big"), NpyData::I32(_)));
    assert!(matches!(dtype("u2_big_fortran"), NpyData::U16(_)));
    assert!(matches!(dtype("f64_fortran"), NpyData::F64(_)));
    assert_eq!(dtype("bool"), NpyData::Bool(vec![true, false, false, true]));
    assert_eq!(dtype("u8"), NpyData::U64(vec![1 << 40]));
    assert_eq!(
        dtype("f2_big"),
        NpyData::F16(vec![0x3c00, 0xc100, 0x7bff, 0x0001])
    );
    // A 0-d array has no dims and one element.
    let scalar = read_npy(fixture("scalar.npy")).unwrap();
    assert_eq!((scalar.dims.len(), scalar.data.len()), (0, 1));
    // Labels stored as int64 convert to usize.
    let labels = read_npz(fixture("compressed.npz")).unwrap()["labels"]
        .to_usize_tensor()
        .unwrap();
    assert_eq!(labels.to_vec(), [3, 1, 4, 1, 5]);
}

#[test]
fn npy_format_versions_two_and_three() {
    for name in ["v2.npy", "v3.npy"] {
        let array = read_npy(fixture(name)).unwrap();
        assert_matches("npy/versioned", &array.to_tensor::<f64>().unwrap());
    }
}

#[test]
fn npz_stored_and_compressed_written_by_numpy() {
    let stored = read_npz(fixture("stored.npz")).unwrap();
    assert_eq!(
        stored.keys().map(String::as_str).collect::<Vec<_>>(),
        ["mask", "x", "y"]
    );
    assert_matches("npy/f32_c", &stored["x"].to_tensor().unwrap());
    assert_matches("npy/i4_big", &stored["y"].to_tensor().unwrap());
    assert_matches("npy/bool", &stored["mask"].to_tensor().unwrap());
    let compressed = read_npz(fixture("compressed.npz")).unwrap();
    assert_matches(
        "npy/f64_fortran",
        &compressed["weights"].to_tensor().unwrap(),
    );
    assert_matches("npz/labels", &compressed["labels"].to_tensor().unwrap());
}

#[test]
fn npy_round_trip_of_tensors() {
    let dir = tempfile::tempdir().unwrap();
    let dev = Cpu::default();
    let path = dir.path().join("a.npy");

    let x: Tensor<(usize, Const<2>, Const<3>), f32, Cpu> = dev
        .try_tensor_from_vec(
            (0..12).map(|i| i as f32 * 0.5 - 1.0).collect(),
            (2, Const, Const),
        )
        .unwrap();
    write_npy(&path, &x).unwrap();
    let back = read_npy(&path).unwrap();
    assert_eq!(back.dims, [2, 2, 3]);
    assert_eq!(back.data, NpyData::F32(x.to_vec()));

    let labels: Tensor<(usize,), usize, Cpu> =
        dev.try_tensor_from_vec(vec![0, 9, 3], (3,)).unwrap();
    write_npy(&path, &labels).unwrap();
    let back = read_npy(&path).unwrap();
    assert_eq!(
        back.data,
        NpyData::I64(vec![0, 9, 3]),
        "usize is stored as int64"
    );
    assert_eq!(back.to_usize_tensor().unwrap().to_vec(), [0, 9, 3]);

    let d: Tensor<DynShape, f64, Cpu> = dev
        .try_tensor_from_vec(
            vec![1e-300, -0.0, f64::INFINITY, 2.0],
            DynShape(vec![1, 4, 1]),
        )
        .unwrap();
    write_npy(&path, &d).unwrap();
    let back = read_npy(&path).unwrap().to_tensor::<f64>().unwrap();
    assert_eq!(back.dims(), [1, 4, 1]);
    assert_eq!(
        back.to_vec()
            .iter()
            .map(|x| x.to_bits())
            .collect::<Vec<_>>(),
        d.to_vec().iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn npz_round_trip_stored_and_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let a = NpyArray::new(vec![2, 2], NpyData::F64(vec![1.0, 2.0, 3.0, 4.0])).unwrap();
    let b = NpyArray::new(vec![3], NpyData::U8(vec![0; 3])).unwrap();
    let big = NpyArray::new(vec![1000], NpyData::F32(vec![0.25; 1000])).unwrap();
    let entries = [("a", &a), ("b", &b), ("big", &big)];
    let stored = dir.path().join("s.npz");
    let compressed = dir.path().join("c.npz");
    write_npz(&stored, &entries).unwrap();
    write_npz_compressed(&compressed, &entries).unwrap();
    for path in [&stored, &compressed] {
        let back = read_npz(path).unwrap();
        let expected: BTreeMap<String, NpyArray> = entries
            .iter()
            .map(|(name, array)| (name.to_string(), (*array).clone()))
            .collect();
        assert_eq!(back, expected);
    }
    let size = |p: &PathBuf| std::fs::metadata(p).unwrap().len();
    assert!(
        size(&compressed) < size(&stored) / 2,
        "deflate shrinks repeated data"
    );
    assert!(write_npz(dir.path().join("d.npz"), &[("a", &a), ("a", &b)]).is_err());
}

#[test]
fn truncated_npy_names_file_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(fixture("f32_c.npy")).unwrap();
    let path = dir.path().join("cut.npy");
    // Inside the preamble, inside the header, inside the data.
    for (cut, position) in [(5, "byte 5"), (40, "byte 40"), (full.len() - 3, "byte 149")] {
        std::fs::write(&path, &full[..cut]).unwrap();
        assert_format_error(read_npy(&path).unwrap_err(), &path, position);
    }
    std::fs::write(&path, &full[..full.len() - 3]).unwrap();
    let message = read_npy(&path).unwrap_err().to_string();
    assert!(message.contains("the data ends early"), "{message}");
    // Bad magic and an unsupported dtype.
    std::fs::write(&path, b"this is not numpy data at all").unwrap();
    assert_format_error(
        read_npy(&path).unwrap_err(),
        &path,
        "byte 0: not an NPY file",
    );
    let mut complex = full.clone();
    let at = complex.windows(3).position(|w| w == b"<f4").unwrap();
    complex[at + 1..at + 3].copy_from_slice(b"c8");
    std::fs::write(&path, &complex).unwrap();
    assert_format_error(
        read_npy(&path).unwrap_err(),
        &path,
        "byte 10: unsupported dtype",
    );
    // A missing file is an I/O error naming it.
    let missing = dir.path().join("missing.npy");
    assert!(matches!(read_npy(&missing), Err(Error::Io { path, .. }) if path == missing));
}

#[test]
fn every_prefix_of_a_file_is_an_error_not_a_panic() {
    /// Whether the reader rejects the bytes.
    type Rejects = fn(&[u8]) -> bool;
    let cases: [(&str, Rejects); 3] = [
        ("f32_fortran_3d.npy", |b| {
            NpyArray::from_bytes(b, "x").is_err()
        }),
        ("images-idx3-ubyte", |b| {
            gf_data::formats::IdxArray::from_bytes(b, "x").is_err()
        }),
        ("numpy.safetensors", |b| {
            SafetensorsFile::from_bytes(b.to_vec(), "x").is_err()
        }),
    ];
    for (name, fails) in cases {
        let full = std::fs::read(fixture(name)).unwrap();
        for cut in 0..full.len() {
            assert!(fails(&full[..cut]), "{name} cut at {cut} was accepted");
        }
    }
}

#[test]
fn npz_entry_errors_name_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.npz");
    let good = NpyArray::new(vec![4], NpyData::I32(vec![1, 2, 3, 4]))
        .unwrap()
        .to_bytes();
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("ok.npy", options).unwrap();
        zip.write_all(&good).unwrap();
        zip.start_file("cut.npy", options).unwrap();
        zip.write_all(&good[..good.len() - 2]).unwrap();
        zip.finish().unwrap();
    }
    let at = good.len() - 2;
    assert_format_error(
        read_npz(&path).unwrap_err(),
        &path,
        &format!("entry cut.npy, byte {at}: the data ends early"),
    );
    std::fs::write(&path, b"PK but not a zip").unwrap();
    assert_format_error(read_npz(&path).unwrap_err(), &path, "zip archive");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn npy_bytes_round_trip(
        dims in prop::collection::vec(0usize..4, 0..4),
        seed in any::<i64>(),
    ) {
        let n: usize = dims.iter().product();
        let values: Vec<i64> = (0..n as i64).map(|i| i.wrapping_mul(seed)).collect();
        let a = NpyArray::new(dims.clone(), NpyData::I64(values)).unwrap();
        let back = NpyArray::from_bytes(&a.to_bytes(), "p.npy").unwrap();
        prop_assert_eq!(back, a);
        let f = NpyArray::new(dims, NpyData::F32((0..n).map(|i| i as f32 / 7.0).collect())).unwrap();
        prop_assert_eq!(NpyArray::from_bytes(&f.to_bytes(), "p.npy").unwrap(), f);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Corrupt bytes anywhere give an `Err` or a consistent array, never a panic.
    #[test]
    fn mutated_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mutate = |name: &str| {
            let mut bytes = std::fs::read(fixture(name)).unwrap();
            for (at, byte) in &edits {
                let i = at.index(bytes.len());
                bytes[i] = *byte;
            }
            bytes
        };
        if let Ok(a) = NpyArray::from_bytes(&mutate("f32_fortran_3d.npy"), "m.npy") {
            prop_assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        }
        if let Ok(a) = NpyArray::from_bytes(&mutate("v3.npy"), "m.npy") {
            prop_assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        }
        if let Ok(a) = gf_data::formats::IdxArray::from_bytes(&mutate("f32.idx"), "m.idx") {
            prop_assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        }
        if let Ok(f) = SafetensorsFile::from_bytes(mutate("numpy.safetensors"), "m.safetensors") {
            for name in f.names() {
                if let Ok(t) = f.tensor::<f32>(&name) {
                    let dims = t.dims();
                    prop_assert_eq!(Some(dims.as_slice()), f.shape(&name));
                }
            }
        }
    }

    /// Any header text, in a version 1 (latin-1) or 3 (UTF-8) file, never panics the parser.
    #[test]
    fn arbitrary_npy_headers_never_panic(header in "\\PC{0,80}", latin1 in any::<bool>()) {
        let mut bytes = b"\x93NUMPY".to_vec();
        let text: Vec<u8> = if latin1 {
            header.chars().map(|c| c as u32 as u8).collect()
        } else {
            header.into_bytes()
        };
        if latin1 {
            bytes.extend_from_slice(&[1, 0]);
            bytes.extend_from_slice(&(text.len() as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&[3, 0]);
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
        }
        bytes.extend_from_slice(&text);
        bytes.extend_from_slice(&[0; 16]);
        if let Ok(a) = NpyArray::from_bytes(&bytes, "h.npy") {
            prop_assert_eq!(a.dims.iter().product::<usize>(), a.data.len());
        }
    }
}

// ---------------------------------------------------------------- IDX

#[test]
fn mnist_pairs_plain_and_gzip() {
    let (dims, pixels) = expected("idx/images");
    assert_eq!(dims, [3, 28, 28]);
    let (_, labels) = expected("idx/labels");
    for (images, label_file) in [
        ("images-idx3-ubyte", "labels-idx1-ubyte"),
        ("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"),
    ] {
        let ds = mnist(fixture(images), fixture(label_file)).unwrap();
        assert_eq!(ds.len(), 3);
        assert_eq!(
            format!("{ds:?}"),
            "Mnist { len: 3, .. }",
            "a summary, not the pixels"
        );
        for i in 0..3 {
            let (image, label) = ds.get(i).unwrap();
            assert_eq!(label as f64, labels[i]);
            let want: Vec<f32> = pixels[i * 784..(i + 1) * 784]
                .iter()
                .map(|&p| p as f32 / 255.0)
                .collect();
            assert_eq!(image.to_vec(), want);
        }
        assert!(ds.get(3).is_err());
        let (x, y) = ds.tensors().unwrap();
        assert_eq!(x.dims(), [3, 1, 28, 28]);
        assert_eq!(y.to_vec(), [7, 2, 1]);
    }
    // The dataset batches through the loader into (batch, 1, 28, 28).
    let ds = mnist(fixture("images-idx3-ubyte"), fixture("labels-idx1-ubyte")).unwrap();
    let loader = DataLoader::new(ds).batch_size(2);
    let batches: Vec<_> = loader.iter().map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 2);
    assert_eq!(batches[0].0.dims()[0], 2);
    assert_eq!(batches[1].1.to_vec(), [1]);
}

#[test]
fn idx_other_type_codes() {
    let f32_idx = read_idx(fixture("f32.idx")).unwrap();
    assert!(matches!(f32_idx.data, IdxData::F32(_)));
    assert_matches("idx/f32", &f32_idx.to_tensor().unwrap());
    let i16_idx = read_idx(fixture("i16.idx")).unwrap();
    assert_eq!(i16_idx.data, IdxData::I16(vec![-300, 2, 7, 32767]));
    assert_matches("idx/i16", &i16_idx.to_tensor().unwrap());
}

#[test]
fn truncated_idx_names_file_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(fixture("images-idx3-ubyte")).unwrap();
    let path = dir.path().join("train-images-idx3-ubyte");
    std::fs::write(&path, &full[..1000]).unwrap();
    assert_format_error(
        read_idx(&path).unwrap_err(),
        &path,
        "byte 1000: the data ends early",
    );
    std::fs::write(&path, &full[..10]).unwrap();
    assert_format_error(
        read_idx(&path).unwrap_err(),
        &path,
        "byte 10: the file ends inside the dims",
    );
    // A truncated gzip stream.
    let gz = std::fs::read(fixture("images-idx3-ubyte.gz")).unwrap();
    let gz_path = dir.path().join("cut.gz");
    std::fs::write(&gz_path, &gz[..gz.len() / 2]).unwrap();
    let err = read_idx(&gz_path).unwrap_err();
    assert_format_error(err, &gz_path, "byte ");
    // mnist() refuses images that are not 28 x 28 bytes, naming the file.
    let err = mnist(fixture("f32.idx"), fixture("labels-idx1-ubyte")).unwrap_err();
    assert_format_error(err, &fixture("f32.idx"), "byte 2: MNIST images are u8");
    let err = mnist(fixture("images-idx3-ubyte"), fixture("i16.idx")).unwrap_err();
    assert_format_error(err, &fixture("i16.idx"), "byte 2");
}

// ---------------------------------------------------------------- safetensors

#[test]
fn safetensors_written_by_numpy() {
    let tensors = read_safetensors::<f64>(fixture("numpy.safetensors")).unwrap();
    let names: Vec<&str> = tensors.iter().map(|(n, _)| n.as_str()).collect();
    // File order (the writer sorts by dtype alignment, then name).
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["bias", "bytes", "i32", "ids", "mask", "weight"]);
    for (name, tensor) in &tensors {
        assert_matches(&format!("safetensors/{name}"), tensor);
    }
    let meta = read_safetensors_metadata(fixture("numpy.safetensors")).unwrap();
    assert_eq!(meta.get("source").map(String::as_str), Some("numpy"));
    let f32s = read_safetensors::<f32>(fixture("numpy.safetensors")).unwrap();
    let weight = &f32s.iter().find(|(n, _)| n == "weight").unwrap().1;
    assert_eq!(weight.dims(), [3, 2]);
}

#[test]
fn safetensors_half_floats_written_by_torch() {
    let file = SafetensorsFile::open(fixture("torch.safetensors")).unwrap();
    assert_eq!(file.dtype("half").as_deref(), Some("F16"));
    assert_eq!(file.dtype("bhalf").as_deref(), Some("BF16"));
    assert_eq!(
        file.metadata()
            .and_then(|m| m.get("format"))
            .map(String::as_str),
        Some("pt")
    );
    assert_matches("safetensors/half", &file.tensor("half").unwrap());
    assert_matches("safetensors/bhalf", &file.tensor("bhalf").unwrap());
}

#[test]
fn invalid_safetensors_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    std::fs::write(&path, b"definitely not safetensors").unwrap();
    assert_format_error(read_safetensors::<f32>(&path).unwrap_err(), &path, "byte 0");
    let full = std::fs::read(fixture("numpy.safetensors")).unwrap();
    std::fs::write(&path, &full[..full.len() - 4]).unwrap();
    assert_format_error(
        SafetensorsFile::open(&path).unwrap_err(),
        &path,
        &format!("byte {}", full.len() - 4),
    );
}

// ---------------------------------------------------------------- images

/// Pillow's pixels of fixture `name` converted to `mode` ("rgb" or "grey"), as bytes.
fn pillow_pixels(name: &str, mode: &str) -> (Vec<usize>, Vec<u8>) {
    let (dims, values) = expected(&format!("image/{name}/{mode}"));
    (dims, values.iter().map(|&v| v as u8).collect())
}

#[test]
fn png_and_jpeg_decode_like_pillow() {
    for name in ["rgb.png", "rgba.png", "grey.png"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let rgb = decode_image(&bytes, name).unwrap();
        let (dims, pixels) = pillow_pixels(name, "rgb");
        assert_eq!([rgb.height(), rgb.width(), rgb.channels()], dims[..]);
        assert_eq!(rgb.data(), pixels, "{name} RGB");
        let grey = decode_image_grayscale(&bytes, name).unwrap();
        let (dims, pixels) = pillow_pixels(name, "grey");
        assert_eq!([grey.height(), grey.width()], dims[..]);
        assert_eq!(grey.channels(), 1);
        assert_eq!(grey.data(), pixels, "{name} grey");
    }
    // JPEG decoders may round differently; a smooth image stays within a few levels.
    let bytes = std::fs::read(fixture("smooth.jpg")).unwrap();
    let rgb = decode_image(&bytes, "smooth.jpg").unwrap();
    let (dims, pixels) = pillow_pixels("smooth.jpg", "rgb");
    assert_eq!([rgb.height(), rgb.width(), rgb.channels()], dims[..]);
    let diffs: Vec<i32> = rgb
        .data()
        .iter()
        .zip(&pixels)
        .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
        .collect();
    let max = diffs.iter().copied().max().unwrap();
    let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
    assert!(
        max <= 4 && mean <= 1.0,
        "JPEG differs from Pillow: max {max}, mean {mean}"
    );
}

/// root/cat/{a.png, B.JPG, nested/c.png, notes.txt, .hidden.png}, root/dog/{x.jpeg},
/// root/.git/{y.png}, root/README.md
fn image_tree(root: &Path) {
    let copy = |from: &str, to: &str| {
        let dest = root.join(to);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(fixture(from), dest).unwrap();
    };
    copy("rgb.png", "cat/a.png");
    copy("smooth.jpg", "cat/B.JPG");
    copy("grey.png", "cat/nested/c.png");
    copy("rgba.png", "cat/.hidden.png");
    copy("smooth.jpg", "dog/x.jpeg");
    copy("rgb.png", ".git/y.png");
    std::fs::write(root.join("cat/notes.txt"), "not an image").unwrap();
    std::fs::write(root.join("README.md"), "a dataset").unwrap();
}

#[test]
fn image_folder_lists_like_torchvision() {
    let dir = tempfile::tempdir().unwrap();
    image_tree(dir.path());
    let ds = ImageFolder::new(dir.path()).unwrap();
    assert_eq!(ds.classes(), ["cat", "dog"]);
    assert_eq!(ds.class_to_idx()["dog"], 1);
    let files: Vec<String> = ds
        .samples()
        .iter()
        .map(|(p, _)| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        files,
        ["cat/B.JPG", "cat/a.png", "cat/nested/c.png", "dog/x.jpeg"]
    );
    assert_eq!(ds.targets(), [0, 0, 0, 1]);
    assert_eq!(ds.len(), 4);
    assert!(format!("{ds:?}").contains("classes: [\"cat\", \"dog\"], len: 4"));

    let (image, label) = ds.get(1).unwrap();
    assert_eq!(label, 0);
    assert_eq!(image.data(), pillow_pixels("rgb.png", "rgb").1);
    let (grey_as_rgb, _) = ds.get(2).unwrap();
    assert_eq!(grey_as_rgb.channels(), 3);
    assert_eq!(grey_as_rgb.data(), pillow_pixels("grey.png", "rgb").1);
    let (jpeg, label) = ds.get(3).unwrap();
    assert_eq!((jpeg.width(), jpeg.height(), label), (32, 24, 1));

    let grey = ds.grayscale(true);
    let (image, _) = grey.get(1).unwrap();
    assert_eq!(image.channels(), 1);
    assert_eq!(image.data(), pillow_pixels("rgb.png", "grey").1);
    assert!(grey.get(4).is_err());
}

#[test]
fn image_folder_errors() {
    let dir = tempfile::tempdir().unwrap();
    // A text file named like an image: Err on get, naming the file and the decoder's message.
    let root = dir.path().join("data");
    std::fs::create_dir_all(root.join("a")).unwrap();
    let fake = root.join("a/x.png");
    std::fs::write(&fake, "this is text, not a PNG").unwrap();
    let ds = ImageFolder::new(&root).unwrap();
    let err = ds.get(0).unwrap_err();
    assert_format_error(err, &fake, "image data: not a decodable image");
    // The loader reports it as the failure of that sample.
    let loader = DataLoader::new(ds.map(|(image, label)| Ok((image.width(), label))));
    let failed = loader.iter().next().unwrap().unwrap_err().to_string();
    assert!(failed.contains("x.png"), "{failed}");

    // A root without class folders, a missing root, a class without images.
    let flat = dir.path().join("flat");
    std::fs::create_dir_all(&flat).unwrap();
    std::fs::copy(fixture("rgb.png"), flat.join("a.png")).unwrap();
    assert_format_error(
        ImageFolder::new(&flat).unwrap_err(),
        &flat,
        "directory listing: no class folders",
    );
    assert!(matches!(
        ImageFolder::new(dir.path().join("nope")),
        Err(Error::Io { .. })
    ));
    std::fs::create_dir_all(root.join("b")).unwrap();
    std::fs::write(root.join("b/readme.txt"), "x").unwrap();
    let err = ImageFolder::new(&root).unwrap_err().to_string();
    assert!(
        err.contains("[\"b\"]") && err.contains("hold no image"),
        "{err}"
    );
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_file_to_tensor() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iris.csv");
    std::fs::write(
        &path,
        "sepal_length,sepal_width,species\n5.1,3.5,setosa\n7.0,NA,versicolor\n6.3,3.3,virginica\n",
    )
    .unwrap();
    let err = read_csv(&path, &CsvOptions::default()).unwrap_err();
    assert_format_error(
        err,
        &path,
        "line 3, column 2 (\"sepal_width\"): missing value",
    );
    let table = read_csv(&path, &CsvOptions::default().missing(Missing::Fill(0.0))).unwrap();
    assert_eq!(table.n_rows(), 3);
    let x = table
        .to_tensor::<f32>(&["sepal_length", "sepal_width"])
        .unwrap();
    assert_eq!(x.dims(), [3, 2]);
    assert_eq!(x.to_vec(), [5.1, 3.5, 7.0, 0.0, 6.3, 3.3]);
    let species = table.column("species").and_then(Column::as_text).unwrap();
    assert_eq!(species, ["setosa", "versicolor", "virginica"]);
}

#[test]
fn ragged_csv_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, "a,b,c\n1,2,3\n4,5,6\n7,8\n").unwrap();
    assert_format_error(
        read_csv(&path, &CsvOptions::default()).unwrap_err(),
        &path,
        "line 4: the row has 2 fields, but the header has 3",
    );
    let missing = dir.path().join("missing.csv");
    assert!(matches!(
        read_csv(&missing, &CsvOptions::default()),
        Err(Error::Io { .. })
    ));
}
