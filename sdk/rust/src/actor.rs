//! The component's exports (docs/ABI.md, "Exports"): what the host hands a handler ([`Message`],
//! [`Reply`], [`Down`], [`Health`]), the [`Actor`] trait, and the macros that define the exports —
//! [`actor!`](crate::actor) for a stateful actor, or [`handle_message!`](crate::handle_message) and its
//! siblings for plain functions, as the C SDK's `WACTOR_HANDLE_MESSAGE` does.

use std::borrow::Cow;

use crate::codec;
use crate::error::Error;
use crate::host::{self, MonitorRef, Pid, RequestId};
use crate::json;

/// Builds a borrowed slice from a pointer/length the host passed (a zero length may come with any
/// pointer).
///
/// # Safety
/// `ptr..ptr+len` must be readable and stay unchanged for `'a`: the host's inbox during a handler call.
unsafe fn borrowed<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        core::slice::from_raw_parts(ptr, len)
    }
}

/// One message at `handle-message`: who sent it and its payload, both **borrowed** from the host's
/// inbox for the duration of the handler (copy what you keep; the next message overwrites them).
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    sender: &'a [u8],
    payload: &'a [u8],
}

impl<'a> Message<'a> {
    /// A message from raw parts; the export macros call this.
    ///
    /// # Safety
    /// Both ranges must be readable for `'a` (the host guarantees it during `handle-message`).
    #[doc(hidden)]
    pub unsafe fn from_raw(sender: *const u8, sender_len: usize, payload: *const u8, payload_len: usize) -> Self {
        Message { sender: borrowed(sender, sender_len), payload: borrowed(payload, payload_len) }
    }

    /// A message made in the guest (for unit tests of a handler).
    pub fn new(sender: &'a [u8], payload: &'a [u8]) -> Self {
        Message { sender, payload }
    }

    /// The sender's address exactly as the host gave it: its registered name, `#<pid>`, or `host`.
    /// Pass it to [`crate::send`] to answer a plain message.
    pub fn sender_bytes(&self) -> &'a [u8] {
        self.sender
    }

    /// The sender's address as text (invalid UTF-8 replaced, for printing).
    pub fn sender(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.sender)
    }

    /// The whole payload, multicodec prefix included.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The payload's multicodec code, or `None` if it has no valid prefix.
    pub fn codec(&self) -> Option<u64> {
        codec::split(self.payload).map(|(c, _)| c)
    }

    /// The payload after its multicodec prefix, or `None` if it has no valid prefix.
    pub fn body(&self) -> Option<&'a [u8]> {
        codec::split(self.payload).map(|(_, b)| b)
    }

    /// The JSON text of a JSON payload (`None`: another codec, no prefix, or not UTF-8).
    pub fn json_text(&self) -> Option<&'a str> {
        match codec::split(self.payload) {
            Some((codec::JSON, body)) => core::str::from_utf8(body).ok(),
            _ => None,
        }
    }

    /// A JSON payload parsed ([`json::parse`]); `None` for another codec or malformed JSON.
    pub fn json(&self) -> Option<json::Value> {
        json::parse(self.json_text()?.as_bytes()).ok()
    }

    /// A text payload (a JSON string, as [`codec::text`] and the manifest's `text:` make one).
    pub fn text(&self) -> Option<String> {
        match self.json()? {
            json::Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The topic this publication was published to, or `None` for a direct send or a request. Only
    /// valid during the handler call (it asks the host).
    pub fn topic(&self) -> Option<String> {
        host::current_topic()
    }

    /// The correlation id if this message is a request (answer it with [`Message::reply`]).
    pub fn request_id(&self) -> Option<RequestId> {
        host::request_id()
    }

    /// True if this message is a request.
    pub fn is_request(&self) -> bool {
        host::request_id().is_some()
    }

    /// Answers this request (see [`crate::reply`]).
    pub fn reply(&self, payload: &[u8]) -> Result<(), Error> {
        host::reply(payload)
    }

    /// Answers this request with JSON text (see [`crate::reply_json`]).
    pub fn reply_json(&self, json_text: &str) -> Result<(), Error> {
        host::reply_json(json_text)
    }
}

/// The outcome of one [`crate::request`] at `handle-reply`.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    /// The correlation id [`crate::request`] returned.
    pub id: RequestId,
    /// The answer's payload (borrowed, like a [`Message`]'s), or how the request failed: `TimedOut`,
    /// `NoEnt` (the target ended), `Trap` (it trapped), `NoHandler` (it did not answer), `TooBig`.
    pub result: Result<&'a [u8], Error>,
}

