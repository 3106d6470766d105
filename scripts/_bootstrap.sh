# Sourced by scripts/demo and scripts/test: cd to the repository, make .venv with Python 3.11
# and (re)install the project with its dev extras whenever pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi

# Production settings need a secret key: generate one into an ignored file, readable only by
# its owner, unless SECRET_KEY is set or the file exists (SECRET_KEY_FILE moves it).
key_file=${SECRET_KEY_FILE:-.secret_key}
if [ -z "${SECRET_KEY:-}" ] && [ ! -s "$key_file" ]; then
  (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > "$key_file")
fi

manage() { .venv/bin/python manage.py "$@"; }

# The compiled catalogues are committed; compile only those that are missing (needs gettext).
for po in locale/*/LC_MESSAGES/django.po; do
  if [ -f "$po" ] && [ ! -f "${po%.po}.mo" ]; then
    manage compilemessages --ignore .venv
    break
  fi
done
