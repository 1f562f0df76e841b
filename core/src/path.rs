//! The one normal form of a request path. The app routes on it, and every request it sends
//! on (to Fanout or straight to a backend) carries it, so no layer behind the app can read
//! the path differently from the route that let the request through.
//!
//! The normal form is RFC 3986's syntax-based normalisation (section 6.2.2) plus two rules
//! of our own, so any layer that normalises by the RFC (Pushpin's URL parser does) leaves
//! it as it is:
//! - a percent-escape of an unreserved character is decoded (`%74` is `t`, `%7E` is `~`);
//!   every other escape is kept, with upper-case hex digits (`%2f` is `%2F`);
//! - `\` is read as `/`, as the WHATWG URL standard and the Compute platform read it;
//! - `.` and `..` segments are resolved, also when they were escaped (`%2E%2E`);
//! - runs of `/` are merged into one (`//a` is `/a`); a trailing `/` is kept;
//! - the query's escapes are normalised the same way, and nothing else in it;
//! - refused, because layers disagree about them: an escaped `/` or `\` (`%2F`, `%5C`),
//!   an escaped control character (`%00`-`%1F`, `%7F`), and a `%` that does not start an
//!   escape.

use std::fmt;

/// Why a path has no normal form; sent to the client in a 400.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
    /// Not an absolute path: it does not start with `/`.
    NotAbsolute,
    /// A `%` not followed by two hexadecimal digits, in the path or the query.
    MalformedEscape,
    /// `%2F` or `%5C`: a segment separator that some layers decode and others do not.
    EncodedSeparator,
    /// `%00`-`%1F` or `%7F`.
    EncodedControl,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::NotAbsolute => "the path does not start with `/`",
            PathError::MalformedEscape => {
                "the path or query holds a `%` that is not a percent-escape"
            }
            PathError::EncodedSeparator => {
                "the path holds an escaped `/` or `\\` (%2F, %5C), which servers read differently"
            }
            PathError::EncodedControl => "the path holds an escaped control character",
        })
    }
}

impl std::error::Error for PathError {}

/// The normal form of a request target: the app routes on `path`, and every request it
/// sends on carries both.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub path: String,
    pub query: Option<String>,
}

impl Target {
    /// The normal form of `path` and `query`, or why they have none.
    pub fn normalise(path: &str, query: Option<&str>) -> Result<Target, PathError> {
        Ok(Target {
            path: normalise(path)?,
            query: query.map(normalise_query).transpose()?,
        })
    }
}

/// The normal form of a host, as `Host` or the URL names it, that routes are matched on:
/// in lower case, without its port or a trailing dot (`API.Example.com.:443` is
/// `api.example.com`; `[::1]:8080` is `[::1]`).
pub fn normalise_host(host: &str) -> String {
    let host = host.trim();
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.find(']').map_or(host, |end| &host[..end + 2]),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// The normal form of `path` (without its query), or why it has none. A path already in
/// normal form comes back unchanged, so normalising twice is normalising once.
pub fn normalise(path: &str) -> Result<String, PathError> {
    if !path.starts_with(['/', '\\']) {
        return Err(PathError::NotAbsolute);
    }
    let decoded = normalise_escapes(path, Part::Path)?;
    let mut segments: Vec<&str> = Vec::new();
    let mut pieces = decoded.split('/').skip(1).peekable();
    while let Some(segment) = pieces.next() {
        let last = pieces.peek().is_none();
        match segment {
            "." | ".." => {
                if segment == ".." {
                    segments.pop();
                }
                // `/a/..` is `/`, and `/a/.` is `/a/`: the last dot segment leaves a slash.
                if last {
                    segments.push("");
                }
            }
            "" if !last => {}
            _ => segments.push(segment),
        }
    }
    let mut normal = String::with_capacity(decoded.len());
    for segment in &segments {
        normal.push('/');
        normal.push_str(segment);
    }
    if normal.is_empty() {
        normal.push('/');
    }
    Ok(normal)
}

/// Which part of the target is being normalised: only in the path do `/` and `\\`
/// separate segments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Path,
    Query,
}

/// `text` with unreserved characters unescaped and other escapes in upper case; in the
/// path, `\\` read as `/` and the escapes that have no normal form refused.
fn normalise_escapes(text: &str, part: Part) -> Result<String, PathError> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let digit = |at: usize| bytes.get(at).and_then(|&b| char::from(b).to_digit(16));
                let (Some(high), Some(low)) = (digit(i + 1), digit(i + 2)) else {
                    return Err(PathError::MalformedEscape);
                };
                let value = (high * 16 + low) as u8;
                match value {
                    _ if is_unreserved(value) => out.push(char::from(value)),
                    b'/' | b'\\' if part == Part::Path => return Err(PathError::EncodedSeparator),
                    0x00..=0x1f | 0x7f if part == Part::Path => {
                        return Err(PathError::EncodedControl);
                    }
                    _ => out.push_str(&format!("%{value:02X}")),
                }
                i += 3;
            }
            b'\\' if part == Part::Path => {
                out.push('/');
                i += 1;
            }
            _ => {
                // Copies a whole character, so that `out` stays UTF-8.
                let width = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[i..i + width]);
                i += width;
            }
        }
    }
    Ok(out)
}

