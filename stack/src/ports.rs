//! The TCP ports of the stack. The defaults are the Fastly CLI's, so that `cargo xtask serve`
//! and `fastly compute serve` are reached at the same addresses.

use std::io;
use std::net::TcpListener;

use crate::stack::Origin;
use crate::supervisor::listening;

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

/// What a port of [`Ports`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Port {
    App,
    Origin,
    Proxy,
    Publish,
    /// One of the three.
    Zmq,
}

impl Ports {
    /// The first port the stack would listen on that something else listens on already;
    /// the origin's counts unless the origin is the user's own.
    pub fn busy(&self, origin: Origin) -> Option<(Port, u16)> {
        let mut used = vec![(Port::App, self.app), (Port::Proxy, self.proxy)];
        used.push((Port::Publish, self.publish));
        used.extend(self.zmq.map(|port| (Port::Zmq, port)));
        if origin != Origin::Own {
            used.push((Port::Origin, self.origin));
        }
        used.into_iter().find(|&(_, port)| listening(port))
    }

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
    fn names_the_busy_port_and_skips_the_origin_that_is_the_users() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = listener.local_addr().unwrap().port();
        let mut ports = Ports::free().unwrap();
        assert_eq!(ports.busy(Origin::Demo), None);
        ports.origin = taken;
        assert_eq!(ports.busy(Origin::Demo), Some((Port::Origin, taken)));
        assert_eq!(ports.busy(Origin::Own), None);
        ports.zmq[2] = taken;
        assert_eq!(ports.busy(Origin::Own), Some((Port::Zmq, taken)));
    }

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
