"""Parameters and parameter spaces, with the Python original's names.

``ParameterSpace(parameters=[DiscreteParameter('lookback', 10, 100, step=10),
ContinuousParameter('x', 0.0, 1.0), CategoricalParameter('mode', ['a', 'b'])],
constraints=['lookback > 20'])``.

A space builds its C ``btopt_space`` as parameters are added, so a bad
parameter (a duplicate name, lo > hi, ...) raises InvalidArgumentError right
where it is declared.
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from ctypes import byref, c_char_p, c_double, c_int64, c_uint64, c_void_p
from typing import Any, Iterable, Iterator, Mapping

from . import _lib
from ._handle import Handle
from .errors import check


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise TypeError("%s must be an integer, not bool" % what)
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError("%s must be an integer, not %s" % (what, type(value).__name__)) from None


def _real(value: Any, what: str) -> float:
    if isinstance(value, (bool, str, bytes)):
        raise TypeError("%s must be a number, not %s" % (what, type(value).__name__))
    return float(value)


class Parameter:
    """A named dimension of a space."""

    __slots__ = ("name",)
    kind: int

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError("a parameter name must be a str, not %s" % type(name).__name__)
        self.name = name

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and isinstance(other, Parameter) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + self._key())

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def _add_to(self, lib: Any, space_pointer: int) -> None:
        raise NotImplementedError

    def decode(self, engine_value: Any) -> Any:
        """The value the objective gets for the engine's ``engine_value``."""
        return engine_value


class DiscreteParameter(Parameter):
    """Integers ``min_value, min_value + step, ...`` up to the last one not above
    ``max_value`` (both ends included): ``DiscreteParameter('fast', 10, 50, step=5)``
    is 10, 15, ..., 50."""

    __slots__ = ("min_value", "max_value", "step")
    kind = _lib.PARAM_INT

    def __init__(self, name: str, min_value: int, max_value: int, step: int = 1) -> None:
        super().__init__(name)
        self.min_value = _integer(min_value, "min_value of %r" % name)
        self.max_value = _integer(max_value, "max_value of %r" % name)
        self.step = _integer(step, "step of %r" % name)

    def _key(self) -> tuple[Any, ...]:
        return (self.name, self.min_value, self.max_value, self.step)

    def _add_to(self, lib: Any, space_pointer: int) -> None:
        check(
            lib.btopt_space_add_int(
                space_pointer,
                _lib.encode(self.name, "a parameter name"),
                self.min_value,
                self.max_value,
                self.step,
            )
        )

    def __repr__(self) -> str:
        return "DiscreteParameter(%r, %d, %d, step=%d)" % self._key()


_PRIORS = ("uniform", "log-uniform", "normal")


