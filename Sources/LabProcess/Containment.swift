// What contains a child beyond rlimits: namespaces, a private view of the file system, an unprivileged
// identity, and a cgroup over its whole process tree. Used by `ChildProcess.containment`.

#if canImport(Glibc)
import Glibc
#endif
import CLabContain

/// How a child and everything it starts is contained (Linux).
///
/// ```swift
/// var c = ChildProcess("/path/to/test")
/// var box = Containment()
/// box.uid = 61003; box.gid = 61003           // as root: a test identity of its own
/// box.hidden = ["/srv/course"]; box.writable = ["/tmp/labrun-grade.1/sb-3"]
/// box.memoryBytes = 2 << 30; box.maxProcesses = 64
/// c.containment = box
/// ```
/// Shell equivalent: `unshare --pid --fork --mount --net --ipc --uts --kill-child setpriv --reuid 61003 …` in a cgroup.
public struct Containment: Sendable, Equatable {
    /// As root: the identity the child runs as (set before exec; no supplementary groups). Ignored when not root.
    public var uid: uid_t?
    public var gid: gid_t?
    /// New PID, mount, IPC, network and UTS namespaces (with a user namespace when not root), where possible.
    public var namespaces = true
    /// Directories replaced by a private, empty tmpfs (world-writable, gone when the child is).
    public var privateDirectories = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock"]
    /// Directories replaced by an empty read-only view (the child cannot see what is in them).
    public var hidden: [String] = []
    /// Paths under hidden or private directories shown again, read-only, at the same place.
    public var visible: [String] = []
    /// Paths under hidden or private directories shown again, writable.
    public var writable: [String] = []
    /// Memory of the whole process tree (cgroup), in bytes.
    public var memoryBytes: Int?
    /// Processes and threads of the whole tree at once (cgroup pids.max).
    public var maxProcesses: Int?

    public init() {}
}

extension Containment {
    /// Ancestors of the visible and writable paths that others cannot search (e.g. `/root` for a build cache in
    /// root's home): covered too, so that the paths shown again are reachable for the dropped identity.
    var unreachableAncestors: [String] {
        var out: [String] = []
        for p in visible + writable {
            var prefix = ""
            for part in p.split(separator: "/").dropLast() {
                prefix += "/" + part
                var st = stat()
                if stat(prefix, &st) == 0, st.st_mode & 0o001 == 0, !out.contains(prefix) { out.append(prefix) }
            }
        }
        return out
    }
}

/// What this machine lets us enforce, probed once by starting a contained `/bin/true`.
public struct ContainmentSupport: Sendable {
    public var root: Bool
    /// PID, mount, IPC, network, UTS namespaces (directly as root, else inside a user namespace).
    public var namespaces: Bool
    /// A fresh /proc inside the PID namespace (other processes invisible).
    public var privateProc: Bool
    public var userNamespace: Bool
    public var cgroups: CgroupVersion?

    /// One line per guarantee that is not enforced here ("" when everything is).
    public var notEnforced: [String] {
        var out: [String] = []
        if !root { out.append("not root: tests run as the grader's own user (no identity of their own per test)") }
        if !namespaces { out.append("no namespaces: tests share the PID space, mounts (/tmp, /dev/shm), network and IPC with the grader, and can see the course folder and other submissions") }
        else if !privateProc { out.append("no private /proc: tests can see other processes") }
        if cgroups == nil {
            out.append("no cgroups: memory is limited per process only and the number of processes per user only"
                       + (namespaces ? "" : "; background processes are killed by process group only (a setsid daemon escapes)"))
        }
        return out
    }

    public init(root: Bool, namespaces: Bool, privateProc: Bool, userNamespace: Bool, cgroups: CgroupVersion?) {
        self.root = root; self.namespaces = namespaces; self.privateProc = privateProc
        self.userNamespace = userNamespace; self.cgroups = cgroups
    }

    public static let current: ContainmentSupport = probe()

    static func probe() -> ContainmentSupport {
        let root = geteuid() == 0
        var s = ContainmentSupport(root: root, namespaces: false, privateProc: false, userNamespace: !root, cgroups: CgroupVersion.detected)
        if !root { s.cgroups = nil }
        func works(_ namespaces: Bool, proc: Bool) -> Bool {
            var c = ChildProcess("/bin/true")
            var box = Containment()
            box.namespaces = namespaces
            c.containment = box
            c.timeout = 10
            return (try? c.runContained(support: s, mountProc: proc).termination) == .exited(0)
        }
        s.namespaces = true
        s.privateProc = true
        if works(true, proc: true) { return s }
        s.privateProc = false
        if works(true, proc: false) { return s }
        s.namespaces = false
        s.userNamespace = false
        return s
    }
}

