//! Static knowledge about the runtime: binding types, the worker's annotation matrix, and the
//! public names of the Python modules that annotations come from.

pub mod annotation_matrix;
pub mod app_objects;
pub mod binding_types;
pub mod config_files;
pub mod decorator_types;
pub mod decorators;
pub mod distributions;
pub mod extensions;
pub mod import_names;
pub mod stdlib;

pub use binding_types::{binding_type, binding_type_ignore_case, BindingType, PropKind, PropSpec};

/// The decorator named `name` (`route`, `queue_trigger`, …). The lookups sit here, above the
/// generated table and the types it is written in, so that neither of the two names the other's
/// module back.
pub fn decorator(name: &str) -> Option<&'static decorator_types::DecoratorSpec> {
    decorator_index(name).map(decorator_at)
}

/// The position of the decorator named `name` in the catalog ([`decorator_at`] gives it back).
pub fn decorator_index(name: &str) -> Option<u16> {
    // Asked for every decorator of every function: a map, not a scan.
    static BY_NAME: std::sync::OnceLock<foldhash::HashMap<&'static str, u16>> =
        std::sync::OnceLock::new();
    BY_NAME
        .get_or_init(|| {
            let mut map = foldhash::HashMap::default();
            // The first of a name, as a scan finds it.
            for (i, d) in decorators::DECORATORS.iter().enumerate().rev() {
                map.insert(d.name, i as u16);
            }
            map
        })
        .get(name)
        .copied()
}

/// The decorator at `index` of the catalog (from [`decorator_index`]).
pub fn decorator_at(index: u16) -> &'static decorator_types::DecoratorSpec {
    &decorators::DECORATORS[usize::from(index)]
}

/// The enumeration named `name` (`AuthLevel`, `DataType`, …).
pub fn enumeration(name: &str) -> Option<&'static decorator_types::EnumSpec> {
    decorators::ENUMS.iter().find(|e| e.name == name)
}

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

/// Words longer than this (in characters) get no near-miss suggestion: the edit distance costs
/// the product of the lengths, and such names are not typos of one another.
const MAX_FUZZY_LEN: usize = 64;

/// At most this many candidates of a compatible length are compared with a word, so a lookup
/// among user-supplied names costs a bounded amount whatever their number.
const FUZZY_BUDGET: usize = 64;

/// The edits allowed between words whose longer one has `longest` characters: one for short
/// words, up to a third of the length for longer ones.
fn allowed_edits(longest: usize) -> usize {
    if longest <= 4 {
        1
    } else {
        (longest / 3).max(2)
    }
}

/// Whether words of `a` and `b` characters can be within the allowed distance (the distance is
/// at least the difference of the lengths).
fn lengths_compatible(a: usize, b: usize) -> bool {
    a.abs_diff(b) <= allowed_edits(a.max(b))
}

/// Keeps the closest candidate: `(candidate, score)`, the first one wins ties.
fn consider<'a>(best: &mut Option<(&'a str, f64)>, lower: &str, candidate: &'a str, cl: &str) {
    let distance = strsim::damerau_levenshtein(lower, cl);
    let longest = lower.chars().count().max(cl.chars().count());
    if distance <= allowed_edits(longest) {
        let score = distance as f64 / longest as f64;
        if best.is_none_or(|(_, s)| score < s) {
            *best = Some((candidate, score));
        }
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo: a
/// candidate equal but for case first, else the nearest by edit distance among the first
/// [`FUZZY_BUDGET`] candidates of a compatible length. For many lookups among the same
/// candidates, build a [`Suggester`] once.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let len = lower.chars().count();
    let fuzzy = len <= MAX_FUZZY_LEN;
    let mut compared = 0;
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        if c.len() == word.len() && c.eq_ignore_ascii_case(word) {
            return Some(c);
        }
        if !fuzzy || compared >= FUZZY_BUDGET {
            continue;
        }
        let clen = c.chars().count();
        if clen > MAX_FUZZY_LEN || !lengths_compatible(len, clen) {
            continue;
        }
        compared += 1;
        consider(&mut best, &lower, c, &c.to_ascii_lowercase());
    }
    best.map(|(c, _)| c)
}

/// [`did_you_mean`] over a fixed set of candidates, indexed once: each lookup costs a hash
/// lookup plus at most [`FUZZY_BUDGET`] comparisons, whatever the number of candidates.
pub struct Suggester<'a> {
    candidates: Vec<&'a str>,
    index: SuggestIndex,
}

impl<'a> Suggester<'a> {
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Suggester<'a> {
        let candidates: Vec<&'a str> = candidates.into_iter().collect();
        let index = SuggestIndex::new(&candidates);
        Suggester { candidates, index }
    }

    pub fn candidates(&self) -> &[&'a str] {
        &self.candidates
    }

    /// The same answer as [`did_you_mean`] over the candidates.
    pub fn suggest(&self, word: &str) -> Option<&'a str> {
        let i = self.index.suggest_position(&self.candidates, word)?;
        Some(self.candidates[i])
    }
}

