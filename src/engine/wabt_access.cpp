/*
 * wabt_access.cpp — the one place that reaches past public interfaces: wabt 1.0.32's private members
 * (version-pinned) and libstdc++'s std::vector layout ("vector views"). See internal.hpp for the file map.
 */
#include "engine/internal.hpp"

#include <cstring>

/* ------------------------------------------------------------------ wabt version pin
 * The private-access block below names Thread's private members as they are in wabt 1.0.32. CMake's
 * find_package(wabt 1.0.32 EXACT) pins the library; this check pins the headers we compile against. */
static constexpr bool str_equal(const char *a, const char *b) {
    return *a == *b && (*a == '\0' || str_equal(a + 1, b + 1));
}
static_assert(str_equal(WABT_VERSION_STRING, "1.0.32"),
              "src/engine reaches wabt::interp::Thread internals that are only known to match wabt 1.0.32; "
              "re-check the private-access block before changing the wabt version");

/* ------------------------------------------------------------------ private access (wabt 1.0.32 only)
 * Standard C++ ([temp.spec]/6, C++17 [temp.explicit]/14): the usual access checking rules do not apply to
 * names used in an explicit instantiation. Grant<Key, &Thread::member> is explicitly instantiated below,
 * and it defines a friend function steal(Key) returning the member pointer; get(Tag) (declared in
 * internal.hpp, one tag per member) hands it to the other files. That is how we reach:
 *   Thread::frames_      the call stack; its capacity() is the call-depth limit ("call stack exhausted")
 *   Thread::values_      the value stack (grows on demand; we only lower its initial reservation)
 *   Thread::PushValues   push a call's arguments          } exactly what DefinedFunc::DoCall does before
 *   Thread::PushCall     push the callee's frame           } and after Thread::Run(), split so that the
 *   Thread::PopValues    pop the results                   } run can stop and resume between instructions
 *   Thread::StepInternal execute one instruction (Thread::Run(int) is a loop over it)
 *   Memory::data_/pages_/type_  a memory's bytes, size in pages and limits: instances are instantiated with
 *                        0-page memories and we install a view of a zeroed mapping (memory.cpp)
 *   Module::desc_        the Store's copy of the module description, recycled when an instance is freed
 *                        (template.cpp)
 *   Istream::data_       a module's compiled code: every instance's description borrows the template's one
 *                        buffer instead of owning a copy (see "vector views")
 *   DefinedFunc::desc_,  each function object's copies of its description and signature: their vectors
 *   Func::type_          (parameters, results, locals, handlers) become views of the template's (instance.cpp)
 * No other file reaches wabt internals; they all go through get(Tag). */
namespace wabt_access {
namespace {
template <typename Tag, typename Tag::type Member>
struct Grant {
    friend typename Tag::type steal(Tag) { return Member; }
};
/* Keys private to this file: the friend functions steal(Key) are defined by the explicit instantiations. */
#define WACTOR_ACCESS_KEY(Key, Tag)                                                                             \
    struct Key {                                                                                                \
        using type = Tag::type;                                                                                 \
        friend type steal(Key);                                                                                 \
    };
WACTOR_ACCESS_KEY(FramesKey, Frames)
WACTOR_ACCESS_KEY(ValueStackKey, ValueStack)
WACTOR_ACCESS_KEY(PushValuesKey, PushValues)
WACTOR_ACCESS_KEY(PopValuesKey, PopValues)
WACTOR_ACCESS_KEY(PushCallDefinedKey, PushCallDefined)
WACTOR_ACCESS_KEY(StepInternalKey, StepInternal)
WACTOR_ACCESS_KEY(MemDataKey, MemData)
WACTOR_ACCESS_KEY(MemPagesKey, MemPages)
WACTOR_ACCESS_KEY(MemTypeKey, MemType)
WACTOR_ACCESS_KEY(ModDescKey, ModDesc)
WACTOR_ACCESS_KEY(IstreamDataKey, IstreamData)
WACTOR_ACCESS_KEY(FuncDescKey, FuncDescOf)
WACTOR_ACCESS_KEY(FuncTypeKey, FuncTypeOf)
#undef WACTOR_ACCESS_KEY
template struct Grant<FramesKey, &Thread::frames_>;
template struct Grant<IstreamDataKey, &Istream::data_>;
template struct Grant<MemDataKey, &Memory::data_>;
template struct Grant<MemPagesKey, &Memory::pages_>;
template struct Grant<MemTypeKey, &Memory::type_>;
template struct Grant<ModDescKey, &Module::desc_>;
template struct Grant<ValueStackKey, &Thread::values_>;
template struct Grant<PushValuesKey, &Thread::PushValues>;
template struct Grant<PopValuesKey, &Thread::PopValues>;
template struct Grant<PushCallDefinedKey, &Thread::PushCall>;
template struct Grant<StepInternalKey, &Thread::StepInternal>;
template struct Grant<FuncDescKey, &DefinedFunc::desc_>;
template struct Grant<FuncTypeKey, &Func::type_>;
} // namespace

Frames::type get(Frames) { return steal(FramesKey{}); }
ValueStack::type get(ValueStack) { return steal(ValueStackKey{}); }
PushValues::type get(PushValues) { return steal(PushValuesKey{}); }
PopValues::type get(PopValues) { return steal(PopValuesKey{}); }
PushCallDefined::type get(PushCallDefined) { return steal(PushCallDefinedKey{}); }
StepInternal::type get(StepInternal) { return steal(StepInternalKey{}); }
MemData::type get(MemData) { return steal(MemDataKey{}); }
MemPages::type get(MemPages) { return steal(MemPagesKey{}); }
MemType::type get(MemType) { return steal(MemTypeKey{}); }
ModDesc::type get(ModDesc) { return steal(ModDescKey{}); }
IstreamData::type get(IstreamData) { return steal(IstreamDataKey{}); }
FuncDescOf::type get(FuncDescOf) { return steal(FuncDescKey{}); }
FuncTypeOf::type get(FuncTypeOf) { return steal(FuncTypeKey{}); }
} // namespace wabt_access

/* ------------------------------------------------------------------ vector views (libstdc++ only)
 * Two of wabt's buffers are std::vector<u8> members that we fill with memory wabt must not own:
 *   - a module's compiled code (Istream::data_). The interpreter runs it from the Module in the instance's own
 *     Store, and that Module owns its description by value: one copy of the code per live instance (for a
 *     wasi-libc component ~100 KiB: most of an idle instance's memory and, as fresh pages, of its spawn
 *     time). wabt only reads the code after compilation (Istream's emitters are the compiler's), so every
 *     instance's Istream is a non-owning view of its template's one copy;
 *   - linear memories (Memory::data_): see memory.cpp.
 * A view is three pointers written over the vector: libstdc++'s layout {begin, end, end_of_storage}, checked
 * once at run time (vector_views_work: eng_instance_new refuses to run if it does not hold). Every view is
 * emptied again (unview) before wabt could free or reallocate what it shows. */
#if !defined(__GLIBCXX__)
#error "src/engine writes std::vector views in libstdc++'s layout (see 'vector views')"
#endif
namespace engine {
namespace {
struct VectorRep {
    u8 *begin, *end, *end_of_storage;
};
static_assert(sizeof(Buffer) == sizeof(VectorRep), "std::vector<u8> is not three pointers");

void set_rep(Buffer &v, const VectorRep &r) { std::memcpy(static_cast<void *>(&v), &r, sizeof r); }
} // namespace


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

} // namespace engine
