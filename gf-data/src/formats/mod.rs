//! File formats: CSV, NPY / NPZ, IDX (MNIST), safetensors, and image folders.
//!
//! Every reader returns `Err` rather than panicking on a bad file, and the error names the file
//! and where in it the problem is: `"line 5, column 3 (\"age\")"`, `"byte 80"`,
//! `"entry x.npy, byte 80"`, `"tensor fc.weight"`.

pub mod csv;
mod half;
pub mod idx;
pub mod image_folder;
pub mod npy;
pub mod safetensors;

pub use self::csv::{
    read_csv, read_csv_from_reader, Column, ColumnType, CsvOptions, CsvTable, Missing,
};
pub use self::idx::{mnist, read_idx, write_idx, IdxArray, IdxData, Mnist, MnistImage};
pub use self::image_folder::{decode_image, decode_image_grayscale, ImageFolder};
pub use self::npy::{
    read_npy, read_npz, write_npy, write_npz, write_npz_compressed, NpyArray, NpyData, NpyElement,
};
pub use self::safetensors::{
    read_safetensors, read_safetensors_metadata, write_safetensors, NamedTensors, SafetensorsFile,
};
