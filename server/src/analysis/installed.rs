//! The distributions installed in the app's environment, read from their `*.dist-info` metadata
//! given as text: the import names each provides (`RECORD`, else `top_level.txt`), its name
//! (`METADATA` `Name:`) and what it requires (`Requires-Dist:`). The truth for this app where
//! the generated import-name table is only a likely answer, including the distributions that
//! come as dependencies of listed ones.

use std::collections::{HashMap, HashSet, VecDeque};

/// PEP 503 normalisation (`PyYAML` → `pyyaml`, `azure_functions` → `azure-functions`).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.trim().chars() {
        if c == '-' || c == '_' || c == '.' {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

/// Import paths deeper than this are not derived from `RECORD`: no package nests its first
/// regular package that deep, and a hostile path must cost linear time.
const MAX_IMPORT_DEPTH: usize = 16;

/// The metadata files of one `*.dist-info` folder, as text.
#[derive(Debug, Clone, Copy, Default)]
pub struct DistInfo<'a> {
    /// The folder name (`PyYAML-6.0.1.dist-info`): the name when `METADATA` has none.
    pub dir: &'a str,
    pub metadata: Option<&'a str>,
    pub top_level: Option<&'a str>,
    pub record: Option<&'a str>,
}

/// One requirement of an installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistRequirement {
    /// PEP 503 normalised.
    pub name: String,
    /// The extra it is conditional on (`Requires-Dist: x ; extra == "socks"`): not installed
    /// unless someone asked for the extra.
    pub extra: Option<String>,
}

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledDistribution {
    /// As its metadata spells it.
    pub name: String,
    /// PEP 503 normalised.
    pub normalized: String,
    /// Dotted import names it provides, sorted (`yaml`, `_yaml`; `azure.storage.blob`).
    pub import_names: Vec<String>,
    pub requires: Vec<DistRequirement>,
}

/// The installed distributions, indexed by import name and by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installed {
    distributions: Vec<InstalledDistribution>,
    by_import: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, usize>,
    /// Normalised name → the distributions that require it without an extra.
    required_by: HashMap<String, Vec<usize>>,
}

impl Installed {
    /// Reads the metadata of every folder; a later folder of an already seen name is ignored.
    pub fn from_dist_infos<'a>(infos: impl IntoIterator<Item = DistInfo<'a>>) -> Installed {
        let mut out = Installed::default();
        for info in infos {
            let dist = read_dist_info(&info);
            if dist.normalized.is_empty() || out.by_name.contains_key(&dist.normalized) {
                continue;
            }
            let index = out.distributions.len();
            out.by_name.insert(dist.normalized.clone(), index);
            for name in &dist.import_names {
                out.by_import.entry(name.clone()).or_default().push(index);
            }
            for req in dist.requires.iter().filter(|r| r.extra.is_none()) {
                out.required_by
                    .entry(req.name.clone())
                    .or_default()
                    .push(index);
            }
            out.distributions.push(dist);
        }
        out
    }

    pub fn distributions(&self) -> &[InstalledDistribution] {
        &self.distributions
    }

    pub fn is_empty(&self) -> bool {
        self.distributions.is_empty()
    }

    /// The distribution of this name (any spelling).
    pub fn distribution(&self, name: &str) -> Option<&InstalledDistribution> {
        self.by_name
            .get(&normalize(name))
            .map(|&i| &self.distributions[i])
    }

    /// The distributions that provide `module` (a dotted import path): those of its longest
    /// dotted prefix that one provides (`azure.storage.blob.aio` → `azure-storage-blob`).
    pub fn providers(&self, module: &str) -> Vec<&InstalledDistribution> {
        // No import name is deeper than MAX_IMPORT_DEPTH: start at that prefix.
        let mut end = module
            .match_indices('.')
            .nth(MAX_IMPORT_DEPTH - 1)
            .map_or(module.len(), |(i, _)| i);
        loop {
            if let Some(indices) = self.by_import.get(&module[..end]) {
                return indices.iter().map(|&i| &self.distributions[i]).collect();
            }
            match module[..end].rfind('.') {
                Some(dot) => end = dot,
                None => return Vec::new(),
            }
        }
    }

    /// The distributions among `listed` (names, any spelling) that bring `distribution` in,
    /// directly or through others, by the requirements that apply without an extra, in the
    /// order listed. Empty when `distribution` is itself listed or nothing listed requires it.
    pub fn comes_through(&self, distribution: &str, listed: &[&str]) -> Vec<String> {
        let target = normalize(distribution);
        let listed: Vec<String> = listed.iter().map(|l| normalize(l)).collect();
        if listed.contains(&target) {
            return Vec::new();
        }
        // Everything that needs `target`, walking the requirements backwards once (linear in
        // the metadata, cycles allowed).
        let mut needs: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&str> = VecDeque::from([target.as_str()]);
        while let Some(name) = queue.pop_front() {
            for &i in self.required_by.get(name).into_iter().flatten() {
                let requirer = self.distributions[i].normalized.as_str();
                if needs.insert(requirer) {
                    queue.push_back(requirer);
                }
            }
        }
        let mut out: Vec<String> = Vec::new();
        for root in &listed {
            if needs.contains(root.as_str()) {
                let name = self.distribution(root).map_or(root.as_str(), |d| &d.name);
                if !out.iter().any(|o| o == name) {
                    out.push(name.to_string());
                }
            }
        }
        out
    }
}

