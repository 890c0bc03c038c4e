/*
 * internal.hpp — private to the engine's C++ files: the shared types and helpers of the wabt 1.0.32 adapter
 * behind engine.h. Nothing outside src/engine includes it.
 *
 * The adapter is C++ (the only C++ in wactor) and split by concept:
 *   wabt_access.cpp  the version pin, the private-access block (wabt Thread/Memory/Module/Istream internals)
 *                    and the "vector views" written over libstdc++ vectors
 *   values.cpp       diagnostics and conversions between wactor's C types and wabt's
 *   module.cpp       decoding/validation and the content-hash module cache (eng_module_*)
 *   template.cpp     instantiation templates: a module's description as we instantiate it, per memory cap
 *   memory.cpp       linear memories: private anonymous mappings, their pool, installing them in a Memory
 *   instance.cpp     instances: import resolution, instantiation, data segments, teardown (eng_instance_*)
 *   call.cpp         calls: starting, stepping, suspending, resuming, host-function frames (eng_call*, eng_resume)
 *   trap.cpp         traps: recording, classifying and naming them (eng_host_trap, eng_trap_kind_from_message)
 *
 * No C++ exception may leave an extern "C" entry point: each catches and turns failures into -1 / ENG_ERROR /
 * a trap.
 *
 * Shape:
 *   eng_module   = the bytes + a validated wabt ModuleDesc (immutable), kept in a content-hash cache.
 *   eng_instance = its own wabt Store (Module, Instance, host functions, memory) + one wabt Thread.
 *                  Nothing mutable is shared between instances (the compiled code they share is read-only),
 *                  so an instance can move between OS threads.
 *   Recycling (see template.cpp and memory.cpp): per (module, cap) the adjusted description is built once,
 *   freed instances give back their description copy and their (re-zeroed) memory mapping, and new
 *   instances take them, so a spawn after a stop touches no fresh pages. Only allocations are recycled, never
 *   wabt objects: each instance still gets a new Store, Module, Instance and Thread.
 *
 * Bounded execution drives the Thread one instruction at a time (Thread::StepInternal, the loop body of the
 * public Thread::Run(int, Trap::Ptr*)) so the exact number of executed instructions is known. Starting a
 * call needs Thread's private PushValues/PushCall/PopValues (wabt_access.cpp).
 */
#ifndef WACTOR_ENGINE_INTERNAL_HPP
#define WACTOR_ENGINE_INTERNAL_HPP

#include "engine/engine.h"

#include <wabt/binary-reader.h>
#include <wabt/config.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace wabt;
using namespace wabt::interp;

/* ------------------------------------------------------------------ limits (documented in engine.h) */
namespace engine {
constexpr uint32_t kDefaultCallDepth = 1024;  /* frames (wasm and host); 40 bytes each, reserved up front */
constexpr uint32_t kMaxCallDepth = 1u << 20;  /* refuse absurd requests (40 MiB of frames) */
constexpr uint32_t kInitialValueStack = 1024; /* values (16 bytes each); grows on demand */
constexpr uint64_t kMaxPages32 = 65536;       /* 4 GiB: a 32-bit memory's spec limit */
/* Host-memory guards against hostile modules (wabt would let one call push 2^28 locals, i.e. 4 GiB):
 * at most kMaxLocals locals per function (the limit JS engines enforce) checked at load, and at most
 * kMaxValueStack values (32 MiB) on an instance's value stack, checked after every instruction. */
constexpr uint64_t kMaxLocals = 50000;
constexpr size_t kMaxValueStack = size_t(1) << 21;
constexpr size_t kMaxTemplates = 8; /* distinct caps cached per module; further caps get a private template */
constexpr size_t kMaxSpares = 4;    /* recycled descriptions kept per template */
} // namespace engine

/* ------------------------------------------------------------------ private access (wabt_access.cpp)
 * Member pointers to wabt 1.0.32 internals, obtained in wabt_access.cpp (which explains how and why). Use as
 * `thread->*get(wabt_access::Frames{})`. */
