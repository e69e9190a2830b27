//! The page's files, built into the binary: nothing is fetched from elsewhere, so the
//! page works offline.

/// The page.
pub(super) const INDEX: &str = include_str!("page/index.html");

/// Its script.
pub(super) const SCRIPT: &str = include_str!("page/app.js");

/// Its style sheet.
pub(super) const STYLE: &str = include_str!("page/style.css");

/// What the page may load and run: only its own files (the plot's SVG is inline; its
/// `style` attributes need `'unsafe-inline'` for styles alone).
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
