import math

import pytest

import btopt
from btopt import (
    CategoricalParameter,
    ContinuousParameter,
    DiscreteParameter,
    InvalidArgumentError,
    ParallelOptimizer,
    ParameterSpace,
)


def test_import_paths_mirror_the_original():
    import btopt.optimization as o
    import btopt.optimization.parameter_space as ps

    assert o.ParallelOptimizer is btopt.ParallelOptimizer and o.Optimizer is btopt.Optimizer
    assert ps.ParameterSpace is btopt.ParameterSpace
    assert ps.DiscreteParameter is btopt.DiscreteParameter
    assert ps.ContinuousParameter is btopt.ContinuousParameter
    assert ps.CategoricalParameter is btopt.CategoricalParameter


def test_library_versions():
    assert btopt.abi_version() == 1
    assert btopt.library_version().count(".") == 2


def test_cardinality_and_readback():
    space = ParameterSpace(parameters=[
        DiscreteParameter('fast', 10, 50, step=5),
        DiscreteParameter('slow', 50, 200, step=25),
        CategoricalParameter('mode', ['a', 'b']),
    ], constraints=['fast < slow'])
    assert space.cardinality() == 9 * 7 * 2
    assert space.names == ['fast', 'slow', 'mode']
    assert space.constraints == ['fast < slow']
    assert len(space) == 3 and 'slow' in space and space['fast'] == DiscreteParameter('fast', 10, 50, 5)
    # A range stops at the last step below hi.
    assert ParameterSpace([DiscreteParameter('x', 0, 10, step=3)]).cardinality() == 4
    assert ParameterSpace([ContinuousParameter('x', 0.0, 1.0, step=0.25)]).cardinality() == 5
    assert ParameterSpace([ContinuousParameter('x', 0.0, 1.0)]).cardinality() == math.inf


def test_read_back_through_c_matches():
    space = ParameterSpace([DiscreteParameter('a', -5, 5), ContinuousParameter('y', -1.0, 1.0, step=0.5),
                            CategoricalParameter('m', ['add', 'mul'])], constraints=['a != 0'])
    copy = ParameterSpace._read(space._pointer)
    assert copy.parameters == space.parameters and copy.constraints == space.constraints


@pytest.mark.parametrize("make, words", [
    (lambda: ParameterSpace([DiscreteParameter('x', 1, 2), DiscreteParameter('x', 1, 2)]), "x"),
    (lambda: ParameterSpace([DiscreteParameter('x', 5, 1)]), "x"),
    (lambda: ParameterSpace([DiscreteParameter('x', 1, 5, step=0)]), "step"),
    (lambda: ParameterSpace([ContinuousParameter('x', 0.0, math.nan)]), "x"),
    (lambda: ParameterSpace([CategoricalParameter('m', [])]), "m"),
    (lambda: ParameterSpace([CategoricalParameter('m', ['a', 'a'])]), "a"),
    (lambda: ParameterSpace([DiscreteParameter('', 1, 2)]), ""),
])
def test_bad_parameters_raise_invalid_argument_with_the_librarys_words(make, words):
    with pytest.raises(InvalidArgumentError) as info:
        make()
    assert isinstance(info.value, ValueError)
    assert info.value.status == 1 and info.value.status_name == "BTOPT_ERR_INVALID_ARGUMENT"
    assert words in str(info.value) and str(info.value)  # btopt_last_error()'s message


def test_bad_constraints():
    space = ParameterSpace([DiscreteParameter('fast', 1, 5), CategoricalParameter('m', ['a', 'b'])])
    with pytest.raises(InvalidArgumentError, match="nope"):
        space.add_constraint('fast < nope')
    with pytest.raises(InvalidArgumentError):
        space.add_constraint('fast < m')  # a categorical
    with pytest.raises(TypeError):
        space.add_constraint(lambda p: True)
    with pytest.raises(ValueError):
        space.add_constraint('fast\0 < 2')
    assert space.constraints == []


def test_python_type_checks():
    with pytest.raises(TypeError):
        DiscreteParameter('x', 1.5, 3)
    with pytest.raises(TypeError):
        DiscreteParameter('x', True, 3)
    with pytest.raises(TypeError):
        CategoricalParameter('x', 'ab')
    with pytest.raises(ValueError):
        ContinuousParameter('x', 0, 1, prior='log-uniform')
    with pytest.raises(ValueError):
        CategoricalParameter('x', [1, '1'])  # both read '1'
    with pytest.raises(TypeError):
        ParameterSpace([('x', 1, 2)])


def test_constraints_filter_points():
    space = ParameterSpace([DiscreteParameter('fast', 1, 5), DiscreteParameter('slow', 1, 5)],
                           constraints=['fast * 2 <= slow'])
    seen = []
    result = ParallelOptimizer(objective_function=lambda p: seen.append(p) or p['slow'] - p['fast'],
                               parameter_space=space, algorithm='grid', n_jobs=1).optimize()
    points = [t.params for t in result.trials]
    assert points == [{'fast': f, 'slow': s} for f in range(1, 6) for s in range(1, 6) if f * 2 <= s]
    assert seen == points  # inline: the objective ran here, in grid order


def test_categorical_choices_come_back_as_the_objects_given():
    space = ParameterSpace([CategoricalParameter('flag', [True, False]),
                            CategoricalParameter('window', [10, 20]),
                            CategoricalParameter('name', ['x', 'y'])])
    types = set()

    def objective(p):
        types.add((type(p['flag']), type(p['window']), type(p['name'])))
        return (1 if p['flag'] else 0) + p['window'] / 100

    result = ParallelOptimizer(objective_function=objective, parameter_space=space, algorithm='grid',
                               n_jobs=1).optimize()
    assert types == {(bool, int, str)}
    assert result.best_params == {'flag': True, 'window': 20, 'name': 'x'}
    assert result.trials[-1].params == {'flag': False, 'window': 20, 'name': 'y'}


def test_float_parameters_random_and_genetic():
    space = ParameterSpace([ContinuousParameter('x', -2.0, 2.0), DiscreteParameter('k', 0, 3)])
    for algorithm in ('random', 'genetic'):
        result = ParallelOptimizer(objective_function=lambda p: -(p['x'] - 0.5) ** 2 - p['k'],
                                   parameter_space=space, algorithm=algorithm, n_iterations=50,
                                   population_size=10, n_generations=3, random_seed=3, n_jobs=1).optimize()
        assert all(-2.0 <= t.params['x'] <= 2.0 and isinstance(t.params['x'], float) for t in result.trials)
    with pytest.raises(InvalidArgumentError):  # a grid cannot search a continuous float
        ParallelOptimizer(objective_function=lambda p: 0, parameter_space=space, algorithm='grid')


def test_space_is_copied_by_the_optimizer():
    space = ParameterSpace([DiscreteParameter('x', 0, 3)])
    opt = ParallelOptimizer(objective_function=lambda p: p['x'], parameter_space=space, algorithm='grid', n_jobs=1)
    space.close()
    space.close()  # twice is fine
    with pytest.raises(ValueError, match="closed"):
        space.cardinality()
    assert opt.optimize().best_params == {'x': 3}
