;; sink.wat — a peer of the guest-ABI fuzz driver (fuzz/fuzz_abi.c) that exports no handler at all: what
;; it is sent becomes dead letters (and its small mailbox fills up).
(module
  (memory (export "memory") 1 1))
