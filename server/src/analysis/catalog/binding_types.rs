//! Binding types the Functions host knows through the extension bundle, with the properties the
//! checker validates. Digested from the function.json schema and the bundle's binding templates
//! (see `shared` catalog); descriptions are our own words.

/// How a property's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropKind {
    String,
    Bool,
    Int,
    /// One of these values, compared ignoring ASCII case as the host's enum parsing does.
    Enum(&'static [&'static str]),
    /// An array of strings, each one of these values (ignoring case).
    EnumArray(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy)]
pub struct PropSpec {
    pub name: &'static str,
    pub kind: PropKind,
    pub doc: &'static str,
}

/// A binding type the host's extension bundle provides.
#[derive(Debug, Clone, Copy)]
pub struct BindingType {
    pub name: &'static str,
    pub is_trigger: bool,
    /// Directions the binding supports; a trigger is always `in`.
    pub directions: &'static [&'static str],
    pub doc: &'static str,
    /// Properties beyond `name`, `type`, `direction` and `dataType`. `None`: the type is known but
    /// its properties are not, so none are checked.
    pub props: Option<&'static [PropSpec]>,
    /// Groups of properties of which at least one must be set, or the host fails to index the
    /// function (e.g. a queue trigger without `queueName`).
    pub required: &'static [&'static [&'static str]],
}

const IN: &[&str] = &["in"];
const OUT: &[&str] = &["out"];
const IN_OUT: &[&str] = &["in", "out"];

pub const AUTH_LEVELS: &[&str] = &["anonymous", "function", "admin", "user", "system"];
pub const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "connect", "query",
];
pub const DATA_TYPES: &[&str] = &["string", "binary", "stream", "undefined"];
pub const DIRECTIONS: &[&str] = &["in", "out", "inout"];

const CONNECTION: PropSpec = PropSpec {
    name: "connection",
    kind: PropKind::String,
    doc: "Name of the app setting (or setting prefix) that holds the connection; not the secret itself.",
};
const CONNECTION_STRING_SETTING: PropSpec = PropSpec {
    name: "connectionStringSetting",
    kind: PropKind::String,
    doc: "Name of the app setting that holds the connection string.",
};

const fn s(name: &'static str, doc: &'static str) -> PropSpec {
    PropSpec {
        name,
        kind: PropKind::String,
        doc,
    }
}

