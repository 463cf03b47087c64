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

/// The binary's global allocator: mimalloc, asked for a plain block whenever every block of that
/// size is aligned enough, as the C library's allocator is asked by Rust's `System`. (The
/// `mimalloc` crate asks for an aligned block every time, which checks the alignment at run time
/// and takes about twice the instructions of a plain one, on nearly every allocation.)
pub struct Mimalloc;

/// The alignment of every mimalloc block of at least this size (`MI_MAX_ALIGN_SIZE`; smaller
/// blocks are aligned to their size class, a multiple of the word size).
const BLOCK_ALIGN: usize = 16;

/// Whether a plain block for `layout` is aligned as it asks.
fn plain_block_fits(align: usize, size: usize) -> bool {
    align <= BLOCK_ALIGN && align <= size
}

// SAFETY: each method hands mimalloc's block for the layout (aligned as asked: see
// `plain_block_fits`), and frees or grows only blocks mimalloc handed out.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: plain mimalloc calls; an alignment above what every block has is passed on.
        unsafe {
            if plain_block_fits(layout.align(), layout.size()) {
                libmimalloc_sys::mi_malloc(layout.size()).cast()
            } else {
                libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if plain_block_fits(layout.align(), layout.size()) {
                libmimalloc_sys::mi_zalloc(layout.size()).cast()
            } else {
                libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator; the new block is aligned as `layout` asks.
        unsafe {
            if plain_block_fits(layout.align(), new_size) {
                libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mimalloc;
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn every_block_is_aligned_as_its_layout_asks() {
        let mut sizes: Vec<usize> = (1..=300).collect();
        sizes.extend([1000, 4096, 65_536, 1 << 20, 5 << 20]);
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for &size in &sizes {
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: a non-zero size; each block is checked, written and freed once.
                unsafe {
                    let p = Mimalloc.alloc(layout);
                    assert!(
                        !p.is_null() && (p as usize).is_multiple_of(align),
                        "{size} / {align}"
                    );
                    p.write_bytes(0xA5, size);
                    let z = Mimalloc.alloc_zeroed(layout);
                    assert!(
                        !z.is_null() && (z as usize).is_multiple_of(align),
                        "zeroed {size} / {align}"
                    );
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    let grown = Mimalloc.realloc(p, layout, size * 3);
                    assert!(
                        (grown as usize).is_multiple_of(align),
                        "grown {size} / {align}"
                    );
                    assert_eq!(*grown.add(size - 1), 0xA5, "content kept");
                    Mimalloc.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    Mimalloc.dealloc(z, layout);
                }
            }
        }
    }
}
