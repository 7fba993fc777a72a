# Downlink's warm start for yt-dlp (see package warm): a Python interpreter
# that has imported yt_dlp, but never ran it, forks one fresh child per job.
#
#   python3 yt-dlp-forkserver.py SOCKET YT_DLP [PADDING]
#
# PADDING (any long argument) reserves room in the process's argument area:
# each child rewrites it with its job's argv, so ps, /proc/PID/cmdline and
# crash recovery see "PYTHON YT_DLP ARGS…" as after an exec.
#
# It listens on SOCKET (in a private 0700 folder) and says "ready VERSION" on
# stdout. A request is a 4-byte big-endian length carrying three file
# descriptors (SCM_RIGHTS: the job's stdin, stdout and stderr), then that
# many bytes of JSON: {"argv": [...], "env": ["K=V", ...], "cwd": "...",
# "pgid": N}. The answer is JSON lines: {"pid": N} once the child runs, then
# {"exit": N} or {"signal": N}; or {"error": "..."} when nothing was started.
# A connection closed before the child ended kills the child (its guard is
# gone). The child joins process group pgid (led by the job's guard), dies
# with this server (parent-death signal), takes the job's stdio, environment
# (wholesale) and folder, and runs YT_DLP as its interpreter would
# (runpy, __name__ == "__main__").
import ctypes
import gc
import io
import json
import os
import runpy
import selectors
import signal
import socket
import struct
import sys
import zipfile

PR_SET_PDEATHSIG = 1
MAX_REQUEST = 4 << 20


def main():
    sock_path, script = sys.argv[1], sys.argv[2]
    # The interpreter and its options, as the kernel put them before the
    # script named by a shebang: a child's command line starts with them.
    orig = getattr(sys, "orig_argv", None) or [sys.executable, sys.argv[0]]
    interp = orig[: orig.index(sys.argv[0])] if sys.argv[0] in orig else [sys.executable]
    area = argv_area()
    set_cmdline(area, interp + [sys.argv[0], sock_path, script])
    # sys.path as the interpreter would have it running script itself: the
    # zipapp, or the script's (resolved) folder, first.
    is_zip = zipfile.is_zipfile(script)
    sys.path[0] = script if is_zip else os.path.dirname(os.path.realpath(script))
    sys.argv = [script]
    import yt_dlp  # noqa: F401  the point of it all
    import yt_dlp.version
    prepare()

    libc = ctypes.CDLL(None, use_errno=True)
    server_pid = os.getpid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    # Objects made by the imports are never collected in a child: they stay
    # shared with this parent instead of being copied by the collector.
    gc.collect()
    gc.freeze()
    print("ready", yt_dlp.version.__version__, yt_dlp.version.__file__, flush=True)

    jobs = {}  # conn fd -> [conn, pid, pidfd]
    while True:
        for key, _ in sel.select():
            if key.fileobj is listener:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                job = accept(conn, libc, script, server_pid, (area, interp))
                if job:
                    jobs[conn.fileno()] = job
                    sel.register(conn, selectors.EVENT_READ, ("conn", job))
                    sel.register(job[2], selectors.EVENT_READ, ("exit", job))
                continue
            kind, job = key.data
            conn, pid, pidfd = job
            if kind == "conn":
                # The guard hung up (or wrote what it must not): it is gone,
                # and the child goes too; its exit is reaped below.
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                sel.unregister(conn)
                continue
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            answer = {"signal": -code} if code < 0 else {"exit": code}
            try:
                conn.sendall((json.dumps(answer) + "\n").encode())
            except OSError:
                pass
            sel.unregister(pidfd)
            os.close(pidfd)
            if jobs.pop(conn.fileno(), None) is not None:
                try:
                    sel.unregister(conn)
                except KeyError:
                    pass
            conn.close()


def prepare():
    """Does, once, what every run of yt-dlp does first and the same way
    whatever its arguments: import the extractor list and the modules every
    run imports, and compile each extractor's URL pattern into its class's
    cache (_VALID_URL_RE, filled on first use). Nothing here reads a job's
    input; a failure only leaves the work to each child."""
    try:
        import _strptime  # noqa: F401  (datetime.strptime imports it on first use)
        from yt_dlp.extractor import extractors
        import yt_dlp.extractor.generic  # noqa: F401
        import yt_dlp.extractor.youtube  # noqa: F401
        for ie in list(getattr(extractors, "_CLASS_LOOKUP", {}).values()):
            if ie._VALID_URL:
                ie._match_valid_url("")
    except Exception:  # noqa: BLE001
        pass


