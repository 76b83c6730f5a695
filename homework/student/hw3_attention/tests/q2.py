OK_FORMAT = True

test = {   'name': 'q2',
    'points': [0.75],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('nlpcourse')\n"
                                               '>>> _pe = _call(positional_encoding, 50, 16)\n'
                                               ">>> assert tuple(_pe.shape) == (50, 16), f'positional_encoding(50, 16): expected shape (50, 16), got {shown(_pe)}'\n"
                                               ">>> assert _pe.is_floating_point(), f'expected a floating table, got {_pe.dtype}'\n"
                                               ">>> assert torch.allclose(_pe[0].double(), torch.tensor([0.0, 1.0] * 8, dtype=torch.float64)), f'position 0: expected [0, 1, 0, 1, ...], got "
                                               "{shown(_pe[0])}'\n"
                                               ">>> assert torch.allclose(_pe[:, 0].double(), torch.sin(torch.arange(50.0, dtype=torch.float64)), atol=1e-05), f'column 0: expected sin(p), got "
                                               "{shown(_pe[:, 0])}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
