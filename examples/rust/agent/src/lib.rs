//! rs_agent — a Rust component that exercises the whole guest ABI on command, to show the SDK and to be
//! driven by tests next to the C components. Every outcome is logged as one line starting "rs_agent:".
//!
//! Commands (JSON messages; a request is answered with {"ok":true} or {"error":...} once the command ran):
//!   {"ping":X}                       request only: answers {"pong":X,"count":N,"pid":P} (N counts the
//!                                    messages this instance handled: it starts again at 1 after a restart)
//!   {"ask":ADDR,"body":V,"timeout_ms":T}  requests V (JSON) from ADDR; the answer is logged at handle-reply
//!   {"send":ADDR,"body":V}           sends V to ADDR
//!   {"publish":TOPIC,"body":V}       publishes V, logs how many subscribers it reached
//!   {"publish_cbor":TOPIC,"text":S,"n":N}  publishes the CBOR array [S, N]
//!   {"subscribe":PATTERN} / {"unsubscribe":PATTERN}
//!   {"spawn":NAME}                   spawns the declared component NAME and monitors the child
//!   {"monitor":ADDR} / {"demonitor":REF} / {"link":ADDR}
//!   {"whereis":NAME}
//!   {"crash":"panic"}                panics (a trap: `unreachable`), so a supervisor restarts it
//!   {"health":"ok"|"degraded"|"unhealthy"}  what `_health` answers from now on
//! A publication (from a subscription) is logged as "rs_agent: <topic> from <sender>: <payload>".
//! At start it subscribes to each pattern in the WASI environment variable RS_AGENT_SUBSCRIBE
//! (comma-separated), if set. Typed exports: `add(i32, i32) -> i32`, `handled() -> i64`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

use wactor_guest::json::Value;
use wactor_guest::{self as wg, Actor, Down, Error, Health, Message, Reply};

static HANDLED: AtomicI64 = AtomicI64::new(0);

struct Agent {
    pending: HashMap<wg::RequestId, String>, // correlation id -> the address asked
    health: Health,
}

/// A payload shown in a log line: JSON as text, anything else as its length and codec.
fn show(payload: &[u8]) -> String {
    match wg::codec::split(payload) {
        Some((wg::codec::JSON, body)) => String::from_utf8_lossy(body).chars().take(200).collect(),
        Some((code, body)) => format!("<{} bytes of codec 0x{:x}>", body.len(), code),
        None => format!("<{} bytes without a multicodec prefix>", payload.len()),
    }
}

/// "ok", "ok <value>" or "refused: <error text> (<code>)".
fn outcome<T: std::fmt::Display>(r: Result<T, Error>) -> String {
    match r.map(|v| v.to_string()) {
        Ok(v) if v.is_empty() => "ok".to_string(),
        Ok(v) => format!("ok {}", v),
        Err(e) => format!("refused: {}", e),
    }
}

impl Agent {
    /// Runs one command; returns what to log, or None if the message is no command.
    fn command(&mut self, cmd: &Value) -> Option<String> {
        let s = |k: &str| cmd.get(k).and_then(Value::as_str);
        let body = cmd.get("body").map(|v| v.to_string()).unwrap_or_else(|| "null".to_string());
        if let Some(to) = s("ask") {
            let timeout = cmd.get("timeout_ms").and_then(Value::as_i64).unwrap_or(2000) as i32;
            return Some(match wg::request_json(to, &body, timeout) {
                Ok(id) => {
                    self.pending.insert(id, to.to_string());
                    format!("request {} to {}: {}", id, to, body)
                }
                Err(e) => format!("request to {} refused: {}", to, e),
            });
        }
        if let Some(to) = s("send") {
            return Some(format!("send to {}: {}", to, outcome(wg::send_json(to, &body).map(|_| ""))));
        }
        if let Some(topic) = s("publish") {
            return Some(match wg::publish_json(topic, &body) {
                Ok(n) => format!("published to {}: reached {}", topic, n),
                Err(e) => format!("publish to {} refused: {}", topic, e),
            });
        }
        if let Some(topic) = s("publish_cbor") {
            // {"publish_cbor":TOPIC,"text":S,"n":N}: the CBOR array [S, N] (RFC 8949), prefixed 0x51
            let mut body = Vec::new();
            wg::cbor::array(&mut body, 2);
            wg::cbor::text(&mut body, s("text").unwrap_or(""));
            wg::cbor::int(&mut body, cmd.get("n").and_then(Value::as_i64).unwrap_or(0));
            return Some(match wg::publish_codec(topic, wg::Codec::Cbor, &body) {
                Ok(n) => format!("published CBOR to {}: reached {}", topic, n),
                Err(e) => format!("publish to {} refused: {}", topic, e),
            });
        }
        if let Some(p) = s("subscribe") {
            return Some(format!("subscribe {}: {}", p, outcome(wg::subscribe(p).map(|_| ""))));
        }
        if let Some(p) = s("unsubscribe") {
            return Some(format!("unsubscribe {}: {}", p, outcome(wg::unsubscribe(p).map(|_| ""))));
        }
        if let Some(name) = s("spawn") {
            return Some(match wg::spawn(name) {
                Ok(pid) => {
                    let m = wg::monitor(wg::address(pid));
                    format!("spawned {} as #{}, monitor {}", name, pid, outcome(m))
                }
                Err(e) => format!("spawn {} refused: {}", name, e),
            });
        }
        if let Some(to) = s("monitor") {
            return Some(format!("monitor {}: {}", to, outcome(wg::monitor(to))));
        }
        if let Some(r) = cmd.get("demonitor").and_then(Value::as_i64) {
            return Some(format!("demonitor {}: {}", r, outcome(wg::demonitor(r).map(|_| ""))));
        }
        if let Some(to) = s("link") {
            return Some(format!("link {}: {}", to, outcome(wg::link(to).map(|_| ""))));
        }
        if let Some(name) = s("whereis") {
            return Some(match wg::whereis(name) {
                Some(pid) => format!("whereis {}: #{}", name, pid),
                None => format!("whereis {}: nobody", name),
            });
        }
        if let Some(h) = s("health") {
            self.health = match h {
                "ok" => Health::Healthy,
                "degraded" => Health::Degraded,
                _ => Health::Unhealthy,
            };
            return Some(format!("health is now {:?}", self.health));
        }
        if s("crash") == Some("panic") {
            panic!("rs_agent: crash requested");
        }
        None
    }
}

