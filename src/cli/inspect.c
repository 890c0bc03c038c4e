/* inspect.c — `wactor inspect MODULE` (.wasm or .wat): imports, exports with signatures, lifecycle exports. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/escape.h"

static const char *const kind_names[] = {"func", "table", "memory", "global"};

static void print_extern(const wactor_extern *e) {
    char sig[512] = "";
    if (e->kind == WACTOR_EXTERN_FUNC) cli_format_functype(&e->type, sig, sizeof sig);
    else if (e->kind == WACTOR_EXTERN_MEMORY && e->mem_max != UINT32_MAX)
        snprintf(sig, sizeof sig, "pages %u..%u", e->mem_min, e->mem_max);
    else if (e->kind == WACTOR_EXTERN_MEMORY)
        snprintf(sig, sizeof sig, "pages %u..", e->mem_min);
    /* names are the module's words: escaped, so a name cannot send terminal sequences or forge lines */
    printf("  %-6s ", kind_names[e->kind]);
    if (e->module) {
        escape_write(stdout, e->module, strlen(e->module));
        fputc('.', stdout);
    }
    escape_write(stdout, e->name, strlen(e->name));
    printf(" %s\n", sig);
}

int cli_inspect(int argc, char **argv) {
    cli_inspect_args a;
    char msg[512];
    int rc = cli_parse_inspect(argc, argv, &a, msg, sizeof msg);
    if (rc != CLI_PARSE_OK) return cli_parse_failed("inspect", rc, msg);
    wactor_module *mod = NULL;
    wactor_diag d = {0};
    wactor_error err = wactor_module_load_file(NULL, a.module, &mod, &d);
    if (err) {
        cli_load_error(err, &d);
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
