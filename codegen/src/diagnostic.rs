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

/// Whether a diagnostic fails the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    /// Valid, but likely a mistake: shown, and the build goes on.
    Warning,
}

/// One error or warning: where, what is wrong, what to write instead, and for a conflict
/// the other place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
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
    /// The diagnostic as rustc shows one: the message, then each place in its file with the
    /// line under a caret (the other place of a conflict underlined with `-` and labelled),
    /// then the help. `sources` are the files the locations name.
    pub fn render(&self, sources: &[&Source]) -> String {
        self.render_as(self.level(), sources)
    }

    /// The same without the leading `error: ` or `warning: `, for a build script: cargo
    /// starts every `cargo::error=` or `cargo::warning=` line with it already.
    pub fn render_for_cargo(&self, sources: &[&Source]) -> String {
        self.render_as(self.level().no_name(), sources)
    }

    fn level(&self) -> Level<'static> {
        match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        }
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

impl Diagnostic {
    /// An error at `span` of `source`, with what to write instead.
    pub fn error(
        source: &Source,
        span: &Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            location: source.locate(span),
            message: message.into(),
            label: None,
            help: Some(help.into()),
            related: None,
        }
    }

    /// A TOML error in `source` (its syntax, or a value of the wrong shape for the file's
    /// tables) with the help that fits it: "did you mean" for a misspelt key, `[[name]]` for
    /// a table written `[name]` that holds one of many, the list for a string written
    /// where one goes; `syntax_help` for anything else.
    pub fn from_toml(source: &Source, error: &toml::de::Error, syntax_help: &str) -> Diagnostic {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim_end();
        let written = source.text.get(span.clone()).unwrap_or_default();
        let (message, help) = toml_help(source.text, &span, message, written)
            .unwrap_or_else(|| (message.to_owned(), syntax_help.to_owned()));
        Diagnostic::error(source, &span, message, help)
    }
}

/// The message and help for the TOML errors a person makes when writing a file by hand.
fn toml_help(
    text: &str,
    span: &Range<usize>,
    message: &str,
    written: &str,
) -> Option<(String, String)> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`')?;
        // serde names the keys the table takes: "expected one of `a`, `b`" or "`a` or `b`".
        let keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let help = match closest(key, &keys) {
            Some(near) => format!("did you mean `{near}`?"),
            None if keys.is_empty() => "remove it".to_owned(),
            None => format!("this table takes {}", quoted_list(&keys)),
        };
        return Some((format!("unknown key `{key}`"), help));
    }
    if message == "invalid type: map, expected a sequence" {
        let name = written
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .filter(|name| !name.starts_with('['))?;
        return Some((
            format!("`[{name}]` is one table, but the file holds a list of them"),
            format!("write [[{name}]], once above each of them"),
        ));
    }
    if message.starts_with("invalid type: string") && message.ends_with("expected a sequence") {
        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let key = text[line_start..span.start]
            .trim_end()
            .strip_suffix('=')?
            .trim();
        return Some((
            format!("`{key}` is a list, not a string"),
            format!("write {key} = [{written}]"),
        ));
    }
    None
}

fn quoted_list(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    quoted.join(", ")
}

/// The candidate `word` is most likely a misspelling of: the nearest by edit distance, if
/// it is near enough (a third of the word's length, at least one edit).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting a swap of two neighbours as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
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
    warnings: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub fn new(source: &'a Source<'a>) -> Self {
        Reporter {
            source,
            diagnostics: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Something valid but likely a mistake: shown, and the build goes on.
    pub fn warning(
        &mut self,
        span: &Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.warnings.push(Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(self.source, span, message, help)
        });
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
            severity: Severity::Error,
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

    /// The errors, and the warnings apart.
    pub fn finish_with_warnings(self) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        (self.diagnostics, self.warnings)
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

    #[test]
    fn the_closest_key_is_suggested_when_near_enough() {
        let keys = ["path", "prefix", "channels", "methods", "route"];
        assert_eq!(closest("chanels", &keys), Some("channels"));
        assert_eq!(closest("mehtods", &keys), Some("methods"));
        assert_eq!(closest("routes", &keys), Some("route"));
        assert_eq!(closest("backend", &keys), None);
    }
}
