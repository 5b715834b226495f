// Child processes with a wall-clock timeout, a process group, output caps, rlimits and exit decoding.
//
// With `containment` set, the child is started by labcontain_spawn instead (Containment.swift, CLabContain):
// namespaces, private mounts, a test identity and a cgroup, all applied before the target program runs.
//
// The child is started with posix_spawn in a new process group (POSIX_SPAWN_SETPGROUP), so a timeout or a
// watchdog kills it together with every process it started (kill(-pgid, SIGKILL)). Resource limits are applied
// in the child before the target program runs by exec'ing through util-linux `prlimit`, which calls
// prlimit(2) on itself and then execs the target (same pid, same process group).

#if canImport(Glibc)
import Glibc
#endif
import CLabContain

/// Resource limits applied to the child (and inherited by its children) before the target program starts.
public struct ResourceLimits: Sendable, Equatable {
    /// Address-space limit (RLIMIT_AS) in bytes; allocation beyond it fails (Swift traps: SIGILL / SIGTRAP).
    public var memoryBytes: Int?
    /// CPU-time limit (RLIMIT_CPU) in seconds; exceeding it sends SIGXCPU, then SIGKILL.
    public var cpuSeconds: Int?
    /// Process limit (RLIMIT_NPROC) for the user. Not enforced for root.
    public var processes: Int?
    /// Largest file the child may write (RLIMIT_FSIZE) in bytes; exceeding it sends SIGXFSZ.
    public var fileSizeBytes: Int?

    public init(memoryBytes: Int? = nil, cpuSeconds: Int? = nil, processes: Int? = nil, fileSizeBytes: Int? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
        self.processes = processes
        self.fileSizeBytes = fileSizeBytes
    }

    public static let none = ResourceLimits()

    var isEmpty: Bool { self == .none }

    /// `prlimit` options (soft = hard limit).
    var prlimitArguments: [String] {
        var a: [String] = []
        if let v = memoryBytes { a.append("--as=\(v)") }
        if let v = cpuSeconds { a.append("--cpu=\(v)") }
        if let v = processes { a.append("--nproc=\(v)") }
        if let v = fileSizeBytes { a.append("--fsize=\(v)") }
        return a
    }
}

/// How the child ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    /// `exit(code)`.
    case exited(Int32)
    /// Killed by a signal (SIGILL = a Swift runtime trap, SIGKILL = killed by a timeout or the kernel).
    case signaled(Int32)

    /// Decodes a `waitpid` status.
    public init(waitStatus s: Int32) {
        if s & 0x7f == 0 { self = .exited((s >> 8) & 0xff) } else { self = .signaled(s & 0x7f) }
    }

    /// The shell-style exit code: the code, or 128 + signal.
    public var shellCode: Int32 {
        switch self {
        case .exited(let c): return c
        case .signaled(let s): return 128 + s
        }
    }

    /// "exit code 3", "signal SIGILL (Swift runtime trap: fatalError, precondition, overflow, index out of range)".
    public var description: String {
        switch self {
        case .exited(let c): return "exit code \(c)"
        case .signaled(let s): return "signal \(signalName(s))\(signalMeaning(s).map { " (\($0))" } ?? "")"
        }
    }
}

/// `SIGILL`, `SIGSEGV`, ... or `signal 42`.
public func signalName(_ s: Int32) -> String {
    let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
        SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
    ]
    return names[s] ?? "signal \(s)"
}

func signalMeaning(_ s: Int32) -> String? {
    switch s {
    case SIGILL, SIGTRAP: return "Swift runtime trap: fatalError, precondition, overflow, index out of range, force-unwrap of nil"
    case SIGSEGV, SIGBUS: return "memory access violation"
    case SIGABRT: return "abort"
    case SIGKILL: return "killed"
    case SIGXCPU: return "CPU time limit exceeded"
    case SIGXFSZ: return "file size limit exceeded"
    case SIGFPE: return "arithmetic error"
    default: return nil
    }
}

/// Which output stream a chunk came from.
public enum OutputStream: Sendable {
    case stdout, stderr
}

