//! The run's files: TensorBoard event files (scalars per step and per epoch) and a CSV of the
//! epoch logs.
//!
//! An event file is a sequence of TFRecords (length, masked CRC-32C of the length, data,
//! masked CRC-32C of the data), each holding one `tensorflow.Event` protocol buffer. Only the
//! fields scalars need are written: `wall_time` (1), `step` (2), `file_version` (3) and
//! `summary` (5) with `Summary.Value { tag (1), simple_value (2) }`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{io_at, Result};
use crate::Logs;

/// TFRecord's CRC mask, so a CRC of data that holds CRCs stays unlikely to collide.
fn masked_crc(bytes: &[u8]) -> u32 {
    let crc = crc32c::crc32c(bytes);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A protobuf field key: field number and wire type.
fn key(out: &mut Vec<u8>, field: u64, wire: u64) {
    varint(out, (field << 3) | wire);
}

fn length_delimited(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    key(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// An `Event` with its wall time and step, and `body` (already-encoded further fields).
fn event(wall_time: f64, step: i64, body: &[u8]) -> Vec<u8> {
    let mut e = Vec::with_capacity(16 + body.len());
    key(&mut e, 1, 1);
    e.extend_from_slice(&wall_time.to_le_bytes());
    key(&mut e, 2, 0);
    varint(&mut e, step as u64);
    e.extend_from_slice(body);
    e
}

/// One `Summary` holding `(tag, value)` scalars.
fn summary(scalars: &[(&str, f64)]) -> Vec<u8> {
    let mut s = Vec::new();
    for (tag, v) in scalars {
        let mut value = Vec::new();
        length_delimited(&mut value, 1, tag.as_bytes());
        key(&mut value, 2, 5);
        value.extend_from_slice(&(*v as f32).to_le_bytes());
        length_delimited(&mut s, 1, &value);
    }
    s
}

/// Writes TensorBoard scalars to an event file of its own in a log folder.
pub struct EventWriter {
    path: PathBuf,
    file: File,
    clock: fn() -> f64,
}

impl EventWriter {
    /// A new event file in `dir` (made if missing), named as TensorBoard expects
    /// (`events.out.tfevents.<time>.<host>.<pid>.<n>`), starting with the file-version record.
    pub fn create(dir: &Path) -> Result<EventWriter> {
        std::fs::create_dir_all(dir).map_err(io_at(dir))?;
        let secs = now() as u64;
        let pid = std::process::id();
        let mut n = 0;
        let path = loop {
            let p = dir.join(format!("events.out.tfevents.{secs}.ghostflow.{pid}.{n}"));
            if !p.exists() {
                break p;
            }
            n += 1;
        };
        EventWriter::open(&path, now)
    }

    /// A new event file at `path` whose wall times come from `clock` (seconds since the Unix
    /// epoch); a fixed clock makes the file reproducible byte for byte.
    pub fn open(path: &Path, clock: fn() -> f64) -> Result<EventWriter> {
        let file = File::create(path).map_err(io_at(path))?;
        let mut w = EventWriter {
            path: path.to_path_buf(),
            file,
            clock,
        };
        let mut version = Vec::new();
        length_delimited(&mut version, 3, b"brain.Event:2");
        w.record(&event(clock(), 0, &version))?;
        Ok(w)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn record(&mut self, data: &[u8]) -> Result<()> {
        let len = (data.len() as u64).to_le_bytes();
        let mut rec = Vec::with_capacity(data.len() + 16);
        rec.extend_from_slice(&len);
        rec.extend_from_slice(&masked_crc(&len).to_le_bytes());
        rec.extend_from_slice(data);
        rec.extend_from_slice(&masked_crc(data).to_le_bytes());
        self.file.write_all(&rec).map_err(io_at(&self.path))
    }

    /// Scalars `(tag, value)` at `step`, in one event.
    pub fn scalars(&mut self, step: usize, scalars: &[(&str, f64)]) -> Result<()> {
        let mut body = Vec::new();
        length_delimited(&mut body, 5, &summary(scalars));
        self.record(&event((self.clock)(), step as i64, &body))
    }

    /// Pushes what was written to the disk (called after every epoch).
    pub fn flush(&mut self) -> Result<()> {
        self.file.flush().map_err(io_at(&self.path))
    }
}

/// Writes `bytes` to `path` through a fsynced temporary file and a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io_at(&tmp))?;
    f.write_all(bytes).map_err(io_at(&tmp))?;
    f.sync_all().map_err(io_at(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_at(path))
}

/// The epoch logs as CSV: a header of every key any epoch logged (sorted, `epoch` first), one
/// row per epoch, empty where an epoch did not log a key (no validation that epoch).
pub fn csv(history: &[Logs]) -> String {
    let mut keys: Vec<&String> = history.iter().flat_map(|l| l.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| k.as_str() != "epoch");
    let mut out = String::from("epoch");
    for k in &keys {
        out.push(',');
        out.push_str(k);
    }
    out.push('\n');
    for (i, l) in history.iter().enumerate() {
        let epoch = l.get("epoch").map_or(i as f64 + 1.0, |&e| e);
        out.push_str(&format!("{epoch}"));
        for k in &keys {
            out.push(',');
            if let Some(v) = l.get(*k) {
                out.push_str(&format!("{v}"));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_encode_as_protobuf_does() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        v.clear();
        varint(&mut v, 1);
        assert_eq!(v, [1]);
    }

    #[test]
    fn the_crc_of_the_empty_record_matches_tensorflow() {
        // crc32c("") = 0, masked: 0xa282ead8
        assert_eq!(masked_crc(b""), 0xa282_ead8);
        // the CRC-32C check value of "123456789"
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn the_csv_has_a_column_for_every_key() {
        let a = Logs::from([("epoch".into(), 0.0), ("train_loss".into(), 1.5)]);
        let b = Logs::from([
            ("epoch".into(), 1.0),
            ("train_loss".into(), 1.0),
            ("valid_loss".into(), 2.0),
        ]);
        assert_eq!(csv(&[a, b]), "epoch,train_loss,valid_loss\n0,1.5,\n1,1,2\n");
    }
}
