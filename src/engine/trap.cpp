/*
 * trap.cpp — traps: recording one (the instance is dead from then on), classifying wabt's messages into
 * wactor_trap_kind, and traps raised by host functions (eng_host_trap). See internal.hpp for the file map.
 */
#include "engine/internal.hpp"

#include <cstdio>
#include <cstring>

namespace engine {

/* The trap kind for a wabt trap, with the memory-limit rule (see eng_call in engine.h). */
wactor_trap_kind classify(eng_instance *inst, const std::string &msg) {
    wactor_trap_kind kind = eng_trap_kind_from_message(msg.c_str());
    if (inst->cap_pages && inst->grow_refused && (kind == WACTOR_TRAP_OOB_MEMORY || kind == WACTOR_TRAP_UNREACHABLE))
        return WACTOR_TRAP_MEMORY_LIMIT;
    return kind;
}

/* Records a trap: the instance is dead from now on. At the outermost level the Thread is dropped (wabt
 * keeps the dead frames); inside a host function it is still on the C stack, so it is dropped when the
 * outer run unwinds. */
eng_status finish_trap(eng_instance *inst, wactor_trap_kind kind, int exit_code, const std::string &msg,
                       wactor_diag *diag) {
    inst->dead = true;
    if (inst->host_depth > 0) {
        if (!inst->pending.set) {
            inst->pending.set = true;
            inst->pending.kind = kind;
            inst->pending.exit_code = exit_code;
            inst->pending.message = msg;
        }
    } else {
        inst->state = CallState::Idle;
        inst->cur_func = nullptr;
        inst->in_start = false;
        inst->thread.reset();
        if (inst->keep_after_trap) inst->dead = false; /* the trap ended the call only (a fresh Thread next) */
    }
    diag_set(diag, kind, "%s", msg.c_str());
    if (diag) diag->exit_code = exit_code;
    return ENG_TRAPPED;
}

eng_status trap_from_wabt(eng_instance *inst, const Trap::Ptr &trap, wactor_diag *diag) {
    if (inst->pending.set) {
        PendingTrap p = inst->pending;
        if (inst->host_depth == 0) inst->pending = PendingTrap();
        return finish_trap(inst, p.kind, p.exit_code, p.message, diag);
    }
    std::string msg = trap ? trap->message() : std::string("trap");
    return finish_trap(inst, classify(inst, msg), 0, msg, diag);
}

} // namespace engine

using namespace engine;

extern "C" void eng_host_trap(eng_call_ctx *ctx, wactor_trap_kind kind, int exit_code, const char *fmt, ...) {
    if (!ctx) return;
    char buf[WACTOR_DIAG_MAX];
    buf[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
    }
    PendingTrap &p = ctx->inst->pending;
    if (p.set) return; /* the first reason wins */
    try {
        p.message = buf;
    } catch (...) {
    }
    p.set = true;
    p.kind = kind == WACTOR_TRAP_NONE ? WACTOR_TRAP_HOST : kind;
    p.exit_code = kind == WACTOR_TRAP_EXIT ? exit_code : 0;
}

/* ------------------------------------------------------------------ traps */

extern "C" wactor_trap_kind eng_trap_kind_from_message(const char *message) {
    if (!message) return WACTOR_TRAP_OTHER;
    struct {
        const char *prefix;
        wactor_trap_kind kind;
    } static const table[] = {
        /* wabt 1.0.32's messages (src/interp/interp.cc) */
        {"unreachable", WACTOR_TRAP_UNREACHABLE},                  /* "unreachable executed" */
        {"integer divide by zero", WACTOR_TRAP_INT_DIV_BY_ZERO},
        {"integer overflow", WACTOR_TRAP_INT_OVERFLOW},
        {"invalid conversion to integer", WACTOR_TRAP_INVALID_CONVERSION},
        {"out of bounds memory access", WACTOR_TRAP_OOB_MEMORY},   /* "...: access at %lu+%zd >= max value" */
        {"out of bounds table access", WACTOR_TRAP_OOB_TABLE},
        {"undefined table index", WACTOR_TRAP_OOB_TABLE},          /* call_indirect past the table end */
        {"uninitialized table element", WACTOR_TRAP_UNINITIALIZED_ELEMENT},
        {"indirect call signature mismatch", WACTOR_TRAP_INDIRECT_CALL_TYPE},
        {"call stack exhausted", WACTOR_TRAP_STACK_EXHAUSTED},
        {"value stack exhausted", WACTOR_TRAP_STACK_EXHAUSTED},     /* ours: kMaxValueStack */
    };
    for (const auto &e : table)
        if (std::strncmp(message, e.prefix, std::strlen(e.prefix)) == 0) return e.kind;
    return WACTOR_TRAP_OTHER;
}
