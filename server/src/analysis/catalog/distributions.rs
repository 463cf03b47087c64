//! Which distributions provide an import name, from the generated table
//! ([`super::import_names`]) and the naming rules of namespace packages.

use super::import_names::{IMPORT_NAMES, NAMESPACES};

/// How the distributions of an import were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// The import name (or a dotted prefix of it) is in the table.
    Table,
    /// A namespace package rule named it (`azure.storage.blob` → `azure-storage-blob`).
    Namespace,
    /// Nothing is known: the guess is the distribution of the same name as the top-level module.
    SameName,
    /// The app's environment has it installed: the truth for this app.
    Environment,
}

/// The distributions that could provide an import, the one to suggest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Providers {
    pub distributions: Vec<String>,
    pub provenance: Provenance,
}

impl Providers {
    /// Whether the distribution is known rather than guessed from the module's name.
    pub fn is_known(&self) -> bool {
        self.provenance != Provenance::SameName
    }

    /// The distribution to suggest.
    pub fn suggestion(&self) -> &str {
        &self.distributions[0]
    }
}

/// Dotted prefixes deeper than this are not offered as alternative distribution names: no
/// published namespace package is that deep, and a hostile path must not produce a quadratic list.
const MAX_ALTERNATIVE_DEPTH: usize = 8;

/// The longest key of [`IMPORT_NAMES`]: longer prefixes cannot match, so are never searched.
const MAX_KEY_LEN: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < IMPORT_NAMES.len() {
        if IMPORT_NAMES[i].0.len() > max {
            max = IMPORT_NAMES[i].0.len();
        }
        i += 1;
    }
    max
};

/// The prefixes of `module` that end at a component boundary, the longest first, each at most
/// `max_len` bytes long.
fn prefixes(module: &str, max_len: usize) -> impl Iterator<Item = &str> {
    let ends = module
        .match_indices('.')
        .map(|(i, _)| i)
        .chain(std::iter::once(module.len()));
    let mut ends: Vec<usize> = ends.take_while(|&end| end <= max_len).collect();
    ends.reverse();
    ends.into_iter().map(move |end| &module[..end])
}

/// What the longest dotted prefix of `module` that the table or a namespace knows says: a table
/// entry, or the component count of a namespace that `module` lies strictly inside. At equal
/// length the namespace wins (`opentelemetry` names `opentelemetry-api`, `opentelemetry.sdk`
/// lies inside the namespace).
fn longest_known_prefix(module: &str) -> Option<Result<&'static [&'static str], usize>> {
    let longest_namespace = NAMESPACES.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    prefixes(module, MAX_KEY_LEN.max(longest_namespace)).find_map(|prefix| {
        let namespace = (prefix.len() < module.len())
            .then(|| {
                NAMESPACES.binary_search_by(|(name, _)| name.as_bytes().cmp(prefix.as_bytes()))
            })
            .and_then(Result::ok)
            .map(|i| Err(NAMESPACES[i].1));
        namespace.or_else(|| {
            IMPORT_NAMES
                .binary_search_by(|(name, _)| name.as_bytes().cmp(prefix.as_bytes()))
                .ok()
                .map(|i| Ok(IMPORT_NAMES[i].1))
        })
    })
}

