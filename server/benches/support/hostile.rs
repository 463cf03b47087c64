//! Generated apps that stress one dimension each (many bindings in one function, a long route,
//! many diagnostics in one file, a huge module), for the scaling benchmark. Every generator
//! writes a complete app under `root` whose size grows linearly with `n`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// One hostile shape: a name, the `check` output format it is measured with, and its generator.
pub struct Case {
    pub name: &'static str,
    pub format: &'static str,
    /// The N of the smaller run (the larger one is 4N).
    pub n: usize,
    pub generate: fn(&Path, usize) -> std::io::Result<()>,
}

pub const CASES: &[Case] = &[
    Case {
        name: "bindings",
        format: "json",
        n: 8_000,
        generate: many_bindings,
    },
    Case {
        name: "route",
        format: "json",
        n: 1_000,
        generate: long_route,
    },
    Case {
        name: "diagnostics-text",
        format: "text",
        n: 2_000,
        generate: many_diagnostics,
    },
    Case {
        name: "one-line-text",
        format: "text",
        n: 2_000,
        generate: many_diagnostics_one_line,
    },
    Case {
        name: "definitions",
        format: "json",
        n: 50_000,
        generate: many_definitions,
    },
    Case {
        name: "locals",
        format: "json",
        n: 25_000,
        generate: many_locals,
    },
    Case {
        name: "long-line",
        format: "json",
        n: 200_000,
        generate: long_line,
    },
];

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)
}

fn host(root: &Path) -> std::io::Result<()> {
    write(root, "host.json", r#"{"version": "2.0"}"#)
}

/// One function with `n` blob bindings: a quarter repeat an earlier name in another case
/// (AZF107), a quarter have no parameter while the signature has as many parameters without a
/// binding (AZF201/AZF202 with suggestions to look for).
pub fn many_bindings(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    let mut json = String::from(
        "{\"bindings\": [\n  {\"type\": \"queueTrigger\", \"name\": \"msg\", \"queueName\": \"q\", \"connection\": \"S\"}",
    );
    let mut params = vec!["msg".to_string()];
    for i in 0..n {
        let name = if i % 4 == 3 {
            format!("Item{}", i - 1)
        } else {
            format!("item{i}")
        };
        let _ = write!(
            json,
            ",\n  {{\"type\": \"blob\", \"direction\": \"in\", \"name\": \"{name}\", \"path\": \"c/x\", \"connection\": \"S\"}}"
        );
        match i % 4 {
            2 => params.push(format!("extra{i}")),
            3 => {}
            _ => params.push(name),
        }
    }
    json.push_str("\n]}\n");
    write(root, "F/function.json", &json)?;
    write(
        root,
        "F/__init__.py",
        &format!("def main({}):\n    pass\n", params.join(", ")),
    )
}

/// An HTTP route with `n` parameters and a blob path with `n` near misses of them (AZF501).
pub fn long_route(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    let route: Vec<String> = (0..n).map(|i| format!("{{param{i}}}")).collect();
    let path: Vec<String> = (0..n).map(|i| format!("{{parm{i}}}")).collect();
    write(
        root,
        "F/function.json",
        &format!(
            "{{\"bindings\": [\n  {{\"type\": \"httpTrigger\", \"name\": \"req\", \"route\": \"r/{}\"}},\n  {{\"type\": \"blob\", \"direction\": \"in\", \"name\": \"doc\", \"path\": \"c/{}\", \"connection\": \"S\"}}\n]}}\n",
            route.join("/"),
            path.join("/"),
        ),
    )?;
    write(root, "F/__init__.py", "def main(req, doc):\n    pass\n")
}

fn untyped_bindings(n: usize, separator: &str) -> String {
    let bindings: Vec<String> = (0..n)
        .map(|i| format!("{{\"name\": \"b{i}\", \"direction\": \"in\"}}"))
        .collect();
    format!(
        "{{\"bindings\": [{separator}{}{separator}]}}\n",
        bindings.join(&format!(",{separator}"))
    )
}

/// One function.json with `n` bindings without a type (one AZF102 each), one per line.
pub fn many_diagnostics(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    write(root, "F/function.json", &untyped_bindings(n, "\n  "))?;
    write(root, "F/__init__.py", "def main():\n    pass\n")
}

/// The same on a single line (a minified file): every diagnostic is on line 1.
pub fn many_diagnostics_one_line(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    write(root, "F/function.json", &untyped_bindings(n, ""))?;
    write(root, "F/__init__.py", "def main():\n    pass\n")
}

/// A function whose script defines `n` functions besides the entry point.
pub fn many_definitions(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    write(
        root,
        "F/function.json",
        r#"{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#,
    )?;
    let mut py = String::from("import azure.functions as func\n\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(\"ok\")\n");
    for i in 0..n {
        // About 30 bytes each: 200,000 stay under the loader's 8 MB file limit.
        let _ = write!(py, "def f{i}(v, s=2):\n    return v\n");
    }
    write(root, "F/__init__.py", &py)
}

/// An entry point that binds `n` local names, each read by the next statement, and returns the
/// last: one scope with `n` bindings.
pub fn many_locals(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    write(
        root,
        "F/function.json",
        r#"{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#,
    )?;
    let mut py = String::from("import azure.functions as func\n\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    v0 = req.params.get(\"n\")\n");
    for i in 1..n {
        let _ = writeln!(py, "    v{i} = v{} or {i}", i - 1);
    }
    let _ = writeln!(
        py,
        "    return func.HttpResponse(str(v{}))",
        n.saturating_sub(1)
    );
    write(root, "F/__init__.py", &py)
}

/// A script whose table is one line of `n` numbers (about 8 bytes each: 800,000 stay under the
/// loader's 8 MB limit), and an entry point on the line after it.
pub fn long_line(root: &Path, n: usize) -> std::io::Result<()> {
    host(root)?;
    write(
        root,
        "F/function.json",
        r#"{"bindings": [{"type": "httpTrigger", "name": "req"}, {"type": "http", "direction": "out", "name": "$return"}]}"#,
    )?;
    let mut py = String::from("import azure.functions as func\n\nTABLE = [");
    for i in 0..n {
        let _ = write!(py, "{i}, ");
    }
    py.push_str("]\n\n\ndef main(request: func.HttpRequest) -> func.HttpResponse:\n    return func.HttpResponse(str(len(TABLE)))\n");
    write(root, "F/__init__.py", &py)
}
