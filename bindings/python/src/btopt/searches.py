"""The original's search objects (``GridSearchAlgorithm``, ``RandomSearchAlgorithm``,
``GeneticAlgorithm``, ``BayesianOptimizer``) over btopt's engine.

A search object names one of btopt's searches and its options
(``_engine_setup``); btopt's C search decides every point. It serves two uses:

* ``ParallelOptimizer(algorithm=search, n_jobs=2).run(objective)`` hands the
  search to the engine as a whole run;
* the original's loop ``while not s.is_complete(): p = s.suggest(); ...;
  s.update(p, score)`` drives the same search through btopt's ask/tell API
  (``btopt.ask_tell.Search``, ``_Steps``), so it proposes the trials a run
  with the same options evaluates. One point is out at a time: ``suggest()``
  twice without ``update()`` raises (hosts that evaluate batches use
  ``btopt.ask_tell.Search`` directly). ``get_state()``/``set_state()``
  checkpoint the loop.

The stopping rules the engine lacks (grid's ``early_stopping_rounds``,
genetic's ``target_fitness`` and ``max_time_seconds``) are checked here, on
the scores in trial order, in both uses.
"""

from __future__ import annotations

import math
import os
import time
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from .ask_tell import AskedTrial, Search
from .errors import UnsupportedError
from .space import ContinuousParameter, ParameterSpace

Params = Dict[str, Any]


def _fresh_seed() -> int:
    """The original's seed=None draws fresh entropy; btopt's runs need a number."""
    return int.from_bytes(os.urandom(4), "little")


class _Steps:
    """btopt's search one point at a time, over its ask/tell API (btopt.ask_tell)."""

    def __init__(self, search: Search) -> None:
        self.search = search
        self._next: Optional[AskedTrial] = None  # asked ahead, to learn whether the search is done
        self.pending: Optional[AskedTrial] = None

    def _peek(self) -> Optional[AskedTrial]:
        if self._next is None and self.pending is None:
            trials = self.search.ask(1)
            self._next = trials[0] if trials else None
        return self._next

    def exhausted(self) -> bool:
        return self.pending is None and self._peek() is None and self.search.done

    def ask(self) -> Params:
        if self.pending is not None:
            raise RuntimeError("btopt's search objects give one point at a time: call update() for %r first"
                               % (self.pending.params,))
        trial = self._peek()
        if trial is None:
            raise ValueError("the search is complete: no more points to evaluate")
        self._next, self.pending = None, trial
        return dict(trial.params)

    def tell(self, params: Params, score: float) -> None:
        if self.pending is None:
            raise ValueError("No suggestion pending - call suggest() first")
        if params != self.pending.params:
            raise ValueError("update() got %r, but the point suggested is %r" % (params, self.pending.params))
        number, self.pending = self.pending.number, None
        self.search.tell(number, score if math.isfinite(score) else None)


