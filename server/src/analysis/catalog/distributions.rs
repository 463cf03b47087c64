//! Which PyPI distributions provide an import name, where the two differ.

/// `(import name, distributions that provide it)`. The first distribution is the one to suggest.
/// Names not listed are provided by the distribution of the same (normalised) name.
pub const IMPORT_TO_DISTRIBUTIONS: &[(&str, &[&str])] = &[
    ("attr", &["attrs"]),
    ("bs4", &["beautifulsoup4"]),
    ("Crypto", &["pycryptodome", "pycrypto"]),
    ("Cryptodome", &["pycryptodomex"]),
    (
        "cv2",
        &[
            "opencv-python",
            "opencv-python-headless",
            "opencv-contrib-python",
            "opencv-contrib-python-headless",
        ],
    ),
    ("dateutil", &["python-dateutil"]),
    ("dns", &["dnspython"]),
    ("docx", &["python-docx"]),
    ("dotenv", &["python-dotenv"]),
    ("fitz", &["PyMuPDF"]),
    ("git", &["GitPython"]),
    ("google.protobuf", &["protobuf"]),
    ("grpc", &["grpcio"]),
    ("jose", &["python-jose"]),
    ("jwt", &["PyJWT"]),
    ("magic", &["python-magic"]),
    ("multipart", &["python-multipart"]),
    ("MySQLdb", &["mysqlclient"]),
    ("OpenSSL", &["pyOpenSSL"]),
    ("PIL", &["Pillow"]),
    ("pkg_resources", &["setuptools"]),
    ("pptx", &["python-pptx"]),
    ("psycopg2", &["psycopg2", "psycopg2-binary"]),
    ("psycopg", &["psycopg", "psycopg-binary"]),
    ("serial", &["pyserial"]),
    ("sklearn", &["scikit-learn"]),
    ("skimage", &["scikit-image"]),
    ("slugify", &["python-slugify"]),
    ("snowflake.connector", &["snowflake-connector-python"]),
    ("telegram", &["python-telegram-bot"]),
    ("usb", &["pyusb"]),
    ("win32api", &["pywin32"]),
    ("yaml", &["PyYAML"]),
    ("zmq", &["pyzmq"]),
    ("azure.durable_functions", &["azure-functions-durable"]),
    ("azure.functions", &["azure-functions"]),
    (
        "azure.monitor.opentelemetry",
        &["azure-monitor-opentelemetry"],
    ),
    ("jinja2", &["Jinja2"]),
    ("markdown", &["Markdown"]),
    ("faiss", &["faiss-cpu", "faiss-gpu"]),
    (
        "tensorflow",
        &["tensorflow", "tensorflow-cpu", "tensorflow-gpu"],
    ),
    ("onnxruntime", &["onnxruntime", "onnxruntime-gpu"]),
    ("lxml", &["lxml"]),
    ("pydantic_settings", &["pydantic-settings"]),
    (
        "typing_extensions",
        &["typing-extensions", "typing_extensions"],
    ),
];

/// Namespace packages whose distributions are named after the dotted path
/// (`azure.storage.blob` → `azure-storage-blob`, `google.cloud.storage` → `google-cloud-storage`).
pub const NAMESPACE_PACKAGES: &[&str] = &[
    "azure",
    "google",
    "google.cloud",
    "opentelemetry",
    "msgraph",
];
