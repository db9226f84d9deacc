"""The only module that talks to Chroma.

An index is a *build*: one Chroma collection of chunks (text, metadata, the embeddings we
computed, and each chunk's lexical tokens) plus a manifest saying which files, which embedder
and how many chunks. Ingest writes a new build aside and then moves a pointer to it in one
atomic step, so a crash or a bad file never leaves a half-built index in use.

- Embedded (default): `index/builds/<id>/` holds a `PersistentClient` folder and
  `manifest.json`; `index/CURRENT` names the build in use (replaced with `os.replace`).
- Server (`BOT_CHROMA_URL`): collections `bot_<id>` on a Chroma server; manifests live in the
  collection `bot_manifests` and the pointer in the metadata of `bot_current`, so every replica
  reading that server sees the same build. `BOT_CHROMA_TOKEN` goes with every request (for the
  authenticating proxy a Chroma server must sit behind: `chroma run` does not check tokens).
  One ingest writes at a time: it holds the lease `bot_lease` (see `ServerStore.exclusive`).
  Every collection is checked before use: its stored configuration must name no embedding
  function (see `check_configuration`), since the HTTP client would build the one it names.

`commit(manifest, announce)` calls `announce("manifest-written")` and `announce("pointer-swapped")`
at those two points (ingest's test-only stage holds, see ingest.py).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sys
import time
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from . import startup
from .errors import BotError
from .settings import Settings
from .types import Chunk

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION = "chunks"
PAGE = 2000
# One insertion thread: HNSW built by several threads links its graph in whatever order they
# finish, so the same corpus could give different neighbours (and answers) on two machines.
HNSW_CONFIGURATION = {"hnsw": {"space": "cosine", "num_threads": 1}}
DISTANCE_DIGITS = 5
BUILD_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
# the only stored embedding-function entries that make chromadb build nothing: "legacy" is what
# `embedding_function=None` with a configuration stores, "unknown" the default sparse entry
INERT_EMBEDDING_FUNCTIONS = ({"type": "legacy"}, {"type": "unknown"})


@dataclass
class Manifest:
    build: str
    embedding: str
    dim: int
    chunker: str
    files: dict[str, dict] = field(default_factory=dict)  # file -> {sha256, title, chunks, tables, format, pages, …}
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why ingest could not read it
    chunk_count: int = 0
    created: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def chunk_to_record(chunk: Chunk, tokens: list[str]) -> tuple[str, str, dict]:
    meta = {
        "file": chunk.file, "report": chunk.report, "kind": chunk.kind, "location": chunk.location,
        "attribution": chunk.attribution, "page": chunk.page or 0, "heading": chunk.heading,
        "table_id": chunk.table_id, "caption": chunk.caption, "row": chunk.row,
        "label": chunk.label, "unit": chunk.unit,
        "section": chunk.section, "year": chunk.year, "scope": chunk.scope, "ocr_low": chunk.ocr_low,
        "header": json.dumps(chunk.header, ensure_ascii=False),
        "cells": json.dumps(chunk.cells, ensure_ascii=False),
        "tokens": " ".join(tokens),
    }
    return chunk.id, chunk.text, meta


def record_to_chunk(cid: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        id=cid, file=meta["file"], report=meta["report"], kind=meta["kind"], text=text,
        location=meta["location"], attribution=meta.get("attribution", ""), page=meta.get("page") or None,
        heading=meta.get("heading", ""), table_id=meta.get("table_id", ""), caption=meta.get("caption", ""),
        header=tuple(json.loads(meta.get("header") or "[]")), cells=tuple(json.loads(meta.get("cells") or "[]")),
        row=int(meta.get("row") or 0), label=meta.get("label", ""), unit=meta.get("unit", ""),
        section=meta.get("section", ""), year=str(meta.get("year", "")), scope=meta.get("scope", ""),
        ocr_low=meta.get("ocr_low", ""),
    )


def check_configuration(name: str, configuration: dict | None, schema: dict | None,
                        space: str | None = None) -> None:
    """Refuse a collection whose stored configuration or schema names an embedding function.

    chromadb's client rebuilds the function a collection's stored configuration names on every
    add/upsert (`Collection.configuration`, `Collection.schema`), so whoever can write to the
    server could make ingest instantiate one of their choosing (a remote model, say). This
    project never lets Chroma embed: every entry must be empty or inert. Reads only the raw JSON;
    touching `.configuration` or `.schema` would build the function we are guarding against."""
    found = [(path, value) for path, value in _embedding_function_entries({"configuration": configuration or {},
                                                                           "schema": schema or {}})
             if value is not None and value not in INERT_EMBEDDING_FUNCTIONS]
    if found:
        path, value = found[0]
        raise BotError(f"The Chroma collection {name} is configured with an embedding function this project never "
                       f"sets ({path} = {json.dumps(value, ensure_ascii=False)[:200]}); refusing to write to it.",
                       hint="Someone changed it on the server: check who can reach the Chroma server, delete the "
                            "collection, and run `bot ingest` again.")
    stored = ((configuration or {}).get("hnsw") or {}).get("space")
    if space and stored != space:
        raise BotError(f"The Chroma collection {name} uses the distance {stored!r}, not {space!r} as this project "
                       "creates it; refusing to use it.",
                       hint="Delete the collection on the server and run `bot ingest` again.")


def _embedding_function_entries(tree, path: str = ""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            where = f"{path}.{key}" if path else key
            if key == "embedding_function":
                yield where, value
            else:
                yield from _embedding_function_entries(value, where)
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _embedding_function_entries(value, f"{path}[{i}]")


def _chromadb():
    """chromadb, imported with the `overrides` package's decorator reduced to the marker it sets.

    chromadb decorates ~170 methods with `overrides.override`, which checks each one's signature
    against its base class's (bytecode and type-hint inspection) as the class is built: a third
    of chromadb's import, paid by every cold `bot ask`, for a check meant for chromadb's own
    developers. The `__override__` marker that `EnforceOverrides` looks for is still set. Only
    for the `overrides` release line and attributes it was written for (bot/startup.py)."""
    if "chromadb" not in sys.modules:
        try:
            import overrides
        except ImportError:  # a chromadb that no longer uses it
            overrides = None
        if (overrides is not None and not getattr(overrides, "_bot_marker_only", False)
                and startup.may_patch("chromadb", overrides)):
            def override(method=None, **_checks):
                def mark(m):
                    try:
                        m.__override__ = True
                    except (AttributeError, TypeError):
                        pass
                    return m
                return mark(method) if method is not None else mark

            overrides.override = overrides.overrides = override
            overrides._bot_marker_only = True
    import chromadb

    return chromadb


def _chroma_settings():
    _chromadb()
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class Store:
    """Common read/write operations over whichever Chroma the settings name."""

    def current(self) -> Manifest | None:
        raise NotImplementedError

    def _collection(self, build: str, create: bool = False):
        raise NotImplementedError

    def _set_current(self, manifest: Manifest, announce) -> None:
        raise NotImplementedError

    def drop(self, build: str) -> None:
        raise NotImplementedError

    def where(self) -> str:
        raise NotImplementedError

    def exclusive(self, announce=None, log=None):
        """Held by ingest around its whole run: one writer at a time (see ServerStore)."""
        return nullcontext()

    def renew(self) -> None:
        """Called while a build is written, so a long ingest keeps its writer lease."""

    # -- reading ---------------------------------------------------------------------------
    def records(self, build: str) -> Iterator[tuple[str, str, dict]]:
        col = self._collection(build)
        offset = 0
        while True:
            got = col.get(limit=PAGE, offset=offset, include=["documents", "metadatas"])
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["documents"], got["metadatas"])
            offset += len(got["ids"])

    def embeddings(self, build: str, ids: list[str]) -> dict[str, list[float]]:
        col = self._collection(build)
        out: dict[str, list[float]] = {}
        for start in range(0, len(ids), PAGE):
            got = col.get(ids=ids[start:start + PAGE], include=["embeddings"])
            out.update(zip(got["ids"], (list(map(float, e)) for e in got["embeddings"])))
        return out

    def query(self, build: str, embedding: list[float], k: int) -> list[tuple[str, float]]:
        col = self._collection(build)
        got = col.query(query_embeddings=[embedding], n_results=k, include=["distances"])
        # ranked by the distance rounded well above float noise, ties by id: the same order on
        # any machine, whatever the last digits of a SIMD dot product
        pairs = list(zip(got["ids"][0], got["distances"][0]))
        return sorted(pairs, key=lambda p: (round(p[1], DISTANCE_DIGITS), p[0]))

    # -- writing ---------------------------------------------------------------------------
    def begin(self) -> "BuildWriter":
        return BuildWriter(self, time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6])


class BuildWriter:
    def __init__(self, store: Store, build: str):
        self.store = store
        self.build = build
        self.col = store._collection(build, create=True)
        self.count = 0

    def add(self, ids: list[str], documents: list[str], metadatas: list[dict], embeddings: list[list[float]]) -> None:
        step = 1000
        for s in range(0, len(ids), step):
            self.col.add(ids=ids[s:s + step], documents=documents[s:s + step],
                         metadatas=metadatas[s:s + step], embeddings=embeddings[s:s + step])
            self.store.renew()
        self.count += len(ids)

    def remove(self, ids: list[str]) -> None:
        """Take back chunks added to this build (a file that failed half-way)."""
        self.col.delete(ids=ids)
        self.count -= len(ids)

    def commit(self, manifest: Manifest, announce=None) -> None:
        manifest.build = self.build
        manifest.chunk_count = self.count
        self.store._set_current(manifest, announce or (lambda stage: None))

    def abort(self) -> None:
        try:
            self.store.drop(self.build)
        except Exception:  # noqa: BLE001 - a leftover build is collected by the next ingest
            pass


class EmbeddedStore(Store):
    def __init__(self, root: Path):
        self.root = Path(root)
        self.builds = self.root / "builds"
        self._clients: dict[str, object] = {}
        self._handles: dict[str, object] = {}  # build -> its collection, once opened for reading

    def where(self) -> str:
        return str(self.root)

    def _path(self, build: str) -> Path:
        return self.builds / build

    def current(self) -> Manifest | None:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        build = pointer.read_text().strip()
        mpath = self._path(build) / "manifest.json"
        if not build or not mpath.exists():
            raise BotError(f"The index in {self.root} points to a build that is missing ({build!r}).",
                           hint="Run `bot ingest` to rebuild it.")
        return Manifest.from_json(mpath.read_text())

    def _collection(self, build: str, create: bool = False):
        if not create and build in self._handles:  # the per-question query path: no lookups
            return self._handles[build]
        chromadb = _chromadb()

        path = self._path(build)
        if not create and not path.exists():
            raise BotError(f"Index build {build} is missing in {self.root}.", hint="Run `bot ingest`.")
        client = self._clients.get(build)
        if client is None:
            path.mkdir(parents=True, exist_ok=True)
            client = self._clients[build] = chromadb.PersistentClient(path=str(path / "chroma"),
                                                                      settings=_chroma_settings())
        if create:
            return client.get_or_create_collection(COLLECTION, configuration=HNSW_CONFIGURATION,
                                                   embedding_function=None)
        handle = self._handles[build] = client.get_collection(COLLECTION, embedding_function=None)
        return handle

    def _set_current(self, manifest: Manifest, announce) -> None:
        bdir = self._path(manifest.build)
        _write_atomic(bdir / "manifest.json", manifest.to_json())
        _fsync_dir(bdir)
        announce("manifest-written")
        _write_atomic(self.root / "CURRENT", manifest.build + "\n")
        announce("pointer-swapped")
        self._collect_garbage(keep={manifest.build})

    def _collect_garbage(self, keep: set[str]) -> None:
        """Remove builds other than the current and the one before it (a running server may still read it)."""
        if not self.builds.exists():
            return
        done = sorted((p for p in self.builds.iterdir() if (p / "manifest.json").exists()),
                      key=lambda p: p.stat().st_mtime)
        keep = keep | {p.name for p in done[-2:]}
        for p in self.builds.iterdir():
            if p.name not in keep:
                self.drop(p.name)

    def drop(self, build: str) -> None:
        self._clients.pop(build, None)
        self._handles.pop(build, None)
        shutil.rmtree(self._path(build), ignore_errors=True)


@dataclass
class Lease:
    """The writer lease: the collection `bot_lease`, whose metadata names its holder and expiry."""

    collection_id: str
    holder: str
    expires: float
    renewed: float = field(default_factory=time.monotonic)


class ServerStore(Store):
    """Builds as collections `bot_<id>` on a Chroma server shared by ingest and every replica.

    Every call that reaches the server goes through `_guard`: a connection that fails becomes
    the one clear BotError (`_lost`, "answers resume when it is back"); the HTTP client
    reconnects by itself on the next call, so nothing needs restarting once the server is up."""

    POINTER = "bot_current"
    MANIFESTS = "bot_manifests"
    LEASE = "bot_lease"
    LEASE_POLL = 0.5  # seconds between looks at a busy lease

    def __init__(self, url: str, token: str = "", lease_seconds: float = 600.0):
        chromadb = _chromadb()
        import httpx

        parsed = urlparse(url if "://" in url else f"http://{url}")
        self.url = url
        self.lease_seconds = lease_seconds
        self._lease: Lease | None = None
        # both spellings: a Bearer header for generic proxies, X-Chroma-Token for Chroma's own scheme
        headers = {"Authorization": f"Bearer {token}", "X-Chroma-Token": token} if token else {}
        base = f"{parsed.scheme or 'http'}://{parsed.hostname or '127.0.0.1'}:{parsed.port or 8000}"
        try:
            # our own first request, so a refused token reads as that and not as "cannot reach"
            probe = httpx.get(f"{base}/api/v2/heartbeat", headers=headers, timeout=30)
        except httpx.HTTPError as err:
            raise BotError(f"Cannot reach the Chroma server at {url} ({type(err).__name__}).",
                           hint="Start it with `chroma run --path DIR --host 127.0.0.1 --port 8000`, or unset BOT_CHROMA_URL to use the local index.") from err
        if probe.status_code in (401, 403):
            state = "was refused" if token else "is needed"
            raise BotError(f"The Chroma server at {url} refused the request ({probe.status_code}): a token {state}.",
                           hint="Set BOT_CHROMA_TOKEN to the token the proxy in front of the Chroma server expects.")
        try:
            self.client = chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                              ssl=parsed.scheme == "https", headers=headers,
                                              settings=_chroma_settings())
            self.client.heartbeat()
        except Exception as err:  # noqa: BLE001
            raise BotError(f"Cannot reach the Chroma server at {url} ({type(err).__name__}: {err}).",
                           hint="Start it with `chroma run --path DIR --host 127.0.0.1 --port 8000`, or unset BOT_CHROMA_URL to use the local index.") from err

    def where(self) -> str:
        return self.url

    class _Guarded:
        """A collection whose every call goes through `ServerStore._guard`."""

        def __init__(self, col, store: "ServerStore"):
            self._col = col
            self._store = store

        def __getattr__(self, name):
            attr = getattr(self._col, name)
            if not callable(attr):
                return attr
            return lambda *args, **kwargs: self._store._guard(attr, *args, **kwargs)

    def _guard(self, call, *args, **kwargs):
        import httpx

        try:
            return call(*args, **kwargs)
        except BotError:
            raise
        except (httpx.TransportError, OSError) as err:  # refused, reset, timed out: the server is gone
            raise _lost(self.url, err) from err
        except Exception as err:  # noqa: BLE001 - an error the server reported; say which
            raise BotError(f"The Chroma server at {self.url} failed a request ({type(err).__name__}: {err}).",
                           hint="Check the Chroma server's log; answers resume once it serves requests again.") from err

    def _checked(self, col, space: str | None = None):
        check_configuration(col.name, col.configuration_json, col._model.serialized_schema, space)
        return col

    def _named(self, name: str):
        return self._checked(self._guard(self.client.get_or_create_collection, name, embedding_function=None))

    def current(self) -> Manifest | None:
        pointer = self._named(self.POINTER)
        build = (pointer.metadata or {}).get("build")
        if not build:
            return None
        got = self._guard(self._named(self.MANIFESTS).get, ids=[build], include=["documents"])
        if not got["ids"]:
            raise BotError(f"The Chroma server at {self.url} points to a missing build {build}.",
                           hint="Run `bot ingest` again.")
        return Manifest.from_json(got["documents"][0])

    def _collection(self, build: str, create: bool = False):
        from chromadb.errors import NotFoundError

        name = f"bot_{build}"
        try:
            if create:
                col = self.client.get_or_create_collection(name, embedding_function=None,
                                                           configuration=HNSW_CONFIGURATION)
            else:
                col = self.client.get_collection(name, embedding_function=None)
        except NotFoundError as err:
            raise BotError(f"Index build {build} is no longer on the Chroma server at {self.url} "
                           "(a newer ingest replaced it).",
                           hint="`bot serve` picks up the current build by itself within a minute; otherwise restart it.") from err
        except Exception as err:  # noqa: BLE001
            raise _lost(self.url, err) from err
        return self._Guarded(self._checked(col, space="cosine"), self)

    # -- one writer at a time -----------------------------------------------------------------
    @contextmanager
    def exclusive(self, announce=None, log=None):
        """Hold the writer lease for the whole ingest, so a second ingest never deletes the build the
        first is writing (commit drops every build but the current and the previous one).

        The lease is the collection `bot_lease`: creating a collection whose name exists fails on
        the server, which makes taking it atomic. Its metadata holds the holder and an expiry
        `lease_seconds` (BOT_CHROMA_LEASE_SECONDS) after the last renewal; ingest renews it as it
        writes. A lease past its expiry (its ingest crashed) is taken over by renaming that very
        collection (by id) aside, so two ingests that both see it stale cannot remove each other's
        fresh lease. Expiry is wall-clock time: the machines that ingest need synchronised clocks."""
        announce = announce or (lambda stage: None)
        log = log or (lambda msg: None)
        self._lease = self._acquire(announce, log)
        try:
            for name in (self.POINTER, self.MANIFESTS):  # refuse a poisoned server before writing anything
                self._named(name)
            yield self._lease
        finally:
            lease, self._lease = self._lease, None
            self._release(lease)

    def _acquire(self, announce, log) -> Lease:
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        told, misses = False, 0
        while True:
            expires = time.time() + self.lease_seconds
            col = self._lease_call(self.client.create_collection, self.LEASE, embedding_function=None,
                                   metadata={"holder": holder, "expires": expires})
            if col is not None:
                return Lease(str(col.id), holder, expires)
            held = self._lease_call(self.client.get_collection, self.LEASE, embedding_function=None)
            if held is None:  # released between our two calls, or the server refuses both
                misses += 1
                if misses > 20:
                    raise BotError(f"The Chroma server at {self.url} neither creates nor returns the ingest lease "
                                   f"collection {self.LEASE}.", hint="Check the Chroma server's log.")
                continue
            meta = held.metadata or {}
            left = float(meta.get("expires") or 0) - time.time()
            if left <= 0:
                log(f"note: taking over the stale ingest lease of {meta.get('holder', '?')} on {self.url}")
                aside = f"{self.LEASE}_stale_{uuid.uuid4().hex[:8]}"
                if self._lease_call(held.modify, name=aside, ok=True):
                    self._lease_call(self.client.delete_collection, aside)
                continue  # whoever moved it first, try to create ours again
            if not told:
                log(f"waiting for another ingest to finish ({meta.get('holder', '?')} holds the lease on "
                    f"{self.url}; it expires in {left:.0f} s unless renewed)")
                told = True
            announce("lease-busy")
            time.sleep(self.LEASE_POLL)

    def _lease_call(self, call, *args, ok=False, **kwargs):
        """`call`'s result (or `ok`), or None when the server refused it (name taken, or gone);
        a lost connection is the usual clear error."""
        import httpx

        try:
            result = call(*args, **kwargs)
        except (httpx.TransportError, OSError) as err:
            raise _lost(self.url, err) from err
        except Exception:  # noqa: BLE001 - chromadb reports "exists"/"not found" as server errors
            return None
        return ok or result

    def _held(self):
        """Our lease collection, or a clear error if it is no longer ours (a stale-lease takeover)."""
        lease = self._lease
        col = self._lease_call(self.client.get_collection, self.LEASE, embedding_function=None)
        if col is None or str(col.id) != lease.collection_id:
            raise BotError(f"This ingest lost its writer lease on {self.url}: it went unrenewed for more than "
                           f"{self.lease_seconds:g} s and another ingest took over.",
                           hint="Run `bot ingest` again; raise BOT_CHROMA_LEASE_SECONDS if one embedding batch takes that long.")
        return col

    def renew(self) -> None:
        lease = self._lease
        if lease is None or time.monotonic() - lease.renewed < self.lease_seconds / 4:
            return
        col = self._held()
        lease.expires = time.time() + self.lease_seconds
        self._guard(col.modify, metadata={"holder": lease.holder, "expires": lease.expires})
        lease.renewed = time.monotonic()

    def _release(self, lease: Lease) -> None:
        try:
            col = self.client.get_collection(self.LEASE, embedding_function=None)
            if str(col.id) == lease.collection_id:
                self.client.delete_collection(self.LEASE)
        except Exception:  # noqa: BLE001 - gone already, or the server is; the lease then expires
            pass

    # -- committing ---------------------------------------------------------------------------
    def _set_current(self, manifest: Manifest, announce) -> None:
        # manifests carry a dummy vector: Chroma records need one and we never let Chroma embed
        manifests = self._named(self.MANIFESTS)
        self._guard(manifests.upsert, ids=[manifest.build], documents=[manifest.to_json()], embeddings=[[0.0]])
        announce("manifest-written")
        if self._lease is not None:
            self._held()
        pointer = self._named(self.POINTER)
        previous = (pointer.metadata or {}).get("build")
        self._guard(pointer.modify, metadata={"build": manifest.build, "previous": previous or ""})
        announce("pointer-swapped")
        keep = {manifest.build, previous}
        for col in self._guard(self.client.list_collections):
            name = col if isinstance(col, str) else col.name
            # only build collections: the pointer, the manifests and the lease are not ours to drop
            if name.startswith("bot_") and BUILD_ID.match(name[4:]) and name[4:] not in keep:
                self.drop(name[4:])
        stale = [b for b in self._guard(manifests.get, include=[])["ids"] if b not in keep]
        if stale:
            self._guard(manifests.delete, ids=stale)

    def drop(self, build: str) -> None:
        try:
            self.client.delete_collection(f"bot_{build}")
        except Exception:  # noqa: BLE001 - already gone
            pass


def _lost(url: str, err: Exception) -> BotError:
    return BotError(f"Lost the Chroma server at {url} ({type(err).__name__}: {err}).",
                    hint="Check that `chroma run` is up; answers resume when it is back.")


def open_store(settings: Settings) -> Store:
    if settings.chroma_url:
        return ServerStore(settings.chroma_url, token=settings.chroma_token,
                           lease_seconds=settings.chroma_lease_seconds)
    return EmbeddedStore(settings.index_dir)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
