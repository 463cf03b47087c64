//! Re-using the summaries of unchanged module-level definitions after an edit.
//!
//! The summary of a module-level `def` or `class` (its functions, their signatures, nested
//! functions, methods) is read from that statement's syntax tree alone. When the statement's
//! text is byte for byte the same as one of the previous text, sits at the same place in the
//! grammar (a direct child of the module, starting a line) and holds no syntax error, its tree
//! is the same, so its summary is the previous one moved by the difference of their offsets.
//! Module-level facts (bindings, constants, names read before they are bound) are still
//! computed by walking every statement in order; only the walk into each definition is saved.

use std::ops::Range;

use super::expr::{Call, DictItem};
use super::{Annotation, ExprKind, PyClass, PyExpr, PyFunction, PyModule, TextRange};

/// One module-level definition whose summary can be moved into the next summary of the file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Item {
    /// The statement (decorators included).
    pub range: TextRange,
    /// The functions its walk added to `PyModule::functions` (nested ones and methods first).
    pub functions: Range<usize>,
    /// The classes its walk added to `PyModule::classes`.
    pub classes: Range<usize>,
    /// What the statement binds at module level.
    pub bound: Option<Bound>,
}

/// What a module-level definition binds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) enum Bound {
    Function(usize),
    Class(usize),
}

/// The previous summary of a file and its text, taken apart as definitions are re-used.
pub(super) struct Previous<'p> {
    module: PyModule,
    /// The previous items by their text; an entry leaves once re-used (a second definition
    /// with the same text is walked again).
    by_text: foldhash::HashMap<&'p str, usize>,
}

#[cfg(test)]
thread_local! {
    /// How many definitions were moved from a previous summary on this thread.
    pub(crate) static DEFINITIONS_TAKEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'p> Previous<'p> {
    /// `text` must be the text `module` was read from.
    pub(super) fn new(text: &'p str, module: PyModule) -> Previous<'p> {
        let mut by_text = foldhash::HashMap::default();
        by_text.reserve(module.items.len());
        for (i, item) in module.items.iter().enumerate() {
            if let Some(t) = text.get(item.range.start as usize..item.range.end as usize) {
                by_text.entry(t).or_insert(i);
            }
        }
        Previous { module, by_text }
    }

    /// Moves the summary of the previous definition whose text is `text` to the end of
    /// `module`'s functions and classes, shifted to start at `start`, and records it as an
    /// item of `module`.
    pub(super) fn take(&mut self, text: &str, start: usize, module: &mut PyModule) -> Option<Item> {
        let i = self.by_text.remove(text)?;
        #[cfg(test)]
        DEFINITIONS_TAKEN.with(|taken| taken.set(taken.get() + 1));
        let old = self.module.items[i].clone();
        let delta = start as i64 - i64::from(old.range.start);
        let fn_base = module.functions.len();
        let class_base = module.classes.len();
        let fn_index = |k: usize| k - old.functions.start + fn_base;
        for k in old.functions.clone() {
            let mut f = std::mem::take(&mut self.module.functions[k]);
            shift_function(&mut f, delta);
            for n in &mut f.nested {
                *n = fn_index(*n);
            }
            module.functions.push(f);
        }
        for k in old.classes.clone() {
            let mut c = std::mem::take(&mut self.module.classes[k]);
            shift_class(&mut c, delta);
            for m in &mut c.methods {
                *m = fn_index(*m);
            }
            module.classes.push(c);
        }
        let item = Item {
            range: shift(old.range, delta),
            functions: fn_base..module.functions.len(),
            classes: class_base..module.classes.len(),
            bound: old.bound.map(|b| match b {
                Bound::Function(k) => Bound::Function(fn_index(k)),
                Bound::Class(k) => Bound::Class(k - old.classes.start + class_base),
            }),
        };
        module.items.push(item.clone());
        Some(item)
    }
}

fn shift(r: TextRange, delta: i64) -> TextRange {
    let at = |x: u32| (i64::from(x) + delta) as usize;
    TextRange::new(at(r.start), at(r.end))
}

fn shift_function(f: &mut PyFunction, delta: i64) {
    if delta == 0 {
        return;
    }
    f.name_range = shift(f.name_range, delta);
    f.range = shift(f.range, delta);
    f.def_offset = (f.def_offset as i64 + delta) as usize;
    shift_exprs(f.decorators.iter_mut(), delta);
    for p in &mut f.params {
        p.name_range = shift(p.name_range, delta);
        p.range = shift(p.range, delta);
        if let Some(a) = &mut p.annotation {
            shift_annotation(a, delta);
        }
    }
    f.params_range = shift(f.params_range, delta);
    if let Some(a) = &mut f.return_annotation {
        shift_annotation(a, delta);
    }
    for r in &mut f.value_returns {
        *r = shift(*r, delta);
    }
    f.body_range = shift(f.body_range, delta);
}

fn shift_class(c: &mut PyClass, delta: i64) {
    if delta == 0 {
        return;
    }
    c.name_range = shift(c.name_range, delta);
    shift_exprs(c.bases.iter_mut(), delta);
}

fn shift_annotation(a: &mut Annotation, delta: i64) {
    a.range = shift(a.range, delta);
    shift_exprs(std::iter::once(&mut a.expr), delta);
}

/// Shifts every range in the expressions, with an explicit stack (expressions nest as deep as
/// the reader's bound allows).
fn shift_exprs<'e>(roots: impl Iterator<Item = &'e mut PyExpr>, delta: i64) {
    let mut stack: Vec<&mut PyExpr> = roots.collect();
    while let Some(e) = stack.pop() {
        e.range = shift(e.range, delta);
        match &mut e.kind {
            ExprKind::Attribute {
                object, name_range, ..
            } => {
                *name_range = shift(*name_range, delta);
                stack.push(object);
            }
            ExprKind::Call(call) => {
                let Call {
                    func,
                    args,
                    args_range,
                } = std::sync::Arc::make_mut(call); // a copy only while a model shares it
                *args_range = shift(*args_range, delta);
                stack.push(func);
                for a in args {
                    a.range = shift(a.range, delta);
                    if let Some((_, r)) = &mut a.keyword {
                        *r = shift(*r, delta);
                    }
                    stack.push(&mut a.value);
                }
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => stack.extend(items.iter_mut()),
            ExprKind::Dict(items) => {
                for DictItem { key, value } in items {
                    stack.extend(key.as_mut());
                    stack.push(value);
                }
            }
            ExprKind::Subscript { value, index } => {
                stack.push(value);
                stack.extend(index.iter_mut());
            }
            ExprKind::BitOr(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Str(_)
            | ExprKind::Number(_)
            | ExprKind::Bool(_)
            | ExprKind::None
            | ExprKind::Name(_)
            | ExprKind::Comprehension
            | ExprKind::Other => {}
        }
    }
}