def argv_area():
    """The process's argument area (/proc/self/stat's arg_start, arg_end),
    or None."""
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        fields = stat[stat.rindex(b")") + 2:].split()
        start, end = int(fields[45]), int(fields[46])
        return (start, end) if 0 < start < end else None
    except (OSError, ValueError, IndexError):
        return None


def set_cmdline(area, args):
    """Writes args over the argument area (cut to fit; NUL-padded, the last
    byte always NUL so the kernel reads nothing beyond)."""
    if area is None:
        return
    start, end = area
    size = end - start
    buf = b"\0".join(os.fsencode(a) for a in args)[: size - 1]
    ctypes.memmove(start, buf.ljust(size, b"\0"), size)


def recv_request(conn):
    conn.settimeout(10)
    cred = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", cred)
    if uid != os.getuid():
        raise ValueError("peer is another user")
    fds = []
    data, ancdata, _, _ = conn.recvmsg(4, socket.CMSG_SPACE(3 * 4))
    for level, typ, cdata in ancdata:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.extend(struct.unpack("%di" % (len(cdata) // 4), cdata[: len(cdata) - len(cdata) % 4]))
    try:
        if len(data) != 4 or len(fds) != 3:
            raise ValueError("want a length and three descriptors")
        (n,) = struct.unpack(">I", data)
        if n > MAX_REQUEST:
            raise ValueError("request too large")
        body = bytearray()
        while len(body) < n:
            chunk = conn.recv(n - len(body))
            if not chunk:
                raise ValueError("short request")
            body += chunk
        req = json.loads(body)
        if not (isinstance(req.get("argv"), list) and req["argv"] and isinstance(req.get("env"), list)
                and isinstance(req.get("cwd"), str) and isinstance(req.get("pgid"), int)):
            raise ValueError("malformed request")
        conn.settimeout(None)
        return req, fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def accept(conn, libc, script, server_pid, area):
    try:
        req, fds = recv_request(conn)
    except Exception as e:  # noqa: BLE001  any bad request is answered, never fatal
        try:
            conn.sendall((json.dumps({"error": str(e)}) + "\n").encode())
        except OSError:
            pass
        conn.close()
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            code = child(req, fds, libc, script, server_pid, area)
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    try:
        pidfd = os.pidfd_open(pid)
        conn.sendall((json.dumps({"pid": pid}) + "\n").encode())
    except OSError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        conn.close()
        return None
    return [conn, pid, pidfd]


def child(req, fds, libc, script, server_pid, area):
    # Become the job's process: its group (led by its guard), dying with
    # this server, nothing of the server's open.
    try:
        os.setpgid(0, req["pgid"])
    except OSError:
        return 70
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server_pid:
        return 70
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
    os.closerange(3, max(os.sysconf("SC_OPEN_MAX"), 1 << 16))
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # The standard streams as a fresh interpreter would open them on these
    # descriptors.
    sys.stdin = sys.__stdin__ = reopen(0, "r", sys.stdin)
    sys.stdout = sys.__stdout__ = reopen(1, "w", sys.stdout)
    sys.stderr = sys.__stderr__ = reopen(2, "w", sys.stderr, line_buffering=True)
    os.environ.clear()
    for kv in req["env"]:
        k, sep, v = kv.partition("=")
        if sep and k:
            os.environ[k] = v
    os.chdir(req["cwd"])
    sys.argv = list(req["argv"])
    set_cmdline(area[0], area[1] + sys.argv)
    return run(script)


def reopen(fd, mode, old, line_buffering=None):
    if line_buffering is None:
        line_buffering = mode == "w" and os.isatty(fd)
    raw = io.open(fd, mode + "b", closefd=False)
    return io.TextIOWrapper(raw, encoding=old.encoding, errors=old.errors, newline="\n" if mode == "w" else None,
                            line_buffering=line_buffering)


def run(script):
    """Runs script as the interpreter's main and returns its exit code, as
    Python's own exit would (threads joined, atexit run, streams flushed)."""
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = exit_code(e)
    except KeyboardInterrupt:
        finish()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        code = 130
    except BaseException:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        code = 1
    return finish(code)


def exit_code(e):
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code & 0xFF
    try:
        print(e.code, file=sys.stderr)
    except Exception:  # noqa: BLE001
        pass
    return 1


def finish(code=0):
    threading = sys.modules.get("threading")
    try:
        if threading is not None:
            threading._shutdown()
    except BaseException:  # noqa: BLE001
        pass
    try:
        import atexit
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001
        pass
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except BaseException:  # noqa: BLE001
            code = code or 120
    return code


if __name__ == "__main__":
    main()
