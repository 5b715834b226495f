// LabProcess
