//! Hello world for the end-to-end benchmark: `/test/*` is answered here, anything else is
//! sent to the `origin` backend, with no routing table and no Grip-Sig check.

use fastly::{Error, Request, Response};

#[fastly::main]
fn main(req: Request) -> Result<Response, Error> {
    if req.get_path().starts_with("/test/") {
        return Ok(Response::from_body("hello\n"));
    }
    Ok(req.send("origin")?)
}
