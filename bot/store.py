"""The only module that talks to Chroma.

An index is a *build*: one Chroma collection of chunks (text, metadata, the embeddings we
computed, and each chunk's lexical tokens) plus a manifest saying which files, which embedder
and how many chunks. Ingest writes a new build aside and then moves a pointer to it in one
atomic step, so a crash or a bad file never leaves a half-built index in use.

- Embedded (default): `index/builds/<id>/` holds a `PersistentClient` folder and
  `manifest.json`; `index/CURRENT` names the build in use (replaced with `os.replace`).
- Server (`BOT_CHROMA_URL`): collections `bot_<id>` on a Chroma server; manifests live in the
  collection `bot_manifests` and the pointer in the metadata of `bot_current`, so every replica
  reading that server sees the same build.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from .errors import BotError
from .settings import Settings
from .types import Chunk

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

COLLECTION = "chunks"
PAGE = 2000


@dataclass
class Manifest:
    build: str
    embedding: str
    dim: int
    chunker: str
    files: dict[str, dict] = field(default_factory=dict)  # file -> {sha256, title, chunks, tables}
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
    )


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


class Store:
    """Common read/write operations over whichever Chroma the settings name."""

    def current(self) -> Manifest | None:
        raise NotImplementedError

    def _collection(self, build: str, create: bool = False):
        raise NotImplementedError

    def _set_current(self, manifest: Manifest) -> None:
        raise NotImplementedError

    def drop(self, build: str) -> None:
        raise NotImplementedError

    def where(self) -> str:
        raise NotImplementedError

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
        return list(zip(got["ids"][0], got["distances"][0]))

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
        self.count += len(ids)

    def commit(self, manifest: Manifest) -> None:
        manifest.build = self.build
        manifest.chunk_count = self.count
        self.store._set_current(manifest)

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
        import chromadb

        path = self._path(build)
        if not create and not path.exists():
            raise BotError(f"Index build {build} is missing in {self.root}.", hint="Run `bot ingest`.")
        client = self._clients.get(build)
        if client is None:
            path.mkdir(parents=True, exist_ok=True)
            client = self._clients[build] = chromadb.PersistentClient(path=str(path / "chroma"),
                                                                      settings=_chroma_settings())
        if create:
            return client.get_or_create_collection(COLLECTION, configuration={"hnsw": {"space": "cosine"}},
                                                   embedding_function=None)
        handle = self._handles[build] = client.get_collection(COLLECTION, embedding_function=None)
        return handle

    def _set_current(self, manifest: Manifest) -> None:
        bdir = self._path(manifest.build)
        _write_atomic(bdir / "manifest.json", manifest.to_json())
        _fsync_dir(bdir)
        _write_atomic(self.root / "CURRENT", manifest.build + "\n")
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


class ServerStore(Store):
    """Builds as collections `bot_<id>` on a Chroma server shared by ingest and every replica.

    Every call that reaches the server goes through `_guard`: a connection that fails becomes
    the one clear BotError (`_lost`, "answers resume when it is back"); the HTTP client
    reconnects by itself on the next call, so nothing needs restarting once the server is up."""

    POINTER = "bot_current"
    MANIFESTS = "bot_manifests"

    def __init__(self, url: str):
        import chromadb

        parsed = urlparse(url if "://" in url else f"http://{url}")
        self.url = url
        try:
            self.client = chromadb.HttpClient(host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                                              ssl=parsed.scheme == "https", settings=_chroma_settings())
            self.client.heartbeat()
        except Exception as err:  # noqa: BLE001
            raise BotError(f"Cannot reach the Chroma server at {url} ({type(err).__name__}).",
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

    def current(self) -> Manifest | None:
        pointer = self._guard(self.client.get_or_create_collection, self.POINTER, embedding_function=None)
        build = (pointer.metadata or {}).get("build")
        if not build:
            return None
        manifests = self._guard(self.client.get_or_create_collection, self.MANIFESTS, embedding_function=None)
        got = self._guard(manifests.get, ids=[build], include=["documents"])
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
                                                           configuration={"hnsw": {"space": "cosine"}})
            else:
                col = self.client.get_collection(name, embedding_function=None)
        except NotFoundError as err:
            raise BotError(f"Index build {build} is no longer on the Chroma server at {self.url} "
                           "(a newer ingest replaced it).",
                           hint="`bot serve` picks up the current build by itself within a minute; otherwise restart it.") from err
        except Exception as err:  # noqa: BLE001
            raise _lost(self.url, err) from err
        return self._Guarded(col, self)

    def _set_current(self, manifest: Manifest) -> None:
        # manifests carry a dummy vector: Chroma records need one and we never let Chroma embed
        manifests = self._guard(self.client.get_or_create_collection, self.MANIFESTS, embedding_function=None)
        self._guard(manifests.upsert, ids=[manifest.build], documents=[manifest.to_json()], embeddings=[[0.0]])
        pointer = self._guard(self.client.get_or_create_collection, self.POINTER, embedding_function=None)
        previous = (pointer.metadata or {}).get("build")
        self._guard(pointer.modify, metadata={"build": manifest.build, "previous": previous or ""})
        keep = {manifest.build, previous}
        for col in self._guard(self.client.list_collections):
            name = col if isinstance(col, str) else col.name
            if name.startswith("bot_") and name not in (self.POINTER, self.MANIFESTS) and name[4:] not in keep:
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
        return ServerStore(settings.chroma_url)
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
