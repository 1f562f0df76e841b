//! Cross-origin access for browser front ends on another origin: the `[cors.NAME]`
//! policies of routes.toml. The app answers a preflight itself, on the first pass, and
//! marks the responses it builds for an allowed origin. Browsers apply no CORS to
//! WebSockets, so the app checks a WebSocket handshake's `Origin` itself.

use crate::response::Response;

/// One `[cors.NAME]` table.
#[derive(Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: &'static str,
    /// Exact origins (`https://app.example.com`); empty means any origin, which the build
    /// allows only without credentials.
    pub origins: &'static [&'static str],
    /// Methods a cross-origin request may use.
    pub methods: &'static [&'static str],
    /// Request headers a cross-origin request may set, in lower case.
    pub headers: &'static [&'static str],
    /// Whether the browser may send cookies and read the response with them.
    pub credentials: bool,
    pub max_age_secs: u32,
}

impl Policy {
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.is_empty() || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// The headers that let the browser read a response to `origin`, when it is allowed.
    pub fn response_headers(&self, origin: &str) -> Vec<(&'static str, String)> {
        if !self.allows(origin) {
            return vec![("Vary", "Origin".to_owned())];
        }
        let mut headers = vec![
            ("Access-Control-Allow-Origin", origin.to_owned()),
            ("Vary", "Origin".to_owned()),
        ];
        if self.credentials {
            headers.push(("Access-Control-Allow-Credentials", "true".to_owned()));
        }
        headers
    }

    /// The answer to a preflight from `origin` for `method` with `request_headers` (the
    /// `Access-Control-Request-Headers` list): 204 with what is allowed, or 403 saying what
    /// is not.
    pub fn preflight(&self, origin: &str, method: &str, request_headers: &str) -> Response {
        if !self.allows(origin) {
            return refuse(&format!("origin {origin} is not allowed"));
        }
        if !self.methods.contains(&method) {
            return refuse(&format!("method {method} is not allowed"));
        }
        let requested = request_headers
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty());
        for header in requested {
            if !self.headers.iter().any(|h| h.eq_ignore_ascii_case(header)) {
                return refuse(&format!("request header {header} is not allowed"));
            }
        }
        let mut response = Response {
            status: 204,
            headers: self.response_headers(origin),
            body: Vec::new(),
        };
        response.headers.extend([
            ("Access-Control-Allow-Methods", self.methods.join(", ")),
            ("Access-Control-Max-Age", self.max_age_secs.to_string()),
        ]);
        if !self.headers.is_empty() {
            response
                .headers
                .push(("Access-Control-Allow-Headers", self.headers.join(", ")));
        }
        response
    }
}

/// The policy code the decision calls, through pointers that only the generated table's
/// `FEATURES` names, and only when a route has a CORS policy: a route set without one
/// carries none of it.
#[derive(Clone, Copy)]
pub struct Calls {
    pub preflight: fn(&Policy, &str, &str, &str) -> Response,
    pub response_headers: fn(&Policy, &str) -> Vec<(&'static str, String)>,
    pub allows: fn(&Policy, &str) -> bool,
}

pub const CALLS: Calls = Calls {
    preflight: Policy::preflight,
    response_headers: Policy::response_headers,
    allows: Policy::allows,
};

fn refuse(why: &str) -> Response {
    let mut response = Response::text(403, &format!("CORS preflight refused: {why}\n"));
    response.headers.push(("Vary", "Origin".to_owned()));
    response
}

/// Whether a WebSocket handshake from `origin` is same-origin with `host` (the `Host` it
/// was sent to): the only cross-site WebSocket a route without a CORS policy takes.
pub fn same_origin(origin: &str, host: &str) -> bool {
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    static FRONT_END: Policy = Policy {
        name: "front-end",
        origins: &["https://app.example.com"],
        methods: &["GET", "POST"],
        headers: &["authorization", "last-event-id"],
        credentials: true,
        max_age_secs: 600,
    };

    static ANY: Policy = Policy {
        name: "any",
        origins: &[],
        methods: &["GET"],
        headers: &[],
        credentials: false,
        max_age_secs: 60,
    };

    #[test]
    fn an_allowed_origin_may_read_the_response() {
        assert_eq!(
            FRONT_END.response_headers("https://app.example.com"),
            [
                (
                    "Access-Control-Allow-Origin",
                    "https://app.example.com".to_owned()
                ),
                ("Vary", "Origin".to_owned()),
                ("Access-Control-Allow-Credentials", "true".to_owned()),
            ]
        );
        assert_eq!(
            FRONT_END.response_headers("https://evil.example"),
            [("Vary", "Origin".to_owned())]
        );
        assert_eq!(ANY.response_headers("https://x.example").len(), 2);
    }

    #[test]
    fn a_preflight_is_answered_with_what_is_allowed() {
        let ok = FRONT_END.preflight("https://app.example.com", "GET", "Authorization");
        assert_eq!(ok.status, 204);
        assert_eq!(ok.header("Access-Control-Allow-Methods"), Some("GET, POST"));
        assert_eq!(
            ok.header("Access-Control-Allow-Headers"),
            Some("authorization, last-event-id")
        );
        assert_eq!(ok.header("Access-Control-Max-Age"), Some("600"));
        assert_eq!(ok.header("Access-Control-Allow-Credentials"), Some("true"));
        let refused = [
            ("https://evil.example", "GET", ""),
            ("https://app.example.com", "DELETE", ""),
            ("https://app.example.com", "GET", "authorization, x-secret"),
        ];
        for (origin, method, headers) in refused {
            let response = FRONT_END.preflight(origin, method, headers);
            assert_eq!(response.status, 403, "{origin} {method} {headers}");
            assert_eq!(response.header("Access-Control-Allow-Origin"), None);
        }
    }

    #[test]
    fn same_origin_compares_the_authority_with_the_host() {
        assert!(same_origin("http://127.0.0.1:7676", "127.0.0.1:7676"));
        assert!(same_origin("https://App.Example.com", "app.example.com"));
        assert!(!same_origin("https://evil.example", "app.example.com"));
        assert!(!same_origin("null", "app.example.com"));
    }
}
