//! AZF603: a binding needs an extension, and host.json has no `extensionBundle`.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::json;
use super::fix_support::{FixCtx, QuickFix};
use crate::analysis::edits::add_member;
use crate::analysis::json::JsonValue;

pub const META: RuleMeta = RuleMeta {
    code: "AZF603",
    name: "extension-bundle-missing",
    severity: Severity::Error,
    summary: "A binding other than HTTP or timer is used, and host.json has no `extensionBundle`",
    explanation: r#"Only HTTP and timer bindings are built into the host. Every other binding (queues, blobs,
Service Bus, Cosmos DB, durable functions, …) comes from an extension; Python apps get them from the
extension bundle named in host.json. Without it the host fails the function: "The binding type(s)
'queueTrigger' are not registered".

```json
{ "version": "2.0" }
```

Add `"extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)" }`.
"#,
    fix: FixAvailability::Safe,
};

const BUILT_IN: &[&str] = &["httptrigger", "http", "timertrigger", "warmuptrigger"];

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    // host.json as every function of the check reads it (parsed once).
    if !ctx.host_lacks_extension_bundle() {
        return;
    }
    // Extensions installed explicitly (extensions.csproj) also provide bindings.
    if ctx.app.exists("extensions.csproj") || ctx.app.exists("bin/extensions.json") {
        return;
    }
    for b in ctx.unit.bindings() {
        let Some(t) = &b.binding_type else { continue };
        if BUILT_IN.contains(&t.value.to_ascii_lowercase().as_str()) {
            continue;
        }
        out.push(ctx.declaration_diag(
            &META,
            t.range,
            format!("binding type '{}' comes from an extension, but host.json has no extensionBundle: the host reports it as not registered", t.value),
        ));
    }
}

/// The fixes of an AZF603 diagnostic.
pub fn fixes(ctx: &dyn FixCtx, _: &Diagnostic) -> Vec<QuickFix> {
    extension_bundle_fix(ctx).into_iter().collect()
}

/// AZF603: add the extension bundle to host.json.
fn extension_bundle_fix(ctx: &dyn FixCtx) -> Option<QuickFix> {
    let text = ctx.input().text("host.json")?;
    let root: JsonValue = json::parse(text).value?;
    root.as_object()?;
    if root.get("extensionBundle").is_some() {
        return None;
    }
    let bundle = "{\n  \"id\": \"Microsoft.Azure.Functions.ExtensionBundle\",\n  \"version\": \"[4.*, 5.0.0)\"\n}";
    Some(
        QuickFix::new(
            "Add the extension bundle to host.json",
            vec![add_member(
                "host.json",
                text,
                &root,
                "extensionBundle",
                bundle,
            )],
        )
        .preferred(true)
        .auto(true),
    )
}



#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn bundle() {
        let f = "//- /F/function.json\n{\"bindings\": [{\"type\": \"queueTrigger\", \"name\": \"m\", \"queueName\": \"q\"}]}\n//- /H/function.json\n{\"bindings\": [{\"type\": \"httpTrigger\", \"name\": \"req\"}]}\n";
        expect![[r#"
            F/function.json:1:24 AZF603 error binding type 'queueTrigger' comes from an extension, but host.json has no extensionBundle: the host reports it as not registered
        "#]]
        .assert_eq(&check("AZF603", &format!("{f}//- /host.json\n{{\"version\": \"2.0\"}}\n")));
        expect![""].assert_eq(&check("AZF603", &format!("{f}//- /host.json\n{{\"version\": \"2.0\", \"extensionBundle\": {{}}}}\n")));
    }
}
