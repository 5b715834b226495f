@_implementationOnly import CBLAS
public func _probeCore() -> String { String(cString: openblas_get_corename()) }
