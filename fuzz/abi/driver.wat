;; driver.wat — the guest-ABI fuzz driver (fuzz/fuzz_abi.c). Every message it handles (handle-message,
;; handle-reply) is a program: a sequence of operations, each one byte followed by its arguments, that
;; calls the host imports — every `wactor` import and every WASI preview1 function wactor provides — with
;; arguments taken from the message. The host must survive anything: bad pointers and lengths are traps of
;; this guest only, refused calls are error codes.
;;
;; Argument encodings (read from the message, past its end everything reads as 0):
;;   byte   one byte.        u32  four bytes, little-endian.
;;   i32    b < 0x80: b | 0x80..0xbf: SCRATCH + (b - 0x80) * 64 (a valid pointer) | 0xfd: the last i32
;;          result | 0xfe: the message's payload pointer | 0xff: u32 | else: -(b - 0xbf)  (-1..-61)
;;   i64    b == 0: the last i64 result | b == 1: u32 | u32<<32 | else: i32 sign-extended
;;   buf    (a pointer and a length) k < 0x80: the next k bytes of the message, inline | 0x80..0xbf:
;;          SCRATCH + (k - 0x80) * 64, length byte | 0xc0..0xfc: the sender's address | 0xfd: the text
;;          written by `fmt` | 0xfe: the whole payload | 0xff: u32 pointer, u32 length (wild)
;;
;; Operations (byte % 27):
;;   0 send(buf to, buf payload)       1 request(buf, buf, i32 timeout_ms)   2 reply(buf)
;;   3 publish(buf topic, buf)         4 subscribe(buf)                      5 unsubscribe(buf)
;;   6 whereis(buf)                    7 self()                              8 spawn(buf name)
;;   9 monitor(buf)                   10 demonitor(i64)                     11 link(buf)
;;  12 log(i32 level, buf)            13 now()                              14 topic(i32 ptr, i32 cap)
;;  15 health_reason(buf)             16 request_id()
;;  17 poke(byte off16, byte n, n bytes): copy into SCRATCH + off16 * 16
;;  18 fmt: write "#" + decimal(last i64 result) at FMT (used by buf 0xfd: e.g. send to a spawned pid)
;;  19 trap(byte kind): 0 unreachable, 1 divide by zero, 2 out-of-bounds load, 3 loop forever (fuel),
;;     4 unbounded recursion (call stack), 5 memory.grow(byte) pages, 6 spin u32 & 0xfffff iterations
;;  20 wasi(byte which % 46: each WASI preview1 function wactor provides, its arguments as i32 / i64)
;;  21 end of program
;;  22 set health: the next _health returns i32 (and reports buf as reason)
;;  23 set cleanup spin: _cleanup spins u32 & 0xfffffff iterations (bounded by the shutdown timeout)
;;  24 skip(byte n)
;;  25 store the last i32 / i64 results at SCRATCH + byte * 8 (i32 at +0, i64 at +4)
;;  26 reset the last i64 result to the pid named by buf (whereis)
;;
;; At most 256 messages per instance run as programs (the rest are only counted), so message loops between
;; drivers end.
(module
  (import "wactor" "send" (func $send (param i32 i32 i32 i32) (result i32)))
  (import "wactor" "request" (func $request (param i32 i32 i32 i32 i32) (result i64)))
  (import "wactor" "reply" (func $reply (param i32 i32) (result i32)))
  (import "wactor" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
  (import "wactor" "subscribe" (func $subscribe (param i32 i32) (result i32)))
  (import "wactor" "unsubscribe" (func $unsubscribe (param i32 i32) (result i32)))
  (import "wactor" "whereis" (func $whereis (param i32 i32) (result i64)))
  (import "wactor" "self" (func $self (result i64)))
  (import "wactor" "spawn" (func $spawn (param i32 i32) (result i64)))
  (import "wactor" "monitor" (func $monitor (param i32 i32) (result i64)))
  (import "wactor" "demonitor" (func $demonitor (param i64) (result i32)))
  (import "wactor" "link" (func $link (param i32 i32) (result i32)))
  (import "wactor" "log" (func $log (param i32 i32 i32)))
  (import "wactor" "now" (func $now (result i64)))
  (import "wactor" "topic" (func $topic (param i32 i32) (result i32)))
  (import "wactor" "health_reason" (func $health_reason (param i32 i32)))
  (import "wactor" "request_id" (func $request_id (result i64)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_allocate" (func $fd_allocate (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_datasync" (func $fd_datasync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $fd_fdstat_set_rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))

  ;; 0..4095 unused; SCRATCH 4096..8191; FMT 8192..8223; heap for cabi_realloc from 16384.
  (memory (export "memory") 1 8)
  (global $SCRATCH i32 (i32.const 4096))
  (global $FMT i32 (i32.const 8192))
  (global $heap (mut i32) (i32.const 16384))
  (global $pos (mut i32) (i32.const 0))
  (global $end (mut i32) (i32.const 0))
  (global $pp (mut i32) (i32.const 0))      ;; the message's payload
  (global $pl (mut i32) (i32.const 0))
  (global $sp (mut i32) (i32.const 0))      ;; its sender's address
  (global $sl (mut i32) (i32.const 0))
  (global $bp (mut i32) (i32.const 0))      ;; the last buf read
  (global $bl (mut i32) (i32.const 0))
  (global $fmtlen (mut i32) (i32.const 0))
  (global $r32 (mut i32) (i32.const 0))
  (global $r64 (mut i64) (i64.const 0))
  (global $msgs (mut i32) (i32.const 0))
  (global $health (mut i32) (i32.const 0))
  (global $hp (mut i32) (i32.const 0))
  (global $hl (mut i32) (i32.const 0))
  (global $cleanup_spin (mut i32) (i32.const 0))
  (global $depth (mut i32) (i32.const 0))

  ;; Bump allocator; grows memory as needed (up to the cap); 0 when it cannot.
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $n i32)
    (result i32)
    (local $p i32) (local $need i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $need (i32.add (local.get $p) (local.get $n)))
    (if (i32.lt_u (local.get $need) (local.get $p)) (then (return (i32.const 0))))
    (if (i32.gt_u (local.get $need) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $need) (i32.const 65535)) (i32.const 16))
                                          (memory.size)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $need))
    (local.get $p))

  (func $byte (result i32)
    (local $b i32)
    (if (i32.ge_u (global.get $pos) (global.get $end)) (then (return (i32.const 0))))
    (local.set $b (i32.load8_u (global.get $pos)))
    (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
    (local.get $b))

  (func $u32 (result i32)
    (i32.or (i32.or (call $byte) (i32.shl (call $byte) (i32.const 8)))
            (i32.or (i32.shl (call $byte) (i32.const 16)) (i32.shl (call $byte) (i32.const 24)))))

  (func $i32 (result i32)
    (local $b i32)
    (local.set $b (call $byte))
    (if (i32.lt_u (local.get $b) (i32.const 0x80)) (then (return (local.get $b))))
    (if (i32.lt_u (local.get $b) (i32.const 0xc0))
      (then (return (i32.add (global.get $SCRATCH) (i32.mul (i32.sub (local.get $b) (i32.const 0x80)) (i32.const 64))))))
    (if (i32.eq (local.get $b) (i32.const 0xfd)) (then (return (global.get $r32))))
    (if (i32.eq (local.get $b) (i32.const 0xfe)) (then (return (global.get $pp))))
    (if (i32.eq (local.get $b) (i32.const 0xff)) (then (return (call $u32))))
    (i32.sub (i32.const 0xbf) (local.get $b)))

  (func $i64 (result i64)
    (local $b i32)
    (local.set $b (call $byte))
    (if (i32.eqz (local.get $b)) (then (return (global.get $r64))))
    (if (i32.eq (local.get $b) (i32.const 1))
      (then (return (i64.or (i64.extend_i32_u (call $u32)) (i64.shl (i64.extend_i32_u (call $u32)) (i64.const 32))))))
    (i64.extend_i32_s (call $i32)))

  ;; Reads a buf into $bp / $bl.
  (func $buf
    (local $k i32) (local $left i32)
    (local.set $k (call $byte))
    (if (i32.lt_u (local.get $k) (i32.const 0x80))
      (then
        (local.set $left (i32.sub (global.get $end) (global.get $pos)))
        (global.set $bp (global.get $pos))
        (global.set $bl (select (local.get $k) (local.get $left) (i32.lt_u (local.get $k) (local.get $left))))
        (global.set $pos (i32.add (global.get $pos) (global.get $bl)))
        (return)))
    (if (i32.lt_u (local.get $k) (i32.const 0xc0))
      (then
        (global.set $bp (i32.add (global.get $SCRATCH) (i32.mul (i32.sub (local.get $k) (i32.const 0x80)) (i32.const 64))))
        (global.set $bl (call $byte))
        (return)))
    (if (i32.lt_u (local.get $k) (i32.const 0xfd))
      (then (global.set $bp (global.get $sp)) (global.set $bl (global.get $sl)) (return)))
    (if (i32.eq (local.get $k) (i32.const 0xfd))
      (then (global.set $bp (global.get $FMT)) (global.set $bl (global.get $fmtlen)) (return)))
    (if (i32.eq (local.get $k) (i32.const 0xfe))
      (then (global.set $bp (global.get $pp)) (global.set $bl (global.get $pl)) (return)))
    (global.set $bp (call $u32))
    (global.set $bl (call $u32)))

  ;; "#" + decimal of $r64 (as unsigned) at FMT.
  (func $fmt
    (local $v i64) (local $tmp i32) (local $n i32) (local $i i32)
    (local.set $v (global.get $r64))
    (local.set $tmp (i32.add (global.get $FMT) (i32.const 31)))
    (loop $digits
      (i32.store8 (i32.sub (local.get $tmp) (local.get $n))
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $v) (i64.const 0))))
    (i32.store8 (global.get $FMT) (i32.const 35))
    (memory.copy (i32.add (global.get $FMT) (i32.const 1))
                 (i32.sub (i32.add (global.get $FMT) (i32.const 32)) (local.get $n)) (local.get $n))
    (global.set $fmtlen (i32.add (local.get $n) (i32.const 1))))

  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func $spin (param $n i32)
    (loop $l
      (if (i32.gt_u (local.get $n) (i32.const 0))
        (then (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l)))))

  (func $trap (param $kind i32)
    (local $x i32)
    (block $done
      (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k1 (block $k0
        (br_table $k0 $k1 $k2 $k3 $k4 $k5 $k6 $done (local.get $kind)))
        unreachable)
        (local.set $x (i32.div_s (i32.const 1) (global.get $depth))) (br $done))
        (local.set $x (i32.load (i32.const -4))) (br $done))
        (loop $forever (br $forever)))
        (drop (call $recurse (i32.const 0))) (br $done))
        (global.set $r32 (memory.grow (call $byte))) (br $done))
      (call $spin (i32.and (call $u32) (i32.const 0xfffff))))
    (drop (local.get $x)))

  ;; WASI call number `which` mod 46 (the table order of src/engine/wasi*.c); arguments read as i32 / i64.
  (func $wasi (param $which i32)
    (block $done
      (block $w45 (block $w44 (block $w43 (block $w42 (block $w41 (block $w40 (block $w39 (block $w38 (block $w37 (block $w36 (block $w35 (block $w34
      (block $w33 (block $w32 (block $w31 (block $w30 (block $w29 (block $w28 (block $w27 (block $w26 (block $w25 (block $w24 (block $w23 (block $w22
      (block $w21 (block $w20 (block $w19 (block $w18 (block $w17 (block $w16 (block $w15 (block $w14 (block $w13 (block $w12 (block $w11 (block $w10
      (block $w9 (block $w8 (block $w7 (block $w6 (block $w5 (block $w4 (block $w3 (block $w2 (block $w1 (block $w0
        (br_table $w0 $w1 $w2 $w3 $w4 $w5 $w6 $w7 $w8 $w9 $w10 $w11 $w12 $w13 $w14 $w15 $w16 $w17 $w18 $w19 $w20 $w21 $w22 $w23 $w24 $w25 $w26 $w27 $w28 $w29 $w30 $w31 $w32 $w33 $w34 $w35 $w36 $w37 $w38 $w39 $w40 $w41 $w42 $w43 $w44 $w45 (i32.rem_u (local.get $which) (i32.const 46))))
        (global.set $r32 (call $args_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $args_sizes_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $environ_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $environ_sizes_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $clock_res_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $clock_time_get (call $i32) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $fd_advise (call $i32) (call $i64) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $fd_allocate (call $i32) (call $i64) (call $i64))) (br $done))
        (global.set $r32 (call $fd_close (call $i32))) (br $done))
        (global.set $r32 (call $fd_datasync (call $i32))) (br $done))
        (global.set $r32 (call $fd_fdstat_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_fdstat_set_flags (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_fdstat_set_rights (call $i32) (call $i64) (call $i64))) (br $done))
        (global.set $r32 (call $fd_filestat_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_filestat_set_size (call $i32) (call $i64))) (br $done))
        (global.set $r32 (call $fd_filestat_set_times (call $i32) (call $i64) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $fd_pread (call $i32) (call $i32) (call $i32) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $fd_prestat_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_prestat_dir_name (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_pwrite (call $i32) (call $i32) (call $i32) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $fd_read (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_readdir (call $i32) (call $i32) (call $i32) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $fd_renumber (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_seek (call $i32) (call $i64) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_sync (call $i32))) (br $done))
        (global.set $r32 (call $fd_tell (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $fd_write (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_create_directory (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_filestat_get (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_filestat_set_times (call $i32) (call $i32) (call $i32) (call $i32) (call $i64) (call $i64) (call $i32))) (br $done))
        (global.set $r32 (call $path_link (call $i32) (call $i32) (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_open (call $i32) (call $i32) (call $i32) (call $i32) (call $i32) (call $i64) (call $i64) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_readlink (call $i32) (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_remove_directory (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_rename (call $i32) (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_symlink (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $path_unlink_file (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $poll_oneoff (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (call $proc_exit (call $i32)) (br $done))
        (global.set $r32 (call $proc_raise (call $i32))) (br $done))
        (global.set $r32 (call $sched_yield)) (br $done))
        (global.set $r32 (call $random_get (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $sock_accept (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $sock_recv (call $i32) (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $sock_send (call $i32) (call $i32) (call $i32) (call $i32) (call $i32))) (br $done))
        (global.set $r32 (call $sock_shutdown (call $i32) (call $i32)))))

  ;; Runs the program in [pp, pp + pl).
  (func $run (param $pp i32) (param $pl i32)
    (local $op i32) (local $tp i32) (local $tl i32) (local $n i32) (local $off i32)
    (global.set $msgs (i32.add (global.get $msgs) (i32.const 1)))
    (if (i32.gt_u (global.get $msgs) (i32.const 256)) (then (return)))
    (global.set $pp (local.get $pp))
    (global.set $pl (local.get $pl))
    (global.set $pos (local.get $pp))
    (global.set $end (i32.add (local.get $pp) (local.get $pl)))
    (block $stop
      (loop $next
        (br_if $stop (i32.ge_u (global.get $pos) (global.get $end)))
        (local.set $op (i32.rem_u (call $byte) (i32.const 27)))
        (block $done
          (block $o26 (block $o25 (block $o24 (block $o23 (block $o22 (block $o21 (block $o20 (block $o19
          (block $o18 (block $o17 (block $o16 (block $o15 (block $o14 (block $o13 (block $o12 (block $o11
          (block $o10 (block $o9 (block $o8 (block $o7 (block $o6 (block $o5 (block $o4 (block $o3 (block $o2
          (block $o1 (block $o0
            (br_table $o0 $o1 $o2 $o3 $o4 $o5 $o6 $o7 $o8 $o9 $o10 $o11 $o12 $o13 $o14 $o15 $o16 $o17 $o18
                      $o19 $o20 $o21 $o22 $o23 $o24 $o25 $o26 (local.get $op)))
            ;; 0 send
            (call $buf) (local.set $tp (global.get $bp)) (local.set $tl (global.get $bl)) (call $buf)
            (global.set $r32 (call $send (local.get $tp) (local.get $tl) (global.get $bp) (global.get $bl)))
            (br $done))
            ;; 1 request
            (call $buf) (local.set $tp (global.get $bp)) (local.set $tl (global.get $bl)) (call $buf)
            (global.set $r64 (call $request (local.get $tp) (local.get $tl) (global.get $bp) (global.get $bl)
                                            (call $i32)))
            (br $done))
            ;; 2 reply
            (call $buf) (global.set $r32 (call $reply (global.get $bp) (global.get $bl))) (br $done))
            ;; 3 publish
            (call $buf) (local.set $tp (global.get $bp)) (local.set $tl (global.get $bl)) (call $buf)
            (global.set $r32 (call $publish (local.get $tp) (local.get $tl) (global.get $bp) (global.get $bl)))
            (br $done))
            ;; 4 subscribe
            (call $buf) (global.set $r32 (call $subscribe (global.get $bp) (global.get $bl))) (br $done))
            ;; 5 unsubscribe
            (call $buf) (global.set $r32 (call $unsubscribe (global.get $bp) (global.get $bl))) (br $done))
            ;; 6 whereis
            (call $buf) (global.set $r64 (call $whereis (global.get $bp) (global.get $bl))) (br $done))
            ;; 7 self
            (global.set $r64 (call $self)) (br $done))
            ;; 8 spawn
            (call $buf) (global.set $r64 (call $spawn (global.get $bp) (global.get $bl))) (br $done))
            ;; 9 monitor
            (call $buf) (global.set $r64 (call $monitor (global.get $bp) (global.get $bl))) (br $done))
            ;; 10 demonitor
            (global.set $r32 (call $demonitor (call $i64))) (br $done))
            ;; 11 link
            (call $buf) (global.set $r32 (call $link (global.get $bp) (global.get $bl))) (br $done))
            ;; 12 log
            (local.set $n (call $i32)) (call $buf) (call $log (local.get $n) (global.get $bp) (global.get $bl))
            (br $done))
            ;; 13 now
            (global.set $r64 (call $now)) (br $done))
            ;; 14 topic
            (local.set $n (call $i32)) (global.set $r32 (call $topic (local.get $n) (call $i32))) (br $done))
            ;; 15 health_reason
            (call $buf) (call $health_reason (global.get $bp) (global.get $bl)) (br $done))
            ;; 16 request_id
            (global.set $r64 (call $request_id)) (br $done))
            ;; 17 poke
            (local.set $off (i32.add (global.get $SCRATCH) (i32.mul (call $byte) (i32.const 16))))
            (local.set $n (call $byte))
            (if (i32.gt_u (local.get $n) (i32.sub (global.get $end) (global.get $pos)))
              (then (local.set $n (i32.sub (global.get $end) (global.get $pos)))))
            (memory.copy (local.get $off) (global.get $pos) (local.get $n))
            (global.set $pos (i32.add (global.get $pos) (local.get $n)))
            (br $done))
            ;; 18 fmt
            (call $fmt) (br $done))
            ;; 19 trap
            (call $trap (call $byte)) (br $done))
            ;; 20 wasi
            (call $wasi (call $byte)) (br $done))
            ;; 21 end
            (br $stop))
            ;; 22 set health
            (global.set $health (call $i32)) (call $buf)
            (global.set $hp (global.get $bp)) (global.set $hl (global.get $bl))
            ;; the reason is copied now: the message is gone by the time _health runs
            (if (i32.gt_u (global.get $hl) (i32.const 512)) (then (global.set $hl (i32.const 512))))
            (if (i32.le_u (i32.add (global.get $hp) (global.get $hl)) (i32.mul (memory.size) (i32.const 65536)))
              (then (memory.copy (i32.const 2048) (global.get $hp) (global.get $hl))
                    (global.set $hp (i32.const 2048))))
            (br $done))
          ;; 23 set cleanup spin
          (global.set $cleanup_spin (i32.and (call $u32) (i32.const 0xfffffff))) (br $done))
          ;; 24 skip
          (global.set $pos (i32.add (global.get $pos) (call $byte))) (br $done))
          ;; 25 store results
          (local.set $off (i32.add (global.get $SCRATCH) (i32.mul (i32.and (call $byte) (i32.const 0x7f)) (i32.const 8))))
          (i32.store (local.get $off) (global.get $r32))
          (i64.store offset=4 (local.get $off) (global.get $r64))
          (br $done))
        ;; 26 whereis into the last i64 result
        (call $buf) (global.set $r64 (call $whereis (global.get $bp) (global.get $bl))))
        (br $next))))

  (func (export "handle-message") (param $sp i32) (param $sl i32) (param $pp i32) (param $pl i32)
    (global.set $sp (local.get $sp))
    (global.set $sl (local.get $sl))
    (call $run (local.get $pp) (local.get $pl)))

  (func (export "handle-reply") (param $corr i64) (param $status i32) (param $pp i32) (param $pl i32)
    (global.set $r64 (local.get $corr))
    (global.set $r32 (local.get $status))
    (global.set $sl (i32.const 0))
    (call $run (local.get $pp) (local.get $pl)))

  (func (export "handle-down") (param $ref i64) (param $pid i64) (param $rp i32) (param $rl i32)
    (global.set $r64 (local.get $pid))
    (call $log (i32.const 1) (local.get $rp) (local.get $rl)))

  (func (export "_health") (result i32)
    (call $health_reason (global.get $hp) (global.get $hl))
    (global.get $health))

  (func (export "_cleanup")
    (call $spin (global.get $cleanup_spin)))

  ;; Invokable with typed arguments: runs `n` bytes of scratch as a program.
  (func (export "program") (param $off i32) (param $n i32) (result i32)
    (call $run (i32.add (global.get $SCRATCH) (i32.and (local.get $off) (i32.const 4095)))
               (i32.and (local.get $n) (i32.const 4095)))
    (global.get $r32)))
