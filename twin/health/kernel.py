"""Fused per-resident kernels of the heat-health rules (Numba), and the uniforms they draw.

The pure functions of :mod:`twin.health` are the definition of the rules; this module
applies the two rules that touch *every* resident on a hot day in one pass each, without
temporaries, for the ``heat_health`` model on a million residents:

* :func:`seekers` — who seeks help today (``u < help_seeking_probability(level, age)``,
  :func:`twin.health.seeks_help`);
* :func:`harm_tally` — exposure and the day's harm draw (:func:`twin.health.daily_harm` with
  the vulnerability and the protection of :func:`twin.health.behaviour_rr`), tallied
  straight into the (zone, age band, channel) tables of the run's records.

``tests/test_health_kernel.py`` checks both against the pure functions on the same uniforms.
A change to the exposure-response maths must be made in both places (the test fails if not).

Uniforms: one counter-based stream per resident and day
-------------------------------------------------------
Each day has a 64-bit seed ``s`` (the first number of the day's NumPy stream, :func:`day_seed`).
Resident ``i``'s key for the day is output ``i`` of a SplitMix64 generator seeded with ``s``;
its death uniform is that key, and its uniform for another purpose ``k`` (``U_SEEK``,
``U_ORDER``, ...) is output ``k`` of a SplitMix64 generator seeded with the key, each as a
53-bit float on [0, 1) (SplitMix64: Steele,
Lea & Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA; Java's
``SplittableRandom``; the output function passes TestU01 BigCrush). A uniform is therefore a
pure function of (seed, replicate, day, resident, purpose): it is drawn only where a rule
needs it (the queue order only for residents who queue, the behaviour uniforms only for
the contacted), and every option still gives resident ``i`` the same number (common random
numbers), whatever else happens that day.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "N_PURPOSES",
    "U_ACCESS",
    "U_BEH",
    "U_COOL",
    "U_DEATH",
    "U_ILL",
    "U_ORDER",
    "U_SEEK",
    "day_seed",
    "excess_rr_table",
    "harm_tally",
    "seekers",
    "uniforms",
]

#: purposes of a resident's uniforms on a day (never renumber: part of the results' identity)
U_SEEK, U_ORDER, U_ACCESS, U_COOL, U_ILL, U_DEATH, U_BEH = 0, 1, 2, 3, 4, 5, 6
N_PURPOSES = U_BEH + 4  # four behaviours

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def day_seed(rng: np.random.Generator) -> np.uint64:
    """The 64-bit seed of a day's per-resident streams: the first raw 64-bit output of the day's stream."""
    return np.uint64(rng.bit_generator.random_raw())


@njit(inline="always")
def _mix(z):  # SplitMix64 output function (uint64 -> uint64)
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always")
def _key(seed, i):
    return _mix(seed + (np.uint64(i) + np.uint64(1)) * _GAMMA)


@njit(inline="always")
def _unit(key, k):
    if k == U_DEATH:  # the key itself (a SplitMix64 output): the most used uniform costs no extra mixing
        return np.float64(key >> _S11) * _TO_UNIT
    return np.float64(_mix(key + np.uint64(k + 1) * _GAMMA) >> _S11) * _TO_UNIT


@njit(cache=True)
def uniforms(seed, who, k):
    """Uniform of purpose ``k`` on [0, 1) for residents ``who`` (int array) on the day seeded ``seed``."""
    out = np.empty(who.size, np.float64)
    for j in range(who.size):
        out[j] = _unit(_key(seed, who[j]), k)
    return out


@njit(cache=True)
def seekers(seed, p_seek, age65):
    """Residents who seek help today: ``u_seek < p_seek[age65]`` (indices, ascending).

    ``p_seek`` is :func:`twin.health.help_seeking_probability` at today's level for ages
    (under 65, 65+); ``age65`` (bool per resident) picks the column.
    """
    n = age65.size
    buf = np.empty(n, np.int64)
    m = 0
    p_young, p_old = np.float64(p_seek[0]), np.float64(p_seek[1])
    if p_young <= 0.0 and p_old <= 0.0:
        return buf[:0]
    for i in range(n):
        p = p_old if age65[i] else p_young
        if _unit(_key(seed, i), U_SEEK) < p:
            buf[m] = i
            m += 1
    return buf[:m].copy()


def excess_rr_table(tmean: np.ndarray, theta: float, class_slopes: np.ndarray, hot_cell: np.ndarray,
                    out: np.ndarray | None = None) -> np.ndarray:
    """``exp(slope * (T - theta)) - 1`` per (cell, slope class) on the hot cells (rows of other cells: zero,
    or whatever ``out`` held; :func:`harm_tally` never reads them).

    The heat slope takes a handful of values (by sex and age band, :func:`twin.health.heat_slopes`),
    so the exponential is taken once per hot cell and slope class rather than once per resident;
    the numbers are those :func:`twin.health.daily_harm` computes (``np.expm1(b * x)``).
    """
    table = np.zeros((tmean.size, class_slopes.size)) if out is None else out
    hot = np.flatnonzero(hot_cell)
    table[hot] = np.expm1((tmean[hot] - theta)[:, None] * class_slopes[None, :])
    return table


@njit(cache=True)
def harm_tally(seed, cell, hot_cell, rr1, slope_class, p0, vulnerability, protection, kappa, group,
               exposed, expected, ill, died, died_who):
    """Exposure and the day's harm for every resident whose home cell is hot, tallied.

    Parameters
    ----------
    seed
        The day's seed (:func:`day_seed`).
    cell
        Home cell of each resident.
    hot_cell
        Per cell: local daily mean above the threshold, and inhabited.
    rr1
        :func:`excess_rr_table`, shape (cells, slope classes).
    slope_class
        Per resident: column of ``rr1`` (its heat slope).
    p0, vulnerability, protection
        Per resident: baseline daily death probability, normalised vulnerability multiplier,
        combined protection RR of the behaviours in effect today (1 = none).
    kappa
        Illnesses per attributable death (``exposure_response.illness_per_attributable_death``).
    group
        Per resident: flat index of its (zone, age band, channel) cell in the tables.
    exposed, expected, ill, died
        Flat tables (float64) the day's counts are added to: residents exposed, expected
        heat-attributable deaths (sum of probabilities), illnesses and deaths drawn.
    died_who
        A buffer (int64, one per resident) that receives the indices of today's heat deaths.

    Returns
    -------
    int
        Number of heat deaths written to ``died_who``.

    Notes
    -----
    As :func:`twin.health.daily_harm`: :math:`e = \\mathrm{clip}(p_0 (e^{\\beta x} - 1) v \\pi, 0, 1 - p_0)`
    with :math:`x = T - \\theta > 0`, :math:`i = \\min(\\kappa e, 1)`; a heat death if
    :math:`u_{death} < e`, an illness if :math:`u_{ill} < i`.
    """
    n_died = 0
    for i in range(cell.size):
        c = cell[i]
        if not hot_cell[c]:
            continue
        g = group[i]
        exposed[g] += 1.0
        q = np.float64(p0[i])
        e = q * rr1[c, slope_class[i]] * (np.float64(vulnerability[i]) * np.float64(protection[i]))
        e = min(max(e, 0.0), 1.0 - q)
        expected[g] += e
        key = _key(seed, i)
        if _unit(key, U_ILL) < min(e * kappa, 1.0):
            ill[g] += 1.0
        if _unit(key, U_DEATH) < e:
            died[g] += 1.0
            died_who[n_died] = i
            n_died += 1
    return n_died
