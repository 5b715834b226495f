// labcontain_spawn: clone into new namespaces, set up mounts, limits and identity, fork the target, reap.
// See include/labcontain.h. Everything after clone uses raw system calls only (the parent has many threads).
#define _GNU_SOURCE
#include "labcontain.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

_Static_assert(LABCONTAIN_NEWPID == CLONE_NEWPID && LABCONTAIN_NEWNS == CLONE_NEWNS && LABCONTAIN_NEWUSER == CLONE_NEWUSER && LABCONTAIN_NEWNET == CLONE_NEWNET && LABCONTAIN_NEWIPC == CLONE_NEWIPC && LABCONTAIN_NEWUTS == CLONE_NEWUTS && LABCONTAIN_RLIMIT_NPROC == RLIMIT_NPROC, "clone flags");

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static long raw_fork(unsigned long flags) { return syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0); }

static size_t cat(char *buf, size_t at, size_t cap, const char *s) {
    while (*s && at + 1 < cap) buf[at++] = *s++;
    buf[at] = 0;
    return at;
}

static size_t cat_num(char *buf, size_t at, size_t cap, unsigned long v, unsigned base) {
    char tmp[32];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v && n < 31);
    while (n > 0 && at + 1 < cap) buf[at++] = tmp[--n];
    buf[at] = 0;
    return at;
}

/// Reports "<step> <errno>\n" on the error pipe and ends the child.
static void fail(int fd, const char *step, int err) {
    char buf[256];
    size_t n = cat(buf, 0, sizeof buf, step);
    n = cat(buf, n, sizeof buf, " ");
    n = cat_num(buf, n, sizeof buf, (unsigned long)err, 10);
    n = cat(buf, n, sizeof buf, "\n");
    if (fd >= 0) (void)!write(fd, buf, n);
    _exit(126);
}

static int mkdir_p(const char *path) {
    char buf[4096];
    size_t n = cat(buf, 0, sizeof buf, path);
    if (n >= sizeof buf - 1) return ENAMETOOLONG;
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return errno;
            buf[i] = c;
        }
    }
    return 0;
}

static void mount_private_view(const struct labcontain_spec *s) {
    int e = s->error_fd;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(e, "make-mounts-private", errno);
    int keepfd[128];
    int nkeeps = s->nkeeps < 128 ? s->nkeeps : 128;
    for (int i = 0; i < nkeeps; i++) {
        keepfd[i] = open(s->keeps[i].path, O_PATH | O_CLOEXEC);
        if (keepfd[i] < 0) fail(e, "open-kept-path", errno);
    }
    for (int i = 0; i < s->ncovers; i++) {
        char opts[64];
        size_t n = cat(opts, 0, sizeof opts, "mode=");
        cat_num(opts, n, sizeof opts, s->covers[i].mode, 8);
        if (mount("tmpfs", s->covers[i].path, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) continue;   // nothing there to hide (or already covered)
            fail(e, "cover-with-tmpfs", errno);
        }
    }
    for (int i = 0; i < nkeeps; i++) {
        int err = mkdir_p(s->keeps[i].path);
        if (err) fail(e, "make-kept-mount-point", err);
        char src[64];
        size_t n = cat(src, 0, sizeof src, "/proc/self/fd/");
        cat_num(src, n, sizeof src, (unsigned long)keepfd[i], 10);
        if (mount(src, s->keeps[i].path, NULL, MS_BIND | MS_REC, NULL) != 0) fail(e, "bind-kept-path", errno);
        if (!s->keeps[i].writable) {
            // Best effort in a user namespace (locked flags); the owner is not the test identity anyway.
            (void)mount(NULL, s->keeps[i].path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
        }
        close(keepfd[i]);
    }
    if (s->mount_proc) {
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(e, "mount-proc", errno);
    }
}

static void reset_signals(void) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)sigaction(sig, &dfl, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(unsigned long));
}

static void exec_target(const struct labcontain_spec *s) {
    int e = s->error_fd;
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Move the four descriptors out of the way first (they may already be 0..3), then into place.
    int in = fcntl(s->stdin_fd, F_DUPFD_CLOEXEC, 10), out = fcntl(s->stdout_fd, F_DUPFD_CLOEXEC, 10);
    int err = fcntl(s->stderr_fd, F_DUPFD_CLOEXEC, 10);
    int ch = s->channel_fd >= 0 ? fcntl(s->channel_fd, F_DUPFD_CLOEXEC, 10) : -1;
    if (in < 0 || out < 0 || err < 0 || (s->channel_fd >= 0 && ch < 0)) fail(e, "dup", errno);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) fail(e, "dup2", errno);
    if (ch >= 0) { if (dup2(ch, 3) < 0) fail(e, "dup2", errno); }
    else close(3);
    // Everything else the parent had open is closed by exec.
    unsigned first = ch >= 0 ? 4 : 3;
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = (int)first; fd < 4096; fd++) (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    reset_signals();
    execve(s->path, s->argv, s->envp);
    fail(e, "exec", errno);
}

static void init_main(const struct labcontain_spec *s) {
    int e = s->error_fd;
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (s->sync_fd >= 0) {
        char c;
        ssize_t n;
        do { n = read(s->sync_fd, &c, 1); } while (n < 0 && errno == EINTR);
        if (n != 1) _exit(125);   // the parent went away before letting us start
    }
    (void)setsid();
    if (s->clone_flags & CLONE_NEWNS) mount_private_view(s);
    for (int i = 0; i < s->nrlimits; i++) {
        struct rlimit rl = { s->rlimits[i].value, s->rlimits[i].value };
        if (syscall(SYS_prlimit64, 0, s->rlimits[i].resource, &rl, NULL) != 0) fail(e, "setrlimit", errno);
    }
    if (s->drop) {
        // Raw calls: glibc's setuid() would try to signal the parent's other threads, which do not exist here.
        if (syscall(SYS_setgroups, 0, NULL) != 0) fail(e, "setgroups", errno);
        if (syscall(SYS_setresgid, s->gid, s->gid, s->gid) != 0) fail(e, "setresgid", errno);
        if (syscall(SYS_setresuid, s->uid, s->uid, s->uid) != 0) fail(e, "setresuid", errno);
        uid_t r, ef, sv;
        if (syscall(SYS_getresuid, &r, &ef, &sv) != 0 || r != s->uid || ef != s->uid || sv != s->uid) fail(e, "verify-uid", EPERM);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(e, "no-new-privs", errno);
    if (s->cwd && chdir(s->cwd) != 0) fail(e, "chdir", errno);

    long target = raw_fork(0);
    if (target < 0) fail(e, "fork-target", errno);
    if (target == 0) exec_target(s);

    // The init keeps only the status pipe: the target's pipes must reach EOF when the target is gone.
    int st = s->status_fd;
    if (st > 0) (void)syscall(SYS_close_range, 0U, (unsigned)(st - 1), 0U);
    (void)syscall(SYS_close_range, (unsigned)(st + 1), ~0U, 0U);
    for (;;) {
        int status = 0;
        long r = syscall(SYS_wait4, -1, &status, 0, NULL);
        if (r == target) {
            (void)!write(st, &status, sizeof status);
            _exit(0);   // in a PID namespace the kernel now kills whatever the target left behind
        }
        if (r < 0 && errno != EINTR) _exit(0);
    }
}

pid_t labcontain_spawn(const struct labcontain_spec *spec) {
    long pid = raw_fork((unsigned long)spec->clone_flags);
    if (pid == 0) init_main(spec);
    return (pid_t)pid;
}
