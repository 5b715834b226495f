// LabDisplay
