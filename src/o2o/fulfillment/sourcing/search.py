"""Which locations, and which line from which: fewest locations first, then the lowest cost. Exact.

Input: F[n] the fixed cost of using location n, C[n, l] the cost of line l from n (INF: n has not got
enough of it). Each line comes whole from one location. Given a set S of locations every line takes its
cheapest member of S, so the search is over sets:

1. dominance pruning: n is dropped when another location costs no more to use and no more for every
   line (it can serve each line n can); any plan using n is no better than the one using it instead;
2. best-first on the number of locations k = 1..max_split: the first k with a plan is the answer's k;
3. within k, branch and bound: branch on the uncovered line held by the fewest locations (each branch
   picks one of them and bans its earlier siblings, so every set is visited once); the bound is the
   cost so far + per line the cheapest of (its current source, any location) + k_left x the cheapest
   fixed cost, and a branch ends when k_left locations, each covering at most as many of the uncovered
   lines as the best one, cannot cover them; the last location is picked for all candidates at once;
4. past `budget` explored partial plans, CP-SAT (OR-Tools) solves the same problem from scratch with a
   time limit; if that limit stops it before optimality is proven, the result says so (`optimal`
   False, `limit` set): never a silently truncated search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INF = 1 << 50  # "cannot": far above any real cost, far below int64 overflow when summed over lines


@dataclass(frozen=True, slots=True)
class Plan:
    nodes: tuple[int, ...]  # indices into F/C, ascending
    line_node: tuple[int, ...]  # per line, the index it comes from
    cost: int


@dataclass(frozen=True, slots=True)
class Result:
    plan: Plan | None
    method: str
    optimal: bool
    explored: int
    limit: str | None = None


class _Budget(Exception):
    pass


def undominated(F: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Indices of the locations no other location dominates (ties: the lower index stays)."""
    n = len(F)
    if n <= 1:
        return np.arange(n)
    le_rows = (C[:, None, :] <= C[None, :, :]).all(axis=2) & (F[:, None] <= F[None, :])  # a <= b everywhere
    strictly = (C[:, None, :] < C[None, :, :]).any(axis=2) | (F[:, None] < F[None, :])
    idx = np.arange(n)
    dom = le_rows & (strictly | (idx[:, None] < idx[None, :]))
    np.fill_diagonal(dom, False)
    return np.flatnonzero(~dom.any(axis=0))


def _assign(C: np.ndarray, nodes: tuple[int, ...]) -> tuple[int, ...]:
    sub = C[list(nodes)]
    return tuple(nodes[i] for i in sub.argmin(axis=0))


def exact(F: np.ndarray, C: np.ndarray, max_split: int, budget: int) -> Result:
    """Raises _Budget past `budget` partial plans."""
    n, L = C.shape
    cover = C < INF
    colmin = C.min(axis=0)
    fmin = int(F.min()) if n else 0
    line_nodes = [np.flatnonzero(cover[:, ln]) for ln in range(L)]
    explored = 0
    best_cost, best_nodes = INF, ()

    def rec(chosen: list[int], cur: np.ndarray, fixed: int, uncovered: np.ndarray, banned: np.ndarray,
            left: int) -> None:
        nonlocal explored, best_cost, best_nodes
        explored += 1
        if explored > budget:
            raise _Budget
        if not uncovered.any():  # (cannot happen past k = 1: a smaller plan would have been found)
            cost = fixed + int(cur.sum())
            if (cost, sorted(chosen)) < (best_cost, list(best_nodes)):
                best_cost, best_nodes = cost, tuple(sorted(chosen))
            return
        if fixed + int(np.minimum(cur, colmin).sum()) + left * fmin >= best_cost:
            return
        reach = cover[:, uncovered].sum(axis=1)  # uncovered lines each location would cover
        reach[banned] = 0
        if int(reach.max()) * left < int(uncovered.sum()):  # `left` locations cannot cover what is left
            return
        if left == 1:
            ok = ~banned & cover[:, uncovered].all(axis=1)
            if not ok.any():
                return
            tot = fixed + F + np.minimum(cur[None, :], C).sum(axis=1)
            tot = np.where(ok, tot, INF * (L + 2))
            j = int(tot.argmin())
            if tot[j] < best_cost:
                best_cost, best_nodes = int(tot[j]), tuple(sorted([*chosen, j]))
            return
        lines = np.flatnonzero(uncovered)
        counts = [int((~banned[line_nodes[ln]]).sum()) for ln in lines]
        pivot = int(lines[int(np.argmin(counts))])
        options = [int(j) for j in line_nodes[pivot] if not banned[j]]
        # most promising first: a good plan early makes the bound bite
        options.sort(key=lambda j: (int(F[j]) + int(np.minimum(cur, C[j]).sum()), j))
        banned = banned.copy()
        for j in options:
            rec([*chosen, j], np.minimum(cur, C[j]), fixed + int(F[j]), uncovered & ~cover[j], banned, left - 1)
            banned[j] = True

    for k in range(1, max_split + 1):
        if k > n:
            break
        rec([], np.full(L, INF, dtype=np.int64), 0, np.ones(L, dtype=bool), np.zeros(n, dtype=bool), k)
        if best_nodes:
            return Result(Plan(best_nodes, _assign(C, best_nodes), best_cost), "exact", True, explored)
    return Result(None, "exact", True, explored)