class ContinuousParameter(Parameter):
    """Floats in ``[min_value, max_value]``: continuous when ``step`` is None or 0
    (random, genetic and bayesian search; a grid refuses it), else the values
    ``min_value, min_value + step, ...`` like a DiscreteParameter.

    ``prior`` (continuous only) is how random points spread: ``'uniform'``;
    ``'log-uniform'`` (uniform in log(x); bounds must be positive) or
    ``'normal'`` (mean mid-range, standard deviation a quarter of the range,
    clipped to the bounds), as the original samples them. btopt's engine
    samples uniformly, so a prior is a change of variable: the engine searches
    log(x), or the normal's cumulative probability, and the objective and the
    results get x. Constraints cannot name such a parameter (they would see
    the engine's variable)."""

    __slots__ = ("min_value", "max_value", "step", "prior")
    kind = _lib.PARAM_FLOAT

    def __init__(self, name: str, min_value: float, max_value: float, step: float | None = None,
                 prior: str = "uniform") -> None:
        super().__init__(name)
        if prior not in _PRIORS:
            raise ValueError("prior of %r must be one of %s, not %r" % (name, ", ".join(map(repr, _PRIORS)), prior))
        self.min_value = _real(min_value, "min_value of %r" % name)
        self.max_value = _real(max_value, "max_value of %r" % name)
        self.step = 0.0 if step is None else _real(step, "step of %r" % name)
        self.prior = prior
        if prior != "uniform" and not self.continuous:
            raise ValueError("%r: prior=%r needs a continuous parameter (step None), a stepped one is a grid"
                             % (name, prior))
        if prior == "log-uniform" and not 0 < self.min_value < self.max_value:
            raise ValueError("%r: prior='log-uniform' needs 0 < min_value < max_value, got [%r, %r]"
                             % (name, self.min_value, self.max_value))

    @property
    def continuous(self) -> bool:
        return self.step == 0.0

    def _engine_range(self) -> tuple[float, float]:
        """The bounds of the variable btopt's engine searches uniformly."""
        if self.prior == "log-uniform":
            return math.log(self.min_value), math.log(self.max_value)
        if self.prior == "normal":
            return 0.0, 1.0
        return self.min_value, self.max_value

    def decode(self, engine_value: float) -> float:
        """The value of this parameter at the engine's variable ``engine_value``."""
        if self.prior == "log-uniform":
            value = math.exp(engine_value)
        elif self.prior == "normal":
            if not 0.0 < engine_value < 1.0:
                return self.min_value if engine_value <= 0.0 else self.max_value
            spread = statistics.NormalDist((self.min_value + self.max_value) / 2, (self.max_value - self.min_value) / 4)
            value = spread.inv_cdf(engine_value)
        else:
            return engine_value
        return min(max(value, self.min_value), self.max_value)

    def _key(self) -> tuple[Any, ...]:
        return (self.name, self.min_value, self.max_value, self.step, self.prior)

    def _add_to(self, lib: Any, space_pointer: int) -> None:
        lo, hi = self._engine_range()
        check(lib.btopt_space_add_float(space_pointer, _lib.encode(self.name, "a parameter name"), lo, hi, self.step))

    def __repr__(self) -> str:
        prior = "" if self.prior == "uniform" else ", prior=%r" % self.prior
        if self.continuous:
            return "ContinuousParameter(%r, %r, %r%s)" % (self.name, self.min_value, self.max_value, prior)
        return "ContinuousParameter(%r, %r, %r, step=%r)" % (self.name, self.min_value, self.max_value, self.step)


class CategoricalParameter(Parameter):
    """One of ``choices``. btopt keeps choices as strings; any Python values
    may be given (``[True, False]``, ``[10, 20]``): the objective and the
    results get back the very objects given, matched through ``str(value)``,
    which must therefore differ between choices."""

    __slots__ = ("choices", "_by_text")
    kind = _lib.PARAM_CHOICE

    def __init__(self, name: str, choices: Iterable[Any]) -> None:
        super().__init__(name)
        if isinstance(choices, (str, bytes)):
            raise TypeError("choices of %r must be a list of values, not a single %s" % (name, type(choices).__name__))
        self.choices = list(choices)
        self._by_text: dict[str, Any] = {}
        for choice in self.choices:
            text = choice if isinstance(choice, str) else str(choice)
            if text in self._by_text and self._by_text[text] is not choice:
                raise ValueError("choices of %r: %r and %r both read %r" % (name, self._by_text[text], choice, text))
            self._by_text[text] = choice

    def texts(self) -> list[str]:
        return [c if isinstance(c, str) else str(c) for c in self.choices]

    def decode(self, text: str) -> Any:
        """The choice whose text is ``text`` (the text itself when unknown)."""
        return self._by_text.get(text, text)

    def _key(self) -> tuple[Any, ...]:
        return (self.name, tuple(self.texts()))

    def _add_to(self, lib: Any, space_pointer: int) -> None:
        texts = [_lib.encode(t, "a choice") for t in self.texts()]
        array = (c_char_p * max(len(texts), 1))(*texts)
        check(
            lib.btopt_space_add_choice(space_pointer, _lib.encode(self.name, "a parameter name"), array, len(texts))
        )

    def __repr__(self) -> str:
        return "CategoricalParameter(%r, %r)" % (self.name, self.choices)


def _check_value(p: Parameter, value: Any) -> None:
    """ValueError unless ``value`` lies in the domain of ``p``."""
    if isinstance(p, CategoricalParameter):
        if value not in p.choices and str(value) not in p.texts():
            raise ValueError("Parameter %r value %r not in choices %r" % (p.name, value, p.choices))
        return
    assert isinstance(p, (DiscreteParameter, ContinuousParameter))
    if isinstance(p, DiscreteParameter):
        try:
            value = _integer(value, "parameter %r" % p.name)
        except TypeError as e:
            raise ValueError(str(e)) from None
    else:
        try:
            value = _real(value, "parameter %r" % p.name)
        except (TypeError, ValueError) as e:
            raise ValueError(str(e)) from None
    if not p.min_value <= value <= p.max_value:
        raise ValueError("Parameter %r value %r outside bounds [%r, %r]" % (p.name, value, p.min_value, p.max_value))
    if p.step and not _on_step(value - p.min_value, p.step):
        raise ValueError("Parameter %r value %r does not match step %r" % (p.name, value, p.step))


