//! The writer of the generated code's statements: a local variable per intermediate,
//! result and shared node (`s1`, `s2`, …), and a function of the generated code per
//! defined function (or derivative) the program calls.

use std::collections::BTreeSet;
use std::fmt::Write;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::expr::{ExprId, Node, Pool, SymbolId};
use crate::program::lower::{CompileError, Layout};

use super::helpers::Helper;
use super::idents::Idents;
use super::{EmitError, Language};

/// The writer of one generated function (or of a defined function's body).
pub(super) struct Emitter<'a> {
    pub(super) pool: &'a Pool,
    pub(super) lang: Language,
    pub(super) layout: &'a Layout,
    /// Nodes with a local variable.
    pub(super) names: FxHashMap<ExprId, String>,
    /// Inputs and intermediates defined so far.
    pub(super) bound: FxHashMap<SymbolId, String>,
    pub(super) helpers: BTreeSet<Helper>,
    /// The generated function of each defined function (or derivative) called.
    pub(super) functions: &'a FxHashMap<FormKey, String>,
}

/// A defined function and derivative orders: `phi'` is `(phi, [1, 0])`.
pub(super) type FormKey = (SymbolId, Box<[u32]>);

/// A defined function (or one of its derivatives) that the code calls.
pub(super) struct DefinedForm {
    pub(super) key: FormKey,
    params: Vec<SymbolId>,
    form: ExprId,
}

/// The defined functions that `layout`'s nodes call, directly or through other
/// definitions, callees before callers.
pub(super) fn defined_forms(pool: &Pool, layout: &Layout) -> Result<Vec<DefinedForm>, EmitError> {
    fn visit(
        pool: &Pool,
        nodes: &mut dyn Iterator<Item = ExprId>,
        seen: &mut FxHashSet<FormKey>,
        out: &mut Vec<DefinedForm>,
    ) -> Result<(), EmitError> {
        for id in nodes {
            let Node::Apply { name, orders, .. } = pool.node(id) else {
                continue;
            };
            let key: FormKey = (*name, orders.clone());
            if seen.contains(&key) {
                continue;
            }
            let function = || pool.symbol_name(*name).to_string();
            let (params, form) = pool
                .function_form(*name, orders)
                .ok_or_else(|| CompileError::UnknownFunction { name: function() })?;
            // Definitions never call each other in a circle (`Model::define` refuses it), so
            // the recursion ends; it is as deep as calls nest in the definitions.
            let mut inner = pool.reachable(form, |_| true).into_iter();
            visit(pool, &mut inner, seen, out)?;
            seen.insert(key.clone());
            out.push(DefinedForm {
                key,
                params: params.to_vec(),
                form,
            });
        }
        Ok(())
    }
    let mut out = Vec::new();
    let mut nodes = layout.batches.iter().flatten().copied();
    visit(pool, &mut nodes, &mut FxHashSet::default(), &mut out)?;
    Ok(out)
}

/// The symbols the nodes of a layout mention.
pub(super) fn mentioned(pool: &Pool, layout: &Layout) -> FxHashSet<SymbolId> {
    layout
        .batches
        .iter()
        .flatten()
        .filter_map(|&id| match pool.node(id) {
            Node::Sym(symbol) => Some(*symbol),
            _ => None,
        })
        .collect()
}

