// Lab 26, exercise 1: building few-shot and chain-of-thought prompts.
import Foundation
import LabKit

/// How the examples of a prompt are written: what comes before an input, between an input and its output, and
/// between two examples.
public struct PromptFormat {
    /// Written before every input (the examples' and the query's), e.g. "Q: ".
    public var inputPrefix: String
    /// Written after every input, before its output, e.g. " =>" or "\nA:". An output follows after one space.
    public var outputPrefix: String
    /// Between the instruction and the first example, and between two examples, e.g. "\n" or "\n\n".
    public var separator: String

    public init(inputPrefix: String = "", outputPrefix: String, separator: String) {
        self.inputPrefix = inputPrefix
        self.outputPrefix = outputPrefix
        self.separator = separator
    }

    /// GPT-3's translation prompts: `sea otter => loutre de mer`, one example per line.
    public static let arrow = PromptFormat(outputPrefix: " =>", separator: "\n")
    /// Questions and answers, a blank line between examples: `Q: ...` / `A: ...`.
    public static let questionAnswer = PromptFormat(inputPrefix: "Q: ", outputPrefix: "\nA:", separator: "\n\n")
}

/// One solved example to show the model.
public struct Example {
    public var input: String
    public var output: String
    public init(_ input: String, _ output: String) { self.input = input; self.output = output }
}

/// The prompt a model receives for in-context learning: the instruction (left out when empty), then every example
/// in the order given as `inputPrefix + input + outputPrefix + " " + output`, then the query as
/// `inputPrefix + query + outputPrefix` with no answer and no trailing space (the model writes the answer,
/// starting with its own space), all joined by `separator`.
///
/// ```swift
/// let prompt = fewShotPrompt(instruction: "Translate English to French:",
///                            examples: [Example("sea otter", "loutre de mer"), Example("cheese", "fromage")],
///                            query: "peppermint", format: .arrow)
/// // "Translate English to French:\nsea otter => loutre de mer\ncheese => fromage\npeppermint =>"
/// ```
/// Python: `"\n".join([instruction] + [f"{x} => {y}" for x, y in examples] + [f"{query} =>"])`
public func fewShotPrompt(instruction: String, examples: [Example], query: String, format: PromptFormat) -> String {
    // BEGIN EXERCISE 1: fewShotPrompt
    todo("fewShotPrompt")
    // END EXERCISE 1
}
