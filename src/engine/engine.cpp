/*
 * engine.cpp — adapts wabt 1.0.32's interpreter (wabt::interp) to the C interface in engine.h.
 *
 * This is the only C++ file in wactor. No C++ exception may leave it: every extern "C" entry point
 * catches and turns failures into -1 / ENG_ERROR / a trap.
 *
 * Shape:
 *   eng_module   = the bytes + a validated wabt ModuleDesc (immutable), kept in a content-hash cache.
 *   eng_instance = its own wabt Store (Module copy, Instance, host functions, memory) + one wabt Thread.
 *                  Nothing mutable is shared between instances (the compiled code they share is read-only),
 *                  so an instance can move between OS threads.
 *   Recycling (see "instantiation templates" and "linear memory"): per (module, cap) the adjusted description
 *   is built once, freed instances give back their description copy and their (re-zeroed) memory mapping,
 *   and new instances take them, so a spawn after a stop touches no fresh pages. Only allocations are
 *   recycled, never wabt objects: each instance still gets a new Store, Module, Instance and Thread.
 *
 * Bounded execution drives the Thread one instruction at a time (Thread::StepInternal, the loop body of
 * the public Thread::Run(int, Trap::Ptr*)) so the exact number of executed instructions is known. Starting
 * a call needs Thread's private PushValues/PushCall/PopValues; see the "private access" block below.
 */
#include "engine/engine.h"

#include <wabt/binary-reader.h>
#include <wabt/config.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace wabt;
using namespace wabt::interp;

/* ------------------------------------------------------------------ wabt version pin
 * The private-access block below names Thread's private members as they are in wabt 1.0.32. CMake's
 * find_package(wabt 1.0.32 EXACT) pins the library; this check pins the headers we compile against. */
static constexpr bool str_equal(const char *a, const char *b) {
    return *a == *b && (*a == '\0' || str_equal(a + 1, b + 1));
}
static_assert(str_equal(WABT_VERSION_STRING, "1.0.32"),
              "engine.cpp reaches wabt::interp::Thread internals that are only known to match wabt 1.0.32; "
              "re-check the private-access block before changing the wabt version");

/* ------------------------------------------------------------------ private access (wabt 1.0.32 only)
 * Standard C++ ([temp.spec]/6, C++17 [temp.explicit]/14): the usual access checking rules do not apply to
 * names used in an explicit instantiation. Grant<Tag, &Thread::member> is explicitly instantiated below,
 * and it defines a friend function get(Tag) returning the member pointer; that is how we reach:
 *   Thread::frames_      the call stack; its capacity() is the call-depth limit ("call stack exhausted")
 *   Thread::values_      the value stack (grows on demand; we only lower its initial reservation)
 *   Thread::PushValues   push a call's arguments          } exactly what DefinedFunc::DoCall does before
 *   Thread::PushCall     push the callee's frame           } and after Thread::Run(), split so that the
 *   Thread::PopValues    pop the results                   } run can stop and resume between instructions
 *   Thread::StepInternal execute one instruction (Thread::Run(int) is a loop over it)
 *   Memory::data_/pages_/type_  a memory's bytes, size in pages and limits: instances are instantiated with
 *                        0-page memories and we install a view of a zeroed mapping (see "linear memory")
 *   Module::desc_        the Store's copy of the module description, recycled when an instance is freed
 *                        (see "instantiation templates")
 *   Istream::data_       a module's compiled code: every instance's description borrows the template's one
 *                        buffer instead of owning a copy (see "vector views")
 * Nothing else in this file touches wabt internals. */
namespace wabt_access {
template <typename Tag, typename Tag::type Member>
struct Grant {
    friend typename Tag::type get(Tag) { return Member; }
};
struct Frames {
    using type = std::vector<Frame> Thread::*;
    friend type get(Frames);
};
struct ValueStack {
    using type = std::vector<Value> Thread::*;
    friend type get(ValueStack);
};
struct PushValues {
    using type = void (Thread::*)(const ValueTypes &, const Values &);
    friend type get(PushValues);
};
struct PopValues {
    using type = void (Thread::*)(const ValueTypes &, Values *);
    friend type get(PopValues);
};
struct PushCallDefined {
    using type = RunResult (Thread::*)(const DefinedFunc &, Trap::Ptr *);
    friend type get(PushCallDefined);
};
struct StepInternal {
    using type = RunResult (Thread::*)(Trap::Ptr *);
    friend type get(StepInternal);
};
struct MemData {
    using type = Buffer Memory::*;
    friend type get(MemData);
};
struct MemPages {
    using type = u64 Memory::*;
    friend type get(MemPages);
};
struct MemType {
    using type = MemoryType Memory::*;
    friend type get(MemType);
};
struct ModDesc {
    using type = ModuleDesc Module::*;
    friend type get(ModDesc);
};
struct IstreamData {
    using type = Buffer Istream::*;
    friend type get(IstreamData);
};
template struct Grant<Frames, &Thread::frames_>;
template struct Grant<IstreamData, &Istream::data_>;
template struct Grant<MemData, &Memory::data_>;
template struct Grant<MemPages, &Memory::pages_>;
template struct Grant<MemType, &Memory::type_>;
template struct Grant<ModDesc, &Module::desc_>;
template struct Grant<ValueStack, &Thread::values_>;
template struct Grant<PushValues, &Thread::PushValues>;
template struct Grant<PopValues, &Thread::PopValues>;
template struct Grant<PushCallDefined, &Thread::PushCall>;
template struct Grant<StepInternal, &Thread::StepInternal>;
} // namespace wabt_access

