//! Errors of host calls: the negated codes of `include/wactor_errors.h` (docs/ABI.md, "Results"), the
//! same list and texts as the host's `wactor_strerror`.

use core::fmt;

macro_rules! errors {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $text:literal; )*) => {
        /// What a host call refused, or how a request ended (`handle-reply`'s status).
        ///
        /// `code()` gives the ABI's negative value; `Display` the host's text for it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Error {
            $( $(#[$doc])* $name, )*
            /// A negative code this SDK does not know (a newer host); carries the raw value.
            Other(i64),
        }

        impl Error {
            /// The error for a negative ABI result, e.g. `Error::from_code(-16) == Error::Perm`.
            /// A code that is not negative or not in the list is `Error::Other(code)`.
            pub fn from_code(code: i64) -> Error {
                match code {
                    $( $code => Error::$name, )*
                    other => Error::Other(other),
                }
            }

            /// The ABI's (negative) value.
            pub fn code(self) -> i64 {
                match self {
                    $( Error::$name => $code, )*
                    Error::Other(c) => c,
                }
            }

            /// The host's text for this error (`wactor_strerror`), e.g. "timed out".
            pub fn text(self) -> &'static str {
                match self {
                    $( Error::$name => $text, )*
                    Error::Other(_) => "unknown error",
                }
            }
        }
    };
}

errors! {
    /// -1: a malformed address, topic, pattern or argument.
    Inval = -1, "invalid argument";
    /// -2: the host (or this SDK) ran out of memory.
    NoMem = -2, "out of memory";
    /// -3: no such actor, name, subscription or monitor; the target ended.
    NoEnt = -3, "no such actor, name, export or file";
    /// -4: already registered or subscribed.
    Exist = -4, "name already registered";
    /// -5: a spawned module could not be instantiated.
    Module = -5, "invalid WebAssembly module";
    /// -6: the target trapped (while handling a request).
    Trap = -6, "the component trapped";
    /// -7: a request was not answered within its timeout.
    TimedOut = -7, "timed out";
    /// -8: malformed or unknown-codec payload.
    Codec = -8, "malformed or unknown-codec payload";
    /// -9: wrong number of arguments.
    Arity = -9, "wrong number of arguments";
    /// -10: argument of the wrong type.
    Type = -10, "argument of the wrong type";
    /// -11: not inside an unanswered request (`reply`).
    State = -11, "the actor is not in a state that allows this";
    /// -12: the target's mailbox is full.
    Full = -12, "full";
    /// -13: over this component's or the target's `max_message_bytes`.
    TooBig = -13, "message too big";
    /// -14: I/O error.
    Io = -14, "I/O error";
    /// -15: the target returned without answering the request.
    NoHandler = -15, "the component has no handler for this message";
    /// -16: not granted by the component's `capabilities:`.
    Perm = -16, "not permitted by the component's capabilities";
    /// -17: a per-component limit (`max_requests`, `max_subscriptions`, ...) was reached.
    Limit = -17, "a per-component limit was reached";
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.text(), self.code())
    }
}

impl std::error::Error for Error {}

/// `Ok(value)` for a result `>= 0`, else the error.
pub(crate) fn check(rc: i64) -> Result<i64, Error> {
    if rc >= 0 {
        Ok(rc)
    } else {
        Err(Error::from_code(rc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list above must be the host's, entry by entry: every `X(NAME, value, ERRNO, "text")` line of
    /// include/wactor_errors.h (the one list the C SDK and the host share) maps to the same text here.
    #[test]
    fn same_codes_and_texts_as_the_host() {
        let header = include_str!("../../../include/wactor_errors.h");
        let mut seen = 0;
        for line in header.lines() {
            let line = line.trim();
            let rest = match line.strip_prefix("X(") {
                Some(r) => r,
                None => continue,
            };
            let fields: Vec<&str> = rest.splitn(4, ',').map(str::trim).collect();
            let value: i64 = fields[1].parse().expect("a value");
            let text = fields[3].split('"').nth(1).expect("a quoted text");
            let e = Error::from_code(-value);
            assert!(!matches!(e, Error::Other(_)), "{} ({}) is missing from the SDK", fields[0], value);
            assert_eq!(e.code(), -value);
            assert_eq!(e.text(), text, "text of {}", fields[0]);
            seen += 1;
        }
        assert!(seen >= 17, "only {} entries read from include/wactor_errors.h", seen);
        assert_eq!(Error::from_code(-99), Error::Other(-99));
        assert_eq!(Error::Perm.to_string(), "not permitted by the component's capabilities (-16)");
    }
}