class SearchAlgorithm:
    """What the original's search objects share: suggest/update/is_complete,
    best and results bookkeeping, and the mapping onto btopt's engine."""

    def __init__(self, parameter_space: ParameterSpace) -> None:
        if not isinstance(parameter_space, ParameterSpace):
            raise TypeError("parameter_space must be a ParameterSpace, not %s" % type(parameter_space).__name__)
        if len(parameter_space) == 0:
            raise ValueError("parameter_space has no parameters")
        self.parameter_space = parameter_space
        self._iteration = 0
        self._results: List[Tuple[Params, Decimal]] = []
        self._best_params: Optional[Params] = None
        self._best_score: Optional[Decimal] = None
        self._rounds_without_improvement = 0
        self._started: Optional[float] = None
        self._steps: Optional[_Steps] = None
        self._stopped = False

    # -- the mapping onto btopt ------------------------------------------
    def _engine_setup(self) -> Tuple[str, Dict[str, Any]]:
        """btopt's algorithm name and the options that make it this search."""
        raise UnsupportedError("%s is a search of your own: btopt's engine runs only its own searches "
                               "(GridSearchAlgorithm, RandomSearchAlgorithm, GeneticAlgorithm, BayesianOptimizer); "
                               "run it with the Optimizer loop, which calls its suggest()/update()"
                               % type(self).__name__)

    def _stop_reason(self, best: Optional[float], rounds_without_improvement: int, elapsed: float) -> Optional[str]:
        """Why to stop now, for the rules btopt's engine does not have; None to go on."""
        return None

    def _driver(self) -> _Steps:
        if self._steps is None:
            algorithm, options = self._engine_setup()
            self._steps = _Steps(Search(self.parameter_space, algorithm, **options))
        return self._steps

    # -- the original's loop ----------------------------------------------
    def suggest(self) -> Params:
        """The next point btopt's search proposes (a dict)."""
        if self.is_complete():
            raise ValueError("%s is complete: no more points to evaluate" % type(self).__name__)
        if self._started is None:
            self._started = time.monotonic()
        return self._driver().ask()

    def update(self, params: Params, score: Any) -> None:
        """Tells the search the score of the point suggest() gave (higher is
        better; a failed evaluation is -Infinity, as in the original)."""
        value = float(score)
        self._driver().tell(params, value)
        self._record(params, value)

    def is_complete(self) -> bool:
        """True when the search has no point left or a stopping rule fired."""
        if self._stopped:
            return True
        elapsed = 0.0 if self._started is None else time.monotonic() - self._started
        best = None if self._best_score is None else float(self._best_score)
        if self._stop_reason(best, self._rounds_without_improvement, elapsed) is not None:
            self._stop()
            return True
        if self._driver().exhausted():
            self._stopped = True
        return self._stopped

    def _stop(self) -> None:
        self._stopped = True
        if self._steps is not None:
            self._steps.search.close()

    def close(self) -> None:
        """Ends a suggest/update loop left before is_complete() (frees its C search)."""
        self._stop()

    # -- bookkeeping -------------------------------------------------------
    def _record(self, params: Params, score: float) -> None:
        decimal_score = Decimal(str(score)) if math.isfinite(score) else Decimal("-Infinity")
        self._results.append((dict(params), decimal_score))
        self._iteration += 1
        if math.isfinite(score) and (self._best_score is None or decimal_score > self._best_score):
            self._best_score, self._best_params = decimal_score, dict(params)
            self._rounds_without_improvement = 0
        else:
            self._rounds_without_improvement += 1

    @property
    def iteration(self) -> int:
        """Points told so far."""
        return self._iteration

    @property
    def progress(self) -> float:
        total = self._planned()
        return 1.0 if not total else min(1.0, self._iteration / total)

    def _planned(self) -> Optional[int]:
        return None

    def get_best_params(self) -> Params:
        if self._best_params is None:
            raise ValueError("No results available yet")
        return dict(self._best_params)

    def get_best_result(self) -> Tuple[Params, Decimal]:
        if self._best_params is None or self._best_score is None:
            raise ValueError("No results available yet")
        return dict(self._best_params), self._best_score

    def get_best_score(self) -> Optional[Decimal]:
        return self._best_score

    def get_results(self, top_k: Optional[int] = None) -> List[Tuple[Params, Decimal]]:
        """(params, score) pairs, best first; the top_k best when given."""
        if not self._results:
            raise ValueError("No results available yet")
        ranked = sorted(self._results, key=lambda r: r[1], reverse=True)
        return ranked if top_k is None else ranked[:top_k]

    def validate_suggested_params(self, params: Params) -> None:
        self.parameter_space.validate_params(params)

    def get_state(self) -> Dict[str, Any]:
        """A checkpoint of the suggest/update loop (a dict of plain data, JSON-able):
        the engine's options (the seed drawn included), btopt's search state and
        the scores told. set_state() on a new search object of the same class
        and space continues from it; a point suggested and not yet updated is
        suggested again."""
        if self._stopped:
            raise ValueError("%s is closed or stopped: take its state before" % type(self).__name__)
        algorithm, options = self._engine_setup()
        return {"search": type(self).__name__, "algorithm": algorithm, "options": options,
                "btopt_search_state": self._driver().search.state(),
                "results": [(dict(p), str(score)) for p, score in self._results],
                "elapsed": 0.0 if self._started is None else time.monotonic() - self._started}

    def set_state(self, state: Dict[str, Any]) -> None:
        """Continues from get_state()'s dict, in a search object that has suggested nothing yet."""
        if self._steps is not None or self._results:
            raise ValueError("set_state() restores into a new search object, before its first suggest()")
        algorithm, options = self._engine_setup()
        if state.get("search") != type(self).__name__ or state.get("algorithm") != algorithm:
            raise ValueError("the state is a %s's (%s), not a %s's" % (state.get("search"), state.get("algorithm"),
                                                                      type(self).__name__))
        search = Search(self.parameter_space, algorithm, **state["options"])
        search.restore(state["btopt_search_state"])
        self._steps = _Steps(search)
        self._restore_options(state["options"])
        for params, score in state["results"]:
            self._record(params, float(Decimal(score)))
        self._started = time.monotonic() - float(state.get("elapsed", 0.0))

    def _restore_options(self, options: Dict[str, Any]) -> None:
        """Takes the saved seed, so _engine_setup() says what the restored search is."""
        if "random_seed" in options and hasattr(self, "_seed"):
            self._seed = options["random_seed"]


