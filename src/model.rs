//! Models: definitions of variables (`h1 = phi(w11*x1 + b1)`) and functions
//! (`phi(s) = 1/(1 + exp(-s))`) that later lines use, as in a network's forward pass.
//!
//! Variables are values: a later expression that mentions `h1` means its definition. A
//! function stays a call (`phi(u)`) in the expression, so that its derivative can be
//! written in terms of itself (`phi'(s) = phi(s)*(1 - phi(s))`) and results can show the
//! model's names; [`Pool::inline_functions`] writes the calls out.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::calculus::defined::DefinedFunctions;
use crate::error::{Error, Span, Warning};
use crate::expr::defined::Function;
use crate::expr::subst::{rebuild, replace};
use crate::expr::{ExprId, Map, Node, Pool, SymbolId};
use crate::parse::{ParseOptions, check_variable, parse_warned, parse_with};

/// One definition: `NAME = EXPR` or `NAME(PARAMS) = EXPR`.
#[derive(Clone, Debug)]
pub struct Definition {
    /// The defined name.
    pub name: String,
    /// The parameters of a function; `None` for a variable.
    pub params: Option<Vec<String>>,
    /// The whole definition text.
    pub text: String,
    /// Where the body starts in `text`.
    pub body_offset: usize,
    /// Where the name starts in `text`.
    pub name_offset: usize,
}

impl Definition {
    /// The body's text.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// Reads `text` as a definition if it has the shape of one (`h = …`, `f(a, b) = …`);
    /// `None` when it is an expression. A definition with a bad name or parameters is an
    /// error pointing at them.
    pub fn read(text: &str) -> Option<Result<Definition, Error>> {
        let name_offset = text.len() - text.trim_start().len();
        let name_len = identifier_len(&text[name_offset..]);
        if name_len == 0 {
            return None;
        }
        let name_end = name_offset + name_len;
        let mut at = skip_spaces(text, name_end);
        let mut params = None;
        if text[at..].starts_with('(') {
            let close = at + text[at..].find(')')?;
            let mut list = Vec::new();
            for part in text[at + 1..close].split(',') {
                let trimmed = part.trim();
                if identifier_len(trimmed) != trimmed.len() || trimmed.is_empty() {
                    return None;
                }
                list.push(trimmed.to_string());
            }
            params = Some(list);
            at = skip_spaces(text, close + 1);
        }
        if !text[at..].starts_with('=') || text[at..].starts_with("==") {
            return None;
        }
        let definition = Definition {
            name: text[name_offset..name_end].to_string(),
            params,
            text: text.to_string(),
            body_offset: at + 1,
            name_offset,
        };
        Some(definition.check_names().map(|()| definition))
    }

    fn name_span(&self) -> Span {
        Span::new(self.name_offset, self.name_offset + self.name.len())
    }

    fn check_names(&self) -> Result<(), Error> {
        let help = Some("a definition is `NAME = EXPR` or `NAME(PARAMS) = EXPR`".to_string());
        check_variable(&self.name).map_err(|message| Error::Name {
            message,
            span: self.name_span(),
            help: help.clone(),
        })?;
        if self.body().trim().is_empty() {
            let end = self.text.len();
            return Err(Error::Syntax {
                message: format!("the definition of `{}` has no expression", self.name),
                span: Span::new(end, end),
                help,
            });
        }
        let params = self.params.as_deref().unwrap_or_default();
        let mut from = self.name_span().end;
        for (k, param) in params.iter().enumerate() {
            let span =
                find_name(&self.text[..self.body_offset], param, from).unwrap_or(self.name_span());
            from = span.end;
            check_variable(param).map_err(|message| Error::Name {
                message,
                span,
                help: help.clone(),
            })?;
            if params[..k].contains(param) {
                return Err(Error::Name {
                    message: format!("the parameter `{param}` appears twice"),
                    span,
                    help: Some("give each parameter its own name".into()),
                });
            }
        }
        Ok(())
    }
}

fn identifier_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_alphabetic() => {}
        _ => return 0,
    }
    chars
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(text.len(), |(i, _)| i)
}

fn skip_spaces(text: &str, from: usize) -> usize {
    from + (text[from..].len() - text[from..].trim_start().len())
}

