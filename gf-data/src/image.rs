//! An 8-bit image in host memory: what decoders produce and what pixel-space transforms (crop, flip,
//! resize, rotate, colour jitter) work on, before [`ToTensor`](crate::transforms::ToTensor) turns
//! it into a float tensor.

use crate::error::{Error, Result};

/// Pixels as `u8`, row-major, channels interleaved (height × width × channels), like a PIL image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    width: usize,
    height: usize,
    channels: usize,
    data: Vec<u8>,
}

impl Image {
    /// An image from interleaved pixels; `Err` unless `data.len() == height * width * channels`
    /// and `channels` is 1 (grey), 3 (RGB) or 4 (RGBA).
    pub fn new(width: usize, height: usize, channels: usize, data: Vec<u8>) -> Result<Self> {
        if !matches!(channels, 1 | 3 | 4) {
            return Err(Error::argument(
                "Image::new",
                format!("channels must be 1, 3 or 4, got {channels}"),
            ));
        }
        if data.len() != width * height * channels {
            return Err(Error::argument(
                "Image::new",
                format!(
                    "{width}x{height}x{channels} needs {} bytes, got {}",
                    width * height * channels,
                    data.len()
                ),
            ));
        }
        Ok(Image {
            width,
            height,
            channels,
            data,
        })
    }

    /// A black image.
    pub fn zeros(width: usize, height: usize, channels: usize) -> Result<Self> {
        Image::new(width, height, channels, vec![0; width * height * channels])
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Channels per pixel.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The interleaved pixels.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The interleaved pixels, mutable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// The pixels, by value.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The channels of pixel `(x, y)`.
    pub fn pixel(&self, x: usize, y: usize) -> &[u8] {
        let start = (y * self.width + x) * self.channels;
        &self.data[start..start + self.channels]
    }
}
