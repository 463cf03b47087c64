#!/usr/bin/env python3
"""Writes the import name → distribution table as Rust data
(`server/src/analysis/catalog/import_names.rs`).

Inputs, all committed next to this script:

- `import_names/pipreqs-mapping.txt`: the `pipreqs/mapping` data file of the pipreqs wheel
  (https://github.com/bndr/pipreqs, Apache-2.0, licence in `import_names/pipreqs-LICENSE.txt`),
  one `import_name:distribution` per line. The version is `PIPREQS_VERSION` below.
- the curated tables of this script: `CURATED` (entries checked by hand; they replace what
  pipreqs says about the same name), `NAMESPACES` (how the Azure SDK and other namespace
  packages name their distributions) and `DENIED` (pipreqs entries judged wrong).

Usage (from the repository root):

    python3 server/data/gen_import_names.py            # rewrite the Rust table
    python3 server/data/gen_import_names.py --check    # exit 1 when the table is out of date
    python3 server/data/gen_import_names.py --download # refresh the pipreqs copy, then rewrite

`--download` runs `pip download pipreqs==PIPREQS_VERSION --no-deps` (change the version to move
on) and copies the mapping out of the wheel. The output needs no `cargo fmt`.

Review rules applied to the pipreqs entries (each dropped entry falls under one of them):

1. The import name is not a dotted Python identifier (`cloud-insight`, `a/b`).
2. The import name is a standard-library module (`queue`, `enum`, `http`, `test`): the checker
   never asks for a distribution for those, and pipreqs maps them to Python 2 backports.
3. The import name belongs to a namespace of `NAMESPACES` (`azure`, `google`, ...): the
   namespace rule names the distribution from the full dotted path, which pipreqs cannot.
4. The import name is in `CURATED`: the curated entry replaces it.
5. The import name is in `DENIED`: a generic word that apps use for their own modules
   (`models`, `utils`, `example`), or a name pipreqs maps to an unrelated, renamed, forked or
   abandoned project while a distribution of the import's own name is the maintained one
   (`docker` → `docker_py`, `kazoo` → `asana_kazoo`, `locust` → `locustio`).
6. The distribution is the import name itself after PEP 503 normalisation: the lookup already
   falls back to that, so the entry adds nothing.
7. Distributions of a versioned variant (`b2gperf_v1.3`) are left out of an entry.
8. An import name that pipreqs maps to several distributions is kept only when every one of
   them is named after the import name (`progressbar` → `progressbar2`, `progressbar33`); when
   they are all dotted children of it (`plone` → `plone.api`, `plone.app.event`, ...), the name
   becomes a namespace whose distributions are named from the dotted path. Otherwise (`nester`
   → three unrelated projects) nobody can tell which one the app meant, and the entry is dropped.
"""
import os
import re
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAPPING = os.path.join(HERE, "import_names", "pipreqs-mapping.txt")
STDLIB_RS = os.path.join(HERE, "..", "src", "analysis", "catalog", "stdlib.rs")
OUTPUT = os.path.join(HERE, "..", "src", "analysis", "catalog", "import_names.rs")
PIPREQS_VERSION = "0.5.0"

# Namespace packages: (prefix, components of the import path that name the distribution).
# `azure.storage.blob.aio` under ("azure.storage", 3) comes from `azure-storage-blob`.
NAMESPACES = {
    "azure": 2,  # azure.core, azure.identity, azure.cosmos, azure.eventhub, azure.servicebus
    "azure.ai": 3,  # azure.ai.formrecognizer, azure.ai.ml, azure.ai.inference
    "azure.cognitiveservices": 4,  # azure.cognitiveservices.vision.computervision
    "azure.communication": 3,
    "azure.data": 3,  # azure.data.tables
    "azure.developer": 3,
    "azure.digitaltwins": 3,
    "azure.iot": 3,  # azure.iot.hub, azure.iot.device
    "azure.keyvault": 3,  # azure.keyvault.secrets
    "azure.kusto": 3,  # azure.kusto.data, azure.kusto.ingest
    "azure.messaging": 3,
    "azure.mgmt": 3,  # azure.mgmt.compute, azure.mgmt.resource
    "azure.mixedreality": 3,
    "azure.monitor": 3,  # azure.monitor.query, azure.monitor.ingestion
    "azure.purview": 3,
    "azure.search": 3,  # azure.search.documents
    "azure.security": 3,
    "azure.storage": 3,  # azure.storage.blob, azure.storage.queue
    "azure.synapse": 3,
    "azureml": 2,  # azureml.core, azureml.train
    "azurefunctions.extensions": 3,  # azurefunctions.extensions.base
    "azurefunctions.extensions.bindings": 5,  # azurefunctions.extensions.bindings.blob
    "azurefunctions.extensions.http": 5,  # azurefunctions.extensions.http.fastapi
    "google": 2,  # google.auth, google.genai, google.api_core
    "google.cloud": 3,  # google.cloud.storage
    "opentelemetry": 2,  # opentelemetry.sdk
    "opentelemetry.exporter": 3,
    "opentelemetry.instrumentation": 3,
}

