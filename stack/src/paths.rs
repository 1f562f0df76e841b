//! Where things live: the repository, the per-user tool cache, and run files under `target/`.

use std::path::{Path, PathBuf};

/// The repository root; this crate sits one level below it.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("stack/ sits inside the repository")
        .to_path_buf()
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/fanout-router`: tools built once and reused by every
/// checkout, so that Viceroy's long build happens once per machine.
pub fn tool_cache() -> PathBuf {
    let cache = match std::env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"),
    };
    cache.join("fanout-router")
}

/// `target/stack/<name>`: configuration, logs and Pushpin's run files of one running stack.
pub fn run_dir(name: &str) -> PathBuf {
    repo_root().join("target/stack").join(name)
}
