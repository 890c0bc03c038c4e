//! rs_kv — the `kv` service of examples/kv.c written in Rust, speaking the same protocol, so the C
//! `kv_client` (or any component, or `wactor_ask`) can use either:
//!
//!   {"put":"k","value":V}  stores V (any JSON value, kept as compact JSON text) under k -> {"ok":true}
//!   {"get":"k"}            -> {"value":V}, or {"error":"not found"}
//!   anything else          -> {"error":"..."}
//!
//! A plain message (a `send`, not a request) has nowhere to send an answer: it is logged and ignored.
//! Keys are compared after JSON unescaping ("k\u0031" is "k1"). At most MAX_KEYS keys of up to
//! MAX_KEY_BYTES bytes and values of up to MAX_VALUE_BYTES bytes of JSON text. `_health` reports
//! degraded once the store is 90% full; the typed export `size` returns the number of keys.

use std::collections::HashMap;

use wactor_guest::json::{self, Value};
use wactor_guest::{Actor, Health, Message};

const MAX_KEYS: usize = 4096;
const MAX_KEY_BYTES: usize = 255;
const MAX_VALUE_BYTES: usize = 4096;

struct Kv {
    table: HashMap<String, String>,
    answered: u64,
}

static mut SIZE: usize = 0;

impl Kv {
    fn answer(&mut self, msg: &Message<'_>, reply: &Value) {
        match msg.reply_json(&reply.to_string()) {
            Ok(()) => self.answered += 1,
            Err(e) => wactor_guest::warn!("rs_kv: reply failed: {}", e),
        }
    }

    fn error(&mut self, msg: &Message<'_>, what: &str) {
        self.answer(msg, &Value::object([("error", Value::str(what))]));
    }
}

impl Actor for Kv {
    fn start() -> Self {
        Kv { table: HashMap::new(), answered: 0 }
    }

    fn message(&mut self, msg: Message<'_>) {
        let text = msg.json_text();
        let shown: String = text.unwrap_or("").chars().take(120).collect();
        if !msg.is_request() {
            wactor_guest::warn!("rs_kv: ignoring a plain message from {} (not a request): {}", msg.sender(), shown);
            return;
        }
        let req = match text.map(|t| json::parse(t.as_bytes())) {
            None => {
                wactor_guest::warn!("rs_kv: non-JSON request from {}", msg.sender());
                return self.error(&msg, "expected JSON");
            }
            Some(Err(e)) => {
                wactor_guest::warn!("rs_kv: malformed JSON from {}: {}", msg.sender(), e);
                return self.error(&msg, "malformed JSON");
            }
            Some(Ok(v)) => v,
        };
        if let Some(key) = req.get("put").and_then(Value::as_str) {
            let value = match req.get("value") {
                Some(v) => v.to_string(),
                None => return self.error(&msg, "put needs a \"value\""),
            };
            if key.len() > MAX_KEY_BYTES {
                return self.error(&msg, "key too long");
            }
            if value.len() > MAX_VALUE_BYTES {
                return self.error(&msg, "value too big");
            }
            if !self.table.contains_key(key) && self.table.len() == MAX_KEYS {
                return self.error(&msg, "store full");
            }
            self.table.insert(key.to_string(), value);
            unsafe { SIZE = self.table.len() };
            self.answer(&msg, &Value::object([("ok", Value::Bool(true))]));
        } else if let Some(key) = req.get("get").and_then(Value::as_str) {
            if key.len() > MAX_KEY_BYTES {
                return self.error(&msg, "key too long");
            }
            // Stored values are JSON text this component wrote itself.
            let found = self.table.get(key).map(|v| format!("{{\"value\":{}}}", v));
            match found {
                Some(text) => match msg.reply_json(&text) {
                    Ok(()) => self.answered += 1,
                    Err(e) => wactor_guest::warn!("rs_kv: reply failed: {}", e),
                },
                None => self.error(&msg, "not found"),
            }
        } else {
            wactor_guest::warn!("rs_kv: bad request from {}: {}", msg.sender(), shown);
            self.error(&msg, "expected {\"put\":\"k\",\"value\":v} or {\"get\":\"k\"}");
        }
    }

    fn health(&mut self) -> Health {
        if self.table.len() * 10 >= MAX_KEYS * 9 {
            Health::Degraded.with_reason(&format!("store {} of {} keys full", self.table.len(), MAX_KEYS))
        } else {
            Health::Healthy
        }
    }

    fn cleanup(&mut self) {
        wactor_guest::info!("rs_kv: stopping with {} keys after {} answers", self.table.len(), self.answered);
    }
}

wactor_guest::actor!(Kv);

/// Typed export: the number of keys stored (`wactor call`, `wactor_invoke`).
#[export_name = "size"]
pub extern "C" fn size() -> i32 {
    unsafe { SIZE as i32 }
}
