OK_FORMAT = True

test = {   'name': 'q1',
    'points': 4,
    'suites': [   {   'cases': [   {   'code': '>>> _q, _k, _v = (torch.randn(2, 5, 8), torch.randn(2, 7, 8), torch.randn(2, 7, 3))\n'
                                               '>>> _out, _weights = attention(_q, _k, _v)\n'
                                               '>>> assert _out.shape == (2, 5, 3) and _weights.shape == (2, 5, 7)\n'
                                               '>>> assert torch.allclose(_weights.sum(-1), torch.ones(2, 5), atol=1e-05)\n'
                                               '>>> assert torch.allclose(_out, torch.nn.functional.scaled_dot_product_attention(_q, _k, _v), atol=1e-05)\n',
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> _x = torch.randn(1, 6, 4)\n'
                                               '>>> _causal = torch.ones(6, 6, dtype=torch.bool).triu(1)\n'
                                               '>>> _out, _weights = attention(_x, _x, _x, mask=_causal)\n'
                                               '>>> assert torch.all(_weights[0][_causal] == 0)\n'
                                               '>>> assert torch.allclose(_weights.sum(-1), torch.ones(1, 6), atol=1e-05)\n'
                                               '>>> assert torch.allclose(_out, torch.nn.functional.scaled_dot_product_attention(_x, _x, _x, is_causal=True), atol=1e-05)\n',
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
