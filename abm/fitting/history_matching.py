"""Gaussian-process emulators and history matching, the numerics of abm.calibrate's default.

History matching (Craig et al. 1997; Vernon, Goldstein and Bower, Bayesian Analysis 5, 2010;
Andrianakis et al., PLoS Comput. Biol. 11, 2015, for an HIV agent-based model) replaces most
simulations by an *emulator*: a Gaussian process fitted to a space-filling design of runs, which
predicts every fact, with its own uncertainty, at any parameter set in microseconds. Parameter
sets whose predicted facts are implausibly far from the observed ones are ruled out, the next wave
of runs is placed where the data may still be matched, and the emulator is refitted.

This module holds the pure pieces, on parameters scaled to the unit cube: the design
(:func:`latin_hypercube`), the emulator (:func:`fit_emulator`, a scikit-learn
``GaussianProcessRegressor`` per fact) and the implausibility cut (:data:`CUTOFF`).
:func:`abm.fitting.calibration.calibrate` orchestrates them and corrects the emulated posterior by
importance weights from real runs.

Examples
--------
>>> import numpy as np
>>> X = latin_hypercube(2, 30, seed=1)
>>> Y = np.column_stack([X[:, 0] + 2 * X[:, 1], X[:, 0] * X[:, 1]])
>>> em = fit_emulator(X, Y, seed=1)
>>> mean, sd = em.predict(np.array([[0.5, 0.5]]))
>>> mean.round(2).tolist(), bool((sd < 0.05).all())
([[1.5, 0.25]], True)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

#: Implausibility above which a parameter set is ruled out: no fact may sit more than three
#: standard deviations (fact and emulator uncertainty together) from its target (Pukelsheim's
#: three-sigma rule for unimodal distributions, as in Vernon et al. 2010).
CUTOFF = 3.0


def latin_hypercube(d: int, n: int, seed: int | np.random.Generator) -> np.ndarray:
    """``n`` points of a Latin hypercube in ``[0, 1]^d`` (scipy.stats.qmc), reproducible.

    Examples
    --------
    >>> x = latin_hypercube(3, 4, seed=0)
    >>> x.shape, sorted((x[:, 0] * 4).astype(int).tolist())
    ((4, 3), [0, 1, 2, 3])
    """
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(n)


@dataclass
class Emulator:
    """One Gaussian process per output column; :meth:`predict` gives means and sds."""

    models: list

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predicted means and standard deviations, each of shape ``(len(X), outputs)``."""
        out = [m.predict(np.atleast_2d(X), return_std=True) for m in self.models]
        return np.column_stack([o[0] for o in out]), np.column_stack([o[1] for o in out])


def fit_emulator(X: np.ndarray, Y: np.ndarray, seed: int) -> Emulator:
    """Fit a Gaussian process to each column of ``Y`` over inputs ``X`` in the unit cube.

    Kernel: a constant times an anisotropic squared-exponential (one length scale per
    parameter, so a parameter that does not move a fact gets a long one) plus white noise (the
    simulation's seed noise and roughness), hyperparameters by maximum marginal likelihood with
    seeded restarts. Length scales or noise at their bounds (a parameter without effect, a fact
    without noise) are expected, so scikit-learn's ConvergenceWarning is silenced here.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    X, Y = np.asarray(X, float), np.atleast_2d(np.asarray(Y, float).T).T
    d = X.shape[1]
    models = []
    for j in range(Y.shape[1]):
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.5), (1e-2, 1e3))
                  + WhiteKernel(1e-3, (1e-10, 1.0)))
        gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2,
                                      random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ok = np.isfinite(Y[:, j])  # a fact a run cannot express (NaN) trains nothing
            models.append(gp.fit(X[ok], Y[ok, j]))
    return Emulator(models)


def implausibility(z: np.ndarray) -> np.ndarray:
    """Largest absolute standardised miss over the facts (columns of ``z``) per parameter set."""
    return np.abs(np.asarray(z, float)).max(axis=1)


def plausible_box(points: np.ndarray, keep: np.ndarray, margin: float = 0.05
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Bounding box of the kept points, widened by ``margin`` each side, inside the unit cube.

    The whole cube if no point is kept.

    Examples
    --------
    >>> pts = np.array([[0.2, 0.5], [0.4, 0.9], [0.0, 0.0]])
    >>> lo, hi = plausible_box(pts, np.array([True, True, False]))
    >>> lo.round(2).tolist(), hi.round(2).tolist()
    ([0.15, 0.45], [0.45, 0.95])
    """
    if not keep.any():
        d = points.shape[1]
        return np.zeros(d), np.ones(d)
    kept = points[keep]
    return (np.clip(kept.min(axis=0) - margin, 0, 1), np.clip(kept.max(axis=0) + margin, 0, 1))


__all__ = ["CUTOFF", "Emulator", "fit_emulator", "implausibility", "latin_hypercube",
           "plausible_box"]