pub const BINDING_TYPES: &[BindingType] = &[
    BindingType {
        name: "httpTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for an HTTP request.",
        props: Some(&[
            s("route", "Route template, relative to the `api/` prefix, e.g. `items/{id}`."),
            PropSpec { name: "authLevel", kind: PropKind::Enum(AUTH_LEVELS), doc: "Key required to call the function: anonymous, function or admin." },
            PropSpec { name: "methods", kind: PropKind::EnumArray(HTTP_METHODS), doc: "HTTP methods the function answers; all when absent." },
            s("webHookType", "Legacy webhook kind (v1 runtime only)."),
        ]),
        required: &[],
    },
    BindingType {
        name: "http",
        is_trigger: false,
        directions: OUT,
        doc: "The HTTP response of an HTTP-triggered function.",
        props: Some(&[]),
        required: &[],
    },
    BindingType {
        name: "timerTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function on a schedule (six-field NCRONTAB or a TimeSpan).",
        props: Some(&[
            s("schedule", "NCRONTAB expression with seconds (`0 */5 * * * *`), a TimeSpan (`00:05:00`) or `%Setting%`."),
            PropSpec { name: "runOnStartup", kind: PropKind::Bool, doc: "Also run when the host starts (avoid in production)." },
            PropSpec { name: "useMonitor", kind: PropKind::Bool, doc: "Track schedule occurrences in storage." },
        ]),
        required: &[&["schedule"]],
    },
    BindingType {
        name: "queueTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for each message on an Azure Storage queue.",
        props: Some(&[s("queueName", "Name of the queue to watch."), CONNECTION]),
        required: &[&["queueName"]],
    },
    BindingType {
        name: "queue",
        is_trigger: false,
        directions: OUT,
        doc: "Writes messages to an Azure Storage queue.",
        props: Some(&[s("queueName", "Name of the queue to write to."), CONNECTION]),
        required: &[&["queueName"]],
    },
    BindingType {
        name: "blobTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function when a blob is added or updated.",
        props: Some(&[
            s("path", "Container and blob pattern to watch, e.g. `samples/{name}`."),
            CONNECTION,
            s("source", "Event source: LogsAndContainerScan or EventGrid."),
        ]),
        required: &[&["path"]],
    },
    BindingType {
        name: "blob",
        is_trigger: false,
        directions: &["in", "out", "inout"],
        doc: "Reads or writes a blob in Azure Storage.",
        props: Some(&[s("path", "Container and blob path; may use `{tokens}` from the trigger."), CONNECTION]),
        required: &[&["path"]],
    },
    BindingType {
        name: "table",
        is_trigger: false,
        directions: IN_OUT,
        doc: "Reads or writes entities in Azure Tables.",
        props: Some(&[
            s("tableName", "Name of the table."),
            s("partitionKey", "Partition key of the entity to read or write."),
            s("rowKey", "Row key of the entity to read."),
            s("take", "Most entities to read."),
            s("filter", "OData filter for the entities to read."),
            CONNECTION,
        ]),
        required: &[&["tableName"]],
    },
    BindingType {
        name: "eventHubTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for events sent to an event hub.",
        props: Some(&[
            s("eventHubName", "Name of the event hub (or use EntityPath in the connection)."),
            s("path", "Legacy name of eventHubName."),
            s("consumerGroup", "Consumer group to read with; `$Default` when absent."),
            PropSpec { name: "cardinality", kind: PropKind::Enum(&["one", "many"]), doc: "`many` delivers a batch (annotate `List[func.EventHubEvent]`)." },
            CONNECTION,
        ]),
        required: &[],
    },
    BindingType {
        name: "eventHub",
        is_trigger: false,
        directions: OUT,
        doc: "Sends events to an event hub.",
        props: Some(&[
            s("eventHubName", "Name of the event hub."),
            s("path", "Legacy name of eventHubName."),
            CONNECTION,
        ]),
        required: &[],
    },
    BindingType {
        name: "serviceBusTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for messages on a Service Bus queue or topic subscription.",
        props: Some(&[
            s("queueName", "Queue to read from (or topicName with subscriptionName)."),
            s("topicName", "Topic to read from, with subscriptionName."),
            s("subscriptionName", "Subscription of the topic."),
            PropSpec { name: "accessRights", kind: PropKind::Enum(&["manage", "listen", "send"]), doc: "Access rights of the connection (legacy)." },
            PropSpec { name: "isSessionsEnabled", kind: PropKind::Bool, doc: "Read from a session-aware queue or subscription." },
            PropSpec { name: "autoComplete", kind: PropKind::Bool, doc: "Complete the message when the function succeeds." },
            PropSpec { name: "cardinality", kind: PropKind::Enum(&["one", "many"]), doc: "`many` delivers a batch." },
            CONNECTION,
        ]),
        required: &[&["queueName", "topicName"]],
    },
    BindingType {
        name: "serviceBus",
        is_trigger: false,
        directions: OUT,
        doc: "Sends messages to a Service Bus queue or topic.",
        props: Some(&[
            s("queueName", "Queue to send to."),
            s("topicName", "Topic to send to."),
            s("subscriptionName", "Not used for output."),
            PropSpec { name: "accessRights", kind: PropKind::Enum(&["manage", "listen", "send"]), doc: "Access rights of the connection (legacy)." },
            CONNECTION,
        ]),
        required: &[&["queueName", "topicName"]],
    },
    BindingType {
        name: "cosmosDBTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for changes in an Azure Cosmos DB container.",
        props: None,
        required: &[],
    },
    BindingType {
        name: "cosmosDB",
        is_trigger: false,
        directions: IN_OUT,
        doc: "Reads or writes Azure Cosmos DB documents.",
        props: None,
        required: &[],
    },
    BindingType {
        name: "eventGridTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for events delivered by an Event Grid subscription.",
        props: Some(&[]),
        required: &[],
    },
    BindingType {
        name: "eventGrid",
        is_trigger: false,
        directions: OUT,
        doc: "Publishes events to an Event Grid topic.",
        props: Some(&[
            s("topicEndpointUri", "Setting that holds the topic endpoint."),
            s("topicKeySetting", "Setting that holds the topic key."),
            CONNECTION,
        ]),
        required: &[],
    },
    BindingType {
        name: "sql",
        is_trigger: false,
        directions: IN_OUT,
        doc: "Reads rows from, or upserts rows into, Azure SQL.",
        props: Some(&[
            s("commandText", "Query or stored procedure (input), or table name (output)."),
            PropSpec { name: "commandType", kind: PropKind::Enum(&["text", "storedProcedure"]), doc: "How commandText is read." },
            s("parameters", "`@Name={value}` pairs for the query."),
            CONNECTION_STRING_SETTING,
        ]),
        required: &[&["commandText"], &["connectionStringSetting"]],
    },
    BindingType {
        name: "sqlTrigger",
        is_trigger: true,
        directions: IN,
        doc: "Runs the function for changes to an Azure SQL table.",
        props: Some(&[s("tableName", "Table to watch."), CONNECTION_STRING_SETTING, s("leasesTableName", "Leases table name.")]),
        required: &[&["tableName"], &["connectionStringSetting"]],
    },
    BindingType { name: "mysql", is_trigger: false, directions: IN_OUT, doc: "Reads or writes Azure Database for MySQL rows.", props: None, required: &[] },
    BindingType { name: "mysqlTrigger", is_trigger: true, directions: IN, doc: "Runs the function for changes to a MySQL table.", props: None, required: &[] },
    BindingType { name: "kafkaTrigger", is_trigger: true, directions: IN, doc: "Runs the function for Kafka events.", props: None, required: &[] },
    BindingType { name: "kafka", is_trigger: false, directions: OUT, doc: "Sends Kafka events.", props: None, required: &[] },
    BindingType { name: "rabbitMQTrigger", is_trigger: true, directions: IN, doc: "Runs the function for RabbitMQ messages.", props: None, required: &[] },
    BindingType { name: "rabbitMQ", is_trigger: false, directions: OUT, doc: "Sends RabbitMQ messages.", props: None, required: &[] },
    BindingType { name: "orchestrationTrigger", is_trigger: true, directions: IN, doc: "Durable Functions orchestrator (annotate with the orchestration context).", props: None, required: &[] },
    BindingType { name: "activityTrigger", is_trigger: true, directions: IN, doc: "Durable Functions activity.", props: None, required: &[] },
    BindingType { name: "entityTrigger", is_trigger: true, directions: IN, doc: "Durable Functions entity.", props: None, required: &[] },
    BindingType { name: "durableClient", is_trigger: false, directions: IN, doc: "Durable Functions client used to start and query orchestrations.", props: None, required: &[] },
    BindingType { name: "orchestrationClient", is_trigger: false, directions: IN, doc: "Legacy name of durableClient.", props: None, required: &[] },
    BindingType { name: "signalRTrigger", is_trigger: true, directions: IN, doc: "Runs the function for SignalR Service messages.", props: None, required: &[] },
    BindingType { name: "signalR", is_trigger: false, directions: OUT, doc: "Sends SignalR Service messages.", props: None, required: &[] },
    BindingType { name: "signalRConnectionInfo", is_trigger: false, directions: IN, doc: "Gives a client the SignalR Service endpoint and token.", props: None, required: &[] },
    BindingType { name: "sendGrid", is_trigger: false, directions: OUT, doc: "Sends email through SendGrid.", props: None, required: &[] },
    BindingType { name: "twilioSms", is_trigger: false, directions: OUT, doc: "Sends SMS through Twilio.", props: None, required: &[] },
    BindingType { name: "notificationHub", is_trigger: false, directions: OUT, doc: "Sends push notifications (legacy).", props: None, required: &[] },
    BindingType { name: "warmupTrigger", is_trigger: true, directions: IN, doc: "Runs when an instance is added (Premium plans).", props: None, required: &[] },
    BindingType { name: "mcpToolTrigger", is_trigger: true, directions: IN, doc: "Exposes the function as an MCP tool.", props: None, required: &[] },
    BindingType { name: "mcpResourceTrigger", is_trigger: true, directions: IN, doc: "Exposes the function as an MCP resource.", props: None, required: &[] },
    BindingType { name: "mcpPromptTrigger", is_trigger: true, directions: IN, doc: "Exposes the function as an MCP prompt.", props: None, required: &[] },
    BindingType { name: "webPubSubTrigger", is_trigger: true, directions: IN, doc: "Runs the function for Web PubSub events.", props: None, required: &[] },
    BindingType { name: "webPubSub", is_trigger: false, directions: OUT, doc: "Sends Web PubSub actions.", props: None, required: &[] },
    BindingType { name: "webPubSubConnection", is_trigger: false, directions: IN, doc: "Gives a client the Web PubSub endpoint and token.", props: None, required: &[] },
    BindingType { name: "daprServiceInvocationTrigger", is_trigger: true, directions: IN, doc: "Dapr service invocation.", props: None, required: &[] },
    BindingType { name: "daprBindingTrigger", is_trigger: true, directions: IN, doc: "Dapr input binding trigger.", props: None, required: &[] },
    BindingType { name: "daprTopicTrigger", is_trigger: true, directions: IN, doc: "Dapr pub/sub topic trigger.", props: None, required: &[] },
    BindingType { name: "daprState", is_trigger: false, directions: IN_OUT, doc: "Dapr state store.", props: None, required: &[] },
    BindingType { name: "daprSecret", is_trigger: false, directions: IN, doc: "Dapr secret store.", props: None, required: &[] },
    BindingType { name: "daprPublish", is_trigger: false, directions: OUT, doc: "Dapr publish.", props: None, required: &[] },
    BindingType { name: "daprInvoke", is_trigger: false, directions: OUT, doc: "Dapr service invocation output.", props: None, required: &[] },
    BindingType { name: "daprBinding", is_trigger: false, directions: OUT, doc: "Dapr output binding.", props: None, required: &[] },
    BindingType { name: "kusto", is_trigger: false, directions: IN_OUT, doc: "Reads or ingests Azure Data Explorer data.", props: None, required: &[] },
    BindingType { name: "connectorTrigger", is_trigger: true, directions: IN, doc: "Runs the function for a connector event.", props: None, required: &[] },
];