/// The first whole-word occurrence of `name` in `text` at or after `from`.
fn find_name(text: &str, name: &str, from: usize) -> Option<Span> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = from;
    while let Some(i) = text.get(start..)?.find(name) {
        let at = start + i;
        let end = at + name.len();
        let before = text[..at].chars().next_back().is_some_and(is_word);
        let after = text[end..].chars().next().is_some_and(is_word);
        if !before && !after {
            return Some(Span::new(at, end));
        }
        start = end;
    }
    None
}

/// The identifiers a text mentions, for "used before its definition".
pub fn mentioned_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = 0;
    while rest < text.len() {
        let len = identifier_len(&text[rest..]);
        if len > 0 {
            names.push(&text[rest..rest + len]);
            rest += len;
        } else {
            let skip = text[rest..].chars().next().map_or(1, char::len_utf8);
            // Digits and underscores glued to a number are not names (`2e3`, `1_000`).
            let glued = text[rest..]
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .map_or(text.len() - rest, |(i, _)| i);
            rest += if text[rest..].starts_with(|c: char| c.is_ascii_digit()) {
                glued.max(1)
            } else {
                skip
            };
        }
    }
    names
}

/// Definitions as they are read, one after another: checks that a name is defined once
/// and not used before its definition.
#[derive(Clone, Debug, Default)]
pub struct Script {
    /// The definitions so far, in order.
    pub definitions: Vec<Definition>,
    /// Where each defined name was defined (a line number, or 0 for `--def`).
    defined: FxHashMap<String, usize>,
    /// The first line that mentions each name.
    used: FxHashMap<String, usize>,
}

impl Script {
    /// What the body of `definition` probably does not mean (`Sin(s)`, `E^s`), with spans
    /// in its text; its parameters and the names defined before it are meant.
    pub fn warnings(&self, definition: &Definition, options: &ParseOptions) -> Vec<Warning> {
        let Ok((_, warnings)) = parse_warned(&mut Pool::new(), definition.body(), options) else {
            return Vec::new();
        };
        let params = definition.params.as_deref().unwrap_or_default();
        warnings
            .into_iter()
            .filter(|w| {
                w.name.as_ref().is_none_or(|name| {
                    !(params.contains(name)
                        || *name == definition.name
                        || self.defined.contains_key(name))
                })
            })
            .map(|w| w.shifted(definition.body_offset))
            .collect()
    }

    /// Adds a definition read on `line` (0 for `--def`), checked against what came before
    /// (a pool with the earlier definitions is used to check its expression).
    pub fn define(
        &mut self,
        definition: Definition,
        line: usize,
        options: &ParseOptions,
    ) -> Result<(), Error> {
        let where_ = |line: usize| match line {
            0 => "in a --def option".to_string(),
            n => format!("on line {n}"),
        };
        if let Some(&earlier) = self.defined.get(&definition.name) {
            return Err(Error::Name {
                message: format!(
                    "`{}` is already defined {}",
                    definition.name,
                    where_(earlier)
                ),
                span: definition.name_span(),
                help: Some("each name is defined once; choose another name".into()),
            });
        }
        if let Some(&first) = self.used.get(&definition.name) {
            return Err(Error::Name {
                message: format!(
                    "`{}` is used {} before this definition",
                    definition.name,
                    where_(first)
                ),
                span: definition.name_span(),
                help: Some("move the definition above its first use".into()),
            });
        }
        let mut pool = Pool::new();
        let mut model = Model::load(&mut pool, &self.definitions, options)?;
        model.define(&mut pool, &definition, options)?;
        self.note_uses(definition.body(), line);
        self.defined.insert(definition.name.clone(), line);
        self.definitions.push(definition);
        Ok(())
    }

    /// A script that starts with definitions checked before (`--def`'s).
    pub fn seeded(definitions: &[Definition]) -> Script {
        let mut script = Script::default();
        for definition in definitions {
            script.note_uses(definition.body(), 0);
            script.defined.insert(definition.name.clone(), 0);
            script.definitions.push(definition.clone());
        }
        script
    }

    /// Records the names an expression line mentions.
    pub fn note_uses(&mut self, text: &str, line: usize) {
        for name in mentioned_names(text) {
            if !self.defined.contains_key(name) && !self.used.contains_key(name) {
                self.used.insert(name.to_string(), line);
            }
        }
    }

    /// The last definition, the default target of a file of definitions.
    pub fn last(&self) -> Option<&Definition> {
        self.definitions.last()
    }
}