impl Actor for Agent {
    fn start() -> Self {
        if let Ok(patterns) = std::env::var("RS_AGENT_SUBSCRIBE") {
            for p in patterns.split(',').filter(|p| !p.is_empty()) {
                wg::info!("rs_agent: subscribe {}: {}", p, outcome(wg::subscribe(p).map(|_| "")));
            }
        }
        wg::info!("rs_agent: started as #{}", wg::self_pid());
        Agent { pending: HashMap::new(), health: Health::Healthy }
    }

    fn message(&mut self, msg: Message<'_>) {
        let n = HANDLED.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(topic) = msg.topic() {
            wg::info!("rs_agent: {} from {}: {}", topic, msg.sender(), show(msg.payload()));
            return;
        }
        let cmd = match msg.json() {
            Some(v) => v,
            None => {
                wg::warn!("rs_agent: not a JSON command from {}: {}", msg.sender(), show(msg.payload()));
                if msg.is_request() {
                    let _ = msg.reply_json("{\"error\":\"expected a JSON command\"}");
                }
                return;
            }
        };
        if let Some(x) = cmd.get("ping") {
            let answer = Value::object([("pong", x.clone()), ("count", Value::int(n)), ("pid", Value::Number(wg::self_pid().to_string()))]);
            if let Err(e) = msg.reply_json(&answer.to_string()) {
                wg::warn!("rs_agent: ping from {} cannot be answered: {}", msg.sender(), e);
            }
            return;
        }
        match self.command(&cmd) {
            Some(line) => {
                wg::info!("rs_agent: {}", line);
                if msg.is_request() {
                    let _ = msg.reply_json(&Value::object([("ok", Value::str(&line))]).to_string());
                }
            }
            None => {
                wg::warn!("rs_agent: unknown command from {}: {}", msg.sender(), cmd);
                if msg.is_request() {
                    let _ = msg.reply_json("{\"error\":\"unknown command\"}");
                }
            }
        }
    }

    fn reply(&mut self, reply: Reply<'_>) {
        let from = self.pending.remove(&reply.id).unwrap_or_else(|| "?".to_string());
        match reply.result {
            Ok(payload) => wg::info!("rs_agent: reply {} from {}: {}", reply.id, from, show(payload)),
            Err(e) => wg::info!("rs_agent: reply {} from {} failed: {}", reply.id, from, e),
        }
    }

    fn down(&mut self, down: Down<'_>) {
        wg::info!("rs_agent: down: monitor {} #{} ended: {}", down.monitor, down.pid, down.reason);
    }

    fn health(&mut self) -> Health {
        match self.health {
            Health::Healthy => Health::Healthy,
            h => h.with_reason("told so by a message"),
        }
    }

    fn cleanup(&mut self) {
        wg::info!("rs_agent: cleanup after {} messages", HANDLED.load(Ordering::Relaxed));
    }
}

wactor_guest::actor!(Agent);

/// Typed export: a + b (wrapping).
#[export_name = "add"]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// Typed export: the messages this instance handled.
#[export_name = "handled"]
pub extern "C" fn handled() -> i64 {
    HANDLED.load(Ordering::Relaxed)
}
