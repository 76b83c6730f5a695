OK_FORMAT = True

test = {   'name': 'q1',
    'points': [0.5, 0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('gensim', 'nlpcourse')\n"
                                               '>>> _k = int(torch.randint(2, 9, (1,), generator=torch.Generator().manual_seed(100)))\n'
                                               '>>> _loss = _call(sgns_loss, torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, _k, 4))\n'
                                               ">>> assert torch.is_tensor(_loss) and _loss.dim() == 0, f'expected a scalar tensor, got {shown(_loss)}'\n"
                                               '>>> _expected = (1 + _k) * math.log(2)\n'
                                               ">>> assert abs(_loss.item() - _expected) < 1e-05, f'all-zero vectors, K = {_k}: expected {1 + _k} log 2 = {_expected:.5f}, got {_loss.item():.5f}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('gensim', 'nlpcourse')\n"
                                               '>>> _c = torch.tensor([[3.0, 0.0]])\n'
                                               '>>> _good = _call(sgns_loss, _c, torch.tensor([[3.0, 0.0]]), torch.tensor([[[-3.0, 0.0], [0.0, 1.0]]]))\n'
                                               '>>> _bad = _call(sgns_loss, _c, torch.tensor([[-3.0, 0.0]]), torch.tensor([[[3.0, 0.0], [0.0, 1.0]]]))\n'
                                               ">>> assert _good.item() < 0.8, f'a true context along the center, negatives away from it: expected a loss below 0.8, got {_good.item():.4f}'\n"
                                               ">>> assert _bad.item() > 18.0, f'a true context opposite the center, a negative along it: expected a loss above 18, got {_bad.item():.4f}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
