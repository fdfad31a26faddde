"""Running somaif-run and somaif-sweep from Python."""

import math
import numbers
import os
import re
import shutil
import signal
import subprocess
import sys
import threading

__all__ = ["SomaifError", "Interrupted", "run", "resume", "sweep", "chain", "format_value"]

# The last lines of a program's output kept for an error's message.
_KEPT_LINES = 40


class SomaifError(RuntimeError):
    """somaif-run or somaif-sweep failed.

    Attributes: ``status`` (its exit status), ``message`` (what it printed
    on stderr, less progress lines), ``command`` (the argument list) and
    ``output`` (the folder it was writing, when known).
    """

    def __init__(self, message, status=None, command=None, output=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.command = command
        self.output = output


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the run: it wrote a checkpoint in ``output``, and
    :func:`somaif.resume` (or ``somaif-run --resume``) goes on from it.
    For a sweep, calling :func:`somaif.sweep` again with the same output
    does.  Attributes: ``output``, ``status``, ``command``."""

    def __init__(self, message, status=None, command=None, output=None):
        super().__init__(message)
        self.status = status
        self.command = command
        self.output = output


def format_value(value):
    """A Python value as libconfig text, as --set takes it: bool, int, float,
    str, a list or tuple (an array of scalars, else a list) or a dict (a
    group)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{value!r}: a config holds finite numbers only")
        text = repr(v)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        inner = " ".join(f"{k} = {format_value(v)};" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else list(value)
        texts = ", ".join(format_value(v) for v in items)
        scalar = all(isinstance(v, (numbers.Number, str)) for v in items)
        return f"[{texts}]" if scalar else f"({texts})"
    raise TypeError(f"{value!r}: no config value of type {type(value).__name__}")


def _key_values(overrides, keywords):
    """--set arguments from a dict of key paths and keywords (a__b for a.b)."""
    pairs = list((overrides or {}).items())
    pairs += [(k.replace("__", "."), v) for k, v in keywords.items()]
    return [f"{key}={format_value(value)}" for key, value in pairs]


def _program(name, variable, beside=None):
    """The program named by the environment variable, else beside the other
    program's (somaif-sweep next to SOMAIF_RUN), else on PATH."""
    if os.environ.get(variable):
        return os.environ[variable]
    if beside and os.environ.get(beside):
        candidate = os.path.join(os.path.dirname(os.environ[beside]), name)
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if not found:
        raise SomaifError(f"{name} not found: install somaif (make install) so that it is "
                          f"on PATH, or point {variable} to it")
    return found


def _pump(stream, sink, kept, echo):
    for line in iter(stream.readline, ""):
        kept.append(line.rstrip("\n"))
        del kept[:-_KEPT_LINES]
        if echo:
            sink.write(line)
            sink.flush()
    stream.close()


def _execute(command, echo):
    """Runs command, echoing its output when echo; forwards one SIGINT per
    Ctrl-C.  Returns (status, stdout lines, stderr lines, interrupted)."""
    out, err = [], []
    # Its own process group: a terminal's Ctrl-C reaches it only through us,
    # once (a second SIGINT would stop it without a checkpoint).
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, encoding="utf-8", errors="replace",
                                bufsize=1, start_new_session=True)
    except OSError as e:
        raise SomaifError(f"cannot run {command[0]}: {e.strerror}", command=command) from None
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, sys.stdout, out, echo)),
             threading.Thread(target=_pump, args=(proc.stderr, sys.stderr, err, echo))]
    for t in pumps:
        t.daemon = True
        t.start()
    interrupted = False
    while True:
        try:
            status = proc.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
            proc.send_signal(signal.SIGINT)
    for t in pumps:
        t.join()
    return status, out, err, interrupted


def _progress_line(line):
    return bool(re.match(r"^somaif(-sweep)?: (epoch \d|\d+/\d+ runs done)", line))


def _folder(err, out, default):
    """Where the program said it writes: '..., into DIR' on stderr, or
    'outputs in DIR/ (...' on stdout (somaif-chain)."""
    if default is not None:
        return os.fspath(default)
    for line in err:
        m = re.search(r"[,;] into (.+)$", line)
        if m:
            return m.group(1)
    for line in out:
        m = re.search(r"outputs in (.+?)/? \(", line)
        if m:
            return m.group(1)
    return None


def _finish(program, command, status, out, err, interrupted, output):
    folder = _folder(err, out, output)
    if folder is not None:
        folder = os.path.abspath(folder)
    if status in (130, 143) or (interrupted and status != 0):
        raise Interrupted(f"{program} stopped by a signal (exit status {status}); its "
                          f"checkpoint is in {folder}", status, command, folder)
    if status != 0:
        message = "\n".join(line for line in err if not _progress_line(line)).strip()
        raise SomaifError(f"{program} failed (exit status {status}): "
                          f"{message or 'no message'}", status, command, folder)
    if folder is None:
        raise SomaifError(f"{program} did not say where it wrote its outputs", status,
                          command)
    return folder


