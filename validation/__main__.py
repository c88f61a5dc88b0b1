"""``python -m validation``: see :mod:`validation.run_all`."""

from validation.run_all import main

raise SystemExit(main())
