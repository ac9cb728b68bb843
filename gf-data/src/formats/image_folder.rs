//! Images sorted into one folder per class, like `torchvision.datasets.ImageFolder`:
//!
//! ```text
//! root/cat/001.png
//! root/cat/002.jpg
//! root/dog/a/xyz.jpeg
//! ```
//!
//! Classes are the sub-directories of `root`, sorted by name and numbered from 0; samples are
//! the PNG and JPEG files under each (recursively, extensions case-insensitive), sorted by
//! path. Hidden files and directories (names starting with `.`, such as
//! `.ipynb_checkpoints`) are skipped. Images are decoded when a sample is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dataset::{check_index, Dataset};
use crate::error::{Error, Result};
use crate::image::Image;

/// The file extensions read as images, compared case-insensitively.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg"];

/// A dataset of `(image, class index)` from a folder of class folders; see the
/// [module docs](self).
///
/// ```no_run
/// use gf_data::formats::ImageFolder;
/// use gf_data::Dataset;
///
/// let train = ImageFolder::new("data/train").unwrap();
/// println!("{} images of {:?}", train.len(), train.classes());
/// let (image, label) = train.get(0).unwrap(); // RGB, height × width × 3 bytes
/// ```
#[derive(Clone)]
pub struct ImageFolder {
    root: PathBuf,
    classes: Vec<String>,
    class_to_idx: BTreeMap<String, usize>,
    samples: Vec<(PathBuf, usize)>,
    grayscale: bool,
}

impl ImageFolder {
    /// Lists the classes and samples under `root`. `Err` if `root` cannot be read, has no class
    /// folders, or a class folder holds no image.
    pub fn new(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let mut classes = Vec::new();
        for (path, name, is_dir) in list_dir(&root)? {
            if is_dir {
                classes.push((name, path));
            }
        }
        if classes.is_empty() {
            return Err(Error::format(
                &root,
                "directory listing",
                "no class folders: ImageFolder expects one sub-directory per class",
            ));
        }
        let mut samples = Vec::new();
        let mut empty = Vec::new();
        for (index, (name, dir)) in classes.iter().enumerate() {
            let before = samples.len();
            collect_images(dir, index, &mut samples)?;
            if samples.len() == before {
                empty.push(name.clone());
            }
        }
        if !empty.is_empty() {
            return Err(Error::format(
                &root,
                "directory listing",
                format!(
                    "the class folders {empty:?} hold no image (extensions {IMAGE_EXTENSIONS:?})"
                ),
            ));
        }
        let classes: Vec<String> = classes.into_iter().map(|(name, _)| name).collect();
        let class_to_idx = classes
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        Ok(ImageFolder {
            root,
            classes,
            class_to_idx,
            samples,
            grayscale: false,
        })
    }

    /// Whether images come out with one grey channel (PIL's `convert("L")` weights) instead of
    /// three RGB channels (the default).
    pub fn grayscale(mut self, grayscale: bool) -> Self {
        self.grayscale = grayscale;
        self
    }

    /// The folder the dataset was read from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The class names, sorted; a label indexes this list.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The label of each class name.
    pub fn class_to_idx(&self) -> &BTreeMap<String, usize> {
        &self.class_to_idx
    }

    /// Every sample's path and label, in dataset order.
    pub fn samples(&self) -> &[(PathBuf, usize)] {
        &self.samples
    }

    /// Every sample's label, in dataset order (torchvision's `targets`), for stratified splits
    /// and weighted sampling.
    pub fn targets(&self) -> Vec<usize> {
        self.samples.iter().map(|&(_, label)| label).collect()
    }
}

/// Like torchvision's repr: the root, the classes and the number of samples.
impl std::fmt::Debug for ImageFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageFolder")
            .field("root", &self.root)
            .field("classes", &self.classes)
            .field("len", &self.samples.len())
            .field("grayscale", &self.grayscale)
            .finish()
    }
}

impl Dataset for ImageFolder {
    type Item = (Image, usize);

    fn len(&self) -> usize {
        self.samples.len()
    }