/// The distributions that could provide `module` (a dotted import path), the likeliest first.
pub fn providers(module: &str) -> Providers {
    let known = longest_known_prefix(module);
    if let Some(Ok(distributions)) = known {
        return Providers {
            distributions: distributions.iter().map(|d| d.to_string()).collect(),
            provenance: Provenance::Table,
        };
    }
    if let Some(Err(components)) = known {
        let parts: Vec<&str> = module.split('.').take(MAX_ALTERNATIVE_DEPTH).collect();
        let suggested = parts[..components.min(parts.len())].join("-");
        let mut distributions = vec![suggested];
        // Other depths are accepted as providers too (`azure-storage` was once the package of
        // every `azure.storage` module), deepest first.
        for len in (2..=parts.len()).rev() {
            let name = parts[..len].join("-");
            if name != distributions[0] {
                distributions.push(name);
            }
        }
        return Providers {
            distributions,
            provenance: Provenance::Namespace,
        };
    }
    let top = module.split('.').next().unwrap_or(module);
    Providers {
        distributions: vec![top.to_string()],
        provenance: Provenance::SameName,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggest(module: &str) -> String {
        providers(module).suggestion().to_string()
    }

    #[test]
    fn the_tables_are_sorted_for_binary_search() {
        assert!(IMPORT_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(NAMESPACES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(IMPORT_NAMES.iter().all(|(_, d)| !d.is_empty()));
    }

    #[test]
    fn well_known_import_names() {
        for (module, distribution) in [
            ("yaml", "PyYAML"),
            ("PIL.Image", "Pillow"),
            ("sklearn.linear_model", "scikit-learn"),
            ("cv2", "opencv-python"),
            ("bs4", "beautifulsoup4"),
            ("win32com.client", "pywin32"),
            ("pythoncom", "pywin32"),
            ("win32api", "pywin32"),
            ("dateutil.parser", "python-dateutil"),
            ("google.protobuf.json_format", "protobuf"),
            ("MySQLdb", "mysqlclient"),
            // From the pipreqs mapping.
            ("rest_framework", "djangorestframework"),
            ("Levenshtein", "python_Levenshtein"),
            ("cassandra.cluster", "cassandra_driver"),
        ] {
            assert_eq!(suggest(module), distribution, "{module}");
            assert!(providers(module).is_known(), "{module}");
        }
    }

    #[test]
    fn namespace_packages_are_named_from_the_dotted_path() {
        for (module, distribution) in [
            ("azure.core.exceptions", "azure-core"),
            ("azure.identity", "azure-identity"),
            ("azure.storage.blob", "azure-storage-blob"),
            ("azure.storage.blob.aio", "azure-storage-blob"),
            ("azure.functions", "azure-functions"),
            ("azure.durable_functions", "azure-functions-durable"),
            ("azure.keyvault.secrets", "azure-keyvault-secrets"),
            ("azure.mgmt.resource.resources", "azure-mgmt-resource"),
            ("azure.storage.fileshare", "azure-storage-file-share"),
            ("azureml.core", "azureml-core"),
            (
                "azurefunctions.extensions.http.fastapi",
                "azurefunctions-extensions-http-fastapi",
            ),
            (
                "azurefunctions.extensions.bindings.blob",
                "azurefunctions-extensions-bindings-blob",
            ),
            (
                "azurefunctions.extensions.base",
                "azurefunctions-extensions-base",
            ),
            ("google.cloud.storage", "google-cloud-storage"),
            ("opentelemetry.trace", "opentelemetry-api"),
            ("opentelemetry.sdk.trace", "opentelemetry-sdk"),
            ("backports.zoneinfo", "backports-zoneinfo"),
        ] {
            assert_eq!(suggest(module), distribution, "{module}");
        }
        // Other depths are accepted as providers, the suggestion stays first.
        assert_eq!(
            providers("azure.storage.blob.aio").distributions,
            [
                "azure-storage-blob",
                "azure-storage-blob-aio",
                "azure-storage"
            ]
        );
        assert_eq!(
            providers("azure.storage.blob").provenance,
            Provenance::Namespace
        );
    }

    #[test]
    fn unknown_names_are_guessed_and_said_so() {
        let p = providers("leftpad_tools.adapters");
        assert_eq!(p.distributions, ["leftpad_tools"]);
        assert!(!p.is_known());
        // A popular distribution named like its import is known, not guessed.
        assert!(providers("requests.adapters").is_known());
        // Reviewed out of the pipreqs data: generic words and wrong targets.
        for module in [
            "models", "utils", "example", "docker", "kazoo", "queue", "haystack",
        ] {
            let p = providers(module);
            assert!(
                p.provenance == Provenance::SameName || p.suggestion() == module,
                "{module}: {p:?}"
            );
        }
        // `import azure` alone names no distribution.
        assert!(!providers("azure").is_known());
    }

    #[test]
    fn hostile_paths_cost_linear_time_and_bounded_output() {
        let deep = "azure.".repeat(200_000) + "x";
        let start = std::time::Instant::now();
        let p = providers(&deep);
        assert!(p.distributions.len() < MAX_ALTERNATIVE_DEPTH);
        let long = "a".repeat(1_000_000);
        assert_eq!(providers(&long).distributions, std::slice::from_ref(&long));
        assert!(providers("").distributions == [""]);
        assert!(providers("...").distributions.len() <= MAX_ALTERNATIVE_DEPTH);
        // Generous: the lookups above take milliseconds; a quadratic one would take minutes.
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }
}
