"""Write a local ``.env`` for the embedded demo, with fresh random secrets, if none exists.

Deliberately free of Django: settings refuse to load without these secrets, so they must
exist before the first ``manage.py`` call. A real deployment sets real variables instead
(see .env.example); nothing here is a placeholder that lets a server start unconfigured.
"""

from __future__ import annotations

import base64
import secrets
import sys
from pathlib import Path


def key(kid: str) -> str:
    return f"{kid}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


# Settings added since a first `make run` may have written its .env: appended if missing.
ADDED_LATER = {
    # The simulator calls the USSD callback with this secret in its path, so the check
    # runs for real in the demo (the address allow-list defaults to loopback there).
    "AFRICASTALKING_CALLBACK_SECRET": lambda: secrets.token_urlsafe(32),
    # The simulator plays calls through the Twilio Voice webhook, signed with the token.
    "VOICE_PROVIDERS": lambda: "twilio",
}


def main(path: Path) -> None:
    if path.exists():
        present = {line.partition("=")[0].strip() for line in path.read_text().splitlines() if "=" in line}
        missing = [f"{name}={value()}" for name, value in ADDED_LATER.items() if name not in present]
        if missing:
            with path.open("a") as env_file:
                env_file.write("\n".join(missing) + "\n")
            print(f"{path} exists; added {', '.join(line.partition('=')[0] for line in missing)}.")
        else:
            print(f"{path} exists; keeping it.")
        return
    lines = [
        "# Local demo settings written by `make run`. Not for production: see .env.example.",
        "VEILLE_DEMO=1",
        "DEBUG=0",
        f"SECRET_KEY={secrets.token_urlsafe(48)}",
        f"VEILLE_DATA_KEYS={key('d1')}",
        f"VEILLE_PSEUDONYM_KEYS={key('p1')}",
        # The simulator signs its requests with this token, so the webhook's signature check
        # runs for real in the demo.
        f"TWILIO_AUTH_TOKEN={secrets.token_hex(16)}",
        "SMS_BACKEND=messaging.backends.file.FileBackend",
        # Both SMS providers' webhooks run for real; the simulator signs for either. The
        # demo's outbox is the file backend, so the gateway's URL is never called.
        "SMS_PROVIDERS=twilio,android",
        f"ANDROID_GATEWAY_SIGNING_KEY={secrets.token_hex(16)}",
        "ANDROID_GATEWAY_URL=http://127.0.0.1:8000/no-phone-in-the-demo",
        f"ANDROID_GATEWAY_PASSWORD={secrets.token_hex(8)}",
        "PUBLIC_BASE_URL=http://127.0.0.1:8000",
        "SWEEP_GRACE_SECONDS=20",
        *(f"{name}={value()}" for name, value in ADDED_LATER.items()),
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    print(f"Wrote {path} with fresh demo secrets.")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".env"))
