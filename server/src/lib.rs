pub mod allocator;
pub mod analysis;
pub mod cli;
pub mod loader;
pub mod lsp;
pub mod threads;
