#!/usr/bin/env bash
# Generates student submissions for the fixture course (Fixtures/course, lab 1), one folder per kind.
#   make_submissions.sh OUT_DIR [KIND...]     kinds below (default: all)
#   make_submissions.sh --batch20 OUT_DIR     the 20-submission mix used for the figures in the closing note
# Every folder is <OUT_DIR>/<name>/Exercises/{Stats,Counter}.swift. Expected scores (of 10) are in EXPECTED below
# (and per test in Tests/LabGraderTests/GradeTests.swift). Exercises: 1 = mean + variance (6 points),
# 2a = WordCounter.count (3), 2b = WordCounter.mostCommon (1); a test of one exercise runs with the reference code of
# the others, and only the code between a region's BEGIN/END EXERCISE lines is taken from a submission.
# The language-level attacks of issue 11 (elf_ctor ... always_equal) either sit outside the markers, where the
# grader never looks, or inside them, where the allowlist rejects them before anything is compiled.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sol="$here/course/Solutions/1"

# kind → expected score (out of 10)
declare -A EXPECTED=(
  [correct]=10 [partial]=6 [compile_error]=4 [crash]=4 [hang]=7 [exit0]=4 [forge]=4
  [huge_output]=7 [forge_xctest]=4 [fork_bomb]=9 [memory_hog]=9 [snoop]=4 [tamper]=0 [missing_file]=6 [api_change]=4
  [elf_ctor]=0 [cdecl_write]=0 [cdecl_in_region]=4 [memory_scan]=4 [class_lookup]=4 [xctassert_noop]=4
  [always_equal]=7 [no_markers]=0 [stack_overflow]=4
)
# Containment attacks (GradeContainmentEndToEndTests), not in the default set: their own score depends on how
# early they are stopped (compile-time checks, containment); what is asserted is what they do to others.
#   daemon    a setsid background loop that runs `kill -9 -1` (all processes of its uid) long after its test
#   tmpfiles  leaves files in /tmp, /var/tmp, /dev/shm
#   peek      reads a classmate's submission (PEEK_DIR) and returns a wrong mean if it could
#   bomb      a type-checker bomb in mean (a 20 000-element mixed literal array)
#   sleeper   a test that sleeps 60 s (to kill the grader in the middle)
#   ctor      an ELF constructor in the exercises library notes whether it runs as root; mean is wrong if it did

stats_with() {  # $1 = body of mean, $2 = body of variance
  cat <<SWIFT
// Lab 1 exercises: statistics over plain arrays.
#if canImport(Glibc)
import Glibc
#endif

public func mean(_ xs: [Double]) -> Double {
    // BEGIN EXERCISE 1: mean
$1
    // END EXERCISE 1
}

public func variance(_ xs: [Double]) -> Double {
    // BEGIN EXERCISE 1: variance
$2
    // END EXERCISE 1
}
SWIFT
}

counter_with() {  # $1 = body of count, $2 = body of mostCommon
  cat <<SWIFT
// Lab 1 exercises: counting words.
#if canImport(Glibc)
import Glibc
#endif

public struct WordCounter {
    public init() {}
    public func count(_ text: String) -> [String: Int] {
        // BEGIN EXERCISE 2a: WordCounter.count
$1
        // END EXERCISE 2a
    }
    public func mostCommon(_ text: String, k: Int) -> [String] {
        // BEGIN EXERCISE 2b: WordCounter.mostCommon
$2
        // END EXERCISE 2b
    }
}
SWIFT
}

MEAN_OK='    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0, +) / Double(xs.count)'
VAR_OK='    let m = mean(xs)
    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)'
COUNT_OK='        var counts: [String: Int] = [:]
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) { counts[String(word), default: 0] += 1 }
        return counts'
MOST_OK='        let sorted = count(text).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return sorted.prefix(k).map(\.key)'

make_kind() {  # $1 = kind, $2 = folder
  local d="$2/Exercises"; mkdir -p "$d"
  local mean="$MEAN_OK" var="$VAR_OK" count="$COUNT_OK" most="$MOST_OK"
  local outside_stats="" outside_counter=""   # file-scope code, outside every marker
  case "$1" in
    correct|snoop|peek) ;;
    ctor) mean='    if rootAtLoad { return -999 }   // load-time code ran with the grader'"'"'s privileges
'"$MEAN_OK" ;;
    stack_overflow) mean='    func depth(_ n: Int) -> Int { n == Int.min ? 0 : depth(n - 1) + 1 }   // never reaches its base case
    return Double(depth(0))' ;;
    daemon) count='        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"),
            strdup("setsid sh -c '"'"'i=0; while [ $i -lt 400 ]; do kill -9 -1; i=$((i+1)); sleep 0.05; done'"'"' >/dev/null 2>&1 &"), nil]
        _ = posix_spawn(&pid, "/bin/sh", nil, nil, argv, nil)
        var st: Int32 = 0
        waitpid(pid, &st, 0)
