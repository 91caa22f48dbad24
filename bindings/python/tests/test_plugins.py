"""Strategy plugins as the objective: metrics, config, narrowing, crash isolation."""

import math

import pytest

import btopt
from btopt import (
    DiscreteParameter,
    InvalidArgumentError,
    ObjectiveError,
    ParallelOptimizer,
    ParameterSpace,
    PluginError,
    TrialStatus,
    UnsupportedError,
)

METRICS = ['sharpe', 'sortino', 'total_return', 'cagr', 'max_drawdown', 'trades', 'exposure', 'skewness', 'kurtosis',
           'btopt.returns', *('btopt.block_sum.%d' % k for k in range(1, 17)),
           *('btopt.block_sumsq.%d' % k for k in range(1, 17))]


def test_describe_plugin():
    info = btopt.describe_plugin('sma_crossover')
    assert info['name'] == 'sma_crossover' and info['version'] and info['description']
    assert info['path'].endswith('sma_crossover.so')
    assert info['metrics'] == METRICS and info['default_metric'] == 'sharpe'
    assert info['parameters'] == [
        {'name': 'fast', 'kind': 'int', 'min_value': 10, 'max_value': 50, 'step': 5},
        {'name': 'slow', 'kind': 'int', 'min_value': 50, 'max_value': 200, 'step': 25},
    ]
    assert info['constraints'] == ['fast < slow']
    assert info['space'].cardinality() == 63
    assert info['lower_is_better'] == ['max_drawdown']
    # The keys plugins/backtest.hpp declares, as `btopt describe` lists them.
    assert [k['name'] for k in info['config']] == ['data', 'price', 'commission', 'periods_per_year', 'cache',
                                                   'cache_dir', 'synthetic_bars', 'synthetic_seed']
    price = info['config'][1]
    assert (price['type'], price['default'], price['allowed']) == ('choice', 'close', 'close, adj_close')
    commission = info['config'][2]
    assert (commission['type'], commission['default'], commission['allowed']) == ('number', '0', '0 to 1')
    assert commission['doc'].startswith('cost per unit of position change')


def test_describe_a_c_plugin(test_plugin):
    info = btopt.describe_plugin(test_plugin('c_quadratic'))
    assert info['metrics'] == ['x_times_y', 'score'] and info['default_metric'] == 'score'
    assert [p['kind'] for p in info['parameters']] == ['int', 'float', 'choice']
    assert info['parameters'][2]['choices'] == ['add', 'mul']
    assert info['config'] is None  # it declares no keys: every key reaches its init
    assert info['lower_is_better'] == []


def test_unknown_plugin():
    with pytest.raises(PluginError) as info:
        btopt.describe_plugin('no_such_strategy')
    assert 'no_such_strategy' in str(info.value)
    with pytest.raises(PluginError):
        ParallelOptimizer(plugin='no_such_strategy', algorithm='grid')


def test_plugin_grid_with_metrics():
    result = ParallelOptimizer(plugin='sma_crossover', plugin_config={'commission': '0.001'},
                               objective_metric='sharpe', parameter_space=None, algorithm='grid',
                               n_jobs=2).optimize()
    assert result.metric_names == METRICS
    assert len(result.trials) == 62  # 63 points, minus fast=50, slow=50 (fast < slow)
    for t in result.trials:
        assert set(t.metrics) == set(METRICS)
        if t.ok:
            assert t.score == t.metrics['sharpe']
    best = max((t for t in result.trials if t.ok), key=lambda t: t.score)
    assert result.best_params == best.params and result.best_metrics == best.metrics


def test_objective_metric_direction_and_config_change_the_answer():
    def best(**kw):
        return ParallelOptimizer(plugin='sma_crossover', algorithm='grid', n_jobs=2, **kw).optimize()

    by_drawdown = best(objective_metric='max_drawdown', direction='minimize')
    assert by_drawdown.best_score == min(t.metrics['max_drawdown'] for t in by_drawdown.trials if t.ok)
    cheap, dear = best(), best(plugin_config={'commission': 0.01})
    assert cheap.trials[0].metrics['total_return'] > dear.trials[0].metrics['total_return']


