//! The keys of `host.json` and `local.settings.json` and the settings the host and the worker
//! read: shown by completion and by hover.

/// The top-level keys of `host.json`.
pub const HOST_JSON_KEYS: &[(&str, &str)] = &[
    ("version", "Schema version of host.json: must be \"2.0\"."),
    (
        "extensionBundle",
        "The binding extensions the host loads (needed for every trigger but HTTP and timer).",
    ),
    ("logging", "Log levels and Application Insights options."),
    ("functionTimeout", "Per-invocation time limit, `hh:mm:ss`."),
    (
        "extensions",
        "Per-extension options (http, queues, serviceBus, eventHubs, durableTask, …).",
    ),
    ("concurrency", "Dynamic concurrency settings."),
    ("retry", "App-wide retry policy."),
    ("functions", "Only load these functions."),
    ("healthMonitor", "Host health monitoring."),
    ("singleton", "Singleton lock settings."),
    (
        "watchDirectories",
        "Extra folders whose changes restart the host.",
    ),
    ("watchFiles", "Extra files whose changes restart the host."),
    ("aggregator", "Telemetry batching."),
];

/// The top-level keys of `local.settings.json`.
pub const LOCAL_SETTINGS_KEYS: &[(&str, &str)] = &[
    ("IsEncrypted", "Must be `false` for a plain-text file: when absent, Core Tools tries to decrypt every value."),
    ("Values", "App settings, exported to the host and the worker as environment variables."),
    ("Host", "Local host options: `LocalHttpPort`, `CORS`, `CORSCredentials`."),
    ("ConnectionStrings", "Connection strings for frameworks that read them (not published as app settings)."),
];

/// Settings the host or the Python worker reads, with what for.
pub const KNOWN_SETTINGS: &[(&str, &str)] = &[
    ("FUNCTIONS_WORKER_RUNTIME", "The language worker: `python`."),
    ("AzureWebJobsStorage", "Storage connection the host needs for every trigger but HTTP (`UseDevelopmentStorage=true` for Azurite)."),
    ("AzureWebJobsFeatureFlags", "Comma-separated host feature flags."),
    ("PYTHON_SCRIPT_FILE_NAME", "The v2 model's script (default `function_app.py`)."),
    ("PYTHON_ISOLATE_WORKER_DEPENDENCIES", "Load the app's packages in isolation from the worker's."),
    ("PYTHON_ENABLE_WORKER_EXTENSIONS", "Enable Python worker extensions."),
    ("PYTHON_THREADPOOL_THREAD_COUNT", "Threads for synchronous functions."),
    ("PYTHON_ENABLE_DEBUG_LOGGING", "Verbose worker logging."),
    ("PYTHON_ENABLE_INIT_INDEXING", "Index v2 functions at worker start."),
    ("FUNCTIONS_WORKER_PROCESS_COUNT", "Worker processes per host."),
];
