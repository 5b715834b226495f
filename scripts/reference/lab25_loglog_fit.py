# Reference values for Tests/Graded/25 (lab 25's log-log fit), made with NumPy:
#   /work/venv-torch/bin/python scripts/reference/lab25_loglog_fit.py
# The standard error is scipy.stats.linregress's `stderr` formula, written out (SciPy is not installed here).
import numpy as np

N = np.array([3_300, 12_900, 56_000, 100_000, 334_000, 793_000], dtype=np.float64)
L = np.array([2.71, 2.48, 2.29, 2.19, 2.05, 2.01], dtype=np.float64)
x, y = np.log(N), np.log(L)
slope, intercept = np.polyfit(x, y, 1)
resid = y - (slope * x + intercept)
stderr = np.sqrt((resid ** 2).sum() / (len(x) - 2) / ((x - x.mean()) ** 2).sum())
print(f"alpha = {-slope!r}")
print(f"a = {np.exp(intercept)!r}")
print(f"alpha stderr = {stderr!r}")
# The two typical mistakes, for the tests' messages:
s_lin, _ = np.polyfit(N, L, 1)
print(f"linear-space slope = {s_lin!r}")
s_logx, _ = np.polyfit(x, L, 1)
print(f"log-x-only slope = {s_logx!r}")
