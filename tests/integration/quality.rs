//! The quality suite (issue 18): every exercise of `tests/quality/exercises.txt` (a
//! calculus course's derivative exercise with its textbook answer) runs through the
//! `deriv` binary, and deriv's answer must equal the textbook's numerically. The answers
//! need not look alike (deriv's need not be simple; `scripts/quality` measures that), only
//! be equal.
//!
//! Both answers are parsed with `deriv::parse` and evaluated with `deriv::eval` at up to 12
//! fixed points, skipping points where either is not finite; at least 3 points must be
//! usable, and at each the values must agree to a relative 1e-9 (absolute below 1).
//! Derivatives of dependent variables (`diff(y, x)`, `diff(y, x, 2)`) become variables of
//! their own on both sides. Implicit derivatives are compared on the curve: for each `x`
//! of the points, the roots `y` of `LHS - RHS` in [-8, 8] are found by bisection, since a
//! textbook answer may use the equation (`-25/y^3` on `x^2 + y^2 = 25`, where deriv gives
//! `-(x^2 + y^2)/y^3`).

use deriv::{ExprId, Map, Pool, SymbolId, eval, free_symbols, parse};

use crate::common::command::run;

/// The exercises (category, expression, options, textbook answer).
const EXERCISES: &str = include_str!("../quality/exercises.txt");

/// The categories a course covers; each must have exercises.
const CATEGORIES: [&str; 12] = [
    "polynomial",
    "product",
    "quotient",
    "chain",
    "trig",
    "inverse-trig",
    "hyperbolic",
    "exp-log",
    "root",
    "implicit",
    "total",
    "higher",
];

/// The values tried for each variable: inside (0, 1), above 1, inside (-1, 0) and below
/// -1, so that every function of the suite has at least 3 points in its domain. The `j`-th
/// variable (in alphabetical order) of the `k`-th point takes `POINTS[(k + 5*j) % 12]`.
const POINTS: [f64; 12] = [
    0.23, 0.41, 0.67, 0.89, 1.37, 1.93, 2.71, 3.59, -0.19, -0.53, -0.87, -1.71,
];

/// Relative agreement required (absolute for values below 1).
const TOLERANCE: f64 = 1e-9;

/// Usable points required per exercise.
const MIN_POINTS: usize = 3;

struct Exercise<'a> {
    line: usize,
    category: &'a str,
    expression: &'a str,
    options: Vec<&'a str>,
    answer: &'a str,
}

impl Exercise<'_> {
    fn describe(&self) -> String {
        format!(
            "line {}: deriv \"{}\" {}",
            self.line,
            self.expression,
            self.options.join(" ")
        )
    }

    /// The dependent variable of an implicit exercise.
    fn implicit(&self) -> Option<&str> {
        let at = self.options.iter().position(|&o| o == "--implicit")?;
        self.options.get(at + 1).copied()
    }
}

fn exercises() -> Vec<Exercise<'static>> {
    let mut found = Vec::new();
    for (index, line) in EXERCISES.lines().enumerate() {
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = text.split(" | ").map(str::trim).collect();
        let [category, expression, options, answer] = fields[..] else {
            panic!(
                "line {}: expected 4 fields separated by ` | `: {text}",
                index + 1
            );
        };
        assert!(
            CATEGORIES.contains(&category),
            "line {}: unknown category {category}",
            index + 1
        );
        found.push(Exercise {
            line: index + 1,
            category,
            expression,
            options: options.split_whitespace().collect(),
            answer,
        });
    }
    found
}

