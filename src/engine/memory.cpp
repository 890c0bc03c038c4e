/*
 * memory.cpp — linear memories: private anonymous mappings as large as a memory's maximum, a process-wide
 * pool of freed ones, and installing them into wabt Memories after instantiation. See internal.hpp for the
 * file map.
 */
#include "engine/internal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/mman.h>

namespace engine {
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

} // namespace

LinearMemory pool_take(size_t size, size_t reserved) { return memory_pool().take(size, reserved); }
void pool_give(LinearMemory m, size_t size, size_t used) noexcept { memory_pool().give(m, size, used); }

/* After Instance::Instantiate: gives each (0-page) memory a zeroed mapping of its maximum size, viewed with its
 * real initial size, as Memory's constructor would have sized it (pages_ and type_.limits.initial as it
 * sets them). Returns "" or the error. */
std::string install_memories(eng_instance *inst) {
    Store &store = *inst->store;
    const RefVec &mems = inst->instance->memories(); /* imported memories first, then the defined ones */
    size_t nimported = 0;
    for (const ExternEntry &e : inst->mod->imports) nimported += e.kind == ENG_EXTERN_MEMORY;
    inst->linear.reserve(inst->tmpl->mem_pages.size());
    inst->linear_mems.reserve(inst->tmpl->mem_pages.size());
    for (size_t i = 0; i < inst->tmpl->mem_pages.size() && nimported + i < mems.size(); i++) {
        u64 pages = inst->tmpl->mem_pages[i], max = inst->tmpl->mem_max[i];
        if (max > SIZE_MAX / ENG_PAGE_SIZE) return "memory maximum of " + std::to_string(max) + " pages is too large";
        Memory *mem = store.UnsafeGet<Memory>(mems[nimported + i]).get();
        Buffer &bytes = mem->*get(wabt_access::MemData{});
        if (bytes.capacity() != 0) return "memory already has storage"; /* the template declares 0 pages */
        LinearMemory lm; /* a memory whose maximum is 0 pages keeps an empty vector: nothing to map */
        if (max > 0) {
            lm = pool_take(size_t(pages * ENG_PAGE_SIZE), size_t(max * ENG_PAGE_SIZE));
            if (!lm.base)
                return "cannot map linear memory of " + std::to_string(max) + " pages: " + std::strerror(errno);
        }
        inst->linear.push_back(lm);
        inst->linear_mems.push_back(mems[nimported + i]);
        if (lm.base) view(bytes, lm.base, size_t(pages * ENG_PAGE_SIZE), lm.reserved);
        mem->*get(wabt_access::MemPages{}) = pages;
        (mem->*get(wabt_access::MemType{})).limits.initial = pages;
    }
    return std::string();
}
} // namespace engine
