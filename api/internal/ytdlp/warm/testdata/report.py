# A yt-dlp plugin that reports, into report.json in the job's folder, what
# the process it runs in looks like, and then leaves a mark in yt_dlp's
# module state, as a job could. The warm tests load it in two jobs in a row
# (--plugin-dirs): the second must see nothing of the first.
import json
import os
import sys

import yt_dlp.globals
from yt_dlp.postprocessor.ffmpeg import FFmpegPostProcessor


def _cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return [a.decode() for a in f.read().split(b"\0") if a]


_report = {
    "pid": os.getpid(),
    "pgid": os.getpgrp(),
    "parent": _cmdline(os.getppid()),
    "cwd": os.getcwd(),
    "env": dict(os.environ),
    "argv": sys.argv,
    "cmdline": _cmdline(os.getpid()),
    "mark": getattr(yt_dlp.globals, "downlink_test_mark", None),
    "ffmpeg_location": FFmpegPostProcessor._ffmpeg_location.get(),
    "plugin_dirs": yt_dlp.globals.plugin_dirs.value,
    "plugins": sorted(m for m in sys.modules if m.startswith("yt_dlp_plugins.")),
    "stdout_tty": sys.stdout.isatty(),
    "stdout_encoding": sys.stdout.encoding,
}
yt_dlp.globals.downlink_test_mark = os.getcwd()
with open("report.json", "w") as f:
    json.dump(_report, f)
