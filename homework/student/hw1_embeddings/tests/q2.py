OK_FORMAT = True

test = {   'name': 'q2',
    'points': [1],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('gensim', 'nlpcourse')\n"
                                               ">>> _words = ['man', 'woman', 'king', 'queen', 'boy', 'girl', 'prince', 'crowned']\n"
                                               '>>> _vectors = torch.tensor([[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [-1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [-1.0, 1.0, '
                                               '1.0], [2.0, 9.0, 0.0]])\n'
                                               ">>> for _question, _expected in ((('man', 'king', 'woman'), 'queen'), (('man', 'boy', 'woman'), 'girl')):\n"
                                               '...     _answer = _call(analogy, *_question, _vectors.clone(), list(_words))\n'
                                               "...     assert _answer == _expected, f'{_question[0]} : {_question[1]} :: {_question[2]} : ? expected {_expected!r}, got {_answer!r}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
