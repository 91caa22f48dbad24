"""Options read back through the library's catalogue."""

import pytest

import btopt
from btopt import DiscreteParameter, NotFoundError, ParallelOptimizer, ParameterSpace


def optimizer(**options):
    return ParallelOptimizer(lambda p: 0.0, ParameterSpace([DiscreteParameter('a', 0, 3)]), 'genetic', n_jobs=1,
                             **options)


def test_the_catalogue_lists_each_option_with_its_type_and_default():
    catalogue = {o['name']: o for o in btopt.option_catalogue()}
    assert catalogue['n_jobs']['type'] == 'int' and catalogue['n_jobs']['cli_flag'] == '--jobs'
    assert catalogue['mutation_rate'] == dict(catalogue['mutation_rate'], type='double', default='0.2')
    assert all(o['doc'] for o in catalogue.values())


def test_options_read_back_what_was_set_or_their_default():
    opt = optimizer(population_size=30, crossover_rate=0.5, direction='minimize', max_memory_per_worker='1MB')
    assert opt.get_option('population_size') == 30
    assert opt.get_option('n_generations') == 10
    assert opt.get_option('crossover_rate') == 0.5
    assert opt.get_option('direction') == 'minimize'
    assert opt.get_option('max_memory_per_worker') == str(1 << 20)
    assert opt.get_option('n_jobs') == 1
    with pytest.raises(NotFoundError):
        opt.get_option('no_such_option')