def cpsat(F: np.ndarray, C: np.ndarray, max_split: int, seconds: float, explored: int = 0) -> Result:
    """The same problem as a CP-SAT model: y[n] uses location n, x[n, ln] line ln from n; one weighted
    objective (a location weighs more than any cost difference, so fewer locations always win)."""
    from ortools.sat.python import cp_model

    n, L = C.shape
    cover = C < INF
    m = cp_model.CpModel()
    y = [m.new_bool_var(f"y{j}") for j in range(n)]
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for ln in range(L):
        xs = []
        for j in np.flatnonzero(cover[:, ln]):
            v = m.new_bool_var(f"x{j}_{ln}")
            m.add_implication(v, y[int(j)])
            x[(int(j), ln)] = v
            xs.append(v)
        m.add_exactly_one(xs)
    m.add(sum(y) <= max_split)
    finite = np.where(cover, C, 0)
    spread = int(F.clip(min=0).sum()) + sum(int(finite[cover[:, ln], ln].max() - finite[cover[:, ln], ln].min())
                                            for ln in range(L) if cover[:, ln].any())
    weight = spread + 1
    m.minimize(sum((weight + int(F[j])) * y[j] for j in range(n)) + sum(int(C[j, ln]) * v for (j, ln), v in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1  # deterministic, and the machine is shared
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.INFEASIBLE:
            return Result(None, "cp-sat", True, explored)
        return Result(None, "cp-sat", False, explored, f"cp-sat stopped at {seconds}s without a plan")
    line_node = tuple(next(j for j in range(n) if (j, ln) in x and solver.value(x[(j, ln)])) for ln in range(L))
    used = tuple(sorted(set(line_node)))
    cost = int(F[list(used)].sum()) + sum(int(C[j, ln]) for ln, j in enumerate(line_node))
    optimal = status == cp_model.OPTIMAL
    return Result(Plan(used, line_node, cost), "cp-sat", optimal, explored,
                  None if optimal else f"cp-sat time limit {seconds}s: best plan found, not proven optimal")


def solve(F: np.ndarray, C: np.ndarray, max_split: int, budget: int, cpsat_seconds: float) -> Result:
    """The best plan over at most `max_split` locations, or plan None when there is none."""
    whole = (C < INF).all(axis=1)
    if whole.any():  # one location holds every line: fewest locations first, so the cheapest such one
        tot = np.where(whole, F + C.sum(axis=1), INF)  # (the exact search's answer, ties to the lower index)
        j = int(tot.argmin())
        return Result(Plan((j,), (j,) * C.shape[1], int(tot[j])), "exact", True, 1)
    keep = undominated(F, C)
    Fk, Ck = F[keep], C[keep]
    try:
        res = exact(Fk, Ck, max_split, budget)
    except _Budget:
        res = cpsat(Fk, Ck, max_split, cpsat_seconds, explored=budget)
    if res.plan is None:
        return res
    back = [int(keep[j]) for j in res.plan.nodes]
    plan = Plan(tuple(back), tuple(int(keep[j]) for j in res.plan.line_node), res.plan.cost)
    return Result(plan, res.method, res.optimal, res.explored, res.limit)
