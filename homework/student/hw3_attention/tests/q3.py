OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _ids = greedy_decode(CountingDecoder(), torch.zeros(2), sos=0, eos=5, max_len=10)\n'
                                               '>>> assert _ids.tolist() == [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> _ids = greedy_decode(CountingDecoder(), torch.zeros(1), sos=0, eos=5, max_len=3)\n>>> assert _ids.tolist() == [[1, 2, 3]]\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
