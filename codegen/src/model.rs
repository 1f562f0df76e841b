//! The validated route table: what the generator emits and the reference lookup reads.

use fanout_router_core::grip_sig::P256_POINT_BYTES;
use fanout_router_core::method::Methods;
use fanout_router_core::route::PatternKind;

use crate::diagnostic::Diagnostic;

pub struct Table {
    /// In precedence order: the first route that matches a request handles it.
    pub routes: Vec<RouteDef>,
    pub signers: SignersDef,
    /// The `[auth.NAME]` policies, by name, used by a route or not.
    pub auth: Vec<AuthDef>,
    /// The `[cors.NAME]` policies, by name, used by a route or not.
    pub cors: Vec<CorsDef>,
    /// What is valid but likely a mistake, such as a policy no route uses.
    pub warnings: Vec<Diagnostic>,
}

/// The `[grip_sig]` table: `None` keeps a default signer.
#[derive(Default)]
pub struct SignersDef {
    /// Issuer and ES256 public key (its SEC1 point, read from the PEM) trusted on Fastly.
    pub production: Option<(String, [u8; P256_POINT_BYTES])>,
    /// Issuer and HS256 key trusted under the local server.
    pub local: Option<(String, String)>,
}

pub struct RouteDef {
    pub pattern: Pattern,
    pub methods: Methods,
    pub action: ActionDef,
    pub channels: Vec<Vec<Piece>>,
    /// The `[auth.NAME]` policy the route names, bound to its pattern.
    pub auth: Option<AuthUse>,
    /// The name of the `[cors.NAME]` policy the route names.
    pub cors: Option<String>,
    /// `hosts`, in normal form (`*.example.com` for a wildcard); empty for any host.
    pub hosts: Vec<String>,
    /// The conditions on the kind of request.
    pub when: ConditionsDef,
    /// `rewrite = { prefix }`.
    pub rewrite: Option<String>,
    pub request_headers: RequestHeadersDef,
    /// Line of the route's `[[route]]` header in routes.toml. Kept out of the generated
    /// code, so that a line added above a route leaves its code alone: tools find a
    /// generated route's line here, at its index in `ROUTES`.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// As written in routes.toml.
    pub text: String,
    pub kind: PatternKind,
    pub segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Param(String),
}

impl Pattern {
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.param_segments().map(|(_, name)| name)
    }

    /// Each parameter's segment (its index after the path's leading `/`) and name.
    pub fn param_segments(&self) -> impl Iterator<Item = (usize, &str)> {
        self.segments
            .iter()
            .enumerate()
            .filter_map(|(segment, s)| match s {
                Segment::Param(name) => Some((segment, name.as_str())),
                Segment::Literal(_) => None,
            })
    }

    /// Two patterns with the same shape match exactly the same paths.
    pub fn same_shape(&self, other: &Pattern) -> bool {
        self.kind == other.kind
            && self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (Segment::Literal(a), Segment::Literal(b)) => a == b,
                    (Segment::Param(_), Segment::Param(_)) => true,
                    _ => false,
                })
    }
}

pub enum ActionDef {
    Fanout(String),
    Direct(String),
    Answer(ModeDef),
}

pub enum ModeDef {
    Stream {
        content_type: String,
        initial_body: String,
        keep_alive: Option<KeepAliveDef>,
        reliable: Option<ReliableDef>,
    },
    Sse {
        keep_alive: KeepAliveDef,
        initial_body: String,
        reliable: Option<ReliableDef>,
    },
    LongPoll {
        timeout_secs: u32,
        on_timeout_status: u16,
        on_timeout_content_type: String,
        on_timeout_body: String,
    },
    WsEcho {
        keep_alive: Option<KeepAliveDef>,
    },
}

/// A route's `keep_alive`, defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeepAliveDef {
    pub interval_secs: u32,
    pub interval_mode: bool,
    pub content: String,
}

/// A route's `reliable`, defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReliableDef {
    pub backend: String,
    pub path: String,
    pub query: String,
}

/// A piece of a channel name template.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Piece {
    Text(String),
    /// Index of the parameter in the route's pattern.
    Param(usize),
}

