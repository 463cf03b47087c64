//! The generated app of the language server benchmarks (`lsp_latency`, `lsp_stdio`): N function
//! folders alternating HTTP and queue triggers (every queue binding names `AzureWebJobsStorage`),
//! every 50th function with a parameter that does not match its binding.

use std::path::Path;
use std::time::Duration;

/// Writes the app: `host.json`, `local.settings.json`, and `F00000..` folders with a mix of
/// HTTP and queue triggers; every 50th function has a parameter that does not match its
/// binding.
pub fn generate(root: &Path, n: usize) {
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join("host.json"), r#"{"version": "2.0"}"#).unwrap();
    std::fs::write(root.join("local.settings.json"), SETTINGS).unwrap();
    for i in 0..n {
        let dir = root.join(format!("F{i:05}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mistake = i % 50 == 7;
        let (json, py) = if i % 2 == 0 {
            (
                r#"{
  "scriptFile": "__init__.py",
  "bindings": [
    {"authLevel": "function", "type": "httpTrigger", "direction": "in", "name": "req", "methods": ["get", "post"]},
    {"type": "http", "direction": "out", "name": "$return"}
  ]
}
"#
                .to_string(),
                format!(
                    "import logging\n\nimport azure.functions as func\n\n\ndef main({}: func.HttpRequest) -> func.HttpResponse:\n    logging.info(\"F{i:05}\")\n    return func.HttpResponse(\"ok\")\n",
                    if mistake { "request" } else { "req" }
                ),
            )
        } else {
            (
                r#"{
  "scriptFile": "__init__.py",
  "bindings": [
    {"type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "items", "connection": "AzureWebJobsStorage"}
  ]
}
"#
                .to_string(),
                format!(
                    "import logging\n\nimport azure.functions as func\n\n\ndef main({}: func.QueueMessage) -> None:\n    logging.info(\"F{i:05} %s\", msg.get_body())\n",
                    if mistake { "message" } else { "msg" }
                ),
            )
        };
        std::fs::write(dir.join("function.json"), json).unwrap();
        std::fs::write(dir.join("__init__.py"), py).unwrap();
    }
}

/// local.settings.json of the generated app; the settings keystrokes type into `Typed`.
pub const SETTINGS: &str = r#"{"IsEncrypted": false, "Values": {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": "UseDevelopmentStorage=true", "Typed": ""}}"#;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

/// Prints a row of latencies: count, median, 99th percentile and maximum.
pub fn summary(name: &str, samples: &mut [Duration]) {
    println!(
        "{name:<48} n={:<4} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        samples.len(),
        percentile(samples, 0.5).as_secs_f64() * 1e3,
        percentile(samples, 0.99).as_secs_f64() * 1e3,
        percentile(samples, 1.0).as_secs_f64() * 1e3,
    );
}
