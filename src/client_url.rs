//! The client request's URL, read as the host hands it over and checked before the SDK
//! parses it: the SDK panics on a URL it cannot parse (a host name that is invalid punycode,
//! such as `xn--zz.example`), which would answer a client's bad input with a 500.

use fanout_router_core::response::Response;
use fastly::handle::RequestHandle;
use fastly::http::Url;
use fastly_shared::FastlyStatus;

/// The SDK's first guess at a URL's length; the host says how long a longer one is.
const FIRST_CAPACITY: usize = 4096;

/// `Err` holds the 400 for a URL that the SDK would panic on.
pub fn check(handle: &RequestHandle) -> Result<(), Response> {
    let url = raw(handle).ok_or_else(|| Response::text(400, "the request URL cannot be read\n"))?;
    let url = std::str::from_utf8(&url)
        .map_err(|_| Response::text(400, "the request URL is not UTF-8\n"))?;
    // The SDK parses with this same function, so what passes here cannot fail there.
    Url::parse(url)
        .map(drop)
        .map_err(|error| Response::text(400, &format!("the request URL is invalid: {error}\n")))
}

fn raw(handle: &RequestHandle) -> Option<Vec<u8>> {
    let mut capacity = FIRST_CAPACITY;
    loop {
        let mut url = Vec::with_capacity(capacity);
        let mut written = 0;
        // SAFETY: the host writes at most `capacity` bytes into `url`'s spare capacity and
        // reports in `written` how many it wrote, or how many it needs when they do not fit.
        let status = unsafe {
            fastly_sys::fastly_http_req::uri_get(
                handle.as_u32(),
                url.as_mut_ptr(),
                capacity,
                &mut written,
            )
        };
        match status {
            FastlyStatus::OK if written <= capacity => {
                // SAFETY: the host initialised the first `written` bytes.
                unsafe { url.set_len(written) };
                return Some(url);
            }
            FastlyStatus::BUFLEN if written > capacity => capacity = written,
            _ => return None,
        }
    }
}
