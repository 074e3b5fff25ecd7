"""Drive a command under a pseudo-terminal, as a person at a keyboard would.

Reads JSON from stdin: {"argv": [...], "cwd": "...", "steps": [{"expect": REGEX, "send": TEXT}], "timeout": S}
Waits for each `expect` in the output (ANSI escapes removed), then types `send`. Prints one JSON line:
{"status": EXIT_CODE_OR_MINUS_SIGNAL, "transcript": TEXT, "timedOut": BOOL}.
"""
import json
import os
import pty
import re
import select
import sys
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def main():
    spec = json.load(sys.stdin)
    deadline = time.monotonic() + spec.get("timeout", 30)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(spec["cwd"])
        os.execvp(spec["argv"][0], spec["argv"])
    raw = b""
    seen = 0
    timed_out = False
    steps = list(spec["steps"])

    def read_some(wait):
        nonlocal raw
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        raw += chunk
        return True

    alive = True
    while alive:
        if time.monotonic() > deadline:
            timed_out = True
            os.kill(pid, 9)
            break
        alive = read_some(0.1)
        text = ANSI.sub("", raw.decode("utf-8", "replace"))
        if steps:
            match = re.compile(steps[0]["expect"]).search(text, seen)
            if match:
                seen = match.end()
                os.write(fd, steps.pop(0)["send"].encode())
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    print(json.dumps({"status": code, "transcript": ANSI.sub("", raw.decode("utf-8", "replace")), "timedOut": timed_out, "stepsLeft": len(steps)}))


main()
