/* tree.h — a manifest's supervision tree as a wactor_sup_spec for wactor_supervisor_start(). */
#ifndef WACTOR_CLI_TREE_H
#define WACTOR_CLI_TREE_H

#include "manifest/manifest.h"
#include "wactor.h"

/* Builds the spec of m->supervisor (NULL if the manifest has none, or on ENOMEM). mods[i] is the loaded
 * module of m->components[i]. Strings point into `m`, modules into `mods`: both must outlive the spec.
 * Free with cli_tree_free(). */
wactor_sup_spec *cli_tree_spec(const manifest *m, wactor_module *const *mods);
void cli_tree_free(wactor_sup_spec *spec);

#endif
