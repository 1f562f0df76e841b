//! The TCP ports of the stack. The defaults are the Fastly CLI's, so that `cargo xtask serve`
//! and `fastly compute serve` are reached at the same addresses.

use std::io;
use std::net::TcpListener;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ports {
    /// Viceroy serving the app; backend `self` points here.
    pub app: u16,
    /// The demo origin; backend `origin` points here.
    pub origin: u16,
    /// Pushpin's HTTP proxy, where Viceroy hands requests off.
    pub proxy: u16,
    /// Pushpin's publish endpoint (`/publish/`).
    pub publish: u16,
    /// Pushpin's internal ZMQ sockets: push-in, push-in-sub and command.
    pub zmq: [u16; 3],
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            app: 7676,
            origin: 8000,
            proxy: 7677,
            publish: 5561,
            zmq: [5562, 5563, 5564],
        }
    }
}

impl Ports {
    /// Distinct ports that nothing listens on right now, chosen by the kernel.
    pub fn free() -> io::Result<Ports> {
        // Every listener stays open until all are chosen, so no port is handed out twice.
        let listeners = (0..7)
            .map(|_| TcpListener::bind("127.0.0.1:0"))
            .collect::<io::Result<Vec<_>>>()?;
        let port = |index: usize| listeners[index].local_addr().map(|addr| addr.port());
        Ok(Ports {
            app: port(0)?,
            origin: port(1)?,
            proxy: port(2)?,
            publish: port(3)?,
            zmq: [port(4)?, port(5)?, port(6)?],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_distinct() {
        let ports = Ports::free().unwrap();
        let mut all = vec![ports.app, ports.origin, ports.proxy, ports.publish];
        all.extend(ports.zmq);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 7);
    }
}