namespace {

constexpr uint32_t kDefaultCallDepth = 1024;   /* frames (wasm and host); 40 bytes each, reserved up front */
constexpr uint32_t kMaxCallDepth = 1u << 20;   /* refuse absurd requests (40 MiB of frames) */
constexpr uint32_t kInitialValueStack = 1024;  /* values (16 bytes each); grows on demand */
constexpr uint64_t kMaxPages32 = 65536;        /* 4 GiB: a 32-bit memory's spec limit */
/* Host-memory guards against hostile modules (wabt would let one call push 2^28 locals, i.e. 4 GiB):
 * at most kMaxLocals locals per function (the limit JS engines enforce) checked at load, and at most
 * kMaxValueStack values (32 MiB) on an instance's value stack, checked after every instruction. */
constexpr uint64_t kMaxLocals = 50000;
constexpr size_t kMaxValueStack = size_t(1) << 21;

/* ------------------------------------------------------------------ helpers */

void diag_clear(wactor_diag *diag) {
    if (diag) {
        diag->trap = WACTOR_TRAP_NONE;
        diag->exit_code = 0;
        diag->message[0] = '\0';
    }
}

void diag_set(wactor_diag *diag, wactor_trap_kind trap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_set(wactor_diag *diag, wactor_trap_kind trap, const char *fmt, ...) {
    if (!diag) return;
    diag->trap = trap;
    diag->exit_code = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
}

bool to_wactor_type(Type t, wactor_valtype *out) {
    switch (t) {
    case Type::I32: *out = WACTOR_I32; return true;
    case Type::I64: *out = WACTOR_I64; return true;
    case Type::F32: *out = WACTOR_F32; return true;
    case Type::F64: *out = WACTOR_F64; return true;
    default: return false;
    }
}

Type to_wabt_type(wactor_valtype t) {
    switch (t) {
    case WACTOR_I32: return Type::I32;
    case WACTOR_I64: return Type::I64;
    case WACTOR_F32: return Type::F32;
    case WACTOR_F64: return Type::F64;
    }
    return Type::Void;
}

const char *valtype_name(wactor_valtype t) {
    switch (t) {
    case WACTOR_I32: return "i32";
    case WACTOR_I64: return "i64";
    case WACTOR_F32: return "f32";
    case WACTOR_F64: return "f64";
    }
    return "?";
}

/* Converts a wabt signature; false if a type is not a number type or there are too many. */
bool to_functype(const FuncType &ft, eng_functype *out) {
    std::memset(out, 0, sizeof *out);
    if (ft.params.size() > ENG_MAX_PARAMS || ft.results.size() > ENG_MAX_PARAMS) return false;
    out->nparams = (uint32_t)ft.params.size();
    out->nresults = (uint32_t)ft.results.size();
    for (size_t i = 0; i < ft.params.size(); i++)
        if (!to_wactor_type(ft.params[i], &out->params[i])) return false;
    for (size_t i = 0; i < ft.results.size(); i++)
        if (!to_wactor_type(ft.results[i], &out->results[i])) return false;
    return true;
}

FuncType to_wabt_functype(const eng_functype &t) {
    ValueTypes params, results;
    for (uint32_t i = 0; i < t.nparams && i < ENG_MAX_PARAMS; i++) params.push_back(to_wabt_type(t.params[i]));
    for (uint32_t i = 0; i < t.nresults && i < ENG_MAX_PARAMS; i++) results.push_back(to_wabt_type(t.results[i]));
    return FuncType(params, results);
}

std::string sig_string(const FuncType &ft) {
    std::string s = "(";
    for (size_t i = 0; i < ft.params.size(); i++) s += (i ? ", " : "") + ft.params[i].GetName();
    s += ") -> (";
    for (size_t i = 0; i < ft.results.size(); i++) s += (i ? ", " : "") + ft.results[i].GetName();
    return s + ")";
}

Value to_wabt_value(const wactor_value &v) {
    switch (v.type) {
    case WACTOR_I32: return Value::Make((u32)v.of.i32);
    case WACTOR_I64: return Value::Make((u64)v.of.i64);
    case WACTOR_F32: return Value::Make(v.of.f32);
    case WACTOR_F64: return Value::Make(v.of.f64);
    }
    return Value();
}

wactor_value to_wactor_value(wactor_valtype t, const Value &v) {
    wactor_value out;
    std::memset(&out, 0, sizeof out);
    out.type = t;
    switch (t) {
    case WACTOR_I32: out.of.i32 = (int32_t)v.Get<u32>(); break;
    case WACTOR_I64: out.of.i64 = (int64_t)v.Get<u64>(); break;
    case WACTOR_F32: out.of.f32 = v.Get<f32>(); break;
    case WACTOR_F64: out.of.f64 = v.Get<f64>(); break;
    }
    return out;
}

uint64_t fnv1a64(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

} // namespace

/* ------------------------------------------------------------------ modules */

struct ExternEntry {
    eng_extern_kind kind;
    std::string module, name;
    eng_functype type;
    bool type_ok; /* the function signature uses only i32/i64/f32/f64 and fits ENG_MAX_PARAMS */
    uint32_t mem_min, mem_max;
};

/* ------------------------------------------------------------------ vector views (libstdc++ only)
 * Two of wabt's buffers are std::vector<u8> members that we fill with memory wabt must not own:
 *   - a module's compiled code (Istream::data_). The interpreter runs it from the Module in the instance's own
 *     Store, and that Module owns its description by value: one copy of the code per live instance (for a
 *     wasi-libc component ~100 KiB: most of an idle instance's memory and, as fresh pages, of its spawn
 *     time). wabt only reads the code after compilation (Istream's emitters are the compiler's), so every
 *     instance's Istream is a non-owning view of its template's one copy;
 *   - linear memories (Memory::data_): see "linear memory".
 * A view is three pointers written over the vector: libstdc++'s layout {begin, end, end_of_storage}, checked
 * once at run time (vector_views_work: eng_instance_new refuses to run if it does not hold). Every view is
 * emptied again (unview) before wabt could free or reallocate what it shows. */
#if !defined(__GLIBCXX__)
#error "engine.cpp writes std::vector views in libstdc++'s layout (see 'vector views')"
#endif
namespace {
struct VectorRep {
    u8 *begin, *end, *end_of_storage;
};
static_assert(sizeof(Buffer) == sizeof(VectorRep), "std::vector<u8> is not three pointers");

/* A linear memory's mapping (see "linear memory"). */
struct LinearMemory {
    u8 *base = nullptr;
    size_t reserved = 0; /* bytes mapped: the memory's maximum */
};

void set_rep(Buffer &v, const VectorRep &r) { std::memcpy(static_cast<void *>(&v), &r, sizeof r); }

/* Makes the empty vector `v` show [p, p + size) with room up to p + room, without owning it. */
void view(Buffer &v, u8 *p, size_t size, size_t room) { set_rep(v, VectorRep{p, p + size, p + room}); }

/* Empties a view without freeing or touching what it shows. */
void unview(Buffer &v) { set_rep(v, VectorRep{nullptr, nullptr, nullptr}); }

bool vector_views_work() {
    static const bool works = [] {
        u8 bytes[4] = {1, 2, 3, 4};
        Buffer v;
        view(v, bytes, 3, 4);
        bool ok = v.data() == bytes && v.size() == 3 && v.capacity() == 4 && v[2] == 3;
        unview(v);
        return ok && v.empty() && v.capacity() == 0;
    }();
    return works;
}

Buffer &istream_bytes(ModuleDesc &d) { return d.istream.*get(wabt_access::IstreamData{}); }
} // namespace

/* ------------------------------------------------------------------ instantiation templates
 * Every instance needs its own wabt Module (the interpreter reads code from the Module in the instance's own
 * Store), and wabt's Module::New takes the ModuleDesc by value, so one copy per live instance is unavoidable.
 * What is avoidable is redoing the per-instance adjustments and re-copying on every spawn:
 *   - a template holds, once per (module, max_pages), the description as we instantiate it: memory maxima
 *     lowered to the cap, start functions removed (we run them), memories declared with 0 initial pages and
 *     active data segments turned passive (we install a linear-memory mapping after instantiation and apply
 *     the segments ourselves, in order, exactly as wabt would; see install_memories / apply_data);
 *   - a freed instance gives its Module's description back (spares): it is still identical to the template,
 *     because wabt never mutates Module::desc_ after construction (Module has no mutators; Instance and
 *     DataSegment/ElemSegment only read it). The next instance takes a spare instead of copying.
 * Spares and copies carry an empty istream: each instance's is a view of the template's `code`.
 * Templates are immutable once built (only `spares` changes, under spare_mutex), so concurrent copies are safe. */
constexpr size_t kMaxTemplates = 8; /* distinct caps cached per module; further caps get a private template */
constexpr size_t kMaxSpares = 4;    /* recycled descriptions kept per template */

struct InstTemplate {
    uint32_t max_pages = 0;         /* the opts->max_pages it was built for */
    uint32_t cap_pages = 0;         /* effective cap (eng_instance.cap_pages); 0 = none */
    ModuleDesc desc;                /* as instantiated (see above), with an empty istream: */
    Buffer code;                    /* the compiled code, shown by every instance's view (see "vector views") */
    std::vector<u64> mem_pages;     /* each defined memory's real initial size, in pages */
    std::vector<u64> mem_max;       /* and its maximum (after the cap), in pages: the mapping's size */
    std::vector<Index> active_datas; /* data segments we made passive and apply after instantiation, in order */
    std::vector<StartDesc> starts;
    std::mutex spare_mutex;
    std::vector<ModuleDesc> spares; /* guarded by spare_mutex */
};

struct eng_module {
    std::vector<uint8_t> bytes;
    uint64_t hash = 0;
    std::atomic<long> refs{1};
    ModuleDesc desc;
    std::vector<ExternEntry> imports, exports;
    std::unordered_map<std::string, size_t> func_exports; /* name -> index into exports */
    std::mutex tmpl_mutex;
    std::vector<std::unique_ptr<InstTemplate>> templates; /* guarded by tmpl_mutex; at most kMaxTemplates */
};

namespace {
std::mutex g_cache_mutex;
std::unordered_multimap<uint64_t, eng_module *> g_cache; /* hash -> module; guarded by g_cache_mutex */

ExternEntry make_entry(const ExternType &t, const std::string &module, const std::string &name) {
    ExternEntry e;
    e.module = module;
    e.name = name;
    std::memset(&e.type, 0, sizeof e.type);
    e.type_ok = false;
    e.mem_min = e.mem_max = 0;
    switch (t.kind) {
    case ExternKind::Func:
        e.kind = ENG_EXTERN_FUNC;
        e.type_ok = to_functype(*cast<FuncType>(&t), &e.type);
        break;
    case ExternKind::Table: e.kind = ENG_EXTERN_TABLE; break;
    case ExternKind::Memory: {
        e.kind = ENG_EXTERN_MEMORY;
        const Limits &l = cast<MemoryType>(&t)->limits;
        e.mem_min = (uint32_t)(l.initial > UINT32_MAX ? UINT32_MAX : l.initial);
        e.mem_max = (!l.has_max || l.max > UINT32_MAX) ? UINT32_MAX : (uint32_t)l.max;
        break;
    }
    default: e.kind = ENG_EXTERN_GLOBAL; break; /* globals (and tags, which we do not enable) */
    }
    return e;
}

void fill_info(const ExternEntry &e, bool is_import, eng_extern_info *info) {
    info->kind = e.kind;
    info->module = is_import ? e.module.c_str() : nullptr;
    info->name = e.name.c_str();
    info->type = e.type;
    info->mem_min = e.mem_min;
    info->mem_max = e.mem_max;
}

std::string format_errors(const Errors &errors) {
    std::string s = FormatErrorsToString(errors, Location::Type::Binary);
    /* One line per error; keep them on one line separated by "; ". */
    std::string out;
    size_t start = 0;
    while (start < s.size()) {
        size_t nl = s.find('\n', start);
        std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (!line.empty()) out += (out.empty() ? "" : "; ") + line;
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out.empty() ? "invalid module" : out;
}

/* Decodes + validates; returns nullptr with *err set on failure. */
eng_module *compile(const uint8_t *bytes, size_t len, uint64_t hash, std::string *err) {
    std::unique_ptr<eng_module> m(new eng_module);
    m->bytes.assign(bytes, bytes + len);
    m->hash = hash;
    Features features; /* wabt 1.0.32 defaults: mutable-globals, sat-float-to-int, sign-ext, simd,
                          multi-value, bulk-memory, reference-types; everything clang-14/wasi-libc emit */
    ReadBinaryOptions options(features, nullptr, /*read_debug_names=*/false, /*stop_on_first_error=*/true,
                              /*fail_on_custom_section_error=*/false);
    Errors errors;
    if (Failed(ReadBinaryInterp("<module>", m->bytes.data(), m->bytes.size(), options, &errors, &m->desc))) {
        *err = format_errors(errors);
        return nullptr;
    }
    size_t nimported = 0;
    for (const ImportDesc &imp : m->desc.imports) nimported += imp.type.type->kind == ExternKind::Func;
    for (size_t i = 0; i < m->desc.funcs.size(); i++) {
        const FuncDesc &f = m->desc.funcs[i];
        uint64_t nlocals = f.locals.empty() ? 0 : f.locals.back().end;
        if (nlocals > kMaxLocals) {
            *err = "function " + std::to_string(i + nimported) + " declares " + std::to_string(nlocals) +
                   " locals; at most " + std::to_string(kMaxLocals) + " are allowed";
            return nullptr;
        }
    }
    for (const ImportDesc &imp : m->desc.imports)
        m->imports.push_back(make_entry(*imp.type.type, imp.type.module, imp.type.name));
    for (const ExportDesc &exp : m->desc.exports) {
        m->exports.push_back(make_entry(*exp.type.type, "", exp.type.name));
        if (exp.type.type->kind == ExternKind::Func) m->func_exports.emplace(exp.type.name, m->exports.size() - 1);
    }
    return m.release();
}
} // namespace

/* ------------------------------------------------------------------ heap padding
 * Instantiation allocates and frees large blocks: wabt's Instance::Instantiate builds a temporary Thread (a
 * 64 KiB frame and a 64 KiB value reservation) for every init expression, and so does our new_thread before
 * it swaps in smaller stacks. With glibc's defaults each free trims the heap top back to the kernel (brk,
 * or MADV_DONTNEED in a thread's arena: TLB shoot-downs to every CPU) and the next allocation grows it again,
 * faulting fresh pages: measured, a spawn+stop cycle of a 1-page component took 67 us p50, against 21 us
 * with 1 MiB of padding kept at the heap top. glibc has no per-arena setting, so this is process-wide; it
 * also turns off glibc's dynamic mmap threshold (blocks of 128 KiB and more are then always mmap()ed). */
static void set_heap_padding() {
#if defined(__GLIBC__)
    static std::once_flag once;
    std::call_once(once, [] { mallopt(M_TOP_PAD, 1 << 20); });
#endif
}

extern "C" int eng_module_load(const void *bytes, size_t len, eng_module **out, wactor_diag *diag) {
    diag_clear(diag);
    set_heap_padding();
    if (!out) {
        diag_set(diag, WACTOR_TRAP_NONE, "eng_module_load: out is NULL");
        return -1;
    }
    *out = nullptr;
    if (!bytes && len) {
        diag_set(diag, WACTOR_TRAP_NONE, "eng_module_load: bytes is NULL");
        return -1;
    }
    if (len == 0) {
        diag_set(diag, WACTOR_TRAP_NONE, "empty module: 0 bytes (expected the \\0asm magic and version)");
        return -1;
    }
    try {
        const uint8_t *p = (const uint8_t *)bytes;
        uint64_t h = fnv1a64(p, len);
        auto find = [&]() -> eng_module * {
            auto range = g_cache.equal_range(h);
            for (auto it = range.first; it != range.second; ++it) {
                eng_module *m = it->second;
                if (m->bytes.size() == len && std::memcmp(m->bytes.data(), p, len) == 0) return m;
            }
            return nullptr;
        };
        {
            std::lock_guard<std::mutex> lock(g_cache_mutex);
            if (eng_module *m = find()) {
                m->refs.fetch_add(1, std::memory_order_relaxed);
                *out = m;
                return 0;
            }
        }
        /* Compile outside the lock: decoding a large module must not stall other loads. */
        std::string err;
        eng_module *fresh = compile(p, len, h, &err);
        if (!fresh) {
            diag_set(diag, WACTOR_TRAP_NONE, "%s", err.c_str());
            return -1;
        }
        std::lock_guard<std::mutex> lock(g_cache_mutex);
        if (eng_module *m = find()) { /* another thread compiled the same bytes meanwhile */
            m->refs.fetch_add(1, std::memory_order_relaxed);
            delete fresh;
            *out = m;
            return 0;
        }
        g_cache.emplace(h, fresh);
        *out = fresh;
        return 0;
    } catch (const std::exception &e) {
        diag_set(diag, WACTOR_TRAP_NONE, "module load failed: %s", e.what());
        return -1;
    }
}

extern "C" void eng_module_retain(eng_module *m) {
    if (m) m->refs.fetch_add(1, std::memory_order_relaxed);
}

extern "C" void eng_module_release(eng_module *m) {
    if (!m) return;
    {
        std::lock_guard<std::mutex> lock(g_cache_mutex);
        if (m->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        auto range = g_cache.equal_range(m->hash);
        for (auto it = range.first; it != range.second; ++it) {
            if (it->second == m) {
                g_cache.erase(it);
                break;
            }
        }
    }
    delete m;
}

extern "C" size_t eng_module_cache_size(void) {
    std::lock_guard<std::mutex> lock(g_cache_mutex);
    return g_cache.size();
}

extern "C" size_t eng_module_import_count(const eng_module *m) { return m ? m->imports.size() : 0; }
extern "C" size_t eng_module_export_count(const eng_module *m) { return m ? m->exports.size() : 0; }

extern "C" int eng_module_import(const eng_module *m, size_t i, eng_extern_info *info) {
    if (!m || !info || i >= m->imports.size()) return -1;
    fill_info(m->imports[i], true, info);
    return 0;
}

extern "C" int eng_module_export(const eng_module *m, size_t i, eng_extern_info *info) {
    if (!m || !info || i >= m->exports.size()) return -1;
    fill_info(m->exports[i], false, info);
    return 0;
}

extern "C" bool eng_module_has_func(const eng_module *m, const char *name, eng_functype *type) {
    if (!m || !name) return false;
    auto it = m->func_exports.find(name);
    if (it == m->func_exports.end() || !m->exports[it->second].type_ok) return false;
    if (type) *type = m->exports[it->second].type;
    return true;
}

/* ------------------------------------------------------------------ instances */

struct eng_call_ctx {
    eng_instance *inst;
};

namespace {
enum class CallState { Idle, Running, Suspended };

struct PendingTrap { /* set by eng_host_trap() (or a trapped nested call) while a host function runs */
    bool set = false;
    wactor_trap_kind kind = WACTOR_TRAP_NONE;
    int exit_code = 0;
    std::string message;
};
} // namespace

struct eng_instance {
    eng_module *mod = nullptr;
    const eng_host_func *imports = nullptr;
    size_t nimports = 0;
    const eng_wasi *wasi = nullptr;
    void *user = nullptr;
    uint32_t call_depth = kDefaultCallDepth;
    uint32_t cap_pages = 0; /* 0: no cap was set */
    InstTemplate *tmpl = nullptr;            /* the module's template, or own_tmpl */
    std::unique_ptr<InstTemplate> own_tmpl;  /* only when the module already caches kMaxTemplates caps */

    /* wabt objects; RefPtrs must die before the Store (see destroy()). */
    std::unique_ptr<Store> store;
    std::unique_ptr<Thread> thread;
    Ref module = Ref::Null;       /* the Store's Module, whose istream views tmpl->code (see "vector views") */
    Instance::Ptr instance;
    Memory::Ptr memory;
    std::vector<Func *> export_funcs; /* by export index; lazily filled; owned by the Store */
    std::vector<LinearMemory> linear; /* the mappings viewed by the defined memories (see "linear memory") */

    eng_call_ctx ctx{nullptr};
    bool dead = false;
    CallState state = CallState::Idle;
    int host_depth = 0;               /* > 0 while a host function runs */
    Func *cur_func = nullptr;         /* the call being run (or suspended) */
    const eng_functype *cur_type = nullptr;
    Values results;
    Values call_args;                 /* eng_call's argument vector, reused */
    const eng_functype *results_type = nullptr;
    size_t nresults = 0;              /* valid results after ENG_DONE */
    PendingTrap pending;

    void destroy() noexcept;
};

namespace {

/* ------------------------------------------------------------------ linear memory
 * wabt keeps a linear memory in a std::vector<u8> that its Memory constructor value-initialises: every page
 * is written at instantiation. On this kind of machine (a paravirtualised VM) a first touch costs several
 * microseconds per 4 KiB page, and an idle component would keep all its pages resident although a guest
 * typically uses a few (data, the top of its stack, the first heap pages). So we make linear memories:
 *   - each is a private anonymous mapping (MAP_NORESERVE) as large as the memory's maximum (the cap), viewed
 *     by the Memory's vector (see "vector views") with its current size as size and the mapping as capacity.
 *     The kernel hands out zero pages on first touch, so only the pages a guest uses become resident, and
 *     Memory::Grow never reallocates (it cannot pass the maximum; it zero-fills the grown part in place);
 *   - a freed instance's mappings go to a process-wide pool, re-zeroed: resident pages with memset (they
 *     stay mapped for the next guest: spawning after a stop and restarting after a trap fault no fresh
 *     page), the others dropped with MADV_DONTNEED (untouched or swapped out: they read as zero after it).
 * The pool keeps mappings by (initial size, maximum), at most kPoolMaxBytes of initial sizes and none whose
 * memory grew past kPoolMaxGrown; the rest are unmapped. Thread-safe: one mutex; zeroing happens outside it. */
constexpr size_t kPoolMaxBytes = size_t(64) << 20;
constexpr size_t kPoolMaxGrown = size_t(4) << 20;
constexpr uintptr_t kOsPage = 4096;

/* Zeroes [p, p + size) of a mapping (p page-aligned): memset for resident pages, MADV_DONTNEED for the rest
 * (falls back to memset where mincore/madvise fail). */
void zero_mapping(u8 *p, size_t size) {
    size_t npages = (size + kOsPage - 1) / kOsPage;
    unsigned char resident[1024];
    for (size_t first = 0; first < npages; first += sizeof resident) {
        size_t n = std::min(npages - first, sizeof resident);
        u8 *chunk = p + first * kOsPage;
        size_t chunk_bytes = std::min(n * kOsPage, size - first * kOsPage);
        if (mincore(chunk, n * kOsPage, resident) != 0) {
            std::memset(chunk, 0, chunk_bytes);
            continue;
        }
        for (size_t i = 0; i < n;) {
            bool in = resident[i] & 1;
            size_t j = i;
            while (j < n && (bool)(resident[j] & 1) == in) j++;
            u8 *from = chunk + i * kOsPage;
            size_t len = std::min(j * kOsPage, chunk_bytes) - i * kOsPage;
            if (in || madvise(from, len, MADV_DONTNEED) != 0) std::memset(from, 0, len);
            i = j;
        }
    }
}

class MemoryPool {
public:
    /* A zeroed mapping of `reserved` bytes for a memory of `size` initial bytes; base == nullptr (errno set)
     * if the kernel refuses the mapping. */
    LinearMemory take(size_t size, size_t reserved) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = free_.find(Key(size, reserved));
            if (it != free_.end() && !it->second.empty()) {
                LinearMemory m = it->second.back();
                it->second.pop_back();
                bytes_ -= size;
                return m;
            }
        }
        LinearMemory m;
        void *p = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return m;
        m.base = static_cast<u8 *>(p);
        m.reserved = reserved;
        return m;
    }

    /* Takes back a mapping whose memory started at `size` bytes and ended at `used` bytes. Never throws. */
    void give(LinearMemory m, size_t size, size_t used) noexcept {
        if (!m.base) return;
        bool keep = used <= kPoolMaxGrown;
        if (keep) zero_mapping(m.base, used);
        if (keep) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (bytes_ + size <= kPoolMaxBytes) {
                try {
                    free_[Key(size, m.reserved)].push_back(m);
                    bytes_ += size;
                    return;
                } catch (...) {
                }
            }
        }
        munmap(m.base, m.reserved);
    }

private:
    using Key = std::pair<size_t, size_t>; /* initial bytes, reserved bytes */
    struct KeyHash {
        size_t operator()(const Key &k) const { return std::hash<size_t>()(k.first * 31 + k.second); }
    };
    std::mutex mutex_;
    std::unordered_map<Key, std::vector<LinearMemory>, KeyHash> free_;
    size_t bytes_ = 0; /* sum of the initial sizes held */
};

MemoryPool &memory_pool() {
    static MemoryPool *pool = new MemoryPool; /* never destroyed: instances may be freed during exit */
    return *pool;
}

std::unique_ptr<InstTemplate> make_template(const eng_module *m, uint32_t max_pages) {
    std::unique_ptr<InstTemplate> t(new InstTemplate);
    t->max_pages = max_pages;
    t->desc = m->desc;
    for (MemoryDesc &md : t->desc.memories) {
        Limits &l = md.type.limits;
        if (!l.has_max) {
            l.has_max = true;
            l.max = kMaxPages32;
        }
        if (max_pages) {
            if (l.max > max_pages) l.max = max_pages;
            t->cap_pages = (uint32_t)l.max;
        }
        t->mem_pages.push_back(l.initial);
        t->mem_max.push_back(l.max);
        l.initial = 0; /* Memory's constructor would zero-fill `initial` pages: install_memories maps them */
    }
    for (size_t i = 0; i < t->desc.datas.size(); i++) {
        DataDesc &d = t->desc.datas[i];
        if (d.mode != SegmentMode::Active) continue;
        d.mode = SegmentMode::Passive; /* init_func (the offset expression) is kept: apply_data evaluates it */
        t->active_datas.push_back((Index)i);
    }
    t->starts.swap(t->desc.starts);
    t->code.swap(istream_bytes(t->desc));
    return t;
}

/* The module's template for `max_pages`, built on first use. */
InstTemplate *get_template(eng_module *m, uint32_t max_pages, std::unique_ptr<InstTemplate> *owned) {
    std::lock_guard<std::mutex> lock(m->tmpl_mutex);
    for (const auto &t : m->templates)
        if (t->max_pages == max_pages) return t.get();
    std::unique_ptr<InstTemplate> t = make_template(m, max_pages);
    if (m->templates.size() < kMaxTemplates) {
        m->templates.push_back(std::move(t));
        return m->templates.back().get();
    }
    *owned = std::move(t);
    return owned->get();
}

/* A description to instantiate from: a recycled spare, else a copy of the template's. */
ModuleDesc take_desc(InstTemplate *t) {
    {
        std::lock_guard<std::mutex> lock(t->spare_mutex);
        if (!t->spares.empty()) {
            ModuleDesc d = std::move(t->spares.back());
            t->spares.pop_back();
            return d;
        }
    }
    return t->desc;
}

/* After Instance::Instantiate: gives each (0-page) memory a zeroed mapping of its maximum size, viewed with its
 * real initial size, as Memory's constructor would have sized it (pages_ and type_.limits.initial as it
 * sets them). Returns "" or the error. */
std::string install_memories(eng_instance *inst) {
    Store &store = *inst->store;
    const RefVec &mems = inst->instance->memories(); /* only defined memories: memory imports are refused */
    inst->linear.reserve(mems.size());
    for (size_t i = 0; i < inst->tmpl->mem_pages.size() && i < mems.size(); i++) {
        u64 pages = inst->tmpl->mem_pages[i], max = inst->tmpl->mem_max[i];
        if (max > SIZE_MAX / ENG_PAGE_SIZE) return "memory maximum of " + std::to_string(max) + " pages is too large";
        Memory *mem = store.UnsafeGet<Memory>(mems[i]).get();
        Buffer &bytes = mem->*get(wabt_access::MemData{});
        if (bytes.capacity() != 0) return "memory already has storage"; /* the template declares 0 pages */
        LinearMemory lm = memory_pool().take(size_t(pages * ENG_PAGE_SIZE), size_t(max * ENG_PAGE_SIZE));
        if (!lm.base)
            return "cannot map linear memory of " + std::to_string(max) + " pages: " + std::strerror(errno);
        inst->linear.push_back(lm);
        view(bytes, lm.base, size_t(pages * ENG_PAGE_SIZE), lm.reserved);
        mem->*get(wabt_access::MemPages{}) = pages;
        (mem->*get(wabt_access::MemType{})).limits.initial = pages;
    }
    return std::string();
}

/* Applies the active data segments, in order, as Instance::Instantiate does with bulk memory enabled (wabt
 * 1.0.32's default, and ours): evaluate the offset expression, copy (Memory::Init bounds-checks), then drop
 * the segment, so a later memory.init/data.drop sees it dropped exactly like an applied active segment.
 * Element segments were applied inside Instantiate, before this, which is the spec's order too.
 * Returns "" or the error, worded as wabt's. Needs inst->thread. */
std::string apply_data(eng_instance *inst) {
    Store &store = *inst->store;
    for (Index di : inst->tmpl->active_datas) {
        DataSegment &seg = inst->instance->datas()[di];
        const DataDesc &dd = seg.desc();
        Memory *mem = store.UnsafeGet<Memory>(inst->instance->memories()[dd.memory_index]).get();
        Values results;
        Trap::Ptr trap;
        DefinedFunc::Ptr offset_fn = DefinedFunc::New(store, inst->instance.ref(), dd.init_func);
        if (Failed(offset_fn->Call(*inst->thread, Values{}, results, &trap)) || results.size() != 1)
            return trap ? trap->message() : std::string("data segment offset evaluation failed");
        u64 offset = mem->type().limits.is_64 ? results[0].Get<u64>() : results[0].Get<u32>();
        if (Failed(mem->Init(offset, seg, 0, seg.size()))) {
            char buf[160];
            snprintf(buf, sizeof buf,
                     "out of bounds memory access: data segment is out of bounds: [%llu, %llu) >= max value %llu",
                     (unsigned long long)offset, (unsigned long long)(offset + seg.size()),
                     (unsigned long long)mem->ByteSize());
            return buf;
        }
        seg.Drop();
    }
    return std::string();
}

} // namespace

/* Tears down the wabt objects, handing the memory mappings to the pool and the module description back to
 * the template. Never throws (eng_instance_free is noexcept in spirit: it has no way to report). */
void eng_instance::destroy() noexcept {
    thread.reset();
    memory.reset();
    std::vector<std::pair<LinearMemory, size_t>> unmapped; /* and the bytes in use */
    Module *mod = store && module != Ref::Null ? store->UnsafeGet<Module>(module).get() : nullptr;
    if (mod) unview(istream_bytes(mod->*get(wabt_access::ModDesc{}))); /* before anything can free it */
    if (instance && store) {
        const RefVec &mems = instance->memories();
        for (size_t i = 0; i < linear.size() && i < mems.size(); i++) {
            Memory *mem = store->UnsafeGet<Memory>(mems[i]).get();
            Buffer &bytes = mem->*get(wabt_access::MemData{});
            unmapped.emplace_back(linear[i], bytes.size());
            unview(bytes);
            mem->*get(wabt_access::MemPages{}) = 0;
        }
        if (tmpl && !own_tmpl && mod) {
            /* Nothing reads the Module's description any more (no thread; the Store is dropped below and no
             * wabt destructor looks at it). */
            try {
                std::lock_guard<std::mutex> lock(tmpl->spare_mutex);
                if (tmpl->spares.size() < kMaxSpares) tmpl->spares.push_back(std::move(mod->*get(wabt_access::ModDesc{})));
            } catch (...) {
            }
        }
    }
    instance.reset();
    store.reset();
    for (size_t i = 0; i < unmapped.size(); i++)
        memory_pool().give(unmapped[i].first, size_t(tmpl->mem_pages[i] * ENG_PAGE_SIZE), unmapped[i].second);
    linear.clear();
}

namespace {

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

Result host_callback(eng_instance *inst, const eng_host_func *hf, const Values &params, Values &results,
                     Trap::Ptr *out_trap) {
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
        *out_trap = Trap::New(*inst->store, inst->pending.message);
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

const eng_host_func *find_host(const eng_host_func *table, size_t n, const std::string &module,
                               const std::string &name) {
    for (size_t i = 0; i < n; i++)
        if (table[i].module && table[i].name && module == table[i].module && name == table[i].name) return &table[i];
    return nullptr;
}

bool same_sig(const eng_functype &a, const eng_functype &b) {
    if (a.nparams != b.nparams || a.nresults != b.nresults) return false;
    for (uint32_t i = 0; i < a.nparams; i++)
        if (a.params[i] != b.params[i]) return false;
    for (uint32_t i = 0; i < a.nresults; i++)
        if (a.results[i] != b.results[i]) return false;
    return true;
}

/* The trap kind for a wabt trap, with the memory-limit heuristic (see engine.h). */
wactor_trap_kind classify(eng_instance *inst, const std::string &msg) {
    wactor_trap_kind kind = eng_trap_kind_from_message(msg.c_str());
    if (inst->cap_pages && inst->memory && inst->memory->PageSize() == inst->cap_pages) return WACTOR_TRAP_MEMORY_LIMIT;
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
        inst->thread.reset();
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

/* Runs the current call for up to `budget` instructions (0 = unbounded). */
eng_status run(eng_instance *inst, uint64_t budget, uint64_t *executed, wactor_diag *diag) {
    Thread *t = inst->thread.get();
    auto step = get(wabt_access::StepInternal{});
    const std::vector<Value> &values = t->*get(wabt_access::ValueStack{});
    Trap::Ptr trap;
    RunResult r = RunResult::Ok;
    uint64_t n = 0;
    bool values_exhausted = false;
    while (budget == 0 || n < budget) {
        r = (t->*step)(&trap);
        n++;
        if (r != RunResult::Ok) break;
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
        inst->state = CallState::Idle;
        inst->cur_func = nullptr;
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
    inst->state = CallState::Idle;
    inst->cur_func = nullptr;
    return ENG_DONE;
}

int fail_instance(eng_instance *inst, wactor_diag *diag, wactor_trap_kind trap, const std::string &msg) {
    diag_set(diag, trap, "%s", msg.c_str());
    if (inst) {
        eng_module *m = inst->mod;
        inst->destroy();
        delete inst;
        eng_module_release(m);
    }
    return -1;
}
} // namespace

extern "C" int eng_instance_new(eng_module *m, const eng_instance_opts *opts, eng_instance **out, wactor_diag *diag) {
    diag_clear(diag);
    if (!m || !out) {
        diag_set(diag, WACTOR_TRAP_NONE, "eng_instance_new: module or out is NULL");
        return -1;
    }
    *out = nullptr;
    eng_instance_opts defaults;
    std::memset(&defaults, 0, sizeof defaults);
    if (!opts) opts = &defaults;
    if (opts->max_call_depth > kMaxCallDepth) {
        diag_set(diag, WACTOR_TRAP_NONE, "max_call_depth %u is above the limit %u", opts->max_call_depth, kMaxCallDepth);
        return -1;
    }
    eng_instance *inst = nullptr;
    try {
        inst = new eng_instance;
        eng_module_retain(m);
        inst->mod = m;
        inst->imports = opts->imports;
        inst->nimports = opts->imports ? opts->nimports : 0;
        inst->wasi = opts->wasi;
        inst->user = opts->user;
        inst->call_depth = opts->max_call_depth ? opts->max_call_depth : kDefaultCallDepth;
        inst->ctx.inst = inst;

        for (const MemoryDesc &md : m->desc.memories)
            if (opts->max_pages && md.type.limits.initial > opts->max_pages)
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "memory minimum of " + std::to_string(md.type.limits.initial) +
                                         " pages is above the cap of " + std::to_string(opts->max_pages) + " pages");
        /* The description as we instantiate it (memory maxima lowered to the cap, start functions and data
         * segments applied by us): see "instantiation templates". */
        inst->tmpl = get_template(m, opts->max_pages, &inst->own_tmpl);
        inst->cap_pages = inst->tmpl->cap_pages;
        ModuleDesc desc = take_desc(inst->tmpl);

        inst->store.reset(new Store(Features{}));
        Store &store = *inst->store;

        /* Resolve imports: opts->imports first, then built-in WASI. */
        RefVec imports;
        size_t nwasi = 0;
        const eng_host_func *wasi_funcs = opts->wasi ? eng_wasi_funcs(&nwasi) : nullptr;
        for (size_t i = 0; i < m->imports.size(); i++) {
            const ExternEntry &e = m->imports[i];
            std::string qname = e.module + "." + e.name;
            if (e.kind != ENG_EXTERN_FUNC) {
                static const char *const kinds[] = {"function", "table", "memory", "global"};
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "unknown import " + qname + " (" + kinds[e.kind] + " imports are not provided)");
            }
            const eng_host_func *hf = find_host(inst->imports, inst->nimports, e.module, e.name);
            if (!hf && wasi_funcs && e.module == "wasi_snapshot_preview1")
                hf = find_host(wasi_funcs, nwasi, e.module, e.name);
            if (!hf) return fail_instance(inst, diag, WACTOR_TRAP_NONE, "unknown import " + qname);
            const FuncType &want = *cast<FuncType>(m->desc.imports[i].type.type.get());
            if (!hf->fn || hf->type.nparams > ENG_MAX_PARAMS || hf->type.nresults > ENG_MAX_PARAMS || !e.type_ok ||
                !same_sig(e.type, hf->type))
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "import " + qname + " signature mismatch: module expects " + sig_string(want) +
                                         ", host provides " + sig_string(to_wabt_functype(hf->type)));
            HostFunc::Ptr f = HostFunc::New(
                store, to_wabt_functype(hf->type),
                [inst, hf](Thread &, const Values &params, Values &results, Trap::Ptr *out_trap) -> Result {
                    return host_callback(inst, hf, params, results, out_trap);
                });
            imports.push_back(f.ref());
        }

        /* Every RefPtr must be gone before fail_instance() frees the Store (its destructor writes to the
         * Store's root list; ASan cannot see that, wabt's code is not instrumented). */
        std::string instantiate_error;
        {
            view(istream_bytes(desc), inst->tmpl->code.data(), inst->tmpl->code.size(), inst->tmpl->code.size());
            Module::Ptr module = Module::New(store, std::move(desc));
            inst->module = module.ref();
            Trap::Ptr trap;
            inst->instance = Instance::Instantiate(store, module.ref(), imports, &trap);
            if (!inst->instance)
                instantiate_error = "instantiation failed: " + (trap ? trap->message() : std::string("unknown error"));
        }
        if (!instantiate_error.empty()) return fail_instance(inst, diag, WACTOR_TRAP_NONE, instantiate_error);
        if (!vector_views_work())
            return fail_instance(inst, diag, WACTOR_TRAP_NONE, "engine: this C++ library's std::vector layout is not supported");
        instantiate_error = install_memories(inst);
        if (!instantiate_error.empty()) return fail_instance(inst, diag, WACTOR_TRAP_NONE, instantiate_error);
        /* The memory: export "memory", else the first memory. */
        Ref mem_ref = Ref::Null;
        for (size_t i = 0; i < m->exports.size(); i++)
            if (m->exports[i].kind == ENG_EXTERN_MEMORY && m->exports[i].name == "memory") mem_ref = inst->instance->exports()[i];
        if (mem_ref == Ref::Null && !inst->instance->memories().empty()) mem_ref = inst->instance->memories()[0];
        if (mem_ref != Ref::Null) inst->memory = store.UnsafeGet<Memory>(mem_ref);
        inst->export_funcs.assign(m->exports.size(), nullptr);

        if (!new_thread(inst)) return fail_instance(inst, diag, WACTOR_TRAP_NONE, "cannot create an interpreter thread");
        instantiate_error = apply_data(inst);
        if (!instantiate_error.empty())
            return fail_instance(inst, diag, WACTOR_TRAP_NONE, "instantiation failed: " + instantiate_error);
        for (const StartDesc &s : inst->tmpl->starts) {
            Func *f = store.UnsafeGet<Func>(inst->instance->funcs()[s.func_index]).get();
            eng_status st = start_call(inst, f, nullptr, Values{}, 0, nullptr, diag);
            if (st != ENG_DONE) {
                wactor_diag d;
                if (diag) d = *diag;
                else diag_clear(&d);
                std::string msg = std::string("start function trapped: ") + d.message;
                int rc = fail_instance(inst, diag, d.trap, msg);
                if (diag) diag->exit_code = d.exit_code;
                return rc;
            }
        }
        *out = inst;
        return 0;
    } catch (const std::exception &e) {
        return fail_instance(inst, diag, WACTOR_TRAP_NONE, std::string("instantiation failed: ") + e.what());
    }
}

extern "C" void eng_instance_free(eng_instance *inst) {
    if (!inst) return;
    eng_module *m = inst->mod;
    inst->destroy();
    delete inst;
    eng_module_release(m);
}

extern "C" void *eng_instance_user(eng_instance *inst) { return inst ? inst->user : nullptr; }
extern "C" const eng_module *eng_instance_module(eng_instance *inst) { return inst ? inst->mod : nullptr; }
extern "C" bool eng_instance_dead(const eng_instance *inst) { return !inst || inst->dead; }

extern "C" uint8_t *eng_instance_memory(eng_instance *inst, uint32_t *size_bytes) {
    if (size_bytes) *size_bytes = 0;
    if (!inst || !inst->memory) return nullptr;
    u64 size = inst->memory->ByteSize();
    if (size_bytes) *size_bytes = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    return inst->memory->UnsafeData();
}

extern "C" void *eng_instance_mem(eng_instance *inst, uint32_t ptr, uint32_t len) {
    static uint8_t empty; /* a valid pointer for a zero-length range of an empty memory */
    if (!inst || !inst->memory) return nullptr;
    u64 size = inst->memory->ByteSize();
    if ((u64)ptr + (u64)len > size) return nullptr; /* 64-bit sum: cannot wrap */
    u8 *data = inst->memory->UnsafeData();
    if (!data) return len == 0 ? &empty : nullptr;
    return data + ptr;
}

/* ------------------------------------------------------------------ host-call context */

extern "C" eng_instance *eng_ctx_instance(eng_call_ctx *ctx) { return ctx ? ctx->inst : nullptr; }
extern "C" void *eng_ctx_user(eng_call_ctx *ctx) { return ctx ? ctx->inst->user : nullptr; }
extern "C" const eng_wasi *eng_ctx_wasi(eng_call_ctx *ctx) { return ctx ? ctx->inst->wasi : nullptr; }
extern "C" void *eng_ctx_mem(eng_call_ctx *ctx, uint32_t ptr, uint32_t len) {
    return ctx ? eng_instance_mem(ctx->inst, ptr, len) : nullptr;
}

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
