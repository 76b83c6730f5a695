OK_FORMAT = True

test = {   'name': 'q3',
    'points': [0.5, 0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.data import tweets\n'
                                               '>>> from nlpcourse.grading import forbid, shown\n'
                                               '>>> from nlpcourse.text import classification_loaders\n'
                                               '>>> from nlpcourse.train import evaluate, fit, seed_everything\n'
                                               ">>> _loaders = classification_loaders(tweets(), 'tweet', min_freq=2, batch_size=64, seed=0)\n"
                                               ">>> _call = forbid('nlpcourse.models')\n"
                                               '>>> _ = torch.manual_seed(301)\n'
                                               '>>> _model = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))\n'
                                               ">>> assert isinstance(_model, nn.Module), f'expected an nn.Module, got {shown(_model)}'\n"
                                               '>>> _ids, _lengths, _ = next(iter(_loaders.validation))\n'
                                               '>>> with torch.no_grad():\n'
                                               '...     _logits = _call(_model.eval(), _ids, _lengths)\n'
                                               ">>> assert tuple(_logits.shape) == (len(_ids), 3), f'expected logits of shape ({len(_ids)}, 3), got {shown(_logits)}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.data import tweets\n'
                                               '>>> from nlpcourse.grading import forbid, shown\n'
                                               '>>> from nlpcourse.text import classification_loaders\n'
                                               '>>> from nlpcourse.train import evaluate, fit, seed_everything\n'
                                               ">>> _loaders = classification_loaders(tweets(), 'tweet', min_freq=2, batch_size=64, seed=0)\n"
                                               ">>> _call = forbid('nlpcourse.models')\n"
                                               '>>> _ = torch.manual_seed(305)\n'
                                               '>>> _model = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))\n'
                                               '>>> _ = seed_everything(0)\n'
                                               '>>> _ = fit(_model, _loaders.train, epochs=1, optimizer=torch.optim.Adam(_model.parameters(), lr=0.003), progress=False)\n'
                                               '>>> _accuracy = evaluate(_model, _loaders.validation)[1]\n'
                                               ">>> assert _accuracy > 0.65, f'validation accuracy after one epoch: expected above 0.65, got {_accuracy:.3f}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
