/*
 * embed.c — embedding wactor in a C program: load a component, spawn two actors, call a typed export,
 * send a message, ask for health, and shut down.
 *
 *   build/embed build/examples
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wactor.h"

static void on_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user;
    printf("  log %s [%s] %.*s\n", wactor_log_level_name(level), name, (int)len, line);
}

static int check(wactor_error err, const char *what, const wactor_diag *d) {
    if (err == WACTOR_OK) return 0;
    fprintf(stderr, "%s: %s%s%s\n", what, wactor_strerror(err), d && d->message[0] ? ": " : "",
            d ? d->message : "");
    return 1;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "build/examples";
    char path[512];
    wactor_diag d = {0};

    /* the header this program was compiled with, and the library it runs on */
    printf("wactor %s (header %d.%d.%d)\n", wactor_version(), WACTOR_VERSION_MAJOR, WACTOR_VERSION_MINOR,
           WACTOR_VERSION_PATCH);

    wactor_config cfg = {.threads = 2, .log = on_log};
    wactor_runtime *rt = NULL;
    if (check(wactor_runtime_create(&cfg, &rt), "runtime", NULL)) return 1;

    /* 1. a typed call into a calculator component */
    wactor_module *calc = NULL;
    snprintf(path, sizeof path, "%s/calc.wasm", dir);
    if (check(wactor_module_load_file(rt, path, &calc, &d), "load calc", &d)) return 1;
    wactor_pid pid = 0;
    if (check(wactor_spawn(rt, calc, &(wactor_spawn_opts){.name = "calc"}, &pid, &d), "spawn", &d)) return 1;
    wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = 5}, {.type = WACTOR_I32, .of.i32 = 3}}, sum;
    size_t n = 0;
    if (check(wactor_invoke_values(rt, pid, "add", args, 2, &sum, 1, &n, 1000, &d), "add", &d)) return 1;
    printf("calc.add(5, 3) = %d\n", sum.of.i32);

    /* 2. the same call with a JSON-multicodec argument list: prefix 0x0200 = bytes 80 04 */
    const char json_args[] = "\x80\x04[40,2]";
    void *result = NULL;
    size_t result_len = 0;
    if (check(wactor_invoke(rt, wactor_whereis(rt, "calc"), "add", json_args, sizeof json_args - 1, 1000, &result,
                            &result_len, &d), "add (json)", &d))
        return 1;
    printf("calc.add([40,2]) = %.*s\n", (int)result_len - 2, (char *)result + 2);
    free(result);

    /* 3. messages into a stateful component */
    wactor_module *counter = NULL;
    snprintf(path, sizeof path, "%s/counter.wasm", dir);
    if (check(wactor_module_load_file(rt, path, &counter, &d), "load counter", &d)) return 1;
    wactor_pid c = 0;
    if (check(wactor_spawn(rt, counter, NULL, &c, &d), "spawn counter", &d)) return 1;
    const char add3[] = "\x80\x04{\"add\":3}";
    for (int i = 0; i < 3; i++) wactor_send(rt, c, add3, sizeof add3 - 1);
    wactor_value count;
    if (check(wactor_invoke_values(rt, c, "get", NULL, 0, &count, 1, &n, 1000, &d), "get", &d)) return 1;
    printf("counter after 3 messages of +3: %d\n", count.of.i32);

    wactor_health_status health;
    wactor_health(rt, c, 1000, &health, NULL, 0);
    printf("counter health: %s\n", health == WACTOR_HEALTHY ? "healthy" : "not healthy");

    wactor_runtime_destroy(rt); /* `_cleanup` runs in reverse spawn order */
    wactor_module_release(calc);
    wactor_module_release(counter);
    return 0;
}
