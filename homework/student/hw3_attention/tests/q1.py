OK_FORMAT = True

test = {   'name': 'q1',
    'points': [0.5, 0.5],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.nn.functional.scaled_dot_product_attention', 'torch.nn.functional.multi_head_attention_forward', "
                                               "'torch.nn.MultiheadAttention', 'nlpcourse')\n"
                                               '>>> _g = torch.Generator().manual_seed(301)\n'
                                               '>>> _q, _k, _v = (torch.randn(2, 5, 8, generator=_g), torch.randn(2, 7, 8, generator=_g), torch.randn(2, 7, 3, generator=_g))\n'
                                               '>>> _out, _weights = _call(attention, _q, _k, _v)\n'
                                               ">>> assert _out.shape == (2, 5, 3) and _weights.shape == (2, 5, 7), f'q (2, 5, 8), k (2, 7, 8), v (2, 7, 3): expected output (2, 5, 3) and weights (2, "
                                               "5, 7), got {tuple(_out.shape)} and {tuple(_weights.shape)}'\n"
                                               ">>> assert torch.allclose(_weights.sum(-1), torch.ones(2, 5), atol=1e-05), f'each row of weights must sum to 1, got sums {shown(_weights.sum(-1))}'\n"
                                               '>>> _expected = torch.nn.functional.scaled_dot_product_attention(_q, _k, _v)\n'
                                               ">>> assert torch.allclose(_out, _expected, atol=1e-05), f'expected output {shown(_expected)}, got {shown(_out)}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.nn.functional.scaled_dot_product_attention', 'torch.nn.functional.multi_head_attention_forward', "
                                               "'torch.nn.MultiheadAttention', 'nlpcourse')\n"
                                               '>>> _x = torch.randn(1, 6, 4, generator=torch.Generator().manual_seed(302))\n'
                                               '>>> _causal = torch.ones(6, 6, dtype=torch.bool).triu(1)\n'
                                               '>>> _out, _weights = _call(attention, _x, _x, _x, mask=_causal)\n'
                                               ">>> assert torch.all(_weights[0][_causal] == 0), f'a causal mask: expected zero weights above the diagonal, got {shown(_weights[0][_causal])}'\n"
                                               ">>> assert torch.allclose(_weights.sum(-1), torch.ones(1, 6), atol=1e-05), f'each row of weights must sum to 1, got sums {shown(_weights.sum(-1))}'\n"
                                               '>>> _expected = torch.nn.functional.scaled_dot_product_attention(_x, _x, _x, is_causal=True)\n'
                                               ">>> assert torch.allclose(_out, _expected, atol=1e-05), f'causal attention: expected output {shown(_expected)}, got {shown(_out)}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