/// `text` with each `diff(NAME, VAR)` written as the variable `d1_NAME_VAR`, and
/// `diff(NAME, VAR, N)` as `dN_NAME_VAR`.
fn name_derivatives(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("diff(") {
        let before_is_name = rest[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let Some(length) = rest[start..].find(')') else {
            break;
        };
        let arguments: Vec<&str> = rest[start + 5..start + length]
            .split(',')
            .map(str::trim)
            .collect();
        out.push_str(&rest[..start]);
        match arguments[..] {
            [name, var] if !before_is_name => out.push_str(&format!("d1_{name}_{var}")),
            [name, var, order] if !before_is_name => {
                out.push_str(&format!("d{order}_{name}_{var}"));
            }
            _ => out.push_str(&rest[start..=start + length]),
        }
        rest = &rest[start + length + 1..];
    }
    out.push_str(rest);
    out
}

/// deriv's answer to `exercise`: its one line of output, without the label of an
/// implicit derivative (`diff(y, x) = `).
fn deriv_answer(exercise: &Exercise) -> Result<String, String> {
    let mut args = vec!["--quiet", exercise.expression];
    args.extend(&exercise.options);
    let output = run(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "deriv failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let lines: Vec<&str> = stdout.lines().collect();
    let [line] = lines[..] else {
        return Err(format!("expected one line of output, got {stdout:?}"));
    };
    match (exercise.implicit(), line.split_once(" = ")) {
        (Some(_), Some((_, value))) => Ok(value.to_string()),
        (None, None) => Ok(line.to_string()),
        _ => Err(format!("unexpected output {line:?}")),
    }
}

fn parse_named(pool: &mut Pool, text: &str, what: &str) -> Result<ExprId, String> {
    parse(pool, &name_derivatives(text)).map_err(|e| format!("{what} {text:?} does not parse: {e}"))
}

/// Whether `a` and `b` agree to [`TOLERANCE`].
fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// The points of an explicit exercise: every variable of either answer gets a value.
fn explicit_points(variables: &[SymbolId]) -> Vec<Map<SymbolId, f64>> {
    (0..POINTS.len())
        .map(|k| {
            variables
                .iter()
                .enumerate()
                .map(|(j, &v)| (v, POINTS[(k + 5 * j) % POINTS.len()]))
                .collect()
        })
        .collect()
}

/// The points `(x, y)` of the curve `f = 0`: for each `x` of [`POINTS`], the `y` on at
/// most 2 branches, with the other variables fixed as in [`explicit_points`].
fn curve_points(
    pool: &Pool,
    f: ExprId,
    x: SymbolId,
    y: SymbolId,
    others: &[SymbolId],
) -> Vec<Map<SymbolId, f64>> {
    const STEPS: usize = 512;
    const RANGE: f64 = 8.0;
    let mut points = Vec::new();
    for (base, &x0) in explicit_points(others).into_iter().zip(&POINTS) {
        let mut at = base.clone();
        at.insert(x, x0);
        let mut value = |y0: f64| {
            at.insert(y, y0);
            eval(pool, f, &at)
        };
        let mut roots = Vec::new();
        let mut previous = (-RANGE, value(-RANGE));
        for step in 1..=STEPS {
            let y1 = -RANGE + 2.0 * RANGE * step as f64 / STEPS as f64;
            let f1 = value(y1);
            let (mut lo, mut f_lo) = std::mem::replace(&mut previous, (y1, f1));
            if f1 == 0.0 {
                roots.push(y1);
            }
            if !(f_lo.is_finite() && f1.is_finite()) || f_lo * f1 >= 0.0 {
                continue;
            }
            let mut hi = y1;
            loop {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                let f_mid = value(mid);
                if !f_mid.is_finite() {
                    break;
                }
                if f_mid * f_lo > 0.0 {
                    (lo, f_lo) = (mid, f_mid);
                } else {
                    hi = mid;
                }
            }
            // A sign change across a pole (`tan(x/y)`) is no root.
            let root = if f_lo.abs() <= value(hi).abs() {
                lo
            } else {
                hi
            };
            if value(root).abs() <= 1e-9 {
                roots.push(root);
            }
        }
        for root in roots.into_iter().take(2) {
            let mut point = base.clone();
            point.insert(x, x0);
            point.insert(y, root);
            points.push(point);
        }
    }
    points
}

/// Checks one exercise: `Ok` with the number of points compared, or what is wrong.
fn check(exercise: &Exercise) -> Result<usize, String> {
    let answer = deriv_answer(exercise)?;
    let mut pool = Pool::new();
    let ours = parse_named(&mut pool, &answer, "deriv's answer")?;
    let textbook = parse_named(&mut pool, exercise.answer, "the textbook answer")?;
    let mut variables = free_symbols(&pool, ours);
    variables.extend(free_symbols(&pool, textbook));
    let points = if let Some(y) = exercise.implicit() {
        let (lhs, rhs) = exercise
            .expression
            .split_once('=')
            .ok_or("an implicit exercise needs an equation")?;
        let f = parse_named(&mut pool, &format!("({lhs}) - ({rhs})"), "the equation")?;
        variables.extend(free_symbols(&pool, f));
        variables.sort_by(|a, b| pool.symbol_name(*a).cmp(pool.symbol_name(*b)));
        variables.dedup();
        let wrt = exercise
            .options
            .iter()
            .position(|&o| o == "--wrt")
            .and_then(|at| exercise.options.get(at + 1))
            .and_then(|list| list.split(',').next())
            .ok_or("an implicit exercise needs --wrt")?;
        let (x, y) = (pool.symbol(wrt), pool.symbol(y));
        let others: Vec<SymbolId> = variables
            .iter()
            .copied()
            .filter(|&v| v != x && v != y)
            .collect();
        curve_points(&pool, f, x, y, &others)
    } else {
        variables.sort_by(|a, b| pool.symbol_name(*a).cmp(pool.symbol_name(*b)));
        variables.dedup();
        explicit_points(&variables)
    };
    let mut usable = 0;
    for point in &points {
        let (a, b) = (eval(&pool, ours, point), eval(&pool, textbook, point));
        if !(a.is_finite() && b.is_finite()) {
            continue;
        }
        if !agree(a, b) {
            let mut at: Vec<String> = point
                .iter()
                .map(|(&v, value)| format!("{}={value}", pool.symbol_name(v)))
                .collect();
            at.sort();
            return Err(format!(
                "deriv's {answer} is {a}, the textbook's {} is {b}, at {}",
                exercise.answer,
                at.join(", ")
            ));
        }
        usable += 1;
    }
    if usable < MIN_POINTS {
        return Err(format!(
            "only {usable} of {} points have both {answer} and {} finite (need {MIN_POINTS})",
            points.len(),
            exercise.answer
        ));
    }
    Ok(usable)
}

#[test]
fn quality_exercises_cover_a_course() {
    let exercises = exercises();
    assert!(exercises.len() >= 200, "only {} exercises", exercises.len());
    for category in CATEGORIES {
        let count = exercises.iter().filter(|e| e.category == category).count();
        assert!(count >= 10, "only {count} exercises of {category}");
    }
}

#[test]
fn quality_answers_equal_the_textbook() {
    let exercises = exercises();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = exercises
            .chunks(exercises.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|e| {
                            check(e).err().map(|why| format!("{}: {why}", e.describe()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker panicked"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} exercises fail:\n{}",
        failures.len(),
        exercises.len(),
        failures.join("\n")
    );
}

#[test]
fn quality_check_rejects_a_wrong_answer() {
    let wrong = Exercise {
        line: 0,
        category: "quotient",
        expression: "(2*x + 1)/(x - 4)",
        options: vec!["--wrt", "x"],
        answer: "9/(x - 4)^2",
    };
    assert!(check(&wrong).unwrap_err().contains("the textbook's"));
    let wrong_on_curve = Exercise {
        line: 0,
        category: "implicit",
        expression: "x^2 + y^2 = 25",
        options: vec!["--implicit", "y", "--wrt", "x,x"],
        answer: "-24/y^3",
    };
    assert!(
        check(&wrong_on_curve)
            .unwrap_err()
            .contains("the textbook's")
    );
    let right_on_curve = Exercise {
        answer: "-25/y^3",
        ..wrong_on_curve
    };
    assert!(check(&right_on_curve).unwrap() >= MIN_POINTS);
}

#[test]
fn quality_names_derivatives() {
    assert_eq!(
        name_derivatives("2*x*diff(y, x)^2 + y*diff(y, x, 2) + mydiff(a, b)"),
        "2*x*d1_y_x^2 + y*d2_y_x + mydiff(a, b)"
    );
}
