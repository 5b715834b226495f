// A control group per contained child: memory over the whole process tree, a process cap, a tree kill.
//
// cgroup v2 when the unified hierarchy has the memory and pids controllers (memory.max, pids.max, cgroup.kill);
// else cgroup v1 with the memory, pids and freezer hierarchies (memory.limit_in_bytes, pids.max; the kill
// freezes the group, SIGKILLs every member, thaws). Groups live under `labrun/<grader pid>.<n>`, so a later
// grader can remove what a killed one left (`Cgroup.removeStale()`).

#if canImport(Glibc)
import Glibc
#endif

/// Which cgroup interface this machine offers to us (nil: none writable).
public enum CgroupVersion: Sendable, Equatable {
    case v1, v2

    /// Detected once: v2 with memory+pids delegated at the root, else v1 with memory, pids and freezer.
    public static let detected: CgroupVersion? = {
        let root = "/sys/fs/cgroup"
        if let c = readText(root + "/cgroup.controllers"), c.split(separator: " ").contains("memory"),
           c.split(separator: " ").contains("pids"), access(root, W_OK) == 0 {
            return .v2
        }
        if ["memory", "pids", "freezer"].allSatisfy({ access("\(root)/\($0)", W_OK) == 0 && access("\(root)/\($0)/cgroup.procs", F_OK) == 0 }) {
            return .v1
        }
        return nil
    }()
}

/// One group (in each v1 hierarchy, or one v2 directory).
///
/// ```swift
/// let g = try Cgroup(memoryBytes: 2 << 30, maxProcesses: 64)
/// try g.add(pid)          // before the child runs anything
/// g.killAll(); g.remove()
/// ```
/// Shell equivalent (v2): `mkdir /sys/fs/cgroup/labrun/x; echo 2G > memory.max; echo $PID > cgroup.procs; echo 1 > cgroup.kill`.
public final class Cgroup: @unchecked Sendable {
    public let version: CgroupVersion
    public let name: String
    let dirs: [String: String]   // controller ("memory", "pids", "freezer" or "" for v2) → directory

    nonisolated(unsafe) static var counter = 0
    static let counterLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    public init(memoryBytes: Int?, maxProcesses: Int?) throws {
        guard let v = CgroupVersion.detected else { throw ChildProcessError.systemCall("cgroup (none available)", ENOSYS) }
        version = v
        pthread_mutex_lock(Self.counterLock)
        Self.counter += 1
        name = "\(getpid()).\(Self.counter)"
        pthread_mutex_unlock(Self.counterLock)
        let root = "/sys/fs/cgroup"
        switch v {
        case .v2:
            let parent = root + "/labrun"
            mkdir(parent, 0o755)
            _ = writeText(parent + "/cgroup.subtree_control", "+memory +pids")
            dirs = ["": parent + "/" + name]
        case .v1:
            var d: [String: String] = [:]
            for c in ["memory", "pids", "freezer"] {
                mkdir("\(root)/\(c)/labrun", 0o755)
                d[c] = "\(root)/\(c)/labrun/\(name)"
            }
            dirs = d
        }
        for dir in dirs.values {
            guard mkdir(dir, 0o755) == 0 else { throw ChildProcessError.systemCall("mkdir \(dir)", errno) }
        }
        if let m = memoryBytes {
            switch v {
            case .v2:
                try set("", "memory.max", "\(m)")
                _ = writeText(dirs[""]! + "/memory.swap.max", "0")
            case .v1:
                try set("memory", "memory.limit_in_bytes", "\(m)")
                _ = writeText(dirs["memory"]! + "/memory.memsw.limit_in_bytes", "\(m)")   // no swap beyond the limit
            }
        }
        if let p = maxProcesses { try set(v == .v2 ? "" : "pids", "pids.max", "\(p)") }
    }

    func set(_ controller: String, _ file: String, _ value: String) throws {
        let path = dirs[controller]! + "/" + file
        guard writeText(path, value) else { throw ChildProcessError.systemCall("write \(value) to \(path)", errno) }
    }

    /// Moves `pid` (and its future children) into the group.
    public func add(_ pid: pid_t) throws {
        for (c, _) in dirs { try set(c, "cgroup.procs", "\(pid)") }
    }