/// The index of a [`Suggester`], owning no candidate: for a type that keeps it next to the
/// candidates it owns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuggestIndex {
    /// Lowercased candidate → its positions, in order.
    by_lower: std::collections::HashMap<String, Vec<usize>>,
    /// Positions of the candidates of each length (in characters, up to [`MAX_FUZZY_LEN`]).
    by_len: Vec<Vec<usize>>,
}

impl SuggestIndex {
    pub fn new<S: AsRef<str>>(candidates: &[S]) -> SuggestIndex {
        let mut by_lower: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::with_capacity(candidates.len());
        let mut by_len = vec![Vec::new(); MAX_FUZZY_LEN + 1];
        for (i, c) in candidates.iter().enumerate() {
            let c = c.as_ref();
            by_lower.entry(c.to_ascii_lowercase()).or_default().push(i);
            let len = c.chars().count();
            if len <= MAX_FUZZY_LEN {
                by_len[len].push(i);
            }
        }
        SuggestIndex { by_lower, by_len }
    }

    /// [`did_you_mean`] among `candidates`, the list this index was built from.
    pub fn suggest<'a, S: AsRef<str>>(&self, candidates: &'a [S], word: &str) -> Option<&'a str> {
        let i = self.suggest_position(candidates, word)?;
        Some(candidates[i].as_ref())
    }

    /// The position in `candidates` of [`SuggestIndex::suggest`]'s answer.
    pub fn suggest_position<S: AsRef<str>>(&self, candidates: &[S], word: &str) -> Option<usize> {
        let name = |i: usize| candidates[i].as_ref();
        let lower = word.to_ascii_lowercase();
        if let Some(positions) = self.by_lower.get(&lower) {
            if let Some(&i) = positions.iter().find(|&&i| name(i) != word) {
                return Some(i);
            }
        }
        let len = lower.chars().count();
        if len > MAX_FUZZY_LEN {
            return None;
        }
        // The first candidates of a compatible length, in their original order.
        let mut picked: Vec<usize> = Vec::new();
        for (clen, positions) in self.by_len.iter().enumerate() {
            if lengths_compatible(len, clen) {
                // Candidates equal to the word are skipped, as `did_you_mean` does.
                picked.extend(
                    positions
                        .iter()
                        .copied()
                        .take(2 * FUZZY_BUDGET)
                        .filter(|&i| name(i) != word)
                        .take(FUZZY_BUDGET),
                );
            }
        }
        picked.sort_unstable();
        let mut best: Option<(usize, f64)> = None;
        for &i in picked.iter().take(FUZZY_BUDGET) {
            let c = name(i);
            let mut one = None;
            consider(&mut one, &lower, c, &c.to_ascii_lowercase());
            if let Some((_, score)) = one {
                if best.is_none_or(|(_, s)| score < s) {
                    best = Some((i, score));
                }
            }
        }
        best.map(|(i, _)| i)
    }
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
    fn the_suggester_answers_as_did_you_mean() {
        let words = [
            "queueTriger",
            "HttpTrigger",
            "blob",
            "Blob",
            "timer",
            "eventhub",
            "cosmosDB",
            "sql",
            "x",
            "",
            "serviceBusTrigger",
            "queue",
            "httptrigger",
            "signalR",
        ];
        let types: Vec<&str> = binding_types::BINDING_TYPES
            .iter()
            .map(|t| t.name)
            .collect();
        let mixed = [
            "req", "Req", "request", "msg", "message", "doc", "docs", "blob",
        ];
        for list in [types.as_slice(), mixed.as_slice()] {
            let suggester = Suggester::new(list.iter().copied());
            for word in words.iter().chain(list) {
                assert_eq!(
                    suggester.suggest(word),
                    did_you_mean(word, list.iter().copied()),
                    "{word}"
                );
            }
        }
    }

    #[test]
    fn suggestions_among_many_names_are_bounded_and_still_found() {
        let names: Vec<String> = (0..50_000).map(|i| format!("item{i}")).collect();
        let suggester = Suggester::new(names.iter().map(String::as_str));
        // A case-insensitive match is found wherever it is.
        assert_eq!(suggester.suggest("ITEM49999"), Some("item49999"));
        assert_eq!(
            did_you_mean("ITEM49999", names.iter().map(String::as_str)),
            Some("item49999")
        );
        // A near miss among the first names of its length is found.
        assert_eq!(suggester.suggest("itme1"), Some("item1"));
        // A very long word gets no fuzzy suggestion (and costs no quadratic comparison).
        let long = "a".repeat(100_000);
        assert_eq!(did_you_mean(&long, [long[1..].as_ref()]), None);
        assert_eq!(Suggester::new([&long[1..]]).suggest(&long), None);
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
