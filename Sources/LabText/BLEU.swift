import Foundation

/// NLTK's smoothing functions for BLEU (Chen & Cherry 2014), with NLTK's defaults `epsilon = 0.1, alpha = 5, k = 5`.
///
/// ```swift
/// try sentenceBLEU(references: [ref], hypothesis: hyp, smoothing: .method1)
/// try sentenceBLEU(references: [ref], hypothesis: hyp, smoothing: SmoothingFunction(method: 1, epsilon: 0.01))
/// ```
/// Python: `SmoothingFunction().method1`, `SmoothingFunction(epsilon=0.01).method1`
public struct SmoothingFunction: Sendable, Equatable {
    /// 0 (none: zero counts give `sys.float_info.min` and a warning) to 7.
    public var method: Int
    public var epsilon: Double
    public var alpha: Double
    public var k: Double
    public init(method: Int = 0, epsilon: Double = 0.1, alpha: Double = 5, k: Double = 5) {
        self.method = method; self.epsilon = epsilon; self.alpha = alpha; self.k = k
    }
    public static let method0 = SmoothingFunction(method: 0)
    public static let method1 = SmoothingFunction(method: 1)
    public static let method2 = SmoothingFunction(method: 2)
    public static let method3 = SmoothingFunction(method: 3)
    public static let method4 = SmoothingFunction(method: 4)
    public static let method5 = SmoothingFunction(method: 5)
    public static let method6 = SmoothingFunction(method: 6)
    public static let method7 = SmoothingFunction(method: 7)
}

/// Where BLEU's warnings go (NLTK's `warnings.warn`); standard error by default.
public enum BLEUWarnings {
    nonisolated(unsafe) public static var handler: (String) -> Void = { message in
        FileHandle.standardError.write(Data(("UserWarning: " + message + "\n").utf8))
    }
}

/// Sentence BLEU, equal to NLTK's `nltk.translate.bleu_score.sentence_bleu` (same edge cases, smoothing and warnings).
///
/// ```swift
/// try sentenceBLEU(references: [["this", "is", "a", "test"]], hypothesis: ["this", "is", "test"])
/// // 8.987727354491445e-155: no 3-gram or 4-gram matches, so NLTK's unsmoothed BLEU is tiny, not 0 (with a warning)
/// ```
/// Python: `sentence_bleu([reference], candidate, weights=(0.25,)*4, smoothing_function=None, auto_reweigh=False)`
///
/// Unlike NLTK (which returns 0 for an empty hypothesis and raises `ValueError` for no references), an empty
/// hypothesis or reference list is an error naming the argument.
public func sentenceBLEU<T: Hashable>(references: [[T]], hypothesis: [T], weights: [Double] = [0.25, 0.25, 0.25, 0.25],
                                      smoothing: SmoothingFunction = .method0, autoReweigh: Bool = false) throws -> Double {
    try corpusBLEU(listOfReferences: [references], hypotheses: [hypothesis], weightSets: [weights],
                   smoothing: smoothing, autoReweigh: autoReweigh, caller: "sentenceBLEU")[0]
}

/// Corpus BLEU, equal to NLTK's `corpus_bleu`: n-gram matches and lengths are summed over the corpus before the
/// precisions are taken (not an average of sentence scores).
///
/// ```swift
/// try corpusBLEU(listOfReferences: [[ref1a, ref1b], [ref2]], hypotheses: [hyp1, hyp2])
/// ```
/// Python: `corpus_bleu(list_of_references, hypotheses, weights, smoothing_function, auto_reweigh)`
public func corpusBLEU<T: Hashable>(listOfReferences: [[[T]]], hypotheses: [[T]], weights: [Double] = [0.25, 0.25, 0.25, 0.25],
                                    smoothing: SmoothingFunction = .method0, autoReweigh: Bool = false) throws -> Double {
    try corpusBLEU(listOfReferences: listOfReferences, hypotheses: hypotheses, weightSets: [weights],
                   smoothing: smoothing, autoReweigh: autoReweigh, caller: "corpusBLEU")[0]
}