def run(config, output=None, seed=None, threads=None, *, overrides=None, force=False,
        quiet=False, **keys):
    """Run an experiment with somaif-run and return its :class:`Run`.

    config:    a config file, or the name of an installed config ('quick')
    output:    the run folder (None: somaif-run's default, runs/NAME-DATE-TIME)
    seed:      experiment.seed
    threads:   worker threads (None: all cores; results do not depend on it)
    overrides: a dict of key paths to values, {'perceiver.units': 30}
    force:     write into an output folder that already holds files
    quiet:     do not echo somaif-run's progress and summary
    keys:      more overrides, a double underscore for each dot:
               perceiver__units=30.  A dict value replaces a whole group.

    somaif-run is found where SOMAIF_RUN points, else on PATH.  Its
    progress streams to sys.stderr as it runs.  Ctrl-C is passed on to it:
    it stops after writing a checkpoint and :class:`Interrupted` is raised
    (``somaif.resume(e.output)`` goes on).  A failure raises
    :class:`SomaifError` with somaif-run's message and exit status.
    """
    from ._rundir import Run
    program = _program("somaif-run", "SOMAIF_RUN")
    command = [program]
    for kv in _key_values(overrides, keys):
        command += ["--set", kv]
    if seed is not None:
        command += ["--seed", str(int(seed))]
    if threads is not None:
        command += ["--threads", str(int(threads))]
    if output is not None:
        command += ["--output", os.fspath(output)]
    if force:
        command.append("--force")
    command.append(os.fspath(config))
    status, out, err, interrupted = _execute(command, not quiet)
    return Run(_finish("somaif-run", command, status, out, err, interrupted, output))


def resume(path, threads=None, *, quiet=False):
    """Go on with the interrupted run in folder ``path`` (somaif-run
    --resume) and return its :class:`Run`; as :func:`run` otherwise."""
    from ._rundir import Run
    program = _program("somaif-run", "SOMAIF_RUN")
    command = [program, "--resume", os.fspath(path)]
    if threads is not None:
        command += ["--threads", str(int(threads))]
    status, out, err, interrupted = _execute(command, not quiet)
    return Run(_finish("somaif-run", command, status, out, err, interrupted, path))


def sweep(spec, output=None, jobs=None, *, quiet=False):
    """Run a sweep with somaif-sweep and return its :class:`Sweep`.

    spec:   a sweep file (libconfig: base, vary, seeds, threads; see
            somaif-sweep --help)
    output: the sweep's folder (None: somaif-sweep's default,
            sweeps/NAME-DATE-TIME); calling again with the same folder goes
            on where an interrupted sweep stopped
    jobs:   runs at once (None: the cores / threads per run)

    somaif-sweep is found where SOMAIF_SWEEP points, else beside
    SOMAIF_RUN, else on PATH.  Progress, Ctrl-C and failures are handled as
    in :func:`run`.
    """
    from ._sweep import Sweep
    program = _program("somaif-sweep", "SOMAIF_SWEEP", beside="SOMAIF_RUN")
    command = [program]
    if output is not None:
        command += ["--output", os.fspath(output)]
    if jobs is not None:
        command += ["--jobs", str(int(jobs))]
    command.append(os.fspath(spec))
    status, out, err, interrupted = _execute(command, not quiet)
    return Sweep(_finish("somaif-sweep", command, status, out, err, interrupted, output))


def chain(run, config=None, output=None, seed=None, *, overrides=None, force=False,
          quiet=False, **keys):
    """Chain a finished run's primitives into targets with somaif-chain and
    return its :class:`Chain`.

    run:       a Run, or a run folder
    config:    a libconfig file of the groups chain, letters and images
               (None: every key takes its default)
    output:    the chain folder (None: somaif-chain's default,
               chains/RUN-DATE-TIME)
    seed:      chain.seed
    overrides, keys: as in :func:`run`, e.g. chain__targets="c,i",
               letters__samples=6

    somaif-chain is found where SOMAIF_CHAIN points, else beside SOMAIF_RUN,
    else on PATH.  A failure raises :class:`SomaifError`.
    """
    from ._chain import Chain
    program = _program("somaif-chain", "SOMAIF_CHAIN", beside="SOMAIF_RUN")
    command = [program, os.fspath(getattr(run, "path", run))]
    if config is not None:
        command.append(os.fspath(config))
    for kv in _key_values(overrides, keys):
        command += ["--set", kv]
    if seed is not None:
        command += ["--seed", str(int(seed))]
    if output is not None:
        command += ["--output", os.fspath(output)]
    if force:
        command.append("--force")
    status, out, err, interrupted = _execute(command, not quiet)
    return Chain(_finish("somaif-chain", command, status, out, err, interrupted, output))
