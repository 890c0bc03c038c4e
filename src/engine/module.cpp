/*
 * module.cpp — compiled modules: decoding and validating bytes into a wabt ModuleDesc, the process-wide
 * content-hash cache that shares one compiled module among all its instances, and the import/export
 * descriptions (eng_module_*). See internal.hpp for the file map.
 */
#include "common/hash.h"
#include "engine/internal.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace engine;

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

/* ------------------------------------------------------------------ custom sections
 * WebAssembly core spec 5.5.3: a custom section is a name (a UTF-8 string, 5.2.4) followed by bytes that the
 * spec does not interpret. wabt reads the well-known ones (linking, reloc.*, dylink*, target_features, name)
 * and, asked to fail on custom-section errors, would refuse a module whose, say, "linking" section it cannot
 * parse, which the spec accepts; asked not to, it also accepts custom sections whose name is not UTF-8 or
 * does not fit the section, which the spec refuses. So wabt keeps ignoring the contents, and this scan
 * checks what the spec does check, for every section: the size (an unsigned LEB128 u32: at most 5 bytes,
 * no unused bits set, not past the end) and, for custom sections, the name (its length, inside the
 * section; valid UTF-8). */
namespace {
std::string at(size_t off, const char *what) {
    char buf[160];
    snprintf(buf, sizeof buf, "%07zx: error: %s", off, what);
    return buf;
}

/* Reads an unsigned LEB128 u32 at *pos (< end). Returns "" or the error. */
std::string read_u32(const uint8_t *p, size_t *pos, size_t end, uint32_t *out) {
    uint64_t v = 0;
    for (unsigned i = 0;; i++) {
        if (*pos >= end) return at(*pos, "unexpected end (in a LEB128 u32)");
        uint8_t b = p[(*pos)++];
        if (i == 4 && (b & 0x80)) return at(*pos - 1, "integer representation too long (a LEB128 u32)");
        if (i == 4 && (b & 0x70)) return at(*pos - 1, "integer too large (unused bits set in a LEB128 u32)");
        v |= uint64_t(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) break;
    }
    *out = (uint32_t)v;
    return std::string();
}

/* Unicode's well-formed UTF-8 (The Unicode Standard, table 3-7): no overlong forms, no surrogates, at most
 * U+10FFFF. */
bool valid_utf8(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t len;
        uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            len = 2;
        } else if (b >= 0xe0 && b <= 0xef) {
            len = 3;
            if (b == 0xe0) lo = 0xa0;
            if (b == 0xed) hi = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            len = 4;
            if (b == 0xf0) lo = 0x90;
            if (b == 0xf4) hi = 0x8f;
        } else {
            return false;
        }
        if (n - i < len) return false;
        if (s[i + 1] < lo || s[i + 1] > hi) return false;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) return false;
        i += len;
    }
    return true;
}

std::string check_sections(const uint8_t *p, size_t len) {
    static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    if (len < 8 || std::memcmp(p, header, 8) != 0) return std::string(); /* wabt reports a bad header */
    size_t pos = 8;
    while (pos < len) {
        uint8_t id = p[pos++];
        uint32_t size = 0;
        std::string e = read_u32(p, &pos, len, &size);
        if (!e.empty()) return e;
        if (size > len - pos) return at(pos, "section size runs past the end of the module (unexpected end)");
        size_t end = pos + size;
        if (id == 0) {
            uint32_t name_len = 0;
            e = read_u32(p, &pos, end, &name_len);
            if (!e.empty()) return e;
            if (name_len > end - pos) return at(pos, "custom section name runs past its section (unexpected end)");
            if (!valid_utf8(p + pos, name_len)) return at(pos, "custom section name is malformed UTF-8");
        }
        pos = end;
    }
    return std::string();
}
} // namespace

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
    std::string section_error = check_sections(m->bytes.data(), m->bytes.size());
    if (!section_error.empty()) {
        *err = section_error;
        return nullptr;
    }
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
        uint64_t h = hash_bytes(reinterpret_cast<const char *>(p), len);
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

extern "C" uint64_t eng_module_hash(const eng_module *m) { return m ? m->hash : 0; }

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

