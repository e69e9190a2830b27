//! Polynomial gcds and square-free factorizations: against a table SymPy computed
//! (`tests/data/gcd_sympy.txt`, written by `scripts/gcd-cases.py`), and as properties of
//! random polynomials, checked with a plain univariate Euclid over the rationals written
//! here.
//!
//! Set `PROPTEST_CASES` to search harder (`PROPTEST_CASES=1000 cargo test --test integration
//! polynomials::`).

use deriv::Rational;
use deriv::algebra::{Budget, Poly, gcd, square_free};
use proptest::prelude::*;

/// Plenty for the sizes here; the answers must never be `None`.
const BUDGET: u64 = 100_000_000;

// ---------------------------------------------------------------------------------------
// The SymPy table
// ---------------------------------------------------------------------------------------

/// A coefficient written `n` or `n/d`.
fn rational(text: &str) -> Rational {
    let (n, d) = text.split_once('/').unwrap_or((text, "1"));
    Rational::new(n.parse().unwrap(), d.parse().unwrap()).unwrap()
}

/// A polynomial written as the table's header describes.
fn table_poly(nvars: usize, text: &str) -> Poly {
    if text == "0" {
        return Poly::zero(nvars);
    }
    let terms = text
        .split(';')
        .map(|term| {
            let (coeff, exps) = term.split_once(':').unwrap();
            let exps: Vec<u32> = exps.split(',').map(|e| e.parse().unwrap()).collect();
            (exps, rational(coeff))
        })
        .collect();
    Poly::from_terms(nvars, terms)
}

/// One case of the table.
struct Case {
    name: String,
    a: Poly,
    b: Poly,
    gcd: Poly,
    content: Rational,
    factors: Vec<(Poly, u32)>,
}

fn table() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gcd_sympy.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut cases: Vec<Case> = Vec::new();
    let mut nvars = 0;
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (key, rest) = line.split_once(' ').unwrap();
        if key == "case" {
            let (_, n) = rest.split_once("nvars=").unwrap();
            nvars = n.parse().unwrap();
            cases.push(Case {
                name: line.to_string(),
                a: Poly::zero(nvars),
                b: Poly::zero(nvars),
                gcd: Poly::zero(nvars),
                content: Rational::ZERO,
                factors: Vec::new(),
            });
            continue;
        }
        let case = cases.last_mut().unwrap();
        match key {
            "a" => case.a = table_poly(nvars, rest),
            "b" => case.b = table_poly(nvars, rest),
            "gcd" => case.gcd = table_poly(nvars, rest),
            "sqf" => case.content = rational(rest),
            "factor" => {
                let (m, p) = rest.split_once(' ').unwrap();
                case.factors
                    .push((table_poly(nvars, p), m.parse().unwrap()));
            }
            other => panic!("unknown line `{other}` in {path}"),
        }
    }
    cases
}

/// `content * Π factor^multiplicity`.
fn expand(nvars: usize, content: &Rational, factors: &[(Poly, u32)]) -> Poly {
    factors
        .iter()
        .fold(Poly::constant(nvars, content.clone()), |acc, (f, m)| {
            acc.mul(&f.pow(*m))
        })
}

#[test]
fn gcds_and_square_free_factorizations_agree_with_sympy() {
    let cases = table();
    assert_eq!(cases.len(), 100);
    for case in &cases {
        let nvars = case.a.nvars();
        // The table reads back: SymPy's factorization multiplies out to a.
        assert_eq!(
            expand(nvars, &case.content, &case.factors),
            case.a,
            "{}",
            case.name
        );
        let mut budget = Budget::new(BUDGET);
        let g = gcd(&case.a, &case.b, &mut budget).unwrap();
        // SymPy's gcd over QQ is monic; ours is primitive over the integers.
        assert_eq!(g, case.gcd.primitive().1, "{}", case.name);
        assert!(g.variables().len() <= nvars);

        let (content, factors) = square_free(&case.a, &mut budget).unwrap();
        let expected: Vec<(Poly, u32)> = case
            .factors
            .iter()
            .map(|(f, m)| (f.primitive().1, *m))
            .collect();
        assert_eq!(factors, expected, "{}", case.name);
        assert_eq!(expand(nvars, &content, &factors), case.a, "{}", case.name);
    }
}

