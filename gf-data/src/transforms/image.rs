//! Pixel-space transforms on [`Image`]: torchvision's `Resize`, `CenterCrop`, `RandomCrop`,
//! `RandomResizedCrop`, flips, `RandomRotation` and `ColorJitter`, with torchvision's names,
//! parameters and defaults, computed the way torchvision computes them on a PIL image (Pillow's
//! resampling, blending and HSV arithmetic), so outputs match torchvision's to the byte where
//! Pillow's arithmetic allows.
//!
//! Random transforms draw from the generator handed to [`Transform::apply`], never from a global
//! one, so a seed repeats an augmentation exactly.
//!
//! The functions behind the transforms ([`crop`], [`pad`], [`resize`], [`rotate`],
//! [`adjust_brightness`], ...) are public too, like `torchvision.transforms.functional`.

use gf_core::rng::Xoshiro256;

use crate::error::{Error, Result};
use crate::image::Image;
use crate::transforms::Transform;

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

/// How to compute a pixel that falls between source pixels (torchvision's `InterpolationMode`).
/// Resizes use Pillow's filters of these names, antialiased when shrinking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InterpolationMode {
    /// The nearest source pixel.
    Nearest,
    /// Linear in each direction (a triangle filter, widened when shrinking): the default of
    /// `Resize` and `RandomResizedCrop`.
    #[default]
    Bilinear,
    /// Keys' cubic with a = -0.5, as Pillow.
    Bicubic,
    /// A box filter: the mean of the covered pixels.
    Box,
    /// A Hamming-windowed sinc of support 1.
    Hamming,
    /// A Lanczos-windowed sinc of support 3.
    Lanczos,
}

/// How `pad` and `RandomCrop` fill the border (torchvision's `padding_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaddingMode {
    /// A constant colour, the `fill`.
    #[default]
    Constant,
    /// The nearest edge pixel repeated.
    Edge,
    /// Mirrored without repeating the edge pixel: `[1, 2, 3]` padded by 2 is `[3, 2, 1, 2, 3, 2, 1]`.
    Reflect,
    /// Mirrored repeating the edge pixel: `[1, 2, 3]` padded by 2 is `[2, 1, 1, 2, 3, 3, 2]`.
    Symmetric,
}

/// A fill colour: one value for every channel (`Fill::from(0)`) or one per channel
/// (`Fill::from([255, 0, 0])`), like torchvision's `fill`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fill(Vec<u8>);

impl Fill {
    /// The colour for an image of `channels` channels; `Err` if the counts differ.
    fn pixel(&self, op: &'static str, channels: usize) -> Result<Vec<u8>> {
        match self.0.len() {
            1 => Ok(vec![self.0[0]; channels]),
            n if n == channels => Ok(self.0.clone()),
            n => Err(Error::argument(
                op,
                format!("fill has {n} values but the image has {channels} channels"),
            )),
        }
    }
}

impl Default for Fill {
    fn default() -> Self {
        Fill(vec![0])
    }
}

impl From<u8> for Fill {
    fn from(v: u8) -> Self {
        Fill(vec![v])
    }
}

impl<const N: usize> From<[u8; N]> for Fill {
    fn from(v: [u8; N]) -> Self {
        Fill(v.to_vec())
    }
}

impl From<Vec<u8>> for Fill {
    fn from(v: Vec<u8>) -> Self {
        Fill(v)
    }
}

/// Border widths in pixels. As in torchvision: `Padding::from(n)` pads every side by `n`,
/// `Padding::from((lr, tb))` pads left and right by `lr`, top and bottom by `tb`, and
/// `Padding::from([left, top, right, bottom])` sets each side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Padding {
    /// Columns added on the left.
    pub left: usize,
    /// Rows added on top.
    pub top: usize,
    /// Columns added on the right.
    pub right: usize,
    /// Rows added at the bottom.
    pub bottom: usize,
}

impl From<usize> for Padding {
    fn from(n: usize) -> Self {
        Padding {
            left: n,
            top: n,
            right: n,
            bottom: n,
        }
    }
}

impl From<(usize, usize)> for Padding {
    fn from((lr, tb): (usize, usize)) -> Self {
        Padding {
            left: lr,
            top: tb,
            right: lr,
            bottom: tb,
        }
    }
}

impl From<[usize; 4]> for Padding {
    fn from([left, top, right, bottom]: [usize; 4]) -> Self {
        Padding {
            left,
            top,
            right,
            bottom,
        }
    }
}

/// The size of a crop: `CropSize::from(n)` is an `n`×`n` square, `CropSize::from((h, w))` is
/// `h` rows by `w` columns, like torchvision's `size` argument of the crops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CropSize {
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
}

impl From<usize> for CropSize {
    fn from(n: usize) -> Self {
        CropSize {
            height: n,
            width: n,
        }
    }
}

impl From<(usize, usize)> for CropSize {
    fn from((height, width): (usize, usize)) -> Self {
        CropSize { height, width }
    }
}

/// The target of a [`Resize`]: as in torchvision, `Size::from(n)` matches the shorter side to
/// `n` keeping the aspect ratio, `Size::from((h, w))` is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// The shorter side becomes this long; the longer one `int(n * long / short)`.
    Shorter(usize),
    /// Exactly `(height, width)`.
    Exact(usize, usize),
}

impl From<usize> for Size {
    fn from(n: usize) -> Self {
        Size::Shorter(n)
    }
}

impl From<(usize, usize)> for Size {
    fn from((h, w): (usize, usize)) -> Self {
        Size::Exact(h, w)
    }
}

// ---------------------------------------------------------------------------------------------
// Crop and pad: one row-copying kernel driven by per-axis coordinate maps
// ---------------------------------------------------------------------------------------------

/// Where padded coordinate `x` (which may lie outside `0..n`) reads from, or `None` for the fill.
fn map_coord(x: isize, n: usize, mode: PaddingMode) -> Option<usize> {
    if x >= 0 && (x as usize) < n {
        return Some(x as usize);
    }
    if n == 0 {
        return None;
    }
    let n_i = n as isize;
    match mode {
        PaddingMode::Constant => None,
        PaddingMode::Edge => Some(x.clamp(0, n_i - 1) as usize),
        PaddingMode::Reflect => {
            if n == 1 {
                return Some(0);
            }
            let period = 2 * (n_i - 1);
            let m = x.rem_euclid(period);
            Some(if m >= n_i { period - m } else { m } as usize)
        }
        PaddingMode::Symmetric => {
            let period = 2 * n_i;
            let m = x.rem_euclid(period);
            Some(if m >= n_i { period - 1 - m } else { m } as usize)
        }
    }
}

/// One piece of an output row: a run of source pixels or of fill.
#[derive(Clone, Copy, Debug)]
enum Segment {
    Copy { dst: usize, src: usize, len: usize },
    Fill { dst: usize, len: usize },
}

/// Groups a column map into runs so that each output row is a few `copy_from_slice` calls.
fn segments(cols: &[Option<usize>]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for (x, &c) in cols.iter().enumerate() {
        match (out.last_mut(), c) {
            (Some(Segment::Copy { src, len, .. }), Some(s)) if *src + *len == s => *len += 1,
            (Some(Segment::Fill { len, .. }), None) => *len += 1,
            (_, Some(s)) => out.push(Segment::Copy {
                dst: x,
                src: s,
                len: 1,
            }),
            (_, None) => out.push(Segment::Fill { dst: x, len: 1 }),
        }
    }
    out
}

