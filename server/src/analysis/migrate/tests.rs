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
