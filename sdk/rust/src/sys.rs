//! The raw host imports of module `wactor` (docs/ABI.md, "Imports"), exactly as the host declares them.
//!
//! Every function here is `unsafe`: pointers must point into this module's linear memory with `len`
//! readable (or, for `topic`, writable) bytes, or the host traps the component (`host error`). Results
//! are the ABI's: `>= 0` success (a count, pid, reference or correlation id), a negated
//! `include/wactor_errors.h` code on failure. The safe wrappers in the crate root turn them into
//! `Result<_, Error>`; use this module only for what they do not cover.
//!
//! rustc mangles the symbol of an import that names its `wasm_import_module`, so `send`, `log` or
//! `link` here never collide with wasi-libc's functions of the same name (the C SDK renames them for
//! that reason).
//!
//! Off wasm32 (for `cargo test` of the pure parts of the crate on the build machine) every function
//! panics: there is no host to call.

macro_rules! imports {
    ($( $(#[$doc:meta])* fn $rust:ident = $wasm:literal ( $($arg:ident : $ty:ty),* ) $(-> $ret:ty)? ; )*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "wactor")]
        extern "C" {
            $( $(#[$doc])* #[link_name = $wasm] pub fn $rust($($arg: $ty),*) $(-> $ret)?; )*
        }
        $(
            $(#[$doc])*
            #[cfg(not(target_arch = "wasm32"))]
            #[allow(unused_variables)]
            pub unsafe fn $rust($($arg: $ty),*) $(-> $ret)? {
                panic!(concat!("wactor.", $wasm, " exists only in a wasm32 component"))
            }
        )*
    };
}

imports! {
    /// `send(to, payload) -> 0 | -errno`
    fn send = "send"(to: *const u8, to_len: usize, payload: *const u8, payload_len: usize) -> i32;
    /// `self() -> pid`
    fn self_pid = "self"() -> u64;
    /// `whereis(name) -> pid | 0`
    fn whereis = "whereis"(name: *const u8, name_len: usize) -> u64;
    /// `log(level, text)`; level 0 debug, 1 info, 2 warn, 3 error
    fn log = "log"(level: i32, msg: *const u8, len: usize);
    /// `now() -> monotonic ns`
    fn now = "now"() -> u64;
    /// `health_reason(text)`, only inside `_health`
    fn health_reason = "health_reason"(reason: *const u8, len: usize);
    /// `publish(topic, payload) -> subscribers reached | -errno`
    fn publish = "publish"(topic: *const u8, topic_len: usize, payload: *const u8, payload_len: usize) -> i32;
    /// `subscribe(pattern) -> 0 | -errno`
    fn subscribe = "subscribe"(pattern: *const u8, pattern_len: usize) -> i32;
    /// `unsubscribe(pattern) -> 0 | -errno`
    fn unsubscribe = "unsubscribe"(pattern: *const u8, pattern_len: usize) -> i32;
    /// `topic(buf, cap) -> full length | 0`, only inside `handle-message`
    fn topic = "topic"(buf: *mut u8, cap: usize) -> i32;
    /// `request(to, payload, timeout_ms) -> correlation id | -errno`
    fn request = "request"(to: *const u8, to_len: usize, payload: *const u8, payload_len: usize, timeout_ms: i32) -> i64;
    /// `reply(payload) -> 0 | -errno`, only inside `handle-message` of a request
    fn reply = "reply"(payload: *const u8, payload_len: usize) -> i32;
    /// `request_id() -> correlation id | 0`
    fn request_id = "request_id"() -> i64;
    /// `monitor(to) -> reference | -errno`
    fn monitor = "monitor"(to: *const u8, to_len: usize) -> i64;
    /// `demonitor(reference) -> 0 | -errno`
    fn demonitor = "demonitor"(reference: i64) -> i32;
    /// `link(to) -> 0 | -errno`
    fn link = "link"(to: *const u8, to_len: usize) -> i32;
    /// `spawn(component name) -> pid | -errno`
    fn spawn = "spawn"(name: *const u8, name_len: usize) -> i64;
}
