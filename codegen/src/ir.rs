//! The IR: what stage 4 (`lower`) produces and stage 5 (`emit`) reads, a plain-data model.
//! Nothing from `openapiv3` or `proc_macro2` lives here: every name is already a valid, unique
//! Rust identifier.

use std::collections::BTreeSet;

/// The whole API.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server URL, with variables replaced by their defaults.
    pub default_server: String,
    /// Named types, in a stable order (components first, then inline types as met).
    pub types: Vec<TypeDef>,
    /// Operations in spec order.
    pub operations: Vec<Operation>,
    /// How the operations use the named types (computed once, at the end of lowering).
    pub uses: TypeUses,
}

/// How the operations use the named types: facts about the whole type graph that the emitters
/// read instead of walking the graph themselves. Sets of [`TypeDef::name`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeUses {
    /// Types in query, header or cookie parameters, or in path parameters sent through
    /// `rt::path_styled` (see [`Param::path_styled`]), directly or inside another type: they
    /// get a `QueryValue` impl.
    pub query: BTreeSet<String>,
    /// Types sent as `multipart/form-data`: the named type of a multipart body, the branches of
    /// a `oneOf` one and the targets of aliases. They get `multipart_parts()`.
    pub multipart: BTreeSet<String>,
    /// Whether `models.rs` may use a deprecated item (a deprecated type or field is defined
    /// there): it then allows `deprecated` for its own uses.
    pub deprecated_in_models: bool,
    /// The operation modules ([`Operation::module`]) that may use a deprecated item: one of
    /// their operations or parameters is deprecated, or a type their operations reach is
    /// deprecated or has a deprecated field. They allow `deprecated` for their own uses.
    pub deprecated_in_modules: BTreeSet<String>,
}

/// A named Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust type name.
    pub name: String,
    /// Rustdoc.
    pub doc: Option<String>,
    /// Where the schema is (JSON pointer; `file#pointer` when it was read from another file than
    /// the entry document), for the doc and for errors.
    pub origin: String,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// For a `oneOf`/`anyOf` with a `discriminator`: the property that selects the branch.
    pub discriminator: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// The tag features (unraw [`Operation::module`] names, sorted) of the operations that use
    /// this type, when only some of the modules do: with one cargo feature per tag, the type
    /// compiles only when one of them is on. Empty when it is always compiled (used by every
    /// module, or by none: a webhook payload, and everything such a type refers to).
    pub features: Vec<String>,
}

/// The shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enum that still accepts values the spec does not list.
    Enum(StringEnum),
    /// `oneOf` / `anyOf`: the first variant that decodes wins.
    Untagged(Vec<Variant>),
    /// Another name for a type (maps, arrays, primitives given a name in `components`).
    Alias(TypeRef),
}

/// An object type.
#[derive(Debug, Clone, Default)]
pub struct Struct {
    /// Properties in spec order.
    pub fields: Vec<Field>,
    /// `additionalProperties: false`: unknown fields are refused when decoding.
    pub deny_unknown: bool,
    /// `additionalProperties` with a schema (or `true`): extra members are kept in a map.
    pub additional: Option<TypeRef>,
}

impl Struct {
    /// How its `Serialize`/`Deserialize` impls are written: compact, unless extra members are
    /// kept (through `#[serde(flatten)]`, which only the derive offers).
    pub fn serde(&self) -> SerdeForm {
        if self.additional.is_some() {
            SerdeForm::Derive
        } else {
            SerdeForm::Compact
        }
    }
}

/// How a struct's serde impls are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerdeForm {
    /// One short impl each, through the runtime's `de`/`ser` modules (field list, one match arm
    /// and one line per field): compiles several times faster than the derive's expansion.
    Compact,
    /// `#[derive(Serialize, Deserialize)]` with `#[serde(..)]` attributes, for what the compact
    /// form does not cover (`additionalProperties` kept through `#[serde(flatten)]`).
    Derive,
}

/// One property.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust field name (already sanitized).
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Rustdoc: the spec's description (as safe Markdown, see [`crate::text::markdown`]), or a
    /// sentence naming the property and its type (always `Some` by the end of lowering).
    pub doc: Option<String>,
    /// The value type, without the `Option` that `required`/`nullable` add.
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// `null` is a valid value.
    pub nullable: bool,
    /// The field may hold a secret: its value is redacted in `Debug`.
    pub secret: bool,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Boxed to break a cycle.
    pub boxed: bool,
    /// `readOnly: true`: set by the server, never required in a request.
    pub read_only: bool,
    /// `writeOnly: true`: sent by the client, never required in a response.
    pub write_only: bool,
    /// Optional and nullable in a type sent in request bodies: `Option<Option<T>>`, so that
    /// "leave unchanged" (absent) and "clear" (`null`) stay distinct on the wire.
    pub tri_state: bool,
    /// An optional array or map where absent and empty mean the same: a plain `Vec`/map,
    /// empty when absent and left out when empty (see `lower_collections.rs` for the rule).
    pub plain_collection: bool,
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct StringEnum {
    /// Variants in spec order.
    pub variants: Vec<EnumVariant>,
    /// Name of the catch-all variant holding unlisted values.
    pub other: String,
}

