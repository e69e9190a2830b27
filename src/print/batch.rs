//! Printing many expressions of one pool, sharing the text of common subexpressions.

use crate::expr::{ExprId, Pool};

use super::layout::Writer;
use super::{Notation, Style};

/// Prints many expressions of one pool and shares the work between them: the text of a
/// subexpression laid out for one result is copied when a later result repeats it (the
/// partials of a gradient share most of their subexpressions).
///
/// ```
/// use deriv::print::BatchPrinter;
/// use deriv::{Notation, Pool, Style, parse};
/// let mut pool = Pool::new();
/// let a = parse(&mut pool, "sin(x^2)*y").unwrap();
/// let b = parse(&mut pool, "sin(x^2)*z").unwrap();
/// let mut printer = BatchPrinter::new(&pool, Style::Plain, Notation::Leibniz);
/// assert_eq!(printer.print(a), "y*sin(x^2)");
/// assert_eq!(printer.print(b), "z*sin(x^2)");
/// ```
pub struct BatchPrinter<'a> {
    writer: Writer<'a>,
}

impl<'a> BatchPrinter<'a> {
    /// A printer for expressions of `pool`, written in `style` and `notation`.
    pub fn new(pool: &'a Pool, style: Style, notation: Notation) -> BatchPrinter<'a> {
        BatchPrinter {
            writer: Writer::new(pool, style, notation),
        }
    }

    #[cfg(feature = "cli")]
    /// The pool it prints from.
    pub(crate) fn pool(&self) -> &'a Pool {
        self.writer.pool
    }

    #[cfg(feature = "cli")]
    /// The style it writes.
    pub(crate) fn style(&self) -> Style {
        self.writer.style
    }

    /// The text of `id`, as [`Printer`](super::Printer) writes it.
    pub fn print(&mut self, id: ExprId) -> &str {
        // Writing to a `String` cannot fail.
        let range = self.writer.write(id).unwrap_or_default();
        &self.writer.out[range]
    }
}

/// Text kept for copying by a [`BatchPrinter`]; beyond it the printer starts afresh, so its
/// memory stays bounded however much it prints.
pub(super) const MAX_REMEMBERED_TEXT: usize = 64 << 20;
