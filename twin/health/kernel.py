"""Per-resident uniforms of a day, and the fused passes of the heat-health rules over every resident.

The pure functions of :mod:`twin.health` define the rules; the ``heat_health`` model applies
them to whole columns (its NumPy path). Two rules touch *every* resident on a hot day, and
this module applies each in one pass without temporaries (Numba), for a million residents:

* :func:`seekers` — who seeks help today (``u < help_seeking_probability(level, age)`` among
  the living, :func:`twin.health.seeks_help`);
* :func:`harm_tally` — exposure and the day's harm draw (:func:`twin.health.daily_harm` on the
  lagged dose, the seasonal and displacement-lowered baseline, the vulnerability and the
  protection in effect), tallied straight into the (zone, age band, channel) tables of the
  run's records, with the (zone, age band) sums that displacement needs and the day's dead.

Both give bit for bit what the NumPy path gives on the same uniforms (the same operations
in the same order; ``tests/test_health_kernel.py``). A change to the rules must be made in
both places: the test fails if not. Without Numba the model takes the NumPy path.

Uniforms: counter-based, one number per resident, day and purpose
-----------------------------------------------------------------
Each day has a 64-bit seed ``s``, the first raw output of the day's NumPy stream
(:func:`day_seed`). Purpose ``k`` (:data:`U_SEEK`, :data:`U_ORDER`, ...) has the seed
``s_k``, output ``k`` of a SplitMix64 generator seeded with ``s`` (:func:`purpose_seeds`),
and resident ``i``'s uniform for it is output ``i`` of a SplitMix64 generator seeded with
``s_k``, as a 53-bit float on [0, 1) (SplitMix64: Steele, Lea & Flood 2014, "Fast splittable
pseudorandom number generators", OOPSLA; Java's ``SplittableRandom``; its output function
passes TestU01 BigCrush). A uniform is therefore a pure function of (seed, replicate, day,
resident, purpose), one mixing step to compute: it is computed only where a rule needs it
(the queue order only for residents who queue, the behaviour uniforms only for the
contacted), and every option still gives resident ``i`` the same number (common random
numbers), whatever else happens that day. :func:`uniforms` computes them in NumPy (the
same numbers as the compiled passes).
"""

from __future__ import annotations

import numpy as np

from twin._jit import HAVE_NUMBA, njit

__all__ = [
    "HAVE_NUMBA",
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
    "purpose_seeds",
    "resident_kinds",
    "seekers",
    "uniforms",
]

#: purposes of a resident's uniforms on a day (never renumber: part of the results' identity)
U_SEEK, U_ORDER, U_ACCESS, U_COOL, U_ILL, U_DEATH, U_BEH = 0, 1, 2, 3, 4, 5, 6
N_PURPOSES = U_BEH + 4  # one per protective behaviour (twin.health.BEHAVIOURS)

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_STEP = np.arange(1, N_PURPOSES + 1, dtype=np.uint64) * _GAMMA  # (k + 1) * gamma, wrapping (an array: no warning)


def day_seed(rng: np.random.Generator) -> np.uint64:
    """The 64-bit seed of a day's per-resident uniforms: the first raw 64-bit output of the day's stream."""
    return np.uint64(rng.bit_generator.random_raw())


