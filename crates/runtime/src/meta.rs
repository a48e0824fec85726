//! Provider and operation metadata, emitted by `cargo xtask codegen` from the
//! spec's vendor extensions. The runtime reads it; nobody writes it by hand.

/// Everything the runtime knows about one provider.
#[derive(Debug)]
pub struct ProviderMeta {
    /// Short name used in errors and tracing (`chatapi`).
    pub name: &'static str,
    /// The spec's first server.
    pub default_base_url: &'static str,
    /// Every server the spec lists.
    pub servers: &'static [&'static str],
    /// How requests authenticate.
    pub auth: AuthScheme,
    /// Rate-limit buckets; operations refer to them by index.
    pub buckets: &'static [BucketMeta],
    /// Every operation, sorted by [`OperationMeta::id`].
    pub operations: &'static [OperationMeta],
    /// A 2xx whose body says "failure" is an error (`{ok: false}`, `{error: true}`).
    pub envelope: Option<EnvelopeMeta>,
    /// Provider error codes and what they mean.
    pub error_kinds: &'static [(&'static str, crate::ErrorKind)],
    /// The property of an error body holding the provider's error code.
    pub error_code_field: Option<&'static str>,
    /// The property of an error body holding the provider's message.
    pub error_message_field: Option<&'static str>,
    /// For providers without error codes: message fragments (lowercase) and
    /// what they mean.
    pub error_message_kinds: &'static [(&'static str, crate::ErrorKind)],
    /// Statuses by which the provider says it did not process a request
    /// (respond.io's 449 "in queue"), so even a write is repeated after them.
    pub unprocessed_statuses: &'static [u16],
    /// The provider reads `+` in a path as a space: send `%2B`.
    pub encode_plus_in_path: bool,
    /// Every component schema of the spec as JSON Schema 2020-12: a compact
    /// JSON object `{name: schema}` whose references point at `#/$defs/<name>`
    /// (so it can be used as a schema's `$defs` as it is).
    pub schemas: &'static str,
}

/// How a provider signals failure inside a 2xx body.
#[derive(Debug)]
pub struct EnvelopeMeta {
    /// The boolean property of every response body.
    pub field: &'static str,
    /// The value of `field` that means failure.
    pub failure: bool,
}

impl ProviderMeta {
    /// What a provider error code means, if the spec says.
    pub fn kind_for_code(&self, code: &str) -> Option<crate::ErrorKind> {
        self.error_kinds
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, k)| *k)
    }

    /// What an error means: by its code, else by a fragment of its message.
    pub fn classify(&self, code: Option<&str>, message: Option<&str>) -> Option<crate::ErrorKind> {
        code.and_then(|c| self.kind_for_code(c)).or_else(|| {
            let message = message?.to_lowercase();
            self.error_message_kinds
                .iter()
                .find(|(fragment, _)| message.contains(fragment))
                .map(|(_, k)| *k)
        })
    }

    /// Looks an operation up by its snake_case id.
    pub fn operation(&self, id: &str) -> Option<&'static OperationMeta> {
        self.operations
            .binary_search_by(|op| op.id.cmp(id))
            .ok()
            .map(|i| &self.operations[i])
    }
}

/// Authentication scheme of a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// HTTP Basic.
    Basic,
}

/// A client-side rate-limit bucket.
#[derive(Debug)]
pub struct BucketMeta {
    /// Bucket name from the spec.
    pub name: &'static str,
    /// Documented (or, when adaptive, starting) requests per second.
    pub per_second: f64,
    /// No published rate: slow down after each 429, recover on success.
    pub adaptive: bool,
}

/// Whether an operation may be retried after the provider may have processed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetrySafety {
    /// Idempotent (or read-only): retried on 408, 429, 5xx and connection errors.
    Safe,
    /// Retried only when the request provably was not processed.
    Unsafe,
}

