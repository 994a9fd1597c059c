/* The C side of NamedSemaphore's tests: plain glibc named semaphores (sem_open & co.), compiled by the tests with
 * gcc -pthread. Usage: semtool CMD NAME [ARG]. Exit 0 on success, 3 on EAGAIN/ETIMEDOUT, 1 on any other error
 * (errno printed to stderr). Prints "ready" on stdout once the semaphore is open. */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what) {
    fprintf(stderr, "semtool: %s: %s\n", what, strerror(errno));
    return (errno == EAGAIN || errno == ETIMEDOUT) ? 3 : 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: semtool create|post|wait|trywait|timedwait|value|loop NAME [ARG]\n");
        return 1;
    }
    const char *cmd = argv[1], *name = argv[2];
    long arg = argc > 3 ? atol(argv[3]) : 0;
    sem_t *s = strcmp(cmd, "create") == 0 ? sem_open(name, O_CREAT | O_EXCL, 0600, (unsigned) arg)
                                           : sem_open(name, 0);
    if (s == SEM_FAILED) return fail("sem_open");
    printf("ready\n");
    fflush(stdout);
    if (strcmp(cmd, "create") == 0) return 0;
    if (strcmp(cmd, "post") == 0) return sem_post(s) == 0 ? 0 : fail("sem_post");
    if (strcmp(cmd, "wait") == 0) return sem_wait(s) == 0 ? 0 : fail("sem_wait");
    if (strcmp(cmd, "trywait") == 0) return sem_trywait(s) == 0 ? 0 : fail("sem_trywait");
    if (strcmp(cmd, "timedwait") == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += arg / 1000;
        ts.tv_nsec += (arg % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        return sem_timedwait(s, &ts) == 0 ? 0 : fail("sem_timedwait");
    }
    if (strcmp(cmd, "value") == 0) {
        int v;
        if (sem_getvalue(s, &v) != 0) return fail("sem_getvalue");
        printf("%d\n", v);
        return 0;
    }
    if (strcmp(cmd, "loop") == 0) {
        for (long i = 0; i < arg; i++) {
            if (sem_wait(s) != 0) return fail("sem_wait");
            if (sem_post(s) != 0) return fail("sem_post");
        }
        return 0;
    }
    fprintf(stderr, "semtool: unknown command %s\n", cmd);
    return 1;
}