/// What happened to a child.
public struct ChildResult: Sendable {
    public var termination: Termination
    /// Captured stdout, at most `ChildProcess.outputLimit` bytes.
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// More output was produced than `outputLimit`; the rest was read and dropped.
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// The wall-clock timeout fired and the process group was killed.
    public var timedOut: Bool
    /// The reason the watchdog returned when it asked for the kill, if it did.
    public var killReason: String?
    /// Wall time from spawn to exit, in seconds.
    public var duration: Double
    /// Contained child: the cgroup's OOM killer ended a member (the tree's memory limit was reached).
    public var memoryLimitHit = false
    /// Contained child: the tree's peak memory in bytes, when the cgroup reports it.
    public var peakMemoryBytes: Int?
    /// Lines the child wrote on the channel (fd 3), in order.
    public var channelLines: [String] = []

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Exited with code 0, no timeout, no watchdog kill.
    public var succeeded: Bool { termination == .exited(0) && !timedOut && killReason == nil }
}

/// Errors starting a child (not failures of the child itself, which are reported in `ChildResult`).
public enum ChildProcessError: Error, CustomStringConvertible {
    case notFound(String)
    case spawnFailed(String, Int32)
    case systemCall(String, Int32)

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): command not found"
        case .spawnFailed(let p, let e): return "\(p): cannot start: \(String(cString: strerror(e)))"
        case .systemCall(let c, let e): return "\(c) failed: \(String(cString: strerror(e)))"
        }
    }
}

/// A child process to run: argv, environment, working directory, limits.
///
/// ```swift
/// var child = ChildProcess("/usr/bin/swift", ["test"])
/// child.timeout = 30
/// child.limits = ResourceLimits(memoryBytes: 2 << 30)
/// let r = try child.run()
/// if r.timedOut { print("timed out") } else { print(r.termination, r.stdoutText) }
/// ```
/// Python equivalent: `subprocess.run(argv, timeout=30, capture_output=True, start_new_session=True)`.
public struct ChildProcess: Sendable {
    /// A path, or a name looked up in the parent's `PATH`.
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment; `nil` inherits the parent's.
    public var environment: [String: String]?
    /// Working directory; `nil` keeps the parent's.
    public var workingDirectory: String?
    /// Wall-clock timeout in seconds; the whole process group is killed with SIGKILL when it expires.
    public var timeout: Double?
    /// Bytes kept per stream (stdout, stderr); beyond that output is drained and dropped (`*Truncated`).
    public var outputLimit: Int = 16 << 20
    public var limits: ResourceLimits = .none
    /// A file to read stdin from; `nil` gives `/dev/null` (unless `stdinData`).
    public var stdinPath: String?
    /// Bytes the child reads on stdin, through a pipe (then EOF); no file is involved.
    public var stdinData: [UInt8]?
    /// Give the child a private two-way channel as fd 3 (a Unix socket: it cannot be reopened through /proc).
    public var channel = false
    /// Namespaces, private mounts, identity and a cgroup for the child's whole tree (nil: a process group only).
    public var containment: Containment?

