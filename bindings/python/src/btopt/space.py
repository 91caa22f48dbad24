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
from ctypes import byref, c_char_p, c_double, c_int64, c_uint64, c_void_p

from . import _lib
from ._handle import Handle
from .errors import check


def _integer(value, what):
    if isinstance(value, bool):
        raise TypeError("%s must be an integer, not bool" % what)
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError("%s must be an integer, not %s" % (what, type(value).__name__)) from None


def _real(value, what):
    if isinstance(value, (bool, str, bytes)):
        raise TypeError("%s must be a number, not %s" % (what, type(value).__name__))
    return float(value)


class Parameter:
    """A named dimension of a space."""

    __slots__ = ("name",)
    kind: int

    def __init__(self, name: str):
        if not isinstance(name, str):
            raise TypeError("a parameter name must be a str, not %s" % type(name).__name__)
        self.name = name

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__,) + self._key())

    def _key(self):
        raise NotImplementedError

    def _add_to(self, lib, space_pointer):
        raise NotImplementedError


class DiscreteParameter(Parameter):
    """Integers ``min_value, min_value + step, ...`` up to the last one not above
    ``max_value`` (both ends included): ``DiscreteParameter('fast', 10, 50, step=5)``
    is 10, 15, ..., 50."""

    __slots__ = ("min_value", "max_value", "step")
    kind = _lib.PARAM_INT

    def __init__(self, name: str, min_value: int, max_value: int, step: int = 1):
        super().__init__(name)
        self.min_value = _integer(min_value, "min_value of %r" % name)
        self.max_value = _integer(max_value, "max_value of %r" % name)
        self.step = _integer(step, "step of %r" % name)

    def _key(self):
        return (self.name, self.min_value, self.max_value, self.step)

    def _add_to(self, lib, space_pointer):
        check(
            lib.btopt_space_add_int(
                space_pointer,
                _lib.encode(self.name, "a parameter name"),
                self.min_value,
                self.max_value,
                self.step,
            )
        )

    def __repr__(self):
        return "DiscreteParameter(%r, %d, %d, step=%d)" % self._key()


class ContinuousParameter(Parameter):
    """Floats in ``[min_value, max_value]``: continuous when ``step`` is None or 0
    (random and genetic search only; a grid refuses it), else the values
    ``min_value, min_value + step, ...`` like a DiscreteParameter.

    ``prior`` is accepted for the original's signature; btopt samples
    uniformly, so only ``'uniform'`` is allowed."""

    __slots__ = ("min_value", "max_value", "step")
    kind = _lib.PARAM_FLOAT

    def __init__(self, name: str, min_value: float, max_value: float, step=None, prior: str = "uniform"):
        super().__init__(name)
        if prior != "uniform":
            raise ValueError("prior %r: btopt samples continuous parameters uniformly (prior='uniform')" % (prior,))
        self.min_value = _real(min_value, "min_value of %r" % name)
        self.max_value = _real(max_value, "max_value of %r" % name)
        self.step = 0.0 if step is None else _real(step, "step of %r" % name)

    @property
    def continuous(self) -> bool:
        return self.step == 0.0

    def _key(self):
        return (self.name, self.min_value, self.max_value, self.step)

    def _add_to(self, lib, space_pointer):
        check(
            lib.btopt_space_add_float(
                space_pointer,
                _lib.encode(self.name, "a parameter name"),
                self.min_value,
                self.max_value,
                self.step,
            )
        )

    def __repr__(self):
        if self.continuous:
            return "ContinuousParameter(%r, %r, %r)" % (self.name, self.min_value, self.max_value)
        return "ContinuousParameter(%r, %r, %r, step=%r)" % self._key()


class CategoricalParameter(Parameter):
    """One of ``choices``. btopt keeps choices as strings; any Python values
    may be given (``[True, False]``, ``[10, 20]``): the objective and the
    results get back the very objects given, matched through ``str(value)``,
    which must therefore differ between choices."""

    __slots__ = ("choices", "_by_text")
    kind = _lib.PARAM_CHOICE

    def __init__(self, name: str, choices):
        super().__init__(name)
        if isinstance(choices, (str, bytes)):
            raise TypeError("choices of %r must be a list of values, not a single %s" % (name, type(choices).__name__))
        self.choices = list(choices)
        self._by_text = {}
        for choice in self.choices:
            text = choice if isinstance(choice, str) else str(choice)
            if text in self._by_text and self._by_text[text] is not choice:
                raise ValueError("choices of %r: %r and %r both read %r" % (name, self._by_text[text], choice, text))
            self._by_text[text] = choice

    def texts(self):
        return [c if isinstance(c, str) else str(c) for c in self.choices]

    def decode(self, text: str):
        """The choice whose text is ``text`` (the text itself when unknown)."""
        return self._by_text.get(text, text)

    def _key(self):
        return (self.name, tuple(self.texts()))

    def _add_to(self, lib, space_pointer):
        texts = [_lib.encode(t, "a choice") for t in self.texts()]
        array = (c_char_p * max(len(texts), 1))(*texts)
        check(
            lib.btopt_space_add_choice(space_pointer, _lib.encode(self.name, "a parameter name"), array, len(texts))
        )

    def __repr__(self):
        return "CategoricalParameter(%r, %r)" % (self.name, self.choices)


