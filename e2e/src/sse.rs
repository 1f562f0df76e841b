//! Server-sent events, parsed the way a browser's EventSource does (the fields this
//! project uses: `event` and `data`; comments and unknown fields are skipped).

#[derive(Debug, PartialEq, Eq)]
pub struct Event {
    pub event: String,
    pub data: String,
}

/// The complete events in `text` (an event ends with a blank line).
pub fn events(text: &str) -> Vec<Event> {
    let text = text.replace("\r\n", "\n");
    let Some((complete, _partial)) = text.rsplit_once("\n\n") else {
        return Vec::new();
    };
    complete
        .split("\n\n")
        .filter_map(|block| {
            let mut event = Event {
                event: "message".into(),
                data: String::new(),
            };
            let mut data_lines = Vec::new();
            for line in block.lines() {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event.event = value.into(),
                    "data" => data_lines.push(value),
                    _ => {}
                }
            }
            event.data = data_lines.join("\n");
            (!data_lines.is_empty()).then_some(event)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events_and_skips_comments_and_partial_ones() {
        let text = ": keep-alive\n\nevent: news\ndata: a\ndata: b\n\ndata: c\n\ndata: partial";
        assert_eq!(
            events(text),
            [
                Event {
                    event: "news".into(),
                    data: "a\nb".into()
                },
                Event {
                    event: "message".into(),
                    data: "c".into()
                },
            ]
        );
    }
}
