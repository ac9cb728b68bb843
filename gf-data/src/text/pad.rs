//! Padding and truncation of token sequences into one batch tensor with an attention mask.

use gf_core::ops::create::TensorCreate;
use gf_core::{Cpu, Tensor};

use crate::error::{Error, Result};

/// How long the padded sequences are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Padding {
    /// As long as the longest sequence of the batch (HuggingFace's `padding="longest"`).
    #[default]
    Longest,
    /// Exactly `max_length` (HuggingFace's `padding="max_length"`).
    MaxLength,
}

/// Which end of a sequence is padded or cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Side {
    /// The end (the default for padding and truncation).
    #[default]
    Right,
    /// The start (decoder-only models pad on the left for generation).
    Left,
}

/// How [`pad_batch`] pads and truncates; the default pads with id 0 on the right to the longest
/// sequence and never truncates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PadOptions {
    /// The id that fills the padding.
    pub pad_id: usize,
    /// The longest a sequence may be; needed by [`Padding::MaxLength`].
    pub max_length: Option<usize>,
    /// Whether longer sequences are cut to `max_length` (otherwise they are an error).
    pub truncation: bool,
    /// The padded length.
    pub padding: Padding,
    /// Where the padding goes.
    pub side: Side,
    /// Which end truncation removes.
    pub truncation_side: Side,
}

/// A padded batch: `(batch, length)` ids and the attention mask of the same shape.
pub type PaddedBatch = (
    Tensor<(usize, usize), usize, Cpu>,
    Tensor<(usize, usize), bool, Cpu>,
);

/// Pads (and, if asked, truncates) `seqs` into a `(batch, length)` tensor of ids and an
/// attention mask of the same shape: `true` at real tokens, `false` at padding (HuggingFace's
/// `attention_mask` as booleans).
///
/// `Err` if a sequence is longer than `max_length` without `truncation`, or if
/// [`Padding::MaxLength`] is asked without a `max_length`.
///
/// ```
/// use gf_data::text::{pad_batch, PadOptions, Padding, Side};
/// let opts = PadOptions { pad_id: 0, side: Side::Left, ..Default::default() };
/// let (ids, mask) = pad_batch(&[vec![5, 6, 7], vec![8]], &opts).unwrap();
/// assert_eq!(ids.to_vec(), [5, 6, 7, 0, 0, 8]);
/// assert_eq!(mask.to_vec(), [true, true, true, false, false, true]);
/// ```
pub fn pad_batch<S: AsRef<[usize]>>(seqs: &[S], options: &PadOptions) -> Result<PaddedBatch> {
    let op = "pad_batch";
    let mut kept: Vec<&[usize]> = Vec::with_capacity(seqs.len());
    for (i, s) in seqs.iter().enumerate() {
        let s = s.as_ref();
        match options.max_length {
            Some(max) if s.len() > max => {
                if !options.truncation {
                    return Err(Error::argument(
                        op,
                        format!(
                            "sequence {i} has {} tokens, more than max_length {max}, and truncation is off",
                            s.len()
                        ),
                    ));
                }
                kept.push(match options.truncation_side {
                    Side::Right => &s[..max],
                    Side::Left => &s[s.len() - max..],
                });
            }
            _ => kept.push(s),
        }
    }
    let length = match options.padding {
        Padding::Longest => kept.iter().map(|s| s.len()).max().unwrap_or(0),
        Padding::MaxLength => options
            .max_length
            .ok_or_else(|| Error::argument(op, "padding to max_length needs a max_length"))?,
    };
    let mut ids = Vec::with_capacity(kept.len() * length);
    let mut mask = Vec::with_capacity(kept.len() * length);
    for s in &kept {
        let pad = length - s.len();
        if options.side == Side::Left {
            ids.extend(std::iter::repeat_n(options.pad_id, pad));
            mask.extend(std::iter::repeat_n(false, pad));
        }
        ids.extend_from_slice(s);
        mask.extend(std::iter::repeat_n(true, s.len()));
        if options.side == Side::Right {
            ids.extend(std::iter::repeat_n(options.pad_id, pad));
            mask.extend(std::iter::repeat_n(false, pad));
        }
    }
    let dev = Cpu::default();
    let shape = (kept.len(), length);
    Ok((
        dev.try_tensor_from_vec(ids, shape)?,
        dev.try_tensor_from_vec(mask, shape)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_batch_and_missing_max_length() {
        let empty: [Vec<usize>; 0] = [];
        let (ids, mask) = pad_batch(&empty, &PadOptions::default()).unwrap();
        assert_eq!(ids.dims(), [0, 0]);
        assert_eq!(mask.dims(), [0, 0]);
        let opts = PadOptions {
            padding: Padding::MaxLength,
            ..Default::default()
        };
        assert!(pad_batch(&[vec![1]], &opts).is_err());
    }
}