def _on_step(offset: Any, step: float) -> bool:
    if isinstance(offset, int) and isinstance(step, int):
        return offset % step == 0
    steps = float(offset) / step
    return abs(steps - round(steps)) <= 1e-9 * max(1.0, abs(steps))


class ParameterSpace:
    """The parameters to search, in declaration order (the grid's order: the
    last parameter varies fastest), and constraints every evaluated point
    satisfies (``'fast < slow'``, ``'fast * 2 <= slow && x > 1'``; over numeric
    parameters)."""

    def __init__(self, parameters: Iterable[Parameter] = (), constraints: str | Iterable[str] = ()) -> None:
        lib = _lib.library()
        out = c_void_p()
        check(lib.btopt_space_create(byref(out)))
        self._handle = Handle(out.value, lib.btopt_space_destroy, "ParameterSpace")
        self._parameters: list[Parameter] = []
        self._constraints: list[str] = []
        for parameter in parameters:
            self.add(parameter)
        if isinstance(constraints, str):
            constraints = [constraints]
        for expression in constraints:
            self.add_constraint(expression)

    # -- building --------------------------------------------------------
    def add(self, parameter: Parameter) -> "ParameterSpace":
        if not isinstance(parameter, Parameter):
            raise TypeError("expected a DiscreteParameter, ContinuousParameter or CategoricalParameter, not %s"
                            % type(parameter).__name__)
        parameter._add_to(_lib.library(), self._handle.pointer)
        self._parameters.append(parameter)
        return self

    def add_constraint(self, expression: str) -> "ParameterSpace":
        """Adds a condition over the numeric parameters declared so far."""
        if callable(expression):
            raise TypeError("btopt constraints are expressions such as 'fast < slow', not Python callables")
        for p in self._parameters:
            if isinstance(p, ContinuousParameter) and p.prior != "uniform" and re.search(r"\b%s\b" % re.escape(p.name), expression):
                raise ValueError("constraint %r names %r, whose prior=%r makes the engine search another variable: "
                                 "btopt constraints cannot name a parameter with a prior" % (expression, p.name, p.prior))
        check(_lib.library().btopt_space_add_constraint(self._handle.pointer, _lib.encode(expression, "a constraint")))
        self._constraints.append(expression)
        return self

    constrain = add_constraint

    # -- reading ---------------------------------------------------------
    def cardinality(self) -> int | float:
        """Number of points before constraints: an int, or ``math.inf`` when a
        parameter is continuous or the count passes 2**64 - 1."""
        n = c_uint64()
        check(_lib.library().btopt_space_cardinality(self._handle.pointer, byref(n)))
        return math.inf if n.value == _lib.UINT64_MAX else n.value

    @property
    def parameters(self) -> list[Parameter]:
        return list(self._parameters)

    @property
    def constraints(self) -> list[str]:
        return list(self._constraints)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self._parameters]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(list(self._parameters))

    def __getitem__(self, name: str) -> Parameter:
        return self.get_parameter(name)

    def get_parameter(self, name: str) -> Parameter:
        """The parameter called ``name``; KeyError when there is none."""
        for p in self._parameters:
            if p.name == name:
                return p
        raise KeyError("Parameter %r not found" % (name,))

    def validate_params(self, params: Mapping[str, Any]) -> bool:
        """True when ``params`` names every parameter once and each value lies
        in its parameter's domain (bounds, step, choices), as the original
        checks; ValueError naming the first that does not. Constraints are not
        evaluated here: btopt's search never proposes a point that breaks one."""
        missing = [p.name for p in self._parameters if p.name not in params]
        if missing:
            raise ValueError("Missing parameters: %s" % ", ".join(missing))
        unknown = [name for name in params if name not in self]
        if unknown:
            raise ValueError("Unknown parameters: %s" % ", ".join(map(str, unknown)))
        for p in self._parameters:
            _check_value(p, params[p.name])
        return True

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self._parameters)

    def __repr__(self) -> str:
        return "ParameterSpace(parameters=%r, constraints=%r)" % (self._parameters, self._constraints)

    # -- ownership -------------------------------------------------------
    def close(self) -> None:
        """Frees the C space now (optimizers copy it, so they are unaffected)."""
        self._handle.close()

    def __enter__(self) -> ParameterSpace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _pointer(self) -> int:
        return self._handle.pointer

    def _decoders(self) -> dict[str, Parameter]:
        """name -> the parameter, for those whose values the engine holds in
        another form: choices that are not plain strings, floats with a prior."""
        return {
            p.name: p
            for p in self._parameters
            if isinstance(p, CategoricalParameter) and any(not isinstance(c, str) for c in p.choices)
            or isinstance(p, ContinuousParameter) and p.prior != "uniform"
        }

    @classmethod
    def _read(cls, space_pointer: int) -> ParameterSpace:
        """A new space equal to a C space this binding does not own (a plugin's)."""
        lib = _lib.library()
        parameters: list[Parameter] = []
        for i in range(lib.btopt_space_param_count(space_pointer)):
            name = _lib.decode(lib.btopt_space_param_name(space_pointer, i))
            kind = lib.btopt_space_param_kind(space_pointer, i)
            if kind == _lib.PARAM_INT:
                ilo, ihi, istep = c_int64(), c_int64(), c_int64()
                check(lib.btopt_space_param_int_range(space_pointer, i, byref(ilo), byref(ihi), byref(istep)))
                parameters.append(DiscreteParameter(name, ilo.value, ihi.value, step=istep.value))
            elif kind == _lib.PARAM_FLOAT:
                lo, hi, step = c_double(), c_double(), c_double()
                check(lib.btopt_space_param_float_range(space_pointer, i, byref(lo), byref(hi), byref(step)))
                parameters.append(ContinuousParameter(name, lo.value, hi.value, step=step.value))
            else:
                choices = [
                    _lib.decode(lib.btopt_space_param_choice(space_pointer, i, j))
                    for j in range(lib.btopt_space_param_choice_count(space_pointer, i))
                ]
                parameters.append(CategoricalParameter(name, choices))
        constraints = [
            _lib.decode(lib.btopt_space_constraint(space_pointer, i))
            for i in range(lib.btopt_space_constraint_count(space_pointer))
        ]
        return cls(parameters, constraints)


