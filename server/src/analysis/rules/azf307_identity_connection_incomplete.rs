//! AZF307: an identity-based connection lacks the setting its binding type needs.

use crate::analysis::settings::CONNECTION_KEYS;
use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::settings::{identity_suffixes, Connection};

pub const META: RuleMeta = RuleMeta {
    code: "AZF307",
    name: "identity-connection-incomplete",
    severity: Severity::Warning,
    summary: "An identity-based connection (`<name>__…` settings) lacks the setting its binding type needs",
    explanation: r#"An identity-based connection is a group of settings `<name>__<property>`. Each binding type needs
a specific property: `__fullyQualifiedNamespace` for Service Bus and Event Hubs,
`__queueServiceUri` for queues, `__blobServiceUri` (or `__serviceUri`) for blobs,
`__accountEndpoint` for Cosmos DB.

```json
"Values": { "Bus__serviceUri": "https://ns.servicebus.windows.net" }
```

A Service Bus trigger with `"connection": "Bus"` needs `Bus__fullyQualifiedNamespace` (`ns.servicebus.windows.net`).
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    let Some(settings) = ctx.settings() else { return };
    for b in ctx.unit.bindings() {
        let Some(t) = b.type_str() else { continue };
        let Some(needed) = identity_suffixes(t) else { continue };
        for key in CONNECTION_KEYS {
            let Some(conn) = b.property_str(key) else { continue };
            let name = if conn.value.trim().is_empty() { "Storage" } else { conn.value.trim() };
            let Connection::Section { prefix, suffixes } = settings.connection(name) else { continue };
            let has = suffixes.iter().any(|suffix| {
                needed.iter().any(|n| n.eq_ignore_ascii_case(suffix))
                    // The host storage account may also be named by account name alone.
                    || (prefix == "AzureWebJobsStorage" && suffix.eq_ignore_ascii_case("accountName"))
            });
            if has {
                continue;
            }
            let wanted: Vec<String> = needed.iter().map(|n| format!("'{prefix}__{n}'")).collect();
            out.push(ctx.declaration_diag(
                &META,
                conn.range,
                format!("the identity-based connection '{prefix}' has no {} setting, which a {t} binding needs: {}", wanted.join(" or "), match t.to_ascii_lowercase().ends_with("trigger") { true => "its listener fails to start", false => "the function fails when it runs" }),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn identity_suffixes() {
        expect![[r#"
            F/function.json:1:90 AZF307 warning the identity-based connection 'Bus' has no 'Bus__fullyQualifiedNamespace' setting, which a serviceBusTrigger binding needs: its listener fails to start
        "#]]
        .assert_eq(&check(
            "AZF307",
            "//- /local.settings.json\n{\"IsEncrypted\": false, \"Values\": {\"Bus__serviceUri\": \"x\", \"Q__queueServiceUri\": \"y\"}}\n//- /F/function.json\n{\"bindings\": [{\"type\": \"serviceBusTrigger\", \"name\": \"m\", \"queueName\": \"q\", \"connection\": \"Bus\"}, {\"type\": \"queue\", \"direction\": \"out\", \"name\": \"o\", \"queueName\": \"x\", \"connection\": \"Q\"}]}\n",
        ));
    }
}
