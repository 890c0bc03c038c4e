/*
 * instance.cpp — instances: resolving imports, instantiating a template into a fresh wabt Store, applying
 * data segments, running start functions, tearing down (eng_instance_*), and the host-call context
 * (eng_ctx_*). See internal.hpp for the file map.
 */
#include "engine/internal.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

using namespace engine;


/* ------------------------------------------------------------------ shared function descriptions
 * wabt's Instance::Instantiate makes one DefinedFunc per function, and each copies its FuncDesc (signature,
 * locals, handlers) and its signature again (Func::type_): five small heap vectors per function and
 * instance. Once the instance exists, each of its own functions' vectors is freed and replaced by a view of
 * the template's description of that function (wabt only reads them: PushCall, call_indirect's signature
 * check, Match). The views are emptied again before the Store destroys the objects (~StoreGroup). */
namespace {
template <typename T>
void share_vector(std::vector<T> &v, const std::vector<T> &shown) {
    std::vector<T>().swap(v);
    view_vector(v, shown);
}

void share_funcs(eng_instance *inst) {
    const RefVec &funcs = inst->instance->funcs(); /* imported functions first */
    size_t first = 0;
    for (const ExternEntry &e : inst->mod->imports) first += e.kind == ENG_EXTERN_FUNC;
    const std::vector<FuncDesc> &descs = inst->tmpl->funcs;
    inst->first_func = first;
    for (size_t i = 0; i < descs.size() && first + i < funcs.size(); i++) {
        Object *o = inst->store->UnsafeGet<Object>(funcs[first + i]).get();
        DefinedFunc *df = dyn_cast<DefinedFunc>(o);
        if (!df) break;
        FuncDesc &fd = df->*get(wabt_access::FuncDescOf{});
        FuncType &ft = df->*get(wabt_access::FuncTypeOf{});
        share_vector(fd.type.params, descs[i].type.params);
        share_vector(fd.type.results, descs[i].type.results);
        share_vector(fd.locals, descs[i].locals);
        share_vector(fd.handlers, descs[i].handlers);
        share_vector(ft.params, descs[i].type.params);
        share_vector(ft.results, descs[i].type.results);
        inst->nshared = i + 1;
    }
}

void unshare_funcs(Store &store, Ref instance, size_t first, size_t n) {
    if (instance == Ref::Null || n == 0) return;
    const RefVec &funcs = store.UnsafeGet<Instance>(instance)->funcs();
    for (size_t i = 0; i < n && first + i < funcs.size(); i++) {
        DefinedFunc *df = dyn_cast<DefinedFunc>(store.UnsafeGet<Object>(funcs[first + i]).get());
        if (!df) break;
        FuncDesc &fd = df->*get(wabt_access::FuncDescOf{});
        FuncType &ft = df->*get(wabt_access::FuncTypeOf{});
        unview_vector(fd.type.params);
        unview_vector(fd.type.results);
        unview_vector(fd.locals);
        unview_vector(fd.handlers);
        unview_vector(ft.params);
        unview_vector(ft.results);
    }
}
} // namespace

/* ------------------------------------------------------------------ store groups and teardown */

StoreGroup::StoreGroup() : store(new Store(Features{})) {}

/* Tears the Store down once no member is left: empties every view before wabt could free what it shows,
 * gives each Module's description back to its template (wabt never mutates Module::desc_ after construction:
 * it is still identical to the template's), drops the Store, then returns the mappings to the pool and
 * releases the modules (which own the templates and the code). Never throws. */
StoreGroup::~StoreGroup() {
    std::vector<std::pair<LinearMemory, std::pair<size_t, size_t>>> unmapped; /* mapping, initial/used bytes */
    for (Remains &r : remains) {
        unshare_funcs(*store, r.instance, r.first_func, r.nshared);
        Module *mod = r.module != Ref::Null ? store->UnsafeGet<Module>(r.module).get() : nullptr;
        if (mod) {
            unview(istream_bytes(mod->*get(wabt_access::ModDesc{})));
            unview_vector((mod->*get(wabt_access::ModDesc{})).funcs);
        }
        for (size_t i = 0; i < r.linear.size() && i < r.mems.size(); i++) {
            Memory *mem = store->UnsafeGet<Memory>(r.mems[i]).get();
            Buffer &bytes = mem->*get(wabt_access::MemData{});
            try {
                unmapped.emplace_back(r.linear[i], std::make_pair(size_t(r.tmpl->mem_pages[i] * ENG_PAGE_SIZE),
                                                                  bytes.size()));
            } catch (...) {
                /* cannot record it: leave it mapped rather than risk a view over freed memory */
            }
            unview(bytes);
            mem->*get(wabt_access::MemPages{}) = 0;
        }
        if (mod && r.tmpl && !r.own_tmpl) {
            try {
                std::lock_guard<std::mutex> lock(r.tmpl->spare_mutex);
                if (r.tmpl->spares.size() < kMaxSpares) r.tmpl->spares.push_back(std::move(mod->*get(wabt_access::ModDesc{})));
            } catch (...) {
            }
        }
    }
    store.reset();
    for (auto &u : unmapped) pool_give(u.first, u.second.first, u.second.second);
    for (Remains &r : remains) {
        r.own_tmpl.reset();
        eng_module_release(r.mod);
    }
}