/// Reads one `*.dist-info` folder's metadata.
pub fn read_dist_info(info: &DistInfo) -> InstalledDistribution {
    let (name, requires) = info.metadata.map(read_metadata).unwrap_or_default();
    let name = name.unwrap_or_else(|| name_from_dir(info.dir).to_string());
    let mut import_names: Vec<String> = match info.record {
        Some(record) => import_names_from_record(record),
        None => Vec::new(),
    };
    // `top_level.txt` adds the names a `.pth` file puts on the path (pywin32's `win32api` lives
    // in `win32/`), but not a namespace that `RECORD` shows the packages of (`azure`).
    if let Some(top_level) = info.top_level {
        let namespaces: HashSet<&str> = import_names
            .iter()
            .filter_map(|n| n.split_once('.').map(|(top, _)| top))
            .collect();
        let extra: Vec<String> = top_level
            .lines()
            .map(|l| l.trim().replace('/', "."))
            .filter(|l| is_dotted_identifier(l) && !namespaces.contains(l.as_str()))
            .collect();
        import_names.extend(extra);
    }
    import_names.sort();
    import_names.dedup();
    InstalledDistribution {
        normalized: normalize(&name),
        name,
        import_names,
        requires,
    }
}

/// `PyYAML-6.0.1.dist-info` → `PyYAML` (the name ends at the first `-`).
fn name_from_dir(dir: &str) -> &str {
    let stem = dir.strip_suffix(".dist-info").unwrap_or(dir);
    stem.split('-').next().unwrap_or(stem)
}

/// `Name:` and the `Requires-Dist:` lines of a `METADATA` file's header (the body after the
/// first empty line is the description and is not read).
fn read_metadata(text: &str) -> (Option<String>, Vec<DistRequirement>) {
    let mut name = None;
    let mut requires = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if key.eq_ignore_ascii_case("Name") && name.is_none() && !value.is_empty() {
            name = Some(value.to_string());
        } else if key.eq_ignore_ascii_case("Requires-Dist") {
            if let Some(req) = read_requirement(value) {
                requires.push(req);
            }
        }
    }
    (name, requires)
}

