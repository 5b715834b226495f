// LabText