namespace wabt_access {
struct Frames { using type = std::vector<Frame> Thread::*; };         /* the call stack */
struct ValueStack { using type = std::vector<Value> Thread::*; };     /* the value stack */
struct PushValues { using type = void (Thread::*)(const ValueTypes &, const Values &); };
struct PopValues { using type = void (Thread::*)(const ValueTypes &, Values *); };
struct PushCallDefined { using type = RunResult (Thread::*)(const DefinedFunc &, Trap::Ptr *); };
struct StepInternal { using type = RunResult (Thread::*)(Trap::Ptr *); };
struct MemData { using type = Buffer Memory::*; };                     /* a memory's bytes */
struct MemPages { using type = u64 Memory::*; };                       /* its size in pages */
struct MemType { using type = MemoryType Memory::*; };                 /* its limits */
struct ModDesc { using type = ModuleDesc Module::*; };                 /* a Store's module description */
struct IstreamData { using type = Buffer Istream::*; };                /* compiled code */
struct FuncDescOf { using type = FuncDesc DefinedFunc::*; };          /* a function's own description copy */
struct FuncTypeOf { using type = FuncType Func::*; };                  /* and its signature copy */
Frames::type get(Frames);
ValueStack::type get(ValueStack);
PushValues::type get(PushValues);
PopValues::type get(PopValues);
PushCallDefined::type get(PushCallDefined);
StepInternal::type get(StepInternal);
MemData::type get(MemData);
MemPages::type get(MemPages);
MemType::type get(MemType);
ModDesc::type get(ModDesc);
IstreamData::type get(IstreamData);
FuncDescOf::type get(FuncDescOf);
FuncTypeOf::type get(FuncTypeOf);
} // namespace wabt_access