class ParamsReader:
    """Turns a ``btopt_params`` view into a dict ``{name: value}``: ints stay
    ints, floats are floats, choices come back as the objects declared.

    The names and kinds are the same for every point of a run, so they are
    read once and reused."""

    __slots__ = ("_lib", "_decoders", "_layout")

    def __init__(self, decoders: Mapping[str, Parameter] | None = None) -> None:
        self._lib = _lib.library()
        self._decoders = decoders or {}
        self._layout: tuple[tuple[bytes, str, int], ...] | None = None

    def _read_layout(self, view: int) -> tuple[tuple[bytes, str, int], ...]:
        lib = self._lib
        layout = []
        for i in range(lib.btopt_params_count(view)):
            raw = lib.btopt_params_name(view, i)
            layout.append((raw, _lib.decode(raw), lib.btopt_params_kind(view, i)))
        return tuple(layout)

    def __call__(self, view: int) -> dict[str, Any]:
        lib = self._lib
        layout = self._layout
        if layout is None or len(layout) != lib.btopt_params_count(view):
            layout = self._layout = self._read_layout(view)
        values: dict[str, Any] = {}
        for raw, name, kind in layout:
            value: Any
            if kind == _lib.PARAM_INT:
                integer = c_int64()
                check(lib.btopt_params_get_int(view, raw, byref(integer)))
                value = integer.value
            elif kind == _lib.PARAM_FLOAT:
                real = c_double()
                check(lib.btopt_params_get_double(view, raw, byref(real)))
                value = real.value
            else:
                text = c_char_p()
                check(lib.btopt_params_get_string(view, raw, byref(text)))
                value = _lib.decode(text.value)
            decoder = self._decoders.get(name)
            values[name] = decoder.decode(value) if decoder is not None else value
        return values