def _mix_np(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def purpose_seeds(seed: np.uint64) -> np.ndarray:
    """The day's seed of each purpose (uint64, ``N_PURPOSES``): SplitMix64 seeded with the day's seed."""
    return _mix_np(np.uint64(seed) + _STEP)


def uniforms(seeds: np.ndarray, who: np.ndarray, k: int) -> np.ndarray:
    """Uniform of purpose ``k`` on [0, 1) (float64) for residents ``who`` (indices); ``seeds``: :func:`purpose_seeds`."""
    i = np.asarray(who).astype(np.uint64)
    return (_mix_np(seeds[k] + (i + _ONE) * _GAMMA) >> _S11).astype(np.float64) * _TO_UNIT


@njit(inline="always")
def _mix(z):  # SplitMix64 output function (uint64 -> uint64), as _mix_np
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always")
def _uniform(seed, i):  # resident i's uniform on the purpose seeded ``seed``, as ``uniforms``
    return np.float64(_mix(seed + (np.uint64(i) + _ONE) * _GAMMA) >> _S11) * _TO_UNIT


@njit(cache=True)
def seekers(seeds, p_seek, age65, alive):
    """Living residents who seek help today, ``u_seek < p_seek[age65]`` (indices, ascending).

    ``seeds`` are the day's :func:`purpose_seeds`; ``p_seek`` is
    :func:`twin.health.help_seeking_probability` at today's level for ages (under 65, 65+);
    ``age65`` and ``alive`` are bool per resident.
    """
    n = age65.size
    buf = np.empty(n, np.int64)
    m = 0
    p_young, p_old = np.float64(p_seek[0]), np.float64(p_seek[1])
    seed = seeds[U_SEEK]
    if p_young <= 0.0 and p_old <= 0.0:
        return buf[:0].copy()
    for i in range(n):
        if not alive[i]:
            continue
        p = p_old if age65[i] else p_young
        if _uniform(seed, i) < p:
            buf[m] = i
            m += 1
    return buf[:m].copy()


def excess_rr_table(dose: np.ndarray, classes: np.ndarray, hot_cell: np.ndarray,
                    out: np.ndarray | None = None) -> np.ndarray:
    """``expm1(gradient * dose)`` per (cell, gradient class) on the hot cells (other rows: left as they were).

    A resident's age/sex gradient of the log RR takes a handful of values
    (:func:`twin.health.age_sex_gradient` is constant within an age band and sex), so the
    exponential is taken once per hot cell and class rather than once per resident; the
    numbers are those :func:`twin.health.daily_harm` computes (``np.expm1(g * x)``).
    """
    table = np.zeros((dose.size, classes.size)) if out is None else out
    hot = np.flatnonzero(hot_cell)
    table[hot] = np.expm1(classes[None, :] * dose[hot][:, None])
    return table


@njit(cache=True)
def harm_tally(seeds, cell, alive, hot_cell, kind, kind_p0, kind_class, kind_vul, rr1, factor, zb,
               protection, kappa, gch, exposed, expected, ill, died, other, expected_zb, dead_who):
    """Exposure and the day's harm for every living resident whose home cell is hot, tallied.

    Parameters
    ----------
    seeds
        The day's :func:`purpose_seeds`.
    cell, alive
        Home cell and whether alive, per resident.
    hot_cell
        Per cell: a heat dose today, and inhabited.
    kind
        Per resident: index of its kind (residents of a kind share the three next columns).
    kind_p0, kind_class, kind_vul
        Per kind: annual-average baseline daily death probability, column of ``rr1`` (the
        age/sex gradient class) and the normalised vulnerability multiplier.
    rr1
        :func:`excess_rr_table`, shape (cells, gradient classes).
    factor, zb
        Per (zone, age band) group the day's baseline factor (season x displacement); per
        resident its group.
    protection
        Per resident: the combined RR of the behaviours in effect today
        (:func:`twin.health.behaviour_rr`; 1 = none).
    kappa
        Illnesses per attributable death.
    gch
        Per resident: flat index of its (zone, age band, preferred channel) cell in the tables.
    exposed, expected, ill, died, other
        Flat tables (float64) the day's residents exposed, expected heat-attributable deaths
        (sum of probabilities), illnesses, heat deaths and other deaths are added to.
    expected_zb
        Per (zone, age band) group (float64): expected heat deaths added (for displacement).
    dead_who
        A buffer (int64, one per resident) that receives today's dead (heat and other causes) in resident order.

    Returns
    -------
    int
        Number of deaths written to ``dead_who``.

    Notes
    -----
    As :func:`twin.health.daily_harm`: :math:`e = \\mathrm{clip}(p_0 (e^{g D} - 1) v \\pi, 0, 1 - p_0)`,
    :math:`i = \\min(\\kappa e, 1)`; a heat death if :math:`u_{death} < e`, another death if
    :math:`e \\le u_{death} < e + p_0`, an illness if :math:`u_{ill} < i`; the operations in
    the order NumPy does them, so the numbers are identical. Per resident it reads 21 bytes
    (cell, alive, kind, gch, zb, protection).
    """
    n_dead = 0
    s_ill, s_death = seeds[U_ILL], seeds[U_DEATH]
    for i in range(cell.size):
        c = cell[i]
        if not hot_cell[c] or not alive[i]:
            continue
        k = kind[i]
        g = gch[i]
        z = zb[i]
        exposed[g] += 1.0
        q = kind_p0[k] * factor[z]
        e = q * rr1[c, kind_class[k]] * (kind_vul[k] * protection[i])
        e = min(max(e, 0.0), 1.0 - q)
        expected[g] += e
        expected_zb[z] += e
        if _uniform(s_ill, i) < min(e * kappa, 1.0):
            ill[g] += 1.0
        u = _uniform(s_death, i)
        if u < e:
            died[g] += 1.0
            dead_who[n_dead] = i
            n_dead += 1
        elif u < e + q:
            other[g] += 1.0
            dead_who[n_dead] = i
            n_dead += 1
    return n_dead


def resident_kinds(columns: dict[str, np.ndarray], key: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """Residents grouped into kinds by ``key`` (small non-negative int per resident), each column's value per kind.

    Returns ``(kind per resident, {name: value per kind})``, or None if some column is not
    constant within a kind (the caller then keeps to per-resident columns).
    """
    present = np.bincount(key) > 0
    remap = np.cumsum(present) - 1
    n_kinds = int(present.sum())
    kind = remap[key]
    tables = {}
    for name, col in columns.items():
        table = np.zeros(n_kinds, col.dtype)
        table[kind] = col
        if not np.array_equal(table[kind], col):
            return None
        tables[name] = table
    return remap.astype(np.int16 if n_kinds < 2**15 else np.int32)[key], tables
