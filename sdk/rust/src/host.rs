//! Safe wrappers of the host imports (docs/ABI.md, "Imports"). Each checks nothing the host checks
//! itself: addresses, topics, sizes and capabilities are the host's to judge, and its verdict comes
//! back as an [`Error`]. Addresses are a registered name (`"kv"`), `"#<pid>"` ([`address`]) or `"host"`;
//! anything that is `AsRef<[u8]>` (`&str`, `String`, a sender's `&[u8]`) is accepted as it is.

use crate::codec;
use crate::error::{check, Error};
use crate::sys;

/// An actor's pid (never 0).
pub type Pid = u64;

/// A request's correlation id (`> 0`), as [`request`] returns it and `handle-reply` reports it.
pub type RequestId = i64;

/// A monitor reference (`> 0`), as [`monitor`] returns it and `handle-down` reports it.
pub type MonitorRef = i64;

/// Default timeout of a request whose timeout is `<= 0` (docs/ABI.md): 5000 ms.
pub const DEFAULT_REQUEST_TIMEOUT_MS: i32 = 5000;

/// Longest address, name, topic or pattern the host accepts, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// Log levels of [`log`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

/// The address of a pid: `"#<pid>"`.
pub fn address(pid: Pid) -> String {
    format!("#{}", pid)
}

/// Queues a copy of `payload` (multicodec-prefixed: see [`crate::codec`]) for `to`'s `handle-message`.
/// Errors: `Inval` malformed address, `NoEnt` no live target, `Full` its mailbox is full, `TooBig`
/// over a `max_message_bytes`, `Perm` not granted (`send:`), `NoMem`.
pub fn send(to: impl AsRef<[u8]>, payload: &[u8]) -> Result<(), Error> {
    let to = to.as_ref();
    check(unsafe { sys::send(to.as_ptr(), to.len(), payload.as_ptr(), payload.len()) }.into()).map(|_| ())
}

/// [`send`] of JSON text (not checked), JSON-prefixed.
pub fn send_json(to: impl AsRef<[u8]>, json_text: &str) -> Result<(), Error> {
    send(to, &codec::json(json_text))
}

/// [`send`] of `body` prefixed with `codec`'s multicodec code (CBOR or Borsh bytes, JSON text).
pub fn send_codec(to: impl AsRef<[u8]>, codec: codec::Codec, body: &[u8]) -> Result<(), Error> {
    send(to, &codec::prefixed(codec.code(), body))
}

/// This actor's pid.
pub fn self_pid() -> Pid {
    unsafe { sys::self_pid() }
}

/// The pid `name` (any address) resolves to now, or `None` (unknown, dead, malformed, `host`).
pub fn whereis(name: impl AsRef<[u8]>) -> Option<Pid> {
    let name = name.as_ref();
    match unsafe { sys::whereis(name.as_ptr(), name.len()) } {
        0 => None,
        pid => Some(pid),
    }
}

/// Writes one line to the component's log at `level` (the host cuts a line at 4096 bytes and limits
/// the volume to `log_bytes_per_sec`). See also the [`crate::info!`] family of macros.
pub fn log(level: Level, line: &str) {
    unsafe { sys::log(level as i32, line.as_ptr(), line.len()) }
}

/// The monotonic clock, in nanoseconds.
pub fn now() -> u64 {
    unsafe { sys::now() }
}

/// Inside `_health` ([`crate::Actor::health`]): attaches a reason to the status (UTF-8; the host keeps
/// up to 255 bytes). Elsewhere it does nothing.
pub fn health_reason(reason: &str) {
    unsafe { sys::health_reason(reason.as_ptr(), reason.len()) }
}

/// Publishes a copy of `payload` to `topic` (a NATS subject without wildcards, `chat.room1`). Returns
/// how many subscribers it reached (possibly 0). Errors: `Inval` malformed topic, `TooBig`, `Perm` no
/// `publish:` grant covers it, `NoMem`.
pub fn publish(topic: &str, payload: &[u8]) -> Result<u32, Error> {
    check(unsafe { sys::publish(topic.as_ptr(), topic.len(), payload.as_ptr(), payload.len()) }.into())
        .map(|n| n as u32)
}

/// [`publish`] of JSON text (not checked).
pub fn publish_json(topic: &str, json_text: &str) -> Result<u32, Error> {
    publish(topic, &codec::json(json_text))
}

/// [`publish`] of `body` prefixed with `codec`'s multicodec code.
pub fn publish_codec(topic: &str, codec: codec::Codec, body: &[u8]) -> Result<u32, Error> {
    publish(topic, &codec::prefixed(codec.code(), body))
}

/// Subscribes to `pattern` (NATS wildcards: `*` one token, `>` the rest). Publications arrive at
/// `handle-message` with [`crate::Message::topic`] set. Errors: `Inval` malformed, `Exist` already
/// subscribed with exactly this pattern, `Perm` not covered by a `subscribe:` grant, `Limit`
/// `max_subscriptions` held, `NoMem`.
pub fn subscribe(pattern: &str) -> Result<(), Error> {
    check(unsafe { sys::subscribe(pattern.as_ptr(), pattern.len()) }.into()).map(|_| ())
}

