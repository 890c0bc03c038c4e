/* tree.h — a manifest's supervision tree as a wactor_sup_spec for wactor_supervisor_start(). */
#ifndef WACTOR_CLI_TREE_H
#define WACTOR_CLI_TREE_H

#include "manifest/manifest.h"
#include "wactor.h"

/* What a manifest component is granted, as the embedding API takes it: its capabilities and its WASI view
 * (arguments, environment, preopened directories). Strings point into the manifest component. */
typedef struct cli_grants {
    wactor_caps caps;
    wactor_wasi wasi;
    wactor_wasi_dir *dirs;   /* wasi.dirs: owned */
} cli_grants;

/* Fills `g` from `mc`. Returns 0, or -ENOMEM (then `g` needs no freeing). */
int cli_grants_init(cli_grants *g, const manifest_component *mc);
void cli_grants_free(cli_grants *g);

/* The spawn options a manifest component declares: its limits, and `g` (pointing into `mc` and `g`). */
wactor_spawn_opts cli_spawn_opts(const manifest_component *mc, const cli_grants *g);

/* Builds the spec of m->supervisor (NULL if the manifest has none, or on ENOMEM). mods[i] is the loaded
 * module of m->components[i], grants[i] its grants (cli_grants_init). Strings point into `m`, modules into
 * `mods`, grants into `grants`: all must outlive the spec. Free with cli_tree_free(). */
wactor_sup_spec *cli_tree_spec(const manifest *m, wactor_module *const *mods, const cli_grants *grants);
void cli_tree_free(wactor_sup_spec *spec);

#endif
