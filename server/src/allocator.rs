//! The allocator set-up the binary and the benchmarks measured against it share.

/// Makes tree-sitter allocate through mimalloc, the binary's global allocator: its C code
/// allocates every node of every syntax tree, and (built with `TREE_SITTER_REUSE_ALLOCATOR`,
/// `.cargo/config.toml`) the grammars' scanners allocate on nearly every token; it would use the
/// C library's allocator otherwise.
///
/// # Safety
/// Call it before any tree-sitter object exists and before other threads start: a block
/// allocated by one allocator must not be freed by the other.
pub unsafe fn parse_trees_in_mimalloc() {
    use std::ffi::c_void;
    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        match count.checked_mul(size) {
            // SAFETY: mimalloc's zeroing allocation of the product, which did not overflow.
            Some(bytes) => unsafe { libmimalloc_sys::mi_zalloc(bytes) },
            None => std::ptr::null_mut(),
        }
    }
    // SAFETY: the caller makes sure no tree-sitter allocation exists yet (see above); the
    // functions have the C signatures tree-sitter expects.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        }));
    }
}
