//! The Python packages that change what the worker accepts: the SDK-type binding extensions
//! (`azurefunctions-extensions-bindings-*`), whose classes the worker hands to a binding instead
//! of the `azure.functions` ones, the HTTP streaming extension
//! (`azurefunctions-extensions-http-fastapi`), whose import switches every HTTP function of the
//! app to FastAPI requests and responses, and `azurefunctions-extensions-base`.
//!
//! Read from the packages themselves: each converter's `binding=`/`trigger=` and its
//! `check_input_type_annotation`, each module's `__all__`, the settings their `utils.py` reads
//! for a connection, and the response types registered
//! with `ResponseTrackerMeta` (bindings-blob 1.1.2, -servicebus 1.0.0b2, -eventhub 1.0.0b1,
//! -cosmosdb 1.0.0, http-fastapi 1.0.1, base 1.2.0).

/// What the worker does with a class of an extension module used as an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionRole {
    /// An SDK type: its converter accepts it (and `List[...]` of it where noted) as the input of
    /// the listed binding types.
    SdkType { bindings: &'static [&'static str] },
    /// A settlement client (`GrpcClientType`): the worker fills a parameter of this class itself
    /// when it is the function's only parameter without a binding.
    GrpcClient,
    /// The streaming extension's request class: the `httpTrigger` parameter.
    HttpRequest,
    /// One of the streaming extension's response classes: a `$return` of an `http` binding.
    HttpResponse,
    /// Exported, but neither a parameter nor a return type of a function.
    Other,
}

/// A module of an extension package and the public names it exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionModule {
    /// The import path (`azurefunctions.extensions.bindings.blob`).
    pub module: &'static str,
    /// The distribution that provides it on the Python registry.
    pub distribution: &'static str,
    /// Its exported names with their role (the module's `__all__`).
    pub names: &'static [(&'static str, ExtensionRole)],
    /// How its SDK types find their connection, when they read it themselves.
    pub connection: Option<SdkConnection>,
}

/// The settings an SDK type reads itself, at invocation, for the binding's `connection` name:
/// the name as it is, or the name with one of `identity_suffixes` (`<name>__serviceUri`). Unlike
/// the host, it does not try `AzureWebJobs<name>` or `ConnectionStrings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkConnection {
    pub identity_suffixes: &'static [&'static str],
    /// Where `AzureWebJobsStorage__accountName` also serves (the host storage account).
    pub host_storage_account_name: bool,
}

const BLOB: &[&str] = &["blob", "blobTrigger"];
const COSMOS: &[&str] = &["cosmosDB"];
const EVENT_HUB: &[&str] = &["eventHub", "eventHubTrigger"];
const SERVICE_BUS: &[&str] = &["serviceBusTrigger"];

