/*
 * wat.cpp — WebAssembly text (the text format, WebAssembly core spec chapter 6, one `(module ...)`) into the
 * binary format, with wabt 1.0.32's own parser, name resolution, validator and binary writer: the same steps
 * as its `wat2wasm` tool, with the same feature set as module.cpp's decoder, so a .wat file runs exactly as
 * the .wasm that wat2wasm makes from it would.
 *
 * wabt's parser descends recursively into folded expressions and nested blocks; a hostile file of a million
 * '(' would overflow the C stack. So the text is scanned first, and nesting deeper than ENG_WAT_MAX_DEPTH
 * parentheses is refused before wabt sees it.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <wabt/binary-writer.h>
#include <wabt/common.h>
#include <wabt/error.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/resolve-names.h>
#include <wabt/stream.h>
#include <wabt/validator.h>
#include <wabt/wast-lexer.h>
#include <wabt/wast-parser.h>

#include <cstdarg>

#include "engine/engine.h" /* not internal.hpp: its wabt::interp names clash with wabt's IR (Func, Memory) */

using namespace wabt;

namespace {
void say(wactor_diag *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void say(wactor_diag *diag, const char *fmt, ...) {
    std::memset(diag, 0, sizeof *diag);
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
}

/* The deepest parenthesis nesting outside strings and comments; stops counting past `limit`. Line
 * comments run from ";;" to the end of the line, block comments "(; ... ;)" nest (spec 6.2.4). */
size_t max_depth(const char *s, size_t len, size_t limit, size_t *line, size_t *col) {
    size_t depth = 0, deepest = 0, comment = 0, ln = 1, lc = 1;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\n') {
            ln++;
            lc = 1;
        } else {
            lc++;
        }
        if (in_string) {
            if (c == '\\' && i + 1 < len) i++;
            else if (c == '"') in_string = false;
        } else if (comment) {
            if (c == '(' && i + 1 < len && s[i + 1] == ';') comment++, i++;
            else if (c == ';' && i + 1 < len && s[i + 1] == ')') comment--, i++;
        } else if (c == ';' && i + 1 < len && s[i + 1] == ';') {
            while (i < len && s[i] != '\n') i++;
            ln++;
            lc = 1;
        } else if (c == '(' && i + 1 < len && s[i + 1] == ';') {
            comment = 1;
            i++;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '(') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) {
                *line = ln;
                *col = lc - 1;
                return deepest;
            }
        } else if (c == ')' && depth) {
            depth--;
        }
    }
    return deepest;
}
} // namespace

int eng_wat_to_wasm(const char *text, size_t len, const char *filename, uint8_t **out, size_t *out_len,
                    wactor_diag *diag) {
    wactor_diag local;
    if (!diag) diag = &local;
    std::memset(diag, 0, sizeof *diag);
    if ((!text && len) || !out || !out_len) {
        say(diag, "invalid argument");
        return -1;
    }
    const char *name = filename ? filename : "<text>";
    size_t line = 0, col = 0;
    if (max_depth(text, len, ENG_WAT_MAX_DEPTH, &line, &col) > ENG_WAT_MAX_DEPTH) {
        say(diag, "%s:%zu:%zu: error: parentheses nested deeper than %d", name, line, col,
                 ENG_WAT_MAX_DEPTH);
        return -1;
    }
    try {
        Errors errors;
        Features features; /* module.cpp's: wabt 1.0.32's defaults */
        std::unique_ptr<WastLexer> lexer = WastLexer::CreateBufferLexer(name, text ? text : "", len, &errors);
        std::unique_ptr<Module> module;
        WastParseOptions parse_options(features);
        Result result = ParseWatModule(lexer.get(), &module, &errors, &parse_options);
        if (Succeeded(result)) result = ResolveNamesModule(module.get(), &errors);
        if (Succeeded(result)) result = ValidateModule(module.get(), &errors, ValidateOptions(features));
        MemoryStream stream;
        if (Succeeded(result)) {
            WriteBinaryOptions write_options(features, /*canonicalize_lebs=*/true, /*relocatable=*/false,
                                             /*write_debug_names=*/false);
            result = WriteBinaryModule(&stream, module.get(), write_options);
        }
        if (Failed(result)) {
            if (errors.empty()) {
                say(diag, "%s: error: cannot convert the text to a module", name);
            } else { /* the first error, "FILE:LINE:COL: error: message", and how many more */
                const Error &e = errors.front();
                std::string more = errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : "";
                say(diag, "%s:%d:%d: error: %s%s", name, e.loc.line, e.loc.first_column,
                         e.message.c_str(), more.c_str());
            }
            return -1;
        }
        const std::vector<uint8_t> &bytes = stream.output_buffer().data;
        uint8_t *copy = static_cast<uint8_t *>(std::malloc(bytes.size() ? bytes.size() : 1));
        if (!copy) {
            say(diag, "out of memory");
            return -1;
        }
        std::memcpy(copy, bytes.data(), bytes.size());
        *out = copy;
        *out_len = bytes.size();
        return 0;
    } catch (const std::bad_alloc &) {
        say(diag, "out of memory");
        return -1;
    }
}
