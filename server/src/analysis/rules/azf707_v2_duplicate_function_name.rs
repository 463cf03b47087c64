//! AZF707: two indexed functions of a v2 app have the same name.

use std::borrow::Cow;

use foldhash::HashMap;

use super::context::AppCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::TextRange;
use crate::analysis::v2::condition::{first_together, Condition};
use crate::analysis::v2::FnId;

/// An earlier indexed function of a name.
struct Declared<'m> {
    function: FnId,
    file: &'m str,
    range: TextRange,
    condition: &'m Condition,
}

pub const META: RuleMeta = RuleMeta {
    code: "AZF707",
    name: "duplicate-function-name",
    severity: Severity::Error,
    summary: "Two functions of a v2 app have the same name (a reused `def` name, `function_name`, or a blueprint registered twice)",
    explanation: r#"Each function is named by its `function_name(name=...)` or, without one, its `def` name, and
names must be unique (exact comparison). A `def` name reused later in a module, a blueprint
function named like an app function, or a blueprint registered twice all fail indexing: "Function
items does not have a unique function name. Please change @app.function_name() or the function
method name to be unique." The app then has no function.

```python
@app.route(route="items")
def items(req): ...

@app.route(route="items/{id}")
def items(req): ...            # same name
```

Rename one `def`, or give it `@app.function_name(name="GetItem")`. Definitions in different
branches of one `if`/`elif`/`else`, `try`/`except` or `match` never exist together and do not
clash; code under `if TYPE_CHECKING:` or `if __name__ == "__main__":` never runs in the worker.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &AppCtx, out: &mut Vec<Diagnostic>) {
    let Some(model) = ctx.v2_app() else { return };
    // Compared by name first, then only with the functions of that name: the first of each name
    // apart, as most names are given once (no list for them).
    let indexed = model.indexed.len();
    let mut first_of: HashMap<Cow<str>, Declared> =
        HashMap::with_capacity_and_hasher(indexed, Default::default());
    let mut later_of: HashMap<Cow<str>, Vec<Declared>> = HashMap::default();
    // How many times each builder is indexed so far.
    let mut occurrences = vec![0usize; model.functions.len()];
    let mut registrations: HashMap<usize, Vec<&crate::analysis::v2::Registration>> =
        HashMap::default();
    for r in &model.registrations {
        if let Some(c) = r.container {
            registrations.entry(c).or_default().push(r);
        }
    }
    // A blueprint registered again is reported once per registration, not per function.
    let mut reported = foldhash::HashSet::default();
    for entry in &model.indexed {
        let f = entry.function;
        let Some(count) = occurrences.get_mut(f) else {
            continue;
        };
        *count += 1;
        let count = *count;
        let Some((name, range, file)) = model.function_name(ctx.modules, f) else {
            continue;
        };
        let declared = Declared {
            function: f,
            file,
            range,
            condition: &entry.condition,
        };
        // A name borrowed from the model: the key costs no copy.
        let Some(first) = first_of.get(&name) else {
            first_of.insert(name, declared);
            continue;
        };
        let later = later_of.entry(name.clone()).or_default();
        // The first function of that name that can exist together with this one.
        let clash = first_together(
            std::iter::once(first).chain(later.iter()),
            &entry.condition,
            |d| d.condition,
        )
        .map(|d| (d.function, d.file, d.range));
        later.push(declared);
        let Some((first, first_file, first_range)) = clash else {
            continue;
        };
        let runtime = format!(
            "the library refuses it (\"Function {name} does not have a unique function name. Please change @app.function_name() or the function method name to be unique.\") and the worker indexes no function of the app (\"0 functions found\")"
        );
        if first == f {
            // The same builder twice: its blueprint was registered twice.
            let owner = model.functions[f].owner;
            let regs = registrations.get(&owner).map(Vec::as_slice).unwrap_or_default();
            if let Some(second) = regs.get(count - 1).or(regs.last()) {
                if !reported.insert(second.range) {
                    continue;
                }
                let var = &model.objects[owner].var;
                let mut d = META.diag(&second.file,
                    second.range,
                    format!("blueprint '{var}' is registered again, so its function '{name}' is indexed twice: {runtime}; register it once"),
                );
                if let Some(first_reg) = regs.first().filter(|r| r.range != second.range) {
                    d = d.with_related(&first_reg.file, first_reg.range, "first registered here");
                }
                out.push(d);
            }
            continue;
        }
        out.push(
            META.diag(file,
                range,
                format!("function name '{name}' is already used: {runtime}; rename the def or give it its own @app.function_name()"),
            )
            .with_related(first_file, first_range, format!("'{name}' is first declared here")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{check, check_script};
    use expect_test::expect;

    #[test]
    fn duplicate_names() {
        expect![[r#"
            function_app.py:11:5 AZF707 error function name 'items' is already used: the library refuses it ("Function items does not have a unique function name. Please change @app.function_name() or the function method name to be unique.") and the worker indexes no function of the app ("0 functions found"); rename the def or give it its own @app.function_name()
              related function_app.py:8:5: 'items' is first declared here
            function_app.py:13:25 AZF707 error function name 'Process' is already used: the library refuses it ("Function Process does not have a unique function name. Please change @app.function_name() or the function method name to be unique.") and the worker indexes no function of the app ("0 functions found"); rename the def or give it its own @app.function_name()
              related function_app.py:5:5: 'Process' is first declared here
        "#]]
        .assert_eq(&check_script(
            "AZF707",
            r#"

@app.schedule(arg_name="t", schedule="0 * * * * *")
def Process(t): pass

@app.route(route="items")
def items(req): pass

@app.route(route="items/{id}")
def items(req): pass

@app.function_name(name="Process")
@app.queue_trigger(arg_name="m", queue_name="q", connection="C")
def process_queue(m): pass
"#,
        ));
    }

    #[test]
    fn blueprint_registered_twice() {
        expect![[r#"
            function_app.py:5:1 AZF707 error blueprint 'bp' is registered again, so its function 'list_orders' is indexed twice: the library refuses it ("Function list_orders does not have a unique function name. Please change @app.function_name() or the function method name to be unique.") and the worker indexes no function of the app ("0 functions found"); register it once
              related function_app.py:4:1: first registered here
        "#]]
        .assert_eq(&check(
            "AZF707",
            r#"
//- /function_app.py
import azure.functions as func
from orders import bp
app = func.FunctionApp()
app.register_functions(bp)
app.register_functions(bp)
//- /orders.py
import azure.functions as func
bp = func.Blueprint()

@bp.route(route="orders")
def list_orders(req): pass
"#,
        ));
    }

    #[test]
    fn alternatives_are_not_duplicates() {
        // Alternatives in if/elif/else, try/except/else and match define one function; a lone
        // `if` and a `try` body with its `else` can both run; TYPE_CHECKING and __main__ bodies
        // never run on import.
        expect![[r#"
            function_app.py:34:9 AZF707 error function name 'lone' is already used: the library refuses it ("Function lone does not have a unique function name. Please change @app.function_name() or the function method name to be unique.") and the worker indexes no function of the app ("0 functions found"); rename the def or give it its own @app.function_name()
              related function_app.py:31:5: 'lone' is first declared here
            function_app.py:43:9 AZF707 error function name 'body_else' is already used: the library refuses it ("Function body_else does not have a unique function name. Please change @app.function_name() or the function method name to be unique.") and the worker indexes no function of the app ("0 functions found"); rename the def or give it its own @app.function_name()
              related function_app.py:38:9: 'body_else' is first declared here
        "#]]
        .assert_eq(&check_script(
            "AZF707",
            r#"
import os
from typing import TYPE_CHECKING
if os.environ.get("A"):
    @app.route(route="a")
    def chain(req): pass
elif os.environ.get("B"):
    @app.route(route="b")
    def chain(req): pass
else:
    @app.route(route="c")
    def chain(req): pass
try:
    @app.route(route="t")
    def fallback(req): pass
except ImportError:
    @app.route(route="e")
    def fallback(req): pass
match os.environ.get("STAGE"):
    case "prod":
        @app.route(route="p")
        def stage(req): pass
    case _:
        @app.route(route="d")
        def stage(req): pass
if TYPE_CHECKING:
    @app.route(route="x")
    def chain(req): pass
@app.route(route="l")
def lone(req): pass
if os.environ.get("EXTRA"):
    @app.route(route="l2")
    def lone(req): pass
try:
    import json
    @app.route(route="b1")
    def body_else(req): pass
except ImportError:
    pass
else:
    @app.route(route="b2")
    def body_else(req): pass
if __name__ == "__main__":
    @app.route(route="m")
    def lone(req): pass
"#,
        ));
    }

    #[test]
    fn registrations_in_alternatives_and_thousands_of_alternatives() {
        // One blueprint registered in both arms: indexed once in either case.
        expect![""].assert_eq(&check_script(
            "AZF707",
            r#"
import os
bp = func.Blueprint()
@bp.route(route="ping")
def ping(req): pass
if os.environ.get("X"):
    app.register_functions(bp)
else:
    app.register_functions(bp)
"#,
        ));
        // An elif chain of 5,000 arms defining one name: no duplicate, and checked without
        // comparing every pair.
        let mut script = String::from("import os\n");
        for i in 0..5_000 {
            let keyword = if i == 0 { "if" } else { "elif" };
            script.push_str(&format!(
                "{keyword} os.environ.get('M') == '{i}':\n    @app.route(route='r{i}')\n    def handler(req): pass\n"
            ));
        }
        let started = std::time::Instant::now();
        assert_eq!(check_script("AZF707", &script), "");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
}
