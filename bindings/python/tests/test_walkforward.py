"""WalkForwardOptimizer and WindowConfig, the original's names over
btopt_optimizer_walkforward (docs/VALIDATION.md, "Walk-forward")."""

import pytest

from btopt import (InvalidArgumentError, ParallelOptimizer, UnsupportedError, WalkForwardOptimizer, WindowConfig,
                   DiscreteParameter, ParameterSpace)


def snooper(test_plugin, **kwargs):
    return ParallelOptimizer(plugin=test_plugin('snooper'), n_jobs=2, **kwargs)


def test_rolling_and_expanding_windows(test_plugin):
    rolling = WalkForwardOptimizer(snooper(test_plugin), WindowConfig(train_period=500, test_period=250)).run()
    assert len(rolling.windows) == 8
    assert [w['train']['first_bar'] for w in rolling.windows] == [250 * k for k in range(8)]
    assert min(rolling.in_sample_scores) > 2.0  # the best of 4096 random paths, on its own bars
    assert abs(sum(rolling.out_of_sample_scores) / 8) < 0.6  # knows nothing after them
    assert abs(rolling.walk_forward_efficiency) < 0.3
    assert set(rolling.parameter_stability) == {'path'}
    assert len(rolling.chosen_params) == 8 and all(set(p) == {'path'} for p in rolling.chosen_params)

    expanding = WalkForwardOptimizer(snooper(test_plugin),
                                     WindowConfig(1000, None, 500, step_size=500, window_type='expanding')).run()
    assert [(w['train']['first_bar'], w['test']['first_bar']) for w in expanding.windows] == [(0, 1000), (0, 1500), (0, 2000)]


def test_a_validation_period_chooses_among_the_best_train_points(test_plugin):
    result = WalkForwardOptimizer(snooper(test_plugin), WindowConfig(500, 250, 250)).run()
    assert len(result.windows) == 7  # 750 + 250 k + 250 <= 2520
    for w in result.windows:
        assert w['validation']['first_bar'] == w['train']['last_bar'] + 1
        assert w['test']['first_bar'] == w['validation']['last_bar'] + 1
        assert w['validation_candidates'] == 10


def test_refusals(test_plugin):
    with pytest.raises(InvalidArgumentError, match='window 1 does not fit'):
        WalkForwardOptimizer(snooper(test_plugin), WindowConfig(train_period=2500, test_period=100)).run()
    with pytest.raises(ValueError, match='window_type'):
        WalkForwardOptimizer(snooper(test_plugin), WindowConfig(500, None, 250, window_type='sliding')).run()
    space = ParameterSpace(parameters=[DiscreteParameter('x', 0, 3)])
    host = ParallelOptimizer(objective_function=lambda p: p['x'], parameter_space=space, n_jobs=1)
    with pytest.raises(UnsupportedError, match='plugin'):
        WalkForwardOptimizer(host, WindowConfig(500, None, 250)).run()


def test_a_walk_forward_in_a_study_reuses_every_window_the_second_time(test_plugin, tmp_path):
    # Through btopt_optimizer_walkforward with the option `study` set (docs/STUDIES.md, "Walk-forward").
    study = str(tmp_path / 's.db')
    config = WindowConfig(train_period=1000, test_period=500)
    first = WalkForwardOptimizer(snooper(test_plugin, study=study), config).run()
    again = WalkForwardOptimizer(snooper(test_plugin, study=study), config).run()
    assert first.data['study'] == study and first.data['n_reused'] == 0 and first.data['n_evaluated'] > 0
    assert again.data['n_evaluated'] == 0 and again.data['n_reused'] == first.data['n_evaluated']
    assert again.windows == first.windows