/// The defined function through which `body` calls `name`, directly or through the bodies
/// of other defined functions (`f(s) = g(s)` defined before `g(s) = f(s)`), if it does.
fn calls_through_definitions(pool: &Pool, body: ExprId, name: SymbolId) -> Option<SymbolId> {
    let mut seen = FxHashSet::default();
    // (a body to search, the function it belongs to)
    let mut stack = vec![(body, name)];
    while let Some((body, owner)) = stack.pop() {
        for id in pool.reachable(body, |_| true) {
            let Node::Apply { name: callee, .. } = pool.node(id) else {
                continue;
            };
            if *callee == name {
                return Some(owner);
            }
            if seen.insert(*callee)
                && let Some(function) = pool.functions.get(callee)
            {
                stack.push((function.body, *callee));
            }
        }
    }
    None
}

/// Definitions loaded into a pool.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Each variable's value, in the original variables (functions stay calls).
    values: FxHashMap<SymbolId, ExprId>,
    /// Defined variables and functions, in order.
    order: Vec<SymbolId>,
    /// Values shown as names: the first definition with that value.
    names: FxHashMap<ExprId, SymbolId>,
    /// Named sums by one of their terms: (the sum's terms, its name, negated).
    sums: FxHashMap<ExprId, Vec<(Vec<ExprId>, SymbolId, bool)>>,
}

impl Model {
    /// Loads checked definitions into `pool`.
    pub fn load(
        pool: &mut Pool,
        definitions: &[Definition],
        options: &ParseOptions,
    ) -> Result<Model, Error> {
        let mut model = Model::default();
        for definition in definitions {
            model.define(pool, definition, options)?;
        }
        Ok(model)
    }

    /// Whether there are no definitions.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Whether `name` is a defined variable or function.
    pub fn defines(&self, pool: &Pool, name: &str) -> bool {
        pool.find_symbol(name)
            .is_some_and(|s| self.values.contains_key(&s) || pool.functions.contains_key(&s))
    }

    /// The value of a defined variable.
    pub fn value(&self, name: SymbolId) -> Option<ExprId> {
        self.values.get(&name).copied()
    }

