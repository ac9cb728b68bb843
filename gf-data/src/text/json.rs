//! What the `tokenizer.json` readers and writers share: reading and parsing the file, errors
//! that name the key at fault, the model and its type, the vocabulary, and the parts of the
//! file every model writes the same way.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::added::added_token_json;
use super::AddedToken;
use crate::error::{Error, Result};

/// The text of the file at `path`.
pub(super) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// Writes `json` to `path`.
pub(super) fn write(path: &Path, json: String) -> Result<()> {
    std::fs::write(path, json).map_err(|e| Error::io(path, e))
}

/// `json` parsed; the error gives the line and column where it stops being JSON.
pub(super) fn parse(json: &str, path: &Path) -> Result<Value> {
    serde_json::from_str(json).map_err(|e| {
        Error::format(
            path,
            format!("line {}, column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })
}

/// The model's `type`; a model without one but with merges is `"BPE"`, as older files write
/// it.
pub(super) fn model_type(model: &Value) -> Option<&str> {
    match model.get("type").and_then(Value::as_str) {
        None if model.get("merges").is_some() => Some("BPE"),
        ty => ty,
    }
}

/// The pre-tokenizer, taken out of a `Sequence` of one.
pub(super) fn pre_tokenizer(root: &Value) -> &Value {
    let pre = root.get("pre_tokenizer").unwrap_or(&Value::Null);
    if pre.get("type").and_then(Value::as_str) == Some("Sequence") {
        if let Some([only]) = pre
            .get("pretokenizers")
            .and_then(Value::as_array)
            .map(|v| &v[..])
        {
            return only;
        }
    }
    pre
}

/// Reads the keys of one `tokenizer.json`, its errors naming the file and the key at fault.
#[derive(Clone, Copy)]
pub(super) struct Keys<'a> {
    path: &'a Path,
}

impl<'a> Keys<'a> {
    /// Errors about the file at `path`.
    pub(super) fn new(path: &'a Path) -> Self {
        Keys { path }
    }

    /// The error for the value at `key`.
    pub(super) fn bad(&self, key: &str, msg: String) -> Error {
        Error::format(self.path, format!("key {key}"), msg)
    }

    /// The `model` of `root`, which must be of type `kind` (by [`model_type`]).
    pub(super) fn model<'v>(&self, root: &'v Value, kind: &str) -> Result<&'v Value> {
        let model = root
            .get("model")
            .ok_or_else(|| self.bad("model", "there is no model".into()))?;
        if model_type(model) == Some(kind) {
            Ok(model)
        } else {
            let other = model.get("type").and_then(Value::as_str);
            Err(self.bad(
                "model.type",
                format!("the model is {other:?}, not \"{kind}\""),
            ))
        }
    }

    /// The model's `vocab` (token → id).
    pub(super) fn vocab(&self, model: &Value) -> Result<HashMap<String, usize>> {
        let vocab_json = model
            .get("vocab")
            .and_then(Value::as_object)
            .ok_or_else(|| self.bad("model.vocab", "expected an object of token: id".into()))?;
        let mut vocab = HashMap::with_capacity(vocab_json.len());
        for (t, id) in vocab_json {
            let id = id.as_u64().ok_or_else(|| {
                self.bad(
                    "model.vocab",
                    format!("the id of {t:?} is {id}, not an integer"),
                )
            })?;
            vocab.insert(t.clone(), id as usize);
        }
        Ok(vocab)
    }

    /// The string `v.key` (named `parent.key` in errors), `default` when absent or null.
    pub(super) fn string(
        &self,
        v: &Value,
        parent: &str,
        key: &str,
        default: &str,
    ) -> Result<String> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(default.to_owned()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(self.bad(
                &format!("{parent}.{key}"),
                format!("expected a string, found {other}"),
            )),
        }
    }

    /// The boolean `v.key` (named `parent.key` in errors), `default` when absent or null.
    pub(super) fn boolean(
        &self,
        v: &Value,
        parent: &str,
        key: &str,
        default: bool,
    ) -> Result<bool> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.bad(
                &format!("{parent}.{key}"),
                format!("expected true or false, found {other}"),
            )),
        }
    }
}

/// `x` as a JSON string.
pub(super) fn quote(x: &str) -> String {
    serde_json::to_string(x).unwrap_or_default()
}

/// The start of a `tokenizer.json`, up to and with the `added_tokens` list, one token a line.
pub(super) fn head(added: &[AddedToken]) -> String {
    let mut out = String::from("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [");
    for (i, t) in added.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&added_token_json(t));
    }
    out.push_str("\n  ],\n");
    out
}

/// Appends the entries of the model's `vocab` object, in id order, one a line.
pub(super) fn push_vocab(out: &mut String, vocab_r: &HashMap<usize, String>) {
    let mut by_id: Vec<(&usize, &String)> = vocab_r.iter().collect();
    by_id.sort();
    for (i, (id, t)) in by_id.into_iter().enumerate() {
        out.push_str(if i == 0 { "\n      " } else { ",\n      " });
        out.push_str(&format!("{}: {id}", quote(t)));
    }
}
