//! Parsing of `path` and `prefix` patterns: `/rooms/{room}/events`.

use crate::diagnostic::Fault;
use crate::model::{Pattern, Segment};
use fanout_router_core::path;
use fanout_router_core::route::{MAX_PARAMS, PatternKind};

/// Characters RFC 3986 allows in a path segment besides `%XX` escapes; anything else
/// never reaches the app unescaped, so a literal holding it could never match.
fn is_segment_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@%".contains(c)
}

pub fn parse(text: &str, kind: PatternKind) -> Result<Pattern, Fault> {
    let key = kind.key();
    let Some(rest) = text.strip_prefix('/') else {
        return Err(Fault::new(
            0,
            format!("{key} must start with `/`"),
            format!("write {key} = \"/{}\"", text.trim_start_matches('/')),
        ));
    };
    if let Some((offset, c)) = text
        .char_indices()
        .find(|(_, c)| matches!(c, '?' | '#') || c.is_whitespace() || c.is_control())
    {
        let what = match c {
            '?' => "a query (`?`), which routing never sees".to_owned(),
            '#' => "a fragment (`#`), which browsers never send".to_owned(),
            _ => format!("the character {c:?}"),
        };
        return Err(Fault::new(
            offset,
            format!("{key} holds {what}"),
            "routes match the path only: remove it, or percent-encode a literal character",
        ));
    }
    let mut segments = Vec::new();
    if rest.is_empty() {
        return Ok(Pattern {
            text: text.to_owned(),
            kind,
            segments,
        });
    }
    let mut offset = 1;
    for segment in rest.split('/') {
        segments.push(parse_segment(segment, offset, key, text)?);
        offset += segment.len() + 1;
    }
    let params: Vec<&str> = segments
        .iter()
        .filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
        .collect();
    for (i, name) in params.iter().enumerate() {
        if params[..i].contains(name) {
            let at = text.rfind(&format!("{{{name}}}")).unwrap_or(0);
            return Err(Fault::new(
                at,
                format!("parameter `{name}` appears twice in {key}"),
                "give each parameter its own name",
            ));
        }
    }
    if params.len() > MAX_PARAMS {
        return Err(Fault::new(
            0,
            format!(
                "{key} has {} parameters, more than {MAX_PARAMS}",
                params.len()
            ),
            "split the route, or match the rest with a prefix route",
        ));
    }
    Ok(Pattern {
        text: text.to_owned(),
        kind,
        segments,
    })
}

fn parse_segment(segment: &str, offset: usize, key: &str, text: &str) -> Result<Segment, Fault> {
    match segment {
        "" => {
            let trailing = offset == text.len();
            let help = if trailing {
                format!(
                    "remove the trailing `/`: write {key} = \"{}\" (a prefix route matches \
                     a trailing slash too)",
                    text.trim_end_matches('/')
                )
            } else {
                "remove the extra `/`".to_owned()
            };
            // Point at the `/` that opens the empty segment.
            return Err(Fault::new(
                offset - 1,
                format!("{key} has an empty segment"),
                help,
            ));
        }
        "." | ".." => {
            return Err(Fault::new(
                offset,
                format!("{key} has a `{segment}` segment"),
                "paths reach the app with dot segments resolved: write the path without them",
            ));
        }
        _ => {}
    }
    if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        let valid = inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(Fault::new(
                offset,
                format!("`{segment}` is not a valid parameter"),
                "name a parameter with letters, digits and `_`, starting with a letter: {room}",
            ));
        }
        return Ok(Segment::Param(inner.to_owned()));
    }
    if let Some(fault) = other_router_syntax(segment, offset, key, text) {
        return Err(fault);
    }
    if let Some(at) = segment.find(['{', '}']) {
        return Err(Fault::new(
            offset + at,
            format!("malformed parameter in segment `{segment}`"),
            "a parameter takes a whole segment: write /rooms/{room}, not /rooms/room-{room}",
        ));
    }
    if let Some((at, c)) = segment.char_indices().find(|(_, c)| !is_segment_char(*c)) {
        return Err(Fault::new(
            offset + at,
            format!("{key} holds {c:?}, which a request path never carries unescaped"),
            "percent-encode it as it appears in the URL",
        ));
    }
    normal_form(segment, offset, key)?;
    Ok(Segment::Literal(segment.to_owned()))
}