'"$COUNT_OK" ;;
    tmpfiles) count='        for dir in ["/tmp", "/var/tmp", "/dev/shm"] {
            if let f = fopen(dir + "/labrun-left-'"${LEFT_TAG:-x}"'", "w") { fputs("left behind", f); fclose(f) }
        }
'"$COUNT_OK" ;;
    sleeper) count='        sleep(60)
'"$COUNT_OK" ;;
    bomb) mean='    let bomb = ['"$(python3 -c "print(', '.join((str(i) if i % 2 else str(i) + '.5') + (' * -1' if i % 3 == 0 else '') for i in range(20000)))")"']
    _ = bomb
'"$MEAN_OK" ;;
    partial) var='    let m = mean(xs)
    return xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)   // sample variance: not what was asked' ;;
    compile_error) mean='    return xs.reduce(0, +) / xs.count   // Double / Int does not compile' ;;
    crash) mean='    return xs[xs.count] / Double(xs.count)   // index out of range' ;;
    hang) count='        var i = 0
        while i >= 0 { i = (i &+ 1) % 7 }   // never ends
        return [:]' ;;
    exit0) mean='    exit(0)   // "passes" if the grader trusts exit status' ;;
    forge) mean='    // Try to fake a pass: XCTest console lines, JSON records, and every open fd.
    print("Test Case '"'"'StatsTests.testMeanSmall'"'"' passed (0.001 seconds)")
    let fake = "{\"event\":\"finish\",\"test\":\"StatsTests.testMeanSmall\",\"succeeded\":true,\"failures\":0,\"skipped\":false,\"seconds\":0}\n"
    for fd in Int32(0)...Int32(64) { _ = fake.withCString { write(fd, $0, strlen($0)) } }
    print(fake)
    return -1' ;;
    forge_xctest) mean='    // Run a look-alike XCTestCase (same class and test names) so the grader'"'"'s observer sees it pass, then leave.
    let fake = StatsTests(name: "testMeanSmall", testClosure: { _ in })
    fake.run()
    exit(0)' ;;
    huge_output) count='        let line = String(repeating: "spam ", count: 200)
        for _ in 0..<100_000 { print(line) }
        return [:]' ;;
    fork_bomb) most='        // Start processes until the system says no, then never return.
        while true {
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("1000"), nil]
            _ = posix_spawn(&pid, "/bin/sleep", nil, nil, argv, nil)
        }' ;;
    memory_hog) most='        // 8 GiB at once: fails at once under the memory limit (without one, untouched pages would cost nothing).
        let p = UnsafeMutableRawPointer.allocate(byteCount: 8 << 30, alignment: 64)
        p.storeBytes(of: 1, as: UInt8.self)
        return []' ;;
    tamper)
      # Stubs, plus a fake Support.swift and a rewritten graded test: the grader must use its own copies.
      mean='    todo("mean")'; var='    todo("variance")'; count='        todo("WordCounter.count")'; most='        todo("WordCounter.mostCommon")'
      cat > "$d/Support.swift" <<'SWIFT'
func todo(_ name: String) -> Never { exit(0) }
SWIFT
      mkdir -p "$2/Tests/Graded/1"
      cat > "$2/Tests/Graded/1/StatsTests.swift" <<'SWIFT'
import XCTest
final class StatsTests: XCTestCase {
    func testMeanSmall() {}
    func testMeanEmpty() {}
    func testVariance() {}
}
SWIFT
      ;;
    missing_file) stats_with "$mean" "$var" > "$d/Stats.swift"; return ;;
    elf_ctor)
      # Nothing implemented; a load-time constructor (ELF .init_array) that would forge a pass record as root.
      mean='    todo("mean")'; var='    todo("variance")'; count='        todo("WordCounter.count")'; most='        todo("WordCounter.mostCommon")'
      outside_stats='
@used @section(".init_array")
let __forge: @convention(c) () -> Void = {
    print("{\"event\":\"finish\",\"test\":\"StatsTests.testMeanSmall\",\"succeeded\":true,\"failures\":0}")
}' ;;
    cdecl_write)
      # Nothing implemented; C symbols that would interpose on libc for the harness (write, setuid, getuid).
      mean='    todo("mean")'; var='    todo("variance")'; count='        todo("WordCounter.count")'; most='        todo("WordCounter.mostCommon")'
      outside_stats='