def _positive(value: Any, what: str) -> None:
    if value is not None and value <= 0:
        raise ValueError("%s must be positive" % what)


class GridSearchAlgorithm(SearchAlgorithm):
    """Every point of a grid (btopt's 'grid'); ``early_stopping_rounds``: stop
    after that many trials in a row without a better score."""

    def __init__(self, parameter_space: ParameterSpace, early_stopping_rounds: Optional[int] = None) -> None:
        super().__init__(parameter_space)
        for p in parameter_space:
            if isinstance(p, ContinuousParameter) and p.continuous:
                raise ValueError("GridSearch does not support continuous parameters: %r is continuous; give it a "
                                 "step, or use DiscreteParameter" % p.name)
        _positive(early_stopping_rounds, "early_stopping_rounds")
        self.early_stopping_rounds = early_stopping_rounds

    def _engine_setup(self) -> Tuple[str, Dict[str, Any]]:
        return "grid", {}

    def _stop_reason(self, best: Optional[float], rounds_without_improvement: int, elapsed: float) -> Optional[str]:
        if self.early_stopping_rounds is not None and rounds_without_improvement >= self.early_stopping_rounds:
            return "no better score in %d trials" % rounds_without_improvement
        return None

    @property
    def total_combinations(self) -> int:
        return int(self.parameter_space.cardinality())

    def _planned(self) -> Optional[int]:
        return self.total_combinations


class RandomSearchAlgorithm(SearchAlgorithm):
    """``n_iter`` random points (btopt's 'random'); ``seed`` None draws a fresh one.
    ``max_retries`` is accepted: btopt's random search never proposes a point twice."""

    def __init__(self, parameter_space: ParameterSpace, n_iter: int, seed: Optional[int] = None,
                 max_retries: int = 100) -> None:
        super().__init__(parameter_space)
        _positive(n_iter, "n_iter")
        _positive(max_retries, "max_retries")
        self.n_iter = n_iter
        self.seed = seed
        self.max_retries = max_retries
        self._seed = _fresh_seed() if seed is None else seed

    def _engine_setup(self) -> Tuple[str, Dict[str, Any]]:
        return "random", {"n_iterations": self.n_iter, "random_seed": self._seed}

    def _planned(self) -> Optional[int]:
        return self.n_iter


