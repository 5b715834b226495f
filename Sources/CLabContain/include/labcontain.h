// Starting a contained child: namespaces, private mounts, privilege drop, limits — all between fork and exec.
//
// The code between clone(2) and execve(2) runs in a copy of a multithreaded process, so it makes only raw
// system calls (no malloc, no locks, no glibc wrappers that talk to other threads such as setuid(3)).
#ifndef LABCONTAIN_H
#define LABCONTAIN_H

#include <sys/types.h>
#include <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

/// clone(2) flags (as in <sched.h>, which Swift's Glibc module hides behind _GNU_SOURCE).
#define LABCONTAIN_NEWNS   0x00020000
#define LABCONTAIN_NEWUTS  0x04000000
#define LABCONTAIN_NEWIPC  0x08000000
#define LABCONTAIN_NEWUSER 0x10000000
#define LABCONTAIN_NEWPID  0x20000000
#define LABCONTAIN_NEWNET  0x40000000
/// RLIMIT_NPROC (hidden the same way).
#define LABCONTAIN_RLIMIT_NPROC 6

/// A directory to cover with a fresh tmpfs in the child's mount namespace (`mode` 01777 for a private /tmp,
/// 0755 to hide what is under it).
struct labcontain_cover {
    const char *path;
    unsigned mode;
};

/// A directory under a cover to show again at the same path (bind mount; read-only unless `writable`).
struct labcontain_keep {
    const char *path;
    int writable;
};

struct labcontain_rlimit {
    int resource;
    rlim_t value;
};

/// What the child gets. Descriptors are the parent's; they become 0, 1, 2 (and 3 for `channel_fd`) in the target.
struct labcontain_spec {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;               // NULL: keep the parent's
    int stdin_fd, stdout_fd, stderr_fd;
    int channel_fd;                // -1: none; else the target's fd 3
    int sync_fd;                   // read end: the child waits for one byte (cgroup joined, maps written)
    int error_fd;                  // write end: "<step> <errno>\n" when the setup fails (closed on exec)
    int status_fd;                 // write end: the init writes the target's raw wait status (4 bytes)
    int clone_flags;               // CLONE_NEW* flags
    int drop;                      // switch to uid/gid (no supplementary groups) before exec
    uid_t uid;
    gid_t gid;
    int mount_proc;                // mount a fresh /proc (with CLONE_NEWPID | CLONE_NEWNS)
    const struct labcontain_cover *covers;
    int ncovers;
    const struct labcontain_keep *keeps;
    int nkeeps;
    const struct labcontain_rlimit *rlimits;
    int nrlimits;
};

/// Starts the child (the "init": it sets everything up, forks the target, waits for it, reports its status
/// on `status_fd`, then exits, which in a PID namespace kills everything the target left behind).
/// Returns the init's pid (in the caller's namespace), or -1 with errno set.
pid_t labcontain_spawn(const struct labcontain_spec *spec);

#ifdef __cplusplus
}
#endif
#endif
