//! A small, strict JSON (RFC 8259) reader and writer, enough for message payloads, with no dependencies.
//!
//! [`parse`] builds a [`Value`]; it refuses anything RFC 8259 does (trailing commas, single quotes,
//! leading zeros, control characters in strings, lone surrogates, invalid UTF-8, trailing text) and
//! nests at most [`MAX_DEPTH`] arrays/objects, so hostile input costs time and memory linear in its size
//! and never overflows the stack. Numbers keep their text, so integers of any size stay exact
//! ([`Value::as_i64`], [`Value::as_u64`], [`Value::as_f64`]). Objects keep their members' order; a
//! duplicate key is kept and [`Value::get`] finds the first. `Display` writes compact JSON.

use core::fmt;

/// Deepest nesting of arrays and objects [`parse`] accepts.
pub const MAX_DEPTH: usize = 64;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text exactly as written (valid JSON number syntax).
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in document order.
    Object(Vec<(String, Value)>),
}

/// Why [`parse`] refused its input: what was wrong and the byte offset where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub what: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

impl std::error::Error for ParseError {}

impl Value {
    /// Member `key` of an object (the first, if repeated); `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string's text, or `None`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, or `None`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an `i64` if it is an integer (no fraction, no exponent) in range, else `None`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(t) if !t.contains(['.', 'e', 'E']) => t.parse().ok(),
            _ => None,
        }
    }

    /// The number as a `u64` if it is a non-negative integer in range, else `None`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(t) if !t.contains(['.', 'e', 'E', '-']) => t.parse().ok(),
            _ => None,
        }
    }

    /// The number as an `f64` (nearest; a huge one is infinite), or `None` for a non-number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// The array's elements, or `None`.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The object's members, or `None`.
    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// A number value from an integer.
    pub fn int(v: i64) -> Value {
        Value::Number(v.to_string())
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::String(s.to_string())
    }

    /// An object from `(key, value)` pairs.
    pub fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_value(&mut out, self);
        f.write_str(&out)
    }
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(t) => out.push_str(t),
        Value::String(s) => write_string(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, e);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, e);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a JSON string literal (quotes included): `"` `\` and control characters escaped
/// (`\n`, `\t`, ..., `\u001f`), everything else as it is (UTF-8).
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` as a JSON string literal (see [`write_string`]).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_string(&mut out, s);
    out
}

/// Parses one JSON value (surrounded by optional whitespace) from `input`, which must be UTF-8.
pub fn parse(input: &[u8]) -> Result<Value, ParseError> {
    if let Err(e) = core::str::from_utf8(input) {
        return Err(ParseError { offset: e.valid_up_to(), what: "invalid UTF-8" });
    }
    let mut p = Parser { s: input, i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != input.len() {
        return Err(p.err("text after the value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, what: &'static str) -> ParseError {
        ParseError { offset: self.i, what }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn literal(&mut self, word: &'static [u8], v: Value) -> Result<Value, ParseError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.ws();
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c @ (b'[' | b'{')) => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nested too deeply"));
                }
                self.i += 1;
                let close = if c == b'[' { b']' } else { b'}' };
                let mut arr = Vec::new();
                let mut obj = Vec::new();
                self.ws();
                if self.peek() == Some(close) {
                    self.i += 1;
                } else {
                    loop {
                        if c == b'{' {
                            self.ws();
                            if self.peek() != Some(b'"') {
                                return Err(self.err("expected a member name"));
                            }
                            let k = self.string()?;
                            self.ws();
                            if self.peek() != Some(b':') {
                                return Err(self.err("expected ':'"));
                            }
                            self.i += 1;
                            obj.push((k, self.value(depth + 1)?));
                        } else {
                            arr.push(self.value(depth + 1)?);
                        }
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(x) if x == close => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or the closing bracket")),
                        }
                    }
                }
                Ok(if c == b'[' { Value::Array(arr) } else { Value::Object(obj) })
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 {
            return Err(self.err("expected a digit"));
        }
        if n > 1 && self.s[int_start] == b'0' {
            return Err(ParseError { offset: int_start, what: "leading zero" });
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("expected a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("expected a digit in the exponent"));
            }
        }
        // Only ASCII was consumed, so this slice is valid UTF-8.
        Ok(Value::Number(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("expected 4 hex digits")),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let c = match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(c) => c,
            };
            self.i += 1;
            match c {
                b'"' => break,
                0..=0x1f => {
                    self.i -= 1;
                    return Err(self.err("control character in a string"));
                }
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xd800..0xdc00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return Err(self.err("lone surrogate"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err(self.err("lone surrogate"));
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            char::from_u32(cp).ok_or_else(|| self.err("lone surrogate"))?
                        }
                        _ => return Err(self.err("unknown escape")),
                    };
                    let mut b = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                }
                c => out.push(c),
            }
        }
        // The input was valid UTF-8 and escapes were encoded as UTF-8.
        String::from_utf8(out).map_err(|_| self.err("invalid UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reads_members() {
        let v = parse(br#" {"put":"k\u0031","value":[1,-2.5e3,true,null,{"x":"\ud83d\ude00"}],"n":18446744073709551615} "#).unwrap();
        assert_eq!(v.get("put").and_then(Value::as_str), Some("k1"));
        let arr = v.get("value").and_then(Value::as_array).unwrap();
        assert_eq!(arr[0].as_i64(), Some(1));
        assert_eq!(arr[1].as_i64(), None);
        assert_eq!(arr[1].as_f64(), Some(-2500.0));
        assert_eq!(arr[4].get("x").and_then(Value::as_str), Some("\u{1f600}"));
        assert_eq!(v.get("n").and_then(Value::as_u64), Some(u64::MAX));
        assert_eq!(v.get("n").and_then(Value::as_i64), None);
        assert_eq!(v.get("missing"), None);
        assert_eq!(v.to_string(), r#"{"put":"k1","value":[1,-2.5e3,true,null,{"x":"😀"}],"n":18446744073709551615}"#);
    }

    #[test]
    fn refuses_what_rfc8259_refuses() {
        for bad in [
            &b""[..], b"{", b"[1,]", b"{\"a\":1,}", b"'a'", b"01", b"1.", b"1e", b"-", b"+1", b"tru",
            b"\"a\nb\"", b"\"\\x\"", b"\"\\ud800\"", b"\"\\udc00\"", b"\"\\ud800\\u0041\"", b"1 2",
            b"\"\xff\"", b"{1:2}", b"[1 2]", b"\"abc",
        ] {
            assert!(parse(bad).is_err(), "{:?} was accepted", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn depth_is_bounded() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(parse(deep.as_bytes()).unwrap_err().what, "nested too deeply");
    }

    #[test]
    fn strings_round_trip() {
        let s = "quote \" backslash \\ nl \n tab \t nul \u{0} esc \u{1b} é";
        let q = quote(s);
        assert_eq!(q, "\"quote \\\" backslash \\\\ nl \\n tab \\t nul \\u0000 esc \\u001b é\"");
        assert_eq!(parse(q.as_bytes()).unwrap(), Value::String(s.to_string()));
    }
}
