OK_FORMAT = True

test = {   'name': 'q1',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _cell = nn.LSTMCell(5, 3)\n'
                                               '>>> _x, _h, _c = (torch.randn(4, 5), torch.randn(4, 3), torch.randn(4, 3))\n'
                                               '>>> _bias = (_cell.bias_ih + _cell.bias_hh).detach()\n'
                                               '>>> _ours = lstm_step(_x, _h, _c, _cell.weight_ih.detach(), _cell.weight_hh.detach(), _bias)\n'
                                               '>>> _torch = _cell(_x, (_h, _c))\n'
                                               '>>> assert torch.allclose(_ours[0], _torch[0], atol=1e-05) and torch.allclose(_ours[1], _torch[1], atol=1e-05)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
