//! Polynomials in several variables over the rationals (being written).
