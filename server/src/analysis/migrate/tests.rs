use super::*;

fn app(files: &[(&str, &str)]) -> AppInput {
    files
        .iter()
        .fold(AppInput::new("app"), |a, (p, t)| a.with_file(p, t))
}

fn created(plan: &Plan, path: &str) -> String {
    plan.changes
        .iter()
        .find_map(|c| match c {
            Change::Create { path: p, text } if p == path => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{path} is not created: {plan:#?}"))
}

const HOST: &str = r#"{"version": "2.0"}"#;

#[test]
fn an_http_function_becomes_a_route_calling_the_folder_package() {
    let a = app(&[
        ("host.json", HOST),
        (
            "HttpTrigger/function.json",
            r#"{"bindings": [
                {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous", "methods": ["get", "post"]},
                {"type": "http", "direction": "out", "name": "$return"}]}"#,
        ),
        (
            "HttpTrigger/__init__.py",
            "import azure.functions as func\nfrom . import helper\n\ndef main(req: func.HttpRequest) -> func.HttpResponse:\n    return helper.respond(req)\n",
        ),
        ("HttpTrigger/helper.py", "def respond(r):\n    return r\n"),
    ]);
    let plan = plan(&a, &Options::default()).unwrap();
    expect_test::expect![[r#"
        """The app's functions, declared with decorators.

        Converted from function.json folders by `azfunc-lsp migrate`: each function's code stays in its
        folder, imported as a package, and the decorated function calls its entry point.
        """

        import azure.functions as func

        import HttpTrigger as _HttpTrigger

        app = func.FunctionApp()


        @app.route(
            auth_level=func.AuthLevel.ANONYMOUS,
            methods=[func.HttpMethod.GET, func.HttpMethod.POST],
        )
        def HttpTrigger(req: func.HttpRequest) -> func.HttpResponse:
            return _HttpTrigger.main(req)
    "#]]
    .assert_eq(&created(&plan, "function_app.py"));
    assert_eq!(plan.removed(), vec!["HttpTrigger/function.json"]);
    assert_eq!(plan.functions, vec!["HttpTrigger"]);
}

fn refusals(a: &AppInput) -> String {
    match plan(a, &Options::default()) {
        Ok(p) => panic!("converted: {p:#?}"),
        Err(r) => r
            .iter()
            .map(|r| {
                let at = match (r.range, a.text(&r.file)) {
                    (Some(range), Some(t)) => format!(" `{}`", &t[range.as_usize()]),
                    _ => String::new(),
                };
                format!("{}{at}: {}", r.file, r.reason)
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

const TIMER: &str =
    r#"{"bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 * * * *"}]}"#;

#[test]
fn a_folder_that_is_not_a_name_is_imported_with_importlib_and_named_explicitly() {
    let a = app(&[
        ("host.json", HOST),
        ("my-timer/function.json", TIMER),
        (
            "my-timer/__init__.py",
            "import typing\nfrom azure.functions import TimerRequest as Timer\nfrom .model import Row\n\nasync def main(t: Timer, *, extra: \"typing.Optional[Row]\", kind: typing.Literal[\"a\"]) -> None:\n    pass\n",
        ),
        ("my-timer/model.py", "class Row: pass\n"),
    ]);
    let plan = plan(&a, &Options::default()).unwrap();
    expect_test::expect![[r#"
        """The app's functions, declared with decorators.

        Converted from function.json folders by `azfunc-lsp migrate`: each function's code stays in its
        folder, imported as a package, and the decorated function calls its entry point.
        """

        import importlib

        import azure.functions as func
        from azure.functions import TimerRequest as Timer
        import typing

        _my_timer = importlib.import_module("my-timer")

        app = func.FunctionApp()


        @app.function_name(name="my-timer")
        @app.timer_trigger(arg_name="t", schedule="0 0 * * * *")
        async def my_timer(t: Timer, *, extra: typing.Optional[_my_timer.Row], kind: typing.Literal["a"]) -> None:
            return await _my_timer.main(t, extra=extra, kind=kind)
    "#]].assert_eq(&created(&plan, "function_app.py"));
}

#[test]
fn blueprints_put_each_function_in_its_own_module() {
    let a = app(&[
        ("host.json", HOST),
        ("Tick/function.json", TIMER),
        (
            "Tick/function.json",
            r#"{"scriptFile": "run.py", "entryPoint": "handle", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 * * * *"}]}"#,
        ),
        ("Tick/run.py", "def handle(t):\n    pass\n"),
    ]);
    let plan = plan(&a, &Options { blueprints: true }).unwrap();
    expect_test::expect![[r#"
        """The `Tick` function, declared with decorators.

        Converted from Tick/function.json by `azfunc-lsp migrate`.
        """

        import azure.functions as func

        import Tick.run as _Tick

        bp = func.Blueprint()


        @bp.timer_trigger(arg_name="t", schedule="0 0 * * * *")
        def Tick(t):
            return _Tick.handle(t)

        =====
        """The app's functions, declared with decorators.

        Converted from function.json folders by `azfunc-lsp migrate`: each function's code stays in its
        folder, imported as a package, and the decorated function calls its entry point.
        """

        import azure.functions as func

        from Tick_blueprint import bp as Tick_bp

        app = func.FunctionApp()
        app.register_functions(Tick_bp)
    "#]].assert_eq(&format!(
        "{}\n=====\n{}",
        created(&plan, "Tick_blueprint.py"),
        created(&plan, "function_app.py")
    ));
}

#[test]
fn an_old_extension_bundle_is_moved_to_one_the_decorator_model_supports() {
    let host = r#"{"version": "2.0", "extensionBundle": {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[2.*, 3.0.0)"}}"#;
    let a = app(&[
        ("host.json", host),
        ("Tick/function.json", TIMER),
        ("Tick/__init__.py", "def main(t):\n    pass\n"),
    ]);
    let plan = plan(&a, &Options::default()).unwrap();
    let texts = plan.new_texts(&a);
    let host_after = texts.iter().find(|(p, _)| p == "host.json").unwrap();
    assert_eq!(
        host_after.1.as_deref(),
        Some(host.replace("[2.*, 3.0.0)", BUNDLE_RANGE).as_str())
    );
    // A recent one is left alone.
    let recent = host.replace("[2.*, 3.0.0)", "[3.*, 4.0.0)");
    let a = a.with_file("host.json", &recent);
    let plan = super::plan(&a, &Options::default()).unwrap();
    assert!(plan.changes.iter().all(|c| c.path() != "host.json"));
}

#[test]
fn what_cannot_be_converted_faithfully_is_reported_with_its_place() {
    let a = app(&[
        ("host.json", HOST),
        ("shared/util.py", "X = 1\n"),
        (
            "Outside/function.json",
            r#"{"scriptFile": "../shared/util.py", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 * * * *"}]}"#,
        ),
        (
            "Method/function.json",
            r#"{"entryPoint": "Handler.run", "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 * * * *"}]}"#,
        ),
        ("Method/__init__.py", "class Handler:\n    def run(self, t): pass\n"),
        ("Klass/function.json", TIMER),
        ("Klass/__init__.py", "class main:\n    def __init__(self, t): pass\n"),
        ("Dynamic/function.json", TIMER),
        ("Dynamic/__init__.py", "import os\nmain = getattr(os, 'x')\n"),
        (
            "Imports/function.json",
            r#"{"retry": {"strategy": "fixedDelay"}, "bindings": [{"type": "timerTrigger", "name": "t", "schedule": "0 0 * * * *", "bad-key": 1}]}"#,
        ),
        (
            "Imports/__init__.py",
            "from __app__.shared import util\nfrom ..shared import util as u\n\ndef main(t: 'Later', *rest, n=1):\n    pass\n",
        ),
    ]);
    expect_test::expect![[r#"
        Dynamic/__init__.py: the entry point `main` is bound by code that cannot be read statically (an import, a call or a conditional definition): its parameters are unknown
        Imports/__init__.py `from __app__.shared import util`: `__app__` exists only in the function.json model; import the module by its name (`import shared`) first
        Imports/__init__.py `from ..shared import util as u`: this relative import climbs above the function's folder, which is a top-level package after the conversion; import the module by its name first
        Imports/__init__.py `'Later'`: the annotation names `Later`, which the module does not define
        Imports/__init__.py `*rest`: a `*args`/`**kwargs` parameter cannot be bound to a binding
        Imports/__init__.py `n=1`: parameter `n` has a default value, which is not copied
        Imports/function.json `"retry"`: `retry` has no decorator equivalent here
        Imports/function.json `"bad-key"`: property `bad-key` cannot be a keyword argument of a decorator (not a Python name)
        Klass/__init__.py `main`: the entry point `main` is a class; only a function can be decorated
        Method/function.json `"Handler.run"`: the entry point `Handler.run` is not a module-level function name (a class method?)
        Outside/function.json `"../shared/util.py"`: the script `shared/util.py` is outside the function's folder: importing the folder as a package would not run it"#]].assert_eq(&refusals(&a));
}

#[test]
fn an_app_that_already_has_its_script_is_not_converted() {
    let a = app(&[
        ("host.json", HOST),
        (
            "function_app.py",
            "import azure.functions as func\napp = func.FunctionApp()\n",
        ),
        ("Tick/function.json", TIMER),
        ("Tick/__init__.py", "def main(t):\n    pass\n"),
    ]);
    expect_test::expect![
        "function_app.py: the app already uses the decorator model (it has its script)"
    ]
    .assert_eq(&refusals(&a));
}