/* Drops this instance's wabt roots and hands what must outlive it (see Remains) to its store group; the
 * group tears the Store down when its last member goes. Releases the instance's module reference (through
 * the group). Never throws (eng_instance_free has no way to report). */
void eng_instance::destroy() noexcept {
    thread.reset();
    memory.reset();
    Ref instance_ref = instance ? instance.ref() : Ref::Null;
    instance.reset();
    if (cell) cell->inst = nullptr;
    if (group) {
        try {
            Remains r;
            r.mod = mod;
            r.tmpl = tmpl;
            r.own_tmpl = std::move(own_tmpl);
            r.module = module;
            r.instance = instance_ref;
            r.first_func = first_func;
            r.nshared = nshared;
            r.mems = std::move(linear_mems);
            r.linear = std::move(linear);
            r.cell = std::move(cell);
            group->remains.push_back(std::move(r));
            mod = nullptr;
        } catch (...) {
            /* out of memory: keep everything mapped and referenced (a leak, never a dangling view) */
            mod = nullptr;
        }
        group.reset();
        store = nullptr;
    }
    if (mod) eng_module_release(mod); /* never got a group */
    mod = nullptr;
}

namespace {

const eng_host_func *find_host(const eng_host_func *table, size_t n, const std::string &module,
                               const std::string &name) {
    for (size_t i = 0; i < n; i++)
        if (table[i].module && table[i].name && module == table[i].module && name == table[i].name) return &table[i];
    return nullptr;
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


int fail_instance(eng_instance *inst, wactor_diag *diag, wactor_trap_kind trap, const std::string &msg) {
    diag_set(diag, trap, "%s", msg.c_str());
    if (inst) {
        inst->destroy(); /* releases the module */
        delete inst;
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
        inst->keep_after_trap = opts->keep_after_trap;

        for (const MemoryDesc &md : m->desc.memories)
            if (opts->max_pages && md.type.limits.initial > opts->max_pages)
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "memory minimum of " + std::to_string(md.type.limits.initial) +
                                         " pages is above the cap of " + std::to_string(opts->max_pages) + " pages");
        /* The description as we instantiate it (memory maxima lowered to the cap, start functions and data
         * segments applied by us): see template.cpp. */
        uint32_t max_table = opts->max_table_elems ? opts->max_table_elems : ENG_DEFAULT_TABLE_ELEMS;
        for (const TableDesc &td : m->desc.tables)
            if (td.type.limits.initial > max_table)
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "table minimum of " + std::to_string(td.type.limits.initial) +
                                         " elements is above the cap of " + std::to_string(max_table) + " elements");
        inst->tmpl = get_template(m, opts->max_pages, max_table, &inst->own_tmpl);
        inst->cap_pages = inst->tmpl->cap_pages;
        ModuleDesc desc = take_desc(inst->tmpl);

        /* The store: a linked or named instance's group, else a new one (see StoreGroup). */
        const eng_link *links = opts->links;
        size_t nlinks = links ? opts->nlinks : 0;
        eng_instance *peer = opts->share_store;
        for (size_t i = 0; !peer && i < nlinks; i++) peer = links[i].instance;
        if (peer) {
            if (!peer->group)
                return fail_instance(inst, diag, WACTOR_TRAP_NONE, "share_store/links name an instance without a store");
            inst->group = peer->group;
        } else {
            inst->group = std::make_shared<StoreGroup>();
        }
        for (size_t i = 0; i < nlinks; i++)
            if (!links[i].module || !links[i].instance || links[i].instance->group != inst->group)
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     std::string("link ") + std::to_string(i) +
                                         (links[i].module && links[i].instance
                                              ? " (" + std::string(links[i].module) + ") is in another store"
                                              : std::string(" has no module name or instance")));
        inst->store = inst->group->store.get();
        inst->cell.reset(new HostCell{inst});
        Store &store = *inst->store;

