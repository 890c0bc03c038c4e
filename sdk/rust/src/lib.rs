//! # wactor-guest — write wactor components in Rust
//!
//! A wactor component is a core WebAssembly module run as an actor (docs/ABI.md). This crate is the
//! guest side of that ABI for Rust, as `sdk/c/wactor_guest.h` is for C, with no dependencies:
//!
//! * safe wrappers of every `wactor` host import — [`send`], [`request`] / [`reply`], [`publish`] /
//!   [`subscribe`] / [`unsubscribe`], [`spawn`], [`monitor`] / [`demonitor`] / [`link`], [`log`] (and
//!   the [`info!`] family), [`now`], [`health_reason`], [`whereis`], [`self_pid`], [`current_topic`],
//!   [`request_id`] — returning `Result<_, Error>` with the host's error codes; the raw imports are in
//!   [`sys`];
//! * the exports: the [`Actor`] trait and [`actor!`] (`_start`, `handle-message`, `handle-reply`,
//!   `handle-down`, `_health`, `_cleanup`), or [`handle_message!`] and its siblings for plain functions;
//! * `cabi_realloc`, the host's inbox allocator, and `_initialize` (WASI reactor start-up), defined by
//!   this crate: link it into the component and they are exported;
//! * multicodec payloads ([`codec`]: prefixes, JSON / text / CBOR / Borsh), a strict JSON reader and
//!   writer ([`json`]) and a CBOR writer ([`cbor`]).
//!
//! Build a component as a `cdylib` for `wasm32-wasi` (sdk/rust/README.md):
//!
//! ```text
//! cargo build --offline --release --target wasm32-wasi
//! ```
//!
//! Everything is single-threaded: an instance runs one export call at a time.

pub mod actor;
pub mod cbor;
pub mod codec;
pub mod error;
pub mod host;
pub mod json;
pub mod sys;

pub use actor::{Actor, Down, Health, Message, Reply};
pub use codec::Codec;
pub use error::Error;
pub use host::*;

/// The canonical-ABI allocator the host uses for its inbox (docs/ABI.md, "Exports"): the host calls
/// `cabi_realloc(0, 0, 8, n)` once for a buffer it keeps for the instance's life, and
/// `cabi_realloc(inbox, old_size, 8, n)` to grow it; handlers only borrow it. Same contract as the C
/// SDK's: `new_size` 0 frees `old_ptr` and returns a non-null, aligned, zero-byte pointer (`align`,
/// never freed); `old_size` 0 means `old_ptr` is no heap block; an alignment that is not a power of
/// two counts as 1. Out of memory (or a size no allocation can have) traps: the host reports a trap of
/// this guest.
///
/// # Safety
/// `old_ptr` must be 0/zero-sized or a block this function returned with `old_size` and `align`.
#[cfg(target_arch = "wasm32")]
#[export_name = "cabi_realloc"]
pub unsafe extern "C" fn cabi_realloc(old_ptr: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    use std::alloc::{alloc, dealloc, realloc, Layout};
    let align = if align.is_power_of_two() { align } else { 1 };
    if new_size == 0 {
        if !old_ptr.is_null() && old_size != 0 {
            dealloc(old_ptr, Layout::from_size_align_unchecked(old_size, align));
        }
        return align as *mut u8;
    }
    let layout = match Layout::from_size_align(new_size, align) {
        Ok(l) => l,
        Err(_) => std::process::abort(),
    };
    let p = if old_ptr.is_null() || old_size == 0 {
        alloc(layout)
    } else {
        realloc(old_ptr, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if p.is_null() {
        std::process::abort();
    }
    p
}

#[cfg(target_arch = "wasm32")]
extern "C" {
    /// Synthesised by the linker: runs the static constructors (wasi-libc's among them).
    fn __wasm_call_ctors();
}

/// The WASI reactor initialisation export (`_initialize`), which the host calls once before `_start`.
/// Defining it — calling `__wasm_call_ctors` as wasi-libc's `crt1-reactor.o` does — also tells the
/// linker this is a reactor, so it does not wrap every export in constructor/destructor calls as it
/// does for a command (a Rust `cdylib` on stable has no `-mexec-model=reactor`).
#[cfg(target_arch = "wasm32")]
#[export_name = "_initialize"]
pub extern "C" fn wactor_initialize() {
    unsafe { __wasm_call_ctors() }
}

/// Logs a formatted line at `level`: `wactor_guest::log_at!(Level::Warn, "x = {}", x)`.
#[macro_export]
macro_rules! log_at {
    ($level:expr, $($arg:tt)*) => {
        $crate::log($level, &::std::format!($($arg)*))
    };
}

/// Logs a formatted line at debug level.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => { $crate::log_at!($crate::Level::Debug, $($arg)*) };
}

/// Logs a formatted line at info level.
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::log_at!($crate::Level::Info, $($arg)*) };
}

/// Logs a formatted line at warn level.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::log_at!($crate::Level::Warn, $($arg)*) };
}

/// Logs a formatted line at error level.
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::log_at!($crate::Level::Error, $($arg)*) };
}
