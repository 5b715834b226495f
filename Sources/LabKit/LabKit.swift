// LabKit: the one import a lab cell or an exercise needs.
@_exported import LabTensor
@_exported import LabNN
@_exported import LabText
@_exported import LabDisplay
@_exported import LabZoo
