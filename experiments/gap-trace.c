// A spinner pinned to one CPU, optionally SCHED_FIFO, that prints every gap between two of its clock reads longer
// than a threshold, with the gap's start and end on CLOCK_MONOTONIC (the clock `perf record -k CLOCK_MONOTONIC`
// stamps its events with), so that each gap can be matched with what the guest kernel traced on that CPU meanwhile:
// a context switch or an interrupt handler inside the gap is the guest's; nothing at all, the hypervisor's.
// gcc -O2 -o gap-trace gap-trace.c && ./gap-trace CPU PRIO SECONDS THRESHOLD_US
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s CPU PRIO SECONDS THRESHOLD_US\n", argv[0]);
        return 2;
    }
    int cpu = atoi(argv[1]);
    int prio = atoi(argv[2]);
    double secs = atof(argv[3]);
    long threshold = atol(argv[4]) * 1000L;
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s)) {
        perror("sched_setaffinity");
        return 1;
    }
    if (prio > 0) {
        struct sched_param p = {.sched_priority = prio};
        if (sched_setscheduler(0, SCHED_FIFO, &p)) {
            perror("sched_setscheduler");
            return 1;
        }
    }
    enum { MAX = 100000 };
    static long from[MAX], to[MAX];
    int n = 0;
    long end = now() + (long) (secs * 1e9);
    long prev = now();
    while (prev < end) {
        long t = now();
        if (t - prev > threshold && n < MAX) {
            from[n] = prev;
            to[n] = t;
            n++;
        }
        prev = t;
    }
    for (int i = 0; i < n; i++) {
        printf("gap %d.%09d %d.%09d %.1f\n", (int) (from[i] / 1000000000L), (int) (from[i] % 1000000000L),
               (int) (to[i] / 1000000000L), (int) (to[i] % 1000000000L), (to[i] - from[i]) / 1e3);
    }
    fprintf(stderr, "cpu %d prio %d: %d gaps over %ld us in %.0f s\n", cpu, prio, n, threshold / 1000, secs);
    return 0;
}
