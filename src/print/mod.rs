//! The printers: plain text that the parser reads back to the same expression, LaTeX for
//! papers, Unicode for the terminal, and MathML Core for web pages ([`Style`]).
//!
//! Sums print in a readable order (polynomials by descending degree, constants last),
//! products as a numerator over a denominator (`4*pi*t*y/3`, `x/y^2`), half powers as
//! `sqrt`, third powers as `cbrt`, and subtraction as subtraction (`x - y`). The printer
//! walks the DAG with an explicit stack, so deep expressions cannot overflow it.

mod batch;
mod calls;
mod layout;
mod mathml;
mod names;
mod order;
mod placeholder;

use std::fmt;

use crate::expr::{ExprId, Node, Pool};

pub use batch::BatchPrinter;
pub(crate) use mathml::{INVISIBLE_TIMES, THIN_SPACE, mtext};
#[cfg(feature = "cli")]
pub(crate) use mathml::{MINUS, NEGATION, QUAD, math_element, write_decimal};
pub(crate) use names::{write_name, write_superscript};
pub(crate) use order::{product_order, sum_order};
pub(crate) use placeholder::placeholder_name;

use layout::Writer;

/// The plain text of an expression.
///
/// ```
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "x*2 + 1 + x^2").unwrap();
/// assert_eq!(print(&pool, e), "x^2 + 2*x + 1");
/// ```
pub fn print(pool: &Pool, id: ExprId) -> String {
    Printer::new(pool, id).to_string()
}

/// How formulas are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Style {
    /// One line of ASCII that parses back: `4*pi*t*y/3`.
    #[default]
    Plain,
    /// LaTeX math: `\frac{4 \pi t y}{3}`.
    Latex,
    /// For the terminal: `4πty/3`, `x²`, `√x`.
    Unicode,
    /// MathML Core, for a web page: the content of a `<math>` element, as the LaTeX style
    /// lays it out (`<mfrac><mrow><mn>4</mn><mo>&#x2062;</mo><mi>π</mi>…</mrow><mn>3</mn></mfrac>`).
    MathMl,
}

/// How derivatives of dependent variables (and result labels) are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Notation {
    /// `diff(y, x)`, `dy/dx`, `\frac{dy}{dx}`.
    #[default]
    Leibniz,
    /// `y'`, `y''`.
    Prime,
}

/// An expression ready to be written with `{}`.
///
/// ```
/// use deriv::{Pool, Printer, Style, parse};
/// let mut pool = Pool::new();
/// let e = parse(&mut pool, "4*pi/3*t*y*x^2").unwrap();
/// assert_eq!(Printer::new(&pool, e).style(Style::Latex).to_string(), r"\frac{4 \pi t x^{2} y}{3}");
/// assert_eq!(Printer::new(&pool, e).style(Style::Unicode).to_string(), "4πtx²y/3");
/// let x2 = parse(&mut pool, "x^2").unwrap();
/// assert_eq!(
///     Printer::new(&pool, x2).style(Style::MathMl).to_string(),
///     "<msup><mi>x</mi><mn>2</mn></msup>"
/// );
/// ```
pub struct Printer<'a> {
    pool: &'a Pool,
    id: ExprId,
    style: Style,
    notation: Notation,
}

impl<'a> Printer<'a> {
    /// Prints `id` from `pool`, as plain text in Leibniz notation.
    pub fn new(pool: &'a Pool, id: ExprId) -> Printer<'a> {
        Printer {
            pool,
            id,
            style: Style::Plain,
            notation: Notation::Leibniz,
        }
    }

    /// Writes in `style`.
    pub fn style(mut self, style: Style) -> Printer<'a> {
        self.style = style;
        self
    }

    /// Writes derivatives of dependent variables in `notation`.
    pub fn notation(mut self, notation: Notation) -> Printer<'a> {
        self.notation = notation;
        self
    }
}

impl fmt::Display for Printer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut writer = Writer::new(self.pool, self.style, self.notation);
        let range = writer.write(self.id)?;
        f.write_str(&writer.out[range])
    }
}

/// About the number of bytes [`print()`] would write, saturating: a quick estimate from
/// the nodes alone, computed without printing.
pub fn printed_len(pool: &Pool, id: ExprId) -> u64 {
    printed_len_estimate(pool, &[id])
}

/// The number of bytes [`print()`] would write for all of `ids`, each on its own,
/// saturating: exact, computed without printing, in time linear in the DAG (each
/// subexpression is laid out once and its length remembered, however often the text
/// repeats it). What `--max-output` compares with its limit.
///
/// ```
/// use deriv::print::printed_len_sum;
/// use deriv::{Pool, parse, print};
/// let mut pool = Pool::new();
/// let inner = parse(&mut pool, "sin(x) + 1").unwrap();
/// let outer = parse(&mut pool, "(sin(x) + 1)^2*y").unwrap();
/// let text = print(&pool, inner) + &print(&pool, outer);
/// assert_eq!(printed_len_sum(&pool, &[inner, outer]), text.len() as u64);
/// ```
pub fn printed_len_sum(pool: &Pool, ids: &[ExprId]) -> u64 {
    let mut writer = Writer::new(pool, Style::Plain, Notation::Leibniz);
    let mut lens = rustc_hash::FxHashMap::default();
    ids.iter().fold(0u64, |acc, &id| {
        acc.saturating_add(writer.text_len(id, &mut lens))
    })
}

/// [`printed_len`] for all of `ids`, saturating: one walk over the nodes they share, with
/// a generous length per node (within about 2× of [`printed_len_sum`]).
pub fn printed_len_estimate(pool: &Pool, ids: &[ExprId]) -> u64 {
    let order = pool.reachable_from(ids, |_| true);
    // Lengths by id; `order` is sorted, so its last id is the largest.
    let mut len = vec![0u64; order.last().map_or(0, |last| last.index() + 1)];
    for &node in &order {
        let own: u64 = match pool.node(node) {
            Node::Num(value) => value.bits() / 3 + 2,
            Node::Sym(symbol) => pool.symbol_name(*symbol).len() as u64,
            Node::Apply { name, args, .. } => {
                pool.symbol_name(*name).len() as u64 + 8 + 2 * args.len() as u64
            }
            Node::Add(ops) | Node::Mul(ops) => 5 * ops.len() as u64,
            _ => 8,
        };
        let children: u64 = pool
            .children(node)
            .iter()
            .fold(0u64, |acc, child| acc.saturating_add(len[child.index()]));
        len[node.index()] = own.saturating_add(children);
    }
    ids.iter()
        .fold(0u64, |acc, id| acc.saturating_add(len[id.index()]))
}

/// Why the pool's most recent undefined value arose, in words, the subexpression it is
/// about printed in place of `{}`: `tan(pi/2) is undefined (a pole)`.
pub fn undefined_reason_text(pool: &Pool) -> String {
    match pool.undefined_reason() {
        Some(reason) => match reason.about {
            Some(about) => reason.text.replacen("{}", &print(pool, about), 1),
            None => reason.text.clone(),
        },
        None => "the value is undefined".into(),
    }
}