impl<'a> Reply<'a> {
    /// A reply from raw parts; the export macros call this.
    ///
    /// # Safety
    /// As [`Message::from_raw`].
    #[doc(hidden)]
    pub unsafe fn from_raw(id: i64, status: i32, payload: *const u8, payload_len: usize) -> Self {
        let result = if status == 0 { Ok(borrowed(payload, payload_len)) } else { Err(Error::from_code(status.into())) };
        Reply { id, result }
    }

    /// The answer's JSON text, if it succeeded with a JSON payload.
    pub fn json_text(&self) -> Option<&'a str> {
        match codec::split(self.result.ok()?) {
            Some((codec::JSON, body)) => core::str::from_utf8(body).ok(),
            _ => None,
        }
    }

    /// The answer parsed as JSON, if it succeeded with a well-formed JSON payload.
    pub fn json(&self) -> Option<json::Value> {
        json::parse(self.json_text()?.as_bytes()).ok()
    }
}

/// A monitor notice at `handle-down`: actor `pid`, watched by monitor `monitor`, ended with `reason`
/// (`normal`, `shutdown`, `killed`, `noproc`, `health`, `exit N`, or a trap kind such as
/// `integer divide by zero`).
#[derive(Debug, Clone)]
pub struct Down<'a> {
    pub monitor: MonitorRef,
    pub pid: Pid,
    pub reason: Cow<'a, str>,
}

impl<'a> Down<'a> {
    /// A notice from raw parts; the export macros call this.
    ///
    /// # Safety
    /// As [`Message::from_raw`].
    #[doc(hidden)]
    pub unsafe fn from_raw(monitor: i64, pid: u64, reason: *const u8, reason_len: usize) -> Self {
        Down { monitor, pid, reason: String::from_utf8_lossy(borrowed(reason, reason_len)) }
    }
}

/// What `_health` answers (docs/ABI.md): attach a reason with [`crate::health_reason`] or
/// [`Health::with_reason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Healthy = 0,
    Degraded = 1,
    Unhealthy = 2,
}

impl Health {
    /// Attaches `reason` (the host keeps 255 bytes) and returns `self`: `Health::Degraded.with_reason("slow")`.
    pub fn with_reason(self, reason: &str) -> Health {
        host::health_reason(reason);
        self
    }
}

/// A stateful component. [`actor!`](crate::actor)`(MyType)` exports `_start` (which calls
/// [`Actor::start`] once and keeps the value for the instance's life), `handle-message`,
/// `handle-reply`, `handle-down`, `_health` and `_cleanup`, each calling the method below on that value.
///
/// One message at a time: the host never calls two exports of an instance at once, so `&mut self` is
/// exclusive. A panic (or any trap) ends the instance; its supervisor starts a fresh one, whose state
/// starts again from [`Actor::start`].
pub trait Actor: Sized + 'static {
    /// Builds the initial state (the `_start` export); host calls (subscribe, monitor, ...) are allowed.
    fn start() -> Self;

    /// One message (direct send, publication or request).
    fn message(&mut self, msg: Message<'_>);

    /// The outcome of one of this component's requests. Default: logged at debug level.
    fn reply(&mut self, reply: Reply<'_>) {
        crate::debug!("unhandled reply to request {}: {:?}", reply.id, reply.result.map(|p| p.len()));
    }

    /// A monitor fired. Default: logged at debug level.
    fn down(&mut self, down: Down<'_>) {
        crate::debug!("unhandled down notice: monitor {} pid {} reason {}", down.monitor, down.pid, down.reason);
    }

    /// The `_health` probe. Default: healthy.
    fn health(&mut self) -> Health {
        Health::Healthy
    }

    /// Called once on shutdown (`_cleanup`), bounded by the shutdown timeout. Default: nothing.
    fn cleanup(&mut self) {}
}

