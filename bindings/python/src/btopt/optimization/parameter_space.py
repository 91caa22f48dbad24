"""``btopt.optimization.parameter_space``: mirrors ``rustybt.optimization.parameter_space``."""

from ..space import CategoricalParameter, ContinuousParameter, DiscreteParameter, Parameter, ParameterSpace

__all__ = ["CategoricalParameter", "ContinuousParameter", "DiscreteParameter", "Parameter", "ParameterSpace"]
