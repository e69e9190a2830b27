//! The greatest common divisor of polynomials (being written).
