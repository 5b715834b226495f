// Hostile children for ContainmentTests: each mode attacks one containment guarantee and reports on stdout.
//   hostile daemon FILE | forkbomb | memory N MIB | killall | sleeper SECONDS | tmpfiles TAG | read PATH | whoami
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s) { (void)!write(1, s, strlen(s)); }

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    char line[512];
    if (!strcmp(mode, "daemon")) {           // a setsid background process that outlives its test
        if (fork() == 0) {
            setsid();
            if (fork() == 0) {
                for (int i = 0; i < 600; i++) {
                    int fd = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
                    if (fd >= 0) { (void)!write(fd, "x", 1); close(fd); }
                    usleep(50000);
                }
            }
            _exit(0);
        }
        usleep(200000);
        say("daemon started\n");
        return 0;
    }
    if (!strcmp(mode, "forkbomb")) {         // processes until the system says no
        int n = 0;
        for (;;) {
            pid_t p = fork();
            if (p == 0) { pause(); _exit(0); }
            if (p < 0) { snprintf(line, sizeof line, "forked %d then %s\n", n, strerror(errno)); say(line); break; }
            n++;
        }
        pause();
        return 0;
    }
    if (!strcmp(mode, "memory")) {           // N children of MIB MiB each, touched: the tree limit must hold
        int n = atoi(argv[2]);
        size_t bytes = (size_t)atol(argv[3]) << 20;
        for (int i = 0; i < n; i++) {
            if (fork() == 0) {
                volatile char *p = malloc(bytes);   // volatile: the compiler must not drop the writes
                if (!p) { say("malloc failed\n"); _exit(1); }
                for (size_t k = 0; k < bytes; k += 4096) p[k] = 1;
                long sum = 0;
                for (size_t k = 0; k < bytes; k += 4096) sum += p[k];
                snprintf(line, sizeof line, "touched %d (%ld pages)\n", i, sum); say(line);
                sleep(2);   // hold it while the others touch theirs
                _exit(0);
            }
        }
        int status, killed = 0;
        while (wait(&status) > 0) if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) killed++;
        snprintf(line, sizeof line, "%d killed\n", killed); say(line);
        return 0;
    }
    if (!strcmp(mode, "killall")) {          // kill(-1, SIGKILL): must not reach other tests
        int r = kill(-1, SIGKILL);
        snprintf(line, sizeof line, "kill(-1) = %d\n", r); say(line);
        return 0;
    }
    if (!strcmp(mode, "sleeper")) {
        sleep((unsigned)atoi(argv[2]));
        say("alive\n");
        return 0;
    }
    if (!strcmp(mode, "tmpfiles")) {         // files left in /tmp, /var/tmp, /dev/shm after the test
        const char *dirs[] = { "/tmp", "/var/tmp", "/dev/shm" };
        for (int i = 0; i < 3; i++) {
            snprintf(line, sizeof line, "%s/%s", dirs[i], argv[2]);
            int fd = open(line, O_WRONLY | O_CREAT, 0644);
            say(fd >= 0 ? "wrote " : "could not write ");
            say(line); say("\n");
            if (fd >= 0) close(fd);
        }
        return 0;
    }
    if (!strcmp(mode, "read")) {             // another submission, the course folder
        int fd = open(argv[2], O_RDONLY);
        if (fd >= 0) { say("read it\n"); return 0; }
        snprintf(line, sizeof line, "cannot read: %s\n", strerror(errno)); say(line);
        return 0;
    }
    if (!strcmp(mode, "whoami")) {
        gid_t groups[64];
        int ng = getgroups(64, groups);
        int net = 0;
        FILE *f = fopen("/proc/net/dev", "r");
        if (f) { while (fgets(line, sizeof line, f)) if (strchr(line, ':')) net++; fclose(f); }
        snprintf(line, sizeof line, "uid %d gid %d groups %d pid %d interfaces %d\n", getuid(), getgid(), ng, getpid(), net);
        say(line);
        return 0;
    }
    say("unknown mode\n");
    return 2;
}
