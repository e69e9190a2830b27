//! `--stats`: the phases' times, the sizes and the peak memory, in a table on standard
//! error and in each JSON record; results themselves unchanged.

use crate::common::command::{run, run_with_stdin, stderr_of, stdout_of};

const PHASES: [&str; 5] = ["parse", "build", "differentiate", "tidy", "print"];

fn record_stats(line: &str) -> serde_json::Map<String, serde_json::Value> {
    let record: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
    record["stats"].as_object().expect("a stats object").clone()
}

#[test]
fn the_results_are_the_same_with_stats() {
    for format in ["plain", "latex", "unicode"] {
        let args = ["x^x*sin(x)", "--wrt", "x,x", "--format", format];
        let plain = run(&args);
        let mut with: Vec<&str> = args.to_vec();
        with.push("--stats");
        let measured = run(&with);
        assert_eq!(stdout_of(&plain), stdout_of(&measured), "{format}");
        assert!(stderr_of(&measured).starts_with("stats:\n"), "{format}");
    }
}

#[test]
fn the_table_names_every_phase_the_total_and_the_sizes() {
    let output = run(&["4*pi/3*t*x*y", "--wrt", "x", "--stats"]);
    assert_eq!(stdout_of(&output), "4*pi*t*y/3\n");
    let table = stderr_of(&output);
    for phase in PHASES.iter().chain(&["total"]) {
        assert!(
            table.lines().any(|l| l.trim_start().starts_with(phase)),
            "{phase} in\n{table}"
        );
    }
    // In: 4/3, pi, t, x, y and their product; out: 4/3, pi, t, y and theirs.
    assert!(
        table.contains("6 input nodes, 5 result nodes, 11 output bytes, peak memory"),
        "{table}"
    );
}

/// Each JSON record's figures: every phase, the total their sum, the output bytes those
/// of the record without its stats.
#[test]
fn json_records_carry_consistent_figures() {
    let output = run(&["x^2*sin(x)", "--wrt", "x", "--format", "json", "--stats"]);
    let line = stdout_of(&output);
    let stats = record_stats(line.trim_end());
    let seconds = |key: &str| stats[key].as_f64().unwrap_or_else(|| panic!("{key}"));
    let sum: f64 = PHASES.iter().map(|p| seconds(&format!("{p}_s"))).sum();
    assert!(PHASES.iter().all(|p| seconds(&format!("{p}_s")) >= 0.0));
    assert!(
        (seconds("total_s") - sum).abs() <= 1e-9 * (1.0 + sum),
        "{stats:?}"
    );
    assert!(seconds("total_s") > 0.0);
    let without = stdout_of(&run(&["x^2*sin(x)", "--wrt", "x", "--format", "json"]));
    assert_eq!(stats["output_bytes"].as_u64(), Some(without.len() as u64));
    let start = line.find(",\"stats\":").expect("stats at the end");
    assert_eq!(format!("{}}}\n", &line[..start]), without);
    assert!(stats["input_nodes"].as_u64().unwrap() >= 5);
    assert!(stats["result_nodes"].as_u64().unwrap() >= 5);
    assert!(stats["peak_memory_bytes"].as_u64().unwrap() > 1_000_000);
}

/// A batch: a record per line with its own figures, and one table of the totals.
#[test]
fn a_batch_gives_records_per_line_and_a_table_of_totals() {
    let lines = "x^2\nsin(x)\n1/0\nexp(x)*x\n";
    let output = run_with_stdin(
        &["-", "--wrt", "x", "--format", "json", "--stats"],
        lines.as_bytes(),
    );
    let out = stdout_of(&output);
    let records: Vec<_> = out.lines().map(record_stats).collect();
    assert_eq!(records.len(), 3, "{out}");
    let bytes: u64 = records
        .iter()
        .map(|s| s["output_bytes"].as_u64().unwrap())
        .sum();
    let err = stderr_of(&output);
    assert!(err.contains("stats (3 inputs, summed):"), "{err}");
    assert!(err.contains(&format!(" {bytes} output bytes")), "{err}");
    assert_eq!(err.matches("stats").count(), 1, "{err}");
}
