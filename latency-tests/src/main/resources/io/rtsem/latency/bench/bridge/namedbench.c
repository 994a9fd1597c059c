/* The C side of `./rtsem bench-named` (io.rtsem.latency.bench.bridge.NamedBench), compiled with gcc at run time.
 * Plain glibc named semaphores (sem_open & co.), x86_64, glibc 2.36 layout (docs/BRIDGE.md "Named semaphores").
 *
 *   namedbench poster NAME ROUNDS GAP_US   for each round: wait until the previous permit is taken and a waiter has
 *                                          registered (value 0, nwaiters > 0 in the shared word), sleep GAP_US so
 *                                          that it is asleep in the kernel, read CLOCK_MONOTONIC, sem_post.
 *                                          Prints one line per round: the post's time in ns.
 *   namedbench waiter NAME ROUNDS          ROUNDS x { sem_wait; read CLOCK_MONOTONIC }. Prints one line per round:
 *                                          the wake's time in ns.
 *
 * CLOCK_MONOTONIC is the clock of Java's System.nanoTime() on Linux, so times from both sides compare directly.
 * Prints "ready" once the semaphore is open. Exit 0 done, 3 a waiter that never registered (10 s), 1 an error. */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: namedbench poster NAME ROUNDS GAP_US | waiter NAME ROUNDS\n");
        return 1;
    }
    const char *cmd = argv[1], *name = argv[2];
    long rounds = atol(argv[3]);
    long gap = argc > 4 ? atol(argv[4]) : 0;
    sem_t *s = sem_open(name, 0);
    if (s == SEM_FAILED) {
        fprintf(stderr, "namedbench: sem_open %s: %s\n", name, strerror(errno));
        return 1;
    }
    long long *t = calloc(rounds > 0 ? rounds : 1, sizeof(long long));
    printf("ready\n");
    fflush(stdout);
    if (strcmp(cmd, "poster") == 0) {
        /* glibc's layout: the 64-bit word at offset 0, value low, nwaiters high (read only here). */
        volatile uint64_t *word = (volatile uint64_t *) s;
        for (long i = 0; i < rounds; i++) {
            long long give_up = now_ns() + 10000000000LL;
            uint64_t w;
            while (((w = __atomic_load_n(word, __ATOMIC_ACQUIRE)) & 0xffffffffu) != 0 || (w >> 32) == 0) {
                if (now_ns() > give_up) {
                    fprintf(stderr, "namedbench: no waiter registered on %s in 10 s (round %ld, word %#llx)\n",
                            name, i, (unsigned long long) w);
                    return 3;
                }
                sleep_us(10);
            }
            sleep_us(gap);
            t[i] = now_ns();
            if (sem_post(s) != 0) {
                fprintf(stderr, "namedbench: sem_post: %s\n", strerror(errno));
                return 1;
            }
        }
    } else if (strcmp(cmd, "waiter") == 0) {
        for (long i = 0; i < rounds; i++) {
            while (sem_wait(s) != 0) {
                if (errno != EINTR) {
                    fprintf(stderr, "namedbench: sem_wait: %s\n", strerror(errno));
                    return 1;
                }
            }
            t[i] = now_ns();
        }
    } else {
        fprintf(stderr, "namedbench: unknown command %s\n", cmd);
        return 1;
    }
    for (long i = 0; i < rounds; i++) {
        printf("%lld\n", t[i]);
    }
    return 0;
}
