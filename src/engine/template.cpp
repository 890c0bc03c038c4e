/*
 * template.cpp — instantiation templates: a module's description as we instantiate it, built once per
 * (module, memory cap), and the recycled description copies handed from freed instances to new ones.
 * See internal.hpp for the file map.
 */
#include "engine/internal.hpp"

/* ------------------------------------------------------------------ instantiation templates
 * Every instance needs its own wabt Module (the interpreter reads code from the Module in the instance's own
 * Store), and wabt's Module::New takes the ModuleDesc by value, so one copy per live instance is unavoidable.
 * What is avoidable is redoing the per-instance adjustments and re-copying on every spawn:
 *   - a template holds, once per (module, max_pages, max_table_elems), the description as we instantiate it:
 *     memory and table maxima lowered to the caps, start functions removed (we run them), memories declared with 0 initial pages and
 *     active data segments turned passive (we install a linear-memory mapping after instantiation and apply
 *     the segments ourselves, in order, exactly as wabt would; see install_memories / apply_data);
 *   - a freed instance gives its Module's description back (spares): it is still identical to the template,
 *     because wabt never mutates Module::desc_ after construction (Module has no mutators; Instance and
 *     DataSegment/ElemSegment only read it). The next instance takes a spare instead of copying.
 * Spares and copies carry an empty istream and an empty function list: each instance's are views of the
 * template's `code` and `funcs` (wabt only reads them: the Module to build its Instance's DefinedFuncs, each of
 * which copies its own FuncDesc; the interpreter to fetch code). So an instance's own description holds
 * only the small per-module lists (types, imports, exports, globals, tables, memories, segments).
 * Templates are immutable once built (only `spares` changes, under spare_mutex), so concurrent copies are safe. */
namespace engine {

std::unique_ptr<InstTemplate> make_template(const eng_module *m, uint32_t max_pages, uint32_t max_table) {
    std::unique_ptr<InstTemplate> t(new InstTemplate);
    t->max_pages = max_pages;
    t->max_table = max_table;
    t->desc = m->desc;
    for (TableDesc &td : t->desc.tables) { /* the table cap (eng_instance_new checked the minimum) */
        Limits &l = td.type.limits;
        if (!l.has_max || l.max > max_table) {
            l.has_max = true;
            l.max = max_table;
        }
    }
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
    t->funcs.swap(t->desc.funcs);
    return t;
}

InstTemplate *get_template(eng_module *m, uint32_t max_pages, uint32_t max_table,
                           std::unique_ptr<InstTemplate> *owned) {
    std::lock_guard<std::mutex> lock(m->tmpl_mutex);
    for (const auto &t : m->templates)
        if (t->max_pages == max_pages && t->max_table == max_table) return t.get();
    std::unique_ptr<InstTemplate> t = make_template(m, max_pages, max_table);
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

} // namespace engine
