OK_FORMAT = True

test = {   'name': 'q5',
    'points': [0.5, 0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.nn.modules.rnn', 'torch.lstm', 'torch.lstm_cell', 'nlpcourse')\n"
                                               '>>> _count = _call(lstm_parameter_count, 10, 20)\n'
                                               ">>> assert _count == 2560, f'nn.LSTM(10, 20): expected 2,560 parameters, got {_count!r}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.nn.modules.rnn', 'torch.lstm', 'torch.lstm_cell', 'nlpcourse')\n"
                                               '>>> _ = torch.manual_seed(502)\n'
                                               '>>> _expected = sum((_p.numel() for _p in nn.LSTM(7, 5, num_layers=2).parameters()))\n'
                                               '>>> _count = _call(lstm_parameter_count, 7, 5, num_layers=2)\n'
                                               ">>> assert _count == _expected, f'nn.LSTM(7, 5, num_layers=2): expected {_expected} parameters, got {_count!r}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