/// A PEP 508 requirement: its name and the extra its marker asks for, if any.
fn read_requirement(value: &str) -> Option<DistRequirement> {
    let end = value
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(value.len());
    let name = normalize(&value[..end]);
    if name.is_empty() {
        return None;
    }
    let extra = value
        .split_once(';')
        .and_then(|(_, marker)| marker_extra(marker));
    Some(DistRequirement { name, extra })
}

/// The value of `extra == "x"` in a marker (either quote, either order of operands).
fn marker_extra(marker: &str) -> Option<String> {
    let at = marker.find("extra")?;
    let rest = marker[at + "extra".len()..].trim_start();
    let rest = rest.strip_prefix("==")?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(normalize(&value[..end]))
}

/// Import names from a `RECORD` file's paths: top-level modules (`six.py`, `_cffi.so`) and
/// packages, where a folder without `__init__.py` is a namespace whose sub-packages are the
/// import names (`azure/storage/blob/__init__.py` → `azure.storage.blob`).
fn import_names_from_record(record: &str) -> Vec<String> {
    let paths: Vec<Vec<&str>> = record
        .lines()
        .filter_map(first_csv_field)
        .filter_map(|path| {
            let parts: Vec<&str> = path
                .split('/')
                .filter(|p| !p.is_empty())
                .take(MAX_IMPORT_DEPTH + 2)
                .collect();
            if parts.len() > MAX_IMPORT_DEPTH + 1 {
                return None;
            }
            let first = *parts.first()?;
            let skipped = first == ".."
                || first == "."
                || first.ends_with(".dist-info")
                || first.ends_with(".data")
                || first.ends_with(".egg-info")
                || first == "__pycache__"
                || path.starts_with('/');
            (!skipped).then_some(parts)
        })
        .collect();
    // Folders holding an `__init__` module are regular packages.
    let packages: HashSet<&[&str]> = paths
        .iter()
        .filter(|parts| {
            parts
                .last()
                .is_some_and(|f| module_stem(f) == Some("__init__"))
        })
        .map(|parts| &parts[..parts.len() - 1])
        .collect();
    let mut names = Vec::new();
    for parts in &paths {
        let dirs = &parts[..parts.len() - 1];
        let name: Vec<&str> = match (1..=dirs.len()).find(|&n| packages.contains(&dirs[..n])) {
            Some(n) => dirs[..n].to_vec(),
            None => match module_stem(parts[parts.len() - 1]) {
                Some(stem) if stem != "__init__" => {
                    dirs.iter().copied().chain(std::iter::once(stem)).collect()
                }
                _ => continue,
            },
        };
        if name.len() <= MAX_IMPORT_DEPTH && name.iter().all(|p| is_identifier(p)) {
            names.push(name.join("."));
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The first field of a CSV line, unquoted (`"a,b.py",sha256=…,12` → `a,b.py`).
fn first_csv_field(line: &str) -> Option<&str> {
    let line = line.trim_end_matches('\r');
    let field = if let Some(quoted) = line.strip_prefix('"') {
        // A doubled quote inside is rare in a path; such a field is skipped rather than unescaped.
        let end = quoted.find('"')?;
        if quoted[end + 1..].starts_with('"') {
            return None;
        }
        &quoted[..end]
    } else {
        line.split(',').next()?
    };
    (!field.is_empty()).then_some(field)
}

/// `six.py` → `six`, `_yaml.cpython-311-x86_64-linux-gnu.so` → `_yaml`, `x.pyd` → `x`; files
/// that are not modules → `None`.
fn module_stem(file: &str) -> Option<&str> {
    let (stem, ext) = file.rsplit_once('.')?;
    if !matches!(ext, "py" | "so" | "pyd" | "pyc") {
        return None;
    }
    let stem = stem.split('.').next().unwrap_or(stem);
    is_identifier(stem).then_some(stem)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// A dotted name of at most [`MAX_IMPORT_DEPTH`] identifiers.
fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty() && s.split('.').count() <= MAX_IMPORT_DEPTH && s.split('.').all(is_identifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML_RECORD: &str = "_yaml/__init__.py,sha256=x,1402\n\
        yaml/__init__.py,sha256=x,12311\n\
        yaml/_yaml.cpython-311-x86_64-linux-gnu.so,sha256=x,2383664\n\
        yaml/composer.py,sha256=x,4883\n\
        PyYAML-6.0.1.dist-info/METADATA,sha256=x,2058\n\
        PyYAML-6.0.1.dist-info/RECORD,,\n\
        ../../../bin/something,sha256=x,10\n";

    #[test]
    fn import_names_come_from_record_paths() {
        assert_eq!(import_names_from_record(YAML_RECORD), ["_yaml", "yaml"]);
        // A namespace package: the first folder with `__init__.py` is the import name.
        let blob = "azure/storage/blob/__init__.py,,\nazure/storage/blob/aio/__init__.py,,\n\
            azure/storage/blob/_models.py,,\n";
        assert_eq!(import_names_from_record(blob), ["azure.storage.blob"]);
        // Single-file modules, quoted paths, compiled files and non-identifiers.
        let misc = "six.py,sha256=x,1\n\"odd,name.py\",,\n__pycache__/six.cpython-311.pyc,,\n\
            typing_extensions.py,,\nREADME.txt,,\nmy-data/x.py,,\n";
        assert_eq!(import_names_from_record(misc), ["six", "typing_extensions"]);
    }

    #[test]
    fn metadata_gives_the_name_and_requirements() {
        let metadata = "Metadata-Version: 2.1\r\nName: azure-storage-blob\r\nVersion: 12.19.0\r\n\
            Requires-Dist: azure-core <2.0.0,>=1.28.0\r\n\
            Requires-Dist: cryptography >=2.1.4\r\n\
            Requires-Dist: azure-core[aio] <2.0.0,>=1.28.0 ; extra == 'aio'\r\n\
            Requires-Dist: typing_extensions>=4.3.0\r\n\r\n\
            Requires-Dist: not-a-header-but-the-description\r\n";
        let (name, reqs) = read_metadata(metadata);
        assert_eq!(name.as_deref(), Some("azure-storage-blob"));
        let names: Vec<(&str, Option<&str>)> = reqs
            .iter()
            .map(|r| (r.name.as_str(), r.extra.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("azure-core", None),
                ("cryptography", None),
                ("azure-core", Some("aio")),
                ("typing-extensions", None)
            ]
        );
    }

    fn environment() -> Installed {
        Installed::from_dist_infos([
            DistInfo {
                dir: "azure_storage_blob-12.19.0.dist-info",
                metadata: Some("Name: azure-storage-blob\nRequires-Dist: azure-core>=1.28\nRequires-Dist: aiohttp ; extra == \"aio\"\n"),
                top_level: Some("azure\n"),
                record: Some("azure/storage/blob/__init__.py,,\n"),
            },
            DistInfo {
                dir: "azure_core-1.30.0.dist-info",
                metadata: Some("Name: azure-core\nRequires-Dist: requests>=2.21.0\nRequires-Dist: six\n"),
                top_level: None,
                record: Some("azure/core/__init__.py,,\n"),
            },
            DistInfo {
                dir: "requests-2.31.0.dist-info",
                metadata: Some("Name: requests\nRequires-Dist: urllib3\n"),
                top_level: Some("requests\n"),
                record: None,
            },
            DistInfo {
                dir: "PyYAML-6.0.1.dist-info",
                metadata: None,
                top_level: None,
                record: Some(YAML_RECORD),
            },
            DistInfo {
                dir: "six-1.16.0.dist-info",
                metadata: Some("Name: six\nRequires-Dist: azure-core\n"),
                top_level: Some("six\n"),
                record: None,
            },
        ])
    }

    #[test]
    fn providers_by_longest_import_prefix() {
        let env = environment();
        let names =
            |m: &str| -> Vec<String> { env.providers(m).iter().map(|d| d.name.clone()).collect() };
        assert_eq!(names("azure.storage.blob.aio"), ["azure-storage-blob"]);
        assert_eq!(names("azure.core.exceptions"), ["azure-core"]);
        assert_eq!(names("yaml"), ["PyYAML"]);
        assert_eq!(names("requests.adapters"), ["requests"]);
        assert!(names("azure.identity").is_empty());
        assert!(names("azure").is_empty());
        assert_eq!(env.distribution("pyyaml").unwrap().name, "PyYAML");
    }

    #[test]
    fn dependencies_say_what_brings_a_distribution_in() {
        let env = environment();
        assert_eq!(
            env.comes_through("requests", &["azure-functions", "Azure_Storage_Blob"]),
            ["azure-storage-blob"]
        );
        // Listed itself: nothing to say. Only through an extra: not brought in.
        assert!(env.comes_through("requests", &["requests"]).is_empty());
        assert!(env
            .comes_through("aiohttp", &["azure-storage-blob"])
            .is_empty());
        // A requirement cycle (six ↔ azure-core) ends.
        assert_eq!(env.comes_through("urllib3", &["six"]), ["six"]);
        assert!(env.comes_through("not-installed", &["six"]).is_empty());
    }

    #[test]
    fn hostile_metadata_is_read_in_linear_time() {
        let deep = "a/".repeat(500_000) + "__init__.py,,\n";
        let many: String = (0..100_000).map(|i| format!("m{i}.py,,\n")).collect();
        let quotes = "\"".repeat(100_000) + "\n\"unterminated\n,,,\n\n";
        let requires: String = (0..50_000)
            .map(|i| {
                format!(
                    "Requires-Dist: d{i} ; extra == \"\nRequires-Dist: d{}\n",
                    i + 1
                )
            })
            .collect();
        let start = std::time::Instant::now();
        let env = Installed::from_dist_infos([
            DistInfo {
                dir: "deep.dist-info",
                metadata: None,
                top_level: None,
                record: Some(&deep),
            },
            DistInfo {
                dir: "many.dist-info",
                metadata: None,
                top_level: Some("\u{0}\n../x\n"),
                record: Some(&many),
            },
            DistInfo {
                dir: "q.dist-info",
                metadata: Some(&quotes),
                top_level: None,
                record: Some(&quotes),
            },
            DistInfo {
                dir: "d0.dist-info",
                metadata: Some(&format!("Name: d0\n{requires}")),
                top_level: None,
                record: None,
            },
            DistInfo {
                dir: "",
                metadata: Some("Name:\n"),
                top_level: None,
                record: None,
            },
        ]);
        // Names as deep as the bound are found again; deeper ones are not read.
        let bound = vec!["p"; MAX_IMPORT_DEPTH].join(".");
        let beyond = vec!["p"; MAX_IMPORT_DEPTH + 1].join(".");
        let file = vec!["p"; MAX_IMPORT_DEPTH].join("/") + ".py,,\n";
        let bounded = Installed::from_dist_infos([DistInfo {
            dir: "p-1.dist-info",
            metadata: None,
            top_level: Some(&format!("{bound}\n{beyond}\n")),
            record: Some(&file),
        }]);
        assert_eq!(
            bounded.distributions()[0].import_names,
            std::slice::from_ref(&bound)
        );
        assert_eq!(bounded.providers(&(bound + ".x")).len(), 1);
        // Deeper than any package nests: no import name, and no quadratic walk.
        assert!(env.distribution("deep").unwrap().import_names.is_empty());
        assert_eq!(
            env.distribution("many").unwrap().import_names.len(),
            100_000
        );
        // Each `Requires-Dist` names one distribution; an unterminated marker is no extra.
        assert_eq!(env.comes_through("d50000", &["d0"]), ["d0"]);
        assert!(env.providers(&"x.".repeat(100_000)).is_empty());
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }
}
