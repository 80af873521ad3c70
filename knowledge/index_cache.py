"""The built knowledge index on disk, keyed by the content and the code that builds it."""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from ground.settings import Contacts
from knowledge.index import KnowledgeBase
from knowledge.intents import INTENTS_FILE
from knowledge.synonyms import SYNONYMS_FILE
from knowledge.topics import topic_paths

logger = logging.getLogger(__name__)

CACHE_PREFIX = "knowledge-"
CACHE_SUFFIX = ".pickle"
KEEP_VERSIONS = 3  # older index files than the newest few are removed
# Libraries whose objects live inside the pickled index (a new version may not read an old one),
# and those that read the content into it (a new version may read it differently).
PICKLED_LIBRARIES = ("numpy", "scipy", "scikit-learn", "rapidfuzz", "snowballstemmer", "wordfreq")
READING_LIBRARIES = ("PyYAML", "python-frontmatter")


def _library_versions() -> list[str]:
    versions = [sys.version]
    for name in (*PICKLED_LIBRARIES, *READING_LIBRARIES):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return versions


def index_key(content_dir: Path, contacts: Contacts) -> str:
    """A hash of everything the index is built from: the topics, synonyms and intents files,
    the contact points put into the topics, the knowledge package's code and data, and the
    versions of the libraries it pickles and reads the content with. Any change gives a new
    key, so a cached index is never stale."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    listed = [content_dir / SYNONYMS_FILE, content_dir / INTENTS_FILE]
    for path in [*topic_paths(content_dir), *listed]:
        data = path.read_bytes() if path.is_file() else b""
        add(f"content:{path.relative_to(content_dir)}", data)
    add("contacts", repr(contacts).encode())
    code_dir = Path(__file__).parent
    for path in sorted(code_dir.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".txt"}:
            add(f"code:{path.relative_to(code_dir)}", path.read_bytes())
    add("libraries", "\n".join(_library_versions()).encode())
    return digest.hexdigest()


def _read(path: Path) -> KnowledgeBase | None:
    # The index is many small objects and no cycles: with the collector paused, unpickling
    # is not interrupted by full collections over everything a server has imported (4×
    # faster in `kompas serve`).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as stream:
            loaded = pickle.load(stream)  # our own file, in the operator's cache directory
    except FileNotFoundError:
        return None
    except Exception as error:  # a truncated or foreign file: build afresh
        logger.warning("knowledge index cache %s unreadable (%s); building it again", path, error)
        return None
    finally:
        if collecting:
            gc.enable()
    return loaded if isinstance(loaded, KnowledgeBase) else None


def _write(cache_dir: Path, path: Path, knowledge: KnowledgeBase) -> None:
    """Write to a temporary file beside it, then rename: readers see the old or the new."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".building-")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(knowledge, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        logger.warning("knowledge index not cached in %s: %s", cache_dir, error)
        return
    _prune(cache_dir, keep=path)


def _prune(cache_dir: Path, keep: Path) -> None:
    built = sorted(
        cache_dir.glob(f"{CACHE_PREFIX}*{CACHE_SUFFIX}"),
        key=lambda p: p.stat().st_mtime if p.exists() else 0.0,
        reverse=True,
    )
    for old in [p for p in built if p != keep][KEEP_VERSIONS - 1 :]:
        old.unlink(missing_ok=True)


def load_knowledge(content_dir: Path, contacts: Contacts, cache_dir: Path | None) -> KnowledgeBase:
    """The knowledge index for this content: from `cache_dir` when it was built for exactly this
    content and code, else built (ContentError when content is broken) and cached there.
    `cache_dir` None builds every time."""
    if cache_dir is None:
        return KnowledgeBase.load(content_dir, contacts)
    started = time.perf_counter()
    key = index_key(content_dir, contacts)
    path = cache_dir / f"{CACHE_PREFIX}{key}{CACHE_SUFFIX}"
    cached = _read(path)
    if cached is not None:
        logger.info(
            "knowledge index: %d topics from the cache (%.0f ms)",
            len(cached.topics),
            (time.perf_counter() - started) * 1000,
        )
        return cached
    knowledge = KnowledgeBase.load(content_dir, contacts)
    _write(cache_dir, path, knowledge)
    return knowledge