    public init(_ executable: String, _ arguments: [String] = []) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Runs the child to completion.
    ///
    /// - Parameters:
    ///   - onOutput: called on the calling thread with every chunk read, as it arrives (also chunks beyond
    ///     `outputLimit`), for live display or custom splitting.
    ///   - watchdog: called about every 50 ms while the child runs; return a reason to kill the process group
    ///     (it is reported in `killReason`), `nil` to continue.
    /// - Throws: `ChildProcessError` if the child cannot be started.
    public func run(onOutput: ((OutputStream, ArraySlice<UInt8>) -> Void)? = nil,
                    onChannelLine: ((String) -> String?)? = nil,
                    watchdog: (() -> String?)? = nil) throws -> ChildResult {
        if containment != nil {
            let support = ContainmentSupport.current
            return try runContained(support: support, mountProc: support.privateProc, onOutput: onOutput,
                                    onChannelLine: onChannelLine, watchdog: watchdog)
        }
        var argv = [try resolveExecutable(executable)] + arguments
        if !limits.isEmpty {
            argv = ["/usr/bin/prlimit"] + limits.prlimitArguments + ["--"] + argv
        }
        let envList = environmentList()

        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard GNU.pipe2(&outPipe, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCall("pipe", errno) }
        guard GNU.pipe2(&errPipe, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCall("pipe", errno) }
        let (stdinFd, stdinWriter) = try openStdin()
        let (channelParent, channelChild) = try openChannel()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinFd, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if channelChild >= 0 { posix_spawn_file_actions_adddup2(&actions, channelChild, 3) }
        if let dir = workingDirectory {
            guard access(dir, X_OK) == 0 else { throw ChildProcessError.systemCall("chdir \(dir)", errno) }
            _ = GNU.addchdir(&actions, dir)
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)

        ChildRegistry.installSignalHandlers()
        let start = monotonicNow()
        var pid: pid_t = 0
        let rc = withCStrings(argv) { cargv in
            withCStrings(envList) { cenv in
                posix_spawn(&pid, argv[0], &actions, &attr, cargv, cenv)
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        close(stdinFd)
        if channelChild >= 0 { close(channelChild) }
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            if stdinWriter >= 0 { close(stdinWriter) }
            if channelParent >= 0 { close(channelParent) }
            throw ChildProcessError.spawnFailed(argv[0], rc)
        }
        ChildRegistry.add(pid)
        defer { ChildRegistry.remove(pid) }
        feedStdin(stdinWriter)
        var status: Int32 = 0
        var result = supervise(pid: pid, start: start, out: outPipe[0], err: errPipe[0], channel: channelParent,
                               onOutput: onOutput, onChannelLine: onChannelLine, watchdog: watchdog,
                               killTree: { kill(-pid, SIGKILL) }, status: &status)
        result.termination = Termination(waitStatus: status)
        return result
    }

    /// The contained path of `run` (also used by the probe).
    func runContained(support: ContainmentSupport, mountProc: Bool,
                      onOutput: ((OutputStream, ArraySlice<UInt8>) -> Void)? = nil,
                      onChannelLine: ((String) -> String?)? = nil,
                      watchdog: (() -> String?)? = nil) throws -> ChildResult {
        let box = containment ?? Containment()
        let argv = [try resolveExecutable(executable)] + arguments
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard GNU.pipe2(&outPipe, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCall("pipe", errno) }
        guard GNU.pipe2(&errPipe, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCall("pipe", errno) }
        let (stdinFd, stdinWriter) = try openStdin()
        let (channelParent, channelChild) = try openChannel()
        if let dir = workingDirectory, access(dir, X_OK) != 0 { throw ChildProcessError.systemCall("chdir \(dir)", errno) }
        var cgroup: Cgroup?
        if support.cgroups != nil, box.memoryBytes != nil || box.maxProcesses != nil {
            cgroup = try Cgroup(memoryBytes: box.memoryBytes, maxProcesses: box.maxProcesses)
        }
        defer { cgroup?.remove() }
        ChildRegistry.installSignalHandlers()
        let start = monotonicNow()
        let spawned: (pid: pid_t, statusFd: Int32)
        do {
            spawned = try spawnContained(box, support: support, mountProc: mountProc, argv: argv, env: environmentList(),
                                         stdinFd: stdinFd, outFd: outPipe[1], errFd: errPipe[1], channelFd: channelChild, cgroup: cgroup)
        } catch {
            for fd in [outPipe[0], outPipe[1], errPipe[0], errPipe[1], stdinFd, stdinWriter, channelParent, channelChild] where fd >= 0 { close(fd) }
            throw error
        }
        close(outPipe[1]); close(errPipe[1]); close(stdinFd)
        if channelChild >= 0 { close(channelChild) }
        let pid = spawned.pid
        ChildRegistry.add(pid)
        defer { ChildRegistry.remove(pid) }
        feedStdin(stdinWriter)
        var status: Int32 = 0
        var result = supervise(pid: pid, start: start, out: outPipe[0], err: errPipe[0], channel: channelParent,
                               onOutput: onOutput, onChannelLine: onChannelLine, watchdog: watchdog,
                               killTree: { kill(pid, SIGKILL); kill(-pid, SIGKILL); cgroup?.killAll() }, status: &status)
        // The init reports the target's own wait status; without it (the init was killed) its own status stands.
        var target: Int32 = 0
        let n = read(spawned.statusFd, &target, 4)
        close(spawned.statusFd)
        result.termination = Termination(waitStatus: n == 4 ? target : status)
        if let g = cgroup {
            result.memoryLimitHit = g.memoryLimitHit
            result.peakMemoryBytes = g.peakMemoryBytes
        }
        return result
    }

    func environmentList() -> [String] {
        if let environment { return environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
        return currentEnvironment()
    }

    /// The child's stdin: a pipe when `stdinData` is set (returns its write end too), else a file or /dev/null.
    func openStdin() throws -> (child: Int32, writer: Int32) {
        if stdinData != nil {
            var p: [Int32] = [0, 0]
            guard GNU.pipe2(&p, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCall("pipe", errno) }
            return (p[0], p[1])
        }
        let path = stdinPath ?? "/dev/null"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ChildProcessError.systemCall("open \(path)", errno) }
        return (fd, -1)
    }

    /// Writes `stdinData` and closes the pipe (the child sees EOF). The data is small (a run configuration).
    func feedStdin(_ fd: Int32) {
        guard fd >= 0 else { return }
        let old = signal(SIGPIPE, SIG_IGN)
        if let data = stdinData {
            var off = 0
            while off < data.count {
                let n = data[off...].withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                off += n
            }
        }
        close(fd)
        signal(SIGPIPE, old)
    }

    func openChannel() throws -> (parent: Int32, child: Int32) {
        guard channel else { return (-1, -1) }
        var sv: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sv) == 0 else {
            throw ChildProcessError.systemCall("socketpair", errno)
        }
        return (sv[0], sv[1])
    }