namespace engine {
/* ------------------------------------------------------------------ vector views (wabt_access.cpp) */
void view(Buffer &v, u8 *p, size_t size, size_t room); /* empty v shows [p, p+size), room up to p+room */
void unview(Buffer &v);                                /* empties a view without touching what it shows */
bool vector_views_work();                              /* libstdc++'s layout holds (checked once) */

/* The same for a vector of any element type: the empty `v` shows all of `shown` (read-only use by wabt),
 * without owning it; unview_vector empties it again before wabt could free it. */
template <typename T>
void view_vector(std::vector<T> &v, const std::vector<T> &shown) {
    static_assert(sizeof(std::vector<T>) == 3 * sizeof(T *), "std::vector is not three pointers");
    T *p = const_cast<T *>(shown.data());
    T *rep[3] = {p, p + shown.size(), p + shown.size()};
    std::memcpy(static_cast<void *>(&v), rep, sizeof rep);
}
template <typename T>
void unview_vector(std::vector<T> &v) {
    T *rep[3] = {nullptr, nullptr, nullptr};
    std::memcpy(static_cast<void *>(&v), rep, sizeof rep);
}
Buffer &istream_bytes(ModuleDesc &d);                  /* a description's compiled code */

/* ------------------------------------------------------------------ values.cpp */
void diag_clear(wactor_diag *diag);
void diag_set(wactor_diag *diag, wactor_trap_kind trap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool to_wactor_type(Type t, wactor_valtype *out);
Type to_wabt_type(wactor_valtype t);
const char *valtype_name(wactor_valtype t);
bool to_functype(const FuncType &ft, eng_functype *out); /* false: a non-number type or too many */
FuncType to_wabt_functype(const eng_functype &t);
std::string sig_string(const FuncType &ft);
Value to_wabt_value(const wactor_value &v);
wactor_value to_wactor_value(wactor_valtype t, const Value &v);
bool same_sig(const eng_functype &a, const eng_functype &b);

/* ------------------------------------------------------------------ module.cpp */
struct ExternEntry {
    eng_extern_kind kind;
    std::string module, name;
    eng_functype type;
    bool type_ok; /* the function signature uses only i32/i64/f32/f64 and fits ENG_MAX_PARAMS */
    uint32_t mem_min, mem_max;
};

/* ------------------------------------------------------------------ memory.cpp */
struct LinearMemory { /* a linear memory's mapping */
    u8 *base = nullptr;
    size_t reserved = 0; /* bytes mapped: the memory's maximum */
};
/* A zeroed mapping of `reserved` bytes for a memory of `size` initial bytes; base == nullptr (errno set) if
 * the kernel refuses the mapping. */
LinearMemory pool_take(size_t size, size_t reserved);
/* Takes back a mapping whose memory started at `size` bytes and ended at `used` bytes. Never throws. */
void pool_give(LinearMemory m, size_t size, size_t used) noexcept;

/* ------------------------------------------------------------------ template.cpp */
struct InstTemplate {
    uint32_t max_pages = 0;          /* the opts->max_pages it was built for */
    uint32_t max_table = 0;          /* and the effective table cap (opts->max_table_elems or the default) */
    uint32_t cap_pages = 0;          /* effective cap (eng_instance.cap_pages); 0 = none */
    ModuleDesc desc;                 /* as instantiated (see template.cpp), with an empty istream: */
    Buffer code;                     /* the compiled code, shown by every instance's view (see "vector views") */
    std::vector<FuncDesc> funcs;     /* the function descriptions, likewise shown by every instance's view */
    std::vector<u64> mem_pages;      /* each defined memory's real initial size, in pages */
    std::vector<u64> mem_max;        /* and its maximum (after the cap), in pages: the mapping's size */
    std::vector<Index> active_datas; /* data segments we made passive and apply after instantiation, in order */
    std::vector<StartDesc> starts;
    std::mutex spare_mutex;
    std::vector<ModuleDesc> spares; /* guarded by spare_mutex */
};
} // namespace engine

struct eng_module {
    std::vector<uint8_t> bytes;
    uint64_t hash = 0;
    std::atomic<long> refs{1};
    ModuleDesc desc;
    std::vector<engine::ExternEntry> imports, exports;
    std::unordered_map<std::string, size_t> func_exports; /* name -> index into exports */
    std::mutex tmpl_mutex;
    std::vector<std::unique_ptr<engine::InstTemplate>> templates; /* guarded by tmpl_mutex; <= kMaxTemplates */
};

namespace engine {
/* The module's template for (`max_pages`, `max_table`), built on first use (or privately into *owned when
 * the module already caches kMaxTemplates cap pairs). */
InstTemplate *get_template(eng_module *m, uint32_t max_pages, uint32_t max_table,
                           std::unique_ptr<InstTemplate> *owned);
/* A description to instantiate from: a recycled spare, else a copy of the template's. */
ModuleDesc take_desc(InstTemplate *t);
} // namespace engine

/* ------------------------------------------------------------------ instances */
struct eng_call_ctx {
    eng_instance *inst;
};

namespace engine {
enum class CallState { Idle, Running, Suspended };

struct PendingTrap { /* set by eng_host_trap() (or a trapped nested call) while a host function runs */
    bool set = false;
    wactor_trap_kind kind = WACTOR_TRAP_NONE;
    int exit_code = 0;
    std::string message;
};
} // namespace engine

namespace engine {
/* What a host-function object needs of the instance that imported it. The object lives in the Store and may
 * outlive the instance (a table of another instance in the same store group can hold it), so it reaches the
 * instance through this cell, which the instance clears when it is freed and the group frees with the Store. */
struct HostCell {
    eng_instance *inst;
};

/* What must stay until the Store dies, of an instance that is gone: its Module (whose istream views the
 * template's code), its linear memories (viewed by Memory objects that other instances may import), its
 * module reference (which keeps the template alive), and its host cell. */
struct Remains {
    eng_module *mod = nullptr; /* one reference, released after the Store */
    InstTemplate *tmpl = nullptr;
    std::unique_ptr<InstTemplate> own_tmpl;
    Ref module = Ref::Null;
    Ref instance = Ref::Null;        /* its Instance (the object stays in the Store until the Store dies) */
    size_t first_func = 0, nshared = 0; /* funcs()[first_func, +nshared) view the template's descriptions */
    std::vector<Ref> mems;           /* defined memories, parallel to linear */
    std::vector<LinearMemory> linear;
    std::unique_ptr<HostCell> cell;
};

/* A wabt Store and the instances that live in it (eng_instance_opts.share_store). By default an instance
 * has a group of its own. The group outlives its members: when the last one is freed, it tears the Store
 * down (views emptied, mappings to the pool, descriptions back to the templates, modules released).
 * Members may be used by one thread at a time, all together (a Store has no locking). */
struct StoreGroup {
    std::unique_ptr<Store> store;
    std::vector<Remains> remains; /* of the members freed so far */
    StoreGroup();
    ~StoreGroup();
};
} // namespace engine

struct eng_instance {
    eng_module *mod = nullptr;
    const eng_host_func *imports = nullptr;
    size_t nimports = 0;
    const eng_wasi *wasi = nullptr;
    void *user = nullptr;
    uint32_t call_depth = engine::kDefaultCallDepth;
    uint32_t cap_pages = 0;                          /* 0: no cap was set */
    engine::InstTemplate *tmpl = nullptr;            /* the module's template, or own_tmpl */
    std::unique_ptr<engine::InstTemplate> own_tmpl;  /* only when the module already caches kMaxTemplates caps */

