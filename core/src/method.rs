//! HTTP methods as a bit set, so a route's method list is checked with one `&`.

/// A set of HTTP methods. `OTHER` stands for every extension method, which only a route
/// without a method list accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Methods(u16);

impl Methods {
    pub const GET: Methods = Methods(1 << 0);
    pub const HEAD: Methods = Methods(1 << 1);
    pub const POST: Methods = Methods(1 << 2);
    pub const PUT: Methods = Methods(1 << 3);
    pub const DELETE: Methods = Methods(1 << 4);
    pub const PATCH: Methods = Methods(1 << 5);
    pub const OPTIONS: Methods = Methods(1 << 6);
    pub const CONNECT: Methods = Methods(1 << 7);
    pub const TRACE: Methods = Methods(1 << 8);
    pub const OTHER: Methods = Methods(1 << 9);
    pub const ANY: Methods = Methods((1 << 10) - 1);

    /// The standard methods a route may list, by name.
    pub const NAMED: [(&'static str, Methods); 9] = [
        ("GET", Methods::GET),
        ("HEAD", Methods::HEAD),
        ("POST", Methods::POST),
        ("PUT", Methods::PUT),
        ("DELETE", Methods::DELETE),
        ("PATCH", Methods::PATCH),
        ("OPTIONS", Methods::OPTIONS),
        ("CONNECT", Methods::CONNECT),
        ("TRACE", Methods::TRACE),
    ];

    pub const fn from_bits(bits: u16) -> Methods {
        Methods(bits & Methods::ANY.0)
    }

    pub const fn bits(self) -> u16 {
        self.0
    }

    /// The method of a request. Method names are case-sensitive (RFC 9110), so `get` is an
    /// extension method.
    pub fn of(method: &str) -> Methods {
        Methods::NAMED
            .iter()
            .find(|(name, _)| *name == method)
            .map_or(Methods::OTHER, |&(_, m)| m)
    }

    pub const fn union(self, other: Methods) -> Methods {
        Methods(self.0 | other.0)
    }

    pub const fn intersects(self, other: Methods) -> bool {
        self.0 & other.0 != 0
    }

    pub const fn is_any(self) -> bool {
        self.0 == Methods::ANY.0
    }

    /// Names of the standard methods in the set, for messages and the `Allow` header.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Methods::NAMED
            .into_iter()
            .filter(move |(_, m)| self.intersects(*m))
            .map(|(name, _)| name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_are_recognised_case_sensitively() {
        assert_eq!(Methods::of("GET"), Methods::GET);
        assert_eq!(Methods::of("TRACE"), Methods::TRACE);
        assert_eq!(Methods::of("get"), Methods::OTHER);
        assert_eq!(Methods::of("PURGE"), Methods::OTHER);
    }

    #[test]
    fn any_holds_every_method_including_extensions() {
        for (_, m) in Methods::NAMED {
            assert!(Methods::ANY.intersects(m));
        }
        assert!(Methods::ANY.intersects(Methods::OTHER));
        assert!(!Methods::GET.union(Methods::HEAD).intersects(Methods::OTHER));
    }

    #[test]
    fn names_lists_members_in_standard_order() {
        let set = Methods::HEAD.union(Methods::GET);
        assert_eq!(set.names().collect::<Vec<_>>(), ["GET", "HEAD"]);
    }
}