// ---------------------------------------------------------------------------------------
// A reference: univariate polynomials over Q as dense coefficient lists, lowest first
// ---------------------------------------------------------------------------------------

/// Drops leading zeros.
fn trim(mut p: Vec<Rational>) -> Vec<Rational> {
    while p.last().is_some_and(Rational::is_zero) {
        p.pop();
    }
    p
}

/// The remainder of `a` by nonzero `b`.
fn remainder(mut a: Vec<Rational>, b: &[Rational]) -> Vec<Rational> {
    let lead = b.last().unwrap().recip().unwrap();
    while a.len() >= b.len() {
        let factor = a.last().unwrap() * &lead;
        let shift = a.len() - b.len();
        for (i, c) in b.iter().enumerate() {
            a[shift + i] = &a[shift + i] - &(&factor * c);
        }
        a = trim(a);
    }
    a
}

/// The monic gcd by Euclid's algorithm (empty for two zeros).
fn euclid(a: Vec<Rational>, b: Vec<Rational>) -> Vec<Rational> {
    let (mut a, mut b) = (trim(a), trim(b));
    while !b.is_empty() {
        let r = remainder(a, &b);
        a = b;
        b = r;
    }
    match a.last().and_then(Rational::recip) {
        Some(lead) => a.iter().map(|c| c * &lead).collect(),
        None => a,
    }
}

/// `p` as a polynomial in `x_v` with the other variables given the integers in `point`.
fn specialize(p: &Poly, v: usize, point: &[i64]) -> Vec<Rational> {
    let mut dense = vec![Rational::ZERO; p.degree_in(v) as usize + 1];
    for (exps, coeff) in p.terms() {
        let mut value = coeff.clone();
        for (k, &e) in exps.iter().enumerate() {
            if k != v {
                for _ in 0..e {
                    value = &value * &Rational::int(point[k]);
                }
            }
        }
        let slot = &mut dense[exps[v] as usize];
        *slot = &*slot + &value;
    }
    trim(dense)
}

