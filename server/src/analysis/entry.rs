//! The entry function of a function as the worker sees it: the `def` it calls, with its
//! parameters, for the features that read or edit them (fixes, navigation).

use crate::analysis::app::AppInput;
use crate::analysis::function::{self, Entry, FunctionUnit, Modules, Script};
use crate::analysis::python::PyFunction;

/// The entry function of a function as the worker sees it.
pub struct EntryDef<'s> {
    pub script: &'s str,
    pub text: &'s str,
    pub function: &'s PyFunction,
    /// The entry point is a class: the parameters are `__init__`'s, `self` excluded.
    pub skip_self: bool,
}

impl<'s> EntryDef<'s> {
    /// The parameters the worker matches against bindings.
    pub fn params(&self) -> impl Iterator<Item = &'s crate::analysis::python::Param> {
        self.function
            .params
            .iter()
            .skip(usize::from(self.skip_self))
    }

    pub fn param(&self, name: &str) -> Option<&'s crate::analysis::python::Param> {
        self.params().find(|p| p.name == name)
    }
}

/// Whether `unit`'s script is `file` (a cheap test before [`entry_def`]).
pub fn script_is(unit: &FunctionUnit, file: &str) -> bool {
    matches!(&unit.script, Script::Found { path, .. } if path == file)
}

/// The entry function of `unit`, when its script is a parsed Python file and the entry point is
/// a function (or a class with `__init__`).
pub fn entry_def<'s>(
    input: &'s AppInput,
    modules: &'s Modules,
    unit: &'s FunctionUnit,
) -> Option<EntryDef<'s>> {
    let Script::Found { path, .. } = &unit.script else {
        return None;
    };
    if !path.ends_with(".py") {
        return None;
    }
    let module = modules.get(path)?;
    let text = input.text(path)?;
    if let Some(v2) = unit.decorated() {
        // A decorated function of a v2 app: the `def` under the decorators.
        let function = module.function_at(v2.def_offset?)?;
        return Some(EntryDef {
            script: path,
            text,
            function,
            skip_self: false,
        });
    }
    let (function, skip_self) = match function::entry_point(module, unit.entry_name(), text) {
        Entry::Function(f) => (f, false),
        Entry::Class { init: Some(f), .. } => (f, true),
        _ => return None,
    };
    Some(EntryDef {
        script: path,
        text,
        function,
        skip_self,
    })
}
