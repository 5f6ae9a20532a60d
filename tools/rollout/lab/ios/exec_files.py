"""Exec commands on files: write, copy, dir, more, delete, archive."""

from __future__ import annotations

from rollout.lab.ios import show
from rollout.lab.ios.outcome import INCOMPLETE, INVALID
from rollout.lab.ios.terminal import CommandError, Terminal, word
from rollout.lab.shell import Reply

_LOCATIONS = (
    "running-config",
    "startup-config",
    "flash:",
    "nvram:",
    "system:",
    "tftp:",
    "scp:",
)


def cmd_write(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    sub = word(toks, 1, ("memory", "terminal", "erase", "network")) if len(toks) > 1 else "memory"
    if sub == "memory":
        term.device.save()
        return Reply("Building configuration...\n[OK]")
    if sub == "terminal":
        return Reply("\n".join(term.device.running_config_lines()))
    if sub == "erase":

        def erase(answer: str) -> Reply:
            if answer.strip().lower() in {"", "y", "yes"}:
                term.device.startup = None
                return Reply("[OK]\nErase of nvram: complete")
            return Reply()

        return term.ask(
            "Erasing the nvram filesystem will remove all configuration files! Continue? [confirm]",
            erase,
        )
    raise CommandError(INVALID, toks[1][0])


def _location(toks: list[tuple[int, str]], i: int) -> str:
    if i >= len(toks):
        raise CommandError(INCOMPLETE)
    typed = toks[i][1]
    if ":" in typed and not typed.endswith(":"):
        return typed
    return word(toks, i, _LOCATIONS)


def cmd_copy(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    src = _location(toks, 1)
    dst = _location(toks, 2)
    if src == "nvram:startup-config":
        src = "startup-config"
    if dst == "nvram:startup-config":
        dst = "startup-config"
    if src == dst:
        raise CommandError(INVALID, toks[2][0])
    text = term.device.read_url(src)
    if text is None:
        return Reply(f"%Error opening {src} (No such file or directory)")
    default = dst.split(":", 1)[1].lstrip("/") if ":" in dst else dst

    def go(answer: str) -> Reply:
        target = answer.strip() or default
        if dst == "startup-config":
            if src == "running-config":
                term.device.save()
                return Reply("Building configuration...\n[OK]")
            term.device.startup = text
            return Reply(f"{len(text)} bytes copied in 0.104 secs ({len(text) * 9} bytes/sec)")
        if dst == "running-config":
            n = term.merge(text)
            return Reply(f"{n} bytes copied in 0.212 secs ({n * 4} bytes/sec)")
        if term.device.flash_name(dst) is not None or dst in {"flash:"}:
            term.device.write_flash(target, text)
            return Reply(f"{len(text)} bytes copied in 0.120 secs ({len(text) * 8} bytes/sec)")
        return Reply(f"%Error opening {dst} (Permission denied)")

    return term.ask(f"Destination filename [{default}]? ", go)


def cmd_dir(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    return Reply(show.dir_flash(term.device))


def cmd_more(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    if len(words) < 2:
        raise CommandError(INCOMPLETE)
    text = term.device.read_url(words[-1])
    if text is None:
        return Reply(f"%Error opening {words[-1]} (No such file or directory)")
    return Reply(text.rstrip("\n"))


def cmd_delete(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    args = [w for w in words[1:] if not w.startswith("/")]
    force = any(w.lower() == "/force" for w in words[1:])
    if not args:
        raise CommandError(INCOMPLETE)
    url = args[0]
    name = term.device.flash_name(url)

    def remove() -> Reply:
        if name is None or name not in term.device.flash:
            return Reply(f"%Error deleting flash:/{name or url} (No such file or directory)")
        del term.device.flash[name]
        return Reply()

    if force:
        return remove()

    def confirm(answer: str) -> Reply:
        if answer.strip().lower() in {"", "y", "yes"}:
            return remove()
        return Reply()

    return term.ask(
        f"Delete filename [{name}]? ",
        lambda _a: term.ask(f"Delete flash:/{name}? [confirm]", confirm),
    )


def cmd_archive(term: Terminal, toks: list[tuple[int, str]], words: list[str]) -> Reply:
    word(toks, 1, ("config", "log"))
    if term.device.archive_config() is None:
        return Reply("%Archive path not specified")
    return Reply()