/// One enum value.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub wire: String,
}

/// One branch of a `oneOf`/`anyOf`.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Boxed to break a cycle.
    pub boxed: bool,
    /// Discriminator values that select this branch.
    pub tags: Vec<String>,
    /// Rustdoc (set for every branch by the end of lowering).
    pub doc: String,
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`.
    String,
    /// An integer with its Rust type (`i32`, `i64`, `u64`).
    Integer(&'static str),
    /// `f64` or `f32`.
    Number(&'static str),
    /// `bool`.
    Bool,
    /// Any JSON value.
    Json,
    /// Raw bytes (`format: binary`).
    Bytes,
    /// A named type.
    Named(String),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// operationId as written (or derived from method and path when missing).
    pub id: String,
    /// The method on `Client` (`list_oauth_clients`).
    pub fn_name: String,
    /// The request builder type (`ListOAuthClients`).
    pub builder: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Path- or operation-level server, when it differs from the document's.
    pub server: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// First tag.
    pub tag: Option<String>,
    /// The module under `operations` this operation is emitted in (from its first tag).
    pub module: String,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// How it authenticates.
    pub auth: Auth,
    /// Path, query and header parameters.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// Documented success responses (2xx/3xx), by status.
    pub responses: Vec<Response>,
    /// Set for list operations that page with `page[number]` and `meta.total_pages`.
    pub pagination: Option<Pagination>,
    /// The enum returned when several success responses are documented.
    pub response_enum: Option<String>,
    /// Documented error responses (4xx/5xx codes and ranges, and `default` when it is the
    /// error catch-all), most specific first: codes, then ranges, then `default`.
    pub errors: Vec<ErrorResponse>,
    /// The per-operation error enum (`GetOAuthClientError`) when `errors` is not empty.
    pub error_enum: Option<String>,
    /// Rustdoc of its `Client` method: summary, description, method and path, authentication
    /// (set by the end of lowering).
    pub doc: String,
}

/// Which statuses a documented error response stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorStatus {
    /// Exactly this code (`"404"`).
    Code(u16),
    /// A range (`"4XX"` is `Range(4)`).
    Range(u16),
    /// `default` next to documented success responses: any other non-success status.
    Default,
}

/// One documented error response.
#[derive(Debug, Clone)]
pub struct ErrorResponse {
    /// The statuses it stands for.
    pub status: ErrorStatus,
    /// Its variant in the operation's error enum (`NotFound`, `ClientError`, `Default`).
    pub variant: String,
    /// The body.
    pub body: ResponseBody,
    /// Rustdoc of its variant in the error enum: the statuses, then the spec's description
    /// (always `Some` by the end of lowering).
    pub doc: Option<String>,
}

/// How an operation authenticates (mirrors the runtime's `Auth`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    None,
    /// HTTP bearer.
    Bearer {
        /// Whether the operation may be called without credentials (the spec lists `{}` as an
        /// alternative).
        optional: bool,
    },
    /// OAuth client authentication.
    ClientAuth {
        /// Whether the operation may be called without credentials (the spec lists `{}` as an
        /// alternative).
        optional: bool,
    },
    /// HTTP Basic.
    Basic {
        /// Whether the operation may be called without credentials (the spec lists `{}` as an
        /// alternative).
        optional: bool,
    },
    /// API key in a header.
    ApiKeyHeader {
        /// The header name.
        name: String,
        /// Whether the operation may be called without credentials (the spec lists `{}` as an
        /// alternative).
        optional: bool,
    },
    /// API key in the query.
    ApiKeyQuery {
        /// The query parameter name.
        name: String,
        /// Whether the operation may be called without credentials (the spec lists `{}` as an
        /// alternative).
        optional: bool,
    },
    /// One requirement naming several schemes (AND): all are sent.
    All(Vec<Auth>),
    /// Several requirements (OR): the first the client has credentials for is sent.
    Any(Vec<Auth>),
}

impl Param {
    /// Whether a path parameter's value goes through `rt::path_styled` (which needs
    /// `QueryValue`): a list or object, or the `label` or `matrix` style; not a JSON `content`
    /// parameter. Scalars in the `simple` style are encoded as text.
    pub fn path_styled(&self) -> bool {
        !self.json
            && (matches!(self.style, ParamStyle::Label | ParamStyle::Matrix)
                || !matches!(
                    self.ty,
                    TypeRef::String | TypeRef::Integer(_) | TypeRef::Number(_) | TypeRef::Bool | TypeRef::Named(_)
                ))
    }
}

impl Auth {
    /// Whether some scheme authenticates the OAuth client itself.
    pub fn uses_client_auth(&self) -> bool {
        match self {
            Auth::ClientAuth { .. } => true,
            Auth::All(xs) | Auth::Any(xs) => xs.iter().any(Auth::uses_client_auth),
            _ => false,
        }
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// In the path.
    Path,
    /// In the query.
    Query,
    /// A header.
    Header,
    /// A cookie (sent in the `cookie` header).
    Cookie,
}

/// How a parameter is serialized (OpenAPI `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// Query and cookie default: `name=a&name=b`, or `name=a,b` without `explode`.
    Form,
    /// Query: `name=a%20b`.
    SpaceDelimited,
    /// Query: `name=a|b`.
    PipeDelimited,
    /// Query: `name[key]=value`.
    DeepObject,
    /// Path and header default: `a,b`.
    Simple,
    /// Path: `.a,b`.
    Label,
    /// Path: `;name=a,b`.
    Matrix,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Rust name (method argument or builder setter).
    pub name: String,
    /// Wire name (`page[size]`).
    pub wire: String,
    /// Where it goes.
    pub location: ParamIn,
    /// Its type.
    pub ty: TypeRef,
    /// Required.
    pub required: bool,
    /// Rustdoc of its builder setter: the spec's description and the wire name (always `Some`
    /// by the end of lowering).
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Inclusive bounds of an integer parameter, checked before sending.
    pub bounds: (Option<i64>, Option<i64>),
    /// `style` (or the default for its location).
    pub style: ParamStyle,
    /// `explode` (or the default for its style: true for `form` only).
    pub explode: bool,
    /// Declared with `content: application/json`: sent as the value's JSON text.
    pub json: bool,
}

