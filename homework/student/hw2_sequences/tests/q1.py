OK_FORMAT = True

test = {   'name': 'q1',
    'points': [1],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.lstm_cell', 'torch.nn.LSTMCell', 'torch.nn.LSTM', 'nlpcourse')\n"
                                               '>>> _ = torch.manual_seed(201)\n'
                                               '>>> _cell = nn.LSTMCell(5, 3)\n'
                                               '>>> _g = torch.Generator().manual_seed(201)\n'
                                               '>>> _x, _h, _c = (torch.randn(4, 5, generator=_g), torch.randn(4, 3, generator=_g), torch.randn(4, 3, generator=_g))\n'
                                               '>>> _bias = (_cell.bias_ih + _cell.bias_hh).detach()\n'
                                               '>>> with torch.no_grad():\n'
                                               '...     _ours = _call(lstm_step, _x, _h, _c, _cell.weight_ih, _cell.weight_hh, _bias)\n'
                                               '...     _torch = _cell(_x, (_h, _c))\n'
                                               ">>> assert isinstance(_ours, tuple) and len(_ours) == 2, f'expected a pair (h, c), got {shown(_ours)}'\n"
                                               '>>> assert torch.allclose(_ours[0], _torch[0], atol=1e-05), f"h\': expected {shown(_torch[0])}, got {shown(_ours[0])}"\n'
                                               '>>> assert torch.allclose(_ours[1], _torch[1], atol=1e-05), f"c\': expected {shown(_torch[1])}, got {shown(_ours[1])}"\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
