//! Errors in routes.toml, located by line and column and carrying what to write instead.

use std::fmt;
use std::ops::Range;

/// A file being read, kept whole so byte offsets can be turned into lines and columns.
pub struct Source<'a> {
    /// The path as it should appear in messages, relative to the package.
    pub name: &'a str,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Source<'a> {
        Source { name, text }
    }

    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            file: self.name.to_owned(),
            line,
            column,
        }
    }
}

/// An error inside one string value (a pattern or a channel name), at a byte offset of the
/// value; validation turns it into a [`Diagnostic`] at the matching place in the file.
#[derive(Debug, PartialEq, Eq)]
pub struct Fault {
    pub offset: usize,
    pub message: String,
    pub help: String,
}

impl Fault {
    pub fn new(offset: usize, message: impl Into<String>, help: impl Into<String>) -> Fault {
        Fault {
            offset,
            message: message.into(),
            help: help.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One error: where, what is wrong, what to write instead, and for a conflict the other place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
    pub help: Option<String>,
    pub related: Option<(Location, String)>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if let Some((location, note)) = &self.related {
            write!(f, "\n{location}: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\nhelp: {help}")?;
        }
        Ok(())
    }
}

/// Builds diagnostics for one source file from byte spans.
pub struct Reporter<'a> {
    source: &'a Source<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub fn new(source: &'a Source<'a>) -> Self {
        Reporter {
            source,
            diagnostics: Vec::new(),
        }
    }

    pub fn error(
        &mut self,
        span: &Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(span, message.into(), Some(help.into()), None);
    }

    /// An error about two places, such as a duplicate: `span` is the second, `other` the first.
    pub fn conflict(
        &mut self,
        span: &Range<usize>,
        message: impl Into<String>,
        other: &Range<usize>,
        note: impl Into<String>,
        help: impl Into<String>,
    ) {
        let related = Some((self.source.location(other.start), note.into()));
        self.push(span, message.into(), Some(help.into()), related);
    }

    fn push(
        &mut self,
        span: &Range<usize>,
        message: String,
        help: Option<String>,
        related: Option<(Location, String)>,
    ) {
        self.diagnostics.push(Diagnostic {
            location: self.source.location(span.start),
            message,
            help,
            related,
        });
    }

    pub fn location(&self, offset: usize) -> Location {
        self.source.location(offset)
    }

    /// How many errors were reported so far.
    pub fn count(&self) -> usize {
        self.diagnostics.len()
    }

    pub fn finish(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_lines_and_characters_from_one() {
        let source = Source {
            name: "routes.toml",
            text: "a = 1\nbé = \"x\"\n",
        };
        assert_eq!(source.location(0).to_string(), "routes.toml:1:1");
        assert_eq!(source.location(6).to_string(), "routes.toml:2:1");
        // `é` is two bytes but one column.
        assert_eq!(source.location(10).to_string(), "routes.toml:2:4");
    }
}