def test_a_narrowing_space():
    space = ParameterSpace([DiscreteParameter('fast', 10, 20, step=5)])
    result = ParallelOptimizer(plugin='sma_crossover', parameter_space=space, algorithm='grid',
                               n_jobs=2).optimize()
    assert {t.params['fast'] for t in result.trials} == {10, 15, 20}
    assert {t.params['slow'] for t in result.trials} == set(range(50, 201, 25))  # the plugin's own range
    # A space's constraints name its own parameters: redeclare one to constrain it.
    space = ParameterSpace([DiscreteParameter('fast', 10, 20, step=5), DiscreteParameter('slow', 25, 75, step=25)],
                           constraints=['slow >= 3 * fast'])
    result = ParallelOptimizer(plugin='sma_crossover', parameter_space=space, algorithm='grid',
                               n_jobs=2).optimize()
    assert [(t.params['fast'], t.params['slow']) for t in result.trials] == [(10, 50), (10, 75), (15, 50),
                                                                              (15, 75), (20, 75)]
    with pytest.raises(InvalidArgumentError):
        ParallelOptimizer(plugin='sma_crossover', parameter_space=ParameterSpace([DiscreteParameter('nope', 1, 2)]),
                          algorithm='grid')


def test_bad_metric_and_bad_config():
    with pytest.raises(InvalidArgumentError, match='sharpe'):  # the message lists the metrics
        ParallelOptimizer(plugin='sma_crossover', objective_metric='alpha', algorithm='grid')
    # The plugin declares its config keys: a value it does not allow and an unknown key are refused at once.
    with pytest.raises(InvalidArgumentError, match="'price' = 'open'.*close, adj_close"):
        ParallelOptimizer(plugin='sma_crossover', plugin_config={'price': 'open'}, algorithm='grid', n_jobs=1)
    with pytest.raises(InvalidArgumentError, match="no config key 'comission'.*commission"):
        ParallelOptimizer(plugin='sma_crossover', plugin_config={'comission': 0.01}, algorithm='grid', n_jobs=1)
    with pytest.raises(InvalidArgumentError):
        ParallelOptimizer(plugin='sma_crossover', plugin_config={'a=b': '1'}, algorithm='grid')


@pytest.mark.parametrize('backend', ['inline', 'thread', 'process'])
def test_plugin_backends_agree(backend):
    def rows(**kw):
        r = ParallelOptimizer(plugin='sma_crossover', algorithm='genetic', random_seed=3, population_size=8,
                              n_generations=3, **kw).optimize()
        return [(t.number, t.params, t.score, t.metrics) for t in r.trials]

    assert rows(n_jobs=1 if backend == 'inline' else 2, backend=backend) == rows(n_jobs=1, backend='process')


def test_c_plugin_with_floats_and_choices(test_plugin):
    result = ParallelOptimizer(plugin=test_plugin('c_quadratic'), plugin_config={'offset': 10}, algorithm='grid',
                               n_jobs=2).optimize()
    assert result.best_params == {'x': 2, 'y': 0.0, 'mode': 'mul'}
    assert result.best_score == 10.5
    assert all(t.params['x'] != 0 for t in result.trials)
    assert result.trials[0].metrics['x_times_y'] == result.trials[0].params['x'] * result.trials[0].params['y']


