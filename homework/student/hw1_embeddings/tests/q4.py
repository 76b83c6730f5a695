OK_FORMAT = True

test = {   'name': 'q4',
    'points': [0.75, 0.75],
    'suites': [   {   'cases': [   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.autograd.grad', 'torch.autograd.backward', 'torch.Tensor.backward', 'gensim', 'nlpcourse')\n"
                                               '>>> _g = torch.Generator().manual_seed(401)\n'
                                               '>>> _context, _negatives = (torch.randn(2, 3, generator=_g), torch.randn(2, 4, 3, generator=_g))\n'
                                               '>>> _grads = _call(sgns_gradients, torch.zeros(2, 3), _context, _negatives)\n'
                                               ">>> assert isinstance(_grads, tuple) and len(_grads) == 3, f'expected a tuple of three gradients, got {shown(_grads)}'\n"
                                               '>>> _expected = (-_context + _negatives.sum(1)) / 4\n'
                                               ">>> assert torch.allclose(_grads[0], _expected, atol=1e-06), f'zero center, B = 2: expected dL/dc = (-o + sum n) / 4 = {shown(_expected)}, got "
                                               "{shown(_grads[0])}'\n"
                                               ">>> assert torch.count_nonzero(_grads[1]) == 0 and torch.count_nonzero(_grads[2]) == 0, f'zero center: expected zero gradients for context and "
                                               "negatives, got {shown(_grads[1])} and {shown(_grads[2])}'\n",
                                       'hidden': False,
                                       'locked': False},
                                   {   'code': '>>> from nlpcourse.grading import forbid, shown\n'
                                               ">>> _call = forbid('torch.autograd.grad', 'torch.autograd.backward', 'torch.Tensor.backward', 'gensim', 'nlpcourse')\n"
                                               '>>> _g = torch.Generator().manual_seed(402)\n'
                                               '>>> _inputs = (torch.randn(5, 6, generator=_g), torch.randn(5, 6, generator=_g), torch.randn(5, 3, 6, generator=_g))\n'
                                               '>>> _grads = _call(sgns_gradients, *_inputs)\n'
                                               ">>> for _name, _grad, _input in zip(('center', 'context', 'negatives'), _grads, _inputs):\n"
                                               "...     assert _grad.shape == _input.shape and _grad.dtype == _input.dtype, f'the gradient for {_name}: expected shape {tuple(_input.shape)} and "
                                               "{_input.dtype}, got {shown(_grad)}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