/// Corpus BLEU for several weight vectors at once (NLTK's `weights=[(1,), (0.5, 0.5), ...]`), one score each.
public func corpusBLEU<T: Hashable>(listOfReferences: [[[T]]], hypotheses: [[T]], weightSets: [[Double]],
                                    smoothing: SmoothingFunction = .method0, autoReweigh: Bool = false) throws -> [Double] {
    try corpusBLEU(listOfReferences: listOfReferences, hypotheses: hypotheses, weightSets: weightSets,
                   smoothing: smoothing, autoReweigh: autoReweigh, caller: "corpusBLEU")
}

/// A precision as NLTK keeps it: an unreduced fraction until smoothing turns it into a float.
private struct Precision {
    var numerator: Double
    var denominator: Double
    var isFraction: Bool
    var value: Double { isFraction ? numerator / denominator : numerator }
    static func float(_ v: Double) -> Precision { Precision(numerator: v, denominator: 1, isFraction: false) }
}

private func ngramCounts<T: Hashable>(_ seq: [T], _ n: Int) -> [ArraySlice<T>: Int] {
    var c: [ArraySlice<T>: Int] = [:]
    if seq.count >= n { for i in 0...(seq.count - n) { c[seq[i..<(i + n)], default: 0] += 1 } }
    return c
}

/// NLTK's `modified_precision`: clipped n-gram matches over the hypothesis's n-gram count (at least 1).
private func modifiedPrecision<T: Hashable>(_ references: [[T]], _ hypothesis: [T], _ n: Int) -> Precision {
    let counts = ngramCounts(hypothesis, n)
    var maxCounts: [ArraySlice<T>: Int] = [:]
    for r in references {
        let rc = ngramCounts(r, n)
        for g in counts.keys { maxCounts[g] = max(maxCounts[g] ?? 0, rc[g] ?? 0) }
    }
    let numerator = counts.reduce(0) { $0 + min($1.value, maxCounts[$1.key] ?? 0) }
    let denominator = max(1, counts.values.reduce(0, +))
    return Precision(numerator: Double(numerator), denominator: Double(denominator), isFraction: true)
}

/// Python's `math.fsum` (Neumaier compensation; exact for the handful of terms BLEU sums).
private func fsum(_ xs: [Double]) -> Double {
    var s = 0.0, c = 0.0
    for x in xs {
        let t = s + x
        c += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
        s = t
    }
    return s + c
}

private func corpusBLEU<T: Hashable>(listOfReferences: [[[T]]], hypotheses: [[T]], weightSets: [[Double]],
                                     smoothing: SmoothingFunction, autoReweigh: Bool, caller: String) throws -> [Double] {
    let hypArg = caller == "sentenceBLEU" ? "hypothesis" : "hypotheses"
    guard listOfReferences.count == hypotheses.count else {
        throw TextError("\(caller): \(listOfReferences.count) reference lists for \(hypotheses.count) hypotheses; give one list of references per hypothesis")
    }
    guard !hypotheses.isEmpty else { throw TextError("\(caller): \(hypArg) is empty") }
    for (i, refs) in listOfReferences.enumerated() where refs.isEmpty {
        throw TextError(caller == "sentenceBLEU" ? "sentenceBLEU: references is empty; give at least one reference"
                                                 : "corpusBLEU: listOfReferences[\(i)] is empty; give at least one reference per hypothesis")
    }
    guard !weightSets.isEmpty, weightSets.allSatisfy({ !$0.isEmpty }) else { throw TextError("\(caller): weights is empty") }
    let maxN = weightSets.map(\.count).max()!
    var numerators = [Double](repeating: 0, count: maxN + 1)
    var denominators = [Double](repeating: 0, count: maxN + 1)
    var hypLengths = 0, refLengths = 0
    for (refs, hyp) in zip(listOfReferences, hypotheses) {
        for n in 1...maxN {
            let p = modifiedPrecision(refs, hyp, n)
            numerators[n] += p.numerator
            denominators[n] += p.denominator
        }
        hypLengths += hyp.count
        refLengths += refs.map(\.count).min { (abs($0 - hyp.count), $0) < (abs($1 - hyp.count), $1) }!
    }
    guard hypLengths > 0 else {
        throw TextError(caller == "sentenceBLEU" ? "sentenceBLEU: hypothesis is empty (NLTK would return 0)"
                                                 : "corpusBLEU: every hypothesis is empty (NLTK would return 0)")
    }
    let bp: Double = hypLengths > refLengths ? 1 : exp(1 - Double(refLengths) / Double(hypLengths))
    var pn = (1...maxN).map { Precision(numerator: numerators[$0], denominator: denominators[$0], isFraction: true) }
    if numerators[1] == 0 { return weightSets.map { _ in 0 } }

    let refs = listOfReferences.last!, hyp = hypotheses.last!   // NLTK's smoothing sees the last pair
    pn = try smooth(pn, smoothing, refs, hyp, hypLengths)

    return weightSets.map { w in
        var weight = w
        if autoReweigh && hypLengths < 4 && weight == [0.25, 0.25, 0.25, 0.25] {
            weight = [Double](repeating: 1 / Double(hypLengths), count: hypLengths)
        }
        let terms = zip(weight, pn).compactMap { wi, p -> Double? in p.value > 0 ? wi * log(p.value) : nil }
        return bp * exp(fsum(terms))
    }
}

