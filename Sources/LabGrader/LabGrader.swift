// LabGrader
