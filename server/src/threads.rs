//! The threads the analysis runs on. Every recursive walk over user input is bounded, but the
//! bounds are sized for a known stack, not for whatever the platform gives a thread (8 MB for the
//! main thread on Linux, 1 MB on Windows, 2 MB for spawned threads): the command line and the
//! server run all analysis on threads with [`ANALYSIS_STACK_SIZE`].

pub use crate::analysis::guard::ANALYSIS_STACK_SIZE;

/// Gives rayon's global pool (the parallel parts of loading and analysis) the analysis stack.
/// Must run before the first parallel call; later calls change nothing.
pub fn configure_global_pool() {
    let configured = rayon::ThreadPoolBuilder::new()
        .stack_size(ANALYSIS_STACK_SIZE)
        .build_global();
    if let Err(error) = configured {
        tracing::debug!("rayon's global pool was already configured: {error}");
    }
}

/// Runs `f` on a thread with the analysis stack and returns its result (a panic in `f` is
/// resumed in the caller).
pub fn with_analysis_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("analysis".into())
            .stack_size(ANALYSIS_STACK_SIZE)
            .spawn_scoped(scope, f);
        match thread {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(error) => panic!("cannot start the analysis thread: {error}"),
        }
    })
}