/// Builds the image whose pixel `(x, y)` is source pixel `(cols[x], rows[y])`, or `fill` where a
/// map says `None`. Every crop, pad and combination of them goes through here.
fn remap(src: &Image, rows: &[Option<usize>], cols: &[Option<usize>], fill: &[u8]) -> Image {
    let c = src.channels();
    let (out_w, out_h) = (cols.len(), rows.len());
    let row_len = out_w * c;
    let mut data = vec![0u8; row_len * out_h];
    let segs = segments(cols);
    let needs_fill = fill.iter().any(|&v| v != 0)
        && (rows.iter().any(Option::is_none) || cols.iter().any(Option::is_none));
    let fill_row: Vec<u8> = if needs_fill {
        fill.iter().copied().cycle().take(row_len).collect()
    } else {
        Vec::new()
    };
    let src_data = src.data();
    let src_stride = src.width() * c;
    if row_len > 0 {
        for (out_row, r) in data.chunks_exact_mut(row_len).zip(rows) {
            match r {
                None => {
                    if needs_fill {
                        out_row.copy_from_slice(&fill_row);
                    }
                }
                Some(r) => {
                    let src_row = &src_data[r * src_stride..(r + 1) * src_stride];
                    for seg in &segs {
                        match *seg {
                            Segment::Copy { dst, src, len } => out_row[dst * c..(dst + len) * c]
                                .copy_from_slice(&src_row[src * c..(src + len) * c]),
                            Segment::Fill { dst, len } => {
                                if needs_fill {
                                    out_row[dst * c..(dst + len) * c]
                                        .copy_from_slice(&fill_row[dst * c..(dst + len) * c]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    image_from(out_w, out_h, c, data)
}

/// An image we built ourselves, whose length is right by construction.
fn image_from(width: usize, height: usize, channels: usize, data: Vec<u8>) -> Image {
    match Image::new(width, height, channels, data) {
        Ok(img) => img,
        // The buffers are sized from the same three numbers; this arm is never taken.
        Err(_) => unreachable!("buffer sized from width, height and channels"),
    }
}

fn axis_range(start: isize, len: usize) -> impl Iterator<Item = isize> {
    (0..len as isize).map(move |i| start + i)
}

/// The region of `img` at `(top, left)` of size `height`×`width`, like torchvision's
/// `F.crop`: parts outside the image are black, as PIL's `crop` makes them.
pub fn crop(img: &Image, top: isize, left: isize, height: usize, width: usize) -> Image {
    let rows: Vec<_> = axis_range(top, height)
        .map(|y| map_coord(y, img.height(), PaddingMode::Constant))
        .collect();
    let cols: Vec<_> = axis_range(left, width)
        .map(|x| map_coord(x, img.width(), PaddingMode::Constant))
        .collect();
    remap(img, &rows, &cols, &vec![0; img.channels()])
}

/// `img` with a border, like torchvision's `F.pad(img, padding, fill, padding_mode)`;
/// `Err` if `fill` does not fit the channels, or a reflecting mode meets an empty image.
pub fn pad(
    img: &Image,
    padding: impl Into<Padding>,
    fill: impl Into<Fill>,
    mode: PaddingMode,
) -> Result<Image> {
    let p = padding.into();
    let fill = fill.into().pixel("pad", img.channels())?;
    check_non_empty("pad", img, mode)?;
    let rows: Vec<_> = axis_range(-(p.top as isize), img.height() + p.top + p.bottom)
        .map(|y| map_coord(y, img.height(), mode))
        .collect();
    let cols: Vec<_> = axis_range(-(p.left as isize), img.width() + p.left + p.right)
        .map(|x| map_coord(x, img.width(), mode))
        .collect();
    Ok(remap(img, &rows, &cols, &fill))
}

fn check_non_empty(op: &'static str, img: &Image, mode: PaddingMode) -> Result<()> {
    if mode != PaddingMode::Constant && (img.width() == 0 || img.height() == 0) {
        return Err(Error::argument(
            op,
            format!(
                "cannot pad an empty {}x{} image with {mode:?} padding",
                img.width(),
                img.height()
            ),
        ));
    }
    Ok(())
}

/// The central `height`×`width` region, like torchvision's `F.center_crop`: offsets are
/// `round((H - h) / 2)` (Python's round, half to even), and an image smaller than the crop is
/// first padded with black.
pub fn center_crop(img: &Image, size: impl Into<CropSize>) -> Image {
    let CropSize { height, width } = size.into();
    let (w, h) = (img.width(), img.height());
    // torchvision pads a too-small image (left/top get the floor half), then crops the centre.
    let (pad_l, pad_w) = if width > w {
        ((width - w) / 2, width - w)
    } else {
        (0, 0)
    };
    let (pad_t, pad_h) = if height > h {
        ((height - h) / 2, height - h)
    } else {
        (0, 0)
    };
    let (pw, ph) = (w + pad_w, h + pad_h);
    let top = ((ph - height) as f64 / 2.0).round_ties_even() as isize;
    let left = ((pw - width) as f64 / 2.0).round_ties_even() as isize;
    crop(
        img,
        top - pad_t as isize,
        left - pad_l as isize,
        height,
        width,
    )
}

/// `img` mirrored left to right, in place, like torchvision's `F.hflip`.
pub fn hflip(mut img: Image) -> Image {
    let (w, c) = (img.width(), img.channels());
    if w == 0 {
        return img;
    }
    for row in img.data_mut().chunks_exact_mut(w * c) {
        // Reversing the row reverses the pixels and the channels in each; undo the latter.
        row.reverse();
        if c > 1 {
            for px in row.chunks_exact_mut(c) {
                px.reverse();
            }
        }
    }
    img
}

/// `img` mirrored top to bottom, in place, like torchvision's `F.vflip`.
pub fn vflip(mut img: Image) -> Image {
    let (h, stride) = (img.height(), img.width() * img.channels());
    let data = img.data_mut();
    for y in 0..h / 2 {
        let (top, bottom) = data.split_at_mut((h - 1 - y) * stride);
        top[y * stride..(y + 1) * stride].swap_with_slice(&mut bottom[..stride]);
    }
    img
}

// ---------------------------------------------------------------------------------------------
// Resize: Pillow's separable resampling in 8-bit fixed point
// ---------------------------------------------------------------------------------------------

/// Fraction bits of Pillow's fixed-point filter weights (32 - 8 - 2).
const PRECISION_BITS: u32 = 22;

fn filter_support(mode: InterpolationMode) -> f64 {
    match mode {
        InterpolationMode::Box => 0.5,
        InterpolationMode::Bilinear | InterpolationMode::Hamming => 1.0,
        InterpolationMode::Bicubic => 2.0,
        InterpolationMode::Lanczos => 3.0,
        InterpolationMode::Nearest => 0.0,
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let x = x * std::f64::consts::PI;
        x.sin() / x
    }
}

fn filter_weight(mode: InterpolationMode, x: f64) -> f64 {
    match mode {
        InterpolationMode::Box => {
            if x > -0.5 && x <= 0.5 {
                1.0
            } else {
                0.0
            }
        }
        InterpolationMode::Bilinear => {
            let x = x.abs();
            if x < 1.0 {
                1.0 - x
            } else {
                0.0
            }
        }
        InterpolationMode::Hamming => {
            let x = x.abs();
            if x == 0.0 {
                1.0
            } else if x >= 1.0 {
                0.0
            } else {
                let x = x * std::f64::consts::PI;
                // Pillow writes the window's constants as C floats.
                x.sin() / x * (0.54f32 as f64 + 0.46f32 as f64 * x.cos())
            }
        }
        InterpolationMode::Bicubic => {
            let a = -0.5;
            let x = x.abs();
            if x < 1.0 {
                ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
            } else if x < 2.0 {
                (((x - 5.0) * x + 8.0) * x - 4.0) * a
            } else {
                0.0
            }
        }
        InterpolationMode::Lanczos => {
            if (-3.0..3.0).contains(&x) {
                sinc(x) * sinc(x / 3.0)
            } else {
                0.0
            }
        }
        InterpolationMode::Nearest => 0.0,
    }
}

/// Fixed-point filter weights for one axis: for output `i`, taps start at `bounds[i].0`, number
/// `bounds[i].1`, and have weights `k[i * ksize..]` (Pillow's `precompute_coeffs` and
/// `normalize_coeffs_8bpc`).
struct Coeffs {
    ksize: usize,
    bounds: Vec<(usize, usize)>,
    k: Vec<i32>,
}

fn precompute_coeffs(in_size: usize, out_size: usize, mode: InterpolationMode) -> Coeffs {
    let scale = in_size as f32 as f64 / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = filter_support(mode) * filterscale;
    let ksize = support.ceil() as usize * 2 + 1;
    let mut bounds = Vec::with_capacity(out_size);
    let mut k = vec![0i32; out_size * ksize];
    let mut w = vec![0f64; ksize];
    let ss = 1.0 / filterscale;
    for (xx, kk) in k.chunks_exact_mut(ksize).enumerate() {
        let center = (xx as f64 + 0.5) * scale;
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xmax = ((center + support + 0.5) as i64).min(in_size as i64) - xmin;
        let taps = xmax.clamp(0, ksize as i64) as usize;
        let mut ww = 0.0;
        for (x, wx) in w.iter_mut().enumerate().take(taps) {
            let v = filter_weight(mode, ((x as i64 + xmin) as f64 - center + 0.5) * ss);
            *wx = v;
            ww += v;
        }
        for (kx, &wx) in kk.iter_mut().zip(&w[..taps]) {
            let v = if ww != 0.0 { wx / ww } else { wx };
            let scaled = v * (1u32 << PRECISION_BITS) as f64;
            *kx = if v < 0.0 {
                (-0.5 + scaled) as i32
            } else {
                (0.5 + scaled) as i32
            };
        }
        bounds.push((xmin as usize, taps));
    }
    Coeffs { ksize, bounds, k }
}

#[inline]
fn clip8(ss: i32) -> u8 {
    (ss >> PRECISION_BITS).clamp(0, 255) as u8
}

/// A rectangle of an image, read in place.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [u8],
    stride: usize,
    x0: usize,
    y0: usize,
    width: usize,
    height: usize,
    channels: usize,
}

impl View<'_> {
    fn whole(img: &Image) -> View<'_> {
        View {
            data: img.data(),
            stride: img.width() * img.channels(),
            x0: 0,
            y0: 0,
            width: img.width(),
            height: img.height(),
            channels: img.channels(),
        }
    }

    #[inline]
    fn row(&self, y: usize) -> &[u8] {
        let start = (self.y0 + y) * self.stride + self.x0 * self.channels;
        &self.data[start..start + self.width * self.channels]
    }
}

fn resample_horizontal(src: View<'_>, rows: std::ops::Range<usize>, co: &Coeffs) -> Vec<u8> {
    let c = src.channels;
    let out_w = co.bounds.len();
    let mut out = vec![0u8; out_w * c * rows.len()];
    if out_w == 0 {
        return out;
    }
    for (y, out_row) in rows.zip(out.chunks_exact_mut(out_w * c)) {
        let in_row = src.row(y);
        for (xx, px) in out_row.chunks_exact_mut(c).enumerate() {
            let (xmin, n) = co.bounds[xx];
            let k = &co.k[xx * co.ksize..xx * co.ksize + n];
            let mut ss = [1i32 << (PRECISION_BITS - 1); 4];
            let taps = &in_row[xmin * c..(xmin + n) * c];
            for (tap, &kx) in taps.chunks_exact(c).zip(k) {
                for (s, &v) in ss.iter_mut().zip(tap) {
                    *s = s.wrapping_add((v as i32).wrapping_mul(kx));
                }
            }
            for (o, &s) in px.iter_mut().zip(&ss) {
                *o = clip8(s);
            }
        }
    }
    out
}

fn resample_vertical(src: View<'_>, co: &Coeffs, row_shift: usize) -> Vec<u8> {
    let row_len = src.width * src.channels;
    let out_h = co.bounds.len();
    let mut out = vec![0u8; row_len * out_h];
    if row_len == 0 {
        return out;
    }
    let mut acc = vec![0i32; row_len];
    for (yy, out_row) in out.chunks_exact_mut(row_len).enumerate() {
        let (ymin, n) = co.bounds[yy];
        let k = &co.k[yy * co.ksize..yy * co.ksize + n];
        acc.fill(1 << (PRECISION_BITS - 1));
        for (dy, &ky) in k.iter().enumerate() {
            let in_row = src.row(ymin - row_shift + dy);
            for (a, &v) in acc.iter_mut().zip(in_row) {
                *a = a.wrapping_add((v as i32).wrapping_mul(ky));
            }
        }
        for (o, &a) in out_row.iter_mut().zip(&acc) {
            *o = clip8(a);
        }
    }
    out
}

/// Pillow's nearest-neighbour scale (`ImagingScaleAffine`): source `floor((i + 0.5) * in / out)`
/// accumulated in floating point the way Pillow does.
fn nearest_indices(in_size: usize, out_size: usize) -> Vec<Option<usize>> {
    let a = in_size as f32 as f64 / out_size as f64;
    let mut xo = a * 0.5;
    let mut out = Vec::with_capacity(out_size);
    for _ in 0..out_size {
        let xin = if xo < 0.0 { -1 } else { xo as i64 };
        out.push(if xin >= 0 && (xin as usize) < in_size {
            Some(xin as usize)
        } else {
            None
        });
        xo += a;
    }
    out
}

fn resize_view(src: View<'_>, height: usize, width: usize, mode: InterpolationMode) -> Image {
    let c = src.channels;
    if mode == InterpolationMode::Nearest {
        let rows = nearest_indices(src.height, height);
        let cols = nearest_indices(src.width, width);
        let segs = segments(&cols);
        let row_len = width * c;
        let mut data = vec![0u8; row_len * height];
        if row_len > 0 {
            for (out_row, r) in data.chunks_exact_mut(row_len).zip(&rows) {
                if let Some(r) = *r {
                    let in_row = src.row(r);
                    for seg in &segs {
                        if let Segment::Copy { dst, src, len } = *seg {
                            out_row[dst * c..(dst + len) * c]
                                .copy_from_slice(&in_row[src * c..(src + len) * c]);
                        }
                    }
                    // Runs of length 1 are the usual case when enlarging; they were copied above.
                }
            }
        }
        return image_from(width, height, c, data);
    }
    let need_h = width != src.width;
    let need_v = height != src.height;
    let vert = precompute_coeffs(src.height, height, mode);
    // Pillow 13 runs the vertical pass first when it removes rows faster than the horizontal
    // pass removes columns (a rule measured against Pillow on 395 random sizes, not documented).
    let vertical_first = need_h
        && height < src.height
        && (src.height - height) as i64 > 2 * (src.width as i64 - width as i64);
    if vertical_first {
        let tmp = resample_vertical(src, &vert, 0);
        let tmp_view = View {
            data: &tmp,
            stride: src.width * c,
            x0: 0,
            y0: 0,
            width: src.width,
            height,
            channels: c,
        };
        let horiz = precompute_coeffs(src.width, width, mode);
        return image_from(
            width,
            height,
            c,
            resample_horizontal(tmp_view, 0..height, &horiz),
        );
    }
    if need_h {
        let horiz = precompute_coeffs(src.width, width, mode);
        let (first, last) = if need_v {
            let first = vert.bounds.first().map_or(0, |b| b.0);
            let last = vert.bounds.last().map_or(0, |b| b.0 + b.1);
            (first, last.max(first))
        } else {
            (0, src.height)
        };
        let tmp = resample_horizontal(src, first..last, &horiz);
        if !need_v {
            return image_from(width, height, c, tmp);
        }
        let tmp_view = View {
            data: &tmp,
            stride: width * c,
            x0: 0,
            y0: 0,
            width,
            height: last - first,
            channels: c,
        };
        return image_from(width, height, c, resample_vertical(tmp_view, &vert, first));
    }
    if need_v {
        return image_from(width, height, c, resample_vertical(src, &vert, 0));
    }
    let mut data = Vec::with_capacity(width * height * c);
    for y in 0..height {
        data.extend_from_slice(src.row(y));
    }
    image_from(width, height, c, data)
}

/// torchvision's `_compute_resized_output_size`: `(height, width)` for `size` and `max_size`.
pub fn resized_output_size(
    height: usize,
    width: usize,
    size: Size,
    max_size: Option<usize>,
) -> Result<(usize, usize)> {
    match size {
        Size::Exact(h, w) => {
            if max_size.is_some() {
                return Err(Error::argument(
                    "Resize",
                    "max_size is only allowed when size is a single number (the shorter side)",
                ));
            }
            Ok((h, w))
        }
        Size::Shorter(n) => {
            let (short, long) = if width <= height {
                (width, height)
            } else {
                (height, width)
            };
            if short == 0 {
                return Err(Error::argument(
                    "Resize",
                    format!("cannot keep the aspect ratio of an empty {width}x{height} image"),
                ));
            }
            let (mut new_short, mut new_long) =
                (n, (n as f64 * long as f64 / short as f64) as usize);
            if let Some(max) = max_size {
                if max <= n {
                    return Err(Error::argument(
                        "Resize",
                        format!("max_size = {max} must be strictly greater than the requested size for the shorter side ({n})"),
                    ));
                }
                if new_long > max {
                    new_short = (max as f64 * new_short as f64 / new_long as f64) as usize;
                    new_long = max;
                }
            }
            Ok(if width <= height {
                (new_long, new_short)
            } else {
                (new_short, new_long)
            })
        }
    }
}

/// `img` resized to `height`×`width` like torchvision's `F.resize` on a PIL image: Pillow's
/// filters (antialiased when shrinking) in Pillow's fixed-point arithmetic. RGBA images are
/// filtered per channel (Pillow premultiplies alpha first; results differ where alpha < 255).
/// `Err` for an empty source with a non-empty target.
pub fn resize(img: &Image, height: usize, width: usize, mode: InterpolationMode) -> Result<Image> {
    if (img.width() == 0 || img.height() == 0) && width * height > 0 {
        return Err(Error::argument(
            "resize",
            format!(
                "cannot resize an empty {}x{} image to {width}x{height}",
                img.width(),
                img.height()
            ),
        ));
    }
    if img.width() == width && img.height() == height {
        return Ok(img.clone());
    }
    Ok(resize_view(View::whole(img), height, width, mode))
}

/// A crop followed by a resize, like torchvision's `F.resized_crop`, without building the crop.
/// `Err` if the region leaves the image or is empty.
pub fn resized_crop(
    img: &Image,
    region: (usize, usize, usize, usize),
    size: (usize, usize),
    mode: InterpolationMode,
) -> Result<Image> {
    let (top, left, h, w) = region;
    if h == 0 || w == 0 || top + h > img.height() || left + w > img.width() {
        return Err(Error::argument(
            "resized_crop",
            format!(
                "the region {h}x{w} at ({top}, {left}) is empty or leaves the {}x{} image",
                img.height(),
                img.width()
            ),
        ));
    }
    let view = View {
        x0: left,
        y0: top,
        width: w,
        height: h,
        ..View::whole(img)
    };
    if size == (h, w) {
        return Ok(crop(img, top as isize, left as isize, h, w));
    }
    Ok(resize_view(view, size.0, size.1, mode))
}

// ---------------------------------------------------------------------------------------------
// Rotation: Pillow's `Image.rotate`
// ---------------------------------------------------------------------------------------------

/// Python's `round(x, 15)`: correctly rounded to 15 decimals.
fn round15(x: f64) -> f64 {
    format!("{x:.15}").parse().unwrap_or(x)
}

fn transpose(img: &Image, quarter_turns: u8) -> Image {
    let (w, h, c) = (img.width(), img.height(), img.channels());
    let src = img.data();
    let (ow, oh) = if quarter_turns % 2 == 1 {
        (h, w)
    } else {
        (w, h)
    };
    let mut data = vec![0u8; w * h * c];
    for y in 0..oh {
        for x in 0..ow {
            // Counter-clockwise turns, like PIL's ROTATE_90 / ROTATE_180 / ROTATE_270.
            let (sx, sy) = match quarter_turns {
                1 => (w - 1 - y, x),
                2 => (w - 1 - x, h - 1 - y),
                _ => (y, h - 1 - x),
            };
            let s = (sy * w + sx) * c;
            let d = (y * ow + x) * c;
            data[d..d + c].copy_from_slice(&src[s..s + c]);
        }
    }
    image_from(ow, oh, c, data)
}

/// `img` rotated `angle` degrees counter-clockwise like torchvision's `F.rotate` on a PIL image
/// (Pillow's `Image.rotate`): about `center` (default the image centre), keeping the size unless
/// `expand`, with `fill` outside. `Nearest` and `Bilinear` are supported; `Err` for other modes
/// or a `fill` that does not fit the channels.
pub fn rotate(
    img: &Image,
    angle: f64,
    mode: InterpolationMode,
    expand: bool,
    center: Option<(f64, f64)>,
    fill: impl Into<Fill>,
) -> Result<Image> {
    let fill = fill.into().pixel("rotate", img.channels())?;
    if !matches!(
        mode,
        InterpolationMode::Nearest | InterpolationMode::Bilinear
    ) {
        return Err(Error::argument(
            "rotate",
            format!("interpolation {mode:?} is not supported; use Nearest or Bilinear"),
        ));
    }
    if !angle.is_finite() {
        return Err(Error::argument(
            "rotate",
            format!("angle must be finite, got {angle}"),
        ));
    }
    let angle = angle.rem_euclid(360.0);
    let (w, h) = (img.width(), img.height());
    if center.is_none() {
        if angle == 0.0 {
            return Ok(img.clone());
        }
        if angle == 180.0 {
            return Ok(transpose(img, 2));
        }
        if (angle == 90.0 || angle == 270.0) && (expand || w == h) {
            return Ok(transpose(img, if angle == 90.0 { 1 } else { 3 }));
        }
    }
    let (cx, cy) = center.unwrap_or((w as f64 / 2.0, h as f64 / 2.0));
    let r = -angle.to_radians();
    let mut m = [
        round15(r.cos()),
        round15(r.sin()),
        0.0,
        round15(-r.sin()),
        round15(r.cos()),
        0.0,
    ];
    let apply =
        |x: f64, y: f64, m: &[f64; 6]| (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]);
    let (tx, ty) = apply(-cx, -cy, &m);
    m[2] = tx + cx;
    m[5] = ty + cy;
    let (mut ow, mut oh) = (w, h);
    if expand {
        let corners = [
            (0.0, 0.0),
            (w as f64, 0.0),
            (w as f64, h as f64),
            (0.0, h as f64),
        ];
        let pts: Vec<(f64, f64)> = corners.iter().map(|&(x, y)| apply(x, y, &m)).collect();
        let fold = |f: fn(f64, f64) -> f64, init: f64, pick: fn(&(f64, f64)) -> f64| {
            pts.iter().map(pick).fold(init, f)
        };
        let nw = fold(f64::max, f64::NEG_INFINITY, |p| p.0).ceil()
            - fold(f64::min, f64::INFINITY, |p| p.0).floor();
        let nh = fold(f64::max, f64::NEG_INFINITY, |p| p.1).ceil()
            - fold(f64::min, f64::INFINITY, |p| p.1).floor();
        let (tx, ty) = apply(-(nw - w as f64) / 2.0, -(nh - h as f64) / 2.0, &m);
        m[2] = tx;
        m[5] = ty;
        ow = nw.max(0.0) as usize;
        oh = nh.max(0.0) as usize;
    }
    Ok(affine_transform(img, ow, oh, &m, mode, &fill))
}

/// Pillow's `ImagingTransformAffine` for the output size `ow`×`oh`: output pixel `(x, y)` reads
/// the source at `m · (x + 0.5, y + 0.5, 1)`.
fn affine_transform(
    img: &Image,
    ow: usize,
    oh: usize,
    m: &[f64; 6],
    mode: InterpolationMode,
    fill: &[u8],
) -> Image {
    let (w, h, c) = (img.width(), img.height(), img.channels());
    let src = img.data();
    let mut data: Vec<u8> = fill.iter().copied().cycle().take(ow * oh * c).collect();
    if mode == InterpolationMode::Bilinear {
        bilinear_affine(img, ow, oh, m, &mut data);
        return image_from(ow, oh, c, data);
    }
    let copy_px = |data: &mut [u8], x: usize, y: usize, sx: i64, sy: i64| {
        if sx >= 0 && (sx as usize) < w && sy >= 0 && (sy as usize) < h {
            let s = (sy as usize * w + sx as usize) * c;
            let d = (y * ow + x) * c;
            data[d..d + c].copy_from_slice(&src[s..s + c]);
        }
    };
    let check_fixed = |x: f64, y: f64| {
        (x * m[0] + y * m[1] + m[2]).abs() < 32768.0 && (x * m[3] + y * m[4] + m[5]).abs() < 32768.0
    };
    let (fw, fh) = (ow as f64, oh as f64);
    if m[1] == 0.0 && m[3] == 0.0 {
        // Pure scaling: Pillow's ImagingScaleAffine.
        let mut xo = m[2] + m[0] * 0.5;
        let mut xs = Vec::with_capacity(ow);
        for _ in 0..ow {
            xs.push(if xo < 0.0 { -1 } else { xo as i64 });
            xo += m[0];
        }
        let mut yo = m[5] + m[4] * 0.5;
        for y in 0..oh {
            let sy = if yo < 0.0 { -1 } else { yo as i64 };
            for (x, &sx) in xs.iter().enumerate() {
                copy_px(&mut data, x, y, sx, sy);
            }
            yo += m[4];
        }
    } else if check_fixed(0.0, 0.0)
        && check_fixed(fw, fh)
        && check_fixed(0.0, fh)
        && check_fixed(fw, 0.0)
    {
        // 16.16 fixed point, as Pillow's affine_fixed.
        let fix = |v: f64| {
            let v = v * 65536.0 + 0.5;
            if v < 0.0 {
                v.floor() as i64
            } else {
                v as i64
            }
        };
        let (a0, a1, a3, a4) = (fix(m[0]), fix(m[1]), fix(m[3]), fix(m[4]));
        let mut a2 = fix(m[2] + m[0] * 0.5 + m[1] * 0.5);
        let mut a5 = fix(m[5] + m[3] * 0.5 + m[4] * 0.5);
        for y in 0..oh {
            let (mut xx, mut yy) = (a2, a5);
            for x in 0..ow {
                copy_px(&mut data, x, y, xx >> 16, yy >> 16);
                xx += a0;
                yy += a3;
            }
            a2 += a1;
            a5 += a4;
        }
    } else {
        let coord = |v: f64| if v < 0.0 { -1 } else { v as i64 };
        let mut xo = m[2] + m[1] * 0.5 + m[0] * 0.5;
        let mut yo = m[5] + m[4] * 0.5 + m[3] * 0.5;
        for y in 0..oh {
            let (mut xx, mut yy) = (xo, yo);
            for x in 0..ow {
                copy_px(&mut data, x, y, coord(xx), coord(yy));
                xx += m[0];
                yy += m[3];
            }
            xo += m[1];
            yo += m[4];
        }
    }
    image_from(ow, oh, c, data)
}

/// Pillow's generic transform with its bilinear filter (`bilinear_filter32RGB`).
fn bilinear_affine(img: &Image, ow: usize, oh: usize, m: &[f64; 6], out: &mut [u8]) {
    let (w, h, c) = (img.width() as i64, img.height() as i64, img.channels());
    let src = img.data();
    let floor = |v: f64| if v < 0.0 { v.floor() as i64 } else { v as i64 };
    let px = |x: i64, y: i64, b: usize| src[((y * w + x) as usize) * c + b] as f64;
    for y in 0..oh {
        for x in 0..ow {
            let (xi, yi) = (x as f64 + 0.5, y as f64 + 0.5);
            let xin = m[0] * xi + m[1] * yi + m[2];
            let yin = m[3] * xi + m[4] * yi + m[5];
            if xin < 0.0 || xin >= w as f64 || yin < 0.0 || yin >= h as f64 {
                continue;
            }
            let (xin, yin) = (xin - 0.5, yin - 0.5);
            let (sx, sy) = (floor(xin), floor(yin));
            let (dx, dy) = (xin - sx as f64, yin - sy as f64);
            let x0 = sx.clamp(0, w - 1);
            let x1 = (sx + 1).clamp(0, w - 1);
            let y0 = sy.clamp(0, h - 1);
            let d = (y * ow + x) * c;
            for b in 0..c {
                let v1 = px(x0, y0, b) + (px(x1, y0, b) - px(x0, y0, b)) * dx;
                let v2 = if sy + 1 >= 0 && sy + 1 < h {
                    px(x0, sy + 1, b) + (px(x1, sy + 1, b) - px(x0, sy + 1, b)) * dx
                } else {
                    v1
                };
                out[d + b] = (v1 + (v2 - v1) * dy) as u8;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Colour: Pillow's ImageEnhance blends and HSV arithmetic
// ---------------------------------------------------------------------------------------------

/// Pillow's `Image.blend(degenerate, img, factor)` for one byte: interpolation truncates,
/// extrapolation clamps, all in C `float`.
#[inline]
fn blend(degenerate: u8, value: u8, factor: f32) -> u8 {
    let t = degenerate as f32 + factor * (value as i32 - degenerate as i32) as f32;
    if (0.0..=1.0).contains(&factor) {
        t as u8
    } else if t <= 0.0 {
        0
    } else if t >= 255.0 {
        255
    } else {
        t as u8
    }
}

/// Pillow's RGB → L: ITU-R 601-2 luma in 16-bit fixed point.
#[inline]
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 19595 + g as u32 * 38470 + b as u32 * 7471 + 0x8000) >> 16) as u8
}

/// The colour channels of an image (alpha is never touched by the colour adjustments).
fn colour_channels(c: usize) -> usize {
    if c == 4 {
        3
    } else {
        c
    }
}

/// [`blend`] of every colour channel (alpha is kept) with `degenerate(pixel)`, the colour that
/// factor 0 gives: what Pillow's `ImageEnhance` classes do with their degenerate images.
fn blend_image(img: &mut Image, factor: f32, degenerate: impl Fn(&[u8]) -> u8) {
    let c = img.channels();
    let cc = colour_channels(c);
    for px in img.data_mut().chunks_exact_mut(c) {
        let d = degenerate(px);
        for v in &mut px[..cc] {
            *v = blend(d, *v, factor);
        }
    }
}

fn check_factor(op: &'static str, factor: f64) -> Result<()> {
    if factor < 0.0 || !factor.is_finite() {
        return Err(Error::argument(
            op,
            format!("the factor must be a non-negative number, got {factor}"),
        ));
    }
    Ok(())
}

/// Brightness like torchvision's `F.adjust_brightness` (Pillow's `ImageEnhance.Brightness`):
/// a blend with black; 0 gives black, 1 the original. `Err` for a negative factor.
pub fn adjust_brightness(mut img: Image, factor: f64) -> Result<Image> {
    check_factor("adjust_brightness", factor)?;
    let f = factor as f32;
    if f != 1.0 {
        blend_image(&mut img, f, |_| 0);
    }
    Ok(img)
}

/// Contrast like torchvision's `F.adjust_contrast` (Pillow's `ImageEnhance.Contrast`): a blend
/// with the mean grey level (rounded); 0 gives solid grey, 1 the original. `Err` for a negative
/// factor.
pub fn adjust_contrast(mut img: Image, factor: f64) -> Result<Image> {
    check_factor("adjust_contrast", factor)?;
    let f = factor as f32;
    let c = img.channels();
    let cc = colour_channels(c);
    let n = img.width() * img.height();
    if f == 1.0 || n == 0 {
        return Ok(img);
    }
    let total: u64 = if cc == 1 {
        img.data().chunks_exact(c).map(|p| p[0] as u64).sum()
    } else {
        img.data()
            .chunks_exact(c)
            .map(|p| luma(p[0], p[1], p[2]) as u64)
            .sum()
    };
    let mean = (total as f64 / n as f64 + 0.5) as u8;
    blend_image(&mut img, f, |_| mean);
    Ok(img)
}

/// Saturation like torchvision's `F.adjust_saturation` (Pillow's `ImageEnhance.Color`): a blend
/// with the greyscale image; 0 gives grey, 1 the original. Grey images are returned as they are.
/// `Err` for a negative factor.
pub fn adjust_saturation(mut img: Image, factor: f64) -> Result<Image> {
    check_factor("adjust_saturation", factor)?;
    let f = factor as f32;
    let c = img.channels();
    if f == 1.0 || c == 1 {
        return Ok(img);
    }
    blend_image(&mut img, f, |px| luma(px[0], px[1], px[2]));
    Ok(img)
}

/// Pillow's RGB → HSV for one pixel (`rgb2hsv_row`), with its float arithmetic.
#[inline]
fn rgb_to_hsv(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let maxc = r.max(g).max(b);
    let minc = r.min(g).min(b);
    if maxc == minc {
        return (0, 0, maxc);
    }
    let cr = (maxc - minc) as f32;
    let s = cr / maxc as f32;
    let rc = (maxc - r) as f32 / cr;
    let gc = (maxc - g) as f32 / cr;
    let bc = (maxc - b) as f32 / cr;
    let h: f32 = if r == maxc {
        bc - gc
    } else if g == maxc {
        (2.0 + rc as f64 - bc as f64) as f32
    } else {
        (4.0 + gc as f64 - rc as f64) as f32
    };
    let h = ((h as f64 / 6.0 + 1.0) % 1.0) as f32;
    let uh = ((h as f64 * 255.0) as i32).clamp(0, 255) as u8;
    let us = ((s as f64 * 255.0) as i32).clamp(0, 255) as u8;
    (uh, us, maxc)
}

/// Pillow's HSV → RGB for one pixel (`hsv2rgb`), with its float arithmetic.
#[inline]
fn hsv_to_rgb(h: u8, s: u8, v: u8) -> (u8, u8, u8) {
    if s == 0 {
        return (v, v, v);
    }
    let h6 = h as f32 as f64 * 6.0 / 255.0;
    let i = h6.floor() as i32;
    let f = (h6 - i as f32 as f64) as f32;
    let fs = (s as f32 as f64 / 255.0) as f32;
    let vf = v as f32 as f64;
    let p = (vf * (1.0 - fs as f64)).round() as i32;
    let q = (vf * (1.0 - (fs * f) as f64)).round() as i32;
    let t = (vf * (1.0 - fs as f64 * (1.0 - f as f64))).round() as i32;
    let (p, q, t) = (
        p.clamp(0, 255) as u8,
        q.clamp(0, 255) as u8,
        t.clamp(0, 255) as u8,
    );
    match i.rem_euclid(6) {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    }
}

/// Hue like torchvision's `F.adjust_hue` on a PIL image: to Pillow's 8-bit HSV, hue shifted by
/// `int(factor * 255)` modulo 256, and back. `factor` must lie in `[-0.5, 0.5]`; grey images
/// are returned as they are, and RGBA keeps its alpha.
pub fn adjust_hue(mut img: Image, factor: f64) -> Result<Image> {
    if !(-0.5..=0.5).contains(&factor) {
        return Err(Error::argument(
            "adjust_hue",
            format!("hue_factor ({factor}) is not in [-0.5, 0.5]"),
        ));
    }
    let c = img.channels();
    if c == 1 {
        return Ok(img);
    }
    let shift = ((factor * 255.0) as i32) as u8;
    for px in img.data_mut().chunks_exact_mut(c) {
        let (h, s, v) = rgb_to_hsv(px[0], px[1], px[2]);
        let (r, g, b) = hsv_to_rgb(h.wrapping_add(shift), s, v);
        px[0] = r;
        px[1] = g;
        px[2] = b;
    }
    Ok(img)
}

// ---------------------------------------------------------------------------------------------
// Transforms
// ---------------------------------------------------------------------------------------------

/// Resizes to a size, like torchvision's `Resize(size, interpolation=BILINEAR, max_size=None,
/// antialias=True)` on PIL images.
///
/// ```
/// use gf_data::transforms::{Resize, Transform};
/// use gf_data::Image;
/// let img = Image::zeros(40, 20, 3).unwrap();
/// let out = Resize::new(10).apply(img, &mut gf_core::rng::Xoshiro256::new(0)).unwrap();
/// assert_eq!((out.width(), out.height()), (20, 10)); // the shorter side becomes 10
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Resize {
    /// The target.
    pub size: Size,
    /// The filter.
    pub interpolation: InterpolationMode,
    /// With [`Size::Shorter`], a cap on the longer side.
    pub max_size: Option<usize>,
}

impl Resize {
    /// Resize to `size`: a number for the shorter side, `(h, w)` for an exact size.
    pub fn new(size: impl Into<Size>) -> Self {
        Resize {
            size: size.into(),
            interpolation: InterpolationMode::Bilinear,
            max_size: None,
        }
    }

    /// With another filter.
    pub fn interpolation(mut self, mode: InterpolationMode) -> Self {
        self.interpolation = mode;
        self
    }

    /// With a cap on the longer side (only with a shorter-side size).
    pub fn max_size(mut self, max_size: usize) -> Self {
        self.max_size = Some(max_size);
        self
    }
}

impl Transform<Image> for Resize {
    type Output = Image;
    fn apply(&self, img: Image, _rng: &mut Xoshiro256) -> Result<Image> {
        let (h, w) = resized_output_size(img.height(), img.width(), self.size, self.max_size)?;
        if (h, w) == (img.height(), img.width()) {
            return Ok(img);
        }
        resize(&img, h, w, self.interpolation)
    }
}

/// Crops the centre, like torchvision's `CenterCrop(size)` (padding with black if the image is
/// smaller).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CenterCrop {
    /// The output size.
    pub size: CropSize,
}

impl CenterCrop {
    /// A centre crop of `size`: `n` for a square, `(h, w)` otherwise.
    pub fn new(size: impl Into<CropSize>) -> Self {
        CenterCrop { size: size.into() }
    }
}

impl Transform<Image> for CenterCrop {
    type Output = Image;
    fn apply(&self, img: Image, _rng: &mut Xoshiro256) -> Result<Image> {
        if (img.height(), img.width()) == (self.size.height, self.size.width) {
            return Ok(img);
        }
        Ok(center_crop(&img, self.size))
    }
}

/// Crops at a random position, like torchvision's `RandomCrop(size, padding=None,
/// pad_if_needed=False, fill=0, padding_mode="constant")`: pads first if asked, then picks the
/// top row uniformly in `0..=H - h` and the left column in `0..=W - w`.
///
/// Padding and crop happen in one pass that copies rows straight from the source; the padded
/// image is never built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomCrop {
    /// The output size.
    pub size: CropSize,
    /// Border added before cropping.
    pub padding: Padding,
    /// Whether to pad an image smaller than the crop (by the missing amount on both sides).
    pub pad_if_needed: bool,
    /// The colour of constant padding.
    pub fill: Fill,
    /// How the border is filled.
    pub padding_mode: PaddingMode,
}

impl RandomCrop {
    /// A random crop of `size` without padding.
    pub fn new(size: impl Into<CropSize>) -> Self {
        RandomCrop {
            size: size.into(),
            padding: Padding::default(),
            pad_if_needed: false,
            fill: Fill::default(),
            padding_mode: PaddingMode::Constant,
        }
    }

    /// With a border: `4` for every side, `(lr, tb)`, or `[left, top, right, bottom]`.
    pub fn padding(mut self, padding: impl Into<Padding>) -> Self {
        self.padding = padding.into();
        self
    }

    /// Whether to pad images smaller than the crop.
    pub fn pad_if_needed(mut self, yes: bool) -> Self {
        self.pad_if_needed = yes;
        self
    }

    /// The colour of constant padding.
    pub fn fill(mut self, fill: impl Into<Fill>) -> Self {
        self.fill = fill.into();
        self
    }

    /// How the border is filled.
    pub fn padding_mode(mut self, mode: PaddingMode) -> Self {
        self.padding_mode = mode;
        self
    }

    /// The crop of the (padded) image at `(top, left)`, without drawing anything: what `apply`
    /// does once it has drawn the position. `Err` if the crop does not fit.
    pub fn crop_at(&self, img: &Image, top: usize, left: usize) -> Result<Image> {
        let fill = self.fill.pixel("RandomCrop", img.channels())?;
        let plan = self.plan(img)?;
        let (th, tw) = (self.size.height, self.size.width);
        if top + th > plan.1.padded || left + tw > plan.0.padded {
            return Err(Error::argument(
                "RandomCrop",
                format!(
                    "a {th}x{tw} crop at ({top}, {left}) leaves the padded {}x{} image",
                    plan.1.padded, plan.0.padded
                ),
            ));
        }
        let mode = self.padding_mode;
        let rows: Vec<_> = (top..top + th)
            .map(|y| plan.1.source(y, img.height(), mode))
            .collect();
        let cols: Vec<_> = (left..left + tw)
            .map(|x| plan.0.source(x, img.width(), mode))
            .collect();
        Ok(remap(img, &rows, &cols, &fill))
    }

    /// The padding along each axis (x, y) and the padded sizes; `Err` if the crop cannot fit.
    fn plan(&self, img: &Image) -> Result<(AxisPad, AxisPad)> {
        check_non_empty("RandomCrop", img, self.padding_mode)?;
        let p = self.padding;
        let mut x = AxisPad::new(img.width(), p.left, p.right);
        let mut y = AxisPad::new(img.height(), p.top, p.bottom);
        if self.pad_if_needed {
            x.pad_to(self.size.width);
            y.pad_to(self.size.height);
        }
        if x.padded < self.size.width || y.padded < self.size.height {
            return Err(Error::argument(
                "RandomCrop",
                format!(
                    "required crop size {}x{} is larger than the (padded) image size {}x{}",
                    self.size.height, self.size.width, y.padded, x.padded
                ),
            ));
        }
        Ok((x, y))
    }
}

/// Padding along one axis: `before` then, if needed, `extra` on both sides of the padded image
/// (torchvision pads twice, which differs from padding once for the mirroring modes).
#[derive(Clone, Copy, Debug)]
struct AxisPad {
    before: usize,
    first: usize,
    extra: usize,
    padded: usize,
}

impl AxisPad {
    fn new(n: usize, before: usize, after: usize) -> Self {
        let first = n + before + after;
        AxisPad {
            before,
            first,
            extra: 0,
            padded: first,
        }
    }

    fn pad_to(&mut self, size: usize) {
        if self.first < size {
            self.extra = size - self.first;
            self.padded = self.first + 2 * self.extra;
        }
    }

    fn source(&self, i: usize, n: usize, mode: PaddingMode) -> Option<usize> {
        let in_first = map_coord(i as isize - self.extra as isize, self.first, mode)?;
        map_coord(in_first as isize - self.before as isize, n, mode)
    }
}

impl Transform<Image> for RandomCrop {
    type Output = Image;
    fn apply(&self, img: Image, rng: &mut Xoshiro256) -> Result<Image> {
        let (x, y) = self.plan(&img)?;
        let (th, tw) = (self.size.height, self.size.width);
        if (x.padded, y.padded) == (img.width(), img.height()) && (th, tw) == (y.padded, x.padded) {
            return Ok(img);
        }
        let top = rng.below((y.padded - th + 1) as u64) as usize;
        let left = rng.below((x.padded - tw + 1) as u64) as usize;
        self.crop_at(&img, top, left)
    }
}

/// Declares a transform that flips with probability `p`: the struct with its public `p`, `new`,
/// torchvision's default `p = 0.5`, optionally `From` the image flip it mirrors, and the
/// [`Transform`] impl that draws one number from the RNG per call and applies `$flip` (a
/// function returning `Result`) when it is below `p`. The image and tensor flips share it.
macro_rules! random_flip {
    (
        $(#[$doc:meta])*
        $name:ident $(from $image_flip:ident)?:
        impl$(<$($g:ident: $bound:ident),*>)? Transform<$input:ty> by $flip:expr
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $name {
            /// The probability of a flip.
            pub p: f64,
        }

        impl $name {
            /// Flips with probability `p`.
            pub fn new(p: f64) -> Self {
                $name { p }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name { p: 0.5 }
            }
        }

        $(
            impl From<$image_flip> for $name {
                fn from(f: $image_flip) -> Self {
                    $name { p: f.p }
                }
            }
        )?

        impl$(<$($g: $bound),*>)? Transform<$input> for $name {
            type Output = $input;
            fn apply(&self, input: $input, rng: &mut Xoshiro256) -> Result<$input> {
                if rng.next_f64() < self.p {
                    $flip(input)
                } else {
                    Ok(input)
                }
            }
        }
    };
}
pub(super) use random_flip;

random_flip! {
    /// Mirrors left to right with probability `p`, like torchvision's
    /// `RandomHorizontalFlip(p=0.5)`. For tensors use
    /// [`RandomHorizontalFlipTensor`](super::RandomHorizontalFlipTensor).
    RandomHorizontalFlip: impl Transform<Image> by |img| Ok(hflip(img))
}

random_flip! {
    /// Mirrors top to bottom with probability `p`, like torchvision's
    /// `RandomVerticalFlip(p=0.5)`. For tensors use
    /// [`RandomVerticalFlipTensor`](super::RandomVerticalFlipTensor).
    RandomVerticalFlip: impl Transform<Image> by |img| Ok(vflip(img))
}

/// A range of degrees: `Degrees::from(30.0)` is `(-30, 30)`, `Degrees::from((0.0, 90.0))` as given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Degrees(pub f64, pub f64);

impl From<f64> for Degrees {
    fn from(d: f64) -> Self {
        Degrees(-d, d)
    }
}

impl From<(f64, f64)> for Degrees {
    fn from((lo, hi): (f64, f64)) -> Self {
        Degrees(lo, hi)
    }
}

/// Rotates by an angle drawn uniformly from `degrees`, like torchvision's
/// `RandomRotation(degrees, interpolation=NEAREST, expand=False, center=None, fill=0)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomRotation {
    /// The range of angles, counter-clockwise.
    pub degrees: Degrees,
    /// `Nearest` (the default) or `Bilinear`.
    pub interpolation: InterpolationMode,
    /// Whether the output grows to hold the whole rotated image.
    pub expand: bool,
    /// The centre of rotation `(x, y)` in pixels; the image centre if `None`.
    pub center: Option<(f64, f64)>,
    /// The colour outside the rotated image.
    pub fill: Fill,
}

impl RandomRotation {
    /// Rotations in `degrees` (`d` for `(-d, d)`); `Err` for a negative single number, a
    /// reversed or non-finite range.
    pub fn new(degrees: impl Into<Degrees>) -> Result<Self> {
        let degrees = degrees.into();
        if !(degrees.0.is_finite() && degrees.1.is_finite()) || degrees.0 > degrees.1 {
            return Err(Error::argument(
                "RandomRotation",
                format!(
                    "degrees must be a non-negative number or a finite (min, max) range, got ({}, {})",
                    degrees.0, degrees.1
                ),
            ));
        }
        Ok(RandomRotation {
            degrees,
            interpolation: InterpolationMode::Nearest,
            expand: false,
            center: None,
            fill: Fill::default(),
        })
    }

    /// With another filter (`Nearest` or `Bilinear`).
    pub fn interpolation(mut self, mode: InterpolationMode) -> Self {
        self.interpolation = mode;
        self
    }

    /// Whether to grow the output to hold the whole rotated image.
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    /// The centre of rotation `(x, y)`.
    pub fn center(mut self, center: (f64, f64)) -> Self {
        self.center = Some(center);
        self
    }

    /// The colour outside the rotated image.
    pub fn fill(mut self, fill: impl Into<Fill>) -> Self {
        self.fill = fill.into();
        self
    }
}

impl Transform<Image> for RandomRotation {
    type Output = Image;
    fn apply(&self, img: Image, rng: &mut Xoshiro256) -> Result<Image> {
        let angle = rng.uniform(self.degrees.0, self.degrees.1);
        rotate(
            &img,
            angle,
            self.interpolation,
            self.expand,
            self.center,
            self.fill.clone(),
        )
    }
}

/// How much a [`ColorJitter`] factor may vary: `Jitter::from(0.4)` is `[0.6, 1.4]` for
/// brightness, contrast and saturation (`[-0.4, 0.4]` for hue); `Jitter::from((0.5, 1.5))` is the
/// range itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Jitter {
    /// Symmetric about the neutral factor.
    Around(f64),
    /// An explicit `(min, max)`.
    Range(f64, f64),
}

impl From<f64> for Jitter {
    fn from(v: f64) -> Self {
        Jitter::Around(v)
    }
}

impl From<(f64, f64)> for Jitter {
    fn from((lo, hi): (f64, f64)) -> Self {
        Jitter::Range(lo, hi)
    }
}

/// torchvision's `ColorJitter._check_input`: the range, or `None` when it is the identity.
fn jitter_range(
    name: &str,
    jitter: Jitter,
    center: f64,
    bound: (f64, f64),
    clip_first_on_zero: bool,
) -> Result<Option<(f64, f64)>> {
    let (mut lo, hi) = match jitter {
        Jitter::Around(v) => {
            if v < 0.0 || v.is_nan() {
                return Err(Error::argument(
                    "ColorJitter",
                    format!("if {name} is a single number, it must be non negative, got {v}"),
                ));
            }
            (center - v, center + v)
        }
        Jitter::Range(lo, hi) => (lo, hi),
    };
    if clip_first_on_zero && matches!(jitter, Jitter::Around(_)) {
        lo = lo.max(0.0);
    }
    if !(bound.0 <= lo && lo <= hi && hi <= bound.1) {
        return Err(Error::argument(
            "ColorJitter",
            format!("{name} values should be between {bound:?}, but got [{lo}, {hi}]"),
        ));
    }
    Ok(if lo == center && hi == center {
        None
    } else {
        Some((lo, hi))
    })
}

/// Randomly changes brightness, contrast, saturation and hue, like torchvision's
/// `ColorJitter(brightness=0, contrast=0, saturation=0, hue=0)`: each factor is drawn uniformly
/// from its range, and the four adjustments are applied in a random order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColorJitter {
    /// The brightness factor's range, if jittered.
    pub brightness: Option<(f64, f64)>,
    /// The contrast factor's range, if jittered.
    pub contrast: Option<(f64, f64)>,
    /// The saturation factor's range, if jittered.
    pub saturation: Option<(f64, f64)>,
    /// The hue shift's range (within `[-0.5, 0.5]`), if jittered.
    pub hue: Option<(f64, f64)>,
}

impl ColorJitter {
    /// A jitter of each property: `0.0` leaves it alone, `x` draws from `[max(0, 1 - x), 1 + x]`
    /// (hue: `[-x, x]`, at most 0.5), `(lo, hi)` draws from that range. `Err` for negative
    /// amounts or ranges outside the bounds, as torchvision.
    ///
    /// ```
    /// use gf_data::transforms::ColorJitter;
    /// let jitter = ColorJitter::new(0.4, 0.4, 0.4, 0.1).unwrap();
    /// assert_eq!(jitter.brightness, Some((0.6, 1.4)));
    /// assert!(ColorJitter::new(0.0, 0.0, 0.0, 0.6).is_err());
    /// ```
    pub fn new(
        brightness: impl Into<Jitter>,
        contrast: impl Into<Jitter>,
        saturation: impl Into<Jitter>,
        hue: impl Into<Jitter>,
    ) -> Result<Self> {
        let pos = (0.0, f64::INFINITY);
        Ok(ColorJitter {
            brightness: jitter_range("brightness", brightness.into(), 1.0, pos, true)?,
            contrast: jitter_range("contrast", contrast.into(), 1.0, pos, true)?,
            saturation: jitter_range("saturation", saturation.into(), 1.0, pos, true)?,
            hue: jitter_range("hue", hue.into(), 0.0, (-0.5, 0.5), false)?,
        })
    }

    /// Draws the order (a permutation of brightness, contrast, saturation, hue = 0..4) and the
    /// factors, like torchvision's `ColorJitter.get_params`.
    #[allow(clippy::type_complexity)]
    pub fn get_params(
        &self,
        rng: &mut Xoshiro256,
    ) -> (
        Vec<usize>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    ) {
        let order = rng.permutation(4);
        let mut draw = |r: Option<(f64, f64)>| r.map(|(lo, hi)| rng.uniform(lo, hi));
        let b = draw(self.brightness);
        let c = draw(self.contrast);
        let s = draw(self.saturation);
        let h = draw(self.hue);
        (order, b, c, s, h)
    }
}

impl Transform<Image> for ColorJitter {
    type Output = Image;
    fn apply(&self, mut img: Image, rng: &mut Xoshiro256) -> Result<Image> {
        let (order, b, c, s, h) = self.get_params(rng);
        for step in order {
            img = match (step, b, c, s, h) {
                (0, Some(f), ..) => adjust_brightness(img, f)?,
                (1, _, Some(f), ..) => adjust_contrast(img, f)?,
                (2, _, _, Some(f), _) => adjust_saturation(img, f)?,
                (3, .., Some(f)) => adjust_hue(img, f)?,
                _ => img,
            };
        }
        Ok(img)
    }
}

/// Crops a random region of random area and aspect ratio and resizes it, like torchvision's
/// `RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3/4, 4/3), interpolation=BILINEAR)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomResizedCrop {
    /// The output size.
    pub size: CropSize,
    /// The range of the crop's area as a fraction of the image's.
    pub scale: (f64, f64),
    /// The range of the crop's aspect ratio (width / height).
    pub ratio: (f64, f64),
    /// The filter of the resize.
    pub interpolation: InterpolationMode,
}

impl RandomResizedCrop {
    /// Crops resized to `size` with torchvision's default scale and ratio ranges.
    pub fn new(size: impl Into<CropSize>) -> Self {
        RandomResizedCrop {
            size: size.into(),
            scale: (0.08, 1.0),
            ratio: (3.0 / 4.0, 4.0 / 3.0),
            interpolation: InterpolationMode::Bilinear,
        }
    }

    /// With another range of areas.
    pub fn scale(mut self, scale: (f64, f64)) -> Self {
        self.scale = scale;
        self
    }

    /// With another range of aspect ratios.
    pub fn ratio(mut self, ratio: (f64, f64)) -> Self {
        self.ratio = ratio;
        self
    }

    /// With another filter.
    pub fn interpolation(mut self, mode: InterpolationMode) -> Self {
        self.interpolation = mode;
        self
    }

    /// Draws the region `(top, left, height, width)` for an image of `height`×`width`, like
    /// torchvision's `RandomResizedCrop.get_params`: ten tries, then a central crop.
    pub fn get_params(
        &self,
        height: usize,
        width: usize,
        rng: &mut Xoshiro256,
    ) -> (usize, usize, usize, usize) {
        let area = (height * width) as f64;
        let (log_lo, log_hi) = (self.ratio.0.ln(), self.ratio.1.ln());
        for _ in 0..10 {
            let target_area = area * rng.uniform(self.scale.0, self.scale.1);
            let aspect = rng.uniform(log_lo, log_hi).exp();
            let w = (target_area * aspect).sqrt().round_ties_even();
            let h = (target_area / aspect).sqrt().round_ties_even();
            if w > 0.0 && w <= width as f64 && h > 0.0 && h <= height as f64 {
                let (w, h) = (w as usize, h as usize);
                let top = rng.below((height - h + 1) as u64) as usize;
                let left = rng.below((width - w + 1) as u64) as usize;
                return (top, left, h, w);
            }
        }
        let in_ratio = width as f64 / height as f64;
        let (lo, hi) = (
            self.ratio.0.min(self.ratio.1),
            self.ratio.0.max(self.ratio.1),
        );
        let (h, w) = if in_ratio < lo {
            ((width as f64 / lo).round_ties_even() as usize, width)
        } else if in_ratio > hi {
            (height, (height as f64 * hi).round_ties_even() as usize)
        } else {
            (height, width)
        };
        let (h, w) = (h.min(height), w.min(width));
        ((height - h) / 2, (width - w) / 2, h, w)
    }
}

impl Transform<Image> for RandomResizedCrop {
    type Output = Image;
    fn apply(&self, img: Image, rng: &mut Xoshiro256) -> Result<Image> {
        if self.scale.0 > self.scale.1 || self.ratio.0 > self.ratio.1 {
            return Err(Error::argument(
                "RandomResizedCrop",
                format!(
                    "scale {:?} and ratio {:?} must be (min, max) ranges",
                    self.scale, self.ratio
                ),
            ));
        }
        if img.width() == 0 || img.height() == 0 {
            return Err(Error::argument(
                "RandomResizedCrop",
                format!(
                    "cannot crop an empty {}x{} image",
                    img.width(),
                    img.height()
                ),
            ));
        }
        let region = self.get_params(img.height(), img.width(), rng);
        resized_crop(
            &img,
            region,
            (self.size.height, self.size.width),
            self.interpolation,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: usize, h: usize, c: usize) -> Image {
        let data = (0..w * h * c).map(|i| (i * 7 % 251) as u8).collect();
        Image::new(w, h, c, data).unwrap()
    }

    #[test]
    fn padding_maps_match_numpy_modes() {
        let at = |mode| {
            (-4..7)
                .map(|x| map_coord(x, 3, mode).map_or(-1, |v| v as i32))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            at(PaddingMode::Constant),
            [-1, -1, -1, -1, 0, 1, 2, -1, -1, -1, -1]
        );
        assert_eq!(at(PaddingMode::Edge), [0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2]);
        assert_eq!(at(PaddingMode::Reflect), [0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2]);
        assert_eq!(
            at(PaddingMode::Symmetric),
            [2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0]
        );
    }

    #[test]
    fn flips_are_involutions_and_move_pixels() {
        let img = ramp(5, 4, 3);
        let h = hflip(img.clone());
        assert_eq!(h.pixel(0, 1), img.pixel(4, 1));
        assert_eq!(hflip(h), img);
        let v = vflip(img.clone());
        assert_eq!(v.pixel(2, 0), img.pixel(2, 3));
        assert_eq!(vflip(v), img);
    }

    #[test]
    fn crop_outside_is_black_and_pad_fill_checks_channels() {
        let img = ramp(4, 4, 3);
        let out = crop(&img, -1, 2, 3, 3);
        assert_eq!(out.pixel(0, 0), [0, 0, 0]);
        assert_eq!(out.pixel(0, 1), img.pixel(2, 0));
        assert_eq!(out.pixel(2, 1), [0, 0, 0]);
        assert!(pad(&img, 1, [1u8, 2], PaddingMode::Constant).is_err());
        let padded = pad(&img, (1, 0), [9u8, 8, 7], PaddingMode::Constant).unwrap();
        assert_eq!((padded.width(), padded.height()), (6, 4));
        assert_eq!(padded.pixel(5, 3), [9, 8, 7]);
    }

    #[test]
    fn resize_to_same_size_is_identity_and_box_is_mean() {
        let img = ramp(6, 4, 1);
        assert_eq!(
            resize(&img, 4, 6, InterpolationMode::Bilinear).unwrap(),
            img
        );
        let out = resize(&img, 2, 3, InterpolationMode::Box).unwrap();
        let d = img.data();
        let mean = (d[0] as u32 + d[1] as u32 + d[6] as u32 + d[7] as u32) as f64 / 4.0;
        assert!((out.data()[0] as f64 - mean).abs() <= 1.0);
    }

    #[test]
    fn hsv_round_trip_is_close() {
        // Hue has 256 steps around the circle, so a saturated channel of 250 may move by ~6.
        for &(r, g, b) in &[
            (255u8, 0u8, 0u8),
            (10, 200, 30),
            (5, 6, 250),
            (128, 128, 128),
        ] {
            let (h, s, v) = rgb_to_hsv(r, g, b);
            let (r2, g2, b2) = hsv_to_rgb(h, s, v);
            for (x, y) in [(r, r2), (g, g2), (b, b2)] {
                assert!((x as i32 - y as i32).abs() <= 8, "{r},{g},{b}");
            }
        }
    }

    #[test]
    fn invalid_arguments_are_errors() {
        assert!(ColorJitter::new(-0.1, 0.0, 0.0, 0.0).is_err());
        assert!(ColorJitter::new(0.0, (1.5, 0.5), 0.0, 0.0).is_err());
        assert!(RandomRotation::new(-5.0).is_err());
        assert!(adjust_hue(ramp(2, 2, 3), 0.7).is_err());
        let mut rng = Xoshiro256::new(0);
        assert!(RandomCrop::new(10).apply(ramp(4, 4, 3), &mut rng).is_err());
        assert!(rotate(
            &ramp(3, 3, 1),
            10.0,
            InterpolationMode::Bicubic,
            false,
            None,
            0
        )
        .is_err());
    }
}
