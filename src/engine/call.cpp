/*
 * call.cpp — calls: starting a call on the instance's interpreter Thread, stepping it for a budget of
 * instructions, suspending and resuming it, nested calls from host functions, and the host-function frame
 * itself (eng_call, eng_resume, eng_abort, eng_call_results, eng_call_sync). See internal.hpp for the file
 * map.
 */
#include "engine/internal.hpp"

#include <cstring>
#include <exception>

namespace engine {

bool new_thread(eng_instance *inst) {
    inst->thread.reset(new Thread(*inst->store));
    /* wabt 1.0.32's Thread ctor reserves 1638 frames (64 KiB) and 4096 values (64 KiB) and ignores
     * Thread::Options. The frame vector's capacity is the call-depth limit (PushCall traps with "call stack
     * exhausted" when size == capacity), so replace it with one of exactly call_depth frames; the value
     * stack grows on demand, so start it smaller. */
    std::vector<Frame> frames;
    frames.reserve(inst->call_depth);
    (inst->thread.get()->*get(wabt_access::Frames{})).swap(frames);
    std::vector<Value> values;
    values.reserve(kInitialValueStack);
    (inst->thread.get()->*get(wabt_access::ValueStack{})).swap(values);
    return (inst->thread.get()->*get(wabt_access::Frames{})).capacity() == inst->call_depth;
}

Result host_callback(HostCell *cell, Thread &thread, const eng_host_func *hf, const Values &params,
                     Values &results, Trap::Ptr *out_trap) {
    eng_instance *inst = cell->inst;
    if (!inst) { /* reached through a table of another instance of its store group after it was freed */
        *out_trap = Trap::New(thread.store(), std::string("host function ") + hf->module + "." + hf->name +
                                                  " belongs to a freed instance");
        return Result::Error;
    }
    wactor_value args[ENG_MAX_PARAMS], res[ENG_MAX_PARAMS];
    std::memset(res, 0, sizeof res);
    const eng_functype &t = hf->type;
    for (uint32_t i = 0; i < t.nparams; i++) args[i] = to_wactor_value(t.params[i], params[i]);
    for (uint32_t i = 0; i < t.nresults; i++) res[i].type = t.results[i];
    inst->host_depth++;
    int rc = hf->fn(&inst->ctx, args, res, hf->fn_data);
    inst->host_depth--;
    if (rc != 0 || inst->pending.set) {
        if (!inst->pending.set) {
            inst->pending.set = true;
            inst->pending.kind = WACTOR_TRAP_HOST;
            inst->pending.exit_code = 0;
            inst->pending.message = std::string("host function ") + hf->module + "." + hf->name + " failed";
        }
        *out_trap = Trap::New(thread.store(), inst->pending.message);
        /* Called from another instance's thread (same store group): that instance traps with the message;
         * this one keeps no pending trap. */
        if (&thread != inst->thread.get() && inst->host_depth == 0) inst->pending = PendingTrap();
        return Result::Error;
    }
    results.resize(t.nresults);
    for (uint32_t i = 0; i < t.nresults; i++) {
        wactor_value v = res[i];
        v.type = t.results[i]; /* the declared type wins; the host fills the union member of that type */
        results[i] = to_wabt_value(v);
    }
    return Result::Ok;
}

/* Watches for memory.grow: is the instruction about to execute in the top frame a memory.grow? (wabt's
 * istream: each instruction starts with its opcode as a u32; the top frame's offset is the current pc.) The
 * code of the frame's module is looked up only when the frame's module changes. */
namespace {
struct OpWatch {
    wabt_access::IstreamData::type code_of = get(wabt_access::IstreamData{});
    const Module *mod = nullptr;
    const u8 *code = nullptr;
    size_t size = 0;

