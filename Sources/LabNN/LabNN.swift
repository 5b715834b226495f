// LabNN