/// The binding type spelled exactly `name` (the worker's lookup is case-sensitive).
pub fn binding_type(name: &str) -> Option<&'static BindingType> {
    BINDING_TYPES.iter().find(|t| t.name == name)
}

/// The binding type spelled `name` ignoring case (the host's lookup).
pub fn binding_type_ignore_case(name: &str) -> Option<&'static BindingType> {
    BINDING_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name))
}

/// Descriptions of properties of binding types whose property set is left open (`props: None`,
/// so unknown keys are not reported), for hover: the keys their extension reads.
pub const OPEN_TYPE_PROPERTY_DOCS: &[(&str, &str, &str)] = &[
    (
        "kusto",
        "connection",
        "App setting with the Azure Data Explorer connection string.",
    ),
    ("kusto", "database", "Database to query or ingest into."),
    (
        "kusto",
        "managedServiceIdentity",
        "Managed identity used instead of a secret in the connection.",
    ),
    (
        "kusto",
        "kqlCommand",
        "KQL query or function call to run (input).",
    ),
    (
        "kusto",
        "kqlParameters",
        "Parameters of the KQL command, as `@name=value` pairs.",
    ),
    ("kusto", "tableName", "Table the output is ingested into."),
    (
        "kusto",
        "mappingRef",
        "An ingestion mapping created beforehand, by name.",
    ),
    (
        "kusto",
        "dataFormat",
        "Format of the ingested data (JSON when absent).",
    ),
    (
        "notificationHub",
        "tagExpression",
        "Which registrations receive the notification, by tag.",
    ),
    ("notificationHub", "hubName", "The notification hub."),
    (
        "notificationHub",
        "connection",
        "App setting with the Notification Hubs connection string.",
    ),
    (
        "notificationHub",
        "platform",
        "Push platform (`apns`, `adm`, `gcm`, `wns`, `mpns`); a template notification when absent.",
    ),
    (
        "sendGrid",
        "apiKey",
        "App setting with the SendGrid API key.",
    ),
    ("sendGrid", "to", "Recipient's e-mail address."),
    ("sendGrid", "from", "Sender's e-mail address."),
    ("sendGrid", "subject", "Subject of the e-mail."),
    ("sendGrid", "text", "Body of the e-mail."),
    (
        "twilioSms",
        "accountSid",
        "App setting with the Twilio account SID.",
    ),
    (
        "twilioSms",
        "authToken",
        "App setting with the Twilio auth token.",
    ),
    ("twilioSms", "to", "Phone number the message goes to."),
    ("twilioSms", "from", "Phone number the message comes from."),
    ("twilioSms", "body", "Text of the message."),
];

/// The description of `key` of binding type `binding_type` from [`OPEN_TYPE_PROPERTY_DOCS`]
/// (both ignoring case), with the key as written there.
pub fn open_type_property_doc(
    binding_type: &str,
    key: &str,
) -> Option<(&'static str, &'static str)> {
    OPEN_TYPE_PROPERTY_DOCS
        .iter()
        .find(|(t, k, _)| t.eq_ignore_ascii_case(binding_type) && k.eq_ignore_ascii_case(key))
        .map(|(_, k, doc)| (*k, *doc))
}
