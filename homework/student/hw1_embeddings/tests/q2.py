OK_FORMAT = True

test = {   'name': 'q2',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': ">>> assert analogy('man', 'king', 'woman', toy_vectors, toy_words) == 'queen'\n"
                                               ">>> assert analogy('man', 'boy', 'woman', toy_vectors, toy_words) == 'girl'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