    /// Members (pids in the caller's namespace).
    public var members: [pid_t] {
        let dir = dirs[version == .v2 ? "" : "pids"]!
        return (readText(dir + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// The kernel's OOM killer killed a member because the group's memory limit was reached.
    public var memoryLimitHit: Bool {
        let text = version == .v2 ? readText(dirs[""]! + "/memory.events") : readText(dirs["memory"]! + "/memory.oom_control")
        for line in (text ?? "").split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return (Int(line.split(separator: " ").last ?? "0") ?? 0) > 0
        }
        return false
    }

    /// Largest memory use of the group so far, in bytes (v1: max_usage_in_bytes; v2: memory.peak), if known.
    public var peakMemoryBytes: Int? {
        let path = version == .v2 ? dirs[""]! + "/memory.peak" : dirs["memory"]! + "/memory.max_usage_in_bytes"
        return readText(path).flatMap { Int($0.split(separator: "\n").first ?? "") }
    }

    /// Kills every member, including ones that left the process group or session (daemons).
    public func killAll() { Cgroup.killAll(version: version, dirs: dirs) }

    static func killAll(version: CgroupVersion, dirs: [String: String]) {
        let probe = version == .v2 ? dirs[""]! : dirs["pids"]!
        guard !(readText(probe + "/cgroup.procs") ?? "").isEmpty else { return }   // nothing left (the usual case)
        switch version {
        case .v2:
            let d = dirs[""]!
            if !writeText(d + "/cgroup.kill", "1") {   // kernels before 5.14: signal each member
                for p in (readText(d + "/cgroup.procs") ?? "").split(separator: "\n").compactMap({ pid_t($0) }) { kill(p, SIGKILL) }
            }
        case .v1:
            let f = dirs["freezer"]!
            _ = writeText(f + "/freezer.state", "FROZEN")
            for _ in 0..<100 where readText(f + "/freezer.state")?.hasPrefix("FROZEN") != true { usleep(2_000) }
            for _ in 0..<3 {
                for p in (readText(dirs["pids"]! + "/cgroup.procs") ?? "").split(separator: "\n").compactMap({ pid_t($0) }) { kill(p, SIGKILL) }
                for p in (readText(f + "/cgroup.procs") ?? "").split(separator: "\n").compactMap({ pid_t($0) }) { kill(p, SIGKILL) }
            }
            _ = writeText(f + "/freezer.state", "THAWED")
        }
        for _ in 0..<250 where !(readText(probe + "/cgroup.procs") ?? "").isEmpty { usleep(4_000) }
    }

    /// Kills what is left and removes the group's directories.
    public func remove() {
        killAll()
        for d in dirs.values { Cgroup.removeDirectory(d) }
    }

    /// rmdir, retried while the kernel still releases the last members (EBUSY).
    static func removeDirectory(_ d: String) {
        for i in 0..<200 {
            if rmdir(d) == 0 || errno == ENOENT { return }
            usleep(i < 20 ? 500 : 10_000)
        }
    }

    /// Groups under `labrun/` whose grader (the pid in their name) is gone: members killed, directories removed.
    /// Returns the names removed.
    @discardableResult
    public static func removeStale() -> [String] {
        guard let v = CgroupVersion.detected else { return [] }
        let root = "/sys/fs/cgroup"
        let parents = v == .v2 ? ["": root + "/labrun"] : ["memory": root + "/memory/labrun", "pids": root + "/pids/labrun", "freezer": root + "/freezer/labrun"]
        var names = Set<String>()
        for p in parents.values { for n in listDirectory(p) { names.insert(n) } }
        var removed: [String] = []
        for n in names.sorted() {
            guard let owner = pid_t(n.split(separator: ".").first ?? ""), owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else { continue }
            let dirs = parents.mapValues { $0 + "/" + n }
            killAll(version: v, dirs: dirs)
            for d in dirs.values { removeDirectory(d) }
            removed.append(n)
        }
        return removed
    }
}

func readText(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

@discardableResult
func writeText(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) } == bytes.count
}

func listDirectory(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var out: [String] = []
    while let e = readdir(d) {
        let name = withUnsafePointer(to: e.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        if name != "." && name != ".." && e.pointee.d_type == UInt8(DT_DIR) { out.append(name) }
    }
    return out
}
