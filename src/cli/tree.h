/* tree.h — a manifest's supervision tree as a wactor_sup_spec for wactor_supervisor_start(). */
#ifndef WACTOR_CLI_TREE_H
#define WACTOR_CLI_TREE_H

#include "manifest/manifest.h"
#include "wactor.h"

/* Builds the spec of m->supervisor (NULL if the manifest has none, or on ENOMEM). mods[i] is the loaded
 * module of m->components[i], caps[i] its grants (cli_caps). Strings point into `m`, modules into `mods`,
 * grants into `caps`: all must outlive the spec. Free with cli_tree_free(). */
wactor_sup_spec *cli_tree_spec(const manifest *m, wactor_module *const *mods, const wactor_caps *caps);
void cli_tree_free(wactor_sup_spec *spec);

/* A manifest's grants as the embedding API's (pointing into `c`). */
wactor_caps cli_caps(const manifest_caps *c);
/* The spawn options a manifest component declares (pointing into `mc` and `caps`). */
wactor_spawn_opts cli_spawn_opts(const manifest_component *mc, const wactor_caps *caps);

#endif