/// A point of integers in [-1000, 1000], different for each attempt.
fn point(nvars: usize, attempt: u64) -> Vec<i64> {
    (0..nvars as u64)
        .map(|k| {
            let mut h = (attempt * 31 + k + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            h ^= h >> 29;
            (h % 2001) as i64 - 1000
        })
        .collect()
}

/// Whether `u` and `w` have no common factor, proven with the reference: for each variable
/// both have, some point keeps their degrees in it and gives coprime specializations. A
/// common factor with that variable would survive there with a positive degree.
fn coprime_by_reference(u: &Poly, w: &Poly) -> bool {
    let nvars = u.nvars();
    let in_w = w.variables();
    u.variables()
        .into_iter()
        .filter(|v| in_w.contains(v))
        .all(|v| {
            (0..8).any(|attempt| {
                let point = point(nvars, attempt);
                let (su, sw) = (specialize(u, v, &point), specialize(w, v, &point));
                su.len() == u.degree_in(v) as usize + 1
                    && sw.len() == w.degree_in(v) as usize + 1
                    && euclid(su, sw).len() == 1
            })
        })
}

#[test]
fn the_reference_finds_gcds() {
    let r = |n| Rational::int(n);
    // (x - 1)(x + 2) and (x - 1)(x - 3): x - 1.
    let g = euclid(vec![r(-2), r(1), r(1)], vec![r(3), r(-4), r(1)]);
    assert_eq!(g, vec![r(-1), r(1)]);
    let x = Poly::var(2, 0);
    let y = Poly::var(2, 1);
    assert!(coprime_by_reference(&x.add(&y), &x.sub(&y)));
    assert!(!coprime_by_reference(&x.add(&y), &x.add(&y).mul(&y)));
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

/// A random polynomial in `nvars` variables: up to `terms` terms with exponents up to
/// `degree` and small rational coefficients (sometimes zero altogether).
fn poly(nvars: usize, terms: usize, degree: u32) -> impl Strategy<Value = Poly> {
    let term = (
        prop::collection::vec(0..=degree, nvars),
        -6i64..=6,
        prop_oneof![4 => Just(1i64), 1 => 2i64..=4],
    );
    prop::collection::vec(term, 1..=terms).prop_map(move |terms| {
        let terms = terms
            .into_iter()
            .map(|(e, n, d)| (e, Rational::new(n, d).unwrap()))
            .collect();
        Poly::from_terms(nvars, terms)
    })
}

/// Three random polynomials in the same 1 to 3 variables.
fn three(terms: usize, degree: u32) -> impl Strategy<Value = (Poly, Poly, Poly)> {
    (1usize..=3).prop_flat_map(move |n| {
        (
            poly(n, terms, degree),
            poly(n, terms, degree),
            poly(n, terms, degree),
        )
    })
}

/// `cases` cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `tests/proptest-regressions/polynomials.txt`.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config(160))]

    #[test]
    fn gcds_of_multiples((a, b, c) in three(5, 4)) {
        let (big_a, big_b) = (a.mul(&c), b.mul(&c));
        prop_assume!(!big_a.is_zero() && !big_b.is_zero());
        let g = gcd(&big_a, &big_b, &mut Budget::new(BUDGET)).unwrap();
        prop_assert_eq!(&g.primitive().1, &g, "normalized");
        prop_assert_eq!(gcd(&big_b, &big_a, &mut Budget::new(BUDGET)), Some(g.clone()));
        prop_assert!(g.div_exact(&c.primitive().1).is_some(), "c divides the gcd");
        let u = big_a.div_exact(&g);
        let w = big_b.div_exact(&g);
        prop_assert!(u.is_some() && w.is_some(), "the gcd divides both");
        let (u, w) = (u.unwrap(), w.unwrap());
        prop_assert!(coprime_by_reference(&u, &w), "the cofactors are coprime: {:?}", g);
        if g.nvars() == 1 {
            let reference = euclid(specialize(&big_a, 0, &[0]), specialize(&big_b, 0, &[0]));
            let ours = specialize(&g, 0, &[0]);
            let lead = ours.last().unwrap().recip().unwrap();
            let ours: Vec<Rational> = ours.iter().map(|x| x * &lead).collect();
            prop_assert_eq!(ours, reference);
        }
    }

    #[test]
    fn square_free_factorizations((a, b, c) in three(4, 3)) {
        let p = a.mul(&b.pow(2)).mul(&c.pow(3));
        prop_assume!(!p.is_zero());
        let nvars = p.nvars();
        let mut budget = Budget::new(BUDGET);
        let (content, factors) = square_free(&p, &mut budget).unwrap();
        prop_assert_eq!(expand(nvars, &content, &factors), p.clone());
        for (i, (f, m)) in factors.iter().enumerate() {
            prop_assert!(f.as_constant().is_none());
            prop_assert_eq!(&f.primitive().1, f, "primitive");
            if let Some((_, previous)) = i.checked_sub(1).map(|j| &factors[j]) {
                prop_assert!(previous < m, "multiplicities increase");
            }
            // Square-free: no common factor with all its partial derivatives.
            let mut g = f.clone();
            for v in f.variables() {
                g = gcd(&g, &f.derivative(v), &mut budget).unwrap();
            }
            prop_assert_eq!(g.as_constant(), Some(&Rational::ONE), "{:?} square-free", f);
            for (other, _) in &factors[i + 1..] {
                let g = gcd(f, other, &mut budget).unwrap();
                prop_assert_eq!(g.as_constant(), Some(&Rational::ONE), "coprime");
            }
        }
        // b^2 and c^3 show in the multiplicities: b divides Π f^⌊m/2⌋, c divides Π f^⌊m/3⌋.
        for (base, by) in [(&b, 2), (&c, 3)] {
            let part = factors
                .iter()
                .fold(Poly::constant(nvars, Rational::ONE), |acc, (f, m)| acc.mul(&f.pow(m / by)));
            prop_assert!(part.div_exact(base).is_some(), "{:?} in {:?}", base, factors);
        }
    }
}