    /// Reads output and the channel, enforces the timeout and the watchdog, reaps `pid`.
    func supervise(pid: pid_t, start: Double, out: Int32, err: Int32, channel: Int32,
                   onOutput: ((OutputStream, ArraySlice<UInt8>) -> Void)?, onChannelLine: ((String) -> String?)?,
                   watchdog: (() -> String?)?, killTree: () -> Void, status: inout Int32) -> ChildResult {
        let outPipe = [out], errPipe = [err]
        var result = ChildResult(termination: .exited(0), stdout: [], stderr: [], stdoutTruncated: false,
                                 stderrTruncated: false, timedOut: false, killReason: nil, duration: 0)
        var open = [outPipe[0], errPipe[0]] + (channel >= 0 ? [channel] : [])
        for fd in open { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pendingLine: [UInt8] = []
        var channelBytes = 0
        var channelLines: [String] = []
        var exited = false
        var killed = false
        var drainDeadline: Double? = nil
        // The pipes close a moment before the child can be reaped: wait for that moment in short, growing naps
        // (0.2 ms up to 10 ms), not a fixed 10 ms, so a run is not held up once its output has ended.
        var idleNap: UInt32 = 200

        func killGroup() {
            killTree()
            killed = true
        }
        func channelChunk(_ chunk: ArraySlice<UInt8>) {
            channelBytes += chunk.count
            guard channelBytes <= 8 << 20 else { return }   // a flooding child gets no more lines read
            pendingLine += chunk
            while let nl = pendingLine.firstIndex(of: 10) {
                let line = String(decoding: pendingLine[..<nl], as: UTF8.self)
                pendingLine.removeSubrange(...nl)
                channelLines.append(line)
                if let reply = onChannelLine?(line) {
                    let bytes = Array(reply.utf8)
                    _ = bytes.withUnsafeBytes { send(channel, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
                }
            }
        }

        while !open.isEmpty || !exited {
            // Read whatever is available.
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = fds.isEmpty ? 0 : poll(&fds, nfds_t(fds.count), 50)
            if fds.isEmpty {
                usleep(idleNap)
                idleNap = min(idleNap * 2, 10_000)
            }
            if n > 0 {
                for p in fds where p.revents != 0 {
                    let stream: OutputStream = p.fd == outPipe[0] ? .stdout : .stderr
                    while true {
                        let r = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress!, $0.count) }
                        if r > 0, p.fd == channel {
                            channelChunk(buffer[0..<r])
                            if r < buffer.count { break }
                        } else if r > 0 {
                            let chunk = buffer[0..<r]
                            onOutput?(stream, chunk)
                            if stream == .stdout {
                                keep(chunk, into: &result.stdout, truncated: &result.stdoutTruncated)
                            } else {
                                keep(chunk, into: &result.stderr, truncated: &result.stderrTruncated)
                            }
                            if r < buffer.count { break }
                        } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                            close(p.fd)
                            open.removeAll { $0 == p.fd }
                            break
                        } else {
                            break
                        }
                    }
                }
            }
            // Reap.
            if !exited {
                let w = waitpid(pid, &status, WNOHANG)
                if w == pid {
                    exited = true
                    result.duration = monotonicNow() - start
                    // Leftover members of the group (background grandchildren) would hold the pipes open.
                    killTree()
                    drainDeadline = monotonicNow() + 2
                }
            }
            if let d = drainDeadline, monotonicNow() > d {
                for fd in open { close(fd) }
                open.removeAll()
            }
            if !exited && !killed {
                if let t = timeout, monotonicNow() - start > t {
                    result.timedOut = true
                    killGroup()
                } else if let reason = watchdog?() {
                    result.killReason = reason
                    killGroup()
                }
            }
        }
        result.channelLines = channelLines
        return result
    }