/// The normal form of a query: its escapes normalised as in the path (unreserved ones
/// decoded, the others in upper case), since the layers behind the app decode them too.
/// `/`, `\\` and escaped controls mean nothing special in a query and are kept.
pub fn normalise_query(query: &str) -> Result<String, PathError> {
    normalise_escapes(query, Part::Query)
}

/// RFC 3986 section 2.3: the characters whose escapes mean the same as the characters.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_case_port_and_trailing_dot() {
        for (host, normal) in [
            ("api.example.com", "api.example.com"),
            ("API.Example.COM", "api.example.com"),
            ("api.example.com:8443", "api.example.com"),
            ("api.example.com.", "api.example.com"),
            ("Api.Example.com.:80", "api.example.com"),
            ("[::1]:7676", "[::1]"),
            ("[::1]", "[::1]"),
            ("127.0.0.1:7676", "127.0.0.1"),
            ("", ""),
        ] {
            assert_eq!(normalise_host(host), normal, "{host}");
            assert_eq!(normalise_host(normal), normal, "twice: {host}");
        }
    }

    #[test]
    fn a_path_in_normal_form_is_unchanged() {
        for path in [
            "/",
            "/test/stream",
            "/test/stream/",
            "/Rooms/A",
            "/rooms/caf%C3%A9",
            "/a%20b/c%3Bd%2Ce%25f%3F%23",
            "/a..b/.c/d.",
            "/a:b@c!$&'()*+,;=",
        ] {
            assert_eq!(normalise(path).as_deref(), Ok(path), "{path}");
        }
    }

    #[test]
    fn unreserved_escapes_are_decoded_and_others_upper_cased() {
        let cases = [
            ("/%74est/stream", "/test/stream"),
            ("/%7e%41%2D%2e%5F", "/~A-._"),
            ("/a%2cb%c3%a9", "/a%2Cb%C3%A9"),
            ("/%25", "/%25"),
            ("/%2574", "/%2574"),
        ];
        for (path, normal) in cases {
            assert_eq!(normalise(path).as_deref(), Ok(normal), "{path}");
        }
    }

    #[test]
    fn dot_segments_are_resolved_also_when_escaped() {
        let cases = [
            ("/test/stream/../../echo", "/echo"),
            ("/a/./b", "/a/b"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/..", "/"),
            ("/../../a", "/a"),
            ("/a/%2E%2e/b", "/b"),
            ("/a/.%2E/b", "/b"),
            ("/a/%2E/b", "/a/b"),
        ];
        for (path, normal) in cases {
            assert_eq!(normalise(path).as_deref(), Ok(normal), "{path}");
        }
    }

    #[test]
    fn backslashes_are_slashes_and_runs_of_slashes_merge() {
        let cases = [
            ("/test\\stream", "/test/stream"),
            ("\\test", "/test"),
            ("//test//stream", "/test/stream"),
            ("/test/stream//", "/test/stream/"),
            ("//", "/"),
            ("/a/\\/b", "/a/b"),
        ];
        for (path, normal) in cases {
            assert_eq!(normalise(path).as_deref(), Ok(normal), "{path}");
        }
    }

    #[test]
    fn paths_without_a_normal_form_are_refused() {
        let cases = [
            ("", PathError::NotAbsolute),
            ("test", PathError::NotAbsolute),
            ("*", PathError::NotAbsolute),
            ("/a%2Fb", PathError::EncodedSeparator),
            ("/a%2fb", PathError::EncodedSeparator),
            ("/a%5Cb", PathError::EncodedSeparator),
            ("/a%00", PathError::EncodedControl),
            ("/a%0A", PathError::EncodedControl),
            ("/a%7F", PathError::EncodedControl),
            ("/a%", PathError::MalformedEscape),
            ("/a%4", PathError::MalformedEscape),
            ("/a%zz", PathError::MalformedEscape),
            ("/a%+1", PathError::MalformedEscape),
            ("/a%-1", PathError::MalformedEscape),
        ];
        for (path, error) in cases {
            assert_eq!(normalise(path), Err(error), "{path}");
        }
    }

    #[test]
    fn a_query_has_its_escapes_normalised_and_nothing_else() {
        let cases = [
            ("x=%74&y=%2f", Ok("x=t&y=%2F")),
            ("next=/a/../b\\c&z=%00", Ok("next=/a/../b\\c&z=%00")),
            ("q=caf%c3%a9", Ok("q=caf%C3%A9")),
            ("q=%", Err(PathError::MalformedEscape)),
        ];
        for (query, normal) in cases {
            let normalised = normalise_query(query);
            assert_eq!(normalised.as_deref().map_err(|e| *e), normal, "{query}");
        }
    }

    #[test]
    fn normalising_twice_is_normalising_once() {
        let mut rng = fastrand::Rng::with_seed(7);
        const ALPHABET: &[&str] = &[
            "/", "\\", ".", "..", "a", "%2E", "%2e", "%74", "%2C", "%c3", "%25", "%", "~", "é",
        ];
        for _ in 0..20_000 {
            let path: String = (0..rng.usize(..10))
                .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
                .collect();
            let path = format!("/{path}");
            if let Ok(normal) = normalise(&path) {
                assert_eq!(normalise(&normal).as_deref(), Ok(normal.as_str()), "{path}");
                assert!(!normal.contains("//"), "{path} -> {normal}");
                assert!(
                    !normal.split('/').any(|s| s == "." || s == ".."),
                    "{path} -> {normal}"
                );
            }
        }
    }
}
