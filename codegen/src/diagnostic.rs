//! Errors in routes.toml, located by line and column and carrying what to write instead.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{Annotation, AnnotationKind, Level, Renderer, Snippet};

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
        self.locate(&(offset..offset))
    }

    /// Where `span` starts, keeping the span itself for the rendered snippet.
    pub fn locate(&self, span: &Range<usize>) -> Location {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            file: self.name.to_owned(),
            line,
            column,
            span: start..span.end.clamp(start, self.text.len()),
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
    /// The bytes of the file the error is about, underlined when rendered.
    pub span: Range<usize>,
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
    /// What the caret under `location` says, when it needs saying: for a conflict, which
    /// of the two places this is.
    pub label: Option<String>,
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

impl Diagnostic {
    /// The error as rustc shows one: the message, then each place in its file with the
    /// line under a caret (the other place of a conflict underlined with `-` and labelled),
    /// then the help. `sources` are the files the locations name.
    pub fn render(&self, sources: &[&Source]) -> String {
        self.render_as(Level::ERROR, sources)
    }

    /// The same without the leading `error: `, for a build script: cargo starts every
    /// `cargo::error=` line with `error: <package>: ` already.
    pub fn render_for_cargo(&self, sources: &[&Source]) -> String {
        self.render_as(Level::ERROR.no_name(), sources)
    }

    fn render_as(&self, level: Level, sources: &[&Source]) -> String {
        let mut places = vec![(
            AnnotationKind::Primary,
            &self.location,
            self.label.as_deref(),
        )];
        if let Some((location, note)) = &self.related {
            places.push((AnnotationKind::Context, location, Some(note.as_str())));
        }
        // One snippet per file, so that both halves of a conflict share one gutter.
        let mut files: Vec<(&Source, Vec<Annotation>)> = Vec::new();
        for (kind, location, label) in places {
            let Some(&source) = sources.iter().find(|s| s.name == location.file) else {
                return self.to_string();
            };
            let annotation = kind
                .span(first_line(source.text, &location.span))
                .label(label);
            match files.iter_mut().find(|(file, _)| file.name == source.name) {
                Some((_, annotations)) => annotations.push(annotation),
                None => files.push((source, vec![annotation])),
            }
        }
        let snippets = files.into_iter().map(|(source, annotations)| {
            Snippet::source(source.text)
                .path(source.name)
                .annotations(annotations)
        });
        let mut report = level.primary_title(&self.message).elements(snippets);
        if let Some(help) = &self.help {
            report = report.element(Level::HELP.message(help));
        }
        Renderer::plain().render(&[report])
    }
}

/// A span cut at the end of its first line: a conflict or a whole `[[route]]` table is
/// pointed at by its first line, not underlined down the file.
fn first_line(text: &str, span: &Range<usize>) -> Range<usize> {
    let line_end = text[span.start..]
        .find('\n')
        .map_or(text.len(), |i| span.start + i);
    span.start..span.end.min(line_end)
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
        self.push(span, None, message.into(), Some(help.into()), None);
    }

    /// An error about two places, such as a duplicate: `span` is the second, `other` the
    /// first; `label` and `note` tell them apart.
    pub fn conflict(
        &mut self,
        span: &Range<usize>,
        label: impl Into<String>,
        message: impl Into<String>,
        other: &Range<usize>,
        note: impl Into<String>,
        help: impl Into<String>,
    ) {
        let related = Some((self.source.locate(other), note.into()));
        let label = Some(label.into());
        self.push(span, label, message.into(), Some(help.into()), related);
    }

    fn push(
        &mut self,
        span: &Range<usize>,
        label: Option<String>,
        message: String,
        help: Option<String>,
        related: Option<(Location, String)>,
    ) {
        self.diagnostics.push(Diagnostic {
            location: self.source.locate(span),
            message,
            label,
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