def test_crash_isolation_with_faulty(test_plugin):
    faulty = test_plugin('faulty')
    result = ParallelOptimizer(plugin=faulty, plugin_config={'crash_mod': 7}, algorithm='grid', n_jobs=2,
                               ignore_errors=True).optimize()
    crashed = {10 * t.params['a'] + t.params['b'] for t in result.trials if t.status == TrialStatus.CRASHED}
    assert crashed == {i for i in range(100) if i % 7 == 0}
    assert result.status_counts[TrialStatus.OK] == 100 - len(crashed)
    assert result.best_params == {'a': 7, 'b': 3} and result.best_score == 0.0
    assert all(t.metrics['score'] is None for t in result.trials if t.status == TrialStatus.CRASHED)

    with pytest.raises(ObjectiveError) as info:
        ParallelOptimizer(plugin=faulty, plugin_config={'crash_mod': 7}, algorithm='grid', n_jobs=2).optimize()
    assert 'a=0, b=0' in str(info.value)
    assert info.value.partial_result.trials[0].status == TrialStatus.CRASHED


def test_plugin_failures_and_timeouts(test_plugin):
    faulty = test_plugin('faulty')
    result = ParallelOptimizer(plugin=faulty, plugin_config={'fail_mod': 10, 'hang_at': 9}, algorithm='grid',
                               n_jobs=2, ignore_errors=True, eval_timeout=0.5,
                               parameter_space=ParameterSpace([DiscreteParameter('b', 0, 1)])).optimize()
    by_point = {(t.params['a'], t.params['b']): t for t in result.trials}
    assert by_point[(3, 0)].status == TrialStatus.FAILED and 'refused point 30' in by_point[(3, 0)].error
    assert by_point[(9, 1)].status == TrialStatus.TIMEOUT
    assert by_point[(3, 1)].status == TrialStatus.OK


def test_equity_curve():
    optimizer = ParallelOptimizer(plugin='sma_crossover', algorithm='grid', n_jobs=2)
    result = optimizer.optimize()
    try:
        curve = optimizer.equity_curve(result)
    except UnsupportedError:
        pytest.skip("this build's sma_crossover reports no equity curves")
    assert len(curve.equity) == len(curve.buy_and_hold) > 100
    assert curve.equity[0] == 1.0 and curve.buy_and_hold[0] == 1.0
    assert math.isclose(curve.equity[-1] - 1, result.best_metrics['total_return'], rel_tol=1e-9)
    assert optimizer.equity_curve(result.trials[5]).equity != curve.equity


def test_equity_curve_unsupported(test_plugin):
    optimizer = ParallelOptimizer(plugin=test_plugin('c_quadratic'), algorithm='grid', n_jobs=1)
    result = optimizer.optimize()
    with pytest.raises(UnsupportedError):
        optimizer.equity_curve(result)
    host = ParallelOptimizer(objective_function=lambda p: p['x'], parameter_space=ParameterSpace(
        [DiscreteParameter('x', 1, 2)]), n_jobs=1)
    with pytest.raises(InvalidArgumentError):
        host.equity_curve(host.optimize())


def test_selection_statistics_match_the_result_file(tmp_path):
    """result.selection (through btopt_result_selection) says what the JSON file says, and the robust point
    and sensitivity table come from the trials themselves (docs/VALIDATION.md)."""
    import json

    result = ParallelOptimizer(plugin='sma_crossover', algorithm='grid', n_jobs=2, select='robust').optimize()
    result.write_json(str(tmp_path / 'out.json'))
    written = json.loads((tmp_path / 'out.json').read_text())['selection']
    s = result.selection
    for key in ('psr', 'dsr', 'expected_max_sharpe', 'pbo', 'pbo_logit_mean', 'robust_score', 'best_neighbourhood'):
        assert s[key] == pytest.approx(written[key], rel=1e-15), key
    assert s['n_trials'] == written['n_trials'] == 62 and s['pbo_splits'] == 12870
    assert 0 < s['dsr'] <= s['psr'] < 1
    trials = result.trials
    robust = trials[s['robust_index']]
    assert s['chosen_index'] == s['robust_index'] and written['chosen_trial'] == robust.number
    # The robust point's worst neighbour (within one grid step on each axis) is its neighbourhood score.
    step = {'fast': 5, 'slow': 25}
    neighbours = [t.score for t in trials if t.ok and all(abs(t.params[p] - robust.params[p]) <= step[p] for p in step)]
    assert s['robust_score'] == min(neighbours)
    assert all(s['robust_score'] >= min(t.score for t in trials if t.ok and
                                        all(abs(t.params[p] - u.params[p]) <= step[p] for p in step))
               for u in trials if u.ok)
    best = result.best_params
    for p, (lo, hi, n) in s['sensitivity'].items():
        line = [t.score for t in trials if t.ok and all(t.params[q] == best[q] for q in step if q != p)]
        assert (lo, hi, n) == (min(line), max(line), len(line))