/// Ends the subscription made with exactly `pattern`. Errors: `Inval`, `NoEnt` not subscribed so.
pub fn unsubscribe(pattern: &str) -> Result<(), Error> {
    check(unsafe { sys::unsubscribe(pattern.as_ptr(), pattern.len()) }.into()).map(|_| ())
}

/// Inside `handle-message`: the topic of the publication being handled, or `None` for a direct send or
/// a request.
pub fn current_topic() -> Option<String> {
    let mut buf = [0u8; MAX_NAME_BYTES];
    let n = unsafe { sys::topic(buf.as_mut_ptr(), buf.len()) };
    if n <= 0 {
        return None;
    }
    let n = (n as usize).min(buf.len());
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// Sends `payload` to `to` as a request; returns its correlation id at once. The answer — or
/// `TimedOut` after `timeout_ms` (`<= 0`: [`DEFAULT_REQUEST_TIMEOUT_MS`]), `NoEnt` the target ended,
/// `Trap` it trapped, `NoHandler` it did not answer, `TooBig` — arrives later at `handle-reply`
/// ([`crate::Actor::reply`]) with that id. Errors now: as [`send`] (with a `request:` grant; `host` is
/// `Inval`), `Limit` `max_requests` outstanding.
pub fn request(to: impl AsRef<[u8]>, payload: &[u8], timeout_ms: i32) -> Result<RequestId, Error> {
    let to = to.as_ref();
    check(unsafe { sys::request(to.as_ptr(), to.len(), payload.as_ptr(), payload.len(), timeout_ms) })
}

/// [`request`] with JSON text (not checked).
pub fn request_json(to: impl AsRef<[u8]>, json_text: &str, timeout_ms: i32) -> Result<RequestId, Error> {
    request(to, &codec::json(json_text), timeout_ms)
}

/// [`request`] of `body` prefixed with `codec`'s multicodec code.
pub fn request_codec(to: impl AsRef<[u8]>, codec: codec::Codec, body: &[u8], timeout_ms: i32) -> Result<RequestId, Error> {
    request(to, &codec::prefixed(codec.code(), body), timeout_ms)
}

/// Inside `handle-message` of a request: answers it (once) with `payload`. Needs no grant. Errors:
/// `State` not an unanswered request, `TooBig` over this component's `max_message_bytes` (the request
/// stays open: answer again, smaller), `NoMem`. A request the handler returns from unanswered is
/// answered `NoHandler` by the host.
pub fn reply(payload: &[u8]) -> Result<(), Error> {
    check(unsafe { sys::reply(payload.as_ptr(), payload.len()) }.into()).map(|_| ())
}

/// [`reply`] with JSON text (not checked).
pub fn reply_json(json_text: &str) -> Result<(), Error> {
    reply(&codec::json(json_text))
}

/// [`reply`] with `body` prefixed with `codec`'s multicodec code.
pub fn reply_codec(codec: codec::Codec, body: &[u8]) -> Result<(), Error> {
    reply(&codec::prefixed(codec.code(), body))
}

/// Inside `handle-message`: the correlation id of the request being handled, or `None` for a plain
/// message or a publication.
pub fn request_id() -> Option<RequestId> {
    match unsafe { sys::request_id() } {
        id if id > 0 => Some(id),
        _ => None,
    }
}

/// Monitors the actor `to` (a name or `#pid`): when it ends (at once with reason `noproc` if a granted
/// `#pid` is already gone), `handle-down` ([`crate::Actor::down`]) gets the returned reference. Errors:
/// `Inval` malformed or `host`, `NoEnt` no actor holds that name, `Perm` (`send:` grant), `Limit`
/// `max_monitors`, `NoMem`.
pub fn monitor(to: impl AsRef<[u8]>) -> Result<MonitorRef, Error> {
    let to = to.as_ref();
    check(unsafe { sys::monitor(to.as_ptr(), to.len()) })
}

/// Cancels a monitor. Errors: `NoEnt` no such monitor (or its notice was already delivered).
pub fn demonitor(reference: MonitorRef) -> Result<(), Error> {
    check(unsafe { sys::demonitor(reference) }.into()).map(|_| ())
}

/// Links this component with `to` (Erlang link: if either ends abnormally the other ends too, with the
/// same reason). Errors: as [`monitor`], `Limit` `max_links`.
pub fn link(to: impl AsRef<[u8]>) -> Result<(), Error> {
    let to = to.as_ref();
    check(unsafe { sys::link(to.as_ptr(), to.len()) }.into()).map(|_| ())
}

/// Starts a new, unnamed, unsupervised instance of the component the manifest declares under `name`;
/// returns its pid (address it with [`address`]). Errors: `Inval` empty / NUL / over 255 bytes, `NoEnt`
/// nothing declared so, `Perm` no `spawn: true`, `Limit` `max_spawned` children alive, `NoMem`,
/// `Module` / `Trap` it could not be created.
pub fn spawn(name: &str) -> Result<Pid, Error> {
    check(unsafe { sys::spawn(name.as_ptr(), name.len()) }).map(|p| p as Pid)
}
