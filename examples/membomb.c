/* membomb — a hostile component: any message makes it allocate until the memory cap refuses, log how
 * far it got, and trap.
 *
 * It mallocs 64 KiB blocks (touching each one) until malloc fails, then grows memory one page at a time
 * with memory.grow until that is refused too, so the instance sits exactly at its cap when it traps:
 * the host then reports the trap as "memory limit". Give it `limits: { memory_pages: N }` in a manifest.
 * As a safety net for uncapped runs the module itself declares a maximum of 1024 pages (64 MiB,
 * membomb.cflags); a lower manifest cap wins. (The host reports "memory limit" only against a cap it
 * set: an uncapped run ends at the module's own maximum with a plain "unreachable".)
 *
 * Exports pages() -> i32: the current memory size in 64 KiB pages. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define BLOCK (64u * 1024u)

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    (void)payload, (void)len;
    size_t start_pages = __builtin_wasm_memory_size(0);
    wactor_logf(WACTOR_LOG_WARN, "membomb: triggered by %.*s at %zu pages; allocating until refused",
                (int)sender_len, sender, start_pages);
    size_t blocks = 0;
    for (;;) {
        volatile uint8_t *p = malloc(BLOCK);
        if (p == NULL)
            break;
        for (size_t i = 0; i < BLOCK; i += 4096) /* touch every 4 KiB: really use the memory */
            p[i] = (uint8_t)blocks;
        blocks++;
    }
    size_t extra = 0;
    while (__builtin_wasm_memory_grow(0, 1) != (size_t)-1)
        extra++;
    size_t pages = __builtin_wasm_memory_size(0);
    wactor_logf(WACTOR_LOG_ERROR,
                "membomb: refused after %zu blocks of 64 KiB + %zu pages: memory is %zu pages (%zu KiB); "
                "trapping", blocks, extra, pages, pages * 64);
    __builtin_trap();
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("pages") int32_t membomb_pages(void);
int32_t membomb_pages(void) { return (int32_t)__builtin_wasm_memory_size(0); }