    /* The opcode the next step executes, or UINT32_MAX when it cannot be read. */
    u32 next(const std::vector<Frame> &frames) {
        if (frames.empty()) return UINT32_MAX;
        const Frame &f = frames.back();
        if (f.mod != mod) {
            mod = f.mod;
            code = nullptr;
            size = 0;
            if (mod) {
                const Buffer &b = mod->desc().istream.*code_of;
                code = b.data();
                size = b.size();
            }
        }
        if (!code || (size_t)f.offset + sizeof(u32) > size) return UINT32_MAX;
        u32 op;
        std::memcpy(&op, code + f.offset, sizeof op);
        return op;
    }
};

/* The extra fuel a bulk instruction costs beyond its one: memory.fill/copy/init one per
 * kBulkBytesPerFuel bytes, table.fill/copy/init one per kBulkElemsPerFuel elements. Their length is the
 * top operand. Without it a guest could write the whole of its memory (64 MiB by default) per
 * instruction, and a slice of N instructions would hold a scheduler thread for N times that. */
constexpr u64 kBulkBytesPerFuel = 64;
constexpr u64 kBulkElemsPerFuel = 8;
u64 bulk_extra(u32 op, const std::vector<Value> &values) {
    if (values.empty()) return 0;
    switch (op) {
    case (u32)Opcode::MemoryFill:
    case (u32)Opcode::MemoryCopy:
    case (u32)Opcode::MemoryInit: return values.back().Get<u32>() / kBulkBytesPerFuel;
    case (u32)Opcode::TableFill:
    case (u32)Opcode::TableCopy:
    case (u32)Opcode::TableInit: return values.back().Get<u32>() / kBulkElemsPerFuel;
    default: return 0;
    }
}
} // namespace

/* Bookkeeping when the current call has returned: the start function is done once it returns. */
static void call_returned(eng_instance *inst) {
    inst->state = CallState::Idle;
    inst->cur_func = nullptr;
    if (inst->in_start && inst->host_depth == 0) {
        inst->in_start = false;
        inst->start_pending = false;
    }
}

/* Runs the current call for up to `budget` instructions (0 = unbounded).
 * Two traps wabt does not return as RunResult::Trap are caught here: a call that cannot push its frame
 * (call stack exhausted) through call_indirect, an imported function or a host function sets the trap
 * out-parameter but StepInternal returns Ok and skips the call (wabt 1.0.32's Thread::DoCall ignores
 * PushCall's result); so any step that leaves a trap behind is a trap. And with a memory cap, each
 * memory.grow's result is watched so that a refused grow is known (see classify). A bulk memory or table
 * instruction counts as 1 + its length / kBulkBytesPerFuel (or kBulkElemsPerFuel) instructions. */
eng_status run(eng_instance *inst, uint64_t budget, uint64_t *executed, wactor_diag *diag) {
    Thread *t = inst->thread.get();
    auto step = get(wabt_access::StepInternal{});
    const std::vector<Value> &values = t->*get(wabt_access::ValueStack{});
    const std::vector<Frame> &frames = t->*get(wabt_access::Frames{});
    const bool watch_grow = inst->cap_pages != 0;
    OpWatch watch;
    Trap::Ptr trap;
    RunResult r = RunResult::Ok;
    uint64_t n = 0;
    bool values_exhausted = false;
    while (budget == 0 || n < budget) {
        u32 op = watch.next(frames);
        bool grow = watch_grow && op == (u32)Opcode::MemoryGrow;
        u64 extra = bulk_extra(op, values);
        r = (t->*step)(&trap);
        /* a bulk instruction spends what is left of the slice at most: the slice ends, and a fuel limit
         * that granted this slice is used up */
        n += 1 + extra;
        if (budget != 0 && n > budget) n = budget;
        if (r != RunResult::Ok) break;
        if (trap) { /* see above: a skipped call */
            r = RunResult::Trap;
            break;
        }
        if (grow && !values.empty() && values.back().Get<u32>() == 0xFFFFFFFFu) inst->grow_refused = true;
        if (values.size() > kMaxValueStack) {
            values_exhausted = true;
            break;
        }
    }
    if (executed) *executed = n;
    if (values_exhausted) return finish_trap(inst, WACTOR_TRAP_STACK_EXHAUSTED, 0, "value stack exhausted", diag);
    switch (r) {
    case RunResult::Ok:
        inst->state = CallState::Suspended;
        return ENG_SUSPENDED;
    case RunResult::Return: {
        const FuncType &ft = inst->cur_func->type();
        (t->*get(wabt_access::PopValues{}))(ft.results, &inst->results);
        inst->results_type = inst->cur_type;
        inst->nresults = inst->results.size();
        call_returned(inst);
        return ENG_DONE;
    }
    case RunResult::Trap:
        return trap_from_wabt(inst, trap, diag);
    case RunResult::Exception:
        break;
    }
    return finish_trap(inst, WACTOR_TRAP_OTHER, 0, "uncaught exception", diag);
}

/* Starts a call of `func` (type `type`, args already checked). */
eng_status start_call(eng_instance *inst, Func *func, const eng_functype *type, const Values &params,
                      uint64_t budget, uint64_t *executed, wactor_diag *diag) {
    if (executed) *executed = 0;
    inst->nresults = 0;
    inst->results.clear();
    if (inst->host_depth == 0) inst->grow_refused = false; /* a new outermost call */
    if (!inst->thread && !new_thread(inst)) {
        diag_set(diag, WACTOR_TRAP_NONE, "cannot create an interpreter thread");
        return ENG_ERROR;
    }
    Thread *t = inst->thread.get();
    const FuncType &ft = func->type();
    if (auto *df = dyn_cast<DefinedFunc>(func)) {
        (t->*get(wabt_access::PushValues{}))(ft.params, params);
        Trap::Ptr trap;
        RunResult r = (t->*get(wabt_access::PushCallDefined{}))(*df, &trap);
        inst->cur_func = func;
        inst->cur_type = type;
        inst->state = CallState::Running;
        if (r == RunResult::Trap) return trap_from_wabt(inst, trap, diag);
        return run(inst, budget, executed, diag);
    }
    /* An exported import (a host function re-exported): call it directly, it cannot be suspended. */
    Trap::Ptr trap;
    inst->cur_func = func;
    inst->cur_type = type;
    inst->state = CallState::Running;
    if (Failed(func->Call(*t, params, inst->results, &trap))) return trap_from_wabt(inst, trap, diag);
    inst->results_type = type;
    inst->nresults = inst->results.size();
    call_returned(inst);
    return ENG_DONE;
}
} // namespace engine

