// Sequential: modules applied in order, written with a result builder.
import LabTensor

/// Builds `[Module]` from a list of module expressions (with `if`, `for ... in` allowed).
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ m: Module) -> [Module] { [m] }
    public static func buildExpression(_ ms: [Module]) -> [Module] { ms }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first: [Module]) -> [Module] { first }
    public static func buildEither(second: [Module]) -> [Module] { second }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}

/// Applies its layers in order. Parameters are named by position ("0.weight", "2.bias"), as PyTorch does.
///
/// ```swift
/// let mlp = Sequential {
///     Linear(256, 1024)
///     GELU()
///     Linear(1024, 256)
/// }
/// let y = mlp(x)          // (B, T, 256)
/// ```
/// PyTorch: `nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256))`.
open class Sequential: Module {
    public var layers: [Module]

    public init(@ModuleBuilder _ layers: () -> [Module]) { self.layers = layers(); super.init() }
    public init(_ layers: [Module]) { self.layers = layers; super.init() }

    public subscript(_ i: Int) -> Module { layers[i] }
    public var count: Int { layers.count }

    open override func namedChildren() -> [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    open override func forward(_ x: Tensor) -> Tensor {
        layers.reduce(x) { h, layer in layer(h) }
    }
}
