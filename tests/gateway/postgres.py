"""A throw-away PostgreSQL server for tests, from Debian's postgresql package (scripts/install-system.sh).

    with running_postgres(6432) as pg:
        url = pg.create_database("gateway")     # postgresql+psycopg://… for DATABASE_URL
        with pg.connect("gateway") as db: ...

initdb into a temporary directory, 127.0.0.1:port only, the unix socket in that directory, password
authentication (the password has characters that need quoting); removed at the end. PostgreSQL
refuses to run as root: as root, initdb and pg_ctl run as the `postgres` user (`nobody` if there is
none) through runuser, and the directory belongs to that user.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List
from urllib.parse import quote

import psycopg
from psycopg import sql

USER, PASSWORD = "tester", 'pw"\\$:@/%x'


def bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin (Debian), else the directory of pg_ctl on the PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parent.parent.name.zfill(4))
    if found:
        return found[-1].parent
    if shutil.which("pg_ctl"):
        return Path(shutil.which("pg_ctl")).parent
    raise RuntimeError("PostgreSQL is not installed (scripts/install-system.sh installs it)")


def run_as() -> List[str]:
    """The command prefix that runs a PostgreSQL program as an unprivileged user ([] if we are not root)."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres").pw_name
    except KeyError:
        user = "nobody"
    return ["runuser", "-u", user, "--"]


@dataclass
class Postgres:
    port: int
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=dbname, autocommit=True)

    def create_database(self, name: str) -> str:
        """Creates database `name`; returns its SQLAlchemy URL (psycopg 3)."""
        with self.connect() as db:
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return (f"postgresql+psycopg://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
                f"@{self.host}:{self.port}/{quote(name, safe='')}")


@contextlib.contextmanager
def running_postgres(port: int) -> Iterator[Postgres]:
    """A fresh PostgreSQL on 127.0.0.1:port until the block ends."""
    bindir, prefix = bin_dir(), run_as()
    base = Path(tempfile.mkdtemp(prefix="pg-test-"))
    data, log = base / "data", base / "server.log"
    if prefix:
        shutil.chown(base, user=prefix[2])

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], cwd=base, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    try:
        (base / "password").write_text(PASSWORD)
        run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(base / "password"),
            "--auth", "scram-sha-256", "--encoding", "UTF8", "--no-locale")
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{base}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as error:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {error.cmd}\n{error.stderr.decode(errors='replace')}{server_log}") from error
    try:
        yield Postgres(port)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)