/// A route's `auth = "NAME"`: the policy, with its claim templates resolved against the
/// route's parameters (the index of a parameter depends on the route's pattern).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AuthUse {
    pub policy: String,
    pub claims: Vec<(String, Vec<Piece>)>,
}

/// One `[auth.NAME]` table, validated; its keys parsed.
pub struct AuthDef {
    pub name: String,
    pub token_from: Vec<TokenSourceDef>,
    pub keys: Vec<KeyDef>,
    pub secret: Option<SecretDef>,
    pub jwks: Option<JwksDef>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub leeway_secs: u64,
    /// Claim and template as written: `("sub", "{user}")`.
    pub claims: Vec<(String, String)>,
    pub channels_claim: Option<String>,
    pub forward_authorization: bool,
}

pub enum TokenSourceDef {
    Header,
    Query(String),
    Cookie(String),
}

/// The algorithms a public key in routes.toml or in a JWK Set may use; HS256 secrets live
/// in a Secret Store only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlgorithmDef {
    Es256,
    Rs256,
}

impl AlgorithmDef {
    pub const ALL: [AlgorithmDef; 2] = [AlgorithmDef::Es256, AlgorithmDef::Rs256];

    /// The JOSE `alg` name.
    pub const fn name(self) -> &'static str {
        match self {
            AlgorithmDef::Es256 => "ES256",
            AlgorithmDef::Rs256 => "RS256",
        }
    }
}

pub struct KeyDef {
    pub algorithm: AlgorithmDef,
    pub kid: Option<String>,
    /// ES256: the SEC1 point; RS256: `jwt::rsa_material` of the modulus and exponent.
    pub material: Vec<u8>,
}

pub struct SecretDef {
    pub store: String,
    pub key: String,
    pub kid: Option<String>,
}

pub struct JwksDef {
    pub store: String,
    pub key: String,
    pub algorithms: Vec<AlgorithmDef>,
}

/// One `[cors.NAME]` table, validated.
pub struct CorsDef {
    pub name: String,
    /// Exact origins; empty for any origin.
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    /// Request headers, in lower case.
    pub headers: Vec<String>,
    pub credentials: bool,
    pub max_age_secs: u32,
}

/// A route's conditions on the kind of request; every one given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConditionsDef {
    pub websocket: Option<bool>,
    /// A media type, in lower case.
    pub accept: Option<String>,
    /// Header names in lower case, each with the value it must equal or `None` for present;
    /// sorted by name.
    pub headers: Vec<(String, Option<String>)>,
    pub query: Vec<String>,
}

impl ConditionsDef {
    pub fn is_none(&self) -> bool {
        *self == ConditionsDef::default()
    }

    /// Whether one request can meet both: it cannot only when they ask for a WebSocket
    /// upgrade and for none, or for two different values of one header. Anything else (two
    /// headers, `accept` and `websocket`, a query parameter) one request can carry at once.
    pub fn can_both_hold(&self, other: &ConditionsDef) -> bool {
        let websocket = match (self.websocket, other.websocket) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        websocket
            && self.headers.iter().all(|(name, value)| {
                other.headers.iter().all(|(other_name, other_value)| {
                    name != other_name
                        || value.is_none()
                        || other_value.is_none()
                        || value == other_value
                })
            })
    }

    /// `websocket = true, accept = "text/event-stream"`, as routes.toml writes them.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(websocket) = self.websocket {
            parts.push(format!("websocket = {websocket}"));
        }
        if let Some(accept) = &self.accept {
            parts.push(format!("accept = {accept:?}"));
        }
        for (name, value) in &self.headers {
            match value {
                Some(value) => parts.push(format!("header {name} = {value:?}")),
                None => parts.push(format!("header {name} present")),
            }
        }
        for name in &self.query {
            parts.push(format!("query {name:?} present"));
        }
        parts.join(", ")
    }
}

/// A route's `request_headers`: names in lower case.
#[derive(Default)]
pub struct RequestHeadersDef {
    pub add: Vec<(String, String)>,
    pub remove: Vec<String>,
}