using namespace engine;

/* ------------------------------------------------------------------ calls */

extern "C" eng_status eng_call(eng_instance *inst, const char *name, const wactor_value *args, size_t nargs,
                               uint64_t budget, uint64_t *executed, wactor_diag *diag) {
    diag_clear(diag);
    if (executed) *executed = 0;
    if (!inst || !name || (nargs && !args)) {
        diag_set(diag, WACTOR_TRAP_NONE, "eng_call: bad arguments");
        return ENG_ERROR;
    }
    if (inst->dead) {
        diag_set(diag, WACTOR_TRAP_NONE, "instance is dead");
        return ENG_ERROR;
    }
    bool nested = inst->host_depth > 0;
    if (inst->state != CallState::Idle && !nested) {
        diag_set(diag, WACTOR_TRAP_NONE, "a call is already in progress");
        return ENG_ERROR;
    }
    if (inst->start_pending && !nested) {
        diag_set(diag, WACTOR_TRAP_NONE, "start function has not run");
        return ENG_ERROR;
    }
    if (!nested) inst->nresults = 0;
    try {
        const eng_module *m = inst->mod;
        auto it = m->func_exports.find(name);
        if (it == m->func_exports.end()) {
            diag_set(diag, WACTOR_TRAP_NONE, "unknown export %s", name);
            return ENG_ERROR;
        }
        size_t idx = it->second;
        const ExternEntry &e = m->exports[idx];
        if (!e.type_ok) {
            diag_set(diag, WACTOR_TRAP_NONE, "export %s has a signature wactor cannot call", name);
            return ENG_ERROR;
        }
        if (nargs != e.type.nparams) {
            diag_set(diag, WACTOR_TRAP_NONE, "wrong number of arguments for %s: expected %u, got %zu", name,
                     e.type.nparams, nargs);
            return ENG_ERROR;
        }
        /* reused: start_call pushes the values onto the wabt stack before anything (a nested call) could
         * overwrite them, so one vector per instance saves an allocation per call */
        Values &params = inst->call_args;
        params.resize(nargs);
        for (size_t i = 0; i < nargs; i++) {
            if (args[i].type != e.type.params[i]) {
                diag_set(diag, WACTOR_TRAP_NONE, "argument %zu of %s: expected %s, got %s", i + 1, name,
                         valtype_name(e.type.params[i]), valtype_name(args[i].type));
                return ENG_ERROR;
            }
            params[i] = to_wabt_value(args[i]);
        }
        Func *&f = inst->export_funcs[idx];
        if (!f) f = inst->store->UnsafeGet<Func>(inst->instance->exports()[idx]).get();
        if (!nested) return start_call(inst, f, &e.type, params, budget, executed, diag);

        /* A call from inside a host function: runs to completion on the same wabt Thread, above the host
         * frame (wabt returns RunResult::Return when it pops back to a host frame). */
        Func *saved_func = inst->cur_func;
        const eng_functype *saved_type = inst->cur_type;
        eng_status st = start_call(inst, f, &e.type, params, 0, executed, diag);
        if (!inst->dead) {
            inst->cur_func = saved_func;
            inst->cur_type = saved_type;
            inst->state = CallState::Running;
        }
        return st;
    } catch (const std::exception &ex) {
        return finish_trap(inst, WACTOR_TRAP_OTHER, 0, std::string("engine failure: ") + ex.what(), diag);
    }
}