        /* Resolve imports: functions from opts->imports first, then any kind from a linked instance's exports,
         * then built-in WASI functions. */
        static const char *const kinds[] = {"function", "table", "memory", "global"};
        RefVec imports;
        size_t nwasi = 0;
        const eng_host_func *wasi_funcs = opts->wasi ? eng_wasi_funcs(&nwasi) : nullptr;
        for (size_t i = 0; i < m->imports.size(); i++) {
            const ExternEntry &e = m->imports[i];
            std::string qname = e.module + "." + e.name;
            const eng_host_func *hf =
                e.kind == ENG_EXTERN_FUNC ? find_host(inst->imports, inst->nimports, e.module, e.name) : nullptr;
            if (!hf) {
                const eng_link *link = nullptr;
                for (size_t k = 0; k < nlinks && !link; k++)
                    if (e.module == links[k].module) link = &links[k];
                if (link) {
                    eng_instance *x = link->instance;
                    const std::vector<ExternEntry> &xe = x->mod->exports;
                    size_t k = 0;
                    while (k < xe.size() && xe[k].name != e.name) k++;
                    if (k == xe.size() || !x->instance)
                        return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                             "unknown import " + qname + " (the linked instance has no such export)");
                    if (xe[k].kind != e.kind)
                        return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                             "incompatible import type for " + qname + ": expected a " + kinds[e.kind] +
                                                 ", the linked instance exports a " + kinds[xe[k].kind]);
                    imports.push_back(x->instance->exports()[k]); /* wabt's Instantiate matches the types */
                    continue;
                }
            }
            if (e.kind != ENG_EXTERN_FUNC)
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "unknown import " + qname + " (" + kinds[e.kind] +
                                         " imports come only from linked instances)");
            if (!hf && wasi_funcs && e.module == "wasi_snapshot_preview1")
                hf = find_host(wasi_funcs, nwasi, e.module, e.name);
            if (!hf) return fail_instance(inst, diag, WACTOR_TRAP_NONE, "unknown import " + qname);
            const FuncType &want = *cast<FuncType>(m->desc.imports[i].type.type.get());
            if (!hf->fn || hf->type.nparams > ENG_MAX_PARAMS || hf->type.nresults > ENG_MAX_PARAMS || !e.type_ok ||
                !same_sig(e.type, hf->type))
                return fail_instance(inst, diag, WACTOR_TRAP_NONE,
                                     "import " + qname + " signature mismatch: module expects " + sig_string(want) +
                                         ", host provides " + sig_string(to_wabt_functype(hf->type)));
            HostCell *cell = inst->cell.get();
            HostFunc::Ptr f = HostFunc::New(
                store, to_wabt_functype(hf->type),
                [cell, hf](Thread &thread, const Values &params, Values &results, Trap::Ptr *out_trap) -> Result {
                    return host_callback(cell, thread, hf, params, results, out_trap);
                });
            imports.push_back(f.ref());
        }

        /* Every RefPtr must be gone before fail_instance() frees the Store (its destructor writes to the
         * Store's root list; ASan cannot see that, wabt's code is not instrumented). */
        if (!vector_views_work())
            return fail_instance(inst, diag, WACTOR_TRAP_NONE, "engine: this C++ library's std::vector layout is not supported");
        std::string instantiate_error;
        {
            view(istream_bytes(desc), inst->tmpl->code.data(), inst->tmpl->code.size(), inst->tmpl->code.size());
            view_vector(desc.funcs, inst->tmpl->funcs);
            Module::Ptr module = Module::New(store, std::move(desc));
            inst->module = module.ref();
            Trap::Ptr trap;
            inst->instance = Instance::Instantiate(store, module.ref(), imports, &trap);
            if (!inst->instance)
                instantiate_error = "instantiation failed: " + (trap ? trap->message() : std::string("unknown error"));
        }
        if (!instantiate_error.empty()) return fail_instance(inst, diag, WACTOR_TRAP_NONE, instantiate_error);
        share_funcs(inst);
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
        if (opts->defer_start) {
            inst->start_pending = !inst->tmpl->starts.empty();
            *out = inst;
            return 0;
        }
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

extern "C" eng_status eng_instance_start(eng_instance *inst, uint64_t budget, uint64_t *executed,
                                         wactor_diag *diag) {
    diag_clear(diag);
    if (executed) *executed = 0;
    if (!inst) {
        diag_set(diag, WACTOR_TRAP_NONE, "eng_instance_start: instance is NULL");
        return ENG_ERROR;
    }
    if (inst->dead) {
        diag_set(diag, WACTOR_TRAP_NONE, "instance is dead");
        return ENG_ERROR;
    }
    if (inst->state != CallState::Idle || inst->host_depth > 0) {
        diag_set(diag, WACTOR_TRAP_NONE, "a call is already in progress");
        return ENG_ERROR;
    }
    if (!inst->start_pending) return ENG_DONE; /* no start function, or it already returned */
    try {
        Func *f = inst->store->UnsafeGet<Func>(inst->instance->funcs()[inst->tmpl->starts[0].func_index]).get();
        inst->in_start = true;
        return start_call(inst, f, nullptr, Values{}, budget, executed, diag);
    } catch (const std::exception &ex) {
        return finish_trap(inst, WACTOR_TRAP_OTHER, 0, std::string("engine failure: ") + ex.what(), diag);
    }
}

extern "C" int eng_instance_global(eng_instance *inst, const char *name, wactor_value *out) {
    if (!inst || !name || !out || !inst->instance) return -1;
    const std::vector<ExternEntry> &ex = inst->mod->exports;
    for (size_t i = 0; i < ex.size(); i++) {
        if (ex[i].kind != ENG_EXTERN_GLOBAL || ex[i].name != name) continue;
        Global *g = inst->store->UnsafeGet<Global>(inst->instance->exports()[i]).get();
        wactor_valtype t;
        if (!to_wactor_type(g->type().type, &t)) return -1;
        *out = to_wactor_value(t, g->Get());
        return 0;
    }
    return -1;
}

extern "C" void eng_instance_free(eng_instance *inst) {
    if (!inst) return;
    inst->destroy(); /* releases the module */
    delete inst;
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