class GeneticAlgorithm(SearchAlgorithm):
    """btopt's 'genetic' with the original's arguments: ``max_generations``
    counts the first generation; ``selection`` 'tournament' or 'rank' (a
    tournament of min(5, population_size), as the original does it);
    ``patience`` in generations; ``target_fitness`` and ``max_time_seconds``
    stop the run as trials finish. ``diversity_threshold`` only warned in the
    original; btopt accepts and ignores it."""

    def __init__(self, parameter_space: ParameterSpace, population_size: int = 50, max_generations: int = 100,
                 selection: str = "tournament", tournament_size: int = 3, crossover_prob: float = 0.8,
                 mutation_prob: float = 0.2, elite_size: Optional[int] = None, patience: Optional[int] = None,
                 target_fitness: Any = None, max_time_seconds: Optional[float] = None,
                 diversity_threshold: float = 0.01, seed: Optional[int] = None) -> None:
        super().__init__(parameter_space)
        if population_size < 2:
            raise ValueError("population_size must be >= 2")
        if max_generations < 1:
            raise ValueError("max_generations must be >= 1")
        for name, p in (("crossover_prob", crossover_prob), ("mutation_prob", mutation_prob)):
            if not 0.0 <= p <= 1.0:
                raise ValueError("%s must be in [0, 1]" % name)
        if selection == "roulette":
            raise UnsupportedError("selection='roulette': btopt's genetic search selects by tournament; "
                                   "use 'tournament' or 'rank'")
        if selection not in ("tournament", "rank"):
            raise ValueError("selection must be 'tournament', 'roulette', or 'rank'")
        if tournament_size < 2:
            raise ValueError("tournament_size must be >= 2")
        _positive(patience, "patience")
        _positive(max_time_seconds, "max_time_seconds")
        self.population_size = population_size
        self.max_generations = max_generations
        self.selection_method = selection
        self.tournament_size = tournament_size
        self.crossover_prob = crossover_prob
        self.mutation_prob = mutation_prob
        self.elite_size = elite_size if elite_size is not None else max(1, population_size // 10)
        self.patience = patience
        self.target_fitness = target_fitness
        self.max_time_seconds = max_time_seconds
        self.diversity_threshold = diversity_threshold
        self.seed = seed
        self._seed = _fresh_seed() if seed is None else seed

    def _engine_setup(self) -> Tuple[str, Dict[str, Any]]:
        tournament = min(5, self.population_size) if self.selection_method == "rank" else self.tournament_size
        options: Dict[str, Any] = {
            "population_size": self.population_size, "n_generations": self.max_generations - 1,
            "tournament_size": tournament, "crossover_rate": float(self.crossover_prob),
            "mutation_rate": float(self.mutation_prob), "elite_count": self.elite_size, "random_seed": self._seed,
        }
        if self.patience is not None:
            options["patience"] = self.patience * self.population_size
        return "genetic", options

    def _stop_reason(self, best: Optional[float], rounds_without_improvement: int, elapsed: float) -> Optional[str]:
        if self.target_fitness is not None and best is not None and best >= float(self.target_fitness):
            return "target_fitness reached"
        if self.max_time_seconds is not None and elapsed >= self.max_time_seconds:
            return "max_time_seconds passed"
        return None

    def _planned(self) -> Optional[int]:
        return self.population_size * self.max_generations


class BayesianOptimizer(SearchAlgorithm):
    """btopt's 'bayesian' search: a tree-structured Parzen estimator (TPE),
    whose proposal maximises expected improvement, in place of the original's
    Gaussian process. ``acq_func`` 'EI' only; ``kappa`` and ``xi`` must keep
    their defaults; ``initial_points``/``initial_scores`` are refused (a study
    carries earlier outcomes); ``convergence_patience`` stops after that many
    trials without a better score (btopt's ``patience``)."""

    def __init__(self, parameter_space: ParameterSpace, n_iter: int = 50, acq_func: str = "EI",
                 kappa: float = 1.96, xi: float = 0.01, initial_points: Optional[List[Params]] = None,
                 initial_scores: Optional[List[Any]] = None, convergence_threshold: float = 1e-4,
                 convergence_patience: int = 10, random_state: Optional[int] = None) -> None:
        super().__init__(parameter_space)
        _positive(n_iter, "n_iter")
        _positive(convergence_patience, "convergence_patience")
        if acq_func != "EI":
            raise UnsupportedError("acq_func=%r: btopt's Bayesian search (TPE) maximises expected improvement; "
                                   "use acq_func='EI'" % (acq_func,))
        if kappa != 1.96 or xi != 0.01:
            raise UnsupportedError("kappa and xi tune a Gaussian process's acquisition; btopt's Bayesian "
                                   "search (TPE) has neither: leave them at their defaults")
        if initial_points or initial_scores:
            raise UnsupportedError("initial_points/initial_scores: btopt's Bayesian search cannot be seeded "
                                   "with outcomes; a study (study='file.db') reuses earlier ones")
        self.n_iter = n_iter
        self.acq_func = acq_func
        self.kappa = kappa
        self.xi = xi
        self.convergence_threshold = convergence_threshold
        self.convergence_patience = convergence_patience
        self.random_state = random_state
        self._seed = _fresh_seed() if random_state is None else random_state

    def _engine_setup(self) -> Tuple[str, Dict[str, Any]]:
        return "bayesian", {"n_iterations": self.n_iter, "random_seed": self._seed,
                            "patience": self.convergence_patience}

    def _planned(self) -> Optional[int]:
        return self.n_iter
