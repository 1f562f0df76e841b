//! Emits the route table and its lookup as Rust source, formatted by prettyplease so the
//! text is the same whatever rustfmt a reviewer has.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{ActionDef, ModeDef, Piece, RouteDef, Segment, SignersDef, Table};
use fanout_router_core::route::PatternKind;

/// The header of every generated file: how to refresh the committed copy.
pub const HEADER: &str = "// @generated from routes.toml by fanout-router-codegen. Do not edit.\n\
     // Refresh the reviewed copy in generated/routes.rs with `cargo xtask codegen`.\n\n";

pub fn generate(table: &Table) -> String {
    let names = static_names(table);
    let statics = table
        .routes
        .iter()
        .zip(&names)
        .map(|(r, name)| route_static(r, name));
    let count = Literal::usize_unsuffixed(table.routes.len());
    let lookup = lookup(table, &names);
    let signers = signers(&table.signers);
    let body = quote! {
        /// Every route of routes.toml, in precedence order: the first that matches a request
        /// handles it.
        pub static ROUTES: [&Route; #count] = [#(&#names),*];
        #(#statics)*
        #lookup
        #signers
    };
    let imports = imports(&body.to_string());
    let file = quote! { #imports #body };
    let syntax: syn::File = syn::parse2(file).expect("the generator emits valid Rust");
    format!(
        "{HEADER}{}",
        separate_items(&prettyplease::unparse(&syntax))
    )
}

fn signers(signers: &SignersDef) -> TokenStream {
    let production = match &signers.production {
        None => quote!(None),
        Some((issuer, pem)) => {
            quote!(Some(PublicSigner { issuer: #issuer, public_key_pem: #pem }))
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

/// Imports only what the body names, so the generated code compiles without warnings
/// whichever features routes.toml uses.
fn imports(body: &str) -> TokenStream {
    let words: BTreeSet<&str> = body
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .collect();
    let pick = |module: &str, names: &[&str]| -> Option<TokenStream> {
        let used: Vec<Ident> = names
            .iter()
            .filter(|n| words.contains(**n))
            .map(|n| format_ident!("{n}"))
            .collect();
        let module = format_ident!("{module}");
        (!used.is_empty()).then(|| quote! { use fanout_router_core::#module::{#(#used),*}; })
    };
    let channel = pick("channel", &["Channel", "Piece"]);
    let grip_sig = pick("grip_sig", &["PublicSigner", "SharedKeySigner", "Signers"]);
    let method = pick("method", &["Methods"]);
    let route = pick(
        "route",
        &[
            "Action",
            "Captures",
            "Match",
            "Mode",
            "PatternKind",
            "Route",
            "TimeoutResponse",
            "split_segment",
        ],
    );
    quote! { #channel #grip_sig #method #route }
}

/// A readable, stable name per route, derived from its pattern and methods, so that a
/// change to one route in routes.toml changes only its own lines here.
fn static_names(table: &Table) -> Vec<Ident> {
    let mut taken = BTreeSet::new();
    table
        .routes
        .iter()
        .map(|route| {
            let kind = match route.pattern.kind {
                PatternKind::Exact => "PATH",
                PatternKind::Prefix => "PREFIX",
            };
            let mut words = vec![kind.to_owned()];
            words.extend(route.pattern.segments.iter().map(|s| match s {
                Segment::Literal(text) | Segment::Param(text) => text.to_ascii_uppercase(),
            }));
            if route.pattern.segments.is_empty() {
                words.push("ROOT".to_owned());
            }
            if !route.methods.is_any() {
                words.extend(route.methods.names().map(str::to_owned));
            }
            let base: String = words
                .join("_")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            format_ident!("{name}")
        })
        .collect()
}

fn route_static(route: &RouteDef, name: &Ident) -> TokenStream {
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
    let params = route.pattern.params();
    let action = action(&route.action);
    let channels = route.channels.iter().map(|pieces| {
        let pieces = pieces.iter().map(|p| match p {
            Piece::Text(text) => quote!(Piece::Text(#text)),
            Piece::Param(index) => {
                let index = Literal::usize_unsuffixed(*index);
                quote!(Piece::Param(#index))
            }
        });
        quote!(Channel(&[#(#pieces),*]))
    });
    let line = Literal::usize_unsuffixed(route.line);
    quote! {
        static #name: Route = Route {
            pattern: #pattern,
            kind: #kind,
            methods: #methods,
            params: &[#(#params),*],
            action: #action,
            channels: &[#(#channels),*],
            line: #line,
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
                } => {
                    quote!(Mode::Stream { content_type: #content_type, initial_body: #initial_body })
                }
                ModeDef::Sse { keep_alive_secs } => {
                    let keep_alive_secs = Literal::u32_unsuffixed(*keep_alive_secs);
                    quote!(Mode::Sse { keep_alive_secs: #keep_alive_secs })
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
                ModeDef::WsEcho => quote!(Mode::WsEcho),
            };
            quote!(Action::Answer(#mode))
        }
    }
}

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

    fn has_children(&self) -> bool {
        !self.literals.is_empty() || self.param.is_some()
    }
}

/// Which part of the search a trie serves.
#[derive(Clone, Copy)]
enum Search {
    /// `path` routes: a route matches when the path ends at its node.
    Exact,
    /// `prefix` routes of one length: a route matches whatever follows its node.
    Prefix,
}

/// The lookup walks the path segment by segment, once per search: first the `path` routes,
/// then the prefixes from longest to shortest. Literal segments are tried before
/// parameters, and a failed branch falls through to the next candidate, which is exactly
/// the precedence order.
fn lookup(table: &Table, names: &[Ident]) -> TokenStream {
    let mut exact = Node::default();
    let mut prefixes: BTreeMap<usize, Node> = BTreeMap::new();
    for (index, route) in table.routes.iter().enumerate() {
        let segments = &route.pattern.segments;
        match route.pattern.kind {
            PatternKind::Exact => exact.insert(segments, index),
            PatternKind::Prefix => prefixes
                .entry(segments.len())
                .or_default()
                .insert(segments, index),
        }
    }
    let emit = Emitter { table, names };
    let mut searches = Vec::new();
    if exact.has_children() || !exact.routes.is_empty() {
        let body = emit.node(&exact, Search::Exact, 0);
        searches.push(quote! { #body });
    }
    // The prefixes of no segment match every path: they end the function.
    let catch_all = prefixes.remove(&0);
    for node in prefixes.values().rev() {
        searches.push(emit.node(node, Search::Prefix, 0));
    }
    let (catch_all_checks, tail) = emit.catch_all(catch_all.as_ref().map_or(&[], |n| &n.routes));
    let uses_rest = exact.has_children() || !exact.routes.is_empty() || !prefixes.is_empty();
    let start = if uses_rest {
        quote! {
            let rest = path.strip_prefix('/')?;
            let rest = if rest.is_empty() { None } else { Some(rest) };
        }
    } else {
        quote! { path.strip_prefix('/')?; }
    };
    let any_methods = table.routes.iter().any(|r| !r.methods.is_any());
    let (method_arg, method_set) = if any_methods {
        (quote!(method), quote!(let method = Methods::of(method);))
    } else {
        (quote!(_method), quote!())
    };
    let any_params = table
        .routes
        .iter()
        .any(|r| r.pattern.params().next().is_some());
    let captures = if any_params {
        quote!(let mut captures = Captures::default();)
    } else {
        quote!(let captures = Captures::default();)
    };
    quote! {
        /// The route that handles a request with this method and path, and the values its
        /// parameters captured. Allocates nothing.
        pub fn lookup<'p>(#method_arg: &str, path: &'p str) -> Option<Match<'p>> {
            #method_set
            #captures
            #start
            #(#searches)*
            #catch_all_checks
            #tail
        }
    }
}

struct Emitter<'a> {
    table: &'a Table,
    names: &'a [Ident],
}

impl Emitter<'_> {
    /// Code for a trie node reached after `params` parameters; `rest` is the unread part of
    /// the path, `None` at its end.
    fn node(&self, node: &Node, search: Search, params: usize) -> TokenStream {
        let found = self.found(&node.routes);
        let here = match search {
            Search::Exact if !node.routes.is_empty() => quote! { if rest.is_none() { #found } },
            _ => found,
        };
        if !node.has_children() {
            return here;
        }
        let child_uses_rest =
            |child: &Node| matches!(search, Search::Exact) || child.has_children();
        let uses_rest = node
            .literals
            .values()
            .chain(node.param.as_deref())
            .any(child_uses_rest);
        let next = if uses_rest { quote!(rest) } else { quote!(_) };
        let literals: Vec<(&String, TokenStream)> = node
            .literals
            .iter()
            .map(|(text, child)| (text, self.node(child, search, params)))
            .collect();
        let literal_match = match literals.as_slice() {
            [] => quote!(),
            [(text, body)] => quote! { if segment == #text { #body } },
            _ => {
                let arms = literals
                    .iter()
                    .map(|(text, body)| quote! { #text => { #body } });
                quote! { match segment { #(#arms)* _ => {} } }
            }
        };
        let param = node.param.as_deref().map(|child| {
            let body = self.node(child, search, params + 1);
            let index = Literal::usize_unsuffixed(params);
            quote! {
                if !segment.is_empty() {
                    captures.set(#index, segment);
                    #body
                }
            }
        });
        quote! {
            #here
            if let Some(rest) = rest {
                let (segment, #next) = split_segment(rest);
                #literal_match
                #param
            }
        }
    }

    /// Returns the first of `routes` that accepts the method.
    fn found(&self, routes: &[usize]) -> TokenStream {
        let checks = routes.iter().map(|&index| {
            let name = &self.names[index];
            let found = quote! { return Some(Match { route: &#name, captures }); };
            if self.table.routes[index].methods.is_any() {
                found
            } else {
                quote! { if method.intersects(#name.methods) { #found } }
            }
        });
        quote! { #(#checks)* }
    }

    /// The checks for routes that match every path, and the function's final expression:
    /// the route without `methods` if there is one, else no match.
    fn catch_all(&self, routes: &[usize]) -> (TokenStream, TokenStream) {
        match routes.split_last() {
            Some((&last, others)) if self.table.routes[last].methods.is_any() => {
                let name = &self.names[last];
                (
                    self.found(others),
                    quote! { Some(Match { route: &#name, captures }) },
                )
            }
            _ => (self.found(routes), quote! { None }),
        }
    }
}
