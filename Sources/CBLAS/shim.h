#include <cblas.h>
// Exported by Debian's DYNAMIC_ARCH libopenblas.so.0 but not declared in cblas.h: used to re-select the
// kernel in-process when OpenBLAS 0.3.21 misdetects this CPU as "Prescott" (see LabTensor/BLAS.swift).
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
