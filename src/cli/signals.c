/*
 * signals.c — SIGINT and SIGTERM always stop `wactor run` and `wactor call`.
 *
 * The two signals are blocked in every thread (the scheduler threads inherit the mask of the thread that
 * creates the runtime) and taken by one thread of ours with sigwait(). What a signal does depends on the
 * phase: while the system starts (modules load, `_start` runs — which may take long, or forever for a
 * hostile guest) it ends the process at once with status 128 + the signal, as the default action would;
 * once cli_signals_running() was called it asks for the graceful stop (cli_signals_wait returns it), and a
 * second signal during that stop ends the process at once.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static sigset_t signals;
static atomic_bool running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int pending; /* guarded by lock */

static void say_and_exit(int sig, const char *when) {
    char msg[96];
    int n = snprintf(msg, sizeof msg, "wactor: %s %s, exiting\n", sig == SIGINT ? "SIGINT" : "SIGTERM", when);
    if (n > 0) {
        ssize_t w = write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        (void)w;
    }
    _exit(128 + sig);
}

static void *waiter(void *arg) {
    (void)arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (!atomic_load(&running)) say_and_exit(sig, "during start-up");
        pthread_mutex_lock(&lock);
        bool again = pending != 0;
        pending = sig;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
        if (again) say_and_exit(sig, "during shutdown");
    }
    return NULL;
}

int cli_signals_start(void) {
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &signals, NULL) != 0) return -1;
    pthread_t t;
    if (pthread_create(&t, NULL, waiter, NULL) != 0) {
        pthread_sigmask(SIG_UNBLOCK, &signals, NULL); /* the default action then stops us */
        return -1;
    }
    pthread_detach(t); /* it ends with the process */
    return 0;
}

void cli_signals_running(void) { atomic_store(&running, true); }

int cli_signals_wait(int timeout_ms) {
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (!pending && timeout_ms > 0)
        if (pthread_cond_timedwait(&cond, &lock, &dl) != 0) break;
    int sig = pending;
    pthread_mutex_unlock(&lock);
    return sig;
}
