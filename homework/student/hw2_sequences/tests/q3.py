OK_FORMAT = True

test = {   'name': 'q3',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _ = seed_everything(0)\n>>> _model = build_classifier(len(loaders.vocab), len(loaders.classes))\n>>> assert train_classifier(_model) > 0.65\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