extern "C" eng_status eng_resume(eng_instance *inst, uint64_t budget, uint64_t *executed, wactor_diag *diag) {
    diag_clear(diag);
    if (executed) *executed = 0;
    if (!inst) {
        diag_set(diag, WACTOR_TRAP_NONE, "eng_resume: instance is NULL");
        return ENG_ERROR;
    }
    if (inst->dead) {
        diag_set(diag, WACTOR_TRAP_NONE, "instance is dead");
        return ENG_ERROR;
    }
    if (inst->state != CallState::Suspended || inst->host_depth > 0) {
        diag_set(diag, WACTOR_TRAP_NONE, "no suspended call to resume");
        return ENG_ERROR;
    }
    try {
        inst->state = CallState::Running;
        return run(inst, budget, executed, diag);
    } catch (const std::exception &ex) {
        return finish_trap(inst, WACTOR_TRAP_OTHER, 0, std::string("engine failure: ") + ex.what(), diag);
    }
}

extern "C" void eng_abort(eng_instance *inst, wactor_trap_kind kind, const char *message) {
    (void)kind;
    (void)message;
    if (!inst || inst->host_depth > 0) return;
    inst->dead = true;
    inst->state = CallState::Idle;
    inst->cur_func = nullptr;
    inst->nresults = 0;
    inst->thread.reset();
}

extern "C" size_t eng_call_results(eng_instance *inst, wactor_value *results, size_t cap) {
    if (!inst || !inst->results_type) return 0;
    size_t n = inst->nresults;
    for (size_t i = 0; i < n && i < cap && results; i++)
        results[i] = to_wactor_value(inst->results_type->results[i], inst->results[i]);
    return n;
}

extern "C" eng_status eng_call_sync(eng_instance *inst, const char *name, const wactor_value *args, size_t nargs,
                                    wactor_value *results, size_t cap, size_t *nresults, wactor_diag *diag) {
    if (nresults) *nresults = 0;
    eng_status st = eng_call(inst, name, args, nargs, 0, nullptr, diag);
    if (st == ENG_DONE) {
        size_t n = eng_call_results(inst, results, cap);
        if (nresults) *nresults = n;
    }
    return st;
}

