"""One place that reads the environment (HackSoft's config/env.py).

Every variable is listed, with its default, in `.env.example`. A `.env` file in the
project root is read when present; nothing needs to be copied for the defaults to work.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    environ.Env.read_env(str(_dotenv))
