OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _pe = positional_encoding(50, 16)\n'
                                               '>>> assert tuple(_pe.shape) == (50, 16)\n'
                                               '>>> assert torch.allclose(_pe[0], torch.tensor([0.0, 1.0] * 8))\n'
                                               '>>> assert torch.allclose(_pe[:, 0], torch.sin(torch.arange(50.0)), atol=1e-05)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
