OK_FORMAT = True

test = {   'name': 'q1',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _loss = sgns_loss(torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, 5, 4))\n'
                                               '>>> assert _loss.dim() == 0\n'
                                               '>>> assert abs(_loss.item() - 6 * math.log(2)) < 1e-05\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> _c = torch.tensor([[3.0, 0.0]])\n'
                                               '>>> _good = sgns_loss(_c, torch.tensor([[3.0, 0.0]]), torch.tensor([[[-3.0, 0.0], [0.0, 1.0]]]))\n'
                                               '>>> _bad = sgns_loss(_c, torch.tensor([[-3.0, 0.0]]), torch.tensor([[[3.0, 0.0], [0.0, 1.0]]]))\n'
                                               '>>> assert _good.item() < 0.8 < 18.0 < _bad.item()\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
