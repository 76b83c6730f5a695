OK_FORMAT = True

test = {   'name': 'q3',
    'points': [0.25, 0.25],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               '>>> class _Counting:\n'
                                               '...     def step(self, token, state):\n'
                                               '...         return (5.0 * torch.nn.functional.one_hot((token + 1).clamp(max=5), 6).float(), state + 1)\n'
                                               ">>> _call = forbid('nlpcourse')\n"
                                               '>>> _ids = _call(greedy_decode, _Counting(), torch.zeros(2), sos=0, eos=5, max_len=10)\n'
                                               ">>> assert torch.is_tensor(_ids) and _ids.tolist() == [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], f'expected [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], got "
                                               "{shown(_ids)}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               '>>> class _Counting:\n'
                                               '...     def step(self, token, state):\n'
                                               '...         return (5.0 * torch.nn.functional.one_hot((token + 1).clamp(max=5), 6).float(), state + 1)\n'
                                               ">>> _call = forbid('nlpcourse')\n"
                                               '>>> _ids = _call(greedy_decode, _Counting(), torch.zeros(1), sos=0, eos=5, max_len=3)\n'
                                               ">>> assert torch.is_tensor(_ids) and _ids.tolist() == [[1, 2, 3]], f'max_len = 3: expected [[1, 2, 3]], got {shown(_ids)}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