extension ChildProcess {
    /// The contained spawn (see `labcontain_spawn`): the init joins the cgroup and gets its user namespace maps
    /// before it runs anything, then mounts, limits, drops privileges and forks the target.
    func spawnContained(_ box: Containment, support: ContainmentSupport, mountProc: Bool, argv: [String], env: [String],
                        stdinFd: Int32, outFd: Int32, errFd: Int32, channelFd: Int32,
                        cgroup: Cgroup?) throws -> (pid: pid_t, statusFd: Int32) {
        var sync: [Int32] = [0, 0], errp: [Int32] = [0, 0], statusp: [Int32] = [0, 0]
        for i in 0..<3 {
            var p: [Int32] = [0, 0]
            guard GNU.pipe2(&p, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCall("pipe", errno) }
            if i == 0 { sync = p } else if i == 1 { errp = p } else { statusp = p }
        }
        let useNS = box.namespaces && support.namespaces
        var flags: Int32 = 0
        if useNS {
            flags = Int32(LABCONTAIN_NEWPID | LABCONTAIN_NEWNS | LABCONTAIN_NEWIPC | LABCONTAIN_NEWNET | LABCONTAIN_NEWUTS)
            if !support.root { flags |= Int32(LABCONTAIN_NEWUSER) }
        }
        var allocated: [UnsafeMutablePointer<CChar>?] = []
        defer { for p in allocated { free(p) } }
        func c(_ s: String) -> UnsafeMutablePointer<CChar>? { let p = strdup(s); allocated.append(p); return p }
        var cargv = argv.map(c) + [nil]
        var cenv = env.map(c) + [nil]
        let drop = support.root && box.uid != nil
        let covers = useNS ? box.privateDirectories.map { labcontain_cover(path: c($0), mode: 0o1777) }
            + (box.hidden + (drop ? box.unreachableAncestors : [])).map { labcontain_cover(path: c($0), mode: 0o755) } : []
        // Paths to show again that do not exist (an unset data directory, say) are left out, not an error.
        let exists = { (p: String) in access(p, F_OK) == 0 }
        let keeps = useNS ? box.visible.filter(exists).map { labcontain_keep(path: c($0), writable: 0) }
            + box.writable.filter(exists).map { labcontain_keep(path: c($0), writable: 1) } : []
        var rl: [labcontain_rlimit] = []
        if let v = limits.memoryBytes { rl.append(labcontain_rlimit(resource: Int32(RLIMIT_AS.rawValue), value: rlim_t(v))) }
        if let v = limits.cpuSeconds { rl.append(labcontain_rlimit(resource: Int32(RLIMIT_CPU.rawValue), value: rlim_t(v))) }
        if let v = limits.processes { rl.append(labcontain_rlimit(resource: Int32(LABCONTAIN_RLIMIT_NPROC), value: rlim_t(v))) }
        if let v = limits.fileSizeBytes { rl.append(labcontain_rlimit(resource: Int32(RLIMIT_FSIZE.rawValue), value: rlim_t(v))) }
        let cwd = workingDirectory.map(c) ?? nil
        let path = c(argv[0])

        let pid: pid_t = cargv.withUnsafeMutableBufferPointer { av in
            cenv.withUnsafeMutableBufferPointer { ev in
                covers.withUnsafeBufferPointer { cv in
                    keeps.withUnsafeBufferPointer { kp in
                        rl.withUnsafeBufferPointer { r in
                            var spec = labcontain_spec(
                                path: path, argv: av.baseAddress, envp: ev.baseAddress, cwd: cwd,
                                stdin_fd: stdinFd, stdout_fd: outFd, stderr_fd: errFd, channel_fd: channelFd,
                                sync_fd: sync[0], error_fd: errp[1], status_fd: statusp[1], clone_flags: flags,
                                drop: drop ? 1 : 0, uid: box.uid ?? 0, gid: box.gid ?? box.uid ?? 0,
                                mount_proc: useNS && mountProc ? 1 : 0,
                                covers: cv.baseAddress, ncovers: Int32(cv.count), keeps: kp.baseAddress, nkeeps: Int32(kp.count),
                                rlimits: r.baseAddress, nrlimits: Int32(r.count))
                            return labcontain_spawn(&spec)
                        }
                    }
                }
            }
        }
        let spawnErrno = errno
        close(sync[0]); close(errp[1]); close(statusp[1])
        guard pid > 0 else {
            close(sync[1]); close(errp[0]); close(statusp[0])
            throw ChildProcessError.spawnFailed(argv[0], spawnErrno)
        }
        func abandon(_ e: ChildProcessError) -> ChildProcessError {
            kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
            close(sync[1]); close(errp[0]); close(statusp[0])
            return e
        }
        do {
            try cgroup?.add(pid)
        } catch let e as ChildProcessError { throw abandon(e) }
        if flags & Int32(LABCONTAIN_NEWUSER) != 0 {
            let uid = getuid(), gid = getgid()
            guard writeText("/proc/\(pid)/setgroups", "deny"), writeText("/proc/\(pid)/uid_map", "\(uid) \(uid) 1"),
                  writeText("/proc/\(pid)/gid_map", "\(gid) \(gid) 1") else {
                throw abandon(.systemCall("user namespace maps", errno))
            }
        }
        var go: UInt8 = 1
        _ = write(sync[1], &go, 1)
        close(sync[1])
        // The setup's verdict: EOF when the target exec'd, "<step> <errno>" when something failed.
        var report: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buf.withUnsafeMutableBytes { read(errp[0], $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            report += buf[0..<n]
        }
        close(errp[0])
        if !report.isEmpty {
            let words = String(decoding: report, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            let step = words.first.map(String.init) ?? "setup"
            let code = words.count > 1 ? Int32(words[1]) ?? 0 : 0
            var st: Int32 = 0
            waitpid(pid, &st, 0)
            close(statusp[0])
            if step == "exec" { throw ChildProcessError.spawnFailed(argv[0], code) }
            throw ChildProcessError.systemCall("containment (\(step))", code)
        }
        return (pid, statusp[0])
    }
}
