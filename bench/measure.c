/*
 * measure: runs a command pinned to one CPU and prints its wall time in
 * seconds and its peak resident set in KiB, from the child's own rusage:
 *
 *   measure CPU OUTFILE -- COMMAND [ARGS...]
 *
 * CPU "-" leaves the command free to run on every CPU.
 * The command's stdout goes to OUTFILE (use /dev/null to discard it). Prints
 * "<seconds> <maxrss KiB> <exit status> <cpu seconds>" on stdout, the last the
 * child's user + system time (all its threads), which a loaded machine
 * disturbs far less than the wall time.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 5 || strcmp(argv[3], "--")) {
        fprintf(stderr, "usage: measure CPU|- OUTFILE -- COMMAND [ARGS...]\n");
        return 2;
    }
    int pin = strcmp(argv[1], "-") != 0;
    int cpu = pin ? atoi(argv[1]) : 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 2;
    if (pid == 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (pin && sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return perror(argv[2]), 127;
        dup2(fd, 1);
        close(fd);
        execvp(argv[4], argv + 4);
        perror(argv[4]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return perror("wait4"), 2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    printf("%.4f %ld %d %.4f\n", s, ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
           cpu_s);
    return 0;
}
