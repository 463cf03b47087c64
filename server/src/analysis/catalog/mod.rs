//! Static knowledge about the runtime: binding types, the worker's annotation matrix, and the
//! public names of the Python modules that annotations come from.

pub mod annotation_matrix;
pub mod binding_types;
pub mod decorator_types;
pub mod decorators;
pub mod distributions;
pub mod stdlib;

pub use binding_types::{binding_type, binding_type_ignore_case, BindingType, PropKind, PropSpec};

/// Public names of `azure.functions` across the library's releases (classes, functions and
/// submodules). An attribute outside this list is reported only when it is a near miss of one.
pub const AZURE_FUNCTIONS_NAMES: &[&str] = &[
    "AccessRights",
    "AppExtensionBase",
    "AsgiFunctionApp",
    "AsgiMiddleware",
    "AuthLevel",
    "BindingApi",
    "BlobSource",
    "Blueprint",
    "Cardinality",
    "CloudEvent",
    "Context",
    "CosmosDBChangeFeedMode",
    "DataType",
    "DecoratorApi",
    "Document",
    "DocumentList",
    "EntityContext",
    "EventGridEvent",
    "EventGridOutputEvent",
    "EventHubEvent",
    "ExtensionMeta",
    "ExternalHttpFunctionApp",
    "FuncExtensionBase",
    "Function",
    "FunctionApp",
    "FunctionExtensionException",
    "FunctionRegister",
    "HttpMethod",
    "HttpRequest",
    "HttpResponse",
    "InputStream",
    "KafkaConverter",
    "KafkaEvent",
    "KafkaTriggerConverter",
    "MCPToolContext",
    "McpPropertyType",
    "MySqlRow",
    "MySqlRowList",
    "OrchestrationContext",
    "Out",
    "PromptArgument",
    "PromptInvocationContext",
    "QueueMessage",
    "ServiceBusMessage",
    "SettingsApi",
    "SqlRow",
    "SqlRowList",
    "TimerRequest",
    "TriggerApi",
    "WarmUpContext",
    "WsgiFunctionApp",
    "WsgiMiddleware",
    "get_binding_registry",
    "mcp_content",
    "register_converter",
    "blob",
    "connectors",
    "cosmosdb",
    "decorators",
    "durable_functions",
    "eventgrid",
    "eventhub",
    "extension",
    "http",
    "kafka",
    "mcp",
    "meta",
    "mysql",
    "queue",
    "servicebus",
    "sql",
    "timer",
    "warmup",
    "HttpRequestBody",
    "HttpHeaders",
];

/// Public names of `typing` (Python 3.9–3.13).
pub const TYPING_NAMES: &[&str] = &[
    "AbstractSet",
    "Annotated",
    "Any",
    "AnyStr",
    "AsyncContextManager",
    "AsyncGenerator",
    "AsyncIterable",
    "AsyncIterator",
    "Awaitable",
    "BinaryIO",
    "ByteString",
    "Callable",
    "ChainMap",
    "ClassVar",
    "Collection",
    "Concatenate",
    "Container",
    "ContextManager",
    "Coroutine",
    "Counter",
    "DefaultDict",
    "Deque",
    "Dict",
    "Final",
    "ForwardRef",
    "FrozenSet",
    "Generator",
    "Generic",
    "Hashable",
    "IO",
    "ItemsView",
    "Iterable",
    "Iterator",
    "KeysView",
    "List",
    "Literal",
    "LiteralString",
    "Mapping",
    "MappingView",
    "Match",
    "MutableMapping",
    "MutableSequence",
    "MutableSet",
    "NamedTuple",
    "Never",
    "NewType",
    "NoDefault",
    "NoReturn",
    "NotRequired",
    "Optional",
    "OrderedDict",
    "ParamSpec",
    "ParamSpecArgs",
    "ParamSpecKwargs",
    "Pattern",
    "Protocol",
    "ReadOnly",
    "Required",
    "Reversible",
    "Self",
    "Sequence",
    "Set",
    "Sized",
    "SupportsAbs",
    "SupportsBytes",
    "SupportsComplex",
    "SupportsFloat",
    "SupportsIndex",
    "SupportsInt",
    "SupportsRound",
    "TYPE_CHECKING",
    "Text",
    "TextIO",
    "Tuple",
    "Type",
    "TypeAlias",
    "TypeAliasType",
    "TypeGuard",
    "TypeIs",
    "TypeVar",
    "TypeVarTuple",
    "TypedDict",
    "Union",
    "Unpack",
    "ValuesView",
    "abstractmethod",
    "assert_never",
    "assert_type",
    "cast",
    "clear_overloads",
    "dataclass_transform",
    "final",
    "get_args",
    "get_origin",
    "get_overloads",
    "get_protocol_members",
    "get_type_hints",
    "is_protocol",
    "is_typeddict",
    "no_type_check",
    "no_type_check_decorator",
    "overload",
    "override",
    "reveal_type",
    "runtime_checkable",
];

