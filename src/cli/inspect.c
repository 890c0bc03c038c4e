/* inspect.c — `wactor inspect MODULE.wasm`: imports, exports with signatures, lifecycle exports. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *const kind_names[] = {"func", "table", "memory", "global"};

static void print_extern(const wactor_extern *e) {
    char sig[512] = "";
    if (e->kind == WACTOR_EXTERN_FUNC) cli_format_functype(&e->type, sig, sizeof sig);
    else if (e->kind == WACTOR_EXTERN_MEMORY && e->mem_max != UINT32_MAX)
        snprintf(sig, sizeof sig, "pages %u..%u", e->mem_min, e->mem_max);
    else if (e->kind == WACTOR_EXTERN_MEMORY)
        snprintf(sig, sizeof sig, "pages %u..", e->mem_min);
    if (e->module) printf("  %-6s %s.%s %s\n", kind_names[e->kind], e->module, e->name, sig);
    else printf("  %-6s %s %s\n", kind_names[e->kind], e->name, sig);
}

int cli_inspect(int argc, char **argv) {
    if (argc != 1) {
        fputs("usage: wactor inspect MODULE.wasm\n", stderr);
        return CLI_BAD_INPUT;
    }
    wactor_module *mod = NULL;
    wactor_diag d = {0};
    wactor_error err = wactor_module_load_file(NULL, argv[0], &mod, &d);
    if (err) {
        cli_error("load", err, &d);
        return CLI_BAD_INPUT;
    }
    wactor_extern e;
    size_t n = wactor_module_import_count(mod);
    printf("imports (%zu):\n", n);
    for (size_t i = 0; i < n; i++)
        if (wactor_module_import(mod, i, &e) == WACTOR_OK) print_extern(&e);
    n = wactor_module_export_count(mod);
    printf("exports (%zu):\n", n);
    for (size_t i = 0; i < n; i++)
        if (wactor_module_export(mod, i, &e) == WACTOR_OK) print_extern(&e);
    static const char *const lifecycle[] = {"_initialize", "_start",       "handle-message",
                                            "_health",     "_cleanup",     "cabi_realloc"};
    printf("lifecycle:\n");
    for (size_t i = 0; i < sizeof lifecycle / sizeof lifecycle[0]; i++)
        printf("  %-15s %s\n", lifecycle[i], wactor_module_func(mod, lifecycle[i], NULL) == WACTOR_OK ? "yes" : "no");
    wactor_module_release(mod);
    return CLI_OK;
}
