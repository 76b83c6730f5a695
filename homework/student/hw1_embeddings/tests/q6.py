OK_FORMAT = True

test = {   'name': 'q6',
    'points': [0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.data import analogy_questions\n'
                                               ">>> assert weakest_section in analogy_questions(), f'expected the name of a section, one of {list(analogy_questions())}, got {weakest_section!r}'\n"
                                               ">>> assert isinstance(weakest_accuracy, (int, float)) and 0 <= weakest_accuracy <= 1, f'expected an accuracy between 0 and 1, got "
                                               "{weakest_accuracy!r}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
