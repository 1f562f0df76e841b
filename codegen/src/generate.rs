//! Emits the route table and its lookup as Rust source, formatted by prettyplease so the
//! text is the same whatever rustfmt a reviewer has.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{
    ActionDef, AlgorithmDef, AuthDef, AuthUse, ConditionsDef, CorsDef, KeepAliveDef, ModeDef,
    Piece, ReliableDef, RouteDef, Segment, SignersDef, Table, TokenSourceDef,
};
use fanout_router_core::route::PatternKind;

/// The header of every generated file: how to refresh the committed copy.
pub const HEADER: &str = "// @generated from routes.toml by fanout-router-codegen. Do not edit.\n\
     // Refresh the reviewed copy in generated/routes.rs with `cargo xtask codegen`.\n\n";

pub fn generate(table: &Table) -> String {
    let names = static_names(table);
    let policies = PolicyNames::of(table);
    let statics = table
        .routes
        .iter()
        .zip(&names)
        .map(|(r, name)| route_static(r, name, &policies));
    let count = Literal::usize_unsuffixed(table.routes.len());
    let policy_statics = policies.statics(table);
    let lookup = lookup(table, &names);
    let signers = signers(&table.signers);
    let features = features(table);
    let body = quote! {
        /// Every route of routes.toml, in precedence order: the first that matches a request
        /// handles it.
        pub static ROUTES: [&Route; #count] = [#(&#names),*];
        #(#statics)*
        #policy_statics
        #lookup
        #signers
        #features
    };
    // One fixed import: the prelude holds every name the generated code uses, and since
    // every file uses some, a glob import never warns.
    let file = quote! {
        use fanout_router_core::route::prelude::*;
        #body
    };
    let syntax: syn::File = syn::parse2(file).expect("the generator emits valid Rust");
    format!(
        "{HEADER}{}",
        separate_items(&prettyplease::unparse(&syntax))
    )
}

/// `FEATURES`: the code of each feature that some route uses, `None` for the others, so
/// that the compiler leaves their code out.
fn features(table: &Table) -> TokenStream {
    let used = |uses: fn(&RouteDef) -> bool, code: TokenStream| {
        if table.routes.iter().any(uses) {
            quote!(Some(#code))
        } else {
            quote!(None)
        }
    };
    let authorize = used(|r| r.auth.is_some(), quote!(auth::Policy::authorize));
    let cors = used(|r| r.cors.is_some(), quote!(cors::CALLS));
    let reliable = used(|r| reliable(r).is_some(), quote!(reliable::CALLS));
    let rewrite = used(|r| r.rewrite.is_some(), quote!(Rewrite::apply));
    quote! {
        /// The code of the features routes.toml uses; `None` leaves out one that no route
        /// uses.
        pub const FEATURES: Features = Features {
            authorize: #authorize,
            cors: #cors,
            reliable: #reliable,
            rewrite: #rewrite,
        };
    }
}

/// A route's `reliable`, on the modes that have one.
fn reliable(route: &RouteDef) -> Option<&ReliableDef> {
    match &route.action {
        ActionDef::Answer(ModeDef::Stream { reliable, .. } | ModeDef::Sse { reliable, .. }) => {
            reliable.as_ref()
        }
        _ => None,
    }
}

fn signers(signers: &SignersDef) -> TokenStream {
    let production = match &signers.production {
        None => quote!(None),
        Some((issuer, point)) => {
            let point = byte_string(point);
            quote!(Some(PublicSigner { issuer: #issuer, key: &VerifyingKey::of_sec1(#point) }))
        }
    };
    let local = match &signers.local {
        None => quote!(None),
        Some((issuer, key)) => quote!(Some(SharedKeySigner { issuer: #issuer, key: #key })),
    };
    quote! {
        /// Who may sign `Grip-Sig` (routes.toml's `[grip_sig]`); `None` keeps the default:
        /// Fastly Fanout on Fastly, the local stack's Pushpin under the local server.
        pub static SIGNERS: Signers = Signers { production: #production, local: #local };
    }
}

/// `b"\x04\x1f..."`: every byte as `\xNN`, which reads more evenly than printable bytes
/// mixed in.
fn byte_string(bytes: &[u8]) -> Literal {
    let escaped: String = bytes.iter().map(|byte| format!("\\x{byte:02x}")).collect();
    format!("b\"{escaped}\"").parse().expect("a byte string")
}

/// The names of the policy statics the routes point at: `AUTH_USERS`, `CORS_FRONT_END`.
/// Only policies some route names are emitted, so that an algorithm no route uses is not
/// compiled in. A claim's template is resolved against each route's pattern: routes that
/// share a policy but place its parameters differently get a static each, suffixed with
/// the parameters' positions (`AUTH_USERS_P1`).
struct PolicyNames {
    auth: BTreeMap<AuthUse, Ident>,
    /// The static of each used auth policy's keys, for those that have keys.
    keys: BTreeMap<String, Ident>,
    cors: BTreeMap<String, Ident>,
}

impl PolicyNames {
    fn of(table: &Table) -> PolicyNames {
        let uses: BTreeSet<&AuthUse> = table
            .routes
            .iter()
            .filter_map(|r| r.auth.as_ref())
            .collect();
        let mut taken = BTreeSet::new();
        let mut auth = BTreeMap::new();
        let mut keys = BTreeMap::new();
        for def in &table.auth {
            let variants: Vec<&AuthUse> = uses
                .iter()
                .copied()
                .filter(|u| u.policy == def.name)
                .collect();
            if !variants.is_empty() && !def.keys.is_empty() {
                let base = format!("{}_KEYS", constant_name("AUTH", &def.name));
                keys.insert(def.name.clone(), unique_ident(&mut taken, base));
            }
            for variant in &variants {
                let mut base = constant_name("AUTH", &def.name);
                if variants.len() > 1 {
                    base = format!("{base}_P{}", param_positions(variant).join("_"));
                }
                auth.insert((*variant).clone(), unique_ident(&mut taken, base));
            }
        }
        let used: BTreeSet<&str> = table
            .routes
            .iter()
            .filter_map(|r| r.cors.as_deref())
            .collect();
        let cors = table
            .cors
            .iter()
            .filter(|def| used.contains(def.name.as_str()))
            .map(|def| {
                (
                    def.name.clone(),
                    unique_ident(&mut taken, constant_name("CORS", &def.name)),
                )
            })
            .collect();
        PolicyNames { auth, keys, cors }
    }

    /// The statics, policy by policy in the order of their names: a policy's keys, then
    /// the policy, once per placement of its claims' parameters.
    fn statics(&self, table: &Table) -> TokenStream {
        let mut items = Vec::new();
        for def in &table.auth {
            let keys = match self.keys.get(&def.name) {
                Some(name) => {
                    items.push(auth_keys(def, name));
                    quote!(&#name)
                }
                None => quote!(&[]),
            };
            let variants: Vec<(&AuthUse, &Ident)> = self
                .auth
                .iter()
                .filter(|(u, _)| u.policy == def.name)
                .collect();
            for &(usage, name) in &variants {
                items.push(auth_static(def, usage, name, &keys, variants.len() > 1));
            }
        }
        for def in &table.cors {
            if let Some(name) = self.cors.get(&def.name) {
                items.push(cors_static(def, name));
            }
        }
        quote! { #(#items)* }
    }
}

/// The positions in the route's pattern of the parameters the claims name, in order.
fn param_positions(usage: &AuthUse) -> Vec<String> {
    let pieces = usage.claims.iter().flat_map(|(_, pieces)| pieces);
    pieces
        .filter_map(|piece| match piece {
            Piece::Param(index) => Some(index.to_string()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// `AUTH_FRONT_END` for `("AUTH", "front-end")`.
fn constant_name(kind: &str, name: &str) -> String {
    format!("{kind}_{}", underscored(&name.to_ascii_uppercase()))
}

/// `text` with `_` for each character an identifier cannot hold.
fn underscored(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn option_str(value: Option<&String>) -> TokenStream {
    option(value.map(|value| quote!(#value)))
}

fn algorithm(algorithm: AlgorithmDef) -> TokenStream {
    match algorithm {
        AlgorithmDef::Es256 => quote!(&jwt::ES256),
        AlgorithmDef::Rs256 => quote!(&jwt::RS256),
    }
}

/// The static of a policy's keys: an item of its own, so that a key's rotation is a diff
/// of that item alone, and the keys are compiled in once however many statics the policy
/// has.
fn auth_keys(def: &AuthDef, name: &Ident) -> TokenStream {
    let doc = format!(
        " The keys of `[auth.{}]`, parsed from routes.toml.",
        def.name
    );
    let count = Literal::usize_unsuffixed(def.keys.len());
    let keys = def.keys.iter().map(|key| {
        let algorithm = algorithm(key.algorithm);
        let id = match &key.kid {
            Some(kid) => quote!(Some(Cow::Borrowed(#kid))),
            None => quote!(None),
        };
        let material = byte_string(&key.material);
        quote!(jwt::Key { algorithm: #algorithm, id: #id, material: Cow::Borrowed(#material) })
    });
    quote! {
        #[doc = #doc]
        static #name: [jwt::Key; #count] = [#(#keys),*];
    }
}

fn auth_static(
    def: &AuthDef,
    usage: &AuthUse,
    name: &Ident,
    keys: &TokenStream,
    one_of_several: bool,
) -> TokenStream {
    let doc = if one_of_several {
        format!(
            " `[auth.{}]` of routes.toml, for routes with its claims' parameters at positions {}.",
            def.name,
            param_positions(usage).join(", ")
        )
    } else {
        format!(" `[auth.{}]` of routes.toml.", def.name)
    };
    let policy = &def.name;
    let token_from = def.token_from.iter().map(|source| match source {
        TokenSourceDef::Header => quote!(auth::TokenSource::Header),
        TokenSourceDef::Query(name) => quote!(auth::TokenSource::Query(#name)),
        TokenSourceDef::Cookie(name) => quote!(auth::TokenSource::Cookie(#name)),
    });
    let secret = match &def.secret {
        Some(secret) => {
            let (store, key, kid) = (&secret.store, &secret.key, option_str(secret.kid.as_ref()));
            quote!(Some(auth::StoredSecret { store: #store, key: #key, kid: #kid }))
        }
        None => quote!(None),
    };
    let jwks = match &def.jwks {
        Some(jwks) => {
            let (store, key) = (&jwks.store, &jwks.key);
            let algorithms = jwks.algorithms.iter().map(|a| algorithm(*a));
            quote!(Some(auth::StoredJwks { store: #store, key: #key, algorithms: &[#(#algorithms),*] }))
        }
        None => quote!(None),
    };
    let issuer = option_str(def.issuer.as_ref());
    let audience = option_str(def.audience.as_ref());
    let leeway_secs = Literal::u64_unsuffixed(def.leeway_secs);
    let claims = usage.claims.iter().map(|(claim, value)| {
        let value = pieces(value);
        quote!(auth::ClaimRule { claim: #claim, value: #value })
    });
    let channels_claim = option_str(def.channels_claim.as_ref());
    let forward_authorization = def.forward_authorization;
    quote! {
        #[doc = #doc]
        static #name: auth::Policy = auth::Policy {
            name: #policy,
            token_from: &[#(#token_from),*],
            keys: #keys,
            secret: #secret,
            jwks: #jwks,
            issuer: #issuer,
            audience: #audience,
            leeway_secs: #leeway_secs,
            claims: &[#(#claims),*],
            channels_claim: #channels_claim,
            forward_authorization: #forward_authorization,
        };
    }
}

fn cors_static(def: &CorsDef, name: &Ident) -> TokenStream {
    let doc = format!(" `[cors.{}]` of routes.toml.", def.name);
    let CorsDef {
        name: policy,
        origins,
        methods,
        headers,
        credentials,
        max_age_secs,
    } = def;
    let max_age_secs = Literal::u32_unsuffixed(*max_age_secs);
    quote! {
        #[doc = #doc]
        static #name: cors::Policy = cors::Policy {
            name: #policy,
            origins: &[#(#origins),*],
            methods: &[#(#methods),*],
            headers: &[#(#headers),*],
            credentials: #credentials,
            max_age_secs: #max_age_secs,
        };
    }
}

/// `&[Piece::Text("room-"), Piece::Param(0)]`.
fn pieces(pieces: &[Piece]) -> TokenStream {
    let pieces = pieces.iter().map(|p| match p {
        Piece::Text(text) => quote!(Piece::Text(#text)),
        Piece::Param(index) => {
            let index = Literal::usize_unsuffixed(*index);
            quote!(Piece::Param(#index))
        }
    });
    quote!(&[#(#pieces),*])
}

/// prettyplease puts items back to back; a blank line between top-level items reads better.
fn separate_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut previous = "";
    for line in code.lines() {
        let starts_item = !line.is_empty() && !line.starts_with([' ', '}', ')', ']']);
        let same_item = previous.is_empty()
            || previous.starts_with("///")
            || (previous.starts_with("use ") && line.starts_with("use "));
        if starts_item && !same_item {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

/// A readable, stable name per route, derived from its pattern and methods, so that a
/// change to one route in routes.toml changes only its own lines here.
fn static_names(table: &Table) -> Vec<Ident> {
    let mut taken = BTreeSet::new();
    table
        .routes
        .iter()
        .map(|route| {
            let mut words = vec![route.pattern.kind.key().to_ascii_uppercase()];
            words.extend(route.pattern.segments.iter().map(|s| match s {
                Segment::Literal(text) | Segment::Param(text) => text.to_ascii_uppercase(),
            }));
            if route.pattern.segments.is_empty() {
                words.push("ROOT".to_owned());
            }
            if !route.methods.is_any() {
                words.extend(route.methods.names().map(str::to_owned));
            }
            unique_ident(&mut taken, underscored(&words.join("_")))
        })
        .collect()
}

/// `base`, or `base_2`, `base_3`, ... when `taken` holds it already.
fn unique_ident(taken: &mut BTreeSet<String>, base: String) -> Ident {
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    format_ident!("{name}")
}

fn route_static(route: &RouteDef, name: &Ident, policies: &PolicyNames) -> TokenStream {
    let pattern = &route.pattern.text;
    let kind = match route.pattern.kind {
        PatternKind::Exact => quote!(PatternKind::Exact),
        PatternKind::Prefix => quote!(PatternKind::Prefix),
    };
    let methods = if route.methods.is_any() {
        quote!(Methods::ANY)
    } else {
        let names = route.methods.names().map(|n| format_ident!("{n}"));
        let mut iter = names.map(|n| quote!(Methods::#n));
        let first = iter.next().expect("a method list is never empty");
        iter.fold(first, |acc, m| quote!(#acc.union(#m)))
    };
    let params = route.pattern.param_segments().map(|(segment, name)| {
        let segment = Literal::usize_unsuffixed(segment);
        quote!(Param { name: #name, segment: #segment })
    });
    let action = action(&route.action);
    let channels = route.channels.iter().map(|template| {
        let pieces = pieces(template);
        quote!(Channel(#pieces))
    });
    let auth = match route
        .auth
        .as_ref()
        .and_then(|usage| policies.auth.get(usage))
    {
        Some(policy) => quote!(Some(&#policy)),
        None => quote!(None),
    };
    let cors = match route.cors.as_ref().and_then(|name| policies.cors.get(name)) {
        Some(policy) => quote!(Some(&#policy)),
        None => quote!(None),
    };
    let selective = selective_fields(route);
    quote! {
        static #name: Route = Route {
            pattern: #pattern,
            kind: #kind,
            methods: #methods,
            params: &[#(#params),*],
            action: #action,
            channels: &[#(#channels),*],
            auth: #auth,
            cors: #cors,
            #selective
        };
    }
}

fn action(action: &ActionDef) -> TokenStream {
    match action {
        ActionDef::Fanout(backend) => quote!(Action::Fanout { backend: #backend }),
        ActionDef::Direct(backend) => quote!(Action::Direct { backend: #backend }),
        ActionDef::Answer(mode) => {
            let mode = match mode {
                ModeDef::Stream {
                    content_type,
                    initial_body,
                    keep_alive,
                    reliable,
                } => {
                    let keep_alive = option(keep_alive.as_ref().map(keep_alive_value));
                    let reliable = option(reliable.as_ref().map(reliable_value));
                    quote!(Mode::Stream {
                        content_type: #content_type,
                        initial_body: #initial_body,
                        keep_alive: #keep_alive,
                        reliable: #reliable,
                    })
                }
                ModeDef::Sse {
                    keep_alive,
                    initial_body,
                    reliable,
                } => {
                    let keep_alive = keep_alive_value(keep_alive);
                    let reliable = option(reliable.as_ref().map(reliable_value));
                    quote!(Mode::Sse {
                        keep_alive: #keep_alive,
                        initial_body: #initial_body,
                        reliable: #reliable,
                    })
                }
                ModeDef::LongPoll {
                    timeout_secs,
                    on_timeout_status,
                    on_timeout_content_type,
                    on_timeout_body,
                } => {
                    let timeout_secs = Literal::u32_unsuffixed(*timeout_secs);
                    let on_timeout_status = Literal::u16_unsuffixed(*on_timeout_status);
                    quote!(Mode::LongPoll {
                        timeout_secs: #timeout_secs,
                        on_timeout: TimeoutResponse {
                            status: #on_timeout_status,
                            content_type: #on_timeout_content_type,
                            body: #on_timeout_body,
                        },
                    })
                }
                ModeDef::WsEcho { keep_alive } => {
                    let keep_alive = option(keep_alive.as_ref().map(keep_alive_value));
                    quote!(Mode::WsEcho { keep_alive: #keep_alive })
                }
            };
            quote!(Action::Answer(#mode))
        }
    }
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

fn keep_alive_value(def: &KeepAliveDef) -> TokenStream {
    let interval_secs = Literal::u32_unsuffixed(def.interval_secs);
    let mode = if def.interval_mode {
        quote!(KeepAliveMode::Interval)
    } else {
        quote!(KeepAliveMode::Idle)
    };
    let content = &def.content;
    quote!(KeepAlive { interval_secs: #interval_secs, mode: #mode, content: #content })
}

fn reliable_value(def: &ReliableDef) -> TokenStream {
    let ReliableDef {
        backend,
        path,
        query,
    } = def;
    quote!(Reliable { backend: #backend, path: #path, last_event_id_query: #query })
}

/// Literal children of one trie node up to which a plain `match` on the segment is emitted;
/// past it, the segment's length and then its bytes pick the arm (see `Emitter::literals`).
const SMALL_MATCH: usize = 4;

/// A subtree holding more routes than this becomes a function of its own: one function of
/// thousands of routes takes LLVM superlinear time to optimise.
const SPLIT: usize = 16;

/// A trie of pattern segments; `routes` end at this node, in precedence order.
#[derive(Default)]
struct Node {
    routes: Vec<usize>,
    literals: BTreeMap<String, Node>,
    param: Option<Box<Node>>,
}

impl Node {
    fn insert(&mut self, segments: &[Segment], route: usize) {
        match segments.split_first() {
            None => self.routes.push(route),
            Some((Segment::Literal(text), rest)) => self
                .literals
                .entry(text.clone())
                .or_default()
                .insert(rest, route),
            Some((Segment::Param(_), rest)) => {
                self.param.get_or_insert_default().insert(rest, route)
            }
        }
    }

    /// Routes in this subtree.
    fn size(&self) -> usize {
        self.routes.len()
            + self.literals.values().map(Node::size).sum::<usize>()
            + self.param.as_deref().map_or(0, Node::size)
    }
}

/// The lookup: a dispatch on the host, when routes name hosts, to the search of each host
/// group's routes ([`trie`]).
fn lookup(table: &Table, names: &[Ident]) -> TokenStream {
    let depth = table
        .routes
        .iter()
        .map(|r| r.pattern.segments.len())
        .max()
        .unwrap_or(0);
    let mut emit = Emitter {
        table,
        names,
        depth: Literal::usize_unsuffixed(depth),
        functions: Vec::new(),
        function_names: BTreeSet::new(),
    };
    let groups = host_groups(table);
    let doc = quote! {
        /// The route that handles a request with this method, host, path and headers
        /// (`Match::new` reads its parameters). Allocates nothing.
    };
    if let [(HostGroup::Any, routes)] = groups.as_slice() {
        let body = trie(&mut emit, routes, "");
        let functions = emit.functions;
        return quote! {
            #doc
            pub fn lookup<'p>(request: &RequestKey<'p>) -> Option<&'static Route> {
                #body
            }
            #(#functions)*
        };
    }
    let mut exact_arms = Vec::new();
    let mut searches = Vec::new();
    let mut group_functions = Vec::new();
    let mut tail = quote!(None);
    for (group, routes) in &groups {
        let name = format_ident!("{}", group.function());
        let body = trie(&mut emit, routes, &group.function());
        let doc = format!(" The routes {}.", group.describe());
        group_functions.push(quote! {
            #[doc = #doc]
            fn #name<'p>(request: &RequestKey<'p>) -> Option<&'static Route> {
                #body
            }
        });
        let call = quote! {
            if let Some(found) = #name(request) {
                return Some(found);
            }
        };
        match group {
            HostGroup::Exact(host) => exact_arms.push((host.clone(), call)),
            HostGroup::Wildcard(suffix) => {
                let longer = Literal::usize_unsuffixed(suffix.len());
                searches.push(quote! {
                    if request.host.len() > #longer && request.host.ends_with(#suffix) { #call }
                });
            }
            HostGroup::Any => tail = quote!(#name(request)),
        }
    }
    let exact = switch(quote!(request.host), exact_arms);
    let functions = emit.functions;
    quote! {
        #doc
        pub fn lookup<'p>(request: &RequestKey<'p>) -> Option<&'static Route> {
            #exact
            #(#searches)*
            #tail
        }
        #(#group_functions)*
        #(#functions)*
    }
}

/// The body of a lookup over `routes` (in precedence order) of one host group. The `path`
/// routes of literal segments come first, found on the whole path. Then the path is
/// split once into its first segments (as many as the longest pattern has) and counted.
/// The other `path` routes are grouped by their number of segments, so only the group of the
/// path's count is searched; then come the prefixes, longest first, over the same
/// segments. Each group is a trie walked with literal segments tried before parameters, and
/// a failed branch falls through to the next candidate: exactly the precedence order, so
/// the first route found is the answer. `label` prefixes the functions split off.
fn trie(emit: &mut Emitter, routes: &[usize], label: &str) -> TokenStream {
    let table = emit.table;
    let mut literal_paths: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut exact: BTreeMap<usize, Node> = BTreeMap::new();
    let mut prefixes: BTreeMap<usize, Node> = BTreeMap::new();
    for &index in routes {
        let route = &table.routes[index];
        let segments = &route.pattern.segments;
        let tries = match route.pattern.kind {
            PatternKind::Exact => match literal_path(segments) {
                Some(path) => {
                    literal_paths.entry(path).or_default().push(index);
                    continue;
                }
                None => &mut exact,
            },
            PatternKind::Prefix => &mut prefixes,
        };
        tries
            .entry(segments.len())
            .or_default()
            .insert(segments, index);
    }
    let any_methods = routes.iter().any(|&r| !table.routes[r].methods.is_any());
    let whole_paths = emit.whole_paths(&literal_paths, label, any_methods);
    let label = |kind: &str, n: usize| {
        if label.is_empty() {
            format!("{kind}_{n}")
        } else {
            format!("{label}_{kind}_{n}")
        }
    };
    // The prefixes of no segment match every path: they end the function.
    let catch_all = prefixes
        .remove(&0)
        .map_or_else(Vec::new, |node| node.routes);
    let mut exact_arms = Vec::new();
    for (&count, node) in &exact {
        let walk = &mut Walk::new(PatternKind::Exact, label("exact", count));
        exact_arms.push((Literal::usize_unsuffixed(count), emit.node(node, 0, walk)));
    }
    let exact_search = switch(quote!(count), exact_arms);
    let mut prefix_searches = Vec::new();
    for (&length, node) in prefixes.iter().rev() {
        let walk = &mut Walk::new(PatternKind::Prefix, label("prefix", length));
        let body = emit.node(node, 0, walk);
        let length = Literal::usize_unsuffixed(length);
        prefix_searches.push(quote! { if count >= #length { #body } });
    }
    let (catch_all_checks, tail) = emit.catch_all(&catch_all);
    let start = if !exact.is_empty() || !prefixes.is_empty() {
        let depth = &emit.depth;
        quote! {
            let mut seg = [""; #depth];
            let count = split_path(request.path.strip_prefix('/')?, &mut seg);
        }
    } else if literal_paths.is_empty() || !catch_all.is_empty() {
        // Only a path that starts with `/` reaches a catch-all.
        quote! { request.path.strip_prefix('/')?; }
    } else {
        quote!()
    };
    let method_set = if any_methods {
        quote!(let method = Methods::of(request.method);)
    } else {
        quote!()
    };
    quote! {
        #method_set
        #whole_paths
        #start
        #exact_search
        #(#prefix_searches)*
        #catch_all_checks
        #tail
    }
}

/// `/a/b` for a pattern of literal segments only, which the whole path must equal.
fn literal_path(segments: &[Segment]) -> Option<String> {
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Literal(text) => path.extend(['/'].into_iter().chain(text.chars())),
            Segment::Param(_) => return None,
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    Some(path)
}

struct Emitter<'a> {
    table: &'a Table,
    names: &'a [Ident],
    /// Length of the `seg` array: segments of the longest pattern.
    depth: Literal,
    /// Functions split off large subtrees, emitted after `lookup`.
    functions: Vec<TokenStream>,
    function_names: BTreeSet<String>,
}

/// Where a trie walk is: which routes, and the segments on the way.
struct Walk {
    /// Which routes are walked, for the doc of functions split off this walk.
    kind: PatternKind,
    /// Names the functions split off this walk: `exact_3`, `prefix_2`.
    label: String,
    /// The segments on the way here, `p` for a parameter, to name functions.
    trail: Vec<String>,
}

impl Walk {
    fn new(kind: PatternKind, label: String) -> Walk {
        Walk {
            kind,
            label,
            trail: Vec::new(),
        }
    }
}

impl Emitter<'_> {
    /// Code for a trie node at `depth` segments.
    fn node(&mut self, node: &Node, depth: usize, walk: &mut Walk) -> TokenStream {
        let here = self.found(&node.routes);
        let mut literals: Vec<(&str, TokenStream)> = Vec::new();
        for (text, child) in &node.literals {
            walk.trail.push(text.clone());
            literals.push((text.as_str(), self.child(child, depth + 1, walk)));
            walk.trail.pop();
        }
        let index = Literal::usize_unsuffixed(depth);
        let literals = self.literals(&quote!(seg[#index]), &literals, |_, _, body| body);
        let param = node.param.as_deref().map(|child| {
            walk.trail.push("p".to_owned());
            let body = self.child(child, depth + 1, walk);
            walk.trail.pop();
            let index = Literal::usize_unsuffixed(depth);
            quote! {
                if !seg[#index].is_empty() {
                    #body
                }
            }
        });
        quote! { #here #literals #param }
    }

    /// A child node's code, inline or, for a large subtree, as a call to a function of its
    /// own (pushed to `functions`).
    fn child(&mut self, child: &Node, depth: usize, walk: &mut Walk) -> TokenStream {
        let body = self.node(child, depth, walk);
        if child.size() <= SPLIT {
            return body;
        }
        let name = self.function_name(walk);
        let doc = format!(
            " The `{}` routes under `/{}` (`p`: a parameter).",
            walk.kind.key(),
            walk.trail.join("/")
        );
        let n = &self.depth;
        let (method_param, method_arg) = if self.any_route(child, |r| !r.methods.is_any()) {
            (quote!(, method: Methods), quote!(, method))
        } else {
            (quote!(), quote!())
        };
        let (request_param, request_arg) = if self.any_route(child, |r| !r.when.is_none()) {
            (quote!(, request: &RequestKey<'p>), quote!(, request))
        } else {
            (quote!(), quote!())
        };
        let function = quote! {
            #[doc = #doc]
            fn #name<'p>(seg: [&'p str; #n] #method_param #request_param) -> Option<&'static Route> {
                #body
                None
            }
        };
        let call = quote! {
            if let Some(found) = #name(seg #method_arg #request_arg) {
                return Some(found);
            }
        };
        self.functions.push(function);
        call
    }

    /// Whether a route in this subtree is one that `test` holds for.
    fn any_route(&self, node: &Node, test: fn(&RouteDef) -> bool) -> bool {
        node.routes.iter().any(|&i| test(&self.table.routes[i]))
            || node
                .literals
                .values()
                .any(|child| self.any_route(child, test))
            || node
                .param
                .as_deref()
                .is_some_and(|child| self.any_route(child, test))
    }

    /// `exact_3_repos_p_p_issues`: the walk's label and trail, unique in the file.
    fn function_name(&mut self, walk: &Walk) -> Ident {
        let base: String = std::iter::once(walk.label.as_str())
            .chain(walk.trail.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("_")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        unique_ident(&mut self.function_names, base)
    }

    /// The routes of literal paths (`path` routes without parameters), found on the whole
    /// path before it is split: a path equal to one of them has no better route. A length
    /// of more than [`SPLIT`] paths becomes a function of its own.
    fn whole_paths(
        &mut self,
        paths: &BTreeMap<String, Vec<usize>>,
        label: &str,
        any_methods: bool,
    ) -> TokenStream {
        let path = quote!(request.path);
        let arms: Vec<(&str, TokenStream)> = paths
            .iter()
            .map(|(text, routes)| (text.as_str(), self.found(routes)))
            .collect();
        let (method_param, method_arg) = if any_methods {
            (quote!(, method: Methods), quote!(, method))
        } else {
            (quote!(), quote!())
        };
        self.literals(&path, &arms, |emit, length, body| {
            let label = match label {
                "" => format!("literal_{length}"),
                label => format!("{label}_literal_{length}"),
            };
            let name = emit.function_name(&Walk::new(PatternKind::Exact, label));
            let doc = format!(" The literal `path` routes of {length} bytes.");
            emit.functions.push(quote! {
                #[doc = #doc]
                fn #name<'p>(request: &RequestKey<'p> #method_param) -> Option<&'static Route> {
                    #body
                    None
                }
            });
            quote! {
                if let Some(found) = #name(request #method_arg) {
                    return Some(found);
                }
            }
        })
    }

    /// Dispatch on `scrutinee` (a segment or the path) among literals. Up to
    /// [`SMALL_MATCH`] of them, a plain `match` on the string; past it, the string's length
    /// picks a group, and within a large group, the byte that tells most of its strings
    /// apart, so the code that runs stays short however many literals there are. The code
    /// of a length holding more than [`SPLIT`] literals goes through `split`.
    fn literals(
        &mut self,
        scrutinee: &TokenStream,
        literals: &[(&str, TokenStream)],
        mut split: impl FnMut(&mut Self, usize, TokenStream) -> TokenStream,
    ) -> TokenStream {
        if literals.len() <= SMALL_MATCH {
            let group: Vec<&(&str, TokenStream)> = literals.iter().collect();
            return same_length(scrutinee, &group);
        }
        let mut by_length: BTreeMap<usize, Vec<&(&str, TokenStream)>> = BTreeMap::new();
        for literal in literals {
            by_length.entry(literal.0.len()).or_default().push(literal);
        }
        let mut arms = Vec::new();
        for (&length, group) in &by_length {
            let mut body = same_length(scrutinee, group);
            if group.len() > SPLIT {
                body = split(self, length, body);
            }
            arms.push((Literal::usize_unsuffixed(length), body));
        }
        switch(quote!(#scrutinee.len()), arms)
    }
}

/// Dispatch on `scrutinee` among literals of one length (or a few literals of any length).
fn same_length(scrutinee: &TokenStream, group: &[&(&str, TokenStream)]) -> TokenStream {
    if group.len() <= SMALL_MATCH {
        let arms = group.iter().map(|(text, body)| (text, body.clone()));
        return switch(scrutinee.clone(), arms);
    }
    // The byte position with the most distinct values; the first on a tie.
    let length = group[0].0.len();
    let position = (0..length)
        .max_by_key(|&i| {
            let distinct: BTreeSet<u8> = group.iter().map(|(t, _)| t.as_bytes()[i]).collect();
            (distinct.len(), std::cmp::Reverse(i))
        })
        .expect("literals are never empty");
    let mut by_byte: BTreeMap<u8, Vec<&(&str, TokenStream)>> = BTreeMap::new();
    for &literal in group {
        by_byte
            .entry(literal.0.as_bytes()[position])
            .or_default()
            .push(literal);
    }
    let arms = by_byte.iter().map(|(&byte, subgroup)| {
        let body = same_length(scrutinee, subgroup);
        (Literal::byte_character(byte), body)
    });
    let position = Literal::usize_unsuffixed(position);
    switch(quote!(#scrutinee.as_bytes()[#position]), arms)
}

impl Emitter<'_> {
    /// Returns the first of `routes` that accepts the method and whose conditions hold.
    fn found(&self, routes: &[usize]) -> TokenStream {
        let checks = routes.iter().map(|&index| {
            let name = &self.names[index];
            let route = &self.table.routes[index];
            let found = quote! { return Some(&#name); };
            let mut tests = Vec::new();
            if !route.methods.is_any() {
                tests.push(quote!(method.intersects(#name.methods)));
            }
            if !route.when.is_none() {
                tests.push(quote!(#name.when.holds(request)));
            }
            if tests.is_empty() {
                found
            } else {
                quote! { if #(#tests)&&* { #found } }
            }
        });
        quote! { #(#checks)* }
    }

    /// The checks for routes that match every path, and the function's final expression:
    /// the route without `methods` if there is one, else no match.
    fn catch_all(&self, routes: &[usize]) -> (TokenStream, TokenStream) {
        match routes.split_last() {
            Some((&last, others))
                if self.table.routes[last].methods.is_any()
                    && self.table.routes[last].when.is_none() =>
            {
                let name = &self.names[last];
                (self.found(others), quote! { Some(&#name) })
            }
            _ => (self.found(routes), quote! { None }),
        }
    }
}

/// `match scrutinee { pattern => body, ..., _ => {} }`, or an `if` for a single arm.
fn switch<P: quote::ToTokens>(
    scrutinee: TokenStream,
    arms: impl IntoIterator<Item = (P, TokenStream)>,
) -> TokenStream {
    let mut arms: Vec<(P, TokenStream)> = arms.into_iter().collect();
    match arms.len() {
        0 => quote!(),
        1 => {
            let (pattern, body) = arms.pop().expect("one arm");
            quote! { if #scrutinee == #pattern { #body } }
        }
        _ => {
            let arms = arms
                .iter()
                .map(|(pattern, body)| quote! { #pattern => { #body } });
            quote! { match #scrutinee { #(#arms)* _ => {} } }
        }
    }
}

/// The routes one host dispatch leads to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum HostGroup {
    /// The routes that list this host.
    Exact(String),
    /// The routes that list `*` followed by this suffix (`.example.com`).
    Wildcard(String),
    /// The routes without `hosts`.
    Any,
}

impl HostGroup {
    fn function(&self) -> String {
        match self {
            HostGroup::Exact(host) => format!("host_{}", underscored(host)),
            HostGroup::Wildcard(suffix) => format!("hosts_under{}", underscored(suffix)),
            HostGroup::Any => "any_host".to_owned(),
        }
    }

    fn describe(&self) -> String {
        match self {
            HostGroup::Exact(host) => format!("for host `{host}`"),
            HostGroup::Wildcard(suffix) => format!("for hosts `*{suffix}`"),
            HostGroup::Any => "without `hosts`".to_owned(),
        }
    }
}

/// Routes by host group, each in precedence order: the exact hosts, the wildcards longest
/// first, then the routes without `hosts` (if any, or if there is no other group).
fn host_groups(table: &Table) -> Vec<(HostGroup, Vec<usize>)> {
    let mut groups: BTreeMap<(u8, std::cmp::Reverse<usize>, HostGroup), Vec<usize>> =
        BTreeMap::new();
    for (index, route) in table.routes.iter().enumerate() {
        if route.hosts.is_empty() {
            let key = (2, std::cmp::Reverse(0), HostGroup::Any);
            groups.entry(key).or_default().push(index);
        }
        for host in &route.hosts {
            let key = match host.strip_prefix('*') {
                Some(suffix) => (
                    1,
                    std::cmp::Reverse(suffix.len()),
                    HostGroup::Wildcard(suffix.to_owned()),
                ),
                None => (0, std::cmp::Reverse(0), HostGroup::Exact(host.clone())),
            };
            groups.entry(key).or_default().push(index);
        }
    }
    if groups.is_empty() {
        return vec![(HostGroup::Any, Vec::new())];
    }
    groups
        .into_iter()
        .map(|((_, _, group), routes)| (group, routes))
        .collect()
}

/// The fields of a route's static that `hosts`, the conditions, `rewrite` and
/// `request_headers` give.
fn selective_fields(route: &RouteDef) -> TokenStream {
    let hosts = &route.hosts;
    let when = conditions(&route.when);
    let rewrite = match &route.rewrite {
        Some(prefix) => {
            let segments = Literal::usize_unsuffixed(route.pattern.segments.len());
            quote!(Some(Rewrite { segments: #segments, prefix: #prefix }))
        }
        None => quote!(None),
    };
    let headers = &route.request_headers;
    let request_headers = if headers.add.is_empty() && headers.remove.is_empty() {
        quote!(RequestHeaders::NONE)
    } else {
        let add = headers
            .add
            .iter()
            .map(|(name, value)| quote!((#name, #value)));
        let remove = &headers.remove;
        quote!(RequestHeaders { add: &[#(#add),*], remove: &[#(#remove),*] })
    };
    quote! {
        hosts: &[#(#hosts),*],
        when: #when,
        rewrite: #rewrite,
        request_headers: #request_headers,
    }
}

fn conditions(when: &ConditionsDef) -> TokenStream {
    if when.is_none() {
        return quote!(Conditions::NONE);
    }
    let websocket = match when.websocket {
        Some(websocket) => quote!(Some(#websocket)),
        None => quote!(None),
    };
    let accept = option_str(when.accept.as_ref());
    let headers = when.headers.iter().map(|(name, value)| {
        let value = option_str(value.as_ref());
        quote!(HeaderCondition { name: #name, value: #value })
    });
    let query = &when.query;
    quote! {
        Conditions {
            websocket: #websocket,
            accept: #accept,
            headers: &[#(#headers),*],
            query: &[#(#query),*],
        }
    }
}
