OK_FORMAT = True

test = {   'name': 'q2',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _padded, _lengths, _labels = pad_collate([([5, 6, 7], 1), ([8], 0)])\n'
                                               '>>> assert _padded.tolist() == [[5, 6, 7], [8, 0, 0]]\n'
                                               '>>> assert _lengths.tolist() == [3, 1] and _labels.tolist() == [1, 0]\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
