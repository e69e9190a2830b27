#!/usr/bin/env python3
"""Writes tests/data/gcd_sympy.txt: polynomial gcds and square-free factorizations computed by
SymPy, for tests/integration/polynomials.rs to compare deriv's against.

Usage: scripts/gcd-cases.py            (needs SymPy; seeded, so the output is reproducible)

Each case is in 1 to 3 variables: a common factor g (a product of one or two random factors,
sometimes squared) times one or two further factors makes a, another one or two make b, so
that gcd(a, b) is at least g; a has repeated factors often enough to make its square-free
factorization interesting. Coefficients are small integers, now and then a fraction.
"""
import random
from pathlib import Path

import sympy
from sympy import Poly, Rational, gcd, sqf_list, symbols

SEED = 18
CASES = 100
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "gcd_sympy.txt"

HEADER = f"""\
# Polynomial gcds and square-free factorizations computed by SymPy {sympy.__version__}
# (scripts/gcd-cases.py, seed {SEED}; regenerate with that script, do not edit).
#
# A polynomial is its terms separated by ';', each `coefficient:e0,e1,...`: the coefficient
# an integer or p/q, then the exponents of the variables x0, x1, ... (as many as the case
# has); the zero polynomial is `0`. Each case is a block of lines:
#   case N nvars=K
#   a POLY
#   b POLY
#   gcd POLY          SymPy's gcd(a, b) over QQ (monic when a or b has a fraction)
#   sqf CONTENT       SymPy's sqf_list(a): its content, then one line per factor:
#   factor M POLY     a factor and its multiplicity M
"""


def random_factor(rng, gens):
    """A nonconstant polynomial with 2 to 4 terms of total degree at most 3."""
    while True:
        expr = 0
        for _ in range(rng.randint(2, 4)):
            coeff = rng.choice([c for c in range(-5, 6) if c != 0])
            if rng.random() < 0.15:
                coeff = Rational(coeff, rng.randint(2, 5))
            degree = rng.randint(0, 3)
            term = coeff
            for _ in range(degree):
                term *= rng.choice(gens)
            expr += term
        p = Poly(expr, *gens, domain="QQ")
        if p.total_degree() > 0 and len(p.terms()) > 1:
            return p


def product(rng, gens, count, max_power):
    p = Poly(1, *gens, domain="QQ")
    for _ in range(count):
        p *= random_factor(rng, gens) ** rng.randint(1, max_power)
    return p


def write(p):
    if p.is_zero:
        return "0"
    return ";".join(
        f"{coeff}:{','.join(str(e) for e in monom)}" for monom, coeff in p.terms()
    )


def main():
    rng = random.Random(SEED)
    lines = [HEADER]
    for n in range(CASES):
        nvars = rng.randint(1, 3)
        gens = symbols(f"x0:{nvars}")
        g = product(rng, gens, rng.randint(1, 2), 2)
        a = g * product(rng, gens, rng.randint(1, 2), 2)
        b = g * product(rng, gens, rng.randint(1, 2), 1)
        content, factors = sqf_list(a)
        lines.append(f"case {n} nvars={nvars}")
        lines.append(f"a {write(a)}")
        lines.append(f"b {write(b)}")
        lines.append(f"gcd {write(gcd(a, b))}")
        lines.append(f"sqf {content}")
        for factor, multiplicity in factors:
            lines.append(f"factor {multiplicity} {write(Poly(factor, *gens, domain='QQ'))}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {CASES} cases to {OUT}")


if __name__ == "__main__":
    main()
