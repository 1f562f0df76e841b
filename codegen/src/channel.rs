//! Channel templates: `room-{room}` names a channel after a path parameter.

use fanout_router_core::channel::is_forbidden;

use crate::diagnostic::Fault;
use crate::model::Piece;

/// Pushpin silently drops subscriptions past this many per connection.
pub const MAX_CHANNELS: usize = 20;

pub fn parse(template: &str, params: &[&str]) -> Result<Vec<Piece>, Fault> {
    if template.is_empty() {
        return Err(Fault::new(
            0,
            "empty channel name",
            "name the channel, e.g. \"test\"",
        ));
    }
    if let Some((at, c)) = template.char_indices().find(|(_, c)| is_forbidden(*c)) {
        return Err(Fault::new(
            at,
            format!("channel name holds {c:?}, which Grip-Channel cannot carry"),
            "use letters, digits and punctuation other than `,` and `;`",
        ));
    }
    parse_template(template, params, "channel name")
}

/// Text and `{parameters}` of `params`: a channel name or a claim's value (`what`, in
/// messages).
pub fn parse_template(template: &str, params: &[&str], what: &str) -> Result<Vec<Piece>, Fault> {
    let mut pieces = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while !rest.is_empty() {
        let Some(open) = rest.find(['{', '}']) else {
            pieces.push(Piece::Text(rest.to_owned()));
            break;
        };
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        let close = rest[open..].find('}').map(|i| open + i);
        let Some(close) = close.filter(|_| rest[open..].starts_with('{')) else {
            return Err(Fault::new(
                offset + open,
                format!("unbalanced brace in {what}"),
                "write a parameter as {name}; braces cannot appear otherwise",
            ));
        };
        let name = &rest[open + 1..close];
        match params.iter().position(|p| *p == name) {
            Some(index) => pieces.push(Piece::Param(index)),
            None => {
                let known = if params.is_empty() {
                    "this route's pattern has no parameters".to_owned()
                } else {
                    format!("the pattern's parameters are {{{}}}", params.join("}, {"))
                };
                return Err(Fault::new(
                    offset + open,
                    format!("channel names unknown parameter `{{{name}}}`"),
                    known,
                ));
            }
        }
        offset += close + 1;
        rest = &rest[close + 1..];
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_and_parameters() {
        assert_eq!(parse("test", &[]), Ok(vec![Piece::Text("test".into())]));
        assert_eq!(
            parse("room-{room}-{id}", &["id", "room"]),
            Ok(vec![
                Piece::Text("room-".into()),
                Piece::Param(1),
                Piece::Text("-".into()),
                Piece::Param(0),
            ])
        );
    }

    #[test]
    fn rejects_bad_templates_at_the_fault() {
        let cases = [
            ("", 0, "empty channel name"),
            (
                "a,b",
                1,
                "channel name holds ',', which Grip-Channel cannot carry",
            ),
            (
                "a;b",
                1,
                "channel name holds ';', which Grip-Channel cannot carry",
            ),
            (
                "a b",
                1,
                "channel name holds ' ', which Grip-Channel cannot carry",
            ),
            ("x-{nope}", 2, "channel names unknown parameter `{nope}`"),
            ("x-{room", 2, "unbalanced brace in channel name"),
            ("x}", 1, "unbalanced brace in channel name"),
        ];
        for (template, offset, message) in cases {
            let err = parse(template, &["room"]).unwrap_err();
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{template}"
            );
        }
    }
}