PYWIN32 = [
    "pythoncom", "pythonwin", "pywintypes", "servicemanager", "win32", "win32api",
    "win32clipboard", "win32com", "win32comext", "win32con", "win32console", "win32cred",
    "win32crypt", "win32event", "win32evtlog", "win32file", "win32gui", "win32job", "win32net",
    "win32pdh", "win32pipe", "win32print", "win32process", "win32profile", "win32security",
    "win32service", "win32serviceutil", "win32timezone", "win32ts", "win32ui", "winerror",
]  # fmt: skip

# Checked by hand: import name → distributions, the one to suggest first.
CURATED = {
    "attr": ["attrs"],
    "bs4": ["beautifulsoup4"],
    "Crypto": ["pycryptodome", "pycrypto"],
    "Cryptodome": ["pycryptodomex"],
    "cv2": [
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
    ],
    "dateutil": ["python-dateutil"],
    "dns": ["dnspython"],
    "docx": ["python-docx"],
    "dotenv": ["python-dotenv"],
    "fitz": ["PyMuPDF"],
    "git": ["GitPython"],
    "grpc": ["grpcio"],
    "jose": ["python-jose"],
    "jwt": ["PyJWT"],
    "magic": ["python-magic"],
    "multipart": ["python-multipart"],
    "MySQLdb": ["mysqlclient"],
    "OpenSSL": ["pyOpenSSL"],
    "PIL": ["Pillow"],
    "pkg_resources": ["setuptools"],
    "pptx": ["python-pptx"],
    "psycopg2": ["psycopg2", "psycopg2-binary"],
    "psycopg": ["psycopg", "psycopg-binary"],
    "serial": ["pyserial"],
    "sklearn": ["scikit-learn"],
    "skimage": ["scikit-image"],
    "slugify": ["python-slugify"],
    "snappy": ["python-snappy"],
    "snowflake.connector": ["snowflake-connector-python"],
    "telegram": ["python-telegram-bot"],
    "usb": ["pyusb"],
    "yaml": ["PyYAML"],
    "zmq": ["pyzmq"],
    "jinja2": ["Jinja2"],
    "markdown": ["Markdown"],
    "faiss": ["faiss-cpu", "faiss-gpu"],
    "tensorflow": ["tensorflow", "tensorflow-cpu", "tensorflow-gpu"],
    "onnxruntime": ["onnxruntime", "onnxruntime-gpu"],
    "pydantic_settings": ["pydantic-settings"],
    "typing_extensions": ["typing-extensions"],
    "docker": ["docker"],
    "mysql.connector": ["mysql-connector-python"],
    "msgpack": ["msgpack"],
    "websocket": ["websocket-client"],
    "socks": ["PySocks"],
    "googleapiclient": ["google-api-python-client"],
    "apiclient": ["google-api-python-client"],
    "bson": ["pymongo"],
    "gridfs": ["pymongo"],
    "pymongo": ["pymongo"],
    "odbc": ["pyodbc"],
    "pyodbc": ["pyodbc"],
    "pymssql": ["pymssql"],
    "fastapi": ["fastapi"],
    "openai": ["openai"],
    "msal": ["msal"],
    "msgraph": ["msgraph-sdk"],
    "msgraph.core": ["msgraph-core"],
    "kafka": ["kafka-python"],
    "confluent_kafka": ["confluent-kafka"],
    "redis": ["redis"],
    "paste": ["Paste"],
    "pandas": ["pandas"],
    "numpy": ["numpy"],
    # Popular distributions named like their import: known, not guessed.
    "adal": ["adal"],
    "aiohttp": ["aiohttp"],
    "boto3": ["boto3"],
    "fastapi": ["fastapi"],
    "flask": ["Flask"],
    "httpx": ["httpx"],
    "jsonpickle": ["jsonpickle"],
    "matplotlib": ["matplotlib"],
    "openai": ["openai"],
    "plotly": ["plotly"],
    "pydantic": ["pydantic"],
    "pymongo": ["pymongo"],
    "pyodbc": ["pyodbc"],
    "pytz": ["pytz"],
    "requests": ["requests"],
    "scipy": ["scipy"],
    "tenacity": ["tenacity"],
    "tiktoken": ["tiktoken"],
    "xmltodict": ["xmltodict"],
    "azure.durable_functions": ["azure-functions-durable"],
    "azure.functions": ["azure-functions"],
    "azure.monitor.opentelemetry": ["azure-monitor-opentelemetry"],
    "azure.monitor.opentelemetry.exporter": ["azure-monitor-opentelemetry-exporter"],
    "azure.cognitiveservices.speech": ["azure-cognitiveservices-speech"],
    "azure.storage.fileshare": ["azure-storage-file-share"],
    "azure.storage.filedatalake": ["azure-storage-file-datalake"],
    "azure.eventhub.extensions.checkpointstoreblob": ["azure-eventhub-checkpointstoreblob"],
    "azure.eventhub.extensions.checkpointstoreblobaio": [
        "azure-eventhub-checkpointstoreblob-aio"
    ],
    "azure.schemaregistry.encoder.avroencoder": ["azure-schemaregistry-avroencoder"],
    "azure.ai.textanalytics": ["azure-ai-textanalytics"],
    "google.protobuf": ["protobuf"],
    "google.oauth2": ["google-auth"],
    "google.api": ["googleapis-common-protos"],
    "google.rpc": ["googleapis-common-protos"],
    "google.type": ["googleapis-common-protos"],
    "google.generativeai": ["google-generativeai"],
    "opentelemetry": ["opentelemetry-api"],
    "opentelemetry.trace": ["opentelemetry-api"],
    "opentelemetry.metrics": ["opentelemetry-api"],
    "opentelemetry.context": ["opentelemetry-api"],
    "opentelemetry.propagate": ["opentelemetry-api"],
    "opentelemetry.baggage": ["opentelemetry-api"],
}
for _name in PYWIN32:
    CURATED[_name] = ["pywin32"]

