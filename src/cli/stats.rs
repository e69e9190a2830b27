//! `--stats`: the time of each phase of an input's computation, its sizes and the
//! process's peak memory. Each input's figures go into its JSON record (a `stats`
//! object); the table on standard error shows one input's, or a batch's totals.

use std::io::{self, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::expr::{ExprId, Pool};
use crate::output::Format;
use crate::request::{Outcome, Timings};

/// The figures of one input, or the sums of several.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    /// The inputs counted.
    inputs: usize,
    /// The computation's phases.
    timings: Timings,
    /// Writing the results (and `--verify`'s numeric checks, which run there).
    print: Duration,
    /// Distinct nodes of the parsed inputs.
    input_nodes: usize,
    /// Distinct nodes of the results.
    result_nodes: usize,
    /// Bytes written to standard output.
    output_bytes: usize,
}

/// The sizes of an input and its results, in distinct nodes.
pub(super) struct Sizes {
    input_nodes: usize,
    result_nodes: usize,
}

impl Sizes {
    /// The sizes of `outcome`'s inputs and results.
    pub(super) fn of(pool: &Pool, outcome: &Outcome) -> Sizes {
        let nodes = |roots: &[ExprId]| pool.reachable_from(roots, |_| true).len();
        let results: Vec<ExprId> = outcome.lines.iter().map(|line| line.value).collect();
        Sizes {
            input_nodes: nodes(&outcome.inputs),
            result_nodes: nodes(&results),
        }
    }
}

/// The sums since the last table.
static TOTALS: Mutex<Option<Stats>> = Mutex::new(None);

/// Runs `write` (which writes one input's results) into a buffer, times it, and writes
/// the buffer to `out`, a JSON record with its `stats` object; the figures are added to
/// the totals for [`write_table`].
pub(super) fn write_measured(
    out: &mut impl Write,
    format: Format,
    sizes: Sizes,
    outcome: &Outcome,
    write: impl FnOnce(&mut Vec<u8>) -> io::Result<u8>,
) -> io::Result<u8> {
    let start = Instant::now();
    let mut buffer = Vec::new();
    let code = write(&mut buffer)?;
    let print = start.elapsed();
    let stats = Stats {
        inputs: 1,
        timings: outcome.timings,
        print,
        input_nodes: sizes.input_nodes,
        result_nodes: sizes.result_nodes,
        output_bytes: buffer.len(),
    };
    // A record is one line of JSON: the stats go in before its closing brace.
    if format == Format::Json && buffer.ends_with(b"}\n") {
        buffer.truncate(buffer.len() - 2);
        buffer.extend_from_slice(b",\"stats\":");
        serde_json::to_writer(&mut buffer, &stats.json())?;
        buffer.extend_from_slice(b"}\n");
    }
    out.write_all(&buffer)?;
    let mut totals = TOTALS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    totals.get_or_insert_with(Stats::default).add(&stats);
    Ok(code)
}

/// Writes the table of the figures since the last table to standard error (nothing when
/// no input was measured), and starts the sums again.
pub(super) fn write_table() {
    let taken = TOTALS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    if let Some(stats) = taken {
        let mut err = io::stderr().lock();
        let _ = err.write_all(stats.table().as_bytes());
    }
}

impl Stats {
    fn add(&mut self, other: &Stats) {
        self.inputs += other.inputs;
        self.timings.add(&other.timings);
        self.print += other.print;
        self.input_nodes += other.input_nodes;
        self.result_nodes += other.result_nodes;
        self.output_bytes += other.output_bytes;
    }

    fn total(&self) -> Duration {
        self.timings.total() + self.print
    }

    /// The figures as the `stats` object of a JSON record: seconds and counts.
    fn json(&self) -> serde_json::Value {
        let t = &self.timings;
        json!({
            "parse_s": t.parse.as_secs_f64(),
            "build_s": t.build.as_secs_f64(),
            "differentiate_s": t.differentiate.as_secs_f64(),
            "tidy_s": t.tidy.as_secs_f64(),
            "print_s": self.print.as_secs_f64(),
            "total_s": self.total().as_secs_f64(),
            "input_nodes": self.input_nodes,
            "result_nodes": self.result_nodes,
            "output_bytes": self.output_bytes,
            "peak_memory_bytes": peak_memory(),
        })
    }

    /// The table: each phase's time and share of the total, then the sizes.
    fn table(&self) -> String {
        let total = self.total();
        let t = &self.timings;
        let mut table = match self.inputs {
            1 => "stats:\n".to_string(),
            n => format!("stats ({n} inputs, summed):\n"),
        };
        let phases = [
            ("parse", t.parse),
            ("build", t.build),
            ("differentiate", t.differentiate),
            ("tidy", t.tidy),
            ("print", self.print),
        ];
        for (name, time) in phases {
            let share = match total.is_zero() {
                true => 0.0,
                false => 100.0 * time.as_secs_f64() / total.as_secs_f64(),
            };
            table.push_str(&format!(
                "  {name:<14}{:>12}{share:>6.1}%\n",
                duration(time)
            ));
        }
        table.push_str(&format!("  {:<14}{:>12}\n", "total", duration(total)));
        let memory = peak_memory().map_or_else(String::new, |bytes| {
            format!(", peak memory {:.1} MB", bytes as f64 / 1e6)
        });
        table.push_str(&format!(
            "  {} input nodes, {} result nodes, {} output bytes{memory}\n",
            self.input_nodes, self.result_nodes, self.output_bytes
        ));
        table
    }
}

/// A duration with three significant digits, in µs, ms or s.
fn duration(time: Duration) -> String {
    let s = time.as_secs_f64();
    let (value, unit) = match s {
        s if s < 1e-3 => (s * 1e6, "µs"),
        s if s < 1.0 => (s * 1e3, "ms"),
        s => (s, "s"),
    };
    let decimals = match value {
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    format!("{value:.decimals$} {unit}")
}

/// The process's peak resident memory in bytes, where the system tells it (Linux's
/// `/proc/self/status`).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::duration;
    use std::time::Duration;

    #[test]
    fn durations_keep_three_digits() {
        assert_eq!(duration(Duration::from_nanos(1_234)), "1.23 µs");
        assert_eq!(duration(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(duration(Duration::from_millis(123_456)), "123 s");
    }
}