def _write_bars(path, first, n):
    """Daily bars on weekdays from `first`: a gentle random walk, as a CSV the kit reads."""
    import datetime
    import random

    rng = random.Random(5)
    day, close, rows = first, 100.0, ['Date,Open,High,Low,Close,Volume']
    dates, closes = [], []
    while len(dates) < n:
        if day.weekday() < 5:
            close *= 1 + rng.gauss(0, 0.01)
            rows.append('%s,%.4f,%.4f,%.4f,%.4f,1000' % (day.isoformat(), close, close * 1.01, close * 0.99, close))
            dates.append(day)
            closes.append(float('%.4f' % close))
        day += datetime.timedelta(days=1)
    path.write_text('\n'.join(rows) + '\n')
    return dates, closes


def _dated_sma(tmp_path):
    import datetime

    dates, closes = _write_bars(tmp_path / 'bars.csv', datetime.date(2021, 3, 1), 300)
    space = ParameterSpace([DiscreteParameter('fast', 5, 10, 5), DiscreteParameter('slow', 20, 30, 10)])
    optimizer = ParallelOptimizer(plugin='sma_crossover', plugin_config={'data': str(tmp_path / 'bars.csv')},
                                  parameter_space=space, algorithm='grid', n_jobs=1)
    return optimizer, optimizer.optimize(), dates, closes


def test_equity_curve_carries_the_bars_dates(tmp_path):
    optimizer, result, dates, closes = _dated_sma(tmp_path)
    curve = optimizer.equity_curve(result)
    assert curve.dates == dates  # the CSV's own dates, one per bar, as datetime.date
    assert len(curve.equity) == len(curve.buy_and_hold) == 300
    assert math.isclose(curve.buy_and_hold[-1], closes[-1] / closes[0], rel_tol=1e-9)
    import pickle

    assert pickle.loads(pickle.dumps(curve)) == curve  # plain data, dates included


def test_equity_curve_without_dates_is_none(test_plugin):
    optimizer = ParallelOptimizer(plugin=test_plugin('evil'), algorithm='grid', n_jobs=1)
    curve = optimizer.equity_curve(optimizer.optimize())
    assert curve.dates is None and len(curve.equity) == 2


def test_equity_curve_as_pandas_series_over_dates(tmp_path, test_plugin):
    pandas = pytest.importorskip('pandas')
    optimizer, result, dates, _ = _dated_sma(tmp_path)
    curve = optimizer.equity_curve(result)
    series = curve.to_series()
    assert isinstance(series, pandas.Series) and series.name == 'equity'
    assert isinstance(series.index, pandas.DatetimeIndex) and series.index.name == 'date'
    assert [d.date() for d in series.index] == dates
    assert series.tolist() == curve.equity
    assert series.loc[pandas.Timestamp(dates[-1])] == curve.equity[-1]
    hold = curve.to_series('buy_and_hold')
    assert hold.name == 'buy_and_hold' and hold.tolist() == curve.buy_and_hold
    frame = curve.to_pandas()
    assert frame.index.equals(series.index) and frame['equity'].tolist() == curve.equity
    with pytest.raises(ValueError, match='curve must be'):
        curve.to_series('drawdown')
    # Without dates, the bar numbers.
    evil = ParallelOptimizer(plugin=test_plugin('evil'), algorithm='grid', n_jobs=1)
    undated = evil.equity_curve(evil.optimize()).to_series()
    assert undated.index.tolist() == [0, 1] and undated.index.name == 'bar'