# pipreqs entries judged wrong (rule 5 of the module docstring).
DENIED = {
    # Generic words: in an app these are its own modules, not a distribution.
    "action", "App", "arm", "apm", "asd", "atm", "atom", "atomic", "avatar", "bang", "bark",
    "bash", "begin", "bootstrap", "borg", "bow", "buck", "bud", "buffer", "cms", "colors",
    "compile", "coordination", "cow", "demo", "deployer", "depot", "editor", "example",
    "examples", "fabfile", "funtests", "Globals", "grammar", "HelpSys", "ho", "hola", "Lifetime",
    "marks", "models", "nested", "output", "pilot", "printList", "Products", "provider", "qs",
    "requirements", "robots", "screen", "setuputils", "Shared", "Signals", "singleton", "src",
    "sx", "Testing", "tlw", "universe", "useless", "utilities", "valentine", "validate",
    "version", "workflow", "analytics", "abstract", "alm", "abu", "sika", "sayhi", "lava",
    "mutations", "pivotal", "picasso", "retrial", "restclient", "scratch", "metacomm",
    "kickstarter", "flasher", "translation_helper", "errorreporter", "devtools", "captcha",
    # Mapped to an unrelated, renamed or forked project; the import's own name is the one.
    "kazoo", "statsd", "locust", "pylons", "dpkt", "snappy", "trytond", "autobahn", "colander",
    "asyncssh", "basemap", "hawk", "gabbi", "paste", "suds", "mysql", "django_hstore",
    "oauth2_provider", "cloud_admin", "libsvm", "ldaplib", "dsml", "bzlib", "pymycraawler",
    "pynma", "pyrimaa", "franz", "ctff", "fourch", "dgis", "webdav", "reStructuredText",
    "ez_setup", "distribute_setup", "flaskext", "ruamel", "logentries", "toredis", "slack",
    "pyasdf", "mkfreq", "ANSI", "FSM", "kss", "langconv", "forge", "lisa", "buzz", "bumper",
    "acme", "aio", "audio", "haystack", "bcrypt",
}  # fmt: skip

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
VERSIONED = re.compile(r"_v\d+(\.\d+)*$")


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def stdlib_modules():
    with open(STDLIB_RS, encoding="utf-8") as f:
        return set(re.findall(r'^\s*"([^"]+)",$', f.read(), re.M))