class ParameterSpace:
    """The parameters to search, in declaration order (the grid's order: the
    last parameter varies fastest), and constraints every evaluated point
    satisfies (``'fast < slow'``, ``'fast * 2 <= slow && x > 1'``; over numeric
    parameters)."""

    def __init__(self, parameters=(), constraints=()):
        lib = _lib.library()
        out = c_void_p()
        check(lib.btopt_space_create(byref(out)))
        self._handle = Handle(out.value, lib.btopt_space_destroy, "ParameterSpace")
        self._parameters = []
        self._constraints = []
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
        check(_lib.library().btopt_space_add_constraint(self._handle.pointer, _lib.encode(expression, "a constraint")))
        self._constraints.append(expression)
        return self

    constrain = add_constraint

    # -- reading ---------------------------------------------------------
    def cardinality(self):
        """Number of points before constraints: an int, or ``math.inf`` when a
        parameter is continuous or the count passes 2**64 - 1."""
        n = c_uint64()
        check(_lib.library().btopt_space_cardinality(self._handle.pointer, byref(n)))
        return math.inf if n.value == _lib.UINT64_MAX else n.value

    @property
    def parameters(self):
        return list(self._parameters)

    @property
    def constraints(self):
        return list(self._constraints)

    @property
    def names(self):
        return [p.name for p in self._parameters]

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(list(self._parameters))

    def __getitem__(self, name: str) -> Parameter:
        for p in self._parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def __contains__(self, name):
        return any(p.name == name for p in self._parameters)

    def __repr__(self):
        return "ParameterSpace(parameters=%r, constraints=%r)" % (self._parameters, self._constraints)

    # -- ownership -------------------------------------------------------
    def close(self) -> None:
        """Frees the C space now (optimizers copy it, so they are unaffected)."""
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def _pointer(self) -> int:
        return self._handle.pointer

    def _decoders(self):
        """name -> CategoricalParameter for the choices that are not plain strings."""
        return {
            p.name: p
            for p in self._parameters
            if isinstance(p, CategoricalParameter) and any(not isinstance(c, str) for c in p.choices)
        }

    @classmethod
    def _read(cls, space_pointer) -> "ParameterSpace":
        """A new space equal to a C space this binding does not own (a plugin's)."""
        lib = _lib.library()
        parameters = []
        for i in range(lib.btopt_space_param_count(space_pointer)):
            name = _lib.decode(lib.btopt_space_param_name(space_pointer, i))
            kind = lib.btopt_space_param_kind(space_pointer, i)
            if kind == _lib.PARAM_INT:
                lo, hi, step = c_int64(), c_int64(), c_int64()
                check(lib.btopt_space_param_int_range(space_pointer, i, byref(lo), byref(hi), byref(step)))
                parameters.append(DiscreteParameter(name, lo.value, hi.value, step=step.value))
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

    def __init__(self, decoders=None):
        self._lib = _lib.library()
        self._decoders = decoders or {}
        self._layout = None

    def _read_layout(self, view):
        lib = self._lib
        layout = []
        for i in range(lib.btopt_params_count(view)):
            raw = lib.btopt_params_name(view, i)
            layout.append((raw, _lib.decode(raw), lib.btopt_params_kind(view, i)))
        return tuple(layout)

    def __call__(self, view) -> dict:
        lib = self._lib
        layout = self._layout
        if layout is None or len(layout) != lib.btopt_params_count(view):
            layout = self._layout = self._read_layout(view)
        values = {}
        for raw, name, kind in layout:
            if kind == _lib.PARAM_INT:
                out = c_int64()
                check(lib.btopt_params_get_int(view, raw, byref(out)))
                values[name] = out.value
            elif kind == _lib.PARAM_FLOAT:
                out = c_double()
                check(lib.btopt_params_get_double(view, raw, byref(out)))
                values[name] = out.value
            else:
                out = c_char_p()
                check(lib.btopt_params_get_string(view, raw, byref(out)))
                text = _lib.decode(out.value)
                decoder = self._decoders.get(name)
                values[name] = decoder.decode(text) if decoder is not None else text
        return values
