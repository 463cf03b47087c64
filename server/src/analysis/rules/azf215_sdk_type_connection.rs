//! AZF215: an SDK-type parameter's binding names a connection that the extension cannot read.

use super::context::FunctionCtx;
use super::{FixAvailability, RuleMeta};
use crate::analysis::annotations::{ClassRef, Resolved};
use crate::analysis::catalog::extensions::{sdk_connection, ExtensionRole};
use crate::analysis::diagnostic::{Diagnostic, Severity};

pub const META: RuleMeta = RuleMeta {
    code: "AZF215",
    name: "sdk-type-connection",
    severity: Severity::Warning,
    summary: "An SDK-type parameter's connection is not a setting the binding extension reads",
    explanation: r#"With an SDK type (`BlobClient`, `ContainerClient`, `StorageStreamDownloader` of
azurefunctions-extensions-bindings-blob; `CosmosClient`, `DatabaseProxy`, `ContainerProxy` of
-bindings-cosmosdb) the Python extension builds the client itself, at each invocation, from the
binding's `connection`: it reads the setting of exactly that name, or an identity-based one
(`<name>__serviceUri` or `<name>__blobServiceUri` for blobs, `AzureWebJobsStorage__accountName`
for the host's account, `<name>__accountEndpoint` for Cosmos DB). Unlike the host it does not try
`AzureWebJobs<name>`, so a connection the host resolves may still fail with `ValueError ... does
not exist` when the function runs.

```python
@app.blob_input(arg_name="client", path="c/b.txt", connection="Storage")  # only AzureWebJobsStorage is set
def read(req, client: blob.BlobClient): ...
```

Name the setting itself (`connection="AzureWebJobsStorage"`), or add `Storage` to the settings.
"#,
    fix: FixAvailability::None,
};

pub fn check(ctx: &FunctionCtx, out: &mut Vec<Diagnostic>) {
    for (p, binding, resolved) in ctx.annotated_bindings() {
        let class = match resolved {
            Resolved::Class(c) => c,
            Resolved::List(inner) => match inner.as_ref() {
                Resolved::Class(c) => c,
                _ => continue,
            },
            _ => continue,
        };
        let ClassRef::Extension {
            module,
            name: class_name,
            role: ExtensionRole::SdkType { .. },
        } = class
        else {
            continue;
        };
        let Some(reads) = sdk_connection(module) else {
            continue;
        };
        let Some(conn) = binding.property_str("connection") else {
            continue;
        };
        let name = conn.value.trim();
        // `%…%` is resolved by the host first; what reaches the extension is not known here.
        if name.is_empty() || name.contains('%') {
            continue;
        }
        // Without local.settings.json nothing is known about the settings.
        let Some(settings) = ctx.settings() else {
            return;
        };
        let defined = |key: &str| settings.is_set(key);
        let readable = defined(name)
            || reads
                .identity_suffixes
                .iter()
                .any(|s| defined(&format!("{name}__{s}")))
            || (reads.host_storage_account_name
                && name == "AzureWebJobsStorage"
                && defined("AzureWebJobsStorage__accountName"));
        if readable {
            continue;
        }
        let identity = reads
            .identity_suffixes
            .iter()
            .map(|s| format!("'{name}__{s}'"))
            .collect::<Vec<_>>()
            .join(" or ");
        let host_only = if defined(&format!("AzureWebJobs{name}")) {
            format!(" ('AzureWebJobs{name}' serves the host, not the extension)")
        } else {
            String::new()
        };
        out.push(ctx.declaration_diag(
            &META,
            conn.range,
            format!(
                "'{}' is a {class_name}: the extension builds it from the setting '{name}' or {identity}, and local.settings.json has none{host_only}; the function fails with ValueError when it runs",
                p.param.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::check;
    use expect_test::expect;

    #[test]
    fn connections_the_extension_reads() {
        expect![[r#"
            function_app.py:7:63 AZF215 warning 'client' is a BlobClient: the extension builds it from the setting 'Archive' or 'Archive__serviceUri' or 'Archive__blobServiceUri', and local.settings.json has none ('AzureWebJobsArchive' serves the host, not the extension); the function fails with ValueError when it runs
        "#]]
        .assert_eq(&check(
            "AZF215",
            r#"
//- /local.settings.json
{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true", "AzureWebJobsArchive": "x", "Cosmos__accountEndpoint": "https://a.documents.azure.com"}}
//- /function_app.py
import azure.functions as func
import azurefunctions.extensions.bindings.blob as blob
import azurefunctions.extensions.bindings.cosmosdb as cosmos
app = func.FunctionApp()

@app.route(route="read")
@app.blob_input(arg_name="client", path="c/b.txt", connection="Archive")
def read(req: func.HttpRequest, client: blob.BlobClient) -> str: pass

@app.route(route="ok")
@app.blob_input(arg_name="client", path="c/b.txt", connection="AzureWebJobsStorage")
def ok(req: func.HttpRequest, client: blob.BlobClient) -> str: pass

@app.route(route="db")
@app.cosmos_db_input(arg_name="db", connection="Cosmos", database_name="d", container_name="c")
def db(req: func.HttpRequest, db: cosmos.DatabaseProxy) -> str: pass

@app.route(route="plain")
@app.blob_input(arg_name="data", path="c/b.txt", connection="Archive")
def plain(req: func.HttpRequest, data: bytes) -> str: pass
"#,
        ));
    }
}
