OK_FORMAT = True

test = {   'name': 'q2',
    'points': [0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.nn.utils.rnn.pad_sequence', 'nlpcourse')\n"
                                               '>>> _padded, _lengths, _labels = _call(pad_collate, [([5, 6, 7], 1), ([8], 0)])\n'
                                               ">>> assert _padded.tolist() == [[5, 6, 7], [8, 0, 0]], f'expected padded [[5, 6, 7], [8, 0, 0]], got {shown(_padded)}'\n"
                                               ">>> assert _lengths.tolist() == [3, 1], f'expected lengths [3, 1], got {shown(_lengths)}'\n"
                                               ">>> assert _labels.tolist() == [1, 0], f'expected labels [1, 0], got {shown(_labels)}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
