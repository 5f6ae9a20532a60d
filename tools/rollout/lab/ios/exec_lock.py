"""What a rollout's device lock uses on IOS: flash directories (mkdir, rmdir, dir of one),
a file written from ``tclsh``, and ``show archive config rollback timer``.

Each reply is taken from public output, cited next to it:

- ``mkdir``: asks ``Create directory filename [NAME]?`` and answers ``Created dir flash:NAME``
  (Cisco Unified CME command reference, ``hfs home-path``: ``mkdir flash:phone-loads`` on a
  c2801; an IOS-XE Catalyst 9300 shows ``Created dir flash:/te-apps`` after
  ``mkdir bootflash:/te-apps`` in the ThousandEyes agent install notes). A directory that is
  already there is refused; the text ``%Error Creating dir flash:NAME (File exists)`` is
  **unconfirmed** (only a public simulator shows it), so the driver looks for "Created dir".
- ``rmdir``: ``Remove directory filename [NAME]?`` then ``Removed dir flash:NAME``; a directory
  that still holds files is refused (``Directory not empty``): **unconfirmed** wording, the
  driver only checks that the directory is gone afterwards.
- ``tclsh``: the prompt becomes ``HOST(tcl)#``; ``puts [open "flash:FILE" w+] {TEXT}`` writes
  TEXT (and a newline) to the file; ``tclquit`` leaves (the "R3(tcl)#puts [open
  "flash:ping.tcl" w+] {" example of an EEM lab write-up; the same idiom in the
  howdoesinternetwork.com "create file cisco ios" note). Only that one Tcl form is simulated.
- ``show archive config rollback timer``: ``%No Rollback Confirmed Change pending`` when no
  revert timer runs; otherwise ``Time configured...``, ``Timer type:``, ``Timer value: N min``
  and ``User:`` lines (NAPALM ``napalm/ios/ios.py`` ``_get_pending_commits`` parses exactly
  these labels; its tests assert ``Timer value: 3 min``). The ``Timer type`` value is
  **unconfirmed**.
"""

from __future__ import annotations

import re

from rollout.lab.ios.outcome import INCOMPLETE, INVALID
from rollout.lab.ios.terminal import CommandError, Terminal
from rollout.lab.shell import Reply

_PUTS = re.compile(r'^\s*puts\s+\[\s*open\s+"([^"]+)"\s+w\+?\s*\]\s+\{(.*)\}\s*$', re.S)


def _dir_name(term: Terminal, url: str) -> str | None:
    name = term.device.flash_name(url)
    return name.strip("/") if name is not None else None


def cmd_mkdir(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) < 2:
        raise CommandError(INCOMPLETE)
    name = _dir_name(term, words[1])
    if not name or "/" in name:
        raise CommandError(INVALID, toks[1][0])

    def make(answer: str) -> Reply:
        chosen = answer.strip() or name
        dev = term.device
        if chosen in dev.flash_dirs or chosen in dev.flash:
            return Reply(f"%Error Creating dir flash:{chosen} (File exists)")
        dev.flash_dirs.add(chosen)
        return Reply(f"Created dir flash:{chosen}")

    return term.ask(f"Create directory filename [{name}]? ", make)


def cmd_rmdir(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) < 2:
        raise CommandError(INCOMPLETE)
    name = _dir_name(term, words[1])
    if not name:
        raise CommandError(INVALID, toks[1][0])

    def remove(answer: str) -> Reply:
        chosen = answer.strip() or name
        dev = term.device
        if chosen not in dev.flash_dirs:
            return Reply(f"%Error Removing dir flash:{chosen} (No such file or directory)")
        if any(f.startswith(chosen + "/") for f in dev.flash):
            return Reply(f"%Error Removing dir flash:{chosen} (Directory not empty)")
        dev.flash_dirs.discard(chosen)
        return Reply(f"Removed dir flash:{chosen}")

    return term.ask(f"Remove directory filename [{name}]? ", remove)


def is_subdir(term: Terminal, words: list[str]) -> bool:
    """``dir URL`` names a directory below the flash root (``dir flash:`` is the root)."""
    return len(words) > 1 and bool(_dir_name(term, words[1]))


def dir_of(term: Terminal, url: str) -> str:
    """``dir flash:NAME``: the files of one directory, or the error IOS prints."""
    name = _dir_name(term, url) or ""
    dev = term.device
    if name not in dev.flash_dirs:
        return f"%Error opening flash:/{name}/ (No such file or directory)"
    lines = [f"Directory of flash:/{name}/", ""]
    inside = sorted((k, f) for k, f in dev.flash.items() if k.startswith(name + "/"))
    for i, (key, f) in enumerate(inside, start=1):
        stamp = f"{f.mtime:%b} {f.mtime.day:>2} {f.mtime.year} {f.mtime:%H:%M:%S} +00:00"
        lines.append(f"{i:>5}  -rw-{len(f.content):>14}  {stamp}  {key.split('/', 1)[1]}")
    if not inside:
        lines.append("No files in directory")
    return "\n".join(lines)


def cmd_tclsh(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) > 1:
        return Reply(f"%Error opening {words[1]} (No such file or directory)")
    return _tcl_prompt(term, "")


def _tcl_prompt(term: Terminal, output: str) -> Reply:
    return term.ask(f"{term.device.hostname}(tcl)#", lambda line: _tcl_line(term, line), output)


def _tcl_line(term: Terminal, line: str) -> Reply:
    text = line.strip()
    if text in {"tclquit", "exit"}:
        return Reply()
    if not text:
        return _tcl_prompt(term, "")
    found = _PUTS.match(line)
    if found is None:
        word = text.split()[0]
        return _tcl_prompt(term, f'invalid command name "{word}"')
    url, body = found.groups()
    name = term.device.flash_name(url)
    folder = name.rsplit("/", 1)[0] if name and "/" in name else ""
    if name is None or (folder and folder not in term.device.flash_dirs):
        return _tcl_prompt(term, f'couldn\'t open "{url}": no such file or directory')
    term.device.write_flash(name, body + "\n")
    return _tcl_prompt(term, "")
