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

fn signers(signers: &SignersDef) -> TokenStream {
    let production = match &signers.production {
        None => quote!(None),
        Some((issuer, point)) => {
            // Every byte as `\xNN`, which reads more evenly than printable bytes mixed in.
            let escaped: String = point.iter().map(|byte| format!("\\x{byte:02x}")).collect();
            let point: Literal = format!("b\"{escaped}\"").parse().expect("a byte string");
            quote!(Some(PublicSigner { issuer: #issuer, public_key: #point }))
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
            let base: String = words
                .join("_")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            unique_ident(&mut taken, base)
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
    quote! {
        static #name: Route = Route {
            pattern: #pattern,
            kind: #kind,
            methods: #methods,
            params: &[#(#params),*],
            action: #action,
            channels: &[#(#channels),*],
            auth: None,
            cors: None,
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

/// The lookup splits the path once into its first segments (as many as the longest
/// pattern has) and counts them. The `path` routes are grouped by their number of segments,
/// so only the group of the path's count is searched; then come the prefixes, longest
/// first, over the same segments. Each group is a trie walked with literal segments tried
/// before parameters, and a failed branch falls through to the next candidate: exactly the
/// precedence order, so the first route found is the answer.
fn lookup(table: &Table, names: &[Ident]) -> TokenStream {
    let mut exact: BTreeMap<usize, Node> = BTreeMap::new();
    let mut prefixes: BTreeMap<usize, Node> = BTreeMap::new();
    for (index, route) in table.routes.iter().enumerate() {
        let segments = &route.pattern.segments;
        let tries = match route.pattern.kind {
            PatternKind::Exact => &mut exact,
            PatternKind::Prefix => &mut prefixes,
        };
        tries
            .entry(segments.len())
            .or_default()
            .insert(segments, index);
    }
    let depth = table
        .routes
        .iter()
        .map(|r| r.pattern.segments.len())
        .max()
        .unwrap_or(0);
    let any_methods = table.routes.iter().any(|r| !r.methods.is_any());
    let mut emit = Emitter {
        table,
        names,
        depth: Literal::usize_unsuffixed(depth),
        functions: Vec::new(),
        function_names: BTreeSet::new(),
    };
    // The prefixes of no segment match every path: they end the function.
    let catch_all = prefixes
        .remove(&0)
        .map_or_else(Vec::new, |node| node.routes);
    let mut exact_arms = Vec::new();
    for (&count, node) in &exact {
        let walk = &mut Walk::new(PatternKind::Exact, format!("exact_{count}"));
        exact_arms.push((Literal::usize_unsuffixed(count), emit.node(node, 0, walk)));
    }
    let exact_search = switch(quote!(count), exact_arms);
    let mut prefix_searches = Vec::new();
    for (&length, node) in prefixes.iter().rev() {
        let walk = &mut Walk::new(PatternKind::Prefix, format!("prefix_{length}"));
        let body = emit.node(node, 0, walk);
        let length = Literal::usize_unsuffixed(length);
        prefix_searches.push(quote! { if count >= #length { #body } });
    }
    let (catch_all_checks, tail) = emit.catch_all(&catch_all);
    let start = if exact.is_empty() && prefixes.is_empty() {
        quote! { path.strip_prefix('/')?; }
    } else {
        let depth = &emit.depth;
        quote! {
            let mut seg = [""; #depth];
            let count = split_path(path.strip_prefix('/')?, &mut seg);
        }
    };
    let (method_arg, method_set) = if any_methods {
        (quote!(method), quote!(let method = Methods::of(method);))
    } else {
        (quote!(_method), quote!())
    };
    let functions = emit.functions;
    quote! {
        /// The route that handles a request with this method and path, and the values its
        /// parameters captured. Allocates nothing.
        pub fn lookup<'p>(#method_arg: &str, path: &'p str) -> Option<Match<'p>> {
            #method_set
            #start
            #exact_search
            #(#prefix_searches)*
            #catch_all_checks
            #tail
        }
        #(#functions)*
    }
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

/// Where a trie walk is: which routes, the parameters captured and the segments on the way.
struct Walk {
    /// Which routes are walked, for the doc of functions split off this walk.
    kind: PatternKind,
    /// Names the functions split off this walk: `exact_3`, `prefix_2`.
    label: String,
    /// Depths of the parameters on the way here.
    captured: Vec<usize>,
    /// The segments on the way here, `p` for a parameter, to name functions.
    trail: Vec<String>,
}

impl Walk {
    fn new(kind: PatternKind, label: String) -> Walk {
        Walk {
            kind,
            label,
            captured: Vec::new(),
            trail: Vec::new(),
        }
    }
}

impl Emitter<'_> {
    /// Code for a trie node at `depth` segments.
    fn node(&mut self, node: &Node, depth: usize, walk: &mut Walk) -> TokenStream {
        let here = self.found(&node.routes, &walk.captured);
        let mut literals: Vec<(&str, TokenStream)> = Vec::new();
        for (text, child) in &node.literals {
            walk.trail.push(text.clone());
            literals.push((text.as_str(), self.child(child, depth + 1, walk)));
            walk.trail.pop();
        }
        let literals = self.literals(depth, &literals);
        let param = node.param.as_deref().map(|child| {
            walk.captured.push(depth);
            walk.trail.push("p".to_owned());
            let body = self.child(child, depth + 1, walk);
            walk.trail.pop();
            walk.captured.pop();
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
        let (method_param, method_arg) = if self.lists_methods(child) {
            (quote!(, method: Methods), quote!(, method))
        } else {
            (quote!(), quote!())
        };
        let function = quote! {
            #[doc = #doc]
            fn #name<'p>(seg: [&'p str; #n] #method_param) -> Option<Match<'p>> {
                #body
                None
            }
        };
        let call = quote! {
            if let Some(found) = #name(seg #method_arg) {
                return Some(found);
            }
        };
        self.functions.push(function);
        call
    }

    /// Whether a route in this subtree lists methods.
    fn lists_methods(&self, node: &Node) -> bool {
        node.routes
            .iter()
            .any(|&i| !self.table.routes[i].methods.is_any())
            || node
                .literals
                .values()
                .any(|child| self.lists_methods(child))
            || node
                .param
                .as_deref()
                .is_some_and(|child| self.lists_methods(child))
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

    /// Dispatch on segment `depth` among literal children. Up to [`SMALL_MATCH`] of them, a
    /// plain `match` on the string; past it, the string's length picks a group, and within
    /// a large group, the byte that tells most of its strings apart, so the code that runs
    /// stays short however many literals a node has.
    fn literals(&self, depth: usize, literals: &[(&str, TokenStream)]) -> TokenStream {
        let index = Literal::usize_unsuffixed(depth);
        if literals.len() <= SMALL_MATCH {
            let group: Vec<&(&str, TokenStream)> = literals.iter().collect();
            return self.same_length(&index, &group);
        }
        let mut by_length: BTreeMap<usize, Vec<&(&str, TokenStream)>> = BTreeMap::new();
        for literal in literals {
            by_length.entry(literal.0.len()).or_default().push(literal);
        }
        let arms = by_length.iter().map(|(length, group)| {
            let body = self.same_length(&index, group);
            (Literal::usize_unsuffixed(*length), body)
        });
        switch(quote!(seg[#index].len()), arms)
    }

    /// Dispatch among literals of one length (or a few literals of any length).
    fn same_length(&self, index: &Literal, group: &[&(&str, TokenStream)]) -> TokenStream {
        if group.len() <= SMALL_MATCH {
            let arms = group.iter().map(|(text, body)| (text, body.clone()));
            return switch(quote!(seg[#index]), arms);
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
            let body = self.same_length(index, subgroup);
            (Literal::byte_character(byte), body)
        });
        let position = Literal::usize_unsuffixed(position);
        switch(quote!(seg[#index].as_bytes()[#position]), arms)
    }

    /// Returns the first of `routes` that accepts the method, with the segments at the
    /// depths in `captured` as its parameters.
    fn found(&self, routes: &[usize], captured: &[usize]) -> TokenStream {
        let captures = captures(captured);
        let checks = routes.iter().map(|&index| {
            let name = &self.names[index];
            let found = quote! { return Some(Match { route: &#name, captures: #captures }); };
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
                    self.found(others, &[]),
                    quote! { Some(Match { route: &#name, captures: Captures::default() }) },
                )
            }
            _ => (self.found(routes, &[]), quote! { None }),
        }
    }
}

/// `Captures::of([seg[1], seg[3]])` for parameters at depths 1 and 3.
fn captures(captured: &[usize]) -> TokenStream {
    if captured.is_empty() {
        return quote!(Captures::default());
    }
    let values = captured.iter().map(|&depth| {
        let depth = Literal::usize_unsuffixed(depth);
        quote!(seg[#depth])
    });
    quote!(Captures::of([#(#values),*]))
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