impl Emitter<'_> {
    /// Writes a line `name = value` per root (its shared nodes first, as `s1`, `s2`, …);
    /// the first roots are the intermediates `temps`, bound to their names once written.
    pub(super) fn lines(
        &mut self,
        roots: &[ExprId],
        root_names: &[String],
        temps: &[(SymbolId, ExprId)],
        idents: &mut Idents,
        body: &mut String,
    ) -> Result<(), EmitError> {
        let pool = self.pool;
        let layout = self.layout;
        let mut shared = 0;
        for (k, batch) in layout.batches.iter().enumerate() {
            let root = roots[k];
            for &id in batch {
                if id != root && self.is_shared(id) && !self.names.contains_key(&id) {
                    let text = self.render(id)?;
                    shared += 1;
                    let name = idents.fresh(&format!("s{shared}"));
                    self.line(body, &name, &text);
                    self.names.insert(id, name);
                }
            }
            let text = match self.name(root)? {
                Some(name) => name,
                None => self.render(root)?,
            };
            let name = &root_names[k];
            self.line(body, name, &text);
            if !pool.children(root).is_empty() {
                self.names.entry(root).or_insert_with(|| name.clone());
            }
            if let Some(&(symbol, _)) = temps.get(k) {
                self.bound.insert(symbol, name.clone());
            }
        }
        Ok(())
    }

    /// The generated function for a defined function, and the helpers it uses.
    pub(super) fn function_source(
        &self,
        form: &DefinedForm,
        name: &str,
    ) -> Result<(String, BTreeSet<Helper>), EmitError> {
        let pool = self.pool;
        let lang = self.lang;
        let layout = Layout::new(pool, &[form.form]);
        let mut inner = Emitter {
            pool,
            lang,
            layout: &layout,
            names: FxHashMap::default(),
            bound: FxHashMap::default(),
            helpers: BTreeSet::new(),
            functions: self.functions,
        };
        let mut idents = Idents::new(lang);
        idents.taken.extend(self.functions.values().cloned());
        let mut params = Vec::new();
        for &param in &form.params {
            let ident = idents.fresh(pool.symbol_name(param));
            inner.bound.insert(param, ident.clone());
            params.push(ident);
        }
        let value = idents.fresh("value");
        let mut body = String::new();
        if lang == Language::C {
            let used = mentioned(pool, &layout);
            for (param, ident) in form.params.iter().zip(&params) {
                if !used.contains(param) {
                    let _ = writeln!(body, "    (void){ident};");
                }
            }
        }
        inner.lines(
            &[form.form],
            std::slice::from_ref(&value),
            &[],
            &mut idents,
            &mut body,
        )?;
        let function = pool.symbol_name(form.key.0);
        let what = if form.key.1.iter().all(|&o| o == 0) {
            format!("`{function}` as defined")
        } else {
            let orders: Vec<String> = form.key.1.iter().map(u32::to_string).collect();
            format!(
                "the derivative of `{function}` of orders ({})",
                orders.join(", ")
            )
        };
        let source = match lang {
            Language::Rust => {
                let params: Vec<String> = params.iter().map(|p| format!("{p}: f64")).collect();
                format!(
                    "/// {what}.\nfn {name}({}) -> f64 {{\n{body}    {value}\n}}\n",
                    params.join(", ")
                )
            }
            Language::C => {
                let params: Vec<String> = params.iter().map(|p| format!("double {p}")).collect();
                format!(
                    "/* {what}. */\nstatic double {name}({})\n{{\n{body}    return {value};\n}}\n",
                    params.join(", ")
                )
            }
            Language::Python => format!(
                "def {name}({}):\n    \"\"\"{what}.\"\"\"\n{body}    return {value}\n",
                params.join(", ")
            ),
        };
        Ok((source, inner.helpers))
    }

    /// Whether a node gets a local variable of its own: a compound node that several
    /// parents or roots use, unless it is as cheap as its name (`-x`, `2*x`).
    fn is_shared(&self, id: ExprId) -> bool {
        let pool = self.pool;
        if self.layout.uses.get(&id).copied().unwrap_or(0) < 2 || pool.children(id).is_empty() {
            return false;
        }
        !matches!(pool.node(id), Node::Mul(factors)
            if factors.len() == 2
                && pool.as_num(factors[0]).is_some()
                && pool.children(factors[1]).is_empty())
    }

    /// The variable that holds `id`, if one does.
    pub(super) fn name(&self, id: ExprId) -> Result<Option<String>, EmitError> {
        match self.pool.node(id) {
            Node::Sym(symbol) => match self.bound.get(symbol) {
                Some(name) => Ok(Some(name.clone())),
                None => Err(CompileError::UnboundVariable {
                    name: self.pool.symbol_name(*symbol).to_string(),
                }
                .into()),
            },
            _ => Ok(self.names.get(&id).cloned()),
        }
    }

    fn line(&self, body: &mut String, name: &str, value: &str) {
        let _ = match self.lang {
            Language::Rust => writeln!(body, "    let {name} = {value};"),
            Language::C => writeln!(body, "    const double {name} = {value};"),
            Language::Python => writeln!(body, "    {name} = {value}"),
        };
    }
}
