OK_FORMAT = True

test = {   'name': 'q5',
    'points': [0.5],
    'suites': [   {   'cases': [   {   'code': ">>> assert isinstance(unscaled_at_256, (int, float)) and 0 <= unscaled_at_256 <= 1, f'expected a weight between 0 and 1, got {unscaled_at_256!r}'\n"
                                               ">>> assert saturation_width in (4, 16, 64, 256, 1024), f'expected one of the widths 4, 16, 64, 256, 1024, got {saturation_width!r}'\n",
                                       'hidden': False,
                                       'locked': False}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
