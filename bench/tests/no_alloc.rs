//! The generated lookup allocates nothing: a counting global allocator sees no allocation
//! while every path of every route set is looked up, with its host in the sets limited to
//! hosts, and without one.

use fanout_router_core::route::RequestKey;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use fanout_router_bench::SETS;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    black_box(vec![1u8; 16]);
    assert_eq!(allocations(), before + 1);
}

#[test]
fn lookup_allocates_nothing() {
    for set in SETS {
        for method in ["GET", "POST", "PURGE"] {
            let paths = set
                .paths
                .iter()
                .chain(&["/", "", "nope", "/no/such/route//"]);
            for (i, path) in paths.enumerate() {
                // Its own host (none in a set without hosts), and one no route names.
                let own = set.hosts.get(i).copied().unwrap_or("");
                for host in [own, "example.com"] {
                    let request = RequestKey {
                        host,
                        ..RequestKey::plain(method, path)
                    };
                    let before = allocations();
                    let found = black_box((set.lookup)(black_box(&request)));
                    let after = allocations();
                    let name = set.name;
                    assert_eq!(before, after, "{name} allocated looking up {host}{path}");
                    if i < set.paths.len() && host == own {
                        assert!(found.is_some(), "{name} finds no route for {host}{path}");
                    }
                }
            }
        }
    }
}
