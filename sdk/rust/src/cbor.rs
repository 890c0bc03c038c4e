//! A tiny CBOR (RFC 8949) writer for the common shapes of a message: unsigned and negative integers,
//! text and byte strings, booleans, null, and the heads of arrays and maps (whose items follow).
//! Every length and integer uses the shortest head (RFC 8949 §4.2.1 "preferred serialization").
//! Prefix the result with [`crate::codec::cbor`] to send it.

fn head(out: &mut Vec<u8>, major: u8, v: u64) {
    let m = major << 5;
    if v < 24 {
        out.push(m | v as u8);
    } else if v <= 0xff {
        out.extend_from_slice(&[m | 24, v as u8]);
    } else if v <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(v as u16).to_be_bytes());
    } else if v <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(v as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&v.to_be_bytes());
    }
}

/// Appends an unsigned integer (major type 0).
pub fn uint(out: &mut Vec<u8>, v: u64) {
    head(out, 0, v);
}

/// Appends a signed integer (major type 0 or 1).
pub fn int(out: &mut Vec<u8>, v: i64) {
    if v >= 0 {
        head(out, 0, v as u64);
    } else {
        head(out, 1, !(v as u64)); // -1 - v, without overflow at i64::MIN
    }
}

/// Appends a byte string (major type 2).
pub fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    head(out, 2, b.len() as u64);
    out.extend_from_slice(b);
}

/// Appends a text string (major type 3).
pub fn text(out: &mut Vec<u8>, s: &str) {
    head(out, 3, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Appends the head of an array of `n` items; append the items next.
pub fn array(out: &mut Vec<u8>, n: usize) {
    head(out, 4, n as u64);
}

/// Appends the head of a map of `n` pairs; append key, value, key, value, ... next.
pub fn map(out: &mut Vec<u8>, n: usize) {
    head(out, 5, n as u64);
}

/// Appends `true` / `false`.
pub fn bool(out: &mut Vec<u8>, b: bool) {
    out.push(if b { 0xf5 } else { 0xf4 });
}

/// Appends `null`.
pub fn null(out: &mut Vec<u8>) {
    out.push(0xf6);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8949_appendix_a_examples() {
        let enc = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut v = Vec::new();
            f(&mut v);
            v
        };
        assert_eq!(enc(&|o| uint(o, 0)), [0x00]);
        assert_eq!(enc(&|o| uint(o, 23)), [0x17]);
        assert_eq!(enc(&|o| uint(o, 24)), [0x18, 0x18]);
        assert_eq!(enc(&|o| uint(o, 1000)), [0x19, 0x03, 0xe8]);
        assert_eq!(enc(&|o| uint(o, 1_000_000)), [0x1a, 0x00, 0x0f, 0x42, 0x40]);
        assert_eq!(enc(&|o| uint(o, u64::MAX)), [0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(enc(&|o| int(o, -1)), [0x20]);
        assert_eq!(enc(&|o| int(o, -1000)), [0x39, 0x03, 0xe7]);
        assert_eq!(enc(&|o| int(o, i64::MIN)), [0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(enc(&|o| text(o, "IETF")), [0x64, 0x49, 0x45, 0x54, 0x46]);
        assert_eq!(enc(&|o| bytes(o, &[1, 2, 3, 4])), [0x44, 1, 2, 3, 4]);
        assert_eq!(enc(&|o| { array(o, 2); uint(o, 1); bool(o, false) }), [0x82, 0x01, 0xf4]);
        assert_eq!(enc(&|o| { map(o, 1); text(o, "a"); null(o) }), [0xa1, 0x61, 0x61, 0xf6]);
    }
}