    fn get(&self, index: usize) -> Result<(Image, usize)> {
        check_index("ImageFolder::get", index, self.samples.len())?;
        let (path, label) = &self.samples[index];
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let image = if self.grayscale {
            decode_image_grayscale(&bytes, path)?
        } else {
            decode_image(&bytes, path)?
        };
        Ok((image, *label))
    }
}

/// The entries of `dir` that are not hidden, sorted by name: `(path, name, is_dir)`.
fn list_dir(dir: &Path) -> Result<Vec<(PathBuf, String, bool)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Follow symbolic links, as torchvision does.
        let is_dir = std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, e))?
            .is_dir();
        entries.push((path, name, is_dir));
    }
    entries.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(entries)
}

fn collect_images(dir: &Path, label: usize, out: &mut Vec<(PathBuf, usize)>) -> Result<()> {
    for (path, _, is_dir) in list_dir(dir)? {
        if is_dir {
            collect_images(&path, label, out)?;
        } else if has_image_extension(&path) {
            out.push((path, label));
        }
    }
    Ok(())
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn load(bytes: &[u8], path: &Path) -> Result<::image::DynamicImage> {
    ::image::load_from_memory(bytes)
        .map_err(|e| Error::format(path, "image data", format!("not a decodable image: {e}")))
}

/// Decodes PNG or JPEG `bytes` (the format is recognised from the data, not the name) into an
/// RGB [`Image`]; alpha is dropped and grey is expanded, like PIL's `convert("RGB")`. `path`
/// names the data in errors.
pub fn decode_image(bytes: &[u8], path: impl AsRef<Path>) -> Result<Image> {
    let rgb = load(bytes, path.as_ref())?.into_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    Image::new(width, height, 3, rgb.into_raw())
}

/// Decodes PNG or JPEG `bytes` into a one-channel [`Image`]. Colour is mixed with PIL's
/// `convert("L")` weights (0.299 R + 0.587 G + 0.114 B), so pixels match torchvision's
/// `Grayscale()`; grey images are kept as they are.
pub fn decode_image_grayscale(bytes: &[u8], path: impl AsRef<Path>) -> Result<Image> {
    use ::image::ColorType;
    let decoded = load(bytes, path.as_ref())?;
    let (width, height) = (decoded.width() as usize, decoded.height() as usize);
    let grey = match decoded.color() {
        ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16 => {
            decoded.into_luma8().into_raw()
        }
        _ => decoded
            .into_rgb8()
            .into_raw()
            .chunks_exact(3)
            .map(|p| {
                let mix =
                    u32::from(p[0]) * 19595 + u32::from(p[1]) * 38470 + u32::from(p[2]) * 7471;
                ((mix + 0x8000) >> 16) as u8
            })
            .collect(),
    };
    Image::new(width, height, 1, grey)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
        let img = ::image::RgbImage::from_raw(width, height, rgb.to_vec()).unwrap();
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, ::image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn decodes_rgb_and_grey() {
        let bytes = png(2, 1, &[255, 0, 0, 10, 20, 30]);
        let rgb = decode_image(&bytes, "a.png").unwrap();
        assert_eq!((rgb.width(), rgb.height(), rgb.channels()), (2, 1, 3));
        assert_eq!(rgb.data(), [255, 0, 0, 10, 20, 30]);
        let grey = decode_image_grayscale(&bytes, "a.png").unwrap();
        // PIL: L = R * 299/1000 + G * 587/1000 + B * 114/1000, rounded.
        assert_eq!(grey.data(), [76, 18]);
    }

    #[test]
    fn text_named_png_is_a_format_error() {
        let err = decode_image(b"hello, not an image", "dir/x.png").unwrap_err();
        assert!(matches!(err, Error::Format { .. }));
        assert!(
            err.to_string()
                .starts_with("dir/x.png: image data: not a decodable image"),
            "{err}"
        );
    }

    #[test]
    fn extensions_are_case_insensitive() {
        assert!(has_image_extension(Path::new("a/B.JPG")));
        assert!(has_image_extension(Path::new("a/b.Jpeg")));
        assert!(!has_image_extension(Path::new("a/b.gif")));
        assert!(!has_image_extension(Path::new("a/png")));
    }
}