pub const EXTENSION_MODULES: &[ExtensionModule] = &[
    ExtensionModule {
        module: "azurefunctions.extensions.base",
        distribution: "azurefunctions-extensions-base",
        names: &[
            ("GrpcClientType", ExtensionRole::GrpcClient),
            ("SdkType", ExtensionRole::Other),
            ("Datum", ExtensionRole::Other),
            ("InConverter", ExtensionRole::Other),
            ("OutConverter", ExtensionRole::Other),
            ("WebApp", ExtensionRole::Other),
            ("WebServer", ExtensionRole::Other),
            ("RequestSynchronizer", ExtensionRole::Other),
            ("ResponseLabels", ExtensionRole::Other),
        ],
        connection: None,
    },
    ExtensionModule {
        module: "azurefunctions.extensions.bindings.blob",
        distribution: "azurefunctions-extensions-bindings-blob",
        names: &[
            ("BlobClient", ExtensionRole::SdkType { bindings: BLOB }),
            ("ContainerClient", ExtensionRole::SdkType { bindings: BLOB }),
            (
                "StorageStreamDownloader",
                ExtensionRole::SdkType { bindings: BLOB },
            ),
            ("BlobClientConverter", ExtensionRole::Other),
        ],
        connection: Some(SdkConnection {
            identity_suffixes: &["serviceUri", "blobServiceUri"],
            host_storage_account_name: true,
        }),
    },
    ExtensionModule {
        module: "azurefunctions.extensions.bindings.cosmosdb",
        distribution: "azurefunctions-extensions-bindings-cosmosdb",
        names: &[
            ("CosmosClient", ExtensionRole::SdkType { bindings: COSMOS }),
            ("DatabaseProxy", ExtensionRole::SdkType { bindings: COSMOS }),
            (
                "ContainerProxy",
                ExtensionRole::SdkType { bindings: COSMOS },
            ),
            ("CosmosClientConverter", ExtensionRole::Other),
        ],
        connection: Some(SdkConnection {
            identity_suffixes: &["accountEndpoint"],
            host_storage_account_name: false,
        }),
    },
    ExtensionModule {
        module: "azurefunctions.extensions.bindings.eventhub",
        distribution: "azurefunctions-extensions-bindings-eventhub",
        names: &[
            (
                "EventData",
                ExtensionRole::SdkType {
                    bindings: EVENT_HUB,
                },
            ),
            ("EventDataConverter", ExtensionRole::Other),
        ],
        connection: None,
    },
    ExtensionModule {
        module: "azurefunctions.extensions.bindings.servicebus",
        distribution: "azurefunctions-extensions-bindings-servicebus",
        names: &[
            (
                "ServiceBusReceivedMessage",
                ExtensionRole::SdkType {
                    bindings: SERVICE_BUS,
                },
            ),
            ("ServiceBusMessageActions", ExtensionRole::GrpcClient),
            ("ServiceBusConverter", ExtensionRole::Other),
            ("ServiceBusClientConverter", ExtensionRole::Other),
        ],
        connection: None,
    },
    ExtensionModule {
        module: HTTP_STREAMING_MODULE,
        distribution: "azurefunctions-extensions-http-fastapi",
        names: &[
            ("Request", ExtensionRole::HttpRequest),
            ("Response", ExtensionRole::HttpResponse),
            ("StreamingResponse", ExtensionRole::HttpResponse),
            ("HTMLResponse", ExtensionRole::HttpResponse),
            ("PlainTextResponse", ExtensionRole::HttpResponse),
            ("RedirectResponse", ExtensionRole::HttpResponse),
            ("JSONResponse", ExtensionRole::HttpResponse),
            ("UJSONResponse", ExtensionRole::HttpResponse),
            ("ORJSONResponse", ExtensionRole::HttpResponse),
            ("FileResponse", ExtensionRole::HttpResponse),
            ("WebApp", ExtensionRole::Other),
            ("WebServer", ExtensionRole::Other),
            ("RequestSynchronizer", ExtensionRole::Other),
        ],
        connection: None,
    },
];

/// The module whose import turns on HTTP streaming for the whole app (its `WebApp` and
/// `WebServer` classes register with the base extension's module tracker).
pub const HTTP_STREAMING_MODULE: &str = "azurefunctions.extensions.http.fastapi";

/// The builtin classes the streaming extension registers as response types besides its own
/// classes (`StrResponse`, `IntResponse`, …); a subclass of pydantic's `BaseModel` is one too.
pub const HTTP_STREAMING_BUILTIN_RETURNS: &[&str] =
    &["str", "int", "float", "bool", "list", "dict"];

/// How the SDK types of `module` read their connection, if they read it themselves.
pub fn sdk_connection(module: &str) -> Option<SdkConnection> {
    extension_module(module)?.connection
}

/// The extension module imported as `path`, if it is one.
pub fn extension_module(path: &str) -> Option<&'static ExtensionModule> {
    EXTENSION_MODULES.iter().find(|m| m.module == path)
}

/// Whether `path` is a package above one of the extension modules (`azurefunctions`,
/// `azurefunctions.extensions.bindings`): an attribute of it may lead to one.
pub fn is_extension_namespace(path: &str) -> bool {
    EXTENSION_MODULES.iter().any(|m| {
        m.module
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// The role of `name` exported by the extension module `module`.
pub fn extension_role(module: &str, name: &str) -> Option<ExtensionRole> {
    extension_module(module)?
        .names
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, role)| *role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_types_name_the_bindings_their_converter_registers() {
        assert_eq!(
            extension_role("azurefunctions.extensions.bindings.blob", "BlobClient"),
            Some(ExtensionRole::SdkType { bindings: BLOB })
        );
        assert_eq!(
            extension_role("azurefunctions.extensions.base", "GrpcClientType"),
            Some(ExtensionRole::GrpcClient)
        );
        assert_eq!(
            extension_role(HTTP_STREAMING_MODULE, "StreamingResponse"),
            Some(ExtensionRole::HttpResponse)
        );
        assert_eq!(
            extension_role("azurefunctions.extensions.bindings.blob", "Nope"),
            None
        );
        assert!(is_extension_namespace("azurefunctions"));
        assert!(is_extension_namespace("azurefunctions.extensions.bindings"));
        assert!(!is_extension_namespace(
            "azurefunctions.extensions.bindings.blob"
        ));
        assert!(!is_extension_namespace("azurefunctions.ext"));
    }

    #[test]
    fn every_module_names_its_distribution_after_its_import_path() {
        for m in EXTENSION_MODULES {
            assert_eq!(m.distribution, m.module.replace('.', "-"), "{}", m.module);
        }
    }
}
