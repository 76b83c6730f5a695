OK_FORMAT = True

test = {   'name': 'q5',
    'points': [0.5, 0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('sklearn', 'nlpcourse.models', 'nlpcourse.train')\n"
                                               '>>> _some = [\'a gorgeous , witty , seductive movie .\', \'the plot is nothing but boilerplate clichés .\', "it \'s a film ."]\n'
                                               '>>> _labels = torch.as_tensor(_call(predict_sentiment, _some))\n'
                                               ">>> assert _labels.shape == (3,), f'3 sentences: expected 3 labels, got {shown(_labels)}'\n"
                                               ">>> assert set(_labels.tolist()) <= {0, 1}, f'expected labels 0 or 1, got {_labels.tolist()}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.data import sst2\n'
                                               '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('sklearn', 'nlpcourse.models', 'nlpcourse.train')\n"
                                               '>>> _split = sst2().validation\n'
                                               '>>> _predicted = torch.as_tensor(_call(predict_sentiment, list(_split.texts)))\n'
                                               '>>> _accuracy = (_predicted == torch.tensor(_split.labels)).float().mean().item()\n'
                                               ">>> assert _accuracy >= 0.68, f'validation accuracy: expected at least 0.68, got {_accuracy:.3f}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
