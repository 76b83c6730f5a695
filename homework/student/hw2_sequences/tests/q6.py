OK_FORMAT = True

test = {   'name': 'q6',
    'points': [0.5],
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(rnn_reach, int) and 1 <= rnn_reach <= 59, f'expected a number of steps between 1 and 59, got {rnn_reach!r}'\n"
                                               ">>> assert isinstance(lstm_reach, int) and 1 <= lstm_reach <= 59, f'expected a number of steps between 1 and 59, got {lstm_reach!r}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