/// Exports an [`Actor`] type's methods as the component's `_start`, `handle-message`, `handle-reply`,
/// `handle-down`, `_health` and `_cleanup`. Use it once per component:
///
/// ```ignore
/// struct Counter { n: u64 }
/// impl wactor_guest::Actor for Counter {
///     fn start() -> Self { Counter { n: 0 } }
///     fn message(&mut self, msg: wactor_guest::Message<'_>) {
///         self.n += 1;
///         wactor_guest::info!("message {} from {}", self.n, msg.sender());
///     }
/// }
/// wactor_guest::actor!(Counter);
/// ```
#[macro_export]
macro_rules! actor {
    ($t:ty) => {
        const _: () = {
            static mut WACTOR_STATE: ::core::option::Option<$t> = ::core::option::Option::None;
            fn wactor_state() -> &'static mut $t {
                // SAFETY: an instance runs one export call at a time on one thread, and no export calls
                // another, so this is the only live reference.
                unsafe { WACTOR_STATE.get_or_insert_with(<$t as $crate::Actor>::start) }
            }
            #[export_name = "_start"]
            extern "C" fn wactor_start() {
                wactor_state();
            }
            #[export_name = "handle-message"]
            extern "C" fn wactor_handle_message(s: *const u8, sl: usize, p: *const u8, pl: usize) {
                let msg = unsafe { $crate::Message::from_raw(s, sl, p, pl) };
                $crate::Actor::message(wactor_state(), msg);
            }
            #[export_name = "handle-reply"]
            extern "C" fn wactor_handle_reply(id: i64, status: i32, p: *const u8, pl: usize) {
                let reply = unsafe { $crate::Reply::from_raw(id, status, p, pl) };
                $crate::Actor::reply(wactor_state(), reply);
            }
            #[export_name = "handle-down"]
            extern "C" fn wactor_handle_down(r: i64, pid: u64, s: *const u8, sl: usize) {
                let down = unsafe { $crate::Down::from_raw(r, pid, s, sl) };
                $crate::Actor::down(wactor_state(), down);
            }
            #[export_name = "_health"]
            extern "C" fn wactor_health() -> i32 {
                $crate::Actor::health(wactor_state()) as i32
            }
            #[export_name = "_cleanup"]
            extern "C" fn wactor_cleanup() {
                $crate::Actor::cleanup(wactor_state());
            }
        };
    };
}

/// Exports `handle-message`, calling `fn(wactor_guest::Message<'_>)` — the C SDK's
/// `WACTOR_HANDLE_MESSAGE`, for a component without [`Actor`] state.
#[macro_export]
macro_rules! handle_message {
    ($f:path) => {
        const _: () = {
            #[export_name = "handle-message"]
            extern "C" fn wactor_handle_message(s: *const u8, sl: usize, p: *const u8, pl: usize) {
                $f(unsafe { $crate::Message::from_raw(s, sl, p, pl) });
            }
        };
    };
}

/// Exports `handle-reply`, calling `fn(wactor_guest::Reply<'_>)`.
#[macro_export]
macro_rules! handle_reply {
    ($f:path) => {
        const _: () = {
            #[export_name = "handle-reply"]
            extern "C" fn wactor_handle_reply(id: i64, status: i32, p: *const u8, pl: usize) {
                $f(unsafe { $crate::Reply::from_raw(id, status, p, pl) });
            }
        };
    };
}

/// Exports `handle-down`, calling `fn(wactor_guest::Down<'_>)`.
#[macro_export]
macro_rules! handle_down {
    ($f:path) => {
        const _: () = {
            #[export_name = "handle-down"]
            extern "C" fn wactor_handle_down(r: i64, pid: u64, s: *const u8, sl: usize) {
                $f(unsafe { $crate::Down::from_raw(r, pid, s, sl) });
            }
        };
    };
}

/// Exports `_start`, calling `fn()`.
#[macro_export]
macro_rules! start {
    ($f:path) => {
        const _: () = {
            #[export_name = "_start"]
            extern "C" fn wactor_start() {
                $f();
            }
        };
    };
}

/// Exports `_health`, calling `fn() -> wactor_guest::Health`.
#[macro_export]
macro_rules! health {
    ($f:path) => {
        const _: () = {
            #[export_name = "_health"]
            extern "C" fn wactor_health() -> i32 {
                let h: $crate::Health = $f();
                h as i32
            }
        };
    };
}

/// Exports `_cleanup`, calling `fn()`.
#[macro_export]
macro_rules! cleanup {
    ($f:path) => {
        const _: () = {
            #[export_name = "_cleanup"]
            extern "C" fn wactor_cleanup() {
                $f();
            }
        };
    };
}
