"""FoUI-boten's composition root and wings.

At the top: configuration (``config``), the services container (``services``), building the
Application and wiring the wings (``app``), the command line (``cli``, ``runner``), logging and the
single-instance lock. Below it, one subpackage per concern: ``push``, ``poll``, ``console``,
``calendar``, ``region``, ``web`` and the texts (``texts``). Nothing below the root imports it.
"""
