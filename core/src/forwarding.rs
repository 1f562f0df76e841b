//! What a backend is told about the client. The app is the edge: nothing in front of it
//! can be trusted to have set a forwarding header, so a client's own values are removed and
//! the app sets its own, on every request it sends on (through Fanout or directly).

use std::net::IpAddr;

/// Request headers that name the client or the way it connected. Only the edge may set
/// them; `Fastly-Client-IP` is the one Fastly's own services set, the others are the
/// conventions origins commonly read.
const EDGE_HEADERS: [&str; 9] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-real-ip",
    "x-client-ip",
    "fastly-client-ip",
    "true-client-ip",
];

/// Whether a client's request header `name` is removed before the request goes on: the
/// edge headers, and `Grip-*`, which only Fanout may send a backend. On a WebSocket
/// handshake, `Content-Type` too: a handshake has no body, and Fanout puts its own on the
/// WebSocket-over-HTTP requests it makes of it, after the client's.
pub fn removed(name: &str, websocket: bool) -> bool {
    EDGE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
        || name
            .get(..5)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("grip-"))
        || (websocket && name.eq_ignore_ascii_case("content-type"))
}

/// What the platform knows about the client.
pub struct Client<'a> {
    pub ip: Option<IpAddr>,
    pub https: bool,
    /// The `Host` the client asked for, when it is text.
    pub host: Option<&'a str>,
}

/// The headers the app sets in place of the removed ones.
pub fn headers(client: &Client) -> Vec<(&'static str, String)> {
    let mut headers = Vec::with_capacity(4);
    if let Some(ip) = client.ip {
        headers.push(("Fastly-Client-IP", ip.to_string()));
        headers.push(("X-Forwarded-For", ip.to_string()));
    }
    let proto = if client.https { "https" } else { "http" };
    headers.push(("X-Forwarded-Proto", proto.to_owned()));
    if let Some(host) = client.host {
        headers.push(("X-Forwarded-Host", host.to_owned()));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spoofable_header_is_removed_whatever_its_case() {
        for name in [
            "Forwarded",
            "X-Forwarded-For",
            "x-forwarded-host",
            "X-FORWARDED-PROTO",
            "X-Forwarded-Port",
            "X-Real-IP",
            "X-Client-IP",
            "Fastly-Client-IP",
            "True-Client-IP",
            "Grip-Sig",
            "grip-last",
        ] {
            assert!(removed(name, false), "{name}");
        }
        for name in [
            "Host",
            "Authorization",
            "Cookie",
            "Accept",
            "Grip",
            "X-Forwarded",
        ] {
            assert!(!removed(name, false), "{name}");
        }
        assert!(removed("Content-Type", true));
        assert!(!removed("Content-Type", false));
    }

    #[test]
    fn the_app_names_the_client_its_scheme_and_host() {
        let client = Client {
            ip: Some("203.0.113.7".parse().unwrap()),
            https: true,
            host: Some("api.example.com"),
        };
        assert_eq!(
            headers(&client),
            [
                ("Fastly-Client-IP", "203.0.113.7".to_owned()),
                ("X-Forwarded-For", "203.0.113.7".to_owned()),
                ("X-Forwarded-Proto", "https".to_owned()),
                ("X-Forwarded-Host", "api.example.com".to_owned()),
            ]
        );
        let unknown = Client {
            ip: None,
            https: false,
            host: None,
        };
        assert_eq!(
            headers(&unknown),
            [("X-Forwarded-Proto", "http".to_owned())]
        );
    }
}