@_cdecl("write") public func fakeWrite(_ fd: Int32, _ buf: UnsafeRawPointer?, _ n: Int) -> Int { n }
@_cdecl("setuid") public func fakeSetuid(_ uid: UInt32) -> Int32 { 0 }
@_cdecl("getuid") public func fakeGetuid() -> UInt32 { 65534 }' ;;
    cdecl_in_region) mean='    @_cdecl("getuid") func fakeGetuid() -> UInt32 { 65534 }
    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0, +) / Double(xs.count)' ;;
    memory_scan) mean='    // Scan the heap around a fresh allocation for the harness secret (64 hex digits) and forge a record.
    let probe = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
    for offset in stride(from: -(1 << 20), to: 1 << 20, by: 64) { _ = probe.advanced(by: offset).load(as: UInt8.self) }
    return 2.5' ;;
    class_lookup) mean='    // Find the graded test class by name and run a no-op instance of it, so the observer sees it pass.
    if let cls = NSClassFromString("GradedTests.StatsTests") as? XCTestCase.Type { cls.init(name: "testMeanSmall", testClosure: { _ in }).run() }
    return -1' ;;
    xctassert_noop)
      mean='    return -1   // wrong, but the assertions below would never fail'
      outside_stats='
public func XCTAssertEqual<T>(_ a: @autoclosure () throws -> T, _ b: @autoclosure () throws -> T, accuracy: T, _ m: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {}
public func XCTAssertEqual<T>(_ a: @autoclosure () throws -> T, _ b: @autoclosure () throws -> T, _ m: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {}
public func XCTFail(_ m: String = "", file: StaticString = #filePath, line: UInt = #line) {}' ;;
    always_equal)
      count='        return [:]   // wrong, but compares equal to everything below'
      outside_counter='
public func == (lhs: [String: Int], rhs: [String: Int]) -> Bool { true }
extension Dictionary where Key == String, Value == Int { public static func == (a: Self, b: Self) -> Bool { true } }' ;;
    no_markers)
      # A correct solution whose marker lines were deleted: the grader cannot tell the exercise code from the rest.
      stats_with "$mean" "$var" | grep -v "EXERCISE" > "$d/Stats.swift"
      counter_with "$count" "$most" | grep -v "EXERCISE" > "$d/Counter.swift"; return ;;
    api_change) var='    return 0
}

public func populationVariance(_ xs: [Double]) -> Double {
    return 0   // renamed: the graded tests call variance(_:) with a different signature below' 
      mean="$MEAN_OK"
      stats_with "$mean" "$var" | sed 's/public func variance(_ xs: \[Double\]) -> Double {/public func variance(of xs: [Double]) -> Double {/' > "$d/Stats.swift"
      counter_with "$count" "$most" > "$d/Counter.swift"; return ;;
    *) echo "unknown kind $1" >&2; exit 2 ;;
  esac
  if [ "$1" = peek ]; then
    mean='    if let f = fopen("'"${PEEK_DIR:-/nonexistent}"'/Exercises/Stats.swift", "r") { fclose(f); return -999 }
'"$MEAN_OK"
  fi
  if [ "$1" = snoop ]; then
    # Tries to read the hidden tests and the solutions (paths passed in SNOOP_COURSE); returns a wrong mean if it could.
    mean='    let course = "'"${SNOOP_COURSE:-/nonexistent}"'"
    for path in [course + "/Tests/Graded/1/hidden/HiddenTests.swift", course + "/Solutions/1/Stats.swift"] {
        if let f = fopen(path, "r") { fclose(f); return -999 }
    }
    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0, +) / Double(xs.count)'
  fi
  { stats_with "$mean" "$var"; printf '%s\n' "$outside_stats"; } > "$d/Stats.swift"
  { counter_with "$count" "$most"; printf '%s\n' "$outside_counter"; } > "$d/Counter.swift"
  if [ "$1" = ctor ]; then
    cat >> "$d/Stats.swift" <<'SWIFT'

nonisolated(unsafe) var rootAtLoad = false
@used @section(".init_array") let labrunCtor: @convention(c) () -> Void = { rootAtLoad = getuid() == 0 }
SWIFT
  fi
  if [ "$1" = forge_xctest ]; then
    cat >> "$d/Stats.swift" <<'SWIFT'

import XCTest
final class StatsTests: XCTestCase {}
SWIFT
  fi
}

if [ "${1:-}" = "--batch20" ]; then
  out="$2"; mkdir -p "$out"
  kinds=(correct correct correct correct partial partial partial partial compile_error compile_error compile_error
         crash crash crash hang hang hang exit0 forge huge_output)
  i=0
  for k in "${kinds[@]}"; do
    i=$((i + 1)); name="$(printf 's%02d' $i)-$k"
    make_kind "$k" "$out/$name"
    # Every student's files differ (as real ones do), so no two submissions share a cached build.
    for f in "$out/$name"/Exercises/*.swift; do echo "// submitted by $name" >> "$f"; done
  done
  exit 0
fi

out="$1"; shift
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=("${!EXPECTED[@]}")
for k in "${kinds[@]}"; do make_kind "$k" "$out/$k"; done
