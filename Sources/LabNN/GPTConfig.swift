// GPTConfig: the hyperparameters of a GPT model.
import LabTensor

/// Hyperparameters of a GPT (nanoGPT's `GPTConfig`).
///
/// ```swift
/// let config = GPTConfig.miniShakespeare(vocabSize: 65)
/// let model = GPT(config)
/// ```
/// PyTorch (nanoGPT): `GPTConfig(block_size=128, vocab_size=65, n_layer=4, n_head=4, n_embd=256, dropout=0.1)`.
public struct GPTConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var blockSize: Int
    public var nLayer: Int
    public var nHead: Int
    public var nEmbd: Int
    public var dropout: Float
    /// Biases in Linear and LayerNorm layers (GPT-2: true).
    public var bias: Bool
    /// lm_head.weight is the same tensor as transformer.wte.weight (GPT-2: true).
    public var tieWeights: Bool
    /// GELU variant in the MLP: `.tanh` for GPT-2 checkpoints, `.none` (exact) for nanoGPT and the PyTorch baseline.
    public var gelu: GELUApproximation
    public var layerNormEps: Float

    public init(vocabSize: Int, blockSize: Int, nLayer: Int, nHead: Int, nEmbd: Int, dropout: Float = 0,
                bias: Bool = true, tieWeights: Bool = false, gelu: GELUApproximation = .none, layerNormEps: Float = 1e-5) {
        check(vocabSize > 0 && blockSize > 0 && nLayer >= 0 && nEmbd > 0,
              "GPTConfig: vocabSize \(vocabSize), blockSize \(blockSize), nEmbd \(nEmbd) must be positive and nLayer \(nLayer) not negative")
        check(nHead > 0 && nEmbd % nHead == 0,
              "GPTConfig: nEmbd \(nEmbd) is not a multiple of nHead \(nHead) (each head gets nEmbd / nHead channels); nHead could be \(GPTConfig.headCounts(nEmbd))")
        check(dropout >= 0 && dropout < 1, "GPTConfig: dropout \(dropout) is not a probability in [0, 1)")
        self.vocabSize = vocabSize
        self.blockSize = blockSize
        self.nLayer = nLayer
        self.nHead = nHead
        self.nEmbd = nEmbd
        self.dropout = dropout
        self.bias = bias
        self.tieWeights = tieWeights
        self.gelu = gelu
        self.layerNormEps = layerNormEps
    }

    /// Head counts that divide `nEmbd` evenly, for the error message ("1, 2, 3, 4, 6, 8, 12, ...").
    static func headCounts(_ nEmbd: Int) -> String {
        guard nEmbd > 0 else { return "none (nEmbd must be positive)" }
        let d = (1...min(nEmbd, 64)).filter { nEmbd % $0 == 0 }
        return d.prefix(8).map(String.init).joined(separator: ", ") + (d.count > 8 ? ", ..." : "")
    }

    /// GPT-2 small (124M with tied weights): V 50257, T 1024, 12 layers, 12 heads, 768 dims, tanh GELU.
    public static let gpt2Small = GPTConfig(vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768,
                                            dropout: 0, bias: true, tieWeights: true, gelu: .tanh)
    /// GPT-2 medium (350M): 24 layers, 16 heads, 1024 dims.
    public static let gpt2Medium = GPTConfig(vocabSize: 50257, blockSize: 1024, nLayer: 24, nHead: 16, nEmbd: 1024,
                                             dropout: 0, bias: true, tieWeights: true, gelu: .tanh)

    /// The lab's character-level model: 4 layers, 4 heads, 256 dims, context 128, dropout 0.1, untied, exact GELU
    /// (3.2M parameters at vocabSize 65; the same model as the PyTorch baseline).
    public static func miniShakespeare(vocabSize: Int = 65) -> GPTConfig {
        GPTConfig(vocabSize: vocabSize, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 256, dropout: 0.1)
    }
}
