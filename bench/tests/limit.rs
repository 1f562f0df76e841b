//! The limit of a set of literal paths, its plain `match` on the whole path, finds the
//! route the generated lookup finds on every path of the set and on paths no route has.

use fanout_router_bench::SETS;
use fanout_router_core::route::RequestKey;

#[test]
fn the_limit_finds_the_generated_route() {
    let mut measured = 0;
    for set in SETS {
        let Some(limit) = set.limit else { continue };
        measured += 1;
        for path in set.paths.iter().copied().chain(["/", "/none", "/users/x"]) {
            let generated = (set.lookup)(&RequestKey::plain("GET", path));
            let limited = limit(path).map(|index| set.routes[index]);
            assert_eq!(generated, limited, "{} {path}", set.name);
        }
    }
    assert!(measured >= 4, "the default and static sets have a limit");
}
