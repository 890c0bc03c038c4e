/* children.c — the supervisor commands (OTP's supervisor:which_children/4 and friends) as answers. */
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"

/* Resolves SUP. A component is refused here, before any supervisor request reaches it: the supervisor
 * calls of the embedding API do not check what kind of actor they talk to, and a component takes their
 * message for one of its own (wactor_start_child on a component pid answered "the component trapped"). */
static int sup_pid(wactor_runtime *rt, const char *sup, wactor_pid *pid, admin_answer *err) {
    if (admin_resolve(rt, sup, sup ? strlen(sup) : 0, pid, err)) return -1;
    wactor_actor_info info;
    if (wactor_info(rt, *pid, &info) == WACTOR_OK) {
        *err = admin_error(404, "%s is a component, not a supervisor", sup);
        return -1;
    }
    return 0;
}

static admin_answer ok_or(wactor_error err) {
    if (err) return admin_from_error(err);
    return (admin_answer){json_pack("{s:b}", "ok", 1), 200};
}

/* A wactor error of a supervisor call, said in the operator's words where the generic text misleads. */
static admin_answer child_error(wactor_error err, const char *sup, const char *id) {
    (void)sup;
    if (err == WACTOR_ENOENT) return admin_from_error(err); /* "no such actor, name, export or file" */
    if (err == WACTOR_ESTATE) return admin_error(409, "child '%s' of %s is running: terminate_child it first", id ? id : "", sup);
    return admin_from_error(err);
}

admin_answer admin_which_children(wactor_runtime *rt, const char *sup) {
    wactor_pid pid;
    admin_answer bad;
    if (sup_pid(rt, sup, &pid, &bad)) return bad;
    wactor_child_info *kids = NULL;
    size_t n = 0;
    wactor_error err = admin_children_of(rt, pid, &kids, &n);
    if (err == WACTOR_ENOENT) return admin_error(404, "%s is not a supervisor", sup);
    if (err) return admin_from_error(err);
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        json_t *c = admin_child_json(&kids[i], false);
        if (c) json_array_append_new(list, c);
    }
    free(kids);
    return list ? (admin_answer){list, 200} : admin_error(500, "out of memory");
}

admin_answer admin_count_children(wactor_runtime *rt, const char *sup) {
    wactor_pid pid;
    admin_answer bad;
    if (sup_pid(rt, sup, &pid, &bad)) return bad;
    wactor_child_counts c;
    wactor_error err = wactor_count_children(rt, pid, &c);
    if (err == WACTOR_ENOENT) return admin_error(404, "%s is not a supervisor", sup);
    if (err) return admin_from_error(err);
    return (admin_answer){json_pack("{s:I,s:I,s:I,s:I}", "specs", (json_int_t)c.specs, "active", (json_int_t)c.active,
                                    "supervisors", (json_int_t)c.supervisors, "workers", (json_int_t)c.workers),
                          200};
}

admin_answer admin_start_child(wactor_runtime *rt, const char *sup) {
    wactor_pid pid;
    admin_answer bad;
    if (sup_pid(rt, sup, &pid, &bad)) return bad;
    wactor_pid child = 0;
    wactor_error err = wactor_start_child(rt, pid, NULL, &child);
    if (err == WACTOR_EINVAL)
        return admin_error(409, "start_child %s: it is not a simple_one_for_one supervisor; only those start a "
                           "new child from their template on demand (other strategies need a child spec, which "
                           "the console cannot give: add the child to the manifest)", sup);
    if (err == WACTOR_ENOENT) return admin_error(404, "%s is not a supervisor", sup);
    if (err) return admin_from_error(err);
    return (admin_answer){json_pack("{s:I}", "pid", (json_int_t)child), 200};
}

admin_answer admin_terminate_child(wactor_runtime *rt, const char *sup, const char *id) {
    wactor_pid pid;
    admin_answer bad;
    if (sup_pid(rt, sup, &pid, &bad)) return bad;
    if (!id || !*id) return admin_error(400, "terminate_child needs a child id or #pid");
    wactor_pid child = 0;
    if (id[0] == '#') {
        /* a simple_one_for_one child by pid: parsed strictly, but it need not be registered */
        if (admin_resolve(rt, id, strlen(id), &child, &bad)) return bad;
        wactor_error err = wactor_terminate_child(rt, pid, NULL, child);
        return err ? child_error(err, sup, id) : ok_or(WACTOR_OK);
    }
    wactor_error err = wactor_terminate_child(rt, pid, id, 0);
    return err ? child_error(err, sup, id) : ok_or(WACTOR_OK);
}

admin_answer admin_restart_child(wactor_runtime *rt, const char *sup, const char *id) {
    wactor_pid pid;
    admin_answer bad;
    if (sup_pid(rt, sup, &pid, &bad)) return bad;
    if (!id || !*id) return admin_error(400, "restart_child needs a child id");
    wactor_error err = wactor_restart_child(rt, pid, id);
    return err ? child_error(err, sup, id) : ok_or(WACTOR_OK);
}

admin_answer admin_delete_child(wactor_runtime *rt, const char *sup, const char *id) {
    wactor_pid pid;
    admin_answer bad;
    if (sup_pid(rt, sup, &pid, &bad)) return bad;
    if (!id || !*id) return admin_error(400, "delete_child needs a child id");
    wactor_error err = wactor_delete_child(rt, pid, id);
    return err ? child_error(err, sup, id) : ok_or(WACTOR_OK);
}