private func smooth<T: Hashable>(_ input: [Precision], _ sf: SmoothingFunction, _ refs: [[T]], _ hyp: [T], _ hypLen: Int) throws -> [Precision] {
    var pn = input
    func method4() {
        var incvnt = 1.0
        for (i, p) in pn.enumerated() where p.numerator == 0 && hypLen > 1 {
            let numerator = 1 / (pow(2, incvnt) * sf.k / log(Double(hypLen)))
            pn[i] = .float(numerator / p.denominator)
            incvnt += 1
        }
    }
    func method5() {
        let plus1 = pn + [modifiedPrecision(refs, hyp, 5)]
        var m = pn[0].value + 1
        for i in pn.indices {
            let v = (m + pn[i].value + plus1[i + 1].value) / 3
            pn[i] = .float(v)
            m = v
        }
    }
    switch sf.method {
    case 0:
        for (i, p) in pn.enumerated() where p.numerator == 0 {
            BLEUWarnings.handler("""

                The hypothesis contains 0 counts of \(i + 1)-gram overlaps.
                Therefore the BLEU score evaluates to 0, independently of
                how many N-gram overlaps of lower order it contains.
                Consider using lower n-gram order or use SmoothingFunction()
                """)
            pn[i] = .float(Double.leastNormalMagnitude)   // sys.float_info.min
        }
    case 1:
        for (i, p) in pn.enumerated() where p.numerator == 0 { pn[i] = .float((p.numerator + sf.epsilon) / p.denominator) }
    case 2:
        for i in pn.indices where i != 0 {
            pn[i] = Precision(numerator: pn[i].numerator + 1, denominator: pn[i].denominator + 1, isFraction: true)
        }
    case 3:
        var incvnt = 1.0
        for (i, p) in pn.enumerated() where p.numerator == 0 {
            pn[i] = .float(1 / (pow(2, incvnt) * p.denominator))
            incvnt += 1
        }
    case 4: method4()
    case 5: method5()
    case 6:
        guard pn.count >= 3 else { throw TextError("smoothing method6: needs at least 3 n-gram orders (weights of length >= 3)") }
        guard pn[2].value != 0 else { throw TextError("smoothing method6: requires non-zero precision for bigrams") }
        for i in 2..<pn.count {
            let pi0 = pn[i - 2].value == 0 ? 0 : pn[i - 1].value * pn[i - 1].value / pn[i - 2].value
            let m = pn[i].numerator
            let l = Double(max(0, hyp.count - i))
            pn[i] = .float((m + sf.alpha * pi0) / (l + sf.alpha))
        }
    case 7: method4(); method5()
    default: throw TextError("smoothing: method must be 0 to 7, got \(sf.method)")
    }
    return pn
}
