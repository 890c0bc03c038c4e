//! Multicodec payload prefixes (docs/ABI.md, "Messages"; the multiformats unsigned-varint and multicodec
//! table): every payload starts with the unsigned varint of its codec's code.
//!
//! | codec | code | prefix bytes | body |
//! |---|---|---|---|
//! | [`Codec::Json`] | `0x0200` | `80 04` | JSON text (RFC 8259), UTF-8 |
//! | [`Codec::Cbor`] | `0x51` | `51` | CBOR (RFC 8949) |
//! | [`Codec::Borsh`] | `0x0701` | `81 0e` | Borsh |
//!
//! "Text" payloads (the manifest's `text:`) are JSON strings: [`text`] builds one.

use crate::json;

/// The multicodec code of JSON.
pub const JSON: u64 = 0x0200;
/// The multicodec code of CBOR.
pub const CBOR: u64 = 0x51;
/// The multicodec code of Borsh.
pub const BORSH: u64 = 0x0701;

/// Longest varint [`varint_decode`] accepts (9 bytes: 63 bits), as the host's codec layer.
pub const VARINT_MAX_BYTES: usize = 9;

/// A payload encoding the host knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// JSON text, code 0x0200.
    Json,
    /// CBOR, code 0x51.
    Cbor,
    /// Borsh, code 0x0701.
    Borsh,
}

impl Codec {
    /// The multicodec code.
    pub fn code(self) -> u64 {
        match self {
            Codec::Json => JSON,
            Codec::Cbor => CBOR,
            Codec::Borsh => BORSH,
        }
    }

    /// The codec of a code, or `None` for one the host does not know.
    pub fn from_code(code: u64) -> Option<Codec> {
        match code {
            JSON => Some(Codec::Json),
            CBOR => Some(Codec::Cbor),
            BORSH => Some(Codec::Borsh),
            _ => None,
        }
    }
}

/// Appends the unsigned varint of `value` (7 bits a byte, low group first) to `out`; returns the number
/// of bytes written (1 to 10).
pub fn varint_encode(mut value: u64, out: &mut Vec<u8>) -> usize {
    let mut n = 0;
    loop {
        let b = (value & 0x7f) as u8;
        value >>= 7;
        out.push(if value != 0 { b | 0x80 } else { b });
        n += 1;
        if value == 0 {
            return n;
        }
    }
}

/// Reads an unsigned varint from the start of `buf`: `Some((value, bytes consumed))`, or `None` if it
/// is truncated, longer than [`VARINT_MAX_BYTES`] or not minimally encoded (`80 00`), exactly the
/// cases the host's codec layer refuses.
pub fn varint_decode(buf: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in buf.iter().enumerate().take(VARINT_MAX_BYTES) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if i > 0 && b == 0 {
                return None;
            }
            return Some((v, i + 1));
        }
    }
    None
}

/// Splits a payload into its multicodec code and body; `None` if the prefix is missing or malformed.
/// The code may be one the host does not know (see [`Codec::from_code`]).
pub fn split(payload: &[u8]) -> Option<(u64, &[u8])> {
    let (code, n) = varint_decode(payload)?;
    Some((code, &payload[n..]))
}

/// `body` prefixed with the multicodec code `code`, as a new payload.
pub fn prefixed(code: u64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 3);
    varint_encode(code, &mut out);
    out.extend_from_slice(body);
    out
}

/// A JSON payload: `80 04` then `json_text` as it is (not checked; see [`crate::json::parse`]).
pub fn json(json_text: &str) -> Vec<u8> {
    prefixed(JSON, json_text.as_bytes())
}

/// A text payload as the manifest's `text:` makes one: `s` as a JSON string (escaped), JSON-prefixed.
pub fn text(s: &str) -> Vec<u8> {
    let mut body = String::with_capacity(s.len() + 2);
    json::write_string(&mut body, s);
    prefixed(JSON, body.as_bytes())
}

/// A CBOR payload: `51` then `cbor_bytes` (see [`crate::cbor`] to build them).
pub fn cbor(cbor_bytes: &[u8]) -> Vec<u8> {
    prefixed(CBOR, cbor_bytes)
}

/// A Borsh payload: `81 0e` then `borsh_bytes`.
pub fn borsh(borsh_bytes: &[u8]) -> Vec<u8> {
    prefixed(BORSH, borsh_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_the_hosts() {
        assert_eq!(json("{}"), [0x80, 0x04, b'{', b'}']);
        assert_eq!(cbor(&[0xf5]), [0x51, 0xf5]);
        assert_eq!(borsh(&[1, 0, 0, 0]), [0x81, 0x0e, 1, 0, 0, 0]);
        assert_eq!(text("a\"b\n"), b"\x80\x04\"a\\\"b\\n\"".to_vec());
    }

    #[test]
    fn varint_round_trip_and_strictness() {
        for v in [0u64, 1, 0x7f, 0x80, 0x0200, 0x0701, (1 << 63) - 1, u64::MAX] {
            let mut b = Vec::new();
            let n = varint_encode(v, &mut b);
            assert_eq!(n, b.len());
            if n <= VARINT_MAX_BYTES {
                assert_eq!(varint_decode(&b), Some((v, n)));
            } else {
                assert_eq!(varint_decode(&b), None, "{} needs {} bytes", v, n);
            }
        }
        assert_eq!(varint_decode(&[]), None);
        assert_eq!(varint_decode(&[0x80]), None); // truncated
        assert_eq!(varint_decode(&[0x80, 0x00]), None); // not minimal
        assert_eq!(varint_decode(&[0xff; 12]), None); // too long
        assert_eq!(split(&[0x80, 0x04, b'1']), Some((JSON, &b"1"[..])));
        assert_eq!(Codec::from_code(0x1234), None);
        assert_eq!(Codec::from_code(0x51), Some(Codec::Cbor));
    }
}
