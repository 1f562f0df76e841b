//! Notices changes to the files the app is built from by polling their modification times:
//! a few hundred files, read twice a second, cost nothing next to a build.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The files under some paths (files, or directories walked whole, `target` excepted) and
/// their modification times when last looked at.
pub struct Watch {
    roots: Vec<PathBuf>,
    seen: Vec<(PathBuf, SystemTime)>,
}

impl Watch {
    pub fn new(roots: Vec<PathBuf>) -> Watch {
        let seen = snapshot(&roots);
        Watch { roots, seen }
    }

    /// The files added, removed or modified since the last call (or since `new`).
    pub fn changes(&mut self) -> Vec<PathBuf> {
        let now = snapshot(&self.roots);
        let mut changed: Vec<PathBuf> = now
            .iter()
            .filter(|entry| !self.seen.contains(entry))
            .chain(self.seen.iter().filter(|entry| !now.contains(entry)))
            .map(|(path, _)| path.clone())
            .collect();
        changed.sort();
        changed.dedup();
        self.seen = now;
        changed
    }
}

fn snapshot(roots: &[PathBuf]) -> Vec<(PathBuf, SystemTime)> {
    let mut files = Vec::new();
    for root in roots {
        collect(root, &mut files);
    }
    files
}

fn collect(path: &Path, files: &mut Vec<(PathBuf, SystemTime)>) {
    let Ok(metadata) = fs::metadata(path) else {
        return; // removed, or not there yet
    };
    if metadata.is_dir() {
        let Ok(entries) = fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name() != "target" {
                collect(&entry.path(), files);
            }
        }
    } else if let Ok(modified) = metadata.modified() {
        files.push((path.to_path_buf(), modified));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reports_a_modified_an_added_and_a_removed_file_once() {
        let dir = std::env::temp_dir().join(format!("watch-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src/target")).unwrap();
        let (routes, lib, built) = (
            dir.join("routes.toml"),
            dir.join("src/lib.rs"),
            dir.join("src/target/out"),
        );
        fs::write(&routes, "a").unwrap();
        fs::write(&lib, "b").unwrap();
        let mut watch = Watch::new(vec![routes.clone(), dir.join("src")]);
        assert!(watch.changes().is_empty());

        let later = SystemTime::now() + Duration::from_secs(2);
        fs::File::options()
            .write(true)
            .open(&routes)
            .unwrap()
            .set_modified(later)
            .unwrap();
        fs::write(&built, "ignored").unwrap();
        assert_eq!(watch.changes(), [routes]);
        assert!(watch.changes().is_empty());

        fs::remove_file(&lib).unwrap();
        let added = dir.join("src/new.rs");
        fs::write(&added, "c").unwrap();
        assert_eq!(watch.changes(), [lib, added]);
        let _ = fs::remove_dir_all(&dir);
    }
}
