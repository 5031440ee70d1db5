//! Peer timings measured on this machine by `tools/peers/peers.py`, read by
//! `examples/ratios.rs --peers FILE` in place of PEERS.md's Zen 4 figures.
//!
//! The file is JSON: `{"cpu": ..., "date": ..., "workloads": {"W1": [{"peer":
//! ..., "threads": 1, "ms": 0.44}, ...], ...}}`; peers.py checks every
//! peer's output before timing it and leaves out the ones that disagree.
//! `tools/peers/pixel_peers.py` writes the same format for W8-W13, and keeps
//! peers off by at most 1 (a rounding difference) with `"exact": false`:
//! they compete, named "not exact".

use std::collections::HashMap;

/// A median and who took it: `(ms, "peer (threads)")`.
pub type Best = Option<(f64, String)>;

/// One peer's median on one workload.
pub struct Timing {
    pub peer: String,
    pub threads: u64,
    pub ms: f64,
    /// `false` when the peer's output differs from the exact result by a
    /// rounding (pixel_peers.py's `"exact"`); `None` when not stated.
    pub exact: Option<bool>,
}

/// The timings of one peers.py run.
pub struct Measured {
    /// Where and when they were taken: `cpu, date`.
    pub origin: String,
    pub workloads: HashMap<String, Vec<Timing>>,
}

impl Measured {
    /// Reads a peers.py output file; the message says what is wrong.
    pub fn read(path: &str) -> Result<Measured, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("--peers {path}: {e}"))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("--peers {path}: not JSON: {e}"))?;
        let field = |key: &str| json.get(key).and_then(|v| v.as_str()).unwrap_or("?");
        let origin = format!("{}, {}", field("cpu"), field("date"));
        let mut workloads = HashMap::new();
        let table = json
            .get("workloads")
            .and_then(|w| w.as_object())
            .ok_or_else(|| format!("--peers {path}: no \"workloads\" object"))?;
        for (name, rows) in table {
            let rows = rows
                .as_array()
                .ok_or_else(|| format!("--peers {path}: workload {name} is not a list"))?;
            let timings = rows
                .iter()
                .map(|r| {
                    Some(Timing {
                        peer: r.get("peer")?.as_str()?.to_string(),
                        threads: r.get("threads")?.as_u64()?,
                        ms: r.get("ms")?.as_f64()?,
                        exact: r.get("exact").and_then(|e| e.as_bool()),
                    })
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    format!("--peers {path}: workload {name}: a row lacks peer, threads or ms")
                })?;
            workloads.insert(name.clone(), timings);
        }
        Ok(Measured { origin, workloads })
    }

    /// The fastest peer on `workload`: of any thread count, then of one
    /// thread.
    pub fn best(&self, workload: &str) -> (Best, Best) {
        let rows = self.workloads.get(workload).map_or(&[][..], |r| &r[..]);
        let pick = |one_thread: bool| {
            rows.iter()
                .filter(|t| !one_thread || t.threads == 1)
                .min_by(|a, b| a.ms.total_cmp(&b.ms))
                .map(|t| {
                    let exact = if t.exact == Some(false) {
                        ", not exact"
                    } else {
                        ""
                    };
                    (t.ms, format!("{} ({}{exact})", t.peer, t.threads))
                })
        };
        (pick(false), pick(true))
    }
}
