//! The request's options as JSON, for `--format json`.

use super::{Assignment, Request};

impl Request {
    /// The options as a JSON object, for `--format json`.
    pub fn describe(&self) -> serde_json::Value {
        let texts = |assignments: &[Assignment]| -> Vec<String> {
            assignments
                .iter()
                .map(|a| format!("{}={}", a.var, a.expr.trim()))
                .collect()
        };
        serde_json::json!({
            "mode": self.mode.name(),
            "wrt": self.wrt,
            "total": self.total,
            "subst": texts(&self.subst),
            "at": texts(&self.at),
            "depends": self.depends.iter().map(|(v, on)| match on {
                Some(on) => format!("{v}({on})"),
                None => v.clone(),
            }).collect::<Vec<_>>(),
            "implicit": self.implicit,
            "definitions": self.definitions.iter().map(|d| d.text.trim().to_string()).collect::<Vec<_>>(),
            "of": self.name,
            "inline": self.inline,
            "params": self.params,
            "sgd": self.sgd.as_ref().map(|rate| rate.expr.trim().to_string()),
        })
    }
}