    /// The defined variables and their values (in the original variables), in order.
    pub fn variables(&self) -> impl Iterator<Item = (SymbolId, ExprId)> + '_ {
        self.order
            .iter()
            .filter_map(|&name| Some((name, self.value(name)?)))
    }

    /// The names shown for values, for programs.
    pub fn names(&self) -> &Map<ExprId, SymbolId> {
        &self.names
    }

    /// Adds one definition; errors point into its text.
    pub fn define(
        &mut self,
        pool: &mut Pool,
        definition: &Definition,
        options: &ParseOptions,
    ) -> Result<(), Error> {
        let name = pool.symbol(&definition.name);
        let raw = parse_with(pool, definition.body(), options)
            .map_err(|e| e.shifted(definition.body_offset))?;
        let body = self
            .expand_checked(pool, raw, definition.body(), Some(name))
            .map_err(|e| e.shifted(definition.body_offset))?;
        match &definition.params {
            None => {
                self.values.insert(name, body);
                if !pool.children(body).is_empty() {
                    self.names.entry(body).or_insert(name);
                    if let Node::Add(terms) = pool.node(body) {
                        let terms = terms.to_vec();
                        let negated: Vec<ExprId> = terms.iter().map(|&t| pool.neg(t)).collect();
                        self.sums
                            .entry(terms[0])
                            .or_default()
                            .push((terms, name, false));
                        self.sums
                            .entry(negated[0])
                            .or_default()
                            .push((negated, name, true));
                    }
                }
            }
            Some(params) => {
                // A direct call of itself was refused above, by `expand_checked`.
                if let Some(via) = calls_through_definitions(pool, body, name) {
                    return Err(Error::Name {
                        message: format!(
                            "`{}` is defined in terms of itself (through `{}`)",
                            definition.name,
                            pool.symbol_name(via)
                        ),
                        span: definition.name_span(),
                        help: Some("a definition may use only the names defined above it".into()),
                    });
                }
                let mut params: Vec<SymbolId> = params.iter().map(|p| pool.symbol(p)).collect();
                let visible = params.len();
                let inlined = pool.inline_functions(body);
                for symbol in crate::expr::subst::free_symbols(pool, inlined) {
                    if !params.contains(&symbol) {
                        params.push(symbol);
                    }
                }
                let arity = params.len();
                let function = Function::new(params, visible, body, inlined);
                pool.functions.insert(name, function);
                // The first partials now, in terms of the function itself where shorter.
                for k in 0..arity {
                    let mut orders = vec![0; arity];
                    orders[k] = 1;
                    let _ = pool.function_partial(name, &orders);
                }
            }
        }
        self.order.push(name);
        Ok(())
    }

    /// An input expression with the definitions applied: variables replaced by their
    /// values, calls checked against the functions' parameters, derivatives of defined
    /// functions (`phi'(u)`) written out. Errors point into `text`.
    pub fn expand(&self, pool: &mut Pool, expr: ExprId, text: &str) -> Result<ExprId, Error> {
        self.expand_checked(pool, expr, text, None)
    }

    fn expand_checked(
        &self,
        pool: &mut Pool,
        expr: ExprId,
        text: &str,
        defining: Option<SymbolId>,
    ) -> Result<ExprId, Error> {
        let name_error = |name: &str, message: String, help: &str| Error::Name {
            span: find_name(text, name, 0).unwrap_or(Span::new(0, text.len())),
            message,
            help: Some(help.into()),
        };
        if self.values.is_empty() && pool.functions.is_empty() && defining.is_none() {
            // Nothing is defined: nothing to expand or to check.
            return Ok(expr);
        }
        let mut map = FxHashMap::default();
        for id in pool.reachable(expr, |_| true) {
            match pool.node(id).clone() {
                Node::Sym(symbol) => {
                    let name = pool.symbol_name(symbol).to_string();
                    if Some(symbol) == defining {
                        return Err(name_error(
                            &name,
                            format!("`{name}` is defined in terms of itself"),
                            "a definition cannot be recursive: use other names",
                        ));
                    }
                    if pool.functions.contains_key(&symbol) {
                        return Err(name_error(
                            &name,
                            format!("`{name}` is a function: call it with its arguments"),
                            "write it as a call, for example phi(x)",
                        ));
                    }
                    if let Some(&value) = self.values.get(&symbol) {
                        map.insert(id, value);
                    }
                }
                Node::Apply { name, orders, args } => {
                    let text_name = pool.symbol_name(name).to_string();
                    if Some(name) == defining {
                        return Err(name_error(
                            &text_name,
                            format!("`{text_name}` is defined in terms of itself"),
                            "a definition cannot be recursive: use other names",
                        ));
                    }
                    if self.values.contains_key(&name) {
                        return Err(name_error(
                            &text_name,
                            format!("`{text_name}` is a variable, not a function"),
                            "use it without arguments",
                        ));
                    }
                    if let Some(function) = pool.functions.get(&name) {
                        let arity = function.visible;
                        let hidden: Vec<SymbolId> = function.params[arity..].to_vec();
                        if args.len() != arity {
                            let plural = if arity == 1 { "" } else { "s" };
                            return Err(name_error(
                                &text_name,
                                format!(
                                    "`{text_name}` takes {arity} argument{plural}, not {}",
                                    args.len()
                                ),
                                "call it with as many arguments as its definition has parameters",
                            ));
                        }
                        let mut full = args.to_vec();
                        full.extend(hidden.iter().map(|&h| pool.sym(h)));
                        let mut full_orders = orders.to_vec();
                        full_orders.resize(full.len(), 0);
                        let complete = if orders.iter().any(|&o| o > 0) {
                            let partial = pool.function_partial(name, &full_orders);
                            pool.instantiate(name, partial, &full)
                        } else {
                            pool.apply(name, &full_orders, &full)
                        };
                        map.insert(id, complete);
                    }
                }
                _ => {}
            }
        }
        // Calls are completed in their written arguments first, then variables replaced.
        let (calls, values): (FxHashMap<ExprId, ExprId>, FxHashMap<ExprId, ExprId>) = map
            .into_iter()
            .partition(|(id, _)| matches!(pool.node(*id), Node::Apply { .. }));
        let completed = replace(pool, expr, &calls);
        Ok(replace(pool, completed, &values))
    }

    /// `expr` written with the definitions' names where they fit: a subexpression equal
    /// to a variable's value is that variable, and a sum that contains all the terms of a
    /// named sum (or of its negation) uses the name. `expr` itself keeps its form.
    pub fn present(&self, pool: &mut Pool, expr: ExprId) -> ExprId {
        if self.names.is_empty() {
            return expr;
        }
        let mut new: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        for id in pool.reachable(expr, |_| true) {
            let value = match self.names.get(&id) {
                Some(&name) if id != expr => pool.sym(name),
                _ => self.present_node(pool, id, &new),
            };
            new.insert(id, value);
        }
        new.get(&expr).copied().unwrap_or(expr)
    }

    fn present_node(&self, pool: &mut Pool, id: ExprId, new: &FxHashMap<ExprId, ExprId>) -> ExprId {
        let children = pool.children(id).to_vec();
        if children.is_empty() {
            return id;
        }
        let mut mapped: Vec<ExprId> = Vec::with_capacity(children.len());
        if let Node::Add(terms) = pool.node(id) {
            let terms = terms.to_vec();
            let mut left: FxHashSet<ExprId> = terms.iter().copied().collect();
            for &term in &terms {
                let Some(candidates) = self.sums.get(&term) else {
                    continue;
                };
                for (sum_terms, name, negated) in candidates {
                    if sum_terms.len() < terms.len() && sum_terms.iter().all(|t| left.contains(t)) {
                        for t in sum_terms {
                            left.remove(t);
                        }
                        let var = pool.sym(*name);
                        mapped.push(if *negated { pool.neg(var) } else { var });
                    }
                }
            }
            mapped.extend(
                terms
                    .iter()
                    .filter(|t| left.contains(t))
                    .map(|t| new.get(t).copied().unwrap_or(*t)),
            );
            return pool.add(&mapped);
        }
        mapped.extend(children.iter().map(|c| new.get(c).copied().unwrap_or(*c)));
        if mapped == children {
            return id;
        }
        let node = pool.node(id).clone();
        rebuild(pool, &node, &mapped)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{diff, print};

    /// The model of `lines`, each a definition checked by a [`Script`] as the CLI does.
    pub(crate) fn model(pool: &mut Pool, lines: &[&str]) -> Model {
        let options = ParseOptions::default();
        let mut script = Script::default();
        for (k, line) in lines.iter().enumerate() {
            let definition = Definition::read(line).unwrap().unwrap();
            script.define(definition, k + 1, &options).unwrap();
        }
        Model::load(pool, &script.definitions, &options).unwrap()
    }

    /// `Model::load` takes definitions unchecked by a [`Script`], so a later definition can
    /// close a circle of calls through earlier ones: an error at its name, not a stack
    /// overflow in the derivatives or in the compilers.
    #[test]
    fn definitions_calling_each_other_in_a_circle_are_refused() {
        let cases: [(&[&str], &str); 3] = [
            (
                &["f(s) = g(s)", "g(s) = f(s)"],
                "`g` is defined in terms of itself (through `f`)",
            ),
            (
                &["f(s) = g(2)", "g(s) = f(3)"],
                "`g` is defined in terms of itself (through `f`)",
            ),
            (
                &["f(s) = g(s)", "g(s) = h(s)", "h(s) = 2*f(s)"],
                "`h` is defined in terms of itself (through `g`)",
            ),
        ];
        for (lines, message) in cases {
            let definitions: Vec<Definition> = lines
                .iter()
                .map(|l| Definition::read(l).unwrap().unwrap())
                .collect();
            let mut pool = Pool::new();
            let error = Model::load(&mut pool, &definitions, &ParseOptions::default()).unwrap_err();
            let Error::Name {
                message: got, span, ..
            } = error
            else {
                panic!("{lines:?}: {error:?}");
            };
            assert_eq!(got, message, "{lines:?}");
            assert_eq!(span, Span::new(0, 1), "{lines:?}: the caret is at the name");
        }
    }

    #[test]
    fn the_sigmoid_differentiates_to_itself() {
        let mut pool = Pool::new();
        let m = model(
            &mut pool,
            &[
                "phi(s) = 1/(1 + exp(-a*s))",
                "h = phi(w*x + b)",
                "E = 1/2*(y - h)^2",
            ],
        );
        let phi = pool.symbol("phi");
        let d = pool.function_partial(phi, &[1]);
        assert_eq!(print(&pool, d), "a*phi(s)*(1 - phi(s))");
        let e = pool.symbol("E");
        let e = m.value(e).unwrap();
        let w = pool.symbol("w");
        let de = diff(&mut pool, e, w);
        let shown = m.present(&mut pool, de);
        assert_eq!(print(&pool, shown), "-a*h*x*(1 - h)*(y - h)");
    }
}
