pub mod analysis;
pub mod loader;
