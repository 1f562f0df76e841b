//! The validated route table: what the generator emits and the reference lookup reads.

use fanout_router_core::grip_sig::P256_POINT_BYTES;
use fanout_router_core::method::Methods;
use fanout_router_core::route::PatternKind;

pub struct Table {
    /// In precedence order: the first route that matches a request handles it.
    pub routes: Vec<RouteDef>,
    pub signers: SignersDef,
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
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
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
    },
    Sse {
        keep_alive_secs: u32,
    },
    LongPoll {
        timeout_secs: u32,
        on_timeout_status: u16,
        on_timeout_content_type: String,
        on_timeout_body: String,
    },
    WsEcho,
}

/// A piece of a channel name template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// Index of the parameter in the route's pattern.
    Param(usize),
}