def in_namespace(name, namespaces):
    return any(name == ns or name.startswith(ns + ".") for ns in namespaces)


def read_mapping(path):
    entries = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.count(":") != 1:
                continue
            name, dist = line.split(":")
            entries.setdefault(name, []).append(dist)
    return entries


def build(pipreqs):
    """The table (import name → distributions) and the namespaces, both as dicts."""
    stdlib = stdlib_modules()
    namespaces = dict(NAMESPACES)
    table = {}
    for name, dists in pipreqs.items():
        if not IDENT.match(name) or name.split(".")[0] in stdlib:
            continue
        if in_namespace(name, NAMESPACES) or name in CURATED or name in DENIED:
            continue
        dists = [d for d in dists if not VERSIONED.search(d)]
        if not dists:
            continue
        if len(dists) > 1:
            if all(d.startswith(name + ".") for d in dists):
                # Rule 8: a namespace whose distributions are named from the dotted path.
                namespaces[name] = len(name.split(".")) + 1
                continue
            if not all(normalize(name) in normalize(d) for d in dists):
                continue
        if len(dists) == 1 and normalize(dists[0]) == normalize(name):
            continue
        table[name] = dists
    table.update(CURATED)
    return table, namespaces


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(table, namespaces):
    out = []
    out.append("//! Which distributions provide an import name, where the two differ: the import-name")
    out.append(f"//! mapping of pipreqs {PIPREQS_VERSION} (Apache-2.0), reviewed, plus curated entries and")
    out.append("//! the naming rules of namespace packages (the Azure SDK, azureml, Google, OpenTelemetry).")
    out.append("//!")
    out.append("//! Generated by `server/data/gen_import_names.py`; do not edit by hand. Regenerate with")
    out.append("//! `python3 server/data/gen_import_names.py` (`--check` tells whether it is up to date).")
    out.append("")
    out.append("/// `(import name, distributions that provide it)`, sorted by import name (bytewise) for")
    out.append("/// binary search. The first distribution is the one to suggest.")
    out.append("#[rustfmt::skip]")
    out.append("pub const IMPORT_NAMES: &[(&str, &[&str])] = &[")
    for name in sorted(table, key=lambda s: s.encode()):
        dists = ", ".join(rust_str(d) for d in table[name])
        out.append(f"    ({rust_str(name)}, &[{dists}]),")
    out.append("];")
    out.append("")
    out.append("/// `(namespace, components)`: below the namespace, a distribution is named after the first")
    out.append("/// `components` parts of the import path joined with `-` (`azure.storage.blob.aio` →")
    out.append("/// `azure-storage-blob`). Sorted by namespace (bytewise).")
    out.append("#[rustfmt::skip]")
    out.append("pub const NAMESPACES: &[(&str, usize)] = &[")
    for ns in sorted(namespaces, key=lambda s: s.encode()):
        out.append(f"    ({rust_str(ns)}, {namespaces[ns]}),")
    out.append("];")
    return "\n".join(out) + "\n"


def download():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"pipreqs=={PIPREQS_VERSION}",
             "--no-deps", "--only-binary", ":all:", "-d", tmp],
            check=True,
        )  # fmt: skip
        wheel = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl"))
        with zipfile.ZipFile(wheel) as z:
            data = z.read("pipreqs/mapping")
    with open(MAPPING, "wb") as f:
        f.write(data)


def main():
    args = sys.argv[1:]
    if args not in ([], ["--check"], ["--download"]):
        sys.exit(__doc__)
    if args == ["--download"]:
        download()
    text = render(*build(read_mapping(MAPPING)))
    if args == ["--check"]:
        with open(OUTPUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit(f"{OUTPUT} is out of date: run python3 server/data/gen_import_names.py")
        return
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main()