    func keep(_ chunk: ArraySlice<UInt8>, into buf: inout [UInt8], truncated: inout Bool) {
        let room = outputLimit - buf.count
        if room >= chunk.count {
            buf += chunk
        } else {
            if room > 0 { buf += chunk.prefix(room) }
            truncated = true
        }
    }
}

/// glibc functions that Swift's Glibc module hides behind _GNU_SOURCE, looked up at run time.
enum GNU {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let pipe2: Pipe2 = unsafeBitCast(dlsym(nil, "pipe2")!, to: Pipe2.self)
    static let addchdir: AddChdir = unsafeBitCast(dlsym(nil, "posix_spawn_file_actions_addchdir_np")!, to: AddChdir.self)
}

/// Seconds on CLOCK_MONOTONIC.
public func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Finds `name` in `PATH` (a name with a `/` is returned as is).
public func resolveExecutable(_ name: String) throws -> String {
    if name.contains("/") {
        guard access(name, X_OK) == 0 else { throw ChildProcessError.notFound(name) }
        return name
    }
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    throw ChildProcessError.notFound(name)
}

/// The parent's environment as `KEY=value` strings.
public func currentEnvironment() -> [String] {
    var out: [String] = []
    var p = environ
    while let s = p.pointee {
        out.append(String(cString: s))
        p += 1
    }
    return out
}

/// The parent's environment as a dictionary (a starting point for `ChildProcess.environment`).
public func environmentDictionary() -> [String: String] {
    var d: [String: String] = [:]
    for kv in currentEnvironment() {
        if let eq = kv.firstIndex(of: "=") { d[String(kv[..<eq])] = String(kv[kv.index(after: eq)...]) }
    }
    return d
}

func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { for p in ptrs { free(p) } }
    return body(ptrs)
}

/// Live children, so Ctrl-C (SIGINT) or SIGTERM of the parent also kills their process groups (they are in
/// their own groups, so the terminal's SIGINT does not reach them).
enum ChildRegistry {
    static let capacity = 64
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()
    nonisolated(unsafe) static var installed = false
    static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    static func add(_ pid: pid_t) {
        pthread_mutex_lock(lock); defer { pthread_mutex_unlock(lock) }
        for i in 0..<capacity where slots[i] == 0 { slots[i] = pid; return }
    }

    static func remove(_ pid: pid_t) {
        pthread_mutex_lock(lock); defer { pthread_mutex_unlock(lock) }
        for i in 0..<capacity where slots[i] == pid { slots[i] = 0 }
    }

    static func installSignalHandlers() {
        pthread_mutex_lock(lock); defer { pthread_mutex_unlock(lock) }
        guard !installed else { return }
        installed = true
        for s in [SIGINT, SIGTERM, SIGHUP] {
            signal(s) { sig in
                for i in 0..<ChildRegistry.capacity where ChildRegistry.slots[i] > 0 {
                    kill(-ChildRegistry.slots[i], SIGKILL)
                }
                _exit(128 + sig)
            }
        }
    }
}
