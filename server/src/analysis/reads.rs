//! Which Python files a function's rules read, recorded while they run: an edit of a module
//! that the app's other functions load but do not read (a blueprint of a decorator app, for the
//! functions of the other blueprints) then leaves their findings as they are.
//!
//! Every read of a module's summary or of a Python file's text goes through
//! [`crate::analysis::modules::Modules`] or [`crate::analysis::app::AppInput`], which note it
//! here; a read that cannot name its file ([`every_module`]) makes the record say "any".

use std::cell::RefCell;

/// The Python files read while recording, or `None` when a read could not name its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonReads(Option<Box<[Box<str>]>>);

impl PythonReads {
    /// A record that says nothing (what was read is unknown): every edit may matter.
    pub fn unknown() -> PythonReads {
        PythonReads(None)
    }

    /// The files read, sorted; `None` when what was read is not known.
    pub fn paths(&self) -> Option<&[Box<str>]> {
        self.0.as_deref()
    }

    /// Whether what was read may include `path`.
    pub fn may_include(&self, path: &str) -> bool {
        match &self.0 {
            None => true,
            Some(paths) => paths.binary_search_by(|p| (**p).cmp(path)).is_ok(),
        }
    }

    /// Whether this record says at least what `other` says was read.
    pub fn includes(&self, other: &PythonReads) -> bool {
        match (&self.0, &other.0) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(_), Some(paths)) => paths.iter().all(|p| self.may_include(p)),
        }
    }

    /// Both records: what either read.
    pub fn union(&self, other: &PythonReads) -> PythonReads {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => {
                let mut all: Vec<Box<str>> = a.iter().chain(b.iter()).cloned().collect();
                all.sort_unstable();
                all.dedup();
                PythonReads(Some(all.into_boxed_slice()))
            }
            _ => PythonReads(None),
        }
    }
}

impl Default for PythonReads {
    fn default() -> PythonReads {
        PythonReads::unknown()
    }
}

/// The reads of the innermost recording on this thread: the paths, or `None` once one could
/// not be named.
struct Frame {
    paths: Option<Vec<Box<str>>>,
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` and returns, with its result, the Python files it read. Recordings nest: what an
/// inner one reads, the outer ones read too.
pub fn recording<R>(f: impl FnOnce() -> R) -> (R, PythonReads) {
    let depth = FRAMES.with_borrow_mut(|frames| {
        frames.push(Frame {
            paths: Some(Vec::new()),
        });
        frames.len()
    });
    // Should `f` panic (the rules' guard catches it), its frame goes, and the recordings
    // around it can no longer say what was read.
    struct Unwinding(usize);
    impl Drop for Unwinding {
        fn drop(&mut self) {
            FRAMES.with_borrow_mut(|frames| {
                frames.truncate(self.0 - 1);
                if let Some(outer) = frames.last_mut() {
                    outer.paths = None;
                }
            });
        }
    }
    let unwinding = Unwinding(depth);
    let result = f();
    std::mem::forget(unwinding);
    let paths = FRAMES.with_borrow_mut(|frames| {
        let inner = frames.pop().and_then(|frame| frame.paths);
        if let Some(outer) = frames.last_mut() {
            match (&inner, &mut outer.paths) {
                (Some(read), Some(outer)) => outer.extend(read.iter().cloned()),
                (None, paths) => *paths = None,
                (Some(_), None) => {}
            }
        }
        inner
    });
    let reads = paths.map(|mut paths| {
        paths.sort_unstable();
        paths.dedup();
        paths.into_boxed_slice()
    });
    (result, PythonReads(reads))
}

/// Runs `f` without recording what it reads: for what the functions of a decorator app share
/// (the modules its script loads), which the first function to ask computes for all, and which
/// an edit that keeps each module's imports leaves as it is.
pub fn unrecorded<R>(f: impl FnOnce() -> R) -> R {
    let (result, _) = recording(|| {
        let result = f();
        // What `f` read is dropped with its frame, not handed to the recordings around it.
        FRAMES.with_borrow_mut(|frames| {
            if let Some(frame) = frames.last_mut() {
                frame.paths = Some(Vec::new());
            }
        });
        result
    });
    result
}

/// Notes a read of the Python file `path` (its summary or its text) by the recording running
/// on this thread, if any. Other files are not noted: only Python files are edited without
/// everything being checked again.
pub fn note(path: &str) {
    if !path.ends_with(".py") {
        return;
    }
    FRAMES.with_borrow_mut(|frames| {
        if let Some(Frame { paths: Some(paths) }) = frames.last_mut() {
            if paths.last().is_none_or(|last| **last != *path) {
                paths.push(Box::from(path));
            }
        }
    });
}

/// Notes a read that may touch any module (a pass over all of them).
pub fn every_module() {
    FRAMES.with_borrow_mut(|frames| {
        if let Some(frame) = frames.last_mut() {
            frame.paths = None;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_names_the_python_files_read_and_nests() {
        let ((), outer) = recording(|| {
            note("a.py");
            note("host.json");
            let ((), inner) = recording(|| {
                note("b.py");
                note("b.py");
            });
            assert!(inner.may_include("b.py") && !inner.may_include("a.py"));
        });
        assert!(outer.may_include("a.py") && outer.may_include("b.py"));
        assert!(!outer.may_include("c.py") && !outer.may_include("host.json"));
        // A read that names no file: anything may have been read, also by the outer one.
        let ((), outer) = recording(|| {
            let ((), inner) = recording(every_module);
            assert!(inner.may_include("c.py"));
        });
        assert!(outer.may_include("c.py"));
        // Without a recording, a read is not kept anywhere.
        note("d.py");
        let ((), none) = recording(|| {});
        assert!(!none.may_include("d.py"));
    }

    #[test]
    fn what_is_shared_is_not_recorded() {
        let (shared, reads) = recording(|| {
            note("own.py");
            unrecorded(|| {
                note("loaded.py");
                every_module();
                7
            })
        });
        assert_eq!(shared, 7);
        assert!(reads.may_include("own.py") && !reads.may_include("loaded.py"));
    }

    #[test]
    fn a_recording_ends_with_a_panic_inside_it() {
        let caught = std::panic::catch_unwind(|| {
            recording(|| {
                note("a.py");
                panic!("a rule failed");
            })
        });
        assert!(caught.is_err());
        FRAMES.with_borrow(|frames| assert!(frames.is_empty()));
        let ((), reads) = recording(|| note("b.py"));
        assert!(reads.may_include("b.py") && !reads.may_include("a.py"));
    }
}