    /* wabt objects; RefPtrs must die before the Store (see destroy()). */
    std::shared_ptr<engine::StoreGroup> group; /* owns the Store */
    Store *store = nullptr;                    /* group->store */
    std::unique_ptr<engine::HostCell> cell;    /* reached by this instance's host-function objects */
    std::unique_ptr<Thread> thread;
    Ref module = Ref::Null; /* the Store's Module, whose istream views tmpl->code (see "vector views") */
    Instance::Ptr instance;
    Memory::Ptr memory;
    std::vector<Func *> export_funcs;         /* by export index; lazily filled; owned by the Store */
    std::vector<engine::LinearMemory> linear; /* the mappings viewed by the defined memories (memory.cpp) */
    std::vector<Ref> linear_mems;             /* those memories, parallel to linear */
    size_t first_func = 0, nshared = 0;       /* own function objects whose vectors view tmpl->funcs */

    eng_call_ctx ctx{nullptr};
    bool dead = false;
    engine::CallState state = engine::CallState::Idle;
    int host_depth = 0;       /* > 0 while a host function runs */
    Func *cur_func = nullptr; /* the call being run (or suspended) */
    const eng_functype *cur_type = nullptr;
    Values results;
    Values call_args; /* eng_call's argument vector, reused */
    const eng_functype *results_type = nullptr;
    size_t nresults = 0; /* valid results after ENG_DONE */
    engine::PendingTrap pending;
    bool keep_after_trap = false; /* opts->keep_after_trap */
    bool start_pending = false; /* defer_start and the start function has not returned yet */
    bool in_start = false;      /* the current (or suspended) call is the start function */
    bool grow_refused = false;  /* a memory.grow was refused during the current call (see classify) */

    void destroy() noexcept; /* instance.cpp */
};

namespace engine {
/* memory.cpp: after Instance::Instantiate, gives each (0-page) memory a zeroed mapping of its maximum size,
 * viewed with its real initial size. Returns "" or the error. */
std::string install_memories(eng_instance *inst);

/* call.cpp */
bool new_thread(eng_instance *inst); /* a fresh interpreter Thread with the instance's call-depth limit */
/* The body of every host-function object: converts values, calls hf->fn on the instance in `cell`, turns
 * -1 / eng_host_trap into a wabt trap. `thread` is the interpreter thread running the call. */
Result host_callback(HostCell *cell, Thread &thread, const eng_host_func *hf, const Values &params,
                     Values &results, Trap::Ptr *out_trap);
/* Starts a call of `func` (type `type`, args already checked) and runs up to `budget` instructions. */
eng_status start_call(eng_instance *inst, Func *func, const eng_functype *type, const Values &params,
                      uint64_t budget, uint64_t *executed, wactor_diag *diag);
/* Runs the current call for up to `budget` instructions (0 = unbounded). */
eng_status run(eng_instance *inst, uint64_t budget, uint64_t *executed, wactor_diag *diag);

/* trap.cpp */
wactor_trap_kind classify(eng_instance *inst, const std::string &msg);
eng_status finish_trap(eng_instance *inst, wactor_trap_kind kind, int exit_code, const std::string &msg,
                       wactor_diag *diag);
eng_status trap_from_wabt(eng_instance *inst, const Trap::Ptr &trap, wactor_diag *diag);
} // namespace engine

#endif /* WACTOR_ENGINE_INTERNAL_HPP */