/// A literal segment must be in the normal form requests are routed in (core's
/// `path::normalise`), or no request could ever match it.
fn normal_form(segment: &str, offset: usize, key: &str) -> Result<(), Fault> {
    let at = segment.find('%').unwrap_or(0);
    match path::normalise(&format!("/{segment}")) {
        Ok(normal) if normal[1..] == *segment => Ok(()),
        Ok(normal) => Err(Fault::new(
            offset + at,
            format!("{key} segment `{segment}` is not in the normal form requests are routed in"),
            format!(
                "requests reach routing as `{}`: write that (see README, Path policy)",
                &normal[1..]
            ),
        )),
        Err(e) => Err(Fault::new(
            offset + at,
            format!("{key} segment `{segment}` can never match: {e}"),
            "requests holding it are refused with a 400 before routing",
        )),
    }
}

/// `:room` and `*`, which other routers read as a parameter and a wildcard, and which would
/// be literal text here.
fn other_router_syntax(segment: &str, offset: usize, key: &str, text: &str) -> Option<Fault> {
    if let Some(name) = segment.strip_prefix(':')
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Some(Fault::new(
            offset,
            format!("`{segment}` would match the literal text `{segment}`, not any segment"),
            format!("a parameter is written in braces: write `{{{name}}}`"),
        ));
    }
    if !segment.starts_with('*') {
        return None;
    }
    let above = match text[..offset - 1].trim_end_matches('/') {
        "" => "/",
        above => above,
    };
    let last = offset + segment.len() == text.len();
    let help = match (key, last) {
        ("prefix", true) => {
            format!("a prefix already matches everything below it: write prefix = \"{above}\"")
        }
        (_, true) => format!("to match everything below it, write prefix = \"{above}\""),
        _ => "to match any one segment, write a parameter such as `{name}`".to_owned(),
    };
    Some(Fault::new(
        offset,
        format!("`{segment}` is not a wildcard: it would match the literal text `{segment}`"),
        help,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Result<Vec<Segment>, Fault> {
        parse(text, PatternKind::Exact).map(|p| p.segments)
    }

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }

    #[test]
    fn parses_literals_and_parameters() {
        assert_eq!(exact("/"), Ok(vec![]));
        assert_eq!(exact("/a"), Ok(vec![lit("a")]));
        assert_eq!(
            exact("/rooms/{room}/events"),
            Ok(vec![
                lit("rooms"),
                Segment::Param("room".into()),
                lit("events")
            ])
        );
    }

    #[test]
    fn rejects_malformed_patterns_with_the_offset_of_the_fault() {
        let cases = [
            ("a", 0, "path must start with `/`"),
            (
                "/a?b",
                2,
                "path holds a query (`?`), which routing never sees",
            ),
            (
                "/a#b",
                2,
                "path holds a fragment (`#`), which browsers never send",
            ),
            ("/a b", 2, "path holds the character ' '"),
            ("/a//b", 2, "path has an empty segment"),
            ("/a/", 2, "path has an empty segment"),
            ("/a/../b", 3, "path has a `..` segment"),
            ("/./b", 1, "path has a `.` segment"),
            ("/{}", 1, "`{}` is not a valid parameter"),
            ("/{1a}", 1, "`{1a}` is not a valid parameter"),
            (
                "/room-{id}",
                6,
                "malformed parameter in segment `room-{id}`",
            ),
            ("/{a", 1, "malformed parameter in segment `{a`"),
            ("/a}", 2, "malformed parameter in segment `a}`"),
            ("/{a}/{a}", 5, "parameter `a` appears twice in path"),
            (
                "/é",
                1,
                "path holds 'é', which a request path never carries unescaped",
            ),
        ];
        for (text, offset, message) in cases {
            let err = exact(text).unwrap_err();
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{text}"
            );
        }
    }

    #[test]
    fn a_literal_must_be_in_the_normal_form_of_request_paths() {
        let cases = [
            ("/%74est", 1, "requests reach routing as `test`"),
            ("/a/b%2cc", 4, "requests reach routing as `b%2Cc`"),
            ("/a/x%2Fy", 4, "requests holding it are refused with a 400"),
            ("/a%zz", 2, "requests holding it are refused with a 400"),
        ];
        for (text, offset, help) in cases {
            let fault = parse(text, PatternKind::Exact).unwrap_err();
            assert_eq!(fault.offset, offset, "{text}");
            assert!(fault.help.starts_with(help), "{text}: {}", fault.help);
        }
        assert!(parse("/caf%C3%A9/a%2Cb", PatternKind::Exact).is_ok());
    }

    #[test]
    fn a_trailing_slash_suggests_the_pattern_without_it() {
        let err = parse("/api/", PatternKind::Prefix).unwrap_err();
        assert!(err.help.contains("prefix = \"/api\""), "{}", err.help);
    }

    #[test]
    fn limits_the_number_of_parameters() {
        let text: String = (0..=MAX_PARAMS).map(|i| format!("/{{p{i}}}")).collect();
        let err = exact(&text).unwrap_err();
        assert!(err.message.contains("more than 8"), "{}", err.message);
    }
}