/// One operation of a spec.
#[derive(Debug)]
pub struct OperationMeta {
    /// snake_case operationId (progenitor's method name).
    pub id: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// The spec's summary.
    pub summary: &'static str,
    /// Index into [`ProviderMeta::buckets`].
    pub bucket: Option<usize>,
    /// Retry safety.
    pub retry: RetrySafety,
    /// The operation only reads (a GET or HEAD, or a POST the spec marks
    /// `x-supportkit-read-only: true`, as tawk.to's reads are): it changes
    /// nothing at the provider.
    pub read_only: bool,
    /// The component schema of the success response, if the spec names one
    /// (a key of [`ProviderMeta::schemas`]).
    pub response: Option<&'static str>,
    /// Whether the operation is cursor-paginated.
    pub paginated: bool,
    /// Documented limits, checked before sending.
    pub constraints: &'static [Constraint],
    /// How the request body is sent.
    pub body: BodyKind,
    /// Every parameter and top-level body field (what a CLI turns into flags).
    pub params: &'static [ParamMeta],
    /// Files and map parts of a multipart operation.
    pub multipart: Option<MultipartMeta>,
}

/// The file and map parts of a `multipart/form-data` operation.
#[derive(Debug)]
pub struct MultipartMeta {
    /// File part name (`attachment` → `attachment[0]`, ...), if the operation takes files.
    pub files: Option<&'static str>,
    /// Limits on the files of one request.
    pub file_limits: crate::multipart::FileLimits,
    /// Map part prefix (`custom_field` → `custom_field[<key>]`), if any.
    pub map: Option<&'static str>,
}

/// How an operation's request body is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// JSON.
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// One parameter or top-level body field of an operation.
#[derive(Debug)]
pub struct ParamMeta {
    /// Wire name.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Its JSON type.
    pub kind: ParamKind,
    /// Required.
    pub required: bool,
    /// The spec's description: its whole first sentence, without the
    /// provenance tags the spec keeps for review.
    pub description: &'static str,
    /// For a [`ParamKind::Json`] parameter, a compact JSON example of its
    /// shape (the spec's `example`, or one made from the schema).
    pub example: Option<&'static str>,
    /// The spec's `default`, as compact JSON. A JSON body field that has one
    /// need not be given, even when required: the default is sent instead.
    pub default: Option<&'static str>,
}

/// The JSON type of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A string (or string enum).
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// Anything else: an array, an object (given as JSON).
    Json,
}

/// A documented limit on one request field.
#[derive(Debug)]
pub struct Constraint {
    /// Where the field lives.
    pub location: Location,
    /// Path to the field inside the query/path parameter or the JSON body.
    pub path: &'static [Seg],
    /// The field as users know it (`text`, `tags[]`, `limit`).
    pub field: &'static str,
    /// The limit.
    pub rule: Rule,
    /// A valid value (the spec's `example`), shown when a value has the
    /// wrong form, so the error says what is expected instead of a pattern.
    pub example: Option<&'static str>,
}

/// Where a constrained field lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Query string.
    Query,
    /// Path parameter.
    Path,
    /// Header.
    Header,
    /// JSON body.
    Body,
}

/// A step in a field path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Seg {
    /// An object key (or, first in a parameter path, the parameter name).
    Key(&'static str),
    /// Every element of an array.
    Each,
    /// The value itself, only when its tag property (first) has the given
    /// value (second): the limits of one variant of a discriminated union.
    If(&'static str, &'static str),
}

/// A limit from the spec.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// `minLength` (characters).
    MinLength(usize),
    /// `maxLength` (characters).
    MaxLength(usize),
    /// `minItems`.
    MinItems(usize),
    /// `maxItems`.
    MaxItems(usize),
    /// `uniqueItems: true`.
    UniqueItems,
    /// `minimum`.
    Minimum(f64),
    /// `maximum`.
    Maximum(f64),
    /// `pattern` (ECMAScript regular expression).
    Pattern(&'static str),
    /// `enum`: the documented values. Response enums stay open; requests are
    /// checked so a typo never reaches the provider.
    OneOf(&'static [&'static str]),
}
