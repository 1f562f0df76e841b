//! The parts of fastly.toml the stack uses: the backends under `[local_server.backends]`, and
//! a copy of the file whose local backends point at the ports this stack runs on (Viceroy
//! reads backend addresses from it, and backend `self` must be Viceroy's own address).

use std::fs;
use std::path::Path;

use toml::{Table, Value};

/// A backend of `[local_server.backends]`, as Pushpin needs it for its route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub name: String,
    /// `host:port`, with the scheme's default port when the URL names none.
    pub address: String,
    pub tls: bool,
    pub override_host: Option<String>,
}

#[derive(Clone)]
pub struct Manifest {
    table: Table,
}

impl Manifest {
    pub fn read(path: &Path) -> Result<Manifest, String> {
        let text = fs::read_to_string(path)
            .map_err(|error| format!("reading {}: {error}", path.display()))?;
        Manifest::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        let table = text.parse::<Table>().map_err(|error| error.to_string())?;
        Ok(Manifest { table })
    }

    pub fn local_backends(&self) -> Result<Vec<Backend>, String> {
        let backends = self
            .table
            .get("local_server")
            .and_then(|server| server.get("backends"))
            .and_then(Value::as_table);
        backends
            .into_iter()
            .flatten()
            .map(|(name, backend)| parse_backend(name, backend))
            .collect()
    }

    /// Points local backend `name` at `127.0.0.1:port` over plain HTTP; a host override
    /// follows, since it names the address the backend is reached at.
    pub fn point_backend_at(&mut self, name: &str, port: u16) -> Result<(), String> {
        let address = format!("127.0.0.1:{port}");
        let backend = self.backend_mut(name)?;
        backend.insert("url".into(), format!("http://{address}/").into());
        if backend.contains_key("override_host") {
            backend.insert("override_host".into(), address.into());
        }
        Ok(())
    }

    /// Sets local backend `name`'s URL, leaving its host override as written.
    pub fn set_backend_url(&mut self, name: &str, url: &str) -> Result<(), String> {
        self.backend_mut(name)?.insert("url".into(), url.into());
        Ok(())
    }

    fn backend_mut(&mut self, name: &str) -> Result<&mut Table, String> {
        self.table
            .get_mut("local_server")
            .and_then(|server| server.get_mut("backends"))
            .and_then(|backends| backends.get_mut(name))
            .and_then(Value::as_table_mut)
            .ok_or_else(|| format!("fastly.toml has no [local_server.backends.{name}]"))
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        fs::write(path, self.table.to_string())
            .map_err(|error| format!("writing {}: {error}", path.display()))
    }
}

fn parse_backend(name: &str, backend: &Value) -> Result<Backend, String> {
    let url = backend
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("[local_server.backends.{name}] has no url"))?;
    let (tls, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(format!(
            "[local_server.backends.{name}] url {url:?} is not http(s)://"
        ));
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let address = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:{}", if tls { 443 } else { 80 })
    };
    let override_host = backend
        .get("override_host")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Backend {
        name: name.to_string(),
        address,
        tls,
        override_host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
name = "app"
[local_server.backends.origin]
url = "http://127.0.0.1:8000/"
[local_server.backends.self]
url = "http://127.0.0.1:7676/"
override_host = "127.0.0.1:7676"
[local_server.backends.api]
url = "https://api.example.com/v1/"
"#;

    #[test]
    fn reads_local_backends_with_default_ports() {
        let backends = Manifest::parse(MANIFEST).unwrap().local_backends().unwrap();
        let summary: Vec<_> = backends
            .iter()
            .map(|b| {
                (
                    b.name.as_str(),
                    b.address.as_str(),
                    b.tls,
                    b.override_host.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("api", "api.example.com:443", true, None),
                ("origin", "127.0.0.1:8000", false, None),
                ("self", "127.0.0.1:7676", false, Some("127.0.0.1:7676")),
            ]
        );
    }

    #[test]
    fn points_a_backend_and_its_host_override_at_a_port() {
        let mut manifest = Manifest::parse(MANIFEST).unwrap();
        manifest.point_backend_at("self", 9001).unwrap();
        let written = Manifest::parse(&manifest.table.to_string()).unwrap();
        let backend = written.local_backends().unwrap().remove(2);
        assert_eq!(backend.address, "127.0.0.1:9001");
        assert_eq!(backend.override_host.as_deref(), Some("127.0.0.1:9001"));
    }

    #[test]
    fn an_unknown_backend_is_an_error() {
        let error = Manifest::parse(MANIFEST)
            .unwrap()
            .point_backend_at("nope", 1);
        assert_eq!(
            error.unwrap_err(),
            "fastly.toml has no [local_server.backends.nope]"
        );
    }
}
