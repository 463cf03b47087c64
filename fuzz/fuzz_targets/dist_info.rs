//! The installed-distribution reader and the import-name lookup on arbitrary metadata: never a
//! panic, every import name a dotted identifier, every lookup answered from what was read.
#![no_main]

use azfunc_lsp::analysis::catalog::distributions::providers;
use azfunc_lsp::analysis::requirements::installed::{DistInfo, Installed};
use azfunc_lsp_fuzz::split;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // METADATA, top_level.txt, RECORD and a module path to look up, as the loader gives them.
    let parts: Vec<String> = split(data, 4)
        .into_iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let part = |i: usize| parts.get(i).map(String::as_str);
    let installed = Installed::from_dist_infos([
        DistInfo {
            dir: "fuzzed-1.0.dist-info",
            metadata: part(0),
            top_level: part(1),
            record: part(2),
        },
        DistInfo {
            dir: "other-1.0.dist-info",
            metadata: part(2),
            top_level: part(0),
            record: part(1),
        },
    ]);
    for dist in installed.distributions() {
        for name in &dist.import_names {
            assert!(!name.is_empty() && name.split('.').all(|p| !p.is_empty()), "{name:?}");
            assert!(installed.providers(name).iter().any(|d| d.name == dist.name));
        }
        for req in &dist.requires {
            let _ = installed.comes_through(&req.name, &[dist.name.as_str()]);
        }
    }
    let module = part(3).unwrap_or("");
    let _ = installed.providers(module);
    let found = providers(module);
    assert!(!found.distributions.is_empty());
});