/// Builtin names that are classes.
pub const BUILTIN_CLASSES: &[&str] = &[
    "str",
    "bytes",
    "bytearray",
    "int",
    "float",
    "complex",
    "bool",
    "dict",
    "list",
    "tuple",
    "set",
    "frozenset",
    "object",
    "type",
    "memoryview",
    "range",
    "slice",
    "property",
    "staticmethod",
    "classmethod",
    "super",
    "BaseException",
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "RuntimeError",
];

/// Builtin names that are not classes (functions and constants).
pub const BUILTIN_OTHER: &[&str] = &[
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "breakpoint",
    "callable",
    "chr",
    "compile",
    "delattr",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "format",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "locals",
    "map",
    "max",
    "min",
    "next",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "repr",
    "reversed",
    "round",
    "setattr",
    "sorted",
    "sum",
    "vars",
    "zip",
    "__import__",
    "Ellipsis",
    "NotImplemented",
    "True",
    "False",
    "None",
    "__name__",
    "__file__",
    "__doc__",
    "__spec__",
    "__package__",
    "__builtins__",
    "__loader__",
    "__path__",
    "aiter",
    "anext",
    "exit",
    "quit",
    "copyright",
    "credits",
    "license",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "EncodingWarning",
    "EnvironmentError",
    "ExceptionGroup",
    "BaseExceptionGroup",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "Warning",
    "ZeroDivisionError",
];

pub fn is_builtin(name: &str) -> bool {
    static BUILTINS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    BUILTINS
        .get_or_init(|| {
            BUILTIN_CLASSES
                .iter()
                .chain(BUILTIN_OTHER)
                .copied()
                .collect()
        })
        .contains(name)
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let cl = c.to_ascii_lowercase();
        if cl == lower {
            return Some(c);
        }
        let distance = strsim::damerau_levenshtein(&lower, &cl);
        let longest = lower.chars().count().max(cl.chars().count());
        // One edit for short words, up to a third of the length for longer ones.
        let allowed = if longest <= 4 {
            1
        } else {
            (longest / 3).max(2)
        };
        if distance <= allowed {
            let score = distance as f64 / longest as f64;
            if best.is_none_or(|(_, s)| score < s) {
                best = Some((c, score));
            }
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_matches_only() {
        let types = binding_types::BINDING_TYPES.iter().map(|t| t.name);
        assert_eq!(
            did_you_mean("queueTriger", types.clone()),
            Some("queueTrigger")
        );
        assert_eq!(
            did_you_mean("HttpTrigger", types.clone()),
            Some("httpTrigger")
        );
        assert_eq!(did_you_mean("myCustomThing", types.clone()), None);
        assert_eq!(did_you_mean("queue", types), None);
    }

    #[test]
    fn matrix_rows_cover_every_annotation() {
        for entry in annotation_matrix::MATRIX {
            for row in [entry.input, entry.output, entry.ret] {
                assert_eq!(
                    row.len(),
                    annotation_matrix::ANNOTATIONS.len(),
                    "{}",
                    entry.binding_type
                );
            }
        }
    }
}