/// How a body is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoding {
    /// `application/json` (or `+json`).
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Raw bytes with this content type.
    Bytes(String),
    /// Text with this content type.
    Text(String),
    /// `multipart/form-data`: one part per property, binary properties as files.
    Multipart,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// The body's type.
    pub ty: TypeRef,
    /// Required.
    pub required: bool,
    /// Accepted encodings in spec order.
    pub encodings: Vec<Encoding>,
    /// Index into `encodings` used unless the caller picks another.
    pub default_encoding: usize,
    /// Rustdoc of the `body` setter (always `Some` by the end of lowering).
    pub doc: Option<String>,
}

/// What a response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    /// No body.
    Empty,
    /// JSON decoded into this type.
    Json(TypeRef),
    /// Text.
    Text,
    /// Bytes.
    Bytes,
}

/// Which statuses a documented response stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Exactly this code (`"200"`).
    Code(u16),
    /// A range (`"2XX"` is `Range(2)`): any code from `n00` to `n99`.
    Range(u16),
    /// `default` documented as the only response (no 2xx/3xx code or range): it describes the
    /// success body, so it stands for any 2xx status. A `default` next to documented success
    /// responses describes errors and is not a `Response`; a non-2xx status is always an error.
    Default,
}

impl Status {
    /// Whether a `3XX` response (its empty body is a redirect with a `Location`).
    pub fn is_redirect(self) -> bool {
        match self {
            Status::Code(c) => (300..400).contains(&c),
            Status::Range(r) => r == 3,
            Status::Default => false,
        }
    }
}

/// One success response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The statuses it stands for.
    pub status: Status,
    /// Variant name when an operation has several (`Ok`, `Found`).
    pub variant: String,
    /// The body.
    pub body: ResponseBody,
    /// Rustdoc of its variant in the response enum: the statuses, then the spec's description
    /// (always `Some` by the end of lowering).
    pub doc: Option<String>,
}

/// Page-number pagination.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The page type (the success response's named type).
    pub page_type: String,
    /// The item type.
    pub item: TypeRef,
    /// Rust field holding the items (`data`), and whether it is an `Option`.
    pub data_field: (String, bool),
    /// Rust field holding the meta (`meta`), and whether it is an `Option`.
    pub meta_field: (String, bool),
    /// In the meta type: the page number field, if any.
    pub page_number_field: Option<PageField>,
    /// In the meta type: the total pages field.
    pub total_pages_field: PageField,
    /// The builder field for the page number parameter.
    pub page_param: String,
}

/// An integer field of a pagination `meta` object.
#[derive(Debug, Clone)]
pub struct PageField {
    /// Rust field name.
    pub name: String,
    /// Whether it is an `Option`.
    pub optional: bool,
    /// Whether it is already an `i64` (no conversion needed).
    pub is_i64: bool,
}
