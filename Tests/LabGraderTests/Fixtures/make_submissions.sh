#!/usr/bin/env bash
# Generates student submissions for the fixture course (Fixtures/course, lab 1), one folder per kind.
#   make_submissions.sh OUT_DIR [KIND...]     kinds below (default: all)
#   make_submissions.sh --batch20 OUT_DIR     the 20-submission mix used for the figures in the closing note
# Every folder is <OUT_DIR>/<name>/Exercises/{Stats,Counter}.swift. Expected scores (of 10) are in EXPECTED below.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sol="$here/course/Solutions/1"

# kind → expected score (out of 10)
declare -A EXPECTED=(
  [correct]=10 [partial]=6 [compile_error]=4 [crash]=4 [hang]=6 [exit0]=4 [forge]=4
  [huge_output]=6 [forge_xctest]=4 [fork_bomb]=9 [memory_hog]=9 [snoop]=10 [tamper]=0 [missing_file]=6 [api_change]=3
)

stats_with() {  # $1 = body of mean, $2 = body of variance
  cat <<SWIFT
// Lab 1 exercises: statistics over plain arrays.
#if canImport(Glibc)
import Glibc
#endif

public func mean(_ xs: [Double]) -> Double {
$1
}

public func variance(_ xs: [Double]) -> Double {
$2
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
$1
    }
    public func mostCommon(_ text: String, k: Int) -> [String] {
$2
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
  case "$1" in
    correct|snoop) ;;
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
    api_change) var='    return 0
}

public func populationVariance(_ xs: [Double]) -> Double {
    return 0   // renamed: the graded tests call variance(_:) with a different signature below' 
      mean="$MEAN_OK"
      stats_with "$mean" "$var" | sed 's/public func variance(_ xs: \[Double\]) -> Double {/public func variance(of xs: [Double]) -> Double {/' > "$d/Stats.swift"
      counter_with "$count" "$most" > "$d/Counter.swift"; return ;;
    *) echo "unknown kind $1" >&2; exit 2 ;;
  esac
  if [ "$1" = snoop ]; then
    # Tries to read the hidden tests and the solutions (paths passed in SNOOP_COURSE); returns a wrong mean if it could.
    mean='    let course = "'"${SNOOP_COURSE:-/nonexistent}"'"
    for path in [course + "/Tests/Graded/1/hidden/HiddenTests.swift", course + "/Solutions/1/Stats.swift"] {
        if let f = fopen(path, "r") { fclose(f); return -999 }
    }
    guard !xs.isEmpty else { return 0 }
    return xs.reduce(0, +) / Double(xs.count)'
  fi
  stats_with "$mean" "$var" > "$d/Stats.swift"
  counter_with "$count" "$most" > "$d/Counter.swift"
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
